/**
 * Ported from zlib 1.2.x deflate.c (Jean-loup Gailly and Mark Adler, zlib license) as pako
 * 3.0.3 has it with `legacyHash: true` (src/zlib/deflate.mjs, MIT + zlib); licenses in
 * THIRD_PARTY_NOTICES.md.
 *
 * `deflate(strm, Z_FINISH)` over a whole input with the zlib wrapper, windowBits 15,
 * memLevel 8, the default strategy and zlib's classic rolling hash: the bytes pako's
 * `deflate(src, { level, legacyHash: true })` and zlib 1.2.x / 1.3.x `compress2` write, for
 * levels 1-9 (`deflate_fast` for 1-3, `deflate_slow` for 4-9, with `longest_match`,
 * `fill_window`, `slide_hash` and the configuration table's good/lazy/nice/chain).
 *
 * The window is emulated exactly as zlib keeps it (64 KiB, slid by 32 KiB, fresh zeros at
 * the start, stale bytes past the lookahead left as zlib leaves them), since a match search
 * may compare bytes past the end of the input. The match loop runs until a block is full or
 * the window needs filling; the driver here fills the window and flushes blocks
 * (trees.ts), so that the loop itself can run as WebAssembly (deflate-wasm.ts) with this
 * file's TypeScript loops as its twin and fallback.
 */
import {
  type CompressBlock,
  type DeflateStore,
  LENGTH_CODE,
  LITERALS,
  OUT_SIZE,
  S,
  STATE_SLOTS,
  SYM_END,
  LIT_BUFSIZE,
  HEAP_SIZE,
  D_CODES,
  TreeBuilder,
  biWindup,
  compressBlockTs,
  dCode,
  initBlock,
} from './trees.js';
import { copyMemory } from '../../copy.js';

export const W_SIZE = 1 << 15;
export const W_MASK = W_SIZE - 1;
export const WINDOW_SIZE = 2 * W_SIZE;
export const HASH_SIZE = 1 << 15;
export const HASH_MASK = HASH_SIZE - 1;
/** (hash_bits + MIN_MATCH - 1) / MIN_MATCH with hash_bits = memLevel 8 + 7. */
export const HASH_SHIFT = 5;
export const MIN_MATCH = 3;
export const MAX_MATCH = 258;
export const MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
export const MAX_DIST = W_SIZE - MIN_LOOKAHEAD;
/** fill_window slides the window once strstart reaches this. */
export const SLIDE_AT = W_SIZE + MAX_DIST;
/** Bytes kept past the window: the WebAssembly match count reads up to 8 bytes at a time. */
export const WINDOW_SLACK = 16;

/** zlib's configuration_table: good_length, max_lazy, nice_length, max_chain per level. */
export const CONFIGURATION_TABLE: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0],
  [4, 4, 8, 4],
  [4, 5, 16, 8],
  [4, 6, 32, 32],
  [4, 4, 16, 16],
  [8, 16, 32, 32],
  [8, 16, 128, 128],
  [8, 32, 128, 256],
  [32, 128, 258, 1024],
  [32, 258, 258, 4096],
];

/** What the match loop stopped for. */
export const RUN_FILL = 0;
/** A block is full: flush it (strstart already past the symbol). */
export const RUN_FLUSH = 1;
/** A block is full in deflate_slow's literal branch: flush it, then step strstart. */
export const RUN_FLUSH_THEN_STEP = 2;

/** A deflate engine: where its arrays live and how its match loop and symbol coder run. */
export interface DeflateEngine {
  /** The arrays, taken anew per call (views of a memory that may have grown). */
  store(): DeflateStore;
  /** deflate_slow (levels 4-9) or deflate_fast (1-3) until a block fills or the window needs filling. */
  run(store: DeflateStore, slow: boolean): number;
  /** `slide_hash`. */
  slideHash(store: DeflateStore): void;
  /** `adler32(adler, window + at, n)` (read_buf's checksum of the bytes it just read). */
  adler(store: DeflateStore, at: number, n: number, adler: number): number;
  compressBlock: CompressBlock;
}

/** `adler32(adler, src + sp, sn)` (zlib adler32.c: sums modulo 65521 every 5552 bytes at most). */
export function adler32(src: Uint8Array, sp: number, sn: number, adler = 1): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  let p = sp;
  const end = sp + sn;
  while (p < end) {
    const stop = Math.min(end, p + 5552);
    for (; p + 4 <= stop; p += 4) {
      a += src[p]!;
      b += a;
      a += src[p + 1]!;
      b += a;
      a += src[p + 2]!;
      b += a;
      a += src[p + 3]!;
      b += a;
    }
    for (; p < stop; p++) {
      a += src[p]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The module's longest_match result beside its length: zlib's s->match_start. */
let foundStart = 0;

/**
 * `longest_match`: the longest match for the string at strstart among the chain from
 * curMatch, at least longer than prevLength; sets foundStart when it finds one.
 */
function longestMatch(
  w: Uint8Array, prev: Uint16Array, strstart: number, curMatch: number, prevLength: number, lookahead: number,
  maxChain: number, goodMatch: number, niceMatchLevel: number,
): number {
  let chainLength = maxChain;
  let bestLen = prevLength;
  let niceMatch = niceMatchLevel;
  const limit = strstart > MAX_DIST ? strstart - MAX_DIST : 0;
  const strend = strstart + MAX_MATCH;
  let scanEnd1 = w[strstart + bestLen - 1]!;
  let scanEnd = w[strstart + bestLen]!;
  const s0 = w[strstart]!;
  const s1 = w[strstart + 1]!;
  if (prevLength >= goodMatch) chainLength >>= 2;
  if (niceMatch > lookahead) niceMatch = lookahead;
  do {
    let match = curMatch;
    if (w[match + bestLen] !== scanEnd || w[match + bestLen - 1] !== scanEnd1 || w[match] !== s0 || w[match + 1] !== s1) continue;
    // scan[2] and match[2] need no compare: equal hashes and equal first bytes make them equal.
    let scan = strstart + 3;
    match += 3;
    while (scan < strend && w[scan] === w[match]) {
      scan++;
      match++;
    }
    const len = scan - strstart;
    if (len > bestLen) {
      foundStart = curMatch;
      bestLen = len;
      if (len >= niceMatch) break;
      scanEnd1 = w[strstart + bestLen - 1]!;
      scanEnd = w[strstart + bestLen]!;
    }
  } while ((curMatch = prev[curMatch & W_MASK]!) > limit && --chainLength !== 0);
  return bestLen <= lookahead ? bestLen : lookahead;
}

/** `deflate_slow` (levels 4-9) in TypeScript, from the state in st to the next stop. */
function runSlowTs(store: DeflateStore): number {
  const { window: w, head, prev, sym, ltree, dtree, st } = store;
  let strstart = st[S.STRSTART]!;
  let lookahead = st[S.LOOKAHEAD]!;
  let matchStart = st[S.MATCH_START]!;
  let matchLength = st[S.MATCH_LENGTH]!;
  let prevLength = st[S.PREV_LENGTH]!;
  let prevMatch = st[S.PREV_MATCH]!;
  let matchAvailable = st[S.MATCH_AVAILABLE]!;
  let insH = st[S.INS_H]!;
  let symNext = st[S.SYM_NEXT]!;
  const availIn = st[S.AVAIL_IN]!;
  const maxChain = st[S.MAX_CHAIN]!;
  const goodMatch = st[S.GOOD_MATCH]!;
  const niceMatch = st[S.NICE_MATCH]!;
  const maxLazy = st[S.MAX_LAZY]!;
  let result: number;
  for (;;) {
    if (lookahead < MIN_LOOKAHEAD && (availIn !== 0 || strstart >= SLIDE_AT || lookahead === 0)) {
      result = RUN_FILL;
      break;
    }
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) {
      insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
      hashHead = prev[strstart & W_MASK] = head[insH]!;
      head[insH] = strstart;
    }
    prevLength = matchLength;
    prevMatch = matchStart;
    matchLength = MIN_MATCH - 1;
    if (hashHead !== 0 && prevLength < maxLazy && strstart - hashHead <= MAX_DIST) {
      foundStart = matchStart;
      matchLength = longestMatch(w, prev, strstart, hashHead, prevLength, lookahead, maxChain, goodMatch, niceMatch);
      matchStart = foundStart;
      if (matchLength === MIN_MATCH && strstart - matchStart > 4096) matchLength = MIN_MATCH - 1;
    }
    if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
      const maxInsert = strstart + lookahead - MIN_MATCH;
      const dist = strstart - 1 - prevMatch;
      const lc = prevLength - MIN_MATCH;
      sym[symNext++] = (dist << 8) | lc;
      ltree[(LENGTH_CODE[lc]! + LITERALS + 1) * 2]!++;
      dtree[dCode(dist - 1) * 2]!++;
      lookahead -= prevLength - 1;
      prevLength -= 2;
      do {
        if (++strstart <= maxInsert) {
          insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
          prev[strstart & W_MASK] = head[insH]!;
          head[insH] = strstart;
        }
      } while (--prevLength !== 0);
      matchAvailable = 0;
      matchLength = MIN_MATCH - 1;
      strstart++;
      if (symNext === SYM_END) {
        result = RUN_FLUSH;
        break;
      }
    } else if (matchAvailable !== 0) {
      const lc = w[strstart - 1]!;
      sym[symNext++] = lc;
      ltree[lc * 2]!++;
      if (symNext === SYM_END) {
        result = RUN_FLUSH_THEN_STEP;
        break;
      }
      strstart++;
      lookahead--;
    } else {
      matchAvailable = 1;
      strstart++;
      lookahead--;
    }
  }
  st[S.STRSTART] = strstart;
  st[S.LOOKAHEAD] = lookahead;
  st[S.MATCH_START] = matchStart;
  st[S.MATCH_LENGTH] = matchLength;
  st[S.PREV_LENGTH] = prevLength;
  st[S.PREV_MATCH] = prevMatch;
  st[S.MATCH_AVAILABLE] = matchAvailable;
  st[S.INS_H] = insH;
  st[S.SYM_NEXT] = symNext;
  return result;
}

/** `deflate_fast` (levels 1-3) in TypeScript, from the state in st to the next stop. */
function runFastTs(store: DeflateStore): number {
  const { window: w, head, prev, sym, ltree, dtree, st } = store;
  let strstart = st[S.STRSTART]!;
  let lookahead = st[S.LOOKAHEAD]!;
  let matchStart = st[S.MATCH_START]!;
  let matchLength = st[S.MATCH_LENGTH]!;
  let insH = st[S.INS_H]!;
  let symNext = st[S.SYM_NEXT]!;
  const prevLength = st[S.PREV_LENGTH]!;
  const availIn = st[S.AVAIL_IN]!;
  const maxChain = st[S.MAX_CHAIN]!;
  const goodMatch = st[S.GOOD_MATCH]!;
  const niceMatch = st[S.NICE_MATCH]!;
  const maxInsert = st[S.MAX_LAZY]!;
  let result: number;
  for (;;) {
    if (lookahead < MIN_LOOKAHEAD && (availIn !== 0 || strstart >= SLIDE_AT || lookahead === 0)) {
      result = RUN_FILL;
      break;
    }
    let hashHead = 0;
    if (lookahead >= MIN_MATCH) {
      insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
      hashHead = prev[strstart & W_MASK] = head[insH]!;
      head[insH] = strstart;
    }
    if (hashHead !== 0 && strstart - hashHead <= MAX_DIST) {
      foundStart = matchStart;
      matchLength = longestMatch(w, prev, strstart, hashHead, prevLength, lookahead, maxChain, goodMatch, niceMatch);
      matchStart = foundStart;
    }
    if (matchLength >= MIN_MATCH) {
      const dist = strstart - matchStart;
      const lc = matchLength - MIN_MATCH;
      sym[symNext++] = (dist << 8) | lc;
      ltree[(LENGTH_CODE[lc]! + LITERALS + 1) * 2]!++;
      dtree[dCode(dist - 1) * 2]!++;
      lookahead -= matchLength;
      if (matchLength <= maxInsert && lookahead >= MIN_MATCH) {
        matchLength--;
        do {
          strstart++;
          insH = ((insH << HASH_SHIFT) ^ w[strstart + 2]!) & HASH_MASK;
          prev[strstart & W_MASK] = head[insH]!;
          head[insH] = strstart;
        } while (--matchLength !== 0);
        strstart++;
      } else {
        strstart += matchLength;
        matchLength = 0;
        insH = w[strstart]!;
        insH = ((insH << HASH_SHIFT) ^ w[strstart + 1]!) & HASH_MASK;
      }
    } else {
      const lc = w[strstart]!;
      sym[symNext++] = lc;
      ltree[lc * 2]!++;
      lookahead--;
      strstart++;
    }
    if (symNext === SYM_END) {
      result = RUN_FLUSH;
      break;
    }
  }
  st[S.STRSTART] = strstart;
  st[S.LOOKAHEAD] = lookahead;
  st[S.MATCH_START] = matchStart;
  st[S.MATCH_LENGTH] = matchLength;
  st[S.INS_H] = insH;
  st[S.SYM_NEXT] = symNext;
  return result;
}

/** `slide_hash` in TypeScript. */
function slideHashTs(store: DeflateStore): void {
  const { head, prev } = store;
  for (let n = 0; n < HASH_SIZE; n++) {
    const m = head[n]!;
    head[n] = m >= W_SIZE ? m - W_SIZE : 0;
  }
  for (let n = 0; n < W_SIZE; n++) {
    const m = prev[n]!;
    prev[n] = m >= W_SIZE ? m - W_SIZE : 0;
  }
}

let tsStore: DeflateStore | null = null;

/** The TypeScript engine: its arrays on the JavaScript heap, allocated on first use. */
export const tsDeflateEngine: DeflateEngine = {
  store(): DeflateStore {
    if (tsStore === null) {
      tsStore = {
        window: new Uint8Array(WINDOW_SIZE + WINDOW_SLACK),
        head: new Uint16Array(HASH_SIZE),
        prev: new Uint16Array(W_SIZE),
        sym: new Int32Array(LIT_BUFSIZE),
        ltree: new Uint16Array(HEAP_SIZE * 2),
        dtree: new Uint16Array((2 * D_CODES + 1) * 2),
        out: new Uint8Array(OUT_SIZE),
        st: new Int32Array(STATE_SLOTS),
      };
    }
    return tsStore;
  },
  run: (store, slow) => (slow ? runSlowTs(store) : runFastTs(store)),
  slideHash: slideHashTs,
  adler: (store, at, n, adler) => adler32(store.window, at, n, adler),
  compressBlock: compressBlockTs,
};

const trees = new TreeBuilder();

/**
 * `fill_window` for a whole input given at once: slide when strstart has reached
 * SLIDE_AT, then read what fits of src[next, next + st[AVAIL_IN]) and rehash
 * (s->insert is always 0 here, so only ins_h is set anew). Returns the next input index.
 */
function fillWindow(engine: DeflateEngine, store: DeflateStore, src: Uint8Array, next: number): number {
  const { window: w, st } = store;
  do {
    let more = WINDOW_SIZE - st[S.LOOKAHEAD]! - st[S.STRSTART]!;
    if (st[S.STRSTART]! >= SLIDE_AT) {
      w.copyWithin(0, W_SIZE, W_SIZE + W_SIZE - more);
      st[S.MATCH_START]! -= W_SIZE;
      st[S.STRSTART]! -= W_SIZE;
      st[S.BLOCK_START]! -= W_SIZE;
      engine.slideHash(store);
      more += W_SIZE;
    }
    const availIn = st[S.AVAIL_IN]!;
    if (availIn === 0) break;
    const n = availIn < more ? availIn : more;
    const at = st[S.STRSTART]! + st[S.LOOKAHEAD]!;
    w.set(src.subarray(next, next + n), at);
    st[S.ADLER] = engine.adler(store, at, n, st[S.ADLER]! >>> 0);
    next += n;
    st[S.AVAIL_IN] = availIn - n;
    st[S.LOOKAHEAD]! += n;
    if (st[S.LOOKAHEAD]! >= MIN_MATCH) {
      const str = st[S.STRSTART]!;
      st[S.INS_H] = ((w[str]! << HASH_SHIFT) ^ w[str + 1]!) & HASH_MASK;
    }
  } while (st[S.LOOKAHEAD]! < MIN_LOOKAHEAD && st[S.AVAIL_IN] !== 0);
  return next;
}

/** The zlib header for windowBits 15 at `level` (deflate(): level_flags, FCHECK). */
function zlibHeader(level: number): number {
  const flags = level < 2 ? 0 : level < 6 ? 1 : level === 6 ? 2 : 3;
  let header = ((8 + ((15 - 8) << 4)) << 8) | (flags << 6);
  header += 31 - (header % 31);
  return header;
}

/**
 * Compress src[sp, sp+sn) at level 1-9 into dst[dp, dp+cap) as a zlib stream. Returns the
 * bytes written, or 0 when the stream does not fit in cap (dst may then hold part of it
 * within [dp, dp+cap), nothing outside).
 */
export function deflateZlib(engine: DeflateEngine, src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, level: number): number {
  const store = engine.store();
  const { window: w, st, out } = store;
  const [good, lazy, nice, chain] = CONFIGURATION_TABLE[level]!;
  const slow = level >= 4;
  // deflateInit2 / lm_init: a fresh window and tables (pako allocates them zeroed per stream).
  w.fill(0);
  store.head.fill(0);
  store.prev.fill(0);
  st.fill(0);
  st[S.MATCH_LENGTH] = MIN_MATCH - 1;
  st[S.PREV_LENGTH] = MIN_MATCH - 1;
  st[S.MAX_CHAIN] = chain;
  st[S.GOOD_MATCH] = good;
  st[S.NICE_MATCH] = nice;
  st[S.MAX_LAZY] = lazy;
  st[S.AVAIL_IN] = sn;
  st[S.ADLER] = 1;
  initBlock(store);
  const header = zlibHeader(level);
  out[0] = header >>> 8;
  out[1] = header & 255;
  st[S.OUT_POS] = 2;
  let written = 0;
  let next = sp;
  for (;;) {
    const stop = engine.run(store, slow);
    if (stop === RUN_FILL) {
      next = fillWindow(engine, store, src, next);
      if (st[S.LOOKAHEAD] === 0) break;
      continue;
    }
    // FLUSH_BLOCK(s, 0): flush_block_only, then flush_pending.
    const blockStart = st[S.BLOCK_START]!;
    const strstart = st[S.STRSTART]!;
    trees.flushBlock(store, blockStart >= 0 ? blockStart : -1, strstart - blockStart, false, engine.compressBlock);
    st[S.BLOCK_START] = strstart;
    if (stop === RUN_FLUSH_THEN_STEP) {
      st[S.STRSTART] = strstart + 1;
      st[S.LOOKAHEAD]!--;
    }
    const n = st[S.OUT_POS]!;
    if (written + n > cap) return 0;
    copyMemory(out, 0, dst, dp + written, n);
    written += n;
    st[S.OUT_POS] = 0;
  }
  if (slow && st[S.MATCH_AVAILABLE] !== 0) {
    const lc = w[st[S.STRSTART]! - 1]!;
    store.sym[st[S.SYM_NEXT]!++] = lc;
    store.ltree[lc * 2]!++;
    st[S.MATCH_AVAILABLE] = 0;
  }
  const blockStart = st[S.BLOCK_START]!;
  trees.flushBlock(store, blockStart >= 0 ? blockStart : -1, st[S.STRSTART]! - blockStart, true, engine.compressBlock);
  biWindup(st, out);
  let p = st[S.OUT_POS]!;
  const adler = st[S.ADLER]! >>> 0;
  out[p++] = adler >>> 24;
  out[p++] = adler >>> 16;
  out[p++] = adler >>> 8;
  out[p++] = adler;
  if (written + p > cap) return 0;
  copyMemory(out, 0, dst, dp + written, p);
  return written + p;
}
