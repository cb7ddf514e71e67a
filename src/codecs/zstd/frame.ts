/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Frame headers (RFC 8878 §3.1.1.1) and skippable frames (§3.1.2).
 *
 * Mirrors `ZSTD_getFrameHeader_advanced` (lib/decompress/zstd_decompress.c).
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { le16, le32 } from './bits.js';

export const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F. */
export const SKIPPABLE_MAGIC = 0x184d2a50;
export const SKIPPABLE_MASK = 0xfffffff0;
/** Formatted dictionaries start with this magic. */
export const DICT_MAGIC = 0xec30a437;

/** zstd's ZSTD_WINDOWLOG_MAX on 64-bit hosts. */
export const WINDOW_LOG_MAX = 31;
/**
 * Largest frame content accepted: Blosc buffers are at most INT_MAX - 16 bytes, and a
 * declared size is never trusted beyond what the host can address in one typed array.
 */
export const CONTENT_SIZE_MAX = 0x7fffffff;
/** zstd's ZSTD_BLOCKSIZE_MAX. */
export const BLOCK_SIZE_LIMIT = 1 << 17;

/** The shortest frame header: magic (4), descriptor (1), window descriptor or 1-byte size (1). */
const FRAME_HEADER_MIN = 6;
/** The densest block: an RLE block, its 3-byte header and 1 byte, for up to BLOCK_SIZE_LIMIT bytes. */
const RLE_BLOCK_SIZE = 4;

/**
 * The most bytes that `n` bytes of zstd frames can decode to, whatever they hold: used to
 * refuse a size claim before allocating for it. Every block decodes to at most
 * BLOCK_SIZE_LIMIT bytes (`ZSTD_decompressFrame` checks each against `blockSizeMax`), and
 * no block does so in fewer bytes than an RLE block (a compressed block needs its 3-byte
 * header, a literals header, the RLE literal byte and a sequence count: 8 bytes); each
 * frame spends at least FRAME_HEADER_MIN bytes on its header, skippable frames decode to
 * nothing. So at most 32768 output bytes per input byte.
 */
export function zstdMaxDecodedSize(n: number): number {
  if (n < FRAME_HEADER_MIN + RLE_BLOCK_SIZE) return 0;
  return Math.floor((n - FRAME_HEADER_MIN) / RLE_BLOCK_SIZE) * BLOCK_SIZE_LIMIT;
}

/** A parsed frame header. One instance is reused. */
export class FrameHeader {
  /** True for a skippable frame; then only `headerSize` and `skipSize` mean anything. */
  skippable = false;
  /** Bytes of user data after a skippable frame's 8-byte header. */
  skipSize = 0;
  /** Bytes from the magic number to the first block header. */
  headerSize = 0;
  /** Declared content size, or -1 when absent. */
  contentSize = -1;
  windowSize = 0;
  /** min(window size, 128 KiB): the most a block may hold or produce. */
  blockSizeMax = 0;
  dictId = 0;
  checksum = false;
  singleSegment = false;
}

/**
 * Parse the frame header at src[ip, iend) into `h`. Throws ReadBuffer when the header is
 * cut short, Data when it is not a zstd frame or declares something out of range.
 */
export function readFrameHeader(src: Uint8Array, ip: number, iend: number, h: FrameHeader): void {
  if (ip + 4 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: frame truncated before its magic number', { offset: ip });
  const magic = le32(src, ip) >>> 0;
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    if (ip + 8 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: skippable frame header truncated', { offset: ip });
    const size = le32(src, ip + 4) >>> 0;
    if (size > iend - ip - 8) fail(BloscErrorCode.ReadBuffer, 'zstd: skippable frame truncated', { offset: ip });
    h.skippable = true;
    h.skipSize = size;
    h.headerSize = 8;
    return;
  }
  if (magic !== ZSTD_MAGIC) fail(BloscErrorCode.Data, 'zstd: not a zstd frame (bad magic number)', { offset: ip });
  if (ip + 5 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: frame header truncated', { offset: ip });
  const fhd = src[ip + 4]!;
  const fcsFlag = fhd >>> 6;
  const singleSegment = (fhd & 0x20) !== 0;
  if ((fhd & 0x08) !== 0) fail(BloscErrorCode.Data, 'zstd: reserved bit set in the frame header', { offset: ip + 4 });
  const checksum = (fhd & 0x04) !== 0;
  const dictFlag = fhd & 3;
  const dictBytes = dictFlag === 3 ? 4 : dictFlag;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  const size = 5 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
  if (ip + size > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: frame header truncated', { offset: ip });
  let p = ip + 5;
  let windowSize = 0;
  if (!singleSegment) {
    const wd = src[p++]!;
    const windowLog = 10 + (wd >>> 3);
    if (windowLog > WINDOW_LOG_MAX) fail(BloscErrorCode.Data, `zstd: window log ${windowLog} too large`, { offset: p - 1 });
    const base = 2 ** windowLog;
    windowSize = base + (base / 8) * (wd & 7);
  }
  let dictId = 0;
  if (dictBytes === 1) dictId = src[p]!;
  else if (dictBytes === 2) dictId = le16(src, p);
  else if (dictBytes === 4) dictId = le32(src, p) >>> 0;
  p += dictBytes;
  let contentSize = -1;
  if (fcsBytes === 1) contentSize = src[p]!;
  else if (fcsBytes === 2) contentSize = le16(src, p) + 256;
  else if (fcsBytes === 4) contentSize = le32(src, p) >>> 0;
  else if (fcsBytes === 8) {
    if (le32(src, p + 4) !== 0) fail(BloscErrorCode.Data, 'zstd: frame content size too large', { offset: p });
    contentSize = le32(src, p) >>> 0;
  }
  if (contentSize > CONTENT_SIZE_MAX) fail(BloscErrorCode.Data, 'zstd: frame content size too large', { offset: p });
  if (singleSegment) windowSize = contentSize;
  h.skippable = false;
  h.skipSize = 0;
  h.headerSize = size;
  h.contentSize = contentSize;
  h.windowSize = windowSize;
  h.blockSizeMax = Math.min(windowSize, BLOCK_SIZE_LIMIT);
  h.dictId = dictId;
  h.checksum = checksum;
  h.singleSegment = singleSegment;
}

const probe = new FrameHeader();

/**
 * Content size declared by the frame at src[sp, sp + sn): a number, null when the frame
 * does not declare it, 0 for a skippable frame. Throws on a truncated or invalid header.
 */
export function zstdFrameContentSize(src: Uint8Array, sp: number, sn: number): number | null {
  readFrameHeader(src, sp, sp + sn, probe);
  if (probe.skippable) return 0;
  return probe.contentSize < 0 ? null : probe.contentSize;
}
