/**
 * `tune`: choose codec, clevel, filters, block size and split mode for some data by
 * compressing a sample of it (a few blocks spread over the input), as BTune does on a
 * super-chunk's first chunks (Blosc2-Btune src/btune.c: CODEC_FILTER, CLEVEL, BLOCKSIZE
 * states), scored by {@link scoreOf} (score.ts) — the score `benchmark` reports too.
 *
 * The search, in stages, each keeping what scored best:
 *  1. pipelines: every candidate filter pipeline with the goal's first codec at clevel 1;
 *  2. codecs: the two best pipelines × the goal's codecs × two probe levels;
 *  3. block size: the best so far at each candidate block size on one window of the data
 *     (deterministic mode; measured, the final stage chooses it);
 *  4. clevel: from the two best so far, one level up and down while the score improves;
 *  5. measured mode, when speed counts (tradeoff < 1): the final stage (`finalStage`): the
 *     leaders at every candidate block size (largest first; none smaller than one where
 *     the leader's chunk is stored, see `isStored`) on windows as large as the largest
 *     block, with storing (clevel 0) for goal 'speed', the best timed again in interleaved
 *     rounds with the split modes, the choice made on these timings; deterministic mode:
 *     split mode ('always', 'never') for the winner.
 * Goal 'ratio' (tradeoff 1) searches otherwise (`ratioSearch`): nothing is timed, each
 * candidate is compressed once, so the high levels that win ratio fit in the budget.
 * Data no pipeline compresses at level 1 nor at level 5 ends the search after that probe:
 * measured, the fastest copy at the largest block size is chosen, storing or a codec's
 * (`copyStage`).
 * Among configurations within 1% of the best score the fastest wins. In the measured mode a
 * time budget bounds the search: an evaluation whose cost (foreseen from the speed model,
 * calibrated on the evaluations so far) would end past it is skipped.
 *
 * This is a decision layer above the chunk driver: it only calls the public
 * `compressChunk`/`decompressChunk` through measure.ts; nothing below imports it.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { CodecId } from '../codecs/types.js';
import { resolveCodecOption, resolveCParams, type CodecName, type CompressOptions, type ResolvedCParams, type TuneOptions, type TunePipeline } from '../params.js';
import { FilterId } from '../shuffle/types.js';
import { clockMs, measure, type Measurement } from './measure.js';
import {
  DEFAULT_PIPELINES, goalCodecs, modelSpeeds, pipelineFilters, resolveScoreOptions, scoreOf,
  TUNE_BLOCKSIZES, type ResolvedScore,
} from './score.js';
import type { SplitmodeName } from '../blocking/split.js';

/** What `tune` chose and what it expects of it. */
export interface TuneResult {
  /** Ready for `compress`: codec, clevel, typesize, filters, filtersMeta, blocksize, splitmode. */
  readonly options: TunedOptions;
  readonly predicted: { readonly ratio: number; readonly compressMBps: number; readonly decompressMBps: number };
  /** {@link scoreOf} of the prediction. */
  readonly score: number;
  /** Configurations compressed. */
  readonly evaluated: number;
  readonly elapsedMs: number;
  /** Bytes of the sample stages 1–4 compressed each time. */
  readonly sampleBytes: number;
}

export interface TunedOptions extends CompressOptions {
  codec: CodecName;
  clevel: number;
  typesize: number;
  filters: number[];
  filtersMeta: number[];
  blocksize: number;
  splitmode: SplitmodeName;
}


/** The default time budget: this share of one zstd-5 + SHUFFLE compression of the input, at least MIN_DEFAULT_BUDGET_MS. */
const DEFAULT_BUDGET_SHARE = 0.75;
const MIN_DEFAULT_BUDGET_MS = 150;
/** The budget's reference (zstd-5 + SHUFFLE on the sample) is timed again when it runs below this share of the speed model's. */
const REF_RETIME_BELOW = 0.5;
/** Shares of the budget by which stage 2 (codecs) and stage 3 (block size, or the levels when speed counts) end. */
const CODEC_SHARE = 0.4;
const BLOCK_SHARE = 0.7;
/** Measured mode, speed counts: the final stage (see `finalStage`) ends by this share of the budget. */
const LEVEL_SHARE = 0.55;
/**
 * Final stage: this many leaders of the search on the sample, at most
 * {@link FINAL_PER_PAIR} of one codec and pipeline, each scoring at least
 * {@link FINAL_FLOOR} of the best there (the sample's ranking may be off by 2-3× for large
 * blocks, not by more).
 */
const FINAL_LEADERS = 5;
const FINAL_PER_PAIR = 2;
const FINAL_FLOOR = 0.3;
/** Final stage: after the first timing of every (leader, block size), this many best are timed again in each of {@link FINAL_ROUNDS} rounds. */
const FINAL_RETIME = 4;
const FINAL_ROUNDS = 6;
/** Final stage: the first round (every leader at every block size) ends by this share of the stage's budget. */
const FINAL_FIRST_SHARE = 0.6;
/** Final stage: a configuration below this share of the best score is not timed again. */
const FINAL_DROP = 0.6;
/** Final stage: milliseconds each direction is timed per round (several short rounds beat one long timing on a shared core). */
const FINAL_TIMED_MS = 1;
/** Below this ratio at level 1 and at level 5 the data counts as incompressible (see `tune`). */
const INCOMPRESSIBLE_RATIO = 1.02;
/** Incompressible data, measured: rounds in which the copy candidates are timed (see `copyStage`). */
const COPY_ROUNDS = 3;
/**
 * The clevel of the stored candidate: at clevel 0 Blosc copies the input into the chunk as
 * it is, without running the codec on its blocks (c-blosc2 blosc2.c, `blosc_compress_context`:
 * clevel 0 makes the chunk memcpyed), the fastest way to store data. Measured, it is timed
 * beside the codecs' copies of data that does not compress (see `copyStage`), and beside the
 * candidates that compress when the tradeoff is below {@link STORE_TRADEOFF} (see `finalStage`).
 */
const STORE_LEVEL = 0;
/** Storing competes with compression below this tradeoff: goal 'speed''s range, where `goalCodecs` keeps only the fastest codecs. */
const STORE_TRADEOFF = 1 / 3;

/**
 * Whether a measurement's chunk is stored, every block a copy (its ratio is at most 1: no
 * smaller than the input). A configuration stored at a block size is slower at a smaller
 * one: stored again, it pays the codec's attempt and the per-block cost on more blocks
 * (see `copyStage`); or compressing a little, it runs at the codec's speed, far below a
 * copy's, for a ratio barely above 1.
 */
function isStored(m: Measurement): boolean {
  return m.ratio <= 1;
}

/** Configurations within this fraction of the best score count as ties, broken by speed. */
const TIE_FRACTION = 0.01;

interface Candidate {
  readonly codec: number;
  readonly clevel: number;
  readonly filters: readonly number[];
  readonly filtersMeta: readonly number[];
  readonly splitmode: SplitmodeName;
  readonly blocksize: number;
}

interface Scored {
  readonly c: Candidate;
  readonly m: Measurement;
  readonly score: number;
}

function bytesOf(src: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (!ArrayBuffer.isView(src)) fail(BloscErrorCode.InvalidParam, 'tune: data must be a typed array, a DataView or an ArrayBuffer');
  return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
}

/** Element size of a typed array (undefined for bytes and DataView). */
export function typedArrayElementSize(src: ArrayBufferView | ArrayBuffer): number | undefined {
  if (src instanceof Uint8Array || src instanceof ArrayBuffer || src instanceof DataView) return undefined;
  const bpe = (src as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT;
  return typeof bpe === 'number' ? bpe : undefined;
}

function checkPositiveInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) fail(BloscErrorCode.InvalidParam, `${name} must be an integer in 1..${max}, got ${String(v)}`);
  return v;
}

/** Filter ids of a pipeline given by name or ids, checked. */
export function resolvePipeline(p: TunePipeline): number[] {
  if (typeof p === 'string') return pipelineFilters(p);
  if (!Array.isArray(p) || p.length > 5) fail(BloscErrorCode.InvalidParam, 'filters: a pipeline is a name or a list of at most 5 filter ids');
  return p.map((id, i) => checkPositiveIntOrZero(`filters[${i}]`, id));
}

function checkPositiveIntOrZero(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) fail(BloscErrorCode.InvalidParam, `${name} must be a filter id 0..255, got ${String(v)}`);
  return v;
}

/** Metas for a pipeline: BYTEDELTA gets the typesize (as python-blosc2 gives it), TRUNC_PREC its bits. */
export function pipelineMetas(filters: readonly number[], typesize: number, truncBits: number): number[] {
  return filters.map((f) => (f === FilterId.ByteDelta ? typesize : f === FilterId.TruncPrec ? truncBits : 0));
}

/** `n` bytes at `count` evenly spread offsets (multiples of `align`), concatenated; the whole input when it is small. */
export function sampleOf(data: Uint8Array, window: number, count: number, align: number): Uint8Array {
  if (data.length <= window * count) return data;
  const out = new Uint8Array(window * count);
  const span = data.length - window;
  for (let i = 0; i < count; i++) {
    let off = count === 1 ? Math.floor(span / 2) : Math.floor((span * i) / (count - 1));
    off -= off % align;
    out.set(data.subarray(off, off + window), i * window);
  }
  return out;
}

/** The block size chosen and its gains over the probe block size (ratio, compress and decompress speed factors). */
interface BlockChoice {
  blocksize: number;
  ratio: number;
  compress: number;
  decompress: number;
}

interface Search {
  readonly typesize: number;
  readonly score: ResolvedScore;
  /** Whether evaluations are timed (measured mode, and speed counts). */
  readonly timed: boolean;
  /**
   * Stage 2 stops at `codecDeadline`, stage 3 (block size) at `blockDeadline`, the rest at
   * `deadline`; when evaluations are timed, stage 4 (levels) stops at `levelDeadline` and
   * the final stage gets the rest.
   */
  deadline: number;
  codecDeadline: number;
  blockDeadline: number;
  levelDeadline: number;
  evaluated: number;
}

function paramsOf(c: Candidate, typesize: number): ResolvedCParams {
  return resolveCParams({
    codec: c.codec, clevel: c.clevel, typesize, filters: c.filters, filtersMeta: c.filtersMeta,
    blocksize: c.blocksize, splitmode: c.splitmode,
  });
}

function evaluate(s: Search, sample: Uint8Array, c: Candidate): Scored {
  s.evaluated++;
  const m = measure(sample, paramsOf(c, s.typesize), s.timed, false);
  return { c, m, score: scoreOf(m.ratio, m.compressBps, m.decompressBps, s.score) };
}

/** Best first; within {@link TIE_FRACTION} of each other the faster (by the same perf mode) first. */
function rank(list: Scored[], s: Search): Scored[] {
  if (list.length === 0) return list;
  const best = Math.max(...list.map((x) => x.score));
  const speed = (x: Scored): number => 1 / ((s.score.perf !== 'decompress' ? 1 / x.m.compressBps : 0) + (s.score.perf !== 'compress' ? 1 / x.m.decompressBps : 0));
  return list.slice().sort((a, b) => {
    const ta = a.score >= best * (1 - TIE_FRACTION);
    const tb = b.score >= best * (1 - TIE_FRACTION);
    if (ta && tb) return speed(b) - speed(a) || b.score - a.score;
    return b.score - a.score;
  });
}

function key(c: Candidate): string {
  return `${c.codec}/${c.clevel}/${c.filters.join(',')}/${c.filtersMeta.join(',')}/${c.splitmode}/${c.blocksize}`;
}

/** Probe levels of stage 2, by tradeoff: low and middle for speed, middle and high for ratio. Stage 1 uses level 1 (cheap; the pipelines rank alike). */
function probeLevels(tradeoff: number): number[] {
  return tradeoff > 2 / 3 ? [5, 9] : [1, 5];
}
const PIPELINE_PROBE_LEVEL = 1;
/** Goal 'ratio': the level the block-size stage runs at. */
const BLOCK_PROBE_LEVEL = 5;
/** Goal 'ratio': the second-best pipeline is searched only when its level-1 ratio is at least this share of the best's. */
const RATIO_SECOND_PIPELINE = 0.9;

/**
 * Choose compression parameters for `data` (see the module comment for the search and
 * score.ts for the score). The answer is options for `compress` with a prediction of the
 * ratio and speeds, measured on the sample.
 */
export function tune(data: ArrayBufferView | ArrayBuffer, options: TuneOptions = {}): TuneResult {
  const t0 = clockMs();
  const bytes = bytesOf(data);
  const typesize = checkPositiveInt('typesize', options.typesize ?? typedArrayElementSize(data) ?? 8, 255);
  const score = resolveScoreOptions(options);
  const mode = options.mode ?? 'measured';
  if (mode !== 'measured' && mode !== 'deterministic') fail(BloscErrorCode.InvalidParam, `mode must be 'measured' or 'deterministic', got ${String(mode)}`);
  const budgetOption = options.timeBudgetMs;
  if (budgetOption !== undefined && (typeof budgetOption !== 'number' || !(budgetOption >= 0))) fail(BloscErrorCode.InvalidParam, `timeBudgetMs must be a non-negative number, got ${String(budgetOption)}`);
  const timed = mode === 'measured';
  // Goal 'ratio': speeds do not count, so nothing needs timing (see ratioSearch).
  const ratioOnly = score.tradeoff === 1;
  const s: Search = {
    typesize, score, timed: timed && !ratioOnly, deadline: Infinity, codecDeadline: Infinity, blockDeadline: Infinity, levelDeadline: Infinity, evaluated: 0,
  };

  const codecs = (options.codecs ?? goalCodecs(score.tradeoff)).map((c) => {
    const codec = resolveCodecOption(c);
    if (codec.id === CodecId.Snappy) fail(BloscErrorCode.InvalidParam, 'codecs: snappy exists only in Blosc1 chunks');
    return codec.id;
  });
  if (codecs.length === 0) fail(BloscErrorCode.InvalidParam, 'codecs: give at least one codec');
  let truncBits = 0;
  if (options.truncPrecBits !== undefined) {
    if (typesize !== 4 && typesize !== 8) fail(BloscErrorCode.InvalidParam, `truncPrecBits: TRUNC_PREC needs float32 or float64 data (typesize 4 or 8), typesize is ${typesize}`);
    truncBits = checkPositiveInt('truncPrecBits', options.truncPrecBits, typesize === 4 ? 23 : 52);
  }
  const pipelines = (options.filters ?? DEFAULT_PIPELINES).map((p) => {
    const f = resolvePipeline(p);
    return truncBits > 0 ? [FilterId.TruncPrec, ...f] : f;
  });
  if (pipelines.length === 0) fail(BloscErrorCode.InvalidParam, 'filters: give at least one pipeline');
  const blockChoices = (options.blocksizes ?? TUNE_BLOCKSIZES).map((b) => {
    checkPositiveInt('blocksizes[]', b, 0x7fffffff);
    return Math.max(typesize, b - (b % typesize));
  });
  if (blockChoices.length === 0) fail(BloscErrorCode.InvalidParam, 'blocksizes: give at least one block size');
  const windows = checkPositiveInt('sampleWindows', options.sampleWindows ?? 4, 1024);
  let window = checkPositiveInt('sampleWindow', options.sampleWindow ?? 32 * 1024, 0x7fffffff);
  window = Math.max(typesize, window - (window % typesize));

  const sample = sampleOf(bytes, window, windows, typesize);
  let finalSampleMemo: Uint8Array | undefined;
  // This machine against the speed model: the geometric mean of measured ÷ modelled
  // compress speeds so far, to foresee what an evaluation will cost before starting it.
  // Kept per codec too: how far a codec runs from the model depends on the data (zstd's
  // low levels can run as slowly as its high ones on noisy floats, which the global mean
  // would carry over to every other codec).
  let calibrationLog = 0;
  let calibrated = 0;
  // Keyed by codec (`codec`) and by codec and level (`codec + 256 × clevel`).
  const codecCalibration = new Map<number, { log: number; n: number }>();
  const addTo = (k: number, r: number): void => {
    const e = codecCalibration.get(k);
    if (e === undefined) codecCalibration.set(k, { log: r, n: 1 });
    else {
      e.log += r;
      e.n++;
    }
  };
  const calibrate = (codec: number, clevel: number, bps: number, modelled: number): void => {
    const r = Math.log(bps / modelled);
    calibrationLog += r;
    calibrated++;
    addTo(codec, r);
    addTo(codec + 256 * clevel, r);
  };
  /** Measured ÷ modelled compress speed: the runs' geometric mean at this codec and level, else at this codec, else all runs', else 1. */
  const calibration = (codec: number, clevel: number): number => {
    const e = codecCalibration.get(codec + 256 * clevel) ?? codecCalibration.get(codec);
    if (e !== undefined) return Math.exp(e.log / e.n);
    return calibrated > 0 ? Math.exp(calibrationLog / calibrated) : 1;
  };
  if (timed) {
    let budget = budgetOption;
    if (budget === undefined) {
      // Default: tuning costs about three quarters of one compression of the whole input with
      // python-blosc2's defaults (zstd clevel 5, SHUFFLE), timed on the sample.
      // A reference far below the model's speed is timed once more and the faster counts: the
      // first zstd run of a process (code not yet compiled) or a pause of the core would
      // otherwise stretch the whole budget, several times over.
      const refParams = resolveCParams({ codec: CodecId.Zstd, clevel: 5, typesize, shuffle: 'shuffle' });
      const modelled = modelSpeeds(CodecId.Zstd, 5, [FilterId.Shuffle])[0];
      let refBps = measure(sample, refParams, true, false).compressBps;
      s.evaluated++;
      if (refBps < REF_RETIME_BELOW * modelled) {
        refBps = Math.max(refBps, measure(sample, refParams, true, false).compressBps);
        s.evaluated++;
      }
      calibrate(CodecId.Zstd, 5, refBps, modelled);
      budget = Math.max(MIN_DEFAULT_BUDGET_MS, DEFAULT_BUDGET_SHARE * (bytes.length / refBps) * 1000);
    }
    s.deadline = t0 + budget;
    s.codecDeadline = t0 + CODEC_SHARE * budget;
    s.blockDeadline = t0 + BLOCK_SHARE * budget;
    s.levelDeadline = t0 + LEVEL_SHARE * budget;
  }
  // Stages 1–4 see blocks of one window (or of the whole input, when that is smaller).
  const probeBlock = Math.max(typesize, Math.min(window, sample.length - (sample.length % typesize)) || typesize);
  const seen = new Map<string, Scored>();
  /**
   * Run `f` (an evaluation of `c` on `nbytes`) and add its compress speed against the
   * speed model to the calibration: the timed speed, or for an untimed evaluation (goal
   * 'ratio', one compression) the wall-clock time of that compression.
   */
  const timedRun = (f: () => Scored, c: Candidate, nbytes: number): Scored => {
    const start = clockMs();
    const r = f();
    // Storing runs no codec: it says nothing about the codec's speed against the model.
    if (timed && c.clevel !== STORE_LEVEL) {
      const bps = s.timed ? r.m.compressBps : (nbytes * 1000) / Math.max(clockMs() - start, 0.005);
      calibrate(c.codec, c.clevel, bps, modelSpeeds(c.codec, c.clevel, c.filters)[0]);
    }
    return r;
  };
  const run = (c: Candidate): Scored => {
    const k = key(c);
    let r = seen.get(k);
    if (r === undefined) {
      r = timedRun(() => evaluate(s, sample, c), c, sample.length);
      seen.set(k, r);
    }
    return r;
  };
  /** Whether evaluating `c` on `nbytes` is expected to end before `deadline` (always, in the deterministic mode). */
  const fits = (c: Candidate, nbytes: number, deadline: number, onSample = true): boolean => {
    if (!timed || (onSample && seen.has(key(c)))) return true;
    const [mc, md] = modelSpeeds(c.codec, c.clevel, c.filters);
    // Never foreseen faster than the model: compressible data speeds up the low levels
    // that calibrate it far more than zstd's and zlib's high levels.
    const k = Math.min(1, calibration(c.codec, c.clevel));
    // A timed `measure` compresses at least three times (once untimed) and decompresses at
    // least twice (measure.ts); an untimed one (goal 'ratio') compresses once.
    const seconds = s.timed ? (3 * nbytes) / (mc * k) + (2 * nbytes) / (md * k) : nbytes / (mc * k);
    return clockMs() + seconds * 1000 <= deadline;
  };
  const cand = (codec: number, clevel: number, filters: readonly number[], splitmode: SplitmodeName = 'forward-compat'): Candidate => ({
    codec, clevel, filters, filtersMeta: pipelineMetas(filters, typesize, truncBits), splitmode, blocksize: probeBlock,
  });
  // Storing (clevel 0): the header names the goal's fastest codec, which does not run.
  const storeCandidate = cand(goalCodecs(0).find((c) => codecs.includes(c)) ?? codecs[0]!, STORE_LEVEL, []);

  // 1. pipelines, with the first codec at the first probe level.
  const levels = probeLevels(score.tradeoff);
  const stage1 = rank(pipelines.map((f) => run(cand(codecs[0]!, PIPELINE_PROBE_LEVEL, f))), s);
  const topPipelines = stage1.slice(0, 2).map((x) => x.c.filters);
  // Incompressible data (random bytes, already compressed): when no pipeline gains at level 1
  // (BloscLZ gives up early at its low levels), every pipeline with the first codec has one
  // more try at level 5; when none gains either, the search ends as C gives up early on data
  // its entropy probe finds incompressible: every chunk is a copy, so for speed only the
  // fast codecs (those of goal 'speed', which give up soonest) at level 1 without a filter
  // are compared: measured, as copies at the largest block size (`copyStage`); in the
  // deterministic mode with the best so far on the sample and then at each block size; for
  // goal 'ratio' nothing more.
  if (stage1.every((x) => x.m.ratio < INCOMPRESSIBLE_RATIO)) {
    // Only their ratios count (measured, the copies are timed later): compressed once.
    const probes: Scored[] = [];
    for (const f of pipelines) {
      const c = cand(codecs[0]!, 5, f);
      if (!fits(c, sample.length, s.codecDeadline)) continue;
      s.evaluated++;
      const m = measure(sample, paramsOf(c, typesize), false, false);
      probes.push({ c, m, score: scoreOf(m.ratio, m.compressBps, m.decompressBps, score) });
    }
    if (probes.every((x) => x.m.ratio < INCOMPRESSIBLE_RATIO)) {
      const pool = rank(stage1.concat(probes), s);
      if (ratioOnly) return finish(pool[0]!, { blocksize: probeBlock, ratio: 1, compress: 1, decompress: 1 });
      const fast = goalCodecs(0).filter((c) => codecs.includes(c));
      const copyPipeline = pipelines.find((f) => f.length === 0 || (f.length === 1 && f[0] === 0)) ?? topPipelines[0]!;
      const copies = (fast.length > 0 ? fast : codecs.slice(0, 1)).map((codec) => cand(codec, 1, copyPipeline));
      // Measured: a filter only adds its own pass to a copy, so the copies without one are
      // the candidates, beside storing.
      if (s.timed) return copyStage([storeCandidate, ...copies]);
      for (const c of copies) pool.push(run(c));
      const lead = rank(pool, s)[0]!;
      return finish(lead, blockStage(lead.c, s.deadline));
    }
  }
  if (ratioOnly) return finish(...ratioSearch(topPipelines));
  // 2. codecs × probe levels on the two best pipelines.
  let pool: Scored[] = stage1.slice();
  for (const f of topPipelines) {
    for (const codec of codecs) {
      for (const level of levels) {
        const c = cand(codec, level, f);
        if (fits(c, sample.length, s.codecDeadline)) pool.push(run(c));
      }
    }
  }
  pool = rank(pool, s);
  // 3. block size, for the best so far: it comes before the level search, which a short
  // budget may cut, as it matters more for the ratio. Timed, the final stage chooses it.
  const blockChoice = s.timed ? null : blockStage(pool[0]!.c, s.blockDeadline);
  // 4. clevel: climb from the two best (codec, pipeline) pairs.
  const starts: Scored[] = [];
  for (const x of pool) {
    if (starts.length === 2) break;
    if (!starts.some((y) => y.c.codec === x.c.codec && y.c.filters === x.c.filters)) starts.push(x);
  }
  for (const start of starts) {
    for (const dir of [1, -1]) {
      let cur = start;
      for (let level = start.c.clevel + dir; level >= 1 && level <= 9; level += dir) {
        const c = cand(cur.c.codec, level, cur.c.filters);
        if (!fits(c, sample.length, s.timed ? s.levelDeadline : s.deadline)) break;
        const next = run(c);
        pool.push(next);
        if (next.score < cur.score) break;
        if (next.score > cur.score) cur = next;
      }
    }
  }
  if (blockChoice === null) return finalStage(rank(pool, s));
  let best = rank(pool, s)[0]!;
  // 5. split mode.
  if (clockMs() < s.deadline) {
    const splits = [best];
    for (const sm of ['always', 'never'] as const) {
      const c = { ...best.c, splitmode: sm };
      if (fits(c, sample.length, s.deadline)) splits.push(run(c));
    }
    best = rank(splits, s)[0]!;
  }
  return finish(best, blockChoice);

  /** The final stage's sample: `sampleWindows` windows as large as the largest block size (made once). */
  function finalSampleOf(): Uint8Array {
    finalSampleMemo ??= sampleOf(bytes, Math.max(...blockChoices), windows, typesize);
    return finalSampleMemo;
  }

  /** `c` timed on the final stage's sample ({@link FINAL_TIMED_MS} per direction). */
  function timeOn(c: Candidate): Scored {
    s.evaluated++;
    const m = measure(finalSampleOf(), paramsOf(c, typesize), true, false, FINAL_TIMED_MS);
    return { c, m, score: scoreOf(m.ratio, m.compressBps, m.decompressBps, score) };
  }

  /** `x` with the faster of its speeds and those of `m` (another timing of the same configuration). */
  function faster(x: Scored, m: Measurement): Scored {
    const f = { ...x.m, compressBps: Math.max(x.m.compressBps, m.compressBps), decompressBps: Math.max(x.m.decompressBps, m.decompressBps) };
    return { c: x.c, m: f, score: scoreOf(f.ratio, f.compressBps, f.decompressBps, score) };
  }

  /**
   * Measured mode, data no candidate compresses: every chunk is stored, so the choice is
   * the fastest copy path. Its cost is each block's failed attempt by the codec plus a
   * fixed cost per block, so the largest block size wins (BloscLZ clevel 1 on random
   * bytes here: 2.4 GB/s at 32 KiB blocks, 8 GB/s at 256 KiB; decoding a stored chunk is
   * one copy whatever its blocks). The copy candidates (`copies`, each at the largest
   * block size) are timed on the final stage's sample in {@link COPY_ROUNDS} interleaved
   * rounds, the fastest run of each counting; the first round whatever the budget says.
   */
  function copyStage(copies: readonly Candidate[]): TuneResult {
    const finalSample = finalSampleOf();
    const largest = Math.max(...blockChoices);
    let list: Scored[] = [];
    for (let round = 0; round < COPY_ROUNDS; round++) {
      for (let i = 0; i < copies.length; i++) {
        const c = { ...copies[i]!, blocksize: largest };
        if (round > 0 && !fits(c, finalSample.length, s.deadline, false)) continue;
        const x = timeOn(c);
        list[i] = list[i] === undefined ? x : faster(list[i]!, x.m);
      }
    }
    list = rank(list.filter((x) => x !== undefined), s);
    const best = list[0]!;
    return finish(best, { blocksize: best.c.blocksize, ratio: 1, compress: 1, decompress: 1 });
  }

  /**
   * Final stage of the measured search when speed counts. The sample's small blocks rank
   * codecs and levels differently from the large blocks chosen in the end (per-call
   * overhead, caches, and above all BloscLZ's entropy probe, which looks at the end of each
   * block and gives the block up as a copy below a ratio that depends on the clevel, so a
   * configuration fast on 32 KiB blocks may compress its 256 KiB blocks slowly, or the other
   * way round). So the leaders of the search (the best few, at most FINAL_PER_PAIR per codec
   * and pipeline) are timed at every candidate block size on windows as large as the
   * largest block (`sampleWindows` of them, spread over the input), the best few timed
   * again in interleaved rounds with split modes 'always' and 'never' for the first (the
   * fastest run of all rounds counts), and the choice made on these measurements alone.
   * Each timing must fit the budget; when none does, the search's best on the sample stands.
   */
  function finalStage(ranked: Scored[]): TuneResult {
    // Leaders: the best of each codec and pipeline first, in rank order (a pipeline that
    // loses on small blocks may win on large ones), then second bests of a pair.
    const leaders: Candidate[] = [];
    const pairOf = (c: Candidate): string => `${c.codec}/${c.filters.join(',')}`;
    const contenders = ranked.filter((x) => x.score >= FINAL_FLOOR * ranked[0]!.score);
    for (let perPair = 1; perPair <= FINAL_PER_PAIR; perPair++) {
      for (const x of contenders) {
        if (leaders.length === FINAL_LEADERS) break;
        const pair = pairOf(x.c);
        if (leaders.some((y) => key(y) === key(x.c)) || leaders.filter((y) => pairOf(y) === pair).length >= perPair) continue;
        leaders.push(x.c);
      }
    }
    // Storing is timed too, first (it costs little), where speed counts most: with a fast
    // link it beats any codec's copy, and often compression.
    if (score.tradeoff < STORE_TRADEOFF) leaders.unshift(storeCandidate);
    const finalSample = finalSampleOf();
    const usable = finalSample.length - (finalSample.length % typesize) || typesize;
    // Block sizes as they act on the sample (one larger than it acts as the whole sample),
    // largest first: see the stored-copy rule below.
    const sizes: number[] = [];
    for (const b of blockChoices.slice().sort((x, y) => y - x)) {
      if (!sizes.some((z) => Math.min(z, usable) === Math.min(b, usable))) sizes.push(b);
    }
    let timedList: Scored[] = [];
    // The first round leaves room for timing the best again (a single timing decides nothing on a shared core).
    const firstRoundDeadline = s.levelDeadline + FINAL_FIRST_SHARE * (s.deadline - s.levelDeadline);
    for (const lead of leaders) {
      for (const b of sizes) {
        const c = { ...lead, blocksize: b };
        if (!fits(c, finalSample.length, firstRoundDeadline, false)) continue;
        const x = timedRun(() => timeOn(c), c, finalSample.length);
        timedList.push(x);
        // Stored (see `isStored`) at this block size: the smaller ones are slower and not
        // timed, which leaves the budget to time the contenders again.
        if (isStored(x.m)) break;
      }
    }
    if (timedList.length === 0) return finish(ranked[0]!, { blocksize: probeBlock, ratio: 1, compress: 1, decompress: 1 });
    // The first round once more in the reverse order: another process taking the core
    // slows every timing for a while (several in a row, 2-5 times), which must not drop a
    // configuration before it is timed again.
    for (let i = timedList.length - 1; i >= 0; i--) {
      const x = timedList[i]!;
      if (!fits(x.c, finalSample.length, firstRoundDeadline, false)) continue;
      timedList[i] = faster(x, timeOn(x.c).m);
    }
    const again = rank(timedList, s).slice(0, FINAL_RETIME);
    // Storing stays in the rounds whatever its first timings: they swing the most (a copy
    // into memory just allocated runs several times slower than into pages in use), and
    // timing it again costs little.
    const stored = timedList.find((x) => x.c.clevel === STORE_LEVEL);
    if (stored !== undefined && !again.includes(stored)) again.push(stored);
    const first = again[0]!.c;
    for (const sm of ['always', 'never'] as const) {
      if (first.splitmode === sm) continue;
      const c = { ...first, splitmode: sm };
      if (fits(c, finalSample.length, s.deadline, false)) again.push(timeOn(c));
    }
    for (let round = 1; round < FINAL_ROUNDS; round++) {
      const lead = Math.max(...again.map((x) => x.score));
      for (let i = 0; i < again.length; i++) {
        const x = again[i]!;
        // Far behind even after a noisy timing: not worth timing again (storing excepted, as above).
        // The best two are timed a second time whatever the budget says: one timing is not a choice.
        if ((x.c.clevel !== STORE_LEVEL && x.score < FINAL_DROP * lead) || (!(round === 1 && i < 2) && !fits(x.c, finalSample.length, s.deadline, false))) continue;
        again[i] = faster(x, timeOn(x.c).m);
      }
    }
    timedList = rank(again, s);
    const best = timedList[0]!;
    return finish(best, { blocksize: best.c.blocksize, ratio: 1, compress: 1, decompress: 1 });
  }

  /**
   * Block size for `lead` on one window as large as the largest choice; its gains over the
   * probe block size scale the sample's measurements. `level` (default the lead's) lets the
   * ratio search probe with a cheap level: the block sizes rank alike at every level.
   */
  function blockStage(lead: Candidate, deadline: number, level = lead.clevel): BlockChoice {
    const choice: BlockChoice = { blocksize: probeBlock, ratio: 1, compress: 1, decompress: 1 };
    const bigWindow = Math.min(bytes.length, Math.max(...blockChoices));
    const blockSample = sampleOf(bytes, bigWindow - (bigWindow % typesize), 1, typesize);
    const blockRuns: Scored[] = [];
    const probeOnWindow = Math.min(probeBlock, blockSample.length - (blockSample.length % typesize)) || typesize;
    for (const b of [probeOnWindow, ...blockChoices]) {
      const bs = Math.min(b, blockSample.length - (blockSample.length % typesize)) || typesize;
      if (blockRuns.some((x) => x.c.blocksize === bs)) continue;
      const c = { ...lead, clevel: level, blocksize: bs };
      if (!fits(c, blockSample.length, deadline, false)) break;
      blockRuns.push(timedRun(() => evaluate(s, blockSample, c), c, blockSample.length));
    }
    const base = blockRuns[0];
    const top = rank(blockRuns.filter((x) => blockChoices.includes(x.c.blocksize) || x === base), s)[0];
    if (base !== undefined && top !== undefined) {
      choice.blocksize = top.c.blocksize;
      choice.ratio = top.m.ratio / base.m.ratio;
      choice.compress = top.m.compressBps / base.m.compressBps;
      choice.decompress = top.m.decompressBps / base.m.decompressBps;
    }
    return choice;
  }

  /**
   * Goal 'ratio' (tradeoff 1): speed does not count, so each candidate is compressed once
   * on the sample, untimed, and many more fit in the budget: the two best pipelines × every
   * codec at clevel 9 (the levels that win ratio; the best pipeline and the goal's first
   * codecs first, so a short budget cuts the least likely); then down from 9 for the two
   * best (codec, pipeline) pairs while the ratio climbs (zstd's ratio is not monotonic in
   * the level). The block size comes first, for the best pipeline with the first codec at
   * clevel {@link BLOCK_PROBE_LEVEL} (block sizes rank alike from the middle levels up, not
   * at zstd's level 1 whose small hash table loses matches in a large block; the high levels
   * are slow on the large window).
   */
  function ratioSearch(top: readonly (readonly number[])[]): [Scored, BlockChoice] {
    // The block size first: it decides more of the ratio than the last levels do.
    const lead = stage1[0]!.c;
    const blocks = blockStage(lead, s.deadline, BLOCK_PROBE_LEVEL);
    let all: Scored[] = stage1.slice();
    // The second pipeline only when it came within RATIO_SECOND_PIPELINE of the first at level 1.
    const second = stage1[1];
    const pipes = second !== undefined && second.score >= stage1[0]!.score * RATIO_SECOND_PIPELINE ? top : top.slice(0, 1);
    for (let i = 0; i < pipes.length; i++) {
      // The second pipeline, the lesser bet, tries its codecs cheapest first (by the speed
      // model), so a short budget cuts the costliest there.
      const order = i === 0 ? codecs : codecs.slice().sort((a, b) => modelSpeeds(b, 9, pipes[i]!)[0] - modelSpeeds(a, 9, pipes[i]!)[0]);
      for (const codec of order) {
        const c = cand(codec, 9, pipes[i]!);
        if (fits(c, sample.length, s.deadline)) all.push(run(c));
      }
    }
    all = rank(all, s);
    const starts: Scored[] = [];
    for (const x of all) {
      if (starts.length === 2) break;
      if (x.c.clevel === 9 && !starts.some((y) => y.c.codec === x.c.codec && y.c.filters === x.c.filters)) starts.push(x);
    }
    for (const start of starts) {
      let cur = start;
      for (let level = 8; level >= 1; level--) {
        const c = cand(start.c.codec, level, start.c.filters);
        if (!fits(c, sample.length, s.deadline)) break;
        const next = run(c);
        all.push(next);
        if (!(next.score > cur.score)) break;
        cur = next;
      }
    }
    return [rank(all, s)[0]!, blocks];
  }

  function finish(best: Scored, blockChoice: BlockChoice): TuneResult {
    // The block size's gain, measured for the stage-2 winner, carries to the final choice.
    const c: Candidate = { ...best.c, blocksize: blockChoice.blocksize };
    let [cBps, dBps] = [best.m.compressBps, best.m.decompressBps];
    if (timed && !s.timed) {
      // Goal 'ratio' in the measured mode: nothing was timed; the speed model scaled to this
      // machine by the compressions' wall-clock times.
      const k = calibration(best.c.codec, best.c.clevel);
      cBps *= k;
      dBps *= k;
    }
    const ratio = best.m.ratio * blockChoice.ratio;
    cBps *= blockChoice.compress;
    dBps *= blockChoice.decompress;
    // A registered codec's own name: a built-in, or a user codec's (added to CodecNames by its author).
    const codecName = resolveCodecOption(c.codec).name as CodecName;
    const tuned: TunedOptions = {
      codec: codecName, clevel: c.clevel, typesize, filters: c.filters.slice(), filtersMeta: c.filtersMeta.slice(),
      blocksize: c.blocksize, splitmode: c.splitmode,
    };
    return {
      options: tuned,
      predicted: { ratio, compressMBps: cBps / 1e6, decompressMBps: dBps / 1e6 },
      score: scoreOf(ratio, cBps, dBps, score),
      evaluated: s.evaluated,
      elapsedMs: clockMs() - t0,
      sampleBytes: sample.length,
    };
  }
}

/**
 * `options` with the tuner's choices for `data` in place of codec, clevel, filters,
 * blocksize and split mode (`options.tune`: a goal or the tuner's options; its typesize
 * defaults to `options.typesize`; a positive `options.blocksize` is kept). Without
 * `options.tune`, `options` as given.
 */
export function tunedOptions(data: ArrayBufferView | ArrayBuffer, options: CompressOptions): CompressOptions {
  const t = options.tune;
  if (t === undefined) return options;
  const to: TuneOptions = typeof t === 'string' ? { goal: t } : t;
  const typesize = to.typesize ?? options.typesize;
  // A block size the caller fixed (an NDArray's block) stays fixed.
  const fixedBlock = options.blocksize !== undefined && options.blocksize > 0 ? [options.blocksize] : to.blocksizes;
  const chosen = tune(data, { ...to, typesize: typesize ?? to.typesize, blocksizes: fixedBlock }).options;
  const { tune: _tune, shuffle: _shuffle, ...rest } = options;
  return { ...rest, ...chosen };
}

/** Whether a super-chunk tunes before compressing its chunk number `n` (0-based): the first, then every `repeatEvery`. */
export function tuneIsDue(t: CompressOptions['tune'], n: number): boolean {
  if (t === undefined) return false;
  const every = typeof t === 'object' ? t.repeatEvery ?? 0 : 0;
  if (!Number.isInteger(every) || every < 0) fail(BloscErrorCode.InvalidParam, `repeatEvery must be a non-negative integer, got ${String(every)}`);
  return n === 0 || (every > 0 && n % every === 0);
}
