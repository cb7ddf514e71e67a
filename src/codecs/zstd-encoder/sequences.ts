/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Sequences section of a compressed block (RFC 8878 §3.1.1.3.2): literal-length,
 * match-length and offset codes, the choice of predefined / RLE / new FSE table / previous
 * table for each, the table descriptions, and the interleaved FSE bitstream. Ported from
 * libzstd lib/compress/zstd_compress_sequences.c (`ZSTD_selectEncodingType`,
 * `ZSTD_buildCTable`, `ZSTD_encodeSequences_body`, the cost estimators) and
 * zstd_compress.c (`ZSTD_seqToCodes`, `ZSTD_buildSequencesStatistics`).
 */
import {
  FseCTable,
  FseScratch,
  buildFseCTable,
  buildRleFseCTable,
  fseBitCost,
  fseInitState,
  inverseProbabilityLog256,
  normalizeCount,
  optimalTableLog,
  writeNCount,
} from './fse-encoder.js';
import { BitWriter, fitsWithSlack } from './bit-writer.js';
import { encodeSequencesWasm, takeSequencesStream } from './sequences-wasm.js';
import { Strategy, highBit } from './params.js';
import { LL_BITS, LL_CODE_SMALL, MAX_LL, MAX_ML, MAX_OFF, ML_BITS, ML_CODE_SMALL, type SeqStore } from './seq-store.js';

export { LL_BITS, MAX_LL, MAX_ML, MAX_OFF, ML_BITS, llCode, mlCode } from './seq-store.js';

const DEFAULT_MAX_OFF = 28;
const LL_FSE_LOG = 9;
const ML_FSE_LOG = 9;
const OFF_FSE_LOG = 8;
const LONGNBSEQ = 0x7f00;

/** Encoding types (RFC 8878 Symbol_Compression_Mode). */
export const SET_BASIC = 0;
export const SET_RLE = 1;
export const SET_COMPRESSED = 2;
export const SET_REPEAT = 3;

/** Whether a previous table may be reused (`FSE_repeat`). */
export const FseRepeat = { None: 0, Check: 1, Valid: 2 } as const;

const LL_DEFAULT_NORM = new Int16Array([
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1,
]);
const ML_DEFAULT_NORM = new Int16Array([
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
]);
const OF_DEFAULT_NORM = new Int16Array([
  1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
]);
const LL_DEFAULT_NORM_LOG = 6;
const ML_DEFAULT_NORM_LOG = 6;
const OF_DEFAULT_NORM_LOG = 5;

/** The predefined distributions of literal lengths, offsets and match lengths, in that order. */
export const defaultNorms: readonly { readonly norm: Int16Array; readonly log: number }[] = [
  { norm: LL_DEFAULT_NORM, log: LL_DEFAULT_NORM_LOG },
  { norm: OF_DEFAULT_NORM, log: OF_DEFAULT_NORM_LOG },
  { norm: ML_DEFAULT_NORM, log: ML_DEFAULT_NORM_LOG },
];

/** Tables of one block (or carried from the previous one) for the three code streams. */
export class SeqEntropy {
  readonly ll = new FseCTable();
  readonly of = new FseCTable();
  readonly ml = new FseCTable();
  llRepeat: number = FseRepeat.None;
  ofRepeat: number = FseRepeat.None;
  mlRepeat: number = FseRepeat.None;

  copyFrom(o: SeqEntropy): void {
    this.ll.copyFrom(o.ll);
    this.of.copyFrom(o.of);
    this.ml.copyFrom(o.ml);
    this.llRepeat = o.llRepeat;
    this.ofRepeat = o.ofRepeat;
    this.mlRepeat = o.mlRepeat;
  }

  reset(): void {
    this.llRepeat = FseRepeat.None;
    this.ofRepeat = FseRepeat.None;
    this.mlRepeat = FseRepeat.None;
  }
}

export class SequencesScratch {
  readonly count = new Uint32Array(MAX_ML + 1);
  readonly norm = new Int16Array(MAX_ML + 1);
  readonly ncountBuf = new Uint8Array(512);
  readonly fse = new FseScratch();
  readonly predefLL = new FseCTable();
  readonly predefML = new FseCTable();
  readonly predefOF = new FseCTable();
  /** Encoding types chosen for the block being written: LL, OF, ML. */
  readonly types = new Int32Array(3);
  readonly histResult = new Int32Array(2);
  /** Size of the last new-table description written (0 if none). */
  lastCountSize = 0;
  readonly repeatResult = new Int32Array(1);

  constructor() {
    buildFseCTable(this.predefLL, LL_DEFAULT_NORM, MAX_LL, LL_DEFAULT_NORM_LOG, this.fse);
    buildFseCTable(this.predefML, ML_DEFAULT_NORM, MAX_ML, ML_DEFAULT_NORM_LOG, this.fse);
    buildFseCTable(this.predefOF, OF_DEFAULT_NORM, DEFAULT_MAX_OFF, OF_DEFAULT_NORM_LOG, this.fse);
  }
}

/** Fill the code arrays for sequences first..first+n-1 of the store (`ZSTD_seqToCodes`). */
export function seqToCodes(ss: SeqStore, first: number, n: number): void {
  // The WebAssembly lazy parser hands its sequences over with their codes.
  if (first + n <= ss.codedSeqs) return;
  const lls = ss.litLengths;
  const offs = ss.offBases;
  const mls = ss.mlBases;
  const llc = ss.llCode;
  const ofc = ss.ofCode;
  const mlc = ss.mlCode;
  for (let u = first; u < first + n; u++) {
    const ll = lls[u]!;
    const ml = mls[u]!;
    llc[u] = ll > 63 ? highBit(ll) + 19 : LL_CODE_SMALL[ll]!;
    ofc[u] = highBit(offs[u]!);
    mlc[u] = ml > 127 ? highBit(ml) + 36 : ML_CODE_SMALL[ml]!;
  }
}

/** Histogram of codes[first, first+n): counts for 0..maxSymbolValue; result = [max symbol, largest count]. */
export function countCodes(count: Uint32Array, codes: Uint8Array, first: number, n: number, maxSymbolValue: number, result: Int32Array): void {
  count.fill(0, 0, maxSymbolValue + 1);
  for (let i = first; i < first + n; i++) count[codes[i]!]!++;
  summarizeCounts(count, maxSymbolValue, result);
}

/**
 * Histogram of the codes of sequences [first, first+n) into `count`: the one the store holds
 * when it counted exactly those (the WebAssembly lazy parser's), else counted here.
 */
function histogramOf(
  count: Uint32Array, ss: SeqStore, held: Uint32Array, codes: Uint8Array, first: number, n: number, maxSymbolValue: number, result: Int32Array,
): void {
  if (first !== 0 || n !== ss.countedSeqs) {
    countCodes(count, codes, first, n, maxSymbolValue, result);
    return;
  }
  count.set(held.subarray(0, maxSymbolValue + 1));
  summarizeCounts(count, maxSymbolValue, result);
}

/** result = [largest symbol counted, largest count] of count[0..maxSymbolValue]. */
function summarizeCounts(count: Uint32Array, maxSymbolValue: number, result: Int32Array): void {
  let max = maxSymbolValue;
  while (max > 0 && count[max] === 0) max--;
  let largest = 0;
  for (let s = 0; s <= max; s++) if (count[s]! > largest) largest = count[s]!;
  result[0] = max;
  result[1] = largest;
}

/** Table descriptions use "less than one" probabilities only when there are many sequences. */
function useLowProbCount(nbSeq: number): boolean {
  return nbSeq >= 2048;
}

/** Size in bytes of the table description a new table would need (`ZSTD_NCountCost`). */
function nCountCost(count: Uint32Array, max: number, nbSeq: number, fseLog: number, ws: SequencesScratch): number {
  const tableLog = optimalTableLog(fseLog, nbSeq, max, 2);
  if (!normalizeCount(ws.norm, tableLog, count, nbSeq, max, useLowProbCount(nbSeq))) return -1;
  return writeNCount(ws.norm, max, tableLog, ws.ncountBuf, 0, ws.ncountBuf.length);
}

/** Entropy bound in bits of a distribution (`ZSTD_entropyCost`). */
function entropyCost(count: Uint32Array, max: number, total: number): number {
  let cost = 0;
  for (let s = 0; s <= max; s++) {
    const c = count[s]!;
    if (c === 0) continue;
    let norm = Math.floor((256 * c) / total);
    if (norm === 0) norm = 1;
    cost += c * inverseProbabilityLog256[norm]!;
  }
  return Math.floor(cost / 256);
}

/** Bits to code `count` with a predefined distribution (`ZSTD_crossEntropyCost`). */
export function crossEntropyCost(norm: Int16Array, accuracyLog: number, count: Uint32Array, max: number): number {
  const shift = 8 - accuracyLog;
  let cost = 0;
  for (let s = 0; s <= max; s++) {
    const n = norm[s]!;
    const normAcc = n !== -1 ? n : 1;
    cost += count[s]! * inverseProbabilityLog256[normAcc << shift]!;
  }
  return Math.floor(cost / 256);
}

/**
 * Pick the encoding type of one code stream (`ZSTD_selectEncodingType`). `repeat` is the
 * repeat state carried from the previous block; the updated state is stored in
 * `repeatOut[0]`.
 */
function selectEncodingType(
  repeat: number,
  repeatOut: Int32Array,
  count: Uint32Array,
  max: number,
  mostFrequent: number,
  nbSeq: number,
  fseLog: number,
  prevCTable: FseCTable,
  defaultNorm: Int16Array,
  defaultNormLog: number,
  defaultAllowed: boolean,
  strategy: number,
  ws: SequencesScratch,
): number {
  repeatOut[0] = repeat;
  if (mostFrequent === nbSeq) {
    repeatOut[0] = FseRepeat.None;
    if (defaultAllowed && nbSeq <= 2) return SET_BASIC;
    return SET_RLE;
  }
  if (strategy < Strategy.Lazy) {
    if (defaultAllowed) {
      const staticFseNbSeqMax = 1000;
      const mult = 10 - strategy;
      const dynamicFseNbSeqMin = ((1 << defaultNormLog) * mult) >> 3;
      if (repeat === FseRepeat.Valid && nbSeq < staticFseNbSeqMax) return SET_REPEAT;
      if (nbSeq < dynamicFseNbSeqMin || mostFrequent < nbSeq >> (defaultNormLog - 1)) {
        repeatOut[0] = FseRepeat.None;
        return SET_BASIC;
      }
    }
  } else {
    const basicCost = defaultAllowed ? crossEntropyCost(defaultNorm, defaultNormLog, count, max) : Infinity;
    let repeatCost = Infinity;
    if (repeat !== FseRepeat.None) {
      const c = fseBitCost(prevCTable, count, max);
      if (c >= 0) repeatCost = c;
    }
    const ncount = nCountCost(count, max, nbSeq, fseLog, ws);
    const compressedCost = ncount < 0 ? Infinity : ncount * 8 + entropyCost(count, max, nbSeq);
    if (basicCost <= repeatCost && basicCost <= compressedCost) {
      repeatOut[0] = FseRepeat.None;
      return SET_BASIC;
    }
    if (repeatCost <= compressedCost) return SET_REPEAT;
  }
  repeatOut[0] = FseRepeat.Check;
  return SET_COMPRESSED;
}

/**
 * Build the table for the chosen type into `next` and write its description
 * (`ZSTD_buildCTable`). Returns the bytes written, or -1.
 */
function buildSeqCTable(
  out: Uint8Array,
  op: number,
  oend: number,
  next: FseCTable,
  fseLog: number,
  type: number,
  count: Uint32Array,
  max: number,
  codes: Uint8Array,
  first: number,
  nbSeq: number,
  predefined: FseCTable,
  prev: FseCTable,
  ws: SequencesScratch,
): number {
  switch (type) {
    case SET_RLE:
      buildRleFseCTable(next, max);
      if (oend - op < 1) return -1;
      out[op] = codes[first]!;
      return 1;
    case SET_REPEAT:
      next.copyFrom(prev);
      return 0;
    case SET_BASIC:
      next.copyFrom(predefined);
      return 0;
    default: {
      let nbSeq1 = nbSeq;
      const tableLog = optimalTableLog(fseLog, nbSeq, max, 2);
      // The last symbol is coded for free by the initial state.
      const last = codes[first + nbSeq - 1]!;
      if (count[last]! > 1) {
        count[last] = count[last]! - 1;
        nbSeq1--;
      }
      if (!normalizeCount(ws.norm, tableLog, count, nbSeq1, max, useLowProbCount(nbSeq1))) return -1;
      const n = writeNCount(ws.norm, max, tableLog, out, op, oend);
      if (n < 0) return -1;
      buildFseCTable(next, ws.norm, max, tableLog, ws.fse);
      return n;
    }
  }
}

/**
 * Choose the three encoding types, build their tables into `next` and write the table
 * descriptions at out[op..] (`ZSTD_buildSequencesStatistics`). The types go to ws.types
 * (LL, OF, ML) and the size of the last new-table description to ws.lastCountSize.
 * Returns the bytes written, or -1 when they do not fit.
 */
export function buildSequencesStatistics(
  ss: SeqStore,
  first: number,
  nbSeq: number,
  out: Uint8Array,
  op: number,
  oend: number,
  prev: SeqEntropy,
  next: SeqEntropy,
  strategy: number,
  ws: SequencesScratch,
): number {
  const start = op;
  seqToCodes(ss, first, nbSeq);
  const count = ws.count;
  const res = ws.histResult;
  const rep = ws.repeatResult;
  let lastCountSize = 0;

  // Literal lengths.
  histogramOf(count, ss, ss.llCount, ss.llCode, first, nbSeq, MAX_LL, res);
  const llType = selectEncodingType(
    prev.llRepeat, rep, count, res[0]!, res[1]!, nbSeq, LL_FSE_LOG, prev.ll, LL_DEFAULT_NORM, LL_DEFAULT_NORM_LOG, true, strategy, ws,
  );
  next.llRepeat = rep[0]!;
  let n = buildSeqCTable(out, op, oend, next.ll, LL_FSE_LOG, llType, count, res[0]!, ss.llCode, first, nbSeq, ws.predefLL, prev.ll, ws);
  if (n < 0) return -1;
  if (llType === SET_COMPRESSED) lastCountSize = n;
  op += n;

  // Offsets: the predefined table only covers codes up to 28.
  histogramOf(count, ss, ss.ofCount, ss.ofCode, first, nbSeq, MAX_OFF, res);
  const ofType = selectEncodingType(
    prev.ofRepeat, rep, count, res[0]!, res[1]!, nbSeq, OFF_FSE_LOG, prev.of, OF_DEFAULT_NORM, OF_DEFAULT_NORM_LOG,
    res[0]! <= DEFAULT_MAX_OFF, strategy, ws,
  );
  next.ofRepeat = rep[0]!;
  n = buildSeqCTable(out, op, oend, next.of, OFF_FSE_LOG, ofType, count, res[0]!, ss.ofCode, first, nbSeq, ws.predefOF, prev.of, ws);
  if (n < 0) return -1;
  if (ofType === SET_COMPRESSED) lastCountSize = n;
  op += n;

  // Match lengths.
  histogramOf(count, ss, ss.mlCount, ss.mlCode, first, nbSeq, MAX_ML, res);
  const mlType = selectEncodingType(
    prev.mlRepeat, rep, count, res[0]!, res[1]!, nbSeq, ML_FSE_LOG, prev.ml, ML_DEFAULT_NORM, ML_DEFAULT_NORM_LOG, true, strategy, ws,
  );
  next.mlRepeat = rep[0]!;
  n = buildSeqCTable(out, op, oend, next.ml, ML_FSE_LOG, mlType, count, res[0]!, ss.mlCode, first, nbSeq, ws.predefML, prev.ml, ws);
  if (n < 0) return -1;
  if (mlType === SET_COMPRESSED) lastCountSize = n;
  op += n;

  ws.types[0] = llType;
  ws.types[1] = ofType;
  ws.types[2] = mlType;
  ws.lastCountSize = lastCountSize;
  return op - start;
}

/**
 * Write the sequences section for sequences first..first+nbSeq-1: count, modes byte,
 * table descriptions and bitstream (`ZSTD_entropyCompressSeqStore_internal`, second half).
 * `prev` is the previous block's state; `next` receives this block's. Returns the bytes
 * written, 0 when the block must be stored raw (a libzstd <= 1.3.4 decoder bug), or -1
 * when the output does not fit.
 */
export function compressSequences(
  ss: SeqStore,
  first: number,
  nbSeq: number,
  out: Uint8Array,
  op: number,
  oend: number,
  prev: SeqEntropy,
  next: SeqEntropy,
  strategy: number,
  ws: SequencesScratch,
): number {
  const ostart = op;
  if (oend - op < 4) return -1;
  if (nbSeq < 128) {
    out[op++] = nbSeq;
  } else if (nbSeq < LONGNBSEQ) {
    out[op] = (nbSeq >> 8) + 0x80;
    out[op + 1] = nbSeq;
    op += 2;
  } else {
    out[op] = 0xff;
    const v = nbSeq - LONGNBSEQ;
    out[op + 1] = v;
    out[op + 2] = v >> 8;
    op += 3;
  }
  if (nbSeq === 0) {
    next.copyFrom(prev);
    return op - ostart;
  }
  const seqHead = op++;
  const tables = buildSequencesStatistics(ss, first, nbSeq, out, op, oend, prev, next, strategy, ws);
  if (tables < 0) return -1;
  op += tables;
  out[seqHead] = (ws.types[0]! << 6) + (ws.types[1]! << 4) + (ws.types[2]! << 2);
  const streamSize = encodeSequences(ss, first, nbSeq, next.ml, next.of, next.ll, out, op, oend);
  if (streamSize < 0) return -1;
  // libzstd <= 1.3.4 rejects a last table description plus bitstream shorter than 4 bytes.
  if (ws.lastCountSize !== 0 && ws.lastCountSize + streamSize < 4) return 0;
  op += streamSize;
  return op - ostart;
}

/**
 * Reference for `encodeSequences`: the same order of fields through the generic bit writer,
 * one symbol at a time. Used by the tests.
 */
export function encodeSequencesSimple(
  ss: SeqStore,
  first: number,
  nbSeq: number,
  ctMl: FseCTable,
  ctOf: FseCTable,
  ctLl: FseCTable,
  out: Uint8Array,
  op: number,
  oend: number,
): number {
  const bw = new BitWriter();
  bw.init(out, op, oend);
  const encode = (ct: FseCTable, state: number, symbol: number): number => {
    const nb = (state + ct.deltaNbBits[symbol]!) >>> 16;
    bw.addBits(state & ((1 << nb) - 1), nb);
    return ct.stateTable[(state >> nb) + ct.deltaFindState[symbol]!]!;
  };
  const extras = (i: number): void => {
    const llb = LL_BITS[ss.llCode[i]!]!;
    bw.addBits(ss.litLengths[i]! & ((1 << llb) - 1), llb);
    const mlb = ML_BITS[ss.mlCode[i]!]!;
    bw.addBits(ss.mlBases[i]! & ((1 << mlb) - 1), mlb);
    const ofb = ss.ofCode[i]!;
    bw.addBitsLong(ss.offBases[i]! & (ofb === 31 ? 0x7fffffff : (1 << ofb) - 1), ofb);
  };
  const last = first + nbSeq - 1;
  let sMl = fseInitState(ctMl, ss.mlCode[last]!);
  let sOf = fseInitState(ctOf, ss.ofCode[last]!);
  let sLl = fseInitState(ctLl, ss.llCode[last]!);
  extras(last);
  for (let i = last - 1; i >= first; i--) {
    sOf = encode(ctOf, sOf, ss.ofCode[i]!);
    sMl = encode(ctMl, sMl, ss.mlCode[i]!);
    sLl = encode(ctLl, sLl, ss.llCode[i]!);
    extras(i);
  }
  bw.addBits(sMl & ((1 << ctMl.tableLog) - 1), ctMl.tableLog);
  bw.addBits(sOf & ((1 << ctOf.tableLog) - 1), ctOf.tableLog);
  bw.addBits(sLl & ((1 << ctLl.tableLog) - 1), ctLl.tableLog);
  const n = bw.close();
  return n === 0 ? -1 : n;
}

/** Upper bound of the bytes `encodeSequences` may touch for nbSeq sequences. */
function sequencesBound(nbSeq: number): number {
  // 9 + 9 + 8 state bits and at most 16 + 16 + 31 extra bits per sequence.
  return nbSeq * 12 + 16;
}

/**
 * The interleaved bitstream (`ZSTD_encodeSequences_body`): sequences from last to first,
 * offset/match/literal states then literal/match/offset extra bits, and at the end the
 * match-length, offset and literal-length states. Returns its size, or -1 when it does
 * not fit before `oend` under libzstd's slack rule (see fitsWithSlack).
 */
export function encodeSequences(
  ss: SeqStore,
  first: number,
  nbSeq: number,
  ctMl: FseCTable,
  ctOf: FseCTable,
  ctLl: FseCTable,
  out: Uint8Array,
  op: number,
  oend: number,
): number {
  const cap = oend - op;
  if (cap <= 8) return -1;
  let bits = encodeSequencesWasm(ss, first, nbSeq, ctMl, ctOf, ctLl, LL_BITS, ML_BITS);
  if (bits >= 0) {
    // Written in the shared memory (sequences-wasm.ts): taken only when it fits.
    if (!fitsWithSlack(bits >> 3, cap)) return -1;
    takeSequencesStream(out, op, (bits + 7) >> 3);
  } else if (sequencesBound(nbSeq) > cap) {
    // Rare (nearly incompressible block): encode into a buffer of the full bound first.
    const tmp = new Uint8Array(sequencesBound(nbSeq));
    bits = encodeSequencesUnchecked(ss, first, nbSeq, ctMl, ctOf, ctLl, tmp, 0);
    if (!fitsWithSlack(bits >> 3, cap)) return -1;
    out.set(tmp.subarray(0, (bits + 7) >> 3), op);
  } else {
    bits = encodeSequencesUnchecked(ss, first, nbSeq, ctMl, ctOf, ctLl, out, op);
    if (!fitsWithSlack(bits >> 3, cap)) return -1;
  }
  return (bits + 7) >> 3;
}

/** The bitstream at out[op..], with room assumed; returns its length in bits (end mark included). */
function encodeSequencesUnchecked(
  ss: SeqStore,
  first: number,
  nbSeq: number,
  ctMl: FseCTable,
  ctOf: FseCTable,
  ctLl: FseCTable,
  out: Uint8Array,
  op: number,
): number {
  const llCodes = ss.llCode;
  const ofCodes = ss.ofCode;
  const mlCodes = ss.mlCode;
  const lls = ss.litLengths;
  const mls = ss.mlBases;
  const offs = ss.offBases;
  const mlState = ctMl.stateTable;
  const mlDnb = ctMl.deltaNbBits;
  const mlDfs = ctMl.deltaFindState;
  const ofState = ctOf.stateTable;
  const ofDnb = ctOf.deltaNbBits;
  const ofDfs = ctOf.deltaFindState;
  const llState = ctLl.stateTable;
  const llDnb = ctLl.deltaNbBits;
  const llDfs = ctLl.deltaFindState;

  const last = first + nbSeq - 1;
  let sMl = fseInitState(ctMl, mlCodes[last]!);
  let sOf = fseInitState(ctOf, ofCodes[last]!);
  let sLl = fseInitState(ctLl, llCodes[last]!);
  // Container holds < 16 bits between fields; each field is at most 16 bits.
  let c = 0;
  let nb = 0;
  let p = op;
  let bits = LL_BITS[llCodes[last]!]!;
  c |= (lls[last]! & ((1 << bits) - 1)) << nb;
  nb += bits;
  if (nb >= 16) {
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    nb -= 16;
  }
  bits = ML_BITS[mlCodes[last]!]!;
  c |= (mls[last]! & ((1 << bits) - 1)) << nb;
  nb += bits;
  if (nb >= 16) {
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    nb -= 16;
  }
  bits = ofCodes[last]!;
  let v = offs[last]!;
  if (bits > 16) {
    c |= (v & 0xffff) << nb;
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    v >>>= 16;
    bits -= 16;
  }
  c |= (v & ((1 << bits) - 1)) << nb;
  nb += bits;
  if (nb >= 16) {
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    nb -= 16;
  }

  for (let i = first + nbSeq - 2; i >= first; i--) {
    const llc = llCodes[i]!;
    const ofc = ofCodes[i]!;
    const mlc = mlCodes[i]!;
    // offset state
    let nbOut = (sOf + ofDnb[ofc]!) >>> 16;
    c |= (sOf & ((1 << nbOut) - 1)) << nb;
    nb += nbOut;
    sOf = ofState[(sOf >> nbOut) + ofDfs[ofc]!]!;
    if (nb >= 16) {
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      nb -= 16;
    }
    // match-length state
    nbOut = (sMl + mlDnb[mlc]!) >>> 16;
    c |= (sMl & ((1 << nbOut) - 1)) << nb;
    nb += nbOut;
    sMl = mlState[(sMl >> nbOut) + mlDfs[mlc]!]!;
    if (nb >= 16) {
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      nb -= 16;
    }
    // literal-length state
    nbOut = (sLl + llDnb[llc]!) >>> 16;
    c |= (sLl & ((1 << nbOut) - 1)) << nb;
    nb += nbOut;
    sLl = llState[(sLl >> nbOut) + llDfs[llc]!]!;
    if (nb >= 16) {
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      nb -= 16;
    }
    // literal-length extra bits
    bits = LL_BITS[llc]!;
    if (bits !== 0) {
      c |= (lls[i]! & ((1 << bits) - 1)) << nb;
      nb += bits;
      if (nb >= 16) {
        out[p] = c;
        out[p + 1] = c >>> 8;
        p += 2;
        c >>>= 16;
        nb -= 16;
      }
    }
    // match-length extra bits
    bits = ML_BITS[mlc]!;
    if (bits !== 0) {
      c |= (mls[i]! & ((1 << bits) - 1)) << nb;
      nb += bits;
      if (nb >= 16) {
        out[p] = c;
        out[p + 1] = c >>> 8;
        p += 2;
        c >>>= 16;
        nb -= 16;
      }
    }
    // offset extra bits
    bits = ofc;
    v = offs[i]!;
    if (bits > 16) {
      c |= (v & 0xffff) << nb;
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      v >>>= 16;
      bits -= 16;
    }
    c |= (v & ((1 << bits) - 1)) << nb;
    nb += bits;
    if (nb >= 16) {
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      nb -= 16;
    }
  }
  // Final states: match length, offset, literal length.
  bits = ctMl.tableLog;
  c |= (sMl & ((1 << bits) - 1)) << nb;
  nb += bits;
  if (nb >= 16) {
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    nb -= 16;
  }
  bits = ctOf.tableLog;
  c |= (sOf & ((1 << bits) - 1)) << nb;
  nb += bits;
  if (nb >= 16) {
    out[p] = c;
    out[p + 1] = c >>> 8;
    p += 2;
    c >>>= 16;
    nb -= 16;
  }
  bits = ctLl.tableLog;
  c |= (sLl & ((1 << bits) - 1)) << nb;
  nb += bits;
  // End mark.
  c |= 1 << nb;
  nb += 1;
  const totalBits = (p - op) * 8 + nb;
  while (nb > 0) {
    out[p++] = c;
    c >>>= 8;
    nb -= 8;
  }
  return totalBits;
}
