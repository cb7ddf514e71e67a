/**
 * NDArray files written by python-blosc2 (fixtures/ndarray, made by
 * fixtures/generate_ndarray.py): geometry and dtype as python reads them back, and the
 * elements equal to the .npy numpy saved next to each file.
 */
import { describe, expect, it } from 'vitest';
import type { CodecName } from '../../src/index.js';
import { NDArray, sliceToTypedArray } from '../../src/ndarray/ndarray.js';
import { parseNpy, writeNpy } from '../../src/frame/npy.js';
import { MemorySource } from '../../src/io/source.js';
import { bytesEqual, firstDifference, sha256 } from '../helpers.js';
import { ndFile, ndManifest } from './fixture-files.js';

describe('python-blosc2 NDArray fixtures', () => {
  it('cover the dtypes, dimensions and codecs the format needs', () => {
    const names = ndManifest.files.map((f) => f.name);
    expect(names.length).toBeGreaterThanOrEqual(20);
    const dtypes = new Set(ndManifest.files.map((f) => f.dtype));
    for (const d of ['<f8', '>i4', '>f8', '<c8', '>c16', '|b1', '|S10', '<u2', '|i1', '<U3']) expect(dtypes, d).toContain(d);
    const ndims = new Set(ndManifest.files.map((f) => f.shape.length));
    for (const n of [0, 1, 2, 3, 4]) expect(ndims, `${n}-d`).toContain(n);
    expect(ndManifest.files.some((f) => f.shape.includes(0))).toBe(true);
  });

  it.each(ndManifest.files.map((f) => [f.name, f] as const))('%s reads back as numpy saved it', (_name, f) => {
    const bytes = ndFile(f.b2nd);
    expect(sha256(bytes)).toBe(f.b2nd_sha256);
    const arr = NDArray.open(bytes);
    expect(arr.shape).toEqual(f.shape);
    expect(arr.chunks).toEqual(f.chunks);
    expect(arr.blocks).toEqual(f.blocks);
    expect(arr.dtype).toBe(f.dtype);
    expect(arr.itemsize).toBe(f.itemsize);
    expect(arr.ndim).toBe(f.shape.length);
    expect(arr.size).toBe(f.shape.reduce((a, b) => a * b, 1));
    const all = arr.toArray();
    expect(all.shape).toEqual(f.shape);
    expect(sha256(all.data)).toBe(f.data_sha256);
    const npyBytes = ndFile(f.npy);
    expect(sha256(npyBytes)).toBe(f.npy_sha256);
    const npy = parseNpy(npyBytes, f.itemsize);
    expect(npy.shape).toEqual(f.shape);
    expect(npy.fortranOrder).toBe(false);
    expect(bytesEqual(all.data, npy.data), firstDifference(all.data, npy.data)).toBe(true);
    // Our .npy of the array is numpy's, byte for byte.
    const ours = writeNpy({ dtype: arr.dtype, shape: all.shape, data: all.data });
    expect(bytesEqual(ours, npyBytes), firstDifference(ours, npyBytes)).toBe(true);
    for (const [k, v] of Object.entries(f.vlmeta)) expect(arr.vlmeta.get(k)).toEqual(v);
    expect(arr.vlmeta.names().sort()).toEqual(Object.keys(f.vlmeta).sort());
    expect(arr.meta.has('b2nd')).toBe(true);
  });

  // The zlib codec's deflate output is not zlib's byte for byte, so that fixture is compared by content only.
  const rebuilt = ndManifest.files.filter((f) => f.codec !== 'ZLIB');
  it.each(rebuilt.map((f) => [f.name, f] as const))('%s: rebuilt from its .npy, blosc-ts writes the bytes python-blosc2 wrote', (_name, f) => {
    const arr = NDArray.fromNpy(ndFile(f.npy), {
      chunks: f.shape.includes(0) ? undefined : f.chunks,
      blocks: f.shape.includes(0) ? undefined : f.blocks,
      codec: f.codec.toLowerCase() as CodecName,
      clevel: f.clevel,
      filters: f.filters,
      filtersMeta: f.filters_meta,
      nthreads: 1,
    });
    for (const [k, v] of Object.entries(f.vlmeta)) arr.vlmeta.set(k, v as number | string);
    const ours = arr.toFrame();
    const theirs = ndFile(f.b2nd);
    expect(bytesEqual(ours, theirs), firstDifference(ours, theirs)).toBe(true);
  });

  it('opens from a FrameSource and from a super-chunk alike', () => {
    const bytes = ndFile('f8.2d.edges.zstd.b2nd');
    const a = NDArray.open(new MemorySource(bytes));
    const b = NDArray.open(NDArray.open(bytes).schunk);
    expect(bytesEqual(a.toArray().data, b.toArray().data)).toBe(true);
  });

  it('typed arrays hold the values: big-endian swapped, complex interleaved, bool as 0/1', () => {
    const be = NDArray.open(ndFile('i4.be.2d.b2nd'));
    const npy = parseNpy(ndFile('i4.be.2d.npy'));
    const view = new DataView(npy.data.buffer, npy.data.byteOffset, npy.data.byteLength);
    const typed = be.toTypedArray() as Int32Array;
    expect(typed).toBeInstanceOf(Int32Array);
    for (let i = 0; i < typed.length; i++) expect(typed[i]).toBe(view.getInt32(i * 4, false));

    const c16 = NDArray.open(ndFile('c16.1d.be.b2nd'));
    const cnpy = parseNpy(ndFile('c16.1d.be.npy'));
    const cview = new DataView(cnpy.data.buffer, cnpy.data.byteOffset, cnpy.data.byteLength);
    const ctyped = sliceToTypedArray(c16.slice([[3, 9]])) as Float64Array;
    expect(ctyped).toBeInstanceOf(Float64Array);
    expect(ctyped.length).toBe(12);
    for (let i = 0; i < 12; i++) expect(ctyped[i]).toBe(cview.getFloat64((3 * 2 + i) * 8, false));

    const b1 = NDArray.open(ndFile('b1.3d.b2nd'));
    const bt = b1.toTypedArray();
    expect(bt).toBeInstanceOf(Uint8Array);
    expect([...new Set(bt as Uint8Array)].sort()).toEqual([0, 1]);
  });

  it('unknown and structured dtypes read as raw bytes of the frame typesize', () => {
    const s = NDArray.open(ndFile('struct.1d.b2nd'));
    expect(s.itemsize).toBe(12);
    expect(s.dtype.startsWith('[')).toBe(true);
    const t = s.toTypedArray();
    expect(t).toBeInstanceOf(Uint8Array);
    expect(t.length).toBe(30 * 12);
  });
});
