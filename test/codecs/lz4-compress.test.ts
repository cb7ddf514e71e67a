import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lz4Decompress, lz4DecompressUsingDict } from '../../src/codecs/lz4.js';
import { hash5Reference, lz4CompressBound, lz4CompressFast, lz4CompressFastWithDict, lz4Hash5 } from '../../src/codecs/lz4-compress.js';
import { load, vectors, type Vector } from './vectors.js';

function inputFor(v: Vector): Uint8Array {
  if (v.input !== undefined) return load(v.input);
  const out = new Uint8Array(v.neblock);
  const s = load(v.stream!);
  if (v.dict !== undefined) lz4DecompressUsingDict(s, 0, s.length, out, 0, v.neblock, load(v.dict));
  else lz4Decompress(s, 0, s.length, out, 0, v.neblock);
  return out;
}

const cases = vectors.filter((v) => v.codec === 'lz4');

describe('LZ4 encoder produces the C bytes (acceleration = 10 - clevel)', () => {
  it('covers both table types, dictionaries, raw and compressed outcomes', () => {
    expect(cases.some((v) => v.neblock >= 65547 && !v.raw)).toBe(true);
    expect(cases.some((v) => v.neblock < 65547 && !v.raw)).toBe(true);
    expect(cases.some((v) => v.raw)).toBe(true);
    expect(cases.some((v) => v.dict !== undefined && !v.raw)).toBe(true);
    expect(cases.some((v) => v.dict !== undefined && v.raw)).toBe(true);
    expect(cases.some((v) => v.lib === 'blosc1')).toBe(true);
  });

  it.each(cases.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const input = inputFor(v);
    const dst = new Uint8Array(v.maxout + 8).fill(0xee);
    const accel = 10 - v.clevel;
    const n =
      v.dict === undefined
        ? lz4CompressFast(input, 0, input.length, dst, 4, v.maxout, accel)
        : lz4CompressFastWithDict(input, 0, input.length, dst, 4, v.maxout, accel, load(v.dict));
    if (v.raw) {
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

describe('LZ4 encoder properties', () => {
  it('computes the 5-byte hash like the 64-bit C expression', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (b) => {
        expect(lz4Hash5(b, 0)).toBe(hash5Reference(b, 0));
      }),
      { numRuns: 2000 },
    );
  });

  const data = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 80 })), { maxLength: 100 }).map((runs) =>
      Uint8Array.from(runs.flatMap(([v, n]) => Array<number>(n).fill(v * 50))),
    ),
  );

  it('round-trips, never writes past cap, and returns 0 only in limited mode', () => {
    fc.assert(
      fc.property(data, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 3000 }), (input, accel, cap) => {
        const dst = new Uint8Array(cap + 4).fill(0x77);
        const n = lz4CompressFast(input, 0, input.length, dst, 0, cap, accel);
        expect(n).toBeLessThanOrEqual(cap);
        expect(dst.subarray(cap).every((b) => b === 0x77)).toBe(true);
        if (cap >= lz4CompressBound(input.length)) expect(n).toBeGreaterThan(0);
        if (n > 0) {
          const back = new Uint8Array(input.length);
          lz4Decompress(dst, 0, n, back, 0, input.length);
          expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips with a dictionary', () => {
    fc.assert(
      fc.property(data, data, fc.integer({ min: 1, max: 9 }), (dict, input, accel) => {
        const cap = lz4CompressBound(input.length);
        const dst = new Uint8Array(cap);
        const n = lz4CompressFastWithDict(input, 0, input.length, dst, 0, cap, accel, dict);
        expect(n).toBeGreaterThan(0);
        const back = new Uint8Array(input.length);
        lz4DecompressUsingDict(dst, 0, n, back, 0, input.length, dict);
        expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('uses the 32-bit table path on inputs of 64 KB + 11 bytes and more', () => {
    const input = Uint8Array.from({ length: 70000 }, (_, i) => (i % 1000 < 500 ? i & 7 : (i * 31) & 255));
    const cap = lz4CompressBound(input.length);
    const dst = new Uint8Array(cap);
    const n = lz4CompressFast(input, 0, input.length, dst, 0, cap, 1);
    const back = new Uint8Array(input.length);
    lz4Decompress(dst, 0, n, back, 0, input.length);
    expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
  });
});
