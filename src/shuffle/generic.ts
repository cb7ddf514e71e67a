/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/shuffle-generic.h,
 * blosc/bitshuffle-generic.c (bitshuffle by Kiyoshi Masui, MIT); license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Reference kernels: plain byte loops that follow the definitions in the format spec
 * (§5.1, §5.2) as literally as possible. They are the oracle for the fast kernels in
 * `shuffle.ts` and `bitshuffle.ts` and the baseline in `bench/shuffle.mjs`.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkRanges, checkTypesize } from './words.js';

/**
 * Byte shuffle of the block src[sp, sp+n) into dst[dp, dp+n): with `count = floor(n /
 * typesize)`, output byte `j*count + i` is input byte `i*typesize + j`; the trailing
 * `n % typesize` bytes are copied to the same positions. Mirrors `shuffle_generic_inline`
 * in blosc/shuffle-generic.h (c-blosc and c-blosc2).
 */
export function shuffleGeneric(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const count = Math.floor(n / typesize);
  for (let j = 0; j < typesize; j++) {
    for (let i = 0; i < count; i++) {
      dst[dp + j * count + i] = src[sp + i * typesize + j];
    }
  }
  for (let k = count * typesize; k < n; k++) dst[dp + k] = src[sp + k];
}

/** Inverse of {@link shuffleGeneric}. Mirrors `unshuffle_generic_inline`. */
export function unshuffleGeneric(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkTypesize(typesize);
  checkRanges(src, sp, dst, dp, n);
  const count = Math.floor(n / typesize);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < typesize; j++) {
      dst[dp + i * typesize + j] = src[sp + j * count + i];
    }
  }
  for (let k = count * typesize; k < n; k++) dst[dp + k] = src[sp + k];
}

function checkBitCount(nelems: number): void {
  if (!(nelems >= 0) || (nelems | 0) !== nelems || nelems % 8 !== 0) {
    fail(BloscErrorCode.InvalidParam, `bitshuffle needs a multiple of 8 elements, got ${nelems}`);
  }
}

/**
 * Bit shuffle of exactly `nelems` elements (a multiple of 8) of `typesize` bytes. The
 * output is `8*typesize` bit-planes of `nelems/8` bytes: plane `8*j + k`, byte `q`, bit
 * `m` is bit `k` of byte `j` of element `8*q + m`. Same result as
 * `bshuf_trans_bit_elem_scal` in blosc/bitshuffle-generic.c.
 */
export function bitshuffleGeneric(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): void {
  checkTypesize(typesize);
  checkBitCount(nelems);
  const n = nelems * typesize;
  checkRanges(src, sp, dst, dp, n);
  const planeBytes = nelems / 8;
  for (let j = 0; j < typesize; j++) {
    for (let k = 0; k < 8; k++) {
      const plane = dp + (8 * j + k) * planeBytes;
      for (let q = 0; q < planeBytes; q++) {
        let out = 0;
        for (let m = 0; m < 8; m++) {
          const bit = (src[sp + (8 * q + m) * typesize + j] >> k) & 1;
          out |= bit << m;
        }
        dst[plane + q] = out;
      }
    }
  }
}

/** Inverse of {@link bitshuffleGeneric}. Same result as `bshuf_untrans_bit_elem_scal`. */
export function bitunshuffleGeneric(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): void {
  checkTypesize(typesize);
  checkBitCount(nelems);
  const n = nelems * typesize;
  checkRanges(src, sp, dst, dp, n);
  const planeBytes = nelems / 8;
  for (let e = 0; e < nelems; e++) {
    const q = e >> 3;
    const m = e & 7;
    for (let j = 0; j < typesize; j++) {
      let out = 0;
      for (let k = 0; k < 8; k++) {
        const bit = (src[sp + (8 * j + k) * planeBytes + q] >> m) & 1;
        out |= bit << k;
      }
      dst[dp + e * typesize + j] = out;
    }
  }
}
