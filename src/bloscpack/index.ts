/**
 * Bloscpack `.blp` files (bloscpack 0.16.0, format version 3): pack and unpack bytes,
 * typed arrays and numpy-style arrays, in memory or over sources and sinks (Web Streams
 * here; Node files in `./node.js`), and append to files with preallocated offsets.
 */
export { appendBytes } from './append.js';
export type { AppendOptions } from './append.js';
export { pythonJsonDumps } from './json.js';
export type { JsonValue } from './json.js';
export { decodeMetadata, encodeMetadataSection } from './metadata.js';
export { itemsizeOfDtype, littleEndianDtypeOfTypedArray, ndarrayMetadata, packNdarray, packNdarrayTo, typedArrayOf, unpackNdarray } from './ndarray.js';
export type { ArrayOrder, BloscpackNdarray, BloscpackNdarrayInput } from './ndarray.js';
export { pack, packBytes } from './pack.js';
export type { PackOptions } from './pack.js';
export type { ProgressCallback } from './runner.js';
export { readBloscpackInfo, unpack, unpackBytes, verifyBytes } from './unpack.js';
export type { BloscpackInfo, ChunkRecord, UnpackOptions, UnpackResult, UnpackedBytes } from './unpack.js';
export { MemorySink, memorySource, readableStreamSource, writableStreamSink } from './io.js';
export type { ByteSink, ByteSource } from './io.js';
export { bloscpackDigest, adler32, crc32, md5, sha1, sha224, sha256, sha384, sha512 } from './checksums.js';
export type { BloscpackHeader, ChecksumName, MetaCodecName, MetadataHeader } from '../frame/bloscpack.js';
