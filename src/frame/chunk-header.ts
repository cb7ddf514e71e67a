/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The Blosc chunk header: the one place its bytes are parsed and written.
 *
 * Blosc1 (c-blosc 1.x, version byte 2) and Blosc2 "compat" chunks carry a 16-byte header;
 * Blosc2 chunks carry the 32-byte extended header, signalled by flags bits 0 and 2 both set
 * (`read_chunk_header` in c-blosc2 blosc/blosc2.c). All integers are little-endian.
 */
import { BloscErrorCode, fail } from '../errors.js';

export const MIN_HEADER_LENGTH = 16;
export const EXTENDED_HEADER_LENGTH = 32;
/** c-blosc2 `BLOSC2_MAXBLOCKSIZE`. */
export const MAX_BLOCKSIZE_BLOSC2 = 536_866_816;
/** c-blosc 1.x `BLOSC_MAX_BLOCKSIZE` = (INT_MAX - 255*4) / 3. */
export const MAX_BLOCKSIZE_BLOSC1 = 715_827_542;
/** Largest nbytes a chunk can describe (c-blosc2 `BLOSC2_MAX_BUFFERSIZE`, INT_MAX - 32). */
export const MAX_BUFFERSIZE = 2_147_483_615;

/** Flags byte (offset 2) bits. */
export const Flag = {
  DoShuffle: 0x01,
  Memcpyed: 0x02,
  DoBitShuffle: 0x04,
  DoDelta: 0x08,
  DontSplit: 0x10,
} as const;

/** blosc2_flags byte (offset 31) bits. */
export const Blosc2Flag = {
  UseDict: 0x01,
  BigEndian: 0x02,
  Lazy: 0x08,
  Instrumented: 0x80,
} as const;

/** Special-value kinds, `(blosc2_flags >> 4) & 7` (include/blosc2.h `BLOSC2_SPECIAL_*`). */
export const SpecialKind = {
  None: 0,
  Zero: 1,
  NaN: 2,
  Value: 3,
  Uninit: 4,
} as const;
export type SpecialKind = (typeof SpecialKind)[keyof typeof SpecialKind];

export const SPECIAL_NAMES = ['none', 'zeros', 'nan', 'value', 'uninit'] as const;
export type SpecialName = (typeof SPECIAL_NAMES)[number];

export interface ChunkHeader {
  /** Format version, byte 0: 2 = Blosc1, 3..5 = Blosc2, 6 = Blosc2 VL-blocks. */
  readonly version: number;
  readonly versionlz: number;
  readonly flags: number;
  readonly typesize: number;
  readonly nbytes: number;
  /** The blocksize field as stored (the number of blocks for VL-block chunks). */
  readonly blocksizeField: number;
  readonly cbytes: number;
  /** 16 or 32. */
  readonly headerLength: number;
  readonly extended: boolean;
  /** Filter pipeline, slots 0..5 (synthesised from the flags for 16-byte headers). */
  readonly filters: readonly number[];
  readonly filtersMeta: readonly number[];
  /** Codec format code, flags bits 5..7. */
  readonly codecFormat: number;
  /** Header byte 22 (0 for 16-byte headers). */
  readonly udcompcode: number;
  /** Header byte 23 (0 for 16-byte headers). */
  readonly compcodeMeta: number;
  /** Header byte 30. */
  readonly blosc2Flags2: number;
  /** Header byte 31. */
  readonly blosc2Flags: number;
  readonly memcpyed: boolean;
  readonly dontSplit: boolean;
  readonly special: SpecialKind;
  readonly useDict: boolean;
  readonly vlBlocks: boolean;
  readonly lazy: boolean;
}

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/**
 * Parse and validate a chunk header (c-blosc2 `read_chunk_header`, c-blosc
 * `blosc_run_decompression_with_context`). Checks the header's claims against the input
 * and against each other; it does not look at bstarts or streams.
 */
export function readChunkHeader(chunk: Uint8Array, offset = 0): ChunkHeader {
  const avail = chunk.length - offset;
  if (avail < MIN_HEADER_LENGTH) {
    fail(BloscErrorCode.ReadBuffer, `chunk too short for a header: ${avail} bytes, need ${MIN_HEADER_LENGTH}`);
  }
  const p = offset;
  const version = chunk[p]!;
  const versionlz = chunk[p + 1]!;
  const flags = chunk[p + 2]!;
  const typesize = chunk[p + 3]!;
  const nbytes = readInt32(chunk, p + 4);
  const blocksizeField = readInt32(chunk, p + 8);
  const cbytes = readInt32(chunk, p + 12);

  if (version < 2) {
    fail(BloscErrorCode.VersionSupport, `chunk format version ${version} is too old (pre-1.0 Blosc)`);
  }
  const extended = (flags & (Flag.DoShuffle | Flag.DoBitShuffle)) === (Flag.DoShuffle | Flag.DoBitShuffle);
  const headerLength = extended ? EXTENDED_HEADER_LENGTH : MIN_HEADER_LENGTH;
  if (typesize === 0) fail(BloscErrorCode.InvalidHeader, 'typesize is 0');
  if (nbytes < 0) fail(BloscErrorCode.InvalidHeader, `negative nbytes ${nbytes}`);
  if (nbytes > MAX_BUFFERSIZE) fail(BloscErrorCode.InvalidHeader, `nbytes ${nbytes} exceeds the format limit`);
  if (cbytes < headerLength) {
    fail(BloscErrorCode.InvalidHeader, `cbytes ${cbytes} is smaller than the ${headerLength}-byte header`);
  }
  if (cbytes > avail) {
    fail(BloscErrorCode.ReadBuffer, `chunk truncated: header says cbytes ${cbytes}, ${avail} bytes available`);
  }

  let filters: number[];
  let filtersMeta: number[];
  let udcompcode = 0;
  let compcodeMeta = 0;
  let blosc2Flags2 = 0;
  let blosc2Flags = 0;
  if (extended) {
    // Plain element reads: Array.from over a subarray goes through the iterator protocol.
    filters = [chunk[p + 16]!, chunk[p + 17]!, chunk[p + 18]!, chunk[p + 19]!, chunk[p + 20]!, chunk[p + 21]!];
    filtersMeta = [chunk[p + 24]!, chunk[p + 25]!, chunk[p + 26]!, chunk[p + 27]!, chunk[p + 28]!, chunk[p + 29]!];
    udcompcode = chunk[p + 22]!;
    compcodeMeta = chunk[p + 23]!;
    blosc2Flags2 = chunk[p + 30]!;
    blosc2Flags = chunk[p + 31]!;
    if (version === 3) {
      // The alpha format had five filter slots (read_chunk_header forces slot 5 off).
      filters[5] = 0;
      filtersMeta[5] = 0;
    }
    if (version > 6 && (blosc2Flags2 & ~0x01) !== 0) {
      fail(BloscErrorCode.VersionSupport, `chunk format version ${version} with unknown header extensions`);
    }
  } else {
    if (version === 2 && (flags & Flag.DoDelta) !== 0) {
      // c-blosc 1.x treats bit 3 as "written by a future version" and refuses the chunk.
      fail(BloscErrorCode.VersionSupport, 'Blosc1 chunk with reserved flag bit 3 set');
    }
    // flags_to_filters in c-blosc2: the pipeline implied by a 16-byte header.
    filters = [0, 0, 0, 0, flags & Flag.DoDelta ? 3 : 0, flags & Flag.DoBitShuffle ? 2 : flags & Flag.DoShuffle ? 1 : 0];
    filtersMeta = [0, 0, 0, 0, 0, 0];
  }

  const special = extended ? (((blosc2Flags >> 4) & 7) as number) : 0;
  if (special > SpecialKind.Uninit) fail(BloscErrorCode.InvalidHeader, `reserved special-value kind ${special}`);
  const vlBlocks = extended && (blosc2Flags2 & 0x01) !== 0;
  const memcpyed = (flags & Flag.Memcpyed) !== 0;

  if (blocksizeField <= 0 && nbytes > 0 && special === 0) {
    fail(BloscErrorCode.InvalidHeader, `blocksize ${blocksizeField} must be positive`);
  }
  const maxBlocksize = version === 2 ? MAX_BLOCKSIZE_BLOSC1 : MAX_BLOCKSIZE_BLOSC2;
  if (!vlBlocks && blocksizeField > maxBlocksize) {
    fail(BloscErrorCode.InvalidHeader, `blocksize ${blocksizeField} exceeds the limit ${maxBlocksize}`);
  }
  if (vlBlocks && (memcpyed || special !== 0)) {
    fail(BloscErrorCode.InvalidHeader, 'VL-block chunks cannot be memcpyed or special');
  }

  return {
    version,
    versionlz,
    flags,
    typesize,
    nbytes,
    blocksizeField,
    cbytes,
    headerLength,
    extended,
    filters,
    filtersMeta,
    codecFormat: flags >> 5,
    udcompcode,
    compcodeMeta,
    blosc2Flags2,
    blosc2Flags,
    memcpyed,
    dontSplit: (flags & Flag.DontSplit) !== 0,
    special: special as SpecialKind,
    useDict: extended && (blosc2Flags & Blosc2Flag.UseDict) !== 0,
    vlBlocks,
    lazy: extended && (blosc2Flags & Blosc2Flag.Lazy) !== 0,
  };
}

/** Everything a writer puts in a header. */
export interface ChunkHeaderFields {
  version: number;
  versionlz: number;
  flags: number;
  typesize: number;
  nbytes: number;
  blocksize: number;
  cbytes: number;
  /** Present for 32-byte headers. */
  extended?: {
    filters: readonly number[];
    filtersMeta: readonly number[];
    udcompcode: number;
    compcodeMeta: number;
    blosc2Flags2: number;
    blosc2Flags: number;
  };
}

function writeInt32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

/**
 * Write a 16- or 32-byte header at `offset` (c-blosc `write_compression_header`, c-blosc2
 * `blosc2_initialize_header_from_context` and `blosc_header` layout). Returns its length.
 */
export function writeChunkHeader(out: Uint8Array, offset: number, h: ChunkHeaderFields): number {
  out[offset] = h.version;
  out[offset + 1] = h.versionlz;
  out[offset + 2] = h.flags;
  out[offset + 3] = h.typesize;
  writeInt32(out, offset + 4, h.nbytes);
  writeInt32(out, offset + 8, h.blocksize);
  writeInt32(out, offset + 12, h.cbytes);
  const ext = h.extended;
  if (ext === undefined) return MIN_HEADER_LENGTH;
  for (let i = 0; i < 6; i++) {
    out[offset + 16 + i] = ext.filters[i] ?? 0;
    out[offset + 24 + i] = ext.filtersMeta[i] ?? 0;
  }
  out[offset + 22] = ext.udcompcode;
  out[offset + 23] = ext.compcodeMeta;
  out[offset + 30] = ext.blosc2Flags2;
  out[offset + 31] = ext.blosc2Flags;
  return EXTENDED_HEADER_LENGTH;
}

export { readInt32 as readInt32LE, writeInt32 as writeInt32LE };
