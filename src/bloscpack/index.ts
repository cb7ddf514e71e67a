/**
 * Bloscpack `.blp` files (bloscpack 0.16.0, format version 3): pack and unpack bytes,
 * typed arrays and numpy-style arrays, in memory or over sources and sinks (Web Streams
 * here; Node files in `./node.js`), and append to files with preallocated offsets.
 */
export {
  appendBytes,
  decodeMetadata,
  littleEndianDtypeOfTypedArray,
  encodeMetadataSection,
  itemsizeOfDtype,
  ndarrayMetadata,
  pack,
  packBytes,
  packNdarray,
  packNdarrayTo,
  pythonJsonDumps,
  readBloscpackInfo,
  typedArrayOf,
  unpack,
  unpackBytes,
  unpackNdarray,
  verifyBytes,
} from './pack.js';
export type {
  AppendOptions,
  ArrayOrder,
  BloscpackInfo,
  ChunkRecord,
  JsonValue,
  BloscpackNdarray,
  BloscpackNdarrayInput,
  PackOptions,
  ProgressCallback,
  UnpackOptions,
  UnpackResult,
  UnpackedBytes,
} from './pack.js';
export { MemorySink, memorySource, readableStreamSource, writableStreamSink } from './io.js';
export type { ByteSink, ByteSource } from './io.js';
export { bloscpackDigest, adler32, crc32, md5, sha1, sha224, sha256, sha384, sha512 } from './checksums.js';
export type { BloscpackHeader, ChecksumName, MetaCodecName, MetadataHeader } from '../frame/bloscpack.js';
