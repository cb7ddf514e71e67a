/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/delta.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The DELTA filter (id 3): an XOR delta against the chunk's first block. Port of
 * `delta_encoder` / `delta_decoder` in blosc/delta.c (c-blosc2; c-blosc 1.x has the same
 * code), with the call-site conventions of `pipeline_forward` / `pipeline_backward`.
 *
 * Everything here works on bytes: XOR-ing word i with word j of the same width is the
 * same as XOR-ing their bytes pairwise, so only the word width `w` matters, through the
 * distance `w` between a byte and its predecessor in block 0.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkRanges, checkTypesize, copyBytes, isWordAligned, LITTLE_ENDIAN, wordsOf } from './words.js';

/**
 * The word width DELTA uses for a typesize: 1, 2, 4 and 8 are used as they are, other
 * multiples of 8 use 8, and everything else (3, 5, 6, 7, 12, ...) falls back to 1 byte
 * (the `default:` branches of `delta_encoder`).
 */
export function deltaWordSize(typesize: number): number {
  if (typesize === 1 || typesize === 2 || typesize === 4 || typesize === 8) return typesize;
  return typesize % 8 === 0 ? 8 : 1;
}

function checkReference(ref: Uint8Array, refOffset: number, len: number): void {
  if (!(refOffset >= 0) || (refOffset | 0) !== refOffset || refOffset + len > ref.length) {
    fail(BloscErrorCode.FilterPipeline, `DELTA reference [${refOffset}, ${refOffset + len}) exceeds its buffer of ${ref.length} bytes`);
  }
}

/**
 * DELTA forward on one block, src[sp, sp+n) into dst[dp, dp+n). With w =
 * {@link deltaWordSize}(typesize) and m = floor(n/w) words:
 * - block 0 (`blockOffset === 0`): word 0 is copied, word i becomes word i XOR word i-1
 *   of this filter's input (`ref` is not used);
 * - other blocks: word i becomes word i XOR word i of the chunk's original first block,
 *   `ref[refOffset + ...]`.
 * The trailing `n % w` bytes are copied (C leaves them unwritten).
 */
export function deltaEncode(
  typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number,
  blockOffset: number, ref: Uint8Array, refOffset: number,
): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const w = deltaWordSize(typesize);
  const body = n - (n % w);
  if (blockOffset === 0) {
    copyBytes(src, sp, dst, dp, Math.min(w, body));
    xorWithLag(src, sp, src, sp, dst, dp, w, body);
  } else {
    checkReference(ref, refOffset, body);
    xorBytes(src, sp, ref, refOffset, dst, dp, body);
  }
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/**
 * DELTA backward on one block, the inverse of {@link deltaEncode}:
 * - block 0: a running XOR over already-decoded words (dst word i = src word i XOR dst
 *   word i-1);
 * - other blocks: XOR with the *decoded* first block, `ref[refOffset + ...]`, which the
 *   caller must have finished before decoding any other block.
 */
export function deltaDecode(
  typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number,
  blockOffset: number, ref: Uint8Array, refOffset: number,
): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const w = deltaWordSize(typesize);
  const body = n - (n % w);
  if (blockOffset === 0) {
    copyBytes(src, sp, dst, dp, Math.min(w, body));
    xorWithLag(src, sp, dst, dp, dst, dp, w, body);
  } else {
    checkReference(ref, refOffset, body);
    xorBytes(src, sp, ref, refOffset, dst, dp, body);
  }
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/**
 * out[k] = a[k] ^ lagged[k - w] for w <= k < len (positions relative to each start).
 * Encoding lags the input (`lagged` = src); decoding lags the output (`lagged` = dst,
 * same start), which makes it a running XOR.
 */
function xorWithLag(
  a: Uint8Array, ap: number, lagged: Uint8Array, lp: number, out: Uint8Array, op: number, w: number, len: number,
): void {
  let k = w;
  if (LITTLE_ENDIAN && (w === 4 || w === 8) && len >= 64 && isWordAligned(a, ap) && isWordAligned(lagged, lp) && isWordAligned(out, op)) {
    const av = wordsOf(a);
    const lv = wordsOf(lagged);
    const ov = wordsOf(out);
    const lagWords = w >>> 2;
    const ai = (a.byteOffset + ap) >>> 2;
    const li = ((lagged.byteOffset + lp) >>> 2) - lagWords;
    const oi = (out.byteOffset + op) >>> 2;
    const words = len >>> 2;
    for (let i = lagWords; i < words; i++) {
      ov[oi + i] = av[ai + i] ^ lv[li + i];
    }
    k = words << 2;
  }
  for (; k < len; k++) out[op + k] = a[ap + k] ^ lagged[lp + k - w];
}

/** out[k] = a[k] ^ b[k] for 0 <= k < len. */
function xorBytes(a: Uint8Array, ap: number, b: Uint8Array, bp: number, out: Uint8Array, op: number, len: number): void {
  let k = 0;
  if (LITTLE_ENDIAN && len >= 64 && isWordAligned(a, ap) && isWordAligned(b, bp) && isWordAligned(out, op)) {
    const av = wordsOf(a);
    const bv = wordsOf(b);
    const ov = wordsOf(out);
    const ai = (a.byteOffset + ap) >>> 2;
    const bi = (b.byteOffset + bp) >>> 2;
    const oi = (out.byteOffset + op) >>> 2;
    const words = len >>> 2;
    for (let i = 0; i < words; i++) ov[oi + i] = av[ai + i] ^ bv[bi + i];
    k = words << 2;
  }
  for (; k < len; k++) out[op + k] = a[ap + k] ^ b[bp + k];
}
