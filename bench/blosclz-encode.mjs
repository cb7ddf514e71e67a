#!/usr/bin/env node
/**
 * BloscLZ + SHUFFLE compression of the compression section's data sets (bench/datasets.py,
 * 16 MiB, clevel 5, typesize = item size) as Blosc1 chunks, blosc-ts against c-blosc 1.21
 * (python-blosc `blosc.compress(..., cname='blosclz')`, nthreads 1) in CPU time, the two
 * sides alternating in rounds as in bench/cpu-ratio.mjs: c-blosc timed with
 * `time.thread_time()` in a Python process kept alive for the run, blosc-ts
 * `compress(src, { format: 'blosc1', ... })` with `process.cpuUsage()`. The ratio is the
 * median over rounds of the ratio within a round. Every build's chunk must equal
 * python-blosc's byte for byte (the reference chunk in bench/.data).
 *
 *   node bench/blosclz-encode.mjs [--rounds 11] [--calls 5] [--lib dist/index.js] [--other DIR/index.js]
 *                                 [--codec blosclz] [--set NAME]
 *
 * With --other a second build (e.g. the branch point's dist/) is timed in the same rounds and
 * gets its own column. Prints a table (no file is written).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadManifest, sameBytes } from './lib/data.mjs';
import { describeMachine, machineLine } from './lib/machine.mjs';
import { fmtRatio, geomean } from './lib/table.mjs';
import { ensureExposedGc } from './lib/timing.mjs';
import { cpuMs, loadBuilds, median, pythonRounds } from './lib/cpu-rounds.mjs';

ensureExposedGc();

const BENCH = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    codec: { type: 'string', default: 'blosclz' },
    set: { type: 'string' },
    rounds: { type: 'string', default: '11' },
    calls: { type: 'string', default: '5' },
    lib: { type: 'string', default: join(BENCH, '..', 'dist', 'index.js') },
    python: { type: 'string', default: 'python3' },
    other: { type: 'string' },
  },
});
const rounds = Number(opts.rounds);
const calls = Number(opts.calls);
const CLEVEL = 5;
const dataDir = join(BENCH, '.data');
const { sets, chunks } = loadManifest(dataDir);
const libs = await loadBuilds(opts.lib, opts.other);
const other = libs.length > 1 ? libs[1] : null;

// The Python side: `<file> <typesize>` on stdin compresses that data set `calls` times and
// answers with the median CPU seconds per call.
const PY = `
import sys, time, statistics, blosc
blosc.set_nthreads(1)
cache = {}
for line in sys.stdin:
    path, typesize = line.split()
    if path not in cache:
        cache[path] = open(path, 'rb').read()
    raw = cache[path]
    blosc.compress(raw, typesize=int(typesize), clevel=${CLEVEL}, shuffle=blosc.SHUFFLE, cname='${opts.codec}')
    ts = []
    for _ in range(${calls}):
        t0 = time.thread_time()
        blosc.compress(raw, typesize=int(typesize), clevel=${CLEVEL}, shuffle=blosc.SHUFFLE, cname='${opts.codec}')
        ts.append(time.thread_time() - t0)
    print(statistics.median(ts), flush=True)
`;
const ask = pythonRounds(opts.python, PY);
const native = (path, typesize) => ask(`${path} ${typesize}`);

const loadStart = os.loadavg()[0];
const rows = [];
const ratios = libs.map(() => []);
for (const c of chunks) {
  if (c.codec !== opts.codec || c.format !== 'b1') continue;
  if (opts.set !== undefined && c.set !== opts.set) continue;
  const set = sets.get(c.set);
  const raw = set.raw;
  const options = { codec: opts.codec, clevel: CLEVEL, typesize: set.itemsize, shuffle: 'shuffle', format: 'blosc1' };
  for (const l of libs) {
    if (!sameBytes(l.compress(raw, options), c.bytes)) throw new Error(`${c.set} ${c.codec} b1: a blosc-ts build's chunk differs from python-blosc's`);
  }
  const path = join(dataDir, `${c.set}.bin`);
  const perRound = libs.map(() => []);
  const ts = libs.map(() => []);
  const cs = [];
  for (let r = 0; r < rounds; r++) {
    const cMs = (await native(path, set.itemsize)) * 1000;
    cs.push(cMs);
    libs.forEach((l, k) => {
      const mine = [];
      for (let i = 0; i <= calls; i++) {
        globalThis.gc?.();
        const t0 = cpuMs();
        l.compress(raw, options);
        if (i > 0) mine.push(cpuMs() - t0);
      }
      const tMs = median(mine);
      ts[k].push(tMs);
      perRound[k].push(cMs / tMs);
    });
  }
  const mbps = (ms) => (raw.length / ms / 1000).toFixed(0);
  const cells = [c.set, c.codec, mbps(median(cs))];
  libs.forEach((_, k) => {
    const ratio = median(perRound[k]);
    ratios[k].push(ratio);
    cells.push(mbps(median(ts[k])), fmtRatio(ratio));
  });
  rows.push(`| ${cells.join(' | ')} |`);
  process.stderr.write('.');
}
ask.close();
process.stderr.write('\n');
const loadEnd = os.loadavg()[0];
const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH, encoding: 'utf8' }).stdout.trim();
console.log(`**Machine:** ${machineLine(describeMachine({ 'blosc-ts': `git ${git}` }))}\n`);
console.log(`\`node bench/blosclz-encode.mjs --codec ${opts.codec} --rounds ${rounds} --calls ${calls}${other === null ? '' : ` --other ${opts.other}`}\`; 1-minute load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end.\n`);
const names = other === null ? ['blosc-ts'] : ['blosc-ts', 'other build'];
console.log(`| set | codec | c-blosc MB/s of CPU time | ${names.map((n) => `${n} MB/s of CPU time | ${n} ÷ c-blosc`).join(' | ')} |`);
console.log(`|:---|:---|---:|${names.map(() => '---:|---:').join('|')}|`);
for (const r of rows) console.log(r);
console.log(`| **geomean** | **${opts.codec}** |  | ${ratios.map((x) => ` | ${fmtRatio(geomean(x))}`).join(' | ')} |`);
