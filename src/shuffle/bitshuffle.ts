/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/bitshuffle-generic.c (bitshuffle
 * by Kiyoshi Masui, MIT); license in THIRD_PARTY_NOTICES.md.
 *
 * Fast bit shuffle and unshuffle. Same results as `bitshuffleGeneric` /
 * `bitunshuffleGeneric`, computed the way blosc/bitshuffle-generic.c
 * (`bshuf_trans_bit_elem_scal`) does: a byte transpose into `typesize` rows of `nelems`
 * bytes, then, row by row, an 8×8 bit-matrix transpose of every 8-byte group whose eight
 * result bytes go to the row's eight bit-planes. Unshuffle runs the same steps backwards.
 *
 * The elements are processed in tiles of a few KiB, so the byte-transposed rows live in a
 * small scratch area that stays in L1 between the two steps. The row step handles 32
 * bytes at a time on LE hosts with 4-aligned rows and planes: eight words in, four 8×8
 * bit transposes on 32-bit halves, two 4×4 byte transposes to gather each plane's four
 * bytes into a word, eight words out; leftover 8-byte groups take a byte loop.
 *
 * Where WebAssembly SIMD is available, typesizes 1, 2, 4, 8 and 16 take the kernels of
 * simd.ts for the elements up to the last multiple of 128, and the code here does the rest.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { shuffle, unshuffle } from './shuffle.js';
import { simdBitshuffle, simdBitunshuffle } from './simd.js';
import { checkRanges, checkTypesize, copyBytes, isWordAligned, LITTLE_ENDIAN, scratch, wordsOf } from './words.js';

function checkBitCount(nelems: number): void {
  if (!(nelems >= 0) || (nelems | 0) !== nelems || (nelems & 7) !== 0) {
    fail(BloscErrorCode.InvalidParam, `bitshuffle needs a multiple of 8 elements, got ${nelems}`);
  }
}

/**
 * Bit shuffle of exactly `nelems` elements (a multiple of 8) of `typesize` bytes from
 * src[sp, ...) into dst[dp, ...): `8*typesize` bit-planes of `nelems/8` bytes, plane
 * `8*j + k` byte `q` bit `m` = bit `k` of byte `j` of element `8*q + m`. Port of
 * `bshuf_trans_bit_elem_scal` (blosc/bitshuffle-generic.c).
 */
export function bitshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): void {
  checkTypesize(typesize);
  checkBitCount(nelems);
  const n = nelems * typesize;
  checkRanges(src, sp, dst, dp, n);
  if (n === 0) return;
  const planeStride = nelems >>> 3;
  const simdDone = simdBitshuffle(typesize, src, sp, dst, dp, nelems);
  if (typesize === 1) {
    bitTransposeRow(src, sp + simdDone, dst, dp + (simdDone >>> 3), planeStride, nelems - simdDone);
    return;
  }
  // Tile by elements so the byte-transposed rows stay in a small, cache-resident scratch.
  const tileElems = tileElements(typesize);
  const rows = scratch(Math.min(tileElems, nelems) * typesize);
  for (let e0 = simdDone; e0 < nelems; e0 += tileElems) {
    const te = Math.min(tileElems, nelems - e0);
    shuffle(typesize, src, sp + e0 * typesize, rows, 0, te * typesize);
    const q0 = e0 >>> 3;
    for (let j = 0; j < typesize; j++) {
      bitTransposeRow(rows, j * te, dst, dp + j * nelems + q0, planeStride, te);
    }
  }
}

/** Inverse of {@link bitshuffle}. Port of `bshuf_untrans_bit_elem_scal`. */
export function bitunshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): void {
  checkTypesize(typesize);
  checkBitCount(nelems);
  const n = nelems * typesize;
  checkRanges(src, sp, dst, dp, n);
  if (n === 0) return;
  const planeStride = nelems >>> 3;
  const simdDone = simdBitunshuffle(typesize, src, sp, dst, dp, nelems);
  if (typesize === 1) {
    bitUntransposeRow(src, sp + (simdDone >>> 3), planeStride, dst, dp + simdDone, nelems - simdDone);
    return;
  }
  const tileElems = tileElements(typesize);
  const rows = scratch(Math.min(tileElems, nelems) * typesize);
  for (let e0 = simdDone; e0 < nelems; e0 += tileElems) {
    const te = Math.min(tileElems, nelems - e0);
    const q0 = e0 >>> 3;
    for (let j = 0; j < typesize; j++) {
      bitUntransposeRow(src, sp + j * nelems + q0, planeStride, rows, j * te, te);
    }
    unshuffle(typesize, rows, 0, dst, dp + e0 * typesize, te * typesize);
  }
}

/** Scratch bytes per tile: small enough to stay in a 32 KiB L1 next to the data. */
const TILE_BYTES = 8192;

/** Elements per tile: a multiple of 32, so tiles keep the word paths aligned. */
function tileElements(typesize: number): number {
  return Math.max(32, Math.floor(TILE_BYTES / typesize / 32) * 32);
}

/**
 * Bit shuffle of a whole block of `n` bytes with the element-count rule of the library
 * that wrote (or will read) it:
 * - `blosc1Rule` (c-blosc `blosc_internal_bitshuffle`, and c-blosc2 reading format
 *   version 2): when `floor(n/typesize)` is a multiple of 8, bit-shuffle those elements
 *   and copy the `n % typesize` tail; otherwise copy the whole block unchanged;
 * - otherwise (c-blosc2 `blosc2_bitshuffle`): bit-shuffle the first `count - count % 8`
 *   elements and copy the remaining bytes.
 */
export function bitshuffleBlock(
  typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, blosc1Rule: boolean,
): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const nelems = bitshuffledElements(typesize, n, blosc1Rule);
  const body = nelems * typesize;
  bitshuffle(typesize, src, sp, dst, dp, nelems);
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/**
 * Inverse of {@link bitshuffleBlock}. With `blosc1Rule` this is c-blosc's
 * `blosc_internal_bitunshuffle`; c-blosc2's `bitunshuffle(..., format_version = 2)` uses the
 * same rule but forgets to copy the `n % typesize` tail, which is copied here.
 */
export function bitunshuffleBlock(
  typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, blosc1Rule: boolean,
): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const nelems = bitshuffledElements(typesize, n, blosc1Rule);
  const body = nelems * typesize;
  bitunshuffle(typesize, src, sp, dst, dp, nelems);
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/** How many elements of an `n`-byte block are bit-shuffled under each library's rule. */
export function bitshuffledElements(typesize: number, n: number, blosc1Rule: boolean): number {
  const count = Math.floor(n / typesize);
  const rest = count & 7;
  if (blosc1Rule) return rest === 0 ? count : 0;
  return count - rest;
}

// ---------------------------------------------------------------------------------------
// One row: `len` bytes (a multiple of 8) <-> 8 bit-planes of len/8 bytes.
//
// 8×8 bit transpose of the 64-bit value (lo, hi), byte r = row r, bit c = column c, in the
// three rounds of TRANS_BIT_8X8 (blosc/bitshuffle-generic.h): swap 1×1 blocks across the
// diagonal of each 2×2 (shift 7), 2×2 blocks of each 4×4 (shift 14), then the 4×4 blocks
// (shift 28 across the halves). After it, byte k holds bit k of the eight input bytes.
// Masks are literals on purpose: a module-level `const` is re-read from the module
// context, with a TDZ check, on every loop iteration.
// ---------------------------------------------------------------------------------------

function bitTransposeRow(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, planeStride: number, len: number): void {
  const planeBytes = len >>> 3;
  let q = 0;
  if (LITTLE_ENDIAN && (planeStride & 3) === 0 && isWordAligned(src, sp) && isWordAligned(dst, dp)) {
    const s = wordsOf(src);
    const d = wordsOf(dst);
    const planeWords = len >>> 5;
    const strideWords = planeStride >>> 2;
    let ip = (src.byteOffset + sp) >>> 2;
    const op0 = (dst.byteOffset + dp) >>> 2;
    for (let w = 0; w < planeWords; w++, ip += 8) {
      // Four 8-byte groups: (l0,h0) .. (l3,h3), each bit-transposed in place.
      let l0 = s[ip], h0 = s[ip + 1], l1 = s[ip + 2], h1 = s[ip + 3];
      let l2 = s[ip + 4], h2 = s[ip + 5], l3 = s[ip + 6], h3 = s[ip + 7];
      let t = 0;
      t = (l0 ^ (l0 >>> 7)) & 0x00aa00aa; l0 ^= t ^ (t << 7);
      t = (h0 ^ (h0 >>> 7)) & 0x00aa00aa; h0 ^= t ^ (t << 7);
      t = (l0 ^ (l0 >>> 14)) & 0x0000cccc; l0 ^= t ^ (t << 14);
      t = (h0 ^ (h0 >>> 14)) & 0x0000cccc; h0 ^= t ^ (t << 14);
      t = (l0 ^ (h0 << 4)) & 0xf0f0f0f0; l0 ^= t; h0 ^= t >>> 4;
      t = (l1 ^ (l1 >>> 7)) & 0x00aa00aa; l1 ^= t ^ (t << 7);
      t = (h1 ^ (h1 >>> 7)) & 0x00aa00aa; h1 ^= t ^ (t << 7);
      t = (l1 ^ (l1 >>> 14)) & 0x0000cccc; l1 ^= t ^ (t << 14);
      t = (h1 ^ (h1 >>> 14)) & 0x0000cccc; h1 ^= t ^ (t << 14);
      t = (l1 ^ (h1 << 4)) & 0xf0f0f0f0; l1 ^= t; h1 ^= t >>> 4;
      t = (l2 ^ (l2 >>> 7)) & 0x00aa00aa; l2 ^= t ^ (t << 7);
      t = (h2 ^ (h2 >>> 7)) & 0x00aa00aa; h2 ^= t ^ (t << 7);
      t = (l2 ^ (l2 >>> 14)) & 0x0000cccc; l2 ^= t ^ (t << 14);
      t = (h2 ^ (h2 >>> 14)) & 0x0000cccc; h2 ^= t ^ (t << 14);
      t = (l2 ^ (h2 << 4)) & 0xf0f0f0f0; l2 ^= t; h2 ^= t >>> 4;
      t = (l3 ^ (l3 >>> 7)) & 0x00aa00aa; l3 ^= t ^ (t << 7);
      t = (h3 ^ (h3 >>> 7)) & 0x00aa00aa; h3 ^= t ^ (t << 7);
      t = (l3 ^ (l3 >>> 14)) & 0x0000cccc; l3 ^= t ^ (t << 14);
      t = (h3 ^ (h3 >>> 14)) & 0x0000cccc; h3 ^= t ^ (t << 14);
      t = (l3 ^ (h3 << 4)) & 0xf0f0f0f0; l3 ^= t; h3 ^= t >>> 4;
      // Plane k's word w = byte k of groups 0..3: a 4×4 byte transpose of (l0..l3) for
      // planes 0..3 and of (h0..h3) for planes 4..7.
      let t0 = (l0 & 0x00ff00ff) | ((l1 & 0x00ff00ff) << 8);
      let t1 = ((l0 >>> 8) & 0x00ff00ff) | (l1 & 0xff00ff00);
      let t2 = (l2 & 0x00ff00ff) | ((l3 & 0x00ff00ff) << 8);
      let t3 = ((l2 >>> 8) & 0x00ff00ff) | (l3 & 0xff00ff00);
      let op = op0 + w;
      d[op] = (t0 & 0xffff) | (t2 << 16);
      op += strideWords;
      d[op] = (t1 & 0xffff) | (t3 << 16);
      op += strideWords;
      d[op] = (t0 >>> 16) | (t2 & 0xffff0000);
      op += strideWords;
      d[op] = (t1 >>> 16) | (t3 & 0xffff0000);
      t0 = (h0 & 0x00ff00ff) | ((h1 & 0x00ff00ff) << 8);
      t1 = ((h0 >>> 8) & 0x00ff00ff) | (h1 & 0xff00ff00);
      t2 = (h2 & 0x00ff00ff) | ((h3 & 0x00ff00ff) << 8);
      t3 = ((h2 >>> 8) & 0x00ff00ff) | (h3 & 0xff00ff00);
      op += strideWords;
      d[op] = (t0 & 0xffff) | (t2 << 16);
      op += strideWords;
      d[op] = (t1 & 0xffff) | (t3 << 16);
      op += strideWords;
      d[op] = (t0 >>> 16) | (t2 & 0xffff0000);
      op += strideWords;
      d[op] = (t1 >>> 16) | (t3 & 0xffff0000);
    }
    q = planeWords << 2;
  }
  for (let ip = sp + 8 * q; q < planeBytes; q++, ip += 8) {
    let lo = src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24);
    let hi = src[ip + 4] | (src[ip + 5] << 8) | (src[ip + 6] << 16) | (src[ip + 7] << 24);
    let t = 0;
    t = (lo ^ (lo >>> 7)) & 0x00aa00aa; lo ^= t ^ (t << 7);
    t = (hi ^ (hi >>> 7)) & 0x00aa00aa; hi ^= t ^ (t << 7);
    t = (lo ^ (lo >>> 14)) & 0x0000cccc; lo ^= t ^ (t << 14);
    t = (hi ^ (hi >>> 14)) & 0x0000cccc; hi ^= t ^ (t << 14);
    t = (lo ^ (hi << 4)) & 0xf0f0f0f0; lo ^= t; hi ^= t >>> 4;
    const op = dp + q;
    dst[op] = lo;
    dst[op + planeStride] = lo >>> 8;
    dst[op + 2 * planeStride] = lo >>> 16;
    dst[op + 3 * planeStride] = lo >>> 24;
    dst[op + 4 * planeStride] = hi;
    dst[op + 5 * planeStride] = hi >>> 8;
    dst[op + 6 * planeStride] = hi >>> 16;
    dst[op + 7 * planeStride] = hi >>> 24;
  }
}

function bitUntransposeRow(src: Uint8Array, sp: number, planeStride: number, dst: Uint8Array, dp: number, len: number): void {
  const planeBytes = len >>> 3;
  let q = 0;
  if (LITTLE_ENDIAN && (planeStride & 3) === 0 && isWordAligned(src, sp) && isWordAligned(dst, dp)) {
    const s = wordsOf(src);
    const d = wordsOf(dst);
    const planeWords = len >>> 5;
    const strideWords = planeStride >>> 2;
    const ip0 = (src.byteOffset + sp) >>> 2;
    let op = (dst.byteOffset + dp) >>> 2;
    for (let w = 0; w < planeWords; w++, op += 8) {
      // Word w of planes 0..3 -> the low halves of groups 4w..4w+3.
      let ip = ip0 + w;
      let a = s[ip];
      let b = s[ip + strideWords];
      let c = s[ip + 2 * strideWords];
      let e = s[ip + 3 * strideWords];
      let t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      let t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      let t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      let t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      let l0 = (t0 & 0xffff) | (t2 << 16);
      let l1 = (t1 & 0xffff) | (t3 << 16);
      let l2 = (t0 >>> 16) | (t2 & 0xffff0000);
      let l3 = (t1 >>> 16) | (t3 & 0xffff0000);
      // Planes 4..7 -> the high halves.
      ip += 4 * strideWords;
      a = s[ip];
      b = s[ip + strideWords];
      c = s[ip + 2 * strideWords];
      e = s[ip + 3 * strideWords];
      t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      let h0 = (t0 & 0xffff) | (t2 << 16);
      let h1 = (t1 & 0xffff) | (t3 << 16);
      let h2 = (t0 >>> 16) | (t2 & 0xffff0000);
      let h3 = (t1 >>> 16) | (t3 & 0xffff0000);
      let t = 0;
      t = (l0 ^ (l0 >>> 7)) & 0x00aa00aa; l0 ^= t ^ (t << 7);
      t = (h0 ^ (h0 >>> 7)) & 0x00aa00aa; h0 ^= t ^ (t << 7);
      t = (l0 ^ (l0 >>> 14)) & 0x0000cccc; l0 ^= t ^ (t << 14);
      t = (h0 ^ (h0 >>> 14)) & 0x0000cccc; h0 ^= t ^ (t << 14);
      t = (l0 ^ (h0 << 4)) & 0xf0f0f0f0; l0 ^= t; h0 ^= t >>> 4;
      d[op] = l0;
      d[op + 1] = h0;
      t = (l1 ^ (l1 >>> 7)) & 0x00aa00aa; l1 ^= t ^ (t << 7);
      t = (h1 ^ (h1 >>> 7)) & 0x00aa00aa; h1 ^= t ^ (t << 7);
      t = (l1 ^ (l1 >>> 14)) & 0x0000cccc; l1 ^= t ^ (t << 14);
      t = (h1 ^ (h1 >>> 14)) & 0x0000cccc; h1 ^= t ^ (t << 14);
      t = (l1 ^ (h1 << 4)) & 0xf0f0f0f0; l1 ^= t; h1 ^= t >>> 4;
      d[op + 2] = l1;
      d[op + 3] = h1;
      t = (l2 ^ (l2 >>> 7)) & 0x00aa00aa; l2 ^= t ^ (t << 7);
      t = (h2 ^ (h2 >>> 7)) & 0x00aa00aa; h2 ^= t ^ (t << 7);
      t = (l2 ^ (l2 >>> 14)) & 0x0000cccc; l2 ^= t ^ (t << 14);
      t = (h2 ^ (h2 >>> 14)) & 0x0000cccc; h2 ^= t ^ (t << 14);
      t = (l2 ^ (h2 << 4)) & 0xf0f0f0f0; l2 ^= t; h2 ^= t >>> 4;
      d[op + 4] = l2;
      d[op + 5] = h2;
      t = (l3 ^ (l3 >>> 7)) & 0x00aa00aa; l3 ^= t ^ (t << 7);
      t = (h3 ^ (h3 >>> 7)) & 0x00aa00aa; h3 ^= t ^ (t << 7);
      t = (l3 ^ (l3 >>> 14)) & 0x0000cccc; l3 ^= t ^ (t << 14);
      t = (h3 ^ (h3 >>> 14)) & 0x0000cccc; h3 ^= t ^ (t << 14);
      t = (l3 ^ (h3 << 4)) & 0xf0f0f0f0; l3 ^= t; h3 ^= t >>> 4;
      d[op + 6] = l3;
      d[op + 7] = h3;
    }
    q = planeWords << 2;
  }
  for (let op = dp + 8 * q; q < planeBytes; q++, op += 8) {
    const ip = sp + q;
    let lo = src[ip] | (src[ip + planeStride] << 8) | (src[ip + 2 * planeStride] << 16) | (src[ip + 3 * planeStride] << 24);
    let hi = src[ip + 4 * planeStride] | (src[ip + 5 * planeStride] << 8) | (src[ip + 6 * planeStride] << 16) | (src[ip + 7 * planeStride] << 24);
    let t = 0;
    t = (lo ^ (lo >>> 7)) & 0x00aa00aa; lo ^= t ^ (t << 7);
    t = (hi ^ (hi >>> 7)) & 0x00aa00aa; hi ^= t ^ (t << 7);
    t = (lo ^ (lo >>> 14)) & 0x0000cccc; lo ^= t ^ (t << 14);
    t = (hi ^ (hi >>> 14)) & 0x0000cccc; hi ^= t ^ (t << 14);
    t = (lo ^ (hi << 4)) & 0xf0f0f0f0; lo ^= t; hi ^= t >>> 4;
    dst[op] = lo;
    dst[op + 1] = lo >>> 8;
    dst[op + 2] = lo >>> 16;
    dst[op + 3] = lo >>> 24;
    dst[op + 4] = hi;
    dst[op + 5] = hi >>> 8;
    dst[op + 6] = hi >>> 16;
    dst[op + 7] = hi >>> 24;
  }
}
