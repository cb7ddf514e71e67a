/**
 * Shared plumbing for the filter kernels: argument checks, 32-bit word views over the
 * callers' buffers, and a reusable scratch area. Internal to `src/shuffle/`.
 */
import { BloscErrorCode, fail } from '../errors.js';

/**
 * Whether this platform stores integers little-endian. Every Blosc byte layout is defined
 * on little-endian hosts, so the word-at-a-time paths (which read bytes through
 * `Int32Array`) are only taken when this is true; the byte paths are endian-neutral.
 */
export const LITTLE_ENDIAN: boolean = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function isIndex(x: number): boolean {
  return x >= 0 && x <= 0x7fffffff && (x | 0) === x;
}

/**
 * Reject anything that would make a kernel read or write outside `src[sp, sp+n)` and
 * `dst[dp, dp+n)`, or make the two overlap. The word paths index the whole underlying
 * buffer, so a range that spills past a subarray would otherwise touch a neighbour's
 * bytes.
 */
export function checkRanges(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  if (!isIndex(n) || !isIndex(sp) || !isIndex(dp)) {
    fail(BloscErrorCode.InvalidParam, `invalid kernel range: sp=${sp} dp=${dp} n=${n}`);
  }
  if (sp + n > src.length) {
    fail(BloscErrorCode.ReadBuffer, `source range [${sp}, ${sp + n}) exceeds its buffer of ${src.length} bytes`);
  }
  if (dp + n > dst.length) {
    fail(BloscErrorCode.WriteBuffer, `destination range [${dp}, ${dp + n}) exceeds its buffer of ${dst.length} bytes`);
  }
  // No kernel works in place: overlapping ranges would read bytes it has already written.
  if (n > 0 && src.buffer === dst.buffer) {
    const s0 = src.byteOffset + sp;
    const d0 = dst.byteOffset + dp;
    if (s0 < d0 + n && d0 < s0 + n) {
      fail(BloscErrorCode.InvalidParam, 'source and destination ranges overlap');
    }
  }
}

/** Reject a typesize (element size) that is not a positive integer. */
export function checkTypesize(typesize: number): void {
  if (!(typesize >= 1) || typesize > 0x7fffffff || (typesize | 0) !== typesize) {
    fail(BloscErrorCode.InvalidParam, `typesize must be a positive integer, got ${typesize}`);
  }
}

/** Copy src[sp, sp+n) to dst[dp, dp+n); a byte loop for short runs, `set` otherwise. */
export function copyBytes(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[dp + i] = src[sp + i];
  } else {
    dst.set(src.subarray(sp, sp + n), dp);
  }
}

/**
 * One `Int32Array` over each whole ArrayBuffer we have seen, so a kernel call creates no
 * view. A view over a subarray would have an unknown alignment; instead a kernel checks
 * that `byteOffset + position` is a multiple of 4 and indexes this view at
 * `(byteOffset + position) >> 2`.
 */
const wordViews = new WeakMap<ArrayBufferLike, Int32Array>();

/** The whole-buffer word view of `bytes.buffer`. Callers check alignment and ranges first. */
export function wordsOf(bytes: Uint8Array): Int32Array {
  const buffer = bytes.buffer;
  let words = wordViews.get(buffer);
  // Resizable and growable buffers change length; rebuild the view when that happens.
  if (words === undefined || words.length !== buffer.byteLength >>> 2) {
    words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    wordViews.set(buffer, words);
  }
  return words;
}

/** Whether byte `pos` of `bytes` sits at a 4-byte boundary of its buffer. */
export function isWordAligned(bytes: Uint8Array, pos: number): boolean {
  return ((bytes.byteOffset + pos) & 3) === 0;
}

/**
 * A scratch area for two-pass kernels (bitshuffle). Grown on demand and kept, so a block
 * loop allocates only on its first block. Kernels are synchronous, so one area per
 * realm (one per worker) is never used by two calls at once. It starts a fresh
 * ArrayBuffer, so its byte 0 is word-aligned.
 */
let scratchBytes = new Uint8Array(0);

export function scratch(n: number): Uint8Array {
  if (scratchBytes.length < n) {
    scratchBytes = new Uint8Array(Math.max(n + 3, 1024) & ~3);
  }
  return scratchBytes;
}
