/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The sequence loop of sequences.ts as a WebAssembly function on the shared memory
 * (src/wasm/heap.ts): decode each (literal length, match length, offset) triple from the
 * bitstream and execute it, for blocks whose output, literals and bitstream all sit in
 * that memory. Mirrors `ZSTD_decodeSequence` and `ZSTD_execSequence` (lib/decompress/
 * zstd_decompress_block.c of facebook/zstd), with a 64-bit bit container and 16-byte
 * copies as there, and decodes up to SEQUENCE_BATCH sequences before it executes them
 * (as ZSTD_decompressSequencesLong_body does, there to prefetch): two loops, each with
 * fewer values live than one loop doing both, so that fewer of them go to the stack.
 *
 * Why: in JavaScript every typed-array access of the loop carries a bounds check and an
 * index conversion, and the match copy from just-written output goes through 32-bit words;
 * here the copies are one 8- or 16-byte move for the common shapes and the loop runs on
 * registers. It does not throw: any sequence it cannot prove valid makes it return -1, and
 * the caller runs the block again with the JavaScript loop, which names the error (or
 * handles the case, e.g. a match into a dictionary). The checks below are what keep every
 * access inside the memory whatever the input.
 */
import { type Code, type FunctionBody, I32, I64, V128, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ZSTD_AT, ZSTD_SIZE, heapBytes, HeapModuleLoader } from '../../wasm/heap.js';
import { BLOCK_SIZE_LIMIT } from './frame.js';
import { FSE_AREA_AT, FSE_LL, FSE_ML, FSE_OF, T_LL, T_ML, T_OF, placeFseTable } from './fse-wasm.js';
import type { SequenceState } from './sequences.js';
import { copyMemory } from '../../copy.js';

/**
 * The executor's area of the shared memory. Its FSE tables are at T_LL, T_ML and T_OF, in
 * the area of fse-wasm.ts (which builds them there); the first bytes are the Huffman
 * decoder's (see TABLES_AREA_AT).
 */
const HUF_TABLE_AT = ZSTD_AT;
const HUF_TABLE_END = HUF_TABLE_AT + 10240;
/**
 * For offsets 1..15 (64 bytes each, at offset * 64): the byte indices j mod offset
 * (j = 0..63) that spread a match's period over its first 64 bytes, 16 at a time, for
 * i8x16.swizzle.
 */
const PATTERN = HUF_TABLE_END;
/** For offsets 1..15: the largest multiple of the offset that is at most 64. */
const STRIDE64 = PATTERN + 16 * 64;
/** For offsets 1..15 and 1..127: the smallest multiple of the offset that is at least 16, at least 128. */
const PERIOD16 = STRIDE64 + 16;
const PERIOD128 = PERIOD16 + 16;
/**
 * In: rep0, rep1, rep2. Out: the same, then the literal position after the last sequence. At 16: the batch size.
 * At 20..31: the executor's FSE states, stored and never read (see the state updates). At 32:
 * whether the block's matches were copied wide (see the prologue), for sequencesWasmCounts.
 */
const CTRL = PERIOD128 + 128;
/**
 * 8 spare bytes, then a block's sequence bitstream (a stream shorter than 8 bytes is placed
 * above zeros that make it 8; see executeSequencesWasm).
 */
const BITS_PAD = CTRL + 64;
const BITS_AT = BITS_PAD + 8;
/**
 * Lent to the Huffman literal decoder (huffman-wasm.ts), which runs before the executor
 * copies its bitstream in: the table area (the Huffman decoder's alone) for its lookup
 * table, the bitstream area for the literals' Huffman streams.
 */
export const TABLES_AREA_AT = HUF_TABLE_AT;
export const TABLES_AREA_END = HUF_TABLE_END;
export const BITSTREAM_AREA_AT = BITS_AT;
export const BITSTREAM_AREA_END = BITS_AT + BLOCK_SIZE_LIMIT + 8;
/** A block's literals, with 64 bytes of slack for 16-byte reads past their end. */
export const LIT_AT = (BITS_AT + BLOCK_SIZE_LIMIT + 8 + 63) & ~63;
const LIT_END = LIT_AT + BLOCK_SIZE_LIMIT + 64;
/**
 * Sequences decoded and not yet executed (at most SEQUENCE_BATCH at a time): literal
 * length, match length, offset, i32 each.
 */
export const SEQUENCE_BATCH = 320;
const BATCH = SEQUENCE_BATCH;
const SEQ_AT = LIT_END;
const SEQ_END = SEQ_AT + 12 * BATCH;
if (SEQ_END > FSE_AREA_AT) throw new Error('zstd executor overruns its area of the heap');

/** Fast-path sequences keep this many bytes before the frame's end (they may write up to 63 bytes past a match). */
const SLACK = 64;

// Parameters and locals of the function.
// The bitstream always starts at BITS_AT and the batch always ends at SEQ_END (see
// executeSequencesWasm and the batch loop): constants, which the loops then need no
// register for.
const PTR = 0, BC = 1, LIT = 2, LITEND = 3, OP = 4, LIMIT = 5, WIN = 6, SAFE = 7, N = 8, LOGS = 9, PADBITS = 10;
const PARAMS = 11;
const LLS = 11, MLS = 12, OFS = 13, REP0 = 14, REP1 = 15, REP2 = 16, WIDE = 17, LLEXTRA = 20, MLEXTRA = 21;
const LLBASE = 22, OFCODE = 23, OFBITS = 24, ML = 25, LL = 26, OFFSET = 27, TO = 28, M = 29, I = 30, NP = 31, TMP = 32;
const C = 33;
const D1 = 34, D2 = 35, P = 36, Q = 37, SP = 38, SQ = 39;
const S = 40, V = 41, W = 42, V2 = 43, V3 = 44;

const get = op.get;
const set = op.set;
const k = op.i32;

/** The next `n` bits of the stream (n = 0..31, given by `n`'s code), as an i32; does not consume them. */
function peek(n: Code): Code {
  return code(get(C), get(BC), op.extendU(), op.i64Shl(), op.i64(1), op.i64ShrU(), k(63), n, op.sub(), op.extendU(), op.i64ShrU(), op.wrap());
}

/** Consume `n` bits. */
function skip(n: Code): Code {
  return code(get(BC), n, op.add(), set(BC));
}

/** local = base + the next `n` bits. */
function readInto(local: number, base: Code, n: Code): Code {
  return code(base, peek(n), op.add(), set(local), skip(n));
}

/**
 * Refill the container: move back by the whole bytes consumed and load 64 bits; near the
 * stream start, move back only to the start (BIT_reloadDStream in lib/common/bitstream.h:
 * the fast case, BIT_reloadDStreamFast, behind a branch the processor predicts, so that
 * the clamp is off the bit position's dependency chain). At least 57 bits are then
 * unread, except near the start.
 */
const reload: Code = code(
  get(PTR), get(BC), k(3), op.shrU(), op.sub(), op.tee(NP), k(BITS_AT), op.geS(), op.if(),
  get(NP), set(PTR), get(BC), k(7), op.and(), set(BC),
  op.else(),
  get(BC), get(PTR), k(BITS_AT), op.sub(), k(3), op.shl(), op.sub(), set(BC), k(BITS_AT), set(PTR),
  op.end(),
  get(PTR), op.load64(), set(C),
);

/** `while (i < limit) { body; i += step }` with i starting at `from`; runs body at least once. */
function copyLoop(from: number, limit: number, step: number, body: Code): Code {
  return code(
    k(from), set(I),
    op.loop(),
    body,
    get(I), k(step), op.add(), op.tee(I), get(limit), op.ltS(), op.brIf(0),
    op.end(),
  );
}

/** `while (i < limit) { body; i += step }`, i as it is. */
function whileLoop(limit: number, step: number, body: Code): Code {
  return code(
    op.block(), op.loop(),
    get(I), get(limit), op.geS(), op.brIf(1),
    body,
    get(I), k(step), op.add(), set(I),
    op.br(0),
    op.end(), op.end(),
  );
}

/**
 * Match bytes from `i` to ML, read from `distance` (a local, at least 64; best 128 or
 * more) bytes back: 64 bytes per step while a whole step fits, then 16.
 */
function farCopy(distance: number): Code {
  const move = (at: number): Code => code(get(P), get(Q), op.load(at), op.store(at));
  return code(
    op.block(), op.loop(),
    get(I), k(64), op.add(), get(ML), op.gtS(), op.brIf(1),
    get(TO), get(I), op.add(), op.tee(P), get(distance), op.sub(), set(Q),
    move(0), move(16), move(32), move(48),
    get(I), k(64), op.add(), set(I),
    op.br(0),
    op.end(), op.end(),
    whileLoop(ML, 16, code(get(TO), get(I), op.add(), get(TO), get(I), op.add(), get(distance), op.sub(), op.load(), op.store())),
  );
}

/**
 * The rest of an overlapping match from byte 16 on, with its first 16 bytes written and
 * D1 a multiple of the offset of at least 16. The output repeats with any multiple of the
 * offset as its period, so each 16-byte move may read from D1 bytes back; but a load of
 * bytes stored a moment ago waits for those stores (measured: 5.7 GB/s reading 16 bytes
 * back, 23 GB/s at 64, 41 GB/s at 128), so once 128 bytes are out the moves read from
 * D2 >= 128 bytes back.
 */
const overlappingTail: Code = code(
  get(OFFSET), op.load8(PERIOD128), set(D2),
  get(ML), get(D2), get(ML), get(D2), op.ltS(), op.select(), set(TMP),
  k(16), set(I),
  whileLoop(TMP, 16, code(get(TO), get(I), op.add(), get(TO), get(I), op.add(), get(D1), op.sub(), op.load(), op.store())),
  farCopy(D2),
);

/** `while (i + step <= limit) { body; i += step }`, i as it is. */
function exactLoop(limit: number, step: number, body: Code): Code {
  return code(
    op.block(), op.loop(),
    get(I), k(step), op.add(), get(limit), op.gtS(), op.brIf(1),
    body,
    get(I), k(step), op.add(), set(I),
    op.br(0),
    op.end(), op.end(),
  );
}

/** Return -1 when the i32 on the stack is negative. */
const failIfNegative: Code = code(k(0), op.ltS(), op.if(), k(-1), op.return(), op.end());

function executorBody(): FunctionBody {
  const c: Code = [];
  // Repeat offsets in.
  c.push(...k(CTRL), ...op.load32(0), ...set(REP0), ...k(CTRL), ...op.load32(4), ...set(REP1), ...k(CTRL), ...op.load32(8), ...set(REP2));
  c.push(...op.get(PTR), ...op.load64(), ...set(C));
  // The fast path's end: below the frame's end by the overshoot (SAFE) and below LIMIT.
  c.push(...get(LIMIT), ...get(SAFE), ...get(LIMIT), ...get(SAFE), ...op.ltS(), ...op.select(), ...set(SAFE));
  // Initial states: literal lengths, offsets, match lengths (at most 8 + 9 + 8 + 9 bits).
  const llLog = code(get(LOGS), k(255), op.and());
  const ofLog = code(get(LOGS), k(8), op.shrU(), k(255), op.and());
  const mlLog = code(get(LOGS), k(16), op.shrU());
  c.push(...readInto(LLS, k(0), llLog), ...readInto(OFS, k(0), ofLog), ...readInto(MLS, k(0), mlLog));
  c.push(...get(LLS), ...k(3), ...op.shl(), ...set(LLS), ...get(OFS), ...k(3), ...op.shl(), ...set(OFS), ...get(MLS), ...k(3), ...op.shl(), ...set(MLS));
  // WIDE: whether the fast path writes the first 32 bytes of each match before it tests
  // the length, or 16. A test of the length against 16 is a coin toss on some data
  // (sensor_f4: 51 % of its matches are up to 16 bytes long, 39 % 17 to 32), and each
  // wrong guess costs more than a second 16-byte move; on others it is always right
  // (poisson_i4: no match over 16 bytes), and there the second move only costs. The
  // share of the match-length table's states whose length is over 16 (its baseline: no
  // code with a baseline of 16 or less has extra bits) is the share of such matches the
  // table codes for: wide when it is between 1/8 and 7/8. The table is read only for a
  // block of at least as many sequences as it has states (blocks of a few sequences,
  // where a wrong guess costs little, would pay more for the read).
  c.push(
    ...k(0), ...set(WIDE),
    ...k(8), ...mlLog, ...op.shl(), ...set(TMP),
    ...get(N), ...k(3), ...op.shl(), ...get(TMP), ...op.geU(), ...op.if(),
    ...k(0), ...set(D1),
    ...copyLoop(0, TMP, 8, code(get(D1), get(I), op.load32(T_ML), k(16), op.gtS(), op.add(), set(D1))),
    ...get(D1), ...k(6), ...op.shl(), ...get(TMP), ...op.geU(),
    ...get(D1), ...k(6), ...op.shl(), ...get(TMP), ...k(7), ...op.mul(), ...op.leU(), ...op.and(), ...set(WIDE),
    ...op.end(),
    ...k(CTRL), ...get(WIDE), ...op.store32(32),
  );

  const seq: Code = [];
  // Table cells (fse.ts): base (i32), then the bytes extraBits, nbBits and the u16
  // nextStateBase, each read where it is needed by a byte load (no shifts and masks, and
  // no packed word kept live across the sequence). A state is kept as its cell's byte
  // offset in its table (state * 8), whose address is in each load's constant offset:
  // no cell address of its own to keep live beside the state.
  const tableOf = (state: number): number => (state === LLS ? T_LL : state === MLS ? T_ML : T_OF);
  const base = (state: number): Code => code(get(state), op.load32(tableOf(state)));
  const extra = (state: number): Code => code(get(state), op.load8(tableOf(state) + 4));
  const nb = (state: number): Code => code(get(state), op.load8(tableOf(state) + 5));
  const next = (state: number): Code => code(get(state), op.load16U(tableOf(state) + 6));
  seq.push(...base(LLS), ...set(LLBASE));
  seq.push(...extra(OFS), ...set(OFCODE));
  // Offset (up to 31) and match length (up to 16) extra bits from one refill; the literal
  // length (16) and the three state updates (9 + 9 + 8) from the same refill when the
  // three extra-bit counts add up to at most 31 (57 bits then suffice), else after a
  // second one (ZSTD_decodeSequence's conditional BIT_reloadDStream).
  seq.push(...reload);
  seq.push(...readInto(OFBITS, k(0), get(OFCODE)));
  seq.push(...extra(MLS), ...set(MLEXTRA), ...extra(LLS), ...set(LLEXTRA));
  // Each value goes to the batch as soon as it is known: a store is not moved, so the
  // value need not be kept (on the stack, as TurboFan would) until the end of the sequence.
  seq.push(...readInto(ML, base(MLS), get(MLEXTRA)), ...get(SP), ...get(ML), ...op.store32(4));
  seq.push(
    ...get(OFCODE), ...get(MLEXTRA), ...op.add(), ...get(LLEXTRA), ...op.add(),
    ...k(31), ...op.gtU(), ...op.if(), ...reload, ...op.end(),
  );
  seq.push(...readInto(LL, get(LLBASE), get(LLEXTRA)), ...get(SP), ...get(LL), ...op.store32(0));

  // Offset: a new one (code > 1) or one of the three repeat offsets (RFC 8878 §3.1.2.5).
  seq.push(
    ...get(OFCODE), ...k(1), ...op.gtU(), ...op.if(),
    ...base(OFS), ...get(OFBITS), ...op.add(), ...set(OFFSET),
    ...get(REP1), ...set(REP2), ...get(REP0), ...set(REP1), ...get(OFFSET), ...set(REP0),
    ...op.else(),
    ...get(OFCODE), ...op.eqz(), ...op.if(),
    ...get(LLBASE), ...op.if(),
    ...get(REP0), ...set(OFFSET),
    ...op.else(),
    ...get(REP1), ...set(OFFSET), ...get(REP0), ...set(REP1), ...get(OFFSET), ...set(REP0),
    ...op.end(),
    ...op.else(),
    // idx = 1 + (ll == 0) + bit: 1 → rep1, 2 → rep2, 3 → rep0 - 1.
    ...k(1), ...get(LLBASE), ...op.eqz(), ...op.add(), ...get(OFBITS), ...op.add(), ...set(TMP),
    ...get(REP0), ...k(1), ...op.sub(),
    ...get(REP1), ...get(REP2), ...get(TMP), ...k(1), ...op.eq(), ...op.select(),
    ...get(TMP), ...k(3), ...op.eq(), ...op.select(), ...set(OFFSET),
    ...get(TMP), ...k(1), ...op.ne(), ...op.if(), ...get(REP1), ...set(REP2), ...op.end(),
    ...get(REP0), ...set(REP1), ...get(OFFSET), ...set(REP0),
    ...op.end(),
    ...op.end(),
  );

  seq.push(...get(SP), ...get(OFFSET), ...op.store32(8));

  // State updates (after the last sequence too: see the final check): literal lengths,
  // match lengths, offsets, in that order from the top of one read of their 26 bits at
  // most (SQ their total; P the bits, taken from the bottom: offsets, then match lengths).
  // Each table's bit count is loaded again where its state is updated (D1), and the new
  // states are stored to CTRL + 20..31 (never read): a store pins the updates in this
  // block. Without it TurboFan computes them on the loop's back edge, after the branch,
  // with all six cell fields loaded here live across it, and spills them to the stack.
  seq.push(
    ...nb(OFS), ...nb(MLS), ...op.add(), ...nb(LLS), ...op.add(), ...set(SQ),
    ...peek(get(SQ)), ...set(P), ...skip(get(SQ)),
    ...nb(OFS), ...set(D1),
    ...next(OFS), ...get(P), ...k(1), ...get(D1), ...op.shl(), ...k(1), ...op.sub(), ...op.and(), ...op.add(), ...k(3), ...op.shl(), ...set(OFS),
    ...get(P), ...get(D1), ...op.shrU(), ...set(P),
    ...nb(MLS), ...set(D1),
    ...next(MLS), ...get(P), ...k(1), ...get(D1), ...op.shl(), ...k(1), ...op.sub(), ...op.and(), ...op.add(), ...k(3), ...op.shl(), ...set(MLS),
    ...get(P), ...get(D1), ...op.shrU(), ...set(P),
    ...next(LLS), ...get(P), ...op.add(), ...k(3), ...op.shl(), ...set(LLS),
    ...k(CTRL), ...get(OFS), ...op.store32(20), ...k(CTRL), ...get(MLS), ...op.store32(24), ...k(CTRL), ...get(LLS), ...op.store32(28),
  );
  seq.push(...get(SP), ...k(12), ...op.add(), ...set(SP));

  // One sequence of the batch executed; `wide`: 32 bytes of each match before the test of
  // its length (see the prologue), one executing loop for each.
  const execute = (wide: boolean): Code => {
    /** Match bytes the fast path writes before its test of the length. */
    const done = wide ? 32 : 16;
    const exec: Code = [];
    exec.push(...get(SP), ...op.load32(0), ...set(LL), ...get(SP), ...op.load32(4), ...set(ML), ...get(SP), ...op.load32(8), ...set(OFFSET));
    // Execute. One test for all the limits: each difference is negative exactly when its
    // limit is exceeded (all values are far below 2^31, so none overflows).
    exec.push(...get(OP), ...get(LL), ...op.add(), ...set(TO));
    // SAFE is below LIMIT too (see the prologue), so one difference covers both.
    exec.push(
      ...get(LITEND), ...get(LIT), ...op.sub(), ...get(LL), ...op.sub(),
      ...get(TO), ...get(WIN), ...op.sub(), ...get(OFFSET), ...op.sub(), ...op.or(),
      ...get(OFFSET), ...k(1), ...op.sub(), ...op.or(),
      ...get(SAFE), ...get(TO), ...op.sub(), ...get(ML), ...op.sub(), ...op.or(),
      ...k(0), ...op.ltS(), ...op.if(),
    );
    // Slow path: near the frame's end (exact byte copies), or invalid (-1).
    exec.push(
      ...get(OFFSET), ...k(1), ...op.sub(), ...failIfNegative,
      ...get(LIMIT), ...get(TO), ...op.sub(), ...get(ML), ...op.sub(), ...failIfNegative,
      ...get(LITEND), ...get(LIT), ...op.sub(), ...get(LL), ...op.sub(), ...failIfNegative,
      ...get(TO), ...get(WIN), ...op.sub(), ...get(OFFSET), ...op.sub(), ...failIfNegative,
      // Exact copies (nothing written past the match): 16 bytes at a time, then bytes.
      ...k(0), ...set(I),
      ...exactLoop(LL, 16, code(get(OP), get(I), op.add(), get(LIT), get(I), op.add(), op.load(), op.store())),
      ...exactLoop(LL, 1, code(get(OP), get(I), op.add(), get(LIT), get(I), op.add(), op.load8(), op.store8())),
      ...k(0), ...set(I),
      ...get(OFFSET), ...set(D1),
      ...get(OFFSET), ...k(16), ...op.ltS(), ...op.if(),
      // A short period: its first bytes one by one, then 16-byte moves from a multiple of it.
      ...get(OFFSET), ...op.load8(PERIOD16), ...set(D1),
      ...get(ML), ...get(D1), ...get(ML), ...get(D1), ...op.ltS(), ...op.select(), ...set(TMP),
      ...whileLoop(TMP, 1, code(get(TO), get(I), op.add(), get(TO), get(I), op.add(), get(OFFSET), op.sub(), op.load8(), op.store8())),
      ...op.end(),
      ...exactLoop(ML, 16, code(get(TO), get(I), op.add(), get(TO), get(I), op.add(), get(D1), op.sub(), op.load(), op.store())),
      ...exactLoop(ML, 1, code(get(TO), get(I), op.add(), get(TO), get(I), op.add(), get(OFFSET), op.sub(), op.load8(), op.store8())),
      ...op.else(),
    );
    // Fast path: 16 bytes of literals (more in a loop), then the match by 16 or 8 bytes;
    // bytes written past either are overwritten later (SLACK keeps them inside the frame).
    exec.push(
      ...get(OP), ...get(LIT), ...op.load(), ...op.store(),
      ...get(LL), ...k(16), ...op.gtS(), ...op.if(),
      ...copyLoop(16, LL, 16, code(get(OP), get(I), op.add(), get(LIT), get(I), op.add(), op.load(), op.store())),
      ...op.end(),
      ...get(TO), ...get(OFFSET), ...op.sub(), ...set(M),
      // Wide: the first 32 bytes of the match whatever its length (see the prologue). With an offset
      // of 16 to 31 the second move reads bytes the first has just written, which are
      // already the match's.
      ...get(OFFSET), ...k(16), ...op.geS(), ...op.if(),
      ...get(TO), ...get(M), ...op.load(), ...op.store(),
      ...(wide ? code(get(TO), get(M), op.load(16), op.store(16)) : []),
      ...get(ML), ...k(done), ...op.gtS(), ...op.if(),
      // Far enough back: moves from the source as it is; not overlapping: 16-byte moves.
      ...get(OFFSET), ...k(128), ...op.geS(), ...op.if(),
      ...k(done), ...set(I),
      ...farCopy(OFFSET),
      ...op.else(),
      ...get(OFFSET), ...get(ML), ...op.geS(), ...op.if(),
      ...copyLoop(done, ML, 16, code(get(TO), get(I), op.add(), get(M), get(I), op.add(), op.load(), op.store())),
      ...op.else(),
      ...get(OFFSET), ...set(D1),
      ...overlappingTail,
      ...op.end(),
      ...op.end(),
      ...op.end(),
      ...op.else(),
      // A period under 16 bytes: spread over 32 or 64 bytes in registers (i8x16.swizzle
      // of the `offset` bytes before the match), then stored again and again one multiple
      // of the period (STRIDE64: 52..64) apart: no load reads bytes stored a moment ago
      // (which would wait for the store, as the byte-wise and 8-byte overlapping copies of
      // ZSTD_overlapCopy8 do). Up to 63 bytes past the match are written (SLACK).
      ...get(M), ...op.load(), ...set(S),
      ...get(OFFSET), ...k(6), ...op.shl(), ...set(Q),
      ...get(TO), ...get(S), ...get(Q), ...op.load(PATTERN), ...op.swizzle(), ...op.tee(V), ...op.store(),
      ...(wide ? [] : code(get(ML), k(16), op.gtS(), op.if())),
      ...get(TO), ...get(S), ...get(Q), ...op.load(PATTERN + 16), ...op.swizzle(), ...op.tee(W), ...op.store(16),
      ...get(ML), ...k(32), ...op.gtS(), ...op.if(),
      ...get(TO), ...get(S), ...get(Q), ...op.load(PATTERN + 32), ...op.swizzle(), ...op.tee(V2), ...op.store(32),
      ...get(TO), ...get(S), ...get(Q), ...op.load(PATTERN + 48), ...op.swizzle(), ...op.tee(V3), ...op.store(48),
      ...get(OFFSET), ...op.load8(STRIDE64), ...op.tee(D1), ...set(I),
      ...op.block(), ...op.loop(),
      ...get(I), ...get(ML), ...op.geS(), ...op.brIf(1),
      ...get(TO), ...get(I), ...op.add(), ...op.tee(P), ...get(V), ...op.store(),
      ...get(P), ...get(W), ...op.store(16),
      ...get(P), ...get(V2), ...op.store(32),
      ...get(P), ...get(V3), ...op.store(48),
      ...get(I), ...get(D1), ...op.add(), ...set(I),
      ...op.br(0),
      ...op.end(), ...op.end(),
      ...op.end(),
      ...(wide ? [] : op.end()),
      ...op.end(),
      ...op.end(),
    );
    exec.push(...get(LIT), ...get(LL), ...op.add(), ...set(LIT));
    exec.push(...get(TO), ...get(ML), ...op.add(), ...set(OP));

    exec.push(...get(SP), ...k(12), ...op.add(), ...set(SP));
    return exec;
  };

  // Batches of up to BATCH sequences: all decoded into the SEQ area, then all executed (as
  // ZSTD_decompressSequencesLong_body splits decoding from execution). Each loop then keeps
  // fewer values live than one that does both, so fewer of them live on the stack. A batch
  // of n ends at SEQ_END (it starts 12 n bytes before), so both loops end at a constant;
  // n waits in CTRL + 16 while the first loop runs. The decoding loop takes two sequences
  // per iteration: V8 puts a stack check at each loop head and stores the loop's live
  // values to the stack there, which the second sequence then does not pay (the same for
  // the executing loop measured no gain).
  c.push(
    ...op.block(), ...op.loop(),
    ...get(N), ...op.eqz(), ...op.brIf(1),
    ...get(N), ...k(BATCH), ...get(N), ...k(BATCH), ...op.ltU(), ...op.select(), ...set(TMP),
    ...k(CTRL), ...get(TMP), ...op.store32(16),
    ...k(SEQ_END), ...get(TMP), ...k(12), ...op.mul(), ...op.sub(), ...set(SP),
    ...get(N), ...get(TMP), ...op.sub(), ...set(N),
    ...op.block(), ...op.loop(),
    ...seq, ...get(SP), ...k(SEQ_END), ...op.geU(), ...op.brIf(1),
    ...seq, ...get(SP), ...k(SEQ_END), ...op.ltU(), ...op.brIf(0),
    ...op.end(), ...op.end(),
    ...k(SEQ_END), ...k(CTRL), ...op.load32(16), ...k(12), ...op.mul(), ...op.sub(), ...set(SP),
    ...get(WIDE), ...op.if(),
    ...op.loop(), ...execute(true), ...get(SP), ...k(SEQ_END), ...op.ltU(), ...op.brIf(0), ...op.end(),
    ...op.else(),
    ...op.loop(), ...execute(false), ...get(SP), ...k(SEQ_END), ...op.ltU(), ...op.brIf(0), ...op.end(),
    ...op.end(),
    ...op.br(0),
    ...op.end(), ...op.end(),
  );
  // Every bit read, no more, no fewer: (ptr - start) * 8 + 64 - bc unread bits must be the
  // padding, where bc leaves out the SQ bits of the last sequence's state updates (which
  // C's ZSTD_decodeSequence skips; here every sequence reads them, so that the decoding
  // loop needs no count of its own).
  c.push(
    ...get(PTR), ...k(BITS_AT), ...op.sub(), ...k(3), ...op.shl(), ...k(64), ...op.add(), ...get(BC), ...get(SQ), ...op.sub(), ...op.sub(), ...get(PADBITS),
    ...op.ne(), ...op.if(), ...k(-1), ...op.return(), ...op.end(),
  );
  c.push(...k(CTRL), ...get(REP0), ...op.store32(0), ...k(CTRL), ...get(REP1), ...op.store32(4), ...k(CTRL), ...get(REP2), ...op.store32(8));
  c.push(...k(CTRL), ...get(LIT), ...op.store32(12));
  c.push(...get(OP));
  return {
    params: Array<number>(PARAMS).fill(I32),
    result: I32,
    locals: [[C - PARAMS, I32], [1, I64], [S - D1, I32], [5, V128]],
    code: c,
  };
}

type Executor = (
  ptr: number, bc: number, lit: number, litEnd: number, op: number, limit: number,
  win: number, safe: number, nbSeq: number, logs: number, padBits: number,
) => number;

/** The module's bytes: one function, `sequences`, on the shared memory. */
export function sequencesModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([executorBody()], ['sequences'], Math.ceil((ZSTD_AT + ZSTD_SIZE) / 65536));
}

let enabled = true;
let executor: Executor | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  executor = exportsObject['sequences'] as Executor;
  const heap = heapBytes();
  for (let offset = 1; offset < 16; offset++) {
    for (let j = 0; j < 64; j++) heap[PATTERN + offset * 64 + j] = j % offset;
    heap[STRIDE64 + offset] = 64 - (64 % offset);
  }
  for (let offset = 1; offset < 16; offset++) heap[PERIOD16 + offset] = Math.ceil(16 / offset) * offset;
  for (let offset = 1; offset < 128; offset++) heap[PERIOD128 + offset] = Math.ceil(128 / offset) * offset;
}

const loader = new HeapModuleLoader(sequencesModuleBytes, instantiate);

/** Whether blocks may go to the WebAssembly executor (compiling it on first ask). */
export function wasmSequencesReady(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn zstd decoding's WebAssembly on or off: the sequence executor and the Huffman literal
 * decoder (huffman-wasm.ts), on by default where the platform has WebAssembly SIMD. Output
 * does not change; only speed does.
 */
export function setZstdWasmEnabled(on: boolean): void {
  enabled = on;
}

/** Whether zstd decoding may use WebAssembly (see {@link setZstdWasmEnabled}). */
export function zstdWasmEnabled(): boolean {
  return enabled;
}

/**
 * Blocks the executor ran, blocks it gave back to the JavaScript loop, and blocks it ran
 * with wide match copies (for tests and benchmarks).
 */
export const sequencesWasmCounts = { executed: 0, rejected: 0, wide: 0 };

let ctrlView = new Int32Array(0);
/** The heapBytes() view ctrlView was made for (heapBytes() gives a new one only when the memory grows). */
let ctrlOf: Uint8Array | null = null;

/**
 * Execute st.nbSeq sequences of the bitstream src[start, end) with the WebAssembly
 * function. Everything else is in the shared memory: literals at [litPos, litEnd), output
 * from `op`, below `limit`, matches back to `win`, 16-byte overshoot allowed below
 * `safeEnd`. Returns the output position after the sequences (the literals left over are
 * the caller's), with st's repeat offsets and st.litAfter (the literal position then) updated; or -1 when the block
 * must be run by the JavaScript loop (which then names the error, if there is one).
 */
export function executeSequencesWasm(
  st: SequenceState,
  src: Uint8Array,
  start: number,
  end: number,
  litPos: number,
  litEnd: number,
  op: number,
  limit: number,
  win: number,
  safeEnd: number,
): number {
  const n = end - start;
  if (n <= 0 || src[end - 1] === 0) return -1;
  const heap = heapBytes();
  // The stream ends up at BITS_AT + max(n, 8) with its start at BITS_AT or later: a stream
  // shorter than 8 bytes has zeros below it, which the padding count below accounts for.
  const short = n < 8;
  const at = short ? BITS_AT + 8 - n : BITS_AT;
  if (short) heap.fill(0, BITS_AT, at);
  copyMemory(src, start, heap, at, n);
  const ll = st.ll!;
  const ml = st.ml!;
  const of = st.of!;
  placeFseTable(ll, FSE_LL);
  placeFseTable(ml, FSE_ML);
  placeFseTable(of, FSE_OF);
  if (heap !== ctrlOf) {
    ctrlView = new Int32Array(heap.buffer);
    ctrlOf = heap;
  }
  const ctrl = ctrlView;
  const c = CTRL >>> 2;
  ctrl[c] = st.rep0;
  ctrl[c + 1] = st.rep1;
  ctrl[c + 2] = st.rep2;
  const marker = Math.clz32(src[end - 1]!) - 23;
  const out = executor!(
    at + n - 8, marker, litPos, litEnd, op, limit, win, safeEnd - SLACK, st.nbSeq,
    ll.log | (of.log << 8) | (ml.log << 16), short ? (8 - n) * 8 : 0,
  );
  if (out < 0) {
    sequencesWasmCounts.rejected++;
    return -1;
  }
  sequencesWasmCounts.executed++;
  if (ctrl[c + 8] !== 0) sequencesWasmCounts.wide++;
  st.rep0 = ctrl[c]!;
  st.rep1 = ctrl[c + 1]!;
  st.rep2 = ctrl[c + 2]!;
  st.litAfter = ctrl[c + 3]!;
  return out;
}
