/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4.c; license in THIRD_PARTY_NOTICES.md.
 *
 * LZ4 block decoder: port of `LZ4_decompress_generic` in lz4 1.10.0 lib/lz4.c, as reached
 * through `LZ4_decompress_safe` and `LZ4_decompress_safe_usingDict` (external dictionary),
 * which is what c-blosc and c-blosc2 call for the lz4 and lz4hc codecs (format code 1).
 *
 * A stream is accepted exactly when C's safe decoder returns `dn` for it, with one
 * deliberate difference: a match offset of 0, which the LZ4 block format forbids and which
 * C turns into unspecified bytes, is rejected here (BloscError Data).
 *
 * The parsing rules that decide acceptance are C's "safe loop" ones:
 * - a sequence whose literals end within 12 bytes of the output end, or within 8 bytes of
 *   the input end, must be the last one and must end exactly at the input end;
 * - a match must end at least 5 bytes before the output end;
 * - except in C's two-stage shortcut (literal length < 15 starting more than 16 bytes before
 *   the input end and at least 32 bytes before the output end, followed by a match of
 *   length < 19 with offset >= 8 inside the output so far), where neither check is made.
 * C's faster loop (used while 64 or more output bytes remain) skips some input-side checks,
 * but on streams that must fill exactly `dn` bytes it accepts the same streams (the last
 * literal run then always holds the final 5+ bytes), so it needs no separate port.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { copyMatch } from './copy.js';
import { checkDecodeRanges, failDecodedSize } from './ranges.js';
import { lz4CompressFast, lz4CompressFastWithDict } from './lz4-compress.js';
import { lz4DecompressWasm } from './lz4-decompress-wasm.js';
import { lz4hcCompress, lz4hcCompressWithDict } from './lz4hc-compress.js';
import type { Codec, DecodeContext, EncodeContext } from './types.js';
import { CodecFormat, CodecId } from './types.js';

const NAME = 'lz4';
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
/** Literal runs at least this long are copied with `set`; shorter ones byte by byte. */
const SET_MIN = 64;

const EMPTY: Uint8Array = new Uint8Array(0);

function failTruncated(codec: string, at: number): never {
  fail(BloscErrorCode.ReadBuffer, `${codec}: stream ends inside a sequence`, { offset: at });
}

function failOffset(codec: string, offset: number, at: number): never {
  fail(
    BloscErrorCode.Data,
    offset === 0 ? `${codec}: match offset 0` : `${codec}: match offset ${offset} reaches before the start of the data`,
    { offset: at },
  );
}

/**
 * Decode the raw LZ4 block src[sp, sp+sn) into exactly dst[dp, dp+dn)
 * (`LZ4_decompress_safe(src, dst, sn, dn) == dn`). Throws BloscError on any other outcome.
 */
export function lz4Decompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  decodeBlock(src, sp, sn, dst, dp, dn, EMPTY, NAME);
}

/**
 * Decode with an external dictionary that logically precedes the output
 * (`LZ4_decompress_safe_usingDict(src, dst, sn, dn, dict, dict.length) == dn`): match
 * offsets may reach back past dst[dp] into the end of `dict`.
 */
export function lz4DecompressUsingDict(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  dn: number,
  dict: Uint8Array,
): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  decodeBlock(src, sp, sn, dst, dp, dn, dict, NAME);
}

function decodeBlock(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  dn: number,
  dict: Uint8Array,
  codec: string,
): void {
  if (dn === 0) {
    // C: an empty output only accepts the one-byte empty block.
    if (sn === 1 && src[sp] === 0) return;
    failDecodedSize(codec, sn === 0 ? 0 : -1, 0);
  }
  if (sn === 0) failTruncated(codec, sp);

  const dictLen = dict.length;
  const iend = sp + sn;
  const oend = dp + dn;
  // Two-stage shortcut bounds (C: shortiend = iend - 14 - 2, shortoend = oend - 14 - 18).
  const shortIend = iend - 16;
  const shortOend = oend - 32;
  let ip = sp;
  let op = dp;
  // Word views for the shortcut's fixed-size copies (C: LZ4_wildCopy8 / memcpy of 16).
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const dv = new DataView(dst.buffer, dst.byteOffset, dst.byteLength);

  for (;;) {
    // Invariant: ip < iend here.
    const token = src[ip++];
    let length = token >>> 4;
    let offset: number;
    let mlen: number;

    if (length !== 15 && ip < shortIend && op <= shortOend) {
      // Shortcut: at most 14 literals, all in bounds; no end-of-block checks. The margins
      // (16 bytes of input, 32 of output) allow copying a fixed 16 bytes as words; bytes
      // written past the literals are overwritten by the match and the sequences after it.
      dv.setInt32(op, sv.getInt32(ip, true), true);
      dv.setInt32(op + 4, sv.getInt32(ip + 4, true), true);
      if (length > 8) {
        dv.setInt32(op + 8, sv.getInt32(ip + 8, true), true);
        dv.setInt32(op + 12, sv.getInt32(ip + 12, true), true);
      }
      ip += length;
      op += length;
      offset = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      mlen = token & 15;
      if (mlen !== 15 && offset >= 8 && offset <= op - dp) {
        // At most 18 bytes from at least 8 back, as C does (8 + 8 + 2 bytes): 8-byte steps
        // read only bytes already final, as a byte-by-byte copy would. The copy may run up
        // to 4 bytes past the match, never past op + 18, which the output margin keeps
        // inside the block (after at most 14 literals op <= oend - 18); those bytes are
        // overwritten by the sequences after it.
        const ref = op - offset;
        dv.setInt32(op, dv.getInt32(ref, true), true);
        dv.setInt32(op + 4, dv.getInt32(ref + 4, true), true);
        if (mlen > 4) {
          dv.setInt32(op + 8, dv.getInt32(ref + 8, true), true);
          dv.setInt32(op + 12, dv.getInt32(ref + 12, true), true);
          if (mlen > 12) {
            dst[op + 16] = dst[ref + 16]!;
            dst[op + 17] = dst[ref + 17]!;
          }
        }
        op += mlen + MIN_MATCH;
        continue;
      }
      // Otherwise continue with the general match path below.
    } else {
      if (length === 15) {
        let s: number;
        do {
          if (ip >= iend - 15) failTruncated(codec, ip);
          s = src[ip++];
          length += s;
        } while (s === 255);
      }
      const cpy = op + length;
      if (cpy > oend - MF_LIMIT || ip + length > iend - (2 + 1 + LAST_LITERALS)) {
        // Must be the last sequence: literals only, consuming the input exactly.
        if (ip + length !== iend) {
          if (ip + length > iend) failTruncated(codec, ip);
          fail(BloscErrorCode.Data, `${codec}: sequence too close to the end of the block`, { offset: ip });
        }
        if (cpy > oend) fail(BloscErrorCode.WriteBuffer, `${codec}: literals run past the end of the output`, { offset: ip });
        copyLiterals(src, ip, dst, op, length);
        op = cpy;
        break;
      }
      copyLiterals(src, ip, dst, op, length);
      ip += length;
      op = cpy;
      offset = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      mlen = token & 15;
    }

    // General match path (C: _copy_match / safe_match_copy).
    if (mlen === 15) {
      let s: number;
      do {
        if (ip >= iend - (LAST_LITERALS - 1)) failTruncated(codec, ip);
        s = src[ip++];
        mlen += s;
      } while (s === 255);
    }
    mlen += MIN_MATCH;
    const produced = op - dp;
    if (offset === 0 || offset > produced + dictLen) failOffset(codec, offset, ip);
    const cpy = op + mlen;
    if (cpy > oend - LAST_LITERALS) {
      fail(BloscErrorCode.Data, `${codec}: match runs into the last ${LAST_LITERALS} bytes of the block`, { offset: ip });
    }
    if (offset > produced) {
      // Starts inside the dictionary, which logically ends where the output starts.
      const back = offset - produced;
      const fromDict = back < mlen ? back : mlen;
      let ref = dictLen - back;
      const dictEnd = ref + fromDict;
      while (ref < dictEnd) dst[op++] = dict[ref++];
      let rest = dp;
      while (op < cpy) dst[op++] = dst[rest++];
      continue;
    }
    copyMatch(dst, op, offset, mlen);
    op = cpy;
  }
  if (op !== oend) failDecodedSize(codec, op - dp, dn);
}

function copyLiterals(src: Uint8Array, ip: number, dst: Uint8Array, op: number, length: number): void {
  if (length < SET_MIN) {
    const end = ip + length;
    while (ip < end) dst[op++] = src[ip++];
  } else {
    dst.set(src.subarray(ip, ip + length), op);
  }
}

/**
 * The plain reading of the block format with byte-by-byte copies and C's acceptance rules
 * spelled out. Same contract as {@link lz4DecompressUsingDict} (pass an empty dictionary
 * for {@link lz4Decompress}); kept as the reference for tests and benchmarks.
 */
export function lz4DecompressReference(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  dn: number,
  dict: Uint8Array = EMPTY,
): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  if (dn === 0) {
    if (sn === 1 && src[sp] === 0) return;
    failDecodedSize(NAME, -1, 0);
  }
  if (sn === 0) failTruncated(NAME, sp);
  const iend = sp + sn;
  let ip = sp;
  let out = 0; // bytes produced so far
  const at = (virtualPos: number): number =>
    virtualPos >= 0 ? dst[dp + virtualPos] : dict[dict.length + virtualPos];
  for (;;) {
    const token = src[ip++];
    const litStart = ip;
    const outStart = out;
    let lit = token >> 4;
    if (lit === 15) {
      for (;;) {
        if (ip >= iend - 15) failTruncated(NAME, ip);
        const s = src[ip++];
        lit += s;
        if (s !== 255) break;
      }
    }
    const shortcut = (token >> 4) !== 15 && litStart < iend - 16 && outStart <= dn - 32;
    if (!shortcut && (out + lit > dn - MF_LIMIT || ip + lit > iend - 8)) {
      if (ip + lit !== iend) {
        if (ip + lit > iend) failTruncated(NAME, ip);
        fail(BloscErrorCode.Data, `${NAME}: sequence too close to the end of the block`);
      }
      if (out + lit > dn) fail(BloscErrorCode.WriteBuffer, `${NAME}: literals run past the end of the output`);
      for (let i = 0; i < lit; i++) dst[dp + out++] = src[ip++];
      break;
    }
    for (let i = 0; i < lit; i++) dst[dp + out++] = src[ip++];
    const offset = src[ip] + src[ip + 1] * 256;
    ip += 2;
    let mlen = token & 15;
    const fastMatch = shortcut && mlen !== 15 && offset >= 8 && offset <= out;
    if (mlen === 15) {
      for (;;) {
        if (ip >= iend - 4) failTruncated(NAME, ip);
        const s = src[ip++];
        mlen += s;
        if (s !== 255) break;
      }
    }
    mlen += 4;
    if (offset === 0 || offset > out + dict.length) failOffset(NAME, offset, ip);
    if (!fastMatch && out + mlen > dn - LAST_LITERALS) {
      fail(BloscErrorCode.Data, `${NAME}: match runs into the last bytes of the block`);
    }
    for (let i = 0; i < mlen; i++, out++) dst[dp + out] = at(out - offset);
  }
  if (out !== dn) failDecodedSize(NAME, out, dn);
}

function lz4Decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, ctx: DecodeContext): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  // Planes decoded into the shared memory (the chunk decoder's scratch) take the
  // WebAssembly twin; anything it does not take, errors included, runs the loop below.
  if (ctx.dict === null && lz4DecompressWasm(src, sp, sn, dst, dp, dn)) return;
  decodeBlock(src, sp, sn, dst, dp, dn, ctx.dict === null ? EMPTY : ctx.dict, NAME);
}

/**
 * LZ4 (id 1, format 1). Encoding is `LZ4_compress_fast` with acceleration 10 - clevel (both
 * c-blosc 1.x and c-blosc2 >= 3.0), or `LZ4_loadDict` + `LZ4_compress_fast_continue` for
 * dictionary chunks; dictionary chunks decode with `LZ4_decompress_safe_usingDict` semantics.
 */
export const lz4Codec: Codec = {
  id: CodecId.LZ4,
  format: CodecFormat.LZ4,
  name: 'lz4',
  decode: lz4Decode,
  encode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, clevel: number, ctx: EncodeContext): number {
    const acceleration = 10 - clevel;
    return ctx.dict === null
      ? lz4CompressFast(src, sp, sn, dst, dp, cap, acceleration)
      : lz4CompressFastWithDict(src, sp, sn, dst, dp, cap, acceleration, ctx.dict);
  },
};

/**
 * LZ4HC (id 2): its streams are plain LZ4 blocks, so it shares LZ4's format code and decoder.
 * Encoding is lz4 1.10.0's `LZ4_compress_HC` at level = clevel (`lz4hc_wrap_compress`).
 */
export const lz4hcCodec: Codec = {
  id: CodecId.LZ4HC,
  format: CodecFormat.LZ4,
  name: 'lz4hc',
  decode: lz4Decode,
  encode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, clevel: number, ctx: EncodeContext): number {
    return ctx.dict === null
      ? lz4hcCompress(src, sp, sn, dst, dp, cap, clevel)
      : lz4hcCompressWithDict(src, sp, sn, dst, dp, cap, clevel, ctx.dict);
  },
};
