/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Two-table match finder for levels 3-4 (libzstd strategy "double fast"): a table of
 * 8-byte hashes for long matches and one of minMatch-byte hashes for short ones, a repeat
 * check one byte ahead, and a long-match check at the next position before a short match is
 * taken. Port of `ZSTD_compressBlock_doubleFast_noDict_generic`
 * (lib/compress/zstd_double_fast.c).
 */
import type { MatchState } from './match-state.js';
import { countMatch, equal4, hash8, hashPtr, lowestPrefixIndex } from './match-state.js';
import { HASH_READ_SIZE } from './match-fast.js';
import { REPCODE1, REP_NUM } from './seq-store.js';
import type { SeqStore } from './seq-store.js';

/** Positions between step increases (1 << kSearchStrength). */
const STEP_INCREMENT = 256;

function equal8(v: DataView, a: number, b: number): boolean {
  return v.getInt32(a, true) === v.getInt32(b, true) && v.getInt32(a + 4, true) === v.getInt32(b + 4, true);
}

/** Fill `ss` with the sequences of src[istart, iend); updates rep[0..1]. Returns the trailing literal count. */
export function compressBlockDoubleFast(
  ms: MatchState,
  ss: SeqStore,
  rep: Int32Array,
  src: Uint8Array,
  v: DataView,
  istart: number,
  iend: number,
): number {
  const hashLong = ms.hashTable;
  const hBitsL = ms.hashLog;
  const hashSmall = ms.chainTable;
  const hBitsS = ms.chainLog;
  const mm = ms.minMatch;
  const mls = mm >= 5 && mm <= 7 ? mm : 4;
  const prefixLowest = lowestPrefixIndex(ms, iend);
  const ilimit = iend - HASH_READ_SIZE;
  let anchor = istart;
  let ip = istart;
  let offset1 = rep[0]!;
  let offset2 = rep[1]!;
  let offsetSaved1 = 0;
  let offsetSaved2 = 0;

  if (ip === prefixLowest) ip++;
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

  for (;;) {
    let step = 1;
    let nextStep = ip + STEP_INCREMENT;
    let ip1 = ip + step;
    if (ip1 > ilimit) break;
    let hl0 = hash8(v, ip, hBitsL);
    let idxl0 = hashLong[hl0]!;
    let hl1 = 0;
    let idxl1 = 0;
    let curr = ip;
    let mLength = 0;
    let offset = 0;
    let matchs0 = 0;
    // 0: end reached, 1: repeat match stored, 2: long match at ip, 3: short match at ip
    let found = 0;
    do {
      const hs0 = hashPtr(v, ip, hBitsS, mls);
      const idxs0 = hashSmall[hs0]!;
      curr = ip;
      hashLong[hl0] = curr;
      hashSmall[hs0] = curr;
      if (offset1 > 0 && equal4(v, ip + 1 - offset1, ip + 1)) {
        mLength = countMatch(v, ip + 1 + 4, ip + 1 + 4 - offset1, iend) + 4;
        ip++;
        ss.store(src, anchor, ip - anchor, REPCODE1, mLength);
        found = 1;
        break;
      }
      hl1 = hash8(v, ip1, hBitsL);
      if (idxl0 > prefixLowest && equal8(v, idxl0, ip)) {
        mLength = countMatch(v, ip + 8, idxl0 + 8, iend) + 8;
        offset = ip - idxl0;
        let m = idxl0;
        while (ip > anchor && m > prefixLowest && src[ip - 1] === src[m - 1]) {
          ip--;
          m--;
          mLength++;
        }
        found = 2;
        break;
      }
      idxl1 = hashLong[hl1]!;
      if (idxs0 > prefixLowest && equal4(v, idxs0, ip)) {
        matchs0 = idxs0;
        found = 3;
        break;
      }
      if (ip1 >= nextStep) {
        step++;
        nextStep += STEP_INCREMENT;
      }
      ip = ip1;
      ip1 += step;
      hl0 = hl1;
      idxl0 = idxl1;
    } while (ip1 <= ilimit);
    if (found === 0) break;

    if (found !== 1) {
      if (found === 3) {
        mLength = countMatch(v, ip + 4, matchs0 + 4, iend) + 4;
        offset = ip - matchs0;
        if (idxl1 > prefixLowest && equal8(v, idxl1, ip1)) {
          const l1len = countMatch(v, ip1 + 8, idxl1 + 8, iend) + 8;
          if (l1len > mLength) {
            ip = ip1;
            mLength = l1len;
            offset = ip - idxl1;
            matchs0 = idxl1;
          }
        }
        while (ip > anchor && matchs0 > prefixLowest && src[ip - 1] === src[matchs0 - 1]) {
          ip--;
          matchs0--;
          mLength++;
        }
      }
      offset2 = offset1;
      offset1 = offset;
      if (step < 4) hashLong[hl1] = ip1;
      ss.store(src, anchor, ip - anchor, offset + REP_NUM, mLength);
    }

    ip += mLength;
    anchor = ip;
    if (ip <= ilimit) {
      const indexToInsert = curr + 2;
      hashLong[hash8(v, indexToInsert, hBitsL)] = indexToInsert;
      hashLong[hash8(v, ip - 2, hBitsL)] = ip - 2;
      hashSmall[hashPtr(v, indexToInsert, hBitsS, mls)] = indexToInsert;
      hashSmall[hashPtr(v, ip - 1, hBitsS, mls)] = ip - 1;
      while (ip <= ilimit && offset2 > 0 && equal4(v, ip, ip - offset2)) {
        const rLength = countMatch(v, ip + 4, ip + 4 - offset2, iend) + 4;
        const tmp = offset2;
        offset2 = offset1;
        offset1 = tmp;
        hashSmall[hashPtr(v, ip, hBitsS, mls)] = ip;
        hashLong[hash8(v, ip, hBitsL)] = ip;
        ss.store(src, anchor, 0, REPCODE1, rLength);
        ip += rLength;
        anchor = ip;
      }
    }
  }

  if (offsetSaved1 !== 0 && offset1 !== 0) offsetSaved2 = offsetSaved1;
  rep[0] = offset1 !== 0 ? offset1 : offsetSaved1;
  rep[1] = offset2 !== 0 ? offset2 : offsetSaved2;
  return iend - anchor;
}
