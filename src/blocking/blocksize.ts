/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/stune.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Block size selection, mirrored from C so that a chunk's header and layout match what
 * python-blosc 1.11.4 (c-blosc 1.21.7.dev) and python-blosc2 4.14.1 (c-blosc2 3.3.5) write.
 */
import { BloscErrorCode } from '../errors.js';
import { CodecId } from '../codecs/types.js';
import { MAX_BLOCKSIZE_BLOSC1, MAX_BUFFERSIZE } from '../frame/chunk-header.js';
import { MIN_BUFFERSIZE_BLOSC1, splitBlockBlosc1, splitBlockBlosc2, toSplitmode } from './split.js';
import type { SplitmodeLike } from './split.js';
import { checkInt, INT32_MAX } from './validate.js';

/** The L1 cache size both libraries assume (`L1` in blosc.c / stune.h). */
export const L1 = 32 * 1024;
/** c-blosc 1.x `BLOSC_MAX_BUFFERSIZE` = INT_MAX - 16. */
export const MAX_BUFFERSIZE_BLOSC1 = INT32_MAX - 16;
/** c-blosc 1.x `BLOSC_MAX_TYPESIZE` (also c-blosc2's): a larger typesize is treated as 1. */
export const MAX_TYPESIZE = 255;
/** c-blosc2 `BLOSC2_MAXTYPESIZE`: a larger typesize is an error. */
export const MAX_TYPESIZE_BLOSC2 = 536_866_816;

/**
 * Whether a codec is meant for high compression ratios (`HCR` in c-blosc 1.x blosc.c,
 * `is_HCR` in c-blosc2 stune.c): lz4hc, zlib and zstd. Their automatic blocks are twice as
 * big. Both libraries agree; user codecs are not HCR.
 */
export function isHighRatioCodec(codec: number): boolean {
  return codec === CodecId.LZ4HC || codec === CodecId.Zlib || codec === CodecId.Zstd;
}

/**
 * The clevel ladder shared by both libraries, applied to L1 (or 2·L1 for HCR codecs) when
 * nbytes ≥ L1: clevel 0 ÷4, 1 ÷2, 2 ×1, 3 ×2, 4–5 ×4, 6–8 ×8, 9 ×8 (×16 for HCR codecs).
 */
function levelBlocksize(clevel: number, hcr: boolean): number {
  const base = hcr ? 2 * L1 : L1;
  switch (clevel) {
    case 0:
      return base / 4; // plain copy
    case 1:
      return base / 2;
    case 2:
      return base;
    case 3:
      return base * 2;
    case 4:
    case 5:
      return base * 4;
    case 6:
    case 7:
    case 8:
      return base * 8;
    default:
      return hcr ? base * 16 : base * 8; // clevel 9
  }
}

export interface Blosc1BlocksizeParams {
  /** 0..9. */
  clevel: number;
  /** Bytes per element, ≥ 1. A typesize > 255 is treated as 1, as c-blosc does before the call. */
  typesize: number;
  /** Uncompressed chunk size, 0..INT_MAX-16. */
  nbytes: number;
  /** `blosc_set_blocksize` value; 0 = automatic. Raised to 128 and capped at 715 827 542. */
  forcedBlocksize: number;
  /** Blosc compcode: 0 blosclz, 1 lz4, 2 lz4hc, 3 snappy, 4 zlib, 5 zstd. */
  codec: number;
  /** Split mode (c-blosc's global `g_splitmode`; python-blosc sets it from `BLOSC_SPLITMODE`). */
  splitmode: SplitmodeLike;
}

/** Reject out-of-range Blosc1 parameters; return the typesize c-blosc actually uses. */
function checkBlosc1(p: Blosc1BlocksizeParams): number {
  checkInt('clevel', p.clevel, 0, 9, BloscErrorCode.CodecParam);
  checkInt('typesize', p.typesize, 1, Number.MAX_SAFE_INTEGER);
  checkInt('nbytes', p.nbytes, 0, MAX_BUFFERSIZE_BLOSC1, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('forcedBlocksize', p.forcedBlocksize, 0, INT32_MAX);
  checkInt('codec', p.codec, 0, 5, BloscErrorCode.CodecSupport);
  toSplitmode(p.splitmode);
  return p.typesize > MAX_TYPESIZE ? 1 : p.typesize;
}

/**
 * Port of c-blosc 1.21.x `compute_blocksize` (blosc/blosc.c, called from
 * `initialize_context_compression`). The result is both the header blocksize and the one
 * the chunk is cut with.
 *
 * 1. nbytes < typesize → 1.
 * 2. Forced: max(forced, 128), at most BLOSC_MAX_BLOCKSIZE. Automatic: nbytes below L1,
 *    else the clevel ladder from L1 (2·L1 for lz4hc/zlib/zstd).
 * 3. If clevel > 0 and the block would be split at this size, enlarge it for the
 *    `typesize` streams: min(bs, 256 KiB) · typesize, kept within 64 KiB..1 MiB. This
 *    applies to a forced blocksize too (`set_blocksize(4096)` with blosclz and typesize 8
 *    gives 65536).
 * 4. At most nbytes, then rounded down to a multiple of typesize when larger than it.
 *
 * Throws BloscError for out-of-range arguments: clevel outside 0..9 (CodecParam), an unknown
 * codec (CodecSupport), nbytes above INT_MAX-16 (MaxBufsizeExceeded), anything else
 * (InvalidParam).
 */
export function computeBlocksizeBlosc1(p: Blosc1BlocksizeParams): number {
  const typesize = checkBlosc1(p);
  const { clevel, nbytes, forcedBlocksize, codec } = p;

  // Very small buffers: c-blosc then cuts nbytes one-byte blocks (or memcpys them).
  if (nbytes < typesize) return 1;

  let blocksize = nbytes;
  if (forcedBlocksize !== 0) {
    blocksize = forcedBlocksize;
    if (blocksize < MIN_BUFFERSIZE_BLOSC1) blocksize = MIN_BUFFERSIZE_BLOSC1;
    if (blocksize > MAX_BLOCKSIZE_BLOSC1) blocksize = MAX_BLOCKSIZE_BLOSC1;
  } else if (nbytes >= L1) {
    blocksize = levelBlocksize(clevel, isHighRatioCodec(codec));
  }

  // Splitting codecs get blocks `typesize` times larger, so each stream keeps its size.
  if (clevel > 0 && splitBlockBlosc1(p.splitmode, codec, typesize, blocksize)) {
    if (blocksize > 256 * 1024) blocksize = 256 * 1024;
    blocksize *= typesize; // ≤ 2^18 · 255: no int32 overflow
    if (blocksize < 64 * 1024) blocksize = 64 * 1024;
    if (blocksize > 1024 * 1024) blocksize = 1024 * 1024;
  }

  if (blocksize > nbytes) blocksize = nbytes;
  if (blocksize > typesize) blocksize = Math.floor(blocksize / typesize) * typesize;
  return blocksize;
}

export interface Blosc2BlocksizeParams {
  /** 0..9. */
  clevel: number;
  /**
   * Bytes per element, 1..536 866 816, **as given** (cparams.typesize). c-blosc2 runs the
   * tuner before it turns a typesize > 255 into 1, so a typesize of 300 yields blocks that
   * are multiples of 300 although the header then stores typesize 1.
   */
  typesize: number;
  /** Uncompressed chunk size, 0..INT_MAX-32. */
  nbytes: number;
  /**
   * cparams.blocksize; 0 = automatic. Used as is: no floor, no enlargement. To mirror a
   * reused compression context (SChunk), pass the previous chunk's computed blocksize:
   * `blosc2_compress_ctx` feeds `context->blocksize` back in as the "user" value.
   */
  userBlocksize: number;
  /** Codec id (header byte 22): 0 blosclz, 1 lz4, 2 lz4hc, 4 zlib, 5 zstd, 32..255 plug-ins. */
  codec: number;
  /** The six filter ids (header bytes 16..21); only the presence of SHUFFLE (1) matters. */
  filters: ArrayLike<number>;
  splitmode: SplitmodeLike;
}

function checkBlosc2(p: Blosc2BlocksizeParams): void {
  checkInt('clevel', p.clevel, 0, 9, BloscErrorCode.CodecParam);
  checkInt('typesize', p.typesize, 1, MAX_TYPESIZE_BLOSC2);
  checkInt('nbytes', p.nbytes, 0, MAX_BUFFERSIZE, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('userBlocksize', p.userBlocksize, 0, INT32_MAX);
  checkInt('codec', p.codec, 0, 255, BloscErrorCode.CodecSupport);
  toSplitmode(p.splitmode);
}

/**
 * Port of c-blosc2 3.3.x `blosc_stune_next_blocksize` (blosc/stune.c), the default tuner
 * (`BLOSC_STUNE`). Returns the blocksize the chunk is cut with; the header may carry a
 * different value, see `headerBlocksizeBlosc2`.
 *
 * 1. nbytes < typesize → 1.
 * 2. A user blocksize is taken as is. Otherwise: nbytes below L1, else the clevel ladder
 *    from L1 (2·L1 for lz4hc/zlib/zstd); then, if clevel > 0 and the chunk would be split
 *    (asked with blocksize = nbytes), the size is *replaced* by a per-clevel split size
 *    (32 KiB for clevel 1–3, 64 KiB 4–6, 128 KiB 7, 256 KiB 8, 512 KiB 9) times typesize,
 *    kept within 32 KiB..4 MiB. The multiplication wraps like C's int32 (only reachable
 *    under ALWAYS with a typesize ≥ 4096), which then lands on the 32 KiB floor.
 * 3. At most nbytes, then rounded down to a multiple of typesize when larger than it.
 *
 * Throws BloscError for out-of-range arguments (CodecParam for clevel, MaxBufsizeExceeded
 * for nbytes, CodecSupport for a codec outside 0..255, InvalidParam otherwise).
 */
export function computeBlocksizeBlosc2(p: Blosc2BlocksizeParams): number {
  checkBlosc2(p);
  const { clevel, typesize, nbytes, userBlocksize, codec } = p;

  if (nbytes < typesize) return 1;

  let blocksize = nbytes;
  if (userBlocksize !== 0) {
    blocksize = userBlocksize;
  } else {
    if (nbytes >= L1) blocksize = levelBlocksize(clevel, isHighRatioCodec(codec));
    if (clevel > 0 && splitBlockBlosc2(p.splitmode, codec, clevel, typesize, nbytes, p.filters)) {
      // Keep each stream at a cache-friendly per-clevel size.
      blocksize = splitStreamSize(clevel);
      blocksize = Math.imul(blocksize, typesize); // int32 multiply, wraps as in C
      if (blocksize > 4 * 1024 * 1024) blocksize = 4 * 1024 * 1024;
      if (blocksize < 32 * 1024) blocksize = 32 * 1024;
    }
  }

  if (blocksize > nbytes) blocksize = nbytes;
  if (blocksize > typesize) blocksize = Math.floor(blocksize / typesize) * typesize;
  return blocksize;
}

/** c-blosc2's per-stream size for split chunks, by clevel (1..9). */
function splitStreamSize(clevel: number): number {
  if (clevel <= 3) return 32 * 1024;
  if (clevel <= 6) return 64 * 1024;
  if (clevel === 7) return 128 * 1024;
  if (clevel === 8) return 256 * 1024;
  return 512 * 1024;
}

export interface Blosc2HeaderBlocksizeParams {
  nbytes: number;
  /** The blocksize asked for (cparams.blocksize, or a reused context's previous value); 0 = automatic. */
  userBlocksize: number;
  /** What `computeBlocksizeBlosc2` returned. */
  blocksize: number;
}

/**
 * The value c-blosc2 3.x writes in the header's blocksize field of a regular (non-VL)
 * chunk: port of the first lines of `blosc2_initialize_header_from_context`
 * (blosc/blosc2.c). It is the *requested* blocksize when one was given, clamped to nbytes
 * when nbytes > 0, and the computed blocksize only when none was requested.
 *
 * This differs from the blocksize the chunk is cut with in two cases: a requested size
 * that is not a multiple of typesize, and a requested size above an nbytes that is not a
 * multiple of typesize (and trivially when nbytes < typesize or nbytes = 0). c-blosc2 3.3.5
 * cannot decode the compressed chunks it writes in those cases (measured: it raises, or
 * returns wrong bytes); memcpyed ones decode, because the copy ignores the block layout.
 * c-blosc2 2.x wrote the computed blocksize.
 */
export function headerBlocksizeBlosc2(p: Blosc2HeaderBlocksizeParams): number {
  checkInt('nbytes', p.nbytes, 0, MAX_BUFFERSIZE, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('userBlocksize', p.userBlocksize, 0, INT32_MAX);
  checkInt('blocksize', p.blocksize, 1, INT32_MAX);
  let header = p.userBlocksize > 0 ? p.userBlocksize : p.blocksize;
  if (p.nbytes > 0 && header > p.nbytes) header = p.nbytes;
  return header;
}
