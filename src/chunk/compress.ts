/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The chunk encoder, single-threaded: c-blosc 1.21.x `blosc_compress_context` /
 * `serial_blosc` / `blosc_c` (blosc/blosc.c) for format 'blosc1', and c-blosc2 3.3.x
 * `blosc2_compress_ctx` / `write_compression_header` / `blosc_compress_context` /
 * `blosc_c` (blosc/blosc2.c) for format 'blosc2'. Block size, split, run, raw-stream and
 * memcpy decisions are C's, so with a deterministic codec the bytes are C's at nthreads = 1.
 */
import { BloscError, BloscErrorCode, fail, toBloscError } from '../errors.js';
import { allocBytes } from '../limits.js';
import { RETAINED_SCRATCH_MAX } from './decompress.js';
import { trainZstdDictionary } from '../codecs/zstd-dict/index.js';
import type { EncodeContext } from '../codecs/types.js';
import { CodecFormat, CodecId } from '../codecs/types.js';
import { resolveFilter } from '../shuffle/filters.js';
import type { Filter, FilterCall } from '../shuffle/types.js';
import { FilterId } from '../shuffle/types.js';
import { EXTENDED_HEADER_LENGTH, Flag, MAX_BUFFERSIZE, MIN_HEADER_LENGTH, readInt32LE, writeChunkHeader, writeInt32LE } from '../frame/chunk-header.js';
import { computeBlocksizeBlosc1, computeBlocksizeBlosc2, headerBlocksizeBlosc2, splitBlockBlosc1, splitBlockBlosc2 } from '../blocking/index.js';
import { MIN_BUFFERSIZE_BLOSC1, MIN_BUFFERSIZE_BLOSC2 } from '../blocking/split.js';
import type { ChunkFormat, ResolvedCParams } from '../params.js';
import { encodeScratch, isRunOfBytes, lz4EncodeScratch } from '../codecs/lz4-compress-wasm.js';
import { blosclzWasmReady } from '../codecs/blosclz-compress-wasm.js';
import { lz4hcWasmReady } from '../codecs/lz4hc-compress-wasm.js';
import { zstdEncoderWasmReady } from '../codecs/zstd-encoder/row-search-wasm.js';
import { growForZstdTreeSearch } from '../codecs/zstd-encoder/bt-search-wasm.js';
import { copyMemory } from '../copy.js';

/** c-blosc 1.x `BLOSC_MAX_BUFFERSIZE` (INT_MAX - 16). */
const MAX_BUFFERSIZE_BLOSC1 = 2_147_483_631;
/** blosc2_flags bit of a dictionary chunk (`BLOSC2_USEDICT`). */
const BLOSC2_USEDICT = 0x01;
/** Largest dictionary in a chunk (`BLOSC2_MAXDICTSIZE`). */
const MAX_DICT_SIZE = 32768;
/** Below this c-blosc2 compresses without a dictionary (`BLOSC2_MINUSEFULDICT`). */
const MIN_USEFUL_DICT = 256;

/** Scratch space for the encoder, reused across calls. */
class EncodeWorkspace {
  tmpA: Uint8Array = new Uint8Array(0);
  tmpB: Uint8Array = new Uint8Array(0);
  /** Where a chunk starts when the caller passes no `out` (see ChunkOutput). */
  out: Uint8Array = new Uint8Array(0);
  /** The stride of the planes the last filterBlock wrote (0: back to back). */
  planeStride = 0;
  readonly call: FilterCall = { typesize: 1, meta: 0, blockOffset: 0, ref: new Uint8Array(0), refOffset: 0, formatVersion: 5, planeStride: 0 };

  ensure(size: number): void {
    if (this.tmpA.length < size) {
      this.tmpA = allocBytes(size, 'block scratch');
      this.tmpB = allocBytes(size, 'block scratch');
    }
  }

  /** At the end of every call: drop block scratch past RETAINED_SCRATCH_MAX and the caller's input. */
  trim(): void {
    if (this.tmpA.length > RETAINED_SCRATCH_MAX) {
      this.tmpA = EMPTY;
      this.tmpB = EMPTY;
    }
    this.call.ref = EMPTY;
  }

  /** The start buffer of ChunkOutput, OUTPUT_SCRATCH bytes, allocated once. */
  output(): Uint8Array {
    if (this.out.length === 0) this.out = allocBytes(OUTPUT_SCRATCH, 'chunk scratch');
    return this.out;
  }

  retainedBytes(): number {
    return this.tmpA.length + this.tmpB.length + this.out.length;
  }
}

const EMPTY = new Uint8Array(0);

const workspace = new EncodeWorkspace();

/** Bytes the encoder's scratch holds between calls (for tests of bounded retention). */
export function encoderRetainedBytes(): number {
  return workspace.retainedBytes();
}

interface ChunkPlan {
  readonly p: ResolvedCParams;
  readonly nbytes: number;
  readonly typesize: number;
  readonly blocksize: number;
  readonly nblocks: number;
  readonly leftover: number;
  readonly headerLength: number;
  readonly dontSplit: boolean;
  /** Forward pipeline in slot order, with each entry's meta byte. */
  readonly forward: readonly Filter[];
  readonly forwardMeta: readonly number[];
  /** Blosc2: zero and byte runs are written as csize 0 / -value streams. */
  readonly runs: boolean;
  readonly encodeCtx: EncodeContext;
  /** Output capacity, as the Python wrappers pass it: nbytes + header length. */
  readonly destsize: number;
}

/**
 * Blocks encoded ahead of the serial loop (by workers): `blocks[j]` holds block j's streams
 * exactly as `encodeBlock` writes them. With `copy` false only the header and bstarts are
 * written, each block's bytes left for the caller to copy to its bstart.
 */
interface PreEncoded {
  readonly blocks: readonly Uint8Array[];
  readonly copy: boolean;
}

/** `encodeBlocks` result: a block would have been encoded again here, so placement gives up. */
const NEEDS_ENCODER = -1;

/**
 * The bytes of what a caller asks to compress: a typed array, DataView, ArrayBuffer or
 * SharedArrayBuffer, viewed without copying. Anything else (a string, a plain array, null)
 * is InvalidParam: read as a buffer it would compress to an empty chunk without a word.
 */
export function chunkInput(src: unknown): Uint8Array {
  if (ArrayBuffer.isView(src)) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  if (src instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && src instanceof SharedArrayBuffer)) {
    return new Uint8Array(src);
  }
  const what = src === null ? 'null' : Array.isArray(src) ? 'an Array' : typeof src === 'object' ? `a ${(src as object).constructor?.name ?? 'object'}` : `a ${typeof src}`;
  return fail(BloscErrorCode.InvalidParam, `compress takes a typed array, DataView or ArrayBuffer, got ${what}`);
}

/** The output room of a chunk of `nbytes` bytes: what c-blosc2's Python wrappers give it. */
export function maxChunkSize(nbytes: number, format: ChunkFormat = 'blosc2'): number {
  return nbytes + (format === 'blosc1' ? MIN_HEADER_LENGTH : EXTENDED_HEADER_LENGTH);
}

function chunkDestination(out: Uint8Array, destsize: number): Uint8Array {
  if (out.length < destsize) {
    fail(BloscErrorCode.WriteBuffer, `output buffer holds ${out.length} bytes, compressing needs ${destsize} (input + header)`);
  }
  return out.constructor === Uint8Array ? out : new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Bytes of the buffer a chunk starts in when the caller passes no `out`, kept between calls. */
export const OUTPUT_SCRATCH = 1 << 20;

/**
 * Where a chunk is written. A caller's `out` has destsize bytes of room from the start.
 * Without one, the chunk starts in the workspace's OUTPUT_SCRATCH bytes (when its header,
 * bstarts and a first block fit there) and is copied out at its size when it ends there; a
 * chunk that outgrows it moves once into a fresh buffer of the size its blocks so far
 * project (plus a block), which the caller then gets without a copy, and which grows again
 * (at least 1.5 times) if the projection falls short. So no more memory is allocated
 * (zeroed, faulted in) than the chunk needs: a fresh buffer of destsize bytes per call cost
 * up to a fifth of a 16 MiB LZ4 / BloscLZ compression of compressible data, most of it for
 * bytes never written. The bytes written do not depend on the buffer: every decision sees
 * destsize.
 */
class ChunkOutput {
  /** Where the chunk's streams start, and the blocks done of `total` (for the projection of {@link streamRoom}). */
  streamsAt = 0;
  done = 0;
  total = 1;

  constructor(public buf: Uint8Array, readonly grows: boolean, public inScratch: boolean, readonly destsize: number) {}

  /**
   * The buffer with room up to `end` while a block is being encoded, the chunk's streams so
   * far ending at `ntbytes`: asked stream by stream, so a chunk that compresses well stays in
   * the scratch instead of moving to a fresh buffer sized for a whole block's worst case.
   */
  streamRoom(end: number, ntbytes: number): Uint8Array {
    if (end <= this.buf.length) return this.buf;
    return this.room(end, ntbytes - this.streamsAt, this.done, this.total);
  }

  /**
   * Before block `done` (>= 1), the chunk's streams ending at `ntbytes`: a chunk still in
   * the scratch whose blocks so far project past it moves out now, copying what it has,
   * rather than once the scratch is full (a copy of up to OUTPUT_SCRATCH bytes).
   */
  settle(ntbytes: number): void {
    if (!this.inScratch || this.done === 0) return;
    const projected = this.streamsAt + Math.ceil(((ntbytes - this.streamsAt) / this.done) * this.total * GROWTH_MARGIN);
    if (projected <= this.buf.length) return;
    const next = allocBytes(Math.min(this.destsize, projected), 'the compressed chunk');
    next.set(this.buf.subarray(0, ntbytes));
    this.buf = next;
    this.inScratch = false;
  }

  /**
   * The buffer, with at least min(end, destsize) bytes; `written` bytes of streams are
   * written after `done` of the chunk's `total` blocks (for the projection).
   */
  room(end: number, written: number, done: number, total: number): Uint8Array {
    const need = Math.min(end, this.destsize);
    if (need <= this.buf.length) return this.buf;
    if (!this.grows) fail(BloscErrorCode.Failure, `chunk output of ${this.buf.length} bytes is short of ${need}`);
    const projected = done > 0 ? Math.ceil((written / done) * total * GROWTH_MARGIN) : 0;
    const size = Math.min(this.destsize, Math.max(need, end - written + projected, this.inScratch ? 0 : Math.ceil(this.buf.length * 1.5)));
    const next = allocBytes(size, 'the compressed chunk');
    next.set(this.buf);
    this.buf = next;
    this.inScratch = false;
    return next;
  }

  /** The chunk, buf[0, cbytes), as the caller gets it: a copy from the scratch, or when the buffer is over twice its size. */
  result(cbytes: number): Uint8Array {
    if (this.inScratch || (this.grows && cbytes * 2 <= this.buf.length)) return tightCopy(this.buf, cbytes);
    return this.buf.subarray(0, cbytes);
  }

  /** The buffer with room for a chunk's first `end` bytes (header, bstarts, dictionary), before any block. */
  head(end: number): Uint8Array {
    return this.room(end, 0, 0, 1);
  }
}

/** Projected chunk sizes are raised by this much, so that a chunk whose end compresses a little worse still fits. */
const GROWTH_MARGIN = 1.0625;

/** The output of a chunk planned as `plan`: the caller's `out`, or the scratch, or a fresh buffer that grows. */
function chunkOutput(out: Uint8Array | undefined, plan: ChunkPlan): ChunkOutput {
  if (out !== undefined) return new ChunkOutput(chunkDestination(out, plan.destsize), false, false, plan.destsize);
  const dict = plan.encodeCtx.dict;
  const first = Math.min(plan.destsize, plan.headerLength + 4 * plan.nblocks + (dict === null ? 0 : 4 + dict.length) + streamSlot(plan));
  if (first <= OUTPUT_SCRATCH) return new ChunkOutput(workspace.output(), true, true, plan.destsize);
  return new ChunkOutput(allocBytes(first, 'the compressed chunk'), true, false, plan.destsize);
}

/** Compress `src` into one chunk with already-resolved parameters (into `out` when given). */
export function compressChunk(src: Uint8Array, p: ResolvedCParams, out?: Uint8Array): Uint8Array {
  return compressWith(src, p, null, out)!;
}

/**
 * The chunk of `src` from blocks encoded elsewhere (by workers; `blocks[j]` holds block j's
 * streams as the serial encoder writes them): each is placed where the serial encoder would
 * have produced the same bytes, the others encoded here, so the chunk is compressChunk's.
 */
export function assembleChunk(src: Uint8Array, p: ResolvedCParams, blocks: readonly Uint8Array[], out?: Uint8Array): Uint8Array {
  return compressWith(src, p, { blocks, copy: true }, out)!;
}

/**
 * null only when a deferred placement (`pre.copy` false) meets a block it must encode.
 * `givenDict` (Blosc2 only) replaces the dictionary the data would build.
 */
function compressWith(src: Uint8Array, p: ResolvedCParams, pre: PreEncoded | null, out: Uint8Array | undefined, givenDict: Uint8Array | null = null): Uint8Array | null {
  const nbytes = src.length;
  const blosc1 = p.format === 'blosc1';
  checkChunkLimit(nbytes, p);
  let plan = blosc1 ? planBlosc1(nbytes, p) : planBlosc2(nbytes, p);
  const dict = givenDict ?? (p.useDict && !blosc1 ? chunkDictionary(src, plan) : null);
  if (dict !== null) plan = { ...plan, encodeCtx: { ...plan.encodeCtx, dict } };
  // The decisions see destsize = nbytes + header whatever room `out` has, as C's do when
  // the Python wrappers call it, so the bytes do not depend on the caller's buffer.
  const sink = chunkOutput(out, plan);
  let cbytes: number;
  try {
    cbytes = blosc1 ? writeBlosc1(src, plan, sink, pre) : writeBlosc2(src, plan, sink, pre);
  } finally {
    workspace.trim();
  }
  if (cbytes === NEEDS_ENCODER) return null;
  return sink.result(cbytes);
}

/** A fresh copy of buf[0, n). */
function tightCopy(buf: Uint8Array, n: number): Uint8Array {
  const out = allocBytes(n, 'the compressed chunk');
  out.set(buf.subarray(0, n));
  return out;
}

/**
 * The chunk of `src` in `out` from pre-encoded blocks, except the blocks' bytes: header,
 * bstarts, and for a stored chunk the input. Returns the chunk (`out.subarray(0, cbytes)`),
 * after which the caller copies block j to its bstart unless the chunk is stored or
 * special (header flags); or null when some block must be encoded again on this thread
 * (call {@link assembleChunk} instead). The bytes are compressChunk's.
 */
export function placeChunkHeader(src: Uint8Array, p: ResolvedCParams, blocks: readonly Uint8Array[], out: Uint8Array): Uint8Array | null {
  if (p.useDict) return null;
  return compressWith(src, p, { blocks, copy: false }, out);
}

function checkChunkLimit(nbytes: number, p: ResolvedCParams): void {
  if (nbytes > (p.format === 'blosc1' ? MAX_BUFFERSIZE_BLOSC1 : MAX_BUFFERSIZE)) {
    fail(BloscErrorCode.MaxBufsizeExceeded, `input of ${nbytes} bytes exceeds the ${p.format} chunk limit; use a super-chunk (frame) for larger data`);
  }
}

/** How a chunk of `nbytes` splits into blocks, and the room one encoded block can need. */
export interface BlockGeometry {
  readonly blocksize: number;
  readonly nblocks: number;
  /** Upper bound of one block's encoded size with unclamped room (streams and csize fields). */
  readonly slotSize: number;
  /** The chunk is stored whatever the data (clevel 0, or too small to compress). */
  readonly storedFromStart: boolean;
}

/** The block geometry the serial encoder uses for `nbytes` bytes with parameters `p`. */
export function blockGeometry(nbytes: number, p: ResolvedCParams): BlockGeometry {
  checkChunkLimit(nbytes, p);
  const blosc1 = p.format === 'blosc1';
  const plan = blosc1 ? planBlosc1(nbytes, p) : planBlosc2(nbytes, p);
  const slotSize = blockSlot(plan);
  const storedFromStart = p.clevel === 0 || nbytes < (blosc1 ? MIN_BUFFERSIZE_BLOSC1 : MIN_BUFFERSIZE_BLOSC2);
  return { blocksize: plan.blocksize, nblocks: plan.nblocks, slotSize, storedFromStart };
}

/**
 * Encode blocks [first, last) of a chunk of `nbytes` bytes one after another into
 * out[op..], each with unclamped room, as c-blosc2's parallel workers compress into private
 * buffers. `src` holds input bytes [srcBase, srcBase + src.length); `ref` holds the input
 * from byte 0 through block 0 at least (DELTA's reference). Writes each block's encoded size
 * to sizes[j - first] and returns the end position. `out` must hold (last - first) slots of
 * `blockGeometry().slotSize` from `op`.
 */
export function encodeBlockRange(
  src: Uint8Array, srcBase: number, nbytes: number, p: ResolvedCParams, first: number, last: number,
  ref: Uint8Array, out: Uint8Array, op: number, sizes: Int32Array,
): number {
  const base = p.format === 'blosc1' ? planBlosc1(nbytes, p) : planBlosc2(nbytes, p);
  const plan: ChunkPlan = { ...base, destsize: out.length };
  const { nblocks, blocksize, leftover } = plan;
  if (first < 0 || last > nblocks || first > last || srcBase > first * blocksize) {
    fail(BloscErrorCode.InvalidParam, `block range [${first}, ${last}) of ${nblocks}, input from byte ${srcBase}`);
  }
  try {
    const ws = workspace;
    ws.ensure(blocksize);
    const call = ws.call;
    call.typesize = plan.typesize;
    call.formatVersion = p.format === 'blosc1' ? 2 : 5;
    call.ref = ref;
    call.refOffset = 0;
    let pos = op;
    const sink = new ChunkOutput(out, false, false, out.length);
    for (let j = first; j < last; j++) {
      const leftoverBlock = j === nblocks - 1 && leftover > 0;
      const bsize = leftoverBlock ? leftover : blocksize;
      let block = src;
      let bp = j * blocksize - srcBase;
      let stride = 0;
      if (plan.forward.length > 0) {
        block = filterBlock(plan, ws, src, bp, bsize, j * blocksize, leftoverBlock);
        stride = ws.planeStride;
        bp = 0;
      }
      const written = encodeBlock(plan, block, bp, bsize, leftoverBlock, sink, pos, stride);
      if (written === 0) fail(BloscErrorCode.WriteBuffer, `block ${j} did not fit in its slot`);
      sizes[j - first] = written;
      pos += written;
    }
    return pos;
  } finally {
    workspace.trim();
  }
}

/** The most bytes one block of `plan` can take in the chunk (csize fields, streams, run bytes). */
function blockSlot(plan: ChunkPlan): number {
  const split = plan.dontSplit ? 1 : plan.typesize;
  const id = plan.p.codec.id;
  return Math.max(split * (5 + streamMaxout(id, (plan.blocksize / split) | 0)), 5 + streamMaxout(id, plan.blocksize));
}

/** The most bytes one stream of `plan` can take in the chunk (its csize field, its bytes or run byte). */
function streamSlot(plan: ChunkPlan): number {
  const split = plan.dontSplit ? 1 : plan.typesize;
  return 5 + streamMaxout(plan.p.codec.id, split > 1 && plan.leftover === 0 ? (plan.blocksize / split) | 0 : plan.blocksize);
}

/** The room a stream gets before clamping (c-blosc `blosc_c`). */
function streamMaxout(codecId: number, neblock: number): number {
  // Snappy may legitimately exceed its input (c-blosc `snappy_max_compressed_length`).
  return codecId === CodecId.Snappy ? 32 + neblock + ((neblock / 6) | 0) : neblock;
}

/**
 * Place a block encoded with unclamped room at dest[ntbytesStart..], replaying the serial
 * encoder's room checks stream by stream (`blosc_c`): returns the bytes placed, 0 where the
 * serial encoder would have given up (the chunk is then stored), or -1 where it would have
 * clamped a stream's room and so might have written other bytes (the caller encodes it).
 */
function placeEncodedBlock(
  plan: ChunkPlan, enc: Uint8Array, bsize: number, leftoverBlock: boolean, dest: Uint8Array, ntbytesStart: number, copy: boolean,
): number {
  const nstreams = !plan.dontSplit && !leftoverBlock ? plan.typesize : 1;
  const maxout = streamMaxout(plan.p.codec.id, (bsize / nstreams) | 0);
  const destsize = plan.destsize;
  let pos = ntbytesStart;
  let q = 0;
  for (let s = 0; s < nstreams; s++) {
    if (q + 4 > enc.length) fail(BloscErrorCode.Failure, 'pre-encoded block is shorter than its streams');
    const csize = readInt32LE(enc, q);
    q += 4;
    pos += 4;
    if (plan.runs && csize <= 0) {
      if (pos > destsize) return 0;
      if (csize < 0) {
        q += 1;
        pos += 1;
        if (pos > destsize) return 0;
      }
      continue;
    }
    if (pos + maxout > destsize) return -1;
    q += csize;
    pos += csize;
  }
  if (q !== enc.length) fail(BloscErrorCode.Failure, 'pre-encoded block does not match its streams');
  if (copy) copyMemory(enc, 0, dest, ntbytesStart, enc.length);
  return q;
}

function activePipeline(p: ResolvedCParams): { forward: Filter[]; meta: number[] } {
  const forward: Filter[] = [];
  const meta: number[] = [];
  for (let slot = 0; slot < 6; slot++) {
    const id = p.filters[slot]!;
    if (id === FilterId.NoFilter) continue;
    forward.push(resolveFilter(id));
    meta.push(p.filtersMeta[slot]!);
  }
  return { forward, meta };
}

function planBlosc1(nbytes: number, p: ResolvedCParams): ChunkPlan {
  const typesize = p.typesize;
  const codecId = p.codec.id;
  const blocksize = computeBlocksizeBlosc1({
    clevel: p.clevel, typesize, nbytes, forcedBlocksize: p.blocksize, codec: codecId, splitmode: p.splitmode,
  });
  const { forward, meta } = activePipeline(p);
  const dontSplit = !splitBlockBlosc1(p.splitmode, codecId, typesize, blocksize);
  return {
    p, nbytes, typesize, blocksize,
    nblocks: nbytes === 0 ? 0 : Math.ceil(nbytes / blocksize),
    leftover: nbytes % blocksize,
    headerLength: MIN_HEADER_LENGTH,
    dontSplit,
    forward,
    forwardMeta: meta,
    runs: false,
    encodeCtx: { format: 'blosc1', splitBlock: !dontSplit, dict: null, meta: 0 },
    destsize: nbytes + MIN_HEADER_LENGTH,
  };
}

function planBlosc2(nbytes: number, p: ResolvedCParams): ChunkPlan {
  const typesize = p.typesize;
  const codecId = p.codec.id;
  const blocksize = computeBlocksizeBlosc2({
    clevel: p.clevel, typesize, nbytes, userBlocksize: p.blocksize, codec: codecId, filters: p.filters, splitmode: p.splitmode,
  });
  const { forward, meta } = activePipeline(p);
  const dontSplit = !splitBlockBlosc2(p.splitmode, codecId, p.clevel, typesize, blocksize, p.filters);
  return {
    p, nbytes, typesize, blocksize,
    nblocks: nbytes === 0 ? 0 : Math.ceil(nbytes / blocksize),
    leftover: nbytes % blocksize,
    headerLength: EXTENDED_HEADER_LENGTH,
    dontSplit,
    forward,
    forwardMeta: meta,
    runs: true,
    encodeCtx: { format: 'blosc2', splitBlock: !dontSplit, dict: null, meta: p.codecMeta },
    destsize: nbytes + EXTENDED_HEADER_LENGTH,
  };
}

/** c-blosc 1.21.x: header, blocks, and the memcpy "last chance" fallback. */
function writeBlosc1(src: Uint8Array, plan: ChunkPlan, sink: ChunkOutput, pre: PreEncoded | null): number {
  const { p, nbytes } = plan;
  let flags = 0;
  let memcpyed = p.clevel === 0 || nbytes < MIN_BUFFERSIZE_BLOSC1;
  // write_compression_header: the shuffle, split and codec bits are set even when memcpyed.
  const shuffleId = p.filters[5]!;
  if (shuffleId === FilterId.Shuffle) flags |= Flag.DoShuffle;
  else if (shuffleId === FilterId.BitShuffle) flags |= Flag.DoBitShuffle;
  if (plan.dontSplit) flags |= Flag.DontSplit;
  flags |= p.codec.format << 5;
  let cbytes = 0;
  if (!memcpyed) {
    cbytes = encodeBlocks(src, plan, sink, 2, pre);
    if (cbytes === NEEDS_ENCODER) return NEEDS_ENCODER;
    if (cbytes === 0) memcpyed = true;
  }
  const dest = sink.head(memcpyed ? plan.destsize : MIN_HEADER_LENGTH);
  if (memcpyed) {
    flags |= Flag.Memcpyed;
    copyMemory(src, 0, dest, MIN_HEADER_LENGTH, nbytes);
    cbytes = nbytes + MIN_HEADER_LENGTH;
  }
  writeChunkHeader(dest, 0, {
    version: 2, versionlz: 1, flags, typesize: plan.typesize, nbytes, blocksize: plan.blocksize, cbytes,
  });
  return cbytes;
}

/** c-blosc2 3.3.x: header, blocks with runs, zero-chunk collapse, memcpy fallback. */
function writeBlosc2(src: Uint8Array, plan: ChunkPlan, sink: ChunkOutput, pre: PreEncoded | null): number {
  const { p, nbytes, nblocks, typesize } = plan;
  const headerFlagsBase = Flag.DoShuffle | Flag.DoBitShuffle;
  let memcpyed = p.clevel === 0 || nbytes < MIN_BUFFERSIZE_BLOSC2;
  // [3.x] the header plus bstarts must fit in destsize, or the chunk is stored.
  if (!memcpyed && EXTENDED_HEADER_LENGTH + 4 * nblocks > plan.destsize) memcpyed = true;
  let flags = headerFlagsBase;
  let blosc2Flags = 0;
  let cbytes = 0;
  const dict = plan.encodeCtx.dict;
  if (memcpyed) {
    flags |= Flag.Memcpyed;
  } else {
    if (p.filters.includes(FilterId.Delta)) flags |= Flag.DoDelta;
    if (plan.dontSplit) flags |= Flag.DontSplit;
    flags |= compformat(p.codec.id, p.codec.format) << 5;
    if (dict !== null) {
      // §3.9: int32 dsize and the dictionary between bstarts and the streams.
      const at = EXTENDED_HEADER_LENGTH + 4 * nblocks;
      const head = sink.head(at + 4 + dict.length);
      writeInt32LE(head, at, dict.length);
      head.set(dict, at + 4);
    }
    cbytes = encodeBlocks(src, plan, sink, 5, pre);
    if (cbytes === NEEDS_ENCODER) return NEEDS_ENCODER;
    if (cbytes === 0) {
      // blosc_compress_context: last chance, store the input; the other header bits stay.
      // (c-blosc2 also leaves the dictionary bit set here, which makes a chunk it cannot
      // read back; a stored chunk has no dictionary, so the bit is not written.)
      memcpyed = true;
      flags |= Flag.Memcpyed;
    } else if (dict !== null) {
      blosc2Flags |= BLOSC2_USEDICT;
    } else {
      const nstreams = plan.dontSplit ? nblocks : plan.leftover > 0 ? (nblocks - 1) * typesize + 1 : nblocks * typesize;
      if (cbytes === EXTENDED_HEADER_LENGTH + 4 * nblocks + 4 * nstreams) {
        // Every stream was a zero run: collapse to a header-only SPECIAL_ZERO chunk.
        blosc2Flags |= 1 << 4;
        cbytes = EXTENDED_HEADER_LENGTH;
      }
    }
  }
  const dest = sink.head(memcpyed ? plan.destsize : EXTENDED_HEADER_LENGTH);
  if (memcpyed) {
    copyMemory(src, 0, dest, EXTENDED_HEADER_LENGTH, nbytes);
    cbytes = nbytes + EXTENDED_HEADER_LENGTH;
  }
  // c-blosc2 3.x writes the requested blocksize (clamped to nbytes) in the header, which
  // disagrees with the block layout when it is not a multiple of typesize. Where the layout
  // matters (compressed blocks) we write the blocksize actually used, so the chunk decodes;
  // where it does not (stored or all-zero chunks) we write C's value, so the bytes are C's.
  const layoutFree = memcpyed || (blosc2Flags & 0x70) !== 0;
  const headerBlocksize = layoutFree && nbytes > 0
    ? headerBlocksizeBlosc2({ nbytes, userBlocksize: p.blocksize, blocksize: plan.blocksize })
    : plan.blocksize;
  writeChunkHeader(dest, 0, {
    version: 5,
    versionlz: 1,
    flags,
    typesize,
    nbytes,
    blocksize: headerBlocksize,
    cbytes,
    extended: {
      filters: p.filters,
      filtersMeta: p.filtersMeta,
      udcompcode: p.codec.id,
      compcodeMeta: p.codecMeta,
      blosc2Flags2: 0,
      blosc2Flags,
    },
  });
  return cbytes;
}

/** c-blosc2 `compcode_to_compformat`: built-ins by their format, anything else is user-defined. */
function compformat(id: number, format: number): number {
  return id <= 5 ? format : CodecFormat.UserDefined;
}

/**
 * The block loop (`serial_blosc`): bstarts, then each block filtered, split and encoded.
 * Returns the output size, 0 when a block did not fit (the caller stores the chunk), or
 * NEEDS_ENCODER when a deferred placement meets a block it would have to encode.
 */
function encodeBlocks(src: Uint8Array, plan: ChunkPlan, sink: ChunkOutput, formatVersion: number, pre: PreEncoded | null): number {
  const { nblocks, blocksize, leftover, headerLength } = plan;
  const ws = workspace;
  ws.ensure(blocksize);
  const call = ws.call;
  call.typesize = plan.typesize;
  call.formatVersion = formatVersion;
  call.ref = src;
  call.refOffset = 0;
  const dict = plan.encodeCtx.dict;
  let ntbytes = headerLength + 4 * nblocks + (dict === null ? 0 : 4 + dict.length);
  // Pre-encoded blocks were written without a dictionary; a dictionary chunk encodes its own.
  const usePre = pre !== null && plan.encodeCtx.dict === null;
  const slot = blockSlot(plan);
  const streamsAt = ntbytes;
  sink.streamsAt = streamsAt;
  sink.total = nblocks;
  for (let j = 0; j < nblocks; j++) {
    // Pre-encoded blocks are placed whole; blocks encoded here ask for room stream by stream.
    const dest = sink.room(usePre ? ntbytes + slot : ntbytes, ntbytes - streamsAt, j, nblocks);
    writeInt32LE(dest, headerLength + 4 * j, ntbytes);
    sink.done = j;
    if (!usePre) sink.settle(ntbytes);
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bsize = leftoverBlock ? leftover : blocksize;
    let written = usePre ? placeEncodedBlock(plan, pre.blocks[j]!, bsize, leftoverBlock, dest, ntbytes, pre.copy) : -1;
    if (written < 0) {
      if (usePre && !pre.copy) return NEEDS_ENCODER;
      const offset = j * blocksize;
      let block = src;
      let bp = offset;
      let stride = 0;
      if (plan.forward.length > 0) {
        block = filterBlock(plan, ws, src, offset, bsize, offset, leftoverBlock);
        stride = ws.planeStride;
        bp = 0;
      }
      written = encodeBlock(plan, block, bp, bsize, leftoverBlock, sink, ntbytes, stride);
    }
    if (written === 0) return 0;
    ntbytes += written;
  }
  return ntbytes;
}

/**
 * Where the last filter of a block should write for the codec: a view of the WebAssembly
 * memory when the codec's match finder runs there (LZ4 and LZ4HC without a dictionary, BloscLZ,
 * zstd's fast loop and row search), so that it reads the planes in place instead of copying
 * each stream in, and the run checks run there too; null otherwise.
 */
function heapTarget(plan: ChunkPlan, blocksize: number): Uint8Array | null {
  const id = plan.p.codec.id;
  if (id === CodecId.BloscLZ) return blosclzWasmReady() ? encodeScratch(blocksize) : null;
  if (id === CodecId.LZ4HC) return plan.encodeCtx.dict === null && lz4hcWasmReady() ? encodeScratch(blocksize) : null;
  if (id === CodecId.Zstd) {
    if (plan.encodeCtx.dict !== null || !zstdEncoderWasmReady()) return null;
    // No view of the memory is held here: the place to grow it for zstd's tree search.
    growForZstdTreeSearch(plan.p.clevel, blocksize);
    return encodeScratch(blocksize);
  }
  if (id !== CodecId.LZ4 || plan.encodeCtx.dict !== null) return null;
  return lz4EncodeScratch(blocksize);
}

/**
 * Bytes between the starts of a block's planes in the shared memory (0: back to back), for
 * the match finders that read them there. Eight or sixteen planes a multiple of 4 KiB long,
 * written side by side 16 bytes at a time by the SIMD shuffle, all fall in one set of the L1
 * cache and evict one another's partly written lines: a 64-byte gap after each plane took
 * the shuffle kernel for 8-byte elements from 0.98 to 0.51 ms per 16 MiB (1 MiB blocks). So
 * when SHUFFLE is the last filter of a block split into 8 or more streams, its planes are
 * written PLANE_GAP bytes apart and each stream is read where its plane starts; the streams'
 * bytes are the same.
 */
function spacedPlanes(plan: ChunkPlan, bsize: number, leftoverBlock: boolean): number {
  const typesize = plan.typesize;
  if (typesize < 8 || plan.dontSplit || leftoverBlock || bsize % typesize !== 0) return 0;
  const last = plan.forward.length - 1;
  if (last < 0 || plan.forward[last]!.id !== FilterId.Shuffle) return 0;
  const meta = plan.forwardMeta[last]!;
  if (meta !== 0 && meta !== typesize) return 0;
  const id = plan.p.codec.id;
  if (id !== CodecId.BloscLZ && (id !== CodecId.LZ4 || plan.encodeCtx.dict !== null)) return 0;
  return bsize / typesize + PLANE_GAP;
}

/**
 * A block's forward filters run into the shared memory (see heapTarget), the last one's
 * planes {@link spacedPlanes} apart when there is room for that: returns the filtered block
 * (at 0) and leaves the planes' stride in `ws.planeStride` (0: back to back).
 */
function filterBlock(
  plan: ChunkPlan, ws: EncodeWorkspace, src: Uint8Array, offset: number, bsize: number, blockOffset: number,
  leftoverBlock: boolean,
): Uint8Array {
  let stride = spacedPlanes(plan, bsize, leftoverBlock);
  const target = planesTarget(plan, plan.blocksize, stride);
  if (target === null || target.length < plan.blocksize + (plan.typesize - 1) * PLANE_GAP) stride = 0;
  ws.planeStride = stride;
  return runForward(plan, ws, src, offset, bsize, blockOffset, target, stride);
}

/** The gap {@link spacedPlanes} leaves after each plane: one cache line. */
const PLANE_GAP = 64;

/** heapTarget with room for planes `stride` apart, or for them back to back where that room cannot be had. */
function planesTarget(plan: ChunkPlan, blocksize: number, stride: number): Uint8Array | null {
  if (stride !== 0) {
    const spaced = heapTarget(plan, blocksize + (plan.typesize - 1) * PLANE_GAP);
    if (spaced !== null) return spaced;
  }
  return heapTarget(plan, blocksize);
}

/**
 * c-blosc2 `pipeline_forward`: filters in slot order, rotating two scratch buffers; the
 * last one writes into `last` when given, with its planes `planeStride` bytes apart when
 * that is not 0 (SHUFFLE only: see {@link spacedPlanes}).
 */
function runForward(
  plan: ChunkPlan, ws: EncodeWorkspace, src: Uint8Array, offset: number, bsize: number, blockOffset = offset,
  last: Uint8Array | null = null, planeStride = 0,
): Uint8Array {
  const call = ws.call;
  call.blockOffset = blockOffset;
  let from = src;
  let fp = offset;
  const filters = plan.forward;
  for (let i = 0; i < filters.length; i++) {
    const toLast = last !== null && i === filters.length - 1;
    const to = toLast ? last : from === ws.tmpA ? ws.tmpB : ws.tmpA;
    call.planeStride = toLast ? planeStride : 0;
    call.meta = plan.forwardMeta[i]!;
    const filter = filters[i]!;
    try {
      filter.forward(from, fp, to, 0, bsize, call);
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FilterPipeline, `filter '${filter.name}' failed`);
    } finally {
      call.planeStride = 0;
    }
    from = to;
    fp = 0;
  }
  return from;
}

/**
 * `blosc_c`: split the filtered block into streams and encode each at ntbytes in the
 * sink's buffer (room asked for before each stream). Stream s starts at bp + s * stride
 * (stride 0: the streams are back to back). Returns the bytes written for the block, or 0
 * when it does not fit in destsize.
 */
function encodeBlock(
  plan: ChunkPlan, block: Uint8Array, bp: number, bsize: number, leftoverBlock: boolean,
  sink: ChunkOutput, ntbytesStart: number, stride = 0,
): number {
  const { p, destsize } = plan;
  const nstreams = !plan.dontSplit && !leftoverBlock ? plan.typesize : 1;
  const neblock = (bsize / nstreams) | 0;
  const codec = p.codec;
  if (codec.encode === undefined) {
    fail(BloscErrorCode.CodecSupport, `codec '${codec.name}' can decode but not encode in this build`);
  }
  const slot = 4 + streamMaxout(codec.id, neblock);
  let ntbytes = ntbytesStart;
  for (let s = 0; s < nstreams; s++) {
    const dest = sink.streamRoom(ntbytes + slot, ntbytes);
    const sp = bp + s * (stride === 0 ? neblock : stride);
    const csizeAt = ntbytes;
    ntbytes += 4;
    if (plan.runs && isRunOfBytes(block, sp, neblock)) {
      const value = block[sp]!;
      if (ntbytes > destsize) return 0;
      writeInt32LE(dest, csizeAt, -value);
      if (value > 0) {
        ntbytes += 1;
        if (ntbytes > destsize) return 0;
        dest[csizeAt + 4] = 0x01;
      }
      continue;
    }
    let maxout = streamMaxout(codec.id, neblock);
    if (ntbytes + maxout > destsize) {
      maxout = destsize - ntbytes;
      if (maxout <= 0) return 0;
    }
    let cbytes = codec.encode!(block, sp, neblock, dest, ntbytes, maxout, p.clevel, plan.encodeCtx);
    if (cbytes > maxout || cbytes < 0) {
      fail(BloscErrorCode.WriteBuffer, `codec '${codec.name}' wrote ${cbytes} bytes into room for ${maxout}`);
    }
    if (cbytes === 0 || cbytes === neblock) {
      // The codec could not compress the stream: store it raw, if that fits.
      if (ntbytes + neblock > destsize) return 0;
      copyMemory(block, sp, dest, ntbytes, neblock);
      cbytes = neblock;
    }
    writeInt32LE(dest, csizeAt, cbytes);
    ntbytes += cbytes;
  }
  return ntbytes - ntbytesStart;
}


/**
 * Compress a Blosc2 dictionary chunk with the given dictionary instead of the one built
 * from the data (same flow otherwise). This lets a chunk be rebuilt from another chunk's
 * dictionary, e.g. to compare the dictionary pass with c-blosc2's output.
 */
export function compressChunkWithDictionary(src: Uint8Array, p: ResolvedCParams, dict: Uint8Array): Uint8Array {
  if (p.format !== 'blosc2') fail(BloscErrorCode.InvalidParam, `dictionary chunks exist only in format 'blosc2'`);
  if (dict.length === 0 || dict.length > MAX_DICT_SIZE) fail(BloscErrorCode.InvalidParam, `dictionary size ${dict.length} is outside 1..${MAX_DICT_SIZE}`);
  return compressWith(src, p, null, undefined, dict)!;
}

/**
 * The dictionary of a dictionary chunk, as c-blosc2's training pass builds it in
 * `blosc2_compress_ctx`, or null when the chunk is written without one. The training pass
 * lays the filtered blocks (unsplit) end to end; the samples are the first
 * nsamples × sample_size bytes of that, nsamples being the stream count (at least 8) and
 * sample_size = nbytes / nsamples / 16. lz4 and lz4hc take the samples themselves as the
 * dictionary, zstd trains one on them (`ZDICT_trainFromBuffer`). No dictionary when the
 * chunk is stored (clevel 0, under 32 bytes), when dict_maxsize = min(32 KiB, nbytes / 20)
 * is below 256 or sample_size is 0, or when training fails: c-blosc2 then writes the chunk
 * it writes without a dictionary.
 */
function chunkDictionary(src: Uint8Array, plan: ChunkPlan): Uint8Array | null {
  const { p, nbytes } = plan;
  if (p.clevel === 0 || nbytes < MIN_BUFFERSIZE_BLOSC2) return null;
  // Without room for header and bstarts the chunk is stored (checked again in writeBlosc2).
  if (EXTENDED_HEADER_LENGTH + 4 * plan.nblocks > plan.destsize) return null;
  const dictMaxsize = Math.min(MAX_DICT_SIZE, Math.floor(nbytes / 20));
  let nsamples = plan.dontSplit ? plan.nblocks : plan.nblocks * plan.typesize;
  if (nsamples < 8) nsamples = 8;
  const sampleSize = Math.floor(Math.floor(nbytes / nsamples) / 16);
  if (dictMaxsize < MIN_USEFUL_DICT || sampleSize === 0) return null;
  const samplesLength = nsamples * sampleSize;
  if (p.codec.id === CodecId.Zstd) {
    const samples = filteredPrefix(src, plan, samplesLength);
    const sizes = new Array<number>(nsamples).fill(sampleSize);
    try {
      return trainZstdDictionary(samples, sizes, dictMaxsize);
    } catch (e) {
      // ZDICT_trainFromBuffer failing makes c-blosc2 compress without a dictionary.
      if (e instanceof BloscError && e.code === BloscErrorCode.InvalidParam) return null;
      throw e;
    }
  }
  const dict = filteredPrefix(src, plan, Math.min(samplesLength, dictMaxsize));
  // c-blosc2 writes dsize (after bstarts) into its samples buffer before copying the samples
  // behind it, so those four bytes of the dictionary are dsize itself.
  const at = 4 * plan.nblocks;
  for (let i = 0; i < 4; i++) if (at + i < dict.length) dict[at + i] = (dict.length >>> (8 * i)) & 0xff;
  return dict;
}

/** The first `length` bytes of the filtered blocks laid end to end (the training pass's output), a fresh copy. */
function filteredPrefix(src: Uint8Array, plan: ChunkPlan, length: number): Uint8Array {
  const out = allocBytes(length, 'dictionary samples');
  if (plan.forward.length === 0) {
    out.set(src.subarray(0, length));
    return out;
  }
  const ws = workspace;
  ws.ensure(plan.blocksize);
  const call = ws.call;
  call.typesize = plan.typesize;
  call.formatVersion = 5;
  call.ref = src;
  call.refOffset = 0;
  for (let j = 0, filled = 0; filled < length; j++) {
    const offset = j * plan.blocksize;
    const bsize = Math.min(plan.blocksize, plan.nbytes - offset);
    const block = runForward(plan, ws, src, offset, bsize);
    const n = Math.min(bsize, length - filled);
    out.set(block.subarray(0, n), filled);
    filled += n;
  }
  return out;
}
