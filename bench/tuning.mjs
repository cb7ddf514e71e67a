/**
 * Section: how well `tune` chooses, on nine kinds of data made here (16 MiB each by
 * default), against an exhaustive grid and against BTune.
 *
 * - Grid (the reference): every codec (blosclz, lz4, lz4hc, zlib, zstd) × clevel 1–9 ×
 *   {none, shuffle, bitshuffle, shuffle+bytedelta} × block sizes {32, 128, 256 KiB} = 540
 *   configurations. On the whole 16 MiB that would take hours here (zstd clevel 9 runs at
 *   ~2 MB/s in pure JS), so the grid is measured on a reduced basis: GRID_WINDOWS windows
 *   of GRID_WINDOW bytes spread over the input (1 MiB in all), each configuration timed
 *   with `measure` (fastest of repeats up to 3 ms). The tuner's and BTune's picks are
 *   measured on the same basis in the same way, so all scores compare like with like.
 *   Goals 'speed' and 'balanced' (speeds decide): the grid's five best, the pick and BTune's
 *   are timed again in REFINE_ROUNDS interleaved rounds and the grid's best chosen on them;
 *   then the three rows compared are timed afresh in COMPARE_ROUNDS rounds (alternating
 *   order, fastest kept) and scored on those timings alone, so the grid's best is not
 *   credited with the luck that chose it.
 * - Tuner: `tune(data16MiB, { goal })` for speed, balanced and ratio (measured mode), timed.
 * - BTune: python-blosc2 3.12.2 + blosc2-btune 1.2.1 in a virtual environment made here
 *   (bench/.data/btune-venv, by pip), nthreads 1, tradeoff 0 / 0.5 / 1, perf BALANCED, on the
 *   same bytes in a super-chunk of 256 KiB chunks (bench/tuning_btune.py); its chosen
 *   codec, clevel, filter and split are measured by blosc-ts on the basis and scored by our
 *   formula. The row says so when it cannot run.
 * - Score: src/tuning/score.ts (BTune's time cost blended with the ratio by the tradeoff).
 *
 * Targets: goal 'ratio' ≥ 97 % of the grid's best ratio on every kind; 'speed' and
 * 'balanced' ≥ 90 % of the grid's best score and ≥ BTune's score; tuning time ≤ 5 % of the
 * grid's time and ≤ one compression of the whole input with python-blosc2's defaults (zstd
 * clevel 5, SHUFFLE) by blosc-ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { uniform } from './lib/data.mjs';
import { isMainScript, runSectionAlone } from './lib/section.mjs';
import { fmtRatio } from './lib/table.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

export const TUNING_KINDS = Object.freeze([
  'smooth_f8', 'sensor_f4', 'poisson_i4', 'anscombe_f8', 'indices_i8', 'mask_b1', 'image_u16', 'random_u1', 'timestamps_i8',
]);
const GRID_CODECS = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'];
const GRID_PIPELINES = ['none', 'shuffle', 'bitshuffle', 'bytedelta'];
const GRID_BLOCKS = [32 * 1024, 128 * 1024, 256 * 1024];
const GRID_WINDOWS = 4;
/** Largest basis window; the basis is 1/16 of the input (1 MiB of 16 MiB) in GRID_WINDOWS windows. */
const GRID_WINDOW = 256 * 1024;
const GOALS = ['speed', 'balanced', 'ratio'];
const BTUNE_TRADEOFF = { speed: 0, balanced: 0.5, ratio: 1 };
const REFINE_ROUNDS = 5;
/** Rounds in which the rows compared (grid's best, tuner's pick, BTune's) are timed afresh, after the grid's best is chosen. */
const COMPARE_ROUNDS = 11;

function gauss(r) {
  return Math.sqrt(-2 * Math.log(r() || 1e-300)) * Math.cos(2 * Math.PI * r());
}
function poisson(lambda, r) {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(r)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

/** The nine data kinds, `nbytes` each, as typed arrays (typesize = element size). */
export function makeTuningData(kind, nbytes) {
  const r = uniform(TUNING_KINDS.indexOf(kind) + 1);
  switch (kind) {
    case 'smooth_f8': {
      const a = new Float64Array(nbytes / 8);
      for (let i = 0; i < a.length; i++) a[i] = 1000 * Math.sin(i / 20000) + i * 1e-4;
      return a;
    }
    case 'sensor_f4': {
      const a = new Float32Array(nbytes / 4);
      for (let i = 0; i < a.length; i++) a[i] = 20 + 5 * Math.sin(i / 5000) + 0.05 * gauss(r);
      return a;
    }
    case 'poisson_i4': {
      const a = new Int32Array(nbytes / 4);
      for (let i = 0; i < a.length; i++) a[i] = poisson(20, r);
      return a;
    }
    case 'anscombe_f8': {
      // Photon frames (512 × 512, smooth illumination 2..200 photons), Anscombe-transformed in float64.
      const a = new Float64Array(nbytes / 8);
      for (let i = 0; i < a.length; i++) {
        const x = i % 512;
        const y = (i >> 9) % 512;
        const mean = 2 + 198 * (0.5 + 0.5 * Math.sin(x / 37) * Math.cos(y / 53));
        a[i] = 2 * Math.sqrt(poisson(mean, r) + 0.375);
      }
      return a;
    }
    case 'indices_i8': {
      const a = new BigInt64Array(nbytes / 8);
      let v = 0;
      for (let i = 0; i < a.length; i++) {
        v += 1 + Math.floor(r() * 8);
        a[i] = BigInt(v);
      }
      return a;
    }
    case 'mask_b1': {
      const a = new Uint8Array(nbytes);
      let bit = 0;
      for (let i = 0; i < a.length; i++) {
        if (r() < 0.01) bit ^= 1;
        a[i] = bit;
      }
      return a;
    }
    case 'image_u16': {
      const a = new Uint16Array(nbytes / 2);
      for (let i = 0; i < a.length; i++) {
        const x = i % 2048;
        const y = (i >> 11) % 2048;
        a[i] = Math.max(0, Math.min(4095, Math.round(2000 + 1500 * Math.sin(x / 300) * Math.cos(y / 200) + 20 * gauss(r))));
      }
      return a;
    }
    case 'random_u1': {
      const a = new Uint8Array(nbytes);
      for (let i = 0; i < a.length; i++) a[i] = (r() * 256) | 0;
      return a;
    }
    case 'timestamps_i8': {
      const a = new BigInt64Array(nbytes / 8);
      const t0 = 1_765_000_000_000_000_000n;
      for (let i = 0; i < a.length; i++) a[i] = t0 + BigInt(i) * 1_000_000n + BigInt(Math.floor(r() * 2000));
      return a;
    }
    default:
      throw new Error(`unknown data kind ${kind}`);
  }
}

function bytesOf(a) {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** python-blosc2 3.12.2 + blosc2-btune 1.2.1 in bench/.data/btune-venv: the interpreter, or a reason. */
function btuneInterpreter(dataDir, python, log) {
  const venv = join(dataDir, 'btune-venv');
  const py = join(venv, 'bin', 'python');
  const check = () => spawnSync(py, ['-c', 'import blosc2, blosc2_btune; print(blosc2.__version__, blosc2_btune.VERSION)'], { encoding: 'utf8' });
  if (existsSync(py) && check().stdout.trim() === '3.12.2 1.2.1') return { py, venv };
  log('  tuning: making the BTune virtual environment (python-blosc2 3.12.2, blosc2-btune 1.2.1) ...');
  mkdirSync(dataDir, { recursive: true });
  const mk = spawnSync(python, ['-m', 'venv', venv], { encoding: 'utf8' });
  if (mk.status !== 0) return { reason: `python -m venv failed: ${(mk.stderr || '').trim().split('\n').pop()}` };
  const pip = spawnSync(join(venv, 'bin', 'pip'), ['install', '-q', 'blosc2==3.12.2', 'blosc2-btune==1.2.1'], { encoding: 'utf8', timeout: 600_000 });
  if (pip.status !== 0) return { reason: `pip install failed: ${(pip.stderr || '').trim().split('\n').pop()}` };
  const v = check();
  return v.stdout.trim() === '3.12.2 1.2.1' ? { py, venv } : { reason: `the environment does not import them: ${(v.stderr || '').trim().split('\n').pop()}` };
}

/**
 * Run the section.
 * @param {{ libPath: string | null, dataDir: string, python: string, native: boolean, nbytes?: number, log: (line: string) => void }} ctx
 */
export async function runTuningSection(ctx) {
  const { libPath, dataDir, python, native, log } = ctx;
  const nbytes = ctx.nbytes ?? 16 * 1024 * 1024;
  const notes = [];
  const section = { title: 'Tuning quality (tune against an exhaustive grid and BTune)', description: '', tables: [], targets: [], notes };
  if (libPath === null) {
    notes.push('tuning section skipped: no blosc-ts build.');
    return section;
  }
  const lib = await import(pathToFileURL(libPath).href);
  const { measure } = await import(pathToFileURL(join(dirname(libPath), 'tuning', 'measure.js')).href);
  const { sampleOf } = await import(pathToFileURL(join(dirname(libPath), 'tuning', 'tune.js')).href);
  const { resolveScoreOptions, scoreOf, pipelineFilters } = await import(pathToFileURL(join(dirname(libPath), 'tuning', 'score.js')).href);
  const { resolveCParams } = await import(pathToFileURL(join(dirname(libPath), 'params.js')).href);

  const bt = native ? btuneInterpreter(dataDir, python, log) : { reason: 'native runs off (--no-native)' };
  if (bt.reason !== undefined) notes.push(`BTune rows not measured: ${bt.reason}.`);
  const tuningDir = join(dataDir, 'tuning');
  mkdirSync(tuningDir, { recursive: true });

  const kinds = ctx.kinds ?? TUNING_KINDS;
  const metas = (filters, typesize) => filters.map((f) => (f === 35 ? typesize : 0));
  const rows = [];
  const timeRows = [];
  let ratioOk = true;
  let scoreOk = true;
  let btuneOk = true;
  let btuneMeasured = false;
  let timeGridOk = true;
  let timeCompressOk = true;
  let worstRatioPct = Infinity;
  let worstScorePct = Infinity;
  let worstGridPct = 0;
  let worstCompressPct = 0;

  for (const kind of kinds) {
    const arr = makeTuningData(kind, nbytes);
    const bytes = bytesOf(arr);
    const typesize = arr.BYTES_PER_ELEMENT;
    const window = Math.min(GRID_WINDOW, Math.max(typesize, Math.floor(bytes.length / 16 / GRID_WINDOWS / 8) * 8));
    const basis = sampleOf(bytes, window, GRID_WINDOWS, typesize);
    const evalOn = (codec, clevel, filters, blocksize, splitmode = 'forward-compat') => {
      const p = resolveCParams({ codec, clevel, typesize, filters, filtersMeta: metas(filters, typesize), blocksize, splitmode });
      return measure(basis, p, true, false);
    };
    // The grid.
    const g0 = performance.now();
    const grid = [];
    for (const codec of GRID_CODECS) {
      for (let clevel = 1; clevel <= 9; clevel++) {
        for (const pipe of GRID_PIPELINES) {
          for (const bs of GRID_BLOCKS) grid.push({ codec, clevel, pipe, bs, m: evalOn(codec, clevel, pipelineFilters(pipe), bs) });
        }
      }
    }
    const gridMs = performance.now() - g0;
    // One compression of the whole input with python-blosc2's defaults.
    const c0 = performance.now();
    lib.compress(arr, { codec: 'zstd', clevel: 5, shuffle: 'shuffle', splitmode: 'auto' });
    const defaultsMs = performance.now() - c0;
    const bestRatio = Math.max(...grid.map((g) => g.m.ratio));
    let btune = {};
    if (bt.reason === undefined) {
      const file = join(tuningDir, `${kind}.bin`);
      writeFileSync(file, bytes);
      for (const goal of GOALS) {
        const run = spawnSync(bt.py, [join(benchDir, 'tuning_btune.py'), file, String(typesize), String(BTUNE_TRADEOFF[goal]), String(256 * 1024)], {
          encoding: 'utf8', timeout: 600_000, env: { ...process.env, PATH: `${join(bt.venv, 'bin')}:${process.env.PATH ?? ''}` },
        });
        if (run.status !== 0) {
          btune[goal] = { reason: (run.stderr || run.error?.message || 'failed').trim().split('\n').pop() };
          continue;
        }
        const j = JSON.parse(run.stdout.trim().split('\n').pop());
        if (j.codec === undefined) {
          btune[goal] = { reason: `BTune printed no configuration (${j.rows} trace rows)` };
          continue;
        }
        const filters = j.filter === 0 ? [] : j.filter === 35 ? [1, 35] : [j.filter];
        btune[goal] = { ...j, filters, m: evalOn(j.codec, j.clevel, filters, Math.min(j.blocksize, basis.length), j.split === 1 ? 'always' : 'never') };
        btuneMeasured = true;
      }
    }
    for (const goal of GOALS) {
      const s = resolveScoreOptions({ goal });
      const sc = (m) => scoreOf(m.ratio, m.compressBps, m.decompressBps, s);
      const t = lib.tune(arr, { goal, typesize });
      const o = t.options;
      const pickRun = () => evalOn(o.codec, o.clevel, o.filters, Math.min(o.blocksize, basis.length), o.splitmode);
      let m = pickRun();
      const b = btune[goal];
      let gridBest = grid.reduce((a, c) => (sc(c.m) > sc(a.m) ? c : a));
      if (goal !== 'ratio') {
        // Speeds decide these scores: the grid's five best, the tuner's pick and BTune's are
        // timed again in REFINE_ROUNDS interleaved rounds, fastest kept, so one noisy timing
        // does not decide a comparison.
        const top = grid.slice().sort((x, y) => sc(y.m) - sc(x.m)).slice(0, 5);
        // The pick, when it is a grid configuration, is timed as that one entry: the same
        // configuration compares as the same, whatever the timing noise.
        const same = (g) => g.codec === o.codec && g.clevel === o.clevel && g.bs === Math.min(o.blocksize, basis.length) && o.splitmode === 'forward-compat' &&
          pipelineFilters(g.pipe).join() === o.filters.join();
        const pickInGrid = grid.find(same);
        if (pickInGrid !== undefined && !top.includes(pickInGrid)) top.push(pickInGrid);
        const entries = top.map((g) => ({ g, pick: g === pickInGrid, m: g.m, run: () => evalOn(g.codec, g.clevel, pipelineFilters(g.pipe), g.bs) }));
        if (pickInGrid === undefined) entries.push({ pick: true, m, run: pickRun });
        if (b?.m !== undefined) entries.push({ btune: true, m: b.m, run: () => evalOn(b.codec, b.clevel, b.filters, Math.min(b.blocksize, basis.length), b.split === 1 ? 'always' : 'never') });
        for (let round = 0; round < REFINE_ROUNDS; round++) {
          for (const e of entries) {
            const again = e.run();
            e.m = { ...e.m, compressBps: Math.max(e.m.compressBps, again.compressBps), decompressBps: Math.max(e.m.decompressBps, again.decompressBps) };
          }
        }
        const refinedTop = entries.filter((e) => e.g !== undefined).reduce((x, y) => (sc(y.m) > sc(x.m) ? y : x));
        // The rows compared are then timed afresh, in COMPARE_ROUNDS rounds in alternating
        // order, fastest kept, and scored on these timings alone: the grid's best was chosen
        // as the fastest of several on the timings above, so keeping them would credit it
        // with its luck (where the top of the grid is several stored copies of equal speed,
        // the best of their timings beats any one configuration's by noise alone).
        const pickEntry = entries.find((e) => e.pick);
        const btEntry = entries.find((e) => e.btune);
        const compared = [...new Set([refinedTop, pickEntry, btEntry].filter((e) => e !== undefined))];
        for (const e of compared) e.fresh = null;
        for (let round = 0; round < COMPARE_ROUNDS; round++) {
          for (const e of round % 2 === 0 ? compared : compared.slice().reverse()) {
            const again = e.run();
            e.fresh = e.fresh === null ? again : { ...e.fresh, compressBps: Math.max(e.fresh.compressBps, again.compressBps), decompressBps: Math.max(e.fresh.decompressBps, again.decompressBps) };
          }
        }
        // The pick, when it is a grid configuration, bounds the grid's best from below.
        const gridTop = pickEntry.g !== undefined && sc(pickEntry.fresh) > sc(refinedTop.fresh) ? pickEntry : refinedTop;
        gridBest = { ...gridTop.g, m: gridTop.fresh };
        m = pickEntry.fresh;
        if (btEntry !== undefined) b.m = btEntry.fresh;
      }
      const gridBestScore = sc(gridBest.m);
      const score = sc(m);
      const bScore = b?.m === undefined ? null : sc(b.m);
      const ratioPct = (100 * m.ratio) / bestRatio;
      const scorePct = (100 * score) / gridBestScore;
      if (goal === 'ratio') {
        worstRatioPct = Math.min(worstRatioPct, ratioPct);
        if (ratioPct < 97) ratioOk = false;
      } else {
        worstScorePct = Math.min(worstScorePct, scorePct);
        if (scorePct < 90) scoreOk = false;
        if (bScore !== null && score < bScore) btuneOk = false;
      }
      const gridPct = (100 * t.elapsedMs) / gridMs;
      const compressPct = (100 * t.elapsedMs) / defaultsMs;
      worstGridPct = Math.max(worstGridPct, gridPct);
      worstCompressPct = Math.max(worstCompressPct, compressPct);
      if (gridPct > 5) timeGridOk = false;
      if (compressPct > 100) timeCompressOk = false;
      const cfg = (codec, clevel, filters, extra = '') => `${codec} ${clevel} ${filters.length === 0 ? 'none' : filters.join('+')}${extra}`;
      rows.push([
        kind, goal,
        cfg(o.codec, o.clevel, o.filters, ` ${o.blocksize >> 10}K`),
        m.ratio.toFixed(2), score.toPrecision(3),
        `${cfg(gridBest.codec, gridBest.clevel, pipelineFilters(gridBest.pipe), ` ${gridBest.bs >> 10}K`)}`,
        goal === 'ratio' ? `${bestRatio.toFixed(2)} (${ratioPct.toFixed(0)} %)` : `${gridBestScore.toPrecision(3)} (${scorePct.toFixed(0)} %)`,
        b === undefined ? (bt.reason ?? 'not run') : b.m === undefined ? `not run: ${b.reason}` : `${cfg(b.codec, b.clevel, b.filters)}: ${b.m.ratio.toFixed(2)}x, score ${bScore.toPrecision(3)}`,
      ]);
      timeRows.push([kind, goal, `${t.elapsedMs.toFixed(0)}`, `${t.evaluated}`, `${(gridMs / 1000).toFixed(1)} s`, `${gridPct.toFixed(2)} %`, `${defaultsMs.toFixed(0)}`, fmtRatio(t.elapsedMs / defaultsMs), b?.seconds === undefined ? '-' : `${(b.seconds * 1000).toFixed(0)}`]);
      log(`  tuning ${kind} ${goal}: ${o.codec} ${o.clevel} [${o.filters}] ${o.blocksize} ratio ${m.ratio.toFixed(2)} score ${score.toPrecision(3)} (grid ${gridBestScore.toPrecision(3)}, ${scorePct.toFixed(0)} %)${bScore === null ? '' : `, BTune ${bScore.toPrecision(3)}`}, ${t.elapsedMs.toFixed(0)} ms`);
    }
  }

  section.description =
    `${kinds.length === TUNING_KINDS.length ? TUNING_KINDS.length : `${kinds.length} of the ${TUNING_KINDS.length}`} data kinds of ${(nbytes / 2 ** 20).toFixed(nbytes < 2 ** 20 ? 2 : 0)} MiB made by bench/tuning.mjs. ` +
    `Grid: ${GRID_CODECS.join(', ')} × clevel 1–9 × {${GRID_PIPELINES.join(', ')}} × {${GRID_BLOCKS.map((b) => `${b >> 10} KiB`).join(', ')}} = ` +
    `${GRID_CODECS.length * 9 * GRID_PIPELINES.length * GRID_BLOCKS.length} configurations, each measured on a reduced basis: 1/16 of the input in ${GRID_WINDOWS} windows (4 × 256 KiB of 16 MiB) ` +
    'spread over the input (the whole input at every configuration would take hours: zstd clevel 9 runs at about 2 MB/s in pure JS); ' +
    "the tuner's and BTune's picks are measured on the same basis the same way. " +
    `Goals speed and balanced: the grid's five best, the tuner's pick and BTune's are timed again in ${REFINE_ROUNDS} interleaved rounds (fastest kept) and the grid's best chosen on these; ` +
    `then the rows compared (grid's best, tuner's pick, BTune's) are timed afresh in ${COMPARE_ROUNDS} rounds in alternating order (fastest kept) and scored on these timings alone, ` +
    'so the grid\'s best is not credited with the luck that chose it (where the top of the grid is several stored copies of equal speed, the best of their timings beats any one configuration\'s by noise alone). ' +
    "The tuner sees the whole input (and samples it itself), and is given the data's typesize as the grid and BTune are. " +
    'Its candidates include storing (clevel 0: the input copied into the chunk, no codec run) for goal speed and for data that does not compress, which the grid (clevel 1–9) and BTune do not try, so its score may pass the grid\'s best there. ' +
    'Score (src/tuning/score.ts): ratio^t × (1/T in MB/s)^(1−t), T = 1/compress + 1/(ratio × 20 GiB/s) + 1/decompress seconds per byte (BTune\'s BALANCED time cost), ' +
    't = 0 speed, 0.5 balanced, 1 ratio. BTune: python-blosc2 3.12.2 + blosc2-btune 1.2.1 (virtual environment bench/.data/btune-venv), nthreads 1, ' +
    'tradeoff 0 / 0.5 / 1, perf BALANCED, super-chunk of 256 KiB chunks; its last winning codec, clevel, filter and split are measured by blosc-ts on the basis.';
  section.tables.push({
    columns: [
      { title: 'data', align: 'left' }, { title: 'goal', align: 'left' }, { title: "tuner's pick", align: 'left' }, { title: 'ratio' }, { title: 'score' },
      { title: "grid's best", align: 'left' }, { title: 'grid best (tuner %)' }, { title: 'BTune (scored by us)', align: 'left' },
    ],
    rows,
  });
  section.tables.push({
    columns: [
      { title: 'data', align: 'left' }, { title: 'goal', align: 'left' }, { title: 'tune ms' }, { title: 'configs' }, { title: 'grid time' }, { title: 'tune ÷ grid' },
      { title: 'zstd5+shuffle ms' }, { title: 'tune ÷ compress' }, { title: 'BTune super-chunk ms' },
    ],
    rows: timeRows,
  });
  section.targets.push(
    { name: "tune goal 'ratio' ≥ 97 % of the grid's best ratio (every kind)", value: `worst ${worstRatioPct.toFixed(1)} %`, pass: ratioOk },
    { name: "tune goals 'speed'/'balanced' ≥ 90 % of the grid's best score (every kind)", value: `worst ${worstScorePct.toFixed(1)} %`, pass: scoreOk },
    { name: "tune goals 'speed'/'balanced' score ≥ BTune's", value: btuneMeasured ? (btuneOk ? 'all' : 'not all') : 'BTune not run', pass: btuneMeasured ? btuneOk : null },
    { name: 'tuning time ≤ 5 % of the grid time', value: `worst ${worstGridPct.toFixed(2)} %`, pass: timeGridOk },
    { name: 'tuning time ≤ one zstd 5 + shuffle compression of the input', value: `worst ${(worstCompressPct / 100).toFixed(2)}×`, pass: timeCompressOk },
  );
  if (nbytes !== 16 * 1024 * 1024) notes.push(`Tuning section run at ${(nbytes / 2 ** 20).toFixed(2)} MiB per data kind, not 16 MiB.`);
  return section;
}

// Run alone: `node bench/tuning.mjs [--mib N] [--kinds a,b] [--no-native] [--no-write]`; the
// section is printed and written into RESULTS.md in place of its earlier one (a run on some
// kinds only, to re-check a row, is best kept out of it with --no-write).
if (isMainScript(import.meta.url)) {
  let kinds;
  let started = 0;
  await runSectionAlone({
    script: 'tuning.mjs',
    exposeGc: false,
    options: {
      mib: { type: 'string', default: '16' },
      kinds: { type: 'string' },
      data: { type: 'string', default: join(benchDir, '.data') },
      python: { type: 'string', default: 'python3' },
      'no-native': { type: 'boolean', default: false },
    },
    run: (opts, _timing, log) => {
      kinds = opts.kinds === undefined ? undefined : opts.kinds.split(',');
      for (const k of kinds ?? []) if (!TUNING_KINDS.includes(k)) throw new Error(`unknown data kind ${k} (${TUNING_KINDS.join(', ')})`);
      started = Date.now();
      const libPath = resolve(opts.lib);
      return runTuningSection({
        libPath: existsSync(libPath) ? libPath : null, dataDir: resolve(opts.data), python: opts.python, native: !opts['no-native'],
        nbytes: Math.round((Number(opts.mib) * 2 ** 20) / 8) * 8, kinds, log,
      });
    },
    describeRun: (_timing, loadStart, loadEnd, machine) =>
      `${kinds === undefined ? 'Every data kind' : `Data kinds ${kinds.join(', ')}`}. ` +
      `1-minute load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end, on ${machine.nproc} cores ` +
      `(this run accounts for about 1; more means other processes competed for the cores); ${((Date.now() - started) / 1000).toFixed(0)} s. ` +
      'Every speed is timed in the same process as the grid it is compared with.',
  });
}
