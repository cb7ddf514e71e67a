#!/usr/bin/env node
/**
 * LZ4HC compression alone: each data set (bench/datasets.py, 16 MiB) as a Blosc2 chunk with
 * LZ4HC + SHUFFLE at clevels 5 and 9, by this checkout's dist/ (`compress`, a fresh output
 * per call), the chunk compared byte for byte with the one python-blosc2 wrote, its speed
 * divided by c-blosc2's (nthreads 1) from native.json, or measured in this run with --native
 * (python-blosc2 `compress2`, nthreads 1, right before ours).
 *
 *   node bench/lz4hc.mjs [--native] [--wasm off] [--sets a,b] [--levels 5,9] [--ms N] [--other DIST]
 *
 * With --other, another build's dist/ (e.g. an older commit built with
 * `npx tsc -p tsconfig.build.json`) compresses the same sets in alternation (rounds of
 * A B B A) and the line ends with this build ÷ that one; both must write the same chunk.
 *
 * Times are CPU times (`process.cpuUsage()` here, `time.thread_time()` in Python): on a
 * shared machine wall time moves with other processes' load (see bench/cpu-ratio.mjs).
 * A quick check for work on src/codecs/lz4hc-compress*.ts; the section of record is
 * bench/codecs.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
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
const otherDir = opt('--other', null);
const other = otherDir === null ? null : await import(pathToFileURL(join(otherDir, 'index.js')).href);

/** Medians of a and b timed in rounds of A B B A for targetMs, and the median per-round b/a. */
function timePair(a, b) {
  const ta = [], tb = [], r = [];
  const t0 = performance.now();
  while (performance.now() - t0 < 2 * targetMs || r.length < 3) {
    const t1 = cpuMs(); a(); const t2 = cpuMs(); b(); b(); const t4 = cpuMs(); a(); const t5 = cpuMs();
    const ma = (t2 - t1 + t5 - t4) / 2, mb = (t4 - t2) / 2;
    ta.push(ma); tb.push(mb); r.push(mb / ma);
  }
  const med = (x) => x.sort((p, q) => p - q)[x.length >> 1];
  return { aMs: med(ta), bMs: med(tb), ratio: med(r) };
}
const pairRatios = new Map();

/** Milliseconds of this process's CPU time (user + system). */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

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
    a = time.thread_time(); blosc2.compress2(raw, **kw); ts.append(time.thread_time() - a)
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
    // python-blosc2's chunk, where bench/datasets.py wrote one (clevels 5 and 9).
    const refPath = join(DATA, `${set.name}.lz4hc.c${clevel}.shuffle.b2.bin`);
    const ref = existsSync(refPath) ? new Uint8Array(readFileSync(refPath)) : null;
    const chunk = mod.compress(raw, options);
    const same = ref === null ? null : chunk.length === ref.length && chunk.every((b, i) => b === ref[i]);
    if (other !== null) {
      const otherChunk = other.compress(raw, options);
      if (otherChunk.length !== chunk.length || !otherChunk.every((b, i) => b === chunk[i])) throw new Error(`${set.name} clevel ${clevel}: the builds differ`);
      const { aMs, bMs, ratio } = timePair(() => mod.compress(raw, options), () => other.compress(raw, options));
      if (!pairRatios.has(clevel)) pairRatios.set(clevel, []);
      pairRatios.get(clevel).push(ratio);
      console.log(`clevel ${clevel} ${set.name.padEnd(12)} same ${same === null ? '-  ' : same ? 'yes' : 'NO '}  this ${(raw.length / aMs / 1e3).toFixed(1).padStart(7)} MB/s  other ${(raw.length / bMs / 1e3).toFixed(1).padStart(7)} MB/s  ${ratio.toFixed(2)}x`);
      continue;
    }
    const c = nativeSpeed(set, clevel);
    const times = [];
    const t0 = performance.now();
    while (performance.now() - t0 < targetMs || times.length < 5) {
      const a = cpuMs();
      mod.compress(raw, options);
      times.push(cpuMs() - a);
    }
    times.sort((x, y) => x - y);
    const ours = raw.length / (times[times.length >> 1] / 1000) / 1e6;
    const r = c === null ? null : ours / c;
    if (!ratios.has(clevel)) ratios.set(clevel, []);
    if (r !== null) ratios.get(clevel).push(r);
    console.log(`clevel ${clevel} ${set.name.padEnd(12)} same ${same === null ? '-  ' : same ? 'yes' : 'NO '}  blosc-ts ${ours.toFixed(1).padStart(7)} MB/s  c-blosc2 ${c === null ? '-' : c.toFixed(1).padStart(7)} MB/s  ${r === null ? '' : r.toFixed(2) + 'x'}`);
  }
}
for (const [clevel, rs] of pairRatios) {
  const g = Math.exp(rs.reduce((s, x) => s + Math.log(x), 0) / rs.length);
  console.log(`clevel ${clevel} geomean this ÷ other ${g.toFixed(2)}x`);
}
for (const [clevel, rs] of ratios) {
  const g = Math.exp(rs.reduce((s, x) => s + Math.log(x), 0) / rs.length);
  console.log(`clevel ${clevel} geomean ${g.toFixed(2)}x (${native ? 'same run' : 'native.json'})`);
}
