/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Optimal parser for the highest levels (libzstd strategies btopt, btultra, btultra2):
 * every match the binary tree knows at a position is priced with statistics of the
 * sequences chosen so far, and the cheapest path through up to 4 KiB of matches and
 * literals is kept. Port of lib/compress/zstd_opt.c (libzstd 1.5.7), without dictionary
 * and long-distance modes: `ZSTD_rescaleFreqs` and the price functions,
 * `ZSTD_insertBt1` / `ZSTD_updateTree`, `ZSTD_insertBtAndGetAllMatches`,
 * `ZSTD_compressBlock_opt_generic`, and the two-pass `ZSTD_initStats_ultra` of btultra2.
 *
 * The tree and hash tables hold libzstd's indices (position − `ms.base`), so the two-pass
 * mode can forget its first pass by moving the base, exactly as libzstd moves its window.
 */
import {
  type BtFrameTables,
  type BtMatchesFn,
  type BtPriceFn,
  BITCOST_MULTIPLIER,
  HASHLOG3_MAX,
  MATCH_EXTRA,
  MAX_PRICE,
  OPT_NUM,
  OPT_SIZE,
  PRIME3,
  btSearchNext,
  btSearchNext3,
  syncBtSearch,
} from './bt-search-wasm.js';
import type { MatchState } from './match-state.js';
import { countMatch, hashPtr } from './match-state.js';
import { BLOCKSIZE_MAX, highBit } from './params.js';
import { MINMATCH, REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';
import { LL_BITS, ML_BITS, llCode, mlCode } from './sequences.js';

const LITFREQ_ADD = 2;
/** Blocks up to this size price symbols from fixed distributions. */
const PREDEF_THRESHOLD = 8;
const MAX_LIT = 255;
const MAX_LL = 35;
const MAX_ML = 52;
const MAX_OFF = 31;
/** The smallest match length − MINMATCH of each match-length code. */
const ML_CODE_FIRST = (() => {
  const first = new Int32Array(MAX_ML + 1).fill(-1);
  for (let mlBase = BLOCKSIZE_MAX - MINMATCH; mlBase >= 0; mlBase--) first[mlCode(mlBase)] = mlBase;
  return first;
})();

const BASE_LL_FREQS = [4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
const BASE_OF_FREQS = [6, 2, 1, 1, 2, 3, 4, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/** Statistics, price table and match list of the optimal parser (`optState_t`). */
export class OptState {
  readonly litFreq = new Uint32Array(MAX_LIT + 1);
  readonly litLengthFreq = new Uint32Array(MAX_LL + 1);
  readonly matchLengthFreq = new Uint32Array(MAX_ML + 1);
  readonly offCodeFreq = new Uint32Array(MAX_OFF + 1);
  litSum = 0;
  litLengthSum = 0;
  matchLengthSum = 0;
  offCodeSum = 0;
  litSumBasePrice = 0;
  litLengthSumBasePrice = 0;
  matchLengthSumBasePrice = 0;
  offCodeSumBasePrice = 0;
  /** Fixed prices (tiny first block) instead of statistics. */
  predef = false;
  /**
   * Prices by code, refreshed with the base prices (setBasePrices), since the statistics
   * change only between series: a match-length code's bits and statistic (`ZSTD_getMatchPrice`
   * less the offset), an offset code's (the offset part), a literal-length code's
   * (`ZSTD_litLengthPrice`). The parser prices every length of every match it finds, and these
   * keep the weights out of that loop; the sums are the same integers.
   */
  mlCodePrice = new Int32Array(MAX_ML + 1);
  offCodePrice = new Int32Array(MAX_OFF + 1);
  readonly llCodePrice = new Int32Array(MAX_LL + 1);

  // The price table: one "stretch" (a match followed by literals) per position.
  price = new Int32Array(OPT_SIZE + 1);
  off = new Int32Array(OPT_SIZE + 1);
  mlen = new Int32Array(OPT_SIZE + 1);
  litlen = new Int32Array(OPT_SIZE + 1);
  readonly rep0 = new Int32Array(OPT_SIZE + 1);
  readonly rep1 = new Int32Array(OPT_SIZE + 1);
  readonly rep2 = new Int32Array(OPT_SIZE + 1);
  private readonly ownOff = new Int32Array(OPT_SIZE);
  private readonly ownLen = new Int32Array(OPT_SIZE);
  // Matches found at one position: increasing lengths.
  matchOff: Int32Array = this.ownOff;
  matchLen: Int32Array = this.ownLen;
  /** Table of 3-byte hashes (minMatch 3 only). */
  hashTable3 = new Int32Array(0);
  /**
   * The WebAssembly tree search of this frame (bt-search-wasm.ts), or null for the
   * TypeScript one. With it, the match lists, the 3-byte table and the match state's hash
   * table and tree are views of the shared memory, where it keeps them.
   */
  btSearch: BtMatchesFn | null = null;
  /** The WebAssembly loop pricing the matches found at one position, with btSearch. */
  btPrice: BtPriceFn | null = null;
  /** The state's own price table and code prices, while the frame's are in the shared memory. */
  private readonly own = {
    price: this.price, off: this.off, mlen: this.mlen, litlen: this.litlen, mlCodePrice: this.mlCodePrice, offCodePrice: this.offCodePrice,
  };
  /** Tables {@link takeTables} was given for the frame the next reset starts. */
  private pending: BtFrameTables | null = null;
  /** Whether the match state's tree is a view of the shared memory (from an earlier frame). */
  private treeOnHeap = false;
  hashLog3 = 0;
  /** Next index to insert into hashTable3. */
  nextToUpdate3 = 0;
  /** Repeat offsets handed to the match search. */
  readonly searchRep = new Int32Array(3);

  /**
   * Before the match state's reset for a frame: the WebAssembly search's tables for it
   * (prepareBtSearch), which the match state takes as its hash table and tree, or null
   * for the TypeScript search with the states' own tables.
   */
  takeTables(ms: MatchState, tables: BtFrameTables | null): void {
    this.releaseTables(ms);
    this.pending = tables;
    if (tables !== null) {
      ms.hashTable = tables.hashTable;
      ms.chainTable = tables.tree;
      this.treeOnHeap = true;
    }
  }

  private usePriceTables(t: typeof this.own): void {
    this.price = t.price;
    this.off = t.off;
    this.mlen = t.mlen;
    this.litlen = t.litlen;
    this.mlCodePrice = t.mlCodePrice;
    this.offCodePrice = t.offCodePrice;
  }

  /**
   * At the start of every frame, before any match finder sets up its tables: give the
   * match state its own tables again if an earlier frame lent it the tree search's (the
   * row search keeps a view it finds of the right size, wherever it lies).
   */
  releaseTables(ms: MatchState): void {
    if (!this.treeOnHeap) return;
    ms.hashTable = new Int32Array(0);
    ms.chainTable = new Int32Array(0);
    this.treeOnHeap = false;
  }

  /**
   * Forget all statistics and size the 3-byte table for a new frame; the tables given to
   * {@link takeTables} just before serve this frame, else the state's own.
   */
  reset(minMatch: number, windowLog: number): void {
    this.litLengthSum = 0;
    this.hashLog3 = minMatch === 3 ? Math.min(HASHLOG3_MAX, windowLog) : 0;
    const tables = this.pending;
    this.pending = null;
    if (tables !== null) {
      this.btSearch = tables.search;
      this.btPrice = tables.priceMatches;
      this.matchOff = tables.matchOff;
      this.matchLen = tables.matchLen;
      this.hashTable3 = tables.hashTable3;
      this.usePriceTables(tables);
    } else if (this.btSearch !== null || this.matchOff !== this.ownOff) {
      this.btSearch = null;
      this.btPrice = null;
      this.matchOff = this.ownOff;
      this.matchLen = this.ownLen;
      this.hashTable3 = new Int32Array(0);
      this.usePriceTables(this.own);
    }
    const size = this.hashLog3 === 0 ? 0 : 1 << this.hashLog3;
    if (this.hashTable3.length < size) this.hashTable3 = new Int32Array(size);
    else this.hashTable3.fill(0, 0, size);
  }
}

function copyStretch(o: OptState, to: number, from: number): void {
  o.price[to] = o.price[from]!;
  o.off[to] = o.off[from]!;
  o.mlen[to] = o.mlen[from]!;
  o.litlen[to] = o.litlen[from]!;
  o.rep0[to] = o.rep0[from]!;
  o.rep1[to] = o.rep1[from]!;
  o.rep2[to] = o.rep2[from]!;
}

/** Cost in 1/256 bit of a statistic, whole bits (`ZSTD_bitWeight`). */
function bitWeight(stat: number): number {
  return highBit(stat + 1) * BITCOST_MULTIPLIER;
}

/** Cost in 1/256 bit of a statistic with a linear fractional part (`ZSTD_fracWeight`). */
function fracWeight(rawStat: number): number {
  const stat = rawStat + 1;
  const hb = highBit(stat);
  return hb * BITCOST_MULTIPLIER + ((stat << 8) >>> hb);
}

function weight(stat: number, optLevel: number): number {
  return optLevel !== 0 ? fracWeight(stat) : bitWeight(stat);
}

function setBasePrices(o: OptState, optLevel: number): void {
  o.litSumBasePrice = weight(o.litSum, optLevel);
  o.litLengthSumBasePrice = weight(o.litLengthSum, optLevel);
  o.matchLengthSumBasePrice = weight(o.matchLengthSum, optLevel);
  o.offCodeSumBasePrice = weight(o.offCodeSum, optLevel);
  if (o.predef) return;
  const mlBase = o.matchLengthSumBasePrice;
  const mlFreq = o.matchLengthFreq;
  const mlPrice = o.mlCodePrice;
  for (let c = 0; c <= MAX_ML; c++) mlPrice[c] = ML_BITS[c]! * BITCOST_MULTIPLIER + (mlBase - weight(mlFreq[c]!, optLevel));
  const offBase = o.offCodeSumBasePrice;
  const offFreq = o.offCodeFreq;
  const offPrice = o.offCodePrice;
  for (let c = 0; c <= MAX_OFF; c++) {
    let price = c * BITCOST_MULTIPLIER + (offBase - weight(offFreq[c]!, optLevel));
    // Long offsets cost decompression speed: btopt avoids them a little.
    if (optLevel < 2 && c >= 20) price += (c - 19) * 2 * BITCOST_MULTIPLIER;
    offPrice[c] = price;
  }
  const llBase = o.litLengthSumBasePrice;
  const llFreq = o.litLengthFreq;
  const llPrice = o.llCodePrice;
  for (let c = 0; c <= MAX_LL; c++) llPrice[c] = LL_BITS[c]! * BITCOST_MULTIPLIER + llBase - weight(llFreq[c]!, optLevel);
}

function sumOf(t: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < t.length; i++) s += t[i]!;
  return s;
}

function downscaleStats(t: Uint32Array, shift: number, base1: boolean): number {
  let sum = 0;
  for (let s = 0; s < t.length; s++) {
    const v = (base1 ? 1 : t[s]! > 0 ? 1 : 0) + (t[s]! >>> shift);
    sum += v;
    t[s] = v;
  }
  return sum;
}

/** Shrink statistics whose sum passes 2^logTarget (`ZSTD_scaleStats`). */
function scaleStats(t: Uint32Array, logTarget: number): number {
  const prevSum = sumOf(t);
  const factor = prevSum >>> logTarget;
  if (factor <= 1) return prevSum;
  return downscaleStats(t, highBit(factor), true);
}

/**
 * Statistics for a new block (`ZSTD_rescaleFreqs`): on the first block, literal counts
 * of the block itself and fixed seeds for the codes; later, the carried statistics scaled down.
 */
function rescaleFreqs(o: OptState, src: Uint8Array, start: number, size: number, optLevel: number): void {
  o.predef = false;
  if (o.litLengthSum === 0) {
    if (size <= PREDEF_THRESHOLD) o.predef = true;
    const lf = o.litFreq;
    lf.fill(0);
    for (let i = start; i < start + size; i++) lf[src[i]!]!++;
    o.litSum = downscaleStats(lf, 8, false);
    for (let i = 0; i <= MAX_LL; i++) o.litLengthFreq[i] = BASE_LL_FREQS[i]!;
    o.litLengthSum = sumOf(o.litLengthFreq);
    o.matchLengthFreq.fill(1);
    o.matchLengthSum = MAX_ML + 1;
    for (let i = 0; i <= MAX_OFF; i++) o.offCodeFreq[i] = BASE_OF_FREQS[i]!;
    o.offCodeSum = sumOf(o.offCodeFreq);
  } else {
    o.litSum = scaleStats(o.litFreq, 12);
    o.litLengthSum = scaleStats(o.litLengthFreq, 11);
    o.matchLengthSum = scaleStats(o.matchLengthFreq, 11);
    o.offCodeSum = scaleStats(o.offCodeFreq, 11);
  }
  setBasePrices(o, optLevel);
}

/** Price of one literal byte (`ZSTD_rawLiteralsCost` for one literal). */
function literalPrice(o: OptState, byte: number, optLevel: number): number {
  if (o.predef) return 6 * BITCOST_MULTIPLIER;
  const litPriceMax = o.litSumBasePrice - BITCOST_MULTIPLIER;
  let litPrice = weight(o.litFreq[byte]!, optLevel);
  if (litPrice > litPriceMax) litPrice = litPriceMax;
  return o.litSumBasePrice - litPrice;
}

/** Price of a literal-length symbol (`ZSTD_litLengthPrice`). */
function litLengthPrice(o: OptState, litLength: number, optLevel: number): number {
  if (o.predef) return weight(litLength, optLevel);
  if (litLength === BLOCKSIZE_MAX) return BITCOST_MULTIPLIER + litLengthPrice(o, BLOCKSIZE_MAX - 1, optLevel);
  return o.llCodePrice[llCode(litLength)]!;
}

/** Price of the offset and match length of a sequence (`ZSTD_getMatchPrice`). */
function matchPrice(o: OptState, offBase: number, matchLength: number, optLevel: number): number {
  const offCode = highBit(offBase);
  const mlBase = matchLength - MINMATCH;
  if (o.predef) return weight(mlBase, optLevel) + (16 + offCode) * BITCOST_MULTIPLIER;
  // A little extra per match, favouring fewer sequences.
  return o.offCodePrice[offCode]! + o.mlCodePrice[mlCode(mlBase)]! + MATCH_EXTRA;
}

/** Account for a chosen sequence (`ZSTD_updateStats`). */
function updateStats(o: OptState, src: Uint8Array, literals: number, litLength: number, offBase: number, matchLength: number): void {
  for (let u = 0; u < litLength; u++) o.litFreq[src[literals + u]!] = o.litFreq[src[literals + u]!]! + LITFREQ_ADD;
  o.litSum += litLength * LITFREQ_ADD;
  o.litLengthFreq[llCode(litLength)]!++;
  o.litLengthSum++;
  o.offCodeFreq[highBit(offBase)]!++;
  o.offCodeSum++;
  o.matchLengthFreq[mlCode(matchLength - MINMATCH)]!++;
  o.matchLengthSum++;
}

/** libzstd `ZSTD_hash3Ptr`: the low 3 bytes times a 32-bit prime. */
function hash3(v: DataView, p: number, h: number): number {
  return (Math.imul(v.getInt32(p, true) << 8, PRIME3) >>> 0) >>> (32 - h);
}

/** Lowest valid index for a match at index curr (`ZSTD_getLowestMatchIndex`). */
function lowestMatchIndex(ms: MatchState, curr: number): number {
  const maxDistance = ms.maxDistance;
  return curr - ms.lowLimitIdx > maxDistance ? curr - maxDistance : ms.lowLimitIdx;
}

/**
 * Insert the position at ip into the binary tree (`ZSTD_insertBt1`). Returns how many
 * positions the caller may skip (more after a long repetitive match).
 */
function insertBt1(ms: MatchState, v: DataView, ip: number, iend: number, target: number, mls: number): number {
  const hashTable = ms.hashTable;
  const bt = ms.chainTable;
  const btMask = (1 << (ms.chainLog - 1)) - 1;
  const base = ms.base;
  const h = hashPtr(v, ip, ms.hashLog, mls);
  let matchIndex = hashTable[h]!;
  let commonLengthSmaller = 0;
  let commonLengthLarger = 0;
  const curr = ip - base;
  const btLow = btMask >= curr ? 0 : curr - btMask;
  let smallerPtr = 2 * (curr & btMask);
  let largerPtr = smallerPtr + 1;
  // Only positions still in the window when the update reaches `target` are needed.
  const windowLow = lowestMatchIndex(ms, target);
  let matchEndIdx = curr + 8 + 1;
  let bestLength = 8;
  let nbCompares = 1 << ms.searchLog;
  hashTable[h] = curr;
  for (; nbCompares > 0 && matchIndex >= windowLow; nbCompares--) {
    const nextPtr = 2 * (matchIndex & btMask);
    let matchLength = commonLengthSmaller < commonLengthLarger ? commonLengthSmaller : commonLengthLarger;
    const match = matchIndex + base;
    matchLength += countMatch(v, ip + matchLength, match + matchLength, iend);
    if (matchLength > bestLength) {
      bestLength = matchLength;
      if (matchLength > matchEndIdx - matchIndex) matchEndIdx = matchIndex + matchLength;
    }
    if (ip + matchLength === iend) break;
    if (v.getUint8(match + matchLength) < v.getUint8(ip + matchLength)) {
      bt[smallerPtr] = matchIndex;
      commonLengthSmaller = matchLength;
      if (matchIndex <= btLow) {
        smallerPtr = -1;
        break;
      }
      smallerPtr = nextPtr + 1;
      matchIndex = bt[nextPtr + 1]!;
    } else {
      bt[largerPtr] = matchIndex;
      commonLengthLarger = matchLength;
      if (matchIndex <= btLow) {
        largerPtr = -1;
        break;
      }
      largerPtr = nextPtr;
      matchIndex = bt[nextPtr]!;
    }
  }
  if (smallerPtr >= 0) bt[smallerPtr] = 0;
  if (largerPtr >= 0) bt[largerPtr] = 0;
  const positions = bestLength > 384 ? Math.min(192, bestLength - 384) : 0;
  const forward = matchEndIdx - (curr + 8);
  return positions > forward ? positions : forward;
}

/** Insert every position before ip (`ZSTD_updateTree_internal`). */
function updateTree(ms: MatchState, v: DataView, ip: number, iend: number, mls: number): void {
  const base = ms.base;
  const target = ip - base;
  let idx = ms.nextToUpdate - base;
  while (idx < target) idx += insertBt1(ms, v, idx + base, iend, target, mls);
  ms.nextToUpdate = ip;
}

/**
 * All useful matches at ip, by increasing length (`ZSTD_insertBtAndGetAllMatches`): the
 * repeat offsets, a 3-byte match when minMatch is 3, then the tree, which ip is inserted
 * into. Fills o.matchOff / o.matchLen; returns their count.
 */
function getAllMatches(
  ms: MatchState,
  o: OptState,
  v: DataView,
  ip: number,
  iLimit: number,
  rep: Int32Array,
  ll0: number,
  lengthToBeat: number,
  mls: number,
): number {
  if (ip < ms.nextToUpdate) return 0; // inside a skipped repetitive area
  updateTree(ms, v, ip, iLimit, mls);
  const sufficientLen = Math.min(ms.targetLength, OPT_NUM - 1);
  const base = ms.base;
  const curr = ip - base;
  const minMatch = mls === 3 ? 3 : 4;
  const hashTable = ms.hashTable;
  const bt = ms.chainTable;
  const btMask = (1 << (ms.chainLog - 1)) - 1;
  const h = hashPtr(v, ip, ms.hashLog, mls);
  let matchIndex = hashTable[h]!;
  let commonLengthSmaller = 0;
  let commonLengthLarger = 0;
  const dictLimit = ms.lowLimitIdx;
  const btLow = btMask >= curr ? 0 : curr - btMask;
  const windowLow = lowestMatchIndex(ms, curr);
  const matchLow = windowLow !== 0 ? windowLow : 1;
  let smallerPtr = 2 * (curr & btMask);
  let largerPtr = smallerPtr + 1;
  let matchEndIdx = curr + 8 + 1;
  let mnum = 0;
  let nbCompares = 1 << ms.searchLog;
  let bestLength = lengthToBeat - 1;
  const mOff = o.matchOff;
  const mLen = o.matchLen;

  // Repeat offsets (with ll0, the first one is not available and rep0 − 1 is).
  const lastR = REP_NUM + ll0;
  const minMask = minMatch === 3 ? 0xffffff : -1;
  for (let repCode = ll0; repCode < lastR; repCode++) {
    const repOffset = repCode === REP_NUM ? rep[0]! - 1 : rep[repCode]!;
    const repIndex = curr - repOffset;
    let repLen = 0;
    if ((repOffset - 1) >>> 0 < curr - dictLimit) {
      if (repIndex >= windowLow && ((v.getInt32(ip, true) ^ v.getInt32(ip - repOffset, true)) & minMask) === 0) {
        repLen = countMatch(v, ip + minMatch, ip + minMatch - repOffset, iLimit) + minMatch;
      }
    }
    if (repLen > bestLength) {
      bestLength = repLen;
      mOff[mnum] = repCode - ll0 + 1;
      mLen[mnum] = repLen;
      mnum++;
      if (repLen > sufficientLen || ip + repLen === iLimit) return mnum;
    }
  }

  // 3-byte matches, from their own table.
  if (mls === 3 && bestLength < mls) {
    const h3Log = o.hashLog3;
    const t3 = o.hashTable3;
    let idx = o.nextToUpdate3;
    while (idx < curr) {
      t3[hash3(v, idx + base, h3Log)] = idx;
      idx++;
    }
    o.nextToUpdate3 = curr;
    const matchIndex3 = t3[hash3(v, ip, h3Log)]!;
    if (matchIndex3 >= matchLow && curr - matchIndex3 < 1 << 18) {
      const mlen = countMatch(v, ip, matchIndex3 + base, iLimit);
      if (mlen >= mls) {
        bestLength = mlen;
        mOff[0] = curr - matchIndex3 + REP_NUM;
        mLen[0] = mlen;
        mnum = 1;
        if (mlen > sufficientLen || ip + mlen === iLimit) {
          ms.nextToUpdate = curr + 1 + base;
          return 1;
        }
      }
    }
  }

  hashTable[h] = curr;
  for (; nbCompares > 0 && matchIndex >= matchLow; nbCompares--) {
    const nextPtr = 2 * (matchIndex & btMask);
    let matchLength = commonLengthSmaller < commonLengthLarger ? commonLengthSmaller : commonLengthLarger;
    const match = matchIndex + base;
    matchLength += countMatch(v, ip + matchLength, match + matchLength, iLimit);
    if (matchLength > bestLength) {
      if (matchLength > matchEndIdx - matchIndex) matchEndIdx = matchIndex + matchLength;
      bestLength = matchLength;
      mOff[mnum] = curr - matchIndex + REP_NUM;
      mLen[mnum] = matchLength;
      mnum++;
      if (matchLength > OPT_NUM || ip + matchLength === iLimit) break;
    }
    if (v.getUint8(match + matchLength) < v.getUint8(ip + matchLength)) {
      bt[smallerPtr] = matchIndex;
      commonLengthSmaller = matchLength;
      if (matchIndex <= btLow) {
        smallerPtr = -1;
        break;
      }
      smallerPtr = nextPtr + 1;
      matchIndex = bt[nextPtr + 1]!;
    } else {
      bt[largerPtr] = matchIndex;
      commonLengthLarger = matchLength;
      if (matchIndex <= btLow) {
        largerPtr = -1;
        break;
      }
      largerPtr = nextPtr;
      matchIndex = bt[nextPtr]!;
    }
  }
  if (smallerPtr >= 0) bt[smallerPtr] = 0;
  if (largerPtr >= 0) bt[largerPtr] = 0;
  ms.nextToUpdate = matchEndIdx - 8 + base;
  return mnum;
}

/** Repeat offsets after a sequence with offBase (`ZSTD_updateRep`), written to o at slot `to`. */
function setNewRep(o: OptState, to: number, r0: number, r1: number, r2: number, offBase: number, ll0: number): void {
  if (offBase > REP_NUM) {
    o.rep2[to] = r1;
    o.rep1[to] = r0;
    o.rep0[to] = offBase - REP_NUM;
    return;
  }
  const repCode = offBase - 1 + ll0;
  if (repCode === 0) {
    o.rep0[to] = r0;
    o.rep1[to] = r1;
    o.rep2[to] = r2;
    return;
  }
  const currentOffset = repCode === REP_NUM ? r0 - 1 : repCode === 1 ? r1 : r2;
  o.rep2[to] = repCode >= 2 ? r1 : r2;
  o.rep1[to] = r0;
  o.rep0[to] = currentOffset;
}

/**
 * Fill `ss` with the sequences of src[istart, iend) chosen by the optimal parser
 * (`ZSTD_compressBlock_opt_generic`, noDict). optLevel 0 is btopt, 2 btultra. Updates all
 * three repeat offsets in `rep`; returns the trailing literal count.
 */
export function compressBlockOpt(
  ms: MatchState,
  o: OptState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  optLevel: number,
): number {
  let ip = istart;
  let anchor = istart;
  const ilimit = iend - 8;
  const prefixStart = ms.base + ms.lowLimitIdx;
  const sufficientLen = Math.min(ms.targetLength, OPT_NUM - 1);
  const mm = ms.minMatch;
  const mls = mm < 3 ? 3 : mm > 6 ? 6 : mm;
  const minMatch = mm === 3 ? 3 : 4;
  o.nextToUpdate3 = ms.nextToUpdate - ms.base;
  const search = o.btSearch;
  const pricer = o.btPrice;
  if (search !== null) syncBtSearch(ms, o.nextToUpdate3);
  const price = o.price;
  const optOff = o.off;
  const optMlen = o.mlen;
  const optLitlen = o.litlen;
  const mOff = o.matchOff;
  const mLen = o.matchLen;
  const searchRep = o.searchRep;
  // The last stretch of the chosen path.
  let lsOff = 0;
  let lsMlen = 0;
  let lsLitlen = 0;
  let lsRep0 = 0;
  let lsRep1 = 0;
  let lsRep2 = 0;

  rescaleFreqs(o, src, istart, iend - istart, optLevel);
  const predef = o.predef;
  const mlPrice = o.mlCodePrice;
  if (ip === prefixStart) ip++;

  while (ip < ilimit) {
    let cur = 0;
    let lastPos = 0;
    let shortcut = false;

    // First match at ip.
    {
      const litlen = ip - anchor;
      const ll0 = litlen === 0 ? 1 : 0;
      searchRep[0] = rep[0]!;
      searchRep[1] = rep[1]!;
      searchRep[2] = rep[2]!;
      const nbMatches =
        search !== null
          ? search(ip, iend, rep[0]!, rep[1]!, rep[2]!, ll0, minMatch)
          : getAllMatches(ms, o, v, ip, iend, searchRep, ll0, minMatch, mls);
      if (nbMatches === 0) {
        ip++;
        continue;
      }
      optMlen[0] = 0;
      optLitlen[0] = litlen;
      price[0] = litLengthPrice(o, litlen, optLevel);
      o.rep0[0] = rep[0]!;
      o.rep1[0] = rep[1]!;
      o.rep2[0] = rep[2]!;
      const maxML = mLen[nbMatches - 1]!;
      const maxOffBase = mOff[nbMatches - 1]!;
      if (maxML > sufficientLen) {
        // A long match: take it at once.
        lsLitlen = 0;
        lsMlen = maxML;
        lsOff = maxOffBase;
        cur = 0;
        lastPos = maxML;
        shortcut = true;
      } else {
        let pos = 1;
        for (; pos < minMatch; pos++) {
          price[pos] = MAX_PRICE;
          optMlen[pos] = 0;
          optLitlen[pos] = litlen + pos;
        }
        for (let matchNb = 0; matchNb < nbMatches; matchNb++) {
          const offBase = mOff[matchNb]!;
          const end = mLen[matchNb]!;
          const offsetPrice = price[0]! + o.offCodePrice[highBit(offBase)]! + MATCH_EXTRA;
          for (; pos <= end; pos++) {
            const sequencePrice = predef ? price[0]! + matchPrice(o, offBase, pos, optLevel) : offsetPrice + mlPrice[mlCode(pos - MINMATCH)]!;
            optMlen[pos] = pos;
            optOff[pos] = offBase;
            optLitlen[pos] = 0;
            price[pos] = sequencePrice + litLengthPrice(o, 0, optLevel);
          }
        }
        lastPos = pos - 1;
        price[pos] = MAX_PRICE;
      }
    }

    if (!shortcut) {
      // Later positions.
      for (cur = 1; cur <= lastPos; cur++) {
        const inr = ip + cur;
        // A literal here, if cheaper.
        {
          const litlen = optLitlen[cur - 1]! + 1;
          const p =
            price[cur - 1]! +
            literalPrice(o, src[ip + cur - 1]!, optLevel) +
            (litLengthPrice(o, litlen, optLevel) - litLengthPrice(o, litlen - 1, optLevel));
          if (p <= price[cur]!) {
            // Keep what position cur held (a match end) for the check below.
            const prevPrice = price[cur]!;
            const prevOff = optOff[cur]!;
            const prevMlen = optMlen[cur]!;
            const prevLitlen = optLitlen[cur]!;
            copyStretch(o, cur, cur - 1);
            optLitlen[cur] = litlen;
            price[cur] = p;
            if (
              optLevel >= 1 &&
              prevLitlen === 0 &&
              litLengthPrice(o, 1, optLevel) - litLengthPrice(o, 0, optLevel) < 0 &&
              ip + cur < iend
            ) {
              // The replaced match plus one literal may beat more literals at cur + 1.
              const nextLit = literalPrice(o, src[ip + cur]!, optLevel);
              const with1literal = prevPrice + nextLit + (litLengthPrice(o, 1, optLevel) - litLengthPrice(o, 0, optLevel));
              const withMoreLiterals =
                p + nextLit + (litLengthPrice(o, litlen + 1, optLevel) - litLengthPrice(o, litlen, optLevel));
              if (with1literal < withMoreLiterals && with1literal < price[cur + 1]!) {
                const prev = cur - prevMlen;
                setNewRep(o, cur + 1, o.rep0[prev]!, o.rep1[prev]!, o.rep2[prev]!, prevOff, optLitlen[prev] === 0 ? 1 : 0);
                optMlen[cur + 1] = prevMlen;
                optOff[cur + 1] = prevOff;
                optLitlen[cur + 1] = 1;
                price[cur + 1] = with1literal;
                if (lastPos < cur + 1) lastPos = cur + 1;
              }
            }
          }
        }

        // A match ends at cur: its repeat offsets are now known.
        if (optLitlen[cur] === 0) {
          const prev = cur - optMlen[cur]!;
          setNewRep(o, cur, o.rep0[prev]!, o.rep1[prev]!, o.rep2[prev]!, optOff[cur]!, optLitlen[prev] === 0 ? 1 : 0);
        }

        // A match must start at least 8 bytes before the end.
        if (inr > ilimit) continue;
        if (cur === lastPos) break;
        if (optLevel === 0 && price[cur + 1]! <= price[cur]! + (BITCOST_MULTIPLIER >> 1)) continue;

        {
          const ll0 = optLitlen[cur] === 0 ? 1 : 0;
          const basePrice = price[cur]! + litLengthPrice(o, 0, optLevel);
          searchRep[0] = o.rep0[cur]!;
          searchRep[1] = o.rep1[cur]!;
          searchRep[2] = o.rep2[cur]!;
          const nbMatches =
            search !== null
              ? search(inr, iend, searchRep[0]!, searchRep[1]!, searchRep[2]!, ll0, minMatch)
              : getAllMatches(ms, o, v, inr, iend, searchRep, ll0, minMatch, mls);
          if (nbMatches === 0) continue;
          const longestML = mLen[nbMatches - 1]!;
          if (longestML > sufficientLen || cur + longestML >= OPT_NUM || ip + cur + longestML >= iend) {
            lsMlen = longestML;
            lsOff = mOff[nbMatches - 1]!;
            lsLitlen = 0;
            lastPos = cur + longestML;
            shortcut = true;
            break;
          }
          if (pricer !== null && !predef) {
            lastPos = pricer(cur, basePrice, nbMatches, minMatch, lastPos, optLevel === 0 ? 1 : 0);
            price[lastPos + 1] = MAX_PRICE;
            continue;
          }
          for (let matchNb = 0; matchNb < nbMatches; matchNb++) {
            const offset = mOff[matchNb]!;
            const lastML = mLen[matchNb]!;
            const startML = matchNb > 0 ? mLen[matchNb - 1]! + 1 : minMatch;
            // The offset's part of the price is the same for every length (`ZSTD_getMatchPrice`).
            const offsetPrice = basePrice + o.offCodePrice[highBit(offset)]! + MATCH_EXTRA;
            // Lengths from the longest down, in runs of one match-length code: a run has one
            // price (the order and the comparisons are libzstd's, one length at a time).
            let mlen = lastML;
            lengths: while (mlen >= startML) {
              const mlc = mlCode(mlen - MINMATCH);
              const runLow = predef ? mlen : Math.max(startML, ML_CODE_FIRST[mlc]! + MINMATCH);
              const p = predef ? basePrice + matchPrice(o, offset, mlen, optLevel) : offsetPrice + mlPrice[mlc]!;
              for (; mlen >= runLow; mlen--) {
                const pos = cur + mlen;
                if (pos > lastPos || p < price[pos]!) {
                  while (lastPos < pos) {
                    lastPos++;
                    price[lastPos] = MAX_PRICE;
                    optLitlen[lastPos] = 1;
                  }
                  optMlen[pos] = mlen;
                  optOff[pos] = offset;
                  optLitlen[pos] = 0;
                  price[pos] = p;
                } else if (optLevel === 0) {
                  break lengths;
                }
              }
            }
          }
        }
        price[lastPos + 1] = MAX_PRICE;
      }

      if (!shortcut) {
        lsOff = optOff[lastPos]!;
        lsMlen = optMlen[lastPos]!;
        lsLitlen = optLitlen[lastPos]!;
        lsRep0 = o.rep0[lastPos]!;
        lsRep1 = o.rep1[lastPos]!;
        lsRep2 = o.rep2[lastPos]!;
        cur = lastPos - lsMlen;
      }
    }

    // Shortest path: cur, lastPos and the last stretch are set.
    if (lsMlen === 0) {
      // No match at all: everything became literals.
      ip += lastPos;
      continue;
    }
    if (lsLitlen === 0) {
      setNewRep(o, OPT_SIZE, o.rep0[cur]!, o.rep1[cur]!, o.rep2[cur]!, lsOff, optLitlen[cur] === 0 ? 1 : 0);
      rep[0] = o.rep0[OPT_SIZE]!;
      rep[1] = o.rep1[OPT_SIZE]!;
      rep[2] = o.rep2[OPT_SIZE]!;
    } else {
      rep[0] = lsRep0;
      rep[1] = lsRep1;
      rep[2] = lsRep2;
      cur -= lsLitlen;
    }

    // Walk the path backwards, turning stretches (match + literals) into sequences
    // (literals + match), stored from storeStart to storeEnd.
    {
      const storeEnd = cur + 2;
      let storeStart = storeEnd;
      let stretchPos = cur;
      if (lsLitlen > 0) {
        optLitlen[storeEnd] = lsLitlen;
        optMlen[storeEnd] = 0;
        storeStart = storeEnd - 1;
        optOff[storeStart] = lsOff;
        optMlen[storeStart] = lsMlen;
        optLitlen[storeStart] = lsLitlen;
      }
      optOff[storeEnd] = lsOff;
      optMlen[storeEnd] = lsMlen;
      optLitlen[storeEnd] = lsLitlen;
      storeStart = storeEnd;
      for (;;) {
        const nLitlen = optLitlen[stretchPos]!;
        const nMlen = optMlen[stretchPos]!;
        const nOff = optOff[stretchPos]!;
        optLitlen[storeStart] = nLitlen;
        if (nMlen === 0) break;
        storeStart--;
        optOff[storeStart] = nOff;
        optMlen[storeStart] = nMlen;
        optLitlen[storeStart] = nLitlen;
        stretchPos -= nLitlen + nMlen;
      }
      for (let storePos = storeStart; storePos <= storeEnd; storePos++) {
        const llen = optLitlen[storePos]!;
        const mlen = optMlen[storePos]!;
        const offBase = optOff[storePos]!;
        if (mlen === 0) {
          // Only literals: the last "sequence", which starts the next series.
          ip = anchor + llen;
          continue;
        }
        updateStats(o, src, anchor, llen, offBase, mlen);
        ss.store(src, anchor, llen, offBase, mlen);
        anchor += llen + mlen;
        ip = anchor;
      }
      setBasePrices(o, optLevel);
    }
  }
  if (search !== null) {
    ms.nextToUpdate = btSearchNext();
    o.nextToUpdate3 = btSearchNext3();
  }
  return iend - anchor;
}

/**
 * btultra2 (`ZSTD_compressBlock_btultra2`): on the first block of a frame, run the parser
 * once only to seed its statistics, forget that pass (tables included, by moving the
 * numbering base), then parse for real.
 */
export function compressBlockUltra2(
  ms: MatchState,
  o: OptState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  tmpRep: Int32Array,
): number {
  const size = iend - istart;
  const curr = istart - ms.base;
  if (o.litLengthSum === 0 && ss.nbSeq === 0 && curr === ms.lowLimitIdx && size > PREDEF_THRESHOLD) {
    tmpRep.set(rep);
    compressBlockOpt(ms, o, ss, tmpRep, src, v, istart, iend, 2);
    ss.reset();
    ms.base -= size;
    ms.lowLimitIdx += size;
    ms.nextToUpdate = ms.base + ms.lowLimitIdx;
  }
  return compressBlockOpt(ms, o, ss, rep, src, v, istart, iend, 2);
}
