/**
 * The built-in codecs. Importing this module registers them (blosclz, lz4, lz4hc, snappy,
 * zlib, zstd) in the codec registry, keyed by their Blosc ids.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { blosclzCodec } from './blosclz.js';
import { lz4Codec, lz4hcCodec } from './lz4.js';
import { registerBuiltinCodec, resolveCodec } from './registry.js';
import { snappyCodec } from './snappy.js';
import type { Codec } from './types.js';
import { CodecId } from './types.js';
import { zlibCodec } from './zlib.js';
import { zstdCodec } from './zstd/index.js';

export type { Codec, DecodeContext, EncodeContext } from './types.js';
export { CodecFormat, CodecId } from './types.js';
export {
  USER_CODEC_MAX,
  USER_CODEC_MIN,
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

registerBuiltinCodec(blosclzCodec);
registerBuiltinCodec(lz4Codec);
registerBuiltinCodec(lz4hcCodec);
registerBuiltinCodec(snappyCodec);
registerBuiltinCodec(zlibCodec);
// Our own zstd decoder (dictionaries, checksums, bounds-checked output); fzstd stays
// available as `zstdFzstdCodec` for `replaceBuiltinCodec`.
registerBuiltinCodec(zstdCodec);

/** Blosc id of the built-in codec that reads each flags-byte format code. */
const FORMAT_TO_ID: readonly number[] = [CodecId.BloscLZ, CodecId.LZ4, CodecId.Snappy, CodecId.Zlib, CodecId.Zstd];

/**
 * The codec that decodes streams of a chunk whose flags bits 5..7 hold `formatCode`
 * (0 blosclz, 1 lz4 — also lz4hc's streams, 2 snappy, 3 zlib, 4 zstd), as currently
 * registered (so a `replaceBuiltinCodec` swap takes effect). The user-defined format (6)
 * and anything else raise BloscError CodecSupport: for 6 the codec comes from the id in
 * header byte 22, through `resolveCodec`.
 */
export function codecForFormat(formatCode: number): Codec {
  const id = Number.isInteger(formatCode) && formatCode >= 0 ? FORMAT_TO_ID[formatCode] : undefined;
  if (id === undefined) {
    return fail(BloscErrorCode.CodecSupport, `codec format code ${formatCode} has no built-in decoder`);
  }
  return resolveCodec(id);
}
