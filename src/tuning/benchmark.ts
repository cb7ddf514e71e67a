/**
 * `benchmark`: compress the data with every configuration of a grid and report a row per
 * configuration — ratio, speeds, whether it decodes back, the score `tune` optimises
 * (score.ts), and whether it is on the ratio/speed Pareto front. Registered user filters
 * (ids 160..255) join the grid, each followed by BITSHUFFLE and by SHUFFLE.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { CodecId } from '../codecs/types.js';
import { listCodecs } from '../codecs/registry.js';
import { resolveCodecOption, resolveCParams } from '../params.js';
import { filterName, listFilters, USER_FILTER_MIN } from '../shuffle/filters.js';
import { FilterId } from '../shuffle/types.js';
import { measure } from './measure.js';
import type { ScoreOptions, TuneMode, TunePipeline } from '../params.js';
import { DEFAULT_PIPELINES, paretoFront, resolveScoreOptions, scoreOf } from './score.js';
import { pipelineMetas, resolvePipeline, typedArrayElementSize } from './tune.js';
import type { SplitmodeName } from '../blocking/split.js';

export interface BenchmarkOptions extends ScoreOptions {
  /** Element size; default the element size of a typed-array input, else 8. */
  typesize?: number;
  /** Codecs (names or ids). Default every registered codec a Blosc2 chunk can hold. */
  codecs?: readonly (string | number)[];
  /** Default 1, 5, 9. */
  clevels?: readonly number[];
  /** Pipelines. Default none, shuffle, bitshuffle, bytedelta, delta, and each registered user filter + bitshuffle / + shuffle. */
  filters?: readonly TunePipeline[];
  /** Block sizes in bytes (0 = C's automatic). Default [0]. */
  blocksizes?: readonly number[];
  /** Default 'forward-compat'. */
  splitmode?: SplitmodeName;
  /** Default 'measured'; 'deterministic' reports the speed model's speeds. */
  mode?: TuneMode;
  /** Called after each configuration. */
  onProgress?: (done: number, total: number, row: BenchmarkRow) => void;
}

export interface BenchmarkRow {
  readonly codec: string;
  readonly clevel: number;
  /** Filter ids in the order they apply, and their metas. */
  readonly filters: readonly number[];
  readonly filtersMeta: readonly number[];
  /** Readable pipeline, e.g. 'shuffle+bytedelta' ('none' for none). */
  readonly pipeline: string;
  /** As asked (0 = automatic). */
  readonly blocksize: number;
  readonly ratio: number;
  readonly compressMBps: number;
  readonly decompressMBps: number;
  /** The chunk decodes to the input (for a lossy pipeline: to its own decoded data again). */
  readonly roundTripOk: boolean;
  readonly score: number;
  /** No other row has both a higher-or-equal ratio and a higher-or-equal speed (the perf mode's). */
  readonly pareto: boolean;
}

/** Names of a pipeline's filters joined by '+'. */
export function pipelineName(filters: readonly number[]): string {
  if (filters.length === 0) return 'none';
  return filters.map((f) => (filterName(f) ?? String(f)).toLowerCase()).join('+');
}

/** The default pipelines plus the registered user filters, each before BITSHUFFLE and before SHUFFLE. */
export function benchmarkPipelines(): TunePipeline[] {
  const list: TunePipeline[] = DEFAULT_PIPELINES.slice();
  for (const f of listFilters()) {
    if (f.id >= USER_FILTER_MIN) list.push([f.id, FilterId.BitShuffle], [f.id, FilterId.Shuffle]);
  }
  return list;
}

function defaultCodecs(): number[] {
  return listCodecs().map((c) => c.id).filter((id) => id !== CodecId.Snappy).sort((a, b) => a - b);
}

/** Run the grid on all of `data` (see the module comment). Rows in grid order. */
export function benchmark(data: ArrayBufferView | ArrayBuffer, options: BenchmarkOptions = {}): BenchmarkRow[] {
  if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) fail(BloscErrorCode.InvalidParam, 'benchmark: data must be a typed array, a DataView or an ArrayBuffer');
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const typesize = options.typesize ?? typedArrayElementSize(data) ?? 8;
  const score = resolveScoreOptions(options);
  const timed = (options.mode ?? 'measured') === 'measured';
  const codecs = (options.codecs ?? defaultCodecs()).map((c) => resolveCodecOption(c).id);
  const clevels = options.clevels ?? [1, 5, 9];
  const pipelines = (options.filters ?? benchmarkPipelines()).map(resolvePipeline);
  const blocksizes = options.blocksizes ?? [0];
  const splitmode = options.splitmode ?? 'forward-compat';
  const total = codecs.length * clevels.length * pipelines.length * blocksizes.length;
  const raw: Omit<BenchmarkRow, 'pareto'>[] = [];
  for (const codec of codecs) {
    for (const clevel of clevels) {
      for (const filters of pipelines) {
        for (const blocksize of blocksizes) {
          const filtersMeta = pipelineMetas(filters, typesize, 0);
          const p = resolveCParams({ codec, clevel, typesize, filters, filtersMeta, blocksize, splitmode });
          const m = measure(bytes, p, timed, true);
          const row = {
            codec: p.codec.name, clevel, filters, filtersMeta, pipeline: pipelineName(filters), blocksize,
            ratio: m.ratio, compressMBps: m.compressBps / 1e6, decompressMBps: m.decompressBps / 1e6,
            roundTripOk: m.roundTripOk, score: scoreOf(m.ratio, m.compressBps, m.decompressBps, score),
          };
          raw.push(row);
          options.onProgress?.(raw.length, total, { ...row, pareto: false });
        }
      }
    }
  }
  const front = paretoFront(raw.map((r) => ({ ratio: r.ratio, speed: benchmarkRowSpeed(r, score.perf) })));
  return raw.map((r, i) => ({ ...r, pareto: front[i]! }));
}

/** The speed a row is plotted and fronted by: the perf mode's (both: 1/(1/c + 1/d)). */
export function benchmarkRowSpeed(r: Pick<BenchmarkRow, 'compressMBps' | 'decompressMBps'>, perf: ScoreOptions['perf'] = 'both'): number {
  return perf === 'compress' ? r.compressMBps : perf === 'decompress' ? r.decompressMBps : 1 / (1 / r.compressMBps + 1 / r.decompressMBps);
}
