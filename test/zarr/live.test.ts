/**
 * Live checks against zarr-python and numcodecs (Python present; a visible skip without
 * it, an error under CI=true):
 * - chunks blosc-ts/zarr writes equal `numcodecs.Blosc(...).encode(array)` for every codec,
 *   shuffle (AUTOSHUFFLE included) and a range of dtypes, levels and block sizes;
 * - arrays zarrita writes through blosc-ts (Zarr v2 and v3) are read by zarr-python;
 * - arrays zarr-python writes now (v2, v3, sharded, big-endian) are read by zarrita.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, firstDifference } from '../helpers.js';
import { bytesOfData, DirectoryStore, loadBuilt, runZarrPython, zarrPython, type CoreApi, type ZarrApi } from './support.js';

const python = zarrPython();
const live = python.ok ? describe : describe.skip;

let zarrApi: ZarrApi;
let core: CoreApi;
let dir: string;

beforeAll(async () => {
  ({ zarrApi, core } = await loadBuilt());
  dir = mkdtempSync(join(tmpdir(), 'blosc-ts-zarr-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  core?.shutdownPool();
});

/** Python: arrays of several kinds and dtypes, and numcodecs' chunk of each at many configs. */
const NUMCODECS_CASES = `
import json, sys, os
import numpy as np
import numcodecs.blosc
from numcodecs import Blosc
# With threads, c-blosc 1.x stores blocks in the order its threads finish them.
numcodecs.blosc.use_threads = False
out = json.load(sys.stdin)["dir"]
rng = np.random.default_rng(7)
def data(dtype, n, kind):
    dt = np.dtype(dtype)
    if kind == "random":
        return np.frombuffer(rng.bytes(n * dt.itemsize), dtype=dt)
    t = np.linspace(0, 30, n)
    if dt.kind == "b":
        return (np.sin(t * 3) > 0.4)
    if dt.kind == "c":
        return (np.sin(t) * 1e3 + 1j * np.cos(t)).astype(dt)
    if dt.kind == "f":
        return (np.sin(t) * 1e3 + rng.normal(0, 1e-2, n)).astype(dt)
    info = np.iinfo(dt)
    return np.clip(np.round(np.sin(t) * 1e6 + rng.integers(-20, 20, n)), info.min, info.max).astype(dt)
dtypes = ["<f8", "<f4", "<i2", "|u1", "|b1", "<i8", "<u4", "<c16", ">f8", ">i4"]
cases = []
k = 0
for cname in ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]:
    for shuffle in [0, 1, 2, -1]:
        for j, dtype in enumerate(dtypes):
            clevel = [1, 5, 9, 3, 7][(j + shuffle) % 5]
            n = [30000, 70001, 4096, 150000][(j + k) % 4]
            kind = "random" if (j + k) % 7 == 3 else "smooth"
            blocksize = [0, 0, 0, 16384, 262144][(j + k) % 5]
            a = data(dtype, n, kind)
            c = Blosc(cname=cname, clevel=clevel, shuffle=shuffle, blocksize=blocksize)
            np.ascontiguousarray(a).tofile(os.path.join(out, f"{k}.raw"))
            with open(os.path.join(out, f"{k}.blosc"), "wb") as f:
                f.write(bytes(c.encode(a)))
            cases.append({"k": k, "dtype": np.dtype(dtype).str, "config": c.get_config(), "kind": kind})
            k += 1
# A declared typesize (numcodecs' typesize argument) wins over the item size.
a = data("<f8", 50000, "smooth")
for ts in [2, 4, 16]:
    c = Blosc(cname="lz4", clevel=5, shuffle=1, typesize=ts)
    a.tofile(os.path.join(out, f"{k}.raw"))
    with open(os.path.join(out, f"{k}.blosc"), "wb") as f:
        f.write(bytes(c.encode(a)))
    cfg = c.get_config()
    cfg["typesize"] = ts
    cases.append({"k": k, "dtype": "<f8", "config": cfg, "kind": "smooth"})
    k += 1
print(json.dumps(cases))
`;

interface NumcodecsCase {
  k: number;
  dtype: string;
  config: Record<string, unknown>;
  kind: string;
}

/** Python: numcodecs decodes each chunk blosc-ts wrote to the raw bytes beside it. */
const NUMCODECS_DECODES = `
import json, sys, os
import numpy as np
from numcodecs import Blosc
out = json.load(sys.stdin)["dir"]
bad = []
for name in sorted(os.listdir(out)):
    if name.endswith(".mine"):
        k = name[:-5]
        raw = open(os.path.join(out, k + ".raw"), "rb").read()
        if bytes(Blosc().decode(open(os.path.join(out, name), "rb").read())) != raw:
            bad.append(k)
print(json.dumps(bad))
`;

live('numcodecs (c-blosc 1.21.7) writes the same chunks', () => {
  it('every codec, every shuffle incl. AUTOSHUFFLE, ten dtypes, levels and block sizes: equal bytes (zstd: where libzstd 1.5.6 agrees with 1.5.7)', () => {
    const caseDir = join(dir, 'numcodecs');
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir);
    const cases = JSON.parse(runZarrPython(NUMCODECS_CASES, { dir: caseDir })) as NumcodecsCase[];
    expect(cases.length).toBe(203);
    const mismatches: string[] = [];
    let zstdEqual = 0;
    let zstdExempt = 0;
    for (const c of cases) {
      const raw = new Uint8Array(readFileSync(join(caseDir, `${c.k}.raw`)));
      const expected = new Uint8Array(readFileSync(join(caseDir, `${c.k}.blosc`)));
      const codec = zarrApi.BloscCodec.fromConfig(c.config as never, { dataType: c.dtype });
      const mine = codec.encode(raw);
      writeFileSync(join(caseDir, `${c.k}.mine`), mine);
      expect(bytesEqual(codec.decode(expected), raw)).toBe(true);
      const equal = bytesEqual(mine, expected);
      if (c.config.cname === 'zstd') {
        // numcodecs' c-blosc bundles libzstd 1.5.6, our encoder is libzstd 1.5.7's: they
        // differ at Blosc clevel 2 and where a block is over one zstd block (128 KiB), which
        // 1.5.7 pre-splits. Elsewhere the bytes must be the same.
        const exempt = c.config.clevel === 2 || core.chunkInfo(expected).blocksize > 128 * 1024;
        if (equal) zstdEqual++;
        else if (exempt) zstdExempt++;
        else mismatches.push(`${JSON.stringify(c)}: ${firstDifference(mine, expected)}`);
      } else if (!equal) {
        mismatches.push(`${JSON.stringify(c)}: ${firstDifference(mine, expected)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(zstdEqual).toBeGreaterThanOrEqual(25);
    console.log(`zstd: ${zstdEqual} of 40 chunks equal to numcodecs', ${zstdExempt} differ where libzstd 1.5.6 and 1.5.7 do`);
    // Every chunk blosc-ts wrote (zstd ones included) decodes in numcodecs to the input.
    expect(JSON.parse(runZarrPython(NUMCODECS_DECODES, { dir: caseDir }))).toEqual([]);
  });
});

/** Python: open each store zarrita wrote and compare with the raw values written beside it. */
const PYTHON_READS = `
import json, sys
import numpy as np, zarr
res = []
for case in json.load(sys.stdin)["cases"]:
    z = zarr.open_array(case["path"], mode="r")
    expected = np.fromfile(case["raw"], dtype=np.dtype(case["dtype"]).newbyteorder("<")).reshape(case["shape"])
    got = z[...]
    res.append({"path": case["path"], "equal": bool(np.array_equal(got, expected)), "dtype": str(got.dtype), "format": z.metadata.zarr_format})
print(json.dumps(res))
`;

live('zarr-python reads what zarrita writes through blosc-ts', () => {
  it('Zarr v2 (integer shuffles incl. AUTOSHUFFLE, big-endian) and v3 (shuffle strings, with and without typesize)', async () => {
    zarrApi.registerBlosc(zarr.registry);
    const cases: Array<{ path: string; raw: string; dtype: string; shape: number[] }> = [];
    const n = 6000;
    const f64 = new Float64Array(n).map((_, i) => Math.sin(i / 100) * 1e3);
    const i16 = new Int16Array(n).map((_, i) => (i * 37) % 2000 - 1000);
    const u8 = new Uint8Array(n).map((_, i) => (i >> 4) & 0xff);
    const u32 = new Uint32Array(n).map((_, i) => i * 40503);
    const f32 = new Float32Array(n).map((_, i) => Math.cos(i / 77));
    const all: Array<[string, ArrayBufferView, string, string]> = [
      ['<f8', f64, 'float64', 'Float64Array'], ['<i2', i16, 'int16', 'Int16Array'], ['|u1', u8, 'uint8', 'Uint8Array'],
      ['<u4', u32, 'uint32', 'Uint32Array'], ['<f4', f32, 'float32', 'Float32Array'],
    ];
    const v2Configs = [
      { cname: 'lz4', clevel: 5, shuffle: 1 }, { cname: 'zstd', clevel: 3, shuffle: 2 }, { cname: 'blosclz', clevel: 9, shuffle: 0 },
      { cname: 'zlib', clevel: 5, shuffle: -1 }, { cname: 'lz4hc', clevel: 6, shuffle: -1 },
    ];
    let k = 0;
    for (const [dtype, values] of all) {
      for (const cfg of v2Configs) {
        const root = join(dir, `w2-${k}.zarr`);
        const store = new DirectoryStore(root);
        const zarray = { zarr_format: 2, shape: [n], chunks: [1500], dtype, fill_value: 0, order: 'C', filters: null, compressor: { id: 'blosc', blocksize: 0, ...cfg } };
        await store.set('/.zarray', new TextEncoder().encode(JSON.stringify(zarray)));
        const arr = await zarr.open.v2(store as never, { kind: 'array' });
        await zarr.set(arr, null, { data: values as never, shape: [n], stride: [1] });
        const raw = join(dir, `w2-${k}.raw`);
        writeFileSync(raw, new Uint8Array(values.buffer));
        cases.push({ path: root, raw, dtype, shape: [n] });
        k++;
      }
    }
    // Big-endian v2 (zarrita's bytes codec swaps before Blosc sees the bytes).
    {
      const root = join(dir, 'w2-big.zarr');
      const store = new DirectoryStore(root);
      const zarray = { zarr_format: 2, shape: [n], chunks: [2000], dtype: '>f8', fill_value: 0, order: 'C', filters: null, compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } };
      await store.set('/.zarray', new TextEncoder().encode(JSON.stringify(zarray)));
      await zarr.set(await zarr.open.v2(store as never, { kind: 'array' }), null, { data: f64 as never, shape: [n], stride: [1] });
      const raw = join(dir, 'w2-big.raw');
      writeFileSync(raw, new Uint8Array(f64.buffer));
      cases.push({ path: root, raw, dtype: '<f8', shape: [n] });
    }
    for (const shuffle of ['noshuffle', 'shuffle', 'bitshuffle'] as const) {
      for (const withTypesize of [true, false]) {
        const root = join(dir, `w3-${shuffle}-${withTypesize}.zarr`);
        const store = new DirectoryStore(root);
        const blosc = withTypesize ? { cname: 'zstd', clevel: 5, shuffle, typesize: 8, blocksize: 0 } : { cname: 'lz4', clevel: 5, shuffle, blocksize: 0 };
        const arr = await zarr.create(store as never, {
          shape: [60, 100], chunkShape: [20, 50], dtype: 'float64', fillValue: 0,
          codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'blosc', configuration: blosc }],
        });
        await zarr.set(arr, null, { data: f64 as never, shape: [60, 100], stride: [100, 1] });
        const raw = join(dir, `w3-${shuffle}-${withTypesize}.raw`);
        writeFileSync(raw, new Uint8Array(f64.buffer));
        cases.push({ path: root, raw, dtype: '<f8', shape: [60, 100] });
      }
    }
    const results = JSON.parse(runZarrPython(PYTHON_READS, { cases })) as Array<{ path: string; equal: boolean; format: number }>;
    expect(results.length).toBe(cases.length);
    for (const r of results) expect(r.equal, r.path).toBe(true);
    expect(results.filter((r) => r.format === 2).length).toBe(26);
    expect(results.filter((r) => r.format === 3).length).toBe(6);
  });
});

/** Python: write stores with zarr-python now, with the raw little-endian values beside them. */
const PYTHON_WRITES = `
import json, sys, os
import numpy as np, zarr, numcodecs
from zarr.codecs import BloscCodec, BytesCodec
out = json.load(sys.stdin)["dir"]
rng = np.random.default_rng(3)
cases = []
def record(name, z, a):
    a = np.asarray(a)
    a.astype(a.dtype.newbyteorder("<")).tofile(os.path.join(out, name + ".raw"))
    cases.append({"path": os.path.join(out, name + ".zarr"), "raw": os.path.join(out, name + ".raw"), "dtype": a.dtype.str, "shape": list(a.shape)})
for j, (dtype, shuffle, cname) in enumerate([("<f8", -1, "zstd"), ("|u1", -1, "lz4"), ("<i8", 2, "lz4hc"), (">u4", 1, "zlib"), ("|b1", 0, "blosclz"), ("<f4", 1, "zstd")]):
    a = (np.cumsum(rng.normal(0, 1, 20000)) * 50).astype(dtype) if dtype != "|b1" else rng.random(20000) < 0.2
    name = f"p2-{j}"
    z = zarr.create_array(os.path.join(out, name + ".zarr"), shape=a.shape, chunks=(3000,), dtype=dtype, zarr_format=2,
                          compressors=numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle), fill_value=0)
    z[...] = a
    record(name, z, a)
for j, (dtype, shuffle, shards, big) in enumerate([("float64", "shuffle", None, False), ("int16", "bitshuffle", (40, 60), False),
                                                   ("uint8", "bitshuffle", None, False), ("float32", "noshuffle", None, True),
                                                   ("int64", "shuffle", (80, 60), False)]):
    a = (np.cumsum(rng.normal(0, 1, (80, 60)), axis=1) * 10).astype(dtype)
    name = f"p3-{j}"
    kw = {}
    if shards is not None:
        kw["shards"] = shards
    if big:
        kw["serializer"] = BytesCodec(endian="big")
    z = zarr.create_array(os.path.join(out, name + ".zarr"), shape=a.shape, chunks=(20, 30), dtype=dtype,
                          compressors=BloscCodec(cname="zstd", clevel=5, shuffle=shuffle), fill_value=0, **kw)
    z[...] = a
    record(name, z, a)
print(json.dumps(cases))
`;

live('zarrita reads what zarr-python writes, through blosc-ts', () => {
  for (const workers of [undefined, 2]) {
    it(`Zarr v2 and v3, sharded and big-endian (${workers === undefined ? 'synchronous codec' : `${workers} workers`})`, async () => {
      zarrApi.registerBlosc(zarr.registry, workers === undefined ? undefined : { workers });
      const out = join(dir, `python-${workers ?? 0}`);
      mkdirSync(out, { recursive: true });
      const cases = JSON.parse(runZarrPython(PYTHON_WRITES, { dir: out })) as Array<{ path: string; raw: string; dtype: string; shape: number[] }>;
      expect(cases.length).toBe(11);
      for (const c of cases) {
        const arr = await zarr.open(new DirectoryStore(c.path) as never, { kind: 'array' });
        const got = await zarr.get(arr);
        expect(got.shape, c.path).toEqual(c.shape);
        expect(bytesEqual(bytesOfData(got.data as never), new Uint8Array(readFileSync(c.raw))), c.path).toBe(true);
      }
    });
  }
});
