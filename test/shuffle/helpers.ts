/** Shared helpers for the filter-kernel tests. */
import fc from 'fast-check';
import { seededBytes } from '../helpers.js';

/**
 * A copy of `data` placed at byte `shift` of a fresh buffer with `pad` bytes of 0xA5 on
 * each side, returned as a view whose byteOffset is `shift` (so word alignment varies).
 */
export function placed(data: Uint8Array, shift: number, pad = 8): Uint8Array {
  const buffer = new ArrayBuffer(shift + data.length + pad);
  new Uint8Array(buffer).fill(0xa5);
  const view = new Uint8Array(buffer, shift, data.length + pad);
  view.set(data);
  return view;
}

/** A destination buffer of n + 2*pad bytes filled with 0x5A, viewed from byteOffset `shift`. */
export function sentinel(n: number, shift: number, pad = 8): Uint8Array {
  const buffer = new ArrayBuffer(shift + n + 2 * pad);
  const view = new Uint8Array(buffer, shift, n + 2 * pad);
  view.fill(0x5a);
  return view;
}

/** Whether every byte of `buf` outside [from, to) still holds `value`. */
export function untouchedOutside(buf: Uint8Array, from: number, to: number, value = 0x5a): boolean {
  for (let i = 0; i < buf.length; i++) {
    if ((i < from || i >= to) && buf[i] !== value) return false;
  }
  // The whole underlying buffer, too: word paths index it directly.
  const whole = new Uint8Array(buf.buffer);
  for (let i = 0; i < buf.byteOffset; i++) if (whole[i] !== 0) return false;
  return true;
}

/** Deterministic pseudo-random bytes. */
export const randomBytes = seededBytes;

/** Arbitrary byte arrays up to `max` bytes, biased toward interesting sizes. */
export function blockBytes(max = 5000): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 64 }),
    fc.uint8Array({ minLength: 0, maxLength: max }),
  );
}

export const FC_RUNS = 150;

/**
 * Assert byte equality quickly (deep equality on large typed arrays is slow). On a
 * mismatch, fails with the first differing index and a few bytes around it.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  let at = -1;
  if (actual.length === expected.length) {
    for (let i = 0; i < actual.length; i++) {
      if (actual[i] !== expected[i]) {
        at = i;
        break;
      }
    }
  } else {
    at = Math.min(actual.length, expected.length);
  }
  if (at >= 0) {
    const from = Math.max(0, at - 4);
    const show = (a: Uint8Array) => Array.from(a.subarray(from, at + 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(
      `${what} differ at ${at} (lengths ${actual.length} / ${expected.length}): got [${show(actual)}], expected [${show(expected)}] from ${from}`,
    );
  }
}
