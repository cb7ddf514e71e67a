/**
 * Ported from zlib 1.2.x deflate.c and trees.c (Jean-loup Gailly and Mark Adler, zlib
 * license) as pako 3.0.3 has them (MIT + zlib); licenses in THIRD_PARTY_NOTICES.md.
 *
 * The hot parts of deflate.ts as WebAssembly functions on the shared memory
 * (src/wasm/heap.ts): `deflate_slow` and `deflate_fast` with `INSERT_STRING` and
 * `longest_match` inline (`run_slow`, `run_fast`), `slide_hash`, read_buf's `adler32`
 * (16 bytes a step), and trees.c's `compress_block`. Same steps, same state, same bytes as
 * the TypeScript twins in deflate.ts and trees.ts, which stay the fallback (no WebAssembly,
 * inputs or outputs in the shared memory, or `setZlibWasmEnabled(false)`). The driver
 * (deflate.ts: fill_window, the block flushes, the trees of trees.ts) is the same for both.
 *
 * Why: in JavaScript each window, head and chain access of the match loop carries a bounds
 * check and the match length is counted a byte at a time; here the loop runs on registers,
 * counts matches eight bytes at a time (the first differing byte, so the same lengths as
 * zlib's byte compares), sums Adler-32 16 bytes a step and emits each symbol's bits with
 * one 64-bit store.
 *
 * Where things are: zlib's tables in [ENCODE_AT, ENCODE_END) (hash heads, chain links, the
 * dynamic and static trees, the code tables, the scalar state), set up per call as the other
 * encoders there do; the 64 KiB window, the pending output and the block's symbols in the
 * scratch area from SCRATCH_AT. The output is copied to the caller's buffer block by block.
 */
import { type Code, type FunctionBody, I32, I64, V128, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, SCRATCH_AT, HeapModuleLoader, heapBytes, reserveHeap } from '../../wasm/heap.js';
import {
  HASH_MASK,
  HASH_SHIFT,
  HASH_SIZE,
  MAX_DIST,
  MAX_MATCH,
  MIN_LOOKAHEAD,
  MIN_MATCH,
  RUN_FILL,
  RUN_FLUSH,
  RUN_FLUSH_THEN_STEP,
  SLIDE_AT,
  W_SIZE,
  WINDOW_SIZE,
  WINDOW_SLACK,
  type DeflateEngine,
} from './deflate.js';
import {
  BASE_DIST,
  BASE_LENGTH,
  D_CODES,
  DIST_CODE,
  END_BLOCK,
  EXTRA_DBITS,
  EXTRA_LBITS,
  HEAP_SIZE,
  LENGTH_CODE,
  LENGTH_CODES,
  LIT_BUFSIZE,
  LITERALS,
  OUT_SIZE,
  S,
  STATE_SLOTS,
  STATIC_DTREE,
  STATIC_LTREE,
  SYM_END,
  type DeflateStore,
} from './trees.js';

const HEAD_AT = ENCODE_AT;
/**
 * The chain links, indexed by window position (zlib's prev[pos & w_mask] without the mask,
 * one step less on the chain walk's critical path). The same links: a position's slot is
 * only read while the position is within MAX_DIST, when zlib's masked slot still holds it
 * too; slide_hash moves the upper half down where zlib's masked slots stay in place.
 */
const PREV_AT = HEAD_AT + 2 * HASH_SIZE;
const LTREE_AT = PREV_AT + 2 * WINDOW_SIZE;
const DTREE_AT = LTREE_AT + 4 * HEAP_SIZE + 8;
const SLTREE_AT = DTREE_AT + 4 * (2 * D_CODES + 1) + 12;
const SDTREE_AT = SLTREE_AT + 4 * 288;
const LCODE_AT = SDTREE_AT + 4 * D_CODES + 8;
const DCODE_AT = LCODE_AT + 256;
const XLBITS_AT = DCODE_AT + 512;
const XDBITS_AT = XLBITS_AT + 32;
/** base_length as uint16, with code 28 (length 258, no extra bits) at 255 so lc - base is 0. */
const BLEN_AT = XDBITS_AT + 32;
const BDIST_AT = BLEN_AT + 64;
const ST_AT = BDIST_AT + 4 * D_CODES + 8;
const TABLES_END = ST_AT + 4 * STATE_SLOTS;
if (TABLES_END > ENCODE_END) throw new Error('deflate tables overrun their area of the heap');
/** The window (and the 8-byte reads past a match's end) and the pending output. */
const WIN_AT = SCRATCH_AT;
const OUT_AT = WIN_AT + WINDOW_SIZE + 64;
/** The symbols (dist << 8 | lc) of the block being gathered. */
const SYM_AT = OUT_AT + OUT_SIZE + 16;
const AREA_END = SYM_AT + 4 * LIT_BUFSIZE;

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

/** An i32 state slot's value. */
function loadSlot(slot: number): Code {
  return code(k(0), op.load32(ST_AT + 4 * slot));
}

/** Store local `l` into a state slot. */
function storeSlot(slot: number, l: number): Code {
  return code(k(0), get(l), op.store32(ST_AT + 4 * slot));
}

/** `INSERT_STRING(s, str)`: roll ins_h over window[str + 2], link str into its chain; the old head into `hh`. */
function insertString(str: number, insH: number, hh: number | null): Code {
  return code(
    get(insH), k(HASH_SHIFT), op.shl(), get(str), op.load8(WIN_AT + 2), op.xor(), k(HASH_MASK), op.and(), set(insH),
    get(str), k(1), op.shl(),
    get(insH), k(1), op.shl(), op.load16U(HEAD_AT),
    hh === null ? [] : tee(hh),
    op.store16(PREV_AT),
    get(insH), k(1), op.shl(), get(str), op.store16(HEAD_AT),
  );
}

/** `_tr_tally_lit`: the literal in local lc. */
function tallyLit(symN: number, lc: number, t: number): Code {
  return code(
    get(symN), k(2), op.shl(), get(lc), op.store32(SYM_AT),
    get(symN), k(1), op.add(), set(symN),
    get(lc), k(2), op.shl(), set(t),
    get(t), get(t), op.load16U(LTREE_AT), k(1), op.add(), op.store16(LTREE_AT),
  );
}

/** `_tr_tally_dist`: distance in local dist (>= 1), length - MIN_MATCH in local lc. */
function tallyDist(symN: number, dist: number, lc: number, t: number, d: number): Code {
  return code(
    get(symN), k(2), op.shl(), get(dist), k(8), op.shl(), get(lc), op.or(), op.store32(SYM_AT),
    get(symN), k(1), op.add(), set(symN),
    get(lc), op.load8(LCODE_AT), k(LITERALS + 1), op.add(), k(2), op.shl(), set(t),
    get(t), get(t), op.load16U(LTREE_AT), k(1), op.add(), op.store16(LTREE_AT),
    dCode(dist, d), k(2), op.shl(), set(t),
    get(t), get(t), op.load16U(DTREE_AT), k(1), op.add(), op.store16(DTREE_AT),
  );
}

/** `d_code(dist - 1)` of local dist on the stack (local d is a temporary, left as dist - 1). */
function dCode(dist: number, d: number): Code {
  return code(
    get(dist), k(1), op.sub(), tee(d), op.load8(DCODE_AT),
    get(d), k(7), op.shrU(), op.load8(DCODE_AT + 256),
    get(d), k(256), op.ltU(), op.select(),
  );
}

/** Locals of the inlined longest_match (see longestMatch). */
interface MatchLocals {
  str: number; cur: number; prevLen: number; look: number; mstart: number; chain: number; good: number; nice: number;
  /** The length found (at most lookahead). */
  out: number;
  ch: number; ni: number; best: number; limit: number; send: number; s01: number; len: number;
  /** An i64 local. */
  x: number;
}

/**
 * `longest_match(s, cur_match)` inline: from the chain at local `cur` (clobbered), the
 * longest match for the string at `str` longer than `prevLen`; `mstart` set when one is
 * found (zlib's s->match_start), its length (at most `look`) into `out`. Matches are counted
 * eight bytes at a time from scan[3] (scan[2] needs no compare: same hash, same first bytes).
 */
function longestMatch(m: MatchLocals): Code {
  const { str, cur, prevLen, look, mstart, chain, good, nice, out, ch, ni, best, limit, send, s01, len, x } = m;
  return code(
    get(prevLen), set(best),
    chain === ch ? [] : code(get(chain), set(ch)), nice === ni ? [] : code(get(nice), set(ni)),
    get(str), k(MAX_DIST), op.sub(), k(0), get(str), k(MAX_DIST), op.gtS(), op.select(), set(limit),
    get(str), get(best), op.add(), op.load16U(WIN_AT - 1), set(send),
    get(str), op.load16U(WIN_AT), set(s01),
    get(prevLen), get(good), op.geS(), op.if(), get(ch), k(2), op.shrU(), set(ch), op.end(),
    get(ni), get(look), op.gtS(), op.if(), get(look), set(ni), op.end(),
    op.block(), op.loop(), op.block(),
    // scan_end1/scan_end, then the first two bytes.
    get(cur), get(best), op.add(), op.load16U(WIN_AT - 1), get(send), op.ne(), op.brIf(0),
    get(cur), op.load16U(WIN_AT), get(s01), op.ne(), op.brIf(0),
    k(MIN_MATCH), set(len),
    op.block(), op.loop(),
    get(str), get(len), op.add(), op.load64(WIN_AT), get(cur), get(len), op.add(), op.load64(WIN_AT), op.i64Xor(), set(x),
    get(x), op.i64Eqz(), op.if(),
    get(len), k(8), op.add(), tee(len), k(MAX_MATCH), op.ltU(), op.brIf(1),
    op.br(2),
    op.end(),
    get(len), get(x), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(len),
    op.end(), op.end(),
    get(len), k(MAX_MATCH), op.gtU(), op.if(), k(MAX_MATCH), set(len), op.end(),
    get(len), get(best), op.gtS(), op.if(),
    get(cur), set(mstart),
    get(len), set(best),
    get(len), get(ni), op.geS(), op.brIf(3),
    get(str), get(best), op.add(), op.load16U(WIN_AT - 1), set(send),
    op.end(),
    op.end(),
    // cur_match = prev[cur_match & wmask]; stop at limit, or when the chain is spent (two
    // branches, not one on both tests ANDed: fewer instructions on the hot path).
    get(cur), k(1), op.shl(), op.load16U(PREV_AT), tee(cur), get(limit), op.leU(), op.brIf(1),
    get(ch), k(1), op.sub(), tee(ch), op.brIf(0),
    op.end(), op.end(),
    get(best), get(look), get(best), get(look), op.leS(), op.select(), set(out),
  );
}

/** Locals of the two run functions. */
const STR = 0, LOOK = 1, MSTART = 2, MLEN = 3, PLEN = 4, PMATCH = 5, MAVAIL = 6, INSH = 7, SYMN = 8, AVAIL = 9;
const CHAIN = 10, GOOD = 11, NICE = 12, LAZY = 13, HH = 14, RES = 15, MAXINS = 16, DIST = 17, LC = 18, T = 19, D = 20;
const RUN_LOCALS = 21;

const RUN_STATE: ReadonlyArray<readonly [number, number]> = [
  [STR, S.STRSTART], [LOOK, S.LOOKAHEAD], [MSTART, S.MATCH_START], [MLEN, S.MATCH_LENGTH], [PLEN, S.PREV_LENGTH],
  [PMATCH, S.PREV_MATCH], [MAVAIL, S.MATCH_AVAILABLE], [INSH, S.INS_H], [SYMN, S.SYM_NEXT], [AVAIL, S.AVAIL_IN],
  [CHAIN, S.MAX_CHAIN], [GOOD, S.GOOD_MATCH], [NICE, S.NICE_MATCH], [LAZY, S.MAX_LAZY],
];
const RUN_WRITTEN: ReadonlyArray<readonly [number, number]> = RUN_STATE.slice(0, 9);

/**
 * The loop's stop: lookahead short (rarely true: tested alone first), and input left, a
 * slide due, or nothing left; then RUN_FILL out of the loop at `depth` (from inside the
 * two ifs here).
 */
const stopForFill = (depth: number): Code => code(
  get(LOOK), k(MIN_LOOKAHEAD), op.ltS(), op.if(),
  get(AVAIL), k(0), op.ne(), get(STR), k(SLIDE_AT), op.geS(), op.or(), get(LOOK), op.eqz(), op.or(),
  op.if(), k(RUN_FILL), set(RES), op.br(depth + 2), op.end(),
  op.end(),
);

/** Function index of `longest` (after the five exports). */
const F_LONGEST = 5;

/**
 * `longest(strstart, cur_match, prev_length, lookahead, match_start, chain, good, nice)`:
 * longestMatch as a function of its own (its loop keeps its few values in registers);
 * returns match_start << 16 | the length found.
 */
function longestBody(): FunctionBody {
  const m: MatchLocals = {
    str: 0, cur: 1, prevLen: 2, look: 3, mstart: 4, chain: 5, good: 6, nice: 7,
    out: 8, ch: 5, ni: 7, best: 9, limit: 10, send: 11, s01: 12, len: 13, x: 14,
  };
  return {
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    result: I32,
    locals: [[6, I32], [1, I64]],
    code: code(longestMatch(m), get(m.mstart), k(16), op.shl(), get(m.out), op.or()),
  };
}

const callLongest = (): Code => code(
  get(STR), get(HH), get(PLEN), get(LOOK), get(MSTART), get(CHAIN), get(GOOD), get(NICE), op.call(F_LONGEST), tee(T),
  k(0xffff), op.and(), set(MLEN),
  get(T), k(16), op.shrU(), set(MSTART),
);

/** `run_slow()`: deflate_slow from the state in memory to the next stop (RUN_*). */
function runSlowBody(): FunctionBody {
  return {
    params: [],
    result: I32,
    locals: [[RUN_LOCALS, I32]],
    code: code(
      ...RUN_STATE.map(([l, slot]) => code(loadSlot(slot), set(l))),
      op.block(), op.loop(),
      stopForFill(1),
      k(0), set(HH),
      get(LOOK), k(MIN_MATCH), op.geS(), op.if(), insertString(STR, INSH, HH), op.end(),
      get(MLEN), set(PLEN), get(MSTART), set(PMATCH), k(MIN_MATCH - 1), set(MLEN),
      // Nested ifs, not ANDed tests: each a branch, no booleans made.
      get(HH), op.if(),
      get(PLEN), get(LAZY), op.ltS(), op.if(),
      get(STR), get(HH), op.sub(), k(MAX_DIST), op.leS(), op.if(),
      callLongest(),
      get(MLEN), k(MIN_MATCH), op.eq(), op.if(),
      get(STR), get(MSTART), op.sub(), k(4096), op.gtS(), op.if(), k(MIN_MATCH - 1), set(MLEN), op.end(),
      op.end(),
      op.end(), op.end(), op.end(),
      get(PLEN), k(MIN_MATCH), op.geS(), get(MLEN), get(PLEN), op.leS(), op.and(),
      op.if(),
      get(STR), get(LOOK), op.add(), k(MIN_MATCH), op.sub(), set(MAXINS),
      get(STR), k(1), op.sub(), get(PMATCH), op.sub(), set(DIST),
      get(PLEN), k(MIN_MATCH), op.sub(), set(LC),
      tallyDist(SYMN, DIST, LC, T, D),
      get(LOOK), get(PLEN), k(1), op.sub(), op.sub(), set(LOOK),
      get(PLEN), k(2), op.sub(), set(PLEN),
      op.loop(),
      get(STR), k(1), op.add(), tee(STR), get(MAXINS), op.leS(), op.if(), insertString(STR, INSH, null), op.end(),
      get(PLEN), k(1), op.sub(), tee(PLEN), op.brIf(0),
      op.end(),
      k(0), set(MAVAIL), k(MIN_MATCH - 1), set(MLEN),
      get(STR), k(1), op.add(), set(STR),
      get(SYMN), k(SYM_END), op.eq(), op.if(), k(RUN_FLUSH), set(RES), op.br(3), op.end(),
      op.else(),
      get(MAVAIL), op.if(),
      get(STR), op.load8(WIN_AT - 1), set(LC),
      tallyLit(SYMN, LC, T),
      get(SYMN), k(SYM_END), op.eq(), op.if(), k(RUN_FLUSH_THEN_STEP), set(RES), op.br(4), op.end(),
      op.else(),
      k(1), set(MAVAIL),
      op.end(),
      get(STR), k(1), op.add(), set(STR),
      get(LOOK), k(1), op.sub(), set(LOOK),
      op.end(),
      op.br(0),
      op.end(), op.end(),
      ...RUN_WRITTEN.map(([l, slot]) => storeSlot(slot, l)),
      get(RES),
    ),
  };
}

/** `run_fast()`: deflate_fast from the state in memory to the next stop (RUN_*). */
function runFastBody(): FunctionBody {
  return {
    params: [],
    result: I32,
    locals: [[RUN_LOCALS, I32]],
    code: code(
      ...RUN_STATE.map(([l, slot]) => code(loadSlot(slot), set(l))),
      op.block(), op.loop(),
      stopForFill(1),
      k(0), set(HH),
      get(LOOK), k(MIN_MATCH), op.geS(), op.if(), insertString(STR, INSH, HH), op.end(),
      get(HH), op.if(),
      get(STR), get(HH), op.sub(), k(MAX_DIST), op.leS(), op.if(), callLongest(), op.end(),
      op.end(),
      get(MLEN), k(MIN_MATCH), op.geS(),
      op.if(),
      get(STR), get(MSTART), op.sub(), set(DIST),
      get(MLEN), k(MIN_MATCH), op.sub(), set(LC),
      tallyDist(SYMN, DIST, LC, T, D),
      get(LOOK), get(MLEN), op.sub(), set(LOOK),
      get(MLEN), get(LAZY), op.leS(), get(LOOK), k(MIN_MATCH), op.geS(), op.and(),
      op.if(),
      get(MLEN), k(1), op.sub(), set(MLEN),
      op.loop(),
      get(STR), k(1), op.add(), set(STR),
      insertString(STR, INSH, null),
      get(MLEN), k(1), op.sub(), tee(MLEN), op.brIf(0),
      op.end(),
      get(STR), k(1), op.add(), set(STR),
      op.else(),
      get(STR), get(MLEN), op.add(), set(STR),
      k(0), set(MLEN),
      get(STR), op.load8(WIN_AT), k(HASH_SHIFT), op.shl(), get(STR), op.load8(WIN_AT + 1), op.xor(), k(HASH_MASK), op.and(), set(INSH),
      op.end(),
      op.else(),
      get(STR), op.load8(WIN_AT), set(LC),
      tallyLit(SYMN, LC, T),
      get(LOOK), k(1), op.sub(), set(LOOK),
      get(STR), k(1), op.add(), set(STR),
      op.end(),
      get(SYMN), k(SYM_END), op.eq(), op.if(), k(RUN_FLUSH), set(RES), op.br(2), op.end(),
      op.br(0),
      op.end(), op.end(),
      ...RUN_WRITTEN.map(([l, slot]) => storeSlot(slot, l)),
      get(RES),
    ),
  };
}

/**
 * `slide_hash()`: heads minus W_SIZE in place, the upper half's links minus W_SIZE moved
 * down to the lower half (positions index the links); 0 below W_SIZE (m >= W_SIZE ? m -
 * W_SIZE : 0 is a saturating subtract); eight 16-bit lanes a step.
 */
function slideHashBody(): FunctionBody {
  const P = 0;
  const wsize = op.v128(Array.from({ length: 16 }, (_, i) => (i & 1 ? W_SIZE >>> 8 : W_SIZE & 255)));
  const slid = (from: Code): Code => code(from, op.load(), wsize, op.i16x8SubSatU());
  return {
    params: [],
    result: null,
    locals: [[1, I32]],
    code: code(
      k(HEAD_AT), set(P),
      op.loop(),
      get(P), slid(get(P)), op.store(),
      get(P), k(16), op.add(), tee(P), k(HEAD_AT + 2 * HASH_SIZE), op.ltU(), op.brIf(0),
      op.end(),
      k(PREV_AT), set(P),
      op.loop(),
      get(P), slid(code(get(P), k(2 * W_SIZE), op.add())), op.store(),
      get(P), k(16), op.add(), tee(P), k(PREV_AT + 2 * W_SIZE), op.ltU(), op.brIf(0),
      op.end(),
    ),
  };
}

/**
 * `compress_block(ltree, dtree)`: the block's symbols with the trees at those addresses
 * ((code, length) uint16 pairs), then END_BLOCK; bits gathered in 64 bits and stored eight
 * bytes at a time (the output area keeps 8 bytes of slack), whole bytes kept.
 */
function compressBlockBody(): FunctionBody {
  const LT = 0, DT = 1;
  const N = 2, I = 3, SY = 4, DI = 5, L = 6, C = 7, P = 8, BN = 9, A = 10, DD = 11, BB = 12;
  const emit = (addr: Code): Code => code(
    addr, set(A),
    get(BB), get(A), op.load16U(), op.extendU(), get(BN), op.extendU(), op.i64Shl(), op.i64Or(), set(BB),
    get(BN), get(A), op.load16U(2), op.add(), set(BN),
  );
  const extra = (value: Code, bits: Code): Code => code(
    get(BB), value, op.extendU(), get(BN), op.extendU(), op.i64Shl(), op.i64Or(), set(BB),
    get(BN), bits, op.add(), set(BN),
  );
  const flush = (): Code => code(
    get(P), get(BB), op.store64(),
    get(P), get(BN), k(3), op.shrU(), op.add(), set(P),
    get(BB), get(BN), k(~7), op.and(), op.extendU(), op.i64ShrU(), set(BB),
    get(BN), k(7), op.and(), set(BN),
  );
  return {
    params: [I32, I32],
    result: null,
    locals: [[10, I32], [1, I64]],
    code: code(
      loadSlot(S.SYM_NEXT), set(N),
      loadSlot(S.BI_BUF), op.extendU(), set(BB),
      loadSlot(S.BI_VALID), set(BN),
      loadSlot(S.OUT_POS), k(OUT_AT), op.add(), set(P),
      k(0), set(I),
      op.block(), op.loop(),
      get(I), get(N), op.geU(), op.brIf(1),
      get(I), k(2), op.shl(), op.load32(SYM_AT), tee(SY), k(8), op.shrU(), set(DI),
      get(SY), k(255), op.and(), set(L),
      get(DI), op.eqz(), op.if(),
      emit(code(get(LT), get(L), k(2), op.shl(), op.add())),
      op.else(),
      get(L), op.load8(LCODE_AT), set(C),
      emit(code(get(LT), get(C), k(LITERALS + 1), op.add(), k(2), op.shl(), op.add())),
      extra(code(get(L), get(C), k(1), op.shl(), op.load16U(BLEN_AT), op.sub()), code(get(C), op.load8(XLBITS_AT))),
      dCode(DI, DD), set(C),
      emit(code(get(DT), get(C), k(2), op.shl(), op.add())),
      extra(code(get(DD), get(C), k(2), op.shl(), op.load32(BDIST_AT), op.sub()), code(get(C), op.load8(XDBITS_AT))),
      op.end(),
      flush(),
      get(I), k(1), op.add(), set(I),
      op.br(0),
      op.end(), op.end(),
      emit(code(get(LT), k(END_BLOCK * 4), op.add())),
      flush(),
      k(0), get(BB), op.wrap(), op.store32(ST_AT + 4 * S.BI_BUF),
      storeSlot(S.BI_VALID, BN),
      k(0), get(P), k(OUT_AT), op.sub(), op.store32(ST_AT + 4 * S.OUT_POS),
    ),
  };
}

/** i16x8 weights 16..1 of a 16-byte step's bytes in the second Adler sum, low then high half. */
function weights(from: number): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < 8; i++) bytes.push(from - i, 0);
  return bytes;
}

/** Bytes per Adler-32 step before the sums are reduced: zlib's NMAX (5552) down to whole 16-byte steps. */
const ADLER_BLOCK = 5536;
const ADLER_BASE = 65521;

/**
 * `adler32(at, n, adler)`: zlib's `adler32(adler, buf, n)` over the memory at `at`, 16 bytes
 * a step (as zlib-ng's SIMD versions: the byte sums, the running first sum, and the bytes
 * weighted 16..1, reduced every ADLER_BLOCK bytes), then the tail a byte at a time.
 */
function adlerBody(): FunctionBody {
  const P = 0, N = 1, ADL = 2, A = 3, B = 4, L = 5, END = 6;
  const V = 7, PS = 8, S1 = 9, S2 = 10;
  const hsum = (v: number): Code => code(
    get(v), op.i32x4ExtractLane(0), get(v), op.i32x4ExtractLane(1), op.add(),
    get(v), op.i32x4ExtractLane(2), op.add(), get(v), op.i32x4ExtractLane(3), op.add(),
  );
  const mod = (l: number): Code => code(get(l), get(l), k(ADLER_BASE), op.divU(), k(ADLER_BASE), op.mul(), op.sub(), set(l));
  const zero = op.v128(new Array(16).fill(0));
  return {
    params: [I32, I32, I32],
    result: I32,
    locals: [[4, I32], [4, V128]],
    code: code(
      get(ADL), k(0xffff), op.and(), set(A),
      get(ADL), k(16), op.shrU(), set(B),
      op.block(), op.loop(),
      get(N), k(16), op.ltU(), op.brIf(1),
      get(N), k(~15), op.and(), tee(L), k(ADLER_BLOCK), get(L), k(ADLER_BLOCK), op.ltU(), op.select(), set(L),
      get(P), get(L), op.add(), set(END),
      zero, set(PS), zero, set(S1), zero, set(S2),
      op.loop(),
      get(P), op.load(), set(V),
      get(PS), get(S1), op.i32x4Add(), set(PS),
      get(S1), get(V), op.i16x8ExtaddPairwiseI8x16U(), op.i32x4ExtaddPairwiseI16x8U(), op.i32x4Add(), set(S1),
      get(S2),
      get(V), op.i16x8ExtendLowI8x16U(), op.v128(weights(16)), op.i32x4DotI16x8S(), op.i32x4Add(),
      get(V), op.i16x8ExtendHighI8x16U(), op.v128(weights(8)), op.i32x4DotI16x8S(), op.i32x4Add(),
      set(S2),
      get(P), k(16), op.add(), tee(P), get(END), op.ltU(), op.brIf(0),
      op.end(),
      get(B), get(L), get(A), op.mul(), op.add(), hsum(PS), k(4), op.shl(), op.add(), hsum(S2), op.add(), set(B),
      get(A), hsum(S1), op.add(), set(A),
      mod(A), mod(B),
      get(N), get(L), op.sub(), set(N),
      op.br(0),
      op.end(), op.end(),
      op.block(), op.loop(),
      get(N), op.eqz(), op.brIf(1),
      get(A), get(P), op.load8(), op.add(), set(A),
      get(B), get(A), op.add(), set(B),
      get(P), k(1), op.add(), set(P),
      get(N), k(1), op.sub(), set(N),
      op.br(0),
      op.end(), op.end(),
      mod(A), mod(B),
      get(B), k(16), op.shl(), get(A), op.or(),
    ),
  };
}

/** The module's bytes: `run_slow`, `run_fast`, `slide_hash`, `compress_block` on the shared memory. */
export function deflateModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [runSlowBody(), runFastBody(), slideHashBody(), compressBlockBody(), adlerBody(), longestBody()],
    ['run_slow', 'run_fast', 'slide_hash', 'compress_block', 'adler32'],
    Math.ceil(ENCODE_END / 65536),
  );
}

let enabled = true;
let runSlowFn: (() => number) | null = null;
let runFastFn: (() => number) | null = null;
let slideHashFn: (() => void) | null = null;
let compressBlockFn: ((ltree: number, dtree: number) => void) | null = null;
let adlerFn: ((at: number, n: number, adler: number) => number) | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  runSlowFn = exportsObject['run_slow'] as () => number;
  runFastFn = exportsObject['run_fast'] as () => number;
  slideHashFn = exportsObject['slide_hash'] as () => void;
  compressBlockFn = exportsObject['compress_block'] as (ltree: number, dtree: number) => void;
  adlerFn = exportsObject['adler32'] as (at: number, n: number, adler: number) => number;
}

const loader = new HeapModuleLoader(deflateModuleBytes, instantiate);

/** Whether the WebAssembly deflate loops are in use (compiling them on first ask). */
export function zlibWasmReady(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn the WebAssembly deflate loops on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setZlibWasmEnabled(on: boolean): void {
  enabled = on;
}

let views: DeflateStore | null = null;
let viewsOf: ArrayBufferLike | null = null;

/** Views of the areas (anew when the memory has grown), with the constant tables written in. */
function heapStore(): DeflateStore {
  const heap = heapBytes();
  const buf = heap.buffer;
  if (views === null || viewsOf !== buf) {
    views = {
      window: heap.subarray(WIN_AT, WIN_AT + WINDOW_SIZE + WINDOW_SLACK),
      head: new Uint16Array(buf, HEAD_AT, HASH_SIZE),
      prev: new Uint16Array(buf, PREV_AT, WINDOW_SIZE),
      sym: new Int32Array(buf, SYM_AT, LIT_BUFSIZE),
      ltree: new Uint16Array(buf, LTREE_AT, HEAP_SIZE * 2),
      dtree: new Uint16Array(buf, DTREE_AT, (2 * D_CODES + 1) * 2),
      out: heap.subarray(OUT_AT, OUT_AT + OUT_SIZE),
      st: new Int32Array(buf, ST_AT, STATE_SLOTS),
    };
    viewsOf = buf;
  }
  // Other encoders use the area between calls: the constant tables go in each time, as one copy.
  heap.set(TABLES_IMAGE, SLTREE_AT);
  return views;
}

/** The constant tables as they lie in [SLTREE_AT, ST_AT): static trees, code tables, bases. */
const TABLES_IMAGE = ((): Uint8Array => {
  const image = new Uint8Array(ST_AT - SLTREE_AT);
  const at = (address: number): number => address - SLTREE_AT;
  new Uint16Array(image.buffer, at(SLTREE_AT), STATIC_LTREE.length).set(STATIC_LTREE);
  new Uint16Array(image.buffer, at(SDTREE_AT), STATIC_DTREE.length).set(STATIC_DTREE);
  image.set(LENGTH_CODE, at(LCODE_AT));
  image.set(DIST_CODE, at(DCODE_AT));
  image.set(EXTRA_LBITS, at(XLBITS_AT));
  image.set(EXTRA_DBITS, at(XDBITS_AT));
  const blen = new Uint16Array(image.buffer, at(BLEN_AT), LENGTH_CODES);
  blen.set(BASE_LENGTH);
  blen[LENGTH_CODES - 1] = 255;
  new Int32Array(image.buffer, at(BDIST_AT), D_CODES).set(BASE_DIST);
  return image;
})();

/** The WebAssembly engine (see {@link wasmDeflateEngine}). */
const engine: DeflateEngine = {
  store: heapStore,
  run: (_store, slow) => (slow ? runSlowFn!() : runFastFn!()),
  slideHash: () => slideHashFn!(),
  adler: (_store, at, n, adler) => adlerFn!(WIN_AT + at, n, adler) >>> 0,
  compressBlock: (_store, ltree) => compressBlockFn!(ltree === STATIC_LTREE ? SLTREE_AT : LTREE_AT, ltree === STATIC_LTREE ? SDTREE_AT : DTREE_AT),
};

/** The WebAssembly engine when it is in use and the memory holds its areas, else null. */
export function wasmDeflateEngine(): DeflateEngine | null {
  if (!zlibWasmReady() || !reserveHeap(AREA_END)) return null;
  return engine;
}

/** The two areas of the shared memory the WebAssembly engine writes: [from, to) byte ranges. */
export function deflateHeapAreas(): ReadonlyArray<readonly [number, number]> {
  return [[HEAD_AT, TABLES_END], [WIN_AT, AREA_END]];
}
