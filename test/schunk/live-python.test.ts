/**
 * Live cross-check with python-blosc2: super-chunks written by blosc-ts are read by
 * `blosc2.open` and `blosc2.schunk_from_cframe`, and super-chunks written by python-blosc2
 * are read by blosc-ts, which also rewrites them from their data and compares the bytes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { bytesEqual, firstDifference, pythonReference, runPython, sha256 } from '../helpers.js';
import { hex, jsonForm } from '../frame/frame-fixtures.js';
import { randomSChunk } from './random-schunk.js';

const N = 32;
const SCRIPT = 'test/schunk/frames_reference.py';
const py = pythonReference();

interface PyDescription {
  nchunks: number;
  chunksize: number;
  typesize: number;
  nbytes: number;
  sha256: string;
  meta: Record<string, string>;
  vlmeta: Record<string, unknown>;
}

function describeOurs(s: SChunk): PyDescription {
  return {
    nchunks: s.nchunks,
    chunksize: s.chunksize,
    typesize: s.typesize,
    nbytes: s.nbytes,
    sha256: sha256(s.getSlice()),
    meta: Object.fromEntries(s.meta.names().map((n) => [n, hex(s.meta.get(n)!)])),
    vlmeta: Object.fromEntries(s.vlmeta.names().map((n) => [n, jsonForm(s.vlmeta.get(n)!)])),
  };
}

describe.skipIf(!py.ok)('live cross-check with python-blosc2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-frames-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`python-blosc2 reads ${N} random super-chunks written by blosc-ts`, () => {
    const expected = new Map<string, { data: Uint8Array; desc: PyDescription }>();
    for (let i = 0; i < N; i++) {
      const { schunk, data } = randomSChunk(1000 + i);
      const name = `ts${String(i).padStart(3, '0')}.b2frame`;
      writeFileSync(join(dir, name), schunk.toFrame());
      const desc = describeOurs(schunk);
      expect(desc.sha256, `${name} reads back its own data`).toBe(sha256(data));
      expected.set(name, { data, desc });
    }
    const filled: [string, 'zeros' | 'nan' | 'uninit', number][] = [['fill-zeros', 'zeros', 4], ['fill-nan', 'nan', 8], ['fill-nan4', 'nan', 4]];
    for (const [base, kind, ts] of filled) {
      const s = new SChunk({ chunksize: 96 * ts, typesize: ts });
      s.fillSpecial(1000, kind);
      s.vlmeta.set('kind', kind);
      const name = `${base}.b2frame`;
      writeFileSync(join(dir, name), s.toFrame());
      expected.set(name, { data: s.getSlice(), desc: describeOurs(s) });
    }
    const got = JSON.parse(runPython([SCRIPT, 'read', dir])) as Record<string, { open?: PyDescription; fromCframe?: PyDescription; error?: string }>;
    for (const [name, { desc }] of expected) {
      const g = got[name]!;
      expect(g.error, name).toBeUndefined();
      const want = { ...desc, chunksize: desc.nchunks === 0 ? g.open!.chunksize : desc.chunksize };
      expect(g.open, name).toEqual(want);
      expect(g.fromCframe, name).toEqual(want);
    }
  });

  it(`blosc-ts reads ${N} random super-chunks written by python-blosc2, and rewrites them byte for byte`, () => {
    const pyDir = join(dir, 'py');
    runPython(['-c', `import os; os.makedirs(${JSON.stringify(pyDir)}, exist_ok=True)`]);
    const written = JSON.parse(runPython([SCRIPT, 'write', pyDir, String(N), '77'])) as Record<
      string,
      { params: { codec: string; clevel: number; typesize: number; chunksize: number; filter: number; splitmode: number }; python: PyDescription }
    >;
    let identical = 0;
    let compared = 0;
    for (const [name, { params, python }] of Object.entries(written)) {
      const bytes = new Uint8Array(readFileSync(join(pyDir, name)));
      const s = SChunk.open(bytes);
      expect(describeOurs(s), name).toEqual(python);
      // Our own bytes: same frame rewritten from the opened super-chunk.
      expect(bytesEqual(s.toFrame(), bytes), `${name} reopened: ${firstDifference(s.toFrame(), bytes)}`).toBe(true);
      // zstd: no encoder registered here; zlib: our deflate makes valid streams but not zlib-ng's bytes.
      if (params.codec === 'zstd' || params.codec === 'zlib') continue;
      // Recompress the data with the same parameters (sticky blocksize as python's reused context).
      const r = new SChunk({ chunksize: params.chunksize, typesize: params.typesize, cparams: { ...s.compressOptions, nthreads: 1 } });
      for (const n of s.meta.names()) r.meta.add(n, s.meta.get(n)!);
      const data = s.getSlice();
      for (let p = 0; p < data.length; p += params.chunksize) r.append(data.subarray(p, Math.min(p + params.chunksize, data.length)));
      for (const n of s.vlmeta.names()) r.vlmeta.setChunk(n, s.vlmeta.getChunk(n)!);
      const ours = r.toFrame();
      compared++;
      if (bytesEqual(ours, bytes)) identical++;
      else expect.soft(false, `${name} ${JSON.stringify(params)}: ${firstDifference(ours, bytes)}`).toBe(true);
    }
    expect(compared).toBeGreaterThan(10);
    expect(identical).toBe(compared);
  });
});
