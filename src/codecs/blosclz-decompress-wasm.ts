/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/blosclz.c, itself based on FastLZ
 * (Ariya Hidayat, MIT); license in THIRD_PARTY_NOTICES.md.
 *
 * The BloscLZ decoder of blosclz.ts (`blosclz_decompress`, c-blosc2 blosc/blosclz.c) as a
 * WebAssembly function on the shared memory (src/wasm/heap.ts), for outputs that already lie
 * there (a block's planes decoded into the chunk decoder's scratch, which the unshuffle
 * kernels then read in place). The TypeScript loop stays the fallback and the judge of
 * every stream this one does not accept.
 *
 * Why: BloscLZ streams are tokens of at most 32 literals or a short match; the TypeScript
 * loop copies literals byte by byte, where C copies them with one `memcpy` and matches with
 * `wild_copy` (8 bytes a step) or `memset` (distance 1), as this function does.
 *
 * It does not throw: it takes the same steps and makes the same checks as C, in the same
 * order (a token cut short, a write past the output, a match before the output start), and
 * returns -1 where C returns 0; otherwise the number of bytes decoded, which the caller
 * compares with the size expected (C's quirks come along: a match ending the stream is
 * checked but not copied). Fixed-size copies are used only where they end inside the
 * output window (C's `op_limit - op >= len + 8` for matches; 32 bytes of room for
 * literals), so nothing outside it is written. The stream is copied into the LZ4 decoder's
 * input area first (DECODE_IN_AT, up to DECODE_IN_MAX bytes).
 */
import { type Code, type FunctionBody, I32, V128, code, moduleBytes, op } from '../wasm/assembler.js';
import { ENCODE_END, inHeap, HeapModuleLoader } from '../wasm/heap.js';
import { DECODE_IN_MAX, decodeThroughHeap, type HeapStreamDecoder } from './lz4-decompress-wasm.js';

/** Largest near distance + 1 (blosclz.c MAX_DISTANCE): far distances are biased by 8192. */
const MAX_DISTANCE = 8191;

/** Matches at least this long take memory.fill / memory.copy (one call beats 32+ word steps). */
const BULK_MIN = 256;

const get = op.get;
const set = op.set;
const k = op.i32;
const fail = (): Code => code(k(-1), op.return());

function decodeBody(): FunctionBody {
  const SRC = 0, SN = 1, DST = 2, DN = 3;
  const IP = 4, IEND = 5, OP = 6, OEND = 7, CTRL = 8, LEN = 9, CODE = 10, DIST = 11, REF = 12, END = 13, T = 14, SPLAT = 15;
  const c = code(
    get(SRC), get(SN), op.add(), set(IEND),
    get(DST), get(DN), op.add(), set(OEND),
    get(SRC), set(IP), get(DST), set(OP),
    get(SN), op.eqz(), op.if(), fail(), op.end(),
    // The first token is a literal run; its top bits carry the BloscLZ marker.
    get(IP), op.load8(), k(31), op.and(), set(CTRL),
    get(IP), k(1), op.add(), set(IP),
    op.block(), // $done
    op.loop(), // $token
    get(CTRL), k(32), op.geU(), op.if(),
    // ---- Match: length code in bits 5..7, high distance bits in 0..4.
    get(CTRL), k(5), op.shrU(), k(1), op.sub(), set(LEN),
    get(LEN), k(6), op.eq(), op.if(),
    op.loop(),
    get(IP), k(1), op.add(), get(IEND), op.geU(), op.if(), fail(), op.end(),
    get(IP), op.load8(), set(CODE),
    get(IP), k(1), op.add(), set(IP),
    get(LEN), get(CODE), op.add(), set(LEN),
    get(CODE), k(255), op.eq(), op.brIf(0),
    op.end(),
    op.else(),
    get(IP), k(1), op.add(), get(IEND), op.geU(), op.if(), fail(), op.end(),
    op.end(),
    get(IP), op.load8(), set(CODE),
    get(IP), k(1), op.add(), set(IP),
    get(LEN), k(3), op.add(), set(LEN),
    get(CTRL), k(31), op.and(), k(8), op.shl(), get(CODE), op.add(), k(1), op.add(), set(DIST),
    // Far form: a 16-bit big-endian distance follows.
    get(DIST), k(MAX_DISTANCE + 1), op.eq(), op.if(),
    get(IP), k(1), op.add(), get(IEND), op.geU(), op.if(), fail(), op.end(),
    get(IP), op.load8(), k(8), op.shl(), get(IP), op.load8(1), op.or(), k(MAX_DISTANCE + 1), op.add(), set(DIST),
    get(IP), k(2), op.add(), set(IP),
    op.end(),
    get(OEND), get(OP), op.sub(), get(LEN), op.ltU(), op.if(), fail(), op.end(),
    get(DIST), get(OP), get(DST), op.sub(), op.gtU(), op.if(), fail(), op.end(),
    // A match that ends the stream is checked but not copied (C breaks out first).
    get(IP), get(IEND), op.geU(), op.brIf(2),
    get(IP), op.load8(), set(CTRL),
    get(IP), k(1), op.add(), set(IP),
    get(OP), get(DIST), op.sub(), set(REF),
    get(OP), get(LEN), op.add(), set(END),
    // Long matches, and matches without C's room for 8-byte steps (op_limit - op >= len + 8;
    // the last step may write up to 7 bytes past the match), take bulk copies; short ones
    // go 8 bytes a step.
    get(LEN), k(BULK_MIN), op.geU(), get(OEND), get(OP), op.sub(), get(LEN), k(8), op.add(), op.ltS(), op.or(), op.if(),
    get(LEN), k(32), op.ltU(), op.if(),
    // Short, in the block's last bytes: byte by byte, as C's copy_match repeats them.
    op.loop(),
    get(OP), get(REF), op.load8(), op.store8(),
    get(OP), k(1), op.add(), set(OP),
    get(REF), k(1), op.add(), set(REF),
    get(OP), get(END), op.ltU(), op.brIf(0),
    op.end(),
    op.else(),
    get(DIST), k(1), op.eq(), op.if(),
    get(OP), get(REF), op.load8(), get(LEN), op.memoryFill(),
    op.else(),
    get(DIST), get(LEN), op.geU(), op.if(),
    get(OP), get(REF), get(LEN), op.memoryCopy(),
    op.else(),
    // Overlapping: copy what lies between the match and op, a whole number of periods,
    // so the period carries on (the span doubles each step).
    op.loop(),
    get(END), get(OP), op.sub(), set(T),
    get(OP), get(REF), op.sub(), set(CODE),
    get(OP), get(REF), get(T), get(CODE), get(T), get(CODE), op.ltU(), op.select(), op.tee(T), op.memoryCopy(),
    get(OP), get(T), op.add(), set(OP),
    get(OP), get(END), op.ltU(), op.brIf(0),
    op.end(),
    op.end(),
    op.end(),
    op.end(),
    op.else(),
    get(DIST), k(1), op.eq(), op.if(),
    // A run of one byte (C: memset): the byte in every lane, stored 16 at a time while more
    // than 8 remain (each store ends before END + 8, inside C's room), then one word.
    get(REF), op.load8(), op.i8x16Splat(), set(SPLAT),
    op.block(),
    op.loop(),
    get(END), get(OP), op.sub(), k(8), op.leS(), op.brIf(1),
    get(OP), get(SPLAT), op.store(),
    get(OP), k(16), op.add(), set(OP),
    op.br(0),
    op.end(),
    op.end(),
    op.block(),
    get(OP), get(END), op.geU(), op.brIf(0),
    get(OP), get(REF), op.load8(), op.extendU(), op.i64Big(0x0101010101010101n), op.i64Mul(), op.store64(),
    op.end(),
    op.else(),
    get(DIST), k(8), op.ltU(), op.if(),
    // Distances 2..7: the first 8 bytes one by one, then the same period from a multiple
    // of the distance at least 8 back (less than 8 + dist, so inside what is written).
    get(OP), k(8), op.add(), set(T),
    op.loop(),
    get(OP), get(REF), op.load8(), op.store8(),
    get(OP), k(1), op.add(), set(OP),
    get(REF), k(1), op.add(), set(REF),
    get(OP), get(T), op.ltU(), op.brIf(0),
    op.end(),
    get(DIST), set(T),
    op.loop(),
    get(T), get(DIST), op.add(), set(T),
    get(T), k(8), op.ltU(), op.brIf(0),
    op.end(),
    get(OP), get(T), op.sub(), set(REF),
    op.end(),
    // C's wild_copy: 8 bytes a step, each read wholly before what it writes (nothing left
    // when the 8 bytes above already covered a short match).
    op.block(),
    op.loop(),
    get(OP), get(END), op.geU(), op.brIf(1),
    get(OP), get(REF), op.load64(), op.store64(),
    get(OP), k(8), op.add(), set(OP),
    get(REF), k(8), op.add(), set(REF),
    op.br(0),
    op.end(),
    op.end(),
    op.end(),
    op.end(),
    get(END), set(OP),
    op.else(),
    // ---- Literal run of ctrl + 1 bytes (1..32).
    get(CTRL), k(1), op.add(), set(LEN),
    get(OEND), get(OP), op.sub(), get(LEN), op.ltU(), op.if(), fail(), op.end(),
    get(IEND), get(IP), op.sub(), get(LEN), op.ltU(), op.if(), fail(), op.end(),
    get(OEND), get(OP), op.sub(), k(32), op.geU(), op.if(),
    // 32 bytes whatever the run's length: the bytes past it are rewritten by what follows
    // (or the stream is short and rejected). The reads stay in the input area's slack.
    get(OP), get(IP), op.load64(), op.store64(),
    get(OP), get(IP), op.load64(8), op.store64(8),
    get(OP), get(IP), op.load64(16), op.store64(16),
    get(OP), get(IP), op.load64(24), op.store64(24),
    op.else(),
    get(OP), get(IP), get(LEN), op.memoryCopy(),
    op.end(),
    get(OP), get(LEN), op.add(), set(OP),
    get(IP), get(LEN), op.add(), set(IP),
    get(IP), get(IEND), op.geU(), op.brIf(2),
    get(IP), op.load8(), set(CTRL),
    get(IP), k(1), op.add(), set(IP),
    op.end(),
    op.br(0),
    op.end(), // $token
    op.end(), // $done
    get(OP), get(DST), op.sub(),
  );
  return { params: [I32, I32, I32, I32], result: I32, locals: [[T - 3, I32], [1, V128]], code: c };
}

/** The module's bytes: one function, `blosclz_decode`, on the shared memory. */
export function blosclzDecompressModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([decodeBody()], ['blosclz_decode'], Math.ceil(ENCODE_END / 65536));
}

let enabled = true;
let decoder: HeapStreamDecoder | null = null;

function instantiate(exportsObject: WebAssembly.Exports): void {
  decoder = exportsObject['blosclz_decode'] as HeapStreamDecoder;
}

const loader = new HeapModuleLoader(blosclzDecompressModuleBytes, instantiate);

/** Whether the WebAssembly BloscLZ decoder is in use (compiling it on first ask). */
export function blosclzDecodeWasmReady(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn the WebAssembly BloscLZ decoder on or off (on by default where the platform has
 * WebAssembly). Output does not change; only speed does.
 */
export function setBlosclzDecodeWasmEnabled(on: boolean): void {
  enabled = on;
}

/** Streams the WebAssembly decoder took and streams it gave back (for tests and benchmarks). */
export const blosclzDecodeWasmCounts = { decoded: 0, rejected: 0 };

/**
 * Decode the BloscLZ stream src[sp, sp+sn) into dst[dp, dp+dn) with the WebAssembly function
 * when dst lies in the shared memory (and the stream fits the input area): true when done,
 * false when the caller must run the TypeScript decoder (not applicable, or the stream is
 * not one C decodes to exactly dn bytes). The windows must have been checked.
 */
export function blosclzDecompressWasm(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): boolean {
  if (sn === 0 || sn > DECODE_IN_MAX || !inHeap(dst) || !blosclzDecodeWasmReady()) return false;
  return decodeThroughHeap(decoder!, blosclzDecodeWasmCounts, src, sp, sn, dst, dp, dn);
}
