/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) abstract_io.py, file_io.py,
 * append.py; license in THIRD_PARTY_NOTICES.md.
 *
 * Packing and unpacking bloscpack files (bloscpack 0.16.0 abstract_io.py `pack`/`unpack`,
 * file_io.py `_write_metadata`/`_read_metadata`, append.py `append_fp`).
 *
 * The format logic is written once, as generators that ask for reads and writes; small
 * drivers run them synchronously over byte arrays (`packBytes`, `unpackBytes`, …) or
 * asynchronously over sources and sinks (`pack`, `unpack`), so files and streams never
 * need to fit in memory.
 */
import { compressChunk } from '../chunk/compress.js';
import { decompressChunk } from '../chunk/decompress.js';
import { zlibCompress, zlibDecompress } from '../codecs/zlib.js';
import { BloscError, BloscErrorCode, fail } from '../errors.js';
import {
  BLOSC1_HEADER_LENGTH,
  BLOSCPACK_FORMAT_VERSION,
  BLOSCPACK_HEADER_LENGTH,
  METADATA_HEADER_LENGTH,
  calculateChunks,
  checksumId,
  offsetSlots,
  parseChunkSize,
  readBlosc1Framing,
  readBloscpackHeader,
  readMetadataHeader,
  readOffsets,
  writeBloscpackHeader,
  writeMetadataHeader,
  writeOffsets,
  type BloscpackHeader,
  type ChecksumName,
  type MetaCodecName,
  type MetadataHeader,
} from '../frame/bloscpack.js';
import { bytesOf, resolveCParams, type ResolvedCParams, type ShuffleName } from '../params.js';
import { allocBytes, allocOutput, checkOutput, outputCeiling } from '../limits.js';
import { bloscpackDigest, digestMatches, digestSize } from './checksums.js';
import { MemorySink, memorySource, readExactly, type ByteSink, type ByteSource } from './io.js';

/** A JSON value as bloscpack's JSON serializer stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

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

/**
 * Output bounds of an unpack. In memory (`unpackBytes`, `unpackNdarray`) `maxNbytes` bounds
 * the whole output, checked from the chunk headers before anything is decoded; streamed
 * to a sink (`unpack`, `unpackSync`, the file functions), each chunk's. Default the global
 * ceiling, `getLimits().maxOutputBytes`.
 */
export interface UnpackOptions {
  maxNbytes?: number;
}

/** deflate's largest expansion (RFC 1951: a 258-byte match costs at least 2 bits): 1032 to 1. */
const ZLIB_MAX_RATIO = 1032;

/** Progress of a pack or unpack: chunks done, and chunks in all (-1 when the file does not say). */
export type ProgressCallback = (done: number, total: number) => void;

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

// ---------------------------------------------------------------------------------------
// Steps the generators ask their drivers to perform.

type Step =
  | { readonly kind: 'read'; readonly length: number; readonly what: string; readonly exact: boolean }
  | { readonly kind: 'write'; readonly data: Uint8Array }
  | { readonly kind: 'patch'; readonly position: number; readonly data: Uint8Array };

type Steps<T> = Generator<Step, T, Uint8Array | undefined>;

function* readStep(length: number, what: string): Steps<Uint8Array> {
  const b = yield { kind: 'read', length, what, exact: true };
  return b!;
}

/** Like readStep, but may return fewer bytes at the end of the input. */
function* readSomeStep(length: number, what: string): Steps<Uint8Array> {
  const b = yield { kind: 'read', length, what, exact: false };
  return b!;
}

/** A synchronous sequential reader: the next `length` bytes, fewer only at the end. */
export interface SyncByteSource {
  readonly size: number | undefined;
  read(length: number): Uint8Array;
}

/** A synchronous writer that can patch bytes it already wrote. */
export interface SyncByteSink {
  write(data: Uint8Array): void;
  writeAt(position: number, data: Uint8Array): void;
}

function bytesSource(bytes: Uint8Array): SyncByteSource {
  let pos = 0;
  return {
    size: bytes.length,
    read(length: number): Uint8Array {
      const end = Math.min(bytes.length, pos + length);
      const out = bytes.subarray(pos, end);
      pos = end;
      return out;
    },
  };
}

function memorySyncSink(sink: MemorySink): SyncByteSink {
  return {
    write: (data) => void sink.write(data),
    writeAt: (position, data) => void sink.writeAt(position, data),
  };
}

function runSync<T>(gen: Steps<T>, source: SyncByteSource, sink: SyncByteSink | undefined): T {
  let pos = 0;
  let r = gen.next();
  while (!r.done) {
    const step = r.value;
    if (step.kind === 'read') {
      const out = source.read(step.length);
      if (step.exact && out.length !== step.length) {
        r = gen.throw(new BloscError(BloscErrorCode.ReadBuffer, `${step.what}: input ends after ${out.length} of ${step.length} bytes at ${pos}`, { offset: pos }));
        continue;
      }
      pos += out.length;
      r = gen.next(out);
    } else if (step.kind === 'write') {
      sink!.write(step.data);
      r = gen.next(undefined);
    } else {
      sink!.writeAt(step.position, step.data);
      r = gen.next(undefined);
    }
  }
  return r.value;
}

async function runAsync<T>(gen: Steps<T>, source: ByteSource | undefined, sink: ByteSink | undefined): Promise<T> {
  let pos = 0;
  let r = gen.next();
  while (!r.done) {
    const step = r.value;
    if (step.kind === 'read') {
      let out: Uint8Array;
      try {
        out = step.exact ? await readExactly(source!, step.length, step.what, pos) : await source!.read(step.length);
      } catch (e) {
        r = gen.throw(e);
        continue;
      }
      pos += out.length;
      r = gen.next(out);
    } else if (step.kind === 'write') {
      await sink!.write(step.data);
      r = gen.next(undefined);
    } else {
      if (sink!.writeAt === undefined) fail(BloscErrorCode.WriteBuffer, 'sink cannot patch earlier bytes');
      await sink!.writeAt(step.position, step.data);
      r = gen.next(undefined);
    }
  }
  return r.value;
}

// ---------------------------------------------------------------------------------------
// Metadata.

/**
 * `json.dumps(value, separators=(',', ':'))`: compact, and DEL and non-ASCII characters
 * escaped as \uXXXX (Python's ensure_ascii), so the stored bytes equal bloscpack's. Python writes
 * whole floats as `1.0` where JSON.stringify writes `1`; both read back as the same number.
 */
export function pythonJsonDumps(value: JsonValue): string {
  const text = JSON.stringify(value);
  if (text === undefined) fail(BloscErrorCode.InvalidParam, 'metadata is not serializable as JSON');
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface MetaSettings {
  readonly checksum: ChecksumName;
  readonly codec: MetaCodecName;
  readonly level: number;
  readonly maxMetaSize: number | ((metaSize: number) => number);
}

/** The whole metadata section: header, stored bytes, preallocated zeros, digest (`_write_metadata`). */
export function encodeMetadataSection(metadata: JsonValue, settings: Partial<MetaSettings> = {}): Uint8Array {
  const checksum = settings.checksum ?? 'adler32';
  checksumId(checksum);
  let codec: MetaCodecName = settings.codec ?? 'zlib';
  const level = settings.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) fail(BloscErrorCode.InvalidParam, `metaLevel must be 0..9, got ${level}`);
  const serialized = new TextEncoder().encode(pythonJsonDumps(metadata));
  const metaSize = serialized.length;
  let stored = serialized;
  if (codec === 'zlib') {
    // zlib's compressBound for this size, so a stream that grows still fits.
    const cap = metaSize + (metaSize >>> 12) + (metaSize >>> 14) + (metaSize >>> 25) + 13 + 6;
    const out = new Uint8Array(cap);
    const n = zlibCompress(serialized, 0, metaSize, out, 0, cap, level);
    // bloscpack keeps the compressed form unless it is strictly larger.
    if (n === 0 || n > metaSize) codec = 'None';
    else stored = out.subarray(0, n);
  } else if (codec !== 'None') {
    fail(BloscErrorCode.InvalidParam, `metaCodec must be 'zlib' or 'None', got ${String(codec)}`);
  }
  const maxOpt = settings.maxMetaSize ?? ((n: number) => 10 * n);
  const maxMetaSize = typeof maxOpt === 'function' ? maxOpt(metaSize) : maxOpt;
  if (!Number.isInteger(maxMetaSize) || maxMetaSize < stored.length) {
    fail(BloscErrorCode.InvalidParam, `metadata section too small: ${stored.length} bytes needed, ${maxMetaSize} reserved`);
  }
  const mh: MetadataHeader = {
    magicFormat: 'JSON',
    metaChecksum: checksum,
    metaCodec: codec,
    metaLevel: level,
    metaSize,
    maxMetaSize,
    metaCompSize: stored.length,
    userCodec: '',
  };
  const digest = bloscpackDigest(checksum, stored);
  const out = new Uint8Array(METADATA_HEADER_LENGTH + maxMetaSize + digest.length);
  out.set(writeMetadataHeader(mh), 0);
  out.set(stored, METADATA_HEADER_LENGTH);
  out.set(digest, METADATA_HEADER_LENGTH + maxMetaSize);
  return out;
}

/** Check the digest, decompress and parse stored metadata (`_read_metadata`). */
export function decodeMetadata(mh: MetadataHeader, stored: Uint8Array, digest: Uint8Array): JsonValue {
  if (mh.magicFormat !== 'JSON') fail(BloscErrorCode.InvalidHeader, `unknown metadata serializer '${mh.magicFormat}'`);
  if (!digestMatches(mh.metaChecksum, stored, digest)) {
    fail(BloscErrorCode.Data, `metadata checksum mismatch (${mh.metaChecksum})`);
  }
  let raw = stored;
  if (mh.metaCodec === 'zlib') {
    // meta_size is a claim: zlib cannot expand the stored bytes past 1032×, nor may it
    // exceed the output ceiling. Checked before the buffer is allocated.
    if (mh.metaSize > stored.length * ZLIB_MAX_RATIO) {
      fail(BloscErrorCode.InvalidHeader, `meta_size ${mh.metaSize} cannot come from ${stored.length} bytes of zlib data`);
    }
    checkOutput(mh.metaSize, outputCeiling(undefined), 'bloscpack metadata');
    raw = allocBytes(mh.metaSize, 'bloscpack metadata');
    zlibDecompress(stored, 0, stored.length, raw, 0, mh.metaSize);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (e) {
    return fail(BloscErrorCode.Data, 'metadata is not valid UTF-8', { cause: e });
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    return fail(BloscErrorCode.Data, `metadata is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

// ---------------------------------------------------------------------------------------
// Reading.

/** Read header, metadata and offsets; the cursor is left at the first chunk. */
function* readPrefix(fileSize: number | undefined): Steps<BloscpackInfo> {
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
function* readChunk(info: BloscpackInfo, index: number, position: number, allowEnd: boolean): Steps<{ chunk: Uint8Array; record: ChunkRecord } | undefined> {
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
function decodeChunk(chunk: Uint8Array, record: ChunkRecord, maxNbytes: number, out?: Uint8Array): Uint8Array {
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

// ---------------------------------------------------------------------------------------
// Writing.

interface ResolvedPack {
  readonly cparams: ResolvedCParams;
  readonly chunkSize: number;
  readonly checksum: ChecksumName;
  readonly offsets: boolean;
  readonly maxAppChunks: number | ((nchunks: number) => number);
  readonly onProgress: ProgressCallback | undefined;
}

function resolvePack(options: PackOptions, itemsize?: number): ResolvedPack {
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

function compressPlain(plain: Uint8Array, p: ResolvedPack): { chunk: Uint8Array; digest: Uint8Array } {
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
function* packSteps(size: number, p: ResolvedPack, metadata: Uint8Array | undefined, itemsize: number): Steps<BloscpackHeader> {
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

function metadataFor(options: PackOptions): Uint8Array | undefined {
  if (options.metadata === undefined) return undefined;
  return encodeMetadataSection(options.metadata, {
    checksum: options.metaChecksum ?? 'adler32',
    codec: options.metaCodec ?? 'zlib',
    level: options.metaLevel ?? 6,
    maxMetaSize: options.maxMetaSize ?? ((n: number) => 10 * n),
  });
}

// ---------------------------------------------------------------------------------------
// Public API: in memory.


/** Pack bytes into a bloscpack file image (`pack_bytes_to_file`, `pack_bytes_to_bytes`). */
export function packBytes(data: ArrayBufferView | ArrayBuffer, options: PackOptions = {}): Uint8Array {
  const bytes = bytesOf(data);
  const p = resolvePack(options);
  const sink = new MemorySink();
  runSync(packSteps(bytes.length, p, metadataFor(options), 1), bytesSource(bytes), memorySyncSink(sink));
  void sink.close();
  return sink.result();
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

// ---------------------------------------------------------------------------------------
// Public API: sources and sinks.

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

async function packWith(source: ByteSource, sink: ByteSink, p: ResolvedPack, metadata: Uint8Array | undefined, itemsize: number): Promise<BloscpackHeader> {
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

/** `pack` over synchronous sources and sinks (Node file descriptors in the CLI). */
export function packSync(source: SyncByteSource, sink: SyncByteSink, options: PackOptions = {}): BloscpackHeader {
  if (source.size === undefined) fail(BloscErrorCode.InvalidParam, 'pack needs a source of known size');
  return runSync(packSteps(source.size, resolvePack(options), metadataFor(options), 1), source, sink);
}

/**
 * `unpack` over synchronous sources and sinks; with no sink, every chunk is still checked
 * and decompressed (a full verification) but the output is dropped.
 */
export function unpackSync(source: SyncByteSource, sink?: SyncByteSink, onProgress?: ProgressCallback, options?: UnpackOptions): UnpackResult {
  const drop: SyncByteSink = { write: () => undefined, writeAt: () => undefined };
  const { info, chunks } = runSync(unpackSteps(source.size, true, onProgress, outputCeiling(options?.maxNbytes)), source, sink ?? drop);
  return { ...info, chunks };
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

// ---------------------------------------------------------------------------------------
// NumPy arrays.

export type ArrayOrder = 'C' | 'F';

/** An n-dimensional array as bloscpack's numpy metadata describes it. */
export interface BloscpackNdarray {
  /** Element bytes, in `order`. */
  readonly data: Uint8Array;
  /** numpy `dtype.str` ('<f8', '|u1', '<U5'…) or, for structured dtypes, the `repr(dtype.descr)` literal. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly order: ArrayOrder;
}

export interface BloscpackNdarrayInput {
  readonly data: ArrayBufferView | ArrayBuffer;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly order?: ArrayOrder;
  /** Bytes per element; required for structured dtypes, derived from `dtype` otherwise. */
  readonly itemsize?: number;
}

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** numpy dtype strings of the typed arrays (always little-endian as JS engines are). */
export function littleEndianDtypeOfTypedArray(a: TypedArray): string {
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return '|u1';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof BigInt64Array) return '<i8';
  return '<u8';
}

/** Bytes per element of a simple numpy dtype string ('<f8' → 8, '<U5' → 20, '<M8[ns]' → 8). */
export function itemsizeOfDtype(dtype: string): number {
  const m = /^[<>|=]?([a-zA-Z])(\d+)(\[\w+\])?$/.exec(dtype);
  if (m === null) fail(BloscErrorCode.InvalidParam, `cannot derive the item size of dtype '${dtype}'; pass itemsize`);
  const n = Number(m[2]);
  return m[1] === 'U' ? 4 * n : n;
}

function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function describeArray(array: BloscpackNdarrayInput | TypedArray): { bytes: Uint8Array; meta: { [key: string]: JsonValue }; itemsize: number } {
  if (isTypedArray(array)) {
    return {
      bytes: bytesOf(array),
      meta: { dtype: `'${littleEndianDtypeOfTypedArray(array)}'`, shape: [array.length], order: 'C', container: 'numpy' },
      itemsize: array.BYTES_PER_ELEMENT,
    };
  }
  const bytes = bytesOf(array.data);
  const itemsize = array.itemsize ?? itemsizeOfDtype(array.dtype);
  let count = 1;
  for (const d of array.shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(BloscErrorCode.InvalidParam, `bad shape ${JSON.stringify(array.shape)}`);
    count *= d;
  }
  if (count * itemsize !== bytes.length) fail(BloscErrorCode.InvalidParam, `shape ${JSON.stringify(array.shape)} × ${itemsize} bytes ≠ ${bytes.length} data bytes`);
  const order = array.order ?? 'C';
  if (order !== 'C' && order !== 'F') fail(BloscErrorCode.InvalidParam, `order must be 'C' or 'F'`);
  // `_ndarray_meta`: repr(dtype.str) for plain dtypes, repr(dtype.descr) (already a literal) for structured ones.
  const dtype = array.dtype.startsWith('[') ? array.dtype : `'${array.dtype}'`;
  return { bytes, meta: { dtype, shape: [...array.shape], order, container: 'numpy' }, itemsize };
}

function ndPackOptions(options: PackOptions, meta: { [key: string]: JsonValue }): PackOptions {
  return { ...options, metadata: meta };
}

/** Pack an array so that bloscpack's `unpack_ndarray_from_file` returns it (`pack_ndarray_to_bytes`). */
export function packNdarray(array: BloscpackNdarrayInput | TypedArray, options: PackOptions = {}): Uint8Array {
  const { bytes, meta, itemsize } = describeArray(array);
  if (itemsize > 255) fail(BloscErrorCode.InvalidParam, `item size ${itemsize} exceeds bloscpack's typesize limit of 255`);
  const opts = ndPackOptions(options, meta);
  const p = resolvePack(opts, itemsize);
  const sink = new MemorySink();
  runSync(packSteps(bytes.length, p, metadataFor(opts), itemsize), bytesSource(bytes), memorySyncSink(sink));
  void sink.close();
  return sink.result();
}

/** Pack an array from memory into any sink. */
export async function packNdarrayTo(array: BloscpackNdarrayInput | TypedArray, sink: ByteSink, options: PackOptions = {}): Promise<BloscpackHeader> {
  const { bytes, meta, itemsize } = describeArray(array);
  if (itemsize > 255) fail(BloscErrorCode.InvalidParam, `item size ${itemsize} exceeds bloscpack's typesize limit of 255`);
  const opts = ndPackOptions(options, meta);
  return packWith(memorySource(bytes), sink, resolvePack(opts, itemsize), metadataFor(opts), itemsize);
}

/** Array description from bloscpack numpy metadata (`PlainNumpySink`). */
export function ndarrayMetadata(metadata: JsonValue | undefined): { dtype: string; shape: number[]; order: ArrayOrder } {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata.container !== 'numpy') {
    fail(BloscErrorCode.InvalidHeader, 'the file holds no numpy array metadata');
  }
  const rawDtype = metadata.dtype;
  const shape = metadata.shape;
  const order = metadata.order;
  if (typeof rawDtype !== 'string') fail(BloscErrorCode.InvalidHeader, 'numpy metadata: dtype is not a string');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fail(BloscErrorCode.InvalidHeader, 'numpy metadata: shape is not a list of sizes');
  }
  if (order !== 'C' && order !== 'F') fail(BloscErrorCode.InvalidHeader, `numpy metadata: order ${JSON.stringify(order)}`);
  // repr() of a str: quoted with ' (or " if it holds a ').
  const m = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(rawDtype);
  const dtype = m !== null ? (m[1] ?? m[2]!) : rawDtype;
  return { dtype, shape: shape as number[], order };
}

/** Unpack an array written by `pack_ndarray_*` or `packNdarray`. */
export function unpackNdarray(blp: Uint8Array, options?: UnpackOptions): BloscpackNdarray {
  const u = unpackBytes(blp, options);
  const { dtype, shape, order } = ndarrayMetadata(u.metadata);
  if (!dtype.startsWith('[')) {
    let count = 1;
    for (const d of shape) count *= d;
    if (count * itemsizeOfDtype(dtype) !== u.data.length) {
      fail(BloscErrorCode.InvalidHeader, `numpy metadata: shape ${JSON.stringify(shape)} of ${dtype} does not match ${u.data.length} data bytes`);
    }
  }
  return { data: u.data, dtype, shape, order };
}

/** A typed-array view of a little-endian numeric array, or undefined if no typed array fits. */
export function typedArrayOf(a: BloscpackNdarray): TypedArray | undefined {
  const ctors: Record<string, { new (b: ArrayBuffer, o: number, n: number): TypedArray; BYTES_PER_ELEMENT: number }> = {
    '|i1': Int8Array,
    '|u1': Uint8Array,
    '|b1': Uint8Array,
    '<i2': Int16Array,
    '<u2': Uint16Array,
    '<i4': Int32Array,
    '<u4': Uint32Array,
    '<f4': Float32Array,
    '<f8': Float64Array,
    '<i8': BigInt64Array,
    '<u8': BigUint64Array,
  };
  const C = ctors[a.dtype];
  if (C === undefined) return undefined;
  let d = a.data;
  if (d.byteOffset % C.BYTES_PER_ELEMENT !== 0 || !(d.buffer instanceof ArrayBuffer)) d = d.slice();
  return new C(d.buffer as ArrayBuffer, d.byteOffset, d.length / C.BYTES_PER_ELEMENT);
}

// ---------------------------------------------------------------------------------------
// Append.

export interface AppendOptions {
  codec?: string;
  clevel?: number;
  shuffle?: ShuffleName | boolean;
  /** Default: the file's typesize. */
  typesize?: number;
}

/**
 * Append `data` to a file image with an offsets section, as bloscpack's `append_fp`: the
 * last chunk is refilled up to chunk_size and rewritten in place, further chunks take
 * preallocated offset slots, and header and offsets are updated. Like bloscpack, a
 * refilled last chunk that compresses smaller leaves the old tail bytes in place.
 */
export function appendBytes(blp: Uint8Array, data: ArrayBufferView | ArrayBuffer, options: AppendOptions = {}): Uint8Array {
  const added = bytesOf(data);
  const info = readBloscpackInfo(blp);
  const plan = planAppend(info, added.length, options);
  const lastPos = info.offsets[info.offsets.length - 1]!;
  const last = runSync(readChunkAt(info), bytesSource(blp.subarray(lastPos)), undefined);
  const pieces = appendPieces(info, plan, decodeChunk(last.chunk, last.record, outputCeiling(undefined)), added);
  let end = blp.length;
  for (const [pos, bytes] of pieces) end = Math.max(end, pos + bytes.length);
  const out = new Uint8Array(end);
  out.set(blp);
  for (const [pos, bytes] of pieces) out.set(bytes, pos);
  return out;
}

/** Reads the last used chunk of `info` at the cursor. */
export function* readChunkAt(info: BloscpackInfo): Steps<{ chunk: Uint8Array; record: ChunkRecord }> {
  const index = info.offsets.length - 1;
  const got = yield* readChunk({ ...info, offsets: [] }, index, info.offsets[index]!, false);
  return got!;
}

export interface AppendPlan {
  readonly p: ResolvedPack;
  readonly newSize: number;
}

/** Check that `info` can take `newSize` more bytes (`append_fp`'s checks). */
export function planAppend(info: BloscpackInfo, newSize: number, options: AppendOptions): AppendPlan {
  const h = info.header;
  if (!h.offsets || info.offsets.length === 0) fail(BloscErrorCode.InvalidParam, 'cannot append to a file without offsets');
  if (h.chunkSize <= 0 || h.lastChunk < 0) fail(BloscErrorCode.InvalidParam, `cannot append to a file with chunk_size ${h.chunkSize}`);
  const p = resolvePack({ ...options, typesize: options.typesize ?? Math.max(1, h.typesize), checksum: h.checksum, chunkSize: h.chunkSize, offsets: true });
  const room = h.chunkSize - h.lastChunk;
  if (newSize > room) {
    const { nchunks } = calculateChunks(newSize - room, h.chunkSize);
    if (nchunks > h.maxAppChunks) fail(BloscErrorCode.InvalidParam, `appending needs ${nchunks} new chunks, only ${h.maxAppChunks} offset slots are free`);
  }
  return { p, newSize };
}

/** (position, bytes) writes that perform an append, given the decoded last chunk. */
export function appendPieces(info: BloscpackInfo, plan: AppendPlan, lastPlain: Uint8Array, added: Uint8Array): Array<[number, Uint8Array]> {
  const h = info.header;
  const { p } = plan;
  const room = h.chunkSize - h.lastChunk;
  const fill = Math.min(room, added.length);
  const refilled = new Uint8Array(lastPlain.length + fill);
  refilled.set(lastPlain);
  refilled.set(added.subarray(0, fill), lastPlain.length);
  const pieces: Array<[number, Uint8Array]> = [];
  let pos = info.offsets[info.offsets.length - 1]!;
  const first = compressPlain(refilled, p);
  pieces.push([pos, concat(first.chunk, first.digest)]);
  pos += first.chunk.length + first.digest.length;
  let header: BloscpackHeader;
  if (added.length <= room) {
    header = { ...h, lastChunk: h.lastChunk + added.length };
  } else {
    const rest = added.subarray(fill);
    const { nchunks, chunkSize, lastChunk } = calculateChunks(rest.length, h.chunkSize);
    const newOffsets: number[] = [];
    for (let i = 0; i < nchunks; i++) {
      const start = i * chunkSize;
      const c = compressPlain(rest.subarray(start, start + (i === nchunks - 1 ? lastChunk : chunkSize)), p);
      newOffsets.push(pos);
      pieces.push([pos, concat(c.chunk, c.digest)]);
      pos += c.chunk.length + c.digest.length;
    }
    header = { ...h, lastChunk, nchunks: h.nchunks + nchunks, maxAppChunks: h.maxAppChunks - nchunks };
    const offsetsPos = info.chunksStart - offsetSlots(h) * 8;
    const all = [...info.offsets, ...newOffsets];
    pieces.push([offsetsPos, writeOffsets(all, all.length)]);
  }
  pieces.push([0, writeBloscpackHeader(header)]);
  return pieces;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export { runAsync as runStepsAsync, readPrefix as readPrefixSteps };

/** Header, metadata and offsets read from a synchronous source. */
export function runPrefixSync(source: SyncByteSource): BloscpackInfo {
  return runSync(readPrefix(source.size), source, undefined);
}
