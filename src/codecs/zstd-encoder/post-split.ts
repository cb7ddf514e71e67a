/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Splitting a block after its sequences are known (libzstd `ZSTD_compressBlock_splitBlock`,
 * used by the optimal-parser levels once the window reaches 128 KiB): halves of the
 * sequence list are priced with their own entropy tables, and a half is split off when the
 * two parts together are estimated smaller than the whole, recursively. Ported from
 * lib/compress/zstd_compress.c (`ZSTD_deriveBlockSplits`, `ZSTD_deriveBlockSplitsHelper`,
 * `ZSTD_buildBlockEntropyStats_literals`, `ZSTD_estimateBlockSize*`,
 * `ZSTD_seqStore_resolveOffCodes`).
 */
import { FseCTable, fseBitCost, optimalTableLog } from './fse-encoder.js';
import {
  HufCTable,
  HufRepeat,
  HufScratch,
  LIT_HUF_LOG,
  buildHuffmanCTable,
  estimateHuffmanSize,
  validateHuffmanCTable,
  writeHuffmanCTable,
} from './huffman-encoder.js';
import { probeOptimalDepth } from './literals.js';
import { Strategy } from './params.js';
import { REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';
import {
  LL_BITS,
  MAX_LL,
  MAX_ML,
  MAX_OFF,
  ML_BITS,
  SET_BASIC,
  SET_COMPRESSED,
  SET_REPEAT,
  SET_RLE,
  SeqEntropy,
  SequencesScratch,
  buildSequencesStatistics,
  countCodes,
  crossEntropyCost,
  defaultNorms,
} from './sequences.js';

const MIN_SEQUENCES_BLOCK_SPLITTING = 300;
const MAX_NB_BLOCK_SPLITS = 196;
/** Literals up to this count are not worth a table here (`COMPRESS_LITERALS_SIZE_MIN`). */
const COMPRESS_LITERALS_SIZE_MIN = 63;
const LONGNBSEQ = 0x7f00;
/** Room for a Huffman description (`ZSTD_MAX_HUF_HEADER_SIZE`). */
const MAX_HUF_HEADER_SIZE = 128;
/** Room for the three table descriptions (`ZSTD_MAX_FSE_HEADERS_SIZE`). */
const MAX_FSE_HEADERS_SIZE = ((MAX_ML + 1) * 9 + (MAX_LL + 1) * 9 + (MAX_OFF + 1) * 8 + 7) >> 3;
/** Stands for a libzstd error code in size comparisons (it wraps like size_t −1). */
const SIZE_ERROR = -1;

export class PostSplitScratch {
  /** Sequence index ending each partition; the last is nbSeq. */
  readonly partitions = new Int32Array(MAX_NB_BLOCK_SPLITS + 1);
  nbSplits = 0;
  /** litPrefix[i] = literals before sequence i. */
  litPrefix = new Int32Array(0);
  readonly count = new Uint32Array(256);
  readonly hist = new Int32Array(2);
  readonly hufNext = new HufCTable();
  readonly hufDes = new Uint8Array(MAX_HUF_HEADER_SIZE);
  readonly fseTables = new Uint8Array(MAX_FSE_HEADERS_SIZE);
  readonly seqNext = new SeqEntropy();
  readonly dRep = new Int32Array(3);
  readonly cRep = new Int32Array(3);
  readonly dRepOriginal = new Int32Array(3);
  /** Literals encoding type found by `literalsStats`, and its description size. */
  hType = 0;
  hufDesSize = 0;
}

/** The store's literal prefix sums, for slicing literals by sequence index. */
function prepare(ss: SeqStore, ws: PostSplitScratch): void {
  const n = ss.nbSeq;
  if (ws.litPrefix.length < n + 1) ws.litPrefix = new Int32Array(n + 1 + (n >> 1));
  const p = ws.litPrefix;
  p[0] = 0;
  for (let i = 0; i < n; i++) p[i + 1] = p[i]! + ss.litLengths[i]!;
}

/**
 * Literals type and table description size for lit[start, start+size)
 * (`ZSTD_buildBlockEntropyStats_literals`); sets ws.hType / ws.hufDesSize. Returns false
 * when libzstd would report an error (the description could not be written).
 */
function literalsStats(lit: Uint8Array, start: number, size: number, prevHuf: HufCTable, strategy: number, ws: PostSplitScratch, huf: HufScratch): boolean {
  const next = ws.hufNext;
  next.copyFrom(prevHuf);
  ws.hufDesSize = 0;
  const minLitSize = prevHuf.repeatMode === HufRepeat.Valid ? 6 : COMPRESS_LITERALS_SIZE_MIN;
  if (size <= minLitSize) {
    ws.hType = SET_BASIC;
    return true;
  }
  const count = ws.count;
  count.fill(0);
  for (let i = start; i < start + size; i++) count[lit[i]!]!++;
  let maxSymbolValue = 255;
  while (count[maxSymbolValue] === 0) maxSymbolValue--;
  let largest = 0;
  for (let s = 0; s <= maxSymbolValue; s++) if (count[s]! > largest) largest = count[s]!;
  if (largest === size) {
    ws.hType = SET_RLE;
    return true;
  }
  if (largest <= (size >> 7) + 4) {
    ws.hType = SET_BASIC;
    return true;
  }
  let repeat = prevHuf.repeatMode;
  if (repeat === HufRepeat.Check && !validateHuffmanCTable(prevHuf, count, maxSymbolValue)) repeat = HufRepeat.None;
  next.nbBits.fill(0);
  next.value.fill(0);
  const huffLog =
    strategy >= Strategy.BtUltra
      ? probeOptimalDepth(count, maxSymbolValue, LIT_HUF_LOG, huf)
      : optimalTableLog(LIT_HUF_LOG, size, maxSymbolValue, 1);
  buildHuffmanCTable(next, count, maxSymbolValue, huffLog, huf);
  const newCSize = estimateHuffmanSize(next, count, maxSymbolValue);
  const written = writeHuffmanCTable(next, ws.hufDes, 0, MAX_HUF_HEADER_SIZE, huf);
  // libzstd keeps going with an error code in size_t arithmetic: (size_t)-1 + x wraps to x − 1.
  const hSize = written < 0 ? SIZE_ERROR : written;
  if (repeat !== HufRepeat.None) {
    const oldCSize = estimateHuffmanSize(prevHuf, count, maxSymbolValue);
    if (oldCSize < size && (oldCSize <= hSize + newCSize || hSize + 12 >= size)) {
      next.copyFrom(prevHuf);
      ws.hType = SET_REPEAT;
      return true;
    }
  }
  if (newCSize + hSize >= size) {
    next.copyFrom(prevHuf);
    ws.hType = SET_BASIC;
    return true;
  }
  if (written < 0) return false;
  ws.hType = SET_COMPRESSED;
  ws.hufDesSize = written;
  next.repeatMode = HufRepeat.Check;
  return true;
}

/** Estimated literals section size (`ZSTD_estimateBlockSize_literal`). */
function literalsSize(lit: Uint8Array, start: number, size: number, ws: PostSplitScratch): number {
  const type = ws.hType;
  if (type === SET_BASIC) return size;
  if (type === SET_RLE) return 1;
  const count = ws.count;
  count.fill(0);
  for (let i = start; i < start + size; i++) count[lit[i]!]!++;
  let maxSymbolValue = 255;
  while (maxSymbolValue > 0 && count[maxSymbolValue] === 0) maxSymbolValue--;
  const headerSize = 3 + (size >= 1024 ? 1 : 0) + (size >= 16384 ? 1 : 0);
  let est = estimateHuffmanSize(ws.hufNext, count, maxSymbolValue);
  if (type === SET_COMPRESSED) est += ws.hufDesSize;
  if (size >= 256) est += 6; // jump table of the 4 streams
  return est + headerSize;
}

/** Estimated size of one code stream (`ZSTD_estimateBlockSize_symbolType`). */
function symbolTypeSize(
  type: number,
  codes: Uint8Array,
  first: number,
  nbSeq: number,
  maxCode: number,
  ct: FseCTable,
  extraBits: Uint8Array | null,
  which: number,
  ws: PostSplitScratch,
): number {
  const count = ws.count;
  countCodes(count, codes, first, nbSeq, maxCode, ws.hist);
  const max = ws.hist[0]!;
  let bits = 0;
  if (type === SET_BASIC) {
    const d = defaultNorms[which]!;
    bits = crossEntropyCost(d.norm, d.log, count, max);
  } else if (type === SET_COMPRESSED || type === SET_REPEAT) {
    bits = fseBitCost(ct, count, max);
    if (bits < 0) return nbSeq * 10;
  }
  for (let i = first; i < first + nbSeq; i++) bits += extraBits === null ? codes[i]! : extraBits[codes[i]!]!;
  return Math.floor(bits / 8);
}

/**
 * Estimated compressed size of sequences [first, end) with literals
 * lit[litStart, litEnd), header included (`ZSTD_buildEntropyStatisticsAndEstimateSubBlockSize`).
 * Returns -1 where libzstd reports an error.
 */
function estimateSubBlock(
  ss: SeqStore,
  first: number,
  end: number,
  litStart: number,
  litEnd: number,
  prevHuf: HufCTable,
  prevSeq: SeqEntropy,
  strategy: number,
  ws: PostSplitScratch,
  huf: HufScratch,
  seqWs: SequencesScratch,
): number {
  const litSize = litEnd - litStart;
  if (!literalsStats(ss.lit, litStart, litSize, prevHuf, strategy, ws, huf)) return -1;
  const nbSeq = end - first;
  const next = ws.seqNext;
  let llType = SET_BASIC;
  let ofType = SET_BASIC;
  let mlType = SET_BASIC;
  let fseTablesSize = 0;
  if (nbSeq !== 0) {
    fseTablesSize = buildSequencesStatistics(ss, first, nbSeq, ws.fseTables, 0, MAX_FSE_HEADERS_SIZE, prevSeq, next, strategy, seqWs);
    if (fseTablesSize < 0) return -1;
    llType = seqWs.types[0]!;
    ofType = seqWs.types[1]!;
    mlType = seqWs.types[2]!;
  }
  const lits = literalsSize(ss.lit, litStart, litSize, ws);
  let seqs = 1 + 1 + (nbSeq >= 128 ? 1 : 0) + (nbSeq >= LONGNBSEQ ? 1 : 0);
  seqs += symbolTypeSize(ofType, ss.ofCode, first, nbSeq, MAX_OFF, next.of, null, 1, ws);
  seqs += symbolTypeSize(llType, ss.llCode, first, nbSeq, MAX_LL, next.ll, LL_BITS, 0, ws);
  seqs += symbolTypeSize(mlType, ss.mlCode, first, nbSeq, MAX_ML, next.ml, ML_BITS, 2, ws);
  seqs += fseTablesSize;
  return seqs + lits + 3;
}

/**
 * Partitions of the store worth compressing as separate blocks (`ZSTD_deriveBlockSplits`).
 * Fills ws.partitions (each entry the sequence index ending a partition, the last being
 * nbSeq) and returns the number of splits (0: keep one block).
 */
export function deriveBlockSplits(
  ss: SeqStore,
  prevHuf: HufCTable,
  prevSeq: SeqEntropy,
  strategy: number,
  ws: PostSplitScratch,
  huf: HufScratch,
  seqWs: SequencesScratch,
): number {
  const nbSeq = ss.nbSeq;
  ws.nbSplits = 0;
  if (nbSeq <= 4) return 0;
  prepare(ss, ws);
  splitHelper(ss, 0, nbSeq, prevHuf, prevSeq, strategy, ws, huf, seqWs);
  ws.partitions[ws.nbSplits] = nbSeq;
  return ws.nbSplits;
}

/** End of the literals of sequences before `i` (all literals when i is the last). */
function litEnd(ss: SeqStore, i: number, ws: PostSplitScratch): number {
  return i === ss.nbSeq ? ss.litLength : ws.litPrefix[i]!;
}

/** One level of the halving search (`ZSTD_deriveBlockSplitsHelper`). */
function splitHelper(
  ss: SeqStore,
  start: number,
  end: number,
  prevHuf: HufCTable,
  prevSeq: SeqEntropy,
  strategy: number,
  ws: PostSplitScratch,
  huf: HufScratch,
  seqWs: SequencesScratch,
): void {
  if (end - start < MIN_SEQUENCES_BLOCK_SPLITTING || ws.nbSplits >= MAX_NB_BLOCK_SPLITS) return;
  const mid = Math.floor((start + end) / 2);
  const lp = ws.litPrefix;
  const full = estimateSubBlock(ss, start, end, lp[start]!, litEnd(ss, end, ws), prevHuf, prevSeq, strategy, ws, huf, seqWs);
  const firstHalf = estimateSubBlock(ss, start, mid, lp[start]!, litEnd(ss, mid, ws), prevHuf, prevSeq, strategy, ws, huf, seqWs);
  const secondHalf = estimateSubBlock(ss, mid, end, lp[mid]!, litEnd(ss, end, ws), prevHuf, prevSeq, strategy, ws, huf, seqWs);
  if (full < 0 || firstHalf < 0 || secondHalf < 0) return;
  if (firstHalf + secondHalf < full) {
    splitHelper(ss, start, mid, prevHuf, prevSeq, strategy, ws, huf, seqWs);
    ws.partitions[ws.nbSplits++] = mid;
    splitHelper(ss, mid, end, prevHuf, prevSeq, strategy, ws, huf, seqWs);
  }
}

/** Literal bytes of sequences [first, end), trailing literals excluded. */
export function partitionLiterals(ws: PostSplitScratch, first: number, end: number): number {
  return ws.litPrefix[end]! - ws.litPrefix[first]!;
}

function rawOffset(rep: Int32Array, offBase: number, ll0: number): number {
  const adjusted = offBase - 1 + ll0;
  return adjusted === REP_NUM ? rep[0]! - 1 : rep[adjusted]!;
}

function updateRep(rep: Int32Array, offBase: number, ll0: number): void {
  if (offBase > REP_NUM) {
    rep[2] = rep[1]!;
    rep[1] = rep[0]!;
    rep[0] = offBase - REP_NUM;
    return;
  }
  const repCode = offBase - 1 + ll0;
  if (repCode === 0) return;
  const current = repCode === REP_NUM ? rep[0]! - 1 : rep[repCode]!;
  if (repCode >= 2) rep[2] = rep[1]!;
  rep[1] = rep[0]!;
  rep[0] = current;
}

/**
 * Make the repeat codes of sequences [first, end) valid for the decoder, whose history
 * (dRep) differs from the compressor's (cRep) after a partition went out raw or RLE: a
 * repeat code naming a different offset becomes the explicit offset
 * (`ZSTD_seqStore_resolveOffCodes`).
 */
export function resolveOffCodes(dRep: Int32Array, cRep: Int32Array, ss: SeqStore, first: number, end: number): void {
  const offs = ss.offBases;
  // Offset codes may change below: their codes are to be derived again.
  if (ss.codedSeqs > first) ss.codedSeqs = first;
  if (ss.countedSeqs > first) ss.countedSeqs = 0;
  for (let i = first; i < end; i++) {
    const ll0 = ss.litLengths[i] === 0 ? 1 : 0;
    const offBase = offs[i]!;
    if (offBase <= REP_NUM) {
      const dRaw = rawOffset(dRep, offBase, ll0);
      const cRaw = rawOffset(cRep, offBase, ll0);
      if (dRaw !== cRaw) offs[i] = cRaw + REP_NUM;
    }
    updateRep(dRep, offs[i]!, ll0);
    updateRep(cRep, offBase, ll0);
  }
}

/** Whether libzstd splits blocks after parsing (`ZSTD_resolveBlockSplitterMode`). */
export function postSplitEnabled(strategy: number, windowLog: number): boolean {
  return strategy >= Strategy.BtOpt && windowLog >= 17;
}
