/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/trunc-prec.c,
 * plugins/filters/int_trunc/int_trunc.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Lossy precision filters. Both clear the low bits of every element and are not undone on
 * decode (their backward step is a copy):
 * - TRUNC_PREC (id 4), for IEEE floats: port of `truncate_precision` in
 *   blosc/trunc-prec.c;
 * - INT_TRUNC (id 36), for integers: port of `int_trunc_forward` in
 *   plugins/filters/int_trunc/int_trunc.c.
 *
 * The meta byte is a signed precision `p`: `p > 0` keeps p bits (of the mantissa for
 * TRUNC_PREC, of the whole integer for INT_TRUNC), `p < 0` clears |p| bits. The trailing
 * `n % typesize` bytes, which C leaves unwritten, are copied.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkRanges, checkTypesize, copyBytes } from './words.js';

const MANTISSA_BITS_FLOAT = 23;
const MANTISSA_BITS_DOUBLE = 52;

/** The meta byte as C reads it: `(int8_t) meta`. */
export function signedMeta(meta: number): number {
  return (meta << 24) >> 24;
}

/**
 * How many low bits TRUNC_PREC clears for this typesize and meta byte. Throws BloscError
 * FilterPipeline for a typesize other than 4 or 8, and InvalidParam when the precision is
 * out of range: |p| > mantissa bits, or nothing would be kept (so p = 0 is an error).
 */
export function truncPrecZeroedBits(typesize: number, meta: number): number {
  let mantissa: number;
  if (typesize === 4) mantissa = MANTISSA_BITS_FLOAT;
  else if (typesize === 8) mantissa = MANTISSA_BITS_DOUBLE;
  else fail(BloscErrorCode.FilterPipeline, `TRUNC_PREC handles typesize 4 or 8 only, got ${typesize}`);
  const p = signedMeta(meta);
  if (Math.abs(p) > mantissa) {
    fail(BloscErrorCode.InvalidParam, `TRUNC_PREC precision ${p} exceeds the ${mantissa} mantissa bits of typesize ${typesize}`);
  }
  const zeroed = p >= 0 ? mantissa - p : -p;
  if (zeroed >= mantissa) {
    fail(BloscErrorCode.InvalidParam, `TRUNC_PREC precision ${p} would clear the whole ${mantissa}-bit mantissa`);
  }
  return zeroed;
}

/**
 * How many low bits INT_TRUNC clears. Throws BloscError FilterPipeline for a typesize
 * other than 1, 2, 4 or 8, and InvalidParam when `zeroed` would fall outside
 * [0, 8*typesize): p > 8*typesize, p = 0, or p <= -8*typesize.
 */
export function intTruncZeroedBits(typesize: number, meta: number): number {
  if (typesize !== 1 && typesize !== 2 && typesize !== 4 && typesize !== 8) {
    fail(BloscErrorCode.FilterPipeline, `INT_TRUNC handles typesize 1, 2, 4 or 8 only, got ${typesize}`);
  }
  const bits = 8 * typesize;
  const p = signedMeta(meta);
  const zeroed = p >= 0 ? bits - p : -p;
  if (zeroed < 0 || zeroed >= bits) {
    fail(BloscErrorCode.InvalidParam, `INT_TRUNC precision ${p} is out of range for ${bits}-bit integers`);
  }
  return zeroed;
}

/** TRUNC_PREC forward: src[sp, sp+n) into dst[dp, dp+n). */
export function truncPrec(typesize: number, meta: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  const zeroed = truncPrecZeroedBits(typesize, meta);
  checkRanges(src, sp, dst, dp, n);
  clearLowBits(typesize, zeroed, src, sp, dst, dp, n);
}

/** INT_TRUNC forward: src[sp, sp+n) into dst[dp, dp+n). */
export function intTrunc(typesize: number, meta: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  const zeroed = intTruncZeroedBits(typesize, meta);
  checkRanges(src, sp, dst, dp, n);
  clearLowBits(typesize, zeroed, src, sp, dst, dp, n);
}

/** Mask of byte `b` (little-endian) of an integer whose low `zeroed` bits are cleared. */
function maskByte(zeroed: number, b: number): number {
  const low = zeroed - 8 * b;
  if (low <= 0) return 0xff;
  if (low >= 8) return 0;
  return (0xff << low) & 0xff;
}

/**
 * AND every little-endian element with `~((1 << zeroed) - 1)`, a byte at a time so any
 * width up to 64 bits works without BigInt; copy the trailing partial element.
 */
function clearLowBits(typesize: number, zeroed: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkTypesize(typesize);
  const count = Math.floor(n / typesize);
  const body = count * typesize;
  // Bytes below `keepFrom` are all cleared, byte `keepFrom` is masked, the rest are kept.
  const keepFrom = zeroed >>> 3;
  const partial = maskByte(zeroed, keepFrom);
  for (let e = 0; e < body; e += typesize) {
    const ip = sp + e;
    const op = dp + e;
    for (let b = 0; b < keepFrom; b++) dst[op + b] = 0;
    if (keepFrom < typesize) dst[op + keepFrom] = src[ip + keepFrom] & partial;
    for (let b = keepFrom + 1; b < typesize; b++) dst[op + b] = src[ip + b];
  }
  copyBytes(src, sp + body, dst, dp + body, n - body);
}
