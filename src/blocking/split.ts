/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Whether a block is cut into `typesize` streams before the codec runs.
 *
 * The two libraries answer differently: c-blosc 1.x splits every codec but zstd (in the
 * default mode) whatever the shuffle, with a 128-element floor; c-blosc2 splits only
 * blosclz, lz4 and low-level zstd, only when SHUFFLE is in the pipeline, with a 32-element
 * floor. Both functions here are pure; the chunk encoder calls them once per chunk.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { CodecId } from '../codecs/types.js';
import { FilterId } from '../shuffle/types.js';
import { checkInt, INT32_MAX } from './validate.js';

/** Split modes, numbered as `BLOSC_*_SPLIT` in include/blosc2.h (same values in c-blosc 1.x blosc.h). */
export const Splitmode = {
  ALWAYS: 1,
  NEVER: 2,
  AUTO: 3,
  FORWARD_COMPAT: 4,
} as const;
export type Splitmode = (typeof Splitmode)[keyof typeof Splitmode];

export const SPLITMODE_NAMES = ['always', 'never', 'auto', 'forward-compat'] as const;
export type SplitmodeName = (typeof SPLITMODE_NAMES)[number];

/** A split mode given either way: the C number (1..4) or its name. */
export type SplitmodeLike = Splitmode | SplitmodeName;

/** The default of both libraries (`g_splitmode`, `BLOSC2_CPARAMS_DEFAULTS`). */
export const DEFAULT_SPLITMODE: Splitmode = Splitmode.FORWARD_COMPAT;

/** c-blosc 1.x `MAX_SPLITS` and c-blosc2 `MAX_STREAMS`: no split above this typesize. */
export const MAX_SPLITS = 16;
/** c-blosc 1.x `MIN_BUFFERSIZE`: the split floor in elements per stream (also the memcpy threshold). */
export const MIN_BUFFERSIZE_BLOSC1 = 128;
/** c-blosc2 `BLOSC_MIN_BUFFERSIZE`: the split floor in elements per stream (also the memcpy threshold). */
export const MIN_BUFFERSIZE_BLOSC2 = 32;
/** c-blosc2 `BLOSC_CODEC_OPENZL` (codecs-registry.h): never split, it blocks on its own. */
export const CODEC_OPENZL = 38;

/** The name of a split mode number ('forward-compat' for 4). */
export function splitmodeName(mode: Splitmode): SplitmodeName {
  return SPLITMODE_NAMES[mode - 1] as SplitmodeName;
}

/**
 * Normalise a split mode given as a number or a name. Anything else is rejected with
 * InvalidParam. (C accepts other numbers: c-blosc 1.x `split_block` then returns -1, which
 * reads as "split"; c-blosc2 warns and applies the FORWARD_COMPAT rule. Neither is a mode
 * anyone means to ask for.)
 */
export function toSplitmode(mode: SplitmodeLike): Splitmode {
  if (typeof mode === 'number') {
    if (mode === 1 || mode === 2 || mode === 3 || mode === 4) return mode;
  } else if (typeof mode === 'string') {
    const index = (SPLITMODE_NAMES as readonly string[]).indexOf(mode);
    if (index >= 0) return (index + 1) as Splitmode;
  }
  return fail(BloscErrorCode.InvalidParam, `unknown split mode ${String(mode)} (expected 1..4 or ${SPLITMODE_NAMES.join(' | ')})`);
}

/**
 * Port of c-blosc 1.21.x `split_block(compcode, typesize, blocksize)` (blosc/blosc.c).
 *
 * - ALWAYS: true; NEVER: false;
 * - AUTO: codec is blosclz or snappy, typesize ≤ 16 and blocksize / typesize ≥ 128;
 * - FORWARD_COMPAT: codec is not zstd, typesize ≤ 16 and blocksize / typesize ≥ 128.
 *
 * The shuffle mode plays no part. `typesize` is the capped one (> 255 already turned into 1).
 * The header's dont_split bit is `!splitBlockBlosc1(mode, codec, typesize, finalBlocksize)`,
 * for memcpyed chunks too; `computeBlocksizeBlosc1` asks the same question about its
 * intermediate size.
 */
export function splitBlockBlosc1(splitmode: SplitmodeLike, codec: number, typesize: number, blocksize: number): boolean {
  const mode = toSplitmode(splitmode);
  checkInt('codec', codec, 0, 255, BloscErrorCode.CodecSupport);
  checkInt('typesize', typesize, 1, Number.MAX_SAFE_INTEGER);
  checkInt('blocksize', blocksize, 0, INT32_MAX);
  if (mode === Splitmode.ALWAYS) return true;
  if (mode === Splitmode.NEVER) return false;
  // C's `blocksize / typesize` is an int division; both are positive here.
  const fitsStreams = typesize <= MAX_SPLITS && Math.floor(blocksize / typesize) >= MIN_BUFFERSIZE_BLOSC1;
  if (mode === Splitmode.AUTO) {
    return (codec === CodecId.BloscLZ || codec === CodecId.Snappy) && fitsStreams;
  }
  // FORWARD_COMPAT: zstd arrived together with the split flag, so old readers never meet
  // an unsplit zstd chunk they would misread.
  return codec !== CodecId.Zstd && fitsStreams;
}

/** Whether a filter pipeline holds SHUFFLE in any slot (`filters_to_flags(...) & BLOSC_DOSHUFFLE`). */
export function hasShuffleFilter(filters: ArrayLike<number>): boolean {
  for (let i = 0; i < filters.length; i++) {
    if (filters[i] === FilterId.Shuffle) return true;
  }
  return false;
}

/**
 * Port of c-blosc2 3.3.x `split_block(context, typesize, blocksize)` (blosc/stune.c).
 *
 * - ALWAYS: true; NEVER: false (checked before anything else, OpenZL included);
 * - AUTO and FORWARD_COMPAT (identical): false for OpenZL (38); otherwise true iff
 *   the codec is blosclz, lz4, or zstd with clevel ≤ 5, SHUFFLE is in some filter slot,
 *   typesize ≤ 16 and blocksize / typesize ≥ 32.
 *
 * `filters` are the six pipeline ids (header bytes 16..21). The tuner asks this with
 * blocksize = nbytes and the uncapped typesize; the header's dont_split bit asks it with the
 * final blocksize and the capped typesize (> 255 turned into 1), and is always set for
 * VL-block chunks.
 */
export function splitBlockBlosc2(
  splitmode: SplitmodeLike,
  codec: number,
  clevel: number,
  typesize: number,
  blocksize: number,
  filters: ArrayLike<number>,
): boolean {
  const mode = toSplitmode(splitmode);
  checkInt('codec', codec, 0, 255, BloscErrorCode.CodecSupport);
  checkInt('clevel', clevel, 0, 9, BloscErrorCode.CodecParam);
  checkInt('typesize', typesize, 1, Number.MAX_SAFE_INTEGER);
  checkInt('blocksize', blocksize, 0, INT32_MAX);
  if (mode === Splitmode.ALWAYS) return true;
  if (mode === Splitmode.NEVER) return false;
  if (codec === CODEC_OPENZL) return false;
  const codecSplits =
    codec === CodecId.BloscLZ || codec === CodecId.LZ4 || (codec === CodecId.Zstd && clevel <= 5);
  return (
    codecSplits &&
    hasShuffleFilter(filters) &&
    typesize <= MAX_SPLITS &&
    Math.floor(blocksize / typesize) >= MIN_BUFFERSIZE_BLOSC2
  );
}
