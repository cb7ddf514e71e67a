/**
 * The Blosc codec's configuration as zarr stores it, in both shapes:
 * - Zarr v2 / numcodecs (`.zarray` "compressor"): numcodecs/blosc.pyx `Blosc(cname, clevel,
 *   shuffle, blocksize, typesize)`, shuffle an integer (NOSHUFFLE 0, SHUFFLE 1,
 *   BITSHUFFLE 2, AUTOSHUFFLE -1);
 * - Zarr v3 `blosc` codec (zarr.json; zarr-python zarr/codecs/blosc.py `BloscCodec`),
 *   shuffle a string ('noshuffle' | 'shuffle' | 'bitshuffle').
 * Defaults are numcodecs': lz4, clevel 5, SHUFFLE, blocksize 0 (automatic).
 */
import { BloscError, BloscErrorCode, parseDType, type CompressOptions, type ShuffleName } from '../index.js';

/** numcodecs' integer shuffle constants (numcodecs/blosc.pyx). */
export const NOSHUFFLE = 0;
export const SHUFFLE = 1;
export const BITSHUFFLE = 2;
export const AUTOSHUFFLE = -1;

export type BloscShuffleNumber = typeof NOSHUFFLE | typeof SHUFFLE | typeof BITSHUFFLE | typeof AUTOSHUFFLE;

/** The codecs a Blosc1 chunk can name (c-blosc blosc.h BLOSC_*_COMPNAME). */
export const BLOSC_CNAMES = ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'] as const;
export type BloscCname = (typeof BLOSC_CNAMES)[number];

/** Zarr v2 / numcodecs shape: `{ id: 'blosc', cname, clevel, shuffle: 0|1|2|-1, blocksize }`. */
export interface BloscConfigV2 {
  id?: 'blosc';
  cname?: string;
  clevel?: number;
  shuffle?: number;
  blocksize?: number;
  typesize?: number;
}

/** Zarr v3 shape: `{ cname, clevel, shuffle: 'noshuffle'|'shuffle'|'bitshuffle', typesize?, blocksize }`. */
export interface BloscConfigV3 {
  cname?: string;
  clevel?: number;
  shuffle?: ShuffleName;
  typesize?: number;
  blocksize?: number;
}

export type BloscConfig = BloscConfigV2 | BloscConfigV3;

/** What zarrita passes as the second argument of `fromConfig` (only `dataType` is read). */
export interface BloscChunkMeta {
  dataType?: string;
  [key: string]: unknown;
}

/** A configuration checked and completed. */
export interface ResolvedBloscConfig {
  /** Which shape it was given in, and is given back in by the `config` getter. */
  readonly shape: 'v2' | 'v3';
  readonly cname: BloscCname;
  readonly clevel: number;
  /** The shuffle as numcodecs' integer (AUTOSHUFFLE kept as -1 for the v2 config). */
  readonly shuffle: BloscShuffleNumber;
  readonly blocksize: number;
  /** The typesize the configuration declared, if any. */
  readonly declaredTypesize: number | undefined;
  /** The typesize chunks are written with: declared, else the data type's, else 1. */
  readonly typesize: number;
  /** The shuffle chunks are written with (AUTOSHUFFLE resolved). */
  readonly shuffleName: ShuffleName;
}

/** c-blosc's BLOSC_MAX_TYPESIZE: larger item sizes are written as typesize 1 (blosc.c, initialize_context_compression). */
const MAX_TYPESIZE = 255;

const V3_SHUFFLES: readonly ShuffleName[] = ['noshuffle', 'shuffle', 'bitshuffle'];

/** Item sizes of Zarr v3 data type names (and zarrita's names, which are the same). */
const V3_ITEMSIZE: Readonly<Record<string, number>> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  float16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
  complex64: 8,
  complex128: 16,
  'numpy.datetime64': 8,
  'numpy.timedelta64': 8,
};

function invalid(field: string, message: string): never {
  throw new BloscError(BloscErrorCode.InvalidParam, `blosc config: ${field} ${message}`);
}

function intField(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(field, `must be an integer in ${min}..${max}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * The item size of a data type: a Zarr v3 name ('float64', 'complex128', 'bool', 'r16'…),
 * a zarrita name ('v2:U8', 'v2:S4') or a numpy/Zarr v2 dtype string ('<f8', '|b1', '>c16',
 * '<U10', '<M8[ns]'). Undefined when it cannot be told (strings of variable length,
 * structured types).
 */
export function itemsizeOfDataType(dataType: string): number | undefined {
  const known = V3_ITEMSIZE[dataType];
  if (known !== undefined) return known;
  const raw = /^r(\d+)$/.exec(dataType);
  if (raw !== null) {
    const bits = Number(raw[1]);
    return bits > 0 && bits % 8 === 0 ? bits / 8 : undefined;
  }
  const dtype = dataType.startsWith('v2:') ? dataType.slice(3) : dataType;
  if (dtype === 'O' || dtype === '|O') return undefined;
  const info = parseDType(dtype);
  return info.kind === 'unknown' || info.itemsize === null ? undefined : info.itemsize;
}

/** Check a configuration of either shape and fill in numcodecs' defaults. */
export function resolveBloscConfig(config: unknown, meta?: BloscChunkMeta): ResolvedBloscConfig {
  if (config === undefined || config === null) config = {};
  if (typeof config !== 'object' || Array.isArray(config)) invalid('', `must be an object, got ${typeof config}`);
  const c = config as Record<string, unknown>;
  if (c.id !== undefined && c.id !== 'blosc') invalid('id', `must be 'blosc', got ${JSON.stringify(c.id)}`);
  const cname = c.cname ?? 'lz4';
  if (typeof cname !== 'string' || !(BLOSC_CNAMES as readonly string[]).includes(cname)) {
    invalid('cname', `must be one of ${BLOSC_CNAMES.join(', ')}, got ${JSON.stringify(cname)}`);
  }
  const clevel = intField('clevel', c.clevel ?? 5, 0, 9);
  const blocksize = intField('blocksize', c.blocksize ?? 0, 0, 0x7fffffff);
  let declaredTypesize: number | undefined;
  if (c.typesize !== undefined && c.typesize !== null) declaredTypesize = intField('typesize', c.typesize, 1, 0x7fffffff);

  let shape: 'v2' | 'v3';
  let shuffle: BloscShuffleNumber;
  const s = c.shuffle;
  if (typeof s === 'string') {
    const at = V3_SHUFFLES.indexOf(s as ShuffleName);
    if (at < 0) invalid('shuffle', `must be 'noshuffle', 'shuffle' or 'bitshuffle', got ${JSON.stringify(s)}`);
    shape = 'v3';
    shuffle = at as BloscShuffleNumber;
  } else {
    if (s !== undefined && s !== AUTOSHUFFLE && s !== NOSHUFFLE && s !== SHUFFLE && s !== BITSHUFFLE) {
      invalid('shuffle', `must be 0 (NOSHUFFLE), 1 (SHUFFLE), 2 (BITSHUFFLE) or -1 (AUTOSHUFFLE), got ${JSON.stringify(s) ?? String(s)}`);
    }
    // Without a shuffle the shape cannot be told: numcodecs' default and shape apply.
    shape = 'v2';
    shuffle = (s ?? SHUFFLE) as BloscShuffleNumber;
  }

  const fromType = typeof meta?.dataType === 'string' ? itemsizeOfDataType(meta.dataType) : undefined;
  const itemsize = declaredTypesize ?? fromType ?? 1;
  const typesize = itemsize > MAX_TYPESIZE ? 1 : itemsize;
  // numcodecs/blosc.pyx compress: AUTOSHUFFLE is BITSHUFFLE for an item size of 1, else SHUFFLE.
  const effective = shuffle === AUTOSHUFFLE ? (typesize === 1 ? BITSHUFFLE : SHUFFLE) : shuffle;
  return { shape, cname: cname as BloscCname, clevel, shuffle, blocksize, declaredTypesize, typesize, shuffleName: V3_SHUFFLES[effective]! };
}

/** The configuration in the shape it came in; `resolveBloscConfig` of it gives the same codec. */
export function configOf(r: ResolvedBloscConfig): BloscConfigV2 | BloscConfigV3 {
  if (r.shape === 'v3') {
    return { cname: r.cname, clevel: r.clevel, shuffle: V3_SHUFFLES[r.shuffle]!, typesize: r.declaredTypesize ?? r.typesize, blocksize: r.blocksize };
  }
  const v2: BloscConfigV2 = { id: 'blosc', cname: r.cname, clevel: r.clevel, shuffle: r.shuffle, blocksize: r.blocksize };
  if (r.declaredTypesize !== undefined) v2.typesize = r.declaredTypesize;
  return v2;
}

/** Options for `compress` that write the chunk numcodecs writes for this configuration. */
export function compressOptionsOf(r: ResolvedBloscConfig): CompressOptions {
  return { format: 'blosc1', codec: r.cname, clevel: r.clevel, shuffle: r.shuffleName, typesize: r.typesize, blocksize: r.blocksize };
}
