/**
 * Compression parameters, named after python-blosc2's `CParams` in camelCase, and their
 * resolution into a complete, validated set (every field filled, fixed order).
 */
import { BloscErrorCode, fail } from './errors.js';
import { getCodec, getCodecByName } from './codecs/registry.js';
import type { Codec } from './codecs/types.js';
import { FilterId } from './shuffle/types.js';
import { toSplitmode, type Splitmode, type SplitmodeLike } from './blocking/split.js';

export type ShuffleName = 'noshuffle' | 'shuffle' | 'bitshuffle';

/**
 * The codec names `codec` accepts, as keys. A codec registered with `registerCodec` adds its
 * name by declaration merging:
 *
 * ```ts
 * declare module 'blosc-ts' {
 *   interface CodecNames { mycodec: true }
 * }
 * ```
 */
export interface CodecNames {
  blosclz: true;
  lz4: true;
  lz4hc: true;
  snappy: true;
  zlib: true;
  zstd: true;
}

/** A codec name known to the types: the built-ins and any name added to {@link CodecNames}. */
export type CodecName = Extract<keyof CodecNames, string>;
export type ChunkFormat = 'blosc1' | 'blosc2';

export interface CompressOptions {
  /**
   * Codec name ('blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd', or a registered codec's
   * name added to {@link CodecNames}) or Blosc id. Default 'blosclz' (C's default).
   */
  codec?: CodecName | number;
  /** 0 (store) to 9. Default 5. */
  clevel?: number;
  /** Element size in bytes, 1..255. Default: the element size of a typed-array input, else 8 (python-blosc2's default). */
  typesize?: number;
  /** Short form of the pipeline: one shuffle filter in the last slot. Default 'shuffle'. */
  shuffle?: ShuffleName;
  /** Full pipeline, up to 6 filter ids applied in order (Blosc2 only). Overrides `shuffle`. */
  filters?: readonly number[];
  /** One meta byte per entry of `filters`. */
  filtersMeta?: readonly number[];
  /** Block size in bytes; 0 = automatic (C's rules). */
  blocksize?: number;
  /** Default 'forward-compat' (both libraries' default). */
  splitmode?: SplitmodeLike;
  /** Which library's rules and header to follow. Default 'blosc2'. */
  format?: ChunkFormat;
  /** Worker threads; the synchronous API always runs on the calling thread. */
  nthreads?: number;
  /** Codec meta byte (header byte 23, Blosc2). Default 0. */
  codecMeta?: number;
  /**
   * Blosc2 dictionary chunks (python-blosc2 `use_dict`) for 'zstd', 'lz4' and 'lz4hc': a
   * dictionary built from the start of the chunk is stored in it and every stream is
   * compressed against it. Ignored at clevel 0 and for chunks too small for one. Default false.
   */
  useDict?: boolean;
  /**
   * Choose codec, clevel, filters, block size and split mode for the data first (`tune`,
   * src/tuning/tune.ts): a goal or the tuner's options. Those choices replace the fields
   * given here; typesize, format and nthreads stay. Used by `compress`, SChunk and NDArray.
   */
  tune?: TuneGoal | TuneOptions;
}

export interface ResolvedCParams {
  readonly codec: Codec;
  readonly clevel: number;
  readonly typesize: number;
  /** Six filter slots. */
  readonly filters: readonly number[];
  readonly filtersMeta: readonly number[];
  readonly blocksize: number;
  readonly splitmode: Splitmode;
  readonly format: ChunkFormat;
  readonly nthreads: number;
  readonly codecMeta: number;
  readonly useDict: boolean;
}

export const MAX_FILTERS = 6;
export const MAX_TYPESIZE = 255;

function checkInt(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(BloscErrorCode.InvalidParam, `${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveCodecOption(codec: string | number): Codec {
  const found = typeof codec === 'number' ? getCodec(codec) : getCodecByName(String(codec));
  if (found === undefined) fail(BloscErrorCode.InvalidParam, `codec: unknown codec ${JSON.stringify(codec)}`);
  return found;
}

/**
 * What `resolveCParams` takes: the public options with `codec` as any string, for callers
 * whose codec name comes from data (bloscpack options, vlmetalayer defaults); it is checked
 * against the registry at run time.
 */
export type CParamsInput = Omit<CompressOptions, 'codec'> & { codec?: string | number };

/** Fill in defaults and validate; every invalid option raises InvalidParam naming it. */
export function resolveCParams(options: CParamsInput = {}, inputTypesize?: number): ResolvedCParams {
  const format = options.format ?? 'blosc2';
  if (format !== 'blosc1' && format !== 'blosc2') fail(BloscErrorCode.InvalidParam, `format must be 'blosc1' or 'blosc2', got ${String(format)}`);
  const codec = resolveCodecOption(options.codec ?? 'blosclz');
  if (format === 'blosc1' && codec.id > 5) fail(BloscErrorCode.InvalidParam, `codec: '${codec.name}' cannot be written in a Blosc1 chunk`);
  if (format === 'blosc2' && codec.id === 3) fail(BloscErrorCode.InvalidParam, `codec: snappy exists only in Blosc1 chunks (format 'blosc1')`);
  const clevel = checkInt('clevel', options.clevel ?? 5, 0, 9);
  const typesize = checkInt('typesize', options.typesize ?? inputTypesize ?? 8, 1, MAX_TYPESIZE);
  const blocksize = checkInt('blocksize', options.blocksize ?? 0, 0, 0x7fffffff);
  const splitmode = toSplitmode(options.splitmode ?? 'forward-compat');
  const nthreads = checkInt('nthreads', options.nthreads ?? 1, 1, 256);
  const codecMeta = checkInt('codecMeta', options.codecMeta ?? 0, 0, 255);
  const useDict = options.useDict ?? false;
  if (typeof useDict !== 'boolean') fail(BloscErrorCode.InvalidParam, `useDict must be a boolean, got ${String(useDict)}`);
  if (useDict && format === 'blosc1') fail(BloscErrorCode.InvalidParam, `useDict: dictionary chunks exist only in format 'blosc2'`);
  // c-blosc2 refuses use_dict with any other codec (BLOSC2_ERROR_CODEC_PARAM).
  if (useDict && codec.id !== 1 && codec.id !== 2 && codec.id !== 5) {
    fail(BloscErrorCode.InvalidParam, `useDict: only 'zstd', 'lz4' and 'lz4hc' compress with a dictionary, not '${codec.name}'`);
  }

  let filters: number[];
  let filtersMeta: number[];
  if (options.filters !== undefined) {
    if (format === 'blosc1') fail(BloscErrorCode.InvalidParam, `filters: a Blosc1 chunk has only the 'shuffle' option`);
    if (options.filters.length > MAX_FILTERS) {
      fail(BloscErrorCode.InvalidParam, `filters: a pipeline holds at most ${MAX_FILTERS} filters, got ${options.filters.length}`);
    }
    const meta = options.filtersMeta ?? [];
    if (meta.length > options.filters.length) fail(BloscErrorCode.InvalidParam, 'filtersMeta: more entries than filters');
    // Slots are applied in index order; a short list fills the first slots (as python-blosc2 pads).
    filters = [0, 0, 0, 0, 0, 0];
    filtersMeta = [0, 0, 0, 0, 0, 0];
    options.filters.forEach((id, i) => {
      filters[i] = checkInt(`filters[${i}]`, id, 0, 255);
      filtersMeta[i] = checkInt(`filtersMeta[${i}]`, meta[i] ?? 0, 0, 255);
      // python-blosc2 `create_cparams_from_kwargs` (blosc2_ext.pyx): BYTEDELTA "does not
      // work on typesize 1" and is dropped from its slot; a BYTEDELTA left with meta 0 gets
      // the typesize as its meta (its channel count), which c-blosc2's bytedelta filter
      // and python-blosc2's decoder read back.
      if (filters[i] === FilterId.ByteDelta && typesize === 1) filters[i] = 0;
      if (filters[i] === FilterId.ByteDelta && filtersMeta[i] === 0) filtersMeta[i] = typesize;
    });
  } else {
    const shuffle = options.shuffle ?? 'shuffle';
    const id = shuffle === 'shuffle' ? FilterId.Shuffle : shuffle === 'bitshuffle' ? FilterId.BitShuffle : shuffle === 'noshuffle' ? 0 : -1;
    if (id < 0) fail(BloscErrorCode.InvalidParam, `shuffle must be 'noshuffle', 'shuffle' or 'bitshuffle', got ${String(shuffle)}`);
    filters = [0, 0, 0, 0, 0, id];
    filtersMeta = [0, 0, 0, 0, 0, 0];
  }
  return { codec, clevel, typesize, filters, filtersMeta, blocksize, splitmode, format, nthreads, codecMeta, useDict };
}

/** Bytes of any typed array or buffer view, without copying, as a plain Uint8Array. */
export function bytesOf(src: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
}

/** The element size of a typed array (the default typesize), undefined for bytes and DataViews. */
export function elementSize(src: ArrayBufferView | ArrayBuffer): number | undefined {
  if (src instanceof Uint8Array || src instanceof ArrayBuffer || src instanceof DataView) return undefined;
  const bpe = (src as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT;
  return typeof bpe === 'number' ? bpe : undefined;
}

// The `tune` parameter: goals and the tuner's options (used by src/tuning/).

export type TuneGoal = 'speed' | 'balanced' | 'ratio';
/** BTune's perf modes: which direction's time counts ('both' = BTune's BALANCED). */
export type TunePerf = 'compress' | 'decompress' | 'both';
/**
 * 'measured': speeds timed on this machine. 'deterministic': speeds from
 * `SPEED_MODEL` (src/tuning/score.ts) (ratios are always measured), so the same data gives the same
 * answer on any machine; the time budget is ignored then.
 */
export type TuneMode = 'measured' | 'deterministic';
/** Named filter pipelines a caller may list in `filters` (see `pipelineFilters`). */
export type TunePipelineName = 'none' | 'shuffle' | 'bitshuffle' | 'bytedelta' | 'delta';

/** How a score is computed (the part of the options `benchmark` shares with `tune`). */
export interface ScoreOptions {
  /** Default 'balanced'. Ignored when `tradeoff` is given. */
  goal?: TuneGoal;
  /** 0 (speed) .. 1 (ratio), BTune's knob. Overrides `goal`. */
  tradeoff?: number;
  /** Default 'both'. */
  perf?: TunePerf;
  /** Link bandwidth in bytes/s for the cost. Default `DEFAULT_BANDWIDTH` (BTune's 20 GB/s). */
  bandwidth?: number;
}


/** A filter pipeline: a name or the filter ids in the order they apply (metas 0). */
export type TunePipeline = TunePipelineName | readonly number[];

export interface TuneOptions extends ScoreOptions {
  /** Element size; default the element size of a typed-array input, else 8. */
  typesize?: number;
  /**
   * Stop searching once this much time has passed (stage 1 always runs; when speed counts,
   * the codecs by 40 % of it and the levels by 55 %, the rest for the final stage on large
   * blocks; goal 'ratio': the block size first, then codecs and levels). Default: about three quarters of one compression of
   * the whole input with zstd clevel 5 + SHUFFLE (timed on the sample), at least 150 ms.
   * Ignored when mode is 'deterministic' (which always runs every stage).
   */
  timeBudgetMs?: number;
  /** Default 'measured'. */
  mode?: TuneMode;
  /** Codecs to choose from (names or ids). Default: by tradeoff, as BTune (see `goalCodecs`). */
  codecs?: readonly (string | number)[];
  /** Filter pipelines to choose from. Default none, shuffle, bitshuffle, bytedelta, delta. */
  filters?: readonly TunePipeline[];
  /**
   * Allow lossy TRUNC_PREC for float32/float64 data: every candidate first keeps this many
   * mantissa bits (TRUNC_PREC's meta). Default: lossless only.
   */
  truncPrecBits?: number;
  /** Block sizes to choose from, in bytes. Default `TUNE_BLOCKSIZES`. */
  blocksizes?: readonly number[];
  /** Sample: this many windows of `sampleWindow` bytes spread over the input (and as many of the largest block size for the final stage). Default 4. */
  sampleWindows?: number;
  /** Bytes per sample window (one block of stages 1–4). Default 32 KiB. */
  sampleWindow?: number;
  /**
   * Super-chunks and NDArrays: tune on the first chunk, then again on every `repeatEvery`-th
   * chunk (BTune's repeat mode). Default 0: the first chunk's choice stays (BTune's STOP).
   */
  repeatEvery?: number;
}
