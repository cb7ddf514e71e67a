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
import { type Code, type FunctionBody, I32, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_AT, ENCODE_END, ENCODE_SIZE, heapBytes, inHeap, instantiateHeapModule } from '../wasm/heap.js';

/**
 * The input stream's place: the encoders' table area (encoding and decoding never overlap).
 * Shared with the BloscLZ decoder (blosclz-decompress-wasm.ts); 64 bytes of the area stay
 * past the longest stream, so fixed-size reads past a stream's end stay in it.
 */
export const DECODE_IN_AT = ENCODE_AT;
export const DECODE_IN_MAX = ENCODE_SIZE - 64;

const get = op.get;
const set = op.set;
const k = op.i32;
const fail = (): Code => code(k(-1), op.return());

function decodeBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, DN = 3;
  const IP = 4, IEND = 5, OP = 6, OEND = 7, TOKEN = 8, LEN = 9, S = 10, CPY = 11, OFF = 12, MATCH = 13, T = 14;
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
  const c = code(
    get(SRC), get(SN), op.add(), set(IEND),
    get(DST), get(DN), op.add(), set(OEND),
    get(SRC), set(IP), get(DST), set(OP),
    get(SN), op.eqz(), get(DN), op.eqz(), op.or(), op.if(), fail(), op.end(),
    op.loop(),
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
    // Literals, 8 bytes at a time (cpy + 7 <= oend - 5, ip + len + 7 < iend); long runs in one copy.
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
    get(IP), get(LEN), op.add(), set(IP),
    get(CPY), set(OP),
    // Offset, inside what is decoded so far.
    get(IP), op.load8(), get(IP), k(1), op.add(), op.load8(), k(8), op.shl(), op.or(), set(OFF),
    get(IP), k(2), op.add(), set(IP),
    get(OFF), op.eqz(), get(OFF), get(OP), get(DST), op.sub(), op.gtU(), op.or(), op.if(), fail(), op.end(),
    get(OP), get(OFF), op.sub(), set(MATCH),
    // Match length: read_variable_length(ip, iend - LASTLITERALS + 1, no initial check).
    get(TOKEN), k(15), op.and(), set(LEN),
    get(LEN), k(15), op.eq(), op.if(),
    readVariableLength(get(IP), get(IEND), k(5), op.sub(), op.gtU()),
    op.end(),
    get(OP), get(LEN), op.add(), k(4), op.add(), set(CPY),
    // The last 5 bytes are always literals.
    get(CPY), get(OEND), k(5), op.sub(), op.gtU(), op.if(), fail(), op.end(),
    get(OFF), k(8), op.geU(), get(CPY), get(OEND), k(7), op.sub(), op.leU(), op.and(), op.if(),
    // 8 bytes at a time: each read lies before what it writes (offset >= 8).
    op.loop(),
    get(OP), get(MATCH), op.load64(), op.store64(),
    get(OP), k(8), op.add(), set(OP),
    get(MATCH), k(8), op.add(), set(MATCH),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.else(),
    get(CPY), get(OP), op.sub(), k(32), op.leU(), op.if(),
    // Short matches at short offsets (or in the block's tail): byte by byte.
    op.loop(),
    get(OP), get(MATCH), op.load8(), op.store8(),
    get(OP), k(1), op.add(), set(OP),
    get(MATCH), k(1), op.add(), set(MATCH),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.else(),
    // Long ones: copy what lies between the match and op, whose length stays a multiple of
    // the offset, so the period carries on (doubling each step).
    op.loop(),
    get(CPY), get(OP), op.sub(), set(T),
    get(OP), get(MATCH), op.sub(), set(S),
    get(OP), get(MATCH), get(T), get(S), get(T), get(S), op.ltU(), op.select(), op.tee(T), op.memoryCopy(),
    get(OP), get(T), op.add(), set(OP),
    get(OP), get(CPY), op.ltU(), op.brIf(0),
    op.end(),
    op.end(),
    op.end(),
    get(CPY), set(OP),
    op.br(0),
    op.end(),
    k(-1),
  );
  return { params: [I32, I32, I32, I32], result: I32, locals: [[T - 3, I32]], code: c };
}

/** The module's bytes: one function, `lz4_decode`, on the shared memory. */
export function lz4DecompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([decodeBody()], ['lz4_decode'], Math.ceil(ENCODE_END / 65536));
}

type Decoder = (src: number, sn: number, dst: number, dn: number) => number;

let enabled = true;
let decoder: Decoder | null = null;
let state: 'idle' | 'pending' | 'ready' | 'failed' = 'idle';

function instantiate(exportsObject: WebAssembly.Exports): void {
  decoder = exportsObject['lz4_decode'] as Decoder;
  state = 'ready';
}

/** Whether the WebAssembly LZ4 decoder is in use (compiling it on first ask). */
export function lz4DecodeWasmReady(): boolean {
  if (state === 'ready') return enabled;
  if (state !== 'idle' || !enabled) return false;
  state = 'pending';
  const exportsObject = instantiateHeapModule(lz4DecompressModuleBytes(), instantiate, () => {
    state = 'failed';
  });
  if (exportsObject !== null) instantiate(exportsObject);
  return decoder !== null;
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
  const at = dst.byteOffset + dp;
  // The output must not overlap the input area.
  if (at < ENCODE_END && at + dn > DECODE_IN_AT) return false;
  heapBytes().set(src.subarray(sp, sp + sn), DECODE_IN_AT);
  const n = decoder!(DECODE_IN_AT, sn, at, dn);
  if (n !== dn) {
    lz4DecodeWasmCounts.rejected++;
    return false;
  }
  lz4DecodeWasmCounts.decoded++;
  return true;
}
