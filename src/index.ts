/**
 * blosc-ts: Blosc and Blosc2 in pure TypeScript.
 *
 * Chunks: `compress`, `decompress`, `getItems`, `chunkInfo`, and writers of special-value
 * chunks. Codecs and filters are pluggable by their
 * Blosc ids (`registerCodec`, `registerFilter`, user ids 160..255).
 */
import { decompressChunk, getChunkItems, type DecompressOptions } from './chunk/decompress.js';
import { chunkInput, compressChunk } from './chunk/compress.js';
export { maxChunkSize } from './chunk/compress.js';
import { nansChunk, repeatValueChunk, uninitChunk, zerosChunk } from './chunk/special.js';
import { elementSize, resolveCParams, type CompressOptions } from './params.js';
import { tunedOptions } from './tuning/tune.js';
import { compressAsync as compressOnPool, type AsyncCompressOptions } from './pool/chunk.js';

export { BloscError, BloscErrorCode, errorCodeName, isBloscError } from './errors.js';
export type { BloscErrorContext } from './errors.js';
// Resource limits: the output ceiling and metadata bounds every decode path applies.
export { getLimits, setLimits, DEFAULT_LIMITS } from './limits.js';
export type { BloscLimits } from './limits.js';
export { chunkInfo } from './chunk/info.js';
export type { ChunkInfo, ChunkFilterInfo } from './chunk/info.js';
export { chunkBlocks } from './chunk/blocks.js';
export type { ChunkBlockInfo, ChunkStreamInfo, ChunkStreamKind } from './chunk/blocks.js';
export type { DecompressOptions } from './chunk/decompress.js';
export type { CompressOptions, CodecName, CodecNames, ShuffleName, ChunkFormat } from './params.js';
export { Splitmode } from './blocking/split.js';
export type { SplitmodeName } from './blocking/split.js';
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

/**
 * Compress `src` into one Blosc chunk (python-blosc2 `compress2`, python-blosc `compress`).
 * With format 'blosc1' the chunk follows c-blosc 1.x; with 'blosc2' (default) c-blosc2.
 * The typesize defaults to the element size of a typed array, else 8.
 * With `out` (at least `maxChunkSize(nbytes, format)` bytes, not overlapping `src`; C's
 * `dest`) the chunk is written there and `out.subarray(0, cbytes)` returned; the bytes are
 * the same as without it.
 */
export function compress(src: ArrayBufferView | ArrayBuffer, options?: CompressOptions, out?: Uint8Array): Uint8Array {
  const bytes = chunkInput(src); // first: a string or a plain array is refused before any tuning
  return compressChunk(bytes, resolveCParams(options?.tune !== undefined ? tunedOptions(src, options) : options, elementSize(src)), out);
}

/** A chunk of `nbytes` zero bytes (c-blosc2 `blosc2_chunk_zeros`). */
export function compressZeros(nbytes: number, options?: CompressOptions): Uint8Array {
  return zerosChunk(nbytes, resolveCParams(options));
}

/** A chunk of NaNs: float32 (typesize 4) or float64 (typesize 8) (`blosc2_chunk_nans`). */
export function compressNaNs(nbytes: number, options?: CompressOptions): Uint8Array {
  return nansChunk(nbytes, resolveCParams(options));
}

/** A chunk whose contents are undefined (`blosc2_chunk_uninit`); blosc-ts decodes it as zeros. */
export function compressUninit(nbytes: number, options?: CompressOptions): Uint8Array {
  return uninitChunk(nbytes, resolveCParams(options));
}

/** A chunk of one repeated element; its typesize is the value's length (`blosc2_chunk_repeatval`). */
export function compressRepeatValue(nbytes: number, value: ArrayBufferView | ArrayBuffer, options?: CompressOptions): Uint8Array {
  const bytes = chunkInput(value);
  return repeatValueChunk(nbytes, bytes, resolveCParams({ ...options, typesize: options?.typesize ?? bytes.length }));
}

// Automatic choice of parameters and a benchmark grid (src/tuning/); self-describing arrays (src/ndarray/pack.ts).
export { tune, tunedOptions } from './tuning/tune.js';
export type { TuneResult, TunedOptions } from './tuning/tune.js';
export { DEFAULT_BANDWIDTH, GOAL_TRADEOFF, SPEED_MODEL, FILTER_SPEED_MODEL, TUNE_BLOCKSIZES, scoreOf, timeCostPerByte } from './tuning/score.js';
export type { TuneGoal, TuneMode, TuneOptions, TunePerf, TunePipeline, TunePipelineName, ScoreOptions } from './params.js';
export { benchmark, benchmarkPipelines, benchmarkRowSpeed } from './tuning/benchmark.js';
export type { BenchmarkOptions, BenchmarkRow } from './tuning/benchmark.js';
export { packArray, unpackArray } from './ndarray/pack.js';
export type { PackArrayOptions, UnpackedArray } from './ndarray/pack.js';

// Super-chunks and contiguous frames (`.b2frame`, `.b2nd`, `.b2`), in any runtime.
export { SChunk, Metalayers, VLMetalayers } from './schunk/schunk.js';
export type { SChunkOptions, SliceOptions } from './schunk/schunk.js';
export { CFrame, writeFrame } from './schunk/contiguous.js';
export { FrameWriter } from './schunk/frame-writer.js';
export type { FrameWriteTarget } from './schunk/frame-writer.js';
export type { FrameOpenOptions } from './schunk/contiguous.js';
export type { FrameHeader, FrameLayer, FrameWriteSpec } from './frame/cframe.js';
export { MemorySource } from './io/source.js';
export { MemoryTarget } from './io/target.js';
export type { ChunkFileStore, FrameTarget } from './io/target.js';
export type { FrameSource } from './io/source.js';
export type { AsyncFrameSource } from './io/source.js';
export type { FrameChunkLocation } from './frame/cframe.js';
export { BlobSource, HttpRangeSource } from './io/async-source.js';
export type { FetchFunction, HttpRangeSourceOptions } from './io/async-source.js';
export { AsyncCFrame, openFrameAsync } from './schunk/remote.js';
export type { AsyncFrameOpenOptions } from './schunk/remote.js';
export { msgpackDecode, msgpackEncode, MsgpackExt, MsgpackTuple } from './frame/msgpack.js';
export type { MsgpackValue } from './frame/msgpack.js';

// Bloscpack (`.blp`) over in-memory bytes and Web Streams; files are in 'blosc-ts/node'.
export * as bloscpack from './bloscpack/index.js';

// Worker threads: async chunk and frame calls that spread blocks or chunks over `nthreads` workers.
export { decompressAsync, DECODE_PARALLEL_MIN_NBYTES, DECODE_PARALLEL_MIN_NBYTES_ZLIB, ENCODE_PARALLEL_MIN_NBYTES } from './pool/chunk.js';

/**
 * `compress` on the calling thread and `options.nthreads - 1` workers (src/pool/chunk.ts):
 * the same bytes, `tune` included (the pool sits beside the tuner, so the choice is made here).
 */
export function compressAsync(src: ArrayBufferView | ArrayBuffer, options?: AsyncCompressOptions, out?: Uint8Array): Promise<Uint8Array> {
  if (options?.tune === undefined) return compressOnPool(src, options, out);
  try {
    chunkInput(src); // first: a string or a plain array is refused before any tuning, as in compress
    return compressOnPool(src, tunedOptions(src, options), out);
  } catch (e) {
    return Promise.reject(e);
  }
}
export type { AsyncCompressOptions, AsyncDecompressOptions } from './pool/chunk.js';
export { FRAME_DECODE_PARALLEL_MIN_NBYTES } from './pool/frame.js';
export { decompressFrameAsync } from './schunk/schunk.js';
export type { AsyncSliceOptions } from './pool/frame.js';
export { shutdownPool } from './pool/pool.js';

// n-dimensional arrays (`.b2nd`, python-blosc2's NDArray) and NumPy `.npy` files.
export { NDArray, NDARRAY_DEFAULT_CPARAMS, B2ND_METALAYER, sliceToTypedArray, fortranToC } from './ndarray/ndarray.js';
export type { NDSlice, SliceSpec, NDArrayCreateOptions, NDArrayReadStats, NDReadOptions } from './ndarray/ndarray.js';
export { B2ndGeometry } from './ndarray/geometry.js';
export { computeChunksBlocks, computePartition, DEFAULT_CACHE_SIZES } from './ndarray/defaults.js';
export type { CacheSizes } from './ndarray/defaults.js';
export { parseDType, dtypeOfTypedArray, bytesToTypedArray, typedArrayToBytes } from './ndarray/dtype.js';
export type { DTypeInfo, DTypeKind, ByteOrder, NDTypedArray, NDInputArray } from './ndarray/dtype.js';
export { parseB2ndMeta, writeB2ndMeta, B2ND_MAX_DIM } from './frame/b2nd-meta.js';
export type { B2ndMeta } from './frame/b2nd-meta.js';
export { parseNpy, parseNpyHeader, writeNpy } from './frame/npy.js';
export type { NpyHeader } from './frame/npy.js';
export type { NpyArray } from './frame/npy.js';
