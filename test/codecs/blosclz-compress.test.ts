import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blosclzDecompress } from '../../src/codecs/blosclz.js';
import { BLOSCLZ_HASH_SIZE, blosclzCompress } from '../../src/codecs/blosclz-compress.js';
import { load, vectors, type Vector } from './vectors.js';

const htab = new Uint32Array(BLOSCLZ_HASH_SIZE);

/** The input of a vector: stored, or recovered by decoding the C stream. */
function inputFor(v: Vector): Uint8Array {
  if (v.input !== undefined) return load(v.input);
  const out = new Uint8Array(v.neblock);
  const s = load(v.stream!);
  blosclzDecompress(s, 0, s.length, out, 0, v.neblock);
  return out;
}

const cases = vectors.filter((v) => v.codec === 'blosclz');

describe('BloscLZ encoder produces the C bytes', () => {
  it('covers both libraries, every clevel, raw and compressed outcomes', () => {
    for (const lib of ['blosc1', 'blosc2']) {
      const mine = cases.filter((v) => v.lib === lib);
      expect(mine.some((v) => v.raw)).toBe(true);
      expect(mine.some((v) => !v.raw)).toBe(true);
    }
    expect(new Set(cases.filter((v) => v.lib === 'blosc2').map((v) => v.clevel)).size).toBe(9);
    expect(cases.some((v) => v.lib === 'blosc1' && !v.splitBlock && !v.raw)).toBe(true);
  });

  it.each(cases.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const input = inputFor(v);
    const dst = new Uint8Array(v.maxout + 8).fill(0xee);
    const n = blosclzCompress(v.clevel, input, 0, input.length, dst, 4, v.maxout, v.lib === 'blosc1' ? 'blosc1' : 'blosc2', v.splitBlock, htab);
    if (v.raw) {
      // C stored the stream raw: its codec returned 0 or exactly neblock bytes.
      expect(n === 0 || n === v.neblock).toBe(true);
    } else {
      const expected = load(v.stream!);
      expect(n).toBe(expected.length);
      expect(Buffer.from(dst.subarray(4, 4 + n)).equals(Buffer.from(expected))).toBe(true);
    }
    expect(dst.subarray(0, 4).every((b) => b === 0xee)).toBe(true);
    expect(dst.subarray(4 + v.maxout).every((b) => b === 0xee)).toBe(true);
  });
});

describe('BloscLZ encoder properties', () => {
  const data = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 3000 }),
    // compressible: a few symbols with runs
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 60 })), { maxLength: 200 }).map((runs) =>
      Uint8Array.from(runs.flatMap(([v, n]) => Array<number>(n).fill(v * 40))),
    ),
  );

  it('round-trips through the decoder and never writes past maxout', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 1, max: 9 }), fc.constantFrom<'blosc1' | 'blosc2'>('blosc1', 'blosc2'), fc.boolean(), fc.integer({ min: 0, max: 4000 }), (input, clevel, format, split, maxout) => {
        const dst = new Uint8Array(maxout + 4).fill(0x77);
        const n = blosclzCompress(clevel, input, 0, input.length, dst, 0, maxout, format, split, htab);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(maxout);
        expect(dst.subarray(maxout).every((b) => b === 0x77)).toBe(true);
        if (n > 0) {
          const back = new Uint8Array(input.length);
          blosclzDecompress(dst, 0, n, back, 0, input.length);
          expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compresses long runs and gives up on tiny outputs', () => {
    const input = new Uint8Array(10000).fill(7);
    const dst = new Uint8Array(10000);
    const n = blosclzCompress(5, input, 0, input.length, dst, 0, 10000, 'blosc2', false, htab);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(200);
    expect(blosclzCompress(5, input, 0, input.length, dst, 0, 65, 'blosc2', false, htab)).toBe(0);
    expect(blosclzCompress(5, input, 0, 15, dst, 0, 1000, 'blosc2', false, htab)).toBe(0);
  });
});
