/**
 * copyBytes: the copy the pool uses between private and shared memory gives the bytes a
 * plain copy gives, for every alignment, length and combination of shared and plain sides.
 * Transferable buffers: a new one has room to grow, so a slightly larger piece reuses it.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { acquireStaging, acquireTransferable, copyBytes, dropStaging, releaseStaging, releaseTransferable } from '../../src/pool/memory.js';
import { seededBytes } from '../helpers.js';

function filled(n: number, seed: number, shared: boolean): Uint8Array {
  const a = shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n);
  a.set(seededBytes(n, seed));
  return a;
}

describe('copyBytes', () => {
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
        copyBytes(src, sp, dst, dp, n);
        expect(Buffer.from(dstBase.buffer, dstBase.byteOffset, dstBase.length).equals(Buffer.from(expected))).toBe(true);
      },
    ), { numRuns: 200 });
  });

  it('copies within one shared buffer between disjoint ranges', () => {
    const a = filled(1 << 20, 9, true);
    const expected = Uint8Array.from(a);
    expected.copyWithin(600_003, 5, 5 + 400_000);
    copyBytes(a, 5, a, 600_003, 400_000);
    expect(Buffer.from(a.buffer).equals(Buffer.from(expected))).toBe(true);
  });
});

describe('acquireTransferable', () => {
  it('gives new buffers a quarter more room, which a slightly larger piece then reuses', () => {
    dropStaging();
    const first = acquireTransferable(4 << 20);
    expect(first.byteLength).toBe(5 << 20);
    releaseTransferable(first);
    // The split between threads moved: the same piece is now 20 % larger.
    expect(acquireTransferable(Math.round(4.8 * (1 << 20)))).toBe(first);
    // Small buffers are exact, and a small piece does not take a large idle buffer.
    expect(acquireTransferable(1000).byteLength).toBe(1000);
    releaseTransferable(first);
    expect(acquireTransferable(1 << 20)).not.toBe(first);
    dropStaging();
  });
});

describe('acquireStaging', () => {
  it('reuses a staging buffer between calls, and lets it go once idle for 2 s', () => {
    vi.useFakeTimers();
    try {
      dropStaging();
      const first = acquireStaging(1 << 20);
      releaseStaging(first);
      const again = acquireStaging(1 << 20);
      expect(again.buffer).toBe(first.buffer);
      releaseStaging(again);
      vi.advanceTimersByTime(2500);
      expect(acquireStaging(1 << 20).buffer).not.toBe(first.buffer);
    } finally {
      dropStaging();
      vi.useRealTimers();
    }
  });
});
