/**
 * The inspector's box reader (src/inspector/region.ts, run here in Node): b2nd boxes
 * against NDArray.slice, decoding single blocks or whole chunks; zarr chunks in C and
 * Fortran order and missing chunks against the array they were cut from.
 */
import { describe, expect, it } from 'vitest';
import { compress, NDArray, sliceToTypedArray } from '../../src/index.js';
import type { ArrayModel } from '../../src/inspector/model.js';
import { readRegion, type RegionStats } from '../../src/inspector/region.js';

const stats = (): RegionStats => ({ chunks: 0, wholeChunks: 0, blocks: 0, blocksInChunks: 0 });

describe('readRegion', () => {
  const shape = [7, 9, 11];
  const data = new Float32Array(7 * 9 * 11).map((_, i) => i * 0.5 - 100);
  const arr = NDArray.fromTypedArray(data, { shape, chunks: [3, 4, 5], blocks: [2, 2, 3] });
  const model: ArrayModel = {
    layout: 'b2nd', shape, chunks: arr.chunks, blocks: arr.blocks, dtype: '<f4', itemsize: 4, order: 'C', fill: 0,
    chunk: async (i) => arr.schunk.getChunk(i),
  };

  it('reads b2nd planes and boxes as NDArray.slice does', async () => {
    for (const [lo, hi] of [[[4, 0, 0], [5, 9, 11]], [[0, 2, 0], [7, 3, 11]], [[1, 1, 2], [6, 8, 10]], [[6, 8, 10], [7, 9, 11]]]) {
      const s = stats();
      const got = await readRegion(model, lo!, hi!, 1, s);
      const want = sliceToTypedArray(arr.slice(lo!.map((l, a) => [l, hi![a]!] as [number, number])));
      expect(Array.from(got)).toEqual(Array.from(want as Float32Array));
      expect(s.chunks).toBeGreaterThan(0);
    }
  });

  it('decodes single blocks when a box needs at most a quarter of a chunk, whole chunks otherwise', async () => {
    // Chunks of 3 × 4 × 5 hold 2 × 2 × 2 = 8 blocks; one element touches one block.
    let s = stats();
    await readRegion(model, [0, 0, 0], [1, 1, 1], 1, s);
    expect(s).toEqual({ chunks: 1, wholeChunks: 0, blocks: 1, blocksInChunks: 8 });
    s = stats();
    await readRegion(model, [0, 0, 0], [3, 4, 5], 1, s);
    expect(s).toEqual({ chunks: 1, wholeChunks: 1, blocks: 0, blocksInChunks: 8 });
  });

  it('reads big-endian dtypes element by element', async () => {
    const be = NDArray.fromTypedArray(data, { shape, dtype: '>f4', chunks: [3, 4, 5], blocks: [2, 2, 3] });
    const m: ArrayModel = { ...model, dtype: '>f4', chunk: async (i) => be.schunk.getChunk(i) };
    const got = await readRegion(m, [2, 0, 0], [3, 9, 11], 1, stats());
    expect(Array.from(got)).toEqual(Array.from(data.subarray(2 * 99, 3 * 99)));
  });

  it('reads zarr chunks in C and Fortran order, and missing chunks as the fill value', async () => {
    const zshape = [5, 7];
    const zchunks = [2, 3];
    const values = new Int16Array(35).map((_, i) => i * 7 - 50);
    for (const order of ['C', 'F'] as const) {
      const chunks = new Map<number, Uint8Array>();
      for (let ci = 0; ci < 3; ci++) {
        for (let cj = 0; cj < 3; cj++) {
          if (ci === 1 && cj === 1) continue; // missing
          const c = new Int16Array(6);
          for (let r = 0; r < 2; r++) {
            for (let k = 0; k < 3; k++) {
              const R = ci * 2 + r;
              const K = cj * 3 + k;
              const v = R < 5 && K < 7 ? values[R * 7 + K]! : 0;
              c[order === 'C' ? r * 3 + k : k * 2 + r] = v;
            }
          }
          chunks.set(ci * 3 + cj, compress(c, { format: 'blosc1', codec: 'lz4' }));
        }
      }
      const z: ArrayModel = {
        layout: 'zarr', shape: zshape, chunks: zchunks, blocks: null, dtype: '<i2', itemsize: 2, order, fill: 9,
        chunk: async (i) => chunks.get(i) ?? null,
      };
      const got = await readRegion(z, [0, 0], [5, 7], 1, stats());
      const want = Array.from(values, (v, i) => {
        const R = Math.floor(i / 7);
        const K = i % 7;
        return R >= 2 && R < 4 && K >= 3 && K < 6 ? 9 : v;
      });
      expect(Array.from(got), order).toEqual(want);
    }
  });
});
