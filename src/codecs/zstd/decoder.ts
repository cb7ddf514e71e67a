/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Frame and block decoding: the driver that ties the stages together.
 *
 * Mirrors `ZSTD_decompressMultiFrame`, `ZSTD_decompressFrame` (lib/decompress/
 * zstd_decompress.c) and `ZSTD_decompressBlock_internal` (zstd_decompress_block.c).
 * Output is written straight into the destination; each frame's earlier output is its
 * match history, and a dictionary's content acts as a prefix before it.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { allocBytes } from '../../limits.js';
import { ViewCache, le24, le32, viewOf } from './bits.js';
import type { ZstdDictionary } from './dictionary.js';
import { BLOCK_SIZE_LIMIT, CONTENT_SIZE_MAX, FrameHeader, readFrameHeader, zstdMaxDecodedSize } from './frame.js';
import { HuffmanTable } from './huffman.js';
import { LIT_RAW, LiteralsHeader, decodeLiterals, readLiteralsHeader } from './literals.js';
import { SequenceState, executeSequences, readSequencesHeader } from './sequences.js';
import { LIT_AT, executeSequencesWasm, wasmSequencesReady } from './sequences-wasm.js';
import { WINDOW_AT, ZSTD_AT, ZSTD_END, heapBytes, inHeap, reserveHeap } from '../../wasm/heap.js';
import { xxhash64Low32 } from './xxhash64.js';
import { copyMemory } from '../../copy.js';

const BLOCK_RAW = 0;
const BLOCK_RLE = 1;
const BLOCK_COMPRESSED = 2;

const EMPTY: Uint8Array = new Uint8Array(0);

/** Frames up to this size go through the WebAssembly executor's window when the output is elsewhere. */
const WINDOW_MAX = 16 << 20;

/** Output that grows block by block, for frames that do not declare their size. */
class GrowableOutput {
  buf: Uint8Array;
  constructor(initial: number) {
    this.buf = allocBytes(Math.max(initial, 1024), 'zstd output');
  }
  ensure(size: number): void {
    if (size <= this.buf.length) return;
    if (size > CONTENT_SIZE_MAX) fail(BloscErrorCode.Data, 'zstd: decompressed data exceeds 2 GiB');
    const next = allocBytes(Math.min(CONTENT_SIZE_MAX, Math.max(size, this.buf.length * 2)), 'zstd output');
    next.set(this.buf);
    this.buf = next;
  }
}

/** Everything a decode needs besides its arguments, allocated once and reused. */
class Workspace {
  readonly literals = new Uint8Array(BLOCK_SIZE_LIMIT + 16);
  readonly literalsView = new DataView(this.literals.buffer);
  readonly outputViews = new ViewCache();
  readonly literalsHeader = new LiteralsHeader();
  readonly huffman = new HuffmanTable();
  huffmanPrevious: HuffmanTable | null = null;
  readonly seq = new SequenceState();
  readonly frame = new FrameHeader();
  /** Whether the frame being decoded runs on the shared memory (see decodeFrame). */
  wasm = false;
  /** Results of decodeFrame: the input and output positions after the frame. */
  ip = 0;
  op = 0;
}

let shared: Workspace | null = null;
function workspace(): Workspace {
  if (shared === null) shared = new Workspace();
  return shared;
}

/** A plain Uint8Array view (a Node Buffer would give element accesses a second shape). */
export function plainBytes(a: Uint8Array): Uint8Array {
  return a.constructor === Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Decode the frame at src[ip, iend) into out[op, outEnd) (or into `grow`, which replaces
 * `out`). Sets ws.ip and ws.op.
 */
function decodeFrame(
  ws: Workspace,
  src: Uint8Array,
  ip: number,
  iend: number,
  out: Uint8Array,
  op: number,
  outEnd: number,
  dict: ZstdDictionary | null,
  grow: GrowableOutput | null,
): void {
  const h = ws.frame;
  readFrameHeader(src, ip, iend, h);
  if (h.skippable) {
    ws.ip = ip + 8 + h.skipSize;
    ws.op = op;
    return;
  }
  const frameStart = ip;
  ip += h.headerSize;
  const seq = ws.seq;
  seq.rep0 = 1;
  seq.rep1 = 4;
  seq.rep2 = 8;
  seq.ll = null;
  seq.ml = null;
  seq.of = null;
  ws.huffmanPrevious = null;
  let dictContent = EMPTY;
  if (h.dictId !== 0 && (dict === null || dict.id !== h.dictId)) {
    fail(
      BloscErrorCode.CodecDict,
      dict === null
        ? `zstd: frame needs dictionary ${h.dictId}`
        : `zstd: frame needs dictionary ${h.dictId}, got ${dict.id}`,
      { offset: frameStart },
    );
  }
  if (dict !== null) {
    dictContent = dict.content;
    seq.rep0 = dict.repeatOffsets[0];
    seq.rep1 = dict.repeatOffsets[1];
    seq.rep2 = dict.repeatOffsets[2];
    const t = dict.tables;
    if (t !== null) {
      seq.ll = t.literalLengths;
      seq.ml = t.matchLengths;
      seq.of = t.offsets;
      ws.huffmanPrevious = t.huffman;
    }
  }
  const contentSize = h.contentSize;
  if (contentSize > zstdMaxDecodedSize(iend - frameStart)) {
    // Refused before anything is allocated for it (a 100-byte frame cannot hold 1 GiB).
    fail(BloscErrorCode.Data, `zstd: frame of at most ${iend - frameStart} bytes cannot hold the ${contentSize} bytes it declares`, {
      offset: frameStart,
    });
  }
  if (contentSize >= 0) {
    if (grow !== null) {
      grow.ensure(op + contentSize);
      out = grow.buf;
      outEnd = out.length;
    } else if (contentSize > outEnd - op) {
      fail(BloscErrorCode.WriteBuffer, `zstd: frame holds ${contentSize} bytes, output has room for ${outEnd - op}`, {
        offset: frameStart,
      });
    }
  }
  // The WebAssembly sequence executor works on the shared memory: in place when the
  // output already lies there (a Blosc block's planes, see simdScratch), else in its
  // window, copied out at the end of the frame. `base` maps output positions to it.
  const callerOut = out;
  const callerOp = op;
  let base = 0;
  let copyOut = false;
  ws.wasm = false;
  if (contentSize >= 0 && dictContent.length === 0 && wasmSequencesReady()) {
    if (inHeap(out)) {
      if (out.byteOffset >= ZSTD_END || out.byteOffset + out.length <= ZSTD_AT) {
        base = out.byteOffset;
        ws.wasm = true;
      }
    } else if (contentSize <= WINDOW_MAX && !inHeap(src) && reserveHeap(WINDOW_AT + contentSize + 64)) {
      base = WINDOW_AT - op;
      copyOut = true;
      ws.wasm = true;
    }
    if (ws.wasm) {
      out = heapBytes();
      op += base;
      outEnd += base;
    }
  }
  // New tables go where the executor reads them.
  seq.heapTables = ws.wasm;
  const winStart = op;
  const blockMax = h.blockSizeMax;
  // A frame that declares its size may not write past it (nor, then, past the window).
  const sizedEnd = contentSize >= 0 ? winStart + contentSize : -1;
  // Short copies may overshoot into output that is still to come, never past the frame.
  const safeEnd = contentSize >= 0 ? sizedEnd : 0;
  for (;;) {
    if (ip + 3 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: block header truncated', { offset: ip });
    const bh = le24(src, ip);
    ip += 3;
    const last = (bh & 1) !== 0;
    const type = (bh >>> 1) & 3;
    const size = bh >>> 3;
    const csize = type === BLOCK_RLE ? 1 : size;
    if (type === 3) fail(BloscErrorCode.Data, 'zstd: reserved block type', { offset: ip - 3 });
    if (csize > iend - ip) fail(BloscErrorCode.ReadBuffer, 'zstd: block truncated', { offset: ip - 3 });
    if (size > blockMax) fail(BloscErrorCode.Data, `zstd: block of ${size} bytes exceeds the ${blockMax}-byte limit`, { offset: ip - 3 });
    if (grow !== null && !ws.wasm) {
      grow.ensure(op + (type === BLOCK_COMPRESSED ? blockMax : size));
      out = grow.buf;
      outEnd = out.length;
    }
    const frameEnd = sizedEnd >= 0 ? sizedEnd : outEnd;
    if (type === BLOCK_COMPRESSED) {
      op = decodeCompressedBlock(ws, src, ip, ip + size, out, op, outEnd, frameEnd, blockMax, winStart, dictContent, safeEnd);
    } else {
      if (size > outEnd - op) fail(BloscErrorCode.WriteBuffer, 'zstd: block does not fit in the output', { offset: ip - 3 });
      if (size > frameEnd - op) fail(BloscErrorCode.Data, 'zstd: block runs past the frame content size', { offset: ip - 3 });
      if (type === BLOCK_RAW) copyMemory(src, ip, out, op, size);
      else out.fill(src[ip]!, op, op + size);
      op += size;
    }
    ip += csize;
    if (last) break;
  }
  if (contentSize >= 0 && op - winStart !== contentSize) {
    fail(BloscErrorCode.Data, `zstd: frame decoded to ${op - winStart} bytes, header says ${contentSize}`, { offset: frameStart });
  }
  if (ws.wasm) {
    if (copyOut) copyMemory(out, winStart, grow !== null ? grow.buf : callerOut, callerOp, op - winStart);
    op -= base;
    out = grow !== null ? grow.buf : callerOut;
    ws.wasm = false;
  }
  if (h.checksum) {
    if (ip + 4 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: content checksum truncated', { offset: ip });
    const want = le32(src, ip) >>> 0;
    const got = xxhash64Low32(out, callerOp, op);
    if (want !== got) fail(BloscErrorCode.Data, 'zstd: content checksum mismatch', { offset: ip });
    ip += 4;
  }
  ws.ip = ip;
  ws.op = op;
}

function decodeCompressedBlock(
  ws: Workspace,
  src: Uint8Array,
  ip: number,
  bend: number,
  out: Uint8Array,
  op: number,
  outEnd: number,
  frameEnd: number,
  blockMax: number,
  winStart: number,
  dict: Uint8Array,
  safeEnd: number,
): number {
  const lh = ws.literalsHeader;
  readLiteralsHeader(src, ip, bend, lh);
  const seq = ws.seq;
  const seqStart = readSequencesHeader(src, lh.end, bend, seq);
  const limit = Math.min(frameEnd, op + blockMax);
  const n = lh.regen;
  if (seq.nbSeq === 0) {
    // Literals only: decode them straight into the output.
    if (n > limit - op) {
      fail(n > outEnd - op ? BloscErrorCode.WriteBuffer : BloscErrorCode.Data, 'zstd: literals run past the block or output end', {
        offset: ip,
      });
    }
    ws.huffmanPrevious = decodeLiterals(src, lh, ws.huffman, ws.huffmanPrevious, out, op);
    return op + n;
  }
  let lit: Uint8Array;
  let litView: DataView;
  let litPos: number;
  const outView = ws.outputViews.of(out);
  if (ws.wasm) {
    // `out` is the shared memory: literals go to the executor's area of it.
    lit = out;
    litView = outView;
    litPos = LIT_AT;
    if (lh.type === LIT_RAW) copyMemory(src, lh.start, out, LIT_AT, lh.end - lh.start);
    else ws.huffmanPrevious = decodeLiterals(src, lh, ws.huffman, ws.huffmanPrevious, out, LIT_AT);
    const end = executeSequencesWasm(seq, src, seqStart, bend, LIT_AT, LIT_AT + n, op, limit, winStart, safeEnd);
    if (end >= 0) {
      const from = seq.litAfter;
      const rest = LIT_AT + n - from;
      if (end + rest > limit) {
        fail(end + rest > outEnd ? BloscErrorCode.WriteBuffer : BloscErrorCode.Data, 'zstd: literals run past the block or output end');
      }
      if (rest > 0) out.copyWithin(end, from, from + rest);
      return end + rest;
    }
    // Rejected: the JavaScript loop runs the block again from the same state.
  } else if (lh.type === LIT_RAW) {
    // Raw literals are read in place.
    lit = src;
    litView = viewOf(src);
    litPos = lh.start;
  } else {
    lit = ws.literals;
    litView = ws.literalsView;
    litPos = 0;
    ws.huffmanPrevious = decodeLiterals(src, lh, ws.huffman, ws.huffmanPrevious, lit, 0);
  }
  return executeSequences(seq, src, seqStart, bend, lit, litPos, litPos + n, out, op, limit, outEnd, winStart, dict, safeEnd, outView, litView);
}

function checkRange(len: number, p: number, n: number, what: string): void {
  if (!Number.isInteger(p) || !Number.isInteger(n) || p < 0 || n < 0 || p + n > len) {
    fail(BloscErrorCode.InvalidParam, `zstd: ${what} range [${p}, ${p + n}) is outside the buffer of ${len} bytes`);
  }
}

/**
 * Decode every frame in src[sp, sp + sn) into dst[dp, dp + dn), never writing past it.
 * Returns the number of bytes written. Throws BloscError: ReadBuffer (truncated input),
 * Data (corrupt input), WriteBuffer (output too small), CodecDict (dictionary mismatch).
 */
export function zstdDecompressInto(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  dn: number,
  dict: ZstdDictionary | null,
): number {
  checkRange(src.length, sp, sn, 'input');
  checkRange(dst.length, dp, dn, 'output');
  const s = plainBytes(src);
  const d = plainBytes(dst);
  const ws = workspace();
  const iend = sp + sn;
  const oend = dp + dn;
  let ip = sp;
  let op = dp;
  while (ip < iend) {
    decodeFrame(ws, s, ip, iend, d, op, oend, dict, null);
    ip = ws.ip;
    op = ws.op;
  }
  return op - dp;
}

/**
 * Walk the frames of src without decoding them: the total declared content size, or -1
 * when a frame does not declare it. Each declared size is checked against what the frame's
 * blocks can produce, so a lying header cannot drive a large allocation.
 */
function declaredSize(src: Uint8Array): number {
  const h = new FrameHeader();
  const iend = src.length;
  let ip = 0;
  let total = 0;
  let known = true;
  while (ip < iend) {
    readFrameHeader(src, ip, iend, h);
    if (h.skippable) {
      ip += 8 + h.skipSize;
      continue;
    }
    ip += h.headerSize;
    let bound = 0;
    for (;;) {
      if (ip + 3 > iend) fail(BloscErrorCode.ReadBuffer, 'zstd: block header truncated', { offset: ip });
      const bh = le24(src, ip);
      ip += 3;
      const type = (bh >>> 1) & 3;
      const size = bh >>> 3;
      const csize = type === BLOCK_RLE ? 1 : size;
      if (type === 3) fail(BloscErrorCode.Data, 'zstd: reserved block type', { offset: ip - 3 });
      if (csize > iend - ip) fail(BloscErrorCode.ReadBuffer, 'zstd: block truncated', { offset: ip - 3 });
      bound += type === BLOCK_COMPRESSED ? h.blockSizeMax : size;
      ip += csize;
      if ((bh & 1) !== 0) break;
    }
    if (h.checksum) ip += 4;
    if (h.contentSize < 0) known = false;
    else if (h.contentSize > bound) fail(BloscErrorCode.Data, 'zstd: frame content size larger than its blocks can hold');
    else total += h.contentSize;
    if (total > CONTENT_SIZE_MAX) fail(BloscErrorCode.Data, 'zstd: decompressed data exceeds 2 GiB');
  }
  return known ? total : -1;
}

/**
 * Decode every frame in `src`. With `dst`, the output goes there (and the result is `dst`
 * or a prefix view of it); without, a buffer of the declared size is allocated (or grown,
 * for frames that do not declare their size).
 */
export function zstdDecompress(src: Uint8Array, dst?: Uint8Array, dict?: ZstdDictionary | null): Uint8Array {
  const d = dict ?? null;
  if (dst !== undefined) {
    const n = zstdDecompressInto(src, 0, src.length, dst, 0, dst.length, d);
    return n === dst.length ? dst : dst.subarray(0, n);
  }
  const s = plainBytes(src);
  const total = declaredSize(s);
  if (total >= 0) {
    const out = allocBytes(total, 'zstd output');
    zstdDecompressInto(s, 0, s.length, out, 0, total, d);
    return out;
  }
  const ws = workspace();
  const grow = new GrowableOutput(Math.min(s.length * 4, 1 << 24));
  let ip = 0;
  let op = 0;
  while (ip < s.length) {
    decodeFrame(ws, s, ip, s.length, grow.buf, op, grow.buf.length, d, grow);
    ip = ws.ip;
    op = ws.op;
  }
  return grow.buf.subarray(0, op);
}
