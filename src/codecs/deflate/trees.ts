/**
 * Ported from zlib 1.2.x trees.c (Jean-loup Gailly and Mark Adler, zlib license) as pako
 * 3.0.3 has it (src/zlib/trees.mjs, MIT + zlib); licenses in THIRD_PARTY_NOTICES.md.
 *
 * The Huffman side of deflate: the static tables (`tr_static_init`), the dynamic trees of a
 * block (`build_tree`, `gen_bitlen`, `gen_codes`, `scan_tree`, `send_tree`, `build_bl_tree`,
 * `send_all_trees`), the stored / static / dynamic choice (`_tr_flush_block`) and the
 * symbol coder (`compress_block`). Same decisions, same bits as zlib: only the bit writer
 * differs in how it holds its bits (any LSB-first writer gives the same bytes).
 *
 * Everything a block's coding reads lives in a {@link DeflateStore}: plain typed arrays for
 * the TypeScript path, views of the shared WebAssembly memory for deflate-wasm.ts, whose
 * `compress_block` reads the same trees and symbols.
 */

export const LENGTH_CODES = 29;
export const LITERALS = 256;
export const L_CODES = LITERALS + 1 + LENGTH_CODES;
export const D_CODES = 30;
export const BL_CODES = 19;
export const HEAP_SIZE = 2 * L_CODES + 1;
const MAX_BITS = 15;
const MAX_BL_BITS = 7;
export const END_BLOCK = 256;
const REP_3_6 = 16;
const REPZ_3_10 = 17;
const REPZ_11_138 = 18;

/** Symbols per block: lit_bufsize = 1 << (memLevel 8 + 6); a block ends at lit_bufsize - 1. */
export const LIT_BUFSIZE = 1 << 14;
export const SYM_END = LIT_BUFSIZE - 1;

export const EXTRA_LBITS = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
export const EXTRA_DBITS = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]);
const EXTRA_BLBITS = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7]);
const BL_ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** `_length_code[match length - 3]`, `_dist_code` (distances < 256, then (dist >> 7) + 256). */
export const LENGTH_CODE = new Uint8Array(256);
export const DIST_CODE = new Uint8Array(512);
export const BASE_LENGTH = new Int32Array(LENGTH_CODES);
export const BASE_DIST = new Int32Array(D_CODES);
/** The static trees as (code, length) pairs: 288 literal/length codes, 30 distance codes. */
export const STATIC_LTREE = new Uint16Array(288 * 2);
export const STATIC_DTREE = new Uint16Array(D_CODES * 2);

function biReverse(code: number, len: number): number {
  let res = 0;
  do {
    res |= code & 1;
    code >>>= 1;
    res <<= 1;
  } while (--len > 0);
  return res >>> 1;
}

const nextCode = new Uint16Array(MAX_BITS + 1);

/** `gen_codes`: codes from the bit lengths in tree[n*2+1] and their counts. */
function genCodes(tree: Uint16Array, maxCode: number, blCount: Uint16Array): void {
  let code = 0;
  for (let bits = 1; bits <= MAX_BITS; bits++) {
    code = (code + blCount[bits - 1]!) << 1;
    nextCode[bits] = code;
  }
  for (let n = 0; n <= maxCode; n++) {
    const len = tree[n * 2 + 1]!;
    if (len === 0) continue;
    tree[n * 2] = biReverse(nextCode[len]!++, len);
  }
}

/** `tr_static_init`. */
(function staticInit(): void {
  let length = 0;
  let code: number;
  for (code = 0; code < LENGTH_CODES - 1; code++) {
    BASE_LENGTH[code] = length;
    for (let n = 0; n < 1 << EXTRA_LBITS[code]!; n++) LENGTH_CODE[length++] = code;
  }
  LENGTH_CODE[length - 1] = code;
  let dist = 0;
  for (code = 0; code < 16; code++) {
    BASE_DIST[code] = dist;
    for (let n = 0; n < 1 << EXTRA_DBITS[code]!; n++) DIST_CODE[dist++] = code;
  }
  dist >>= 7;
  for (; code < D_CODES; code++) {
    BASE_DIST[code] = dist << 7;
    for (let n = 0; n < 1 << (EXTRA_DBITS[code]! - 7); n++) DIST_CODE[256 + dist++] = code;
  }
  const blCount = new Uint16Array(MAX_BITS + 1);
  let n = 0;
  for (; n <= 143; n++, blCount[8]!++) STATIC_LTREE[n * 2 + 1] = 8;
  for (; n <= 255; n++, blCount[9]!++) STATIC_LTREE[n * 2 + 1] = 9;
  for (; n <= 279; n++, blCount[7]!++) STATIC_LTREE[n * 2 + 1] = 7;
  for (; n <= 287; n++, blCount[8]!++) STATIC_LTREE[n * 2 + 1] = 8;
  genCodes(STATIC_LTREE, 287, blCount);
  for (n = 0; n < D_CODES; n++) {
    STATIC_DTREE[n * 2 + 1] = 5;
    STATIC_DTREE[n * 2] = biReverse(n, 5);
  }
})();

/** `d_code(dist)`, dist = distance - 1. */
export function dCode(dist: number): number {
  return dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >>> 7)]!;
}

/** Scalar state slots shared by the driver and the match loops (Int32Array `st`). */
export const S = {
  STRSTART: 0,
  LOOKAHEAD: 1,
  MATCH_START: 2,
  MATCH_LENGTH: 3,
  PREV_LENGTH: 4,
  PREV_MATCH: 5,
  MATCH_AVAILABLE: 6,
  INS_H: 7,
  BLOCK_START: 8,
  SYM_NEXT: 9,
  /** Bytes of input not yet read into the window. */
  AVAIL_IN: 10,
  MAX_CHAIN: 11,
  GOOD_MATCH: 12,
  NICE_MATCH: 13,
  MAX_LAZY: 14,
  /** The bit writer: pending bits (fewer than 16 between calls), their count, output bytes. */
  BI_BUF: 15,
  BI_VALID: 16,
  OUT_POS: 17,
  /** Adler-32 of the input read so far (strm->adler). */
  ADLER: 18,
} as const;
export const STATE_SLOTS = 19;

/**
 * Where deflate keeps what a block's coding reads: the window (2 × 32 KiB and the bytes a
 * match may read past it), hash heads and chain links, the symbols (dist << 8 | lc, dist 0
 * for a literal), the dynamic trees (freq/code, dad/len pairs, zlib's ct_data), the static
 * trees, the pending output and the scalar state.
 */
export interface DeflateStore {
  window: Uint8Array;
  head: Uint16Array;
  prev: Uint16Array;
  sym: Int32Array;
  ltree: Uint16Array;
  dtree: Uint16Array;
  out: Uint8Array;
  st: Int32Array;
}

/** The pending output one block can need: its trees and 16383 symbols of at most 48 bits. */
export const OUT_SIZE = 128 * 1024;

/** Bits to the pending output (values of at most 16 bits). */
export function sendBits(st: Int32Array, out: Uint8Array, value: number, length: number): void {
  let buf = st[S.BI_BUF]! | (value << st[S.BI_VALID]!);
  let valid = st[S.BI_VALID]! + length;
  if (valid >= 16) {
    const p = st[S.OUT_POS]!;
    out[p] = buf;
    out[p + 1] = buf >>> 8;
    st[S.OUT_POS] = p + 2;
    buf >>>= 16;
    valid -= 16;
  }
  st[S.BI_BUF] = buf;
  st[S.BI_VALID] = valid;
}

/** `bi_windup`: the pending bits to a whole byte boundary. */
export function biWindup(st: Int32Array, out: Uint8Array): void {
  let p = st[S.OUT_POS]!;
  const valid = st[S.BI_VALID]!;
  const buf = st[S.BI_BUF]!;
  if (valid > 8) {
    out[p++] = buf;
    out[p++] = buf >>> 8;
  } else if (valid > 0) {
    out[p++] = buf;
  }
  st[S.OUT_POS] = p;
  st[S.BI_BUF] = 0;
  st[S.BI_VALID] = 0;
}

/** `init_block`. */
export function initBlock(store: DeflateStore): void {
  const { ltree, dtree, st } = store;
  for (let n = 0; n < L_CODES; n++) ltree[n * 2] = 0;
  for (let n = 0; n < D_CODES; n++) dtree[n * 2] = 0;
  ltree[END_BLOCK * 2] = 1;
  st[S.SYM_NEXT] = 0;
}

/**
 * `compress_block` in TypeScript: the block's symbols with the trees given (code, length
 * pairs), then END_BLOCK.
 */
export function compressBlockTs(store: DeflateStore, ltree: Uint16Array, dtree: Uint16Array): void {
  const { sym, out, st } = store;
  const n = st[S.SYM_NEXT]!;
  let buf = st[S.BI_BUF]!;
  let valid = st[S.BI_VALID]!;
  let p = st[S.OUT_POS]!;
  for (let i = 0; i < n; i++) {
    const s = sym[i]!;
    let dist = s >>> 8;
    let lc = s & 255;
    if (dist === 0) {
      buf |= ltree[lc * 2]! << valid;
      valid += ltree[lc * 2 + 1]!;
    } else {
      let code = LENGTH_CODE[lc]!;
      const lcode = (code + LITERALS + 1) * 2;
      buf |= ltree[lcode]! << valid;
      valid += ltree[lcode + 1]!;
      let extra = EXTRA_LBITS[code]!;
      if (extra !== 0) {
        if (valid >= 16) {
          out[p++] = buf;
          out[p++] = buf >>> 8;
          buf >>>= 16;
          valid -= 16;
        }
        lc -= BASE_LENGTH[code]!;
        buf |= lc << valid;
        valid += extra;
      }
      if (valid >= 16) {
        out[p++] = buf;
        out[p++] = buf >>> 8;
        buf >>>= 16;
        valid -= 16;
      }
      dist--;
      code = dist < 256 ? DIST_CODE[dist]! : DIST_CODE[256 + (dist >>> 7)]!;
      buf |= dtree[code * 2]! << valid;
      valid += dtree[code * 2 + 1]!;
      extra = EXTRA_DBITS[code]!;
      if (extra !== 0) {
        if (valid >= 16) {
          out[p++] = buf;
          out[p++] = buf >>> 8;
          buf >>>= 16;
          valid -= 16;
        }
        dist -= BASE_DIST[code]!;
        buf |= dist << valid;
        valid += extra;
      }
    }
    if (valid >= 16) {
      out[p++] = buf;
      out[p++] = buf >>> 8;
      buf >>>= 16;
      valid -= 16;
    }
  }
  buf |= ltree[END_BLOCK * 2]! << valid;
  valid += ltree[END_BLOCK * 2 + 1]!;
  if (valid >= 16) {
    out[p++] = buf;
    out[p++] = buf >>> 8;
    buf >>>= 16;
    valid -= 16;
  }
  st[S.BI_BUF] = buf;
  st[S.BI_VALID] = valid;
  st[S.OUT_POS] = p;
}

/** How a block's symbols get coded, once the trees are known (the WebAssembly or TypeScript coder). */
export type CompressBlock = (store: DeflateStore, ltree: Uint16Array, dtree: Uint16Array) => void;

/** A tree being built and what zlib's static_tree_desc says of it. */
interface TreeDesc {
  maxCode: number;
  readonly stree: Uint16Array | null;
  readonly extra: Uint8Array;
  readonly extraBase: number;
  readonly elems: number;
  readonly maxLength: number;
}

/**
 * The tree builder's working state (zlib's heap, depth, bl_count, bl_tree, opt_len,
 * static_len), one per process: a block's trees are built and sent before the next block.
 */
export class TreeBuilder {
  private readonly heap = new Int32Array(2 * L_CODES + 1);
  private readonly depth = new Uint8Array(2 * L_CODES + 1);
  /** freq * 256 + depth per node (see pqdownheap). */
  private readonly key = new Int32Array(2 * L_CODES + 1);
  private readonly blCount = new Uint16Array(MAX_BITS + 1);
  private readonly blTree = new Uint16Array((2 * BL_CODES + 1) * 2);
  private heapLen = 0;
  private heapMax = 0;
  private optLen = 0;
  private staticLen = 0;
  private readonly lDesc: TreeDesc = { maxCode: 0, stree: STATIC_LTREE, extra: EXTRA_LBITS, extraBase: LITERALS + 1, elems: L_CODES, maxLength: MAX_BITS };
  private readonly dDesc: TreeDesc = { maxCode: 0, stree: STATIC_DTREE, extra: EXTRA_DBITS, extraBase: 0, elems: D_CODES, maxLength: MAX_BITS };
  private readonly blDesc: TreeDesc = { maxCode: 0, stree: null, extra: EXTRA_BLBITS, extraBase: 0, elems: BL_CODES, maxLength: MAX_BL_BITS };

  /**
   * `_tr_flush_block` (level > 0): the block [buf, buf + storedLen) of the window (buf -1
   * when it left the window), as a stored, static or dynamic block, then `init_block`.
   */
  flushBlock(store: DeflateStore, buf: number, storedLen: number, last: boolean, coder: CompressBlock): void {
    const { ltree, dtree, st, out } = store;
    this.optLen = 0;
    this.staticLen = 0;
    this.buildTree(ltree, this.lDesc);
    this.buildTree(dtree, this.dDesc);
    const maxBlindex = this.buildBlTree(ltree, dtree);
    let optLenb = (this.optLen + 3 + 7) >>> 3;
    const staticLenb = (this.staticLen + 3 + 7) >>> 3;
    if (staticLenb <= optLenb) optLenb = staticLenb;
    const lastBit = last ? 1 : 0;
    if (storedLen + 4 <= optLenb && buf !== -1) {
      storedBlock(store, buf, storedLen, last);
    } else if (staticLenb === optLenb) {
      sendBits(st, out, (1 << 1) + lastBit, 3);
      coder(store, STATIC_LTREE, STATIC_DTREE);
    } else {
      sendBits(st, out, (2 << 1) + lastBit, 3);
      this.sendAllTrees(store, this.lDesc.maxCode + 1, this.dDesc.maxCode + 1, maxBlindex + 1);
      coder(store, ltree, dtree);
    }
    initBlock(store);
    if (last) biWindup(st, out);
  }

  /**
   * `pqdownheap`. zlib's `smaller(tree, n, m, depth)` (freq, then depth, lower or equal) is
   * one compare of key = freq * 256 + depth (depths stay far below 256).
   */
  private pqdownheap(k: number): void {
    const { heap, key } = this;
    const len = this.heapLen;
    const v = heap[k]!;
    const kv = key[v]!;
    let j = k << 1;
    while (j <= len) {
      let hj = heap[j]!;
      if (j < len) {
        const hj1 = heap[j + 1]!;
        if (key[hj1]! <= key[hj]!) {
          j++;
          hj = hj1;
        }
      }
      if (kv <= key[hj]!) break;
      heap[k] = hj;
      k = j;
      j <<= 1;
    }
    heap[k] = v;
  }

  private genBitlen(tree: Uint16Array, desc: TreeDesc): void {
    const { heap, blCount } = this;
    const { maxCode, stree, extra, extraBase: base, maxLength } = desc;
    let overflow = 0;
    blCount.fill(0);
    tree[heap[this.heapMax]! * 2 + 1] = 0;
    let h: number;
    for (h = this.heapMax + 1; h < HEAP_SIZE; h++) {
      const n = heap[h]!;
      let bits = tree[tree[n * 2 + 1]! * 2 + 1]! + 1;
      if (bits > maxLength) {
        bits = maxLength;
        overflow++;
      }
      tree[n * 2 + 1] = bits;
      if (n > maxCode) continue;
      blCount[bits]!++;
      const xbits = n >= base ? extra[n - base]! : 0;
      const f = tree[n * 2]!;
      this.optLen += f * (bits + xbits);
      if (stree !== null) this.staticLen += f * (stree[n * 2 + 1]! + xbits);
    }
    if (overflow === 0) return;
    do {
      let bits = maxLength - 1;
      while (blCount[bits] === 0) bits--;
      blCount[bits]!--;
      blCount[bits + 1]! += 2;
      blCount[maxLength]!--;
      overflow -= 2;
    } while (overflow > 0);
    for (let bits = maxLength; bits !== 0; bits--) {
      let n = blCount[bits]!;
      while (n !== 0) {
        const m = heap[--h]!;
        if (m > maxCode) continue;
        if (tree[m * 2 + 1] !== bits) {
          this.optLen += (bits - tree[m * 2 + 1]!) * tree[m * 2]!;
          tree[m * 2 + 1] = bits;
        }
        n--;
      }
    }
  }

  private buildTree(tree: Uint16Array, desc: TreeDesc): void {
    const { heap, depth, key } = this;
    const { stree, elems } = desc;
    let maxCode = -1;
    let heapLen = 0;
    for (let n = 0; n < elems; n++) {
      const f = tree[n * 2]!;
      if (f !== 0) {
        heap[++heapLen] = maxCode = n;
        depth[n] = 0;
        key[n] = f << 8;
      } else {
        tree[n * 2 + 1] = 0;
      }
    }
    while (heapLen < 2) {
      const node = (heap[++heapLen] = maxCode < 2 ? ++maxCode : 0);
      tree[node * 2] = 1;
      depth[node] = 0;
      key[node] = 1 << 8;
      this.optLen--;
      if (stree !== null) this.staticLen -= stree[node * 2 + 1]!;
    }
    desc.maxCode = maxCode;
    this.heapLen = heapLen;
    this.heapMax = HEAP_SIZE;
    for (let n = heapLen >> 1; n >= 1; n--) this.pqdownheap(n);
    let node = elems;
    do {
      const n = heap[1]!;
      heap[1] = heap[this.heapLen--]!;
      this.pqdownheap(1);
      const m = heap[1]!;
      heap[--this.heapMax] = n;
      heap[--this.heapMax] = m;
      const f = tree[n * 2]! + tree[m * 2]!;
      tree[node * 2] = f;
      const d = (depth[n]! >= depth[m]! ? depth[n]! : depth[m]!) + 1;
      depth[node] = d;
      key[node] = (f << 8) | d;
      tree[n * 2 + 1] = tree[m * 2 + 1] = node;
      heap[1] = node++;
      this.pqdownheap(1);
    } while (this.heapLen >= 2);
    heap[--this.heapMax] = heap[1]!;
    this.genBitlen(tree, desc);
    genCodes(tree, maxCode, this.blCount);
  }

  private scanTree(tree: Uint16Array, maxCode: number): void {
    const bl = this.blTree;
    let prevlen = -1;
    let nextlen = tree[1]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    tree[(maxCode + 1) * 2 + 1] = 0xffff;
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = tree[(n + 1) * 2 + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      else if (count < minCount) bl[curlen * 2]! += count;
      else if (curlen !== 0) {
        if (curlen !== prevlen) bl[curlen * 2]!++;
        bl[REP_3_6 * 2]!++;
      } else if (count <= 10) bl[REPZ_3_10 * 2]!++;
      else bl[REPZ_11_138 * 2]!++;
      count = 0;
      prevlen = curlen;
      if (nextlen === 0) {
        maxCount = 138;
        minCount = 3;
      } else if (curlen === nextlen) {
        maxCount = 6;
        minCount = 3;
      } else {
        maxCount = 7;
        minCount = 4;
      }
    }
  }

  private sendTree(store: DeflateStore, tree: Uint16Array, maxCode: number): void {
    const { st, out } = store;
    const bl = this.blTree;
    let prevlen = -1;
    let nextlen = tree[1]!;
    let count = 0;
    let maxCount = 7;
    let minCount = 4;
    if (nextlen === 0) {
      maxCount = 138;
      minCount = 3;
    }
    for (let n = 0; n <= maxCode; n++) {
      const curlen = nextlen;
      nextlen = tree[(n + 1) * 2 + 1]!;
      if (++count < maxCount && curlen === nextlen) continue;
      else if (count < minCount) {
        do sendBits(st, out, bl[curlen * 2]!, bl[curlen * 2 + 1]!);
        while (--count !== 0);
      } else if (curlen !== 0) {
        if (curlen !== prevlen) {
          sendBits(st, out, bl[curlen * 2]!, bl[curlen * 2 + 1]!);
          count--;
        }
        sendBits(st, out, bl[REP_3_6 * 2]!, bl[REP_3_6 * 2 + 1]!);
        sendBits(st, out, count - 3, 2);
      } else if (count <= 10) {
        sendBits(st, out, bl[REPZ_3_10 * 2]!, bl[REPZ_3_10 * 2 + 1]!);
        sendBits(st, out, count - 3, 3);
      } else {
        sendBits(st, out, bl[REPZ_11_138 * 2]!, bl[REPZ_11_138 * 2 + 1]!);
        sendBits(st, out, count - 11, 7);
      }
      count = 0;
      prevlen = curlen;
      if (nextlen === 0) {
        maxCount = 138;
        minCount = 3;
      } else if (curlen === nextlen) {
        maxCount = 6;
        minCount = 3;
      } else {
        maxCount = 7;
        minCount = 4;
      }
    }
  }

  private buildBlTree(ltree: Uint16Array, dtree: Uint16Array): number {
    const bl = this.blTree;
    for (let n = 0; n < BL_CODES; n++) bl[n * 2] = 0;
    this.scanTree(ltree, this.lDesc.maxCode);
    this.scanTree(dtree, this.dDesc.maxCode);
    this.buildTree(bl, this.blDesc);
    let maxBlindex: number;
    for (maxBlindex = BL_CODES - 1; maxBlindex >= 3; maxBlindex--) if (bl[BL_ORDER[maxBlindex]! * 2 + 1] !== 0) break;
    this.optLen += 3 * (maxBlindex + 1) + 5 + 5 + 4;
    return maxBlindex;
  }

  private sendAllTrees(store: DeflateStore, lcodes: number, dcodes: number, blcodes: number): void {
    const { st, out } = store;
    sendBits(st, out, lcodes - 257, 5);
    sendBits(st, out, dcodes - 1, 5);
    sendBits(st, out, blcodes - 4, 4);
    for (let rank = 0; rank < blcodes; rank++) sendBits(st, out, this.blTree[BL_ORDER[rank]! * 2 + 1]!, 3);
    this.sendTree(store, store.ltree, lcodes - 1);
    this.sendTree(store, store.dtree, dcodes - 1);
  }
}

/** `_tr_stored_block`: the block header, then window[buf, buf + storedLen) as is. */
export function storedBlock(store: DeflateStore, buf: number, storedLen: number, last: boolean): void {
  const { st, out, window } = store;
  sendBits(st, out, last ? 1 : 0, 3);
  biWindup(st, out);
  let p = st[S.OUT_POS]!;
  out[p++] = storedLen;
  out[p++] = storedLen >>> 8;
  out[p++] = ~storedLen;
  out[p++] = ~storedLen >>> 8;
  if (storedLen > 0) out.set(window.subarray(buf, buf + storedLen), p);
  st[S.OUT_POS] = p + storedLen;
}
