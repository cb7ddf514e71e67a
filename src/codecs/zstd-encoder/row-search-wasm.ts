/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The row-based match search of match-lazy.ts (`ZSTD_RowFindBestMatch`, `ZSTD_row_update`,
 * `ZSTD_row_fillHashCache`, `ZSTD_row_nextCachedHash` of lib/compress/zstd_lazy.c) as
 * WebAssembly functions on the shared memory (src/wasm/heap.ts). libzstd's greedy, lazy and
 * lazy2 levels search rows once the window passes 16 KiB: Blosc clevels 3 and 5 (zstd levels
 * 5 and 9) spend two thirds of their time here. Same steps, same tables, same salted hashes,
 * hence the same candidates and matches as the TypeScript twin, which stays the fallback (no
 * WebAssembly, rows of 64 entries, tables over 2^20 entries, an input over SCRATCH_MAX bytes,
 * or `setZstdEncoderWasmEnabled(false)`).
 *
 * Why: in JavaScript every tag, table and source access carries a bounds check, the tags of a
 * row are compared four at a time and matches counted four bytes at a time; here the 16 or 32
 * tags of a row are compared by one or two SIMD compares and matches counted eight bytes at a
 * time.
 *
 * The same module holds the fast strategy's block loop (`fast4`..`fast7`, below), for zstd level
 * 1 and the negative levels (Blosc clevel 1), and the greedy/lazy/lazy2 block loop that runs
 * this search inline (`lazy4r4`..`lazy6r5`, at the end), one call per block. `find` and `fill`
 * stay exported for the TypeScript parser run over this search (`setZstdLazyParserWasmEnabled(false)`).
 *
 * Where things are: the input where lz4-compress-wasm.ts `heapInput` puts it (in place when the
 * chunk driver filtered the block into the shared memory at WINDOW_AT, else copied there); the
 * state, hash cache, tag table and position table (or the fast loop's table and sequences) in
 * the encoders' output area at SCRATCH_AT, which nothing else uses while zstd encodes; the lazy
 * parser's sequences and literals at the end of that area (LAZY_AREA).
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ENCODE_END, SCRATCH_AT, SCRATCH_MAX, heapBytes, HeapModuleLoader } from '../../wasm/heap.js';
import { heapInput } from '../lz4-compress-wasm.js';
import { type MatchState, ROW_SALT64, type RowSearchWasm } from './match-state.js';
import { BLOCKSIZE_MAX } from './params.js';
import { LL_CODE_SMALL, MAX_LL, MAX_ML, MAX_OFF, ML_CODE_SMALL } from './seq-store.js';

// The state block (32-bit words at these byte offsets from STATE_AT).
const STATE_AT = SCRATCH_AT;
const S_SRC = 0; // heap address of source position 0 (mod 2^32)
const S_NEXT = 4; // nextToUpdate
const S_OFF = 8; // offset code of the last match found
const S_FRAME = 12; // frame start (lowest valid position)
const S_MAXD = 16; // 2^windowLog
const S_HBITS = 24; // rowHashLog + ROW_TAG_BITS
const S_ATTEMPTS = 28; // 1 << min(searchLog, rowLog)
/** The hash cache: 8 words. */
const CACHE_AT = STATE_AT + 64;
/** The lazy parser's code tables (`ZSTD_LLcode`, `ZSTD_MLcode`), copied there for each frame. */
const LL_CODE_AT = STATE_AT + 1024;
const ML_CODE_AT = LL_CODE_AT + 64;
/** The lazy parser's histograms of the codes of one call's sequences (32-bit counts). */
const LL_COUNT_AT = ML_CODE_AT + 128;
const OF_COUNT_AT = LL_COUNT_AT + 4 * (MAX_LL + 1);
const ML_COUNT_AT = OF_COUNT_AT + 4 * (MAX_OFF + 1);
const COUNTS_END = ML_COUNT_AT + 4 * (MAX_ML + 1);
/** End of the state block's bytes in use. */
export const ROW_STATE_END = COUNTS_END;
/** Largest table (entries) the WebAssembly search takes: 2^20 tags and 2^20 positions. */
export const ROW_WASM_MAX_TABLE_LOG = 20;
const MAX_TABLE_LOG = ROW_WASM_MAX_TABLE_LOG;
/** The state block (and hash cache), the tag table (1 byte an entry), the position table (4 bytes an entry). */
export const ROW_STATE_AT = STATE_AT;
export const ROW_TAGS_AT = STATE_AT + 4096;
if (ROW_STATE_END > ROW_TAGS_AT) throw new Error('zstd row state overruns its block of the heap');
export const ROW_POSITIONS_AT = ROW_TAGS_AT + (1 << MAX_TABLE_LOG);
/** End of the row search's (and fast loop's) area. */
export const ROW_AREA_END = ROW_POSITIONS_AT + (4 << MAX_TABLE_LOG);
const TAG_AT = ROW_TAGS_AT;
const HASH_AT = ROW_POSITIONS_AT;
if (HASH_AT + (4 << MAX_TABLE_LOG) > SCRATCH_AT + SCRATCH_MAX) throw new Error('zstd row tables overrun their area of the heap');

const ROW_TAG_BITS = 8;
const ROW_SKIP_THRESHOLD = 384;
const ROW_MAX_MATCH_START_UPDATES = 96;
const ROW_MAX_MATCH_END_UPDATES = 32;
const REP_NUM = 3;
/** Offset code the searches start from (libzstd's 999999999). */
const NO_OFFSET = 999999999;
const PRIME4 = 0x9e3779b1 | 0;
/** libzstd's `prime5bytes`, `prime6bytes`. */
const PRIMES: Record<number, bigint> = { 5: 889523592379n, 6: 227718039650203n };
const SALT_LO = Number(ROW_SALT64 & 0xffffffffn) | 0;

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

// Parameters of `find` (ip, iLimit, skipping) and `fill` (idx, iLimit).
const IP = 0, ILIM = 1, SKIP = 2;
// Locals (i32).
// (Locals 5, 7, 16 and 17 are spare.)
const SRC = 3, NEXT = 4, HB = 6, LOWLIM = 8, ATT = 9, H = 10, ROW = 11, TAG = 12, HEAD = 13;
const MASK = 14, M = 15, MPOS = 18, MIDX = 19, ML = 20, CML = 21, A = 22, B = 23, E = 24, T = 25;
const I = 26, END = 27, P = 28, J = 29, FRAME = 30, MAXD = 31, OFF = 32;
// Locals (i64).
const SH64 = 33, X = 34;
const N_I32 = SH64 - 3; // i32 locals after the three parameters, up to and including OFF

/** The salted hash of the `mls` bytes at heap address `addr` (`ZSTD_hashPtrSalted`), into HB bits. */
function hashSalted(addr: Code, mls: number): Code {
  if (mls === 4) return code(addr, op.load32(), k(PRIME4), op.mul(), k(SALT_LO), op.xor(), k(32), get(HB), op.sub(), op.shrU());
  return code(
    addr, op.load64(), op.i64(64 - 8 * mls), op.i64Shl(), op.i64Big(PRIMES[mls]!), op.i64Mul(),
    op.i64Big(ROW_SALT64), op.i64Xor(), get(SH64), op.i64ShrU(), op.wrap(),
  );
}

/** Load the frame's parameters from the state block into locals. */
function loadState(): Code {
  return code(
    k(STATE_AT), op.load32(S_SRC), set(SRC),
    k(STATE_AT), op.load32(S_NEXT), set(NEXT),
    k(STATE_AT), op.load32(S_HBITS), set(HB),
    k(64), get(HB), op.sub(), op.extendU(), set(SH64),
  );
}

/**
 * H = the cached hash of position I, the cache slot refilled with the hash of I + 8 (`ZSTD_row_nextCachedHash`).
 * The new hash's tag row is read and the byte dropped: WebAssembly has no prefetch (libzstd's
 * `ZSTD_row_prefetch`), but a load issued now brings the row into the cache while the 8
 * positions before it are processed (poisson_i4 at Blosc clevel 5: +10 %; reading the
 * position row as well gained nothing more).
 */
function nextCachedHash(mls: number, rowLog: number): Code {
  return code(
    get(I), k(7), op.and(), k(2), op.shl(), tee(T), op.load32(CACHE_AT), set(H),
    get(T), hashSalted(code(get(SRC), get(I), op.add(), k(8), op.add()), mls), tee(E), op.store32(CACHE_AT),
    get(E), k(ROW_TAG_BITS), op.shrU(), k(rowLog), op.shl(), op.load8(TAG_AT), op.drop(),
  );
}

/** P = the next slot of row ROW-or-R (a local), cycling downwards over 1..rowMask (`ZSTD_row_nextIndex`). */
function nextIndex(row: number, rowLog: number): Code {
  const rowMask = (1 << rowLog) - 1;
  return code(
    get(row), op.load8(TAG_AT), k(1), op.sub(), k(rowMask), op.and(), tee(P), op.eqz(), op.if(), k(rowMask), set(P), op.end(),
    get(row), get(P), op.store8(TAG_AT),
  );
}

/** Insert positions I..END-1 (`ZSTD_row_update_internalImpl` with the cache); I ends at END. */
function updateRange(mls: number, rowLog: number): Code {
  return code(
    op.block(), op.loop(),
    get(I), get(END), op.geS(), op.brIf(1),
    nextCachedHash(mls, rowLog),
    get(H), k(ROW_TAG_BITS), op.shrU(), k(rowLog), op.shl(), set(J),
    nextIndex(J, rowLog),
    get(J), get(P), op.add(), tee(T), get(H), op.store8(TAG_AT),
    get(T), k(2), op.shl(), get(I), op.store32(HASH_AT),
    get(I), k(1), op.add(), set(I),
    op.br(0),
    op.end(), op.end(),
  );
}

/** Hashes of up to 8 positions from J, not past `limit` (an i32 expression) (`ZSTD_row_fillHashCache`). */
function fillCache(limit: Code, mls: number): Code {
  return code(
    get(J), limit, tee(E), op.gtS(), op.if(), k(0), set(T), op.else(), get(E), get(J), op.sub(), k(1), op.add(), set(T), op.end(),
    get(T), k(8), op.gtS(), op.if(), k(8), set(T), op.end(),
    get(J), get(T), op.add(), set(END),
    op.block(), op.loop(),
    get(J), get(END), op.geS(), op.brIf(1),
    get(J), k(7), op.and(), k(2), op.shl(), hashSalted(code(get(SRC), get(J), op.add()), mls), op.store32(CACHE_AT),
    get(J), k(1), op.add(), set(J),
    op.br(0),
    op.end(), op.end(),
  );
}

/**
 * The common run of source positions `a` and `b`, stopping at position `end` (`ZSTD_count`),
 * 8 bytes at a time: leaves its start address in local `t` and its end address in local `pa`
 * (`pb`, `pe` and `x` are scratch locals of the calling function).
 */
function commonRun(src: number, a: Code, b: Code, end: Code, pa: number, pb: number, pe: number, t: number, x: number): Code {
  return code(
    get(src), a, op.add(), tee(pa), set(t),
    get(src), b, op.add(), set(pb),
    get(src), end, op.add(), set(pe),
    op.block(),
    op.loop(),
    get(pa), k(8), op.add(), get(pe), op.gtU(), op.if(),
    // Fewer than 8 bytes left: byte by byte.
    op.block(), op.loop(),
    get(pa), get(pe), op.geU(), op.brIf(1),
    get(pa), op.load8(), get(pb), op.load8(), op.ne(), op.brIf(1),
    get(pa), k(1), op.add(), set(pa), get(pb), k(1), op.add(), set(pb),
    op.br(0),
    op.end(), op.end(),
    op.br(2),
    op.end(),
    get(pa), op.load64(), get(pb), op.load64(), op.i64Xor(), tee(x), op.i64Eqz(), op.eqz(), op.if(),
    get(pa), get(x), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(pa),
    op.br(2),
    op.end(),
    get(pa), k(8), op.add(), set(pa), get(pb), k(8), op.add(), set(pb),
    op.br(0),
    op.end(),
    op.end(),
  );
}

/** CML = length of the common run at source positions IP and MIDX, stopping at ILIM. */
function countMatch(): Code {
  return code(
    commonRun(SRC, get(IP), get(MIDX), get(ILIM), A, B, E, T, X),
    get(A), get(T), op.sub(), set(CML),
  );
}

/**
 * `find(ip, iLimit, skipping)`: `ZSTD_RowFindBestMatch` for rows of 2^rowLog (16 or 32)
 * entries. The candidates are tested as they are read (the TypeScript twin gathers them
 * first): the test reads no table, so the order of the row's update and the tests does not
 * matter.
 */
function findBody(mls: number, rowLog: number): FunctionBody {
  const c = code(
    loadState(),
    k(STATE_AT), op.load32(S_FRAME), set(FRAME),
    k(STATE_AT), op.load32(S_MAXD), set(MAXD),
    k(STATE_AT), op.load32(S_ATTEMPTS), set(ATT),
    k(NO_OFFSET), set(OFF),
    k(3), set(ML),
    findCore(mls, rowLog),
    k(STATE_AT), get(NEXT), op.store32(S_NEXT),
    k(STATE_AT), get(OFF), op.store32(S_OFF),
    get(ML),
  );
  return { params: [I32, I32, I32], result: I32, locals: [[N_I32, I32], [2, I64]], code: c };
}

/**
 * The search itself, on the state in locals (SRC, NEXT, HB, SH64, FRAME, MAXD, ATT,
 * OFF = NO_OFFSET, ML = a length the match must exceed, 3 or more): leaves the length in ML
 * (unchanged when nothing longer is found), the offset code in OFF, and NEXT past ip. Shared
 * by `find` (ML = 3) and the lazy parser, which keeps the state in its locals for a whole
 * block and starts ML at a repeat match's length where only a longer match would be taken.
 * The best candidate is the first of the longest ones, so starting ML higher finds the same
 * one whenever it is longer than that start.
 *
 * The row size is a constant of the function (one per row size): its shifts and masks take
 * immediates, and the candidates are visited from the head by rotating the tag mask
 * (`ZSTD_rotateRight_U32`/`U16`) instead of in two passes.
 */
function findCore(mls: number, rowLog: number): Code {
  const rowMask = (1 << rowLog) - 1;
  // Rows of 32 come with searchLog 5 only (rowLog = searchLog clamped to 4..6): 32 attempts
  // for at most 31 candidates, which never run out; ATT = 0 still means none (a lazy step
  // that cannot win). Rows of 16 may have fewer attempts than candidates (searchLog 3).
  const limited = rowLog !== 5;
  const rotate =
    rowLog === 5
      ? code(get(MASK), get(HEAD), op.rotr())
      : code(get(MASK), get(HEAD), op.shrU(), get(MASK), k(16), get(HEAD), op.sub(), op.shl(), op.or(), k(0xffff), op.and());
  return code(
    get(IP), get(FRAME), op.sub(), get(MAXD), op.gtS(), op.if(), get(IP), get(MAXD), op.sub(), set(LOWLIM), op.else(), get(FRAME), set(LOWLIM), op.end(),
    get(SKIP), op.eqz(), op.if(),
    get(NEXT), set(I),
    get(IP), get(I), op.sub(), k(ROW_SKIP_THRESHOLD), op.gtS(), op.if(),
    get(I), k(ROW_MAX_MATCH_START_UPDATES), op.add(), set(END),
    updateRange(mls, rowLog),
    get(IP), k(ROW_MAX_MATCH_END_UPDATES), op.sub(), tee(I), set(J),
    fillCache(code(get(IP), k(1), op.add()), mls),
    op.end(),
    get(IP), set(END),
    updateRange(mls, rowLog),
    get(IP), set(NEXT),
    get(IP), set(I),
    nextCachedHash(mls, rowLog),
    op.else(),
    hashSalted(code(get(SRC), get(IP), op.add()), mls), set(H),
    get(IP), set(NEXT),
    op.end(),
    get(H), k(ROW_TAG_BITS), op.shrU(), k(rowLog), op.shl(), set(ROW),
    get(H), k(255), op.and(), set(TAG),
    get(ROW), op.load8(TAG_AT), k(rowMask), op.and(), set(HEAD),
    get(ROW), op.load(TAG_AT), get(TAG), op.i8x16Splat(), op.i8x16Eq(), op.i8x16Bitmask(),
    rowLog === 5 ? code(get(ROW), op.load(TAG_AT + 16), get(TAG), op.i8x16Splat(), op.i8x16Eq(), op.i8x16Bitmask(), k(16), op.shl(), op.or()) : code(),
    // Slot 0 holds the row's head, never a candidate (libzstd skips it without counting an attempt).
    k(-2), op.and(), set(MASK),
    rotate, set(M),
    limited ? code() : code(get(ATT), op.eqz(), op.if(), k(0), set(M), op.end()),
    op.block(), // $done
    op.loop(), // $cand
    get(M), op.eqz(), op.brIf(1),
    limited ? code(get(ATT), op.eqz(), op.brIf(1)) : code(),
    get(HEAD), get(M), op.ctz(), op.add(), k(rowMask), op.and(), set(MPOS),
    get(M), get(M), k(1), op.sub(), op.and(), set(M),
    get(ROW), get(MPOS), op.add(), k(2), op.shl(), op.load32(HASH_AT), tee(MIDX), get(LOWLIM), op.ltS(), op.brIf(1), // to $done
    limited ? code(get(ATT), k(1), op.sub(), set(ATT)) : code(),
    // Only a candidate that also matches at the current best length can be longer.
    get(SRC), get(MIDX), op.add(), get(ML), op.add(), k(3), op.sub(), op.load32(),
    get(SRC), get(IP), op.add(), get(ML), op.add(), k(3), op.sub(), op.load32(),
    op.eq(), op.if(),
    countMatch(),
    get(CML), get(ML), op.gtS(), op.if(),
    get(CML), set(ML),
    get(IP), get(MIDX), op.sub(), k(REP_NUM), op.add(), set(OFF),
    get(IP), get(CML), op.add(), get(ILIM), op.eq(), op.brIf(3), // to $done
    op.end(),
    op.end(),
    op.br(0),
    op.end(), // $cand
    op.end(), // $done
    // Insert ip into its row.
    nextIndex(ROW, rowLog),
    get(ROW), get(P), op.add(), tee(T), get(TAG), op.store8(TAG_AT),
    get(T), k(2), op.shl(), get(NEXT), op.store32(HASH_AT),
    get(NEXT), k(1), op.add(), set(NEXT),
  );
}

/**
 * `same(addr, n)`: 1 when the n bytes at heap address addr are all the first one, else 0
 * (`ZSTD_isRLE`), 16 bytes a step. Why: a block of one repeated byte (a Blosc block's
 * planes of zeros) is read whole before it is written as an RLE block, 4 bytes a step in
 * JavaScript.
 */
function sameBody(): FunctionBody {
  const AD = 0, N = 1, END = 2, PP = 3;
  const c = code(
    get(AD), get(N), op.add(), set(END),
    get(AD), set(PP),
    op.block(), op.loop(),
    get(PP), k(16), op.add(), get(END), op.gtU(), op.brIf(1),
    get(PP), op.load(), get(AD), op.load8(), op.i8x16Splat(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.ne(), op.if(), k(0), op.return(), op.end(),
    get(PP), k(16), op.add(), set(PP),
    op.br(0),
    op.end(), op.end(),
    op.block(), op.loop(),
    get(PP), get(END), op.geU(), op.brIf(1),
    get(PP), op.load8(), get(AD), op.load8(), op.ne(), op.if(), k(0), op.return(), op.end(),
    get(PP), k(1), op.add(), set(PP),
    op.br(0),
    op.end(), op.end(),
    k(1),
  );
  return { params: [I32, I32], result: I32, locals: [[2, I32]], code: c };
}

/** `fill(idx, iLimit)`: `ZSTD_row_fillHashCache`. */
function fillBody(mls: number): FunctionBody {
  // Parameters reuse the slots of IP (idx) and ILIM (iLimit); SKIP is an unused local here.
  const c = code(loadState(), get(IP), set(J), fillCache(get(ILIM), mls));
  return { params: [I32, I32], result: null, locals: [[1 + N_I32, I32], [2, I64]], code: c };
}

/** Row sizes (log2 of the entries) the WebAssembly search has functions for. */
const ROW_LOGS = [4, 5] as const;
/** Lazy parser depths: greedy, lazy, lazy2, each its own function (the depth a constant in it). */
const LAZY_DEPTHS = [0, 1, 2] as const;

/**
 * The module's bytes: `find4r4`, `find4r5`, .. `find6r5` (row search by hashed length and
 * row size), `fill4` .. `fill6`, `fast4` .. `fast7` (fast loop) and `lazy4r4` .. `lazy6r5`
 * (lazy parser).
 */
export function rowSearchModuleBytes(): Uint8Array<ArrayBuffer> {
  const bodies: FunctionBody[] = [];
  const names: string[] = [];
  for (const mls of [4, 5, 6]) {
    for (const rowLog of ROW_LOGS) {
      bodies.push(findBody(mls, rowLog));
      names.push(`find${mls}r${rowLog}`);
    }
    bodies.push(fillBody(mls));
    names.push(`fill${mls}`);
  }
  for (const mls of [4, 5, 6, 7]) {
    bodies.push(fastBody(mls));
    names.push(`fast${mls}`);
  }
  bodies.push(sameBody());
  names.push('same');
  for (const mls of [4, 5, 6]) {
    for (const rowLog of ROW_LOGS) {
      for (const depth of LAZY_DEPTHS) {
        bodies.push(lazyBody(mls, rowLog, depth));
        names.push(`lazy${mls}r${rowLog}d${depth}`);
      }
    }
  }
  // The memory is grown past the tables before any call (heapInput reserves past WINDOW_AT).
  return moduleBytes(bodies, names, Math.ceil(ENCODE_END / 65536));
}

type FindFn = (ip: number, iLimit: number, skipping: number) => number;
type FillFn = (idx: number, iLimit: number) => void;
type LazyFn = () => number;
type SameFn = (addr: number, n: number) => number;
let sameFn: SameFn | null = null;
type FastFn = (ip0: number, istart: number, iend: number, prefixStart: number, rep1: number, rep2: number, hashLog: number, stepSize: number) => number;
const fastLoops: Array<FastFn | null> = [null, null, null, null, null, null, null, null];
let lazyLl: Uint32Array = new Uint32Array(0);
let lazyOfb: Uint32Array = new Uint32Array(0);
let lazyMlb: Uint32Array = new Uint32Array(0);
let lazyLit: Uint8Array = new Uint8Array(0);
let lazyLlc: Uint8Array = new Uint8Array(0);
let lazyOfc: Uint8Array = new Uint8Array(0);
let lazyMlc: Uint8Array = new Uint8Array(0);
let lazyLlCount: Uint32Array = new Uint32Array(0);
let lazyOfCount: Uint32Array = new Uint32Array(0);
let lazyMlCount: Uint32Array = new Uint32Array(0);

let enabled = true;
/** Whether the lazy parser runs as WebAssembly with the row search (else only the search does). */
let lazyParserEnabled = true;
/** The search of each hashed length (4..6) and row size (16 or 32 entries), at finderIndex. */
const finders: Array<RowSearchWasm | null> = [null, null, null, null, null, null];
const finderIndex = (mls: number, rowLog: number): number => (mls - 4) * 2 + rowLog - 4;
let stateView = new Int32Array(0);
/**
 * The state block's view for the frame being compressed, taken by attachRowSearch: nothing
 * grows the memory during a frame, and asking the memory for its buffer on every search
 * would cost more than the search.
 */
let frameWords: Int32Array = new Int32Array(0);

function words(): Int32Array {
  const heap = heapBytes();
  if (stateView.buffer !== heap.buffer) stateView = new Int32Array(heap.buffer, STATE_AT, 32);
  return stateView;
}

function instantiate(exportsObject: WebAssembly.Exports): void {
  for (const mls of [4, 5, 6]) {
    for (const rowLog of ROW_LOGS) {
      const find = exportsObject[`find${mls}r${rowLog}`] as FindFn;
      const fill = exportsObject[`fill${mls}`] as FillFn;
      const lazy = LAZY_DEPTHS.map((depth) => exportsObject[`lazy${mls}r${rowLog}d${depth}`] as LazyFn);
      finders[finderIndex(mls, rowLog)] = {
        find,
        fill,
        parse: (istart, iend, depth, offset1, offset2, ss) => {
          const w = frameWords;
          w[S_LZ_ISTART >> 2] = istart;
          w[S_LZ_IEND >> 2] = iend;

          w[S_LZ_OFF1 >> 2] = offset1;
          w[S_LZ_OFF2 >> 2] = offset2;
          const n = lazy[depth]!();
          // A parse never grows the memory, but the views may predate a growth by another codec.
          if (lazyLl.buffer !== w.buffer) {
            lazyLl = new Uint32Array(w.buffer, LAZY_LL_AT, LAZY_SEQS);
            lazyOfb = new Uint32Array(w.buffer, LAZY_OFB_AT, LAZY_SEQS);
            lazyMlb = new Uint32Array(w.buffer, LAZY_MLB_AT, LAZY_SEQS);
            lazyLit = new Uint8Array(w.buffer, LAZY_LIT_AT, BLOCKSIZE_MAX);
            lazyLlc = new Uint8Array(w.buffer, LAZY_LLC_AT, LAZY_SEQS);
            lazyOfc = new Uint8Array(w.buffer, LAZY_OFC_AT, LAZY_SEQS);
            lazyMlc = new Uint8Array(w.buffer, LAZY_MLC_AT, LAZY_SEQS);
            lazyLlCount = new Uint32Array(w.buffer, LL_COUNT_AT, MAX_LL + 1);
            lazyOfCount = new Uint32Array(w.buffer, OF_COUNT_AT, MAX_OFF + 1);
            lazyMlCount = new Uint32Array(w.buffer, ML_COUNT_AT, MAX_ML + 1);
          }
          ss.append(lazyLl, lazyOfb, lazyMlb, n, lazyLit, w[S_LZ_LITS >> 2]!, lazyLlc, lazyOfc, lazyMlc, lazyLlCount, lazyOfCount, lazyMlCount);
          return iend - w[S_LZ_ANCHOR >> 2]!;
        },
        rep1: () => frameWords[S_REP1 >> 2]!,
        rep2: () => frameWords[S_REP2 >> 2]!,
        offBase: () => frameWords[S_OFF >> 2]!,
        next: () => frameWords[S_NEXT >> 2]!,
        setNext: (position: number) => {
          frameWords[S_NEXT >> 2] = position;
        },
      };
    }
  }
  for (const mls of [4, 5, 6, 7]) fastLoops[mls] = exportsObject[`fast${mls}`] as FastFn;
  sameFn = exportsObject['same'] as SameFn;
}

const loader = new HeapModuleLoader(rowSearchModuleBytes, instantiate);

function moduleReady(): boolean {
  return loader.loaded();
}

/**
 * Turn the WebAssembly row search of the zstd encoder on or off (on by default where the
 * platform has WebAssembly). Output does not change; only speed does.
 */
export function setZstdEncoderWasmEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Keep the lazy parser in TypeScript while the row search stays WebAssembly (for tests that
 * hold the three paths against each other). Output does not change.
 */
export function setZstdLazyParserWasmEnabled(on: boolean): void {
  lazyParserEnabled = on;
}

/** Whether the WebAssembly row search is in use (compiling it on first ask). */
export function zstdEncoderWasmReady(): boolean {
  return enabled && moduleReady();
}

/** Whether `a` is a view of the shared memory. */
function onHeap(a: Int32Array | Uint8Array): boolean {
  return a.buffer === heapBytes().buffer && a.length > 0;
}

/**
 * Before `ms.reset` for a frame of src[sp, sp+sn): when the row search can run as
 * WebAssembly (rows of 16 or 32 entries, tables of at most 2^20 entries), copy the input to
 * the shared memory, point the state's tables at their heap area and return true; `ms.rowWasm`
 * is set by {@link attachRowSearch} after the reset. Otherwise make sure the state owns its
 * tables (views of the heap from an earlier frame are dropped) and return false.
 */
export function prepareRowSearch(ms: MatchState, src: Uint8Array, sp: number, sn: number, hashLog: number, searchLog: number): boolean {
  ms.rowWasm = null;
  ms.fastWasm = null;
  const rowLog = searchLog < 4 ? 4 : searchLog > 6 ? 6 : searchLog;
  if (rowLog <= 5 && hashLog <= MAX_TABLE_LOG && zstdEncoderWasmReady()) {
    const at = heapInput(src, sp, sn);
    if (at >= 0) {
      const heap = heapBytes();
      const size = 1 << hashLog;
      if (ms.hashTable.buffer !== heap.buffer || ms.hashTable.length !== size) ms.hashTable = new Int32Array(heap.buffer, HASH_AT, size);
      if (ms.tagTable.buffer !== heap.buffer || ms.tagTable.length !== size) {
        ms.tagTable = new Uint8Array(heap.buffer, TAG_AT, size);
        ms.tagView = new DataView(heap.buffer, TAG_AT, size);
      }
      const w = words();
      w[S_SRC >> 2] = (at - sp) | 0;
      return true;
    }
  }
  releaseHeapTables(ms);
  return false;
}

/**
 * Before `ms.reset` for a frame of src[sp, sp+sn) with the fast strategy: as
 * {@link prepareRowSearch}, for the fast loop (tables of at most 2^20 entries); then
 * {@link attachFastLoop} after the reset.
 */
export function prepareFastLoop(ms: MatchState, src: Uint8Array, sp: number, sn: number, hashLog: number): boolean {
  ms.rowWasm = null;
  ms.fastWasm = null;
  if (hashLog <= MAX_TABLE_LOG && zstdEncoderWasmReady()) {
    const at = heapInput(src, sp, sn);
    if (at >= 0) {
      const heap = heapBytes();
      const size = 1 << hashLog;
      if (ms.hashTable.buffer !== heap.buffer || ms.hashTable.length !== size) ms.hashTable = new Int32Array(heap.buffer, HASH_AT, size);
      words()[S_SRC >> 2] = (at - sp) | 0;
      return true;
    }
  }
  releaseHeapTables(ms);
  return false;
}

/** After `ms.reset` of a frame {@link prepareFastLoop} accepted. */
export function attachFastLoop(ms: MatchState): void {
  const mm = ms.minMatch;
  const w = words();
  frameWords = w;
  const heap = heapBytes();
  if (fastSeqView.buffer !== heap.buffer) fastSeqView = new Int32Array(heap.buffer, FAST_SEQ_AT, FAST_SEQ_WORDS);
  const loop = fastLoops[mm >= 5 && mm <= 7 ? mm : 4]!;
  ms.fastWasm = {
    run: loop,
    seqs: fastSeqView,
    rep1: () => frameWords[S_REP1 >> 2]!,
    rep2: () => frameWords[S_REP2 >> 2]!,
  };
}

/** Room for the fast loop's triples: 128 KiB blocks, a sequence per 4 bytes at most, and one more. */
const FAST_SEQ_WORDS = 3 * ((128 * 1024) / 4 + 1);
let fastSeqView: Int32Array = new Int32Array(0);

/** After `ms.reset` of a frame {@link prepareRowSearch} accepted: the frame's parameters into the state block. */
export function attachRowSearch(ms: MatchState): void {
  const mm = ms.minMatch;
  const mls = mm < 4 ? 4 : mm > 6 ? 6 : mm;
  const w = words();
  w[S_NEXT >> 2] = ms.nextToUpdate;
  w[S_FRAME >> 2] = ms.frameStart;
  w[S_MAXD >> 2] = ms.maxDistance;
  w[S_HBITS >> 2] = ms.rowHashLog + ROW_TAG_BITS;
  w[S_ATTEMPTS >> 2] = 1 << (ms.searchLog < ms.rowLog ? ms.searchLog : ms.rowLog);
  // Other codecs use this area between frames: the code tables are put back for each.
  const heap = heapBytes();
  heap.set(LL_CODE_SMALL, LL_CODE_AT);
  heap.set(ML_CODE_SMALL, ML_CODE_AT);
  frameWords = w;
  ms.rowWasm = finders[finderIndex(mls, ms.rowLog)]!;
  ms.lazyWasm = lazyParserEnabled;
}

/**
 * Whether src[ip, ip+n) of the frame attached to `ms` is one repeated byte (`ZSTD_isRLE`), or
 * null when the frame's input is not in the shared memory (the caller checks it itself).
 */
export function rowFrameIsRle(ms: MatchState, ip: number, n: number): boolean | null {
  if (ms.rowWasm === null || sameFn === null) return null;
  return sameFn((frameWords[S_SRC >> 2]! + ip) | 0, n) === 1;
}

/** Heap address of source position 0 of the frame attached (mod 2^32), for other WebAssembly passes over its input. */
export function rowSourceAddress(): number {
  return frameWords[S_SRC >> 2]!;
}

/** Give the state its own tables again if they are views of the shared memory. */
export function releaseHeapTables(ms: MatchState): void {
  ms.rowWasm = null;
  ms.fastWasm = null;
  if (onHeap(ms.hashTable)) ms.hashTable = new Int32Array(0);
  if (onHeap(ms.tagTable)) {
    ms.tagTable = new Uint8Array(0);
    ms.tagView = new DataView(new ArrayBuffer(0));
  }
}

// --- The fast strategy (`ZSTD_compressBlock_fast_noDict_generic`, lib/compress/zstd_fast.c) --
//
// Blosc clevel 1 (zstd level 1). The whole block loop runs here; the sequences found are
// written as (literal length, offset code, match length) triples at FAST_SEQ_AT and stored by
// the caller (match-fast.ts), which also handles the repeat offsets around the call. The
// hash table is the row search's position table (the two never serve the same frame).

/** The fast loop's sequences: three words each, at most one per 4 bytes of a 128 KiB block. */
export const FAST_SEQ_AT = ROW_TAGS_AT;
const S_REP1 = 32;
const S_REP2 = 36;
const FAST_STEP_INCREMENT = 128;
const FAST_HASH_READ_SIZE = 8;
const FAST_PRIMES: Record<number, bigint> = { 5: 889523592379n, 6: 227718039650203n, 7: 58295818150454627n };

// Parameters of `fast`.
const F_IP0 = 0, F_ISTART = 1, F_IEND = 2, F_PSTART = 3, F_REP1 = 4, F_REP2 = 5, F_HLOG = 6, F_STEPSZ = 7;
// Locals (i32).
const F_SRC = 8, F_ANCHOR = 9, F_ILIMIT = 10, F_STEP = 11, F_NEXTSTEP = 12, F_IP1 = 13, F_IP2 = 14, F_IP3 = 15;
const F_HASH0 = 16, F_HASH1 = 17, F_MIDX = 18, F_CUR0 = 19, F_MATCH0 = 20, F_OFFB = 21, F_MLEN = 22, F_FOUND = 23;
const F_TMP = 25, F_A = 26, F_B = 27, F_E = 28, F_T = 29, F_SH32 = 30, F_SEQP = 31;
// Locals (i64).
const F_SH64 = 32, F_X = 33;

/** Byte offset in the table of the hash of the bytes at source position `pos` (`ZSTD_hashPtr`, unsalted). */
function fastHash(pos: Code, mls: number): Code {
  const addr = code(get(F_SRC), pos, op.add());
  if (mls === 4) return code(addr, op.load32(), k(PRIME4), op.mul(), get(F_SH32), op.shrU(), k(2), op.shl());
  return code(
    addr, op.load64(), op.i64(64 - 8 * mls), op.i64Shl(), op.i64Big(FAST_PRIMES[mls]!), op.i64Mul(),
    get(F_SH64), op.i64ShrU(), op.wrap(), k(2), op.shl(),
  );
}

/** The 4 bytes at source position `pos`. */
function read32(pos: Code): Code {
  return code(get(F_SRC), pos, op.add(), op.load32());
}

/** F_MLEN += the common length of positions F_A and F_B up to F_IEND (see {@link commonRun}). */
function fastCount(): Code {
  return code(
    commonRun(F_SRC, get(F_A), get(F_B), get(F_IEND), F_A, F_B, F_E, F_T, F_X),
    get(F_MLEN), get(F_A), get(F_T), op.sub(), op.add(), set(F_MLEN),
  );
}

/** Append the sequence (literal length `ll`, offset code `off`, match length `ml`). */
function emitSeq(ll: Code, off: Code, ml: Code): Code {
  return code(
    get(F_SEQP), ll, op.store32(FAST_SEQ_AT),
    get(F_SEQP), off, op.store32(FAST_SEQ_AT + 4),
    get(F_SEQP), ml, op.store32(FAST_SEQ_AT + 8),
    get(F_SEQP), k(12), op.add(), set(F_SEQP),
  );
}

/** T[hash of position `pos`] = pos. */
function fastInsert(pos: Code, mls: number): Code {
  return code(fastHash(pos, mls), pos, op.store32(HASH_AT));
}

/** `fast(ip0, istart, iend, prefixStart, rep1, rep2, hashLog, stepSize)`: the block loop; returns the sequence count. */
function fastBody(mls: number): FunctionBody {
  const c = code(
    k(STATE_AT), op.load32(S_SRC), set(F_SRC),
    k(32), get(F_HLOG), op.sub(), set(F_SH32),
    k(64), get(F_HLOG), op.sub(), op.extendU(), set(F_SH64),
    get(F_ISTART), set(F_ANCHOR),
    get(F_IEND), k(FAST_HASH_READ_SIZE), op.sub(), set(F_ILIMIT),
    k(0), set(F_SEQP),
    op.block(), // $end
    op.loop(), // $outer
    get(F_STEPSZ), set(F_STEP),
    get(F_IP0), k(FAST_STEP_INCREMENT), op.add(), set(F_NEXTSTEP),
    get(F_IP0), k(1), op.add(), set(F_IP1),
    get(F_IP0), get(F_STEP), op.add(), tee(F_IP2), k(1), op.add(), tee(F_IP3),
    get(F_ILIMIT), op.geS(), op.brIf(1),
    fastHash(get(F_IP0), mls), set(F_HASH0),
    fastHash(get(F_IP1), mls), set(F_HASH1),
    get(F_HASH0), op.load32(HASH_AT), set(F_MIDX),
    k(0), set(F_FOUND),
    k(0), set(F_MATCH0), k(0), set(F_OFFB), k(0), set(F_MLEN),
    op.block(), // $search
    op.loop(), // $inner
    get(F_IP0), set(F_CUR0),
    get(F_HASH0), get(F_CUR0), op.store32(HASH_AT),
    // Repeat offset at ip2.
    get(F_REP1), k(0), op.gtS(), op.if(),
    read32(get(F_IP2)), read32(code(get(F_IP2), get(F_REP1), op.sub())), op.eq(), op.if(),
    get(F_IP2), tee(F_IP0), get(F_REP1), op.sub(), set(F_MATCH0),
    get(F_SRC), get(F_IP0), op.add(), k(1), op.sub(), op.load8(), get(F_SRC), get(F_MATCH0), op.add(), k(1), op.sub(), op.load8(), op.eq(), set(F_MLEN),
    get(F_IP0), get(F_MLEN), op.sub(), set(F_IP0),
    get(F_MATCH0), get(F_MLEN), op.sub(), set(F_MATCH0),
    k(1), set(F_OFFB),
    get(F_MLEN), k(4), op.add(), set(F_MLEN),
    get(F_HASH1), get(F_IP1), op.store32(HASH_AT),
    k(1), set(F_FOUND),
    op.br(3), // to $search's end
    op.end(), op.end(),
    get(F_MIDX), get(F_PSTART), op.geS(), op.if(),
    read32(get(F_IP0)), read32(get(F_MIDX)), op.eq(), op.if(),
    get(F_HASH1), get(F_IP1), op.store32(HASH_AT),
    k(2), set(F_FOUND),
    op.br(3),
    op.end(), op.end(),
    get(F_HASH1), op.load32(HASH_AT), set(F_MIDX),
    get(F_HASH1), set(F_HASH0),
    fastHash(get(F_IP2), mls), set(F_HASH1),
    get(F_IP1), set(F_IP0), get(F_IP2), set(F_IP1), get(F_IP3), set(F_IP2),
    get(F_IP0), set(F_CUR0),
    get(F_HASH0), get(F_CUR0), op.store32(HASH_AT),
    get(F_MIDX), get(F_PSTART), op.geS(), op.if(),
    read32(get(F_IP0)), read32(get(F_MIDX)), op.eq(), op.if(),
    get(F_STEP), k(4), op.leS(), op.if(), get(F_HASH1), get(F_IP1), op.store32(HASH_AT), op.end(),
    k(2), set(F_FOUND),
    op.br(3),
    op.end(), op.end(),
    get(F_HASH1), op.load32(HASH_AT), set(F_MIDX),
    get(F_HASH1), set(F_HASH0),
    fastHash(get(F_IP2), mls), set(F_HASH1),
    get(F_IP1), set(F_IP0), get(F_IP2), set(F_IP1),
    get(F_IP0), get(F_STEP), op.add(), set(F_IP2),
    get(F_IP1), get(F_STEP), op.add(), set(F_IP3),
    get(F_IP2), get(F_NEXTSTEP), op.geS(), op.if(),
    get(F_STEP), k(1), op.add(), set(F_STEP),
    get(F_NEXTSTEP), k(FAST_STEP_INCREMENT), op.add(), set(F_NEXTSTEP),
    op.end(),
    get(F_IP3), get(F_ILIMIT), op.ltS(), op.brIf(0),
    op.end(), // $inner
    op.end(), // $search
    get(F_FOUND), op.eqz(), op.brIf(1), // to $end
    get(F_FOUND), k(2), op.eq(), op.if(),
    get(F_MIDX), set(F_MATCH0),
    get(F_REP1), set(F_REP2),
    get(F_IP0), get(F_MATCH0), op.sub(), set(F_REP1),
    get(F_REP1), k(REP_NUM), op.add(), set(F_OFFB),
    k(4), set(F_MLEN),
    op.block(), op.loop(),
    get(F_IP0), get(F_ANCHOR), op.leS(), op.brIf(1),
    get(F_MATCH0), get(F_PSTART), op.leS(), op.brIf(1),
    get(F_SRC), get(F_IP0), op.add(), k(1), op.sub(), op.load8(), get(F_SRC), get(F_MATCH0), op.add(), k(1), op.sub(), op.load8(), op.ne(), op.brIf(1),
    get(F_IP0), k(1), op.sub(), set(F_IP0),
    get(F_MATCH0), k(1), op.sub(), set(F_MATCH0),
    get(F_MLEN), k(1), op.add(), set(F_MLEN),
    op.br(0),
    op.end(), op.end(),
    op.end(),
    get(F_IP0), get(F_MLEN), op.add(), set(F_A),
    get(F_MATCH0), get(F_MLEN), op.add(), set(F_B),
    fastCount(),
    emitSeq(code(get(F_IP0), get(F_ANCHOR), op.sub()), get(F_OFFB), get(F_MLEN)),
    get(F_IP0), get(F_MLEN), op.add(), tee(F_IP0), set(F_ANCHOR),
    get(F_IP0), get(F_ILIMIT), op.leS(), op.if(),
    fastInsert(code(get(F_CUR0), k(2), op.add()), mls),
    fastInsert(code(get(F_IP0), k(2), op.sub()), mls),
    get(F_REP2), k(0), op.gtS(), op.if(),
    op.block(), op.loop(),
    get(F_IP0), get(F_ILIMIT), op.gtS(), op.brIf(1),
    read32(get(F_IP0)), read32(code(get(F_IP0), get(F_REP2), op.sub())), op.ne(), op.brIf(1),
    get(F_IP0), k(4), op.add(), tee(F_A), get(F_REP2), op.sub(), set(F_B),
    k(4), set(F_MLEN),
    fastCount(),
    get(F_REP2), set(F_TMP), get(F_REP1), set(F_REP2), get(F_TMP), set(F_REP1),
    fastInsert(get(F_IP0), mls),
    get(F_IP0), get(F_MLEN), op.add(), set(F_IP0),
    emitSeq(k(0), k(1), get(F_MLEN)),
    get(F_IP0), set(F_ANCHOR),
    op.br(0),
    op.end(), op.end(),
    op.end(),
    op.end(),
    op.br(0), // $outer
    op.end(), // $outer
    op.end(), // $end
    k(STATE_AT), get(F_REP1), op.store32(S_REP1),
    k(STATE_AT), get(F_REP2), op.store32(S_REP2),
    get(F_SEQP), k(12), op.divU(),
  );
  return { params: [I32, I32, I32, I32, I32, I32, I32, I32], result: I32, locals: [[F_SH64 - 8, I32], [2, I64]], code: c };
}

// --- The lazy parser (`ZSTD_compressBlock_lazy_generic`, noDict, lib/compress/zstd_lazy.c) ---
//
// Blosc clevels 3 and 5 (zstd levels 5 and 9: greedy and lazy2 on rows). The whole block loop
// of match-lazy.ts `compressBlockLazy` runs here beside the row search it calls (`find`, `fill`
// above): the repeat-offset checks, the depth-1 and depth-2 re-searches with their gain rules,
// the catch-up and the immediate second-offset repeats. Its sequences are written as three
// arrays (literal lengths, offset codes, match lengths − 3) and its literals in order, the
// layout of SeqStore, which takes them with four copies; the caller handles the repeat offsets
// out of the window around the call. Why: with one call per searched position, the TypeScript
// loop and its 4-bytes-at-a-time repeat counts took more time than the search on data that
// repeats (40-60 % of Blosc clevel 5 on linspace_f8 and arange_i8), and storing the sequences
// one by one in JavaScript another 5 % on poisson_i4.

/** Room for one block's sequences: 128 KiB, a sequence per 4 bytes at most (matches are 4 or longer), and one more. */
const LAZY_SEQS = (128 * 1024) / 4 + 1;
/** Bytes of each of the three code arrays (one byte a sequence), rounded up to 8. */
const LAZY_CODES = (LAZY_SEQS + 7) & ~7;
/** The lazy parser's area, at the end of the encoders' output area (past the Huffman writer's buffers). */
const LAZY_LL_AT = SCRATCH_AT + SCRATCH_MAX - 64 - (12 * LAZY_SEQS + 3 * LAZY_CODES + BLOCKSIZE_MAX + 64);
const LAZY_OFB_AT = LAZY_LL_AT + 4 * LAZY_SEQS;
const LAZY_MLB_AT = LAZY_OFB_AT + 4 * LAZY_SEQS;
/** The sequences' literal-length, offset and match-length codes (`ZSTD_seqToCodes`). */
const LAZY_LLC_AT = LAZY_MLB_AT + 4 * LAZY_SEQS;
const LAZY_OFC_AT = LAZY_LLC_AT + LAZY_CODES;
const LAZY_MLC_AT = LAZY_OFC_AT + LAZY_CODES;
/** The block's literals; literals are copied 8 bytes at a time, so up to 7 bytes past the last. */
const LAZY_LIT_AT = LAZY_MLC_AT + LAZY_CODES;
/** The area the lazy parser writes: [LAZY_AREA[0], LAZY_AREA[1]). */
export const LAZY_AREA: readonly [number, number] = [LAZY_LL_AT, LAZY_LIT_AT + BLOCKSIZE_MAX + 64];
if (LAZY_AREA[0] < ROW_AREA_END + (1 << 19) || LAZY_AREA[1] > SCRATCH_AT + SCRATCH_MAX) throw new Error('zstd lazy sequences overrun their area of the heap');
const SEARCH_STRENGTH = 8;
const LAZY_SKIPPING_STEP = 8;
const ROW_HASH_CACHE_SIZE = 8;
const HASH_READ_SIZE = 8;

// The lazy parser's inputs, written to the state block by the caller (it takes no parameters,
// so that its locals can start with the search's own, which it runs inline).
const S_LZ_ISTART = 40, S_LZ_IEND = 44, S_LZ_OFF1 = 52, S_LZ_OFF2 = 56;
// Its outputs besides the sequence count: the last anchor and the literal count (after the hash cache).
const S_LZ_ANCHOR = 96, S_LZ_LITS = 100;
// Locals (i32) after the search's (0..OFF i32, SH64 and X i64).
// (X + 3 is spare.)
const Z_ISTART = X + 1, Z_IEND = X + 2, Z_OFF1 = X + 4, Z_OFF2 = X + 5, Z_IP = X + 6, Z_ANCHOR = X + 7;
const Z_ILIMIT = X + 8, Z_ML = X + 9, Z_OFFB = X + 10, Z_START = X + 11, Z_SKIP = X + 12, Z_MLREP = X + 14;
const Z_SEQP = X + 15, Z_STEP = X + 16, Z_OFF = X + 17, Z_A = X + 18, Z_B = X + 19, Z_E = X + 20, Z_T = X + 21, Z_ATT0 = X + 22;
const Z_LITP = X + 23, Z_LLN = X + 24, Z_CP = X + 25;
// Locals (i64).
const Z_X = X + 26;
const Z_SRC = SRC;
const Z_FRAME = FRAME;

/**
 * The search at position `ip` (an i32 expression) inline, for a match longer than
 * `minLength` (3 unless given): ML and OFF as `find` leaves them.
 */
function zFind(ip: Code, mls: number, rowLog: number, minLength: Code = k(3), attempts: Code = zAttempts(rowLog)): Code {
  return code(ip, set(IP), get(Z_IEND), set(ILIM), get(Z_SKIP), set(SKIP), attempts, set(ATT), k(NO_OFFSET), set(OFF), minLength, set(ML), findCore(mls, rowLog));
}

/**
 * The attempts of a search: rows of 32 only tell none (0) from any (findCore), so that
 * their functions need not keep Z_ATT0 live across the block loop.
 */
function zAttempts(rowLog: number): Code {
  return rowLog === 5 ? k(1) : get(Z_ATT0);
}

/** `ZSTD_row_fillHashCache` from NEXT up to Z_ILIMIT, inline. */
function zFill(mls: number): Code {
  return code(get(NEXT), set(J), fillCache(get(Z_ILIMIT), mls));
}

/** The 4 bytes at source position `pos` of the lazy parser. */
function zRead32(pos: Code): Code {
  return code(get(Z_SRC), pos, op.add(), op.load32());
}

/** Length of the common run of source positions `a` and `b`, stopping at Z_IEND (`ZSTD_count`). */
function zCount(a: Code, b: Code): Code {
  return code(commonRun(Z_SRC, a, b, get(Z_IEND), Z_A, Z_B, Z_E, Z_T, Z_X), get(Z_A), get(Z_T), op.sub());
}

/** Index of the highest set bit (`ZSTD_highbit32`) of an i32 expression. */
function highBit(x: Code): Code {
  return code(k(31), x, op.clz(), op.sub());
}

/**
 * The three codes of the sequence at Z_SEQP (`ZSTD_seqToCodes`), with literal length
 * `ll`, offset code `off` and match length `ml` (i32 expressions read more than once),
 * without branches: a small length's code from its table, a larger one's from its top bit.
 */
function zCodes(ll: Code, off: Code, ml: Code): Code {
  return code(
    highBit(ll), k(19), op.add(), ll, k(63), op.and(), op.load8(LL_CODE_AT), ll, k(63), op.gtU(), op.select(), set(Z_T),
    zCountCode(get(Z_T), LAZY_LLC_AT, LL_COUNT_AT),
    highBit(off), set(Z_T),
    zCountCode(get(Z_T), LAZY_OFC_AT, OF_COUNT_AT),
    highBit(code(ml, k(3), op.sub())), k(36), op.add(), ml, k(3), op.sub(), k(127), op.and(), op.load8(ML_CODE_AT),
    ml, k(3), op.sub(), k(127), op.gtU(), op.select(), set(Z_T),
    zCountCode(get(Z_T), LAZY_MLC_AT, ML_COUNT_AT),
  );
}

/** Store code `c` (a local's get) of the sequence at Z_SEQP in the array at `codesAt` and count it in the histogram at `countsAt`. */
function zCountCode(c: Code, codesAt: number, countsAt: number): Code {
  return code(
    get(Z_SEQP), k(2), op.shrU(), c, op.store8(codesAt),
    c, k(2), op.shl(), c, k(2), op.shl(), op.load32(countsAt), k(1), op.add(), op.store32(countsAt),
  );
}

/** Append the sequence (literal length `ll`, offset code `off`, match length `ml`), and its literals from Z_ANCHOR. */
function zEmit(ll: Code, off: Code, ml: Code): Code {
  return code(
    ll, set(Z_LLN),
    get(Z_SEQP), get(Z_LLN), op.store32(LAZY_LL_AT),
    get(Z_SEQP), off, op.store32(LAZY_OFB_AT),
    get(Z_SEQP), ml, k(3), op.sub(), op.store32(LAZY_MLB_AT),
    zCodes(get(Z_LLN), off, ml),
    get(Z_SEQP), k(4), op.add(), set(Z_SEQP),
    k(0), set(Z_CP),
    op.block(), op.loop(),
    get(Z_CP), get(Z_LLN), op.geS(), op.brIf(1),
    get(Z_LITP), get(Z_CP), op.add(),
    get(Z_SRC), get(Z_ANCHOR), op.add(), get(Z_CP), op.add(), op.load64(),
    op.store64(LAZY_LIT_AT),
    get(Z_CP), k(8), op.add(), set(Z_CP),
    op.br(0),
    op.end(), op.end(),
    get(Z_LITP), get(Z_LLN), op.add(), set(Z_LITP),
  );
}

/** Append a repeat with no literals (offset code 1, match length `ml`). */
function zEmitRepeat(ml: Code): Code {
  return code(
    get(Z_SEQP), k(0), op.store32(LAZY_LL_AT),
    get(Z_SEQP), k(1), op.store32(LAZY_OFB_AT),
    get(Z_SEQP), ml, k(3), op.sub(), op.store32(LAZY_MLB_AT),
    zCodes(k(0), k(1), ml),
    get(Z_SEQP), k(4), op.add(), set(Z_SEQP),
  );
}

/**
 * The repeat check of a lazy step at Z_IP: when offset 1 matches there for at least 4 bytes
 * and its gain (length × `repMul`) beats the current match's (length × `curMul` − bits of its
 * offset code + `bonus`), take it.
 */
function lazyRepCheck(repMul: number, curMul: number, bonus: number): Code {
  return code(
    get(Z_OFFB), op.if(),
    // Not when even a repeat match to the block's end could not win (inside a long match):
    // the count would find nothing to take.
    get(Z_OFF1), k(0), op.gtS(),
    get(Z_IEND), get(Z_IP), op.sub(), k(repMul), op.mul(),
    get(Z_ML), k(curMul), op.mul(), highBit(get(Z_OFFB)), op.sub(), k(bonus), op.add(),
    op.gtS(), op.and(), op.if(),
    zRead32(get(Z_IP)), zRead32(code(get(Z_IP), get(Z_OFF1), op.sub())), op.eq(), op.if(),
    zCount(code(get(Z_IP), k(4), op.add()), code(get(Z_IP), k(4), op.add(), get(Z_OFF1), op.sub())), k(4), op.add(), tee(Z_MLREP),
    k(repMul), op.mul(),
    get(Z_ML), k(curMul), op.mul(), highBit(get(Z_OFFB)), op.sub(), k(bonus), op.add(),
    op.gtS(), op.if(),
    get(Z_MLREP), set(Z_ML), k(1), set(Z_OFFB), get(Z_IP), set(Z_START),
    op.end(),
    op.end(), op.end(), op.end(),
  );
}

/**
 * The search of a lazy step at Z_IP: when it finds a match of 4 or more whose gain beats the
 * current one's by `bonus`, take it and go round the lazy loop again (branch `again`).
 */
function lazySearchStep(mls: number, rowLog: number, bonus: number, again: number): Code {
  // The longest match the search can find ends at the block's end, its offset code is 4 or
  // more (2 bits or more): when even that could not win, the search only inserts (no
  // candidate is tried, what it would find is never taken).
  const canWin = code(
    get(Z_IEND), get(Z_IP), op.sub(), k(4), op.mul(), k(2), op.sub(),
    get(Z_ML), k(4), op.mul(), highBit(get(Z_OFFB)), op.sub(), k(bonus), op.add(),
    op.gtS(),
  );
  return code(
    zFind(get(Z_IP), mls, rowLog, k(3), code(zAttempts(rowLog), k(0), canWin, op.select())),
    get(ML), k(4), op.geS(), op.if(),
    get(ML), k(4), op.mul(), highBit(get(OFF)), op.sub(),
    get(Z_ML), k(4), op.mul(), highBit(get(Z_OFFB)), op.sub(), k(bonus), op.add(),
    op.gtS(), op.if(),
    get(ML), set(Z_ML), get(OFF), set(Z_OFFB), get(Z_IP), set(Z_START),
    op.br(again + 2),
    op.end(), op.end(),
  );
}

/**
 * `lazy()`: the block loop of match-lazy.ts over [istart, iend) with `depth` 0 (greedy), 1 (lazy)
 * or 2 (lazy2), its inputs read from the state block (S_LZ_*); returns the sequence count,
 * the repeat offsets left at S_REP1 and S_REP2, the next position to insert at S_NEXT.
 */
function lazyBody(mls: number, rowLog: number, depth: number): FunctionBody {
  const c = code(
    loadState(),
    k(STATE_AT), op.load32(S_FRAME), set(FRAME),
    k(STATE_AT), op.load32(S_MAXD), set(MAXD),
    k(STATE_AT), op.load32(S_ATTEMPTS), set(Z_ATT0),
    k(STATE_AT), op.load32(S_LZ_ISTART), set(Z_ISTART),
    k(STATE_AT), op.load32(S_LZ_IEND), set(Z_IEND),
    k(STATE_AT), op.load32(S_LZ_OFF1), set(Z_OFF1),
    k(STATE_AT), op.load32(S_LZ_OFF2), set(Z_OFF2),
    get(Z_IEND), k(HASH_READ_SIZE + ROW_HASH_CACHE_SIZE), op.sub(), set(Z_ILIMIT),
    // The code histograms start from zero for each call.
    k(LL_COUNT_AT), set(Z_T),
    op.block(), op.loop(),
    get(Z_T), k(COUNTS_END), op.geU(), op.brIf(1),
    get(Z_T), k(0), op.store32(),
    get(Z_T), k(4), op.add(), set(Z_T),
    op.br(0),
    op.end(), op.end(),
    get(Z_ISTART), tee(Z_IP), set(Z_ANCHOR),
    get(Z_IP), get(Z_FRAME), op.eq(), op.if(), get(Z_IP), k(1), op.add(), set(Z_IP), op.end(),
    k(0), set(Z_SKIP),
    k(0), set(Z_SEQP),
    k(0), set(Z_LITP),
    zFill(mls),
    op.block(), // $end
    op.loop(), // $main
    get(Z_IP), get(Z_ILIMIT), op.geS(), op.brIf(1),
    k(0), set(Z_ML), k(1), set(Z_OFFB), get(Z_IP), k(1), op.add(), set(Z_START),
    // Repeat offset one byte ahead.
    get(Z_OFF1), k(0), op.gtS(), op.if(),
    zRead32(code(get(Z_IP), k(1), op.add(), get(Z_OFF1), op.sub())), zRead32(code(get(Z_IP), k(1), op.add())), op.eq(), op.if(),
    zCount(code(get(Z_IP), k(5), op.add()), code(get(Z_IP), k(5), op.add(), get(Z_OFF1), op.sub())), k(4), op.add(), set(Z_ML),
    op.end(), op.end(),
    op.block(), // $store
    // Greedy takes the repeat match at once.
    depth === 0 ? code(get(Z_ML), k(0), op.ne(), op.brIf(0)) : code(),
    // Only a match longer than the repeat match found (if any) is taken.
    zFind(get(Z_IP), mls, rowLog, code(get(Z_ML), k(3), get(Z_ML), k(3), op.gtS(), op.select())),
    get(ML), get(Z_ML), op.gtS(), op.if(),
    get(ML), set(Z_ML), get(Z_IP), set(Z_START), get(OFF), set(Z_OFFB),
    op.end(),
    get(Z_ML), k(4), op.ltS(), op.if(),
    get(Z_IP), get(Z_ANCHOR), op.sub(), k(SEARCH_STRENGTH), op.shrS(), k(1), op.add(), tee(Z_STEP),
    get(Z_IP), op.add(), set(Z_IP),
    get(Z_STEP), k(LAZY_SKIPPING_STEP), op.gtS(), set(Z_SKIP),
    op.br(2), // to $main
    op.end(),
    // Look for a better match one or two positions further.
    k(depth), op.if(),
    op.block(), // $lazyEnd
    op.loop(), // $lazy
    get(Z_IP), get(Z_ILIMIT), op.geS(), op.brIf(1),
    get(Z_IP), k(1), op.add(), set(Z_IP),
    lazyRepCheck(3, 3, 1),
    lazySearchStep(mls, rowLog, 4, 0),
    k(depth === 2 ? 1 : 0), get(Z_IP), get(Z_ILIMIT), op.ltS(), op.and(), op.if(),
    get(Z_IP), k(1), op.add(), set(Z_IP),
    lazyRepCheck(4, 4, 1),
    lazySearchStep(mls, rowLog, 7, 1),
    op.end(),
    op.end(), // $lazy
    op.end(), // $lazyEnd
    op.end(),
    // Catch up: extend a new-offset match backwards.
    get(Z_OFFB), k(REP_NUM), op.gtS(), op.if(),
    get(Z_OFFB), k(REP_NUM), op.sub(), set(Z_OFF),
    op.block(), op.loop(),
    get(Z_START), get(Z_ANCHOR), op.leS(), op.brIf(1),
    get(Z_START), get(Z_OFF), op.sub(), get(Z_FRAME), op.leS(), op.brIf(1),
    get(Z_SRC), get(Z_START), op.add(), k(1), op.sub(), op.load8(),
    get(Z_SRC), get(Z_START), op.add(), get(Z_OFF), op.sub(), k(1), op.sub(), op.load8(), op.ne(), op.brIf(1),
    get(Z_START), k(1), op.sub(), set(Z_START),
    get(Z_ML), k(1), op.add(), set(Z_ML),
    op.br(0),
    op.end(), op.end(),
    get(Z_OFF1), set(Z_OFF2),
    get(Z_OFF), set(Z_OFF1),
    op.end(),
    op.end(), // $store
    zEmit(code(get(Z_START), get(Z_ANCHOR), op.sub()), get(Z_OFFB), get(Z_ML)),
    get(Z_START), get(Z_ML), op.add(), tee(Z_IP), set(Z_ANCHOR),
    get(Z_SKIP), op.if(),
    zFill(mls),
    k(0), set(Z_SKIP),
    op.end(),
    // Immediate repeat with the second offset.
    op.block(), op.loop(),
    get(Z_IP), get(Z_ILIMIT), op.gtS(), op.brIf(1),
    get(Z_OFF2), k(0), op.leS(), op.brIf(1),
    zRead32(get(Z_IP)), zRead32(code(get(Z_IP), get(Z_OFF2), op.sub())), op.ne(), op.brIf(1),
    zCount(code(get(Z_IP), k(4), op.add()), code(get(Z_IP), k(4), op.add(), get(Z_OFF2), op.sub())), k(4), op.add(), set(Z_ML),
    get(Z_OFF2), set(Z_OFF), get(Z_OFF1), set(Z_OFF2), get(Z_OFF), set(Z_OFF1),
    zEmitRepeat(get(Z_ML)),
    get(Z_IP), get(Z_ML), op.add(), tee(Z_IP), set(Z_ANCHOR),
    op.br(0),
    op.end(), op.end(),
    op.br(0), // $main
    op.end(), // $main
    op.end(), // $end
    k(STATE_AT), get(Z_OFF1), op.store32(S_REP1),
    k(STATE_AT), get(Z_OFF2), op.store32(S_REP2),
    k(STATE_AT), get(NEXT), op.store32(S_NEXT),
    k(STATE_AT), get(Z_ANCHOR), op.store32(S_LZ_ANCHOR),
    k(STATE_AT), get(Z_LITP), op.store32(S_LZ_LITS),
    get(Z_SEQP), k(2), op.shrU(),
  );
  return { params: [], result: I32, locals: [[OFF + 1, I32], [2, I64], [Z_X - Z_ISTART, I32], [1, I64]], code: c };
}
