/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/frame.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Contiguous frames as containers: opening one held in a {@link FrameSource} (header,
 * trailer and the offsets index, `get_coffsets` / `frame_get_lazychunk`), reading its chunks
 * on demand, and writing a whole frame in one go (`frame_from_schunk`) with its offsets
 * index compressed as c-blosc2 does. The byte layout itself lives in src/frame/cframe.ts.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { decompressChunk, getChunkItems, RetainedBytes } from '../chunk/decompress.js';
import { blockStreamsEnd } from '../chunk/layout.js';
import { allocBytes, getLimits, outputCeiling, checkOutput } from '../limits.js';
import { FilterId } from '../shuffle/types.js';
import { compressChunk } from '../chunk/compress.js';
import { resolveCParams } from '../params.js';
import { nansChunk, repeatValueChunk, uninitChunk, zerosChunk } from '../chunk/special.js';
import { EXTENDED_HEADER_LENGTH, readChunkHeader, readInt32LE, SpecialKind, type ChunkHeader } from '../frame/chunk-header.js';
import {
  badFrame, bytesView, decodeOffset, expectByte, FRAME_HEADER_MINLEN, FRAME_TRAILER_MINLEN, layOutFrame, MAX_NCHUNKS,
  parseFrameHeader, parseMetalayers, parseVlmetalayers,
  type FrameChunkLocation, type FrameHeader, type FrameLayer, type FrameWriteSpec,
} from '../frame/cframe.js';
import { MemorySource, type FrameSource } from '../io/source.js';

/**
 * Opening a frame from a file reads this many bytes at each end of it (its header and
 * metalayers, its trailer and offsets index) in one read each, when they fit: two reads
 * instead of five.
 */
const OPEN_WINDOW_BYTES = 16384;

/** Offsets indexes up to this many decoded bytes are decoded (and checked) whole at open. */
const EAGER_INDEX_NBYTES = 1 << 20;
/** Entries a lazy index decodes at once when its blocks are larger than this (bytes). */
const INDEX_WINDOW_NBYTES = 16384;

/**
 * A frame's offsets index (c-blosc2 `get_coffsets` / `get_coffset`), decoded as far as it
 * needs to be: one repeated value (`frame_fill_special` writes a 40-byte repeated-value
 * chunk however many chunks it declares) costs nothing; a small index is decoded whole at
 * open; a large one stays compressed and is decoded one window of entries at a time, as
 * C's `get_coffset` decodes one item with `blosc2_getitem`. Memory is O(the index's
 * compressed size + one window) whatever the number of chunks.
 */
class OffsetsIndex {
  /** The one value every entry holds, or NaN. */
  private readonly uniform: number;
  private readonly decoded: Float64Array | null;
  private readonly chunk: Uint8Array | null;
  private readonly windowItems: number;
  private windowStart = -1;
  private window: Float64Array = new Float64Array(0);

  constructor(
    readonly length: number,
    indexChunk: Uint8Array,
    private readonly cbytes: number,
    private readonly chunksize: number,
    private readonly sparse: boolean,
    where: number,
  ) {
    this.uniform = NaN;
    this.decoded = null;
    this.chunk = null;
    this.windowItems = INDEX_WINDOW_NBYTES / 8;
    if (length === 0) return;
    const ih = readChunkHeader(indexChunk);
    const body = indexChunk.subarray(0, ih.cbytes);
    if (ih.special === SpecialKind.Value) {
      // A filled frame (frame_fill_special): one repeated offset, never expanded.
      if (ih.typesize !== 8 || ih.cbytes !== EXTENDED_HEADER_LENGTH + 8) badFrame('repeated-value offsets index with typesize ≠ 8', where);
      this.uniform = decodeOffset(bytesView(body), EXTENDED_HEADER_LENGTH, 0, cbytes, chunksize, sparse);
      return;
    }
    if (ih.special !== SpecialKind.None) badFrame('offsets index is a zero/NaN/uninit special chunk', where);
    if (ih.nbytes <= EAGER_INDEX_NBYTES) {
      const raw = decompressChunk(body, undefined, { maxNbytes: ih.nbytes });
      const d = bytesView(raw);
      const out = new Float64Array(length);
      for (let i = 0; i < length; i++) out[i] = decodeOffset(d, 8 * i, i, cbytes, chunksize, sparse);
      this.decoded = out;
      return;
    }
    // Decoded a window at a time: windows must hold whole items and whole offsets.
    if (ih.vlBlocks || (ih.typesize !== 1 && ih.typesize !== 2 && ih.typesize !== 4 && ih.typesize !== 8)) {
      badFrame(`offsets index of typesize ${ih.typesize}${ih.vlBlocks ? ' with variable-length blocks' : ''} cannot be read in parts`, where);
    }
    // A block is decoded whole to read one entry of it: its size is what one read costs.
    checkOutput(ih.blocksizeField, outputCeiling(undefined), 'an offsets index block');
    const bs = ih.blocksizeField;
    this.windowItems = (bs > INDEX_WINDOW_NBYTES && bs % 8 === 0 && bs <= 1 << 20 ? bs : INDEX_WINDOW_NBYTES) / 8;
    this.chunk = body;
  }

  /** Entry `i` (0 ≤ i < length), checked. */
  get(i: number): number {
    if (this.uniform === this.uniform) return this.uniform;
    if (this.decoded !== null) return this.decoded[i]!;
    const w = this.windowItems;
    const start = i - (i % w);
    if (start !== this.windowStart) this.load(start, Math.min(w, this.length - start));
    return this.window[i - start]!;
  }

  /** The special kind of every entry when the index is one repeated negative offset, else 0. */
  get uniformSpecial(): number {
    return this.uniform < 0 ? -this.uniform : 0;
  }

  /** Whether every entry is known without decoding (a repeated value, or decoded at open). */
  get inMemory(): boolean {
    return this.chunk === null;
  }

  /** Every entry ≥ 0, for small indexes only (null for a lazy one). */
  dataOffsets(): Float64Array | null {
    if (this.decoded !== null) return Float64Array.from(this.decoded.filter((x) => x >= 0));
    if (this.uniform === this.uniform) return Float64Array.of(this.uniform).filter((x) => x >= 0);
    return null;
  }

  private load(start: number, count: number): void {
    const chunk = this.chunk!;
    const ts = readChunkHeader(chunk).typesize;
    const raw = getChunkItems(chunk, (start * 8) / ts, (count * 8) / ts, { maxNbytes: this.length * 8 });
    const d = bytesView(raw);
    const out = this.window.length === count ? this.window : new Float64Array(count);
    // Invalidate first: a failed check leaves no half-filled window behind.
    this.windowStart = -1;
    for (let k = 0; k < count; k++) out[k] = decodeOffset(d, 8 * k, start + k, this.cbytes, this.chunksize, this.sparse);
    this.window = out;
    this.windowStart = start;
  }
}

/**
 * A chunk as the block-range reader needs it (see {@link CFrame.loadChunk}): its `cbytes`
 * bytes, of which only the header, the block starts, the dictionary and the streams of
 * blocks [first, last) (and of block 0 under DELTA) may have been read; first 0 and last
 * Infinity when the whole chunk was.
 */
export interface LoadedChunk {
  readonly bytes: Uint8Array;
  readonly first: number;
  readonly last: number;
}

/**
 * Runs of block streams closer than this in the file are read as one (the bytes between
 * them cost less than another read call).
 */
const MERGE_GAP_BYTES = 16384;

/**
 * Buffers the partial loads reuse from chunk to chunk and call to call (a file's chunks are
 * read into them, not into a new array each: no page faults, nothing for the collector).
 * Kept only up to RETAINED_SCRATCH_MAX bytes, as the decoder's scratch is.
 */
const imageScratch = new RetainedBytes('a chunk read from a frame');
/** A chunk's header and block starts are read in one go up to this many bytes. */
const HEAD_READ_MAX = 65536;
let headScratch: Uint8Array = new Uint8Array(0);
let startsScratch: Int32Array = new Int32Array(0);
let runScratch: Uint8Array = new Uint8Array(0);

/** One read of a chunk load: bytes [from, from + length) of the chunk into dest at dp. @internal */
export interface ChunkRead {
  readonly from: number;
  readonly length: number;
  readonly dest: Uint8Array;
  readonly dp: number;
}

/** Where a chunk load puts what it reads: at least `n` bytes / entries each. @internal */
export interface ChunkLoadBuffers {
  head(n: number): Uint8Array;
  image(n: number): Uint8Array;
  starts(n: number): Int32Array;
  marks(n: number): Uint8Array;
}

/** The synchronous loads' buffers, reused from chunk to chunk (one load at a time). */
const SCRATCH_BUFFERS: ChunkLoadBuffers = {
  head: (n) => {
    if (headScratch.length < n) headScratch = new Uint8Array(Math.max(n, HEAD_READ_MAX));
    return headScratch;
  },
  image: (n) => imageScratch.bytes(n),
  starts: (n) => {
    if (startsScratch.length < n) startsScratch = new Int32Array(Math.max(n, 2 * startsScratch.length));
    return startsScratch;
  },
  marks: (n) => {
    if (runScratch.length < n) runScratch = new Uint8Array(Math.max(n, 2 * runScratch.length));
    return runScratch;
  },
};

/**
 * Buffers of their own for each load, for loads that run at once (AsyncCFrame): the image
 * takes the chunk's cbytes, which the frame's data area bounds. @internal
 */
export const FRESH_LOAD_BUFFERS: ChunkLoadBuffers = {
  head: (n) => new Uint8Array(n),
  image: (n) => allocBytes(n, 'a chunk read from a frame'),
  starts: (n) => new Int32Array(n),
  marks: (n) => new Uint8Array(n),
};


/** The first index k of sorted `a[0, n)` with a[k] > v (n when none). */
function upperBound(a: Int32Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface FrameOpenOptions {
  /**
   * For a sparse frame's index (`chunks.b2frame`, frame type 1): the whole chunk file with
   * this id (`%08X.chunk`). Without it, sparse frames are refused.
   */
  chunkFile?: (id: number) => Uint8Array;
  /**
   * Require the frame to span the whole source (c-blosc2 does for in-memory frames).
   * Default true; false accepts trailing bytes after the frame.
   */
  exact?: boolean;
}

/**
 * An opened contiguous frame. Opening reads the header, the trailer and the offsets
 * index; chunks are read from the source on demand.
 */
export class CFrame {
  private constructor(
    readonly source: FrameSource,
    readonly header: FrameHeader,
    readonly metalayers: readonly FrameLayer[],
    readonly vlmetalayers: readonly FrameLayer[],
    readonly nchunks: number,
    private readonly index: OffsetsIndex,
    private readonly chunkFile: ((id: number) => Uint8Array) | null,
  ) {}

  /** Data-area offsets of the stored chunks, ascending without repeats; built on first use. */
  private sortedStarts: Float64Array | null = null;

  /** Open a frame held in `source` (or in memory). */
  static open(input: FrameSource | Uint8Array, options: FrameOpenOptions = {}): CFrame {
    const source: FrameSource = input instanceof Uint8Array ? new MemorySource(input) : input;
    if (source.size < FRAME_HEADER_MINLEN + FRAME_TRAILER_MINLEN) {
      fail(BloscErrorCode.ReadBuffer, `frame: ${source.size} bytes is too short for a frame`);
    }
    // From a source whose reads are copies (a file: `readInto`), the header's first bytes
    // and the frame's last ones (trailer, then the offsets index before it) are read as two
    // windows; a section past them is read on its own. Other sources (views of memory, the
    // prefetched ranges of an async open) are read exactly where the sections are.
    const window = source.readInto !== undefined ? OPEN_WINDOW_BYTES : 0;
    const head = source.read(0, Math.min(source.size, Math.max(FRAME_HEADER_MINLEN, window)));
    const header = parseFrameHeader(head.subarray(0, FRAME_HEADER_MINLEN));
    const { headerLen, frameLen, cbytes, nbytes, chunksize } = header;
    const sparse = header.frameType === 1;
    if (header.frameType !== 0 && !(sparse && options.chunkFile !== undefined)) {
      fail(BloscErrorCode.FrameType, `frame: frame type ${header.frameType} is not a contiguous frame${sparse ? ' (a sparse frame needs its chunk files)' : ''}`);
    }
    if (frameLen > source.size) fail(BloscErrorCode.ReadBuffer, `frame: frame_len ${frameLen} exceeds the ${source.size} available bytes`);
    if ((options.exact ?? true) && frameLen !== source.size) {
      badFrame(`frame_len ${frameLen} differs from the ${source.size}-byte input`, 16);
    }
    if (frameLen < headerLen + FRAME_TRAILER_MINLEN) badFrame(`frame_len ${frameLen} leaves no room for a trailer`, 16);
    const metalayers = parseMetalayers(headerLen <= head.length ? head.subarray(0, headerLen) : source.read(0, headerLen));
    const endWindowStart = window > 0 ? frameLen - Math.min(frameLen, window) : frameLen;
    const endWindow = window > 0 ? source.read(endWindowStart, frameLen - endWindowStart) : head.subarray(0, 0);
    const readEnd = (offset: number, length: number): Uint8Array =>
      window > 0 && offset >= endWindowStart ? endWindow.subarray(offset - endWindowStart, offset - endWindowStart + length) : source.read(offset, length);

    // Trailer: its length sits 22 bytes before the end (FRAME_TRAILER_LEN_OFFSET).
    const tail = readEnd(frameLen - FRAME_TRAILER_MINLEN, FRAME_TRAILER_MINLEN);
    expectByte(tail, 2, 0xce, 'trailer_len uint32');
    const trailerLen = bytesView(tail).getUint32(3);
    if (trailerLen < FRAME_TRAILER_MINLEN || trailerLen > frameLen - headerLen) badFrame(`trailer_len ${trailerLen} is out of range`, frameLen - 22);
    expectByte(tail, 7, 0xd8, 'fingerprint fixext16');
    const trailerOffset = frameLen - trailerLen;
    const vlmetalayers = parseVlmetalayers(readEnd(trailerOffset, trailerLen));

    // A sparse index frame has no data area: its cbytes counts the chunk files.
    if (!sparse && cbytes > trailerOffset - headerLen) badFrame(`cbytes ${cbytes} overruns the frame`, 39);
    if (chunksize === -1 && nbytes !== 0) badFrame('chunksize is unset but the frame holds data', 58);
    let nchunks = 0;
    let indexChunk: Uint8Array = new Uint8Array(0);
    const indexPos = sparse ? headerLen : headerLen + cbytes;
    if (nbytes > 0) {
      const indexLen = trailerOffset - indexPos;
      if (indexLen < EXTENDED_HEADER_LENGTH) badFrame(`no room for the offsets index (${indexLen} bytes)`, indexPos);
      indexChunk = readEnd(indexPos, indexLen);
      const ih = readChunkHeader(indexChunk);
      if (chunksize > 0) {
        nchunks = Math.ceil(nbytes / chunksize);
      } else {
        if (ih.nbytes % 8 !== 0) badFrame(`offsets index holds ${ih.nbytes} bytes, not a multiple of 8`, indexPos);
        nchunks = ih.nbytes / 8;
        // Chunks of any size are all data chunks (special ones need a fixed chunksize), each
        // with its own 32-byte header in the data area: the area bounds how many there are.
        if (!sparse && nchunks > cbytes / EXTENDED_HEADER_LENGTH) {
          badFrame(`${nchunks} chunks of variable size cannot fit in a ${cbytes}-byte data area`, indexPos);
        }
      }
      // get_header_info: the offsets index must fit one chunk (blosc2_nchunks_to_offsets_nbytes).
      if (nchunks > MAX_NCHUNKS) badFrame(`${nchunks} chunks exceed the format limit`, 30);
      const maxChunks = getLimits().maxFrameChunks;
      if (nchunks > maxChunks) fail(BloscErrorCode.MaxBufsizeExceeded, `frame: ${nchunks} chunks exceed the limit of ${maxChunks} (setLimits({ maxFrameChunks }))`, { offset: 30 });
      if (ih.nbytes !== nchunks * 8) badFrame(`offsets index holds ${ih.nbytes / 8} entries, the header implies ${nchunks} chunks`, indexPos);
    }
    const index = new OffsetsIndex(nchunks, indexChunk, cbytes, chunksize, sparse, indexPos);
    return new CFrame(source, header, metalayers, vlmetalayers, nchunks, index, sparse ? options.chunkFile! : null);
  }

  /**
   * Uncompressed size of chunk `i`: from the header's chunksize when it is fixed (no chunk
   * read), else from the chunk's own header (variable-size chunks).
   */
  declaredNbytes(i: number): number {
    this.checkIndex(i);
    const cs = this.header.chunksize;
    if (cs <= 0) {
      const o = this.index.get(i);
      if (this.chunkFile !== null || o < 0) return readChunkHeader(this.getChunk(i)).nbytes;
      // Only the chunk's header: nbytes is its LE int32 at byte 4.
      const nbytes = readInt32LE(this.chunkStart(i, o).first, 4);
      if (nbytes < 0) badFrame(`chunk ${i} has negative nbytes ${nbytes}`);
      return nbytes;
    }
    if (i < this.nchunks - 1) return cs;
    return this.header.nbytes - cs * (this.nchunks - 1);
  }

  /**
   * Where chunk `i` lives (see {@link FrameChunkLocation}), from the offsets index only, so
   * a reader of a remote frame can fetch exactly that range.
   */
  chunkLocation(i: number): FrameChunkLocation {
    this.checkIndex(i);
    const o = this.index.get(i);
    if (o < 0) return { kind: 'special', special: -o };
    if (this.chunkFile !== null) return { kind: 'file', id: o };
    if (this.sortedStarts === null) {
      // A large index stays compressed: its chunks span to the end of the data area (an
      // upper bound; the chunk's own header says where it ends).
      const data = this.index.dataOffsets();
      const starts = data === null ? new Float64Array(0) : data.sort();
      let n = 0;
      for (let k = 0; k < starts.length; k++) if (n === 0 || starts[k]! !== starts[n - 1]!) starts[n++] = starts[k]!;
      this.sortedStarts = starts.subarray(0, n);
    }
    // The first start above o (binary search); the data area's end when there is none.
    const starts = this.sortedStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= o) lo = mid + 1;
      else hi = mid;
    }
    const end = lo < starts.length ? starts[lo]! : this.header.cbytes;
    return { kind: 'data', offset: this.header.headerLen + o, span: end - o };
  }

  /**
   * Every offsets-index entry in chunk order, as `decodeOffset` reads them (≥ 0 a position in
   * the data area or a chunk-file id, −1/−2/−4 a zero/NaN/uninit chunk): what an edit
   * rewrites (c-blosc2 `frame_update_chunk` decompresses the whole index too). The entries
   * take 8 bytes each, bounded by the output ceiling.
   */
  offsetEntries(): Float64Array {
    checkOutput(this.nchunks * 8, outputCeiling(undefined), `the offsets of ${this.nchunks} chunks`);
    const out = new Float64Array(this.nchunks);
    for (let i = 0; i < this.nchunks; i++) out[i] = this.index.get(i);
    return out;
  }

  /** The special kind every chunk has when the index is one repeated negative offset, else 0 (no decoding). */
  get uniformSpecialKind(): number {
    return this.nchunks > 0 ? this.index.uniformSpecial : 0;
  }

  /** The special kind of chunk `i` when stored as a negative offset, else 0. */
  specialKind(i: number): number {
    this.checkIndex(i);
    const o = this.index.get(i);
    return o < 0 ? -o : 0;
  }

  /**
   * The compressed chunk `i` (c-blosc2 `frame_get_chunk`): read from the data area, or
   * synthesized as a 32-byte special chunk for a negative offset.
   */
  getChunk(i: number): Uint8Array {
    this.checkIndex(i);
    const o = this.index.get(i);
    const h = this.header;
    if (o < 0) {
      // frame_special_chunk: C's default cparams with the frame's typesize and blocksize.
      const p = resolveCParams({ codec: 'blosclz', clevel: 5, typesize: h.typesize > 255 ? 1 : h.typesize, blocksize: h.blocksize });
      const nbytes = this.declaredNbytes(i);
      return o === -SpecialKind.Zero ? zerosChunk(nbytes, p) : o === -SpecialKind.NaN ? nansChunk(nbytes, p) : uninitChunk(nbytes, p);
    }
    if (this.chunkFile !== null) {
      // sframe_get_chunk: the whole file is the chunk.
      const file = this.chunkFile(o);
      const ch = readChunkHeader(file);
      if (!ch.extended) badFrame(`chunk file ${o} is not a Blosc2 chunk`);
      if (h.chunksize > 0 && ch.nbytes !== this.declaredNbytes(i)) badFrame(`chunk ${i} holds ${ch.nbytes} bytes, the frame says ${this.declaredNbytes(i)}`);
      return file.subarray(0, ch.cbytes);
    }
    return this.chunkFromBytes(i, this.readDataChunk(i, o));
  }

  /**
   * Chunk `i` loaded for decoding its uncompressed bytes [s, e), for the block-range reader
   * (c-blosc2 `frame_get_lazychunk`, whose lazy chunks `blosc_getitem` decodes a few blocks
   * of). From a source that copies what it reads (a file), into a buffer reused from call to
   * call, so **valid until the next call**: the chunk's header, then its block starts, then
   * the bytes between them and the first stream (the dictionary), then the streams of the
   * blocks holding [s, e) (and block 0 under DELTA, which every block needs), one read per
   * run of them in the file. Each of those blocks' streams is walked and must end before the
   * next block's start; a chunk for which a part cannot be located so (special, stored,
   * VL-block, Blosc1 rules, block starts outside its data area, streams that run on) or
   * would not pay (most of its bytes) is read whole into the buffer, and its own checks
   * (`chunkLayout`) say what is wrong with it. Chunks from memory (views), sparse frames and
   * special offsets come back as `getChunk` gives them. @internal
   */
  loadChunk(i: number, s: number, e: number): LoadedChunk {
    this.checkIndex(i);
    const o = this.index.get(i);
    const src = this.source;
    if (o < 0 || this.chunkFile !== null || src.readInto === undefined) return { bytes: this.getChunk(i), first: 0, last: Infinity };
    const start = this.header.headerLen + o;
    const steps = this.chunkLoadSteps(i, s, e, SCRATCH_BUFFERS);
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done === true) return r.value;
      for (const q of r.value) src.readInto(start + q.from, q.length, q.dest, q.dp);
    }
  }

  /**
   * The reads of {@link CFrame.loadChunk} for data chunk `i`, as a generator: each step
   * yields the reads it needs (bytes [from, from + length) of the chunk into dest at dp;
   * independent of each other, so an asynchronous reader may issue them at once) and goes
   * on once they are done; the result is the loaded chunk. `buffers` gives the head and image
   * buffers (reused ones for a synchronous reader, fresh ones for concurrent loads). The
   * caller checked that chunk `i` is in the data area. @internal
   */
  *chunkLoadSteps(i: number, s: number, e: number, buffers: ChunkLoadBuffers): Generator<ChunkRead[], LoadedChunk, void> {
    const o = this.index.get(i);
    const h = this.header;
    const start = h.headerLen + o;
    const left = h.cbytes - o;
    // The whole chunk wanted (of a fixed size) and the offsets index in memory: its span (up to the next
    // chunk's start, as readDataChunk reads it) in one read straight into the image, when
    // it holds the chunk (a compact frame). Else, as for a part, the header first.
    if (h.chunksize > 0 && s <= 0 && e >= this.declaredNbytes(i) && this.index.inMemory) {
      const loc = this.chunkLocation(i);
      const span = loc.kind === 'data' ? Math.min(loc.span, left) : 0;
      if (span >= EXTENDED_HEADER_LENGTH) {
        const image = buffers.image(span);
        yield [{ from: 0, length: span, dest: image, dp: 0 }];
        const cb = readInt32LE(image, 12);
        if (cb >= EXTENDED_HEADER_LENGTH && cb <= span) {
          const bytes = image.subarray(0, cb);
          this.checkChunkNbytes(i, readChunkHeader(bytes), start);
          return { bytes, first: 0, last: Infinity };
        }
      }
    }
    // The header and, in the same read, the block starts when the frame's blocksize tells
    // how many there are (b2nd and most frames: one blocksize for every chunk).
    const guess = h.blocksize > 0 && h.chunksize > 0 ? EXTENDED_HEADER_LENGTH + 4 * Math.ceil(this.declaredNbytes(i) / h.blocksize) : EXTENDED_HEADER_LENGTH;
    const headLen = Math.min(left, guess, HEAD_READ_MAX);
    if (headLen < EXTENDED_HEADER_LENGTH) {
      fail(BloscErrorCode.ReadBuffer, `frame: chunk ${i} starts ${Math.max(0, left)} bytes before the end of the data area, too few for its header`, { chunk: i, offset: start });
    }
    const head = buffers.head(headLen);
    yield [{ from: 0, length: headLen, dest: head, dp: 0 }];
    const cb = readInt32LE(head, 12);
    if (cb < EXTENDED_HEADER_LENGTH || cb > left) {
      fail(BloscErrorCode.ReadBuffer, `frame: chunk ${i} claims ${cb} bytes, ${left} left in the data area`, { chunk: i, offset: start });
    }
    const image = buffers.image(cb);
    // The chunk's bytes [0, have) are in the image.
    const have = Math.min(headLen, cb);
    image.set(head.subarray(0, have), 0);
    const bytes = image.subarray(0, cb);
    // Its header (readChunkHeader reads only the first 32 bytes) against the frame.
    const ch = readChunkHeader(bytes);
    this.checkChunkNbytes(i, ch, start);
    /** The read of bytes [from, to) of the chunk into the image, those not in it yet (null: none). */
    const fill = (from: number, to: number): ChunkRead | null => {
      const a = Math.max(from, have);
      return to > a ? { from: a, length: to - a, dest: image, dp: a } : null;
    };
    const reads = (...list: (ChunkRead | null)[]): ChunkRead[] => list.filter((q): q is ChunkRead => q !== null);
    const nbytes = ch.nbytes;
    if (!ch.extended || ch.version < 3 || ch.special !== SpecialKind.None || ch.memcpyed || ch.vlBlocks || ch.lazy || nbytes === 0 || !(e > s)) {
      yield reads(fill(EXTENDED_HEADER_LENGTH, cb));
      return { bytes, first: 0, last: Infinity };
    }
    const blocksize = Math.min(ch.blocksizeField, nbytes);
    const nblocks = Math.ceil(nbytes / blocksize);
    const bstartsEnd = EXTENDED_HEADER_LENGTH + 4 * nblocks;
    const first = Math.max(0, Math.floor(s / blocksize));
    const last = Math.min(nblocks, Math.ceil(e / blocksize));
    /** The rest of the chunk from `from` on: the whole chunk is loaded. */
    function* whole(from: number): Generator<ChunkRead[], LoadedChunk, void> {
      const q = fill(from, cb);
      if (q !== null) yield [q];
      return { bytes, first: 0, last: Infinity };
    }
    if (bstartsEnd > cb || first >= last || (first === 0 && last === nblocks)) return yield* whole(EXTENDED_HEADER_LENGTH);
    const startsRead = fill(EXTENDED_HEADER_LENGTH, bstartsEnd);
    if (startsRead !== null) yield [startsRead];
    // The block starts in file order: block j's streams lie in [bstart_j, the next larger start).
    const starts = buffers.starts(nblocks);
    for (let j = 0; j < nblocks; j++) {
      const b = readInt32LE(image, EXTENDED_HEADER_LENGTH + 4 * j);
      if (b < bstartsEnd || b >= cb) return yield* whole(bstartsEnd);
      starts[j] = b;
    }
    const sorted = starts.subarray(0, nblocks).sort();
    const dataStart = sorted[0]!;
    let delta = false;
    for (let k = 0; k < ch.filters.length; k++) if (ch.filters[k] === FilterId.Delta) delta = true;
    // Which positions of `sorted` to read, and how much that is.
    const wanted = buffers.marks(nblocks);
    wanted.fill(0, 0, nblocks);
    let total = dataStart;
    for (let j = delta && first > 0 ? 0 : first; j < last; j = j === 0 && first > 0 ? first : j + 1) {
      const b = readInt32LE(image, EXTENDED_HEADER_LENGTH + 4 * j);
      const k = upperBound(sorted, nblocks, b) - 1;
      if (wanted[k] === 0) total += (k + 1 < nblocks ? sorted[k + 1]! : cb) - b;
      wanted[k] = 1;
    }
    if (4 * total > 3 * cb) return yield* whole(bstartsEnd);
    // The bytes before the first stream (a dictionary), and one read per run of wanted
    // streams, runs closer than MERGE_GAP_BYTES joined: all at once.
    const batch = reads(fill(bstartsEnd, dataStart));
    let runStart = -1;
    let runEnd = -1;
    for (let k = 0; k < nblocks; k++) {
      if (wanted[k] === 0) continue;
      const b = sorted[k]!;
      const end = k + 1 < nblocks ? sorted[k + 1]! : cb;
      if (runStart >= 0 && b - runEnd <= MERGE_GAP_BYTES) {
        runEnd = end;
        continue;
      }
      if (runStart >= 0) batch.push(...reads(fill(runStart, runEnd)));
      runStart = b;
      runEnd = end;
    }
    if (runStart >= 0) batch.push(...reads(fill(runStart, runEnd)));
    if (batch.length > 0) yield batch;
    if (ch.useDict) {
      // The dictionary (int32 size, then its bytes) must end before the first stream.
      const dsize = dataStart >= bstartsEnd + 4 ? readInt32LE(image, bstartsEnd) : -1;
      if (dsize <= 0 || bstartsEnd + 4 + dsize > dataStart) return yield* whole(dataStart);
    }
    // Every stream read must end inside its block's span: the decoder never looks past it.
    const leftover = nbytes % blocksize;
    for (let j = delta && first > 0 ? 0 : first; j < last; j = j === 0 && first > 0 ? first : j + 1) {
      const b = readInt32LE(image, EXTENDED_HEADER_LENGTH + 4 * j);
      const k = upperBound(sorted, nblocks, b);
      const spanEnd = k < nblocks ? sorted[k]! : cb;
      const leftoverBlock = j === nblocks - 1 && leftover > 0;
      const streamsEnd = blockStreamsEnd(bytes, ch, b, leftoverBlock ? leftover : blocksize, leftoverBlock);
      if (streamsEnd < 0 || streamsEnd > spanEnd) return yield* whole(bstartsEnd);
    }
    return { bytes, first, last };
  }

  /**
   * Data chunk `i` of a contiguous frame from `bytes` read at its start (they may run past
   * its end): its cbytes checked against the data area and the bytes, its nbytes against
   * the frame. For readers that fetch chunks themselves (AsyncCFrame). @internal
   */
  chunkFromBytes(i: number, bytes: Uint8Array): Uint8Array {
    this.checkIndex(i);
    const o = this.index.get(i);
    const h = this.header;
    if (o < 0 || this.chunkFile !== null) fail(BloscErrorCode.InvalidParam, `frame: chunk ${i} is not in the data area`, { chunk: i });
    const start = h.headerLen + o;
    const chunkCbytes = bytes.length >= EXTENDED_HEADER_LENGTH ? readInt32LE(bytes, 12) : -1;
    if (chunkCbytes < EXTENDED_HEADER_LENGTH || chunkCbytes > h.cbytes - o) {
      fail(BloscErrorCode.ReadBuffer, `frame: chunk ${i} claims ${chunkCbytes} bytes, ${h.cbytes - o} left in the data area`, { chunk: i, offset: start });
    }
    if (chunkCbytes > bytes.length) fail(BloscErrorCode.ReadBuffer, `frame: chunk ${i} claims ${chunkCbytes} bytes, ${bytes.length} were read`, { chunk: i, offset: start });
    const chunk = bytes.subarray(0, chunkCbytes);
    this.checkChunkNbytes(i, readChunkHeader(chunk), start);
    return chunk;
  }

  /** A data chunk's nbytes must be what the frame declares for chunk `i` (with a fixed chunksize). */
  private checkChunkNbytes(i: number, ch: ChunkHeader, start: number): void {
    if (this.header.chunksize > 0 && ch.nbytes !== this.declaredNbytes(i)) {
      badFrame(`chunk ${i} holds ${ch.nbytes} bytes, the frame says ${this.declaredNbytes(i)}`, start);
    }
  }

  /**
   * Chunk `i` from the data area in one read where the offsets index is in memory: its
   * span (up to the next chunk's start) holds it in a compact frame. Else, or when the
   * chunk claims more than its span, its header first, then the whole chunk.
   */
  private readDataChunk(i: number, o: number): Uint8Array {
    const h = this.header;
    const start = h.headerLen + o;
    if (this.index.inMemory) {
      const loc = this.chunkLocation(i);
      const span = loc.kind === 'data' ? Math.min(loc.span, h.cbytes - o) : 0;
      if (span >= EXTENDED_HEADER_LENGTH) {
        const bytes = this.source.read(start, span);
        if (readInt32LE(bytes, 12) <= span) return bytes;
      }
    }
    const { chunkCbytes } = this.chunkStart(i, o);
    return this.source.read(start, chunkCbytes);
  }

  /** The first 32 bytes of a chunk in the data area, with its cbytes checked against the area. */
  private chunkStart(i: number, o: number): { start: number; first: Uint8Array; chunkCbytes: number } {
    const h = this.header;
    const start = h.headerLen + o;
    const first = this.source.read(start, EXTENDED_HEADER_LENGTH);
    const chunkCbytes = readInt32LE(first, 12);
    if (chunkCbytes < EXTENDED_HEADER_LENGTH || chunkCbytes > h.cbytes - o) {
      fail(BloscErrorCode.ReadBuffer, `frame: chunk ${i} claims ${chunkCbytes} bytes, ${h.cbytes - o} left in the data area`, { chunk: i, offset: start });
    }
    return { start, first, chunkCbytes };
  }

  private checkIndex(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.nchunks) {
      fail(BloscErrorCode.InvalidIndex, `chunk index ${i} out of range 0..${this.nchunks - 1}`);
    }
  }
}


/**
 * Compress the offsets index as c-blosc2 does (`frame_from_schunk`, `frame_append_chunk`:
 * blosclz, clevel 5, typesize 8, shuffle, split never, blocksize 16 KiB); a frame of one
 * special value gets the 40-byte repeated-value index `frame_fill_special` writes
 * (blosclz, clevel 5, typesize 8, blocksize 16 KiB "based on experiments"). `raw` is what
 * `offsetEntriesBytes` (src/frame/cframe.ts) makes; with `uniform`, only its first entry is read.
 */
export function offsetsIndexChunk(raw: Uint8Array, nchunks: number, uniform: boolean): Uint8Array {
  if (uniform) {
    return repeatValueChunk(8 * nchunks, raw.subarray(0, 8), resolveCParams({ codec: 'blosclz', clevel: 5, typesize: 8, blocksize: 16384 }));
  }
  return compressChunk(raw, resolveCParams({ codec: 'blosclz', clevel: 5, typesize: 8, shuffle: 'shuffle', splitmode: 'never', blocksize: 16384 }));
}

/**
 * Write a contiguous frame in one go (format version 2 with a fixed chunksize, 3 for
 * variable chunks), compact, chunks in logical order. Zero/NaN/uninit chunks become
 * negative offsets when the chunksize is fixed, as c-blosc2 stores them.
 */
export function writeFrame(spec: FrameWriteSpec): Uint8Array {
  return layOutFrame(spec, offsetsIndexChunk);
}
