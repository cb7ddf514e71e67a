/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The Huffman stream writer of huffman-encoder.ts (`HUF_compress1X_usingCTable_internal` of
 * lib/compress/huf_compress.c: symbols from last to first, codes appended least significant
 * bit first, an end mark) as a WebAssembly function on the shared memory (src/wasm/heap.ts).
 * Same bytes as the TypeScript loop, which stays the fallback (no WebAssembly, short streams,
 * or `setZstdEncoderWasmEnabled(false)`). Why: Huffman literals are a third to a half of
 * Blosc clevel 1 on data with many literals; here each symbol is one byte load, one table
 * load and a 64-bit shift, flushed 32 bits at a time.
 *
 * Where things are: after the row search's area (row-search-wasm.ts), in the encoders' output
 * area: the code table (256 words: code | length << 16), the symbols copied in, the stream
 * written out and copied to the caller's buffer.
 */
import { type FunctionBody, I32, I64, code, moduleBytes, op } from '../../wasm/assembler.js';
import { ENCODE_END, SCRATCH_AT, SCRATCH_MAX, heapBytes, HeapModuleLoader } from '../../wasm/heap.js';
import { BLOCKSIZE_MAX } from './params.js';
import { ROW_AREA_END, zstdEncoderWasmReady } from './row-search-wasm.js';

const CODES_AT = ROW_AREA_END + 64;
const IN_AT = CODES_AT + 1024;
/** Symbols of one stream: at most a block's literals. */
const IN_MAX = BLOCKSIZE_MAX;
const OUT_AT = IN_AT + IN_MAX + 64;
/** A stream of IN_MAX symbols of at most 12 bits, its end mark, and room for a 4-byte flush. */
const OUT_MAX = ((IN_MAX * 12) >> 3) + 16;
const HUF_END = OUT_AT + OUT_MAX;
/** The area the writer uses: [HUF_WASM_AREA[0], HUF_WASM_AREA[1]). */
export const HUF_WASM_AREA: readonly [number, number] = [CODES_AT, HUF_END];
if (HUF_END > SCRATCH_AT + SCRATCH_MAX) throw new Error('zstd Huffman buffers overrun their area of the heap');
/** Shorter streams stay in TypeScript (the table and the copies would cost more than they save). */
export const HUF_WASM_MIN_SYMBOLS = 512;

const get = op.get;
const set = op.set;
const tee = op.tee;
const k = op.i32;

/** `huf(n)`: the stream of the n symbols at IN_AT, written at OUT_AT; returns its size. */
function streamBody(): FunctionBody {
  const N = 0, I = 1, P = 2, NB = 3, E = 4, C = 5;
  return {
    params: [I32],
    result: I32,
    locals: [[4, I32], [1, I64]],
    code: code(
      k(IN_AT), get(N), op.add(), set(I),
      k(OUT_AT), set(P),
      op.i64(0), set(C),
      k(0), set(NB),
      op.block(), op.loop(),
      get(I), k(IN_AT), op.leU(), op.brIf(1),
      get(I), k(1), op.sub(), tee(I), op.load8(), k(2), op.shl(), op.load32(CODES_AT), set(E),
      get(C), get(E), k(0xffff), op.and(), op.extendU(), get(NB), op.extendU(), op.i64Shl(), op.i64Or(), set(C),
      get(NB), get(E), k(16), op.shrU(), op.add(), tee(NB), k(32), op.geU(), op.if(),
      get(P), get(C), op.wrap(), op.store32(),
      get(P), k(4), op.add(), set(P),
      get(C), op.i64(32), op.i64ShrU(), set(C),
      get(NB), k(32), op.sub(), set(NB),
      op.end(),
      op.br(0),
      op.end(), op.end(),
      // The end mark, then the last bytes.
      get(C), op.i64(1), get(NB), op.extendU(), op.i64Shl(), op.i64Or(), set(C),
      get(NB), k(1), op.add(), set(NB),
      op.block(), op.loop(),
      get(NB), k(0), op.leS(), op.brIf(1),
      get(P), get(C), op.wrap(), op.store8(),
      get(P), k(1), op.add(), set(P),
      get(C), op.i64(8), op.i64ShrU(), set(C),
      get(NB), k(8), op.sub(), set(NB),
      op.br(0),
      op.end(), op.end(),
      get(P), k(OUT_AT), op.sub(),
    ),
  };
}

/** The module's bytes: `huf`. */
export function huffmanWasmModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes([streamBody()], ['huf'], Math.ceil(ENCODE_END / 65536));
}

let stream: ((n: number) => number) | null = null;
let codesView: Uint32Array = new Uint32Array(0);

function instantiate(exportsObject: WebAssembly.Exports): void {
  stream = exportsObject['huf'] as (n: number) => number;
}

const loader = new HeapModuleLoader(huffmanWasmModuleBytes, instantiate);

function moduleReady(): boolean {
  return loader.loaded();
}

/**
 * One Huffman stream of src[ip, ip+n) with the code (`value`, `nbBits`), written at out[op..]
 * as `huffmanCompress1X` writes it once it knows the stream fits; returns its size, or -1
 * when the WebAssembly writer cannot take the call (the caller runs the TypeScript loop).
 */
export function huffmanStreamWasm(src: Uint8Array, ip: number, n: number, value: Uint16Array, nbBits: Uint8Array, out: Uint8Array, op: number): number {
  if (n < HUF_WASM_MIN_SYMBOLS || n > IN_MAX || !zstdEncoderWasmReady() || !moduleReady()) return -1;
  // Never grows the memory (a frame's views of it must stay valid): the match finders'
  // input copy has grown it past this area whenever they run in WebAssembly.
  const heap = heapBytes();
  if (heap.length < HUF_END) return -1;
  if (codesView.buffer !== heap.buffer) codesView = new Uint32Array(heap.buffer, CODES_AT, 256);
  const codes = codesView;
  for (let s = 0; s < 256; s++) codes[s] = value[s]! | (nbBits[s]! << 16);
  heap.set(src.subarray(ip, ip + n), IN_AT);
  const size = stream!(n);
  out.set(heap.subarray(OUT_AT, OUT_AT + size), op);
  return size;
}
