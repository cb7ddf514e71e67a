/** NDArray.set: numpy assignment semantics against an element-by-element reference. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode } from '../../src/errors.js';
import { NDArray, type SliceSpec } from '../../src/ndarray/ndarray.js';
import { randomSpec, referenceSlice, rng } from './reference.js';

/** The flat C-order indices `spec` selects in `shape`, in the selection's C order. */
function selectedIndices(shape: readonly number[], spec: readonly SliceSpec[]): number[] {
  const n = shape.reduce((p, x) => p * x, 1);
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = i;
  const picked = referenceSlice(new Uint8Array(ids.buffer), shape, 8, spec);
  return Array.from(new Float64Array(picked.data.buffer, picked.data.byteOffset, picked.data.length / 8));
}

describe('NDArray.set', () => {
  it('assigns arrays and broadcast scalars like numpy, on random geometries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        const r = rng(seed);
        const nd = 1 + Math.floor(r() * 3);
        const shape = Array.from({ length: nd }, () => 1 + Math.floor(r() * 12));
        const chunks = shape.map((n) => 1 + Math.floor(r() * n));
        const blocks = chunks.map((c) => 1 + Math.floor(r() * c));
        const n = shape.reduce((p, x) => p * x, 1);
        const ref = new Float64Array(n);
        for (let i = 0; i < n; i++) ref[i] = i;
        const arr = NDArray.fromTypedArray(ref, { shape, chunks, blocks, codec: 'lz4', clevel: 5 });
        for (let k = 0; k < 3; k++) {
          const spec = randomSpec(r, shape);
          const ids = selectedIndices(shape, spec);
          if (r() < 0.5) {
            const v = Math.floor(r() * 1000) - 500;
            arr.set(spec, v);
            for (const id of ids) ref[id] = v;
          } else {
            const vals = Float64Array.from(ids, () => r());
            arr.set(spec, vals);
            ids.forEach((id, j) => {
              ref[id] = vals[j]!;
            });
          }
          expect(new Float64Array(arr.toTypedArray() as Float64Array)).toEqual(ref);
        }
        // Through a frame: python-blosc2's layout holds the edits.
        expect(new Float64Array(NDArray.open(arr.toFrame()).toTypedArray() as Float64Array)).toEqual(ref);
      }),
      { numRuns: 80, seed: 0x5e7 },
    );
  });

  it('recompresses only the chunks the selection touches', () => {
    const values = new Int32Array(40 * 40).map((_, i) => i);
    const arr = NDArray.fromTypedArray(values, { shape: [40, 40], chunks: [10, 10], blocks: [5, 5] });
    const before = Array.from({ length: arr.schunk.nchunks }, (_, i) => arr.schunk.getChunk(i));
    arr.set([[12, 18], [3, 7]], 7);
    const changed = before.map((c, i) => arr.schunk.getChunk(i) !== c);
    // Rows 12..17, columns 3..6: chunk (1, 0) only, index 4 of the 4×4 grid.
    expect(changed.map((c, i) => (c ? i : -1)).filter((i) => i >= 0)).toEqual([4]);
    const d = arr.slice([[12, 14], [2, 8]]).data;
    expect(Array.from(new Int32Array(d.buffer, d.byteOffset, d.length / 4))).toEqual([
      12 * 40 + 2, 7, 7, 7, 7, 12 * 40 + 7,
      13 * 40 + 2, 7, 7, 7, 7, 13 * 40 + 7,
    ]);
  });

  it('refuses values of the wrong size, and leaves the array unchanged', () => {
    const arr = NDArray.fromTypedArray(new Float32Array(100), { shape: [10, 10], chunks: [5, 5], blocks: [5, 5] });
    const frame = arr.toFrame();
    let code: unknown;
    try {
      arr.set([[0, 3]], new Float32Array(29));
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe(BloscErrorCode.InvalidParam);
    expect(arr.toFrame()).toEqual(frame);
  });
});

describe('NDArray.resize', () => {
  it('keeps the elements inside both shapes and zeroes the new ones, on random geometries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        const r = rng(seed);
        const nd = 1 + Math.floor(r() * 3);
        const shape = Array.from({ length: nd }, () => 1 + Math.floor(r() * 12));
        const chunks = shape.map((n) => 1 + Math.floor(r() * n));
        const blocks = chunks.map((c) => 1 + Math.floor(r() * c));
        const n = shape.reduce((p, x) => p * x, 1);
        const values = new Float64Array(n).map((_, i) => i + 1);
        const arr = NDArray.fromTypedArray(values, { shape, chunks, blocks, codec: 'lz4', clevel: 5 });
        const next = shape.map((x) => Math.floor(r() * (x + 8)));
        arr.resize(next);
        expect(arr.shape).toEqual(next);
        const m = next.reduce((p, x) => p * x, 1);
        const want = new Float64Array(m);
        const idx = new Array<number>(nd).fill(0);
        for (let o = 0; o < m; o++) {
          let src = 0;
          let inside = true;
          for (let i = 0; i < nd; i++) {
            if (idx[i]! >= shape[i]!) inside = false;
            src = src * shape[i]! + idx[i]!;
          }
          if (inside) want[o] = values[src]!;
          for (let i = nd - 1; i >= 0; i--) {
            if (++idx[i]! < next[i]!) break;
            idx[i] = 0;
          }
        }
        expect(new Float64Array(arr.toTypedArray() as Float64Array)).toEqual(want);
        // The frame holds the new shape and python-blosc2's layout of it.
        const again = NDArray.open(arr.toFrame());
        expect(again.shape).toEqual(next);
        expect(new Float64Array(again.toTypedArray() as Float64Array)).toEqual(want);
      }),
      { numRuns: 80, seed: 0x2e5 },
    );
  });

  it('keeps interior chunks as they were, and refuses a change of dimensions', () => {
    const arr = NDArray.fromTypedArray(new Int16Array(20 * 20).map((_, i) => i), { shape: [20, 20], chunks: [10, 10], blocks: [5, 5] });
    const first = arr.schunk.getChunk(0);
    arr.resize([30, 20]);
    expect(arr.schunk.nchunks).toBe(6);
    expect(arr.schunk.getChunk(0)).toEqual(first);
    let code: unknown;
    try {
      arr.resize([30]);
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe(BloscErrorCode.InvalidParam);
    expect(arr.shape).toEqual([30, 20]);
  });
});
