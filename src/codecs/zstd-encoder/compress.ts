/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Frame and block driver of the zstd encoder: one frame per call, as Blosc writes it
 * (c-blosc `ZSTD_compress`, c-blosc2 `ZSTD_compressCCtx`): magic number, frame header
 * with the content size (single-segment when the window covers the content), no checksum,
 * no dictionary id, then blocks of at most 128 KiB, each compressed, RLE or raw. Ported from
 * libzstd lib/compress/zstd_compress.c (`ZSTD_writeFrameHeader`, `ZSTD_compress_frameChunk`,
 * `ZSTD_compressBlock_internal`, `ZSTD_buildSeqStore`, `ZSTD_entropyCompressSeqStore`).
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { allocBytes } from '../../limits.js';
import { SplitScratch, optimalBlockSize } from './block-split.js';
import { HufCTable, HufRepeat } from './huffman-encoder.js';
import { LiteralsScratch, compressLiterals, minGain, writeRawLiterals } from './literals.js';
import { compressBlockDoubleFast } from './match-double-fast.js';
import { compressBlockFast } from './match-fast.js';
import {
  compressBlockDoubleFastDictMatchState,
  compressBlockDoubleFastExtDict,
  compressBlockFastDictMatchState,
  compressBlockFastExtDict,
  fillDoubleFastTablesFromDict,
  fillFastTableFromDict,
} from './match-fast-dict.js';
import type { FastDictView } from './match-fast-dict.js';
import type { ZstdCDict } from './dictionary.js';
import { WINDOW_START_INDEX, adjustParams, paramsWithDict } from './dictionary.js';
import { compressBlockLazy } from './match-lazy.js';
import { attachFastLoop, attachRowSearch, prepareFastLoop, prepareRowSearch, releaseHeapTables, rowFrameIsRle, rowSourceAddress } from './row-search-wasm.js';
import { MatchState, sourceView } from './match-state.js';
import { prepareBtSearch } from './bt-search-wasm.js';
import { OptState, compressBlockOpt, compressBlockUltra2 } from './match-opt.js';
import { PostSplitScratch, deriveBlockSplits, partitionLiterals, postSplitEnabled, resolveOffCodes } from './post-split.js';
import { BLOCKSIZE_MAX, Strategy, ZSTD_MAX_CLEVEL, getCompressionParams } from './params.js';
import type { CompressionParams } from './params.js';
import { REP_NUM, SeqStore } from './seq-store.js';
import { FseRepeat, SeqEntropy, SequencesScratch, compressSequences, seqToCodes } from './sequences.js';
import { copyMemory } from '../../copy.js';

const MAGIC = 0xfd2fb528;
const BLOCK_HEADER_SIZE = 3;
const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;
/** Smallest compressed block content (`MIN_CBLOCK_SIZE`). */
const MIN_CBLOCK_SIZE = 2;
/** Blocks shorter than this are stored raw without trying (MIN_CBLOCK_SIZE + header + 2). */
const MIN_COMPRESSIBLE_BLOCK = 7;
/** libzstd wants room for the largest frame header before writing any (`ZSTD_FRAMEHEADERSIZE_MAX`). */
const FRAMEHEADERSIZE_MAX = 18;
/** An RLE block is only chosen over a compressed one shorter than this (`rleMaxLength`). */
const RLE_MAX_LENGTH = 25;
/** Largest input: positions are kept in int32 tables. */
const MAX_INPUT = 0x7fffffff;
const MIN_CLEVEL = -(1 << 17);

/**
 * Everything an encoder reuses between calls: match tables, sequence buffers, entropy
 * tables and scratch (libzstd's CCtx). Each call starts a new frame and carries nothing
 * over, so a reused state gives the same bytes as a fresh one, as a reused libzstd CCtx
 * does. Not safe to share between concurrent calls; one per worker.
 */
export class ZstdEncoderState {
  readonly ms = new MatchState();
  readonly ss = new SeqStore();
  prevHuf = new HufCTable();
  nextHuf = new HufCTable();
  prevSeq = new SeqEntropy();
  nextSeq = new SeqEntropy();
  readonly rep = new Int32Array(3);
  readonly nextRep = new Int32Array(3);
  readonly lit = new LiteralsScratch();
  readonly seq = new SequencesScratch();
  readonly split = new SplitScratch();
  readonly postSplit = new PostSplitScratch();
  /** The block being compressed, before it is known to beat a raw block. */
  readonly block = new Uint8Array(BLOCKSIZE_MAX + 1024);
  readonly found = new Int32Array(1);
  readonly opt = new OptState();
  readonly tmpRep = new Int32Array(3);
  readonly candidates = new Int32Array(64);
  /** View of the source being compressed (replaced per call). */
  view: DataView = new DataView(new ArrayBuffer(0));
  readonly repeatIo = new Int32Array(1);
  /** How the fast finder sees a dictionary: none, attached CDict table, or extDict. */
  dictMode: DictMode = DictMode.None;
  readonly dictView: FastDictView = {
    dictStart: 0, prefixStart: 0, taggedTable: new Int32Array(0), dictHashLog: 0, taggedSmallTable: new Int32Array(0), dictChainLog: 0,
  };
  /** Dictionary content followed by the input, for dictionary frames. */
  joined = new Uint8Array(0);
}

const DictMode = { None: 0, Attach: 1, Ext: 2 } as const;
type DictMode = (typeof DictMode)[keyof typeof DictMode];

let defaultState: ZstdEncoderState | undefined;

/**
 * Worst-case size of a frame for n input bytes (libzstd `ZSTD_compressBound`): a buffer
 * of this size always holds the output.
 */
export function zstdCompressBound(n: number): number {
  if (!Number.isInteger(n) || n < 0) fail(BloscErrorCode.InvalidParam, `zstd: invalid source size ${n}`);
  return n + Math.floor(n / 256) + (n < 131072 ? (131072 - n) >> 11 : 0);
}

function plain(a: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(a) === Uint8Array.prototype ? a : new Uint8Array(a.buffer, a.byteOffset, a.length);
}

function checkRange(len: number, p: number, n: number, what: string): void {
  if (!Number.isInteger(p) || !Number.isInteger(n) || p < 0 || n < 0 || p + n > len) {
    fail(BloscErrorCode.InvalidParam, `zstd: ${what} range [${p}, ${p + n}) is outside the buffer of ${len} bytes`);
  }
}

/** Frame header (`ZSTD_writeFrameHeader`); returns its size, or 0 if it does not fit. */
function writeFrameHeader(dst: Uint8Array, op: number, oend: number, windowLog: number, contentSize: number, dictId = 0): number {
  const windowSize = 2 ** windowLog;
  const singleSegment = windowSize >= contentSize;
  // Content size field of 1, 2 or 4 bytes (inputs stay below 2 GiB: the 8-byte form is never needed).
  const fcsCode = contentSize >= 256 ? (contentSize >= 65536 + 256 ? 2 : 1) : 0;
  const didCode = dictId === 0 ? 0 : dictId < 256 ? 1 : dictId < 65536 ? 2 : 3;
  const didSize = didCode === 3 ? 4 : didCode;
  const size = 4 + 1 + (singleSegment ? 0 : 1) + didSize + (fcsCode === 0 ? (singleSegment ? 1 : 0) : 1 << fcsCode);
  if (size > oend - op) return 0;
  const start = op;
  dst[op++] = MAGIC & 0xff;
  dst[op++] = (MAGIC >>> 8) & 0xff;
  dst[op++] = (MAGIC >>> 16) & 0xff;
  dst[op++] = MAGIC >>> 24;
  dst[op++] = didCode + ((singleSegment ? 1 : 0) << 5) + (fcsCode << 6);
  if (!singleSegment) dst[op++] = (windowLog - 10) << 3;
  for (let i = 0; i < didSize; i++) dst[op++] = (dictId >>> (8 * i)) & 0xff;
  switch (fcsCode) {
    case 0:
      if (singleSegment) dst[op++] = contentSize;
      break;
    case 1: {
      const v = contentSize - 256;
      dst[op++] = v;
      dst[op++] = v >>> 8;
      break;
    }
    default:
      dst[op++] = contentSize;
      dst[op++] = contentSize >>> 8;
      dst[op++] = contentSize >>> 16;
      dst[op++] = contentSize >>> 24;
      break;
  }
  return op - start;
}

/**
 * True when src[ip, ip+n) is one repeated byte (`ZSTD_isRLE`): in WebAssembly when the
 * row search has the frame's input in the shared memory, else four bytes per step.
 */
function isRle(ms: MatchState, src: Uint8Array, v: DataView, ip: number, n: number): boolean {
  const inWasm = rowFrameIsRle(ms, ip, n);
  if (inWasm !== null) return inWasm;
  const b = src[ip]!;
  const word = Math.imul(b, 0x01010101);
  const end = ip + n;
  let i = ip;
  for (; i + 4 <= end; i += 4) if (v.getInt32(i, true) !== word) return false;
  for (; i < end; i++) if (src[i] !== b) return false;
  return true;
}

/** Repeat offsets the decoder holds after the block's sequences (RFC 8878 §3.1.2.5). */
function replayRepeatOffsets(ss: SeqStore, rep: Int32Array): void {
  let r0 = rep[0]!;
  let r1 = rep[1]!;
  let r2 = rep[2]!;
  const offs = ss.offBases;
  const lls = ss.litLengths;
  for (let i = 0; i < ss.nbSeq; i++) {
    const ob = offs[i]!;
    if (ob > REP_NUM) {
      r2 = r1;
      r1 = r0;
      r0 = ob - REP_NUM;
    } else {
      const idx = ob - 1 + (lls[i] === 0 ? 1 : 0);
      if (idx === 0) continue;
      const off = idx === 3 ? r0 - 1 : idx === 1 ? r1 : r2;
      if (idx !== 1) r2 = r1;
      r1 = r0;
      r0 = off;
    }
  }
  rep[0] = r0;
  rep[1] = r1;
  rep[2] = r2;
}

/**
 * Literals lit[litStart, litStart+litSize) and sequences [first, first+nbSeq) of the store
 * into state.block (`ZSTD_entropyCompressSeqStore`), for a block of `srcSize` bytes, with
 * `cap` bytes of room (what libzstd would have left in the destination). Returns the size,
 * or 0 when the block should be stored raw.
 */
function entropyCompress(
  st: ZstdEncoderState,
  p: CompressionParams,
  first: number,
  nbSeq: number,
  litStart: number,
  litSize: number,
  srcSize: number,
  cap: number,
): number {
  const ss = st.ss;
  const out = st.block;
  const oend = cap < out.length ? cap : out.length;
  const suspectUncompressible = nbSeq === 0 || litSize / nbSeq >= 20;
  const disableLiterals = p.strategy === Strategy.Fast && p.targetLength > 0;
  let n: number;
  if (disableLiterals) {
    st.nextHuf.copyFrom(st.prevHuf);
    n = writeRawLiterals(ss.lit, litStart, litSize, out, 0, oend);
  } else {
    n = compressLiterals(ss.lit, litStart, litSize, out, 0, oend, st.prevHuf, st.nextHuf, p.strategy, suspectUncompressible, st.repeatIo, st.lit);
  }
  if (n < 0) return 0;
  const m = compressSequences(ss, first, nbSeq, out, n, oend, st.prevSeq, st.nextSeq, p.strategy, st.seq);
  if (m <= 0) return 0;
  const cSize = n + m;
  if (cSize >= srcSize - minGain(srcSize, p.strategy)) return 0;
  return cSize;
}

/** Keep this block's entropy tables for the next block (`ZSTD_blockState_confirmRepcodesAndEntropyTables`). */
function confirmTables(st: ZstdEncoderState): void {
  const h = st.prevHuf;
  st.prevHuf = st.nextHuf;
  st.nextHuf = h;
  const s = st.prevSeq;
  st.prevSeq = st.nextSeq;
  st.nextSeq = s;
}

/**
 * Write one block at d[op..]: raw when cSize is 0, RLE when 1, else the compressed bytes
 * in state.block. Returns the bytes written, or -1 when they do not fit before oend.
 */
function emitBlock(
  st: ZstdEncoderState,
  d: Uint8Array,
  op: number,
  oend: number,
  src: Uint8Array,
  ip: number,
  blockSize: number,
  cSize: number,
  lastBlock: number,
): number {
  let written: number;
  let h: number;
  if (cSize === 0) {
    written = BLOCK_HEADER_SIZE + blockSize;
    if (written > oend - op) return -1;
    h = lastBlock + (BLOCK_RAW << 1) + blockSize * 8;
    copyMemory(src, ip, d, op + BLOCK_HEADER_SIZE, blockSize);
  } else if (cSize === 1) {
    written = BLOCK_HEADER_SIZE + 1;
    if (written > oend - op) return -1;
    h = lastBlock + (BLOCK_RLE << 1) + blockSize * 8;
    d[op + 3] = src[ip]!;
  } else {
    written = BLOCK_HEADER_SIZE + cSize;
    if (written > oend - op) return -1;
    h = lastBlock + (BLOCK_COMPRESSED << 1) + cSize * 8;
    copyMemory(st.block, 0, d, op + BLOCK_HEADER_SIZE, cSize);
  }
  d[op] = h;
  d[op + 1] = h >>> 8;
  d[op + 2] = h >>> 16;
  return written;
}

/** Run the level's match finder over src[ip, ip+blockSize), leaving the sequences in st.ss. */
function findSequences(st: ZstdEncoderState, p: CompressionParams, src: Uint8Array, ip: number, blockSize: number): void {
  const ms = st.ms;
  const ss = st.ss;
  ss.reset();
  // After a very long match, do not insert the whole skipped range into the tables.
  if (ip > ms.nextToUpdate + 384) ms.nextToUpdate = ip - Math.min(192, ip - ms.nextToUpdate - 384);
  const nextRep = st.nextRep;
  nextRep.set(st.rep);
  const iend = ip + blockSize;
  let lastLiterals: number;
  switch (p.strategy) {
    case Strategy.Fast:
      if (st.dictMode === DictMode.Attach) {
        lastLiterals = compressBlockFastDictMatchState(ms, ss, nextRep, src, st.view, ip, iend, st.dictView);
      } else if (st.dictMode === DictMode.Ext) {
        lastLiterals = compressBlockFastExtDict(ms, ss, nextRep, src, st.view, ip, iend, st.dictView.dictStart, st.dictView.prefixStart);
      } else {
        lastLiterals = compressBlockFast(ms, ss, nextRep, src, st.view, ip, iend);
      }
      break;
    case Strategy.DoubleFast:
      if (st.dictMode === DictMode.Attach) {
        lastLiterals = compressBlockDoubleFastDictMatchState(ms, ss, nextRep, src, st.view, ip, iend, st.dictView);
      } else if (st.dictMode === DictMode.Ext) {
        lastLiterals = compressBlockDoubleFastExtDict(ms, ss, nextRep, src, st.view, ip, iend, st.dictView.dictStart, st.dictView.prefixStart);
      } else {
        lastLiterals = compressBlockDoubleFast(ms, ss, nextRep, src, st.view, ip, iend);
      }
      break;
    case Strategy.Greedy:
      lastLiterals = compressBlockLazy(ms, ss, nextRep, src, st.view, ip, iend, 0, st.found, st.candidates);
      break;
    case Strategy.Lazy:
      lastLiterals = compressBlockLazy(ms, ss, nextRep, src, st.view, ip, iend, 1, st.found, st.candidates);
      break;
    case Strategy.Lazy2:
    case Strategy.BtLazy2:
      lastLiterals = compressBlockLazy(ms, ss, nextRep, src, st.view, ip, iend, 2, st.found, st.candidates);
      break;
    case Strategy.BtOpt:
      lastLiterals = compressBlockOpt(ms, st.opt, ss, nextRep, src, st.view, ip, iend, 0);
      break;
    case Strategy.BtUltra:
      lastLiterals = compressBlockOpt(ms, st.opt, ss, nextRep, src, st.view, ip, iend, 2);
      break;
    default:
      lastLiterals = compressBlockUltra2(ms, st.opt, ss, nextRep, src, st.view, ip, iend, st.tmpRep);
      break;
  }
  ss.storeLastLiterals(src, iend - lastLiterals, lastLiterals);
  // The repeat offsets the decoder will hold after these sequences.
  nextRep.set(st.rep);
  replayRepeatOffsets(ss, nextRep);
}

/**
 * Compress one block (`ZSTD_compressBlock_internal`, or `ZSTD_compressBlock_splitBlock`
 * when the level splits blocks after parsing) and write it, or its partitions, at
 * d[op..]. Repeat offsets and entropy tables carry over only from compressed blocks.
 * Returns the bytes written, or -1 when they do not fit.
 */
/**
 * One block, as `ZSTD_compressBlock_internal` writes it, then the check at its end: a
 * dictionary's offset table is trusted ("valid") for the first block only, since later
 * offsets may need codes it lacks; afterwards it is "check" (zstd_compress.c, label `out`,
 * also at the end of `ZSTD_compressSeqStore_singleBlock` for each split partition).
 */
function compressBlock(
  st: ZstdEncoderState,
  p: CompressionParams,
  src: Uint8Array,
  ip: number,
  blockSize: number,
  firstBlock: boolean,
  lastBlock: number,
  d: Uint8Array,
  op: number,
  oend: number,
): number {
  const written = compressBlockInternal(st, p, src, ip, blockSize, firstBlock, lastBlock, d, op, oend);
  if (st.prevSeq.ofRepeat === FseRepeat.Valid) st.prevSeq.ofRepeat = FseRepeat.Check;
  return written;
}

function compressBlockInternal(
  st: ZstdEncoderState,
  p: CompressionParams,
  src: Uint8Array,
  ip: number,
  blockSize: number,
  firstBlock: boolean,
  lastBlock: number,
  d: Uint8Array,
  op: number,
  oend: number,
): number {
  // libzstd refuses to start a block with less room than a minimal one.
  if (oend - op < BLOCK_HEADER_SIZE + MIN_CBLOCK_SIZE + 1) return -1;
  if (blockSize < MIN_COMPRESSIBLE_BLOCK) return emitBlock(st, d, op, oend, src, ip, blockSize, 0, lastBlock);
  findSequences(st, p, src, ip, blockSize);
  const ss = st.ss;
  const numSplits = postSplitEnabled(p.strategy, p.windowLog)
    ? deriveBlockSplits(ss, st.prevHuf, st.prevSeq, p.strategy, st.postSplit, st.lit.huf, st.seq)
    : 0;
  if (numSplits === 0) {
    let cSize = entropyCompress(st, p, 0, ss.nbSeq, 0, ss.litLength, blockSize, oend - op - BLOCK_HEADER_SIZE);
    if (!firstBlock && cSize < RLE_MAX_LENGTH && isRle(st.ms, src, st.view, ip, blockSize)) cSize = 1;
    if (cSize > 1) {
      confirmTables(st);
      st.rep.set(st.nextRep);
    }
    return emitBlock(st, d, op, oend, src, ip, blockSize, cSize, lastBlock);
  }

  // Partitions, each its own block. A partition stored raw or RLE leaves the decoder's
  // repeat offsets (dRep) behind the parser's (cRep); repeat codes are fixed up for it.
  const ws = st.postSplit;
  const dRep = ws.dRep;
  const cRep = ws.cRep;
  dRep.set(st.rep);
  cRep.set(st.rep);
  let written = 0;
  let first = 0;
  let pos = ip;
  for (let i = 0; i <= numSplits; i++) {
    const end = ws.partitions[i]!;
    const last = i === numSplits;
    const litStart = ws.litPrefix[first]!;
    const litSize = last ? ss.litLength - litStart : partitionLiterals(ws, first, end);
    let srcBytes = partitionLiterals(ws, first, end);
    for (let k = first; k < end; k++) srcBytes += ss.mlBases[k]! + 3;
    if (last) srcBytes = ip + blockSize - pos;
    ws.dRepOriginal.set(dRep);
    resolveOffCodes(dRep, cRep, ss, first, end);
    const room = oend - op - written - BLOCK_HEADER_SIZE;
    if (room < 0) return -1;
    let cSize = entropyCompress(st, p, first, end - first, litStart, litSize, srcBytes, room);
    if (!firstBlock && cSize < RLE_MAX_LENGTH && isRle(st.ms, src, st.view, pos, srcBytes)) cSize = 1;
    if (cSize > 1) confirmTables(st);
    else dRep.set(ws.dRepOriginal);
    if (st.prevSeq.ofRepeat === FseRepeat.Valid) st.prevSeq.ofRepeat = FseRepeat.Check;
    const n = emitBlock(st, d, op + written, oend, src, pos, srcBytes, cSize, last ? lastBlock : 0);
    if (n < 0) return -1;
    written += n;
    pos += srcBytes;
    first = end;
  }
  st.rep.set(dRep);
  return written;
}

/**
 * Compress src[sp, sp+sn) as one zstd frame into dst[dp, dp+cap) at zstd `level`
 * (1..22, higher clamped to 22; 0 is the default level 3; negative levels are the fast
 * ones), as libzstd's `ZSTD_compress` would. Returns the number of bytes written, or 0
 * where libzstd would fail for lack of room (nothing past dp+cap is ever written).
 * Pass a `state` to reuse tables between calls; src and dst must not overlap.
 */
export function zstdCompress(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  level: number,
  state?: ZstdEncoderState,
): number {
  if (!(src instanceof Uint8Array) || !(dst instanceof Uint8Array)) {
    fail(BloscErrorCode.InvalidParam, 'zstd: source and destination must be Uint8Arrays');
  }
  checkRange(src.length, sp, sn, 'input');
  checkRange(dst.length, dp, cap, 'output');
  if (!Number.isInteger(level)) fail(BloscErrorCode.InvalidParam, `zstd: invalid compression level ${level}`);
  if (sp + sn > MAX_INPUT) fail(BloscErrorCode.MaxBufsizeExceeded, `zstd: input ends past ${MAX_INPUT} bytes`);
  if (src.buffer === dst.buffer) {
    const a = src.byteOffset + sp;
    const b = dst.byteOffset + dp;
    if (a < b + cap && b < a + sn) fail(BloscErrorCode.InvalidParam, 'zstd: input and output ranges overlap');
  }
  const lvl = level > ZSTD_MAX_CLEVEL ? ZSTD_MAX_CLEVEL : level < MIN_CLEVEL ? MIN_CLEVEL : level;
  const s = plain(src);
  const d = plain(dst);
  const st = state ?? (defaultState ??= new ZstdEncoderState());

  const params = getCompressionParams(lvl, sn);
  if (st.view.buffer !== s.buffer || st.view.byteOffset !== s.byteOffset || st.view.byteLength !== s.byteLength) st.view = sourceView(s);
  const oend = dp + cap;
  let op = dp;
  // The capacity rules below are libzstd's, so the output (or the refusal) is libzstd's
  // for every capacity, not only for roomy ones.
  if (cap < FRAMEHEADERSIZE_MAX) return 0;
  const fh = writeFrameHeader(d, op, oend, params.windowLog, sn);
  if (fh === 0) return 0;
  op += fh;
  if (sn === 0) {
    // One empty raw block, marked last (libzstd writes it as 4 bytes, so wants room for 4).
    if (oend - op < 4) return 0;
    d[op] = 1;
    d[op + 1] = 0;
    d[op + 2] = 0;
    return op + BLOCK_HEADER_SIZE - dp;
  }

  // libzstd searches rows instead of chains for greedy..lazy2 once the window passes 16 KiB
  // (`ZSTD_resolveRowMatchFinderMode` on a machine with 128-bit SIMD).
  const useRow = params.strategy >= Strategy.Greedy && params.strategy <= Strategy.Lazy2 && params.windowLog > 14;
  const usesChain = params.strategy !== Strategy.Fast && !useRow;
  // Tree finders keep libzstd's indices (empty = 0); the others absolute positions.
  const useTree = params.strategy >= Strategy.BtLazy2;
  st.dictMode = DictMode.None;
  st.opt.releaseTables(st.ms);
  const rowWasm = useRow && prepareRowSearch(st.ms, s, sp, sn, params.hashLog, params.searchLog);
  const fastWasm = params.strategy === Strategy.Fast && prepareFastLoop(st.ms, s, sp, sn, params.hashLog);
  if (!rowWasm && !fastWasm) releaseHeapTables(st.ms);
  // The optimal parser's tree search as WebAssembly: its tables become the states' tables.
  st.opt.takeTables(st.ms, params.strategy >= Strategy.BtOpt ? prepareBtSearch(s, sp, sn, d, params) : null);
  st.ms.reset(params, sp, true, usesChain ? 1 << params.chainLog : 0, useRow, useTree ? 0 : sp - 2);
  if (rowWasm) attachRowSearch(st.ms);
  if (fastWasm) attachFastLoop(st.ms);
  st.opt.reset(params.minMatch, params.windowLog);
  st.rep[0] = 1;
  st.rep[1] = 4;
  st.rep[2] = 8;
  st.prevHuf.repeatMode = HufRepeat.None;
  st.prevSeq.reset();

  const end = writeBlocks(st, params, s, sp, sn, d, op, oend);
  return end < 0 ? 0 : end - dp;
}

/**
 * The frame's blocks (`ZSTD_compress_frameChunk`): src[ip, ip+sn) into d[op, oend).
 * Returns the end position, or -1 when the output does not fit.
 */
function writeBlocks(st: ZstdEncoderState, params: CompressionParams, s: Uint8Array, ip: number, sn: number, d: Uint8Array, op: number, oend: number): number {
  const blockSizeMax = Math.min(BLOCKSIZE_MAX, 2 ** params.windowLog);
  let remaining = sn;
  let savings = 0;
  let firstBlock = true;
  while (remaining > 0) {
    const blockSize = optimalBlockSize(s, ip, remaining, blockSizeMax, params.strategy, savings, st.split, st.ms.rowWasm !== null ? rowSourceAddress() : -1);
    const lastBlock = blockSize === remaining ? 1 : 0;
    // ZSTD_checkDictValidity / ZSTD_window_enforceMaxDist: once a block ends more than a
    // window past the dictionary, the dictionary is dropped for the rest of the frame.
    if (st.dictMode !== DictMode.None && ip + blockSize - st.dictView.prefixStart > 2 ** params.windowLog) {
      st.dictMode = DictMode.None;
      st.ms.frameStart = st.dictView.prefixStart;
    }
    const written = compressBlock(st, params, s, ip, blockSize, firstBlock, lastBlock, d, op, oend);
    if (written < 0) return -1;
    savings += blockSize - written;
    op += written;
    ip += blockSize;
    remaining -= blockSize;
    firstBlock = false;
  }
  return op;
}

/** Inputs up to this size use the CDict's own table in place (`attachDictSizeCutoffs[ZSTD_fast]`). */
const ATTACH_DICT_CUTOFF_FAST = 8 * 1024;
/** `attachDictSizeCutoffs[ZSTD_dfast]`. */
const ATTACH_DICT_CUTOFF_DFAST = 16 * 1024;
/** `ZSTD_USE_CDICT_PARAMS_SRCSIZE_CUTOFF` and `_DICTSIZE_MULTIPLIER`. */
const USE_CDICT_PARAMS_SRCSIZE_CUTOFF = 128 * 1024;
const USE_CDICT_PARAMS_DICTSIZE_MULTIPLIER = 6;

/**
 * Compress src[sp, sp+sn) as one zstd frame against a digested dictionary, as libzstd's
 * `ZSTD_compress_usingCDict` does (content size in the header, no checksum, the
 * dictionary id when it has one). Inputs up to 8 KiB attach the dictionary's table, inputs
 * under 128 KiB (or under 6× the dictionary) copy it, larger inputs load the dictionary
 * with parameters for their size (`ZSTD_compressBegin_usingCDict_internal`,
 * `ZSTD_resetCCtx_usingCDict`). Same contract as {@link zstdCompress}.
 */
export function zstdCompressUsingCDict(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  cdict: ZstdCDict,
  state?: ZstdEncoderState,
): number {
  if (!(src instanceof Uint8Array) || !(dst instanceof Uint8Array)) {
    fail(BloscErrorCode.InvalidParam, 'zstd: source and destination must be Uint8Arrays');
  }
  checkRange(src.length, sp, sn, 'input');
  checkRange(dst.length, dp, cap, 'output');
  const st = state ?? (defaultState ??= new ZstdEncoderState());
  const d = plain(dst);
  const dictLen = cdict.content.length;
  if (dictLen + sn > MAX_INPUT) fail(BloscErrorCode.MaxBufsizeExceeded, `zstd: input of ${sn} bytes is too large`);

  // Parameters: the CDict's, unless the input is large next to the dictionary.
  const useCDictParams = sn < USE_CDICT_PARAMS_SRCSIZE_CUTOFF || sn < cdict.size * USE_CDICT_PARAMS_DICTSIZE_MULTIPLIER;
  let params: CompressionParams = useCDictParams ? { ...cdict.params } : paramsWithDict(cdict.level, sn, cdict.size, 'unknown');
  // The window grows to cover the input (up to 2^19).
  const limited = Math.min(sn, 1 << 19);
  const limitedLog = limited > 1 ? highBitOf(limited - 1) + 1 : 1;
  if (params.windowLog < limitedLog) params.windowLog = limitedLog;
  const windowLog = params.windowLog;

  // The dictionary content, then the input, in one buffer.
  const need = dictLen + sn + 8;
  if (st.joined.length < need) st.joined = allocBytes(Math.max(need, st.joined.length * 2), 'zstd dictionary window') as Uint8Array<ArrayBuffer>;
  const s = st.joined;
  s.set(cdict.content, 0);
  copyMemory(src, sp, s, dictLen, sn);
  if (st.view.buffer !== s.buffer) st.view = sourceView(s);
  const dictStart = 0;
  const prefixStart = dictLen;
  const dv = st.dictView;
  dv.dictStart = dictStart;
  dv.prefixStart = prefixStart;
  dv.taggedTable = cdict.taggedTable;
  dv.dictHashLog = cdict.params.hashLog;
  dv.taggedSmallTable = cdict.taggedSmallTable;
  dv.dictChainLog = cdict.params.chainLog;
  const empty = dictStart - WINDOW_START_INDEX;

  const dfast = cdict.params.strategy === Strategy.DoubleFast;
  releaseHeapTables(st.ms);
  st.opt.releaseTables(st.ms);
  if (useCDictParams && cdict.size > 0) {
    if (sn <= (dfast ? ATTACH_DICT_CUTOFF_DFAST : ATTACH_DICT_CUTOFF_FAST)) {
      // ZSTD_resetCCtx_byAttachingCDict: tables sized for the input alone.
      params = adjustParams(cdict.params, sn, cdict.size, 'attach');
      params.windowLog = windowLog;
      st.ms.reset(params, prefixStart, true, dfast ? 1 << params.chainLog : 0, false, empty);
      st.dictMode = dictLen > 0 ? DictMode.Attach : DictMode.None;
    } else {
      // ZSTD_resetCCtx_byCopyingCDict: the CDict's tables without their tags.
      params = { ...cdict.params, windowLog };
      st.ms.reset(params, prefixStart, true, dfast ? 1 << params.chainLog : 0, false, empty);
      const t = st.ms.hashTable;
      const ct = cdict.taggedTable;
      for (let i = 0; i < ct.length; i++) t[i] = (ct[i]! >>> 8) + empty;
      if (dfast) {
        const c = st.ms.chainTable;
        const cs = cdict.taggedSmallTable;
        for (let i = 0; i < cs.length; i++) c[i] = (cs[i]! >>> 8) + empty;
      }
      st.dictMode = DictMode.Ext;
    }
  } else {
    // ZSTD_compressBegin_internal loads the dictionary into the context.
    if (params.strategy === Strategy.Fast) {
      st.ms.reset(params, prefixStart, true, 0, false, empty);
      fillFastTableFromDict(st.ms, st.view, dictStart, prefixStart);
    } else if (params.strategy === Strategy.DoubleFast) {
      st.ms.reset(params, prefixStart, true, 1 << params.chainLog, false, empty);
      fillDoubleFastTablesFromDict(st.ms, st.view, dictStart, prefixStart);
    } else {
      fail(BloscErrorCode.CodecSupport, `zstd: dictionaries are supported up to double-fast parameters, not at level ${cdict.level} for ${sn} bytes`);
    }
    st.dictMode = dictLen > 0 ? DictMode.Ext : DictMode.None;
  }
  st.opt.reset(params.minMatch, params.windowLog);
  st.rep[0] = cdict.rep[0];
  st.rep[1] = cdict.rep[1];
  st.rep[2] = cdict.rep[2];
  st.prevHuf.copyFrom(cdict.huf);
  st.prevSeq.copyFrom(cdict.seq);

  const oend = dp + cap;
  if (cap < FRAMEHEADERSIZE_MAX) return 0;
  const fh = writeFrameHeader(d, dp, oend, windowLog, sn, cdict.id);
  if (fh === 0) return 0;
  let op = dp + fh;
  if (sn === 0) {
    if (oend - op < 4) return 0;
    d[op] = 1;
    d[op + 1] = 0;
    d[op + 2] = 0;
    return op + BLOCK_HEADER_SIZE - dp;
  }
  op = writeBlocks(st, params, s, prefixStart, sn, d, op, oend);
  st.dictMode = DictMode.None;
  return op < 0 ? 0 : op - dp;
}

function highBitOf(v: number): number {
  return 31 - Math.clz32(v);
}

/**
 * Parse src[sp, sp+sn) as one block against `cdict` attached, as libzstd's dictionary
 * trainer does for each sample (`ZDICT_countEStats`: `ZSTD_compressBegin_usingCDict` with
 * an unknown size, then `ZSTD_compressBlock`), and return the sequences with their codes
 * filled, or null where `ZSTD_compressBlock` gives nothing: more than a block (128 KiB or
 * the CDict's window), or a block that does not compress.
 * The store belongs to `state` and is overwritten by its next use.
 */
export function parseWithCDict(src: Uint8Array, sp: number, sn: number, cdict: ZstdCDict, state: ZstdEncoderState): SeqStore | null {
  checkRange(src.length, sp, sn, 'input');
  const st = state;
  const params = { ...cdict.params };
  // ZSTD_compressBlock refuses more than one block (128 KiB, or the window if smaller).
  if (sn > Math.min(BLOCKSIZE_MAX, 2 ** params.windowLog)) return null;
  const blockSize = sn;
  if (blockSize < MIN_COMPRESSIBLE_BLOCK) return null;
  const dictLen = cdict.content.length;
  const need = dictLen + blockSize + 8;
  if (st.joined.length < need) st.joined = allocBytes(Math.max(need, st.joined.length * 2), 'zstd dictionary window') as Uint8Array<ArrayBuffer>;
  const s = st.joined;
  s.set(cdict.content, 0);
  copyMemory(src, sp, s, dictLen, blockSize);
  if (st.view.buffer !== s.buffer) st.view = sourceView(s);
  const dv = st.dictView;
  dv.dictStart = 0;
  dv.prefixStart = dictLen;
  dv.taggedTable = cdict.taggedTable;
  dv.dictHashLog = cdict.params.hashLog;
  dv.taggedSmallTable = cdict.taggedSmallTable;
  dv.dictChainLog = cdict.params.chainLog;
  releaseHeapTables(st.ms);
  st.opt.releaseTables(st.ms);
  st.ms.reset(params, dictLen, true, params.strategy === Strategy.DoubleFast ? 1 << params.chainLog : 0, false, -WINDOW_START_INDEX);
  st.dictMode = dictLen > 0 ? DictMode.Attach : DictMode.None;
  st.rep[0] = cdict.rep[0];
  st.rep[1] = cdict.rep[1];
  st.rep[2] = cdict.rep[2];
  st.prevHuf.copyFrom(cdict.huf);
  st.prevSeq.copyFrom(cdict.seq);
  findSequences(st, params, s, dictLen, blockSize);
  st.dictMode = DictMode.None;
  // ZSTD_compressBlock gives 0 (and the trainer skips the sample) when the block does not compress.
  const cSize = entropyCompress(st, params, 0, st.ss.nbSeq, 0, st.ss.litLength, blockSize, BLOCKSIZE_MAX);
  if (cSize === 0) return null;
  seqToCodes(st.ss, 0, st.ss.nbSeq);
  return st.ss;
}
