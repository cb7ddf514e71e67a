/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) abstract_io.py, file_io.py,
 * args.py; license in THIRD_PARTY_NOTICES.md.
 *
 * Packing bloscpack files (abstract_io.py `pack`, file_io.py `_write_metadata`): header,
 * metadata, preallocated offsets, then each chunk compressed with its digest, in memory or
 * over sources and sinks.
 */
import { compressChunk } from '../chunk/compress.js';
import { BloscErrorCode, fail } from '../errors.js';
import {
  BLOSCPACK_FORMAT_VERSION,
  BLOSCPACK_HEADER_LENGTH,
  calculateChunks,
  checksumId,
  offsetSlots,
  parseChunkSize,
  writeBloscpackHeader,
  writeOffsets,
  type BloscpackHeader,
  type ChecksumName,
  type MetaCodecName,
} from '../frame/bloscpack.js';
import { bytesOf, resolveCParams, type ResolvedCParams, type ShuffleName } from '../params.js';
import { bloscpackDigest } from './checksums.js';
import { MemorySink, memorySource, type ByteSink, type ByteSource } from './io.js';
import type { JsonValue } from './json.js';
import { encodeMetadataSection } from './metadata.js';
import { bytesSource, memorySyncSink, readStep, runAsync, runSync, type ProgressCallback, type Steps } from './runner.js';

export interface PackOptions {
  /** Blosc codec: 'blosclz' (default, as bloscpack), 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'. */
  codec?: string;
  /** 0..9, default 7 (bloscpack's default). */
  clevel?: number;
  /** Default 'shuffle'; `true`/`false` as in bloscpack's BloscArgs. */
  shuffle?: ShuffleName | boolean;
  /** Blosc typesize, 1..255. Default 8 for bytes, the item size for arrays. */
  typesize?: number;
  /** Uncompressed bytes per chunk, as a number or bloscpack's '1M' notation. Default '1M'. */
  chunkSize?: number | string;
  /** Digest after every chunk. Default 'adler32'. */
  checksum?: ChecksumName;
  /** Write the offsets section. Default true. */
  offsets?: boolean;
  /** Offset slots reserved for appends: a count or a function of nchunks. Default 10 × nchunks. */
  maxAppChunks?: number | ((nchunks: number) => number);
  /** JSON metadata to store; none when undefined. */
  metadata?: JsonValue;
  /** Digest of the stored metadata. Default 'adler32'. */
  metaChecksum?: ChecksumName;
  /** Default 'zlib'; dropped to 'None' when compression does not shrink the metadata. */
  metaCodec?: MetaCodecName;
  /** zlib level for the metadata, default 6. */
  metaLevel?: number;
  /** Room reserved for the metadata: bytes, or a function of its serialized size. Default 10 ×. */
  maxMetaSize?: number | ((metaSize: number) => number);
  /** Called after each chunk is written. */
  onProgress?: ProgressCallback;
}

export interface ResolvedPack {
  readonly cparams: ResolvedCParams;
  readonly chunkSize: number;
  readonly checksum: ChecksumName;
  readonly offsets: boolean;
  readonly maxAppChunks: number | ((nchunks: number) => number);
  readonly onProgress: ProgressCallback | undefined;
}

export function resolvePack(options: PackOptions, itemsize?: number): ResolvedPack {
  const shuffle = options.shuffle === true ? 'shuffle' : options.shuffle === false ? 'noshuffle' : (options.shuffle ?? 'shuffle');
  const typesize = itemsize !== undefined && itemsize <= 255 ? itemsize : (options.typesize ?? 8);
  const cparams = resolveCParams({ codec: options.codec ?? 'blosclz', clevel: options.clevel ?? 7, shuffle, typesize, format: 'blosc1' });
  const checksum = options.checksum ?? 'adler32';
  checksumId(checksum);
  return {
    cparams,
    chunkSize: parseChunkSize(options.chunkSize ?? '1M'),
    checksum,
    offsets: options.offsets ?? true,
    maxAppChunks: options.maxAppChunks ?? ((n: number) => 10 * n),
    onProgress: options.onProgress,
  };
}

export function compressPlain(plain: Uint8Array, p: ResolvedPack): { chunk: Uint8Array; digest: Uint8Array } {
  const chunk = compressChunk(plain, p.cparams);
  return { chunk, digest: bloscpackDigest(p.checksum, chunk) };
}

function buildHeader(size: number, p: ResolvedPack, hasMetadata: boolean, itemsize: number): BloscpackHeader {
  const { nchunks, chunkSize, lastChunk } = calculateChunks(size, p.chunkSize);
  if (chunkSize % itemsize !== 0) fail(BloscErrorCode.InvalidParam, `chunk size ${chunkSize} is not a multiple of the item size ${itemsize}`);
  let maxAppChunks = 0;
  if (p.offsets) {
    maxAppChunks = typeof p.maxAppChunks === 'function' ? p.maxAppChunks(nchunks) : p.maxAppChunks;
    if (!Number.isSafeInteger(maxAppChunks) || maxAppChunks < 0) fail(BloscErrorCode.InvalidParam, `maxAppChunks must be a non-negative integer, got ${maxAppChunks}`);
  }
  return {
    formatVersion: BLOSCPACK_FORMAT_VERSION,
    offsets: p.offsets,
    metadata: hasMetadata,
    checksum: p.checksum,
    typesize: p.cparams.typesize,
    chunkSize,
    lastChunk,
    nchunks,
    maxAppChunks,
  };
}

/** Pack `size` plain bytes read from the cursor (abstract_io.py `pack`). */
export function* packSteps(size: number, p: ResolvedPack, metadata: Uint8Array | undefined, itemsize: number): Steps<BloscpackHeader> {
  const header = buildHeader(size, p, metadata !== undefined, itemsize);
  yield { kind: 'write', data: writeBloscpackHeader(header) };
  let pos = BLOSCPACK_HEADER_LENGTH;
  if (metadata !== undefined) {
    yield { kind: 'write', data: metadata };
    pos += metadata.length;
  }
  const offsetsPos = pos;
  const slots = offsetSlots(header);
  if (slots > 0) {
    const minusOne = writeOffsets([], Math.min(slots, 8192));
    for (let i = 0; i < slots; i += 8192) yield { kind: 'write', data: minusOne.subarray(0, 8 * Math.min(8192, slots - i)) };
    pos += slots * 8;
  }
  const offsets: number[] = [];
  for (let i = 0; i < header.nchunks; i++) {
    const n = i === header.nchunks - 1 ? header.lastChunk : header.chunkSize;
    const plain = yield* readStep(n, `input chunk ${i}`);
    const { chunk, digest } = compressPlain(plain, p);
    offsets.push(pos);
    yield { kind: 'write', data: chunk };
    if (digest.length > 0) yield { kind: 'write', data: digest };
    pos += chunk.length + digest.length;
    p.onProgress?.(i + 1, header.nchunks);
  }
  if (header.offsets) yield { kind: 'patch', position: offsetsPos, data: writeOffsets(offsets, offsets.length) };
  return header;
}

export function metadataFor(options: PackOptions): Uint8Array | undefined {
  if (options.metadata === undefined) return undefined;
  return encodeMetadataSection(options.metadata, {
    checksum: options.metaChecksum ?? 'adler32',
    codec: options.metaCodec ?? 'zlib',
    level: options.metaLevel ?? 6,
    maxMetaSize: options.maxMetaSize ?? ((n: number) => 10 * n),
  });
}


/** Pack bytes into a bloscpack file image (`pack_bytes_to_file`, `pack_bytes_to_bytes`). */
export function packBytes(data: ArrayBufferView | ArrayBuffer, options: PackOptions = {}): Uint8Array {
  const bytes = bytesOf(data);
  const p = resolvePack(options);
  const sink = new MemorySink();
  runSync(packSteps(bytes.length, p, metadataFor(options), 1), bytesSource(bytes), memorySyncSink(sink));
  void sink.close();
  return sink.result();
}


/**
 * Pack everything `source` yields into `sink`. Memory holds one chunk at a time when the
 * source knows its size and the sink can patch (`writeAt`); an unsized source is collected
 * first (the header states the size), and for a sink that cannot patch the packed output
 * is assembled in memory, since the offsets precede the chunks. The sink is aborted on
 * failure and closed on success.
 */
export async function pack(source: ByteSource, sink: ByteSink, options: PackOptions = {}): Promise<BloscpackHeader> {
  return packWith(source, sink, resolvePack(options), metadataFor(options), 1);
}

export async function packWith(source: ByteSource, sink: ByteSink, p: ResolvedPack, metadata: Uint8Array | undefined, itemsize: number): Promise<BloscpackHeader> {
  try {
    if (source.size === undefined) {
      // The header needs the total size before the first chunk: collect an unsized input.
      const all = new MemorySink();
      for (;;) {
        const piece = await source.read(1 << 20);
        if (piece.length === 0) break;
        await all.write(piece);
      }
      await all.close();
      await source.close?.();
      source = memorySource(all.result());
    }
    const target = p.offsets && sink.writeAt === undefined ? new MemorySink() : sink;
    const header = await runAsync(packSteps(source.size ?? 0, p, metadata, itemsize), source, target);
    if (target !== sink) {
      await target.close();
      await sink.write((target as MemorySink).result());
    }
    await sink.close();
    return header;
  } catch (e) {
    await sink.abort(e);
    throw e;
  } finally {
    await source.close?.();
  }
}
