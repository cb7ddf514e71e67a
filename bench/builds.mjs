#!/usr/bin/env node
/**
 * Two builds of blosc-ts decoding the same chunks, alternating in one process: whether a
 * change to the read path costs anything measurable. The chunks are the decode section's
 * (bench/datasets.py: python-blosc and python-blosc2, SHUFFLE, clevel 5, 16 MiB); each is
 * decoded with `decompress(chunk, out)` into a preallocated output by this checkout's dist/
 * and by another build's dist/ (e.g. a worktree of an older commit built with
 * `npx tsc -p tsconfig.build.json`), timed in rounds of A B B A (see timePair).
 *
 * With --encode the two builds compress instead: each data set with LZ4 and BloscLZ (or
 * --codec) + SHUFFLE, clevel 5, as a Blosc1 and a Blosc2 chunk, by `compress(src, options)`
 * (a fresh output per call, as the compression section times it). Both builds' chunks must
 * be byte-identical to each other and to the chunk python-blosc / python-blosc2 wrote.
 *
 *   node bench/builds.mjs --other DIR [--label TEXT] [--this DIR] [--this-label TEXT]
 *                        [--encode] [--codec NAME] [--results FILE] [--no-write]
 *
 * DIR is the other build's dist directory (it holds index.js); --this replaces this
 * checkout's dist/ as the first build. With --results the section is
 * written into that file (bench/RESULTS.md by default) in place of its earlier copy.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadManifest, sameBytes } from './lib/data.mjs';
import { describeMachine } from './lib/machine.mjs';
import { printSection, writeSection } from './lib/section.mjs';
import { fmtMBps, fmtRatio, geomean } from './lib/table.mjs';
import { gcExposed, mbps } from './lib/timing.mjs';

/** Codecs --encode compresses with unless --codec names one. */
const ENCODE_PAIR_CODECS = ['lz4', 'blosclz'];

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');

function parseArgs(argv) {
  const o = { other: null, this: join(ROOT, 'dist'), thisLabel: null, label: null, results: join(BENCH, 'RESULTS.md'), write: true, codec: null, encode: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--other') o.other = resolve(argv[++i]);
    else if (a === '--label') o.label = argv[++i];
    else if (a === '--this') o.this = resolve(argv[++i]);
    else if (a === '--this-label') o.thisLabel = argv[++i];
    else if (a === '--results') o.results = resolve(argv[++i]);
    else if (a === '--no-write') o.write = false;
    else if (a === '--codec') o.codec = argv[++i];
    else if (a === '--encode') o.encode = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.other === null) throw new Error('usage: node bench/builds.mjs --other DIST_DIR [--label TEXT] [--results FILE] [--no-write]');
  return o;
}

/**
 * Time two calls in rounds of A B B A (so neither always runs first, after the other, or
 * right after a collection) until each has had `targetMs`; returns each one's median and
 * the median over rounds of (B's time ÷ A's time) in the same round, which drifting
 * background load affects least.
 */
function timePair(fnA, fnB, targetMs = 1500, warmupMs = 200) {
  for (const fn of [fnA, fnB]) {
    const t0 = performance.now();
    do fn(); while (performance.now() - t0 < warmupMs);
  }
  const gc = gcExposed() ? globalThis.gc : null;
  const a = [];
  const b = [];
  const ratios = [];
  let spent = 0;
  const time = (fn) => {
    if (gc !== null) gc();
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  };
  while (spent < 2 * targetMs || a.length < 10) {
    const a1 = time(fnA);
    const b1 = time(fnB);
    const b2 = time(fnB);
    const a2 = time(fnA);
    a.push(a1, a2);
    b.push(b1, b2);
    ratios.push((b1 + b2) / (a1 + a2));
    spent += a1 + a2 + b1 + b2;
    if (a.length >= 400) break;
  }
  const median = (x) => x.slice().sort((p, q) => p - q)[x.length >> 1];
  return { aMs: median(a), bMs: median(b), ratio: median(ratios) };
}

const opts = parseArgs(process.argv.slice(2));
const dataDir = join(BENCH, '.data');
if (!existsSync(join(dataDir, 'manifest.json'))) {
  const child = spawnSync('python3', [join(BENCH, 'datasets.py'), '--out', dataDir, '--no-native'], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error('bench/datasets.py failed: python3 with the packages of fixtures/requirements.txt is needed');
}
const { sets, chunks, referenceChunks } = loadManifest(dataDir);
const current = await import(pathToFileURL(join(opts.this, 'index.js')).href);
const other = await import(pathToFileURL(join(opts.other, 'index.js')).href);
const machine = describeMachine();
const loadStart = os.loadavg()[0];

const rows = [];
const ratiosByCodec = new Map();
const record = (set, codec, format, n, { aMs, bMs, ratio }) => {
  if (!ratiosByCodec.has(codec)) ratiosByCodec.set(codec, []);
  ratiosByCodec.get(codec).push(ratio);
  rows.push([set, codec, format, fmtMBps(mbps(n, aMs)), fmtMBps(mbps(n, bMs)), fmtRatio(ratio)]);
  process.stderr.write('.');
};
if (opts.encode) {
  const codecs = opts.codec !== null ? [opts.codec] : ENCODE_PAIR_CODECS;
  for (const set of sets.values()) {
    for (const codec of codecs) {
      for (const format of ['b1', 'b2']) {
        const options = { codec, clevel: 5, typesize: set.itemsize, shuffle: 'shuffle', format: format === 'b1' ? 'blosc1' : 'blosc2' };
        const reference = referenceChunks.find((c) => c.set === set.name && c.codec === codec && c.format === format) ?? null;
        const chunkA = current.compress(set.raw, options);
        const chunkB = other.compress(set.raw, options);
        if (!sameBytes(chunkA, chunkB)) throw new Error(`${set.name} ${codec} ${format}: the two builds write different chunks`);
        if (reference !== null && !sameBytes(chunkA, reference.bytes)) throw new Error(`${set.name} ${codec} ${format}: the chunk differs from the python-written one`);
        const raw = set.raw;
        record(set.name, codec, format, raw.length, timePair(() => current.compress(raw, options), () => other.compress(raw, options)));
      }
    }
  }
} else {
  for (const c of chunks) {
    if (opts.codec !== null && c.codec !== opts.codec) continue;
    const raw = sets.get(c.set).raw;
    const outA = new Uint8Array(raw.length);
    const outB = new Uint8Array(raw.length);
    current.decompress(c.bytes, outA);
    other.decompress(c.bytes, outB);
    if (!sameBytes(outA, raw) || !sameBytes(outB, raw)) throw new Error(`${c.set} ${c.codec} ${c.format}: a build decodes wrongly`);
    // One output for both timed calls: two buffers can differ in speed by themselves
    // (transparent huge pages back one and not the other), which would show as a build's.
    record(c.set, c.codec, c.format, raw.length, timePair(() => current.decompress(c.bytes, outA), () => other.decompress(c.bytes, outA)));
  }
}
process.stderr.write('\n');
const all = [...ratiosByCodec.values()].flat();
for (const [codec, list] of ratiosByCodec) rows.push([`**geomean**`, `**${codec}**`, '', '', '', fmtRatio(geomean(list))]);
rows.push(['**geomean**', '**all**', '', '', '', fmtRatio(geomean(all))]);
const loadEnd = os.loadavg()[0];

const label = opts.label ?? opts.other;
const worst = Math.min(...all);
const section = {
  title: opts.encode ? 'Two builds: chunk compression' : 'Two builds: chunk decoding',
  description: (opts.encode
    ? `MB/s of uncompressed bytes, single thread, \`compress(src, options)\` (a fresh output per call), the bench data sets (16 MiB, SHUFFLE, clevel 5, typesize = item size) as Blosc1 (b1) and Blosc2 (b2) chunks; both builds' chunks byte-identical to each other and to python-blosc's / python-blosc2's. `
    : `MB/s of decoded bytes, single thread, \`decompress(chunk, out)\` into a preallocated output, the decode section's chunks (16 MiB, SHUFFLE, clevel 5; b1 written by python-blosc, b2 by python-blosc2). `) +
    `"this build" is ${opts.thisLabel ?? "this checkout's dist/"}, "other build" is ${label}; the two are timed in one process in rounds of A B B A; MB/s from each one's median, this ÷ other the median over rounds of the other's time over this one's (> 1: this build is faster).`,
  tables: [{
    columns: [
      { title: 'set', align: 'left' }, { title: 'codec', align: 'left' }, { title: 'chunk', align: 'left' },
      { title: 'this build' }, { title: 'other build' }, { title: 'this ÷ other' },
    ],
    rows,
  }],
  targets: [{ name: 'this build ≥ the other within the machine\'s noise (geomean ≥ 0.95×)', value: `geomean ${fmtRatio(geomean(all))}, worst row ${fmtRatio(worst)}`, pass: geomean(all) >= 0.95 }],
  notes: [],
};
printSection(section, machine, loadStart, loadEnd);
if (opts.write) {
  writeSection(opts.results, section, machine, `\`node bench/builds.mjs${opts.encode ? ' --encode' : ''}${opts.thisLabel ? ` --this ${opts.thisLabel}` : ''} --other ${label}\`; 1-minute load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end.`);
}
