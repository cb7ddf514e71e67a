/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Huffman literals (RFC 8878 §4.2): the tree description (weights sent directly or
 * FSE-compressed), the single-symbol lookup table, and 1- and 4-stream decoding.
 *
 * Mirrors `HUF_readStats_body` (lib/common/entropy_common.c), `HUF_readDTableX1_wksp` and
 * `HUF_decompress{1,4}X1_usingDTable_internal` (lib/decompress/huf_decompress.c).
 *
 * The lookup table has 1 << log entries (log <= 12); entry `(sym << 8) | nbBits` is found by
 * peeking the next `log` bits of the backward stream, most significant first.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { BackwardStream, ViewCache, highBit32, le16, le32 } from './bits.js';
import { FseTable, HUF_WEIGHT_MAX_LOG, buildFseTable, readNormalizedCounts } from './fse.js';

/** zstd's HUF_TABLELOG_MAX: the longest code any decoder must accept. */
export const HUF_MAX_LOG = 12;

export class HuffmanTable {
  /**
   * Each symbol's weight (0: absent), the implied last one included: what the tree
   * description says, kept so that a table can be laid out where it is used (the
   * WebAssembly decoder builds its own from these, huffman-wasm.ts).
   */
  readonly weights = new Uint8Array(256);
  /** Symbols with a weight entry (the last one implied). */
  symbols = 0;
  log = 0;
  private readonly cellTable = new Uint16Array(1 << HUF_MAX_LOG);
  private cellsReady = false;
  /**
   * (symbol << 8) | code length, indexed by the next `log` bits; laid out from the
   * weights on first use after each read (HUF_readDTableX1_wksp's fill), since a section
   * that the WebAssembly decoder takes never needs it.
   */
  get cells(): Uint16Array {
    if (!this.cellsReady) {
      fillHuffmanCells(this.cellTable, this.weights, this.symbols, this.log);
      this.cellsReady = true;
    }
    return this.cellTable;
  }
  /** A new tree description was read into weights, symbols and log. */
  described(): void {
    this.cellsReady = false;
    this.pairsReady = false;
  }
  /**
   * Two-symbol table, built on first use for large literal sections: for the next `log`
   * bits, s1 | s2 << 8 | bits << 16 | count << 24, where count is 2 when both codes fit
   * in those bits, else 1 (then s2 is 0 and bits is s1's code length).
   */
  readonly pairs = new Int32Array(1 << HUF_MAX_LOG);
  pairsReady = false;
}

/** Literal sections at least this long use the two-symbol table (it costs 2^log entries to build). */
const PAIRS_MIN_SIZE = 8192;

/** Fill table.pairs from table.cells: a second X1 lookup on the bits left after the first code. */
export function buildPairTable(table: HuffmanTable): void {
  const log = table.log;
  const size = 1 << log;
  const mask = size - 1;
  const cells = table.cells;
  const pairs = table.pairs;
  for (let v = 0; v < size; v++) {
    const e1 = cells[v]!;
    const n1 = e1 & 0xff;
    const e2 = cells[(v << n1) & mask]!;
    const n2 = e2 & 0xff;
    pairs[v] = n2 <= log - n1 ? (e1 >>> 8) | (e2 & 0xff00) | ((n1 + n2) << 16) | (2 << 24) : (e1 >>> 8) | (n1 << 16) | (1 << 24);
  }
  table.pairsReady = true;
}

const rankCount = new Int32Array(HUF_MAX_LOG + 2);
const rankStart = new Int32Array(HUF_MAX_LOG + 2);
const weightNorm = new Int16Array(256);
const weightTable = new FseTable(HUF_WEIGHT_MAX_LOG);
const bytesUsed = new Int32Array(1);
const streamInfo = new BackwardStream();

/**
 * Read a Huffman tree description at src[start, end) into `out`. Returns the bytes used.
 * Throws Data on an invalid description.
 */
export function readHuffmanTable(src: Uint8Array, start: number, end: number, out: HuffmanTable): number {
  const weights = out.weights;
  if (start >= end) fail(BloscErrorCode.Data, 'zstd: Huffman tree description missing', { offset: start });
  const header = src[start]!;
  let count: number;
  let size: number;
  if (header >= 128) {
    // Weights sent directly, two 4-bit weights per byte.
    count = header - 127;
    size = 1 + ((count + 1) >>> 1);
    if (start + size > end) fail(BloscErrorCode.Data, 'zstd: Huffman weights truncated', { offset: start });
    for (let n = 0; n < count; n += 2) {
      const b = src[start + 1 + (n >>> 1)]!;
      weights[n] = b >>> 4;
      weights[n + 1] = b & 15;
    }
  } else {
    size = 1 + header;
    if (start + size > end) fail(BloscErrorCode.Data, 'zstd: Huffman weights truncated', { offset: start });
    count = decodeFseWeights(src, start + 1, start + size, weights);
  }
  checkHuffmanWeights(out, count);
  return size;
}

/** FSE-compressed weights: two interleaved states over one backward stream (`FSE_decompress_usingDTable_generic`). */
function decodeFseWeights(src: Uint8Array, start: number, end: number, weights: Uint8Array): number {
  if (start >= end) fail(BloscErrorCode.Data, 'zstd: Huffman weights missing', { offset: start });
  const packed = readNormalizedCounts(src, start, end, weightNorm, 255, HUF_WEIGHT_MAX_LOG, bytesUsed);
  const log = packed & 0xff;
  const maxSymbol = packed >>> 8;
  buildFseTable(weightTable, weightNorm, maxSymbol, log, null, null);
  const si = streamInfo;
  si.init(src, start + bytesUsed[0]!, end);
  // BackwardBits' reads inlined on locals (the reader's fields would be loaded and stored
  // around every read): the same bits, the same end test (`left` < 0: read past the start).
  const arr = si.arr;
  const first = si.start;
  const padBits = si.padBits;
  let ptr = si.ptr;
  let bc = si.consumed;
  let c = le32(arr, ptr);
  const cells = weightTable.cells;
  // read(n): reload when a byte or more is used (never below the start), then the next n bits.
  let np = 0;
  if (bc >= 8) {
    np = ptr - (bc >>> 3);
    if (np < first) np = first;
    bc -= (ptr - np) << 3;
    ptr = np;
    c = le32(arr, ptr);
  }
  let s1 = bc >= 32 ? 0 : ((c << bc) >>> 1) >>> (31 - log);
  bc += log;
  if (bc >= 8) {
    np = ptr - (bc >>> 3);
    if (np < first) np = first;
    bc -= (ptr - np) << 3;
    ptr = np;
    c = le32(arr, ptr);
  }
  let s2 = bc >= 32 ? 0 : ((c << bc) >>> 1) >>> (31 - log);
  bc += log;
  let left = (ptr - first) * 8 + 32 - bc - padBits;
  if (left < 0) fail(BloscErrorCode.Data, 'zstd: Huffman weight stream too short', { offset: start });
  let n = 0;
  // Two states taking turns, as zstd's FSE_decompress_usingDTable_generic (fse_decompress.c)
  // does; the loop body is written once per state so that each stays a local of its own.
  for (;;) {
    if (n > 253) fail(BloscErrorCode.Data, 'zstd: too many Huffman weights', { offset: start });
    weights[n++] = cells[2 * s1]!;
    let info = cells[2 * s1 + 1]!;
    let nb = (info >>> 8) & 0xff;
    if (bc >= 8) {
      np = ptr - (bc >>> 3);
      if (np < first) np = first;
      bc -= (ptr - np) << 3;
      ptr = np;
      c = le32(arr, ptr);
    }
    s1 = (info >>> 16) + (bc >= 32 ? 0 : ((c << bc) >>> 1) >>> (31 - nb));
    bc += nb;
    left = (ptr - first) * 8 + 32 - bc - padBits;
    if (left < 0) {
      weights[n++] = cells[2 * s2]!;
      break;
    }
    if (n > 253) fail(BloscErrorCode.Data, 'zstd: too many Huffman weights', { offset: start });
    weights[n++] = cells[2 * s2]!;
    info = cells[2 * s2 + 1]!;
    nb = (info >>> 8) & 0xff;
    if (bc >= 8) {
      np = ptr - (bc >>> 3);
      if (np < first) np = first;
      bc -= (ptr - np) << 3;
      ptr = np;
      c = le32(arr, ptr);
    }
    s2 = (info >>> 16) + (bc >= 32 ? 0 : ((c << bc) >>> 1) >>> (31 - nb));
    bc += nb;
    left = (ptr - first) * 8 + 32 - bc - padBits;
    if (left < 0) {
      weights[n++] = cells[2 * s1]!;
      break;
    }
  }
  return n;
}

/** Complete the weights (the last one is implied) and check that they form a code. */
function checkHuffmanWeights(out: HuffmanTable, count: number): void {
  const weights = out.weights;
  rankCount.fill(0);
  let total = 0;
  for (let n = 0; n < count; n++) {
    const w = weights[n]!;
    if (w > HUF_MAX_LOG) fail(BloscErrorCode.Data, 'zstd: Huffman weight too large');
    rankCount[w]!++;
    total += (1 << w) >>> 1;
  }
  if (total === 0) fail(BloscErrorCode.Data, 'zstd: Huffman weights are all zero');
  const log = highBit32(total) + 1;
  if (log > HUF_MAX_LOG) fail(BloscErrorCode.Data, 'zstd: Huffman code too long');
  const rest = (1 << log) - total;
  const lastWeight = highBit32(rest) + 1;
  if (1 << (lastWeight - 1) !== rest) fail(BloscErrorCode.Data, 'zstd: Huffman weights do not form a complete code');
  weights[count] = lastWeight;
  rankCount[lastWeight]!++;
  if (rankCount[1]! < 2 || (rankCount[1]! & 1) !== 0) fail(BloscErrorCode.Data, 'zstd: invalid Huffman tree');
  out.symbols = count + 1;
  out.log = log;
  out.described();
}

/**
 * Fill the lookup table of a checked tree: codes are assigned by increasing weight, then
 * symbol, so the lowest weights take the lowest table slots.
 */
function fillHuffmanCells(cells: Uint16Array, weights: Uint8Array, symbols: number, log: number): void {
  rankCount.fill(0);
  for (let s = 0; s < symbols; s++) rankCount[weights[s]!]!++;
  let pos = 0;
  for (let w = 1; w <= log; w++) {
    rankStart[w] = pos;
    pos += rankCount[w]! << (w - 1);
  }
  for (let s = 0; s < symbols; s++) {
    const w = weights[s]!;
    if (w === 0) continue;
    const len = 1 << (w - 1);
    const from = rankStart[w]!;
    const cell = (s << 8) | (log + 1 - w);
    // Most codes are long and own a few cells: a loop beats a call to fill there.
    if (len <= 16) for (let i = from; i < from + len; i++) cells[i] = cell;
    else cells.fill(cell, from, from + len);
    rankStart[w] = from + len;
  }
}

/**
 * Decode one Huffman stream src[start, end) into out[op, oend): exactly oend - op symbols,
 * consuming every bit of the stream. Throws Data otherwise.
 */
export function decodeHuffmanStream(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  oend: number,
): void {
  const si = streams[0]!;
  si.init(src, start, end);
  decodeHuffmanFrom(table, si.view, si.start, si.ptr, si.consumed, si.padBits, out, op, oend, start);
}

/**
 * Continue decoding a stream whose reader state is (ptr, bc) over view bytes from `st`
 * until out[op, oend) is full, then check that exactly the stream's bits were used.
 */
function decodeHuffmanFrom(
  table: HuffmanTable,
  view: DataView,
  st: number,
  ptr: number,
  bc: number,
  padBits: number,
  out: Uint8Array,
  op: number,
  oend: number,
  where: number,
): void {
  let p = ptr;
  let c = view.getInt32(p, true);
  const cells = table.cells;
  const sh = 32 - table.log;
  let o = op;
  // Fast loop: each reload leaves >= 25 bits, enough for two codes of <= 12 bits.
  const fastEnd = oend - 4;
  while (o <= fastEnd) {
    const np = p - (bc >>> 3);
    if (np < st) break;
    p = np;
    bc &= 7;
    c = view.getInt32(p, true);
    let e = cells[(c << bc) >>> sh]!;
    out[o] = e >>> 8;
    bc += e & 0xff;
    e = cells[(c << bc) >>> sh]!;
    out[o + 1] = e >>> 8;
    bc += e & 0xff;
    const np2 = p - (bc >>> 3);
    if (np2 < st) {
      o += 2;
      break;
    }
    p = np2;
    bc &= 7;
    c = view.getInt32(p, true);
    e = cells[(c << bc) >>> sh]!;
    out[o + 2] = e >>> 8;
    bc += e & 0xff;
    e = cells[(c << bc) >>> sh]!;
    out[o + 3] = e >>> 8;
    bc += e & 0xff;
    o += 4;
  }
  // Tail: reload without crossing the start; past it the container shifts in zeros.
  while (o < oend) {
    if (bc >= 8) {
      let np = p - (bc >>> 3);
      if (np < st) np = st;
      bc -= (p - np) << 3;
      p = np;
      c = view.getInt32(p, true);
    }
    const e = bc >= 32 ? cells[0]! : cells[(c << bc) >>> sh]!;
    out[o++] = e >>> 8;
    bc += e & 0xff;
  }
  if ((p - st) * 8 + 32 - bc !== padBits) {
    fail(BloscErrorCode.Data, 'zstd: Huffman stream does not end where its symbols do', { offset: where });
  }
}

const outputViews = new ViewCache();
const streams = [new BackwardStream(), new BackwardStream(), new BackwardStream(), new BackwardStream()];

/**
 * Decode 4 Huffman streams (6-byte jump table, then the streams) at src[start, end) into
 * out[op, op + size). The four streams are decoded side by side while all of them have
 * input and output to spare (independent dependency chains run in parallel on the CPU),
 * then each is finished on its own.
 */
export function decodeHuffman4Streams(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  size: number,
): void {
  if (end - start < 10) fail(BloscErrorCode.Data, 'zstd: 4-stream literals too short', { offset: start });
  if (size < 6) fail(BloscErrorCode.Data, 'zstd: 4-stream literals need at least 6 bytes', { offset: start });
  const n1 = le16(src, start);
  const n2 = le16(src, start + 2);
  const n3 = le16(src, start + 4);
  const s1 = start + 6;
  const s2 = s1 + n1;
  const s3 = s2 + n2;
  const s4 = s3 + n3;
  if (n1 === 0 || n2 === 0 || n3 === 0 || s4 >= end) {
    fail(BloscErrorCode.Data, 'zstd: invalid 4-stream jump table', { offset: start });
  }
  const seg = (size + 3) >>> 2;
  const a = streams[0]!;
  const b = streams[1]!;
  const c = streams[2]!;
  const d = streams[3]!;
  a.init(src, s1, s2);
  b.init(src, s2, s3);
  c.init(src, s3, s4);
  d.init(src, s4, end);
  const va = a.view, vb = b.view, vc = c.view, vd = d.view;
  const sta = a.start | 0, stb = b.start | 0, stc = c.start | 0, std = d.start | 0;
  // Positions and bit counts stay int32 (`| 0`) so V8 keeps them untagged.
  let pa = a.ptr | 0, pb = b.ptr | 0, pc = c.ptr | 0, pd = d.ptr | 0;
  let ba = a.consumed | 0, bb = b.consumed | 0, bcc = c.consumed | 0, bd = d.consumed | 0;
  const cells = table.cells;
  const sh = 32 - table.log;
  const oa = op;
  const ob0 = op + seg;
  const oc0 = ob0 + seg;
  const od0 = oc0 + seg;
  const oend = op + size;
  const ov = outputViews.of(out);
  if (size >= PAIRS_MIN_SIZE) {
    // Up to two symbols per lookup; each stream keeps its own output position.
    if (!table.pairsReady) buildPairTable(table);
    const pairs = table.pairs;
    let ob = ob0 | 0;
    let oc = oc0 | 0;
    let od = od0 | 0;
    let o = oa | 0;
    // Checked once here (after the call above V8 knows nothing about them) rather than
    // in every iteration.
    if (va.byteLength < 4 || vb.byteLength < 4 || vc.byteLength < 4 || vd.byteLength < 4 || ov.byteLength !== out.length || pairs.length !== 1 << HUF_MAX_LOG) {
      fail(BloscErrorCode.InvalidParam, 'zstd: views do not cover their arrays');
    }
    while (o + 4 <= ob0 && ob + 4 <= oc0 && oc + 4 <= od0 && od + 4 <= oend) {
      const na = (pa - (ba >>> 3)) | 0;
      const nb = (pb - (bb >>> 3)) | 0;
      const nc = (pc - (bcc >>> 3)) | 0;
      const nd = (pd - (bd >>> 3)) | 0;
      if (na < sta || nb < stb || nc < stc || nd < std) break;
      pa = na;
      pb = nb;
      pc = nc;
      pd = nd;
      ba &= 7;
      bb &= 7;
      bcc &= 7;
      bd &= 7;
      const ca = va.getInt32(pa, true);
      const cb = vb.getInt32(pb, true);
      const cc = vc.getInt32(pc, true);
      const cd = vd.getInt32(pd, true);
      // A one-symbol entry also writes a zero byte after it, overwritten by the next store.
      let ea = pairs[(ca << ba) >>> sh]!;
      let eb = pairs[(cb << bb) >>> sh]!;
      let ec = pairs[(cc << bcc) >>> sh]!;
      let ed = pairs[(cd << bd) >>> sh]!;
      ov.setUint16(o, ea & 0xffff, true);
      ov.setUint16(ob, eb & 0xffff, true);
      ov.setUint16(oc, ec & 0xffff, true);
      ov.setUint16(od, ed & 0xffff, true);
      o = (o + (ea >>> 24)) | 0;
      ob = (ob + (eb >>> 24)) | 0;
      oc = (oc + (ec >>> 24)) | 0;
      od = (od + (ed >>> 24)) | 0;
      ba = (ba + ((ea >>> 16) & 0xff)) | 0;
      bb = (bb + ((eb >>> 16) & 0xff)) | 0;
      bcc = (bcc + ((ec >>> 16) & 0xff)) | 0;
      bd = (bd + ((ed >>> 16) & 0xff)) | 0;
      ea = pairs[(ca << ba) >>> sh]!;
      eb = pairs[(cb << bb) >>> sh]!;
      ec = pairs[(cc << bcc) >>> sh]!;
      ed = pairs[(cd << bd) >>> sh]!;
      ov.setUint16(o, ea & 0xffff, true);
      ov.setUint16(ob, eb & 0xffff, true);
      ov.setUint16(oc, ec & 0xffff, true);
      ov.setUint16(od, ed & 0xffff, true);
      o = (o + (ea >>> 24)) | 0;
      ob = (ob + (eb >>> 24)) | 0;
      oc = (oc + (ec >>> 24)) | 0;
      od = (od + (ed >>> 24)) | 0;
      ba = (ba + ((ea >>> 16) & 0xff)) | 0;
      bb = (bb + ((eb >>> 16) & 0xff)) | 0;
      bcc = (bcc + ((ec >>> 16) & 0xff)) | 0;
      bd = (bd + ((ed >>> 16) & 0xff)) | 0;
    }
    decodeHuffmanFrom(table, va, sta, pa, ba, a.padBits, out, o, ob0, s1);
    decodeHuffmanFrom(table, vb, stb, pb, bb, b.padBits, out, ob, oc0, s2);
    decodeHuffmanFrom(table, vc, stc, pc, bcc, c.padBits, out, oc, od0, s3);
    decodeHuffmanFrom(table, vd, std, pd, bd, d.padBits, out, od, oend, s4);
    return;
  }
  // The 4th segment is the shortest; all four advance together.
  const steps = Math.max(0, (oend - od0) >> 1);
  let k = 0;
  for (; k < steps; k++) {
    const na = pa - (ba >>> 3);
    const nb = pb - (bb >>> 3);
    const nc = pc - (bcc >>> 3);
    const nd = pd - (bd >>> 3);
    if (na < sta || nb < stb || nc < stc || nd < std) break;
    pa = na;
    pb = nb;
    pc = nc;
    pd = nd;
    ba &= 7;
    bb &= 7;
    bcc &= 7;
    bd &= 7;
    const ca = va.getInt32(pa, true);
    const cb = vb.getInt32(pb, true);
    const cc = vc.getInt32(pc, true);
    const cd = vd.getInt32(pd, true);
    const o = oa + 2 * k;
    const ea = cells[(ca << ba) >>> sh]!;
    const eb = cells[(cb << bb) >>> sh]!;
    const ec = cells[(cc << bcc) >>> sh]!;
    const ed = cells[(cd << bd) >>> sh]!;
    ba += ea & 0xff;
    bb += eb & 0xff;
    bcc += ec & 0xff;
    bd += ed & 0xff;
    const fa = cells[(ca << ba) >>> sh]!;
    const fb = cells[(cb << bb) >>> sh]!;
    const fc = cells[(cc << bcc) >>> sh]!;
    const fd = cells[(cd << bd) >>> sh]!;
    ba += fa & 0xff;
    bb += fb & 0xff;
    bcc += fc & 0xff;
    bd += fd & 0xff;
    // Two symbols per 16-bit store: the first in the low byte.
    ov.setUint16(o, (ea >>> 8) | (fa & 0xff00), true);
    ov.setUint16(o + seg, (eb >>> 8) | (fb & 0xff00), true);
    ov.setUint16(o + 2 * seg, (ec >>> 8) | (fc & 0xff00), true);
    ov.setUint16(o + 3 * seg, (ed >>> 8) | (fd & 0xff00), true);
  }
  const done = 2 * k;
  decodeHuffmanFrom(table, va, sta, pa, ba, a.padBits, out, oa + done, ob0, s1);
  decodeHuffmanFrom(table, vb, stb, pb, bb, b.padBits, out, ob0 + done, oc0, s2);
  decodeHuffmanFrom(table, vc, stc, pc, bcc, c.padBits, out, oc0 + done, od0, s3);
  decodeHuffmanFrom(table, vd, std, pd, bd, d.padBits, out, od0 + done, oend, s4);
}

/**
 * Plain reference decoder for one stream, reading bit by bit from an absolute position;
 * tests compare it with {@link decodeHuffmanStream}.
 */
export function decodeHuffmanStreamSimple(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  oend: number,
): void {
  if (end <= start || src[end - 1] === 0) fail(BloscErrorCode.Data, 'zstd: bad Huffman stream');
  // Bits below `pos` are unread; the highest set bit of the last byte is the end marker.
  let pos = (end - start) * 8 - (Math.clz32(src[end - 1]!) - 23);
  for (let o = op; o < oend; o++) {
    let v = 0;
    for (let k = 1; k <= table.log; k++) {
      const i = pos - k;
      v = (v << 1) | (i < 0 ? 0 : (src[start + (i >>> 3)]! >>> (i & 7)) & 1);
    }
    const e = table.cells[v]!;
    out[o] = e >>> 8;
    pos -= e & 0xff;
  }
  if (pos !== 0) fail(BloscErrorCode.Data, 'zstd: Huffman stream does not end where its symbols do');
}
