/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/blosclz.c, itself based on FastLZ
 * (Ariya Hidayat, MIT); license in THIRD_PARTY_NOTICES.md.
 *
 * BloscLZ decoder: port of `blosclz_decompress` in c-blosc2 blosc/blosclz.c (the decoder
 * is the same in c-blosc 1.x). Stream format: spec chunk-format.md §6.2.2.
 *
 * The accept/reject behaviour follows the C function exactly, including two quirks that
 * no C encoder output ever exercises but that decide what a corrupt stream does:
 * - a match token needs at least one byte after its distance byte (a near match cannot end
 *   the stream), while a far match may end it; and
 * - a match that ends the stream is validated but not copied, so the stream then decodes
 *   short and is rejected by the size check (unless its length happens to come out right).
 */
import { BloscErrorCode, fail } from '../errors.js';
import { copyMatch } from './copy.js';
import { checkDecodeRanges, failDecodedSize } from './ranges.js';
import { BLOSCLZ_HASH_SIZE, blosclzCompress } from './blosclz-compress.js';
import { blosclzDecompressWasm } from './blosclz-decompress-wasm.js';
import type { Codec, DecodeContext, EncodeContext } from './types.js';
import { CodecFormat, CodecId } from './types.js';

const NAME = 'blosclz';
/** Largest near distance + 1: a biased distance of 8191 is coded in the far form. */
const MAX_DISTANCE = 8191;

function failTruncated(at: number): never {
  fail(BloscErrorCode.ReadBuffer, `${NAME}: stream ends inside a token`, { offset: at });
}

function failOverrun(at: number): never {
  fail(BloscErrorCode.WriteBuffer, `${NAME}: stream writes past the end of the output`, { offset: at });
}

function failDistance(at: number): never {
  fail(BloscErrorCode.Data, `${NAME}: match reaches back before the start of the output`, { offset: at });
}

/**
 * Decode the BloscLZ stream src[sp, sp+sn) into exactly dst[dp, dp+dn).
 * Throws BloscError: ReadBuffer (stream truncated inside a token), WriteBuffer (output
 * overrun or a different decoded size), Data (a match distance before the output start).
 */
export function blosclzDecompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  if (sn === 0) {
    if (dn !== 0) failDecodedSize(NAME, 0, dn);
    return;
  }
  let ip = sp;
  const ipEnd = sp + sn;
  let op = dp;
  const opEnd = dp + dn;
  // The first token is always a literal run: bits 5..7 of byte 0 carry the BloscLZ marker.
  let ctrl = src[ip++] & 31;

  for (;;) {
    if (ctrl >= 32) {
      // Match: length code in bits 5..7, high distance bits in 0..4.
      let len = (ctrl >>> 5) - 1;
      const hi = ctrl & 31;
      let code: number;
      if (len === 6) {
        do {
          if (ip + 1 >= ipEnd) failTruncated(ip);
          code = src[ip++];
          len += code;
        } while (code === 255);
        // C would reject this at the output check below; stopping here keeps len small.
        if (len > dn) failOverrun(ip);
      } else if (ip + 1 >= ipEnd) {
        failTruncated(ip);
      }
      code = src[ip++];
      len += 3;
      let dist = (hi << 8) + code + 1;
      if (code === 255 && hi === 31) {
        // Far form: a 16-bit big-endian distance follows, biased by MAX_DISTANCE + 1.
        if (ip + 1 >= ipEnd) failTruncated(ip);
        dist = ((src[ip] << 8) | src[ip + 1]) + MAX_DISTANCE + 1;
        ip += 2;
      }
      if (op + len > opEnd) failOverrun(ip);
      if (op - dist < dp) failDistance(ip);
      // A match ending the stream is checked but not applied (see the module comment).
      if (ip >= ipEnd) break;
      ctrl = src[ip++];

      copyMatch(dst, op, dist, len);
      op += len;
    } else {
      // Literal run of ctrl + 1 bytes (1..32).
      ctrl++;
      if (op + ctrl > opEnd) failOverrun(ip);
      if (ip + ctrl > ipEnd) failTruncated(ip);
      const end = ip + ctrl;
      while (ip < end) dst[op++] = src[ip++];
      if (ip >= ipEnd) break;
      ctrl = src[ip++];
    }
  }
  if (op !== opEnd) failDecodedSize(NAME, op - dp, dn);
}

/**
 * The plain reading of the format, token by token, with byte-by-byte copies. Same contract
 * as {@link blosclzDecompress}; kept as the reference for tests and benchmarks.
 */
export function blosclzDecompressReference(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  if (sn === 0) {
    if (dn !== 0) failDecodedSize(NAME, 0, dn);
    return;
  }
  const ipEnd = sp + sn;
  let ip = sp;
  let op = 0;
  let ctrl = src[ip++] & 31;
  for (;;) {
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > dn) failOverrun(ip);
      if (ip + run > ipEnd) failTruncated(ip);
      for (let i = 0; i < run; i++) dst[dp + op++] = src[ip++];
    } else {
      let len = (ctrl >>> 5) + 2;
      if (ctrl >>> 5 === 7) {
        let code = 255;
        while (code === 255) {
          if (ip + 1 >= ipEnd) failTruncated(ip);
          code = src[ip++];
          len += code;
        }
      } else if (ip + 1 >= ipEnd) {
        failTruncated(ip);
      }
      const lo = src[ip++];
      let dist = ((ctrl & 31) << 8) + lo + 1;
      if (lo === 255 && (ctrl & 31) === 31) {
        if (ip + 1 >= ipEnd) failTruncated(ip);
        dist = src[ip] * 256 + src[ip + 1] + 8192;
        ip += 2;
      }
      if (op + len > dn) failOverrun(ip);
      if (dist > op) failDistance(ip);
      if (ip >= ipEnd) break;
      for (let i = 0; i < len; i++, op++) dst[dp + op] = dst[dp + op - dist];
    }
    if (ip >= ipEnd) break;
    ctrl = src[ip++];
  }
  if (op !== dn) failDecodedSize(NAME, op, dn);
}

let encodeTable: Uint32Array | null = null;

/**
 * BloscLZ (id 0, format 0). Encoding follows `ctx.format`'s C library byte for byte, with
 * c-blosc 1.x's chunk-level split flag from `ctx.splitBlock`. A dictionary, if the chunk
 * has one, is not used by BloscLZ.
 */
export const blosclzCodec: Codec = {
  id: CodecId.BloscLZ,
  format: CodecFormat.BloscLZ,
  name: 'blosclz',
  decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, _ctx: DecodeContext): void {
    // Planes decoded into the shared memory (the chunk decoder's scratch) take the
    // WebAssembly twin; anything it does not take, errors included, runs the loop above.
    checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
    if (blosclzDecompressWasm(src, sp, sn, dst, dp, dn)) return;
    blosclzDecompress(src, sp, sn, dst, dp, dn);
  },
  encode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, clevel: number, ctx: EncodeContext): number {
    if (encodeTable === null) encodeTable = new Uint32Array(BLOSCLZ_HASH_SIZE);
    return blosclzCompress(clevel, src, sp, sn, dst, dp, cap, ctx.format, ctx.splitBlock, encodeTable);
  },
};
