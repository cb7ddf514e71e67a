import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { leftoverFor, memcpyFromStartBlosc1, memcpyFromStartBlosc2, nblocksFor } from '../../src/blocking/index.js';

function thrownCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return isBloscError(e) ? e.code : undefined;
  }
  return undefined;
}

describe('nblocksFor / leftoverFor', () => {
  it('cut the spec §4.5 examples', () => {
    expect(nblocksFor(30, 24)).toBe(2); // c-blosc2, 30 B typesize 8
    expect(leftoverFor(30, 24)).toBe(6);
    expect(nblocksFor(4_000_000, 262_144)).toBe(16);
    expect(leftoverFor(4_000_000, 262_144)).toBe(4_000_000 - 15 * 262_144);
    expect(nblocksFor(0, 1)).toBe(0);
    expect(leftoverFor(0, 1)).toBe(0);
    expect(nblocksFor(1 << 20, 1 << 20)).toBe(1);
    expect(leftoverFor(1 << 20, 1 << 20)).toBe(0);
  });

  it('cover nbytes exactly: full blocks plus the leftover', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 33 }), fc.integer({ min: 1, max: 2 ** 30 }), (nbytes, blocksize) => {
        const nblocks = nblocksFor(nbytes, blocksize);
        const leftover = leftoverFor(nbytes, blocksize);
        expect(leftover).toBeGreaterThanOrEqual(0);
        expect(leftover).toBeLessThan(blocksize);
        const full = leftover > 0 ? nblocks - 1 : nblocks;
        expect(full * blocksize + leftover).toBe(nbytes);
      }),
    );
  });

  it('reject a zero blocksize and negative sizes', () => {
    expect(thrownCode(() => nblocksFor(10, 0))).toBe(BloscErrorCode.InvalidParam);
    expect(thrownCode(() => leftoverFor(10, -3))).toBe(BloscErrorCode.InvalidParam);
    expect(thrownCode(() => nblocksFor(-1, 4))).toBe(BloscErrorCode.MaxBufsizeExceeded);
  });
});

describe('memcpyFromStartBlosc1 (c-blosc write_compression_header)', () => {
  it.each<[number, number, boolean]>([
    [0, 1_000_000, true],
    [1, 127, true],
    [1, 128, false],
    [9, 0, true],
    [5, 4_000_000, false],
  ])('clevel %i, nbytes %i → %s', (clevel, nbytes, expected) => {
    expect(memcpyFromStartBlosc1(clevel, nbytes)).toBe(expected);
  });

  it('rejects clevel 10', () => {
    expect(thrownCode(() => memcpyFromStartBlosc1(10, 1000))).toBe(BloscErrorCode.CodecParam);
  });
});

describe('memcpyFromStartBlosc2 (c-blosc2 3.x write_compression_header)', () => {
  it.each<[string, number, number, number, number, boolean]>([
    // label, clevel, nbytes, nblocks, destsize, memcpyed?
    ['clevel 0', 0, 1_000_000, 4, 1_000_032, true],
    ['nbytes 31', 5, 31, 2, 63, true],
    ['nbytes 32', 5, 32, 1, 64, false],
    // 1000 bytes in 3-byte blocks: 32 + 4·334 = 1368 > 1032
    ['bstarts do not fit (blocksize 3)', 5, 1000, 334, 1032, true],
    // 4-byte blocks: 32 + 4·250 = 1032, which fits exactly
    ['bstarts fit exactly (blocksize 4)', 5, 1000, 250, 1032, false],
    ['tight destsize', 5, 1000, 250, 1031, true],
  ])('%s', (_label, clevel, nbytes, nblocks, destsize, expected) => {
    expect(memcpyFromStartBlosc2({ clevel, nbytes, nblocks, destsize })).toBe(expected);
  });

  it('uses the 16-byte header length in Blosc1-compat mode', () => {
    // 252 blocks: 16 + 1008 = 1024 fits in 1032, 32 + 1008 = 1040 does not.
    expect(memcpyFromStartBlosc2({ clevel: 5, nbytes: 1000, nblocks: 252, destsize: 1032, extendedHeader: false })).toBe(false);
    expect(memcpyFromStartBlosc2({ clevel: 5, nbytes: 1000, nblocks: 252, destsize: 1032 })).toBe(true);
    // 255 blocks: 16 + 1020 = 1036 does not fit either.
    expect(memcpyFromStartBlosc2({ clevel: 5, nbytes: 1000, nblocks: 255, destsize: 1032, extendedHeader: false })).toBe(true);
  });

  it('skips the bstarts test for dictionary chunks (their first pass writes no bstarts)', () => {
    expect(memcpyFromStartBlosc2({ clevel: 5, nbytes: 1000, nblocks: 334, destsize: 1032, useDict: true })).toBe(false);
    expect(memcpyFromStartBlosc2({ clevel: 0, nbytes: 1000, nblocks: 4, destsize: 1032, useDict: true })).toBe(true);
  });

  it('rejects bad arguments', () => {
    expect(thrownCode(() => memcpyFromStartBlosc2({ clevel: -1, nbytes: 100, nblocks: 1, destsize: 132 }))).toBe(BloscErrorCode.CodecParam);
    expect(thrownCode(() => memcpyFromStartBlosc2({ clevel: 1, nbytes: 100, nblocks: -1, destsize: 132 }))).toBe(BloscErrorCode.InvalidParam);
  });
});
