/**
 * The codecs' public surface: the built-in codec objects and their functions, and the
 * registry. Importing this module has no effect of its own: the registry puts the
 * built-ins in its table itself (`codecs/registry.ts`).
 */
export type { Codec, DecodeContext, EncodeContext } from './types.js';
export { CodecFormat, CodecId } from './types.js';
export {
  USER_CODEC_MAX,
  USER_CODEC_MIN,
  codecForFormat,
  getCodec,
  getCodecByName,
  listCodecs,
  registerCodec,
  replaceBuiltinCodec,
  resolveCodec,
} from './registry.js';
export { blosclzCodec, blosclzDecompress } from './blosclz.js';
export { BLOSCLZ_HASH_SIZE, blosclzCompress } from './blosclz-compress.js';
export { lz4Codec, lz4hcCodec, lz4Decompress, lz4DecompressUsingDict } from './lz4.js';
export { LZ4_HASH_TABLE_SIZE, lz4CompressBound, lz4CompressFast, lz4CompressFastWithDict } from './lz4-compress.js';
export { snappyCodec, snappyCompress, snappyDecompress } from './snappy.js';
export { zlibCodec, zlibCompress, zlibDecompress } from './zlib.js';
export { zstdFzstdCodec, zstdDecompressFzstd } from './zstd-fzstd.js';
export { zstdCodec, zstdDecompress, zstdDecompressInto, parseZstdDictionary } from './zstd/index.js';
