import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blosclzCodec, lz4Codec, snappyCodec, zlibCodec } from '../../src/codecs/index.js';
import type { Codec, EncodeContext } from '../../src/codecs/index.js';
import { zlibCompress } from '../../src/codecs/zlib.js';
import { load, vectors } from './vectors.js';

const ctx = (format: 'blosc1' | 'blosc2', splitBlock = false, dict: Uint8Array | null = null): EncodeContext => ({ format, splitBlock, dict, meta: 0 });

describe('zlib encoder produces c-blosc 1.x bytes (classic zlib 1.3.1)', () => {
  const cases = vectors.filter((v) => v.codec === 'zlib' && v.lib === 'blosc1');
  it('has vectors', () => expect(cases.length).toBeGreaterThan(3));
  it.each(cases.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const input = load(v.input!);
    const dst = new Uint8Array(v.maxout);
    const n = zlibCodec.encode!(input, 0, input.length, dst, 0, v.maxout, v.clevel, ctx('blosc1'));
    if (v.raw) expect(n === 0 || n === v.neblock).toBe(true);
    else expect(Buffer.from(dst.subarray(0, n)).equals(Buffer.from(load(v.stream!)))).toBe(true);
  });
  it('returns 0 when the stream does not fit', () => {
    const input = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    const full = zlibCompress(input, 0, input.length, new Uint8Array(2000), 0, 2000, 5);
    expect(full).toBeGreaterThan(0);
    expect(zlibCompress(input, 0, input.length, new Uint8Array(2000), 0, full - 1, 5)).toBe(0);
  });
});

describe('codec objects', () => {
  const encoders: [Codec, EncodeContext][] = [
    [blosclzCodec, ctx('blosc1', true)],
    [blosclzCodec, ctx('blosc2')],
    [lz4Codec, ctx('blosc2')],
    [lz4Codec, ctx('blosc2', false, Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 63))],
    [zlibCodec, ctx('blosc1')],
    [snappyCodec, ctx('blosc1')],
  ];
  const data = fc.oneof(
    fc.uint8Array({ maxLength: 1500 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 50 })), { maxLength: 80 }).map((runs) =>
      Uint8Array.from(runs.flatMap(([v, n]) => Array<number>(n).fill(v * 11))),
    ),
  );

  it.each(encoders.map(([c, x], i) => [`${c.name} ${x.format}${x.dict ? ' dict' : ''} #${i}`, c, x] as const))(
    '%s: encode at offsets, decode back, stay inside the window',
    (_n, codec, encodeCtx) => {
      fc.assert(
        fc.property(data, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2500 }), (input, clevel, cap) => {
          const src = new Uint8Array(input.length + 3);
          src.set(input, 3);
          const dst = new Uint8Array(cap + 10).fill(0x33);
          const n = codec.encode!(src, 3, input.length, dst, 5, cap, clevel, encodeCtx);
          expect(n).toBeGreaterThanOrEqual(0);
          expect(n).toBeLessThanOrEqual(cap);
          expect(dst.subarray(0, 5).every((b) => b === 0x33)).toBe(true);
          expect(dst.subarray(5 + cap).every((b) => b === 0x33)).toBe(true);
          if (n > 0) {
            const back = new Uint8Array(input.length);
            codec.decode(dst, 5, n, back, 0, input.length, { dict: encodeCtx.dict, meta: 0 });
            expect(Buffer.from(back).equals(Buffer.from(input))).toBe(true);
          }
        }),
        { numRuns: 100 },
      );
    },
  );

});
