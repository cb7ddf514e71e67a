/**
 * Raw Snappy (Blosc1 only: id 3, format 2) through snappyjs 0.7.0. Mirrors c-blosc's
 * `snappy_wrap_decompress`: `snappy_uncompress` into a `neblock`-byte buffer, then the
 * "decoded size == neblock" check.
 *
 * snappyjs does not bounds-check one copy form, does not check that the elements fill the
 * declared length, and silently drops writes past it; so the stream is first walked here
 * with the checks C snappy makes (`SnappyDecompressor` / `SnappyArrayWriter` in
 * snappy.cc), and only a stream that passes them reaches snappyjs.
 */
import { compress, uncompress } from 'snappyjs';
import { BloscErrorCode, fail, wrapForeign } from '../errors.js';
import { checkDecodeRanges, checkEncodeRanges, failDecodedSize } from './ranges.js';
import type { Codec, DecodeContext, EncodeContext } from './types.js';
import { CodecFormat, CodecId } from './types.js';

const NAME = 'snappy';

function failTruncated(at: number): never {
  fail(BloscErrorCode.ReadBuffer, `${NAME}: stream ends inside an element`, { offset: at });
}

/**
 * Check the raw Snappy stream src[sp, sp+sn) completely (varint length, every literal and
 * copy element, offsets, total length) without decoding it, and return its declared
 * uncompressed length. Throws BloscError on the first problem.
 */
export function validateSnappy(src: Uint8Array, sp: number, sn: number, expected: number): number {
  const end = sp + sn;
  let ip = sp;
  // Varint32 length (at most 5 bytes, value < 2^32).
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= end) failTruncated(ip);
    if (shift === 35) fail(BloscErrorCode.Data, `${NAME}: length varint too long`, { offset: ip });
    const c = src[ip++];
    if (shift === 28 && c > 15) fail(BloscErrorCode.Data, `${NAME}: length varint overflows 32 bits`, { offset: ip });
    length += (c & 0x7f) * 2 ** shift;
    if (c < 128) break;
  }
  if (length !== expected) failDecodedSize(NAME, length, expected);
  let produced = 0;
  while (ip < end) {
    const tag = src[ip++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (end - ip < extra) failTruncated(ip);
        len = 0;
        for (let i = 0; i < extra; i++) len += src[ip + i] * 2 ** (8 * i);
        len += 1;
        ip += extra;
      }
      if (len > end - ip) failTruncated(ip);
      if (len > length - produced) fail(BloscErrorCode.WriteBuffer, `${NAME}: literal runs past the declared length`, { offset: ip });
      ip += len;
      produced += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (end - ip < 1) failTruncated(ip);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip];
      ip += 1;
    } else if (kind === 2) {
      if (end - ip < 2) failTruncated(ip);
      len = (tag >>> 2) + 1;
      offset = src[ip] | (src[ip + 1] << 8);
      ip += 2;
    } else {
      if (end - ip < 4) failTruncated(ip);
      len = (tag >>> 2) + 1;
      offset = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > produced) {
      fail(BloscErrorCode.Data, `${NAME}: copy offset ${offset} reaches before the start of the data`, { offset: ip });
    }
    if (len > length - produced) fail(BloscErrorCode.WriteBuffer, `${NAME}: copy runs past the declared length`, { offset: ip });
    produced += len;
  }
  if (produced !== length) failDecodedSize(NAME, produced, length);
  return length;
}

/** Decode the raw Snappy stream src[sp, sp+sn) into exactly dst[dp, dp+dn). */
export function snappyDecompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  validateSnappy(src, sp, sn, dn);
  const out = wrapForeign(BloscErrorCode.Data, `${NAME}: corrupt stream`, () => uncompress(src.subarray(sp, sp + sn), dn));
  if (out.length !== dn) failDecodedSize(NAME, out.length, dn);
  dst.set(out, dp);
}

/**
 * Raw Snappy compression with snappyjs. A valid stream, but not the bytes C snappy writes
 * (snappyjs hashes differently). Returns bytes written, or 0 when it does not fit in `cap`.
 */
export function snappyCompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number): number {
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, cap);
  const out = wrapForeign(BloscErrorCode.Failure, `${NAME}: compress`, () => compress(src.subarray(sp, sp + sn)));
  if (out.length > cap) return 0;
  dst.set(out, dp);
  return out.length;
}

/** Snappy (id 3, format 2): Blosc1 chunks only; c-blosc2 cannot read them. */
export const snappyCodec: Codec = {
  id: CodecId.Snappy,
  format: CodecFormat.Snappy,
  name: 'snappy',
  decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, _ctx: DecodeContext): void {
    snappyDecompress(src, sp, sn, dst, dp, dn);
  },
  encode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, _clevel: number, _ctx: EncodeContext): number {
    return snappyCompress(src, sp, sn, dst, dp, cap);
  },
};
