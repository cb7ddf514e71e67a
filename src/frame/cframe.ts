/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/frame.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Blosc2 contiguous frames (cframes: `.b2frame`, `.b2nd`) as bytes: parsing the header,
 * metalayers, trailer and offsets, and laying a whole frame out in one go. Pure format: the
 * offsets index chunk is encoded and decoded by the container (src/schunk/), which owns
 * the codecs.
 *
 * Layout (big-endian msgpack, unlike the little-endian chunks inside):
 * header (87 fixed bytes + metalayers) | chunk data area | offsets index chunk | trailer.
 * The reader mirrors c-blosc2 blosc/frame.c (`get_header_info`, `get_meta_from_header`,
 * `get_vlmeta_from_trailer`, `get_coffsets`, `validate_offsets_chunk`, `frame_get_lazychunk`)
 * and checks every offset and length against the source before reading it. The writer
 * mirrors `new_header_frame`, `frame_from_schunk` and `frame_update_trailer`.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { EXTENDED_HEADER_LENGTH, readChunkHeader, SpecialKind } from './chunk-header.js';

export const FRAME_MAGIC = 'b2frame\0';
/** `FRAME_HEADER_MINLEN`: the fixed part of the header. */
export const FRAME_HEADER_MINLEN = 87;
/** `FRAME_TRAILER_MINLEN`: bytes read at the end to find the trailer length. */
export const FRAME_TRAILER_MINLEN = 25;
/** Metalayers in the header: `BLOSC2_MAX_METALAYERS`. */
export const MAX_METALAYERS = 16;
/** vlmetalayers accepted on read (`BLOSC2_MAX_VLMETALAYERS`); writers stop at 16. */
export const MAX_VLMETALAYERS_READ = 8192;
export const MAX_VLMETALAYERS_WRITE = 16;
/** `BLOSC2_METALAYER_NAME_MAXLEN`. */
export const MAX_LAYER_NAME = 31;
/** INT32_MAX / 8: the offsets index is one chunk of int64s. */
export const MAX_NCHUNKS = 268_435_455;
/** Frame format versions (`BLOSC2_VERSION_FRAME_FORMAT_RC1`, `_VL_BLOCKS`). */
export const FRAME_VERSION_RC1 = 2;
export const FRAME_VERSION_VL_BLOCKS = 3;

const FRAME_OFFSETS_64 = 0x10;
const FRAME_VARIABLE_CHUNKS = 0x40;
const UDCODEC_FORMAT = 6;

/** Everything in the fixed 87-byte header. */
export interface FrameHeader {
  readonly headerLen: number;
  readonly frameLen: number;
  /** general_flags & 0x0F. */
  readonly version: number;
  readonly generalFlags: number;
  /** 0 = contiguous, 1 = sparse. */
  readonly frameType: number;
  /** Real codec id (byte 77 when the nibble says 6). */
  readonly codec: number;
  readonly clevel: number;
  /** 1 always, 2 never, 3 auto, 4 forward-compat. */
  readonly splitmode: number;
  readonly nbytes: number;
  readonly cbytes: number;
  readonly typesize: number;
  readonly blocksize: number;
  /** Nominal chunk nbytes; 0 = variable; −1 = not set yet. */
  readonly chunksize: number;
  readonly nthreadsComp: number;
  readonly nthreadsDecomp: number;
  readonly hasVlmetalayers: boolean;
  readonly filters: readonly number[];
  readonly filtersMeta: readonly number[];
  readonly codecMeta: number;
  readonly useDict: boolean;
}

/** A named metalayer (raw content) or vlmetalayer (content = a compressed Blosc2 chunk). */
export interface FrameLayer {
  readonly name: string;
  readonly content: Uint8Array;
}

/** A chunk as a frame stores it: bytes in the data area, or a special value as a negative offset. */
export type FrameChunk =
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'special'; readonly special: 1 | 2 | 4; readonly nbytes: number };

export function badFrame(message: string, offset?: number): never {
  return fail(BloscErrorCode.InvalidHeader, `frame: ${message}`, offset === undefined ? {} : { offset });
}

export function bytesView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** A BE int64 that must be a non-negative safe integer (sizes and lengths). */
function readSize64(d: DataView, p: number, what: string): number {
  const hi = d.getInt32(p);
  const lo = d.getUint32(p + 4);
  if (hi < 0 || hi > 0x1fffff) badFrame(`${what} ${hi < 0 ? 'is negative' : 'is too large'}`, p);
  return hi * 0x1_0000_0000 + lo;
}

export function expectByte(b: Uint8Array, p: number, value: number, what: string): void {
  if (b[p] !== value) badFrame(`expected ${what} marker 0x${value.toString(16)} at ${p}, found 0x${(b[p] ?? 0).toString(16)}`, p);
}

/** Parse the fixed header (c-blosc2 `get_header_info`). `b` holds at least 87 bytes. */
export function parseFrameHeader(b: Uint8Array): FrameHeader {
  if (b.length < FRAME_HEADER_MINLEN) fail(BloscErrorCode.ReadBuffer, `frame: ${b.length} bytes, a frame header needs ${FRAME_HEADER_MINLEN}`);
  expectByte(b, 0, 0x9e, 'fixarray(14)');
  expectByte(b, 1, 0xa8, 'fixstr(8)');
  for (let i = 0; i < 8; i++) {
    if (b[2 + i] !== FRAME_MAGIC.charCodeAt(i)) fail(BloscErrorCode.FrameType, 'not a Blosc2 frame: bad magic');
  }
  const d = bytesView(b);
  expectByte(b, 10, 0xd2, 'int32');
  const headerLen = d.getInt32(11);
  expectByte(b, 15, 0xcf, 'uint64');
  const frameLen = readSize64(d, 16, 'frame_len');
  if (headerLen < FRAME_HEADER_MINLEN || headerLen > frameLen) badFrame(`header_len ${headerLen} outside ${FRAME_HEADER_MINLEN}..frame_len ${frameLen}`, 11);
  expectByte(b, 24, 0xa4, 'fixstr(4)');
  const generalFlags = b[25]!;
  const version = generalFlags & 0x0f;
  if (version < FRAME_VERSION_RC1 || version > FRAME_VERSION_VL_BLOCKS) {
    fail(BloscErrorCode.VersionSupport, `frame: unsupported frame format version ${version}`);
  }
  if ((generalFlags & 0x30) !== FRAME_OFFSETS_64) fail(BloscErrorCode.VersionSupport, 'frame: only 64-bit offsets are supported');
  const frameType = b[26]!;
  const codecFlags = b[27]!;
  let codec = codecFlags & 0x0f;
  if (codec === UDCODEC_FORMAT) codec = b[77]!;
  const clevel = codecFlags >> 4;
  const splitmode = (b[28]! & 3) + 1;
  expectByte(b, 29, 0xd3, 'int64');
  const nbytes = readSize64(d, 30, 'nbytes');
  expectByte(b, 38, 0xd3, 'int64');
  const cbytes = readSize64(d, 39, 'cbytes');
  expectByte(b, 47, 0xd2, 'int32');
  const typesize = d.getInt32(48);
  if (typesize <= 0) badFrame(`typesize ${typesize} must be positive`, 48);
  expectByte(b, 52, 0xd2, 'int32');
  const blocksize = d.getInt32(53);
  if (blocksize < 0) badFrame(`blocksize ${blocksize} is negative`, 53);
  expectByte(b, 57, 0xd2, 'int32');
  const chunksize = d.getInt32(58);
  if (chunksize < -1) badFrame(`chunksize ${chunksize} is negative`, 58);
  expectByte(b, 62, 0xd1, 'int16');
  const nthreadsComp = d.getInt16(63);
  expectByte(b, 65, 0xd1, 'int16');
  const nthreadsDecomp = d.getInt16(66);
  if (b[68] !== 0xc2 && b[68] !== 0xc3) badFrame('has_vlmetalayers is not a msgpack bool', 68);
  expectByte(b, 69, 0xd8, 'fixext16');
  if (b[70]! > 6) badFrame(`${b[70]} filter slots, at most 6`, 70);
  return {
    headerLen,
    frameLen,
    version,
    generalFlags,
    frameType,
    codec,
    clevel,
    splitmode,
    nbytes,
    cbytes,
    typesize,
    blocksize,
    chunksize,
    nthreadsComp,
    nthreadsDecomp,
    hasVlmetalayers: b[68] === 0xc3,
    filters: Array.from(b.subarray(71, 77)),
    filtersMeta: Array.from(b.subarray(79, 85)),
    codecMeta: b[78]!,
    useDict: (b[85]! & 1) !== 0,
  };
}

/**
 * The name/offset map shared by header metalayers and trailer vlmetalayers:
 * `0xDE n16 { fixstr name, 0xD2 int32 offset }*`. Returns names, offsets and the end position.
 */
function parseLayerMap(b: Uint8Array, p: number, maxCount: number, where: string): { names: string[]; offsets: number[]; end: number } {
  const d = bytesView(b);
  if (p + 3 > b.length) badFrame(`${where} map truncated`, p);
  expectByte(b, p, 0xde, `${where} map16`);
  const n = d.getUint16(p + 1);
  if (n > maxCount) badFrame(`${n} ${where} entries, at most ${maxCount}`, p + 1);
  p += 3;
  const names: string[] = [];
  const offsets: number[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < n; i++) {
    if (p >= b.length) badFrame(`${where} map truncated`, p);
    const key = b[p]!;
    if ((key & 0xe0) !== 0xa0) badFrame(`${where} name ${i} is not a fixstr`, p);
    const len = key & 0x1f;
    if (p + 1 + len + 5 > b.length) badFrame(`${where} map truncated`, p);
    let name: string;
    try {
      name = decoder.decode(b.subarray(p + 1, p + 1 + len));
    } catch {
      return badFrame(`${where} name ${i} is not UTF-8`, p + 1);
    }
    p += 1 + len;
    expectByte(b, p, 0xd2, `${where} offset int32`);
    offsets.push(d.getInt32(p + 1));
    names.push(name);
    p += 5;
  }
  return { names, offsets, end: p };
}

/** The bin32 value at `p` inside `b` (`0xC6 u32 len bytes`), bounded by `limit`. */
function readBin32(b: Uint8Array, p: number, limit: number, what: string): Uint8Array {
  if (p < 0 || p + 5 > limit) badFrame(`${what} offset ${p} out of bounds`, p);
  expectByte(b, p, 0xc6, `${what} bin32`);
  const len = bytesView(b).getUint32(p + 1);
  if (len > limit - p - 5) badFrame(`${what} length ${len} overruns its section`, p + 1);
  return b.subarray(p + 5, p + 5 + len);
}

/** Header metalayers (c-blosc2 `get_meta_from_header`). `b` is the whole header. */
export function parseMetalayers(b: Uint8Array): FrameLayer[] {
  const p = FRAME_HEADER_MINLEN;
  if (b.length < p + 6) badFrame('metalayers section truncated', p);
  expectByte(b, p, 0x93, 'metalayers fixarray(3)');
  expectByte(b, p + 1, 0xcd, 'metalayers idx_size uint16');
  const { names, offsets } = parseLayerMap(b, p + 4, MAX_METALAYERS, 'metalayer');
  return names.map((name, i) => ({ name, content: readBin32(b, offsets[i]!, b.length, `metalayer '${name}'`).slice() }));
}

/** Trailer vlmetalayers (c-blosc2 `get_vlmeta_from_trailer`). `t` is the whole trailer. */
export function parseVlmetalayers(t: Uint8Array): FrameLayer[] {
  if (t.length < FRAME_TRAILER_MINLEN) badFrame('trailer truncated');
  expectByte(t, 0, 0x94, 'trailer fixarray(4)');
  if (t[1]! > 0x7f) badFrame('trailer version is not a positive fixint', 1);
  expectByte(t, 2, 0x93, 'vlmetalayers fixarray(3)');
  expectByte(t, 3, 0xcd, 'vlmetalayers idx_size uint16');
  // The trailer ends with 0xCE len32 and a fixext16 fingerprint: content must stay before them.
  const limit = t.length - 23;
  const { names, offsets } = parseLayerMap(t.subarray(0, limit), 6, MAX_VLMETALAYERS_READ, 'vlmetalayer');
  return names.map((name, i) => ({ name, content: readBin32(t, offsets[i]!, limit, `vlmetalayer '${name}'`).slice() }));
}

/**
 * Where a chunk of a frame lives, found from the offsets index alone (no read):
 * - `data`: the chunk starts at `offset` in the source; `span` bytes run from there to the
 *   next chunk's start or the end of the data area, whichever comes first (exactly the
 *   chunk in a compact frame; the chunk's own header has the final word on its length);
 * - `special`: a zero (1), NaN (2) or uninit (4) chunk stored as a negative offset;
 * - `file`: a sparse frame's chunk, the whole chunk file with this id.
 */
export type FrameChunkLocation =
  | { readonly kind: 'data'; readonly offset: number; readonly span: number }
  | { readonly kind: 'special'; readonly special: number }
  | { readonly kind: 'file'; readonly id: number };

/**
 * Decode one LE int64 offset (c-blosc2 `get_coffset` + `validate_offsets_chunk`): ≥ 0 is a
 * position in the data area (a chunk-file id in a sparse frame); < 0 is −(special kind).
 */
export function decodeOffset(d: DataView, p: number, i: number, cbytes: number, chunksize: number, sparse: boolean): number {
  const lo = d.getUint32(p, true);
  const hi = d.getInt32(p + 4, true);
  if (hi < 0) {
    const kind = (hi >>> 24) & 7;
    if (kind !== SpecialKind.Zero && kind !== SpecialKind.NaN && kind !== SpecialKind.Uninit) {
      fail(BloscErrorCode.FrameSpecial, `frame: chunk ${i} has a negative offset of unknown kind ${kind}`, { chunk: i });
    }
    if (chunksize <= 0) fail(BloscErrorCode.FrameSpecial, `frame: special chunk ${i} in a frame without a fixed chunksize`, { chunk: i });
    return -kind;
  }
  const off = hi * 0x1_0000_0000 + lo;
  if (sparse ? off > Number.MAX_SAFE_INTEGER : off > cbytes - EXTENDED_HEADER_LENGTH) {
    fail(BloscErrorCode.InvalidHeader, `frame: chunk ${i} offset ${off} outside the ${cbytes}-byte data area`, { chunk: i });
  }
  return off;
}

/**
 * A frame's header fields other than its sizes: what {@link frameHeaderBytes} writes.
 * Chunks must be Blosc2 chunks with the 32-byte header.
 */
export interface FrameHeaderSpec {
  typesize: number;
  /** Written to the header; 0 = automatic. */
  blocksize: number;
  /** Nominal chunk nbytes; −1 while nothing was appended. */
  chunksize: number;
  codec: number;
  clevel: number;
  splitmode: number;
  filters: readonly number[];
  filtersMeta: readonly number[];
  codecMeta: number;
  /** Written to both thread-count fields (informational only). Default 1. */
  nthreads?: number;
  metalayers: readonly FrameLayer[];
  /**
   * Write the index frame of a sparse frame (frame type 1): data chunks are not embedded,
   * the index holds their chunk-file ids 0, 1, 2... in order.
   */
  sparse?: boolean;
}

/** What {@link layOutFrame} (and the container's `writeFrame`) needs. */
export interface FrameWriteSpec extends FrameHeaderSpec {
  /** Values are compressed Blosc2 chunks. */
  vlmetalayers: readonly FrameLayer[];
  chunks: readonly FrameChunk[];
  /**
   * Instead of `chunks` (left empty): `count` chunks all of one special value, `nbytes` in
   * all, as `frame_fill_special` writes them (the index is one repeated value), so a frame
   * of 2^27 zero chunks is written without listing them.
   */
  specialRun?: { readonly special: 1 | 2 | 4; readonly count: number; readonly nbytes: number };
}

/** The sizes a frame header records (c-blosc2 `new_header_frame`: nbytes, cbytes, frame_len). */
export interface FrameSizes {
  /** Uncompressed bytes of all chunks. */
  nbytes: number;
  /** Bytes of the data area of a contiguous frame (the offsets index starts at header_len + cbytes); a sparse index frame's chunk files. */
  cbytes: number;
  /** The whole frame: header, data area, offsets index and trailer. */
  frameLen: number;
  /** Whether the trailer holds vlmetalayers (the header's flag). */
  hasVlmetalayers: boolean;
}

/** Byte positions of the header fields an edit changes (c-blosc2 frame.h `FRAME_LEN`, `FRAME_NBYTES`...). */
const FRAME_LEN_POS = 16;
const FRAME_NBYTES_POS = 30;
const FRAME_CBYTES_POS = 39;
const FRAME_CHUNKSIZE_POS = 58;
const FRAME_HAS_VLMETALAYERS_POS = 68;

/** Bytes that grow as they are written: big-endian helpers for the msgpack parts. */
class ByteSink {
  buf: Uint8Array;
  d: DataView;
  pos = 0;
  constructor(initial: number) {
    this.buf = new Uint8Array(Math.max(64, initial));
    this.d = new DataView(this.buf.buffer);
  }
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.d = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.d.setUint16(this.pos, v);
    this.pos += 2;
  }
  i32(v: number): void {
    this.reserve(4);
    this.d.setInt32(this.pos, v);
    this.pos += 4;
  }
  u32(v: number): void {
    this.reserve(4);
    this.d.setUint32(this.pos, v);
    this.pos += 4;
  }
  i64(v: number): void {
    this.reserve(8);
    this.d.setBigInt64(this.pos, BigInt(v));
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const nameEncoder = new TextEncoder();

function layerNames(layers: readonly FrameLayer[], max: number, what: string): Uint8Array[] {
  if (layers.length > max) fail(BloscErrorCode.InvalidParam, `at most ${max} ${what}s, got ${layers.length}`);
  return layers.map((l) => {
    const b = nameEncoder.encode(l.name);
    if (b.length > MAX_LAYER_NAME) fail(BloscErrorCode.InvalidParam, `${what} name '${l.name}' is longer than ${MAX_LAYER_NAME} bytes`);
    return b;
  });
}

/**
 * Write the `0x93 0xCD idx 0xDE n {name, 0xD2 off}* 0xDC n {0xC6 len content}*` block.
 * `base` is what offsets are relative to; `idxFrom` is where idx_size starts counting.
 */
function writeLayers(s: ByteSink, layers: readonly FrameLayer[], names: Uint8Array[], base: number, idxFrom: number): void {
  const start = s.pos;
  s.u8(0x93);
  s.u8(0xcd);
  const idxPos = s.pos;
  s.u16(0);
  s.u8(0xde);
  s.u16(layers.length);
  const offsetSlots: number[] = [];
  for (let i = 0; i < layers.length; i++) {
    s.u8(0xa0 | names[i]!.length);
    s.bytes(names[i]!);
    s.u8(0xd2);
    offsetSlots.push(s.pos);
    s.i32(0);
  }
  s.d.setUint16(idxPos, s.pos - (start + idxFrom));
  s.u8(0xdc);
  s.u16(layers.length);
  for (let i = 0; i < layers.length; i++) {
    s.d.setInt32(offsetSlots[i]!, s.pos - base);
    s.u8(0xc6);
    s.u32(layers[i]!.content.length);
    s.bytes(layers[i]!.content);
  }
}

/** c-blosc2 `BLOSC2_SPECIAL_*` as negative offsets: bit 63 plus the kind at bit 56. */
function specialOffsetHigh(kind: number): number {
  return (0x80 | kind) << 24;
}

/**
 * Set offsets-index entry `i` in `raw` (little-endian int64s): `offset` ≥ 0 is a position in
 * the data area (a chunk-file id in a sparse frame); −1, −2, −4 is a zero, NaN or uninit
 * chunk, stored as c-blosc2 does (bit 63 plus the kind at bit 56). The inverse of
 * {@link decodeOffset}.
 */
export function setOffsetEntry(raw: DataView, i: number, offset: number): void {
  if (offset < 0) {
    raw.setUint32(8 * i, 0, true);
    raw.setUint32(8 * i + 4, specialOffsetHigh(-offset) >>> 0, true);
  } else {
    raw.setUint32(8 * i, offset % 0x1_0000_0000, true);
    raw.setUint32(8 * i + 4, Math.floor(offset / 0x1_0000_0000), true);
  }
}

/** The raw offsets index (before compression) of `entries`, as {@link setOffsetEntry} writes each. */
export function offsetEntriesBytes(entries: ArrayLike<number>): Uint8Array {
  const raw = new Uint8Array(8 * entries.length);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < entries.length; i++) setOffsetEntry(view, i, entries[i]!);
  return raw;
}

/**
 * The header of a frame (c-blosc2 `new_header_frame`): the 87 fixed bytes and the
 * metalayers. Its length is header_len; the sizes can be changed later with
 * {@link setFrameSizes} (a frame written chunk by chunk learns them at the end).
 */
export function frameHeaderBytes(spec: FrameHeaderSpec, sizes: FrameSizes): Uint8Array {
  const s = new ByteSink(FRAME_HEADER_MINLEN + 64);
  // Fixed header: every field at its fixed offset and width.
  s.u8(0x9e);
  s.u8(0xa8);
  s.bytes(nameEncoder.encode(FRAME_MAGIC));
  s.u8(0xd2);
  s.i32(0); // header_len, patched below
  s.u8(0xcf);
  s.i64(0); // frame_len
  s.u8(0xa4);
  // Variable-size chunks need format 3 (c-blosc2 >= 3.0); everything else stays readable by 2.x.
  const version = spec.chunksize === 0 ? FRAME_VERSION_VL_BLOCKS : FRAME_VERSION_RC1;
  s.u8(version | FRAME_OFFSETS_64 | (spec.chunksize === 0 ? FRAME_VARIABLE_CHUNKS : 0));
  s.u8(spec.sparse === true ? 1 : 0);
  s.u8((spec.codec >= UDCODEC_FORMAT ? UDCODEC_FORMAT : spec.codec) | (spec.clevel << 4));
  s.u8((spec.splitmode - 1) & 3);
  s.u8(0xd3);
  s.i64(0); // nbytes
  s.u8(0xd3);
  s.i64(0); // cbytes
  s.u8(0xd2);
  s.i32(spec.typesize);
  s.u8(0xd2);
  s.i32(spec.blocksize);
  s.u8(0xd2);
  s.i32(spec.chunksize);
  const nthreads = spec.nthreads ?? 1;
  s.u8(0xd1);
  s.u16(nthreads);
  s.u8(0xd1);
  s.u16(nthreads);
  s.u8(0xc2); // has_vlmetalayers
  s.u8(0xd8);
  s.u8(6);
  for (let i = 0; i < 6; i++) s.u8(spec.filters[i] ?? 0);
  s.u8(spec.codec);
  s.u8(spec.codecMeta);
  for (let i = 0; i < 6; i++) s.u8(spec.filtersMeta[i] ?? 0);
  s.u8(0);
  s.u8(0);
  const header = withMetalayers(s.buf.subarray(0, FRAME_HEADER_MINLEN), spec.metalayers);
  setFrameSizes(header, sizes);
  return header;
}

/**
 * A header with the fixed fields of `header` (its first 87 bytes) and `metalayers` after
 * them, header_len set (c-blosc2 `frame_update_header` rebuilds the metalayers section).
 */
export function withMetalayers(header: Uint8Array, metalayers: readonly FrameLayer[]): Uint8Array {
  const names = layerNames(metalayers, MAX_METALAYERS, 'metalayer');
  const s = new ByteSink(FRAME_HEADER_MINLEN + 64);
  s.bytes(header.subarray(0, FRAME_HEADER_MINLEN));
  writeLayers(s, metalayers, names, 0, 0);
  s.d.setInt32(11, s.pos);
  return s.buf.slice(0, s.pos);
}

/**
 * Write `sizes` (and, when given, the nominal `chunksize`) into a frame header in place: the
 * fields c-blosc2 `frame_update_header` changes after an edit. Every other byte stays, so a
 * header another writer made keeps its own fields.
 */
export function setFrameSizes(header: Uint8Array, sizes: FrameSizes, chunksize?: number): void {
  const d = bytesView(header);
  d.setBigUint64(FRAME_LEN_POS, BigInt(sizes.frameLen));
  d.setBigInt64(FRAME_NBYTES_POS, BigInt(sizes.nbytes));
  d.setBigInt64(FRAME_CBYTES_POS, BigInt(sizes.cbytes));
  if (chunksize !== undefined) d.setInt32(FRAME_CHUNKSIZE_POS, chunksize);
  header[FRAME_HAS_VLMETALAYERS_POS] = sizes.hasVlmetalayers ? 0xc3 : 0xc2;
}

/**
 * The trailer of a frame (c-blosc2 `frame_update_trailer`): the vlmetalayers (values are
 * compressed Blosc2 chunks; offsets relative to the trailer's start), its own length, and an
 * empty fingerprint. It always ends the frame.
 */
export function frameTrailerBytes(vlmetalayers: readonly FrameLayer[]): Uint8Array {
  const vlNames = layerNames(vlmetalayers, MAX_VLMETALAYERS_WRITE, 'vlmetalayer');
  const s = new ByteSink(FRAME_TRAILER_MINLEN + 64);
  s.u8(0x94);
  s.u8(0x01);
  writeLayers(s, vlmetalayers, vlNames, 0, 1);
  s.u8(0xce);
  const trailerLenPos = s.pos;
  s.u32(0);
  s.u8(0xd8);
  s.u8(0);
  s.bytes(new Uint8Array(16));
  s.d.setUint32(trailerLenPos, s.pos);
  return s.buf.slice(0, s.pos);
}

/**
 * Write a contiguous frame in one go (format version 2 with a fixed chunksize, 3 for
 * variable chunks), compact, chunks in logical order. Zero/NaN/uninit chunks become
 * negative offsets when the chunksize is fixed, as c-blosc2 stores them.
 */
export function layOutFrame(spec: FrameWriteSpec, encodeIndex: (raw: Uint8Array, nchunks: number, uniform: boolean) => Uint8Array): Uint8Array {
  const run = spec.specialRun;
  const nchunks = run === undefined ? spec.chunks.length : run.count;
  if (nchunks > MAX_NCHUNKS) fail(BloscErrorCode.InvalidParam, `${nchunks} chunks exceed the format limit`);
  const fixed = spec.chunksize > 0;
  if (run !== undefined) {
    if (spec.chunks.length !== 0 || !fixed || !Number.isSafeInteger(run.nbytes) || Math.ceil(run.nbytes / spec.chunksize) !== run.count || run.count === 0) {
      fail(BloscErrorCode.InvalidParam, 'a special run needs a fixed chunksize, no listed chunks, and nbytes filling exactly its count of chunks');
    }
  }

  let nbytes = run === undefined ? 0 : run.nbytes;
  let cbytes = 0;
  let nextId = 0;
  const raw = new Uint8Array(8 * (run === undefined ? nchunks : 1));
  const rawView = new DataView(raw.buffer);
  if (run !== undefined) setOffsetEntry(rawView, 0, -run.special);
  for (let i = 0; i < spec.chunks.length; i++) {
    const c = spec.chunks[i]!;
    let chunkNbytes: number;
    if (c.kind === 'special') {
      if (!fixed) fail(BloscErrorCode.InvalidParam, 'special offsets need a fixed chunksize');
      chunkNbytes = c.nbytes;
      setOffsetEntry(rawView, i, -c.special);
    } else {
      const h = readChunkHeader(c.bytes);
      if (!h.extended || c.bytes.length !== h.cbytes) fail(BloscErrorCode.InvalidParam, `chunk ${i} is not a Blosc2 chunk of exactly its cbytes`);
      chunkNbytes = h.nbytes;
      setOffsetEntry(rawView, i, spec.sparse === true ? nextId++ : cbytes);
      cbytes += h.cbytes;
    }
    nbytes += chunkNbytes;
    if (fixed && (i < nchunks - 1 ? chunkNbytes !== spec.chunksize : chunkNbytes > spec.chunksize || chunkNbytes <= 0)) {
      fail(BloscErrorCode.InvalidParam, `chunk ${i} holds ${chunkNbytes} bytes; every chunk but the last must hold chunksize ${spec.chunksize}, the last at most that`);
    }
  }
  let index: Uint8Array = new Uint8Array(0);
  if (nchunks > 0 && nbytes > 0) {
    const first = spec.chunks[0];
    const uniform = run !== undefined || (first!.kind === 'special' && spec.chunks.every((c) => c.kind === 'special' && c.special === first!.special));
    // A frame of one special value gets a repeated-value index (frame_fill_special): the
    // encoder repeats the first offset of `raw` `nchunks` times.
    index = encodeIndex(raw, nchunks, uniform);
  }

  const sizes: FrameSizes = { nbytes, cbytes, frameLen: 0, hasVlmetalayers: spec.vlmetalayers.length > 0 };
  const header = frameHeaderBytes(spec, sizes);
  const trailer = frameTrailerBytes(spec.vlmetalayers);
  const dataLen = spec.sparse === true ? 0 : cbytes;
  sizes.frameLen = header.length + dataLen + index.length + trailer.length;
  setFrameSizes(header, sizes);
  const out = new Uint8Array(sizes.frameLen);
  out.set(header, 0);
  let at = header.length;
  if (spec.sparse !== true) {
    for (let i = 0; i < spec.chunks.length; i++) {
      const c = spec.chunks[i]!;
      if (c.kind === 'data') {
        out.set(c.bytes, at);
        at += c.bytes.length;
      }
    }
  }
  out.set(index, at);
  out.set(trailer, at + index.length);
  return out;
}
