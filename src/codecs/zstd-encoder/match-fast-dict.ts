/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The fast (zstd levels 1-2) and double-fast (level 3) match finders with a dictionary,
 * in libzstd's two forms (zstd_fast.c, zstd_double_fast.c):
 *
 * - dictMatchState (`ZSTD_compressBlock_fast_dictMatchState_generic`): the dictionary
 *   keeps its own tagged hash table (a `ZstdCDict`), consulted beside the frame's table;
 *   libzstd attaches a CDict this way for inputs up to 8 KiB;
 * - extDict (`ZSTD_compressBlock_fast_extDict_generic`): one table holds dictionary and
 *   input positions; used when the CDict's table is copied (larger inputs) or the
 *   dictionary is loaded into the context (inputs of 128 KiB and more).
 *
 * Both run over one buffer holding the dictionary content at [dictStart, prefixStart)
 * immediately followed by the input from prefixStart. libzstd keeps the two apart and
 * counts a match that reaches the dictionary's end on from the input's start
 * (`ZSTD_count_2segments`), which is exactly a plain count over the joined buffer. Hash
 * tables hold buffer positions; dictStart − 2 (libzstd's index 0) is empty.
 */
import type { MatchState } from './match-state.js';
import { countMatch, equal4, hashPtr } from './match-state.js';
import { REPCODE1, REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';

const HASH_READ_SIZE = 8;
/** `1 << kSearchStrength`: the dictMatchState search grows its step every 256 bytes. */
const DMS_STEP_INCREMENT = 256;
/** `1 << (kSearchStrength - 1)`: the extDict search every 128 bytes. */
const EXT_STEP_INCREMENT = 128;
const TAG_BITS = 8;
const TAG_MASK = 0xff;

/** Where the dictionary sits in the joined buffer, and its own table for dictMatchState. */
export interface FastDictView {
  /** Position of the dictionary's first byte (libzstd index 2). */
  dictStart: number;
  /** Position of the input's first byte, right after the dictionary. */
  prefixStart: number;
  /** The CDict's tagged table: (libzstd index << 8) | tag. */
  taggedTable: Int32Array;
  /** The CDict's hash log (its table has 1 << hashLog entries). */
  dictHashLog: number;
  /** Double-fast CDicts: the tagged short-match table, of 1 << dictChainLog entries. */
  taggedSmallTable: Int32Array;
  dictChainLog: number;
}

function mlsOf(minMatch: number): number {
  return minMatch >= 5 && minMatch <= 7 ? minMatch : 4;
}

/** `ZSTD_index_overlap_check`: a repeat index may not start in the last 3 bytes before the input. */
function noOverlap(prefixStart: number, repIndex: number): boolean {
  return (prefixStart - 1 - repIndex) >>> 0 >= 3;
}

/**
 * `ZSTD_compressBlock_fast_dictMatchState_generic` over src[istart, iend). Updates
 * rep[0..1]; returns the trailing literal count.
 */
export function compressBlockFastDictMatchState(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  d: FastDictView,
): number {
  const hashTable = ms.hashTable;
  const hlog = ms.hashLog;
  const mls = mlsOf(ms.minMatch);
  const stepSize = ms.targetLength === 0 ? 1 : ms.targetLength;
  const dictStart = d.dictStart;
  const prefixStart = d.prefixStart;
  const dictTable = d.taggedTable;
  const dictHBits = d.dictHashLog + TAG_BITS;
  // The dictionary's table holds libzstd indices: index 2 is dictStart.
  const dictIndexToPos = dictStart - 2;
  const ilimit = iend - HASH_READ_SIZE;
  let anchor = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;
  let ip0 = istart;
  if (istart - dictStart === 0) ip0++;
  let ip1 = ip0 + stepSize;

  outer: while (ip1 <= ilimit) {
    let mLength = 0;
    let hash0 = hashPtr(v, ip0, hlog, mls);
    const dictHashAndTag0 = hashPtr(v, ip0, dictHBits, mls);
    let dictEntry = dictTable[dictHashAndTag0 >>> TAG_BITS]!;
    let dictTagsMatch = (dictEntry & TAG_MASK) === (dictHashAndTag0 & TAG_MASK);
    let matchIndex = hashTable[hash0]!;
    let curr = ip0;
    let step = stepSize;
    let nextStep = ip0 + DMS_STEP_INCREMENT;

    for (;;) {
      const repIndex = curr + 1 - offset1;
      const hash1 = hashPtr(v, ip1, hlog, mls);
      const dictHashAndTag1 = hashPtr(v, ip1, dictHBits, mls);
      hashTable[hash0] = curr;

      if (repIndex >= dictStart && noOverlap(prefixStart, repIndex) && equal4(v, repIndex, ip0 + 1)) {
        mLength = countMatch(v, ip0 + 1 + 4, repIndex + 4, iend) + 4;
        ip0++;
        ss.store(src, anchor, ip0 - anchor, REPCODE1, mLength);
        break;
      }

      if (dictTagsMatch) {
        const dictMatchIndex = dictEntry >>> TAG_BITS;
        let dictMatch = dictMatchIndex + dictIndexToPos;
        // Dictionary matches only where the frame's own table has nothing valid, as extDict parses.
        if (dictMatchIndex > 2 && equal4(v, dictMatch, ip0) && matchIndex <= prefixStart) {
          const offset = curr - dictMatch;
          mLength = countMatch(v, ip0 + 4, dictMatch + 4, iend) + 4;
          while (ip0 > anchor && dictMatch > dictStart && src[ip0 - 1] === src[dictMatch - 1]) {
            ip0--;
            dictMatch--;
            mLength++;
          }
          offset2 = offset1;
          offset1 = offset;
          ss.store(src, anchor, ip0 - anchor, offset + REP_NUM, mLength);
          break;
        }
      }

      if (matchIndex >= prefixStart && equal4(v, ip0, matchIndex)) {
        let match = matchIndex;
        const offset = ip0 - match;
        mLength = countMatch(v, ip0 + 4, match + 4, iend) + 4;
        while (ip0 > anchor && match > prefixStart && src[ip0 - 1] === src[match - 1]) {
          ip0--;
          match--;
          mLength++;
        }
        offset2 = offset1;
        offset1 = offset;
        ss.store(src, anchor, ip0 - anchor, offset + REP_NUM, mLength);
        break;
      }

      dictEntry = dictTable[dictHashAndTag1 >>> TAG_BITS]!;
      dictTagsMatch = (dictEntry & TAG_MASK) === (dictHashAndTag1 & TAG_MASK);
      matchIndex = hashTable[hash1]!;
      if (ip1 >= nextStep) {
        step++;
        nextStep += DMS_STEP_INCREMENT;
      }
      ip0 = ip1;
      ip1 = ip1 + step;
      if (ip1 > ilimit) break outer;
      curr = ip0;
      hash0 = hash1;
    }

    ip0 += mLength;
    anchor = ip0;
    if (ip0 <= ilimit) {
      hashTable[hashPtr(v, curr + 2, hlog, mls)] = curr + 2;
      hashTable[hashPtr(v, ip0 - 2, hlog, mls)] = ip0 - 2;
      while (ip0 <= ilimit) {
        const repIndex2 = ip0 - offset2;
        if (repIndex2 >= dictStart && noOverlap(prefixStart, repIndex2) && equal4(v, repIndex2, ip0)) {
          const repLength2 = countMatch(v, ip0 + 4, repIndex2 + 4, iend) + 4;
          const tmp = offset2;
          offset2 = offset1;
          offset1 = tmp;
          ss.store(src, anchor, 0, REPCODE1, repLength2);
          hashTable[hashPtr(v, ip0, hlog, mls)] = ip0;
          ip0 += repLength2;
          anchor = ip0;
          continue;
        }
        break;
      }
    }
    ip1 = ip0 + stepSize;
  }

  rep[0] = offset1;
  rep[1] = offset2;
  return iend - anchor;
}

/**
 * `ZSTD_compressBlock_fast_extDict_generic` over src[istart, iend), the dictionary being
 * [dictStart, prefixStart) and every table entry from dictStart on valid. Updates
 * rep[0..1]; returns the trailing literal count.
 */
export function compressBlockFastExtDict(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  dictStart: number,
  prefixStart: number,
): number {
  const hashTable = ms.hashTable;
  const hlog = ms.hashLog;
  const mls = mlsOf(ms.minMatch);
  const stepSize = (ms.targetLength === 0 ? 1 : ms.targetLength) + 1;
  const ilimit = iend - HASH_READ_SIZE;
  let anchor = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;
  let offsetSaved1 = 0;
  let offsetSaved2 = 0;
  let ip0 = istart;
  {
    const maxRep = ip0 - dictStart;
    if (offset2 >= maxRep) {
      offsetSaved2 = offset2;
      offset2 = 0;
    }
    if (offset1 >= maxRep) {
      offsetSaved1 = offset1;
      offset1 = 0;
    }
  }

  for (;;) {
    let step = stepSize;
    let nextStep = ip0 + EXT_STEP_INCREMENT;
    let ip1 = ip0 + 1;
    let ip2 = ip0 + step;
    let ip3 = ip2 + 1;
    if (ip3 >= ilimit) break;
    let hash0 = hashPtr(v, ip0, hlog, mls);
    let hash1 = hashPtr(v, ip1, hlog, mls);
    let idx = hashTable[hash0]!;
    let current0 = ip0;
    let match0 = 0;
    let mLength = 0;
    let offBase = 0;
    // 0: nothing before the end, 1: repeat match at ip2, 2: table match at ip0
    let found = 0;
    do {
      const repIndex = ip2 - offset1;
      const repValid = (prefixStart - repIndex) >>> 0 >= 4 && offset1 > 0;
      current0 = ip0;
      hashTable[hash0] = current0;
      if (repValid && equal4(v, ip2, repIndex)) {
        ip0 = ip2;
        match0 = repIndex;
        mLength = src[ip0 - 1] === src[match0 - 1] ? 1 : 0;
        ip0 -= mLength;
        match0 -= mLength;
        offBase = REPCODE1;
        mLength += 4;
        found = 1;
        break;
      }
      if (idx >= dictStart && equal4(v, ip0, idx)) {
        found = 2;
        break;
      }
      idx = hashTable[hash1]!;
      hash0 = hash1;
      hash1 = hashPtr(v, ip2, hlog, mls);
      ip0 = ip1;
      ip1 = ip2;
      ip2 = ip3;
      current0 = ip0;
      hashTable[hash0] = current0;
      if (idx >= dictStart && equal4(v, ip0, idx)) {
        found = 2;
        break;
      }
      idx = hashTable[hash1]!;
      hash0 = hash1;
      hash1 = hashPtr(v, ip2, hlog, mls);
      ip0 = ip1;
      ip1 = ip2;
      ip2 = ip0 + step;
      ip3 = ip1 + step;
      if (ip2 >= nextStep) {
        step++;
        nextStep += EXT_STEP_INCREMENT;
      }
    } while (ip3 < ilimit);
    if (found === 0) break;

    if (found === 2) {
      const offset = current0 - idx;
      const lowMatch = idx < prefixStart ? dictStart : prefixStart;
      match0 = idx;
      offset2 = offset1;
      offset1 = offset;
      offBase = offset + REP_NUM;
      mLength = 4;
      while (ip0 > anchor && match0 > lowMatch && src[ip0 - 1] === src[match0 - 1]) {
        ip0--;
        match0--;
        mLength++;
      }
    }

    mLength += countMatch(v, ip0 + mLength, match0 + mLength, iend);
    ss.store(src, anchor, ip0 - anchor, offBase, mLength);
    ip0 += mLength;
    anchor = ip0;
    if (ip1 < ip0) hashTable[hash1] = ip1;
    if (ip0 <= ilimit) {
      hashTable[hashPtr(v, current0 + 2, hlog, mls)] = current0 + 2;
      hashTable[hashPtr(v, ip0 - 2, hlog, mls)] = ip0 - 2;
      while (ip0 <= ilimit) {
        const repIndex2 = ip0 - offset2;
        if (offset2 > 0 && noOverlap(prefixStart, repIndex2) && equal4(v, repIndex2, ip0)) {
          const repLength2 = countMatch(v, ip0 + 4, repIndex2 + 4, iend) + 4;
          const tmp = offset2;
          offset2 = offset1;
          offset1 = tmp;
          ss.store(src, anchor, 0, REPCODE1, repLength2);
          hashTable[hashPtr(v, ip0, hlog, mls)] = ip0;
          ip0 += repLength2;
          anchor = ip0;
          continue;
        }
        break;
      }
    }
  }

  if (offsetSaved1 !== 0 && offset1 !== 0) offsetSaved2 = offsetSaved1;
  rep[0] = offset1 !== 0 ? offset1 : offsetSaved1;
  rep[1] = offset2 !== 0 ? offset2 : offsetSaved2;
  return iend - anchor;
}

/**
 * `ZSTD_fillHashTableForCCtx` with `ZSTD_dtlm_fast`: every third position of the
 * dictionary [dictStart, prefixStart) into the frame's table (how a dictionary is loaded
 * straight into a context).
 */
export function fillFastTableFromDict(ms: MatchState, v: DataView, dictStart: number, prefixStart: number): void {
  if (prefixStart - dictStart <= HASH_READ_SIZE) return;
  const hashTable = ms.hashTable;
  const hlog = ms.hashLog;
  const mls = mlsOf(ms.minMatch);
  const iend = prefixStart - HASH_READ_SIZE;
  for (let ip = dictStart; ip + 3 < iend + 2; ip += 3) hashTable[hashPtr(v, ip, hlog, mls)] = ip;
}

function equal8(v: DataView, a: number, b: number): boolean {
  return v.getInt32(a, true) === v.getInt32(b, true) && v.getInt32(a + 4, true) === v.getInt32(b + 4, true);
}

/** kSearchStrength of the double-fast finder. */
const DFAST_SEARCH_STRENGTH = 8;

/**
 * `ZSTD_compressBlock_doubleFast_dictMatchState_generic` (zstd levels 3-4 with an attached
 * CDict) over src[istart, iend): the frame's long (8-byte) and short tables, then the
 * CDict's tagged long and short tables. Updates rep[0..1]; returns the trailing literal count.
 */
export function compressBlockDoubleFastDictMatchState(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  d: FastDictView,
): number {
  const dictSmallTable = d.taggedSmallTable;
  const dictChainLog = d.dictChainLog;
  const hashLong = ms.hashTable;
  const hBitsL = ms.hashLog;
  const hashSmall = ms.chainTable;
  const hBitsS = ms.chainLog;
  const mls = mlsOf(ms.minMatch);
  const dictStart = d.dictStart;
  const prefixLowest = d.prefixStart;
  const dictHashLong = d.taggedTable;
  const dictHBitsL = d.dictHashLog + TAG_BITS;
  const dictHBitsS = dictChainLog + TAG_BITS;
  const dictIndexToPos = dictStart - 2;
  const ilimit = iend - HASH_READ_SIZE;
  let anchor = istart;
  let ip = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;
  if (ip - prefixLowest + (prefixLowest - dictStart) === 0) ip++;

  while (ip < ilimit) {
    let mLength = 0;
    let offset = 0;
    const h2 = hashPtr(v, ip, hBitsL, 8);
    const h = hashPtr(v, ip, hBitsS, mls);
    const dictHashAndTagL = hashPtr(v, ip, dictHBitsL, 8);
    const dictHashAndTagS = hashPtr(v, ip, dictHBitsS, mls);
    const dictEntryL = dictHashLong[dictHashAndTagL >>> TAG_BITS]!;
    const dictEntryS = dictSmallTable[dictHashAndTagS >>> TAG_BITS]!;
    const dictTagsMatchL = (dictEntryL & TAG_MASK) === (dictHashAndTagL & TAG_MASK);
    const dictTagsMatchS = (dictEntryS & TAG_MASK) === (dictHashAndTagS & TAG_MASK);
    const curr = ip;
    const matchIndexL = hashLong[h2]!;
    let matchIndexS = hashSmall[h]!;
    let match = matchIndexS;
    const repIndex = curr + 1 - offset1;
    hashLong[h2] = curr;
    hashSmall[h] = curr;
    // 0: no match here, 1: repeat match stored, 2: match to store (offset, mLength, ip set)
    let found = 0;

    if (repIndex >= dictStart && noOverlap(prefixLowest, repIndex) && equal4(v, repIndex, ip + 1)) {
      mLength = countMatch(v, ip + 1 + 4, repIndex + 4, iend) + 4;
      ip++;
      ss.store(src, anchor, ip - anchor, REPCODE1, mLength);
      found = 1;
    } else if (matchIndexL >= prefixLowest && equal8(v, matchIndexL, ip)) {
      let matchLong = matchIndexL;
      mLength = countMatch(v, ip + 8, matchLong + 8, iend) + 8;
      offset = ip - matchLong;
      while (ip > anchor && matchLong > prefixLowest && src[ip - 1] === src[matchLong - 1]) {
        ip--;
        matchLong--;
        mLength++;
      }
      found = 2;
    } else if (dictTagsMatchL && (dictEntryL >>> TAG_BITS) + dictIndexToPos > dictStart && equal8(v, (dictEntryL >>> TAG_BITS) + dictIndexToPos, ip)) {
      let dictMatchL = (dictEntryL >>> TAG_BITS) + dictIndexToPos;
      mLength = countMatch(v, ip + 8, dictMatchL + 8, iend) + 8;
      offset = curr - dictMatchL;
      while (ip > anchor && dictMatchL > dictStart && src[ip - 1] === src[dictMatchL - 1]) {
        ip--;
        dictMatchL--;
        mLength++;
      }
      found = 2;
    }

    if (found === 0) {
      let shortFound = false;
      if (matchIndexS > prefixLowest) {
        if (equal4(v, match, ip)) shortFound = true;
      } else if (dictTagsMatchS) {
        match = (dictEntryS >>> TAG_BITS) + dictIndexToPos;
        matchIndexS = match;
        if (match > dictStart && equal4(v, match, ip)) shortFound = true;
      }
      if (!shortFound) {
        ip += ((ip - anchor) >> DFAST_SEARCH_STRENGTH) + 1;
        continue;
      }
      // _search_next_long
      const hl3 = hashPtr(v, ip + 1, hBitsL, 8);
      const dictHashAndTagL3 = hashPtr(v, ip + 1, dictHBitsL, 8);
      const matchIndexL3 = hashLong[hl3]!;
      const dictEntryL3 = dictHashLong[dictHashAndTagL3 >>> TAG_BITS]!;
      const dictTagsMatchL3 = (dictEntryL3 & TAG_MASK) === (dictHashAndTagL3 & TAG_MASK);
      hashLong[hl3] = curr + 1;
      if (matchIndexL3 >= prefixLowest && equal8(v, matchIndexL3, ip + 1)) {
        let matchL3 = matchIndexL3;
        mLength = countMatch(v, ip + 9, matchL3 + 8, iend) + 8;
        ip++;
        offset = ip - matchL3;
        while (ip > anchor && matchL3 > prefixLowest && src[ip - 1] === src[matchL3 - 1]) {
          ip--;
          matchL3--;
          mLength++;
        }
        found = 2;
      } else if (dictTagsMatchL3 && (dictEntryL3 >>> TAG_BITS) + dictIndexToPos > dictStart && equal8(v, (dictEntryL3 >>> TAG_BITS) + dictIndexToPos, ip + 1)) {
        let dictMatchL3 = (dictEntryL3 >>> TAG_BITS) + dictIndexToPos;
        mLength = countMatch(v, ip + 1 + 8, dictMatchL3 + 8, iend) + 8;
        ip++;
        offset = curr + 1 - dictMatchL3;
        while (ip > anchor && dictMatchL3 > dictStart && src[ip - 1] === src[dictMatchL3 - 1]) {
          ip--;
          dictMatchL3--;
          mLength++;
        }
        found = 2;
      }
      if (found === 0) {
        if (matchIndexS < prefixLowest) {
          mLength = countMatch(v, ip + 4, match + 4, iend) + 4;
          offset = curr - matchIndexS;
          while (ip > anchor && match > dictStart && src[ip - 1] === src[match - 1]) {
            ip--;
            match--;
            mLength++;
          }
        } else {
          mLength = countMatch(v, ip + 4, match + 4, iend) + 4;
          offset = ip - match;
          while (ip > anchor && match > prefixLowest && src[ip - 1] === src[match - 1]) {
            ip--;
            match--;
            mLength++;
          }
        }
        found = 2;
      }
    }

    if (found === 2) {
      offset2 = offset1;
      offset1 = offset;
      ss.store(src, anchor, ip - anchor, offset + REP_NUM, mLength);
    }

    // _match_stored
    ip += mLength;
    anchor = ip;
    if (ip <= ilimit) {
      const indexToInsert = curr + 2;
      hashLong[hashPtr(v, indexToInsert, hBitsL, 8)] = indexToInsert;
      hashLong[hashPtr(v, ip - 2, hBitsL, 8)] = ip - 2;
      hashSmall[hashPtr(v, indexToInsert, hBitsS, mls)] = indexToInsert;
      hashSmall[hashPtr(v, ip - 1, hBitsS, mls)] = ip - 1;
      while (ip <= ilimit) {
        const repIndex2 = ip - offset2;
        if (repIndex2 >= dictStart && noOverlap(prefixLowest, repIndex2) && equal4(v, repIndex2, ip)) {
          const repLength2 = countMatch(v, ip + 4, repIndex2 + 4, iend) + 4;
          const tmp = offset2;
          offset2 = offset1;
          offset1 = tmp;
          ss.store(src, anchor, 0, REPCODE1, repLength2);
          hashSmall[hashPtr(v, ip, hBitsS, mls)] = ip;
          hashLong[hashPtr(v, ip, hBitsL, 8)] = ip;
          ip += repLength2;
          anchor = ip;
          continue;
        }
        break;
      }
    }
  }

  rep[0] = offset1;
  rep[1] = offset2;
  return iend - anchor;
}

/**
 * `ZSTD_compressBlock_doubleFast_extDict_generic` over src[istart, iend): one long and one
 * short table holding dictionary and input positions (a copied double-fast CDict). Updates
 * rep[0..1]; returns the trailing literal count.
 */
export function compressBlockDoubleFastExtDict(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
  dictStart: number,
  prefixStart: number,
): number {
  const hashLong = ms.hashTable;
  const hBitsL = ms.hashLog;
  const hashSmall = ms.chainTable;
  const hBitsS = ms.chainLog;
  const mls = mlsOf(ms.minMatch);
  const ilimit = iend - 8;
  let anchor = istart;
  let ip = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;

  while (ip < ilimit) {
    const hSmall = hashPtr(v, ip, hBitsS, mls);
    const matchIndex = hashSmall[hSmall]!;
    const hLong = hashPtr(v, ip, hBitsL, 8);
    const matchLongIndex = hashLong[hLong]!;
    const curr = ip;
    const repIndex = curr + 1 - offset1;
    let mLength: number;
    hashSmall[hSmall] = curr;
    hashLong[hLong] = curr;

    if (noOverlap(prefixStart, repIndex) && offset1 <= curr + 1 - dictStart && equal4(v, repIndex, ip + 1)) {
      mLength = countMatch(v, ip + 1 + 4, repIndex + 4, iend) + 4;
      ip++;
      ss.store(src, anchor, ip - anchor, REPCODE1, mLength);
    } else if (matchLongIndex > dictStart && equal8(v, matchLongIndex, ip)) {
      let matchLong = matchLongIndex;
      const lowMatch = matchLongIndex < prefixStart ? dictStart : prefixStart;
      mLength = countMatch(v, ip + 8, matchLong + 8, iend) + 8;
      const offset = curr - matchLongIndex;
      while (ip > anchor && matchLong > lowMatch && src[ip - 1] === src[matchLong - 1]) {
        ip--;
        matchLong--;
        mLength++;
      }
      offset2 = offset1;
      offset1 = offset;
      ss.store(src, anchor, ip - anchor, offset + REP_NUM, mLength);
    } else if (matchIndex > dictStart && equal4(v, matchIndex, ip)) {
      const h3 = hashPtr(v, ip + 1, hBitsL, 8);
      const matchIndex3 = hashLong[h3]!;
      let offset: number;
      hashLong[h3] = curr + 1;
      if (matchIndex3 > dictStart && equal8(v, matchIndex3, ip + 1)) {
        let match3 = matchIndex3;
        const lowMatch = matchIndex3 < prefixStart ? dictStart : prefixStart;
        mLength = countMatch(v, ip + 9, match3 + 8, iend) + 8;
        ip++;
        offset = curr + 1 - matchIndex3;
        while (ip > anchor && match3 > lowMatch && src[ip - 1] === src[match3 - 1]) {
          ip--;
          match3--;
          mLength++;
        }
      } else {
        let match = matchIndex;
        const lowMatch = matchIndex < prefixStart ? dictStart : prefixStart;
        mLength = countMatch(v, ip + 4, match + 4, iend) + 4;
        offset = curr - matchIndex;
        while (ip > anchor && match > lowMatch && src[ip - 1] === src[match - 1]) {
          ip--;
          match--;
          mLength++;
        }
      }
      offset2 = offset1;
      offset1 = offset;
      ss.store(src, anchor, ip - anchor, offset + REP_NUM, mLength);
    } else {
      ip += ((ip - anchor) >> DFAST_SEARCH_STRENGTH) + 1;
      continue;
    }

    ip += mLength;
    anchor = ip;
    if (ip <= ilimit) {
      const indexToInsert = curr + 2;
      hashLong[hashPtr(v, indexToInsert, hBitsL, 8)] = indexToInsert;
      hashLong[hashPtr(v, ip - 2, hBitsL, 8)] = ip - 2;
      hashSmall[hashPtr(v, indexToInsert, hBitsS, mls)] = indexToInsert;
      hashSmall[hashPtr(v, ip - 1, hBitsS, mls)] = ip - 1;
      while (ip <= ilimit) {
        const repIndex2 = ip - offset2;
        if (noOverlap(prefixStart, repIndex2) && offset2 <= ip - dictStart && equal4(v, repIndex2, ip)) {
          const repLength2 = countMatch(v, ip + 4, repIndex2 + 4, iend) + 4;
          const tmp = offset2;
          offset2 = offset1;
          offset1 = tmp;
          ss.store(src, anchor, 0, REPCODE1, repLength2);
          hashSmall[hashPtr(v, ip, hBitsS, mls)] = ip;
          hashLong[hashPtr(v, ip, hBitsL, 8)] = ip;
          ip += repLength2;
          anchor = ip;
          continue;
        }
        break;
      }
    }
  }

  rep[0] = offset1;
  rep[1] = offset2;
  return iend - anchor;
}

/**
 * `ZSTD_fillDoubleHashTableForCCtx` with `ZSTD_dtlm_fast`: every third position of the
 * dictionary [dictStart, prefixStart) into both tables (a dictionary loaded into a context).
 */
export function fillDoubleFastTablesFromDict(ms: MatchState, v: DataView, dictStart: number, prefixStart: number): void {
  if (prefixStart - dictStart <= HASH_READ_SIZE) return;
  const hashLong = ms.hashTable;
  const hashSmall = ms.chainTable;
  const hBitsL = ms.hashLog;
  const hBitsS = ms.chainLog;
  const mls = mlsOf(ms.minMatch);
  const iend = prefixStart - HASH_READ_SIZE;
  for (let ip = dictStart; ip + 2 <= iend; ip += 3) {
    hashSmall[hashPtr(v, ip, hBitsS, mls)] = ip;
    hashLong[hashPtr(v, ip, hBitsL, 8)] = ip;
  }
}
