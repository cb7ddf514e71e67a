/** NDArray written and read by blosc-ts: layout, slicing, partial decoding, dtypes and argument checks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { MemorySource, type FrameSource } from '../../src/io/source.js';
import { parseNpy, writeNpy } from '../../src/frame/npy.js';
import { NDArray, fortranToC, sliceByElement, sliceToTypedArray, type SliceSpec } from '../../src/ndarray/ndarray.js';
import { B2ndGeometry } from '../../src/ndarray/geometry.js';
import { bytesEqual, firstDifference } from '../helpers.js';
import { randInt, randomSpec, referenceSlice, rng } from './reference.js';

function pattern(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 3 === 0 ? randInt(r, 0, 255) : (i >> 4) & 0xff;
  return out;
}

/** A source that records the byte ranges read from it. */
class RecordingSource implements FrameSource {
  readonly reads: [number, number][] = [];
  readonly size: number;
  constructor(private readonly inner: MemorySource) {
    this.size = inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length);
  }
}

function expectBloscError(fn: () => unknown, code: BloscErrorCode): void {
  try {
    fn();
  } catch (e) {
    expect(isBloscError(e), String(e)).toBe(true);
    expect((e as { code: number }).code, String(e)).toBe(code);
    return;
  }
  expect.fail('expected a BloscError');
}

describe('NDArray layout', () => {
  it('puts every element where the b2nd geometry says (checked against raw chunk bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 30 }), (ndim, seed) => {
        const r = rng(seed);
        const shape = Array.from({ length: ndim }, () => randInt(r, 1, 9));
        const chunks = shape.map((s) => randInt(r, 1, s));
        const blocks = chunks.map((c) => randInt(r, 1, c));
        const n = shape.reduce((a, b) => a * b, 1);
        const data = new Uint16Array(n);
        for (let i = 0; i < n; i++) data[i] = i + 1;
        const arr = NDArray.fromTypedArray(data, { shape, chunks, blocks, codec: 'lz4', shuffle: 'noshuffle' });
        const g = new B2ndGeometry(shape, chunks, blocks, 2);
        expect(arr.schunk.nchunks).toBe(g.nchunks);
        const decoded = Array.from({ length: g.nchunks }, (_, i) => arr.schunk.decompressChunk(i));
        const idx = shape.map(() => 0);
        let nonzero = 0;
        for (let k = 0; k < n; k++) {
          const { chunk, offset } = g.locate(idx);
          const c = decoded[chunk]!;
          expect(c[offset]! | (c[offset + 1]! << 8)).toBe(k + 1);
          for (let i = ndim - 1; i >= 0; i--) {
            if (++idx[i]! < shape[i]!) break;
            idx[i] = 0;
          }
        }
        // Everything else is zero padding.
        for (const c of decoded) for (let p = 0; p < c.length; p += 2) if (c[p] !== 0 || c[p + 1] !== 0) nonzero++;
        expect(nonzero).toBe(n);
        // Each chunk's Blosc blocksize is one b2nd block, and so is the frame's.
        const frame = arr.toFrame();
        const reopened = NDArray.open(frame);
        expect(reopened.schunk.compressOptions.blocksize).toBe(g.blockNbytes);
      }),
      { numRuns: 60 },
    );
  });
});

describe('NDArray slicing', () => {
  it('random slices of random arrays equal an element-by-element reference', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 }), (seed) => {
        const r = rng(seed);
        const ndim = randInt(r, 0, 4);
        const shape = Array.from({ length: ndim }, () => randInt(r, r() < 0.05 ? 0 : 1, 11));
        const itemsize = [1, 2, 3, 4, 8, 16][randInt(r, 0, 5)]!;
        const explicit = !shape.includes(0) && r() < 0.8;
        const chunks = explicit ? shape.map((s) => randInt(r, 1, s)) : undefined;
        const blocks = chunks?.map((c) => randInt(r, 1, c));
        const n = shape.reduce((a, b) => a * b, 1);
        const data = pattern(n * itemsize, seed);
        const arr = NDArray.open(NDArray.fromTypedArray(data, { shape, dtype: `|V${itemsize}`, chunks, blocks, codec: 'blosclz' }).toFrame());
        expect(bytesEqual(arr.toArray().data, data)).toBe(true);
        for (let k = 0; k < 6; k++) {
          const spec = randomSpec(r, shape);
          const got = arr.slice(spec);
          const want = referenceSlice(data, shape, itemsize, spec);
          expect(got.shape).toEqual(want.shape);
          expect(bytesEqual(got.data, want.data), `${JSON.stringify({ shape, chunks, blocks, spec })}: ${firstDifference(got.data, want.data)}`).toBe(true);
          // The in-library simple version agrees too (it reads through the chunk layout, not the C-order input).
          expect(bytesEqual(sliceByElement(arr, spec).data, want.data)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('decodes only the chunks and blocks a small slice touches', () => {
    const shape = [200, 200];
    const data = new Float64Array(40000);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i);
    const frame = NDArray.fromTypedArray(data, { shape, chunks: [100, 100], blocks: [10, 10] }).toFrame();
    const source = new RecordingSource(new MemorySource(frame));
    const arr = NDArray.open(source);
    const opened = source.reads.length;
    const s = arr.slice([[5, 7], [95, 105]]);
    expect(s.shape).toEqual([2, 10]);
    const values = sliceToTypedArray(s) as Float64Array;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 10; j++) expect(values[i * 10 + j]).toBe(data[(5 + i) * 200 + 95 + j]);
    // Chunks (0,0) and (0,1); one block in each.
    expect(arr.stats).toEqual({ chunks: 2, blocks: 2 });
    // Only those two chunks were fetched from the source (a 32-byte header read plus the chunk each).
    const chunkReads = source.reads.slice(opened);
    const fetched = chunkReads.reduce((a, [, len]) => a + len, 0);
    expect(chunkReads.length).toBeLessThanOrEqual(4);
    expect(fetched).toBeLessThan(frame.length / 2);

    // A one-element read of a 1-D array decodes one block.
    const big = NDArray.fromTypedArray(new Float64Array(100000).map((_, i) => i), { shape: [100000], chunks: [50000], blocks: [1000] });
    expect(sliceToTypedArray(big.slice([[61234, 61235]]))).toEqual(new Float64Array([61234]));
    expect(big.stats).toEqual({ chunks: 1, blocks: 1 });
    // Most of a chunk: the whole chunk is decoded (all 50 blocks); a fifth of one: only its 10 blocks.
    big.slice([[0, 60000]]);
    expect(big.stats).toEqual({ chunks: 3, blocks: 1 + 50 + 10 });
  });

  it('chunks wholly inside a read decompress straight into place; edge chunks and partial ones by blocks', () => {
    const data = new Int32Array(35 * 4 * 20).map((_, i) => i * 7 - 1000);
    for (const [chunks, blocks] of [[[10, 4, 20], [2, 4, 20]], [[10, 4, 20], [1, 2, 20]], [[5, 2, 20], [1, 1, 10]], [[10, 4, 20], [3, 4, 20]]]) {
      const arr = NDArray.open(NDArray.fromTypedArray(data, { shape: [35, 4, 20], chunks, blocks }).toFrame());
      expect(arr.toTypedArray(), JSON.stringify(chunks)).toEqual(data);
      const spec: SliceSpec[] = [[3, 33], null, [0, 20]];
      const want = referenceSlice(new Uint8Array(data.buffer), [35, 4, 20], 4, spec);
      expect(bytesEqual(arr.slice(spec).data, want.data), JSON.stringify({ chunks, blocks })).toBe(true);
      // With a step the output is not contiguous: still right.
      const stepped: SliceSpec[] = [[0, 35, 2]];
      expect(bytesEqual(arr.slice(stepped).data, referenceSlice(new Uint8Array(data.buffer), [35, 4, 20], 4, stepped).data)).toBe(true);
    }
  });

  it('skips blocks a stepped slice jumps over', () => {
    const arr = NDArray.fromTypedArray(new Int32Array(1000).map((_, i) => i), { shape: [1000], chunks: [1000], blocks: [10] });
    const s = arr.slice([[5, 1000, 100]]);
    expect(Array.from(sliceToTypedArray(s) as Int32Array)).toEqual([5, 105, 205, 305, 405, 505, 605, 705, 805, 905]);
    expect(arr.stats).toEqual({ chunks: 1, blocks: 10 });
  });

  it('indexes like numpy: integers drop dimensions, negatives count from the end, bounds clamp', () => {
    const arr = NDArray.fromTypedArray(new Int16Array(24).map((_, i) => i), { shape: [2, 3, 4], chunks: [1, 2, 3], blocks: [1, 1, 2] });
    expect(arr.slice([1, -1]).shape).toEqual([4]);
    expect(Array.from(sliceToTypedArray(arr.slice([1, -1])) as Int16Array)).toEqual([20, 21, 22, 23]);
    expect(Array.from(arr.item([0, 2, 3]))).toEqual([11, 0]);
    expect(arr.slice([[-5, 99], [null, null, 2], [3, 1]]).shape).toEqual([2, 2, 0]);
    expectBloscError(() => arr.slice([2]), BloscErrorCode.InvalidIndex);
    expectBloscError(() => arr.slice([0, 0, 0, 0]), BloscErrorCode.InvalidIndex);
    expectBloscError(() => arr.slice([[0, 2, 0]]), BloscErrorCode.InvalidIndex);
    expectBloscError(() => arr.slice([[0, 2, -1]]), BloscErrorCode.InvalidIndex);
    expectBloscError(() => arr.slice([0.5 as unknown as SliceSpec]), BloscErrorCode.InvalidIndex);
  });

  it('0-d arrays and arrays with a zero-length dimension', () => {
    const scalar = NDArray.open(NDArray.fromTypedArray(new Float64Array([2.5]), { shape: [] }).toFrame());
    expect([scalar.shape, scalar.chunks, scalar.blocks, scalar.size, scalar.schunk.nchunks]).toEqual([[], [], [], 1, 1]);
    expect(sliceToTypedArray(scalar.toArray())).toEqual(new Float64Array([2.5]));
    const empty = NDArray.open(NDArray.fromTypedArray(new Float32Array(0), { shape: [4, 0, 2] }).toFrame());
    expect([empty.shape, empty.chunks, empty.size, empty.schunk.nchunks]).toEqual([[4, 0, 2], [4, 0, 2], 0, 0]);
    expect(empty.slice([1]).shape).toEqual([0, 2]);
    expect(empty.toArray().data.length).toBe(0);
  });
});

describe('NDArray dtypes', () => {
  it('writes big-endian dtypes big-endian and reads the values back', () => {
    const values = new Int32Array([1, -2, 0x12345678, -0x7fffffff]);
    const arr = NDArray.fromTypedArray(values, { shape: [4], dtype: '>i4' });
    const raw = arr.toArray().data;
    expect(Array.from(raw.subarray(8, 12))).toEqual([0x12, 0x34, 0x56, 0x78]);
    expect(arr.toTypedArray()).toEqual(values);
    const f = NDArray.fromTypedArray(new Float64Array([1.5, -0]), { shape: [2], dtype: '>f8' });
    expect(Array.from(f.toArray().data.subarray(0, 2))).toEqual([0x3f, 0xf8]);
    expect(f.toTypedArray()).toEqual(new Float64Array([1.5, -0]));
    // Raw bytes are taken as stored.
    const asBytes = NDArray.fromTypedArray(new Uint8Array([0, 0, 0, 7]), { shape: [1], dtype: '>i4' });
    expect(asBytes.toTypedArray()).toEqual(new Int32Array([7]));
  });

  it('complex values are interleaved (re, im) floats; itemsize comes from the dtype', () => {
    const arr = NDArray.fromTypedArray(new Float32Array([1, 2, 3, 4]), { shape: [2], dtype: '<c8' });
    expect(arr.itemsize).toBe(8);
    expect(sliceToTypedArray(arr.slice([1]))).toEqual(new Float32Array([3, 4]));
    expectBloscError(() => NDArray.fromTypedArray(new Float32Array(3), { shape: [2], dtype: '<c8' }), BloscErrorCode.InvalidParam);
  });

  it('refuses data that does not fill the shape, bad shapes and unknown-size dtypes without itemsize', () => {
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(5), { shape: [2, 3] }), BloscErrorCode.InvalidParam);
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(0), { shape: [-1] }), BloscErrorCode.InvalidParam);
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(6), { shape: [6], chunks: [0], blocks: [0] }), BloscErrorCode.InvalidParam);
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(6), { shape: [6], chunks: [3], blocks: [4] }), BloscErrorCode.InvalidParam);
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(6), { shape: [6], dtype: '|O' }), BloscErrorCode.InvalidParam);
    expect(NDArray.fromTypedArray(new Uint8Array(6), { shape: [6], dtype: '|O', itemsize: 1 }).itemsize).toBe(1);
    const s = NDArray.fromTypedArray(new Uint8Array(6), { shape: [3], dtype: "[('a', '<u2')]" });
    expect(s.itemsize).toBe(2);
    expectBloscError(() => NDArray.fromTypedArray(new Uint8Array(6), { shape: [3], dtype: "[('a', '<u2')]", itemsize: 4 }), BloscErrorCode.InvalidParam);
  });
});

describe('NDArray and .npy', () => {
  it('round-trips through .npy; Fortran-order files are transposed to C order', () => {
    const data = new Int16Array(24).map((_, i) => i * 3 - 7);
    const arr = NDArray.fromTypedArray(data, { shape: [2, 3, 4] });
    const npy = arr.toNpy();
    const back = NDArray.fromNpy(npy, { chunks: [1, 3, 2], blocks: [1, 1, 2] });
    expect(back.toTypedArray()).toEqual(data);
    expect(back.chunks).toEqual([1, 3, 2]);

    // The same array in Fortran order: element (i, j, k) at i + 2j + 6k.
    const fdata = new Int16Array(24);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) fdata[i + 2 * j + 6 * k] = data[i * 12 + j * 4 + k]!;
    const fbytes = new Uint8Array(fdata.buffer);
    const fnpy = writeNpy({ dtype: '<i2', shape: [2, 3, 4], data: fbytes });
    // Flip the header's fortran_order to True (same length: 'False' → 'True ').
    const text = new TextDecoder('latin1').decode(fnpy.subarray(0, 128));
    const at = text.indexOf('False');
    fnpy.set(new TextEncoder().encode('True '), at);
    expect(parseNpy(fnpy).fortranOrder).toBe(true);
    expect(NDArray.fromNpy(fnpy).toTypedArray()).toEqual(data);
    expect(new Int16Array(fortranToC(fbytes, [2, 3, 4], 2).buffer)).toEqual(data);
  });
});
