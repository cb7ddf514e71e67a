/**
 * `blosc-ts bench FILE [--typesize N] [--json] [--plot out.svg]`: run `benchmark` on a
 * file's bytes (a .npy file's elements, typesize from its dtype), show a progress line
 * while it runs, then a table (or JSON) of every configuration with the Pareto front and
 * the tuner's pick marked, and optionally an SVG scatter plot of ratio against speed.
 * Also the `--tune speed|balanced|ratio` option parser shared by `compress` and `pack`.
 * A thin layer over the public API; argument parsing is the caller's (main.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  benchmark, benchmarkRowSpeed, parseNpy, tune,
  type BenchmarkRow, type CodecName, type ShuffleName, type TuneGoal, type TunePerf, type TuneResult,
} from '../index.js';
import { UsageError, type ParsedOptions } from './args.js';

export interface BenchCommandOptions {
  readonly typesize?: number;
  readonly json?: boolean;
  /** Path of the SVG plot to write. */
  readonly plot?: string;
  readonly goal?: TuneGoal;
  readonly perf?: TunePerf;
  readonly codecs?: readonly string[];
  readonly clevels?: readonly number[];
}

export interface BenchIO {
  /** Result text (table or JSON). */
  readonly out: (text: string) => void;
  /** Progress line updates ('\r'-terminated) and notes. */
  readonly err: (text: string) => void;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

/** `--tune GOAL` of compress and pack, as a usage error when it is not a goal. */
export function tuneGoal(options: ParsedOptions): ReturnType<typeof parseTuneOption> {
  try {
    return parseTuneOption(options.string('tune'));
  } catch (e) {
    if (e instanceof BenchUsageError) throw new UsageError(e.message);
    throw e;
  }
}

/** `--tune speed|balanced|ratio` for `compress` and `pack`: the goal, or undefined when absent. */
export function parseTuneOption(value: string | true | undefined): TuneGoal | undefined {
  if (value === undefined) return undefined;
  if (value === 'speed' || value === 'balanced' || value === 'ratio') return value;
  throw new BenchUsageError(`--tune takes speed, balanced or ratio, got ${value === true ? 'nothing' : JSON.stringify(value)}`);
}

/**
 * For `pack --tune GOAL`: bloscpack writes Blosc1 chunks, whose options are codec, clevel
 * and one shuffle, so the tuner chooses among those on `head` (the file's first chunk).
 */
export function tuneBloscpackOptions(head: Uint8Array, goal: TuneGoal, typesize: number): { codec: CodecName; clevel: number; shuffle: ShuffleName } {
  const t = tune(head, { goal, typesize, codecs: ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'], filters: ['none', 'shuffle', 'bitshuffle'] });
  const f = t.options.filters;
  return { codec: t.options.codec, clevel: t.options.clevel, shuffle: f.length === 0 ? 'noshuffle' : f[0] === 2 ? 'bitshuffle' : 'shuffle' };
}

/** Options of the bench command from `--name value` strings (main.ts's parsed map). */
export function benchOptionsFrom(options: ReadonlyMap<string, string | true>): BenchCommandOptions {
  const str = (name: string): string | undefined => {
    const v = options.get(name);
    if (v === true) throw new BenchUsageError(`--${name} needs a value`);
    return v;
  };
  const int = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new BenchUsageError(`--${name} takes integers, got ${JSON.stringify(v)}`);
    return n;
  };
  const known = new Set(['typesize', 'json', 'plot', 'goal', 'perf', 'codecs', 'clevels']);
  for (const name of options.keys()) if (!known.has(name)) throw new BenchUsageError(`bench: unknown option --${name}`);
  const goal = str('goal');
  if (goal !== undefined && goal !== 'speed' && goal !== 'balanced' && goal !== 'ratio') throw new BenchUsageError(`--goal takes speed, balanced or ratio, got ${JSON.stringify(goal)}`);
  const perf = str('perf');
  if (perf !== undefined && perf !== 'compress' && perf !== 'decompress' && perf !== 'both') throw new BenchUsageError(`--perf takes compress, decompress or both, got ${JSON.stringify(perf)}`);
  const typesize = str('typesize');
  const codecs = str('codecs');
  const clevels = str('clevels');
  return {
    typesize: typesize === undefined ? undefined : int('typesize', typesize),
    json: options.get('json') === true,
    plot: str('plot'),
    goal,
    perf,
    codecs: codecs === undefined ? undefined : codecs.split(',').filter((s) => s.length > 0),
    clevels: clevels === undefined ? undefined : clevels.split(',').map((s) => int('clevels', s)),
  };
}

/** The elements of a .npy file (and their size), else the file's bytes. */
function loadData(file: string): { bytes: Uint8Array; itemsize: number | undefined } {
  const raw = new Uint8Array(readFileSync(file));
  if (raw.length >= 6 && raw[0] === 0x93 && String.fromCharCode(...raw.subarray(1, 6)) === 'NUMPY') {
    const npy = parseNpy(raw);
    const n = npy.shape.reduce((a, b) => a * b, 1);
    return { bytes: npy.data, itemsize: n > 0 ? npy.data.length / n : undefined };
  }
  return { bytes: raw, itemsize: undefined };
}

function pipelineLabel(r: Pick<BenchmarkRow, 'pipeline'>): string {
  return r.pipeline;
}

function isPick(r: BenchmarkRow, pick: TuneResult): boolean {
  const o = pick.options;
  return r.codec === o.codec && r.clevel === o.clevel && r.filters.length === o.filters.length && r.filters.every((f, i) => f === o.filters[i]);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/** The table the command prints: one line per row, P for the Pareto front, * for the tuner's pick. */
export function formatBenchTable(rows: readonly BenchmarkRow[], pick: TuneResult): string {
  const head = `${pad('codec', 8)} ${pad('lvl', 3, true)} ${pad('filters', 22)} ${pad('ratio', 8, true)} ${pad('comp MB/s', 10, true)} ${pad('dec MB/s', 10, true)} ${pad('score', 9, true)}  ok`;
  const lines = [head, '-'.repeat(head.length + 4)];
  for (const r of rows) {
    const mark = `${r.pareto ? 'P' : ' '}${isPick(r, pick) ? '*' : ' '}`;
    lines.push(`${pad(r.codec, 8)} ${pad(String(r.clevel), 3, true)} ${pad(pipelineLabel(r), 22)} ${pad(r.ratio.toFixed(2), 8, true)} ${pad(r.compressMBps.toFixed(0), 10, true)} ${pad(r.decompressMBps.toFixed(0), 10, true)} ${pad(r.score.toPrecision(4), 9, true)}  ${r.roundTripOk ? 'yes' : 'NO '} ${mark}`);
  }
  const o = pick.options;
  lines.push('', `tuner's pick: ${o.codec} clevel ${o.clevel}, filters ${o.filters.length === 0 ? 'none' : o.filters.join(',')} (meta ${o.filtersMeta.join(',')}), blocksize ${o.blocksize}, split ${o.splitmode}`,
    `  predicted ratio ${pick.predicted.ratio.toFixed(2)}, compress ${pick.predicted.compressMBps.toFixed(0)} MB/s, decompress ${pick.predicted.decompressMBps.toFixed(0)} MB/s, score ${pick.score.toPrecision(4)} (${pick.evaluated} configurations on ${pick.sampleBytes} sampled bytes, ${pick.elapsedMs.toFixed(0)} ms)`,
    'P: on the ratio/speed Pareto front   *: the tuner\'s codec, level and filters');
  return lines.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CODEC_COLORS: Readonly<Record<string, string>> = { blosclz: '#1f77b4', lz4: '#ff7f0e', lz4hc: '#2ca02c', zlib: '#d62728', zstd: '#9467bd' };

/**
 * An SVG scatter plot: speed (the perf mode's MB/s, log scale) across, ratio up; one
 * circle per row coloured by codec, the Pareto front as a line, the tuner's pick (its
 * predicted ratio and speed) as a star.
 */
export function benchPlotSvg(rows: readonly BenchmarkRow[], pick: TuneResult, perf: TunePerf = 'both', title = 'blosc-ts bench'): string {
  const W = 760;
  const H = 480;
  const L = 70;
  const R = 150;
  const T = 40;
  const B = 50;
  const pickSpeed = benchmarkRowSpeed({ compressMBps: pick.predicted.compressMBps, decompressMBps: pick.predicted.decompressMBps }, perf);
  const speeds = rows.map((r) => benchmarkRowSpeed(r, perf)).concat(pickSpeed).filter((v) => v > 0 && Number.isFinite(v));
  const ratios = rows.map((r) => r.ratio).concat(pick.predicted.ratio);
  const sMin = Math.log10(Math.min(...speeds)) - 0.05;
  const sMax = Math.log10(Math.max(...speeds)) + 0.05;
  const rMin = Math.min(1, ...ratios);
  const rMax = Math.max(...ratios) * 1.05;
  const x = (speed: number): number => L + ((Math.log10(Math.max(speed, 1e-9)) - sMin) / Math.max(sMax - sMin, 1e-9)) * (W - L - R);
  const y = (ratio: number): number => H - B - ((ratio - rMin) / Math.max(rMax - rMin, 1e-9)) * (H - T - B);
  const f = (v: number): string => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">speed, MB/s (${perf === 'both' ? 'compress and decompress' : perf}, log scale)</text>`,
    `<text x="18" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(T + H - B) / 2})">compression ratio</text>`,
  ];
  for (let e = Math.ceil(sMin); e <= Math.floor(sMax); e++) {
    parts.push(`<line x1="${f(x(10 ** e))}" y1="${H - B}" x2="${f(x(10 ** e))}" y2="${H - B + 5}" stroke="black"/>`,
      `<text x="${f(x(10 ** e))}" y="${H - B + 18}" text-anchor="middle">${10 ** e}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const r = rMin + ((rMax - rMin) * i) / 4;
    parts.push(`<line x1="${L - 5}" y1="${f(y(r))}" x2="${L}" y2="${f(y(r))}" stroke="black"/>`,
      `<text x="${L - 8}" y="${f(y(r) + 4)}" text-anchor="end">${r.toFixed(r < 10 ? 2 : 1)}</text>`);
  }
  const front = rows.filter((r) => r.pareto).sort((a, b) => benchmarkRowSpeed(a, perf) - benchmarkRowSpeed(b, perf));
  if (front.length > 0) {
    parts.push(`<polyline data-role="pareto" fill="none" stroke="#444" stroke-dasharray="4 3" points="${front.map((r) => `${f(x(benchmarkRowSpeed(r, perf)))},${f(y(r.ratio))}`).join(' ')}"/>`);
  }
  for (const r of rows) {
    const color = CODEC_COLORS[r.codec] ?? '#7f7f7f';
    const label = `${r.codec} ${r.clevel} ${r.pipeline}: ratio ${r.ratio.toFixed(2)}, ${benchmarkRowSpeed(r, perf).toFixed(0)} MB/s`;
    parts.push(`<circle data-role="${r.pareto ? 'row pareto' : 'row'}" cx="${f(x(benchmarkRowSpeed(r, perf)))}" cy="${f(y(r.ratio))}" r="${r.pareto ? 5 : 3.5}" fill="${color}" fill-opacity="0.75" stroke="${r.pareto ? 'black' : 'none'}"><title>${escapeXml(label)}</title></circle>`);
  }
  // The tuner's pick: a five-pointed star at its predicted ratio and speed.
  const px = x(pickSpeed);
  const py = y(pick.predicted.ratio);
  const star: string[] = [];
  for (let i = 0; i < 10; i++) {
    const rad = i % 2 === 0 ? 10 : 4;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    star.push(`${f(px + rad * Math.cos(a))},${f(py + rad * Math.sin(a))}`);
  }
  const o = pick.options;
  parts.push(`<polygon data-role="pick" points="${star.join(' ')}" fill="gold" stroke="black"><title>${escapeXml(`tuner's pick: ${o.codec} ${o.clevel} filters ${o.filters.join(',') || 'none'}, predicted ratio ${pick.predicted.ratio.toFixed(2)}`)}</title></polygon>`);
  // Legend.
  let ly = T + 10;
  for (const [codec, color] of Object.entries(CODEC_COLORS)) {
    if (!rows.some((r) => r.codec === codec)) continue;
    parts.push(`<circle cx="${W - R + 20}" cy="${ly}" r="5" fill="${color}"/>`, `<text x="${W - R + 32}" y="${ly + 4}">${codec}</text>`);
    ly += 18;
  }
  parts.push(`<line x1="${W - R + 12}" y1="${ly}" x2="${W - R + 28}" y2="${ly}" stroke="#444" stroke-dasharray="4 3"/>`, `<text x="${W - R + 32}" y="${ly + 4}">Pareto front</text>`);
  ly += 18;
  parts.push(`<text x="${W - R + 14}" y="${ly + 4}" fill="goldenrod">★</text>`, `<text x="${W - R + 32}" y="${ly + 4}">tuner's pick</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** Run the bench command on `file`. Returns the exit status. */
export function runBenchCommand(file: string, options: BenchCommandOptions, io: BenchIO): number {
  const { bytes, itemsize } = loadData(file);
  const typesize = options.typesize ?? itemsize ?? 8;
  const perf = options.perf ?? 'both';
  const goal = options.goal ?? 'balanced';
  const width = 30;
  const rows = benchmark(bytes, {
    typesize, perf, goal, codecs: options.codecs, clevels: options.clevels,
    onProgress(done, total, row) {
      const filled = Math.round((done / total) * width);
      io.err(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${row.codec} ${row.clevel} ${row.pipeline}`.padEnd(80));
    },
  });
  io.err('\n');
  const pick = tune(bytes, { typesize, perf, goal, codecs: options.codecs });
  if (options.plot !== undefined) writeFileSync(options.plot, benchPlotSvg(rows, pick, perf, `${file.split(/[\\/]/).pop()}: ${bytes.length} bytes, typesize ${typesize}, goal ${goal}`));
  if (options.json === true) {
    io.out(JSON.stringify({ file, nbytes: bytes.length, typesize, goal, perf, rows, pick }, null, 1) + '\n');
  } else {
    io.out(formatBenchTable(rows, pick) + '\n');
  }
  return 0;
}
