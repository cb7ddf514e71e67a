/**
 * blosc-ts: Blosc and Blosc2 in pure TypeScript.
 *
 * Chunks: `decompress`, `getItems`, `chunkInfo`. Codecs and filters are pluggable by their
 * Blosc ids (`registerCodec`, `registerFilter`, user ids 160..255).
 */
import './codecs/index.js';
import { decompressChunk, getChunkItems, type DecompressOptions } from './chunk/decompress.js';

export { BloscError, BloscErrorCode, errorCodeName, isBloscError } from './errors.js';
export type { BloscErrorContext } from './errors.js';
export { chunkInfo } from './chunk/info.js';
export type { ChunkInfo, ChunkFilterInfo } from './chunk/info.js';
export type { DecompressOptions } from './chunk/decompress.js';
export { CodecId, CodecFormat } from './codecs/types.js';
export type { Codec, DecodeContext, EncodeContext } from './codecs/types.js';
export { registerCodec, getCodec, getCodecByName, listCodecs, replaceBuiltinCodec } from './codecs/registry.js';
export { FilterId } from './shuffle/types.js';
export type { Filter, FilterCall } from './shuffle/types.js';
export { registerFilter, getFilter } from './shuffle/filters.js';

/**
 * Decompress a Blosc1 or Blosc2 chunk. Returns `out.subarray(0, nbytes)` when `out` is
 * given (it must hold nbytes), else a new array.
 */
export function decompress(chunk: Uint8Array, out?: Uint8Array, options?: DecompressOptions): Uint8Array {
  return decompressChunk(chunk, out, options);
}

/**
 * Decode `count` items starting at item `start` (items are `typesize` bytes, as in the
 * header), decoding only the blocks that hold them (python-blosc2 `getitem`).
 */
export function getItems(chunk: Uint8Array, start: number, count: number, options?: DecompressOptions): Uint8Array {
  return getChunkItems(chunk, start, count, options);
}
