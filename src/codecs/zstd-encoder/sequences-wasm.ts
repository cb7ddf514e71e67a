/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The interleaved FSE bitstream of a block's sequences (sequences.ts `encodeSequences`,
 * `ZSTD_encodeSequences_body` of lib/compress/zstd_compress_sequences.c: sequences from last
 * to first, offset / match-length / literal-length states then literal-length / match-length /
 * offset extra bits, the three final states and an end mark) as a WebAssembly function on the
 * shared memory (src/wasm/heap.ts). Same bytes as the TypeScript loop, which stays the
 * fallback (no WebAssembly, short blocks, or `setZstdEncoderWasmEnabled(false)`). Why: at Blosc
 * clevel 5 the TypeScript loop, which flushes 16 bits at a time, was 5-10 % of the time on
 * poisson_i4 and sensor_f4; here the bits gather in a 64-bit container flushed 32 at a time.
 *
 * Where things are: between the Huffman writer's buffers (huffman-wasm.ts) and the block
 * pre-split's counters (block-split-wasm.ts), in the encoders' output area: the three code
 * arrays, the three value arrays, the three tables (state table, deltaNbBits,
 * deltaFindState), the extra-bit counts of the length codes, and the stream written out.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ENCODE_END, HeapModuleLoader, heapBytes } from '../../wasm/heap.js';
import { FSE_MAX_TABLELOG, type FseCTable, fseInitState } from './fse-encoder.js';
import { HUF_WASM_AREA } from './huffman-wasm.js';
import { BLOCKSIZE_MAX } from './params.js';
import { LAZY_AREA, zstdEncoderWasmReady } from './row-search-wasm.js';
import { MINMATCH, type SeqStore } from './seq-store.js';

/** Most sequences a block holds (SeqStore's capacity). */
const MAX_SEQ = ((BLOCKSIZE_MAX / MINMATCH) | 0) + 1;
const TABLE_BYTES = 2 << FSE_MAX_TABLELOG;
const DELTA_BYTES = 4 * 256;
const LLC_AT = HUF_WASM_AREA[1] + 64;
const MLC_AT = LLC_AT + MAX_SEQ;
const OFC_AT = MLC_AT + MAX_SEQ;
const LLV_AT = (OFC_AT + MAX_SEQ + 63) & ~63;
const MLV_AT = LLV_AT + 4 * MAX_SEQ;
const OFV_AT = MLV_AT + 4 * MAX_SEQ;
/** Per table: state table, then deltaNbBits and deltaFindState (by symbol). */
const ML_T = OFV_AT + 4 * MAX_SEQ;
const OF_T = ML_T + TABLE_BYTES + 2 * DELTA_BYTES;
const LL_T = OF_T + TABLE_BYTES + 2 * DELTA_BYTES;
const DNB = TABLE_BYTES;
const DFS = TABLE_BYTES + DELTA_BYTES;
/** Extra-bit counts of the literal-length and match-length codes, one byte each. */
const LLB_AT = LL_T + TABLE_BYTES + 2 * DELTA_BYTES;
const MLB_AT = LLB_AT + 64;
const OUT_AT = MLB_AT + 64;
/** The stream: at most 12 bytes a sequence and the final states (`sequencesBound` in sequences.ts). */
const OUT_END = OUT_AT + MAX_SEQ * 12 + 16 + 8;
/** The area the writer uses: [SEQ_WASM_AREA[0], SEQ_WASM_AREA[1]). */
export const SEQ_WASM_AREA: readonly [number, number] = [LLC_AT, OUT_END];
// The block pre-split's counters sit in the 8 KiB below LAZY_AREA (block-split-wasm.ts).
if (OUT_END > LAZY_AREA[0] - 16384) throw new Error('zstd sequence stream buffers overrun their area of the heap');
/** Shorter blocks stay in TypeScript (the copies would cost more than they save). */
export const SEQ_WASM_MIN = 64;

const get = op.get;
const set = op.set;
const k = op.i32;

// Parameters of `seqs` (count, initial ML, OF, LL states, table logs of ML, OF, LL).
const NSEQ = 0, SML = 1, SOF = 2, SLL = 3, LOGML = 4, LOGOF = 5, LOGLL = 6;
// Locals (i32).
const I = 7, P = 8, NB = 9, SYM = 10, NBOUT = 11, BITS = 12;
// Locals (i64).
const C = 13;

/** Flush 32 bits when the container holds 32 or more. */
function flush(): Code {
  return code(
    get(NB), k(32), op.geU(), op.if(),
    get(P), get(C), op.wrap(), op.store32(OUT_AT),
    get(P), k(4), op.add(), set(P),
    get(C), op.i64(32), op.i64ShrU(), set(C),
    get(NB), k(32), op.sub(), set(NB),
    op.end(),
  );
}

/** Append the low `n` bits (an i32 expression, n ≤ 31) of `value`. */
function addBits(value: Code, n: Code): Code {
  return code(
    n, set(BITS),
    get(C), value, k(1), get(BITS), op.shl(), k(1), op.sub(), op.and(), op.extendU(), get(NB), op.extendU(), op.i64Shl(), op.i64Or(), set(C),
    get(NB), get(BITS), op.add(), set(NB),
    flush(),
  );
}

/** One FSE step of state local `s` with table at `t` for the symbol in SYM (`FSE_encodeSymbol`). */
function encodeSymbol(s: number, t: number): Code {
  return code(
    get(s), get(SYM), k(2), op.shl(), op.load32(t + DNB), op.add(), k(16), op.shrU(), set(NBOUT),
    addBits(get(s), get(NBOUT)),
    get(s), get(NBOUT), op.shrS(), get(SYM), k(2), op.shl(), op.load32(t + DFS), op.add(), k(1), op.shl(), op.load16U(t), set(s),
  );
}

/** The extra bits of sequence I: literal length, match length, offset. */
function extraBits(): Code {
  return code(
    addBits(code(get(I), k(2), op.shl(), op.load32(LLV_AT)), code(get(I), op.load8(LLC_AT), op.load8(LLB_AT))),
    addBits(code(get(I), k(2), op.shl(), op.load32(MLV_AT)), code(get(I), op.load8(MLC_AT), op.load8(MLB_AT))),
    addBits(code(get(I), k(2), op.shl(), op.load32(OFV_AT)), code(get(I), op.load8(OFC_AT))),
  );
}

/** `seqs(n, sMl, sOf, sLl, logMl, logOf, logLl)`: the stream at OUT_AT; returns its length in bits (end mark included). */
function seqsBody(): FunctionBody {
  const c = code(
    k(0), set(P), k(0), set(NB), op.i64(0), set(C),
    get(NSEQ), k(1), op.sub(), set(I),
    extraBits(),
    op.block(), op.loop(),
    get(I), k(0), op.leS(), op.brIf(1),
    get(I), k(1), op.sub(), set(I),
    get(I), op.load8(OFC_AT), set(SYM), encodeSymbol(SOF, OF_T),
    get(I), op.load8(MLC_AT), set(SYM), encodeSymbol(SML, ML_T),
    get(I), op.load8(LLC_AT), set(SYM), encodeSymbol(SLL, LL_T),
    extraBits(),
    op.br(0),
    op.end(), op.end(),
    addBits(get(SML), get(LOGML)),
    addBits(get(SOF), get(LOGOF)),
    addBits(get(SLL), get(LOGLL)),
    // The end mark, then the last bytes.
    get(C), op.i64(1), get(NB), op.extendU(), op.i64Shl(), op.i64Or(), set(C),
    get(NB), k(1), op.add(), set(NB),
    get(P), k(3), op.shl(), get(NB), op.add(), set(BITS),
    op.block(), op.loop(),
    get(NB), k(0), op.leS(), op.brIf(1),
    get(P), get(C), op.wrap(), op.store8(OUT_AT),
    get(P), k(1), op.add(), set(P),
    get(C), op.i64(8), op.i64ShrU(), set(C),
    get(NB), k(8), op.sub(), set(NB),
    op.br(0),
    op.end(), op.end(),
    get(BITS),
  );
  return { params: [I32, I32, I32, I32, I32, I32, I32], result: I32, locals: [[C - 7, I32], [1, I64]], code: c };
}

export function sequencesWasmModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([seqsBody()], ['seqs'], Math.ceil(ENCODE_END / 65536));
}

type SeqsFn = (n: number, sMl: number, sOf: number, sLl: number, logMl: number, logOf: number, logLl: number) => number;
let seqsFn: SeqsFn | null = null;
const loader = new HeapModuleLoader(sequencesWasmModuleBytes, (e) => {
  seqsFn = e['seqs'] as SeqsFn;
});

function putTable(heap: Uint8Array, at: number, ct: FseCTable): void {
  const size = ct.tableLog === 0 ? 2 : 1 << ct.tableLog;
  const st = ct.stateTable;
  new Uint16Array(heap.buffer, at, size).set(st.subarray(0, size));
  const n = ct.maxSymbolValue + 1;
  new Int32Array(heap.buffer, at + DNB, n).set(ct.deltaNbBits.subarray(0, n));
  new Int32Array(heap.buffer, at + DFS, n).set(ct.deltaFindState.subarray(0, n));
}

/**
 * The stream of sequences [first, first+nbSeq) of `ss` with the three tables, written in the
 * shared memory; returns its length in bits (as `encodeSequencesUnchecked`), or -1 when the
 * WebAssembly writer cannot take the call (the caller runs the TypeScript loop). The bytes are
 * then taken with {@link takeSequencesStream}.
 */
export function encodeSequencesWasm(ss: SeqStore, first: number, nbSeq: number, ctMl: FseCTable, ctOf: FseCTable, ctLl: FseCTable, llBits: Uint8Array, mlBits: Uint8Array): number {
  if (nbSeq < SEQ_WASM_MIN || nbSeq > MAX_SEQ || !zstdEncoderWasmReady() || !loader.loaded()) return -1;
  // Never grows the memory: the match finders' input copy has grown it past this area
  // whenever a frame's search runs in WebAssembly; otherwise stay in TypeScript.
  const heap = heapBytes();
  if (heap.length < OUT_END) return -1;
  const end = first + nbSeq;
  heap.set(ss.llCode.subarray(first, end), LLC_AT);
  heap.set(ss.mlCode.subarray(first, end), MLC_AT);
  heap.set(ss.ofCode.subarray(first, end), OFC_AT);
  new Uint32Array(heap.buffer, LLV_AT, nbSeq).set(ss.litLengths.subarray(first, end));
  new Uint32Array(heap.buffer, MLV_AT, nbSeq).set(ss.mlBases.subarray(first, end));
  new Uint32Array(heap.buffer, OFV_AT, nbSeq).set(ss.offBases.subarray(first, end));
  putTable(heap, ML_T, ctMl);
  putTable(heap, OF_T, ctOf);
  putTable(heap, LL_T, ctLl);
  // Rewritten every call: other codecs use this part of the memory between frames.
  heap.set(llBits, LLB_AT);
  heap.set(mlBits, MLB_AT);
  const last = end - 1;
  return seqsFn!(nbSeq, fseInitState(ctMl, ss.mlCode[last]!), fseInitState(ctOf, ss.ofCode[last]!), fseInitState(ctLl, ss.llCode[last]!), ctMl.tableLog, ctOf.tableLog, ctLl.tableLog);
}

/** Copy the first `n` bytes of the stream {@link encodeSequencesWasm} wrote to out[op..]. */
export function takeSequencesStream(out: Uint8Array, op: number, n: number): void {
  out.set(heapBytes().subarray(OUT_AT, OUT_AT + n), op);
}
