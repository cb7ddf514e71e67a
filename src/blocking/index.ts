/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c, blosc/stune.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The blocking rules the block loop follows, mirrored from C: block size (c-blosc 1.x `compute_blocksize`,
 * c-blosc2 `blosc_stune_next_blocksize`), whether blocks are split into `typesize`
 * streams (`split_block` in each), and whether a chunk is a plain copy from the start.
 *
 * ```ts
 * const blocksize = computeBlocksizeBlosc2({ clevel: 5, typesize: 8, nbytes, userBlocksize: 0,
 *   codec: CodecId.Zstd, filters: [0, 0, 0, 0, 0, 1], splitmode: 'auto' });
 * ```
 */
export {
  L1,
  MAX_BUFFERSIZE_BLOSC1,
  MAX_TYPESIZE,
  MAX_TYPESIZE_BLOSC2,
  computeBlocksizeBlosc1,
  computeBlocksizeBlosc2,
  headerBlocksizeBlosc2,
  isHighRatioCodec,
} from './blocksize.js';
export type { Blosc1BlocksizeParams, Blosc2BlocksizeParams, Blosc2HeaderBlocksizeParams } from './blocksize.js';
export {
  CODEC_OPENZL,
  DEFAULT_SPLITMODE,
  MAX_SPLITS,
  MIN_BUFFERSIZE_BLOSC1,
  MIN_BUFFERSIZE_BLOSC2,
  SPLITMODE_NAMES,
  Splitmode,
  hasShuffleFilter,
  splitBlockBlosc1,
  splitBlockBlosc2,
  splitmodeName,
  toSplitmode,
} from './split.js';
export type { SplitmodeLike, SplitmodeName } from './split.js';
export { leftoverFor, memcpyFromStartBlosc1, memcpyFromStartBlosc2, nblocksFor } from './memcpy.js';
export type { Blosc2MemcpyParams } from './memcpy.js';
