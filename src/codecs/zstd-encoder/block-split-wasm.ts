/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The chunk walk of block-split.ts (`ZSTD_splitBlock_byChunks` of lib/compress/zstd_preSplit.c:
 * fingerprints of 8 KiB chunks, cut before the first one too far from those before it) as a
 * WebAssembly function on the shared memory (src/wasm/heap.ts), for blocks whose source is
 * already there (the row search's frames, row-search-wasm.ts). Same cut as the TypeScript
 * walk, which stays the fallback. Why: at Blosc clevel 5 (lazy2, every 5th position sampled
 * into 1024 counters) the walk took 20 ms of every 16 MiB in JavaScript, a third of the time
 * on arange_i8 once the match search had moved here.
 *
 * Where things are: two tables of 1024 counters just below the lazy parser's sequences
 * (row-search-wasm.ts LAZY_AREA), in the encoders' output area.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ENCODE_END, HeapModuleLoader } from '../../wasm/heap.js';
import { HUF_WASM_AREA } from './huffman-wasm.js';
import { BLOCKSIZE_MAX } from './params.js';
import { LAZY_AREA, zstdEncoderWasmReady } from './row-search-wasm.js';

const CHUNKSIZE = 8 << 10;
const THRESHOLD_PENALTY_RATE = 16;
const THRESHOLD_BASE = THRESHOLD_PENALTY_RATE - 2;
const THRESHOLD_PENALTY = 3;
const KNUTH = 0x9e3779b9 | 0;
const HASHLOG_MAX = 10;

/** The past chunks' counters and the next chunk's, 1024 words each. */
const PAST_AT = LAZY_AREA[0] - (8 << HASHLOG_MAX) - 64;
const NEXT_AT = PAST_AT + (4 << HASHLOG_MAX);
/** The area the walk uses: [SPLIT_WASM_AREA[0], SPLIT_WASM_AREA[1]). */
export const SPLIT_WASM_AREA: readonly [number, number] = [PAST_AT, NEXT_AT + (4 << HASHLOG_MAX)];
if (PAST_AT < HUF_WASM_AREA[1]) throw new Error('zstd block-split counters overrun the Huffman buffers');

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

// Parameters of `split` (heap address of the block, sampling rate, hash log).
const ADDR = 0, RATE = 1, HLOG = 2;
// Locals (i32).
const POS = 3, PENALTY = 4, PAST_N = 5, NEXT_N = 6, N = 7, LIMIT = 8, SIZE = 9, T = 10, SHIFT = 11, P = 12;
// Locals (i64).
const DIST = 13;

/** Count the events of the chunk at heap address `at` into the table at `table`; leaves their number on the stack. */
function record(table: number, at: number): Code {
  return code(
    k(table), k(0), get(SIZE), k(2), op.shl(), op.memoryFill(),
    get(at), set(P),
    k(0), set(N),
    op.block(), op.loop(),
    get(N), get(LIMIT), op.geS(), op.brIf(1),
    get(HLOG), k(8), op.eq(), op.if(),
    get(P), get(N), op.add(), op.load8(), set(T),
    op.else(),
    get(P), get(N), op.add(), op.load16U(), k(KNUTH), op.mul(), get(SHIFT), op.shrU(), set(T),
    op.end(),
    get(T), k(2), op.shl(), tee(T), get(T), op.load32(table), k(1), op.add(), op.store32(table),
    get(N), get(RATE), op.add(), set(N),
    op.br(0),
    op.end(), op.end(),
    get(LIMIT), get(RATE), op.divU(),
  );
}

/** `split(addr, rate, hashLog)`: where the block at heap address `addr` is cut (`ZSTD_splitBlock_byChunks`). */
function splitBody(): FunctionBody {
  const c = code(
    k(1), get(HLOG), op.shl(), set(SIZE),
    k(32), get(HLOG), op.sub(), set(SHIFT),
    k(CHUNKSIZE - 2 + 1), set(LIMIT),
    k(THRESHOLD_PENALTY), set(PENALTY),
    record(PAST_AT, ADDR), set(PAST_N),
    k(CHUNKSIZE), set(POS),
    op.block(), // $whole
    op.loop(), // $chunks
    get(POS), k(BLOCKSIZE_MAX - CHUNKSIZE), op.gtS(), op.brIf(1),
    get(ADDR), get(POS), op.add(), set(T),
    record(NEXT_AT, T), set(NEXT_N),
    // Σ |past[n]·nbNext − next[n]·nbPast|; each term is below 2^31 (counts ≤ 15·8191, nbNext ≤ 8191).
    op.i64(0), set(DIST),
    k(0), set(N),
    op.block(), op.loop(),
    get(N), get(SIZE), k(2), op.shl(), op.geS(), op.brIf(1),
    get(N), op.load32(PAST_AT), get(NEXT_N), op.mul(), get(N), op.load32(NEXT_AT), get(PAST_N), op.mul(), op.sub(), tee(T),
    get(T), k(31), op.shrS(), tee(P), op.xor(), get(P), op.sub(),
    op.extendU(), get(DIST), op.i64Add(), set(DIST),
    get(N), k(4), op.add(), set(N),
    op.br(0),
    op.end(), op.end(),
    // deviation >= nbPast·nbNext·(THRESHOLD_BASE + penalty) / THRESHOLD_PENALTY_RATE: cut here.
    get(DIST),
    get(PAST_N), op.extendU(), get(NEXT_N), op.extendU(), op.i64Mul(), get(PENALTY), k(THRESHOLD_BASE), op.add(), op.extendU(), op.i64Mul(),
    op.i64(4), op.i64ShrU(),
    op.i64GeU(), op.if(), get(POS), op.return(), op.end(),
    // Merge the chunk into the past.
    k(0), set(N),
    op.block(), op.loop(),
    get(N), get(SIZE), k(2), op.shl(), op.geS(), op.brIf(1),
    get(N), get(N), op.load32(PAST_AT), get(N), op.load32(NEXT_AT), op.add(), op.store32(PAST_AT),
    get(N), k(4), op.add(), set(N),
    op.br(0),
    op.end(), op.end(),
    get(PAST_N), get(NEXT_N), op.add(), set(PAST_N),
    get(PENALTY), op.if(), get(PENALTY), k(1), op.sub(), set(PENALTY), op.end(),
    get(POS), k(CHUNKSIZE), op.add(), set(POS),
    op.br(0),
    op.end(), // $chunks
    op.end(), // $whole
    k(BLOCKSIZE_MAX),
  );
  return { params: [I32, I32, I32], result: I32, locals: [[DIST - 3, I32], [1, I64]], code: c };
}

export function blockSplitModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([splitBody()], ['split'], Math.ceil(ENCODE_END / 65536));
}

type SplitFn = (addr: number, rate: number, hashLog: number) => number;
let splitFn: SplitFn | null = null;
const loader = new HeapModuleLoader(blockSplitModuleBytes, (e) => {
  splitFn = e['split'] as SplitFn;
});

/**
 * The cut `splitByChunks` would choose for the 128 KiB at heap address `addr`, or -1 when the
 * WebAssembly walk is not available (then the caller walks in TypeScript).
 */
export function splitByChunksWasm(addr: number, rate: number, hashLog: number): number {
  if (!zstdEncoderWasmReady() || !loader.loaded()) return -1;
  return splitFn!(addr, rate, hashLog);
}
