import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { deltaDecode, deltaEncode, deltaWordSize } from '../../src/shuffle/delta.js';
import { blockBytes, expectBytes, FC_RUNS, placed, randomBytes } from './helpers.js';
import { kernelVectors } from './vectors.js';

describe('DELTA word width', () => {
  it.each([
    [1, 1], [2, 2], [4, 4], [8, 8], [16, 8], [24, 8], [64, 8],
    [3, 1], [5, 1], [6, 1], [7, 1], [12, 1], [20, 1], [255, 1],
  ])('typesize %i -> %i', (typesize, w) => expect(deltaWordSize(typesize)).toBe(w));
});

describe('DELTA against known answers (numpy XOR)', () => {
  const vectors = kernelVectors.filter((v) => v.kernel === 'delta');
  it('has vectors for first and later blocks', () => {
    expect(vectors.some((v) => v.blockOffset === 0)).toBe(true);
    expect(vectors.some((v) => (v.blockOffset ?? 0) > 0)).toBe(true);
  });
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const ref = v.reference!;
    const offset = v.blockOffset!;
    for (const shift of [0, 1, 4]) {
      const src = placed(v.input, shift);
      const out = new Uint8Array(v.input.length);
      deltaEncode(v.typesize, src, 0, out, 0, v.input.length, offset, ref, 0);
      expectBytes(out, v.output, 'encode');
      const back = new Uint8Array(v.input.length + 4).subarray(shift);
      // Decoding a later block needs the decoded first block, which is `ref` itself.
      deltaDecode(v.typesize, v.output, 0, back, 0, v.input.length, offset, ref, 0);
      expectBytes(back.subarray(0, v.input.length), v.input, 'decode');
    }
  });
});

describe('DELTA round trips a whole chunk', () => {
  it('for any typesize, blocksize and length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), blockBytes(4000), fc.integer({ min: 1, max: 1200 }), fc.nat(3),
        (typesize, data, blocksize, shift) => {
          const n = data.length;
          const src = placed(data, shift);
          // Encode every block against the raw chunk (block 0 starts at refOffset 0).
          const encoded = new Uint8Array(n);
          for (let off = 0; off < n; off += blocksize) {
            const size = Math.min(blocksize, n - off);
            deltaEncode(typesize, src, off, encoded, off, size, off, src, 0);
          }
          // Decode block 0 first, then the others against the decoded output.
          const decoded = new Uint8Array(n + 8).subarray(shift);
          for (let off = 0; off < n; off += blocksize) {
            const size = Math.min(blocksize, n - off);
            deltaDecode(typesize, encoded, off, decoded, off, size, off, decoded, 0);
          }
          expectBytes(decoded.subarray(0, n), data);
        }),
      { numRuns: FC_RUNS },
    );
  });

  it('uses the word path on aligned 4- and 8-byte words and agrees with bytes', () => {
    for (const typesize of [4, 8, 16]) {
      const data = randomBytes(4096 + 6, typesize);
      const a = new Uint8Array(data.length);
      const b = new Uint8Array(data.length + 1);
      deltaEncode(typesize, data, 0, a, 0, data.length, 0, data, 0);
      deltaEncode(typesize, placed(data, 1), 0, b, 1, data.length, 0, data, 0);
      expectBytes(a, b.subarray(1));
      // The trailing n % w bytes pass through.
      const w = deltaWordSize(typesize);
      const body = data.length - (data.length % w);
      expectBytes(a.subarray(body), data.subarray(body));
      for (const k of [w, 100 * w, 4096 - w]) expect(a[k]).toBe(data[k]! ^ data[k - w]!);
    }
  });

  it('rejects a reference that does not cover the block', () => {
    const block = new Uint8Array(64);
    let caught: unknown;
    try {
      deltaEncode(4, block, 0, new Uint8Array(64), 0, 64, 64, new Uint8Array(32), 0);
    } catch (e) {
      caught = e;
    }
    expect(isBloscError(caught, BloscErrorCode.FilterPipeline)).toBe(true);
  });
});
