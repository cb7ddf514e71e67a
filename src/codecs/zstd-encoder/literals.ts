/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Literals section of a compressed block (RFC 8878 §3.1.1.3.1): raw, RLE, or Huffman with
 * a new table or the previous block's ("treeless"). Ported from libzstd
 * lib/compress/zstd_compress_literals.c (`ZSTD_compressLiterals`,
 * `ZSTD_noCompressLiterals`, `ZSTD_compressRleLiteralsBlock`) and the table choice of
 * `HUF_compress_internal` / `HUF_optimalTableLog` in huf_compress.c.
 */
import {
  HufCTable,
  HufRepeat,
  HufScratch,
  LIT_HUF_LOG,
  buildHuffmanCTable,
  estimateHuffmanSize,
  huffmanCompress1X,
  huffmanCompress4X,
  validateHuffmanCTable,
  writeHuffmanCTable,
} from './huffman-encoder.js';
import { optimalTableLog } from './fse-encoder.js';
import { Strategy, highBit } from './params.js';

/** Literals section types (RFC 8878 Literals_Block_Type). */
const SET_BASIC = 0;
const SET_RLE = 1;
const SET_COMPRESSED = 2;
const SET_REPEAT = 3;

const SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE = 4096;
const SUSPECT_INCOMPRESSIBLE_SAMPLE_RATIO = 10;

export class LiteralsScratch {
  readonly count = new Uint32Array(256);
  readonly huf = new HufScratch();
  /** The table built for this block, before it is known to be used. */
  readonly candidate = new HufCTable();
}

/** Minimum gain a compressed form must bring (`ZSTD_minGain`). */
export function minGain(srcSize: number, strategy: number): number {
  const minlog = strategy >= Strategy.BtUltra ? strategy - 1 : 6;
  return Math.floor(srcSize / (1 << minlog)) + 2;
}

/** Raw literals: header of 1-3 bytes and the bytes. Returns the size, or -1 if it does not fit. */
export function writeRawLiterals(src: Uint8Array, ip: number, n: number, out: Uint8Array, op: number, oend: number): number {
  const flSize = 1 + (n > 31 ? 1 : 0) + (n > 4095 ? 1 : 0);
  if (n + flSize > oend - op) return -1;
  writeSimpleHeader(out, op, flSize, SET_BASIC, n);
  out.set(src.subarray(ip, ip + n), op + flSize);
  return n + flSize;
}

function writeSimpleHeader(out: Uint8Array, op: number, flSize: number, type: number, n: number): void {
  if (flSize === 1) {
    out[op] = type + (n << 3);
  } else if (flSize === 2) {
    const h = type + (1 << 2) + (n << 4);
    out[op] = h;
    out[op + 1] = h >>> 8;
  } else {
    const h = type + (3 << 2) + (n << 4);
    out[op] = h;
    out[op + 1] = h >>> 8;
    out[op + 2] = h >>> 16;
  }
}

function writeRleLiterals(byte: number, n: number, out: Uint8Array, op: number): number {
  const flSize = 1 + (n > 31 ? 1 : 0) + (n > 4095 ? 1 : 0);
  writeSimpleHeader(out, op, flSize, SET_RLE, n);
  out[op + flSize] = byte;
  return flSize + 1;
}

/** Literals below this count are stored raw (`ZSTD_minLiteralsToCompress`). */
function minLiteralsToCompress(strategy: number, repeat: number): number {
  const shift = Math.min(9 - strategy, 3);
  return repeat === HufRepeat.Valid ? 6 : 8 << shift;
}

function countBytes(count: Uint32Array, src: Uint8Array, ip: number, n: number): void {
  count.fill(0);
  for (let i = ip; i < ip + n; i++) count[src[i]!]!++;
}

function largestCount(count: Uint32Array): number {
  let m = 0;
  for (let s = 0; s < 256; s++) if (count[s]! > m) m = count[s]!;
  return m;
}

/** Depth that minimizes table plus data size, probing upwards (`HUF_optimalTableLog`, optimal-depth mode). */
export function probeOptimalDepth(count: Uint32Array, maxSymbolValue: number, maxTableLog: number, huf: HufScratch): number {
  let cardinality = 0;
  for (let s = 0; s <= maxSymbolValue; s++) if (count[s] !== 0) cardinality++;
  const minLog = highBit(cardinality) + 1;
  let optSize = Number.MAX_SAFE_INTEGER;
  let optLog = maxTableLog;
  const probe = huf.probe;
  const header = huf.header;
  for (let guess = minLog; guess <= maxTableLog; guess++) {
    const maxBits = buildHuffmanCTable(probe, count, maxSymbolValue, guess, huf);
    if (maxBits < guess && guess > minLog) break;
    const hSize = writeHuffmanCTable(probe, header, 0, header.length, huf);
    if (hSize < 0) continue;
    const newSize = estimateHuffmanSize(probe, count, maxSymbolValue) + hSize;
    if (newSize > optSize + 1) break;
    if (newSize < optSize) {
      optSize = newSize;
      optLog = guess;
    }
  }
  return optLog;
}

/**
 * Huffman-code the literals after a header of `lhSize` bytes (`HUF_compress_internal`).
 * Returns the size of table plus streams, 0 when not worth it, 1 when every byte is the
 * same (out[op] then holds it). `repeatIo[0]` carries the previous table's repeat state in
 * and tells on return whether that table was reused (non-zero) or a new one written
 * (HufRepeat.None, the new table is then in `nextHuf`).
 */
function huffmanLiterals(
  src: Uint8Array,
  ip: number,
  n: number,
  out: Uint8Array,
  op: number,
  oend: number,
  singleStream: boolean,
  strategy: number,
  suspectUncompressible: boolean,
  prevHuf: HufCTable,
  nextHuf: HufCTable,
  repeatIo: Int32Array,
  ws: LiteralsScratch,
): number {
  const preferRepeat = strategy < Strategy.Lazy && n <= 1024;
  const optimalDepth = strategy >= Strategy.BtUltra;
  const count = ws.count;
  let repeat = repeatIo[0]!;
  if (preferRepeat && repeat === HufRepeat.Valid) {
    return encodeWithTable(src, ip, n, out, op, op, oend, singleStream, prevHuf);
  }
  if (suspectUncompressible && n >= SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE * SUSPECT_INCOMPRESSIBLE_SAMPLE_RATIO) {
    countBytes(count, src, ip, SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE);
    let largestTotal = largestCount(count);
    countBytes(count, src, ip + n - SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE, SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE);
    largestTotal += largestCount(count);
    if (largestTotal <= ((2 * SUSPECT_INCOMPRESSIBLE_SAMPLE_SIZE) >> 7) + 4) return 0;
  }
  countBytes(count, src, ip, n);
  let maxSymbolValue = 255;
  while (count[maxSymbolValue] === 0) maxSymbolValue--;
  const largest = largestCount(count);
  if (largest === n) {
    out[op] = src[ip]!;
    return 1;
  }
  if (largest <= (n >> 7) + 4) return 0;
  if (repeat === HufRepeat.Check && !validateHuffmanCTable(prevHuf, count, maxSymbolValue)) {
    repeat = HufRepeat.None;
    repeatIo[0] = repeat;
  }
  if (preferRepeat && repeat !== HufRepeat.None) {
    return encodeWithTable(src, ip, n, out, op, op, oend, singleStream, prevHuf);
  }
  const huffLog = optimalDepth
    ? probeOptimalDepth(count, maxSymbolValue, LIT_HUF_LOG, ws.huf)
    : optimalTableLog(LIT_HUF_LOG, n, maxSymbolValue, 1);
  const cand = ws.candidate;
  buildHuffmanCTable(cand, count, maxSymbolValue, huffLog, ws.huf);
  const hSize = writeHuffmanCTable(cand, out, op, oend, ws.huf);
  if (hSize < 0) return 0;
  if (repeat !== HufRepeat.None) {
    const oldSize = estimateHuffmanSize(prevHuf, count, maxSymbolValue);
    const newSize = estimateHuffmanSize(cand, count, maxSymbolValue);
    if (oldSize <= hSize + newSize || hSize + 12 >= n) {
      return encodeWithTable(src, ip, n, out, op, op, oend, singleStream, prevHuf);
    }
  }
  if (hSize + 12 >= n) return 0;
  repeatIo[0] = HufRepeat.None;
  nextHuf.copyFrom(cand);
  return encodeWithTable(src, ip, n, out, op, op + hSize, oend, singleStream, cand);
}

/** Streams after `tableEnd` (`HUF_compressCTable_internal`); 0 when they do not pay off. */
function encodeWithTable(
  src: Uint8Array,
  ip: number,
  n: number,
  out: Uint8Array,
  ostart: number,
  tableEnd: number,
  oend: number,
  singleStream: boolean,
  ct: HufCTable,
): number {
  const cSize = singleStream
    ? huffmanCompress1X(src, ip, n, ct, out, tableEnd, oend)
    : huffmanCompress4X(src, ip, n, ct, out, tableEnd, oend);
  if (cSize === 0) return 0;
  const total = tableEnd + cSize - ostart;
  if (total >= n - 1) return 0;
  return total;
}

/**
 * Write the literals section for src[ip, ip+n) at out[op..] (`ZSTD_compressLiterals`).
 * `nextHuf` receives the Huffman table state the next block will see. Returns the section
 * size, or -1 when it does not fit.
 */
export function compressLiterals(
  src: Uint8Array,
  ip: number,
  n: number,
  out: Uint8Array,
  op: number,
  oend: number,
  prevHuf: HufCTable,
  nextHuf: HufCTable,
  strategy: number,
  suspectUncompressible: boolean,
  repeatIo: Int32Array,
  ws: LiteralsScratch,
): number {
  const lhSize = 3 + (n >= 1024 ? 1 : 0) + (n >= 16384 ? 1 : 0);
  let singleStream = n < 256;
  nextHuf.copyFrom(prevHuf);
  if (n < minLiteralsToCompress(strategy, prevHuf.repeatMode)) return writeRawLiterals(src, ip, n, out, op, oend);
  if (oend - op < lhSize + 1) return -1;
  const repeat = prevHuf.repeatMode;
  if (repeat === HufRepeat.Valid && lhSize === 3) singleStream = true;
  repeatIo[0] = repeat;
  const cLitSize = huffmanLiterals(
    src,
    ip,
    n,
    out,
    op + lhSize,
    oend,
    singleStream,
    strategy,
    suspectUncompressible,
    prevHuf,
    nextHuf,
    repeatIo,
    ws,
  );
  const hType = repeatIo[0] !== HufRepeat.None ? SET_REPEAT : SET_COMPRESSED;
  if (cLitSize === 0 || cLitSize >= n - minGain(n, strategy)) {
    nextHuf.copyFrom(prevHuf);
    return writeRawLiterals(src, ip, n, out, op, oend);
  }
  if (cLitSize === 1) {
    // A single byte value. (A one-byte Huffman result is impossible for 8+ literals.)
    let same = true;
    for (let i = ip + 1; i < ip + n; i++) {
      if (src[i] !== src[ip]) {
        same = false;
        break;
      }
    }
    if (n >= 8 || same) {
      nextHuf.copyFrom(prevHuf);
      return writeRleLiterals(src[ip]!, n, out, op);
    }
  }
  if (hType === SET_COMPRESSED) nextHuf.repeatMode = HufRepeat.Check;
  const streams = singleStream ? 0 : 1;
  if (lhSize === 3) {
    const h = hType + (streams << 2) + (n << 4) + cLitSize * (1 << 14);
    out[op] = h;
    out[op + 1] = h >>> 8;
    out[op + 2] = h >>> 16;
  } else if (lhSize === 4) {
    const h = hType + (2 << 2) + (n << 4) + cLitSize * (1 << 18);
    out[op] = h;
    out[op + 1] = h >>> 8;
    out[op + 2] = h >>> 16;
    out[op + 3] = h >>> 24;
  } else {
    const h = hType + (3 << 2) + (n << 4) + cLitSize * (1 << 22);
    out[op] = h;
    out[op + 1] = h >>> 8;
    out[op + 2] = h >>> 16;
    out[op + 3] = h >>> 24;
    out[op + 4] = cLitSize >>> 10;
  }
  return lhSize + cLitSize;
}
