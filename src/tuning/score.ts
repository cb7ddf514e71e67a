/**
 * What "best" means when choosing compression parameters: the goal a caller states, the
 * score both `tune` and `benchmark` report, and the speed model of the deterministic mode.
 *
 * The score starts from BTune's time cost (Blosc2-Btune src/btune.c, `score_function`):
 * the seconds to compress a chunk, move its compressed bytes over a link of `bandwidth`
 * bytes/s, and decompress it, by perf mode:
 *
 *   COMP     cost = ctime + cbytes/bandwidth
 *   DECOMP   cost = cbytes/bandwidth + dtime
 *   BALANCED cost = ctime + cbytes/bandwidth + dtime        (perf 'both', our default)
 *
 * Per input byte that is `T = wc/cspeed + 1/(ratio·bandwidth) + wd/dspeed` seconds, and
 * `1/T` is the pipeline's effective throughput (bytes of input through per second). The
 * score blends it with the ratio by the `tradeoff` t in 0..1 (BTune's knob, 0 = speed,
 * 1 = ratio), a weighted geometric mean:
 *
 *   score = ratio^t · (1/T in MB/s)^(1−t)
 *
 * so t = 0 is BTune's cost exactly (higher score = lower cost), t = 1 is the ratio alone,
 * and goal 'balanced' (t = 0.5) is √(ratio · MB/s). Goals: 'speed' t = 0, 'balanced'
 * t = 0.5, 'ratio' t = 1. A low `bandwidth` (a disk, a network) makes the ratio count
 * even at t = 0, as in BTune.
 *
 * The option types (`TuneOptions`, `ScoreOptions`, goals and pipelines) live with the other
 * compression parameters in src/params.ts, whose `tune` field takes them.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { CodecId } from '../codecs/types.js';
import { FilterId } from '../shuffle/types.js';
import type { ScoreOptions, TuneGoal, TunePerf, TunePipelineName } from '../params.js';

/** BTune's default bandwidth (`BTUNE_CONFIG_DEFAULTS`: 20 GB/s), in bytes per second. */
export const DEFAULT_BANDWIDTH = 20 * 2 ** 30;

/** The tradeoff a goal stands for. */
export const GOAL_TRADEOFF: Readonly<Record<TuneGoal, number>> = { speed: 0, balanced: 0.5, ratio: 1 };

export interface ResolvedScore {
  readonly tradeoff: number;
  readonly perf: TunePerf;
  readonly bandwidth: number;
}

export function resolveScoreOptions(o: ScoreOptions = {}): ResolvedScore {
  let tradeoff: number;
  if (o.tradeoff !== undefined) {
    if (typeof o.tradeoff !== 'number' || !(o.tradeoff >= 0 && o.tradeoff <= 1)) fail(BloscErrorCode.InvalidParam, `tradeoff must be a number in 0..1, got ${String(o.tradeoff)}`);
    tradeoff = o.tradeoff;
  } else {
    const goal = o.goal ?? 'balanced';
    if (!Object.prototype.hasOwnProperty.call(GOAL_TRADEOFF, goal)) fail(BloscErrorCode.InvalidParam, `goal must be 'speed', 'balanced' or 'ratio', got ${String(goal)}`);
    tradeoff = GOAL_TRADEOFF[goal];
  }
  const perf = o.perf ?? 'both';
  if (perf !== 'compress' && perf !== 'decompress' && perf !== 'both') fail(BloscErrorCode.InvalidParam, `perf must be 'compress', 'decompress' or 'both', got ${String(perf)}`);
  const bandwidth = o.bandwidth ?? DEFAULT_BANDWIDTH;
  if (typeof bandwidth !== 'number' || !(bandwidth > 0) || !Number.isFinite(bandwidth)) fail(BloscErrorCode.InvalidParam, `bandwidth must be a positive number of bytes/s, got ${String(bandwidth)}`);
  return { tradeoff, perf, bandwidth };
}

/** BTune's time cost per input byte, in seconds (see the module comment). Speeds in bytes/s. */
export function timeCostPerByte(ratio: number, compressBps: number, decompressBps: number, s: ResolvedScore): number {
  let t = 1 / (ratio * s.bandwidth);
  if (s.perf !== 'decompress') t += 1 / compressBps;
  if (s.perf !== 'compress') t += 1 / decompressBps;
  return t;
}

/** The score: ratio^t · (effective MB/s)^(1−t). Higher is better. Speeds in bytes/s. */
export function scoreOf(ratio: number, compressBps: number, decompressBps: number, s: ResolvedScore): number {
  const throughputMBps = 1 / timeCostPerByte(ratio, compressBps, decompressBps, s) / 1e6;
  return Math.pow(ratio, s.tradeoff) * Math.pow(throughputMBps, 1 - s.tradeoff);
}

/**
 * Codec and filter speeds of the deterministic mode, in MB/s (10^6 bytes/s) of input,
 * measured with blosc-ts 0.1 under Node 20 on one core of a 2-core x86-64 machine (a
 * 2 MiB mix of Poisson int32 counts and a smooth float64 ramp, 128 KiB blocks,
 * SHUFFLE). They are a model: only their proportions decide anything.
 * Rows: clevel 1..9. Columns: compress, decompress.
 */
export const SPEED_MODEL: Readonly<Record<number, readonly (readonly [number, number])[]>> = {
  [CodecId.BloscLZ]: [[537, 3602], [464, 4723], [417, 4684], [259, 4371], [270, 6112], [230, 6741], [274, 5356], [264, 6841], [270, 6182]],
  [CodecId.LZ4]: [[501, 6422], [586, 7650], [557, 8030], [368, 4001], [430, 4871], [401, 4194], [449, 3432], [390, 2559], [228, 2075]],
  [CodecId.LZ4HC]: [[213, 2505], [242, 2577], [35, 1759], [40, 1836], [40, 1848], [41, 1599], [41, 1853], [41, 1845], [40, 1798]],
  [CodecId.Zlib]: [[32, 182], [32, 203], [30, 206], [26, 186], [23, 174], [23, 192], [22, 180], [22, 170], [19, 117]],
  [CodecId.Zstd]: [[164, 552], [130, 538], [24, 624], [26, 694], [28, 655], [28, 449], [6, 385], [6, 660], [2, 297]],
};
/** A codec the table does not know (a user codec): a middling guess. */
const UNKNOWN_CODEC_SPEED: readonly [number, number] = [100, 500];
/**
 * clevel 0, any codec: the chunk is a copy of the input (no codec, no filter runs), both
 * ways at memory speed (1 MiB copied in about 70 µs on the machine of {@link SPEED_MODEL}).
 */
const STORE_SPEED: readonly [number, number] = [15000, 15000];

/** Filter speeds of the model in MB/s, forward and backward; user filters get {@link UNKNOWN_FILTER_SPEED}. */
export const FILTER_SPEED_MODEL: Readonly<Record<number, number>> = {
  [FilterId.Shuffle]: 4000,
  [FilterId.BitShuffle]: 1500,
  [FilterId.Delta]: 3000,
  [FilterId.TruncPrec]: 3000,
  [FilterId.ByteDelta]: 2500,
};
const UNKNOWN_FILTER_SPEED = 400;

/** Modelled compress and decompress speeds in bytes/s for one configuration. */
export function modelSpeeds(codec: number, clevel: number, filters: readonly number[]): [number, number] {
  if (clevel === 0) return [1e6 * STORE_SPEED[0], 1e6 * STORE_SPEED[1]];
  const row = SPEED_MODEL[codec];
  const [c, d] = row !== undefined && clevel >= 1 ? row[Math.min(clevel, 9) - 1]! : UNKNOWN_CODEC_SPEED;
  // Times per byte add up: the codec's and each filter's.
  let ct = 1 / c;
  let dt = 1 / d;
  for (const f of filters) {
    if (f === 0) continue;
    const s = FILTER_SPEED_MODEL[f] ?? UNKNOWN_FILTER_SPEED;
    ct += 1 / s;
    dt += 1 / s;
  }
  return [1e6 / ct, 1e6 / dt];
}

/** The filter ids (applied in order) of a named pipeline; BYTEDELTA follows a SHUFFLE, as C expects. */
export function pipelineFilters(name: TunePipelineName): number[] {
  switch (name) {
    case 'none':
      return [];
    case 'shuffle':
      return [FilterId.Shuffle];
    case 'bitshuffle':
      return [FilterId.BitShuffle];
    case 'bytedelta':
      return [FilterId.Shuffle, FilterId.ByteDelta];
    case 'delta':
      return [FilterId.Delta, FilterId.Shuffle];
    default:
      return fail(BloscErrorCode.InvalidParam, `filters: unknown pipeline ${JSON.stringify(name)} (none, shuffle, bitshuffle, bytedelta, delta, or a list of filter ids)`);
  }
}

export const DEFAULT_PIPELINES: readonly TunePipelineName[] = ['none', 'shuffle', 'bitshuffle', 'bytedelta', 'delta'];

/**
 * Codecs tried first at a tradeoff, as BTune chooses by its `tradeoff`: fast codecs for
 * speed, lz4hc and zstd join in between, high-ratio codecs for ratio.
 */
export function goalCodecs(tradeoff: number): number[] {
  if (tradeoff < 1 / 3) return [CodecId.BloscLZ, CodecId.LZ4];
  if (tradeoff <= 2 / 3) return [CodecId.BloscLZ, CodecId.LZ4, CodecId.LZ4HC, CodecId.Zstd];
  return [CodecId.Zstd, CodecId.Zlib, CodecId.LZ4HC];
}

/** The Pareto front of (ratio, speed): rows no other row beats on both. Returns a flag per row. */
export function paretoFront(points: readonly { ratio: number; speed: number }[]): boolean[] {
  return points.map((p) => !points.some((q) => q.ratio >= p.ratio && q.speed >= p.speed && (q.ratio > p.ratio || q.speed > p.speed)));
}

/** Block sizes `tune` tries by default: C's small-block, L2-sized and high-ratio sizes. */
export const TUNE_BLOCKSIZES: readonly number[] = [32 * 1024, 128 * 1024, 256 * 1024];


