/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The match finder of lz4-compress.ts (`LZ4_compress_generic_validated` of lz4 1.10.0
 * lib/lz4.c, no dictionary) as WebAssembly functions on the shared memory (src/wasm/heap.ts):
 * one for inputs under `LZ4_64Klimit` (the 16-bit table, `LZ4_hash4`) and one for larger
 * inputs (the 32-bit table, `LZ4_hash5` over a 64-bit read, 65535 distance limit). Same
 * steps, same table, same bytes as the TypeScript twin, which stays the fallback (no
 * WebAssembly, a dictionary, or `setLz4WasmEnabled(false)`).
 *
 * Why: in JavaScript every table and byte access of the hash loop carries a bounds check
 * and the match length is counted four bytes at a time; here the loop runs on registers,
 * counts eight bytes at a time (`LZ4_count`) and copies literals 16 bytes at a time.
 *
 * Where things are: the hash table in [ENCODE_AT, ENCODE_END); the input where it already is
 * when it lies in the shared memory at or past WINDOW_AT (the chunk driver puts a block's
 * filtered planes there, see {@link lz4EncodeScratch}), else copied to WINDOW_AT; the output
 * at SCRATCH_AT, copied to the caller's buffer afterwards, so nothing outside
 * dst[dp, dp + written) is ever touched. Literal copies may write up to 15 bytes past the
 * output's end and read up to 15 past the input's: both areas keep SLACK bytes for that.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, SCRATCH_AT, SCRATCH_MAX, WINDOW_AT, heapBytes, inHeap, HeapModuleLoader, reserveHeap } from '../wasm/heap.js';
import { copyMemory } from '../copy.js';

const MF_LIMIT = 12;
const LAST_LITERALS = 5;
const MIN_LENGTH = MF_LIMIT + 1;
const LIMIT_64K = 65536 + MF_LIMIT - 1;
const SKIP_TRIGGER = 6;
const MAX_DISTANCE = 65535;
/** Bytes kept free past the input and past the output for over-long reads and copies. */
export const LZ4_WASM_SLACK = 64;
/** The output area of the WebAssembly encoders: the decoder's block planes, unused while encoding. */
export const ENCODE_OUT_AT = SCRATCH_AT;
export const ENCODE_OUT_MAX = SCRATCH_MAX - LZ4_WASM_SLACK;
const OUT_AT = ENCODE_OUT_AT;
const OUT_MAX = ENCODE_OUT_MAX;
/** Where an input that is not in the shared memory yet is copied. */
const IN_AT = WINDOW_AT;
if (ENCODE_AT + 4 * (1 << 13) > ENCODE_END) throw new Error('lz4 hash table overruns its area of the heap');

// Parameters.
const SRC = 0, SN = 1, DST = 2, CAP = 3, ACC = 4, LIM = 5;
// Locals (i32).
const IP = 6, ANCHOR = 7, OP = 8, IEND = 9, MFL1 = 10, MLIMIT = 11, OLIMIT = 12, FIP = 13, STEP = 14, SNB = 15;
const MIDX = 16, CUR = 17, H = 18, FH = 19, MP = 20, LIT = 21, TOKEN = 22, TVAL = 23, MC = 24, T = 25, A = 26, E = 27;
// Locals (i64).
const X = 28;

const get = op.get;
const set = op.set;
const k = op.i32;

/** The table byte offset (from ENCODE_AT) of the hash of the bytes at address `p`. */
function hashAt(p: Code, u16: boolean): Code {
  return u16
    // LZ4_hash4: (read32 * 2654435761) >> (32 - 13), times 2 bytes an entry (C's U16 table:
    // every position stored is below 65536 because inputs are under LZ4_64Klimit).
    ? code(p, op.load32(), k(0x9e3779b1 | 0), op.mul(), k(18), op.shrU(), k(0x3ffe), op.and())
    // LZ4_hash5: ((read64 << 24) * 889523592379) >> (64 - 12), times 4.
    : code(p, op.load64(), op.i64(24), op.i64Shl(), op.i64Big(889523592379n), op.i64Mul(), op.i64(50), op.i64ShrU(), op.wrap(), k(0x3ffc), op.and());
}

/** Write `n` (a local, consumed) as a run of 255 bytes and a final byte at OP: the length tail of a token. */
function lengthTail(n: number): Code {
  return code(
    op.block(), op.loop(),
    get(n), k(255), op.ltU(), op.brIf(1),
    get(OP), k(255), op.store8(),
    get(OP), k(1), op.add(), set(OP),
    get(n), k(255), op.sub(), set(n),
    op.br(0),
    op.end(), op.end(),
    get(OP), get(n), op.store8(),
    get(OP), k(1), op.add(), set(OP),
  );
}

/** Copy LIT bytes from ANCHOR to OP in 16-byte steps (may overshoot by 15), then OP += LIT. */
function copyLiterals(): Code {
  return code(
    k(0), set(T),
    op.block(), op.loop(),
    get(T), get(LIT), op.geU(), op.brIf(1),
    get(OP), get(T), op.add(), get(ANCHOR), get(T), op.add(), op.load(), op.store(),
    get(T), k(16), op.add(), set(T),
    op.br(0),
    op.end(), op.end(),
    get(OP), get(LIT), op.add(), set(OP),
  );
}

/** `return 0` when limited and OP + `extra` > OLIMIT (`extra` an i32 expression). */
function checkRoom(extra: Code): Code {
  return code(get(LIM), op.if(), get(OP), extra, op.add(), get(OLIMIT), op.gtU(), op.if(), k(0), op.return(), op.end(), op.end());
}

/** `LZ4_compress_generic` for one table type; returns the bytes written or 0. */
function compressBody(u16: boolean): FunctionBody {
  const hash = (p: Code): Code => code(hashAt(p, u16), k(ENCODE_AT), op.add());
  // Table entries: 16-bit in the byU16 table, 32-bit in the byU32 one, as in C.
  const tableLoad = (): Code => (u16 ? op.load16U() : op.load32());
  const tableStore = (): Code => (u16 ? op.store16() : op.store32());
  const c: Code = [];
  c.push(
    ...get(SRC), ...get(SN), ...op.add(), ...set(IEND),
    ...get(IEND), ...k(MF_LIMIT - 1), ...op.sub(), ...set(MFL1),
    ...get(IEND), ...k(LAST_LITERALS), ...op.sub(), ...set(MLIMIT),
    ...get(DST), ...get(CAP), ...op.add(), ...set(OLIMIT),
    ...get(SRC), ...set(IP), ...get(SRC), ...set(ANCHOR), ...get(DST), ...set(OP),
    // A fresh table (LZ4_compress_fast's state reset).
    ...k(ENCODE_AT), ...k(0), ...k(u16 ? 2 << 13 : 4 << 12), ...op.memoryFill(),
  );

  // The search: forwardIp advances with a step that grows the longer nothing is found.
  const search = code(
    get(IP), set(FIP), k(1), set(STEP), get(ACC), k(SKIP_TRIGGER), op.shl(), set(SNB),
    op.loop(),
    get(FH), set(H),
    get(FIP), get(SRC), op.sub(), set(CUR),
    get(H), tableLoad(), set(MIDX),
    get(FIP), set(IP),
    get(FIP), get(STEP), op.add(), set(FIP),
    get(SNB), k(SKIP_TRIGGER), op.shrU(), set(STEP),
    get(SNB), k(1), op.add(), set(SNB),
    get(FIP), get(MFL1), op.gtU(), op.brIf(2), // to $done
    hash(get(FIP)), set(FH),
    get(H), get(CUR), tableStore(),
    u16 ? [] : code(get(MIDX), k(MAX_DISTANCE), op.add(), get(CUR), op.ltU(), op.brIf(0)),
    get(SRC), get(MIDX), op.add(), tee(MP), op.load32(), get(IP), op.load32(), op.ne(), op.brIf(0),
    op.end(),
  );

  // Catch up: extend backwards, not past the anchor nor the input's start.
  const catchUp = code(
    op.block(), op.loop(),
    get(IP), get(ANCHOR), op.leU(), op.brIf(1),
    get(MP), get(SRC), op.leU(), op.brIf(1),
    get(IP), k(1), op.sub(), op.load8(), get(MP), k(1), op.sub(), op.load8(), op.ne(), op.brIf(1),
    get(IP), k(1), op.sub(), set(IP),
    get(MP), k(1), op.sub(), set(MP),
    op.br(0),
    op.end(), op.end(),
  );

  const literals = code(
    get(IP), get(ANCHOR), op.sub(), set(LIT),
    get(OP), set(TOKEN),
    get(OP), k(1), op.add(), set(OP),
    checkRoom(code(get(LIT), k(2 + 1 + LAST_LITERALS), op.add(), get(LIT), k(255), op.divU(), op.add())),
    get(LIT), k(15), op.geU(), op.if(),
    k(15 << 4), set(TVAL),
    get(LIT), k(15), op.sub(), set(T),
    lengthTail(T),
    op.else(),
    get(LIT), k(4), op.shl(), set(TVAL),
    op.end(),
    copyLiterals(),
  );

  // LZ4_count from ip + MINMATCH against the match, 16 bytes at a time (the mask of equal
  // bytes: its lowest clear bit is the first difference), then 8, up to matchlimit.
  const count = code(
    get(IP), k(4), op.add(), tee(A), set(E),
    get(MP), k(4), op.add(), set(T),
    op.block(),
    op.loop(),
    get(A), k(16), op.add(), get(MLIMIT), op.gtU(), op.brIf(1),
    get(A), op.load(), get(T), op.load(), op.i8x16Eq(), op.i8x16Bitmask(), k(0xffff), op.xor(), tee(MC), op.eqz(), op.if(),
    get(A), k(16), op.add(), set(A), get(T), k(16), op.add(), set(T), op.br(1),
    op.end(),
    get(A), get(MC), op.ctz(), op.add(), set(A),
    op.br(2), // out of the outer block past the 8-byte and byte loops
    op.end(),
    op.end(),
    op.block(),
    op.loop(),
    get(A), k(8), op.add(), get(MLIMIT), op.gtU(), op.brIf(1),
    get(A), op.load64(), get(T), op.load64(), op.i64Xor(), op.tee(X), op.i64Eqz(), op.if(),
    get(A), k(8), op.add(), set(A), get(T), k(8), op.add(), set(T), op.br(1),
    op.end(),
    get(A), get(X), op.i64Ctz(), op.wrap(), k(3), op.shrU(), op.add(), set(A),
    op.br(2), // out of the outer block past the byte loop
    op.end(),
    op.end(),
  );
  // The byte tail, only reached when fewer than 8 bytes are left before matchlimit.
  const countTail = code(
    op.block(), op.loop(),
    get(A), get(MLIMIT), op.geU(), op.brIf(1),
    get(A), op.load8(), get(T), op.load8(), op.ne(), op.brIf(1),
    get(A), k(1), op.add(), set(A), get(T), k(1), op.add(), set(T),
    op.br(0),
    op.end(), op.end(),
  );

  const nextMatch = code(
    op.loop(),
    get(OP), get(CUR), get(MIDX), op.sub(), op.store16(),
    get(OP), k(2), op.add(), set(OP),
    op.block(), count, countTail, op.end(),
    get(A), get(E), op.sub(), set(MC),
    get(A), set(IP),
    checkRoom(code(k(1 + LAST_LITERALS), get(MC), k(240), op.add(), k(255), op.divU(), op.add())),
    get(MC), k(15), op.geU(), op.if(),
    get(TOKEN), get(TVAL), k(15), op.add(), op.store8(),
    get(MC), k(15), op.sub(), set(MC),
    lengthTail(MC),
    op.else(),
    get(TOKEN), get(TVAL), get(MC), op.add(), op.store8(),
    op.end(),
    get(IP), set(ANCHOR),
    get(IP), get(MFL1), op.geU(), op.brIf(2), // to $done
    // Fill the table with ip - 2, then test the position itself.
    hash(code(get(IP), k(2), op.sub())), get(IP), k(2), op.sub(), get(SRC), op.sub(), tableStore(),
    hash(get(IP)), set(H),
    get(IP), get(SRC), op.sub(), set(CUR),
    get(H), tableLoad(), set(MIDX),
    get(H), get(CUR), tableStore(),
    get(SRC), get(MIDX), op.add(), set(MP),
    u16
      ? code(get(MP), op.load32(), get(IP), op.load32(), op.eq())
      : code(get(MIDX), k(MAX_DISTANCE), op.add(), get(CUR), op.geU(), op.ifI32(), get(MP), op.load32(), get(IP), op.load32(), op.eq(), op.else(), k(0), op.end()),
    op.if(),
    get(OP), set(TOKEN), get(OP), k(1), op.add(), set(OP), k(0), set(TVAL),
    op.br(1), // next match
    op.end(),
    get(IP), k(1), op.add(), set(IP),
    hash(get(IP)), set(FH),
    op.br(1), // outer
    op.end(),
  );

  c.push(
    ...get(SN), ...k(MIN_LENGTH), ...op.geU(), ...op.if(),
    ...op.block(), // $done
    ...hash(get(IP)), ...k(0), ...tableStore(),
    ...get(IP), ...k(1), ...op.add(), ...set(IP),
    ...hash(get(IP)), ...set(FH),
    ...op.loop(), // outer
    ...search, ...catchUp, ...literals, ...nextMatch,
    ...op.end(),
    ...op.end(),
    ...op.end(),
  );

  // Last literals.
  c.push(
    ...get(IEND), ...get(ANCHOR), ...op.sub(), ...set(LIT),
    ...checkRoom(code(get(LIT), k(1), op.add(), get(LIT), k(240), op.add(), k(255), op.divU(), op.add())),
    ...get(LIT), ...k(15), ...op.geU(), ...op.if(),
    ...get(OP), ...k(15 << 4), ...op.store8(),
    ...get(OP), ...k(1), ...op.add(), ...set(OP),
    ...get(LIT), ...k(15), ...op.sub(), ...set(T),
    ...lengthTail(T),
    ...op.else(),
    ...get(OP), ...get(LIT), ...k(4), ...op.shl(), ...op.store8(),
    ...get(OP), ...k(1), ...op.add(), ...set(OP),
    ...op.end(),
    ...copyLiterals(),
    ...get(OP), ...get(DST), ...op.sub(),
  );
  return { params: [I32, I32, I32, I32, I32, I32], result: I32, locals: [[X - 6, I32], [1, I64]], code: c };
}

/**
 * `is_run(at, n)`: 1 when the n >= 1 bytes at `at` all equal the first (c-blosc2 `get_run`'s
 * question), compared eight bytes at a time against the first byte repeated.
 */
function runBody(): FunctionBody {
  const AT = 0, N = 1, END = 2, V = 3;
  return {
    params: [I32, I32],
    result: I32,
    locals: [[1, I32], [1, I64]],
    code: code(
      get(AT), get(N), op.add(), set(END),
      get(AT), op.load8(), op.extendU(), op.i64Big(0x0101010101010101n), op.i64Mul(), set(V),
      op.block(), op.loop(),
      get(AT), k(8), op.add(), get(END), op.gtU(), op.brIf(1),
      get(AT), op.load64(), get(V), op.i64Ne(), op.if(), k(0), op.return(), op.end(),
      get(AT), k(8), op.add(), set(AT),
      op.br(0),
      op.end(), op.end(),
      op.block(), op.loop(),
      get(AT), get(END), op.geU(), op.brIf(1),
      get(AT), op.load8(), get(V), op.wrap(), k(255), op.and(), op.ne(), op.if(), k(0), op.return(), op.end(),
      get(AT), k(1), op.add(), set(AT),
      op.br(0),
      op.end(), op.end(),
      k(1),
    ),
  };
}

function tee(local: number): Code {
  return op.tee(local);
}

/** The module's bytes: `lz4_16` (inputs under LZ4_64Klimit) and `lz4_32`, on the shared memory. */
export function lz4CompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([compressBody(true), compressBody(false), runBody()], ['lz4_16', 'lz4_32', 'is_run'], Math.ceil(ENCODE_END / 65536));
}

type Compressor = (src: number, sn: number, dst: number, cap: number, acceleration: number, limited: number) => number;

let enabled = true;
let fn16: Compressor | null = null;
let fn32: Compressor | null = null;
let isRunFn: ((at: number, n: number) => number) | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  fn16 = exportsObject['lz4_16'] as Compressor;
  fn32 = exportsObject['lz4_32'] as Compressor;
  isRunFn = exportsObject['is_run'] as (at: number, n: number) => number;
}

const loader = new HeapModuleLoader(lz4CompressModuleBytes, instantiate);

/** Whether the module is instantiated (compiling it on first ask), enabled or not. */
function moduleReady(): boolean {
  return loader.loaded();
}

/** Whether the WebAssembly compressor is in use (compiling it on first ask). */
export function lz4WasmReady(): boolean {
  return enabled && moduleReady();
}

/**
 * Turn the WebAssembly LZ4 compressor on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setLz4WasmEnabled(on: boolean): void {
  enabled = on;
}

/**
 * A view of `size` bytes of the shared memory (at WINDOW_AT) where a caller can put the
 * input of the next compression calls, which then read it in place. Null when the
 * WebAssembly compressors are not in use or the memory cannot grow. Valid until the next
 * call of this function (growing the memory detaches older views).
 */
export function lz4EncodeScratch(size: number): Uint8Array | null {
  if (!lz4WasmReady()) return null;
  return encodeScratch(size);
}

/**
 * The view of {@link lz4EncodeScratch} for any WebAssembly encoder (null when the memory
 * cannot hold it, or past SCRATCH_MAX bytes: the memory never shrinks, so this bounds what
 * an encoder adds to it).
 */
export function encodeScratch(size: number): Uint8Array | null {
  if (size > SCRATCH_MAX || !reserveHeap(IN_AT + size + LZ4_WASM_SLACK)) return null;
  const heap = heapBytes();
  if (scratchView.buffer !== heap.buffer || scratchView.length !== size) scratchView = heap.subarray(IN_AT, IN_AT + size);
  return scratchView;
}

let scratchView: Uint8Array = new Uint8Array(0);

/** True when every byte of src[p, p+n) (n >= 1) equals src[p] (c-blosc2 `get_run`). */
export function isRunOfBytes(src: Uint8Array, p: number, n: number): boolean {
  // Bytes in the shared memory (a block the chunk driver put there) are compared there.
  if (inHeap(src) && moduleReady()) return isRunFn!(src.byteOffset + p, n) !== 0;
  const v = src[p]!;
  const end = p + n;
  for (let i = p + 1; i < end; i++) if (src[i] !== v) return false;
  return true;
}

/**
 * Where src[sp, sp+sn) can be read by the WebAssembly functions: its own address when it
 * lies in the shared memory at or past IN_AT with SLACK bytes of memory after it, else
 * IN_AT after copying it there. -1 when the memory cannot hold it or the input is over
 * SCRATCH_MAX bytes (the caller then runs the TypeScript twin).
 */
export function heapInput(src: Uint8Array, sp: number, sn: number): number {
  if (inHeap(src)) {
    const at = src.byteOffset + sp;
    if (at >= IN_AT && at + sn + LZ4_WASM_SLACK <= heapBytes().length) return at;
  }
  // Copies are bounded like encodeScratch: the memory never shrinks.
  if (sn > SCRATCH_MAX || !reserveHeap(IN_AT + sn + LZ4_WASM_SLACK)) return -1;
  copyMemory(src, sp, heapBytes(), IN_AT, sn);
  return IN_AT;
}

/**
 * `LZ4_compress_fast` (no dictionary) with the WebAssembly match finder: same arguments and
 * result as `lz4CompressFast` after its checks (sn >= 1, acceleration clamped, ranges
 * valid), or -1 when the WebAssembly path cannot take the call (the caller runs the twin).
 */
export function lz4CompressFastWasm(
  src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, acceleration: number, limited: boolean,
): number {
  if (cap > OUT_MAX || !lz4WasmReady()) return -1;
  const at = heapInput(src, sp, sn);
  if (at < 0) return -1;
  const f = sn < LIMIT_64K ? fn16! : fn32!;
  const n = f(at, sn, OUT_AT, cap, acceleration, limited ? 1 : 0);
  if (n > 0) copyMemory(heapBytes(), OUT_AT, dst, dp, n);
  return n;
}
