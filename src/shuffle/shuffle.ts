/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/shuffle-generic.h; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Fast byte shuffle and unshuffle. Same results as `shuffleGeneric` / `unshuffleGeneric`
 * (blosc/shuffle-generic.h), produced a 32-bit word at a time where the layout allows.
 *
 * The word paths treat 4 consecutive elements as a 4×4 (or 4×W for wider elements) byte
 * matrix: four words in, one byte transpose in registers, four words out. They need
 * little-endian hosts, 4-aligned source and destination, and an element count that is a
 * multiple of 4 (so that every byte-plane starts on a word boundary). Anything else takes
 * a byte loop, which gives the same bytes. Where WebAssembly SIMD is available, typesizes
 * 2, 4, 8 and 16 go to the kernels of simd.ts first (several times faster).
 */
import { BloscErrorCode, fail } from '../errors.js';
import { simdShuffle, simdUnshuffle } from './simd.js';
import { checkRanges, checkTypesize, copyBytes, isWordAligned, LITTLE_ENDIAN, wordsOf } from './words.js';

/** Below this many elements the word paths are not worth their setup. */
const MIN_WORD_ELEMENTS = 16;

function wordPathOk(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): boolean {
  return LITTLE_ENDIAN && count >= MIN_WORD_ELEMENTS && (count & 3) === 0 && isWordAligned(src, sp) && isWordAligned(dst, dp);
}

/**
 * Byte shuffle of src[sp, sp+n) into dst[dp, dp+n) with element size `typesize`: output
 * byte `j*count + i` = input byte `i*typesize + j` (count = floor(n/typesize)); the
 * trailing `n % typesize` bytes are copied to the same positions. Port of
 * `blosc2_shuffle` / `shuffle_generic` (blosc/shuffle.c, blosc/shuffle-generic.h).
 * With `planeStride` (and n a multiple of typesize) plane j starts at dst[dp + j*planeStride]
 * instead (the bytes between planes are not written).
 * Throws BloscError (InvalidParam, ReadBuffer, WriteBuffer) on bad arguments.
 */
export function shuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, planeStride = 0): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const count = Math.floor(n / typesize);
  const body = count * typesize;
  if (typesize === 1 || count === 0) {
    copyBytes(src, sp, dst, dp, n);
    return;
  }
  if (planeStride !== 0 && planeStride !== count && body === n) {
    shuffleApart(typesize, src, sp, dst, dp, count, planeStride);
    return;
  }
  const simdDone = simdShuffle(typesize, src, sp, dst, dp, count);
  if (simdDone > 0) {
    for (let i = simdDone, ip = sp + simdDone * typesize; i < count; i++) {
      for (let j = 0; j < typesize; j++, ip++) dst[dp + j * count + i] = src[ip];
    }
  } else if (wordPathOk(src, sp, dst, dp, count)) {
    if (typesize === 2) shuffleWords2(src, sp, dst, dp, count);
    else if (typesize === 4) shuffleWords4(src, sp, dst, dp, count);
    else if (typesize === 8) shuffleWords8(src, sp, dst, dp, count);
    else if ((typesize & 3) === 0) shuffleWordsN(typesize, src, sp, dst, dp, count);
    else shuffleBytes(typesize, src, sp, dst, dp, count);
  } else if (typesize === 2) {
    shuffleBytes2(src, sp, dst, dp, count);
  } else if (typesize === 4) {
    shuffleBytes4(src, sp, dst, dp, count);
  } else if (typesize === 8) {
    shuffleBytes8(src, sp, dst, dp, count);
  } else {
    shuffleBytes(typesize, src, sp, dst, dp, count);
  }
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/**
 * {@link shuffle} of whole elements with plane j at dst[dp + j*stride] (stride > count).
 * The SIMD kernels take the stride as it is; elsewhere a byte loop does (the chunk encoder
 * asks for a stride only where it expects the kernels).
 */
function shuffleApart(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number, stride: number): void {
  if (!Number.isSafeInteger(stride) || stride < count) fail(BloscErrorCode.InvalidParam, `plane stride ${stride} is below the plane length ${count}`);
  if (dp + (typesize - 1) * stride + count > dst.length) {
    fail(BloscErrorCode.WriteBuffer, `planes ${stride} bytes apart from ${dp} exceed the destination's ${dst.length} bytes`);
  }
  const done = simdShuffle(typesize, src, sp, dst, dp, count, stride);
  for (let i = done, ip = sp + done * typesize; i < count; i++) {
    for (let j = 0; j < typesize; j++, ip++) dst[dp + j * stride + i] = src[ip];
  }
}

/** Inverse of {@link shuffle}. Port of `blosc2_unshuffle` / `unshuffle_generic`. */
export function unshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const count = Math.floor(n / typesize);
  const body = count * typesize;
  if (typesize === 1 || count === 0) {
    copyBytes(src, sp, dst, dp, n);
    return;
  }
  const simdDone = simdUnshuffle(typesize, src, sp, dst, dp, count);
  if (simdDone > 0) {
    for (let i = simdDone, op = dp + simdDone * typesize; i < count; i++) {
      for (let j = 0; j < typesize; j++, op++) dst[op] = src[sp + j * count + i];
    }
  } else if (wordPathOk(src, sp, dst, dp, count)) {
    if (typesize === 2) unshuffleWords2(src, sp, dst, dp, count);
    else if (typesize === 4) unshuffleWords4(src, sp, dst, dp, count);
    else if (typesize === 8) unshuffleWords8(src, sp, dst, dp, count);
    else if ((typesize & 3) === 0) unshuffleWordsN(typesize, src, sp, dst, dp, count);
    else unshuffleBytes(typesize, src, sp, dst, dp, count);
  } else if (typesize === 2) {
    unshuffleBytes2(src, sp, dst, dp, count);
  } else if (typesize === 4) {
    unshuffleBytes4(src, sp, dst, dp, count);
  } else if (typesize === 8) {
    unshuffleBytes8(src, sp, dst, dp, count);
  } else {
    unshuffleBytes(typesize, src, sp, dst, dp, count);
  }
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

// ---------------------------------------------------------------------------------------
// Word paths. `count` is a multiple of 4, both sides are 4-aligned, the host is LE.
//
// The 4×4 byte transpose used throughout: rows a, b, c, e (words, byte 0 first) become
// columns r0..r3 with r_j = [a_j, b_j, c_j, e_j]. Two mask-and-shift rounds:
//   t0 = [a0 b0 a2 b2]  t1 = [a1 b1 a3 b3]  t2 = [c0 e0 c2 e2]  t3 = [c1 e1 c3 e3]
//   r0 = [a0 b0 c0 e0]  r1 = [a1 b1 c1 e1]  r2 = [a2 b2 c2 e2]  r3 = [a3 b3 c3 e3]
// A transpose is its own inverse, so shuffle and unshuffle share it. It is written out
// inline in each loop: V8 inlines small functions too, but a call returning four values
// would need an object per call. The masks are literals on purpose: a module-level
// `const` is re-read from the module context, with a TDZ check, on every iteration.
// ---------------------------------------------------------------------------------------


function shuffleWords4(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  let ip = (src.byteOffset + sp) >>> 2;
  const op0 = (dst.byteOffset + dp) >>> 2;
  const op1 = op0 + quads;
  const op2 = op1 + quads;
  const op3 = op2 + quads;
  for (let q = 0; q < quads; q++, ip += 4) {
    const a = s[ip];
    const b = s[ip + 1];
    const c = s[ip + 2];
    const e = s[ip + 3];
    const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    d[op0 + q] = (t0 & 0xffff) | (t2 << 16);
    d[op1 + q] = (t1 & 0xffff) | (t3 << 16);
    d[op2 + q] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op3 + q] = (t1 >>> 16) | (t3 & 0xffff0000);
  }
}

function unshuffleWords4(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  const ip0 = (src.byteOffset + sp) >>> 2;
  const ip1 = ip0 + quads;
  const ip2 = ip1 + quads;
  const ip3 = ip2 + quads;
  let op = (dst.byteOffset + dp) >>> 2;
  for (let q = 0; q < quads; q++, op += 4) {
    const a = s[ip0 + q];
    const b = s[ip1 + q];
    const c = s[ip2 + q];
    const e = s[ip3 + q];
    const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    d[op] = (t0 & 0xffff) | (t2 << 16);
    d[op + 1] = (t1 & 0xffff) | (t3 << 16);
    d[op + 2] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op + 3] = (t1 >>> 16) | (t3 & 0xffff0000);
  }
}

/** typesize 8: element k is words (lo_k, hi_k); planes 0..3 come from the lo words, 4..7 from the hi words. */
function shuffleWords8(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  let ip = (src.byteOffset + sp) >>> 2;
  const op0 = (dst.byteOffset + dp) >>> 2;
  for (let q = 0; q < quads; q++, ip += 8) {
    let a = s[ip];
    let b = s[ip + 2];
    let c = s[ip + 4];
    let e = s[ip + 6];
    let t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    let t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    let t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    let t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    let op = op0 + q;
    d[op] = (t0 & 0xffff) | (t2 << 16);
    d[op + quads] = (t1 & 0xffff) | (t3 << 16);
    d[op + 2 * quads] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op + 3 * quads] = (t1 >>> 16) | (t3 & 0xffff0000);
    a = s[ip + 1];
    b = s[ip + 3];
    c = s[ip + 5];
    e = s[ip + 7];
    t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    op += 4 * quads;
    d[op] = (t0 & 0xffff) | (t2 << 16);
    d[op + quads] = (t1 & 0xffff) | (t3 << 16);
    d[op + 2 * quads] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op + 3 * quads] = (t1 >>> 16) | (t3 & 0xffff0000);
  }
}

function unshuffleWords8(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  const ip0 = (src.byteOffset + sp) >>> 2;
  let op = (dst.byteOffset + dp) >>> 2;
  for (let q = 0; q < quads; q++, op += 8) {
    let ip = ip0 + q;
    let a = s[ip];
    let b = s[ip + quads];
    let c = s[ip + 2 * quads];
    let e = s[ip + 3 * quads];
    let t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    let t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    let t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    let t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    d[op] = (t0 & 0xffff) | (t2 << 16);
    d[op + 2] = (t1 & 0xffff) | (t3 << 16);
    d[op + 4] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op + 6] = (t1 >>> 16) | (t3 & 0xffff0000);
    ip += 4 * quads;
    a = s[ip];
    b = s[ip + quads];
    c = s[ip + 2 * quads];
    e = s[ip + 3 * quads];
    t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
    t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
    t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
    t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
    d[op + 1] = (t0 & 0xffff) | (t2 << 16);
    d[op + 3] = (t1 & 0xffff) | (t3 << 16);
    d[op + 5] = (t0 >>> 16) | (t2 & 0xffff0000);
    d[op + 7] = (t1 >>> 16) | (t3 & 0xffff0000);
  }
}

/**
 * Any typesize that is a multiple of 4 (12, 16, 20, 24, 32, ...): element words m of four
 * consecutive elements transpose into planes 4m..4m+3.
 */
function shuffleWordsN(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  const wordsPerElem = typesize >>> 2;
  const ip0 = (src.byteOffset + sp) >>> 2;
  const op0 = (dst.byteOffset + dp) >>> 2;
  for (let m = 0; m < wordsPerElem; m++) {
    let ip = ip0 + m;
    const opm = op0 + 4 * m * quads;
    for (let q = 0; q < quads; q++, ip += typesize) {
      const a = s[ip];
      const b = s[ip + wordsPerElem];
      const c = s[ip + 2 * wordsPerElem];
      const e = s[ip + 3 * wordsPerElem];
      const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      const op = opm + q;
      d[op] = (t0 & 0xffff) | (t2 << 16);
      d[op + quads] = (t1 & 0xffff) | (t3 << 16);
      d[op + 2 * quads] = (t0 >>> 16) | (t2 & 0xffff0000);
      d[op + 3 * quads] = (t1 >>> 16) | (t3 & 0xffff0000);
    }
  }
}

function unshuffleWordsN(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  const wordsPerElem = typesize >>> 2;
  const ip0 = (src.byteOffset + sp) >>> 2;
  const op0 = (dst.byteOffset + dp) >>> 2;
  for (let m = 0; m < wordsPerElem; m++) {
    const ipm = ip0 + 4 * m * quads;
    let op = op0 + m;
    for (let q = 0; q < quads; q++, op += typesize) {
      const ip = ipm + q;
      const a = s[ip];
      const b = s[ip + quads];
      const c = s[ip + 2 * quads];
      const e = s[ip + 3 * quads];
      const t0 = (a & 0x00ff00ff) | ((b & 0x00ff00ff) << 8);
      const t1 = ((a >>> 8) & 0x00ff00ff) | (b & 0xff00ff00);
      const t2 = (c & 0x00ff00ff) | ((e & 0x00ff00ff) << 8);
      const t3 = ((c >>> 8) & 0x00ff00ff) | (e & 0xff00ff00);
      d[op] = (t0 & 0xffff) | (t2 << 16);
      d[op + wordsPerElem] = (t1 & 0xffff) | (t3 << 16);
      d[op + 2 * wordsPerElem] = (t0 >>> 16) | (t2 & 0xffff0000);
      d[op + 3 * wordsPerElem] = (t1 >>> 16) | (t3 & 0xffff0000);
    }
  }
}

/**
 * typesize 2: four elements are two words [a0 b0 a1 b1] [a2 b2 a3 b3]; plane 0 gets
 * [a0 a1 a2 a3] and plane 1 gets [b0 b1 b2 b3].
 */
function shuffleWords2(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  let ip = (src.byteOffset + sp) >>> 2;
  const op0 = (dst.byteOffset + dp) >>> 2;
  const op1 = op0 + quads;
  for (let q = 0; q < quads; q++, ip += 2) {
    const w0 = s[ip];
    const w1 = s[ip + 1];
    // Keep the even (or odd) bytes, then close the gaps: [x0 _ x1 _] -> [x0 x1].
    let x = w0 & 0x00ff00ff;
    let y = w1 & 0x00ff00ff;
    x = (x | (x >>> 8)) & 0xffff;
    y = (y | (y >>> 8)) & 0xffff;
    d[op0 + q] = x | (y << 16);
    x = (w0 >>> 8) & 0x00ff00ff;
    y = (w1 >>> 8) & 0x00ff00ff;
    x = (x | (x >>> 8)) & 0xffff;
    y = (y | (y >>> 8)) & 0xffff;
    d[op1 + q] = x | (y << 16);
  }
}

function unshuffleWords2(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const s = wordsOf(src);
  const d = wordsOf(dst);
  const quads = count >>> 2;
  const ip0 = (src.byteOffset + sp) >>> 2;
  const ip1 = ip0 + quads;
  let op = (dst.byteOffset + dp) >>> 2;
  for (let q = 0; q < quads; q++, op += 2) {
    const a = s[ip0 + q];
    const b = s[ip1 + q];
    // Spread [x0 x1] to [x0 _ x1 _] for both halves, then interleave a and b.
    let alo = a & 0xffff;
    let blo = b & 0xffff;
    alo = (alo | (alo << 8)) & 0x00ff00ff;
    blo = (blo | (blo << 8)) & 0x00ff00ff;
    d[op] = alo | (blo << 8);
    let ahi = a >>> 16;
    let bhi = b >>> 16;
    ahi = (ahi | (ahi << 8)) & 0x00ff00ff;
    bhi = (bhi | (bhi << 8)) & 0x00ff00ff;
    d[op + 1] = ahi | (bhi << 8);
  }
}

// ---------------------------------------------------------------------------------------
// Byte paths: unaligned buffers, element counts that are not a multiple of 4, other
// typesizes. Reads are sequential; each element's bytes go to `typesize` plane cursors.
// ---------------------------------------------------------------------------------------

function shuffleBytes2(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const op1 = dp + count;
  for (let i = 0, ip = sp; i < count; i++, ip += 2) {
    dst[dp + i] = src[ip];
    dst[op1 + i] = src[ip + 1];
  }
}

function unshuffleBytes2(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const ip1 = sp + count;
  for (let i = 0, op = dp; i < count; i++, op += 2) {
    dst[op] = src[sp + i];
    dst[op + 1] = src[ip1 + i];
  }
}

function shuffleBytes4(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const op1 = dp + count;
  const op2 = op1 + count;
  const op3 = op2 + count;
  for (let i = 0, ip = sp; i < count; i++, ip += 4) {
    dst[dp + i] = src[ip];
    dst[op1 + i] = src[ip + 1];
    dst[op2 + i] = src[ip + 2];
    dst[op3 + i] = src[ip + 3];
  }
}

function unshuffleBytes4(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  const ip1 = sp + count;
  const ip2 = ip1 + count;
  const ip3 = ip2 + count;
  for (let i = 0, op = dp; i < count; i++, op += 4) {
    dst[op] = src[sp + i];
    dst[op + 1] = src[ip1 + i];
    dst[op + 2] = src[ip2 + i];
    dst[op + 3] = src[ip3 + i];
  }
}

function shuffleBytes8(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  for (let i = 0, ip = sp; i < count; i++, ip += 8) {
    const op = dp + i;
    dst[op] = src[ip];
    dst[op + count] = src[ip + 1];
    dst[op + 2 * count] = src[ip + 2];
    dst[op + 3 * count] = src[ip + 3];
    dst[op + 4 * count] = src[ip + 4];
    dst[op + 5 * count] = src[ip + 5];
    dst[op + 6 * count] = src[ip + 6];
    dst[op + 7 * count] = src[ip + 7];
  }
}

function unshuffleBytes8(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  for (let i = 0, op = dp; i < count; i++, op += 8) {
    const ip = sp + i;
    dst[op] = src[ip];
    dst[op + 1] = src[ip + count];
    dst[op + 2] = src[ip + 2 * count];
    dst[op + 3] = src[ip + 3 * count];
    dst[op + 4] = src[ip + 4 * count];
    dst[op + 5] = src[ip + 5 * count];
    dst[op + 6] = src[ip + 6 * count];
    dst[op + 7] = src[ip + 7 * count];
  }
}

function shuffleBytes(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  for (let i = 0, ip = sp; i < count; i++, ip += typesize) {
    for (let j = 0, op = dp + i; j < typesize; j++, op += count) {
      dst[op] = src[ip + j];
    }
  }
}

function unshuffleBytes(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): void {
  for (let i = 0, op = dp; i < count; i++, op += typesize) {
    for (let j = 0, ip = sp + i; j < typesize; j++, ip += count) {
      dst[op + j] = src[ip];
    }
  }
}
