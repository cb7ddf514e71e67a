/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * A digested compression dictionary (libzstd `ZSTD_CDict`), as `ZSTD_createCDict(dict,
 * size, level)` builds it: parameters chosen for an unknown source size, the content's
 * positions hashed into a "short cache" table (index << 8 | 8-bit tag), and for a
 * formatted dictionary (magic 0xEC30A437, as ZDICT writes) the entropy tables and repeat
 * offsets every frame starts from.
 *
 * Ported from lib/compress/zstd_compress.c (`ZSTD_createCDict`, `ZSTD_initCDict_internal`,
 * `ZSTD_compress_insertDictionary`, `ZSTD_loadCEntropy`, `ZSTD_loadDictionaryContent`,
 * `ZSTD_getCParams_internal` with `ZSTD_cpm_createCDict`), lib/compress/zstd_fast.c
 * (`ZSTD_fillHashTableForCDict`) and zstd_double_fast.c (`ZSTD_fillDoubleHashTableForCDict`).
 * Only the fast and double-fast strategies (the negative levels and levels 1-3, level 4 for
 * some sizes) can be built: Blosc2 dictionary chunks compress at level 1, and ZDICT trains
 * at level 3.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { le32 } from '../zstd/bits.js';
import { LL_MAX_LOG, ML_MAX_LOG, OF_MAX_LOG, readNormalizedCounts } from '../zstd/fse.js';
import { HuffmanTable, readHuffmanTable } from '../zstd/huffman.js';
import { FseScratch, buildFseCTable } from './fse-encoder.js';
import { HufCTable, HufRepeat } from './huffman-encoder.js';
import { hashPtr, sourceView } from './match-state.js';
import { Strategy, WINDOWLOG_ABSOLUTEMIN, getLevelRow, highBit } from './params.js';
import type { CompressionParams } from './params.js';
import { FseRepeat, MAX_LL, MAX_ML, MAX_OFF, SeqEntropy } from './sequences.js';

const DICT_MAGIC = 0xec30a437;
/** libzstd numbers the first byte of a window 2 (`ZSTD_WINDOW_START_INDEX`). */
export const WINDOW_START_INDEX = 2;
/** Tag bits beside each index in a CDict hash table (`ZSTD_SHORT_CACHE_TAG_BITS`). */
export const SHORT_CACHE_TAG_BITS = 8;
const HASH_READ_SIZE = 8;
const FAST_HASH_FILL_STEP = 3;

export class ZstdCDict {
  constructor(
    /** Dictionary id written in each frame header (0 for raw content). */
    readonly id: number,
    /** The bytes matches may reference, which precede every frame's content. */
    readonly content: Uint8Array,
    /** The whole dictionary's size, header included (libzstd's `dictContentSize`). */
    readonly size: number,
    /** The level it was made for. */
    readonly level: number,
    /** `ZSTD_getCParams_internal(level, unknown, size, ZSTD_cpm_createCDict)`. */
    readonly params: Readonly<CompressionParams>,
    /** Hash table of the content, entries (index << 8) | tag, index 2 being content[0]; 0 is empty. */
    readonly taggedTable: Int32Array,
    /** Double-fast only: the short-match table (1 << chainLog entries), same form. */
    readonly taggedSmallTable: Int32Array,
    /** Entropy tables frames start with (repeat mode None for raw content). */
    readonly huf: HufCTable,
    readonly seq: SeqEntropy,
    /** Repeat offsets frames start with. */
    readonly rep: readonly [number, number, number],
  ) {}
}

/**
 * libzstd's size-adjusted parameters with a dictionary (`ZSTD_getCParams_internal` and
 * `ZSTD_adjustCParams_internal`): `srcSize` -1 means unknown. `mode` is 'createCDict'
 * (unknown sizes count as 513 bytes), 'attach' (the dictionary has its own tables and
 * does not count) or 'unknown'.
 */
export function paramsWithDict(level: number, srcSize: number, dictSize: number, mode: 'createCDict' | 'attach' | 'unknown'): CompressionParams {
  const unknown = srcSize < 0;
  const rowDict = mode === 'attach' ? 0 : dictSize;
  // ZSTD_getCParamRowSize: an unknown size with a dictionary wraps around to dict + 499.
  const rSize = unknown ? (rowDict > 0 ? rowDict + 499 : Infinity) : srcSize + rowDict;
  return adjustParams(getLevelRow(level, rSize), srcSize, dictSize, mode);
}

/** `ZSTD_adjustCParams_internal` for the fast and double-fast strategies. */
export function adjustParams(row: Readonly<CompressionParams>, srcSize: number, dictSize: number, mode: 'createCDict' | 'attach' | 'unknown'): CompressionParams {
  const p = { ...row };
  let src = srcSize;
  let dict = dictSize;
  if (mode === 'createCDict' && dict > 0 && src < 0) src = 513;
  if (mode === 'attach') dict = 0;
  if (src >= 0) {
    const tSize = src + dict;
    const srcLog = tSize < 64 ? 6 : highBit(tSize - 1) + 1;
    if (p.windowLog > srcLog) p.windowLog = srcLog;
    const dictAndWindowLog = dictAndWindowLogOf(p.windowLog, src, dict);
    const cycleLog = p.chainLog - (p.strategy >= Strategy.BtLazy2 ? 1 : 0);
    if (p.hashLog > dictAndWindowLog + 1) p.hashLog = dictAndWindowLog + 1;
    if (cycleLog > dictAndWindowLog) p.chainLog -= cycleLog - dictAndWindowLog;
  }
  if (p.windowLog < WINDOWLOG_ABSOLUTEMIN) p.windowLog = WINDOWLOG_ABSOLUTEMIN;
  if (mode === 'createCDict' && (p.strategy === Strategy.Fast || p.strategy === Strategy.DoubleFast)) {
    if (p.hashLog > 32 - SHORT_CACHE_TAG_BITS) p.hashLog = 32 - SHORT_CACHE_TAG_BITS;
    if (p.chainLog > 32 - SHORT_CACHE_TAG_BITS) p.chainLog = 32 - SHORT_CACHE_TAG_BITS;
  }
  return p;
}

/** `ZSTD_dictAndWindowLog`: a window log large enough for the dictionary and the window. */
function dictAndWindowLogOf(windowLog: number, srcSize: number, dictSize: number): number {
  if (dictSize === 0) return windowLog;
  const windowSize = 2 ** windowLog;
  if (windowSize >= dictSize + srcSize) return windowLog;
  const both = dictSize + windowSize;
  if (both >= 2 ** 31) return 31;
  return highBit(both - 1) + 1;
}

/**
 * Digest `dict` for compression at zstd `level` (`ZSTD_createCDict`). Bytes starting with
 * the dictionary magic must be a valid formatted dictionary (Data otherwise); anything
 * else is raw content, and fewer than 8 bytes are no dictionary at all. `rawContent`
 * takes all bytes as content (`ZSTD_dct_rawContent`); `withParams` replaces the parameters
 * chosen for the level (`ZSTD_createCDict_advanced`).
 */
export function createZstdCDict(dict: Uint8Array, level: number, rawContent = false, withParams?: Readonly<CompressionParams>): ZstdCDict {
  const params = withParams !== undefined ? { ...withParams } : paramsWithDict(level, -1, dict.length, 'createCDict');
  if (params.strategy !== Strategy.Fast && params.strategy !== Strategy.DoubleFast) {
    fail(BloscErrorCode.CodecSupport, `zstd: dictionaries are supported at levels up to 4 (fast and double-fast), not at level ${level}`);
  }
  const huf = new HufCTable();
  const seq = new SeqEntropy();
  let rep: [number, number, number] = [1, 4, 8];
  let id = 0;
  let content: Uint8Array = new Uint8Array(0);
  if (dict.length >= 8) {
    if (!rawContent && le32(dict, 0) >>> 0 === DICT_MAGIC) {
      id = le32(dict, 4) >>> 0;
      const start = loadEntropy(dict, huf, seq);
      content = dict.slice(start + 12);
      rep = [le32(dict, start) >>> 0, le32(dict, start + 4) >>> 0, le32(dict, start + 8) >>> 0];
      for (let i = 0; i < 3; i++) {
        if (rep[i] === 0 || rep[i]! > content.length) fail(BloscErrorCode.Data, `zstd: dictionary repeat offset ${rep[i]} is outside its content`);
      }
    } else {
      content = dict.slice();
    }
  }
  const table = new Int32Array(1 << params.hashLog);
  let small = new Int32Array(0);
  if (params.strategy === Strategy.Fast) {
    fillTaggedTable(table, content, params);
  } else {
    small = new Int32Array(1 << params.chainLog);
    fillDoubleTaggedTables(table, small, content, params);
  }
  return new ZstdCDict(id, content, dict.length, level, params, table, small, huf, seq, rep);
}

/**
 * `ZSTD_fillHashTableForCDict` with `ZSTD_dtlm_full`: every third position, and the two
 * between when their slot is still empty, with the hash's low 8 bits kept as a tag.
 */
function fillTaggedTable(table: Int32Array, content: Uint8Array, p: CompressionParams): void {
  if (content.length <= HASH_READ_SIZE) return;
  const v = sourceView(content);
  const hBits = p.hashLog + SHORT_CACHE_TAG_BITS;
  const mls = p.minMatch >= 5 && p.minMatch <= 7 ? p.minMatch : 4;
  const iend = content.length - HASH_READ_SIZE;
  for (let ip = 0; ip + FAST_HASH_FILL_STEP < iend + 2; ip += FAST_HASH_FILL_STEP) {
    const idx = ip + WINDOW_START_INDEX;
    const h0 = hashPtr(v, ip, hBits, mls);
    table[h0 >>> SHORT_CACHE_TAG_BITS] = (idx << SHORT_CACHE_TAG_BITS) | (h0 & 0xff);
    for (let k = 1; k < FAST_HASH_FILL_STEP; k++) {
      const h = hashPtr(v, ip + k, hBits, mls);
      if (table[h >>> SHORT_CACHE_TAG_BITS] === 0) table[h >>> SHORT_CACHE_TAG_BITS] = ((idx + k) << SHORT_CACHE_TAG_BITS) | (h & 0xff);
    }
  }
}

/**
 * `ZSTD_fillDoubleHashTableForCDict` with `ZSTD_dtlm_full`: every third position into
 * both tables, the two between into the long table where its slot is still empty.
 */
function fillDoubleTaggedTables(large: Int32Array, small: Int32Array, content: Uint8Array, p: CompressionParams): void {
  if (content.length <= HASH_READ_SIZE) return;
  const v = sourceView(content);
  const hBitsL = p.hashLog + SHORT_CACHE_TAG_BITS;
  const hBitsS = p.chainLog + SHORT_CACHE_TAG_BITS;
  const mls = p.minMatch >= 5 && p.minMatch <= 7 ? p.minMatch : 4;
  const iend = content.length - HASH_READ_SIZE;
  for (let ip = 0; ip + FAST_HASH_FILL_STEP - 1 <= iend; ip += FAST_HASH_FILL_STEP) {
    const idx = ip + WINDOW_START_INDEX;
    for (let i = 0; i < FAST_HASH_FILL_STEP; i++) {
      const sm = hashPtr(v, ip + i, hBitsS, mls);
      const lg = hashPtr(v, ip + i, hBitsL, 8);
      if (i === 0) small[sm >>> SHORT_CACHE_TAG_BITS] = ((idx + i) << SHORT_CACHE_TAG_BITS) | (sm & 0xff);
      if (i === 0 || large[lg >>> SHORT_CACHE_TAG_BITS] === 0) large[lg >>> SHORT_CACHE_TAG_BITS] = ((idx + i) << SHORT_CACHE_TAG_BITS) | (lg & 0xff);
    }
  }
}

/**
 * `ZSTD_loadCEntropy`: the Huffman table (`HUF_readCTable`), then the offset, match-length
 * and literal-length distributions, each with the repeat mode libzstd gives it. Returns
 * the position of the repeat offsets.
 */
function loadEntropy(dict: Uint8Array, huf: HufCTable, seq: SeqEntropy): number {
  const end = dict.length;
  let p = 8;
  const dtable = new HuffmanTable();
  p += readHuffmanTable(dict, p, end, dtable);
  hufCTableFromDecodingTable(dtable, huf);

  const scratch = new FseScratch();
  const used = new Int32Array(1);
  const ofNorm = new Int16Array(MAX_OFF + 1);
  const ofPacked = readNormalizedCounts(dict, p, end, ofNorm, MAX_OFF, OF_MAX_LOG, used);
  p += used[0]!;
  // All 32 offset codes get a state, unused ones with probability 0.
  buildFseCTable(seq.of, ofNorm, MAX_OFF, ofPacked & 0xff, scratch);
  const ofMaxValue = ofPacked >>> 8;

  const mlNorm = new Int16Array(MAX_ML + 1);
  const mlPacked = readNormalizedCounts(dict, p, end, mlNorm, MAX_ML, ML_MAX_LOG, used);
  p += used[0]!;
  buildFseCTable(seq.ml, mlNorm, mlPacked >>> 8, mlPacked & 0xff, scratch);
  seq.mlRepeat = nCountRepeat(mlNorm, mlPacked >>> 8, MAX_ML);

  const llNorm = new Int16Array(MAX_LL + 1);
  const llPacked = readNormalizedCounts(dict, p, end, llNorm, MAX_LL, LL_MAX_LOG, used);
  p += used[0]!;
  buildFseCTable(seq.ll, llNorm, llPacked >>> 8, llPacked & 0xff, scratch);
  seq.llRepeat = nCountRepeat(llNorm, llPacked >>> 8, MAX_LL);

  if (p + 12 > end) fail(BloscErrorCode.Data, 'zstd: dictionary truncated before its repeat offsets');
  // Offsets up to the content size plus one block must be codable for the table to be valid.
  const contentSize = end - p - 12;
  const offcodeMax = highBit(contentSize + 128 * 1024);
  seq.ofRepeat = nCountRepeat(ofNorm, ofMaxValue, Math.min(offcodeMax, MAX_OFF));
  return p;
}

/** `ZSTD_dictNCountRepeat`: valid only when every symbol up to `maxSymbolValue` has a probability. */
function nCountRepeat(norm: Int16Array, dictMaxSymbolValue: number, maxSymbolValue: number): number {
  if (dictMaxSymbolValue < maxSymbolValue) return FseRepeat.Check;
  for (let s = 0; s <= maxSymbolValue; s++) if (norm[s] === 0) return FseRepeat.Check;
  return FseRepeat.Valid;
}

/**
 * `HUF_readCTable` from the decoder's view of the same description: code lengths per
 * symbol, then canonical code values (by length, longest first, symbols in order).
 */
function hufCTableFromDecodingTable(dt: HuffmanTable, ct: HufCTable): void {
  const tableLog = dt.log;
  ct.nbBits.fill(0);
  ct.value.fill(0);
  const size = 1 << tableLog;
  let maxSymbol = 0;
  for (let i = 0; i < size; i++) {
    const cell = dt.cells[i]!;
    const s = cell >>> 8;
    ct.nbBits[s] = cell & 0xff;
    if (s > maxSymbol) maxSymbol = s;
  }
  let zeroWeights = false;
  for (let s = 0; s < maxSymbol; s++) if (ct.nbBits[s] === 0) zeroWeights = true;
  const nbPerRank = new Uint16Array(tableLog + 2);
  const valPerRank = new Uint16Array(tableLog + 2);
  for (let s = 0; s <= maxSymbol; s++) nbPerRank[ct.nbBits[s] === 0 ? tableLog + 1 : ct.nbBits[s]!]!++;
  let min = 0;
  for (let n = tableLog; n > 0; n--) {
    valPerRank[n] = min;
    min += nbPerRank[n]!;
    min >>>= 1;
  }
  for (let s = 0; s <= maxSymbol; s++) {
    const nb = ct.nbBits[s]!;
    if (nb === 0) continue;
    ct.value[s] = valPerRank[nb]!++;
  }
  ct.tableLog = tableLog;
  ct.maxSymbolValue = maxSymbol;
  ct.repeatMode = !zeroWeights && maxSymbol === 255 ? HufRepeat.Valid : HufRepeat.Check;
}
