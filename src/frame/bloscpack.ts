/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause); license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Bloscpack `.blp` container, format version 3 (bloscpack 0.16.0): the 32-byte file
 * header, the metadata section header, the offsets section and the framing of the Blosc1
 * chunks. Bytes in, bytes out: nothing here compresses, decompresses or hashes.
 *
 * Layout (all integers little-endian):
 * `header(32) [metadata header(32) metadata prealloc digest] [offsets] chunk0 digest0 chunk1 ...`
 *
 * Mirrors bloscpack/headers.py (`BloscpackHeader.encode/decode`, `MetadataHeader.encode/
 * decode`, `decode_blosc_header`) and the position arithmetic of bloscpack/file_io.py
 * (`_read_metadata`, `_read_offsets`, `CompressedFPSink`) and append.py (`append_fp`).
 * Unlike bloscpack, every field is checked against the others and against the input, so a
 * lying field raises BloscError instead of seeking backwards or allocating what it claims.
 */
import { BloscErrorCode, fail } from '../errors.js';

export const BLOSCPACK_MAGIC = 'blpk';
export const BLOSCPACK_FORMAT_VERSION = 3;
export const BLOSCPACK_HEADER_LENGTH = 32;
export const METADATA_HEADER_LENGTH = 32;
/** A Blosc1 chunk header: bloscpack reads these 16 bytes to learn a chunk's length. */
export const BLOSC1_HEADER_LENGTH = 16;
/** c-blosc `BLOSC_MAX_BUFFERSIZE` (INT32_MAX − 16): bloscpack's bound for chunk_size. */
export const BLOSC_MAX_BUFFERSIZE = 2_147_483_631;
/** c-blosc `BLOSC_MAX_OVERHEAD`: a chunk is at most its data plus this. */
export const BLOSC_MAX_OVERHEAD = 16;
export const BLOSC_MAX_TYPESIZE = 255;
/**
 * Largest chunk count (with preallocated slots) we accept. bloscpack allows 2^63−1; we keep
 * counts exact in a JS number, and the offsets section of a larger file could not be held.
 */
export const MAX_BLOSCPACK_CHUNKS = Number.MAX_SAFE_INTEGER;
/** bloscpack `MAX_META_SIZE` (uint32). */
export const MAX_META_SIZE = 0xffff_ffff;

/** Checksum names in id order (bloscpack/checksums.py `CHECKSUMS`). */
export const CHECKSUM_NAMES = ['None', 'adler32', 'crc32', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export type ChecksumName = (typeof CHECKSUM_NAMES)[number];
/** Digest length in bytes for each checksum id. */
export const CHECKSUM_SIZES: readonly number[] = [0, 4, 4, 16, 20, 28, 32, 48, 64];

/** Metadata codecs in id order (bloscpack/metacodecs.py `CODECS`). */
export const META_CODEC_NAMES = ['None', 'zlib'] as const;
export type MetaCodecName = (typeof META_CODEC_NAMES)[number];

export function checksumId(name: string): number {
  const id = (CHECKSUM_NAMES as readonly string[]).indexOf(name);
  if (id < 0) fail(BloscErrorCode.InvalidParam, `unknown bloscpack checksum '${name}' (one of ${CHECKSUM_NAMES.join(', ')})`);
  return id;
}

export function checksumSize(name: ChecksumName): number {
  return CHECKSUM_SIZES[checksumId(name)]!;
}

export interface BloscpackHeader {
  /** Always 3 for files we read or write. */
  readonly formatVersion: number;
  /** Options bit 0: an offsets section follows the metadata. */
  readonly offsets: boolean;
  /** Options bit 1: a metadata section follows the header. */
  readonly metadata: boolean;
  readonly checksum: ChecksumName;
  /** Blosc typesize of every chunk, 0..255. */
  readonly typesize: number;
  /** Uncompressed bytes per chunk; −1 = unknown. */
  readonly chunkSize: number;
  /** Uncompressed bytes in the last chunk; −1 = unknown. */
  readonly lastChunk: number;
  /** −1 = unknown. */
  readonly nchunks: number;
  /** Offset slots reserved for appends after the `nchunks` used ones. */
  readonly maxAppChunks: number;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function i32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** An int64 that must fit a safe integer; anything else is reported as `what`. */
function i64(b: Uint8Array, p: number, what: string): number {
  const lo = u32(b, p);
  const hi = i32(b, p + 4);
  // Exact for |value| < 2^53; beyond that the value is refused anyway.
  if (hi > 0x1f_ffff || hi < -0x20_0000) fail(BloscErrorCode.InvalidHeader, `${what} does not fit 53 bits`);
  return hi * 0x1_0000_0000 + lo;
}

function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

function putI64(b: Uint8Array, p: number, v: number): void {
  const lo = v >>> 0; // low 32 bits of the two's complement value
  const hi = Math.floor(v / 0x1_0000_0000);
  putU32(b, p, lo);
  putU32(b, p + 4, hi >>> 0);
}

function need(bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (!Number.isInteger(offset) || offset < 0 || bytes.length - offset < length) {
    fail(BloscErrorCode.ReadBuffer, `${what}: need ${length} bytes at ${offset}, input has ${bytes.length}`, { offset });
  }
}

function checkRange(what: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) fail(BloscErrorCode.InvalidHeader, `${what} ${v} outside ${min}..${max}`);
}

/**
 * Check a header's fields against each other, as `BloscpackHeader.__init__` does, plus
 * what bloscpack leaves to chance: a known chunk count needs known sizes and a last
 * chunk that is neither empty nor larger than a chunk (except the one-empty-chunk file).
 */
export function validateBloscpackHeader(h: BloscpackHeader): void {
  if (h.formatVersion !== BLOSCPACK_FORMAT_VERSION) {
    fail(BloscErrorCode.VersionSupport, `bloscpack format version ${h.formatVersion}, only ${BLOSCPACK_FORMAT_VERSION} is supported`);
  }
  checksumId(h.checksum);
  checkRange('typesize', h.typesize, 0, BLOSC_MAX_TYPESIZE);
  checkRange('chunk_size', h.chunkSize, -1, BLOSC_MAX_BUFFERSIZE);
  checkRange('last_chunk', h.lastChunk, -1, BLOSC_MAX_BUFFERSIZE);
  checkRange('nchunks', h.nchunks, -1, MAX_BLOSCPACK_CHUNKS);
  checkRange('max_app_chunks', h.maxAppChunks, 0, MAX_BLOSCPACK_CHUNKS);
  if (h.nchunks === -1) {
    if (h.maxAppChunks !== 0) fail(BloscErrorCode.InvalidHeader, 'max_app_chunks must be 0 when nchunks is unknown');
  } else if (h.nchunks + h.maxAppChunks > MAX_BLOSCPACK_CHUNKS) {
    fail(BloscErrorCode.InvalidHeader, `nchunks + max_app_chunks = ${h.nchunks + h.maxAppChunks} is too large`);
  }
  if (h.chunkSize !== -1 && h.lastChunk !== -1 && h.lastChunk > h.chunkSize) {
    fail(BloscErrorCode.InvalidHeader, `last_chunk ${h.lastChunk} is larger than chunk_size ${h.chunkSize}`);
  }
  if (!h.offsets && h.maxAppChunks !== 0) fail(BloscErrorCode.InvalidHeader, 'max_app_chunks is set but the file has no offsets');
}

/** Parse and validate the 32-byte file header at `offset` (`BloscpackHeader.decode`). */
export function readBloscpackHeader(bytes: Uint8Array, offset = 0): BloscpackHeader {
  need(bytes, offset, BLOSCPACK_HEADER_LENGTH, 'bloscpack header');
  const p = offset;
  if (bytes[p] !== 0x62 || bytes[p + 1] !== 0x6c || bytes[p + 2] !== 0x70 || bytes[p + 3] !== 0x6b) {
    fail(BloscErrorCode.InvalidHeader, `not a bloscpack file: magic ${Array.from(bytes.subarray(p, p + 4), (x) => x.toString(16).padStart(2, '0')).join(' ')}, expected 'blpk'`);
  }
  const options = bytes[p + 5]!;
  if ((options & 0xfc) !== 0) fail(BloscErrorCode.InvalidHeader, `bloscpack options 0x${options.toString(16)} set reserved bits`);
  const checksum = bytes[p + 6]!;
  if (checksum >= CHECKSUM_NAMES.length) fail(BloscErrorCode.InvalidHeader, `unknown checksum id ${checksum}`);
  const h: BloscpackHeader = {
    formatVersion: bytes[p + 4]!,
    offsets: (options & 1) !== 0,
    metadata: (options & 2) !== 0,
    checksum: CHECKSUM_NAMES[checksum]!,
    typesize: bytes[p + 7]!,
    chunkSize: i32(bytes, p + 8),
    lastChunk: i32(bytes, p + 12),
    nchunks: i64(bytes, p + 16, 'nchunks'),
    maxAppChunks: i64(bytes, p + 24, 'max_app_chunks'),
  };
  validateBloscpackHeader(h);
  return h;
}

/** The 32 header bytes (`BloscpackHeader.encode`). */
export function writeBloscpackHeader(h: BloscpackHeader): Uint8Array {
  validateBloscpackHeader(h);
  const b = new Uint8Array(BLOSCPACK_HEADER_LENGTH);
  b.set([0x62, 0x6c, 0x70, 0x6b], 0);
  b[4] = h.formatVersion;
  b[5] = (h.offsets ? 1 : 0) | (h.metadata ? 2 : 0);
  b[6] = checksumId(h.checksum);
  b[7] = h.typesize;
  putU32(b, 8, h.chunkSize >>> 0);
  putU32(b, 12, h.lastChunk >>> 0);
  putI64(b, 16, h.nchunks);
  putI64(b, 24, h.maxAppChunks);
  return b;
}

export interface MetadataHeader {
  /** Serializer magic, up to 8 ASCII bytes; only 'JSON' exists. */
  readonly magicFormat: string;
  readonly metaChecksum: ChecksumName;
  readonly metaCodec: MetaCodecName;
  /** Compression level recorded for the metadata (kept even when the codec was dropped). */
  readonly metaLevel: number;
  /** Serialized (uncompressed) size. */
  readonly metaSize: number;
  /** Room reserved for the stored metadata. */
  readonly maxMetaSize: number;
  /** Bytes actually stored (compressed size, or metaSize). */
  readonly metaCompSize: number;
  /** Up to 8 ASCII bytes, unused by bloscpack. */
  readonly userCodec: string;
}

function readPaddedAscii(b: Uint8Array, p: number, what: string): string {
  let s = '';
  let end = false;
  for (let i = 0; i < 8; i++) {
    const c = b[p + i]!;
    if (c === 0) {
      end = true;
      continue;
    }
    if (end || c > 0x7e || c < 0x20) fail(BloscErrorCode.InvalidHeader, `${what} is not NUL-padded ASCII`);
    s += String.fromCharCode(c);
  }
  return s;
}

function writePaddedAscii(b: Uint8Array, p: number, s: string, what: string): void {
  if (s.length > 8 || !/^[\x20-\x7e]*$/.test(s)) fail(BloscErrorCode.InvalidParam, `${what} must be at most 8 printable ASCII characters`);
  for (let i = 0; i < s.length; i++) b[p + i] = s.charCodeAt(i);
}

export function validateMetadataHeader(m: MetadataHeader): void {
  checksumId(m.metaChecksum);
  if (!(META_CODEC_NAMES as readonly string[]).includes(m.metaCodec)) fail(BloscErrorCode.InvalidHeader, `unknown metadata codec '${m.metaCodec}'`);
  checkRange('meta_level', m.metaLevel, 0, 9);
  checkRange('meta_size', m.metaSize, 0, MAX_META_SIZE);
  checkRange('max_meta_size', m.maxMetaSize, 0, MAX_META_SIZE);
  checkRange('meta_comp_size', m.metaCompSize, 0, MAX_META_SIZE);
  if (m.metaCompSize > m.maxMetaSize) {
    fail(BloscErrorCode.InvalidHeader, `meta_comp_size ${m.metaCompSize} exceeds the reserved max_meta_size ${m.maxMetaSize}`);
  }
  if (m.metaCodec === 'None' && m.metaCompSize !== m.metaSize) {
    fail(BloscErrorCode.InvalidHeader, `uncompressed metadata with meta_comp_size ${m.metaCompSize} != meta_size ${m.metaSize}`);
  }
}

/** Parse the 32-byte metadata header at `offset` (`MetadataHeader.decode`). */
export function readMetadataHeader(bytes: Uint8Array, offset: number): MetadataHeader {
  need(bytes, offset, METADATA_HEADER_LENGTH, 'metadata header');
  const p = offset;
  const options = bytes[p + 8]!;
  if (options !== 0) fail(BloscErrorCode.InvalidHeader, `metadata options 0x${options.toString(16)} set reserved bits`);
  const checksum = bytes[p + 9]!;
  if (checksum >= CHECKSUM_NAMES.length) fail(BloscErrorCode.InvalidHeader, `unknown metadata checksum id ${checksum}`);
  const codec = bytes[p + 10]!;
  if (codec >= META_CODEC_NAMES.length) fail(BloscErrorCode.InvalidHeader, `unknown metadata codec id ${codec}`);
  const m: MetadataHeader = {
    magicFormat: readPaddedAscii(bytes, p, 'metadata magic_format'),
    metaChecksum: CHECKSUM_NAMES[checksum]!,
    metaCodec: META_CODEC_NAMES[codec]!,
    metaLevel: bytes[p + 11]!,
    metaSize: u32(bytes, p + 12),
    maxMetaSize: u32(bytes, p + 16),
    metaCompSize: u32(bytes, p + 20),
    userCodec: readPaddedAscii(bytes, p + 24, 'metadata user_codec'),
  };
  validateMetadataHeader(m);
  return m;
}

/** The 32 metadata-header bytes (`MetadataHeader.encode`). */
export function writeMetadataHeader(m: MetadataHeader): Uint8Array {
  validateMetadataHeader(m);
  const b = new Uint8Array(METADATA_HEADER_LENGTH);
  writePaddedAscii(b, 0, m.magicFormat, 'magic_format');
  b[9] = checksumId(m.metaChecksum);
  b[10] = (META_CODEC_NAMES as readonly string[]).indexOf(m.metaCodec);
  b[11] = m.metaLevel;
  putU32(b, 12, m.metaSize);
  putU32(b, 16, m.maxMetaSize);
  putU32(b, 20, m.metaCompSize);
  writePaddedAscii(b, 24, m.userCodec, 'user_codec');
  return b;
}

/** Bytes the whole metadata section occupies: header, reserved room, digest. */
export function metadataSectionLength(m: MetadataHeader): number {
  return METADATA_HEADER_LENGTH + m.maxMetaSize + checksumSize(m.metaChecksum);
}

/** Offset slots in the offsets section (used plus preallocated), 0 without offsets. */
export function offsetSlots(h: BloscpackHeader): number {
  if (!h.offsets) return 0;
  if (h.nchunks < 0) fail(BloscErrorCode.InvalidHeader, 'offsets section with an unknown chunk count');
  return h.nchunks + h.maxAppChunks;
}

/**
 * Read `count` int64 offsets at `offset`. Each must be −1 (a free slot) or a position at or
 * after `minPosition` (the end of the offsets section) and before `fileLength` if known.
 */
export function readOffsets(bytes: Uint8Array, offset: number, count: number, minPosition = 0, fileLength = Infinity): number[] {
  need(bytes, offset, count * 8, 'offsets section');
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const v = i64(bytes, offset + 8 * i, `offset ${i}`);
    if (v !== -1 && (v < minPosition || v + BLOSC1_HEADER_LENGTH > fileLength)) {
      fail(BloscErrorCode.InvalidHeader, `offset ${i} = ${v} points outside the chunk area [${minPosition}, ${fileLength})`, { chunk: i });
    }
    out[i] = v;
  }
  return out;
}

/** `offsets` as int64 LE, padded with −1 up to `slots` entries. */
export function writeOffsets(offsets: readonly number[], slots: number): Uint8Array {
  if (offsets.length > slots) fail(BloscErrorCode.InvalidParam, `${offsets.length} offsets do not fit ${slots} slots`);
  const b = new Uint8Array(slots * 8).fill(0xff);
  for (let i = 0; i < offsets.length; i++) putI64(b, 8 * i, offsets[i]!);
  return b;
}

export interface Blosc1Framing {
  /** Uncompressed bytes (header bytes 4–7). */
  readonly nbytes: number;
  /** Whole chunk length, header included (header bytes 12–15). */
  readonly cbytes: number;
}

/**
 * The two sizes bloscpack takes from a chunk's first 16 bytes to find where it ends
 * (`decode_blosc_header`). Only the framing: the chunk itself is validated when decoded.
 */
export function readBlosc1Framing(bytes: Uint8Array, offset: number, chunkIndex: number): Blosc1Framing {
  need(bytes, offset, BLOSC1_HEADER_LENGTH, `chunk ${chunkIndex} header`);
  const version = bytes[offset]!;
  if (version !== 2) {
    fail(BloscErrorCode.VersionSupport, `chunk ${chunkIndex}: Blosc format version ${version}; bloscpack holds Blosc1 chunks (version 2)`, { chunk: chunkIndex });
  }
  const nbytes = i32(bytes, offset + 4);
  const cbytes = i32(bytes, offset + 12);
  if (nbytes < 0 || nbytes > BLOSC_MAX_BUFFERSIZE) fail(BloscErrorCode.InvalidHeader, `chunk ${chunkIndex}: nbytes ${nbytes} out of range`, { chunk: chunkIndex });
  if (cbytes < BLOSC1_HEADER_LENGTH || cbytes > nbytes + BLOSC_MAX_OVERHEAD) {
    fail(BloscErrorCode.InvalidHeader, `chunk ${chunkIndex}: cbytes ${cbytes} impossible for nbytes ${nbytes}`, { chunk: chunkIndex });
  }
  return { nbytes, cbytes };
}

/**
 * Chunking of `size` input bytes (bloscpack/args.py `calculate_nchunks`): empty input is
 * one empty chunk; a chunk size above the input shrinks to it.
 */
export function calculateChunks(size: number, chunkSize: number): { nchunks: number; chunkSize: number; lastChunk: number } {
  if (!Number.isSafeInteger(size) || size < 0) fail(BloscErrorCode.InvalidParam, `input size ${size} must be a non-negative integer`);
  if (size === 0) return { nchunks: 1, chunkSize: 0, lastChunk: 0 };
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > BLOSC_MAX_BUFFERSIZE) {
    fail(BloscErrorCode.InvalidParam, `chunk size ${chunkSize} outside 1..${BLOSC_MAX_BUFFERSIZE}`);
  }
  const cs = Math.min(chunkSize, size);
  const rem = size % cs;
  const nchunks = (size - rem) / cs + (rem === 0 ? 0 : 1);
  return { nchunks, chunkSize: cs, lastChunk: rem === 0 ? cs : rem };
}

/**
 * Total uncompressed size a header promises, or −1 when a field is unknown. Checks that
 * a known chunk count agrees with the sizes (every chunk but the last is full).
 */
export function declaredSize(h: BloscpackHeader): number {
  if (h.nchunks < 0 || h.chunkSize < 0 || h.lastChunk < 0) return -1;
  if (h.nchunks === 0) return 0;
  if (h.lastChunk === 0 && !(h.nchunks === 1 && h.chunkSize === 0)) {
    fail(BloscErrorCode.InvalidHeader, `last_chunk is 0 in a file of ${h.nchunks} chunks of ${h.chunkSize} bytes`);
  }
  if (h.chunkSize === 0 && h.nchunks !== 1) fail(BloscErrorCode.InvalidHeader, `chunk_size 0 with ${h.nchunks} chunks`);
  const total = (h.nchunks - 1) * h.chunkSize + h.lastChunk;
  if (!Number.isSafeInteger(total)) fail(BloscErrorCode.InvalidHeader, `declared size ${total} is too large`);
  return total;
}

/** Parse a size like bloscpack's `reverse_pretty`: '1M' = 1048576; B, K, M, G, T suffixes. */
export function parseChunkSize(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([BKMGT]?)\s*$/i.exec(text);
  if (m === null) fail(BloscErrorCode.InvalidParam, `cannot parse chunk size '${text}'`);
  const mult: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  return Math.trunc(Number(m[1]) * mult[m[2]!.toUpperCase()]!);
}
