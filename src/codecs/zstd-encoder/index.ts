/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Zstandard encoder (RFC 8878) in TypeScript: one frame per call with the content size in
 * the header, as Blosc writes its zstd streams (c-blosc `ZSTD_compress`, c-blosc2
 * `ZSTD_compressCCtx`).
 *
 * It is a port of libzstd 1.5.7's compressor: the level table and its
 * adjustment to the input size, block pre-splitting, the fast, double-fast, row-based
 * greedy/lazy/lazy2, binary-tree btlazy2 and optimal btopt/btultra/btultra2 match finders
 * with libzstd's exact hashes, the Huffman and FSE stages with their cost-based choices,
 * post-parse block splitting, and libzstd's rules for a destination that is too small. The
 * frames are therefore the bytes libzstd 1.5.7 writes for the same input, level and room.
 *
 * Dictionaries (`createZstdCDict`, `zstdCompressUsingCDict`) follow `ZSTD_createCDict` and
 * `ZSTD_compress_usingCDict` for the fast and double-fast strategies (levels 1-3), which
 * is what Blosc2 dictionary chunks (level 1) and ZDICT training (level 3) use: raw or
 * formatted dictionaries, the CDict attached, copied or loaded as libzstd chooses by input
 * size, the dictionary id in the frame header.
 */
import type { EncodeContext } from '../types.js';
import { zstdCompress, zstdCompressUsingCDict } from './compress.js';
import { createZstdCDict } from './dictionary.js';
import type { ZstdCDict } from './dictionary.js';
import { zstdLevelForClevel } from './params.js';

export { ZstdEncoderState, parseWithCDict, zstdCompress, zstdCompressBound, zstdCompressUsingCDict } from './compress.js';
export { ZstdCDict, createZstdCDict } from './dictionary.js';
export { ZSTD_MAX_CLEVEL, getCompressionParams, zstdLevelForClevel } from './params.js';
export type { CompressionParams } from './params.js';

/** The last dictionary digested, reused while the same bytes come back (every stream of a chunk). */
let cachedDict: Uint8Array | null = null;
let cachedCDict: ZstdCDict | null = null;

/**
 * The Blosc codec `encode` entry point for zstd: Blosc clevel → zstd level
 * (`zstdLevelForClevel`), one frame into dst[dp, dp+cap). Returns 0 when it does not fit
 * (libzstd's refusal included). With a dictionary (a Blosc2 dictionary chunk), c-blosc2
 * compresses with a CDict made at level 1 whatever the clevel (`zstd_wrap_compress`).
 */
export function zstdEncode(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  clevel: number,
  ctx: EncodeContext,
): number {
  if (ctx.dict !== null) {
    if (cachedDict !== ctx.dict || cachedCDict === null) {
      cachedCDict = createZstdCDict(ctx.dict, 1);
      cachedDict = ctx.dict;
    }
    return zstdCompressUsingCDict(src, sp, sn, dst, dp, cap, cachedCDict);
  }
  return zstdCompress(src, sp, sn, dst, dp, cap, zstdLevelForClevel(clevel));
}
