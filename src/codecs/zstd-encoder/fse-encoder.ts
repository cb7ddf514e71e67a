/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * FSE (tANS) encoding side, RFC 8878 §4.1: normalizing symbol counts to a power-of-two
 * total, writing the normalized counts as a table description, building the encoding
 * table and encoding symbols. Ported from libzstd lib/compress/fse_compress.c
 * (`FSE_normalizeCount`, `FSE_writeNCount`, `FSE_buildCTable_wksp`,
 * `FSE_compress_usingCTable`) and lib/common/fse.h (`FSE_initCState2`,
 * `FSE_encodeSymbol`, `FSE_flushCState`, `FSE_bitCost`).
 */
import { BitWriter } from './bit-writer.js';
import { highBit } from './params.js';

export const FSE_MIN_TABLELOG = 5;
export const FSE_MAX_TABLELOG = 12;
/** Largest symbol an FSE table in zstd needs (match-length codes go to 52; weights to 12). */
const FSE_MAX_SYMBOL_VALUE = 255;

/**
 * floor(-log2(x / 256) · 256) for x in 1..255, and 0 for x = 0: the cost in 1/256 bit of a
 * symbol of probability x/256 (libzstd `kInverseProbabilityLog256`). Exact powers of two
 * give exact results; no other entry lies close enough to an integer for the rounding of
 * Math.log2 to matter.
 */
export const inverseProbabilityLog256: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let x = 1; x < 256; x++) t[x] = Math.floor(256 * (8 - Math.log2(x)));
  return t;
})();

/** FSE encoding table (`FSE_CTable`): next-state table and per-symbol transforms. */
export class FseCTable {
  tableLog = 0;
  maxSymbolValue = 0;
  readonly stateTable = new Uint16Array(1 << FSE_MAX_TABLELOG);
  readonly deltaNbBits = new Int32Array(FSE_MAX_SYMBOL_VALUE + 1);
  readonly deltaFindState = new Int32Array(FSE_MAX_SYMBOL_VALUE + 1);

  copyFrom(o: FseCTable): void {
    this.tableLog = o.tableLog;
    this.maxSymbolValue = o.maxSymbolValue;
    const size = o.tableLog === 0 ? 2 : 1 << o.tableLog;
    this.stateTable.set(o.stateTable.subarray(0, size));
    const n = o.maxSymbolValue + 1;
    this.deltaNbBits.set(o.deltaNbBits.subarray(0, n));
    this.deltaFindState.set(o.deltaFindState.subarray(0, n));
  }
}

/** Scratch for building tables; one per encoder state. */
export class FseScratch {
  readonly cumul = new Uint16Array(FSE_MAX_SYMBOL_VALUE + 2);
  readonly tableSymbol = new Uint8Array(1 << FSE_MAX_TABLELOG);
}

function minTableLog(srcSize: number, maxSymbolValue: number): number {
  const minBitsSrc = highBit(srcSize) + 1;
  const minBitsSymbols = (maxSymbolValue === 0 ? -1 : highBit(maxSymbolValue)) + 2;
  return minBitsSrc < minBitsSymbols ? minBitsSrc : minBitsSymbols;
}

/**
 * Table size for `srcSize` symbols up to `maxSymbolValue` (`FSE_optimalTableLog_internal`;
 * `minus` is 2 for FSE tables and 1 when the same rule picks a Huffman depth). srcSize > 1.
 */
export function optimalTableLog(maxTableLog: number, srcSize: number, maxSymbolValue: number, minus: number): number {
  // In C this is unsigned: a negative value wraps around and never lowers tableLog.
  const maxBitsSrc = highBit(srcSize - 1) - minus;
  let tableLog = maxTableLog === 0 ? 11 : maxTableLog;
  const minBits = minTableLog(srcSize, maxSymbolValue);
  if (maxBitsSrc >= 0 && maxBitsSrc < tableLog) tableLog = maxBitsSrc;
  if (minBits > tableLog) tableLog = minBits;
  if (tableLog < FSE_MIN_TABLELOG) tableLog = FSE_MIN_TABLELOG;
  if (tableLog > FSE_MAX_TABLELOG) tableLog = FSE_MAX_TABLELOG;
  return tableLog;
}

const RTB_TABLE = [0, 473195, 504333, 520860, 550000, 700000, 750000, 830000];

/**
 * Normalize `count[0..maxSymbolValue]` (summing to `total`) to a distribution summing to
 * 2^tableLog in which every present symbol keeps a non-zero probability; symbols rarer
 * than 1/2^tableLog get -1 ("less than one") when `useLowProbCount`, else 1. Returns
 * false when the table is too small for the alphabet.
 *
 * libzstd computes `count · ⌊2^62 / total⌋ >> (62 − tableLog)` in 64-bit integers. Writing
 * 2^62 = q·total + r, that equals ⌊(A − B) / total⌋ with A = count·2^tableLog and
 * B = count·r / 2^(62−tableLog) < 1, which this port evaluates exactly in doubles, so the
 * normalized counts are the same as libzstd's.
 */
export function normalizeCount(
  norm: Int16Array,
  tableLog: number,
  count: Uint32Array,
  total: number,
  maxSymbolValue: number,
  useLowProbCount: boolean,
): boolean {
  if (tableLog < FSE_MIN_TABLELOG || tableLog > FSE_MAX_TABLELOG) return false;
  if (tableLog < minTableLog(total, maxSymbolValue)) return false;
  const lowProbCount = useLowProbCount ? -1 : 1;
  // r = 2^62 mod total, by squaring 2^31 mod total (all intermediates below 2^53).
  const r31 = 2147483648 % total;
  const r = (r31 * r31) % total;
  const exactDivision = r === 0;
  const scaleMinus20 = 42 - tableLog;
  const bScale = Math.pow(2, scaleMinus20);
  let stillToDistribute = 1 << tableLog;
  let largest = 0;
  let largestP = 0;
  const lowThreshold = Math.floor(total / (1 << tableLog));
  for (let s = 0; s <= maxSymbolValue; s++) {
    const c = count[s]!;
    if (c === total) return true; // a single symbol: the caller uses RLE
    if (c === 0) {
      norm[s] = 0;
      continue;
    }
    if (c <= lowThreshold) {
      norm[s] = lowProbCount;
      stillToDistribute--;
    } else {
      const a = c * (1 << tableLog);
      let proba = Math.floor(a / total);
      let d = a - proba * total;
      if (d === 0 && !exactDivision) {
        proba -= 1;
        d = total;
      }
      if (proba < 8) {
        // fractional part > rtb / 2^20, i.e. 2^20·d − B·2^20 > rtb·total
        const lhs = d * 1048576 - RTB_TABLE[proba]! * total;
        if (lhs > (c * r) / bScale) proba += 1;
      }
      if (proba > largestP) {
        largestP = proba;
        largest = s;
      }
      norm[s] = proba;
      stillToDistribute -= proba;
    }
  }
  if (-stillToDistribute >= norm[largest]! >> 1) {
    return normalizeM2(norm, tableLog, count, total, maxSymbolValue, lowProbCount);
  }
  norm[largest] = norm[largest]! + stillToDistribute;
  return true;
}

/** Secondary normalization for skewed distributions (`FSE_normalizeM2`). Rarely used. */
function normalizeM2(
  norm: Int16Array,
  tableLog: number,
  count: Uint32Array,
  totalIn: number,
  maxSymbolValue: number,
  lowProbCount: number,
): boolean {
  const NOT_YET_ASSIGNED = -2;
  let total = totalIn;
  let distributed = 0;
  const lowThreshold = Math.floor(total / (1 << tableLog));
  let lowOne = Math.floor((total * 3) / (1 << (tableLog + 1)));
  for (let s = 0; s <= maxSymbolValue; s++) {
    const c = count[s]!;
    if (c === 0) {
      norm[s] = 0;
    } else if (c <= lowThreshold) {
      norm[s] = lowProbCount;
      distributed++;
      total -= c;
    } else if (c <= lowOne) {
      norm[s] = 1;
      distributed++;
      total -= c;
    } else {
      norm[s] = NOT_YET_ASSIGNED;
    }
  }
  let toDistribute = (1 << tableLog) - distributed;
  if (toDistribute === 0) return true;
  if (Math.floor(total / toDistribute) > lowOne) {
    lowOne = Math.floor((total * 3) / (toDistribute * 2));
    for (let s = 0; s <= maxSymbolValue; s++) {
      if (norm[s] === NOT_YET_ASSIGNED && count[s]! <= lowOne) {
        norm[s] = 1;
        distributed++;
        total -= count[s]!;
      }
    }
    toDistribute = (1 << tableLog) - distributed;
  }
  if (distributed === maxSymbolValue + 1) {
    let maxV = 0;
    let maxC = 0;
    for (let s = 0; s <= maxSymbolValue; s++) {
      if (count[s]! > maxC) {
        maxV = s;
        maxC = count[s]!;
      }
    }
    norm[maxV] = norm[maxV]! + toDistribute;
    return true;
  }
  if (total === 0) {
    for (let s = 0; toDistribute > 0; s = (s + 1) % (maxSymbolValue + 1)) {
      if (norm[s]! > 0) {
        toDistribute--;
        norm[s] = norm[s]! + 1;
      }
    }
    return true;
  }
  // 64-bit fixed point spread of the remaining weight, exactly as libzstd.
  const vStepLog = BigInt(62 - tableLog);
  const mid = (1n << (vStepLog - 1n)) - 1n;
  const rStep = ((1n << vStepLog) * BigInt(toDistribute) + mid) / BigInt(total);
  let tmpTotal = mid;
  for (let s = 0; s <= maxSymbolValue; s++) {
    if (norm[s] === NOT_YET_ASSIGNED) {
      const end = tmpTotal + BigInt(count[s]!) * rStep;
      const sStart = Number(tmpTotal >> vStepLog);
      const sEnd = Number(end >> vStepLog);
      const weight = sEnd - sStart;
      if (weight < 1) return false;
      norm[s] = weight;
      tmpTotal = end;
    }
  }
  return true;
}

/**
 * Write the table description of a normalized distribution (RFC 8878 §4.1.1,
 * `FSE_writeNCount_generic`) at out[op..]. Returns the number of bytes written, or -1
 * when it would not fit before `oend` or the distribution is invalid.
 */
export function writeNCount(
  norm: Int16Array,
  maxSymbolValue: number,
  tableLog: number,
  out: Uint8Array,
  op: number,
  oend: number,
): number {
  const ostart = op;
  const tableSize = 1 << tableLog;
  let bitStream = tableLog - FSE_MIN_TABLELOG;
  let bitCount = 4;
  let remaining = tableSize + 1;
  let threshold = tableSize;
  let nbBits = tableLog + 1;
  let symbol = 0;
  const alphabetSize = maxSymbolValue + 1;
  let previousIs0 = false;
  while (symbol < alphabetSize && remaining > 1) {
    if (previousIs0) {
      let start = symbol;
      while (symbol < alphabetSize && norm[symbol] === 0) symbol++;
      if (symbol === alphabetSize) break;
      while (symbol >= start + 24) {
        start += 24;
        bitStream = (bitStream + (0xffff << bitCount)) >>> 0;
        if (op + 2 > oend) return -1;
        out[op] = bitStream;
        out[op + 1] = bitStream >>> 8;
        op += 2;
        bitStream >>>= 16;
      }
      while (symbol >= start + 3) {
        start += 3;
        bitStream = (bitStream + (3 << bitCount)) >>> 0;
        bitCount += 2;
      }
      bitStream = (bitStream + ((symbol - start) << bitCount)) >>> 0;
      bitCount += 2;
      if (bitCount > 16) {
        if (op + 2 > oend) return -1;
        out[op] = bitStream;
        out[op + 1] = bitStream >>> 8;
        op += 2;
        bitStream >>>= 16;
        bitCount -= 16;
      }
    }
    {
      let count = norm[symbol++]!;
      const max = 2 * threshold - 1 - remaining;
      remaining -= count < 0 ? -count : count;
      count++;
      if (count >= threshold) count += max;
      bitStream = (bitStream + (count << bitCount)) >>> 0;
      bitCount += nbBits;
      if (count < max) bitCount--;
      previousIs0 = count === 1;
      if (remaining < 1) return -1;
      while (remaining < threshold) {
        nbBits--;
        threshold >>= 1;
      }
    }
    if (bitCount > 16) {
      if (op + 2 > oend) return -1;
      out[op] = bitStream;
      out[op + 1] = bitStream >>> 8;
      op += 2;
      bitStream >>>= 16;
      bitCount -= 16;
    }
  }
  if (remaining !== 1) return -1;
  // libzstd stores two bytes for the last flush whatever it keeps, so it needs room for two.
  if (op + 2 > oend) return -1;
  out[op] = bitStream;
  out[op + 1] = bitStream >>> 8;
  op += (bitCount + 7) >> 3;
  return op - ostart;
}

/**
 * Build the encoding table for a normalized distribution (`FSE_buildCTable_wksp`). The
 * symbol spread is the decoder's (RFC 8878 §4.1.1), so both sides agree on every state.
 */
export function buildFseCTable(
  ct: FseCTable,
  norm: Int16Array,
  maxSymbolValue: number,
  tableLog: number,
  scratch: FseScratch,
): void {
  const tableSize = 1 << tableLog;
  const tableMask = tableSize - 1;
  const step = (tableSize >> 1) + (tableSize >> 3) + 3;
  const cumul = scratch.cumul;
  const tableSymbol = scratch.tableSymbol;
  const stateTable = ct.stateTable;
  let highThreshold = tableSize - 1;
  ct.tableLog = tableLog;
  ct.maxSymbolValue = maxSymbolValue;

  cumul[0] = 0;
  for (let u = 1; u <= maxSymbolValue + 1; u++) {
    const n = norm[u - 1]!;
    if (n === -1) {
      cumul[u] = cumul[u - 1]! + 1;
      tableSymbol[highThreshold--] = u - 1;
    } else {
      cumul[u] = cumul[u - 1]! + n;
    }
  }
  cumul[maxSymbolValue + 1] = tableSize + 1;

  let position = 0;
  for (let symbol = 0; symbol <= maxSymbolValue; symbol++) {
    const freq = norm[symbol]!;
    for (let k = 0; k < freq; k++) {
      tableSymbol[position] = symbol;
      position = (position + step) & tableMask;
      while (position > highThreshold) position = (position + step) & tableMask;
    }
  }

  for (let u = 0; u < tableSize; u++) {
    const s = tableSymbol[u]!;
    stateTable[cumul[s]!] = tableSize + u;
    cumul[s] = cumul[s]! + 1;
  }

  let total = 0;
  for (let s = 0; s <= maxSymbolValue; s++) {
    const n = norm[s]!;
    if (n === 0) {
      ct.deltaNbBits[s] = ((tableLog + 1) << 16) - tableSize;
      ct.deltaFindState[s] = 0;
    } else if (n === -1 || n === 1) {
      ct.deltaNbBits[s] = (tableLog << 16) - tableSize;
      ct.deltaFindState[s] = total - 1;
      total++;
    } else {
      const maxBitsOut = tableLog - highBit(n - 1);
      const minStatePlus = n << maxBitsOut;
      ct.deltaNbBits[s] = (maxBitsOut << 16) - minStatePlus;
      ct.deltaFindState[s] = total - n;
      total += n;
    }
  }
}

/** A table that always encodes `symbol` with zero bits (`FSE_buildCTable_rle`). */
export function buildRleFseCTable(ct: FseCTable, symbol: number): void {
  ct.tableLog = 0;
  ct.maxSymbolValue = symbol;
  ct.stateTable[0] = 0;
  ct.stateTable[1] = 0;
  ct.deltaNbBits.fill(0, 0, symbol + 1);
  ct.deltaFindState.fill(0, 0, symbol + 1);
}

/**
 * First state of a stream, chosen so the first symbol encoded (the last one decoded) costs
 * nothing (`FSE_initCState2`).
 */
export function fseInitState(ct: FseCTable, symbol: number): number {
  const dnb = ct.deltaNbBits[symbol]!;
  const nbBitsOut = (dnb + (1 << 15)) >>> 16;
  const value = (nbBitsOut << 16) - dnb;
  return ct.stateTable[(value >> nbBitsOut) + ct.deltaFindState[symbol]!]!;
}

/**
 * Estimated cost in 1/256 bit of coding `count` with an existing table, or -1 when the
 * table cannot code a present symbol (`ZSTD_fseBitCost` with `FSE_bitCost`).
 */
export function fseBitCost(ct: FseCTable, count: Uint32Array, max: number): number {
  const accuracyLog = 8;
  if (ct.maxSymbolValue < max) return -1;
  const tableLog = ct.tableLog;
  const tableSize = 1 << tableLog;
  const badCost = (tableLog + 1) << accuracyLog;
  let cost = 0;
  for (let s = 0; s <= max; s++) {
    const c = count[s]!;
    if (c === 0) continue;
    const dnb = ct.deltaNbBits[s]!;
    const minNbBits = dnb >>> 16;
    const threshold = (minNbBits + 1) << 16;
    const deltaFromThreshold = threshold - (dnb + tableSize);
    const normalizedDelta = (deltaFromThreshold << accuracyLog) >>> tableLog;
    const bitCost = (minNbBits + 1) * (1 << accuracyLog) - normalizedDelta;
    if (bitCost >= badCost) return -1;
    cost += c * bitCost;
  }
  return Math.floor(cost / 256);
}

/**
 * FSE-compress src[ip, ip+n) with two interleaved states, as the Huffman weight header
 * does (`FSE_compress_usingCTable_generic`). Returns the size written at out[op..], or 0
 * when n <= 2 or the output does not fit before `oend`.
 */
export function fseCompressWithTable(
  src: Uint8Array,
  ip: number,
  n: number,
  ct: FseCTable,
  out: Uint8Array,
  op: number,
  oend: number,
  bw: BitWriter,
): number {
  if (n <= 2) return 0;
  bw.init(out, op, oend);
  const stateTable = ct.stateTable;
  const deltaNbBits = ct.deltaNbBits;
  const deltaFindState = ct.deltaFindState;
  let p = ip + n;
  let state1: number;
  let state2: number;
  let s: number;
  let nb: number;
  if ((n & 1) !== 0) {
    state1 = fseInitState(ct, src[--p]!);
    state2 = fseInitState(ct, src[--p]!);
    s = src[--p]!;
    nb = (state1 + deltaNbBits[s]!) >>> 16;
    bw.addBits(state1 & ((1 << nb) - 1), nb);
    state1 = stateTable[(state1 >> nb) + deltaFindState[s]!]!;
  } else {
    state2 = fseInitState(ct, src[--p]!);
    state1 = fseInitState(ct, src[--p]!);
  }
  while (p > ip) {
    s = src[--p]!;
    nb = (state2 + deltaNbBits[s]!) >>> 16;
    bw.addBits(state2 & ((1 << nb) - 1), nb);
    state2 = stateTable[(state2 >> nb) + deltaFindState[s]!]!;
    s = src[--p]!;
    nb = (state1 + deltaNbBits[s]!) >>> 16;
    bw.addBits(state1 & ((1 << nb) - 1), nb);
    state1 = stateTable[(state1 >> nb) + deltaFindState[s]!]!;
  }
  bw.addBits(state2 & ((1 << ct.tableLog) - 1), ct.tableLog);
  bw.addBits(state1 & ((1 << ct.tableLog) - 1), ct.tableLog);
  return bw.close();
}
