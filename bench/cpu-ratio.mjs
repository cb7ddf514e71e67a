#!/usr/bin/env node
/**
 * blosc-ts against c-blosc2 on the decode section's chunks, in CPU time rather than wall
 * time: on a shared machine whose other processes come and go, wall-clock rows measured a
 * minute apart (bench/datasets.py times the native side before the JavaScript rows) can
 * differ by 2x from load alone. Here both sides run in rounds, one after the other, and
 * each call is charged only the CPU time its process spent: c-blosc2 through
 * python-blosc2 `decompress2(chunk, dst=..., nthreads=1)` timed with `time.thread_time()`
 * in a Python process kept alive for the run, blosc-ts `decompress(chunk, out)` timed with
 * `process.cpuUsage()` (the whole process: V8's helper threads count against blosc-ts).
 * CPU time still moves with cache and memory contention, so the ratio is the median over
 * rounds of the ratio within a round.
 *
 *   node bench/cpu-ratio.mjs [--codec zstd] [--rounds 15] [--calls 5] [--lib dist/index.js] [--other DIR/index.js]
 *                            [--native-pages huge|4k]
 *
 * With --other, a second build of blosc-ts (e.g. an older commit's dist/) is timed in the
 * same rounds, after the first, and gets its own column: before and after against the same
 * native calls.
 *
 * --native-pages: numpy backs large arrays with transparent huge pages where the kernel
 * allows them on request (THP "madvise", numpy's default `_set_madvise_hugepage(True)`), so
 * c-blosc2 writes its output through 2 MiB pages while blosc-ts writes a Node buffer of
 * 4 KiB pages; on this machine that alone makes c-blosc2 1.08-1.32x faster on these chunks.
 * `4k` gives the native side a buffer of ordinary pages too; `huge` (the default) keeps
 * numpy's choice, as the decode section measures it.
 *
 * Prints a table (no file is written); needs bench/.data (bench/datasets.py) and python3
 * with python-blosc2.
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
    codec: { type: 'string', default: 'zstd' },
    rounds: { type: 'string', default: '15' },
    calls: { type: 'string', default: '5' },
    lib: { type: 'string', default: join(BENCH, '..', 'dist', 'index.js') },
    python: { type: 'string', default: 'python3' },
    other: { type: 'string' },
    'native-pages': { type: 'string', default: 'huge' },
  },
});
if (opts['native-pages'] !== 'huge' && opts['native-pages'] !== '4k') throw new Error('--native-pages is huge or 4k');
const rounds = Number(opts.rounds);
const calls = Number(opts.calls);
const dataDir = join(BENCH, '.data');
const { sets, chunks } = loadManifest(dataDir);
const libs = await loadBuilds(opts.lib, opts.other);
const other = libs.length > 1 ? libs[1] : null;

// The Python side: `<file>` on stdin decodes that chunk `calls` times into one
// preallocated array and answers with the median CPU seconds per call.
const PY = `
import sys, time, statistics, numpy as np, blosc2
blosc2.set_nthreads(1)
np._core.multiarray._set_madvise_hugepage(${opts['native-pages'] === 'huge' ? 'True' : 'False'})
dst = np.empty(${16 << 20}, dtype=np.uint8)
cache = {}
for line in sys.stdin:
    path = line.strip()
    if path not in cache:
        cache[path] = open(path, 'rb').read()
    c = cache[path]
    blosc2.decompress2(c, dst=dst, nthreads=1)
    ts = []
    for _ in range(${calls}):
        t0 = time.thread_time()
        blosc2.decompress2(c, dst=dst, nthreads=1)
        ts.append(time.thread_time() - t0)
    print(statistics.median(ts), flush=True)
`;
const ask = pythonRounds(opts.python, PY);
const native = (path) => ask(`${path}`);

const loadStart = os.loadavg()[0];
const rows = [];
const ratios = libs.map(() => []);
for (const c of chunks) {
  if (c.codec !== opts.codec) continue;
  const raw = sets.get(c.set).raw;
  const out = new Uint8Array(raw.length);
  for (const l of libs) {
    out.fill(0);
    l.decompress(c.bytes, out);
    if (!sameBytes(out, raw)) throw new Error(`${c.set} ${c.codec} ${c.format}: a blosc-ts build decodes wrongly`);
  }
  const path = join(dataDir, `${c.set}.${c.codec}.shuffle.${c.format}.bin`);
  const perRound = libs.map(() => []);
  const ts = libs.map(() => []);
  const cs = [];
  for (let r = 0; r < rounds; r++) {
    const cMs = (await native(path)) * 1000;
    cs.push(cMs);
    libs.forEach((l, k) => {
      const mine = [];
      for (let i = 0; i <= calls; i++) {
        globalThis.gc?.();
        const t0 = cpuMs();
        l.decompress(c.bytes, out);
        if (i > 0) mine.push(cpuMs() - t0);
      }
      const tMs = median(mine);
      ts[k].push(tMs);
      perRound[k].push(cMs / tMs);
    });
  }
  const mbps = (ms) => (raw.length / ms / 1000).toFixed(0);
  const cells = [c.set, c.codec, c.format, mbps(median(cs))];
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
console.log(`\`node bench/cpu-ratio.mjs --codec ${opts.codec} --rounds ${rounds} --calls ${calls}${other === null ? '' : ` --other ${opts.other}`} --native-pages ${opts['native-pages']}\`; 1-minute load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end.\n`);
const names = other === null ? ['blosc-ts'] : ['blosc-ts', 'other build'];
console.log(`| set | codec | chunk | c-blosc2 MB/s of CPU time | ${names.map((n) => `${n} MB/s of CPU time | ${n} ÷ c-blosc2`).join(' | ')} |`);
console.log(`|:---|:---|:---|---:|${names.map(() => '---:|---:').join('|')}|`);
for (const r of rows) console.log(r);
console.log(`| **geomean** | **${opts.codec}** |  |  | ${ratios.map((x) => ` | ${fmtRatio(geomean(x))}`).join(' | ')} |`);
