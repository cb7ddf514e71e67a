/**
 * zstd compression with a dictionary (`createZstdCDict` + `zstdCompressUsingCDict`):
 * frames our decoder reads back with the same dictionary, for raw-content and formatted
 * dictionaries, in each of libzstd's three ways of using a CDict (attach up to 8 KiB,
 * copy below 128 KiB, load above), at the fast and double-fast levels (1-3). Byte identity with libzstd is
 * checked through c-blosc2's dictionary chunks (test/chunk/dict-fixtures.test.ts and the
 * live cross-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { createZstdCDict, zstdCompress, zstdCompressBound, zstdCompressUsingCDict } from '../../src/codecs/zstd-encoder/index.js';
import { parseZstdDictionary, zstdDecompress } from '../../src/codecs/zstd/index.js';
import { firstDifference, loadManifest, readFixture } from '../helpers.js';
import { KINDS, makeData } from './zstd-encoder/data.js';

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** Formatted (ZDICT-trained) dictionaries, taken from c-blosc2's zstd dictionary chunks. */
function trainedDictionaries(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of loadManifest().files) {
    if (f.kind !== 'chunk' || f.params.useDict !== true || f.params.codec !== 'zstd') continue;
    const chunk = readFixture(f);
    if ((chunk[31]! & 1) === 0) continue;
    const at = 32 + 4 * Math.ceil(readInt32(chunk, 4) / readInt32(chunk, 8));
    out.push(chunk.slice(at + 4, at + 4 + readInt32(chunk, at)));
  }
  return out;
}

const TRAINED = trainedDictionaries();

function roundTrip(src: Uint8Array, dictBytes: Uint8Array, level: number): Uint8Array {
  const cdict = createZstdCDict(dictBytes, level);
  const out = new Uint8Array(zstdCompressBound(src.length));
  const n = zstdCompressUsingCDict(src, 0, src.length, out, 0, out.length, cdict);
  expect(n).toBeGreaterThan(0);
  const frame = out.subarray(0, n);
  const back = zstdDecompress(frame, undefined, parseZstdDictionary(dictBytes));
  expect(firstDifference(back, src)).toBe('equal');
  return frame;
}

/** Dictionary id from a frame header (RFC 8878 §3.1.1.1), 0 when absent. */
function frameDictId(frame: Uint8Array): number {
  const fhd = frame[4]!;
  const didCode = fhd & 3;
  let p = 5 + ((fhd & 0x20) === 0 ? 1 : 0);
  let id = 0;
  const size = didCode === 3 ? 4 : didCode;
  for (let i = 0; i < size; i++) id += frame[p++]! * 2 ** (8 * i);
  return id;
}

describe('zstd encoder with a dictionary', () => {
  it('has trained dictionaries to test with', () => {
    expect(TRAINED.length).toBeGreaterThanOrEqual(4);
    for (const d of TRAINED) expect(readInt32(d, 0) >>> 0).toBe(0xec30a437);
  });

  it('round-trips through our decoder: raw dictionaries, all data kinds, attach/copy/load sizes, fast levels', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.constantFrom(100, 3000, 8192, 8193, 40000, 131072, 200000),
        fc.integer({ min: 8, max: 32768 }),
        fc.constantFrom(1, 2, 3, -1, -5),
        fc.integer({ min: 1, max: 1 << 30 }),
        (kind, n, dictSize, level, seed) => {
          // A dictionary of the same kind, so that matches into it are found.
          const dict = makeData(kind, dictSize, seed ^ 0x5a5a);
          roundTrip(makeData(kind, n, seed), dict, level);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('round-trips with formatted dictionaries and writes their id in each frame', () => {
    for (const dict of TRAINED) {
      const id = readInt32(dict, 4) >>> 0;
      for (const n of [500, 8000, 50000, 150000]) {
        for (const kind of ['text-like', 'shuffled-ramp', 'random'] as const) {
          const frame = roundTrip(makeData(kind, n, n + 7), dict, 1);
          expect(frameDictId(frame)).toBe(id);
          expect(frameDictId(roundTrip(makeData(kind, n, n + 8), dict, 3))).toBe(id);
        }
      }
    }
  });

  it('a dictionary makes small inputs like it smaller', () => {
    const dict = makeData('text-like', 16384, 1);
    const src = makeData('text-like', 4000, 2);
    const withDict = roundTrip(src, dict, 1).length;
    const out = new Uint8Array(zstdCompressBound(src.length));
    const without = zstdCompress(src, 0, src.length, out, 0, out.length, 1);
    expect(withDict).toBeLessThan(without);
  });

  it('raw dictionaries carry no id; under 8 bytes there is no dictionary', () => {
    expect(frameDictId(roundTrip(makeData('runs', 5000, 3), makeData('runs', 1000, 4), 1))).toBe(0);
    const tiny = createZstdCDict(new Uint8Array([1, 2, 3]), 1);
    expect(tiny.content.length).toBe(0);
    const src = makeData('text-like', 3000, 5);
    const out = new Uint8Array(zstdCompressBound(src.length));
    const n = zstdCompressUsingCDict(src, 0, src.length, out, 0, out.length, tiny);
    expect(firstDifference(zstdDecompress(out.subarray(0, n)), src)).toBe('equal');
  });

  it('refuses levels without a dictionary port, and corrupt formatted dictionaries', () => {
    // Levels whose strategy is greedy or stronger have no dictionary port.
    expect(() => createZstdCDict(makeData('text-like', 1000, 1), 6)).toThrow(BloscError);
    let code: number | undefined;
    try {
      createZstdCDict(makeData('text-like', 1000, 1), 5);
    } catch (e) {
      code = (e as BloscError).code;
    }
    expect(code).toBe(BloscErrorCode.CodecSupport);
    const dict = TRAINED[0]!;
    // Truncated inside the entropy tables, or with a repeat offset past the content.
    for (const bad of [dict.slice(0, 12), dict.slice(0, 40)]) {
      expect(() => createZstdCDict(bad, 1)).toThrow(BloscError);
    }
    const wrongRep = dict.slice();
    const cdict = createZstdCDict(dict, 1);
    const repAt = dict.length - cdict.content.length - 12;
    wrongRep.set([0xff, 0xff, 0xff, 0x7f], repAt);
    expect(() => createZstdCDict(wrongRep, 1)).toThrow(BloscError);
  });

  it('returns 0 when the frame does not fit, never writing past the room', () => {
    const dict = makeData('text-like', 4096, 9);
    const cdict = createZstdCDict(dict, 1);
    const src = makeData('random', 20000, 10);
    const out = new Uint8Array(20100).fill(0xee);
    expect(zstdCompressUsingCDict(src, 0, src.length, out, 0, 10000, cdict)).toBe(0);
    for (let i = 10000; i < out.length; i++) expect(out[i]).toBe(0xee);
  });
});
