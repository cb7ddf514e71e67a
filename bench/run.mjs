/**
 * `npm run bench`: builds the inputs (bench/datasets.py, which also times native C-Blosc
 * decoding and compression for the sections that read native.json), then times blosc-ts,
 * numcodecs.js (WASM) and memory bandwidth in this process (the decode section with native
 * C-Blosc in the same rounds, bench/decode.py), prints the tables and writes bench/RESULTS.md.
 *
 * Usage: node bench/run.mjs [--target-ms N] [--no-native] [--python CMD] [--data DIR] [--lib PATH]
 *                           [--results PATH | --no-write] [--only SECTIONS]
 *   --target-ms   time spent per measurement (default 500; at least 5 repeats)
 *   --no-native   skip the native timing (datasets.py, and the decode section's bench/decode.py)
 *   --python      Python interpreter (default: python3)
 *   --data        where data sets, chunks and native.json go (default bench/.data)
 *   --lib         module to benchmark instead of dist/index.js (its shuffle kernels are
 *                 looked up in shuffle/index.js next to it)
 *   --results     where to write the Markdown results (default bench/RESULTS.md)
 *   --no-write    print only
 *   --only        comma-separated sections to run: decode, encode, kernels, codecs, ndarray, threads, zarr, tuning, inspector (default all)
 *   --tuning-mib  MiB per data kind in the tuning section (default 16)
 *
 * Each section (decode.mjs, encode.mjs, kernels.mjs, codecs.mjs) returns { title, description, tables,
 * targets, notes }; a new section (codec-level rows) plugs in the same way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { parseArgs } from 'node:util';

import { ensureExposedGc, gcExposed, mbps, timeSync, DEFAULT_TIMING } from './lib/timing.mjs';
import { describeMachine, machineLine } from './lib/machine.mjs';
import { formatMarkdown, formatText, fmtMBps } from './lib/table.mjs';
import { updateTargets, verdict, writeSection } from './lib/section.mjs';
import { NBYTES, prepareData } from './lib/data.mjs';
import { runDecodeSection } from './decode.mjs';
import { runEncodeSection } from './encode.mjs';
import { runKernelSection } from './kernels.mjs';
import { runCodecSection } from './codecs.mjs';
import { runNdarraySection } from './ndarray.mjs';
import { runThreadsSection } from './threads.mjs';
import { runTuningSection } from './tuning.mjs';

ensureExposedGc();

/** The Python packages whose chunks the project must read byte for byte. */
const PINNED_WRITERS = Object.freeze({ 'python-blosc': '1.11.4', 'python-blosc2': '4.14.1' });

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');

const { values: opts } = parseArgs({
  options: {
    'target-ms': { type: 'string', default: String(DEFAULT_TIMING.targetMs) },
    'no-native': { type: 'boolean', default: false },
    python: { type: 'string', default: 'python3' },
    data: { type: 'string', default: join(benchDir, '.data') },
    lib: { type: 'string', default: join(rootDir, 'dist', 'index.js') },
    results: { type: 'string', default: join(benchDir, 'RESULTS.md') },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string', default: 'decode,encode,kernels,codecs,ndarray,threads,zarr,tuning,inspector' },
    'tuning-mib': { type: 'string', default: '16' },
  },
});

const log = (line) => console.error(line);
const timing = { ...DEFAULT_TIMING, targetMs: Number(opts['target-ms']) };
const SECTION_NAMES = ['decode', 'encode', 'kernels', 'codecs', 'ndarray', 'threads', 'zarr', 'tuning', 'inspector'];
const only = new Set(opts.only.split(',').map((s) => s.trim()).filter((s) => s !== ''));
for (const name of only) if (!SECTION_NAMES.includes(name)) throw new Error(`--only: unknown section ${name} (${SECTION_NAMES.join(', ')})`);
if (!(timing.targetMs > 0)) throw new Error(`--target-ms must be a positive number, got ${opts['target-ms']}`);
const startedAt = Date.now();
const loadAtStart = os.loadavg()[0];
const notes = [];

async function importOptional(specifier, what) {
  try {
    return await import(specifier);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    notes.push(`${what} not available (${reason}).`);
    log(`! ${notes[notes.length - 1]}`);
    return null;
  }
}

/** The commit measured, and whether src/ differed from it. */
function gitDescription() {
  const git = (...args) => spawnSync('git', ['-C', rootDir, ...args], { encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return null;
  const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== '';
  return `git ${head.stdout.trim()}${dirty ? ' + uncommitted src/ changes' : ''}`;
}

function packageVersion(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

// --- what is being compared -------------------------------------------------------------
const gitAtStart = gitDescription();
const libPath = resolve(opts.lib);
let lib = null;
if (existsSync(libPath)) {
  const mod = await importOptional(pathToFileURL(libPath).href, `blosc-ts (${libPath})`);
  if (mod !== null && typeof mod.decompress === 'function') {
    lib = {
      decompress: mod.decompress,
      chunkInfo: typeof mod.chunkInfo === 'function' ? mod.chunkInfo : undefined,
      compress: typeof mod.compress === 'function' ? mod.compress : undefined,
    };
  } else if (mod !== null) {
    notes.push(`${libPath} does not export decompress(): no blosc-ts rows.`);
  }
} else {
  notes.push(`${libPath} does not exist (run \`npm run build\`): no blosc-ts rows.`);
  log(`! ${notes[notes.length - 1]}`);
}
const shufflePath = join(dirname(libPath), 'shuffle', 'index.js');
const shuffleModule = existsSync(shufflePath) ? await importOptional(pathToFileURL(shufflePath).href, 'blosc-ts shuffle kernels') : null;
const numcodecsModule = await importOptional('numcodecs/blosc', 'numcodecs.js Blosc (WASM)');
const Blosc = numcodecsModule?.default ?? null;

// --- inputs, native anchors ---------------------------------------------------------------
const data = await prepareData({
  benchDir,
  dataDir: resolve(opts.data),
  python: opts.python,
  native: !opts['no-native'],
  targetSeconds: timing.targetMs / 1000,
  Blosc,
  log,
});
notes.push(...data.notes);
if (opts['no-native']) notes.push('Native rows skipped (--no-native).');
for (const [name, pinned] of Object.entries(PINNED_WRITERS)) {
  const found = data.versions[name];
  if (found !== undefined && found !== pinned) notes.push(`Chunks written by ${name} ${found}, not the pinned ${pinned}.`);
}

// --- memory bandwidth ----------------------------------------------------------------------
const copySrc = data.sets.values().next().value.raw;
const copyDst = new Uint8Array(NBYTES);
const setTime = timeSync(() => copyDst.set(copySrc), timing);
const setMBps = mbps(NBYTES, setTime.medianMs);
log(`  Uint8Array.prototype.set 16 MiB: ${fmtMBps(setMBps)} MB/s`);

// --- sections ------------------------------------------------------------------------------
const sections = [];
if (only.has('decode')) {
  sections.push(await runDecodeSection({ data, lib, Blosc, setMBps, timing, log, python: opts.python, native: !opts['no-native'], dataDir: resolve(opts.data) }));
}
if (only.has('encode')) sections.push(await runEncodeSection({ data, lib, Blosc, timing, log }));
if (only.has('kernels')) sections.push(await runKernelSection({ shuffleModule, setMBps, timing, log }));
if (only.has('codecs')) {
  sections.push(await runCodecSection({ data, libPath: lib === null ? null : libPath, dataDir: resolve(opts.data), Blosc, timing, log }));
}
if (only.has('ndarray')) {
  sections.push(
    await runNdarraySection({ libPath: lib === null ? null : libPath, dataDir: resolve(opts.data), python: opts.python, native: !opts['no-native'], timing, log }),
  );
}

if (only.has('threads')) {
  sections.push(await runThreadsSection({ libPath: lib === null ? null : libPath, timing, log, python: opts.python, native: !opts['no-native'] }));
}
if (only.has('zarr')) sections.push(await (await import('./zarr.mjs')).runZarrSection({ libPath: lib === null ? null : libPath, timing, log }));

if (only.has('tuning')) {
  sections.push(await runTuningSection({ libPath: lib === null ? null : libPath, dataDir: resolve(opts.data), python: opts.python, native: !opts['no-native'], nbytes: Math.round(Number(opts['tuning-mib']) * 2 ** 20 / 8) * 8, log }));
}
if (only.has('inspector')) {
  sections.push(await (await import('./inspector.mjs')).runInspectorSection({ libPath: lib === null ? null : libPath, dataDir: resolve(opts.data), timing, log }));
}

// --- report --------------------------------------------------------------------------------
const libraries = {
  'blosc-ts': `${packageVersion(rootDir)}${gitAtStart === null ? '' : ` (${gitAtStart})`}`,
  'numcodecs.js': `${packageVersion(join(rootDir, 'node_modules', 'numcodecs'))} (WASM c-blosc 1.18.1)`,
};
for (const [name, version] of Object.entries(data.versions)) libraries[name] = version;
const machine = describeMachine(libraries);
const elapsed = (Date.now() - startedAt) / 1000;

const memoryRows = [['`Uint8Array.prototype.set`, 16 MiB (node)', fmtMBps(setMBps)]];
if (data.native?.memcpy) memoryRows.push([`${data.native.memcpy.impl} (python)`, fmtMBps(data.native.memcpy.mbps)]);
const memoryTable = { columns: [{ title: 'copy', align: 'left' }, { title: 'MB/s' }], rows: memoryRows };

const targets = sections.flatMap((s) => s.targets);
const targetTable = {
  columns: [{ title: 'target', align: 'left' }, { title: 'measured' }, { title: 'result', align: 'left' }],
  rows: targets.map((t) => [t.name, t.value, verdict(t)]),
};
const allNotes = [...notes, ...sections.flatMap((s) => s.notes)];

const method =
  `Timing: one warm-up call, then repeats until ${timing.targetMs} ms have been spent in the timed calls ` +
  `(at least ${timing.minReps}, at most ${timing.maxReps}; 3 when a single call exceeds that), median. ` +
  `Node ${gcExposed() ? 'ran with --expose-gc and collected before every timed call (outside the timed region)' : 'ran without --expose-gc'}. ` +
  'The decoders of one chunk (blosc-ts b1, blosc-ts b2, WASM, and the native c-blosc2 b1, c-blosc b1, c-blosc2 b2, ' +
  'each native call timed by a Python process kept alive for the section, bench/decode.py) are timed in alternation, one call each per round, ' +
  'so background load falls on them alike; so are the JS writers of one data set × codec (blosc-ts b1, b2, WASM), ' +
  'whose checking call is their warm-up (so at least 3 repeats). ' +
  'The other native rows (compression, codec level) are measured by bench/datasets.py with the same rule, just before the JS rows. ' +
  'Every decoder output is compared with the data set before it is timed, and every chunk a writer produces is decoded and compared. ' +
  `1-minute load average ${loadAtStart.toFixed(2)} at the start of the run, ${os.loadavg()[0].toFixed(2)} at the end: ` +
  `this benchmark accounts for about 1 of it; more means other processes competed for the ${machine.nproc} cores. ` +
  'Absolute numbers on a shared VM move by up to about ±30 % between runs; compare the ratios within one run.';

console.log(`\n${machineLine(machine)}\n`);
for (const section of sections) {
  console.log(`== ${section.title} ==`);
  for (const table of section.tables) console.log(`${formatText(table)}\n`);
}
console.log('== Memory bandwidth ==');
console.log(`${formatText(memoryTable)}\n`);
console.log('== Targets ==');
console.log(`${formatText(targetTable)}\n`);
for (const note of allNotes) console.log(`note: ${note}`);
console.log(`\n(${elapsed.toFixed(0)} s)`);

/** The `## ` sections of the results file at `path` whose titles are not in `titles`, as text. */
function sectionsNotIn(path, titles) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const parts = text.split(/\n(?=## )/).filter((part) => part.startsWith('## '));
  return parts
    .filter((part) => !titles.includes(part.slice(3, part.indexOf('\n') < 0 ? undefined : part.indexOf('\n')).trim()))
    .map((part) => part.replace(/\n+Run took \d+ s\.\n*$/, '').trimEnd());
}

const partial = SECTION_NAMES.some((name) => !only.has(name));
if (!opts['no-write'] && partial) {
  // Some sections only: each replaces its own section of the file, and its targets their
  // rows of the Targets table; the rest stays as the last whole run wrote it.
  const runLine =
    `This section alone was re-run by \`node bench/run.mjs --only ${[...only].join(',')}\` (${elapsed.toFixed(0)} s), not by the whole bench; ` +
    `its own machine line above. ${method}`;
  for (const section of sections) {
    writeSection(opts.results, section, machine, runLine);
    updateTargets(opts.results, section.targets, ` (re-run ${machine.date.slice(0, 10)})`);
  }
  log(`updated ${sections.length} section(s) of ${opts.results}`);
} else if (!opts['no-write']) {
  const md = [];
  md.push('# blosc-ts benchmark results', '');
  md.push('Written by `npm run bench` (bench/run.mjs). Do not edit by hand; rerun instead.', '');
  md.push(`**Machine:** ${machineLine(machine)}`, '');
  md.push(`**Method:** ${method}`, '');
  md.push('## Targets', '', formatMarkdown(targetTable), '');
  for (const section of sections) {
    md.push(`## ${section.title}`, '', section.description, '');
    for (const table of section.tables) md.push(formatMarkdown(table), '');
  }
  // Sections this run does not produce (those written by a script of their own, such as
  // bench/zarr.mjs, bench/frame-edit.mjs or the soak's summary) stay as they were.
  for (const kept of sectionsNotIn(opts.results, [...sections.map((x) => x.title), 'Targets', 'Memory bandwidth', 'Notes'])) md.push(kept, '');
  md.push('## Memory bandwidth', '', formatMarkdown(memoryTable), '');
  if (allNotes.length > 0) {
    md.push('## Notes', '');
    for (const note of allNotes) md.push(`- ${note}`);
    md.push('');
  }
  md.push(`Run took ${elapsed.toFixed(0)} s.`, '');
  writeFileSync(opts.results, md.join('\n'));
  log(`wrote ${opts.results}`);
}
