/**
 * Dictionary chunks (useDict): when c-blosc2 writes one and when it does not, option
 * checks, and corrupt dictionary chunks, which must raise BloscError and nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode, compress, decompress, getItems } from '../../src/index.js';
import { firstDifference } from '../helpers.js';
import { makeData } from './dict-data.js';

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function writeInt32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

function errorCode(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
    return e.code;
  }
  return undefined;
}

/** Position of the dsize field of a dictionary chunk. */
function dictAt(chunk: Uint8Array): number {
  return 32 + 4 * Math.ceil(readInt32(chunk, 4) / readInt32(chunk, 8));
}

const CODECS = ['lz4', 'lz4hc', 'zstd'] as const;

describe('dictionary chunks: when and how', () => {
  it('dictionary only from 5120 bytes (dict_maxsize = nbytes / 20 >= 256), and not at clevel 0', () => {
    for (const codec of CODECS) {
      const small = makeData('records', 5119, 8, 1);
      const big = makeData('records', 5120, 8, 1);
      const a = compress(small, { codec, useDict: true, typesize: 8 });
      const b = compress(big, { codec, useDict: true, typesize: 8 });
      expect(a[31]! & 1).toBe(0);
      expect(b[31]! & 1).toBe(1);
      // Without a dictionary the chunk is the plain one.
      expect(firstDifference(a, compress(small, { codec, typesize: 8 }))).toBe('equal');
      const stored = compress(big, { codec, useDict: true, typesize: 8, clevel: 0 });
      expect(stored[31]! & 1).toBe(0);
      expect(stored[2]! & 0x02).toBe(0x02);
    }
  });

  it('incompressible data is stored without the dictionary bit', () => {
    for (const codec of CODECS) {
      const input = makeData('random', 50000, 4, 2);
      const chunk = compress(input, { codec, useDict: true, typesize: 4 });
      expect(chunk[2]! & 0x02).toBe(0x02);
      expect(chunk[31]! & 1).toBe(0);
      expect(firstDifference(decompress(chunk), input)).toBe('equal');
    }
  });

  it('the lz4 dictionary is the start of the filtered data with dsize written over 4 bytes after 4·nblocks', () => {
    const input = makeData('text', 100000, 1, 3);
    const chunk = compress(input, { codec: 'lz4', useDict: true, typesize: 1, shuffle: 'noshuffle' });
    const at = dictAt(chunk);
    const nblocks = (at - 32) / 4;
    const dsize = readInt32(chunk, at);
    expect(dsize).toBe(Math.min(32768, Math.floor(100000 / 20), Math.max(8, nblocks) * Math.floor(Math.floor(100000 / Math.max(8, nblocks)) / 16)));
    const dict = chunk.subarray(at + 4, at + 4 + dsize);
    const expected = input.slice(0, dsize);
    writeInt32(expected, 4 * nblocks, dsize);
    expect(firstDifference(dict, expected)).toBe('equal');
  });

  it('getItems reads ranges of dictionary chunks', () => {
    for (const codec of CODECS) {
      const input = makeData('ramp', 200000, 4, 4);
      const chunk = compress(input, { codec, useDict: true, typesize: 4 });
      expect(chunk[31]! & 1).toBe(1);
      const items = getItems(chunk, 12345, 1000);
      expect(firstDifference(items, input.subarray(12345 * 4, 13345 * 4))).toBe('equal');
    }
  });

  it('option checks: blosc1, other codecs, non-boolean', () => {
    const input = makeData('text', 10000, 1, 5);
    expect(errorCode(() => compress(input, { codec: 'lz4', useDict: true, format: 'blosc1' }))).toBe(BloscErrorCode.InvalidParam);
    for (const codec of ['blosclz', 'zlib'] as const) expect(errorCode(() => compress(input, { codec, useDict: true }))).toBe(BloscErrorCode.InvalidParam);
    expect(errorCode(() => compress(input, { codec: 'lz4', useDict: 1 as unknown as boolean }))).toBe(BloscErrorCode.InvalidParam);
  });
});

describe('corrupt dictionary chunks', () => {
  const chunks = CODECS.map((codec) => compress(makeData('records', 120000, 8, 6), { codec, useDict: true, typesize: 8 }));

  it('a wrong dictionary size is refused', () => {
    for (const chunk of chunks) {
      const at = dictAt(chunk);
      for (const dsize of [0, -5, 32769, chunk.length, 0x7fffffff]) {
        const bad = chunk.slice();
        writeInt32(bad, at, dsize);
        expect(errorCode(() => decompress(bad))).toBeDefined();
      }
    }
  });

  it('a dictionary section past the end of a truncated chunk is refused', () => {
    for (const chunk of chunks) {
      const at = dictAt(chunk);
      const bad = chunk.slice(0, at + 10);
      writeInt32(bad, 12, bad.length);
      expect(errorCode(() => decompress(bad))).toBeDefined();
    }
  });

  it('changed dictionary bytes or streams only ever raise BloscError (or decode to other bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 8 }), (ci, pos, x, n) => {
        const chunk = chunks[ci]!;
        const at = dictAt(chunk);
        const bad = chunk.slice();
        // Corrupt n bytes, inside the dictionary or the streams after it.
        for (let i = 0; i < n; i++) {
          const p = at + 4 + ((pos + i * 7919) % (chunk.length - at - 4));
          bad[p] = bad[p]! ^ x;
        }
        errorCode(() => decompress(bad));
      }),
      { numRuns: 150 },
    );
  });

  it('a zstd stream needing the dictionary fails cleanly without the dictionary bit', () => {
    const chunk = chunks[2]!.slice();
    chunk[31] = chunk[31]! & ~1;
    expect(errorCode(() => decompress(chunk))).toBeDefined();
  });
});
