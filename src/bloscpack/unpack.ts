/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) abstract_io.py, file_io.py;
 * license in THIRD_PARTY_NOTICES.md.
 *
 * Unpacking bloscpack files (abstract_io.py `unpack`, file_io.py `_read_beginning`,
 * `_read_offsets`, `_read_compressed_chunk_fp`): header, metadata and offsets, then each
 * chunk checked against its digest and decoded, in memory or over sources and sinks.
 */
import { decompressChunk } from '../chunk/decompress.js';
import { BloscError, BloscErrorCode, fail } from '../errors.js';
import {
  BLOSC1_HEADER_LENGTH,
  BLOSCPACK_HEADER_LENGTH,
  METADATA_HEADER_LENGTH,
  offsetSlots,
  readBlosc1Framing,
  readBloscpackHeader,
  readMetadataHeader,
  readOffsets,
  type BloscpackHeader,
  type MetadataHeader,
} from '../frame/bloscpack.js';
import { allocOutput, checkOutput, outputCeiling } from '../limits.js';
import { digestMatches, digestSize } from './checksums.js';
import type { ByteSink, ByteSource } from './io.js';
import type { JsonValue } from './json.js';
import { decodeMetadata } from './metadata.js';
import { bytesSource, readSomeStep, readStep, runAsync, runSync, type ProgressCallback, type Steps } from './runner.js';

/**
 * Output bounds of an unpack. In memory (`unpackBytes`, `unpackNdarray`) `maxNbytes` bounds
 * the whole output, checked from the chunk headers before anything is decoded; streamed
 * to a sink (`unpack`, the file functions), each chunk's. Default the global
 * ceiling, `getLimits().maxOutputBytes`.
 */
export interface UnpackOptions {
  maxNbytes?: number;
}

/** What a file holds besides its chunks. */
export interface BloscpackInfo {
  readonly header: BloscpackHeader;
  readonly metadataHeader: MetadataHeader | undefined;
  readonly metadata: JsonValue | undefined;
  /** Absolute positions of the used chunks (empty without an offsets section). */
  readonly offsets: readonly number[];
  /** Where the first chunk starts. */
  readonly chunksStart: number;
}

export interface ChunkRecord {
  readonly index: number;
  readonly position: number;
  readonly cbytes: number;
  readonly nbytes: number;
}

/** Read header, metadata and offsets; the cursor is left at the first chunk. */
export function* readPrefix(fileSize: number | undefined): Steps<BloscpackInfo> {
  const header = readBloscpackHeader(yield* readStep(BLOSCPACK_HEADER_LENGTH, 'bloscpack header'));
  let pos = BLOSCPACK_HEADER_LENGTH;
  let metadataHeader: MetadataHeader | undefined;
  let metadata: JsonValue | undefined;
  if (header.metadata) {
    metadataHeader = readMetadataHeader(yield* readStep(METADATA_HEADER_LENGTH, 'metadata header'), 0);
    pos += METADATA_HEADER_LENGTH;
    const dsize = digestSize(metadataHeader.metaChecksum);
    if (fileSize !== undefined && pos + metadataHeader.maxMetaSize + dsize > fileSize) {
      fail(BloscErrorCode.InvalidHeader, `metadata section of ${metadataHeader.maxMetaSize} bytes runs past the end of the ${fileSize}-byte file`);
    }
    const stored = (yield* readStep(metadataHeader.metaCompSize, 'metadata')).slice();
    // Skip the preallocated room in bounded pieces: its size is a claim, not an allocation.
    let skip = metadataHeader.maxMetaSize - metadataHeader.metaCompSize;
    while (skip > 0) {
      const n = Math.min(skip, 1 << 16);
      yield* readStep(n, 'metadata preallocation');
      skip -= n;
    }
    const digest = yield* readStep(dsize, 'metadata digest');
    metadata = decodeMetadata(metadataHeader, stored, digest);
    pos += metadataHeader.maxMetaSize + dsize;
  }
  let offsets: number[] = [];
  if (header.offsets) {
    const slots = offsetSlots(header);
    if (fileSize !== undefined && pos + slots * 8 > fileSize) {
      fail(BloscErrorCode.InvalidHeader, `offsets section of ${slots} entries runs past the end of the ${fileSize}-byte file`);
    }
    const used = header.nchunks;
    // Only the used entries are kept; the preallocated rest is skipped in bounded pieces.
    offsets = [];
    const chunksStart = pos + slots * 8;
    for (let i = 0; i < slots; i += 8192) {
      const n = Math.min(8192, slots - i);
      const b = yield* readStep(n * 8, 'offsets section');
      if (i < used) {
        const got = readOffsets(b, 0, Math.min(n, used - i), chunksStart, fileSize ?? Infinity);
        for (let j = 0; j < got.length; j++) offsets.push(got[j]!);
      }
    }
    pos = chunksStart;
  }
  if (fileSize !== undefined && header.nchunks > 0) {
    const minChunk = BLOSC1_HEADER_LENGTH + digestSize(header.checksum);
    if (header.nchunks > (fileSize - pos) / minChunk) {
      fail(BloscErrorCode.InvalidHeader, `${header.nchunks} chunks cannot fit in the ${fileSize - pos} bytes after the header`);
    }
  }
  return { header, metadataHeader, metadata, offsets, chunksStart: pos };
}

/**
 * Read one chunk at the cursor and check its digest; `undefined` at the clean end of an
 * input whose chunk count is unknown.
 */
export function* readChunk(info: BloscpackInfo, index: number, position: number, allowEnd: boolean): Steps<{ chunk: Uint8Array; record: ChunkRecord } | undefined> {
  const head = yield* readSomeStep(BLOSC1_HEADER_LENGTH, `chunk ${index} header`);
  if (head.length === 0 && allowEnd) return undefined;
  if (head.length !== BLOSC1_HEADER_LENGTH) {
    fail(BloscErrorCode.ReadBuffer, `chunk ${index}: input ends inside its header at ${position}`, { chunk: index, offset: position });
  }
  const { header, offsets } = info;
  if (header.offsets && index < offsets.length && offsets[index] !== position) {
    fail(BloscErrorCode.InvalidHeader, `chunk ${index} is at ${position} but the offsets section says ${offsets[index]}`, { chunk: index, offset: position });
  }
  const { nbytes, cbytes } = readBlosc1Framing(head, 0, index);
  const n = header.nchunks;
  if (n >= 0 && header.chunkSize >= 0 && header.lastChunk >= 0) {
    const expected = index === n - 1 ? header.lastChunk : header.chunkSize;
    if (nbytes !== expected) {
      fail(BloscErrorCode.InvalidHeader, `chunk ${index} holds ${nbytes} bytes, the bloscpack header says ${expected}`, { chunk: index, offset: position });
    }
  }
  // Read first, allocate after: a source only hands out bytes it has, whatever cbytes claims.
  const body = yield* readStep(cbytes - BLOSC1_HEADER_LENGTH, `chunk ${index}`);
  const chunk = new Uint8Array(cbytes);
  chunk.set(head, 0);
  chunk.set(body, BLOSC1_HEADER_LENGTH);
  const dsize = digestSize(header.checksum);
  if (dsize > 0) {
    const digest = yield* readStep(dsize, `chunk ${index} digest`);
    if (!digestMatches(header.checksum, chunk, digest)) {
      fail(BloscErrorCode.Data, `checksum mismatch in chunk ${index} (${header.checksum}) at ${position}`, { chunk: index, offset: position });
    }
  }
  return { chunk, record: { index, position, cbytes, nbytes } };
}

/** Decode one chunk (into `out` when given), its nbytes within `maxNbytes`. */
export function decodeChunk(chunk: Uint8Array, record: ChunkRecord, maxNbytes: number, out?: Uint8Array): Uint8Array {
  try {
    if (out === undefined) checkOutput(record.nbytes, maxNbytes, `chunk ${record.index}`);
    const decoded = decompressChunk(chunk, out, { maxNbytes: record.nbytes });
    if (decoded.length !== record.nbytes) fail(BloscErrorCode.Data, `chunk ${record.index} decoded to ${decoded.length} bytes, not ${record.nbytes}`);
    return decoded;
  } catch (e) {
    if (e instanceof BloscError && e.chunk === undefined) e.chunk = record.index;
    throw e;
  }
}

/** Unpack: chunks decompressed and written in order. Returns the file's description. */
function* unpackSteps(
  fileSize: number | undefined, decode: boolean, onProgress?: ProgressCallback, maxNbytes = outputCeiling(undefined),
): Steps<{ info: BloscpackInfo; chunks: ChunkRecord[] }> {
  const info = yield* readPrefix(fileSize);
  const chunks: ChunkRecord[] = [];
  let position = info.chunksStart;
  const dsize = digestSize(info.header.checksum);
  const known = info.header.nchunks >= 0;
  for (let i = 0; !known || i < info.header.nchunks; i++) {
    const got = yield* readChunk(info, i, position, !known);
    if (got === undefined) break;
    chunks.push(got.record);
    position += got.record.cbytes + dsize;
    if (decode) yield { kind: 'write', data: decodeChunk(got.chunk, got.record, maxNbytes) };
    onProgress?.(i + 1, info.header.nchunks);
  }
  return { info, chunks };
}

export interface UnpackedBytes extends BloscpackInfo {
  readonly data: Uint8Array;
  readonly chunks: readonly ChunkRecord[];
}

/**
 * Unpack a whole file image (`unpack_bytes_from_bytes`). Checksums are verified before any
 * byte is returned. The output (the sum of the chunks' nbytes) must be within
 * `options.maxNbytes` (default the global ceiling): checked before anything is decoded.
 */
export function unpackBytes(blp: Uint8Array, options?: UnpackOptions): UnpackedBytes {
  // First pass: framing and checksums only, so the output is sized from the chunks themselves.
  const { info, chunks } = runSync(unpackSteps(blp.length, false), bytesSource(blp), undefined);
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i]!.nbytes;
  // Three 32-byte special chunks may claim 6 GiB: the sum meets the ceiling before any decode.
  const data = allocOutput(total, outputCeiling(options?.maxNbytes), 'the unpacked data');
  // Each chunk decodes into its place; its decoder checks its nbytes against the framing.
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    const r = chunks[i]!;
    decodeChunk(blp.subarray(r.position, r.position + r.cbytes), r, total, data.subarray(at, at + r.nbytes));
    at += r.nbytes;
  }
  return { ...info, chunks, data };
}

/** Header, metadata and offsets of a file image, without touching the chunks. */
export function readBloscpackInfo(blp: Uint8Array): BloscpackInfo {
  return runSync(readPrefix(blp.length), bytesSource(blp), undefined);
}

/** Walk every chunk and check its framing and checksum, without decompressing. */
export function verifyBytes(blp: Uint8Array): { info: BloscpackInfo; chunks: ChunkRecord[] } {
  return runSync(unpackSteps(blp.length, false), bytesSource(blp), undefined);
}


export interface UnpackResult extends BloscpackInfo {
  readonly chunks: readonly ChunkRecord[];
}

/**
 * Unpack `source` into `sink` one chunk at a time. On any error (a checksum mismatch names
 * its chunk) the sink is aborted, so a file sink leaves no partial output.
 */
export async function unpack(source: ByteSource, sink: ByteSink, onProgress?: ProgressCallback, options?: UnpackOptions): Promise<UnpackResult> {
  try {
    const { info, chunks } = await runAsync(unpackSteps(source.size, true, onProgress, outputCeiling(options?.maxNbytes)), source, sink);
    await sink.close();
    return { ...info, chunks };
  } catch (e) {
    await sink.abort(e);
    throw e;
  } finally {
    await source.close?.();
  }
}

export { readPrefix as readPrefixSteps };
