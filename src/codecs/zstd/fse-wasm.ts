/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The sequence executor's three FSE decoding tables (literal lengths, offsets, match
 * lengths) in the shared memory (src/wasm/heap.ts), and `buildFseTable` of fse.ts as a
 * WebAssembly function that builds a table straight into its place there. Mirrors
 * `ZSTD_buildFSETable_body` (lib/decompress/zstd_decompress_block.c of facebook/zstd):
 * low-probability symbols at the top, the fast two-pass spread when there are none, else
 * the spread that skips the top; then one pass over the states for their next-state bases.
 *
 * Why: a Blosc zstd frame is one block of a few thousand sequences with three fresh
 * tables (RFC 8878 "FSE_Compressed_Mode"), and the JavaScript builder spends about 2.5 µs
 * on a 512-state table (each state a handful of typed-array accesses with their checks),
 * then the table is copied into the memory for the executor: 4-6 % of a decode of the
 * poisson_i4 and sensor_f4 chunks.
 *
 * Which table each slot holds is tracked here (`slotHolds`), so that a table reused by the
 * next block (repeat mode) or a predefined table is not copied again, and a table built
 * here has its cells copied back to its FseTable (fse.ts) only when the JavaScript
 * sequence loop needs them (`fseCells`). Only this module and the executor read or write
 * the slots.
 *
 * The function never throws and writes only its slot and its scratch: for a distribution
 * the JavaScript builder refuses (counts that do not add up to the table size, a spread
 * that does not end where it began) it returns -1 and the caller runs that builder, which
 * names the error.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ZSTD_AT, ZSTD_SIZE, heapBytes, HeapModuleLoader } from '../../wasm/heap.js';
import {
  type FseTable,
  LL_BASE,
  LL_EXTRA,
  LL_MAX_LOG,
  LL_MAX_SYMBOL,
  ML_BASE,
  ML_EXTRA,
  ML_MAX_LOG,
  ML_MAX_SYMBOL,
  OF_BASE,
  OF_EXTRA,
  OF_MAX_LOG,
  OF_MAX_SYMBOL,
} from './fse.js';

/** Table kinds, in the order of the sequences header: literal lengths, offsets, match lengths. */
export const FSE_LL = 0;
export const FSE_OF = 1;
export const FSE_ML = 2;

/**
 * The area: the last FSE_AREA_SIZE bytes of the zstd area of the heap (sequences-wasm.ts
 * lays out the rest). Cells are 8 bytes (fse.ts: base, then extraBits, nbBits, the u16
 * next-state base).
 */
export const FSE_AREA_SIZE = 0x4000;
export const FSE_AREA_AT = ZSTD_AT + ZSTD_SIZE - FSE_AREA_SIZE;
/** The executor's tables. */
export const T_LL = FSE_AREA_AT;
export const T_ML = T_LL + (8 << LL_MAX_LOG);
export const T_OF = T_ML + (8 << ML_MAX_LOG);
const T_END = T_OF + (8 << OF_MAX_LOG);
/** Base value (i32) and extra bits (u8) of each symbol, 8 bytes a symbol, per kind. */
const INFO_LL = T_END;
const INFO_OF = INFO_LL + 8 * (LL_MAX_SYMBOL + 1);
const INFO_ML = INFO_OF + 8 * (OF_MAX_SYMBOL + 1);
/** The normalized counts (i16, -1 = low probability) of the table being built. */
const NORM = INFO_ML + 8 * (ML_MAX_SYMBOL + 1);
/** Per symbol, its next state counter (u16). */
const NEXT = NORM + 2 * 64;
/** The symbol of each state (u8). */
const SPREAD = NEXT + 2 * 64;
/** The symbols in order before the fast spread, with 8 bytes of slack for its word writes. */
const ORDERED = SPREAD + 512;
/** End of what the builder writes (its slots and scratch). */
export const FSE_AREA_USED = ORDERED + 512 + 8;
if (FSE_AREA_USED > FSE_AREA_AT + FSE_AREA_SIZE) throw new Error('FSE tables overrun their area of the heap');

const SLOT_AT = [T_LL, T_OF, T_ML];
const INFO_AT = [INFO_LL, INFO_OF, INFO_ML];
const MAX_LOG = [LL_MAX_LOG, OF_MAX_LOG, ML_MAX_LOG];
const MAX_SYMBOL = [LL_MAX_SYMBOL, OF_MAX_SYMBOL, ML_MAX_SYMBOL];

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

// Parameters and locals of `build`.
const NORM_MAX = 0, LOG = 1, INFO = 2, OUT = 3;
const SIZE = 4, HIGH = 5, TOTAL = 6, S = 7, N = 8, MASK = 9, STEP = 10, POS = 11, I = 12, U = 13, NX = 14, NB = 15, P = 16;
const W = 17;

/** `for (local = from; local < limit (a local); local += 1) body` (no pass when from >= limit). */
function countLoop(local: number, from: Code, limit: Code, body: Code): Code {
  return code(
    from, set(local),
    op.block(), op.loop(),
    get(local), limit, op.geS(), op.brIf(1),
    body,
    get(local), k(1), op.add(), set(local),
    op.br(0),
    op.end(), op.end(),
  );
}

/**
 * build(maxSymbol, log, info, out) -> 0 or -1: the table of the counts at NORM
 * (symbols 0..maxSymbol) at accuracy `log` (at most 9), into `out`, with base values and
 * extra bits from `info`.
 */
function buildBody(): FunctionBody {
  const c: Code = [];
  const norm = code(get(S), k(1), op.shl(), op.load16U(NORM));
  c.push(...k(1), ...get(LOG), ...op.shl(), ...tee(SIZE), ...k(1), ...op.sub(), ...tee(HIGH), ...set(MASK));
  c.push(...k(0), ...set(TOTAL));
  // Low-probability symbols (count -1) take the top states, highest first.
  c.push(
    ...countLoop(S, k(0), code(get(NORM_MAX), k(1), op.add()), code(
      norm, tee(N), k(0xffff), op.eq(), op.if(),
      get(HIGH), get(S), op.store8(SPREAD),
      get(HIGH), k(1), op.sub(), set(HIGH),
      k(1), set(N),
      op.end(),
      get(S), k(1), op.shl(), get(N), op.store16(NEXT),
      get(TOTAL), get(N), op.add(), set(TOTAL),
    )),
  );
  c.push(
    ...get(TOTAL), ...get(SIZE), ...op.ne(), ...get(HIGH), ...k(-1), ...op.ltS(), ...op.or(),
    ...op.if(), ...k(-1), ...op.return(), ...op.end(),
  );
  c.push(...get(SIZE), ...k(1), ...op.shrU(), ...get(SIZE), ...k(3), ...op.shrU(), ...op.add(), ...k(3), ...op.add(), ...set(STEP));
  c.push(...k(0), ...set(POS));
  c.push(...get(HIGH), ...get(MASK), ...op.eq(), ...op.if());
  // No low-probability symbols: each symbol's run laid down 8 at a time (writes past a run
  // are overwritten by the next), then spread two states a step with no data-dependent branch.
  c.push(
    ...k(ORDERED), ...set(P),
    ...countLoop(S, k(0), code(get(NORM_MAX), k(1), op.add()), code(
      norm, set(N),
      get(S), op.extendU(), op.i64Big(0x0101010101010101n), op.i64Mul(), set(W),
      k(0), set(I),
      op.loop(),
      get(P), get(I), op.add(), get(W), op.store64(),
      get(I), k(8), op.add(), tee(I), get(N), op.ltS(), op.brIf(0),
      op.end(),
      get(P), get(N), op.add(), set(P),
    )),
    ...k(0), ...set(I),
    ...op.loop(),
    ...get(POS), ...get(I), ...op.load8(ORDERED), ...op.store8(SPREAD),
    ...get(POS), ...get(STEP), ...op.add(), ...get(MASK), ...op.and(), ...get(I), ...op.load8(ORDERED + 1), ...op.store8(SPREAD),
    ...get(POS), ...get(STEP), ...k(1), ...op.shl(), ...op.add(), ...get(MASK), ...op.and(), ...set(POS),
    ...get(I), ...k(2), ...op.add(), ...tee(I), ...get(SIZE), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
  );
  c.push(...op.else());
  // Symbol by symbol, one state a step, skipping the low-probability states at the top.
  c.push(
    ...countLoop(S, k(0), code(get(NORM_MAX), k(1), op.add()), code(
      norm, set(N),
      get(N), k(0xffff), op.eq(), op.if(), k(0), set(N), op.end(),
      countLoop(I, k(0), get(N), code(
        get(POS), get(S), op.store8(SPREAD),
        op.loop(),
        get(POS), get(STEP), op.add(), get(MASK), op.and(), tee(POS), get(HIGH), op.gtS(), op.brIf(0),
        op.end(),
      )),
    )),
    ...get(POS), ...op.if(), ...k(-1), ...op.return(), ...op.end(),
  );
  c.push(...op.end());
  // The states: symbol, next-state bits and base (ZSTD_buildFSETable_body's last loop).
  c.push(
    ...k(0), ...set(U),
    ...op.loop(),
    ...get(U), ...op.load8(SPREAD), ...tee(S), ...k(3), ...op.shl(), ...get(INFO), ...op.add(), ...set(P),
    ...get(S), ...k(1), ...op.shl(), ...tee(S), ...op.load16U(NEXT), ...set(NX),
    ...get(S), ...get(NX), ...k(1), ...op.add(), ...op.store16(NEXT),
    ...get(LOG), ...k(31), ...get(NX), ...op.clz(), ...op.sub(), ...op.sub(), ...set(NB),
    ...get(OUT), ...get(U), ...k(3), ...op.shl(), ...op.add(), ...tee(I),
    ...get(P), ...op.load32(0), ...op.store32(0),
    ...get(I),
    ...get(P), ...op.load8(4),
    ...get(NB), ...k(8), ...op.shl(), ...op.or(),
    ...get(NX), ...get(NB), ...op.shl(), ...get(SIZE), ...op.sub(), ...k(16), ...op.shl(), ...op.or(),
    ...op.store32(4),
    ...get(U), ...k(1), ...op.add(), ...tee(U), ...get(SIZE), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
  );
  c.push(...k(0));
  return { params: [I32, I32, I32, I32], result: I32, locals: [[W - SIZE, I32], [1, I64]], code: c };
}

/** The module's bytes: one function, `build`, on the shared memory. */
export function fseModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([buildBody()], ['build'], Math.ceil((ZSTD_AT + ZSTD_SIZE) / 65536));
}

type Build = (maxSymbol: number, log: number, info: number, out: number) => number;

let build: Build | null = null;
let cellsView = new Int32Array(0);
let normView = new Int16Array(0);

/** The heapBytes() view the views above were made for (it changes only when the memory grows). */
let viewsOf: Uint8Array | null = null;

function views(): void {
  const heap = heapBytes();
  if (heap !== viewsOf) {
    cellsView = new Int32Array(heap.buffer);
    normView = new Int16Array(heap.buffer);
    viewsOf = heap;
  }
}

function instantiate(exportsObject: WebAssembly.Exports): void {
  build = exportsObject['build'] as Build;
  views();
  const put = (at: number, base: Int32Array, extra: Uint8Array): void => {
    for (let s = 0; s < base.length; s++) {
      cellsView[(at >>> 2) + 2 * s] = base[s]!;
      cellsView[(at >>> 2) + 2 * s + 1] = extra[s]!;
    }
  };
  put(INFO_LL, LL_BASE, LL_EXTRA);
  put(INFO_OF, OF_BASE, OF_EXTRA);
  put(INFO_ML, ML_BASE, ML_EXTRA);
}

const loader = new HeapModuleLoader(fseModuleBytes, instantiate);

/** What each slot (FSE_LL, FSE_OF, FSE_ML) holds: a copy of a table's cells, or the table built there. */
const slotHolds: Array<FseTable | null> = [null, null, null];

/** Tables built (for tests and benchmarks). */
export const fseWasmCounts = { built: 0, refused: 0 };

/**
 * Build the table of norm[0..maxSymbol] at accuracy `log` into the slot of `kind` and make
 * `t` stand for it (its cells are copied back only when asked for, see fseCells). False
 * when the module is not ready or the distribution is invalid: then nothing is changed but
 * the slot's contents, and the caller builds `t` with fse.ts's buildFseTable.
 */
export function buildFseTableInHeap(t: FseTable, kind: number, norm: Int16Array, maxSymbol: number, log: number): boolean {
  if (log < 5 || log > MAX_LOG[kind]! || maxSymbol > MAX_SYMBOL[kind]! || !loader.loaded()) return false;
  views();
  // The slot is about to change: whatever else lived only there is copied out first (not
  // `t`, which is being rebuilt).
  if (slotHolds[kind] === t) slotHolds[kind] = null;
  else release(kind);
  normView.set(norm.subarray(0, maxSymbol + 1), NORM >>> 1);
  if (build!(maxSymbol, log, INFO_AT[kind]!, SLOT_AT[kind]!) !== 0) {
    fseWasmCounts.refused++;
    return false;
  }
  fseWasmCounts.built++;
  t.log = log;
  t.heapAt = SLOT_AT[kind]!;
  slotHolds[kind] = t;
  return true;
}

/** Before a slot is overwritten: the table whose cells live only there gets them back. */
function release(kind: number): void {
  const held = slotHolds[kind];
  if (held !== null && held !== undefined) {
    if (held.heapAt >= 0) fseCells(held);
    slotHolds[kind] = null;
  }
}

/** A table's cells are about to change in JavaScript (it is rebuilt there): no slot holds them any more. */
export function fseTableRebuilt(t: FseTable): void {
  t.heapAt = -1;
  for (let kind = 0; kind < 3; kind++) if (slotHolds[kind] === t) slotHolds[kind] = null;
}

/** Make the slot of `kind` hold `t` (copying its cells in unless it already does). */
export function placeFseTable(t: FseTable, kind: number): void {
  if (slotHolds[kind] === t) return;
  release(kind);
  views();
  cellsView.set(t.cells.subarray(0, 2 << t.log), SLOT_AT[kind]! >>> 2);
  slotHolds[kind] = t;
}

/** `t`'s cells, copied back from the slot it was built in if need be. */
export function fseCells(t: FseTable): Int32Array {
  if (t.heapAt >= 0) {
    views();
    const at = t.heapAt >>> 2;
    t.cells.set(cellsView.subarray(at, at + (2 << t.log)));
    t.heapAt = -1;
  }
  return t.cells;
}
