/**
 * Zstandard encoder (RFC 8878) in TypeScript: one frame per call with the content size
 * in the header, as Blosc writes its zstd streams. Levels follow libzstd's parameter
 * table; the match finders are ports of libzstd's fast, double-fast and lazy hash-chain
 * finders, the entropy stages of its Huffman and FSE coders.
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
 * (`zstdLevelForClevel`), one frame into dst[dp, dp+cap). Returns 0 when it does not fit.
 * Dictionary chunks are not supported by this encoder.
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
