/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) plugins/filters/bytedelta/bytedelta.c;
 * license in THIRD_PARTY_NOTICES.md.
 *
 * BYTEDELTA (id 35) and BYTEDELTA_BUGGY (id 34): byte-wise differences within each of the
 * `typesize` byte channels a SHUFFLE leaves behind. Port of plugins/filters/bytedelta/
 * bytedelta.c in c-blosc2 (`bytedelta_forward`, `bytedelta_backward`,
 * `bytedelta_forward_buggy`, `bytedelta_backward_buggy`).
 *
 * A block of `n` bytes is read as `typesize` channels of `L = floor(n/typesize)` bytes;
 * within a channel, forward stores `in[k] - in[k-1]` (mod 256, `in[-1] = 0`) and backward
 * takes the running sum. The trailing `n % typesize` bytes belong to no channel and are
 * copied (as c-blosc2 3.3.2+ does for id 35; C leaves them unwritten for id 34).
 *
 * Id 34 is the original SIMD code: each channel is processed in 16-byte groups and the
 * scalar loop for the last `L % 16` bytes restarts from 0 instead of continuing from the
 * previous byte (`uint8_t _v2 = 0` after the SIMD loop). So when L >= 16, the byte at
 * `16*floor(L/16)` is stored as is. That is what the SSSE3 / ARM64 NEON builds write,
 * and what this module reproduces; a build without SIMD wrote plain id-35 bytes under id
 * 34, and those cannot be told apart from the SIMD ones.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkRanges, copyBytes } from './words.js';

function checkChannels(channels: number): void {
  if (!(channels >= 1) || (channels | 0) !== channels) {
    fail(BloscErrorCode.InvalidParam, `BYTEDELTA needs a positive channel count (typesize), got ${channels}`);
  }
}

/**
 * Where the id-34 encoder restarts the delta inside a channel of `len` bytes: the start
 * of the scalar tail after the 16-byte SIMD groups. Returns `len` when there is no tail
 * (L a multiple of 16), and 0 when there are no SIMD groups (L < 16, a plain delta).
 */
export function buggyRestartIndex(len: number): number {
  return len - (len & 15);
}

/** BYTEDELTA (35) forward: src[sp, sp+n) into dst[dp, dp+n) with `channels` channels. */
export function bytedeltaForward(channels: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkChannels(channels);
  checkRanges(src, sp, dst, dp, n);
  const len = Math.floor(n / channels);
  for (let c = 0, base = 0; c < channels; c++, base += len) {
    deltaRun(src, sp + base, dst, dp + base, len);
  }
  const body = len * channels;
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/** BYTEDELTA (35) backward: the inverse of {@link bytedeltaForward}. */
export function bytedeltaBackward(channels: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkChannels(channels);
  checkRanges(src, sp, dst, dp, n);
  const len = Math.floor(n / channels);
  for (let c = 0, base = 0; c < channels; c++, base += len) {
    prefixSumRun(src, sp + base, dst, dp + base, len);
  }
  const body = len * channels;
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/** BYTEDELTA_BUGGY (34) forward, as the SIMD builds of `bytedelta_forward_buggy` compute it. */
export function bytedeltaBuggyForward(channels: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkChannels(channels);
  checkRanges(src, sp, dst, dp, n);
  const len = Math.floor(n / channels);
  const restart = buggyRestartIndex(len);
  for (let c = 0, base = 0; c < channels; c++, base += len) {
    deltaRun(src, sp + base, dst, dp + base, restart);
    deltaRun(src, sp + base + restart, dst, dp + base + restart, len - restart);
  }
  const body = len * channels;
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/** BYTEDELTA_BUGGY (34) backward, as the SIMD builds of `bytedelta_backward_buggy` compute it. */
export function bytedeltaBuggyBackward(channels: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkChannels(channels);
  checkRanges(src, sp, dst, dp, n);
  const len = Math.floor(n / channels);
  const restart = buggyRestartIndex(len);
  for (let c = 0, base = 0; c < channels; c++, base += len) {
    prefixSumRun(src, sp + base, dst, dp + base, restart);
    prefixSumRun(src, sp + base + restart, dst, dp + base + restart, len - restart);
  }
  const body = len * channels;
  copyBytes(src, sp + body, dst, dp + body, n - body);
}

/** dst[k] = src[k] - src[k-1] (mod 256) over one run, starting from 0. */
function deltaRun(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, len: number): void {
  let prev = 0;
  for (let k = 0; k < len; k++) {
    const v = src[sp + k];
    dst[dp + k] = v - prev;
    prev = v;
  }
}

/** dst[k] = src[k] + dst[k-1] (mod 256) over one run, starting from 0. */
function prefixSumRun(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, len: number): void {
  let acc = 0;
  for (let k = 0; k < len; k++) {
    acc = (acc + src[sp + k]) & 0xff;
    dst[dp + k] = acc;
  }
}
