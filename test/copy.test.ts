/**
 * copyMemory: the copy between private and shared memory (the pool's staging and placing,
 * the decoder reading a shared chunk) gives the bytes a plain copy gives, for every
 * alignment, length and combination of shared and plain sides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyMemory } from '../src/copy.js';
import { seededBytes } from './helpers.js';

function filled(n: number, seed: number, shared: boolean): Uint8Array {
  const a = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  a.set(seededBytes(n, seed));
  return a;
}

describe('copyMemory', () => {
  it('copies like TypedArray.set whatever the alignment and sharing of either side', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.boolean(),
      fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }),
      fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 700_000 })),
      fc.integer(),
      (srcShared, dstShared, srcView, dstView, sp, dp, n, seed) => {
        const srcBase = filled(srcView + sp + n + 9, seed, srcShared);
        const dstBase = filled(dstView + dp + n + 9, seed + 1, dstShared);
        const src = srcBase.subarray(srcView);
        const dst = dstBase.subarray(dstView);
        const expected = Uint8Array.from(dstBase);
        expected.set(srcBase.subarray(srcView + sp, srcView + sp + n), dstView + dp);
        copyMemory(src, sp, dst, dp, n);
        expect(Buffer.from(dstBase.buffer, dstBase.byteOffset, dstBase.length).equals(Buffer.from(expected))).toBe(true);
      },
    ), { numRuns: 200 });
  });

  it('copies within one shared buffer between disjoint ranges', () => {
    const a = filled(1 << 20, 9, true);
    const expected = Uint8Array.from(a);
    expected.copyWithin(600_003, 5, 5 + 400_000);
    copyMemory(a, 5, a, 600_003, 400_000);
    expect(Buffer.from(a.buffer).equals(Buffer.from(expected))).toBe(true);
  });

  it('refuses a range past either end, shared or not, writing nothing', () => {
    for (const shared of [false, true]) {
      const src = filled(100, 1, shared);
      const dst = filled(100, 2, !shared);
      const before = Uint8Array.from(dst);
      expect(() => copyMemory(src, 90, dst, 3, 11)).toThrow(RangeError);
      expect(() => copyMemory(src, 3, dst, 95, 6)).toThrow(RangeError);
      expect(() => copyMemory(src, -1, dst, 0, 4)).toThrow(RangeError);
      expect(Buffer.from(dst.buffer).equals(Buffer.from(before.buffer))).toBe(true);
    }
  });
});
