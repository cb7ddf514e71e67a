/**
 * Zstandard encoder (RFC 8878) in TypeScript: one frame per call with the content size in
 * the header, as Blosc writes its zstd streams (c-blosc `ZSTD_compress`, c-blosc2
 * `ZSTD_compressCCtx`).
 *
 * It is a port of libzstd 1.5.7's compressor without dictionaries: the level table and its
 * adjustment to the input size, block pre-splitting, the fast, double-fast, row-based
 * greedy/lazy/lazy2, binary-tree btlazy2 and optimal btopt/btultra/btultra2 match finders
 * with libzstd's exact hashes, the Huffman and FSE stages with their cost-based choices,
 * post-parse block splitting, and libzstd's rules for a destination that is too small. The
 * frames are therefore the bytes libzstd 1.5.7 writes for the same input, level and room.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import type { EncodeContext } from '../types.js';
import { zstdCompress } from './compress.js';
import { zstdLevelForClevel } from './params.js';

export { ZstdEncoderState, zstdCompress, zstdCompressBound } from './compress.js';
export { ZSTD_MAX_CLEVEL, getCompressionParams, zstdLevelForClevel } from './params.js';
export type { CompressionParams } from './params.js';

/**
 * The Blosc codec `encode` entry point for zstd: Blosc clevel → zstd level
 * (`zstdLevelForClevel`), one frame into dst[dp, dp+cap). Returns 0 when it does not fit
 * (libzstd's refusal included). Dictionary chunks are not supported by this encoder.
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
  if (ctx.dict !== null) fail(BloscErrorCode.CodecSupport, 'zstd: compressing with a dictionary is not supported');
  return zstdCompress(src, sp, sn, dst, dp, cap, zstdLevelForClevel(clevel));
}
