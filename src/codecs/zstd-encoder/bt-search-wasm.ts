/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The binary-tree match search of the optimal parser (match-opt.ts) as WebAssembly on the
 * shared memory (src/wasm/heap.ts): `ZSTD_updateTree` / `ZSTD_insertBt1` and
 * `ZSTD_insertBtAndGetAllMatches` of lib/compress/zstd_opt.c (noDict), one function per
 * hashed length (3..6). zstd levels 16-22 (Blosc clevel 9 is level 22, btultra2) spend
 * most of their time here. Same steps, same tables (libzstd's indices, 0 = empty), same
 * hashes, hence the same matches as the TypeScript twin in match-opt.ts, which stays the
 * fallback (no WebAssembly, tables over 2^21 entries, an input the memory cannot take, or
 * `setZstdEncoderWasmEnabled(false)`).
 *
 * Why: in JavaScript every table and source access carries a bounds check and matches are
 * counted four bytes at a time; here they are plain loads and matches are counted eight
 * bytes at a time.
 *
 * Where things are: the input where lz4-compress-wasm.ts `heapInput` puts it (in place when
 * the chunk driver filtered the block into the shared memory at WINDOW_AT, else copied
 * there); the state, the matches found at one position (offset codes, then lengths), the
 * 3-byte hash table, the hash table and the tree in an area of their own past the input
 * window (BT_AREA_AT; at most BT_AREA_MAX_END, about 17 MiB more memory). The tables are the
 * match state's own tables (`ms.hashTable`, `ms.chainTable`, `o.hashTable3` and the match
 * lists are views of that area for such a frame), so the TypeScript and WebAssembly
 * searches read and write the same entries. The parser stays in TypeScript and calls the
 * search once per position it prices.
 *
 * The memory only grows where no view of it is held: a frame whose input is not in the
 * memory grows it itself; the chunk driver grows it before it filters a block into it
 * ({@link growForZstdTreeSearch}), and a frame whose input is already there but finds the
 * memory short (a caller other than the driver) runs the twin and leaves a wish that the
 * driver grants before its next block.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { PAGE, SCRATCH_AT, SCRATCH_MAX, WINDOW_AT, heapBytes, inHeap, reserveHeap, HeapModuleLoader } from '../../wasm/heap.js';
import { LZ4_WASM_SLACK, heapInput } from '../lz4-compress-wasm.js';
import type { MatchState } from './match-state.js';
import { zstdEncoderWasmReady } from './row-search-wasm.js';
import { Strategy, getCompressionParams, zstdLevelForClevel } from './params.js';
import { REP_NUM } from './seq-store.js';
import { mlCode } from './sequences.js';

/** Positions the optimal parser looks ahead at most (`ZSTD_OPT_NUM`). */
export const OPT_NUM = 1 << 12;
/** Entries of the parser's match list and price table (`ZSTD_OPT_SIZE`). */
export const OPT_SIZE = OPT_NUM + 3;
/** Prices are in 1/256 bit (`BITCOST_MULTIPLIER`); MAX_PRICE marks a position not reached yet. */
export const BITCOST_MULTIPLIER = 256;
export const MAX_PRICE = 1 << 30;
/** What every match costs on top of its codes, favouring fewer sequences (`ZSTD_getMatchPrice`). */
export const MATCH_EXTRA = (BITCOST_MULTIPLIER / 5) | 0;
/** The 3-byte hash (`ZSTD_hash3Ptr`: prime, largest table). */
export const PRIME3 = 506832829;
export const HASHLOG3_MAX = 17;
const PRIME4 = 0x9e3779b1 | 0;
/** libzstd's `prime5bytes`, `prime6bytes`. */
const PRIMES: Record<number, bigint> = { 5: 889523592379n, 6: 227718039650203n };
/** Largest hash and tree (entries, log2) the WebAssembly search takes: 1 MiB blocks at level 22 need 2^21. */
export const BT_WASM_MAX_TABLE_LOG = 21;

/** The area, a page past the largest input window. */
export const BT_AREA_AT = Math.ceil((WINDOW_AT + SCRATCH_MAX + LZ4_WASM_SLACK) / PAGE) * PAGE + PAGE;
const STATE_AT = BT_AREA_AT;
/** The match list: offset codes, then lengths (int32 each). */
export const BT_MATCH_OFF_AT = STATE_AT + 256;
export const BT_MATCH_LEN_AT = BT_MATCH_OFF_AT + 4 * OPT_SIZE;
/** The parser's price table (`ZSTD_optimal_t` fields price, off, mlen, litlen; int32 each). */
export const BT_PRICE_ENTRIES = OPT_SIZE + 1;
export const BT_PRICE_AT = BT_MATCH_LEN_AT + 4 * OPT_SIZE;
export const BT_OFF_AT = BT_PRICE_AT + 4 * BT_PRICE_ENTRIES;
export const BT_MLEN_AT = BT_OFF_AT + 4 * BT_PRICE_ENTRIES;
export const BT_LITLEN_AT = BT_MLEN_AT + 4 * BT_PRICE_ENTRIES;
/** Prices by match-length code (53) and offset code (32), and the codes of match lengths − 3 below 128. */
export const BT_MLPRICE_AT = BT_LITLEN_AT + 4 * BT_PRICE_ENTRIES;
export const BT_OFFPRICE_AT = BT_MLPRICE_AT + 4 * 53;
const MLCODE_AT = BT_OFFPRICE_AT + 4 * 32;
/** The 3-byte hash table (minMatch 3 only), then the hash table, then the tree. */
export const BT_HASH3_AT = MLCODE_AT + 128 + 64;
export const BT_HASH_AT = BT_HASH3_AT + (4 << HASHLOG3_MAX);
/** Where the tree starts for a hash table of 2^hashLog entries. */
export function btTreeAt(hashLog: number): number {
  return BT_HASH_AT + (4 << hashLog);
}
/** End of the area with the largest tables. */
export const BT_AREA_MAX_END = btTreeAt(BT_WASM_MAX_TABLE_LOG) + (4 << BT_WASM_MAX_TABLE_LOG);

// The state block (32-bit words at these byte offsets from STATE_AT).
const S_SRC0 = 0; // heap address of source position 0 (mod 2^32)
const S_BASE = 4; // ms.base: index = position − base
const S_NEXT = 8; // ms.nextToUpdate (a position)
const S_NEXT3 = 12; // o.nextToUpdate3 (an index)
const S_LOWLIM = 16; // ms.lowLimitIdx
const S_MAXD = 20; // 2^windowLog
const S_HSHIFT = 24; // 32 − hashLog
const S_BTMASK = 28; // 2^(chainLog − 1) − 1
const S_NBCMP = 32; // 2^searchLog
const S_SUFF = 36; // min(targetLength, OPT_NUM − 1)
const S_H3SHIFT = 40; // 32 − hashLog3
const S_BT = 44; // heap address of the tree

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

// Parameters of `matches(ip, iLimit, rep0, rep1, rep2, ll0, lengthToBeat)` (source positions).
const IP = 0, ILIM = 1, R0 = 2, R1 = 3, R2 = 4, LL0 = 5, LTB = 6;
// Locals (i32).
const SRC0 = 7, SRCB = 8, BASE = 9, LOWLIM = 10, MAXD = 11, HSH = 12, BTMASK = 13, NBCMP = 14, SUFF = 15, BT = 16;
const CURR = 17, TARGET = 18, IDX = 19, WLOW = 20, H = 21, MIDX = 22, CLS = 23, CLL = 24, BTLOW = 25, SPTR = 26, LPTR = 27;
const MEND = 28, BEST = 29, NCMP = 30, NEXTPTR = 31, ML = 32, IPA = 33, IEA = 34, MA = 35, A = 36, B = 37, E = 38, T = 39;
const MNUM = 40, REPC = 41, REPOFF = 42, REPLEN = 43, MLOW = 44, H3SH = 45;
// Locals (i64).
const SH64 = 46, X = 47;
const N_I32 = SH64 - 7;

/** The hash of the `mls` bytes at heap address `addr` (`ZSTD_hashPtr`: 3 hashes 4 bytes), into hashLog bits. */
function hash(addr: Code, mls: number): Code {
  if (mls <= 4) return code(addr, op.load32(), k(PRIME4), op.mul(), get(HSH), op.shrU());
  return code(addr, op.load64(), op.i64(64 - 8 * mls), op.i64Shl(), op.i64Big(PRIMES[mls]!), op.i64Mul(), get(SH64), op.i64ShrU(), op.wrap());
}

/** `ZSTD_hash3Ptr` of the bytes at heap address `addr`, as a byte offset into the 3-byte table. */
function hash3(addr: Code): Code {
  return code(addr, op.load32(), k(8), op.shl(), k(PRIME3), op.mul(), get(H3SH), op.shrU(), k(2), op.shl());
}

/** `ZSTD_getLowestMatchIndex` of the index on the stack, into `dest`. */
function lowestMatchIndex(curr: Code, dest: number): Code {
  return code(
    curr, get(LOWLIM), op.sub(), get(MAXD), op.gtS(), op.if(),
    curr, get(MAXD), op.sub(), set(dest),
    op.else(), get(LOWLIM), set(dest), op.end(),
  );
}

/**
 * The common run of heap addresses A and B, stopping at address E (`ZSTD_count`), 8 bytes
 * at a time; A ends past it, and its length (A − its start) is added to local `into`.
 */
function countInto(into: number): Code {
  return code(
    get(A), set(T),
    op.block(),
    op.loop(),
    get(A), k(8), op.add(), get(E), op.gtU(), op.if(),
    // Fewer than 8 bytes left: byte by byte.
    op.block(), op.loop(),
    get(A), get(E), op.geU(), op.brIf(1),
    get(A), op.load8(), get(B), op.load8(), op.ne(), op.brIf(1),
    get(A), k(1), op.add(), set(A), get(B), k(1), op.add(), set(B),
    op.br(0),
    op.end(), op.end(),
    op.br(2),
    op.end(),
    get(A), op.load64(), get(B), op.load64(), op.i64Xor(), tee(X), op.i64Eqz(), op.eqz(), op.if(),
    get(A), get(X), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(A),
    op.br(2),
    op.end(),
    get(A), k(8), op.add(), set(A), get(B), k(8), op.add(), set(B),
    op.br(0),
    op.end(),
    op.end(),
    get(into), get(A), get(T), op.sub(), op.add(), set(into),
  );
}

/** The heap address of tree entry `ptr`. */
function treeAddr(ptr: Code): Code {
  return code(ptr, k(2), op.shl(), get(BT), op.add());
}

/**
 * One step down the tree after comparing the byte past the common run (shared by the
 * insertion and the search, right inside their walk's block and loop): the candidate MIDX
 * goes to the smaller or larger side, the walk continues from its children, or leaves the
 * walk's block at the tree's low end.
 */
function descend(): Code {
  return code(
    get(MA), get(ML), op.add(), op.load8(), get(IPA), get(ML), op.add(), op.load8(), op.ltU(), op.if(),
    treeAddr(get(SPTR)), get(MIDX), op.store32(),
    get(ML), set(CLS),
    get(MIDX), get(BTLOW), op.leS(), op.if(), k(-1), set(SPTR), op.br(3), op.end(),
    get(NEXTPTR), k(1), op.add(), set(SPTR),
    treeAddr(get(SPTR)), op.load32(), set(MIDX),
    op.else(),
    treeAddr(get(LPTR)), get(MIDX), op.store32(),
    get(ML), set(CLL),
    get(MIDX), get(BTLOW), op.leS(), op.if(), k(-1), set(LPTR), op.br(3), op.end(),
    get(NEXTPTR), set(LPTR),
    treeAddr(get(LPTR)), op.load32(), set(MIDX),
    op.end(),
  );
}

/** Close the two open branches of the walk (`*smallerPtr = *largerPtr = 0` unless cut). */
function closeBranches(): Code {
  return code(
    get(SPTR), k(0), op.geS(), op.if(), treeAddr(get(SPTR)), k(0), op.store32(), op.end(),
    get(LPTR), k(0), op.geS(), op.if(), treeAddr(get(LPTR)), k(0), op.store32(), op.end(),
  );
}

/** Start a walk at index `curr` (a local): BTLOW, SPTR, LPTR, CLS, CLL, MEND, NCMP. */
function startWalk(curr: number): Code {
  return code(
    get(BTMASK), get(curr), op.geU(), op.if(), k(0), set(BTLOW), op.else(), get(curr), get(BTMASK), op.sub(), set(BTLOW), op.end(),
    get(curr), get(BTMASK), op.and(), k(1), op.shl(), tee(SPTR), k(1), op.add(), set(LPTR),
    k(0), set(CLS), k(0), set(CLL),
    get(curr), k(9), op.add(), set(MEND),
    get(NBCMP), set(NCMP),
  );
}

/** NEXTPTR, ML (common run so far plus its extension) and MA for candidate MIDX. */
function extendCandidate(): Code {
  return code(
    get(MIDX), get(BTMASK), op.and(), k(1), op.shl(), set(NEXTPTR),
    get(CLS), get(CLL), get(CLS), get(CLL), op.ltU(), op.select(), set(ML),
    get(SRCB), get(MIDX), op.add(), tee(MA), get(ML), op.add(), set(B),
    get(IPA), get(ML), op.add(), set(A),
    get(IEA), set(E),
    countInto(ML),
  );
}

/**
 * `ZSTD_updateTree_internal`: insert the indices from nextToUpdate up to the one of ip
 * (`ZSTD_insertBt1` each, skipping as it says), then nextToUpdate = ip.
 */
function updateTree(mls: number): Code {
  return code(
    get(IP), get(BASE), op.sub(), set(TARGET),
    k(STATE_AT), op.load32(S_NEXT), get(BASE), op.sub(), set(IDX),
    // Only positions still in the window when the update reaches the target are needed.
    lowestMatchIndex(get(TARGET), WLOW),
    op.block(), op.loop(), // $update
    get(IDX), get(TARGET), op.geS(), op.brIf(1),
    get(SRCB), get(IDX), op.add(), set(IPA),
    hash(get(IPA), mls), k(2), op.shl(), tee(H), op.load32(BT_HASH_AT), set(MIDX),
    startWalk(IDX),
    k(8), set(BEST),
    get(H), get(IDX), op.store32(BT_HASH_AT),
    op.block(), op.loop(), // $walk
    get(NCMP), op.eqz(), op.brIf(1),
    get(MIDX), get(WLOW), op.ltS(), op.brIf(1),
    extendCandidate(),
    get(ML), get(BEST), op.gtS(), op.if(),
    get(ML), set(BEST),
    get(ML), get(MEND), get(MIDX), op.sub(), op.gtS(), op.if(), get(MIDX), get(ML), op.add(), set(MEND), op.end(),
    op.end(),
    get(IPA), get(ML), op.add(), get(IEA), op.eq(), op.brIf(1),
    descend(),
    get(NCMP), k(1), op.sub(), set(NCMP),
    op.br(0),
    op.end(), op.end(), // $walk
    closeBranches(),
    // Skip: more after a long repetitive match.
    get(BEST), k(384), op.gtS(), op.if(),
    get(BEST), k(384), op.sub(), tee(T), k(192), get(T), k(192), op.ltS(), op.select(), set(T),
    op.else(), k(0), set(T), op.end(),
    get(MEND), get(IDX), k(8), op.add(), op.sub(), set(E),
    get(IDX), get(T), get(E), get(T), get(E), op.gtS(), op.select(), op.add(), set(IDX),
    op.br(0),
    op.end(), op.end(), // $update
    k(STATE_AT), get(IP), op.store32(S_NEXT),
  );
}

/** Append (offset code on the stack first, then length) to the match list. */
function pushMatch(offBase: Code, len: Code): Code {
  return code(
    get(MNUM), k(2), op.shl(), offBase, op.store32(BT_MATCH_OFF_AT),
    get(MNUM), k(2), op.shl(), len, op.store32(BT_MATCH_LEN_AT),
    get(MNUM), k(1), op.add(), set(MNUM),
  );
}

/**
 * `matches(ip, iLimit, rep0, rep1, rep2, ll0, lengthToBeat)`: `ZSTD_insertBtAndGetAllMatches`
 * (noDict) at source position ip after `ZSTD_updateTree`; returns the number of matches
 * left in the match list, by increasing length.
 */
function matchesBody(mls: number): FunctionBody {
  const minMatch = mls === 3 ? 3 : 4;
  const minMask = mls === 3 ? 0xffffff : -1;
  const c = code(
    op.block(), // $out: the search's end (NEXT set from MEND)
    op.block(), // $ret: return MNUM as is
    k(0), set(MNUM),
    // Inside a skipped repetitive area: nothing.
    get(IP), k(STATE_AT), op.load32(S_NEXT), op.ltS(), op.brIf(0),
    k(STATE_AT), op.load32(S_SRC0), set(SRC0),
    k(STATE_AT), op.load32(S_BASE), set(BASE),
    get(SRC0), get(BASE), op.add(), set(SRCB),
    k(STATE_AT), op.load32(S_LOWLIM), set(LOWLIM),
    k(STATE_AT), op.load32(S_MAXD), set(MAXD),
    // 64 − hashLog for the 64-bit hashes: 32 − hashLog is below 32, so OR adds the 32.
    k(STATE_AT), op.load32(S_HSHIFT), tee(HSH), k(32), op.or(), op.extendU(), set(SH64),
    k(STATE_AT), op.load32(S_BTMASK), set(BTMASK),
    k(STATE_AT), op.load32(S_NBCMP), set(NBCMP),
    k(STATE_AT), op.load32(S_SUFF), set(SUFF),
    k(STATE_AT), op.load32(S_H3SHIFT), set(H3SH),
    k(STATE_AT), op.load32(S_BT), set(BT),
    get(SRC0), get(ILIM), op.add(), set(IEA),
    updateTree(mls),
    get(IP), get(BASE), op.sub(), set(CURR),
    get(SRC0), get(IP), op.add(), set(IPA),
    hash(get(IPA), mls), k(2), op.shl(), tee(H), op.load32(BT_HASH_AT), set(MIDX),
    startWalk(CURR),
    lowestMatchIndex(get(CURR), WLOW),
    get(WLOW), k(1), get(WLOW), op.select(), set(MLOW),
    get(LTB), k(1), op.sub(), set(BEST),
    // Repeat offsets (with ll0, the first one is not available and rep0 − 1 is).
    get(LL0), set(REPC),
    op.block(), op.loop(), // $reps
    get(REPC), get(LL0), k(REP_NUM), op.add(), op.geS(), op.brIf(1),
    get(REPC), k(REP_NUM), op.eq(), op.if(), get(R0), k(1), op.sub(), set(REPOFF),
    op.else(), get(REPC), op.eqz(), op.if(), get(R0), set(REPOFF),
    op.else(), get(R1), get(R2), get(REPC), k(1), op.eq(), op.select(), set(REPOFF), op.end(), op.end(),
    k(0), set(REPLEN),
    get(REPOFF), k(1), op.sub(), get(CURR), get(LOWLIM), op.sub(), op.ltU(), op.if(),
    get(CURR), get(REPOFF), op.sub(), get(WLOW), op.geS(), op.if(),
    get(IPA), op.load32(), get(IPA), get(REPOFF), op.sub(), op.load32(), op.xor(), k(minMask), op.and(), op.eqz(), op.if(),
    get(IPA), k(minMatch), op.add(), tee(A), get(REPOFF), op.sub(), set(B),
    get(IEA), set(E),
    k(minMatch), set(REPLEN),
    countInto(REPLEN),
    op.end(), op.end(), op.end(),
    get(REPLEN), get(BEST), op.gtS(), op.if(),
    get(REPLEN), set(BEST),
    pushMatch(code(get(REPC), get(LL0), op.sub(), k(1), op.add()), get(REPLEN)),
    get(REPLEN), get(SUFF), op.gtS(), op.brIf(3), // to $ret
    get(IPA), get(REPLEN), op.add(), get(IEA), op.eq(), op.brIf(3),
    op.end(),
    get(REPC), k(1), op.add(), set(REPC),
    op.br(0),
    op.end(), op.end(), // $reps
    mls === 3 ? hash3Matches() : [],
    get(H), get(CURR), op.store32(BT_HASH_AT),
    op.block(), op.loop(), // $walk
    get(NCMP), op.eqz(), op.brIf(1),
    get(MIDX), get(MLOW), op.ltS(), op.brIf(1),
    extendCandidate(),
    get(ML), get(BEST), op.gtS(), op.if(),
    get(ML), get(MEND), get(MIDX), op.sub(), op.gtS(), op.if(), get(MIDX), get(ML), op.add(), set(MEND), op.end(),
    get(ML), set(BEST),
    pushMatch(code(get(CURR), get(MIDX), op.sub(), k(REP_NUM), op.add()), get(ML)),
    get(ML), k(OPT_NUM), op.gtS(), op.brIf(2),
    get(IPA), get(ML), op.add(), get(IEA), op.eq(), op.brIf(2),
    op.end(),
    descend(),
    get(NCMP), k(1), op.sub(), set(NCMP),
    op.br(0),
    op.end(), op.end(), // $walk
    closeBranches(),
    op.br(1), // to $out
    op.end(), // $ret
    get(MNUM), op.return(),
    op.end(), // $out
    k(STATE_AT), get(MEND), k(8), op.sub(), get(BASE), op.add(), op.store32(S_NEXT),
    get(MNUM),
  );
  return { params: [I32, I32, I32, I32, I32, I32, I32], result: I32, locals: [[N_I32, I32], [2, I64]], code: c };
}

/**
 * 3-byte matches from their own table (minMatch 3), when nothing of 3 bytes was found yet:
 * the table brought up to ip, then its candidate; a long one ends the search at once.
 */
function hash3Matches(): Code {
  return code(
    get(BEST), k(3), op.ltS(), op.if(),
    k(STATE_AT), op.load32(S_NEXT3), set(IDX),
    op.block(), op.loop(),
    get(IDX), get(CURR), op.geS(), op.brIf(1),
    hash3(code(get(SRCB), get(IDX), op.add())), get(IDX), op.store32(BT_HASH3_AT),
    get(IDX), k(1), op.add(), set(IDX),
    op.br(0),
    op.end(), op.end(),
    k(STATE_AT), get(CURR), op.store32(S_NEXT3),
    hash3(get(IPA)), op.load32(BT_HASH3_AT), tee(T),
    get(MLOW), op.geS(), op.if(),
    get(CURR), get(T), op.sub(), k(1 << 18), op.ltS(), op.if(),
    get(T), set(REPOFF), // the candidate's index
    get(IPA), set(A), get(SRCB), get(REPOFF), op.add(), set(B), get(IEA), set(E),
    k(0), set(REPLEN),
    countInto(REPLEN),
    get(REPLEN), k(3), op.geS(), op.if(),
    get(REPLEN), set(BEST),
    k(BT_MATCH_OFF_AT), get(CURR), get(REPOFF), op.sub(), k(REP_NUM), op.add(), op.store32(),
    k(BT_MATCH_LEN_AT), get(REPLEN), op.store32(),
    k(1), set(MNUM),
    get(REPLEN), get(SUFF), op.gtS(), get(IPA), get(REPLEN), op.add(), get(IEA), op.eq(), op.or(), op.if(),
    k(STATE_AT), get(CURR), k(1), op.add(), get(BASE), op.add(), op.store32(S_NEXT),
    k(1), op.return(),
    op.end(),
    op.end(), op.end(), op.end(),
    op.end(),
  );
}

// Parameters of `price(cur, basePrice, nbMatches, minMatch, lastPos, optLevel0)`.
const P_CUR = 0, P_BASE = 1, P_NB = 2, P_MINM = 3, P_LAST = 4, P_OPT0 = 5;
// Its locals.
const P_MN = 6, P_OFFS = 7, P_STARTML = 8, P_OFFP = 9, P_MLEN = 10, P_POS = 11, P_P = 12, P_T = 13;

/**
 * `price(cur, basePrice, nbMatches, minMatch, lastPos, optLevel0)`: the loop of
 * `ZSTD_compressBlock_opt_generic` that prices every length of every match found at
 * position cur (each from the longest down) and keeps the cheaper path at each end
 * position; returns the new last position. The prices are the parser's tables by code
 * (match-opt.ts setBasePrices), the same integers.
 */
function priceBody(): FunctionBody {
  const c = code(
    k(0), set(P_MN),
    op.block(), op.loop(), // $matches
    get(P_MN), get(P_NB), op.geS(), op.brIf(1),
    get(P_MN), k(2), op.shl(), tee(P_T), op.load32(BT_MATCH_OFF_AT), set(P_OFFS),
    get(P_T), op.load32(BT_MATCH_LEN_AT), set(P_MLEN),
    get(P_MN), op.if(), get(P_T), op.load32(BT_MATCH_LEN_AT - 4), k(1), op.add(), set(P_STARTML),
    op.else(), get(P_MINM), set(P_STARTML), op.end(),
    // The offset's part of the price, the same for every length (`ZSTD_getMatchPrice`).
    get(P_BASE), k(31), get(P_OFFS), op.clz(), op.sub(), k(2), op.shl(), op.load32(BT_OFFPRICE_AT), op.add(), k(MATCH_EXTRA), op.add(), set(P_OFFP),
    op.block(), op.loop(), // $lengths
    get(P_MLEN), get(P_STARTML), op.ltS(), op.brIf(1),
    get(P_CUR), get(P_MLEN), op.add(), set(P_POS),
    // The match-length code of mlen − 3 (`ZSTD_MLcode`), then its price.
    get(P_MLEN), k(3), op.sub(), tee(P_T), k(127), op.gtU(), op.if(),
    k(31 + 36), get(P_T), op.clz(), op.sub(), set(P_T),
    op.else(), get(P_T), op.load8(MLCODE_AT), set(P_T), op.end(),
    get(P_OFFP), get(P_T), k(2), op.shl(), op.load32(BT_MLPRICE_AT), op.add(), set(P_P),
    get(P_POS), get(P_LAST), op.gtS(), get(P_P), get(P_POS), k(2), op.shl(), op.load32(BT_PRICE_AT), op.ltS(), op.or(), op.if(),
    op.block(), op.loop(),
    get(P_LAST), get(P_POS), op.geS(), op.brIf(1),
    get(P_LAST), k(1), op.add(), tee(P_LAST), k(2), op.shl(), tee(P_T), k(MAX_PRICE), op.store32(BT_PRICE_AT),
    get(P_T), k(1), op.store32(BT_LITLEN_AT),
    op.br(0),
    op.end(), op.end(),
    get(P_POS), k(2), op.shl(), tee(P_T), get(P_MLEN), op.store32(BT_MLEN_AT),
    get(P_T), get(P_OFFS), op.store32(BT_OFF_AT),
    get(P_T), k(0), op.store32(BT_LITLEN_AT),
    get(P_T), get(P_P), op.store32(BT_PRICE_AT),
    op.else(),
    // btopt stops at the first length that does not improve.
    get(P_OPT0), op.brIf(2),
    op.end(),
    get(P_MLEN), k(1), op.sub(), set(P_MLEN),
    op.br(0),
    op.end(), op.end(), // $lengths
    get(P_MN), k(1), op.add(), set(P_MN),
    op.br(0),
    op.end(), op.end(), // $matches
    get(P_LAST),
  );
  return { params: [I32, I32, I32, I32, I32, I32], result: I32, locals: [[P_T - P_MN + 1, I32]], code: c };
}

/** The module's bytes: `matches3` .. `matches6`, by hashed length, and `price`. */
export function btSearchModuleBytes(): Uint8Array<ArrayBuffer> {
  const bodies: FunctionBody[] = [];
  const names: string[] = [];
  for (const mls of [3, 4, 5, 6]) {
    bodies.push(matchesBody(mls));
    names.push(`matches${mls}`);
  }
  bodies.push(priceBody());
  names.push('price');
  // The memory is grown past the tables before any call (prepareBtSearch), not before the
  // module is instantiated: it asks only for what the memory starts with.
  return moduleBytes(bodies, names, Math.ceil(SCRATCH_AT / PAGE));
}

/**
 * The search of one frame: `ZSTD_insertBtAndGetAllMatches` at source position ip, with the
 * repeat offsets and ll0 of `ZSTD_compressBlock_opt_generic`; the matches are left in the
 * frame's match lists (views of the shared memory).
 */
export type BtMatchesFn = (ip: number, iLimit: number, rep0: number, rep1: number, rep2: number, ll0: number, lengthToBeat: number) => number;

/**
 * The parser's loop over the matches at position cur (see priceBody): the price table,
 * match lists and code prices are the frame's views of the shared memory.
 */
export type BtPriceFn = (cur: number, basePrice: number, nbMatches: number, minMatch: number, lastPos: number, optLevel0: number) => number;

const searches: Array<BtMatchesFn | null> = [null, null, null, null, null, null, null];
let pricer: BtPriceFn | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  for (const mls of [3, 4, 5, 6]) searches[mls] = exportsObject[`matches${mls}`] as BtMatchesFn;
  pricer = exportsObject['price'] as BtPriceFn;
}

const loader = new HeapModuleLoader(btSearchModuleBytes, instantiate);

/** Memory a tree-search frame found missing (the driver grows it before its next block). */
let wantedHeap = 0;

/** End of the area for a frame with these parameters, or 0 when the WebAssembly search would not take it. */
function areaEnd(p: BtFrameParams): number {
  if (p.hashLog > BT_WASM_MAX_TABLE_LOG || p.chainLog > BT_WASM_MAX_TABLE_LOG || p.minMatch < 3) return 0;
  return btTreeAt(p.hashLog) + (4 << p.chainLog);
}

/** The clevel and block size growForZstdTreeSearch last looked up. */
const grownFor = new Int32Array([-1, -1]);

/**
 * Called by the chunk driver where it holds no view of the shared memory (before it takes
 * the view it filters a block into), with the chunk's Blosc clevel and block size: grow the
 * memory for the tree search when zstd will use it on such blocks, or to what an earlier
 * tree-search frame could not get because its input was already there.
 */
export function growForZstdTreeSearch(clevel: number, blocksize: number): void {
  // Called for every block: the parameters are looked up once per chunk shape.
  if (clevel !== grownFor[0] || blocksize !== grownFor[1]) {
    grownFor[0] = clevel;
    grownFor[1] = blocksize;
    const p = getCompressionParams(zstdLevelForClevel(clevel), blocksize);
    const end = p.strategy >= Strategy.BtOpt ? areaEnd(p) : 0;
    if (end > wantedHeap) wantedHeap = end;
  }
  if (wantedHeap > heapBytes().length) reserveHeap(wantedHeap);
}

/** Views of the area for one frame's tables, refreshed when the memory grows. */
export interface BtFrameTables {
  hashTable: Int32Array<ArrayBuffer>;
  tree: Int32Array<ArrayBuffer>;
  hashTable3: Int32Array<ArrayBuffer>;
  matchOff: Int32Array<ArrayBuffer>;
  matchLen: Int32Array<ArrayBuffer>;
  price: Int32Array<ArrayBuffer>;
  off: Int32Array<ArrayBuffer>;
  mlen: Int32Array<ArrayBuffer>;
  litlen: Int32Array<ArrayBuffer>;
  mlCodePrice: Int32Array<ArrayBuffer>;
  offCodePrice: Int32Array<ArrayBuffer>;
  search: BtMatchesFn;
  priceMatches: BtPriceFn;
}

let stateView = new Int32Array(0);

function words(): Int32Array {
  const heap = heapBytes();
  if (stateView.buffer !== heap.buffer) stateView = new Int32Array(heap.buffer, STATE_AT, 16);
  return stateView;
}

/** Parameters of a tree-search frame, as params.ts gives them. */
export interface BtFrameParams {
  hashLog: number;
  chainLog: number;
  searchLog: number;
  minMatch: number;
  targetLength: number;
  windowLog: number;
}

/**
 * Before the resets of a frame of src[sp, sp+sn) that the optimal parser will compress:
 * when the search can run as WebAssembly, put the input in the shared memory and return
 * views of the frame's tables there (the match state and parser state take them as their
 * own); else null, and the frame runs the TypeScript twin with the states' own tables.
 * `dst` is the frame's output: the memory is not grown while it or the input lies there.
 */
export function prepareBtSearch(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, p: BtFrameParams): BtFrameTables | null {
  const end = areaEnd(p);
  if (end === 0 || !zstdEncoderWasmReady() || !loader.loaded()) return null;
  if (heapBytes().length < end) {
    if (inHeap(src) || inHeap(dst)) {
      // Growing now would detach the caller's views: this frame runs the twin.
      if (end > wantedHeap) wantedHeap = end;
      return null;
    }
    if (!reserveHeap(end)) return null;
  }
  const at = heapInput(src, sp, sn);
  if (at < 0) return null;
  const mls = p.minMatch < 3 ? 3 : p.minMatch > 6 ? 6 : p.minMatch;
  const buffer = heapBytes().buffer;
  const w = words();
  w[S_SRC0 >> 2] = (at - sp) | 0;
  w[S_MAXD >> 2] = 2 ** p.windowLog;
  w[S_HSHIFT >> 2] = 32 - p.hashLog;
  w[S_BTMASK >> 2] = (1 << (p.chainLog - 1)) - 1;
  w[S_NBCMP >> 2] = 1 << p.searchLog;
  w[S_SUFF >> 2] = Math.min(p.targetLength, OPT_NUM - 1);
  const hashLog3 = p.minMatch === 3 ? Math.min(HASHLOG3_MAX, p.windowLog) : 0;
  w[S_H3SHIFT >> 2] = 32 - hashLog3;
  w[S_BT >> 2] = btTreeAt(p.hashLog);
  const heap = heapBytes();
  for (let mlBase = 0; mlBase < 128; mlBase++) heap[MLCODE_AT + mlBase] = mlCode(mlBase);
  return {
    hashTable: new Int32Array(buffer, BT_HASH_AT, 1 << p.hashLog),
    tree: new Int32Array(buffer, btTreeAt(p.hashLog), 1 << p.chainLog),
    hashTable3: new Int32Array(buffer, BT_HASH3_AT, hashLog3 === 0 ? 0 : 1 << hashLog3),
    matchOff: new Int32Array(buffer, BT_MATCH_OFF_AT, OPT_SIZE),
    matchLen: new Int32Array(buffer, BT_MATCH_LEN_AT, OPT_SIZE),
    price: new Int32Array(buffer, BT_PRICE_AT, BT_PRICE_ENTRIES),
    off: new Int32Array(buffer, BT_OFF_AT, BT_PRICE_ENTRIES),
    mlen: new Int32Array(buffer, BT_MLEN_AT, BT_PRICE_ENTRIES),
    litlen: new Int32Array(buffer, BT_LITLEN_AT, BT_PRICE_ENTRIES),
    mlCodePrice: new Int32Array(buffer, BT_MLPRICE_AT, 53),
    offCodePrice: new Int32Array(buffer, BT_OFFPRICE_AT, 32),
    search: searches[mls]!,
    priceMatches: pricer!,
  };
}

/**
 * Before a block's parse (and after it, `btSearchNext`): the match state's moving parts
 * (base, window low end, next positions to insert) into the state block and back.
 */
export function syncBtSearch(ms: MatchState, nextToUpdate3: number): void {
  const w = stateView;
  w[S_BASE >> 2] = ms.base;
  w[S_NEXT >> 2] = ms.nextToUpdate;
  w[S_NEXT3 >> 2] = nextToUpdate3;
  w[S_LOWLIM >> 2] = ms.lowLimitIdx;
}

/** The next position to insert (libzstd `nextToUpdate`) after searches. */
export function btSearchNext(): number {
  return stateView[S_NEXT >> 2]!;
}

/** The next index to insert into the 3-byte table after searches. */
export function btSearchNext3(): number {
  return stateView[S_NEXT3 >> 2]!;
}
