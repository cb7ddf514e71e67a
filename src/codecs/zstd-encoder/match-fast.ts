/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Single-hash match finder for levels 1-2 (libzstd strategy "fast"): one table of recent
 * positions, two positions probed per step, a repeat-offset check two bytes ahead, and a
 * step that grows over data that does not match. Port of
 * `ZSTD_compressBlock_fast_noDict_generic` (lib/compress/zstd_fast.c).
 */
import type { MatchState } from './match-state.js';
import { countMatch, equal4, hashPtr, lowestPrefixIndex } from './match-state.js';
import { REPCODE1, REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';

/** Positions between step increases (1 << (kSearchStrength − 1)). */
const STEP_INCREMENT = 128;
/** Bytes a hash may read past a position (HASH_READ_SIZE). */
export const HASH_READ_SIZE = 8;

/** Fill `ss` with the sequences of src[istart, iend); updates rep[0..1]. Returns the trailing literal count. */
export function compressBlockFast(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
): number {
  const hashTable = ms.hashTable;
  const hlog = ms.hashLog;
  const mm = ms.minMatch;
  const mls = mm >= 5 && mm <= 7 ? mm : 4;
  const stepSize = (ms.targetLength === 0 ? 1 : ms.targetLength) + 1;
  const prefixStart = lowestPrefixIndex(ms, iend);
  const ilimit = iend - HASH_READ_SIZE;
  let anchor = istart;
  let ip0 = istart;
  let rep1 = rep[0]!;
  let rep2 = rep[1]!;
  let offsetSaved1 = 0;
  let offsetSaved2 = 0;

  if (ip0 === prefixStart) ip0++;
  {
    const windowLow = lowestPrefixIndex(ms, ip0);
    const maxRep = ip0 - windowLow;
    if (rep2 > maxRep) {
      offsetSaved2 = rep2;
      rep2 = 0;
    }
    if (rep1 > maxRep) {
      offsetSaved1 = rep1;
      rep1 = 0;
    }
  }

  const fastWasm = ms.fastWasm;
  if (fastWasm !== null) {
    // The same loop in WebAssembly; its sequences are stored here.
    const n = fastWasm.run(ip0, istart, iend, prefixStart, rep1, rep2, hlog, stepSize);
    const seqs = fastWasm.seqs;
    for (let i = 0; i < 3 * n; i += 3) {
      const ll = seqs[i]!;
      const ml = seqs[i + 2]!;
      ss.store(src, anchor, ll, seqs[i + 1]!, ml);
      anchor += ll + ml;
    }
    rep1 = fastWasm.rep1();
    rep2 = fastWasm.rep2();
  }
  while (fastWasm === null) {
    let step = stepSize;
    let nextStep = ip0 + STEP_INCREMENT;
    let ip1 = ip0 + 1;
    let ip2 = ip0 + step;
    let ip3 = ip2 + 1;
    if (ip3 >= ilimit) break;
    let hash0 = hashPtr(v, ip0, hlog, mls);
    let hash1 = hashPtr(v, ip1, hlog, mls);
    let matchIdx = hashTable[hash0]!;
    let current0 = ip0;
    let match0 = 0;
    let offBase = 0;
    let mLength = 0;
    // 0: nothing found before the end, 1: repeat-offset match, 2: hash match at ip0
    let found = 0;
    do {
      current0 = ip0;
      hashTable[hash0] = current0;
      if (rep1 > 0 && equal4(v, ip2, ip2 - rep1)) {
        ip0 = ip2;
        match0 = ip0 - rep1;
        mLength = src[ip0 - 1] === src[match0 - 1] ? 1 : 0;
        ip0 -= mLength;
        match0 -= mLength;
        offBase = REPCODE1;
        mLength += 4;
        hashTable[hash1] = ip1;
        found = 1;
        break;
      }
      if (matchIdx >= prefixStart && equal4(v, ip0, matchIdx)) {
        hashTable[hash1] = ip1;
        found = 2;
        break;
      }
      matchIdx = hashTable[hash1]!;
      hash0 = hash1;
      hash1 = hashPtr(v, ip2, hlog, mls);
      ip0 = ip1;
      ip1 = ip2;
      ip2 = ip3;
      current0 = ip0;
      hashTable[hash0] = current0;
      if (matchIdx >= prefixStart && equal4(v, ip0, matchIdx)) {
        if (step <= 4) hashTable[hash1] = ip1;
        found = 2;
        break;
      }
      matchIdx = hashTable[hash1]!;
      hash0 = hash1;
      hash1 = hashPtr(v, ip2, hlog, mls);
      ip0 = ip1;
      ip1 = ip2;
      ip2 = ip0 + step;
      ip3 = ip1 + step;
      if (ip2 >= nextStep) {
        step++;
        nextStep += STEP_INCREMENT;
      }
    } while (ip3 < ilimit);
    if (found === 0) break;

    if (found === 2) {
      match0 = matchIdx;
      rep2 = rep1;
      rep1 = ip0 - match0;
      offBase = rep1 + REP_NUM;
      mLength = 4;
      while (ip0 > anchor && match0 > prefixStart && src[ip0 - 1] === src[match0 - 1]) {
        ip0--;
        match0--;
        mLength++;
      }
    }

    mLength += countMatch(v, ip0 + mLength, match0 + mLength, iend);
    ss.store(src, anchor, ip0 - anchor, offBase, mLength);
    ip0 += mLength;
    anchor = ip0;

    if (ip0 <= ilimit) {
      hashTable[hashPtr(v, current0 + 2, hlog, mls)] = current0 + 2;
      hashTable[hashPtr(v, ip0 - 2, hlog, mls)] = ip0 - 2;
      if (rep2 > 0) {
        while (ip0 <= ilimit && equal4(v, ip0, ip0 - rep2)) {
          const rLength = countMatch(v, ip0 + 4, ip0 + 4 - rep2, iend) + 4;
          const tmp = rep2;
          rep2 = rep1;
          rep1 = tmp;
          hashTable[hashPtr(v, ip0, hlog, mls)] = ip0;
          ip0 += rLength;
          ss.store(src, anchor, 0, REPCODE1, rLength);
          anchor = ip0;
        }
      }
    }
  }

  if (offsetSaved1 !== 0 && rep1 !== 0) offsetSaved2 = offsetSaved1;
  rep[0] = rep1 !== 0 ? rep1 : offsetSaved1;
  rep[1] = rep2 !== 0 ? rep2 : offsetSaved2;
  return iend - anchor;
}
