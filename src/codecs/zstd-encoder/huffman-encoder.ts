/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Huffman encoding of literals (RFC 8878 §4.2): a length-limited code built from byte
 * counts, its description as weights (FSE-compressed or 4-bit direct), and the one- and
 * four-stream bitstreams. Ported from libzstd lib/compress/huf_compress.c
 * (`HUF_buildCTable_wksp` with `HUF_sort`, `HUF_buildTree`, `HUF_setMaxHeight`,
 * `HUF_buildCTableFromTree`; `HUF_writeCTable_wksp`, `HUF_compressWeights`,
 * `HUF_compress1X_usingCTable_internal_body`, `HUF_compress4X_usingCTable_internal`).
 */
import { BitWriter, fitsWithSlack } from './bit-writer.js';
import {
  FseCTable,
  FseScratch,
  buildFseCTable,
  fseCompressWithTable,
  normalizeCount,
  optimalTableLog,
  writeNCount,
} from './fse-encoder.js';
import { HUF_WASM_MIN_SYMBOLS, huffmanStreamWasm } from './huffman-wasm.js';
import { highBit } from './params.js';

/** Largest code length zstd allows (HUF_TABLELOG_MAX; literals use LitHufLog = 11). */
export const HUF_TABLELOG_MAX = 12;
export const LIT_HUF_LOG = 11;
const HUF_SYMBOLVALUE_MAX = 255;
const MAX_FSE_TABLELOG_FOR_HUFF_HEADER = 6;

/** Repeat state of a table across blocks (`HUF_repeat`). */
export const HufRepeat = { None: 0, Check: 1, Valid: 2 } as const;

/** A Huffman encoding table: code length and code value per symbol (`HUF_CElt[]`). */
export class HufCTable {
  tableLog = 0;
  maxSymbolValue = 0;
  repeatMode: number = HufRepeat.None;
  readonly nbBits = new Uint8Array(HUF_SYMBOLVALUE_MAX + 1);
  readonly value = new Uint16Array(HUF_SYMBOLVALUE_MAX + 1);

  copyFrom(o: HufCTable): void {
    this.tableLog = o.tableLog;
    this.maxSymbolValue = o.maxSymbolValue;
    this.repeatMode = o.repeatMode;
    this.nbBits.set(o.nbBits);
    this.value.set(o.value);
  }
}

const RANK_POSITION_TABLE_SIZE = 192;
const RANK_POSITION_LOG_BUCKETS_BEGIN = RANK_POSITION_TABLE_SIZE - 1 - 32 - 1; // 158
const RANK_POSITION_DISTINCT_COUNT_CUTOFF = RANK_POSITION_LOG_BUCKETS_BEGIN + highBit(RANK_POSITION_LOG_BUCKETS_BEGIN); // 166
const STARTNODE = HUF_SYMBOLVALUE_MAX + 1;

/**
 * Scratch for table construction and the weight header. The node arrays are indexed from
 * 1: slot 0 is the sentinel libzstd keeps at `huffNode[-1]`.
 */
export class HufScratch {
  readonly nodeCount = new Uint32Array(2 * (HUF_SYMBOLVALUE_MAX + 1) + 1);
  readonly nodeParent = new Uint16Array(2 * (HUF_SYMBOLVALUE_MAX + 1) + 1);
  readonly nodeByte = new Uint8Array(2 * (HUF_SYMBOLVALUE_MAX + 1) + 1);
  readonly nodeNbBits = new Uint8Array(2 * (HUF_SYMBOLVALUE_MAX + 1) + 1);
  readonly rankBase = new Uint16Array(RANK_POSITION_TABLE_SIZE);
  readonly rankCurr = new Uint16Array(RANK_POSITION_TABLE_SIZE);
  readonly rankLast = new Uint32Array(HUF_TABLELOG_MAX + 2);
  readonly nbPerRank = new Uint16Array(HUF_TABLELOG_MAX + 2);
  readonly valPerRank = new Uint16Array(HUF_TABLELOG_MAX + 2);
  readonly weights = new Uint8Array(HUF_SYMBOLVALUE_MAX + 1);
  readonly weightCount = new Uint32Array(HUF_TABLELOG_MAX + 1);
  readonly weightNorm = new Int16Array(HUF_TABLELOG_MAX + 1);
  readonly weightCTable = new FseCTable();
  readonly fse = new FseScratch();
  readonly bw = new BitWriter();
  /** Room for the candidate table when probing depths (optimal-depth mode). */
  readonly probe = new HufCTable();
  readonly header = new Uint8Array(256);
}

function rankIndex(count: number): number {
  return count < RANK_POSITION_DISTINCT_COUNT_CUTOFF ? count : highBit(count) + RANK_POSITION_LOG_BUCKETS_BEGIN;
}

/** Sort symbols by decreasing count into node slots 1..maxSymbolValue+1 (`HUF_sort`). */
function hufSort(count: Uint32Array, maxSymbolValue: number, ws: HufScratch): void {
  const base = ws.rankBase;
  const curr = ws.rankCurr;
  base.fill(0);
  curr.fill(0);
  for (let n = 0; n <= maxSymbolValue; n++) base[rankIndex(count[n]!)]!++;
  for (let n = RANK_POSITION_TABLE_SIZE - 1; n > 0; n--) {
    base[n - 1] = base[n - 1]! + base[n]!;
    curr[n - 1] = base[n - 1]!;
  }
  const nc = ws.nodeCount;
  const nb = ws.nodeByte;
  for (let n = 0; n <= maxSymbolValue; n++) {
    const c = count[n]!;
    const r = rankIndex(c) + 1;
    const pos = curr[r]!;
    curr[r] = pos + 1;
    nc[pos + 1] = c;
    nb[pos + 1] = n;
  }
  for (let n = RANK_POSITION_DISTINCT_COUNT_CUTOFF; n < RANK_POSITION_TABLE_SIZE - 1; n++) {
    const size = curr[n]! - base[n]!;
    if (size > 1) quickSort(nc, nb, base[n]! + 1, base[n]! + size);
  }
}

function swapNodes(nc: Uint32Array, nb: Uint8Array, a: number, b: number): void {
  const c = nc[a]!;
  nc[a] = nc[b]!;
  nc[b] = c;
  const y = nb[a]!;
  nb[a] = nb[b]!;
  nb[b] = y;
}

/** Descending sort of node slots low..high (`HUF_simpleQuickSort`). */
function quickSort(nc: Uint32Array, nb: Uint8Array, lowIn: number, highIn: number): void {
  let low = lowIn;
  let high = highIn;
  if (high - low < 8) {
    for (let i = low + 1; i <= high; i++) {
      const kc = nc[i]!;
      const kb = nb[i]!;
      let j = i - 1;
      while (j >= low && nc[j]! < kc) {
        nc[j + 1] = nc[j]!;
        nb[j + 1] = nb[j]!;
        j--;
      }
      nc[j + 1] = kc;
      nb[j + 1] = kb;
    }
    return;
  }
  while (low < high) {
    const pivot = nc[high]!;
    let i = low - 1;
    for (let j = low; j < high; j++) {
      if (nc[j]! > pivot) {
        i++;
        swapNodes(nc, nb, i, j);
      }
    }
    swapNodes(nc, nb, i + 1, high);
    const idx = i + 1;
    if (idx - low < high - idx) {
      quickSort(nc, nb, low, idx - 1);
      low = idx + 1;
    } else {
      quickSort(nc, nb, idx + 1, high);
      high = idx - 1;
    }
  }
}

/**
 * Build the unlimited-depth tree over the sorted nodes and give every symbol its depth
 * (`HUF_buildTree`). Returns the index (0-based) of the last symbol with a non-zero count.
 */
function buildTree(maxSymbolValue: number, ws: HufScratch): number {
  const nc = ws.nodeCount;
  const np = ws.nodeParent;
  const nbits = ws.nodeNbBits;
  // 0-based node i lives in slot i + 1; slot 0 is the barrier.
  let nonNullRank = maxSymbolValue;
  while (nc[nonNullRank + 1] === 0) nonNullRank--;
  let lowS = nonNullRank;
  let nodeNb = STARTNODE;
  const nodeRoot = nodeNb + lowS - 1;
  let lowN = nodeNb;
  nc[nodeNb + 1] = nc[lowS + 1]! + nc[lowS]!;
  np[lowS + 1] = nodeNb;
  np[lowS] = nodeNb;
  nodeNb++;
  lowS -= 2;
  for (let n = nodeNb; n <= nodeRoot; n++) nc[n + 1] = 1 << 30;
  nc[0] = 2147483648;
  while (nodeNb <= nodeRoot) {
    const n1 = nc[lowS + 1]! < nc[lowN + 1]! ? lowS-- : lowN++;
    const n2 = nc[lowS + 1]! < nc[lowN + 1]! ? lowS-- : lowN++;
    nc[nodeNb + 1] = nc[n1 + 1]! + nc[n2 + 1]!;
    np[n1 + 1] = nodeNb;
    np[n2 + 1] = nodeNb;
    nodeNb++;
  }
  nbits[nodeRoot + 1] = 0;
  for (let n = nodeRoot - 1; n >= STARTNODE; n--) nbits[n + 1] = nbits[np[n + 1]! + 1]! + 1;
  for (let n = 0; n <= nonNullRank; n++) nbits[n + 1] = nbits[np[n + 1]! + 1]! + 1;
  return nonNullRank;
}

/** Limit code lengths to targetNbBits while keeping a complete code (`HUF_setMaxHeight`). */
function setMaxHeight(lastNonNull: number, targetNbBits: number, ws: HufScratch): number {
  const nc = ws.nodeCount;
  const nbits = ws.nodeNbBits;
  const largestBits = nbits[lastNonNull + 1]!;
  if (largestBits <= targetNbBits) return largestBits;
  let totalCost = 0;
  const baseCost = 1 << (largestBits - targetNbBits);
  let n = lastNonNull;
  while (nbits[n + 1]! > targetNbBits) {
    totalCost += baseCost - (1 << (largestBits - nbits[n + 1]!));
    nbits[n + 1] = targetNbBits;
    n--;
  }
  while (nbits[n + 1] === targetNbBits) n--;
  totalCost >>= largestBits - targetNbBits;

  const noSymbol = 0xf0f0f0f0;
  const rankLast = ws.rankLast;
  rankLast.fill(noSymbol);
  {
    let currentNbBits = targetNbBits;
    for (let pos = n; pos >= 0; pos--) {
      if (nbits[pos + 1]! >= currentNbBits) continue;
      currentNbBits = nbits[pos + 1]!;
      rankLast[targetNbBits - currentNbBits] = pos;
    }
  }
  while (totalCost > 0) {
    let nBitsToDecrease = highBit(totalCost) + 1;
    for (; nBitsToDecrease > 1; nBitsToDecrease--) {
      const highPos = rankLast[nBitsToDecrease]!;
      const lowPos = rankLast[nBitsToDecrease - 1]!;
      if (highPos === noSymbol) continue;
      if (lowPos === noSymbol) break;
      const highTotal = nc[highPos + 1]!;
      const lowTotal = 2 * nc[lowPos + 1]!;
      if (highTotal <= lowTotal) break;
    }
    while (nBitsToDecrease <= HUF_TABLELOG_MAX && rankLast[nBitsToDecrease] === noSymbol) nBitsToDecrease++;
    totalCost -= 1 << (nBitsToDecrease - 1);
    const moved = rankLast[nBitsToDecrease]!;
    nbits[moved + 1] = nbits[moved + 1]! + 1;
    if (rankLast[nBitsToDecrease - 1] === noSymbol) rankLast[nBitsToDecrease - 1] = moved;
    if (moved === 0) {
      rankLast[nBitsToDecrease] = noSymbol;
    } else {
      rankLast[nBitsToDecrease] = moved - 1;
      if (nbits[moved]! !== targetNbBits - nBitsToDecrease) rankLast[nBitsToDecrease] = noSymbol;
    }
  }
  while (totalCost < 0) {
    if (rankLast[1] === noSymbol) {
      while (nbits[n + 1] === targetNbBits) n--;
      nbits[n + 2] = nbits[n + 2]! - 1;
      rankLast[1] = n + 1;
      totalCost++;
      continue;
    }
    const p = rankLast[1]! + 1;
    nbits[p + 1] = nbits[p + 1]! - 1;
    rankLast[1] = p;
    totalCost++;
  }
  return targetNbBits;
}

/** Give every symbol its code (`HUF_buildCTableFromTree`): canonical per length, in symbol order. */
function tableFromTree(ct: HufCTable, nonNullRank: number, maxSymbolValue: number, maxNbBits: number, ws: HufScratch): void {
  const nbPerRank = ws.nbPerRank;
  const valPerRank = ws.valPerRank;
  nbPerRank.fill(0);
  valPerRank.fill(0);
  const nbits = ws.nodeNbBits;
  for (let n = 0; n <= nonNullRank; n++) nbPerRank[nbits[n + 1]!]!++;
  let min = 0;
  for (let n = maxNbBits; n > 0; n--) {
    valPerRank[n] = min;
    min += nbPerRank[n]!;
    min >>= 1;
  }
  const ctBits = ct.nbBits;
  ctBits.fill(0);
  for (let n = 0; n <= maxSymbolValue; n++) ctBits[ws.nodeByte[n + 1]!] = nbits[n + 1]!;
  for (let n = 0; n <= maxSymbolValue; n++) {
    const b = ctBits[n]!;
    const v = valPerRank[b]!;
    valPerRank[b] = v + 1;
    ct.value[n] = b === 0 ? 0 : v;
  }
  ct.tableLog = maxNbBits;
  ct.maxSymbolValue = maxSymbolValue;
}

/**
 * Build a Huffman table of depth at most maxNbBits for count[0..maxSymbolValue], which
 * must hold at least two distinct symbols. Returns the actual maximum code length.
 */
export function buildHuffmanCTable(
  ct: HufCTable,
  count: Uint32Array,
  maxSymbolValue: number,
  maxNbBits: number,
  ws: HufScratch,
): number {
  ws.nodeCount.fill(0);
  ws.nodeParent.fill(0);
  ws.nodeByte.fill(0);
  ws.nodeNbBits.fill(0);
  hufSort(count, maxSymbolValue, ws);
  const nonNullRank = buildTree(maxSymbolValue, ws);
  const depth = setMaxHeight(nonNullRank, maxNbBits, ws);
  tableFromTree(ct, nonNullRank, maxSymbolValue, depth, ws);
  return depth;
}

/** Compressed size in bytes (rounded down) of the counted symbols with this table. */
export function estimateHuffmanSize(ct: HufCTable, count: Uint32Array, maxSymbolValue: number): number {
  let bits = 0;
  const nb = ct.nbBits;
  for (let s = 0; s <= maxSymbolValue; s++) bits += nb[s]! * count[s]!;
  return Math.floor(bits / 8);
}

/** True when the table can code every counted symbol (`HUF_validateCTable`). */
export function validateHuffmanCTable(ct: HufCTable, count: Uint32Array, maxSymbolValue: number): boolean {
  if (ct.maxSymbolValue < maxSymbolValue) return false;
  for (let s = 0; s <= maxSymbolValue; s++) if (count[s] !== 0 && ct.nbBits[s] === 0) return false;
  return true;
}

/**
 * FSE-compress the weights (`HUF_compressWeights`). Returns the size, 0 when not
 * compressible, 1 when all weights are equal, or -1 when the table description does not
 * fit (an error in libzstd, which then gives up on Huffman coding).
 */
function compressWeights(weights: Uint8Array, wtSize: number, out: Uint8Array, op: number, oend: number, ws: HufScratch): number {
  if (wtSize <= 1) return 0;
  const count = ws.weightCount;
  count.fill(0);
  let maxSymbolValue = 0;
  let maxCount = 0;
  for (let i = 0; i < wtSize; i++) {
    const w = weights[i]!;
    count[w]!++;
  }
  for (let s = 0; s <= HUF_TABLELOG_MAX; s++) {
    if (count[s]! > 0) maxSymbolValue = s;
    if (count[s]! > maxCount) maxCount = count[s]!;
  }
  if (maxCount === wtSize) return 1;
  if (maxCount === 1) return 0;
  const tableLog = optimalTableLog(MAX_FSE_TABLELOG_FOR_HUFF_HEADER, wtSize, maxSymbolValue, 2);
  if (!normalizeCount(ws.weightNorm, tableLog, count, wtSize, maxSymbolValue, false)) return -1;
  const start = op;
  const hSize = writeNCount(ws.weightNorm, maxSymbolValue, tableLog, out, op, oend);
  if (hSize < 0) return -1;
  op += hSize;
  buildFseCTable(ws.weightCTable, ws.weightNorm, maxSymbolValue, tableLog, ws.fse);
  const cSize = fseCompressWithTable(weights, 0, wtSize, ws.weightCTable, out, op, oend, ws.bw);
  if (cSize === 0) return 0;
  return op + cSize - start;
}

/**
 * Write the table description (RFC 8878 §4.2.1, `HUF_writeCTable_wksp`) at out[op..]:
 * FSE-compressed weights when that is smaller, else 4-bit weights. Returns its size, or -1
 * when it cannot be written (more than 128 symbols and weights not compressible, or no room).
 */
export function writeHuffmanCTable(ct: HufCTable, out: Uint8Array, op: number, oend: number, ws: HufScratch): number {
  const maxSymbolValue = ct.maxSymbolValue;
  const huffLog = ct.tableLog;
  const weights = ws.weights;
  for (let n = 0; n < maxSymbolValue; n++) {
    const b = ct.nbBits[n]!;
    weights[n] = b === 0 ? 0 : huffLog + 1 - b;
  }
  if (oend - op < 1) return -1;
  const hSize = compressWeights(weights, maxSymbolValue, out, op + 1, oend, ws);
  if (hSize < 0) return -1;
  if (hSize > 1 && hSize < maxSymbolValue >>> 1) {
    out[op] = hSize;
    return hSize + 1;
  }
  if (maxSymbolValue > 128) return -1;
  const size = ((maxSymbolValue + 1) >> 1) + 1;
  if (size > oend - op) return -1;
  out[op] = 128 + (maxSymbolValue - 1);
  weights[maxSymbolValue] = 0;
  for (let n = 0; n < maxSymbolValue; n += 2) out[op + 1 + (n >> 1)] = (weights[n]! << 4) + weights[n + 1]!;
  return size;
}

/**
 * One Huffman stream over src[ip, ip+n), symbols written from last to first so the
 * decoder reads them first to last. Returns the size written at out[op..], or 0 when it
 * does not fit before `oend` (with libzstd's slack rule, `HUF_compress1X_usingCTable`).
 * The caller guarantees the table codes every symbol.
 */
export function huffmanCompress1X(
  src: Uint8Array,
  ip: number,
  n: number,
  ct: HufCTable,
  out: Uint8Array,
  op: number,
  oend: number,
): number {
  const codes = ct.value;
  const lens = ct.nbBits;
  const cap = oend - op;
  // libzstd's 8-byte slack rule (see fitsWithSlack): decide before writing anything.
  if (!fitsWithSlack((n * ct.tableLog + 1) >> 3, cap)) {
    let bits = 1;
    for (let i = ip + n - 1; i >= ip; i--) bits += lens[src[i]!]!;
    if (!fitsWithSlack(bits >> 3, cap)) return 0;
  }
  // Long streams in WebAssembly (same bytes), when it is there.
  if (n >= HUF_WASM_MIN_SYMBOLS) {
    const size = huffmanStreamWasm(src, ip, n, codes, lens, out, op);
    if (size >= 0) return size;
  }
  let c = 0;
  let nb = 0;
  let p = op;
  for (let i = ip + n - 1; i >= ip; i--) {
    const s = src[i]!;
    c |= codes[s]! << nb;
    nb += lens[s]!;
    if (nb >= 16) {
      out[p] = c;
      out[p + 1] = c >>> 8;
      p += 2;
      c >>>= 16;
      nb -= 16;
    }
  }
  c |= 1 << nb;
  nb++;
  while (nb > 0) {
    out[p++] = c;
    c >>>= 8;
    nb -= 8;
  }
  return p - op;
}

/**
 * Simple reference for `huffmanCompress1X`: one symbol at a time through the generic bit
 * writer. Used by the tests.
 */
export function huffmanCompress1XSimple(src: Uint8Array, ip: number, n: number, ct: HufCTable, out: Uint8Array, op: number, oend: number): number {
  const bw = new BitWriter();
  bw.init(out, op, oend);
  for (let i = ip + n - 1; i >= ip; i--) bw.addBits(ct.value[src[i]!]!, ct.nbBits[src[i]!]!);
  return bw.close();
}

/**
 * Four streams with a 6-byte jump table (`HUF_compress4X_usingCTable_internal`). Returns
 * the size, or 0 when it does not fit or a stream exceeds 64 KiB.
 */
export function huffmanCompress4X(
  src: Uint8Array,
  ip: number,
  n: number,
  ct: HufCTable,
  out: Uint8Array,
  op: number,
  oend: number,
): number {
  if (oend - op < 6 + 1 + 1 + 1 + 8) return 0;
  if (n < 12) return 0;
  const segmentSize = Math.floor((n + 3) / 4);
  const ostart = op;
  op += 6;
  for (let k = 0; k < 4; k++) {
    const len = k < 3 ? segmentSize : n - 3 * segmentSize;
    const cSize = huffmanCompress1X(src, ip, len, ct, out, op, oend);
    if (cSize === 0 || cSize > 65535) return 0;
    if (k < 3) {
      out[ostart + 2 * k] = cSize;
      out[ostart + 2 * k + 1] = cSize >>> 8;
    }
    op += cSize;
    ip += len;
  }
  return op - ostart;
}
