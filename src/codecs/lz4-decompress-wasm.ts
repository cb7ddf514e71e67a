/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The LZ4 block decoder of lz4.ts (`LZ4_decompress_safe`, `LZ4_decompress_generic` of
 * lz4 1.10.0 lib/lz4.c, whole block, no dictionary) as a WebAssembly function on the shared
 * memory (src/wasm/heap.ts), for outputs that already lie there (a block's planes decoded
 * into the chunk decoder's scratch, which the unshuffle kernels then read in place).
 *
 * Why: a stream of many short sequences (c-blosc2 writes ~10 literals and a 4-byte match
 * per sequence on Poisson-like data) spends its time in per-sequence bookkeeping, which
 * here runs on registers with 8-byte copies.
 *
 * It does not throw: it accepts only what C accepts with the same output, with the same
 * bound checks (`read_variable_length`'s limits, the last-sequence rule, matches not in the
 * last 5 bytes), and returns -1 for anything else (a truncated or corrupt stream, an offset
 * of 0, output shorter than expected); the caller then runs the JavaScript decoder, which
 * names the error. Writes stay inside the output window: 8-byte copies are used only where
 * their overshoot ends before it, as C's wild copies are. The input stream is copied to the
 * encoders' table area first (encoding and decoding never run at once), so streams up to
 * 256 KiB take this path.
 */
import { type Code, type FunctionBody, I32, I64, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, ENCODE_SIZE, heapBytes, inHeap, HeapModuleLoader } from '../wasm/heap.js';
import { copyMemory } from '../copy.js';

/**
 * The input stream's place: the encoders' table area (encoding and decoding never overlap).
 * Shared with the BloscLZ decoder (blosclz-decompress-wasm.ts). A stream starts up to 7
 * bytes in (decodeThroughHeap) and 64 bytes of the area stay past the longest stream, so
 * fixed-size reads past a stream's end stay in it.
 */
export const DECODE_IN_AT = ENCODE_AT;
export const DECODE_IN_MAX = ENCODE_SIZE - 64 - 8;

/** Matches longer than this take memory.fill / memory.copy (one call beats many word steps). */
const LONG_MATCH = 64;

const get = op.get;
const set = op.set;
const k = op.i32;
const fail = (): Code => code(k(-1), op.return());

function decodeBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, DN = 3;
  const IP = 4, IEND = 5, OP = 6, OEND = 7, TOKEN = 8, LEN = 9, S = 10, CPY = 11, OFF = 12, MATCH = 13, T = 14, PATTERN = 15;
  /**
   * LZ4's `read_variable_length`: add bytes to LEN while they are 255, failing first when
   * `beyond` (a test of IP against IEND, the limit differs per use) holds.
   */
  const readVariableLength = (...beyond: Code[]): Code => code(
    op.loop(),
    ...beyond, op.if(), fail(), op.end(),
    get(IP), op.load8(), set(S),
    get(IP), k(1), op.add(), set(IP),
    get(LEN), get(S), op.add(), set(LEN),
    get(S), k(255), op.eq(), op.brIf(0),
    op.end(),
  );
  /** Copy 8 bytes a step from MATCH to OP until OP reaches CPY (at least one step). */
  const wordSteps = (): Code => code(
    op.loop(),
    get(OP), get(MATCH), op.load64(), op.store64(),
    get(OP), k(8), op.add(), set(OP),
    get(MATCH), k(8), op.add(), set(MATCH),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
  );
  /** Copy byte i of a match at a distance of 3, 5, 6 or 7 (each read lies before OP + i). */
  const matchByte = (i: number): Code => code(get(OP), get(MATCH), op.load8(i), op.store8(i));
  /**
   * A match at offsets 1..7 from MATCH to OP until CPY (C: LZ4_memcpy_using_offset), in
   * words that may end up to 7 bytes past CPY: the caller checks that room.
   */
  const shortPeriod = (): Code => code(
    get(OFF), k(3), op.and(), op.eqz(), get(OFF), k(2), op.leU(), op.or(), op.if(),
    // 1, 2 and 4 divide 8: the period repeated across a word, stored without reloading.
    get(OFF), k(1), op.eq(), op.if(),
    get(MATCH), op.load8(), op.extendU(), op.i64Big(0x0101010101010101n), op.i64Mul(), set(PATTERN),
    op.else(),
    get(OFF), k(2), op.eq(), op.if(),
    get(MATCH), op.load16U(), op.extendU(), op.i64Big(0x0001000100010001n), op.i64Mul(), set(PATTERN),
    op.else(),
    get(MATCH), op.load32(), op.extendU(), op.i64Big(0x0000000100000001n), op.i64Mul(), set(PATTERN),
    op.end(),
    op.end(),
    op.loop(),
    get(OP), get(PATTERN), op.store64(),
    get(OP), k(8), op.add(), set(OP),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.else(),
    // 3, 5, 6, 7: the first 8 bytes one by one, then words from the smallest multiple of the
    // offset that is at least 8 back (9, 10, 12, 14: inside what is written).
    matchByte(0), matchByte(1), matchByte(2), matchByte(3), matchByte(4), matchByte(5), matchByte(6), matchByte(7),
    get(OP), k(8), op.add(), set(OP),
    get(OP), get(OFF), k(3), k(2), get(OFF), k(3), op.eq(), op.select(), op.mul(), op.sub(), set(MATCH),
    op.block(),
    get(OP), get(CPY), op.geU(), op.brIf(0),
    wordSteps(),
    op.end(),
    op.end(),
  );
  const c = code(
    get(SRC), get(SN), op.add(), set(IEND),
    get(DST), get(DN), op.add(), set(OEND),
    get(SRC), set(IP), get(DST), set(OP),
    get(SN), op.eqz(), get(DN), op.eqz(), op.or(), op.if(), fail(), op.end(),
    op.loop(),
    // Fast loop (C's, in LZ4_decompress_generic): while 32 bytes of input and 64 of output
    // remain, sequences of at most 14 literals pass every end-of-block check by those margins
    // alone, so only the offset is checked; literals go in one 16-byte store. Matches of at
    // most 18 bytes go in two 16-byte steps at offsets of 16 or more, in three words at 8..15,
    // at smaller offsets by shortPeriod;
    // longer ones join the general path at the match length. Longer literal runs, and the
    // block's end, take the general path from the start.
    op.block(), // $match
    op.block(),
    op.loop(),
    get(IEND), get(IP), op.sub(), k(32), op.ltU(), get(OEND), get(OP), op.sub(), k(64), op.ltU(), op.or(), op.brIf(1),
    get(IP), op.load8(), set(TOKEN),
    get(TOKEN), k(0xf0), op.geU(), op.brIf(1),
    get(IP), k(1), op.add(), set(IP),
    get(TOKEN), k(4), op.shrU(), set(LEN),
    // One 16-byte store: a match that reads back these literals then loads 8 or 16 bytes
    // inside one earlier store, which the CPU forwards (two 8-byte stores, read across
    // their seam, stall the load until they reach the cache).
    get(OP), get(IP), op.load(), op.store(),
    get(IP), get(LEN), op.add(), set(IP),
    get(OP), get(LEN), op.add(), set(OP),
    get(IP), op.load16U(), set(OFF),
    get(IP), k(2), op.add(), set(IP),
    get(OFF), op.eqz(), get(OFF), get(OP), get(DST), op.sub(), op.gtU(), op.or(), op.if(), fail(), op.end(),
    get(OP), get(OFF), op.sub(), set(MATCH),
    get(TOKEN), k(15), op.and(), k(15), op.eq(), op.brIf(2),
    get(OP), get(TOKEN), k(15), op.and(), op.add(), k(4), op.add(), set(CPY),
    get(OFF), k(16), op.geU(), op.if(),
    // 32 bytes in two 16-byte steps (LZ4_wildCopy32's step): the second reads at most up to
    // op + 16, all written by the first.
    get(OP), get(MATCH), op.load(), op.store(),
    get(OP), get(MATCH), op.load(16), op.store(16),
    op.else(),
    get(OFF), k(8), op.geU(), op.if(),
    get(OP), get(MATCH), op.load64(), op.store64(),
    get(OP), get(MATCH), op.load64(8), op.store64(8),
    get(OP), get(MATCH), op.load64(16), op.store64(16),
    op.else(),
    shortPeriod(),
    op.end(),
    op.end(),
    get(CPY), set(OP),
    op.br(0),
    op.end(),
    op.end(),
    get(IP), get(IEND), op.geU(), op.if(), fail(), op.end(),
    get(IP), op.load8(), set(TOKEN),
    get(IP), k(1), op.add(), set(IP),
    get(TOKEN), k(4), op.shrU(), set(LEN),
    // Literal length: read_variable_length(ip, iend - RUN_MASK, initial check).
    get(LEN), k(15), op.eq(), op.if(),
    readVariableLength(get(IP), get(IEND), k(15), op.sub(), op.geU()),
    op.end(),
    get(OP), get(LEN), op.add(), set(CPY),
    // The last sequence (literals only) when too close to either end: it must end both.
    get(CPY), get(OEND), k(12), op.sub(), op.gtU(),
    get(IP), get(LEN), op.add(), get(IEND), k(8), op.sub(), op.gtU(),
    op.or(), op.if(),
    get(IP), get(LEN), op.add(), get(IEND), op.ne(), op.if(), fail(), op.end(),
    get(CPY), get(OEND), op.ne(), op.if(), fail(), op.end(),
    get(OP), get(IP), get(LEN), op.memoryCopy(),
    get(DN), op.return(),
    op.end(),
    // Literals (cpy <= oend - 12, ip + len <= iend - 8): up to 16 in one or two words, whose
    // end stays before oend (op + 8 <= cpy + 8 - len <= oend - 4; op + 16 <= oend - 5 once
    // len > 8); up to 32 8 bytes a step (cpy + 7 <= oend - 5); longer runs in one copy.
    get(LEN), k(8), op.leU(), op.if(),
    get(OP), get(IP), op.load64(), op.store64(),
    op.else(),
    get(LEN), k(16), op.leU(), op.if(),
    get(OP), get(IP), op.load64(), op.store64(),
    get(OP), get(IP), op.load64(8), op.store64(8),
    op.else(),
    get(LEN), k(32), op.gtU(), op.if(),
    get(OP), get(IP), get(LEN), op.memoryCopy(),
    op.else(),
    k(0), set(T),
    op.block(), op.loop(),
    get(T), get(LEN), op.geU(), op.brIf(1),
    get(OP), get(T), op.add(), get(IP), get(T), op.add(), op.load64(), op.store64(),
    get(T), k(8), op.add(), set(T),
    op.br(0),
    op.end(), op.end(),
    op.end(),
    op.end(),
    op.end(),
    get(IP), get(LEN), op.add(), set(IP),
    get(CPY), set(OP),
    // Offset, inside what is decoded so far.
    get(IP), op.load16U(), set(OFF),
    get(IP), k(2), op.add(), set(IP),
    get(OFF), op.eqz(), get(OFF), get(OP), get(DST), op.sub(), op.gtU(), op.or(), op.if(), fail(), op.end(),
    get(OP), get(OFF), op.sub(), set(MATCH),
    op.end(), // $match: the fast loop's long matches join here
    // Match length: read_variable_length(ip, iend - LASTLITERALS + 1, no initial check).
    get(TOKEN), k(15), op.and(), set(LEN),
    get(LEN), k(15), op.eq(), op.if(),
    readVariableLength(get(IP), get(IEND), k(5), op.sub(), op.gtU()),
    op.end(),
    get(OP), get(LEN), op.add(), k(4), op.add(), set(CPY),
    // The last 5 bytes are always literals.
    get(CPY), get(OEND), k(5), op.sub(), op.gtU(), op.if(), fail(), op.end(),
    get(OFF), k(8), op.geU(), get(LEN), k(12), op.leU(), op.and(), get(OEND), get(OP), op.sub(), k(16), op.geU(), op.and(), op.if(),
    // Up to 16 bytes at an offset of at least 8 in two words, inside the window (each read
    // lies wholly before what it writes, as C's 8-byte copies).
    get(OP), get(MATCH), op.load64(), op.store64(),
    get(OP), get(MATCH), op.load64(8), op.store64(8),
    op.else(),
    get(LEN), k(LONG_MATCH - 4), op.gtU(), get(CPY), get(OEND), k(7), op.sub(), op.gtU(), op.or(), op.if(),
    // Long matches, and those without room for word stores ending up to 7 bytes past them.
    get(CPY), get(OP), op.sub(), k(32), op.leU(), op.if(),
    // Short, in the block's tail: byte by byte.
    op.loop(),
    get(OP), get(MATCH), op.load8(), op.store8(),
    get(OP), k(1), op.add(), set(OP),
    get(MATCH), k(1), op.add(), set(MATCH),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.else(),
    get(OFF), k(1), op.eq(), op.if(),
    get(OP), get(MATCH), op.load8(), get(CPY), get(OP), op.sub(), op.memoryFill(),
    op.else(),
    // Copy what lies between the match and op, whose length stays a multiple of the offset,
    // so the period carries on (doubling each step; one step when they do not overlap).
    op.loop(),
    get(CPY), get(OP), op.sub(), set(T),
    get(OP), get(MATCH), op.sub(), set(S),
    get(OP), get(MATCH), get(T), get(S), get(T), get(S), op.ltU(), op.select(), op.tee(T), op.memoryCopy(),
    get(OP), get(T), op.add(), set(OP),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.end(),
    op.end(),
    op.else(),
    get(OFF), k(8), op.geU(), op.if(),
    wordSteps(),
    op.else(),
    shortPeriod(),
    op.end(),
    op.end(),
    op.end(),
    get(CPY), set(OP),
    op.br(0),
    op.end(),
    k(-1),
  );
  return { params: [I32, I32, I32, I32], result: I32, locals: [[T - 3, I32], [1, I64]], code: c };
}

/** The module's bytes: one function, `lz4_decode`, on the shared memory. */
export function lz4DecompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([decodeBody()], ['lz4_decode'], Math.ceil(ENCODE_END / 65536));
}

/** A WebAssembly stream decoder on the shared memory: bytes written to dst, or anything else when it refuses. */
export type HeapStreamDecoder = (src: number, sn: number, dst: number, dn: number) => number;

let enabled = true;
let decoder: HeapStreamDecoder | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  decoder = exportsObject['lz4_decode'] as HeapStreamDecoder;
}

const loader = new HeapModuleLoader(lz4DecompressModuleBytes, instantiate);

/** Whether the WebAssembly LZ4 decoder is in use (compiling it on first ask). */
export function lz4DecodeWasmReady(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn the WebAssembly LZ4 decoder on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setLz4DecodeWasmEnabled(on: boolean): void {
  enabled = on;
}

/** Blocks the WebAssembly decoder took and blocks it gave back (for tests and benchmarks). */
export const lz4DecodeWasmCounts = { decoded: 0, rejected: 0 };

/**
 * Decode the LZ4 block src[sp, sp+sn) into dst[dp, dp+dn) with the WebAssembly function
 * when dst lies in the shared memory (and the stream fits the input area): true when done,
 * false when the caller must run the JavaScript decoder (not applicable, or the stream is
 * not one C decodes to exactly dn bytes).
 */
export function lz4DecompressWasm(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): boolean {
  if (sn > DECODE_IN_MAX || !inHeap(dst) || !lz4DecodeWasmReady()) return false;
  return decodeThroughHeap(decoder!, lz4DecodeWasmCounts, src, sp, sn, dst, dp, dn);
}

/**
 * Copy the stream src[sp, sp+sn) (at most DECODE_IN_MAX bytes) to the decoders' input area
 * and run `decode` into dst[dp, dp+dn), which lies in the shared memory: true when it wrote
 * exactly dn bytes, false (counted as rejected) when it refused, or when the output would
 * overlap the input area. Shared by the LZ4 and BloscLZ WebAssembly decoders.
 */
export function decodeThroughHeap(
  decode: HeapStreamDecoder, counts: { decoded: number; rejected: number },
  src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number,
): boolean {
  const at = dst.byteOffset + dp;
  // The output must not overlap the input area.
  if (at < ENCODE_END && at + dn > DECODE_IN_AT) return false;
  // Placed where it agrees with its source modulo 8: from a SharedArrayBuffer (a shared
  // chunk) the copy is then one word-wise copy, not byte by byte (see copyMemory).
  const inAt = DECODE_IN_AT + ((src.byteOffset + sp) & 7);
  copyMemory(src, sp, heapBytes(), inAt, sn);
  if (decode(inAt, sn, at, dn) !== dn) {
    counts.rejected++;
    return false;
  }
  counts.decoded++;
  return true;
}
