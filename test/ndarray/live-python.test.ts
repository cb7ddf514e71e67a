/**
 * Live cross-check with python-blosc2 (fixtures/ndarray_crosscheck.py, one python process
 * per direction): seeded random arrays written by python are read by blosc-ts (whole and
 * random slices), arrays written by blosc-ts are read by python (whole and random slices,
 * compared in python with numpy's), and python's `compute_chunks_blocks` is compared with
 * the port on random shapes and cache sizes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { NDArray, type SliceSpec } from '../../src/ndarray/ndarray.js';
import { computeChunksBlocks, type CacheSizes } from '../../src/ndarray/defaults.js';
import { parseNpy, writeNpy } from '../../src/frame/npy.js';
import { bytesEqual, firstDifference, pythonReference, runPython } from '../helpers.js';
import { randInt, randomSpec, referenceSlice, rng } from './reference.js';

const SCRIPT = 'fixtures/ndarray_crosscheck.py';
const N = 120;
const py = pythonReference();

describe.skipIf(!py.ok)('live cross-check with python-blosc2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-ndarray-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`reads ${N} random arrays written by python-blosc2, whole and sliced`, () => {
    const entries = JSON.parse(runPython([SCRIPT, 'write', dir, String(N), '20261122'])) as { file: string; npy: string; shape: number[]; chunks: number[]; blocks: number[]; dtype: string }[];
    expect(entries.length).toBe(N);
    const r = rng(99);
    let slices = 0;
    for (const e of entries) {
      const arr = NDArray.open(new Uint8Array(readFileSync(join(dir, e.file))));
      const npy = parseNpy(new Uint8Array(readFileSync(join(dir, e.npy))));
      expect([arr.shape, arr.chunks, arr.blocks, arr.dtype], e.file).toEqual([e.shape, e.chunks, e.blocks, e.dtype]);
      const all = arr.toArray();
      expect(bytesEqual(all.data, npy.data), `${e.file}: ${firstDifference(all.data, npy.data)}`).toBe(true);
      for (let k = 0; k < 4; k++) {
        const spec = randomSpec(r, e.shape);
        const got = arr.slice(spec);
        const want = referenceSlice(npy.data, e.shape, arr.itemsize, spec);
        expect(got.shape, `${e.file} ${JSON.stringify(spec)}`).toEqual(want.shape);
        expect(bytesEqual(got.data, want.data), `${e.file} ${JSON.stringify(spec)}: ${firstDifference(got.data, want.data)}`).toBe(true);
        slices++;
      }
    }
    expect(slices).toBe(4 * N);
  });

  it(`python-blosc2 reads ${N} random arrays written by blosc-ts, whole and sliced; vlmeta too; frames without vlmeta match python-blosc2 asarray byte for byte`, () => {
    // Arrays without explicit chunks get python's defaults for python's own cache sizes, so those frames compare too.
    const caches = JSON.parse(runPython([SCRIPT, 'cpuinfo'])) as CacheSizes;
    const r = rng(2026);
    const dtypes: [string, number][] = [['|b1', 1], ['|i1', 1], ['|u1', 1], ['<i2', 2], ['>i2', 2], ['<u4', 4], ['>i4', 4], ['<i8', 8], ['>u8', 8], ['<f4', 4], ['>f8', 8], ['<f8', 8], ['<c8', 8], ['>c16', 16], ['|S3', 3], ['|S300', 300]];
    const codecs = ['blosclz', 'lz4', 'lz4hc', 'zstd'] as const;
    const entries: unknown[] = [];
    for (let i = 0; i < N; i++) {
      const [dtype, itemsize] = dtypes[randInt(r, 0, dtypes.length - 1)]!;
      const ndim = randInt(r, 0, 4);
      const shape = Array.from({ length: ndim }, () => randInt(r, r() < 0.04 ? 0 : 1, 13));
      const explicit = !shape.includes(0) && r() < 0.8;
      const chunks = explicit ? shape.map((s) => randInt(r, 1, s)) : undefined;
      const blocks = chunks?.map((c) => randInt(r, 1, c));
      const nitems = shape.reduce((a, b) => a * b, 1);
      const data = new Uint8Array(nitems * itemsize);
      for (let k = 0; k < data.length; k++) data[k] = k < data.length / 2 ? (k >> 3) & 0xff : randInt(r, 0, 255);
      if (dtype === '|b1') for (let k = 0; k < data.length; k++) data[k] = data[k]! & 1;
      if (dtype.includes('f') || dtype.includes('c')) {
        // Avoid NaN payloads (numpy compares their bytes fine, but keep values ordinary).
        for (let k = itemsize - 1; k < data.length; k += dtype.includes('c') ? itemsize / 2 : itemsize) data[k] = data[k]! & 0x3f;
        if (dtype.startsWith('>')) for (let k = 0; k < data.length; k += dtype.includes('c') ? itemsize / 2 : itemsize) data[k] = data[k]! & 0x3f;
      }
      const codec = codecs[randInt(r, 0, codecs.length - 1)]!;
      const clevel = randInt(r, 0, 9);
      const arr = NDArray.fromTypedArray(data, { shape, dtype, chunks, blocks, codec, clevel, nthreads: 1, caches });
      const vlmeta = i % 10 === 0 ? { note: `array ${i}`, n: i } : undefined;
      if (vlmeta !== undefined) for (const [k, v] of Object.entries(vlmeta)) arr.vlmeta.set(k, v);
      const file = `ts${String(i).padStart(3, '0')}.b2nd`;
      writeFileSync(join(dir, file), arr.toFrame());
      writeFileSync(join(dir, `ts${i}.npy`), writeNpy({ dtype, shape, data }));
      const slices: SliceSpec[][] = [];
      for (let k = 0; k < 4; k++) slices.push(randomSpec(r, shape));
      entries.push({ file, npy: `ts${i}.npy`, shape, chunks: [...arr.chunks], blocks: [...arr.blocks], slices, python_cparams: { codec, clevel }, default_geometry: !explicit, vlmeta });
    }
    writeFileSync(join(dir, 'ts.json'), JSON.stringify(entries));
    const results = JSON.parse(runPython([SCRIPT, 'read', dir])) as { file: string; problems: string[]; identical: boolean | null }[];
    expect(results.length).toBe(N);
    for (const res of results) expect(res.problems, res.file).toEqual([]);
    const compared = results.filter((x) => x.identical !== null);
    const different = compared.filter((x) => !x.identical).map((x) => x.file);
    expect(compared.length).toBe(N - N / 10);
    expect(different, 'frames that differ from python-blosc2 asarray').toEqual([]);
  });

  it('computeChunksBlocks equals python-blosc2 compute_chunks_blocks on 200 random shapes and cache sizes', () => {
    const cases = JSON.parse(runPython([SCRIPT, 'chunks', '200', '11'])) as {
      shape: number[]; itemsize: number; caches: CacheSizes; givenChunks: number[] | null; givenBlocks: number[] | null; chunks?: number[]; blocks?: number[]; error?: string;
    }[];
    expect(cases.length).toBe(200);
    for (const c of cases) {
      const what = JSON.stringify(c);
      if (c.error !== undefined) {
        expect(() => computeChunksBlocks(c.shape, c.itemsize, c.givenChunks, c.givenBlocks, c.caches), what).toThrow();
        continue;
      }
      expect(computeChunksBlocks(c.shape, c.itemsize, c.givenChunks, c.givenBlocks, c.caches), what).toEqual({ chunks: c.chunks, blocks: c.blocks });
    }
  });
});
