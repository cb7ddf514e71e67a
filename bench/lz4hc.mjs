#!/usr/bin/env node
/**
 * LZ4HC compression alone: each data set (bench/datasets.py, 16 MiB) as a Blosc2 chunk with
 * LZ4HC + SHUFFLE at clevels 5 and 9, by this checkout's dist/ (`compress`, a fresh output
 * per call), the chunk compared byte for byte with the one python-blosc2 wrote, its speed
 * divided by c-blosc2's (nthreads 1) from native.json, or measured in this run with --native
 * (python-blosc2 `compress2`, nthreads 1, right before ours).
 *
 *   node bench/lz4hc.mjs [--native] [--wasm off] [--sets a,b] [--levels 5,9] [--ms N]
 *
 * A quick check for work on src/codecs/lz4hc-compress*.ts; the section of record is
 * bench/codecs.mjs.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const DATA = join(BENCH, '.data');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const levels = opt('--levels', '5,9').split(',').map(Number);
const targetMs = Number(opt('--ms', '1500'));
const native = args.includes('--native');
const mod = await import(pathToFileURL(join(BENCH, '..', 'dist', 'index.js')).href);
if (opt('--wasm', 'on') === 'off') {
  const w = await import(pathToFileURL(join(BENCH, '..', 'dist', 'codecs', 'lz4hc-compress-wasm.js')).href).catch(() => null);
  if (w !== null) w.setLz4hcWasmEnabled(false);
}
const manifest = JSON.parse(readFileSync(join(DATA, 'manifest.json'), 'utf8'));
const nativeJson = JSON.parse(readFileSync(join(DATA, 'native.json'), 'utf8'));
const wanted = opt('--sets', null)?.split(',') ?? null;

function nativeSpeed(set, clevel) {
  if (!native) {
    const row = nativeJson.codec_encode.find((r) => r.set === set.name && r.codec === 'lz4hc' && r.clevel === clevel);
    return row === undefined ? null : row.mbps;
  }
  const py = `
import blosc2, numpy as np, time, sys
raw = open(sys.argv[1], 'rb').read()
kw = dict(typesize=${set.itemsize}, clevel=${clevel}, filter=blosc2.Filter.SHUFFLE, codec=blosc2.Codec.LZ4HC, nthreads=1)
blosc2.set_nthreads(1)
blosc2.compress2(raw, **kw)
ts = []
t0 = time.perf_counter()
while time.perf_counter() - t0 < ${targetMs / 1000} or len(ts) < 5:
    a = time.perf_counter(); blosc2.compress2(raw, **kw); ts.append(time.perf_counter() - a)
ts.sort(); print(len(raw) / ts[len(ts) // 2] / 1e6)
`;
  const r = spawnSync('python3', ['-c', py, join(DATA, set.file)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

const ratios = new Map();
for (const set of manifest.sets) {
  if (wanted !== null && !wanted.includes(set.name)) continue;
  const raw = new Uint8Array(readFileSync(join(DATA, set.file)));
  for (const clevel of levels) {
    const options = { codec: 'lz4hc', clevel, typesize: set.itemsize, shuffle: 'shuffle', format: 'blosc2' };
    const ref = new Uint8Array(readFileSync(join(DATA, `${set.name}.lz4hc.c${clevel}.shuffle.b2.bin`)));
    const chunk = mod.compress(raw, options);
    const same = chunk.length === ref.length && chunk.every((b, i) => b === ref[i]);
    const c = nativeSpeed(set, clevel);
    const times = [];
    const t0 = performance.now();
    while (performance.now() - t0 < targetMs || times.length < 5) {
      const a = performance.now();
      mod.compress(raw, options);
      times.push(performance.now() - a);
    }
    times.sort((x, y) => x - y);
    const ours = raw.length / (times[times.length >> 1] / 1000) / 1e6;
    const r = c === null ? null : ours / c;
    if (!ratios.has(clevel)) ratios.set(clevel, []);
    if (r !== null) ratios.get(clevel).push(r);
    console.log(`clevel ${clevel} ${set.name.padEnd(12)} same ${same ? 'yes' : 'NO '}  blosc-ts ${ours.toFixed(1).padStart(7)} MB/s  c-blosc2 ${c === null ? '-' : c.toFixed(1).padStart(7)} MB/s  ${r === null ? '' : r.toFixed(2) + 'x'}`);
  }
}
for (const [clevel, rs] of ratios) {
  const g = Math.exp(rs.reduce((s, x) => s + Math.log(x), 0) / rs.length);
  console.log(`clevel ${clevel} geomean ${g.toFixed(2)}x (${native ? 'same run' : 'native.json'})`);
}
