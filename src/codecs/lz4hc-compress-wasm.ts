/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4hc.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The parsers of lz4hc-compress.ts (lz4 1.10.0 lib/lz4hc.c) as WebAssembly functions on the
 * shared memory (src/wasm/heap.ts): for levels 3–9 the hash chains
 * (`LZ4HC_compress_hashChain` with `LZ4HC_InsertAndGetWiderMatch`, `LZ4HC_Insert`, the
 * repeated-pattern path and `LZ4HC_encodeSequence`), for levels 1–2 lz4mid
 * (`LZ4MID_compress`); both with or without a dictionary (`LZ4_loadDictHC`, an external
 * dictionary segment). Same steps, same tables, same bytes as the TypeScript
 * twin, which stays the fallback (no WebAssembly, inputs over SCRATCH_MAX, or
 * `setLz4hcWasmEnabled(false)`).
 *
 * Why: the chain walk is a loop of table loads and short byte compares; in JavaScript each
 * carries a bounds check and the match length is counted four bytes at a time. Here the walk
 * runs on registers, match lengths are counted 16 then 8 bytes at a time (`LZ4_count`),
 * repeated patterns 8 at a time (`LZ4HC_countPattern`), literals are copied 16 at a time.
 *
 * Where things are: C's context, freshly zeroed per call as `LZ4_compress_HC` does: the hash
 * table (2^15 int32, cleared per call; lz4mid's 4-byte and 8-byte heads in its two halves) and
 * the chain table (2^16 uint16, only read at indices written in the same call) fill
 * [ENCODE_AT, ENCODE_END). Indices are C's: the first byte (of the dictionary, else of the
 * input) has index 65536. The input where it already is when it lies in the shared memory at
 * or past WINDOW_AT, else copied there (heapInput); with a dictionary, its last 64 KiB and
 * then the input are copied to WINDOW_AT. The output at ENCODE_OUT_AT + 16, after four words
 * the functions share (nextToUpdate, the offset and back of the last match found, the
 * input's first index),
 * copied to the caller's buffer afterwards: nothing outside dst[dp, dp + written) is touched.
 * Literal copies may write up to 15 bytes past the output's end and read up to 15 past the
 * input's; both areas keep LZ4_WASM_SLACK bytes for that.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, SCRATCH_MAX, WINDOW_AT, heapBytes, HeapModuleLoader, reserveHeap } from '../wasm/heap.js';
import { lz4CompressBound } from './lz4-compress.js';
import { ENCODE_OUT_AT, ENCODE_OUT_MAX, LZ4_WASM_SLACK, heapInput } from './lz4-compress-wasm.js';
import { copyMemory } from '../copy.js';

const MIN_MATCH = 4;
const MF_LIMIT = 12;
const LAST_LITERALS = 5;
const MIN_LENGTH = MF_LIMIT + 1;
const OPTIMAL_ML = 15 - 1 + MIN_MATCH;
const DISTANCE_MAX = 65535;
/** Index of the input's first byte (`LZ4HC_init_internal`: dictLimit = 64 KB). */
const PREFIX_INDEX = 65536;

/** The tables: 2^15 hash heads (int32), then 2^16 chain links (uint16). */
const HASH_AT = ENCODE_AT;
const HASH_BYTES = 4 << 15;
const CHAIN_AT = HASH_AT + HASH_BYTES;
if (CHAIN_AT + (2 << 16) > ENCODE_END) throw new Error('lz4hc tables overrun their area of the heap');
/** Words shared between the functions, at the start of the output area. */
const NTU_AT = ENCODE_OUT_AT;
const FOUND_OFF_AT = ENCODE_OUT_AT + 4;
const FOUND_BACK_AT = ENCODE_OUT_AT + 8;
/** The input's first index (C's dictLimit): 65536 plus the dictionary's length. */
const PREFIX_AT = ENCODE_OUT_AT + 12;
const OUT_AT = ENCODE_OUT_AT + 16;
const OUT_MAX = ENCODE_OUT_MAX - 16;

/** Function indices, in moduleBytes' order (0 and 1 are the exports `compress` and `mid`). */
const F_FIND = 2;
const F_FIND_PATTERNS = 3;
const F_SEQUENCE = 4;
const F_COUNT = 5;
const F_START = 6;

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

/** `if (cond) return value;` with `cond` and `value` i32 expressions. */
function returnIf(cond: Code, value: Code): Code {
  return code(cond, op.if(), value, op.return(), op.end());
}

/** Add `n` to each local of `locals`. */
function bump(n: number, ...locals: number[]): Code {
  const c: Code = [];
  for (const l of locals) c.push(...get(l), ...k(n), ...op.add(), ...set(l));
  return c;
}

/**
 * `sequence(anchor, ip, op, matchLength, offset, limited, oend)`: `LZ4HC_encodeSequence`,
 * literals [anchor, ip) then the match; returns the new output address, or 0 when a limited
 * output's check fails (C returns 1; nothing is written past oend then).
 */
function sequenceBody(): FunctionBody {
  const ANCHOR = 0, IP = 1, OP = 2, ML = 3, OFF = 4, LIM = 5, OEND = 6, TOKEN = 7, LEN = 8, T = 9;
  const lengthTail = code(
    op.block(), op.loop(),
    get(LEN), k(255), op.ltU(), op.brIf(1),
    get(OP), k(255), op.store8(), bump(1, OP),
    get(LEN), k(255), op.sub(), set(LEN),
    op.br(0),
    op.end(), op.end(),
    get(OP), get(LEN), op.store8(), bump(1, OP),
  );
  return {
    params: [I32, I32, I32, I32, I32, I32, I32],
    result: I32,
    locals: [[3, I32]],
    code: code(
      get(OP), set(TOKEN), bump(1, OP),
      get(IP), get(ANCHOR), op.sub(), set(LEN),
      returnIf(code(get(LIM), get(OP), get(LEN), k(255), op.divU(), op.add(), get(LEN), op.add(), k(2 + 1 + LAST_LITERALS), op.add(), get(OEND), op.gtU(), op.and()), k(0)),
      // The literals' length: in the token, or 15 there and the rest after it.
      get(LEN), k(15), op.geU(), op.if(),
      get(TOKEN), k(15 << 4), op.store8(),
      get(LEN), k(15), op.sub(), set(LEN),
      lengthTail,
      op.else(),
      get(TOKEN), get(LEN), k(4), op.shl(), op.store8(),
      op.end(),
      // The literals, 16 bytes a step (may write up to 15 past them).
      get(IP), get(ANCHOR), op.sub(), set(LEN),
      k(0), set(T),
      op.block(), op.loop(),
      get(T), get(LEN), op.geU(), op.brIf(1),
      get(OP), get(T), op.add(), get(ANCHOR), get(T), op.add(), op.load(), op.store(),
      bump(16, T),
      op.br(0),
      op.end(), op.end(),
      get(OP), get(LEN), op.add(), set(OP),
      get(OP), get(OFF), op.store16(), bump(2, OP),
      // The match length: in the token, or 15 there and the rest after it (255s in pairs).
      get(ML), k(MIN_MATCH), op.sub(), set(LEN),
      returnIf(code(get(LIM), get(OP), get(LEN), k(255), op.divU(), op.add(), k(1 + LAST_LITERALS), op.add(), get(OEND), op.gtU(), op.and()), k(0)),
      get(LEN), k(15), op.geU(), op.if(),
      get(TOKEN), get(TOKEN), op.load8(), k(15), op.add(), op.store8(),
      get(LEN), k(15), op.sub(), set(LEN),
      lengthTail,
      op.else(),
      get(TOKEN), get(TOKEN), op.load8(), get(LEN), op.add(), op.store8(),
      op.end(),
      get(OP),
    ),
  };
}

/**
 * The loop of `LZ4HC_Insert`: chain every index from local `idx` up to (excluding) local
 * `target`, the bytes of index i being at address i + base.
 */
function insertLoop(idx: number, target: number, base: number, h: number, dist: number): Code {
  return code(
    op.block(), op.loop(),
    get(idx), get(target), op.geU(), op.brIf(1),
    // The head's byte offset: (read32 * 2654435761) >> 17, times 4.
    get(idx), get(base), op.add(), op.load32(), k(0x9e3779b1 | 0), op.mul(), k(15), op.shrU(), k(0x1fffc), op.and(), set(h),
    get(idx), get(h), op.load32(HASH_AT), op.sub(), tee(dist), k(DISTANCE_MAX), op.gtU(), op.if(), k(DISTANCE_MAX), set(dist), op.end(),
    get(idx), k(0xffff), op.and(), k(1), op.shl(), get(dist), op.store16(CHAIN_AT),
    get(h), get(idx), op.store32(HASH_AT),
    bump(1, idx),
    op.br(0),
    op.end(), op.end(),
  );
}

/**
 * `start(src, dictLength)`: C's context after `LZ4HC_init_internal` (cleared heads, the first
 * index 65536), with `LZ4_loadDictHC` of the dictLength bytes before src when dictLength > 0
 * (every dictionary position but the last three chained) and `LZ4HC_setExternalDict` (the
 * input's first index is 65536 + dictLength, nextToUpdate there).
 */
function startBody(): FunctionBody {
  const SRC = 0, DLEN = 1, IDX = 2, TARGET = 3, BASE = 4, H = 5, DIST = 6;
  return {
    params: [I32, I32],
    result: null,
    locals: [[5, I32]],
    code: code(
      k(HASH_AT), k(0), k(HASH_BYTES), op.memoryFill(),
      k(PREFIX_AT), get(DLEN), k(PREFIX_INDEX), op.add(), op.store32(),
      get(DLEN), k(4), op.geU(), op.if(),
      get(SRC), get(DLEN), op.sub(), k(PREFIX_INDEX), op.sub(), set(BASE),
      k(PREFIX_INDEX), set(IDX),
      get(DLEN), k(PREFIX_INDEX - 3), op.add(), set(TARGET),
      insertLoop(IDX, TARGET, BASE, H, DIST),
      op.end(),
      k(NTU_AT), get(DLEN), k(PREFIX_INDEX), op.add(), op.store32(),
    ),
  };
}

/**
 * `find(ip, iLowLimit, iHighLimit, longest, maxNbAttempts, sp)`:
 * `LZ4HC_InsertAndGetWiderMatch` (no attached dictionary context, chainSwap 0, favorDecSpeed off), as
 * `findWiderMatch` in lz4hc-compress.ts, built once with the repeated-pattern path
 * (patternAnalysis, level 9) and once without, so that the walk of levels 3–8 does not test
 * for it at every candidate. Returns the longest length found (or `longest`)
 * and stores the match's offset and back (≤ 0) at FOUND_OFF_AT / FOUND_BACK_AT (0 when
 * nothing longer was found).
 */
function findBody(patternAnalysis: boolean): FunctionBody {
  const IP = 0, ILOW = 1, IHIGH = 2, LONGEST = 3, ATT = 4, SP = 5;
  const BASE = 6, IPIDX = 7, LOWEST = 8, LOOKBACK = 9, NB = 10, PAT = 11, REPEAT = 12, SPL = 13;
  const OFF = 14, SBACK = 15, MIDX = 16, MPTR = 17, BACK = 18, ML = 19, DIST = 20, CAND = 21;
  const CPTR = 22, FWD = 23, BLEN = 24, T = 25, IDX = 26, H = 27, MIN = 28, R16 = 29, ROFF = 30, CA = 31, CB = 32, MC = 33;
  const SEG = 34, PFX = 35, DSTART = 36, P64 = 37, X = 38;
  const UNTESTED = 0, NOT = 1, CONFIRMED = 2;

  // LZ4HC_Insert up to ipIndex (nothing when nextToUpdate is already there).
  const insert = code(
    k(NTU_AT), op.load32(), tee(IDX), get(IPIDX), op.ltU(), op.if(),
    insertLoop(IDX, IPIDX, BASE, H, DIST),
    k(NTU_AT), get(IPIDX), op.store32(),
    op.end(),
  );

  // The quick reject's terms for the current `longest`: the two bytes that would end a longer
  // match (at iLowLimit + longest - 1) and where they lie from a candidate.
  const reject = code(
    get(ILOW), get(LONGEST), op.add(), k(1), op.sub(), op.load16U(), set(R16),
    get(LONGEST), k(1), op.sub(), get(LOOKBACK), op.sub(), set(ROFF),
  );

  // LZ4_count(ip + MINMATCH, matchPtr + MINMATCH, iHighLimit): 16 bytes a step (the first
  // clear bit of the equality mask is the first difference), then 8 (the lowest set bit of
  // the xor), then bytes.
  const count = code(
    get(IP), k(MIN_MATCH), op.add(), tee(CA), set(T),
    get(MPTR), k(MIN_MATCH), op.add(), set(CB),
    op.block(), // $counted
    op.block(), op.loop(),
    get(CA), k(16), op.add(), get(IHIGH), op.gtU(), op.brIf(1),
    get(CA), op.load(), get(CB), op.load(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.xor(), tee(MC),
    op.if(), get(CA), get(MC), op.ctz(), op.add(), set(CA), op.br(3), op.end(),
    bump(16, CA, CB),
    op.br(0),
    op.end(), op.end(),
    op.block(), op.loop(),
    get(CA), k(8), op.add(), get(IHIGH), op.gtU(), op.brIf(1),
    get(CA), op.load64(), get(CB), op.load64(), op.i64Xor(), tee(X), op.i64Eqz(), op.eqz(),
    op.if(), get(CA), get(X), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(CA), op.br(3), op.end(),
    bump(8, CA, CB),
    op.br(0),
    op.end(), op.end(),
    op.block(), op.loop(),
    get(CA), get(IHIGH), op.geU(), op.brIf(1),
    get(CA), op.load8(), get(CB), op.load8(), op.ne(), op.brIf(1),
    bump(1, CA, CB),
    op.br(0),
    op.end(), op.end(),
    op.end(),
    get(CA), get(T), op.sub(),
  );

  // LZ4HC_countBack(ip, matchPtr, iLowLimit, mMin) into BACK (≤ 0): mMin is the input's start
  // for a candidate in it, the dictionary's for one in the dictionary.
  const countBack = (mMin: number): Code => code(
    get(ILOW), get(IP), op.sub(), tee(MIN), get(mMin), get(MPTR), op.sub(), tee(T), get(MIN), get(T), op.gtS(), op.select(), set(MIN),
    k(0), set(BACK),
    op.block(), op.loop(),
    get(BACK), get(MIN), op.leS(), op.brIf(1),
    get(IP), get(BACK), op.add(), k(1), op.sub(), op.load8(), get(MPTR), get(BACK), op.add(), k(1), op.sub(), op.load8(), op.ne(), op.brIf(1),
    get(BACK), k(1), op.sub(), set(BACK),
    op.br(0),
    op.end(), op.end(),
  );

  // LZ4HC_countPattern(from, iHighLimit, pattern): into `dst`, 8 bytes a step against the
  // pattern repeated, then bytes (each step keeps the pattern's phase).
  const countPattern = (from: Code, dst: number): Code => code(
    from, tee(T), set(IDX),
    op.block(),
    op.block(), op.loop(),
    get(IDX), k(8), op.add(), get(IHIGH), op.gtU(), op.brIf(1),
    get(IDX), op.load64(), get(P64), op.i64Xor(), tee(X), op.i64Eqz(), op.eqz(), op.if(),
    get(IDX), get(X), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(IDX), op.br(3),
    op.end(),
    bump(8, IDX),
    op.br(0),
    op.end(), op.end(),
    op.block(), op.loop(),
    get(IDX), get(IHIGH), op.geU(), op.brIf(1),
    get(IDX), op.load8(), get(PAT), get(IDX), get(T), op.sub(), k(3), op.and(), k(3), op.shl(), op.shrU(), k(255), op.and(), op.ne(), op.brIf(1),
    bump(1, IDX),
    op.br(0),
    op.end(), op.end(),
    op.end(),
    get(IDX), get(T), op.sub(), set(dst),
  );

  // LZ4HC_reverseCountPattern(candPtr, dictStart, pattern) into BLEN: 4 bytes a step, then
  // bytes against the pattern's bytes 3, 2, 1. C counts a run at the input's start on into
  // the dictionary with the pattern rotated; here the dictionary lies just before the input,
  // so one count does both.
  const reverseCountPattern = code(
    get(CPTR), set(IDX),
    op.block(), op.loop(),
    get(IDX), get(DSTART), k(4), op.add(), op.ltU(), op.brIf(1),
    get(IDX), k(4), op.sub(), op.load32(), get(PAT), op.ne(), op.brIf(1),
    get(IDX), k(4), op.sub(), set(IDX),
    op.br(0),
    op.end(), op.end(),
    k(24), set(T),
    op.block(), op.loop(),
    get(IDX), get(DSTART), op.leU(), op.brIf(1),
    get(IDX), k(1), op.sub(), op.load8(), get(PAT), get(T), op.shrU(), k(255), op.and(), op.ne(), op.brIf(1),
    get(IDX), k(1), op.sub(), set(IDX),
    get(T), k(8), op.sub(), set(T),
    op.br(0),
    op.end(), op.end(),
    get(CPTR), get(IDX), op.sub(), set(BLEN),
  );

  // One candidate: the quick reject on the two bytes that would end a longer match, the
  // 4-byte check, then back and forward counts.
  // Measure a candidate whose first four bytes were checked (countBack from mMin on), and
  // keep it when it is longer.
  const measure = (mMin: number): Code => code(
    k(0), set(BACK),
    get(LOOKBACK), op.if(), countBack(mMin), op.end(),
    count, k(MIN_MATCH), op.add(), get(BACK), op.sub(), tee(ML),
    get(LONGEST), op.gtS(), op.if(),
    get(ML), set(LONGEST), reject,
    get(IPIDX), get(MIDX), op.sub(), set(OFF),
    get(BACK), set(SBACK),
    op.end(),
  );

  // One candidate. In the input: the quick reject on the two bytes that would end a longer
  // match, the 4-byte check, then back and forward counts. In the dictionary (not its last
  // three bytes): the 4-byte check, the forward count running on into the input (which
  // follows the dictionary in memory here, as C's two segments are joined: its count stops
  // at the dictionary's end and goes on from the input's start), back to the dictionary's start.
  const candidate = code(
    get(MIDX), get(BASE), op.add(), set(MPTR),
    get(MIDX), get(PFX), op.geU(), op.if(),
    get(MPTR), get(ROFF), op.add(), op.load16U(), get(R16), op.eq(),
    op.if(),
    get(MPTR), op.load32(), get(PAT), op.eq(), op.if(), measure(SP), op.end(),
    op.end(),
    op.else(),
    get(PFX), get(MIDX), op.sub(), k(4), op.geU(), op.if(),
    get(MPTR), op.load32(), get(PAT), op.eq(), op.if(), measure(DSTART), op.end(),
    op.end(),
    op.end(),
  );

  // The repeated-pattern path, entered when the chain steps by 1 and patternAnalysis is on;
  // `br(skip)` leaves it for `matchIndex -= dist`, `br(next)` goes on with the new matchIndex,
  // `br(out)` ends the walk. Depths are counted from inside the path's own block.
  /** !LZ4HC_protectDictEnd(prefixIdx, index): index is one of the dictionary's last three. */
  const unprotected = (index: Code): Code => code(get(PFX), k(1), op.sub(), index, op.sub(), k(3), op.ltU());
  const patternPath = (skip: number, next: number, out: number): Code => code(
    get(MIDX), k(1), op.sub(), set(CAND),
    get(REPEAT), k(UNTESTED), op.eq(), op.if(),
    get(PAT), k(0xffff), op.and(), get(PAT), k(16), op.shrU(), op.eq(),
    get(PAT), k(255), op.and(), get(PAT), k(24), op.shrU(), op.eq(), op.and(),
    op.if(),
    k(CONFIRMED), set(REPEAT),
    get(PAT), op.extendU(), tee(P64), get(P64), op.i64(32), op.i64Shl(), op.i64Or(), set(P64),
    countPattern(code(get(IP), k(4), op.add()), SPL),
    bump(4, SPL),
    op.else(),
    k(NOT), set(REPEAT),
    op.end(),
    op.end(),
    // Only a confirmed run, a candidate in reach and not among the dictionary's last three
    // bytes (LZ4HC_protectDictEnd), and the pattern at the candidate. Its forward count runs
    // on from the dictionary into the input as C's does with the pattern rotated.
    get(REPEAT), k(CONFIRMED), op.ne(), op.brIf(skip),
    get(CAND), get(LOWEST), op.ltU(), op.brIf(skip),
    unprotected(get(CAND)), op.brIf(skip),
    get(CAND), get(BASE), op.add(), tee(CPTR), op.load32(), get(PAT), op.ne(), op.brIf(skip),
    countPattern(code(get(CPTR), k(4), op.add()), FWD),
    bump(4, FWD),
    reverseCountPattern,
    // Not below lowestMatchIndex.
    get(CAND), get(CAND), get(BLEN), op.sub(), tee(T), get(LOWEST), get(T), get(LOWEST), op.gtU(), op.select(), op.sub(), set(BLEN),
    get(BLEN), get(FWD), op.add(), set(SEG),
    get(SEG), get(SPL), op.geU(), get(FWD), get(SPL), op.leU(), op.and(), op.if(),
    // Jump to where the whole source run fits (or to the input's start).
    get(CAND), get(FWD), op.add(), get(SPL), op.sub(), set(MIDX),
    unprotected(get(MIDX)), op.if(), get(PFX), set(MIDX), op.end(),
    op.br(next + 1),
    op.end(),
    // Jump to the farthest position of this run segment (or to the input's start).
    get(CAND), get(BLEN), op.sub(), set(MIDX),
    unprotected(get(MIDX)), op.if(), get(PFX), set(MIDX), op.br(next + 1), op.end(),
    get(LOOKBACK), op.brIf(next),
    get(SEG), get(SPL), get(SEG), get(SPL), op.ltU(), op.select(), set(T),
    get(LONGEST), get(T), op.ltS(), op.if(),
    get(IPIDX), get(MIDX), op.sub(), k(DISTANCE_MAX), op.gtU(), op.brIf(out + 1),
    get(T), set(LONGEST), reject,
    get(IPIDX), get(MIDX), op.sub(), set(OFF),
    op.end(),
    get(MIDX), k(0xffff), op.and(), k(1), op.shl(), op.load16U(CHAIN_AT), tee(DIST),
    get(MIDX), op.gtU(), op.brIf(out),
    get(MIDX), get(DIST), op.sub(), set(MIDX),
    op.br(next),
  );

  return {
    params: [I32, I32, I32, I32, I32, I32],
    result: I32,
    locals: [[DSTART - 5, I32], [2, I64]],
    code: code(
      k(PREFIX_AT), op.load32(), set(PFX),
      get(SP), get(PFX), op.sub(), set(BASE),
      get(BASE), k(PREFIX_INDEX), op.add(), set(DSTART),
      get(IP), get(BASE), op.sub(), set(IPIDX),
      get(IPIDX), k(DISTANCE_MAX), op.sub(), tee(LOWEST), k(PREFIX_INDEX), get(LOWEST), k(PREFIX_INDEX), op.gtS(), op.select(), set(LOWEST),
      get(IP), get(ILOW), op.sub(), set(LOOKBACK),
      get(ATT), set(NB),
      get(IP), op.load32(), set(PAT),
      reject,
      insert,
      get(PAT), k(0x9e3779b1 | 0), op.mul(), k(15), op.shrU(), k(0x1fffc), op.and(), op.load32(HASH_AT), set(MIDX),
      op.block(), // $out
      op.loop(), // $walk: the loop's condition
      get(MIDX), get(LOWEST), op.ltU(), op.brIf(1),
      get(NB), op.eqz(), op.brIf(1),
      get(NB), k(1), op.sub(), set(NB),
      candidate,
      get(MIDX), k(0xffff), op.and(), k(1), op.shl(), op.load16U(CHAIN_AT), set(DIST),
      patternAnalysis
        ? code(
          op.block(), // $skip
          get(DIST), k(1), op.ne(), op.brIf(0),
          // Inside $skip (0), $walk (1), $out (2).
          patternPath(0, 1, 2),
          op.end(),
        )
        : [],
      get(MIDX), get(DIST), op.sub(), set(MIDX),
      op.br(0),
      op.end(),
      op.end(),
      k(FOUND_OFF_AT), get(OFF), op.store32(),
      k(FOUND_BACK_AT), get(SBACK), op.store32(),
      get(LONGEST),
    ),
  };
}

/** Locals of a parser's `_last_literals` tail ({@link lastLiterals}). */
interface TailLocals { iend: number; anchor: number; op: number; dst: number; limited: number; oend: number; len: number; t: number }

/**
 * The `_last_literals` block shared by both parsers: one token and the rest of the input as
 * literals; leaves the bytes written (op − dst) on the stack, or returns 0 when a limited
 * output has no room.
 */
function lastLiterals(l: TailLocals): Code {
  return code(
    get(l.iend), get(l.anchor), op.sub(), set(l.len),
    returnIf(code(
      get(l.limited),
      get(l.op), k(1), op.add(), get(l.len), k(255 - 15), op.add(), k(255), op.divU(), op.add(), get(l.len), op.add(), get(l.oend), op.gtU(),
      op.and(),
    ), k(0)),
    get(l.len), set(l.t),
    get(l.len), k(15), op.geU(), op.if(),
    get(l.op), k(15 << 4), op.store8(), bump(1, l.op),
    get(l.len), k(15), op.sub(), set(l.len),
    op.block(), op.loop(),
    get(l.len), k(255), op.ltU(), op.brIf(1),
    get(l.op), k(255), op.store8(), bump(1, l.op),
    get(l.len), k(255), op.sub(), set(l.len),
    op.br(0),
    op.end(), op.end(),
    get(l.op), get(l.len), op.store8(), bump(1, l.op),
    op.else(),
    get(l.op), get(l.len), k(4), op.shl(), op.store8(), bump(1, l.op),
    op.end(),
    get(l.op), get(l.anchor), get(l.t), op.memoryCopy(),
    get(l.op), get(l.t), op.add(), get(l.dst), op.sub(),
  );
}

/**
 * `compress(src, sn, dst, cap, maxNbAttempts, limited, patternAnalysis, dictLength)`:
 * `LZ4HC_compress_hashChain` (sn ≥ LZ4_minLength), against the dictLength bytes before src
 * (`LZ4_loadDictHC` + `LZ4_compress_HC_continue`) when dictLength > 0; returns the bytes
 * written or 0.
 */
function compressBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, CAP = 3, ATT = 4, LIM = 5, PA = 6, DLEN = 7;
  const IEND = 8, OEND = 9, ANCHOR = 10, OP = 11, MFLIMIT = 12, MLIMIT = 13, IP = 14;
  const START0 = 15, START2 = 16, START3 = 17, M0LEN = 18, M0OFF = 19, M1LEN = 20, M1OFF = 21;
  const M2LEN = 22, M2OFF = 23, M3LEN = 24, M3OFF = 25, SEARCH2 = 26, T = 27, LEN = 28;

  // The walk built with or without the repeated-pattern path, as patternAnalysis says.
  const find = (ip: Code, iLow: Code, longest: Code): Code => code(
    get(PA), op.ifI32(),
    ip, iLow, get(MLIMIT), longest, get(ATT), get(SRC), op.call(F_FIND_PATTERNS),
    op.else(),
    ip, iLow, get(MLIMIT), longest, get(ATT), get(SRC), op.call(F_FIND),
    op.end(),
  );
  const foundOff = (): Code => code(k(FOUND_OFF_AT), op.load32());
  const foundBack = (): Code => code(k(FOUND_BACK_AT), op.load32());
  const sequence = (ml: number, off: number): Code => code(
    get(ANCHOR), get(IP), get(OP), get(ml), get(off), get(LIM), get(OEND), op.call(F_SEQUENCE), tee(OP), op.eqz(),
    op.if(), k(0), op.return(), op.end(),
  );
  /** `if (ip + newMl > start2 + m2len - MINMATCH) newMl = ...; correction` for a length local. */
  const squeeze = (ml: number): Code => code(
    get(ml), k(OPTIMAL_ML), op.gtS(), op.if(), k(OPTIMAL_ML), set(ml), op.end(),
    get(IP), get(ml), op.add(), get(START2), get(M2LEN), op.add(), k(MIN_MATCH), op.sub(), op.gtS(), op.if(),
    get(START2), get(IP), op.sub(), get(M2LEN), op.add(), k(MIN_MATCH), op.sub(), set(ml),
    op.end(),
    get(ml), get(START2), get(IP), op.sub(), op.sub(), tee(T), k(0), op.gtS(), op.if(),
    get(START2), get(T), op.add(), set(START2),
    get(M2LEN), get(T), op.sub(), set(M2LEN),
    op.end(),
  );

  // The inner loop (C's _Search2 / _Search3), inside $brk (1) and $inner (0): `br` depths
  // below are counted from each instruction's own nesting.
  const search2 = code(
    op.block(), // $s3 (to _Search3)
    get(SEARCH2), op.eqz(), op.brIf(0),
    get(IP), get(M1LEN), op.add(), get(MFLIMIT), op.leS(), op.if(),
    get(IP), get(M1LEN), op.add(), k(2), op.sub(), set(START2),
    find(get(START2), get(IP), get(M1LEN)), set(M2LEN),
    foundOff(), set(M2OFF),
    get(START2), foundBack(), op.add(), set(START2),
    op.else(),
    k(0), set(M2LEN), k(0), set(M2OFF),
    op.end(),
    get(M2LEN), get(M1LEN), op.leS(), op.if(),
    // No better match: encode m1 immediately.
    sequence(M1LEN, M1OFF),
    get(IP), get(M1LEN), op.add(), tee(IP), set(ANCHOR),
    op.br(3), // $brk
    op.end(),
    get(START0), get(IP), op.ltS(), get(START2), get(IP), get(M0LEN), op.add(), op.ltS(), op.and(), op.if(),
    get(START0), set(IP), get(M0LEN), set(M1LEN), get(M0OFF), set(M1OFF),
    op.end(),
    get(START2), get(IP), op.sub(), k(3), op.ltS(), op.if(),
    // First match too small: drop it.
    get(START2), set(IP), get(M2LEN), set(M1LEN), get(M2OFF), set(M1OFF),
    op.br(2), // $inner
    op.end(),
    op.end(),
  );

  const search3 = code(
    get(START2), get(IP), op.sub(), k(OPTIMAL_ML), op.ltS(), op.if(),
    get(M1LEN), set(LEN),
    squeeze(LEN),
    op.end(),
    get(START2), get(M2LEN), op.add(), get(MFLIMIT), op.leS(), op.if(),
    get(START2), get(M2LEN), op.add(), k(3), op.sub(), set(START3),
    find(get(START3), get(START2), get(M2LEN)), set(M3LEN),
    foundOff(), set(M3OFF),
    get(START3), foundBack(), op.add(), set(START3),
    op.else(),
    k(0), set(M3LEN), k(0), set(M3OFF),
    op.end(),
    get(M3LEN), get(M2LEN), op.leS(), op.if(),
    // No better match: encode m1 and m2.
    get(START2), get(IP), get(M1LEN), op.add(), op.ltS(), op.if(), get(START2), get(IP), op.sub(), set(M1LEN), op.end(),
    sequence(M1LEN, M1OFF),
    get(IP), get(M1LEN), op.add(), set(ANCHOR),
    get(START2), set(IP),
    sequence(M2LEN, M2OFF),
    get(IP), get(M2LEN), op.add(), tee(IP), set(ANCHOR),
    op.br(2), // $brk
    op.end(),
    get(START3), get(IP), get(M1LEN), op.add(), k(3), op.add(), op.ltS(), op.if(),
    // Not enough room for m2: remove it.
    get(START3), get(IP), get(M1LEN), op.add(), op.geS(), op.if(),
    // m1 can be written now; m3 becomes the new m1.
    get(START2), get(IP), get(M1LEN), op.add(), op.ltS(), op.if(),
    get(IP), get(M1LEN), op.add(), get(START2), op.sub(), set(T),
    get(START2), get(T), op.add(), set(START2),
    get(M2LEN), get(T), op.sub(), tee(M2LEN), k(MIN_MATCH), op.ltS(), op.if(),
    get(START3), set(START2), get(M3LEN), set(M2LEN), get(M3OFF), set(M2OFF),
    op.end(),
    op.end(),
    sequence(M1LEN, M1OFF),
    get(IP), get(M1LEN), op.add(), set(ANCHOR),
    get(START3), set(IP), get(M3LEN), set(M1LEN), get(M3OFF), set(M1OFF),
    get(START2), set(START0), get(M2LEN), set(M0LEN), get(M2OFF), set(M0OFF),
    k(1), set(SEARCH2),
    op.br(2), // $inner
    op.end(),
    get(START3), set(START2), get(M3LEN), set(M2LEN), get(M3OFF), set(M2OFF),
    k(0), set(SEARCH2),
    op.br(1), // $inner
    op.end(),
    // Three ascending matches: write m1, trimmed so that m2 keeps its start.
    get(START2), get(IP), get(M1LEN), op.add(), op.ltS(), op.if(),
    get(START2), get(IP), op.sub(), k(OPTIMAL_ML), op.ltS(), op.if(),
    squeeze(M1LEN),
    op.else(),
    get(START2), get(IP), op.sub(), set(M1LEN),
    op.end(),
    op.end(),
    sequence(M1LEN, M1OFF),
    get(IP), get(M1LEN), op.add(), set(ANCHOR),
    get(START2), set(IP), get(M2LEN), set(M1LEN), get(M2OFF), set(M1OFF),
    get(START3), set(START2), get(M3LEN), set(M2LEN), get(M3OFF), set(M2OFF),
    k(0), set(SEARCH2),
    op.br(0), // $inner
  );

  return {
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    result: I32,
    locals: [[LEN - 7, I32]],
    code: code(
      // A fresh context, the dictionary (if any) loaded.
      get(SRC), get(DLEN), op.call(F_START),
      get(SRC), get(SN), op.add(), set(IEND),
      get(DST), get(CAP), op.add(), set(OEND),
      get(SRC), set(ANCHOR), get(SRC), set(IP), get(DST), set(OP),
      get(IEND), k(MF_LIMIT), op.sub(), set(MFLIMIT),
      get(IEND), k(LAST_LITERALS), op.sub(), set(MLIMIT),
      op.block(), op.loop(), // $main
      get(IP), get(MFLIMIT), op.gtS(), op.brIf(1),
      find(get(IP), get(IP), k(MIN_MATCH - 1)), tee(M1LEN), k(MIN_MATCH), op.ltS(), op.if(),
      bump(1, IP), op.br(1),
      op.end(),
      foundOff(), set(M1OFF),
      get(IP), set(START0), get(M1LEN), set(M0LEN), get(M1OFF), set(M0OFF),
      k(1), set(SEARCH2),
      op.block(), op.loop(), // $brk, $inner
      search2,
      search3,
      op.end(), op.end(),
      op.br(0),
      op.end(), op.end(),
      lastLiterals({ iend: IEND, anchor: ANCHOR, op: OP, dst: DST, limited: LIM, oend: OEND, len: LEN, t: T }),
    ),
  };
}

/**
 * `count(ip, match, limit)`: `LZ4_count`, how many bytes from ip equal those from match
 * (match < ip), ip not passing limit; 16, then 8 bytes a step, then bytes (as in the chain
 * walk, which keeps its own copy inline).
 */
function countBody(): FunctionBody {
  const IP = 0, M = 1, LIMIT = 2, START = 3, MC = 4, X = 5;
  return {
    params: [I32, I32, I32],
    result: I32,
    locals: [[2, I32], [1, I64]],
    code: code(
      get(IP), set(START),
      op.block(), op.loop(),
      get(IP), k(16), op.add(), get(LIMIT), op.gtU(), op.brIf(1),
      get(IP), op.load(), get(M), op.load(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.xor(), tee(MC),
      op.if(), get(IP), get(MC), op.ctz(), op.add(), get(START), op.sub(), op.return(), op.end(),
      bump(16, IP, M),
      op.br(0),
      op.end(), op.end(),
      op.block(), op.loop(),
      get(IP), k(8), op.add(), get(LIMIT), op.gtU(), op.brIf(1),
      get(IP), op.load64(), get(M), op.load64(), op.i64Xor(), tee(X), op.i64Eqz(), op.eqz(),
      op.if(), get(IP), get(X), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), get(START), op.sub(), op.return(), op.end(),
      bump(8, IP, M),
      op.br(0),
      op.end(), op.end(),
      op.block(), op.loop(),
      get(IP), get(LIMIT), op.geU(), op.brIf(1),
      get(IP), op.load8(), get(M), op.load8(), op.ne(), op.brIf(1),
      bump(1, IP, M),
      op.br(0),
      op.end(), op.end(),
      get(IP), get(START), op.sub(),
    ),
  };
}

/** lz4mid's 4-byte heads: the first half of the hash table. */
const MID4_AT = HASH_AT;
/** lz4mid's 8-byte heads: the second half. */
const MID8_AT = HASH_AT + (4 << 14);

/** `LZ4MID_hash4Ptr` of the bytes at `p`, as a byte offset in its half: (read32 · 2654435761) >> 18, times 4. */
function midHash4(p: Code): Code {
  return code(p, op.load32(), k(0x9e3779b1 | 0), op.mul(), k(18), op.shrU(), k(2), op.shl());
}

/** `LZ4MID_hash8Ptr` of the bytes at `p`, as a byte offset in its half: ((LE64 << 8) · 58295818150454627) >> 50, times 4. */
function midHash8(p: Code): Code {
  return code(p, op.load64(), op.i64(8), op.i64Shl(), op.i64Big(58295818150454627n), op.i64Mul(), op.i64(50), op.i64ShrU(), op.wrap(), k(2), op.shl());
}

/**
 * `mid(src, sn, dst, cap, limited, dictLength)`: `LZ4MID_compress` (levels 1–2) as
 * `compressMid` in lz4hc-compress.ts (sn ≥ LZ4_minLength), against the dictLength bytes
 * before src (`LZ4_loadDictHC`'s `LZ4MID_fillHTable`) when dictLength > 0; returns the bytes
 * written or 0.
 */
function midBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, CAP = 3, LIM = 4, DLEN = 5;
  const IEND = 6, OEND = 7, ANCHOR = 8, OP = 9, MFLIMIT = 10, MLIMIT = 11, IP = 12, BASE = 13, IPIDX = 14;
  const ML = 15, MD = 16, H = 17, POS = 18, DIST = 19, ML2 = 20, EMI = 21, ILIMIT = 22, LEN = 23, T = 24;
  const PFX = 25, IDX = 26, TGT = 27;
  const count = (ip: Code, pos: Code): Code => code(ip, pos, get(BASE), op.add(), get(MLIMIT), op.call(F_COUNT));
  // A dictionary match stops at the dictionary's end: ip + min(prefixIdx − pos, matchlimit − ip).
  const countDict = (): Code => code(
    get(IP), get(POS), get(BASE), op.add(),
    get(PFX), get(POS), op.sub(), tee(T), get(MLIMIT), get(IP), op.sub(), tee(LEN), get(T), get(LEN), op.ltS(), op.select(), get(IP), op.add(),
    op.call(F_COUNT),
  );
  /** A candidate in the input within LZ4_DISTANCE_MAX (`pos` a local). */
  const inReach = (dist: Code, pos: number): Code => code(dist, k(DISTANCE_MAX), op.leU(), get(pos), get(PFX), op.geU(), op.and());
  const put8 = (p: Code, index: Code): Code => code(midHash8(p), index, op.store32(MID8_AT));
  const put4 = (p: Code, index: Code): Code => code(midHash4(p), index, op.store32(MID4_AT));
  const at = (local: number, d: number): Code => code(get(local), k(d), op.add());

  const search = code(
    op.block(), // $found
    op.block(), // $none
    // Long match first: the newest position with the same 7-byte hash.
    midHash8(get(IP)), tee(H), op.load32(MID8_AT), set(POS),
    get(H), get(IPIDX), op.store32(MID8_AT),
    get(IPIDX), get(POS), op.sub(), tee(DIST), k(DISTANCE_MAX), op.leU(), op.if(),
    get(POS), get(PFX), op.geU(), op.ifI32(),
    count(get(IP), get(POS)),
    op.else(),
    get(POS), k(PREFIX_INDEX), op.geU(), op.ifI32(), countDict(), op.else(), k(0), op.end(),
    op.end(),
    tee(ML), k(MIN_MATCH), op.geS(), op.if(),
    get(DIST), set(MD), op.br(3), // $found
    op.end(),
    op.end(),
    // Short match second, then whether ip + 1 starts a longer one.
    midHash4(get(IP)), tee(H), op.load32(MID4_AT), set(POS),
    get(H), get(IPIDX), op.store32(MID4_AT),
    get(IPIDX), get(POS), op.sub(), tee(DIST), k(DISTANCE_MAX), op.gtU(), op.brIf(0),
    // In the dictionary: taken as it is, no look at ip + 1.
    get(POS), get(PFX), op.ltU(), op.if(),
    get(POS), k(PREFIX_INDEX), op.ltU(), op.brIf(1),
    countDict(), tee(ML), k(MIN_MATCH), op.ltS(), op.brIf(1),
    get(DIST), set(MD), op.br(2), // $found
    op.end(),
    count(get(IP), get(POS)), tee(ML), k(MIN_MATCH), op.ltS(), op.brIf(0),
    get(DIST), set(MD),
    midHash8(at(IP, 1)), tee(H), op.load32(MID8_AT), set(POS),
    inReach(code(get(IPIDX), k(1), op.add(), get(POS), op.sub(), tee(DIST)), POS), get(IP), get(MFLIMIT), op.ltS(), op.and(), op.if(),
    count(at(IP, 1), get(POS)), tee(ML2), get(ML), op.gtS(), op.if(),
    get(H), get(IPIDX), k(1), op.add(), op.store32(MID8_AT),
    bump(1, IP),
    get(ML2), set(ML), get(DIST), set(MD),
    op.end(),
    op.end(),
    op.br(1), // $found
    op.end(), // $none
    // Nothing: skip ahead, faster the longer nothing was found.
    get(IP), k(1), op.add(), get(IP), get(ANCHOR), op.sub(), k(9), op.shrS(), op.add(), set(IP),
    op.br(1), // $main
    op.end(), // $found
  );

  const match = code(
    // Catch back: extend the match backwards over equal bytes.
    op.block(), op.loop(),
    get(IP), get(ANCHOR), op.leS(), op.brIf(1),
    get(IP), get(SRC), op.sub(), get(MD), op.leS(), op.brIf(1),
    get(IP), k(1), op.sub(), op.load8(), get(IP), get(MD), op.sub(), k(1), op.sub(), op.load8(), op.ne(), op.brIf(1),
    get(IP), k(1), op.sub(), set(IP),
    bump(1, ML),
    op.br(0),
    op.end(), op.end(),
    // The start of the match into the tables (positions after catch-back, indices from before, as in C).
    put8(at(IP, 1), at(IPIDX, 1)),
    put8(at(IP, 2), at(IPIDX, 2)),
    put4(at(IP, 1), at(IPIDX, 1)),
    get(ANCHOR), get(IP), get(OP), get(ML), get(MD), get(LIM), get(OEND), op.call(F_SEQUENCE), tee(OP), op.eqz(),
    op.if(), k(0), op.return(), op.end(),
    get(IP), get(ML), op.add(), tee(IP), set(ANCHOR),
    // The end of the match into the tables.
    get(IP), get(BASE), op.sub(), tee(EMI), k(2), op.sub(), get(ILIMIT), op.ltS(), op.if(),
    get(IP), get(SRC), op.sub(), k(5), op.gtS(), op.if(), put8(at(IP, -5), at(EMI, -5)), op.end(),
    put8(at(IP, -3), at(EMI, -3)),
    put8(at(IP, -2), at(EMI, -2)),
    put4(at(IP, -2), at(EMI, -2)),
    put4(at(IP, -1), at(EMI, -1)),
    op.end(),
  );

  return {
    params: [I32, I32, I32, I32, I32, I32],
    result: I32,
    locals: [[TGT - 5, I32]],
    code: code(
      // A fresh context: both halves cleared, indices from 65536 (the dictionary's first, if any).
      k(HASH_AT), k(0), k(HASH_BYTES), op.memoryFill(),
      get(DLEN), k(PREFIX_INDEX), op.add(), set(PFX),
      get(SRC), get(PFX), op.sub(), set(BASE),
      // LZ4MID_fillHTable: every third dictionary position into the 4-byte table and the next
      // into the 8-byte one, then every position of the last 32 KiB into the 8-byte one.
      get(DLEN), k(8), op.gtS(), op.if(),
      k(PREFIX_INDEX), set(IDX),
      get(PFX), k(8), op.sub(), set(TGT),
      op.block(), op.loop(),
      get(IDX), get(TGT), op.geS(), op.brIf(1),
      put4(code(get(IDX), get(BASE), op.add()), get(IDX)),
      put8(code(get(IDX), get(BASE), op.add(), k(1), op.add()), at(IDX, 1)),
      bump(3, IDX),
      op.br(0),
      op.end(), op.end(),
      get(TGT), k(32768), op.sub(), k(PREFIX_INDEX), get(DLEN), k(32768 + 8), op.gtS(), op.select(), set(IDX),
      op.block(), op.loop(),
      get(IDX), get(TGT), op.geS(), op.brIf(1),
      put8(code(get(IDX), get(BASE), op.add()), get(IDX)),
      bump(1, IDX),
      op.br(0),
      op.end(), op.end(),
      op.end(),
      get(SRC), get(SN), op.add(), set(IEND),
      get(DST), get(CAP), op.add(), set(OEND),
      get(SRC), set(ANCHOR), get(SRC), set(IP), get(DST), set(OP),
      get(IEND), k(MF_LIMIT), op.sub(), set(MFLIMIT),
      get(IEND), k(LAST_LITERALS), op.sub(), set(MLIMIT),
      get(IEND), k(8), op.sub(), get(BASE), op.sub(), set(ILIMIT),
      op.block(), op.loop(), // $main
      get(IP), get(MFLIMIT), op.gtS(), op.brIf(1),
      get(IP), get(BASE), op.sub(), set(IPIDX),
      k(0), set(ML), k(0), set(MD),
      search,
      match,
      op.br(0),
      op.end(), op.end(),
      lastLiterals({ iend: IEND, anchor: ANCHOR, op: OP, dst: DST, limited: LIM, oend: OEND, len: LEN, t: T }),
    ),
  };
}

/** The module's bytes: `compress` and `mid` (and their helpers), on the shared memory. */
export function lz4hcCompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([compressBody(), midBody(), findBody(false), findBody(true), sequenceBody(), countBody(), startBody()], ['compress', 'mid'], Math.ceil(ENCODE_END / 65536));
}

type Compressor = (src: number, sn: number, dst: number, cap: number, attempts: number, limited: number, patternAnalysis: number, dictLength: number) => number;
type MidCompressor = (src: number, sn: number, dst: number, cap: number, limited: number, dictLength: number) => number;

let enabled = true;
let compressFn: Compressor | null = null;
let midFn: MidCompressor | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  compressFn = exportsObject['compress'] as Compressor;
  midFn = exportsObject['mid'] as MidCompressor;
}

const loader = new HeapModuleLoader(lz4hcCompressModuleBytes, instantiate);

/** Whether the WebAssembly LZ4HC compressor is in use (compiling it on first ask). */
export function lz4hcWasmReady(): boolean {
  if (!enabled) return false;
  return loader.loaded();
}

/**
 * Turn the WebAssembly LZ4HC compressor on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setLz4hcWasmEnabled(on: boolean): void {
  enabled = on;
}

/**
 * `LZ4_compress_HC` at `level` 1–9 (1–2 lz4mid, 3–9 hash chains with 1 << (level − 1)
 * attempts) without a dictionary, the ranges checked: same result as the TypeScript twin, or
 * -1 when the WebAssembly path cannot take the call (the caller runs the twin).
 */
export function lz4hcCompressWasm(
  src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, level: number, limited: boolean,
): number {
  if (sn < MIN_LENGTH || !lz4hcWasmReady()) return -1;
  // Unlimited, the stream never passes the bound: that much room is enough.
  const room = limited ? cap : lz4CompressBound(sn);
  if (room > OUT_MAX) return -1;
  const at = heapInput(src, sp, sn);
  if (at < 0) return -1;
  const maxNbAttempts = 1 << (level - 1);
  const n = level <= 2
    ? midFn!(at, sn, OUT_AT, room, limited ? 1 : 0, 0)
    : compressFn!(at, sn, OUT_AT, room, maxNbAttempts, limited ? 1 : 0, maxNbAttempts > 128 ? 1 : 0, 0);
  if (n > 0) copyMemory(heapBytes(), OUT_AT, dst, dp, n);
  return n;
}

/**
 * `LZ4_resetStreamHC_fast` + `LZ4_loadDictHC(dict)` + `LZ4_compress_HC_continue` at
 * `level` 1–9, as `lz4hcCompressWithDict`'s twin does, sn ≥ LZ4_minLength, the
 * ranges checked: the dictionary's last 64 KiB and the input are copied one after the other
 * into the shared memory (at WINDOW_AT). Same result as the TypeScript twin, or -1 when the
 * WebAssembly path cannot take the call.
 */
export function lz4hcCompressWithDictWasm(
  src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, level: number, limited: boolean, dict: Uint8Array,
): number {
  if (sn < MIN_LENGTH || !lz4hcWasmReady()) return -1;
  const room = limited ? cap : lz4CompressBound(sn);
  if (room > OUT_MAX) return -1;
  // LZ4_loadDictHC keeps only the last 64 KiB.
  const dictLength = dict.length > 65536 ? 65536 : dict.length;
  if (dictLength + sn > SCRATCH_MAX || !reserveHeap(WINDOW_AT + dictLength + sn + LZ4_WASM_SLACK)) return -1;
  const heap = heapBytes();
  heap.set(dict.subarray(dict.length - dictLength), WINDOW_AT);
  copyMemory(src, sp, heap, WINDOW_AT + dictLength, sn);
  const maxNbAttempts = 1 << (level - 1);
  const at = WINDOW_AT + dictLength;
  const n = level <= 2
    ? midFn!(at, sn, OUT_AT, room, limited ? 1 : 0, dictLength)
    : compressFn!(at, sn, OUT_AT, room, maxNbAttempts, limited ? 1 : 0, maxNbAttempts > 128 ? 1 : 0, dictLength);
  if (n > 0) copyMemory(heapBytes(), OUT_AT, dst, dp, n);
  return n;
}
