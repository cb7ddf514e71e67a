/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The Huffman literal decoder of huffman.ts as WebAssembly functions on the shared memory
 * (src/wasm/heap.ts): 1 and 4 streams, single-symbol table. Mirrors
 * `HUF_decompress4X1_usingDTable_internal_fast_c_loop` and `HUF_decodeStreamX1`
 * (lib/decompress/huf_decompress.c of facebook/zstd): a 64-bit container per stream that
 * holds its bits left-aligned above a sentinel 1 bit, so a symbol costs one lookup and one
 * shift, and a reload finds the bits consumed with one count of trailing zeros; the four
 * streams are decoded interleaved, 5 symbols each per reload (4 when the code is 12 bits
 * long; up to 10 for shorter codes, see symbolsPerReload), while no bound can be reached,
 * then each stream's last symbols one by one. The
 * single-symbol table is split into a byte of code length and a byte of symbol per cell,
 * built here from the tree's weights (buildSplit); the 4-stream loop has one function per
 * table log, so that its shift is a constant, and keeps its input positions in memory:
 * both leave the registers to the containers and output positions. Long
 * sections of short codes look up two symbols at once in huffman.ts's pair table, as
 * `HUF_decompress4X2_usingDTable_internal_fast_c_loop` does with its double-symbol table.
 *
 * Memory: nothing of its own. The lookup tables and the streams borrow the sequence
 * executor's table and bitstream areas (sequences-wasm.ts), which that executor fills only
 * after the literals are decoded; the literals go where the executor reads them (LIT_AT),
 * or straight into a literals-only block's output when that lies in the shared memory.
 *
 * Why: in JavaScript each symbol is a typed-array load with its bounds check, a 32-bit
 * container reloaded every two symbols and a store through a DataView; here the four
 * streams run on registers.
 *
 * It does not throw. Reads stay inside the area the streams were copied to (a stream may
 * read bits below its own start: they fill only the lookup's low bits, which a valid
 * stream's codes never depend on); writes stay inside the output. A stream that does not
 * end exactly where its symbols do makes the function return -1, and the caller runs
 * huffman.ts, which names the error: the outcome is the same for every input.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { heapBytes, inHeap, HeapModuleLoader } from '../../wasm/heap.js';
import { HUF_MAX_LOG, type HuffmanTable } from './huffman.js';
import { copyMemory } from '../../copy.js';
import {
  BITSTREAM_AREA_AT,
  BITSTREAM_AREA_END,
  LIT_AT,
  TABLES_AREA_AT,
  TABLES_AREA_END,
  zstdWasmEnabled,
} from './sequences-wasm.js';

/** The lookup table (2-byte cells, symbol << 8 | code length, as huffman.ts and C's HUF_DEltX1). */
const TABLE_AT = TABLES_AREA_AT;
/**
 * The same table split in two, one byte per cell (code lengths, then symbols), for the
 * 4-stream single-symbol loop: the code length that the next lookup waits for is then a
 * byte load at the index itself (no scaling of it, no shift of the cell), and the symbol's
 * load is off that chain. Built here from the weights (buildSplit), over the 2-byte table's place.
 */
const NB_AT = TABLES_AREA_AT;
const SYM_AT = NB_AT + (1 << HUF_MAX_LOG);
/** The tree's weights (HuffmanTable.weights), then 16 rank counters (i32) for buildSplit. */
const WEIGHTS_AT = SYM_AT + (1 << HUF_MAX_LOG);
const RANK_AT = WEIGHTS_AT + 256;
/**
 * The 4-stream single-symbol loop's input positions while it runs: kept in memory rather
 * than in locals, they are read and written once a round per stream (off the chain of
 * lookups, which waits only on the containers); four fewer values for the register
 * allocator, which otherwise spilled containers and output positions to the stack, where
 * each lookup then waited on a reload. Reuses buildSplit's rank counters (done by then).
 */
const IPS_AT = RANK_AT;
/** Where the streams are copied (the jump table first, for 4 streams). */
const IN_AT = BITSTREAM_AREA_AT;
const IN_MAX = BITSTREAM_AREA_END - BITSTREAM_AREA_AT;
/** The two-symbol table (huffman.ts buildPairTable), at the end of the streams' area: 4-byte cells. */
const PAIRS_AT = BITSTREAM_AREA_END - (4 << HUF_MAX_LOG);
/** No read goes below this address: the bound that keeps a corrupt stream's reads in the area. */
const LOWEST = TABLES_AREA_AT;
if (TABLE_AT + (2 << HUF_MAX_LOG) > TABLES_AREA_END || RANK_AT + 64 > TABLES_AREA_END) throw new Error('Huffman table overruns its area of the heap');
if (IN_AT - LOWEST < 16) throw new Error('Huffman streams need room below them');

/** Literal sections shorter than this stay in JavaScript (copying the table costs more than it saves). */
const WASM_MIN_SIZE = 128;
/** 4-stream sections at least this long, averaging at most PAIRS_MAX_BITS_PER_LOG16 / 16 of the table log per symbol, use the two-symbol table. */
const PAIRS_MIN_SIZE = 4096;
const PAIRS_MAX_BITS_PER_LOG16 = 10;

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

/**
 * One function: `streams` streams (1 or 4), `perReload` symbols per stream between reloads
 * (5 when the code length is at most 11, 4 for 12, more for shorter codes in the 4-stream
 * single-symbol functions, see symbolsPerReload: at most 62 bits are consumed between
 * two reloads, so the sentinel never leaves the container).
 *
 * Parameters: the stream starts (each stream ends where the next starts), the end of the
 * last stream, the output position, the literal count, the table log. Returns 0, or -1.
 */
function decodeBody(streams: 1 | 4, perReload: number, pairs: boolean, fixedLog = 0): FunctionBody {
  // Single-symbol lookups read the split table; pair lookups the 2-byte one, from which
  // the two-symbol table is built.
  const split = !pairs;
  // The 4-stream single-symbol loop keeps its input positions in memory (see IPS_AT).
  const ipMem = streams === 4 && !pairs;
  let n = 0;
  const ST: number[] = [];
  for (let s = 0; s < streams; s++) ST.push(n++);
  const END = n++, OUT = n++, SIZE = n++, LOG = n++;
  const params = n;
  const IP: number[] = [];
  const OP: number[] = [];
  const OE: number[] = [];
  for (let s = 0; s < streams; s++) {
    IP.push(n++);
    OP.push(n++);
    OE.push(n++);
  }
  const E = n++, T = n++, BC = n++, NP = n++, ITERS = n++, OLIMIT = n++, SEG = n++;
  const i32s = n - params;
  const B: number[] = [];
  for (let s = 0; s < streams; s++) B.push(n++);
  const SH = n++, C = n++;
  const i64s = n - params - i32s;
  const last = streams - 1;
  // The shift that brings the next `log` bits down: a constant in the functions made for one
  // table log, which frees the count register (x64 shifts by a variable count only through
  // cl, which every lookup's code length also needs).
  const shiftBy: Code = fixedLog > 0 ? op.i64(64 - fixedLog) : get(SH);
  const streamEnd = (s: number): Code => (s < last ? get(ST[s + 1]!) : get(END));

  const c: Code = [];
  // Output segments: (size + 3) / 4 bytes each, the last one the rest (RFC 8878 §4.2.2).
  c.push(...(streams === 4 ? code(get(SIZE), k(3), op.add(), k(2), op.shrU()) : get(SIZE)), ...set(SEG));
  for (let s = 0; s < streams; s++) {
    c.push(...get(OUT), ...(s === 0 ? [] : code(get(SEG), k(s), op.mul(), op.add())), ...set(OP[s]!));
    c.push(...(s < last ? code(get(OP[s]!), get(SEG), op.add()) : code(get(OUT), get(SIZE), op.add())), ...set(OE[s]!));
  }
  c.push(...k(64), ...get(LOG), ...op.sub(), ...op.extendU(), ...set(SH));
  // BIT_initDStream: the container is the stream's last 8 bytes; the end marker (the last
  // byte's highest set bit) and the zeros above it are consumed. A stream shorter than 8
  // bytes reads bytes below its start as its low bits, which it never consumes when valid.
  for (let s = 0; s < streams; s++) {
    c.push(
      ...streamEnd(s), ...k(1), ...op.sub(), ...op.load8(), ...tee(T), ...op.eqz(), ...op.if(), ...k(-1), ...op.return(), ...op.end(),
      ...streamEnd(s), ...k(8), ...op.sub(), ...tee(IP[s]!), ...op.load64(), ...op.i64(1), ...op.i64Or(),
      ...get(T), ...op.clz(), ...k(23), ...op.sub(), ...op.extendU(), ...op.i64Shl(), ...set(B[s]!),
    );
  }

  // The fast loop: `iters` rounds can run without a check when stream `last` has output for
  // them and stream 0 has input for them (a round consumes at most 62 bits, 7 bytes; the
  // other streams lie above stream 0 and move no faster, as long as none has crossed the
  // one before it, which only a corrupt input makes happen).
  const decodeSymbol = (s: number, j: number): Code => code(
    get(B[s]!), shiftBy, op.i64ShrU(), op.wrap(), tee(NP), op.load8(NB_AT), set(E),
    get(OP[s]!), get(NP), op.load8(SYM_AT), op.store8(j),
    get(B[s]!), get(E), op.extendU(), op.i64Shl(), set(B[s]!),
  );
  const reloadSentinel = (s: number): Code => code(
    get(B[s]!), op.i64Ctz(), op.wrap(), set(T),
    get(IP[s]!), get(T), k(3), op.shrU(), op.sub(), tee(IP[s]!),
    op.load64(), op.i64(1), op.i64Or(), get(T), k(7), op.and(), op.extendU(), op.i64Shl(), set(B[s]!),
    pairs ? [] : code(get(OP[s]!), k(perReload), op.add(), set(OP[s]!)),
  );
  // HUF_4X2_DECODE_SYMBOL: up to two symbols per lookup, written as one 16-bit store (a
  // lone symbol's second byte is overwritten by the next store or left to the tail); each
  // stream's output moves at its own pace.
  const decodePair = (s: number): Code => code(
    get(B[s]!), shiftBy, op.i64ShrU(), op.wrap(), k(2), op.shl(), op.load32(PAIRS_AT), set(E),
    get(OP[s]!), get(E), op.store16(),
    get(OP[s]!), get(E), k(24), op.shrU(), op.add(), set(OP[s]!),
    get(B[s]!), get(E), k(16), op.shrU(), op.extendU(), op.i64Shl(), set(B[s]!),
  );
  const round: Code = [];
  for (let j = 0; j < perReload; j++) for (let s = 0; s < streams; s++) round.push(...(pairs ? decodePair(s) : decodeSymbol(s, j)));
  for (let s = 0; s < streams; s++) {
    round.push(...(ipMem ? code(
      get(B[s]!), op.i64Ctz(), op.wrap(), set(T),
      k(0), op.load32(IPS_AT + 4 * s), get(T), k(3), op.shrU(), op.sub(), set(NP),
      k(0), get(NP), op.store32(IPS_AT + 4 * s),
      get(NP), op.load64(), op.i64(1), op.i64Or(), get(T), k(7), op.and(), op.extendU(), op.i64Shl(), set(B[s]!),
      pairs ? [] : code(get(OP[s]!), k(perReload), op.add(), set(OP[s]!)),
    ) : reloadSentinel(s)));
  }
  const ipsOut: Code = [];
  const ipsIn: Code = [];
  if (ipMem) {
    for (let s = 0; s < streams; s++) {
      ipsOut.push(...k(0), ...get(IP[s]!), ...op.store32(IPS_AT + 4 * s));
      ipsIn.push(...k(0), ...op.load32(IPS_AT + 4 * s), ...set(IP[s]!));
    }
  }
  // Rounds that fit: in stream 0's input (7 bytes a round), and in every stream's output
  // (perReload bytes a round, or up to twice that with pairs).
  c.push(
    ...op.block(), ...op.loop(),
    ...get(IP[0]!), ...k(LOWEST), ...op.sub(), ...k(7), ...op.divU(), ...set(ITERS),
  );
  for (let s = pairs ? 0 : last; s < streams; s++) {
    c.push(
      ...get(OE[s]!), ...get(OP[s]!), ...op.sub(), ...k(pairs ? 2 * perReload : perReload), ...op.divU(), ...set(T),
      ...get(ITERS), ...get(T), ...get(ITERS), ...get(T), ...op.ltU(), ...op.select(), ...set(ITERS),
    );
  }
  c.push(...get(ITERS), ...op.eqz(), ...op.brIf(1));
  if (streams === 4) {
    c.push(
      ...get(IP[1]!), ...get(IP[0]!), ...op.ltU(), ...get(IP[2]!), ...get(IP[1]!), ...op.ltU(), ...op.or(),
      ...get(IP[3]!), ...get(IP[2]!), ...op.ltU(), ...op.or(),
      ...op.if(), ...k(-1), ...op.return(), ...op.end(),
    );
  }
  // Stream `last` writes at least perReload bytes a round: once it passes OLIMIT, at most
  // ITERS rounds have run.
  c.push(
    ...get(OP[last]!), ...get(ITERS), ...k(perReload), ...op.mul(), ...op.add(), ...set(OLIMIT),
    ...ipsOut,
    ...op.loop(),
    ...round,
    ...get(OP[last]!), ...get(OLIMIT), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
    ...ipsIn,
    ...op.br(0),
    ...op.end(), ...op.end(),
  );

  // Each stream's last symbols, one per reload (HUF_decodeStreamX1's tail), with a plain
  // container: `bc` bits of the 8 bytes at IP consumed. Reloads stop at LOWEST; past it a
  // corrupt stream decodes garbage, and the check below refuses it.
  for (let s = 0; s < streams; s++) {
    c.push(
      ...get(B[s]!), ...op.i64Ctz(), ...op.wrap(), ...set(BC),
      ...op.block(), ...op.loop(),
      ...get(OP[s]!), ...get(OE[s]!), ...op.geU(), ...op.brIf(1),
      ...get(IP[s]!), ...get(BC), ...k(3), ...op.shrU(), ...op.sub(), ...set(NP),
      ...get(NP), ...k(LOWEST), ...op.ltS(), ...op.if(), ...k(LOWEST), ...set(NP), ...op.end(),
      ...get(BC), ...get(IP[s]!), ...get(NP), ...op.sub(), ...k(3), ...op.shl(), ...op.sub(), ...set(BC),
      ...get(NP), ...tee(IP[s]!), ...op.load64(), ...set(C),
      ...get(C), ...get(BC), ...op.extendU(), ...op.i64Shl(), ...shiftBy, ...op.i64ShrU(), ...op.wrap(),
      ...(split ? code(tee(T), op.load8(SYM_AT), k(8), op.shl(), get(T), op.load8(NB_AT), op.or()) : code(k(1), op.shl(), op.load16U(TABLE_AT))),
      ...set(E),
      ...get(OP[s]!), ...get(E), ...k(8), ...op.shrU(), ...op.store8(),
      ...get(BC), ...get(E), ...k(255), ...op.and(), ...op.add(), ...set(BC),
      ...get(OP[s]!), ...k(1), ...op.add(), ...set(OP[s]!),
      ...op.br(0),
      ...op.end(), ...op.end(),
      // BIT_endOfDStream: every bit of the stream read, no more: (IP - start) * 8 + 64 - bc unread.
      ...get(IP[s]!), ...get(ST[s]!), ...op.sub(), ...k(3), ...op.shl(), ...k(64), ...op.add(), ...get(BC), ...op.sub(),
      ...op.if(), ...k(-1), ...op.return(), ...op.end(),
    );
  }
  c.push(...k(0));
  return { params: Array<number>(params).fill(I32), result: I32, locals: [[i32s, I32], [i64s, I64]], code: c };
}

/**
 * pairs(log): the two-symbol table at PAIRS_AT from the lookup table at TABLE_AT, as
 * huffman.ts's buildPairTable fills HuffmanTable.pairs (its twin): for each `log` bits, the
 * first code's entry, then a second lookup on the bits left after it.
 */
function pairsBody(): FunctionBody {
  const LOG = 0, SIZE = 1, MASK = 2, V = 3, E1 = 4, N1 = 5, E2 = 6, N2 = 7;
  return {
    params: [I32],
    result: null,
    locals: [[7, I32]],
    code: code(
      k(1), get(LOG), op.shl(), tee(SIZE), k(1), op.sub(), set(MASK),
      k(0), set(V),
      op.loop(),
      get(V), k(1), op.shl(), op.load16U(TABLE_AT), tee(E1), k(255), op.and(), set(N1),
      get(V), get(N1), op.shl(), get(MASK), op.and(), k(1), op.shl(), op.load16U(TABLE_AT), tee(E2), k(255), op.and(), set(N2),
      get(V), k(2), op.shl(),
      // Both codes in the `log` bits: s1 | s2 << 8 | (n1 + n2) << 16 | 2 << 24; else s1 | n1 << 16 | 1 << 24.
      get(E1), k(8), op.shrU(), get(E2), k(0xff00), op.and(), op.or(), get(N1), get(N2), op.add(), k(16), op.shl(), op.or(), k(2 << 24), op.or(),
      get(E1), k(8), op.shrU(), get(N1), k(16), op.shl(), op.or(), k(1 << 24), op.or(),
      get(N2), get(LOG), get(N1), op.sub(), op.leS(), op.select(),
      op.store32(PAIRS_AT),
      get(V), k(1), op.add(), tee(V), get(SIZE), op.ltU(), op.brIf(0),
      op.end(),
    ),
  };
}

/**
 * buildSplit(log, symbols): the split table at NB_AT / SYM_AT from the weights at
 * WEIGHTS_AT, as huffman.ts's fillHuffmanCells lays out the 2-byte one (its twin): runs of
 * 2^(weight - 1) cells, by increasing weight, then symbol (HUF_readDTableX1_wksp). Each run
 * is written with stores of exactly its length (1, 2, 4 bytes, or 8 at a time), since the
 * runs are not written in table order. The weights are checked ones (huffman.ts refuses
 * the others before this runs), so the runs end within 2^log cells.
 */
function buildSplitBody(): FunctionBody {
  const LOG = 0, SYMBOLS = 1;
  const S = 2, W = 3, LEN = 4, FROM = 5, POS = 6, T = 7, NBV = 8, I = 9, END = 10, A = 11;
  const X = 12, Y = 13;
  const bytes8 = op.i64Big(0x0101010101010101n);
  const c: Code = [];
  for (let w = 0; w < 16; w++) c.push(...k(RANK_AT + 4 * w), ...k(0), ...op.store32());
  // Counts per weight.
  c.push(
    ...k(0), ...set(S),
    ...op.loop(),
    ...get(S), ...op.load8(WEIGHTS_AT), ...k(2), ...op.shl(), ...tee(A), ...get(A), ...op.load32(RANK_AT), ...k(1), ...op.add(), ...op.store32(RANK_AT),
    ...get(S), ...k(1), ...op.add(), ...tee(S), ...get(SYMBOLS), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
  );
  // Where each weight's runs start.
  c.push(
    ...k(0), ...set(POS), ...k(1), ...set(W),
    ...op.loop(),
    ...get(W), ...k(2), ...op.shl(), ...tee(A), ...op.load32(RANK_AT), ...set(T),
    ...get(A), ...get(POS), ...op.store32(RANK_AT),
    ...get(POS), ...get(T), ...get(W), ...k(1), ...op.sub(), ...op.shl(), ...op.add(), ...set(POS),
    ...get(W), ...k(1), ...op.add(), ...tee(W), ...get(LOG), ...op.leU(), ...op.brIf(0),
    ...op.end(),
  );
  // Each symbol's run.
  c.push(
    ...k(0), ...set(S),
    ...op.loop(),
    ...get(S), ...op.load8(WEIGHTS_AT), ...tee(W), ...op.if(),
    ...k(1), ...get(W), ...k(1), ...op.sub(), ...op.shl(), ...set(LEN),
    ...get(W), ...k(2), ...op.shl(), ...tee(A), ...op.load32(RANK_AT), ...set(FROM),
    ...get(A), ...get(FROM), ...get(LEN), ...op.add(), ...op.store32(RANK_AT),
    ...get(LOG), ...k(1), ...op.add(), ...get(W), ...op.sub(), ...set(NBV),
    ...get(LEN), ...k(8), ...op.geU(), ...op.if(),
    ...get(NBV), ...op.extendU(), ...bytes8, ...op.i64Mul(), ...set(X),
    ...get(S), ...op.extendU(), ...bytes8, ...op.i64Mul(), ...set(Y),
    ...get(FROM), ...set(I), ...get(FROM), ...get(LEN), ...op.add(), ...set(END),
    ...op.loop(),
    ...get(I), ...get(X), ...op.store64(NB_AT),
    ...get(I), ...get(Y), ...op.store64(SYM_AT),
    ...get(I), ...k(8), ...op.add(), ...tee(I), ...get(END), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
    ...op.else(),
    ...get(LEN), ...k(4), ...op.eq(), ...op.if(),
    ...get(FROM), ...get(NBV), ...k(0x01010101), ...op.mul(), ...op.store32(NB_AT),
    ...get(FROM), ...get(S), ...k(0x01010101), ...op.mul(), ...op.store32(SYM_AT),
    ...op.else(),
    ...get(LEN), ...k(2), ...op.eq(), ...op.if(),
    ...get(FROM), ...get(NBV), ...k(0x0101), ...op.mul(), ...op.store16(NB_AT),
    ...get(FROM), ...get(S), ...k(0x0101), ...op.mul(), ...op.store16(SYM_AT),
    ...op.else(),
    ...get(FROM), ...get(NBV), ...op.store8(NB_AT),
    ...get(FROM), ...get(S), ...op.store8(SYM_AT),
    ...op.end(),
    ...op.end(),
    ...op.end(),
    ...op.end(),
    ...get(S), ...k(1), ...op.add(), ...tee(S), ...get(SYMBOLS), ...op.ltU(), ...op.brIf(0),
    ...op.end(),
  );
  return { params: [I32, I32], result: null, locals: [[A - S + 1, I32], [2, I64]], code: c };
}

type Decode4 = (s1: number, s2: number, s3: number, s4: number, end: number, out: number, size: number, log: number) => number;
type Decode1 = (s1: number, end: number, out: number, size: number, log: number) => number;

/**
 * The module's bytes: 4 streams with the two-symbol table (`x4pairs`, `x4pairslong`: codes
 * up to 11 and 12 bits), 1 stream (`x1`, `x1long`), the table builders (`pairs`,
 * `buildSplit`), and 4 streams with the split table, one function per table log (`x4log1`
 * to `x4log12`).
 */
export function huffmanModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [
      decodeBody(4, 5, true), decodeBody(4, 4, true), decodeBody(1, 5, false), decodeBody(1, 4, false), pairsBody(), buildSplitBody(),
      ...X4_LOGS.map((log) => decodeBody(4, symbolsPerReload(log), false, log)),
    ],
    ['x4pairs', 'x4pairslong', 'x1', 'x1long', 'pairs', 'buildSplit', ...X4_LOGS.map((log) => `x4log${log}`)],
    Math.ceil(BITSTREAM_AREA_END / 65536),
  );
}

/**
 * Symbols per stream between reloads for codes of at most `log` bits: at least 55 bits lie
 * above the sentinel after a reload (at most 7 of the 64 loaded were consumed already) and
 * after the stream's start (at most 8: the end marker and the zeros above it), so up to
 * 55 / log lookups fit (C's fast loop takes 5 for every log up to 11); at most 10, to bound
 * the code.
 */
function symbolsPerReload(log: number): number {
  return Math.min(10, Math.floor(55 / log));
}

/** Table logs of the 4-stream single-symbol functions, one function each (see decodeBody's shiftBy). */
const X4_LOGS = Array.from({ length: HUF_MAX_LOG }, (_, i) => i + 1);
/** Indexed by table log. */
const x4ByLog: Decode4[] = [];
let x4pairs: Decode4 | null = null;
let x4pairslong: Decode4 | null = null;
let x1: Decode1 | null = null;
let x1long: Decode1 | null = null;
let buildPairs: ((log: number) => void) | null = null;
let buildSplit: ((log: number, symbols: number) => void) | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  for (const log of X4_LOGS) x4ByLog[log] = exportsObject[`x4log${log}`] as Decode4;
  x4pairs = exportsObject['x4pairs'] as Decode4;
  x4pairslong = exportsObject['x4pairslong'] as Decode4;
  x1 = exportsObject['x1'] as Decode1;
  x1long = exportsObject['x1long'] as Decode1;
  buildPairs = exportsObject['pairs'] as (log: number) => void;
  buildSplit = exportsObject['buildSplit'] as (log: number, symbols: number) => void;
}

const loader = new HeapModuleLoader(huffmanModuleBytes, instantiate);

/** Whether literals may go to the WebAssembly decoder (compiling it on first ask). */
export function wasmHuffmanReady(): boolean {
  return zstdWasmEnabled() && loader.loaded();
}

/** Literal sections the WebAssembly decoder decoded and gave back to huffman.ts (for tests and benchmarks). */
export const huffmanWasmCounts = { decoded: 0, rejected: 0, pairs: 0 };

let tableView = new Uint16Array(0);
/** The heapBytes() view tableView was made for (heapBytes() gives a new one only when the memory grows). */
let tableOf: Uint8Array | null = null;

/**
 * The two-symbol table of `table` as the WebAssembly builder makes it in the shared memory
 * (a copy), or null when the module is not ready: for tests against huffman.ts's
 * buildPairTable.
 */
export function heapPairTable(table: HuffmanTable): Int32Array | null {
  if (!wasmHuffmanReady()) return null;
  const heap = heapBytes();
  if (heap !== tableOf) {
    tableView = new Uint16Array(heap.buffer);
    tableOf = heap;
  }
  tableView.set(table.cells.subarray(0, 1 << table.log), TABLE_AT >>> 1);
  buildPairs!(table.log);
  return new Int32Array(heap.buffer, PAIRS_AT, 1 << table.log).slice();
}

/** Where buildSplit writes: the two tables, then its scratch (the weights and rank counters); for tests. */
export const SPLIT_TABLE_LAYOUT = { nbAt: NB_AT, symAt: SYM_AT, scratchAt: WEIGHTS_AT, scratchEnd: RANK_AT + 64 } as const;

/**
 * The split table of `table` as the WebAssembly builder lays it out in the shared memory
 * (copies of its 2^log code lengths and symbols), or null when the module is not ready:
 * for tests against huffman.ts's 2-byte cells.
 */
export function heapSplitTable(table: HuffmanTable): { nb: Uint8Array; sym: Uint8Array } | null {
  if (!wasmHuffmanReady()) return null;
  const heap = heapBytes();
  heap.set(table.weights, WEIGHTS_AT);
  buildSplit!(table.log, table.symbols);
  const size = 1 << table.log;
  return { nb: heap.slice(NB_AT, NB_AT + size), sym: heap.slice(SYM_AT, SYM_AT + size) };
}

/**
 * Decode Huffman-coded literals src[start, end) (the jump table and 4 streams, or 1
 * stream) with `table` into the shared memory at [at, at + size). Returns false, having
 * written nothing outside that window, when the input is not exactly valid or its layout
 * is one huffman.ts refuses: the caller then runs huffman.ts on the same input.
 */
export function decodeHuffmanIntoHeap(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  streams4: boolean,
  at: number,
  size: number,
): boolean {
  const n = end - start;
  if (n <= 0 || n > IN_MAX || src[end - 1] === 0) return false;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  if (streams4) {
    // The same layout checks as decodeHuffman4Streams.
    if (n < 10 || size < 6) return false;
    const n1 = src[start]! | (src[start + 1]! << 8);
    const n2 = src[start + 2]! | (src[start + 3]! << 8);
    const n3 = src[start + 4]! | (src[start + 5]! << 8);
    s2 = 6 + n1;
    s3 = s2 + n2;
    s4 = s3 + n3;
    if (n1 === 0 || n2 === 0 || n3 === 0 || s4 >= n) return false;
  }
  const log = table.log;
  // Pairs pay when two codes often fit in one lookup: short codes on average (HUF_selectDecoder
  // weighs the same ratio of input to output bits).
  const pairs = streams4 && size >= PAIRS_MIN_SIZE && IN_AT + n <= PAIRS_AT && 128 * n <= PAIRS_MAX_BITS_PER_LOG16 * log * size;
  const heap = heapBytes();
  // The window may not cover the tables or the streams.
  const used = pairs ? BITSTREAM_AREA_END : IN_AT + n;
  if (at < 0 || at + size > heap.length || (at + size > TABLE_AT && at < used)) return false;
  copyMemory(src, start, heap, IN_AT, end - start);
  const long = log > 11;
  if (pairs) {
    if (heap !== tableOf) {
      tableView = new Uint16Array(heap.buffer);
      tableOf = heap;
    }
    tableView.set(table.cells.subarray(0, 1 << log), TABLE_AT >>> 1);
    // The two-symbol table is built where it is read, from the lookup table just copied.
    buildPairs!(log);
  } else {
    // The split table, built here from the weights (huffman.ts's 2-byte cells are then
    // never laid out for this tree).
    heap.set(table.weights, WEIGHTS_AT);
    buildSplit!(log, table.symbols);
  }
  const result = streams4
    ? (pairs ? (long ? x4pairslong! : x4pairs!) : x4ByLog[log]!)(IN_AT + 6, IN_AT + s2, IN_AT + s3, IN_AT + s4, IN_AT + n, at, size, log)
    : (long ? x1long! : x1!)(IN_AT, IN_AT + n, at, size, log);
  if (result !== 0) {
    huffmanWasmCounts.rejected++;
    return false;
  }
  huffmanWasmCounts.decoded++;
  if (pairs) huffmanWasmCounts.pairs++;
  return true;
}

/**
 * Decode Huffman-coded literals into out[op, op + size) with WebAssembly when it is ready
 * and worth it: in place when `out` is the shared memory (the sequence executor's literals,
 * or a literals-only block's output), else through the executor's literals area. Returns
 * false when the caller must run huffman.ts (which then names the error, if any).
 */
export function decodeHuffmanLiteralsWasm(
  table: HuffmanTable,
  src: Uint8Array,
  start: number,
  end: number,
  streams4: boolean,
  out: Uint8Array,
  op: number,
  size: number,
): boolean {
  if (size < WASM_MIN_SIZE || !wasmHuffmanReady() || inHeap(src)) return false;
  if (inHeap(out)) return decodeHuffmanIntoHeap(table, src, start, end, streams4, out.byteOffset + op, size);
  if (!decodeHuffmanIntoHeap(table, src, start, end, streams4, LIT_AT, size)) return false;
  out.set(heapBytes().subarray(LIT_AT, LIT_AT + size), op);
  return true;
}
