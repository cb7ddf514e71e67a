/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Hash-chain match finder with greedy, lazy and lazy2 parsing (libzstd strategies greedy,
 * lazy, lazy2; also used here for the binary-tree levels). After a match is found, the
 * lazy modes look one (lazy) or two (lazy2) positions further for a better one, comparing
 * rough gains (length against offset cost). Port of `ZSTD_compressBlock_lazy_generic`
 * (noDict) with its two searches from lib/compress/zstd_lazy.c: the hash chain
 * (`ZSTD_HcFindBestMatch`), which libzstd uses for windows up to 16 KiB, and the row-based
 * table (`ZSTD_RowFindBestMatch` and the `ZSTD_row_*` helpers) it uses above that. Where the
 * row search runs as WebAssembly, the whole block loop does too (row-search-wasm.ts `lazyBody`,
 * its twin); this loop remains the fallback.
 */
import type { MatchState } from './match-state.js';
import { countMatch, equal4, hashPtr, hashPtrSalted, lowestPrefixIndex } from './match-state.js';
import { HASH_READ_SIZE } from './match-fast.js';
import { highBit } from './params.js';
import { REPCODE1, REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';

const SEARCH_STRENGTH = 8;
const LAZY_SKIPPING_STEP = 8;

/**
 * Best match at ip through the hash chain; returns its length (or < 4 when none), with its
 * offset code in `out[0]`. Inserts every position up to ip into the chains first.
 */
function hcFindBestMatch(ms: MatchState, v: DataView, ip: number, iLimit: number, mls: number, out: Int32Array): number {
  const chainTable = ms.chainTable;
  const hashTable = ms.hashTable;
  const hashLog = ms.hashLog;
  const chainSize = 1 << ms.chainLog;
  const chainMask = chainSize - 1;
  const maxDistance = ms.maxDistance;
  const lowestValid = ms.frameStart;
  const lowLimit = ip - lowestValid > maxDistance ? ip - maxDistance : lowestValid;
  // libzstd: curr > chainSize ? curr - chainSize : 0, in its numbering (frame start = 2)
  const base = lowestValid - 2;
  const minChain = ip - base > chainSize ? ip - chainSize : base;
  let nbAttempts = 1 << ms.searchLog;
  let ml = 3;

  // Insert positions up to ip (ZSTD_insertAndFindFirstIndex_internal).
  let idx = ms.nextToUpdate;
  const lazySkipping = ms.lazySkipping;
  while (idx < ip) {
    const h = hashPtr(v, idx, hashLog, mls);
    chainTable[idx & chainMask] = hashTable[h]!;
    hashTable[h] = idx;
    idx++;
    if (lazySkipping) break;
  }
  ms.nextToUpdate = ip;
  let matchIndex = hashTable[hashPtr(v, ip, hashLog, mls)]!;

  for (; matchIndex >= lowLimit && nbAttempts > 0; nbAttempts--) {
    // Only a candidate that also matches at the current best length can be longer.
    if (equal4(v, matchIndex + ml - 3, ip + ml - 3)) {
      const currentMl = countMatch(v, ip, matchIndex, iLimit);
      if (currentMl > ml) {
        ml = currentMl;
        out[0] = ip - matchIndex + REP_NUM;
        if (ip + currentMl === iLimit) break;
      }
    }
    if (matchIndex <= minChain) break;
    matchIndex = chainTable[matchIndex & chainMask]!;
  }
  return ml;
}

const ROW_HASH_CACHE_SIZE = 8;
const ROW_TAG_BITS = 8;
/** Past this many pending positions, only the ends of a long match are inserted. */
const ROW_SKIP_THRESHOLD = 384;
const ROW_MAX_MATCH_START_UPDATES = 96;
const ROW_MAX_MATCH_END_UPDATES = 32;

/** Next slot of a row, cycling downwards over 1..rowMask; slot 0 holds the head (`ZSTD_row_nextIndex`). */
function rowNextIndex(tagTable: Uint8Array, row: number, rowMask: number): number {
  let next = (tagTable[row]! - 1) & rowMask;
  if (next === 0) next = rowMask;
  tagTable[row] = next;
  return next;
}

/**
 * Bit i set when entry i of the row (16 or 32 entries) holds `tag`: four tags per 32-bit
 * word, zero bytes of tags XOR tag found exactly with the carry-free 0x7f trick, and the four
 * byte flags gathered into a nibble by one multiply. (libzstd compares with SIMD.)
 */
export function tagMatchMask(tv: DataView, row: number, rowEntries: number, tag: number): number {
  const tag4 = Math.imul(tag, 0x01010101);
  let mask = 0;
  for (let g = 0; g < rowEntries; g += 4) {
    const x = tv.getInt32(row + g, true) ^ tag4;
    const z = ~(((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080;
    mask |= ((Math.imul(z >>> 7, 0x204081) >>> 21) & 0xf) << g;
  }
  return mask;
}

/** Reference for `tagMatchMask`, one tag at a time. */
export function tagMatchMaskSimple(tags: Uint8Array, row: number, rowEntries: number, tag: number): number {
  let mask = 0;
  for (let i = 0; i < rowEntries; i++) if (tags[row + i] === tag) mask |= 1 << i;
  return mask;
}

/** Hashes of up to 8 positions from idx, not past iLimit (`ZSTD_row_fillHashCache`). */
function rowFillHashCache(ms: MatchState, v: DataView, idx: number, iLimit: number, mls: number): void {
  const maxElems = idx > iLimit ? 0 : iLimit - idx + 1;
  const lim = idx + Math.min(ROW_HASH_CACHE_SIZE, maxElems);
  const hBits = ms.rowHashLog + ROW_TAG_BITS;
  for (; idx < lim; idx++) ms.hashCache[idx & (ROW_HASH_CACHE_SIZE - 1)] = hashPtrSalted(v, idx, hBits, mls);
}

/** Cached hash of idx, replaced by the hash of idx + 8 (`ZSTD_row_nextCachedHash`). */
function rowNextCachedHash(ms: MatchState, v: DataView, idx: number, mls: number): number {
  const newHash = hashPtrSalted(v, idx + ROW_HASH_CACHE_SIZE, ms.rowHashLog + ROW_TAG_BITS, mls);
  const slot = idx & (ROW_HASH_CACHE_SIZE - 1);
  const h = ms.hashCache[slot]!;
  ms.hashCache[slot] = newHash;
  return h;
}

/** Insert positions start..end-1 (`ZSTD_row_update_internalImpl` with the cache). */
function rowUpdateRange(ms: MatchState, v: DataView, start: number, end: number, mls: number): void {
  const hashTable = ms.hashTable;
  const tagTable = ms.tagTable;
  const rowLog = ms.rowLog;
  const rowMask = (1 << rowLog) - 1;
  for (; start < end; start++) {
    const hash = rowNextCachedHash(ms, v, start, mls);
    const row = (hash >>> ROW_TAG_BITS) << rowLog;
    const pos = rowNextIndex(tagTable, row, rowMask);
    tagTable[row + pos] = hash;
    hashTable[row + pos] = start;
  }
}

/** Insert every position up to ip, skipping the middle of long matches (`ZSTD_row_update_internal`). */
function rowUpdate(ms: MatchState, v: DataView, ip: number, mls: number): void {
  let idx = ms.nextToUpdate;
  if (ip - idx > ROW_SKIP_THRESHOLD) {
    rowUpdateRange(ms, v, idx, idx + ROW_MAX_MATCH_START_UPDATES, mls);
    idx = ip - ROW_MAX_MATCH_END_UPDATES;
    rowFillHashCache(ms, v, idx, ip + 1, mls);
  }
  rowUpdateRange(ms, v, idx, ip, mls);
  ms.nextToUpdate = ip;
}

/**
 * Best match at ip among the row entries whose tag matches (`ZSTD_RowFindBestMatch`):
 * newest first, at most 2^min(searchLog, rowLog) of them. Returns its length (< 4 when
 * none), with its offset code in `out[0]`; `cand` is scratch for 64 positions.
 */
function rowFindBestMatch(ms: MatchState, v: DataView, ip: number, iLimit: number, mls: number, out: Int32Array, cand: Int32Array): number {
  const hashTable = ms.hashTable;
  const tagTable = ms.tagTable;
  const rowLog = ms.rowLog;
  const rowEntries = 1 << rowLog;
  const rowMask = rowEntries - 1;
  const maxDistance = ms.maxDistance;
  const lowestValid = ms.frameStart;
  const lowLimit = ip - lowestValid > maxDistance ? ip - maxDistance : lowestValid;
  let nbAttempts = 1 << (ms.searchLog < rowLog ? ms.searchLog : rowLog);
  let hash: number;
  if (!ms.lazySkipping) {
    rowUpdate(ms, v, ip, mls);
    hash = rowNextCachedHash(ms, v, ip, mls);
  } else {
    hash = hashPtrSalted(v, ip, ms.rowHashLog + ROW_TAG_BITS, mls);
    ms.nextToUpdate = ip;
  }
  const row = (hash >>> ROW_TAG_BITS) << rowLog;
  const tag = hash & 0xff;
  const head = tagTable[row]! & rowMask;
  let n = 0;
  if (rowEntries <= 32) {
    // Entries whose tag matches, newest first: from the head up, then from 0 up to the head.
    const mask = tagMatchMask(ms.tagView, row, rowEntries, tag);
    let m = mask >>> head;
    let offset = head;
    for (let phase = 0; phase < 2; phase++) {
      while (m !== 0 && nbAttempts > 0) {
        const matchPos = offset + 31 - Math.clz32(m & -m);
        m &= m - 1;
        if (matchPos === 0) continue;
        const matchIndex = hashTable[row + matchPos]!;
        if (matchIndex < lowLimit) {
          nbAttempts = 0;
          break;
        }
        cand[n++] = matchIndex;
        nbAttempts--;
      }
      m = head === 0 ? 0 : mask & ((1 << head) - 1);
      offset = 0;
    }
  } else {
    for (let i = 0; i < rowEntries && nbAttempts > 0; i++) {
      const matchPos = (head + i) & rowMask;
      if (tagTable[row + matchPos] !== tag || matchPos === 0) continue;
      const matchIndex = hashTable[row + matchPos]!;
      if (matchIndex < lowLimit) break;
      cand[n++] = matchIndex;
      nbAttempts--;
    }
  }
  {
    const pos = rowNextIndex(tagTable, row, rowMask);
    tagTable[row + pos] = tag;
    hashTable[row + pos] = ms.nextToUpdate++;
  }
  let ml = 3;
  for (let k = 0; k < n; k++) {
    const matchIndex = cand[k]!;
    if (equal4(v, matchIndex + ml - 3, ip + ml - 3)) {
      const currentMl = countMatch(v, ip, matchIndex, iLimit);
      if (currentMl > ml) {
        ml = currentMl;
        out[0] = ip - matchIndex + REP_NUM;
        if (ip + currentMl === iLimit) break;
      }
    }
  }
  return ml;
}

/** Marks a tree node inserted but not yet sorted (`ZSTD_DUBT_UNSORTED_MARK`). */
const DUBT_UNSORTED_MARK = 1;

/**
 * Add positions up to ip to the binary tree as an unsorted chain (`ZSTD_updateDUBT`);
 * they are sorted lazily when a search reaches them. Tables hold indices (see `base`).
 */
function updateDubt(ms: MatchState, v: DataView, ip: number, mls: number): void {
  const hashTable = ms.hashTable;
  const bt = ms.chainTable;
  const btMask = (1 << (ms.chainLog - 1)) - 1;
  const base = ms.base;
  const hashLog = ms.hashLog;
  const target = ip - base;
  for (let idx = ms.nextToUpdate - base; idx < target; idx++) {
    const h = hashPtr(v, idx + base, hashLog, mls);
    const slot = 2 * (idx & btMask);
    bt[slot] = hashTable[h]!;
    bt[slot + 1] = DUBT_UNSORTED_MARK;
    hashTable[h] = idx;
  }
  ms.nextToUpdate = ip;
}

/**
 * Sort one inserted but unsorted index into the tree (`ZSTD_insertDUBT1`). `inputEnd` is
 * a position; the rest are indices. A pointer into the tree is a slot number, -1 standing
 * for libzstd's `dummy32`.
 */
function insertDubt1(ms: MatchState, v: DataView, curr: number, inputEnd: number, nbComparesIn: number, btLow: number): void {
  const bt = ms.chainTable;
  const btMask = (1 << (ms.chainLog - 1)) - 1;
  const base = ms.base;
  const ip = curr + base;
  let nbCompares = nbComparesIn;
  let commonLengthSmaller = 0;
  let commonLengthLarger = 0;
  let smallerPtr = 2 * (curr & btMask);
  let largerPtr = smallerPtr + 1;
  let matchIndex = bt[smallerPtr]!;
  const windowValid = ms.lowLimitIdx;
  const maxDistance = ms.maxDistance;
  const windowLow = curr - windowValid > maxDistance ? curr - maxDistance : windowValid;
  for (; nbCompares > 0 && matchIndex > windowLow; nbCompares--) {
    const nextPtr = 2 * (matchIndex & btMask);
    let matchLength = commonLengthSmaller < commonLengthLarger ? commonLengthSmaller : commonLengthLarger;
    const match = matchIndex + base;
    matchLength += countMatch(v, ip + matchLength, match + matchLength, inputEnd);
    if (ip + matchLength === inputEnd) break;
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
}

/**
 * Longest match at ip through the lazily sorted binary tree (`ZSTD_BtFindBestMatch`,
 * `ZSTD_DUBT_findBestMatch`): first sort the unsorted candidates stacked on ip's hash,
 * then walk the tree inserting ip. A longer match is kept only if its length gain pays for
 * its larger offset; `out[0]` holds the offset code to beat on entry and the best on exit.
 */
function btFindBestMatch(ms: MatchState, v: DataView, ip: number, iend: number, mls: number, out: Int32Array): number {
  if (ip < ms.nextToUpdate) return 0;
  updateDubt(ms, v, ip, mls);
  const hashTable = ms.hashTable;
  const bt = ms.chainTable;
  const btMask = (1 << (ms.chainLog - 1)) - 1;
  const base = ms.base;
  const h = hashPtr(v, ip, ms.hashLog, mls);
  let matchIndex = hashTable[h]!;
  const curr = ip - base;
  const maxDistance = ms.maxDistance;
  const windowLow = curr - ms.lowLimitIdx > maxDistance ? curr - maxDistance : ms.lowLimitIdx;
  const btLow = btMask >= curr ? 0 : curr - btMask;
  const unsortLimit = btLow > windowLow ? btLow : windowLow;
  let nextCandidate = 2 * (matchIndex & btMask);
  let unsortedMark = nextCandidate + 1;
  let nbCompares = 1 << ms.searchLog;
  let nbCandidates = nbCompares;
  let previousCandidate = 0;

  // Reach the end of the unsorted candidates, reversing the chain through the marks.
  while (matchIndex > unsortLimit && bt[unsortedMark] === DUBT_UNSORTED_MARK && nbCandidates > 1) {
    bt[unsortedMark] = previousCandidate;
    previousCandidate = matchIndex;
    matchIndex = bt[nextCandidate]!;
    nextCandidate = 2 * (matchIndex & btMask);
    unsortedMark = nextCandidate + 1;
    nbCandidates--;
  }
  // A last candidate still unsorted is dropped (faster, slightly worse ratio).
  if (matchIndex > unsortLimit && bt[unsortedMark] === DUBT_UNSORTED_MARK) {
    bt[nextCandidate] = 0;
    bt[unsortedMark] = 0;
  }
  // Sort the stacked candidates, oldest first.
  matchIndex = previousCandidate;
  while (matchIndex !== 0) {
    const nextCandidateIdx = bt[2 * (matchIndex & btMask) + 1]!;
    insertDubt1(ms, v, matchIndex, iend, nbCandidates, unsortLimit);
    matchIndex = nextCandidateIdx;
    nbCandidates++;
  }

  let commonLengthSmaller = 0;
  let commonLengthLarger = 0;
  let smallerPtr = 2 * (curr & btMask);
  let largerPtr = smallerPtr + 1;
  let matchEndIdx = curr + 8 + 1;
  let bestLength = 0;
  matchIndex = hashTable[h]!;
  hashTable[h] = curr;
  for (; nbCompares > 0 && matchIndex > windowLow; nbCompares--) {
    const nextPtr = 2 * (matchIndex & btMask);
    let matchLength = commonLengthSmaller < commonLengthLarger ? commonLengthSmaller : commonLengthLarger;
    const match = matchIndex + base;
    matchLength += countMatch(v, ip + matchLength, match + matchLength, iend);
    if (matchLength > bestLength) {
      if (matchLength > matchEndIdx - matchIndex) matchEndIdx = matchIndex + matchLength;
      if (4 * (matchLength - bestLength) > highBit(curr - matchIndex + 1) - highBit(out[0]!)) {
        bestLength = matchLength;
        out[0] = curr - matchIndex + REP_NUM;
      }
      if (ip + matchLength === iend) break;
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
  return bestLength;
}

/** Offset code the searches start from (libzstd's 999999999). */
const NO_OFFSET = 999999999;

/** The search of the configured kind: binary tree, row-based table or hash chain. */
function searchMax(ms: MatchState, v: DataView, ip: number, iLimit: number, mls: number, out: Int32Array, cand: Int32Array): number {
  const rowWasm = ms.rowWasm;
  if (rowWasm !== null) {
    const ml = rowWasm.find(ip, iLimit, ms.lazySkipping ? 1 : 0);
    out[0] = rowWasm.offBase();
    return ml;
  }
  out[0] = NO_OFFSET;
  if (ms.useTree) return btFindBestMatch(ms, v, ip, iLimit, mls, out);
  return ms.useRow ? rowFindBestMatch(ms, v, ip, iLimit, mls, out, cand) : hcFindBestMatch(ms, v, ip, iLimit, mls, out);
}

/**
 * Fill `ss` with the sequences of src[istart, iend) using `depth` (0 greedy, 1 lazy,
 * 2 lazy2); updates rep[0..1]. Returns the trailing literal count.
 */
export function compressBlockLazy(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  depth: number,
  found: Int32Array,
  cand: Int32Array,
): number {
  const useRow = ms.useRow;
  // The row search hashes 8 positions ahead through its cache.
  const ilimit = iend - HASH_READ_SIZE - (useRow ? ROW_HASH_CACHE_SIZE : 0);
  const mm = ms.minMatch;
  const mls = mm < 4 ? 4 : mm > 6 ? 6 : mm;
  let ip = istart;
  let anchor = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;
  let offsetSaved1 = 0;
  let offsetSaved2 = 0;

  if (ip === ms.frameStart) ip++;
  {
    const windowLow = lowestPrefixIndex(ms, ip);
    const maxRep = ip - windowLow;
    if (offset2 > maxRep) {
      offsetSaved2 = offset2;
      offset2 = 0;
    }
    if (offset1 > maxRep) {
      offsetSaved1 = offset1;
      offset1 = 0;
    }
  }
  ms.lazySkipping = false;
  // The WebAssembly row search keeps its own nextToUpdate and hash cache (row-search-wasm.ts).
  const rowWasm = ms.rowWasm;
  if (rowWasm !== null && ms.lazyWasm) {
    // The same loop in WebAssembly (row-search-wasm.ts `lazyBody`); its sequences are stored here.
    rowWasm.setNext(ms.nextToUpdate);
    const lastLiterals = rowWasm.parse(istart, iend, depth, offset1, offset2, ss);
    offset1 = rowWasm.rep1();
    offset2 = rowWasm.rep2();
    ms.nextToUpdate = rowWasm.next();
    return finishLazy(rep, offset1, offset2, offsetSaved1, offsetSaved2, lastLiterals);
  }
  if (rowWasm !== null) {
    rowWasm.setNext(ms.nextToUpdate);
    rowWasm.fill(ms.nextToUpdate, ilimit);
  } else if (useRow) {
    rowFillHashCache(ms, v, ms.nextToUpdate, ilimit, mls);
  }

  while (ip < ilimit) {
    let matchLength = 0;
    let offBase = REPCODE1;
    let start = ip + 1;

    // Repeat offset one byte ahead.
    if (offset1 > 0 && equal4(v, ip + 1 - offset1, ip + 1)) {
      matchLength = countMatch(v, ip + 1 + 4, ip + 1 + 4 - offset1, iend) + 4;
    }
    if (depth === 0 && matchLength !== 0) {
      // Greedy takes the repeat match at once.
    } else {
      const ml2 = searchMax(ms, v, ip, iend, mls, found, cand);
      if (ml2 > matchLength) {
        matchLength = ml2;
        start = ip;
        offBase = found[0]!;
      }
      if (matchLength < 4) {
        const step = ((ip - anchor) >> SEARCH_STRENGTH) + 1;
        ip += step;
        ms.lazySkipping = step > LAZY_SKIPPING_STEP;
        continue;
      }

      // Look for a better match one or two positions further.
      if (depth >= 1) {
        while (ip < ilimit) {
          ip++;
          if (offBase !== 0 && offset1 > 0 && equal4(v, ip, ip - offset1)) {
            const mlRep = countMatch(v, ip + 4, ip + 4 - offset1, iend) + 4;
            const gain2 = mlRep * 3;
            const gain1 = matchLength * 3 - highBit(offBase) + 1;
            if (mlRep >= 4 && gain2 > gain1) {
              matchLength = mlRep;
              offBase = REPCODE1;
              start = ip;
            }
          }
          {
            const ml2 = searchMax(ms, v, ip, iend, mls, found, cand);
            const ofb = found[0]!;
            const gain2 = ml2 * 4 - highBit(ofb);
            const gain1 = matchLength * 4 - highBit(offBase) + 4;
            if (ml2 >= 4 && gain2 > gain1) {
              matchLength = ml2;
              offBase = ofb;
              start = ip;
              continue;
            }
          }
          if (depth === 2 && ip < ilimit) {
            ip++;
            if (offBase !== 0 && offset1 > 0 && equal4(v, ip, ip - offset1)) {
              const mlRep = countMatch(v, ip + 4, ip + 4 - offset1, iend) + 4;
              const gain2 = mlRep * 4;
              const gain1 = matchLength * 4 - highBit(offBase) + 1;
              if (mlRep >= 4 && gain2 > gain1) {
                matchLength = mlRep;
                offBase = REPCODE1;
                start = ip;
              }
            }
            const ml2 = searchMax(ms, v, ip, iend, mls, found, cand);
            const ofb = found[0]!;
            const gain2 = ml2 * 4 - highBit(ofb);
            const gain1 = matchLength * 4 - highBit(offBase) + 7;
            if (ml2 >= 4 && gain2 > gain1) {
              matchLength = ml2;
              offBase = ofb;
              start = ip;
              continue;
            }
          }
          break;
        }
      }

      // Catch up: extend a new-offset match backwards.
      if (offBase > REP_NUM) {
        const off = offBase - REP_NUM;
        while (start > anchor && start - off > ms.frameStart && src[start - 1] === src[start - off - 1]) {
          start--;
          matchLength++;
        }
        offset2 = offset1;
        offset1 = off;
      }
    }

    ss.store(src, anchor, start - anchor, offBase, matchLength);
    anchor = ip = start + matchLength;
    if (ms.lazySkipping) {
      if (rowWasm !== null) rowWasm.fill(rowWasm.next(), ilimit);
      else if (useRow) rowFillHashCache(ms, v, ms.nextToUpdate, ilimit, mls);
      ms.lazySkipping = false;
    }

    // Immediate repeat with the second offset.
    while (ip <= ilimit && offset2 > 0 && equal4(v, ip, ip - offset2)) {
      matchLength = countMatch(v, ip + 4, ip + 4 - offset2, iend) + 4;
      const tmp = offset2;
      offset2 = offset1;
      offset1 = tmp;
      ss.store(src, anchor, 0, REPCODE1, matchLength);
      ip += matchLength;
      anchor = ip;
    }
  }

  if (rowWasm !== null) ms.nextToUpdate = rowWasm.next();
  return finishLazy(rep, offset1, offset2, offsetSaved1, offsetSaved2, iend - anchor);
}

/** The repeat offsets for the next block, the saved ones standing in for any left at 0; returns `lastLiterals`. */
function finishLazy(rep: Int32Array, offset1: number, offset2: number, offsetSaved1: number, offsetSaved2: number, lastLiterals: number): number {
  if (offsetSaved1 !== 0 && offset1 !== 0) offsetSaved2 = offsetSaved1;
  rep[0] = offset1 !== 0 ? offset1 : offsetSaved1;
  rep[1] = offset2 !== 0 ? offset2 : offsetSaved2;
  return lastLiterals;
}
