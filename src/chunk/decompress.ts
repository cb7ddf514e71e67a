/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The chunk decoder: the block loop of c-blosc2 `blosc_d` / `do_job` (blosc/blosc2.c) and
 * c-blosc `blosc_d` (blosc/blosc.c), single-threaded. Blocks are located through bstarts
 * (never assumed to be in order), streams are decoded by the chunk's codec, then the filter
 * pipeline runs backwards.
 */
import { BloscError, BloscErrorCode, fail, toBloscError } from '../errors.js';
import { copyMemory } from '../copy.js';
import { allocBytes } from '../limits.js';
import type { DecodeContext } from '../codecs/types.js';
import { CodecFormat } from '../codecs/types.js';
import type { FilterCall } from '../shuffle/types.js';
import { readChunkHeader, readInt32LE, SpecialKind, type ChunkHeader } from '../frame/chunk-header.js';
import { blockIsSplit, chunkLayout, type ChunkLayout } from './layout.js';
import { simdScratch } from '../shuffle/simd.js';
import { FilterId } from '../shuffle/types.js';
import { outputCeiling } from '../limits.js';

export interface DecompressOptions {
  /**
   * Refuse chunks whose nbytes exceeds this (default: the global output ceiling,
   * `getLimits().maxOutputBytes`, 1 GiB unless changed with `setLimits`).
   * A guard against allocating for a header that lies.
   */
  maxNbytes?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Scratch kept between calls: at most this many bytes per buffer. A call on larger blocks
 * allocates what it needs and drops it when it ends, so one large chunk does not pin its
 * block-sized scratch for the life of the process (c-blosc2 frees a context's tmp buffers
 * with the context, `free_thread_context`; we keep small ones to spare the allocations).
 */
export const RETAINED_SCRATCH_MAX = 8 << 20;

/**
 * One byte buffer reused from call to call (a fresh one per call costs its page faults and a
 * collection), kept only while it is within RETAINED_SCRATCH_MAX: `bytes(n)` gives at least
 * `n` bytes, the kept buffer when it is large enough, else a new one it keeps if small enough.
 */
export class RetainedBytes {
  private kept: Uint8Array = new Uint8Array(0);

  constructor(private readonly what: string) {}

  bytes(n: number): Uint8Array {
    if (this.kept.length >= n) return this.kept;
    const b = allocBytes(n, this.what);
    if (n <= RETAINED_SCRATCH_MAX) this.kept = b;
    return b;
  }
}

/**
 * Scratch buffers reused across calls: no allocation per block, one grow per larger chunk,
 * and only the buffers the chunk's pipeline uses (a chunk without filters decodes straight
 * into its output).
 */
class Workspace {
  /** Where a filtered block's streams are decoded: heapA, or a simdScratch view (see useScratch). */
  tmpA: Uint8Array = EMPTY;
  heapA: Uint8Array = EMPTY;
  tmpB: Uint8Array = EMPTY;
  block: Uint8Array = EMPTY;
  block0: Uint8Array = EMPTY;
  readonly call: FilterCall = { typesize: 1, meta: 0, blockOffset: 0, ref: EMPTY, refOffset: 0, formatVersion: 2 };
  readonly ctx: { dict: Uint8Array | null; meta: number } = { dict: null, meta: 0 };
  /**
   * What each plane of tmpA (planes of `fillNeblock` bytes) is known to hold since this
   * call last wrote it: the byte value of a zero or run stream, DECODED_STREAM (the output
   * of the codec stream at planeStream[s] of this call's chunk, planeStreamSize[s] bytes),
   * or -1 (anything else). A zero or run stream finding its plane already filled with its
   * value skips the fill (C's blosc_d memsets it every time; Blosc2 writes many all-zero
   * planes); a short codec stream with the same bytes as the one its plane holds skips its
   * decoding (Blosc1 chunks compress such planes as streams of a few hundred bytes).
   */
  readonly planeFill = new Int16Array(256);
  readonly planeStream = new Int32Array(256);
  readonly planeStreamSize = new Int32Array(256);
  fillNeblock = -1;
  /** A view of the chunk for sameStream's 4-byte compares (made on a call's first compare; dropped by trim). */
  chunkView: DataView | null = null;

  /** Scratch for a pipeline of `nfilters` backward filters over blocks of `size` bytes. */
  ensure(size: number, nfilters: number): void {
    // The scratch may have been written by anything between calls.
    this.fillNeblock = -1;
    if (nfilters > 0 && this.heapA.length < size) this.heapA = allocBytes(size, 'block scratch');
    // runBackward alternates tmpA and tmpB only between two or more filters.
    if (nfilters > 1 && this.tmpB.length < size) this.tmpB = allocBytes(size, 'block scratch');
    this.tmpA = this.heapA;
  }

  blockScratch(size: number): Uint8Array {
    if (this.block.length < size) this.block = allocBytes(size, 'block scratch');
    return this.block;
  }

  block0Scratch(size: number): Uint8Array {
    if (this.block0.length < size) this.block0 = allocBytes(size, 'block 0 scratch');
    return this.block0;
  }

  /** At the end of every call: drop what exceeds RETAINED_SCRATCH_MAX, and every reference to caller memory. */
  trim(): void {
    this.chunkView = null;
    if (this.heapA.length > RETAINED_SCRATCH_MAX) this.heapA = EMPTY;
    if (this.tmpB.length > RETAINED_SCRATCH_MAX) this.tmpB = EMPTY;
    if (this.block.length > RETAINED_SCRATCH_MAX) this.block = EMPTY;
    if (this.block0.length > RETAINED_SCRATCH_MAX) this.block0 = EMPTY;
    this.tmpA = EMPTY;
    this.call.ref = EMPTY;
    this.ctx.dict = null;
  }

  retainedBytes(): number {
    return this.heapA.length + this.tmpB.length + this.block.length + this.block0.length;
  }
}

/**
 * For a pipeline of one shuffle or bitshuffle (python-blosc2's default), decode the streams
 * straight into the SIMD module's memory, where the unshuffle reads them without copying
 * them in first: one pass over each block fewer. Taken anew on every call (the view dies
 * when that memory grows); other pipelines rotate tmpA and tmpB and keep the heap.
 */
function useScratch(ws: Workspace, layout: ChunkLayout): void {
  const backward = layout.backward;
  if (backward.length !== 1) return;
  const id = backward[0]!.id;
  if (id !== FilterId.Shuffle && id !== FilterId.BitShuffle) return;
  const scratch = simdScratch(layout.maxBlock);
  if (scratch !== null) ws.tmpA = scratch;
}

const workspace = new Workspace();

/** Bytes the decoder's scratch holds between calls (for tests of bounded retention). */
export function decoderRetainedBytes(): number {
  return workspace.retainedBytes();
}

function asUint8Array(buf: Uint8Array): Uint8Array {
  // A Node Buffer is a Uint8Array subclass; a plain view keeps element access monomorphic.
  return buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkNbytes(header: ChunkHeader, options: DecompressOptions | undefined): void {
  const limit = outputCeiling(options?.maxNbytes);
  if (header.nbytes > limit) {
    fail(BloscErrorCode.MaxBufsizeExceeded, `chunk nbytes ${header.nbytes} exceeds maxNbytes ${limit}`);
  }
}

/** Decompress a whole Blosc1 or Blosc2 chunk. `out`, when given, must hold nbytes. */
export function decompressChunk(chunkIn: Uint8Array, out?: Uint8Array, options?: DecompressOptions): Uint8Array {
  const chunk = asUint8Array(chunkIn);
  const header = readChunkHeader(chunk);
  checkNbytes(header, options);
  // The layout checks every stream against what its codec can expand it to: nothing is
  // allocated for a header whose sizes its bytes cannot produce.
  const layout = chunkLayout(chunk, header);
  const nbytes = header.nbytes;
  let dest: Uint8Array;
  if (out === undefined) {
    dest = allocBytes(nbytes, 'the decompressed chunk');
  } else {
    if (out.length < nbytes) fail(BloscErrorCode.WriteBuffer, `output buffer holds ${out.length} bytes, chunk needs ${nbytes}`);
    dest = asUint8Array(out).subarray(0, nbytes);
  }
  if (nbytes === 0) return dest;
  if (header.special !== SpecialKind.None) {
    fillSpecial(chunk, header, dest, 0, 0, nbytes);
    return dest;
  }
  if (header.memcpyed) {
    copyMemory(chunk, header.headerLength, dest, 0, nbytes);
    return dest;
  }
  const ws = workspace;
  try {
    ws.ensure(layout.maxBlock, layout.backward.length);
    useScratch(ws, layout);
    prepareCall(ws, layout);
    if (layout.vlSizes !== null) {
      for (let j = 0; j < layout.nblocks; j++) {
        decodeVlBlock(chunk, layout, j, dest, layout.vlOffsets![j]!, ws, dest, 0);
      }
      return dest;
    }
    const { blocksize, nblocks } = layout;
    for (let j = 0; j < nblocks; j++) {
      decodeBlock(chunk, layout, j, dest, j * blocksize, ws, dest, 0);
    }
    return dest;
  } finally {
    ws.trim();
  }
}

/**
 * One chunk opened for reading parts of it: the header parsed and the block layout checked
 * once, then any byte range decoded straight into a caller's buffer, touching only the
 * blocks that hold it (c-blosc2 `_blosc_getitem`, without its per-call header parse). A
 * block wholly inside the range is decoded in place; the ends of the range go through one
 * block of scratch. With DELTA, block 0 is decoded once per reader. `blocksDecoded` counts
 * the blocks decoded so far (special and stored chunks decode none).
 */
export class ChunkReader {
  readonly header: ChunkHeader;
  blocksDecoded = 0;
  private readonly chunk: Uint8Array;
  private readonly layout: ChunkLayout;
  private block0: Uint8Array | null = null;
  private whole: Uint8Array | null = null;
  private readonly loadedFirst: number;
  private readonly loadedLast: number;

  /**
   * `loadedFirst`/`loadedLast`: for a chunk of which only the header, bstarts (and
   * dictionary) and the streams of blocks [loadedFirst, loadedLast) (and block 0 under DELTA)
   * were read from a frame (c-blosc2 `frame_get_lazychunk`), only those streams are checked
   * and only those blocks may be read.
   */
  constructor(chunkIn: Uint8Array, options?: DecompressOptions, loadedFirst = 0, loadedLast = Infinity) {
    this.chunk = asUint8Array(chunkIn);
    this.header = readChunkHeader(this.chunk);
    checkNbytes(this.header, options);
    this.layout = chunkLayout(this.chunk, this.header, 0, loadedFirst, loadedLast);
    this.loadedFirst = loadedFirst;
    this.loadedLast = loadedLast;
  }

  /** Decode bytes [begin, end) of the chunk into dest[dp, dp + end - begin). */
  readInto(begin: number, end: number, destIn: Uint8Array, dp: number): void {
    const header = this.header;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end < begin || end > header.nbytes) {
      fail(BloscErrorCode.InvalidParam, `bytes [${begin}, ${end}) of a chunk of ${header.nbytes}`);
    }
    if (!Number.isInteger(dp) || dp < 0 || dp + end - begin > destIn.length) {
      fail(BloscErrorCode.WriteBuffer, `output holds ${destIn.length} bytes, ${end - begin} needed from ${dp}`);
    }
    if (end === begin) return;
    const dest = asUint8Array(destIn);
    const chunk = this.chunk;
    if (header.special !== SpecialKind.None) {
      fillSpecial(chunk, header, dest, dp, begin, end - begin);
      return;
    }
    if (header.memcpyed) {
      copyMemory(chunk, header.headerLength + begin, dest, dp, end - begin);
      return;
    }
    const layout = this.layout;
    if (layout.vlSizes !== null) {
      // VL blocks have no fixed geometry: decoded whole once, then copied from.
      if (this.whole === null) {
        this.whole = decompressChunk(chunk, undefined, { maxNbytes: header.nbytes });
        this.blocksDecoded += layout.nblocks;
      }
      copyMemory(this.whole, begin, dest, dp, end - begin);
      return;
    }
    const ws = workspace;
    const { blocksize, nblocks, leftover } = layout;
    try {
      ws.ensure(layout.maxBlock, layout.backward.length);
      useScratch(ws, layout);
      prepareCall(ws, layout);
      let ref: Uint8Array = dest;
      const refOffset = 0;
      if (layout.hasDelta) {
        // DELTA decodes every block against the decoded block 0, kept for the reader's life.
        if (this.block0 === null) {
          const b0 = new Uint8Array(blocksize);
          decodeBlock(chunk, layout, 0, b0, 0, ws, b0, 0);
          this.block0 = b0;
          this.blocksDecoded++;
        }
        ref = this.block0;
      }
      const firstBlock = Math.floor(begin / blocksize);
      const lastBlock = Math.min(nblocks - 1, Math.floor((end - 1) / blocksize));
      if (firstBlock < this.loadedFirst || lastBlock >= this.loadedLast) {
        fail(BloscErrorCode.InvalidParam, `blocks [${firstBlock}, ${lastBlock}] are not all among the loaded blocks [${this.loadedFirst}, ${this.loadedLast})`);
      }
      for (let j = firstBlock; j <= lastBlock; j++) {
        const blockStart = j * blocksize;
        const bsize = j === nblocks - 1 && leftover > 0 ? leftover : blocksize;
        const from = Math.max(begin, blockStart);
        const to = Math.min(end, blockStart + bsize);
        if (this.block0 !== null && j === 0) {
          copyMemory(this.block0, from, dest, dp + from - begin, to - from);
          continue;
        }
        if (from === blockStart && to === blockStart + bsize) {
          decodeBlock(chunk, layout, j, dest, dp + from - begin, ws, ref, refOffset);
        } else {
          const block = ws.blockScratch(bsize);
          decodeBlock(chunk, layout, j, block, 0, ws, ref, refOffset);
          copyMemory(block, from - blockStart, dest, dp + from - begin, to - from);
        }
        this.blocksDecoded++;
      }
    } finally {
      ws.trim();
    }
  }
}

/**
 * Fill dest[dp, dp+n) with bytes [from, from+n) of a zero (1), NaN (2) or uninit (4) chunk
 * of `typesize`, without building the chunk (a frame's special offsets).
 */
export function fillSpecialKind(kind: number, typesize: number, dest: Uint8Array, dp: number, from: number, n: number): void {
  if (kind === SpecialKind.NaN && typesize !== 4 && typesize !== 8) {
    fail(BloscErrorCode.InvalidParam, `NaN chunks need typesize 4 or 8, not ${typesize}`);
  }
  if (kind !== SpecialKind.Zero && kind !== SpecialKind.Uninit && kind !== SpecialKind.NaN) {
    fail(BloscErrorCode.InvalidParam, `special kind ${kind} is not zero, NaN or uninit`);
  }
  fillSpecial(EMPTY, { special: kind, typesize, cbytes: 0 }, dest, dp, from, n);
}

/**
 * Decode items [start, start+count) (in units of the header typesize), touching only the
 * blocks that cover them (c-blosc `blosc_getitem`, c-blosc2 `_blosc_getitem`).
 */
export function getChunkItems(chunkIn: Uint8Array, start: number, count: number, options?: DecompressOptions): Uint8Array {
  const reader = new ChunkReader(chunkIn, options);
  const ts = reader.header.typesize;
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
    fail(BloscErrorCode.InvalidParam, `getItems: start ${start} and count ${count} must be non-negative integers`);
  }
  const begin = start * ts;
  const end = (start + count) * ts;
  if (end > reader.header.nbytes) {
    fail(BloscErrorCode.InvalidParam, `getItems: items [${start}, ${start + count}) of size ${ts} exceed nbytes ${reader.header.nbytes}`);
  }
  const dest = allocBytes(end - begin, 'the items');
  reader.readInto(begin, end, dest, 0);
  return dest;
}

function prepareCall(ws: Workspace, layout: ChunkLayout): void {
  const call = ws.call;
  call.typesize = layout.header.typesize;
  call.formatVersion = layout.header.version;
  ws.ctx.dict = layout.dict;
  ws.ctx.meta = layout.header.compcodeMeta;
}

/**
 * Decode block j into dest[dp, dp+bsize). `ref`/`refOffset` locate the decoded block 0
 * (for DELTA): the whole-chunk output, or a scratch copy for partial reads.
 */
function decodeBlock(
  chunk: Uint8Array, layout: ChunkLayout, j: number, dest: Uint8Array, dp: number,
  ws: Workspace, ref: Uint8Array, refOffset: number,
): void {
  const header = layout.header;
  const leftoverBlock = j === layout.nblocks - 1 && layout.leftover > 0;
  const bsize = leftoverBlock ? layout.leftover : layout.blocksize;
  const bstart = readInt32LE(chunk, header.headerLength + 4 * j);
  const filtered = layout.backward.length > 0;
  const target = filtered ? ws.tmpA : dest;
  const tp = filtered ? 0 : dp;
  const split = blockIsSplit(header, bsize, leftoverBlock, header.version === 2);
  // With one filter, tmpA is written by the streams alone (runBackward writes dest).
  const fills = filtered && layout.backward.length === 1 ? ws : null;
  try {
    try {
      decodeStreams(chunk, layout, bstart, bsize, split, target, tp, ws.ctx, fills);
    } catch (e) {
      // Blosc1 chunks written with BLOSC_SPLITMODE=ALWAYS split where the c-blosc 1.x
      // decoder would not: retry with the bit-4-only rule before giving up.
      const alternate = blockIsSplit(header, bsize, leftoverBlock, false);
      if (header.version !== 2 || alternate === split || !(e instanceof BloscError)) throw e;
      try {
        decodeStreams(chunk, layout, bstart, bsize, alternate, target, tp, ws.ctx, fills);
      } catch {
        throw e;
      }
    }
    if (filtered) runBackward(layout, ws, bsize, j * layout.blocksize, dest, dp, ref, refOffset);
  } catch (e) {
    throw withBlock(e, j);
  }
}

function decodeVlBlock(
  chunk: Uint8Array, layout: ChunkLayout, j: number, dest: Uint8Array, dp: number,
  ws: Workspace, ref: Uint8Array, refOffset: number,
): void {
  const header = layout.header;
  const bstart = readInt32LE(chunk, header.headerLength + 4 * j);
  const end = j + 1 < layout.nblocks ? readInt32LE(chunk, header.headerLength + 4 * (j + 1)) : header.cbytes;
  const usize = layout.vlSizes![j]!;
  const clen = end - bstart - 4;
  const filtered = layout.backward.length > 0;
  const target = filtered ? ws.tmpA : dest;
  const tp = filtered ? 0 : dp;
  try {
    if (clen === usize) {
      copyMemory(chunk, bstart + 4, target, tp, clen);
    } else {
      callCodec(layout, chunk, bstart + 4, clen, target, tp, usize, ws.ctx);
    }
    if (filtered) runBackward(layout, ws, usize, layout.vlOffsets![j]!, dest, dp, ref, refOffset);
  } catch (e) {
    throw withBlock(e, j);
  }
}

function withBlock(e: unknown, j: number): BloscError {
  const err = toBloscError(e, BloscErrorCode.Failure, `block ${j}`);
  if (err.block === undefined) err.block = j;
  return err;
}

/**
 * Decode the streams of one block (c-blosc2 `blosc_d`: csize 0 is a zero run, negative
 * csize a run of one byte value, csize == neblock a raw copy, anything else a codec stream).
 * `fills`, when given, tracks what the planes of `target` (ws.tmpA, from offset 0) hold.
 */
/** planeFill: the plane holds the decoded output of the stream recorded in planeStream. */
const DECODED_STREAM = -2;
/**
 * Codec streams of a built-in codec at most this long, and decoding to at least
 * REPEAT_MIN_RATIO times their size, are compared with the stream their plane last decoded
 * (a repeat skips the codec): comparing reads the stream twice, 4 bytes a step (sameStream);
 * decoding it writes the whole plane.
 */
const REPEAT_MAX_CSIZE = 4096;
const REPEAT_MIN_RATIO = 16;

/**
 * Whether chunk[a, a+n) and chunk[b, b+n) hold the same bytes: 4 bytes a step through a
 * DataView of the chunk kept in `ws` (a repeated stream is compared to its end, a byte loop
 * over thousands of bytes per block on chunks such as Blosc2's linspace_f8).
 */
function sameStream(ws: Workspace, chunk: Uint8Array, a: number, b: number, n: number): boolean {
  if (a === b) return true;
  let view = ws.chunkView;
  if (view === null || view.buffer !== chunk.buffer || view.byteOffset !== chunk.byteOffset || view.byteLength !== chunk.byteLength) {
    view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    ws.chunkView = view;
  }
  const words = n & ~3;
  let i = 0;
  for (; i < words; i += 4) if (view.getInt32(a + i, true) !== view.getInt32(b + i, true)) return false;
  for (; i < n; i++) if (chunk[a + i] !== chunk[b + i]) return false;
  return true;
}

function decodeStreams(
  chunk: Uint8Array, layout: ChunkLayout, bstart: number, bsize: number, split: boolean,
  target: Uint8Array, tp: number, ctx: DecodeContext, fills: Workspace | null,
): void {
  const header = layout.header;
  const cbytes = header.cbytes;
  const nstreams = split ? header.typesize : 1;
  // C divides with truncation (blosc_d): a split block whose size is not a multiple of
  // typesize (c-blosc2 3.x writes such headers for requested blocksizes) leaves its last
  // bsize % typesize bytes to whatever the output held. We zero them.
  const neblock = (bsize / nstreams) | 0;
  const tail = bsize - neblock * nstreams;
  if (tail > 0) target.fill(0, tp + bsize - tail, tp + bsize);
  let planeFill: Int16Array | null = null;
  if (fills !== null && nstreams <= fills.planeFill.length) {
    planeFill = fills.planeFill;
    if (fills.fillNeblock !== neblock) {
      planeFill.fill(-1);
      fills.fillNeblock = neblock;
    }
  }
  // Only the built-in decoders are known to give the same bytes for the same stream.
  const builtInCodec = header.codecFormat !== CodecFormat.UserDefined;
  let pos = bstart;
  for (let s = 0; s < nstreams; s++) {
    if (pos + 4 > cbytes) fail(BloscErrorCode.ReadBuffer, `stream ${s} size field past the end of the chunk`, { offset: pos });
    const csize = readInt32LE(chunk, pos);
    pos += 4;
    if (csize === 0) {
      if (planeFill === null || planeFill[s] !== 0) target.fill(0, tp, tp + neblock);
      if (planeFill !== null) planeFill[s] = 0;
    } else if (csize < 0) {
      const value = -csize;
      if (value > 255) fail(BloscErrorCode.RunLength, `run-length stream with value ${value} > 255`, { offset: pos - 4 });
      if (pos >= cbytes) fail(BloscErrorCode.ReadBuffer, 'run-length token past the end of the chunk', { offset: pos });
      if ((chunk[pos]! & 0x01) === 0) fail(BloscErrorCode.RunLength, `unknown run-length token 0x${chunk[pos]!.toString(16)}`, { offset: pos });
      pos += 1;
      if (planeFill === null || planeFill[s] !== value) target.fill(value, tp, tp + neblock);
      if (planeFill !== null) planeFill[s] = value;
    } else {
      if (pos + csize > cbytes) fail(BloscErrorCode.ReadBuffer, `stream of ${csize} bytes runs past the end of the chunk`, { offset: pos });
      const repeatable = planeFill !== null && csize <= REPEAT_MAX_CSIZE && csize * REPEAT_MIN_RATIO <= neblock && builtInCodec;
      if (repeatable && planeFill![s] === DECODED_STREAM && fills!.planeStreamSize[s] === csize &&
        sameStream(fills!, chunk, fills!.planeStream[s]!, pos, csize)) {
        // The plane already holds this stream's output.
      } else {
        // Forget the plane before writing it: a stream that fails midway leaves it unknown.
        if (planeFill !== null) planeFill[s] = -1;
        if (csize === neblock) {
          copyMemory(chunk, pos, target, tp, csize);
        } else {
          callCodec(layout, chunk, pos, csize, target, tp, neblock, ctx);
        }
        if (repeatable) {
          planeFill![s] = DECODED_STREAM;
          fills!.planeStream[s] = pos;
          fills!.planeStreamSize[s] = csize;
        }
      }
      pos += csize;
    }
    tp += neblock;
  }
}

function callCodec(
  layout: ChunkLayout, src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number,
  ctx: DecodeContext,
): void {
  const codec = layout.codec!;
  try {
    codec.decode(src, sp, sn, dst, dp, dn, ctx);
  } catch (e) {
    throw toBloscError(e, BloscErrorCode.CodecSupport, `codec '${codec.name}' failed`);
  }
}

/** c-blosc2 `pipeline_backward`: the inverse filters, slot 5 first, rotating scratch buffers. */
function runBackward(
  layout: ChunkLayout, ws: Workspace, bsize: number, blockOffset: number, dest: Uint8Array, dp: number,
  ref: Uint8Array, refOffset: number,
): void {
  const filters = layout.backward;
  const call = ws.call;
  call.blockOffset = blockOffset;
  call.ref = ref;
  call.refOffset = refOffset;
  let src: Uint8Array = ws.tmpA;
  const last = filters.length - 1;
  for (let i = 0; i <= last; i++) {
    const filter = filters[i]!;
    call.meta = layout.backwardMeta[i]!;
    const dst = i === last ? dest : src === ws.tmpA ? ws.tmpB : ws.tmpA;
    const dstOffset = i === last ? dp : 0;
    try {
      filter.backward(src, 0, dst, dstOffset, bsize, call);
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FilterPipeline, `filter '${filter.name}' failed`);
    }
    src = dst;
  }
}

const NAN32 = [0x00, 0x00, 0xc0, 0x7f];
const NAN64 = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x7f];

/**
 * Fill dest[dp, dp+n) with bytes [from, from+n) of a special-value chunk
 * (c-blosc2 `blosc_d` special branch, `set_nans`, `set_values`). UNINIT chunks leave C's
 * memory undefined; we zero-fill so no stale bytes leak out.
 */
function fillSpecial(chunk: Uint8Array, header: Pick<ChunkHeader, 'special' | 'typesize' | 'cbytes'>, dest: Uint8Array, dp: number, from: number, n: number): void {
  let pattern: ArrayLike<number>;
  switch (header.special) {
    case SpecialKind.Zero:
    case SpecialKind.Uninit:
      dest.fill(0, dp, dp + n);
      return;
    case SpecialKind.NaN:
      pattern = header.typesize === 4 ? NAN32 : NAN64;
      break;
    default:
      pattern = chunk.subarray(32, header.cbytes);
  }
  const psize = pattern.length;
  const first = Math.min(n, psize);
  for (let i = 0; i < first; i++) dest[dp + i] = pattern[(from + i) % psize]!;
  // Double the filled prefix; it is a whole number of pattern periods once it reaches psize.
  let filled = first;
  while (filled < n) {
    const len = Math.min(filled - (filled % psize), n - filled);
    dest.copyWithin(dp + filled, dp, dp + len);
    filled += len;
  }
}
