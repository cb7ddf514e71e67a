/**
 * Contiguous frames read lazily from an {@link AsyncFrameSource} (a `Blob`, HTTP range
 * requests, an async file handle).
 *
 * There is one frame parser, {@link CFrame.open}, and it is synchronous. Opening here
 * fetches the ranges it reads (the header: 87 bytes, then the length they state; the
 * trailer: 25 bytes at the end, then the length they state; the offsets index between the
 * data area and the trailer) into a small sparse cache, then runs `CFrame.open` over a
 * synchronous view of that cache. A chunk is fetched as the range `CFrame.chunkLocation`
 * names and handed to `CFrame.getChunk` through the same view, so every check of the
 * synchronous reader applies unchanged; a slice covering part of a chunk fetches only the
 * blocks it needs, planned by the synchronous reader's `chunkLoadSteps`. Fetched chunks are
 * not cached.
 */
import { BloscErrorCode, fail, toBloscError } from '../errors.js';
import { decompressChunk } from '../chunk/decompress.js';
import { chunkRangeReader, readChunkRange, withChunkIndex, type ChunkSlot } from './read.js';
import { FRAME_HEADER_MINLEN, FRAME_TRAILER_MINLEN, parseFrameHeader, type FrameHeader, type FrameLayer } from '../frame/cframe.js';
import { CFrame, FRESH_LOAD_BUFFERS, type LoadedChunk } from './contiguous.js';
import { EXTENDED_HEADER_LENGTH, readChunkHeader, readInt32LE } from '../frame/chunk-header.js';
import { BlobSource } from '../io/async-source.js';
import { allocOutput, checkOutput, outputCeiling } from '../limits.js';
import { checkRange, type AsyncFrameSource, type FrameSource } from '../io/source.js';

export interface AsyncFrameOpenOptions {
  /** Require the frame to span the whole source (default true), as {@link CFrame.open}. */
  exact?: boolean;
  /** Chunks fetched at once by `getSlice` and the chunk-size scan (default 4). */
  concurrency?: number;
  /**
   * Most bytes the opener fetches for header, trailer and offsets index together (default
   * 64 MiB), so a corrupt length field cannot start a download of the whole source.
   */
  maxMetadataBytes?: number;
}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_MAX_METADATA = 64 << 20;
/** Variable-size chunks are fetched in one request when their span is at most this. */
const ONE_SHOT_SPAN = 1 << 20;

/**
 * A synchronous {@link FrameSource} over byte ranges fetched beforehand, plus an optional
 * window holding the chunk being read. A read outside them is a bug of the caller and
 * raises, it never falls through to the real source.
 * @internal
 */
export class PrefetchedSource implements FrameSource {
  /** Disjoint, non-adjacent ranges sorted by start. */
  private readonly ranges: { start: number; bytes: Uint8Array }[] = [];
  private windowStart = 0;
  private windowBytes: Uint8Array | null = null;

  constructor(readonly size: number) {}

  add(start: number, bytes: Uint8Array): void {
    let lo = start;
    let hi = start + bytes.length;
    const merged: { start: number; bytes: Uint8Array }[] = [];
    const kept: { start: number; bytes: Uint8Array }[] = [];
    for (const r of this.ranges) {
      const end = r.start + r.bytes.length;
      if (end < lo || r.start > hi) {
        kept.push(r);
      } else {
        merged.push(r);
        lo = Math.min(lo, r.start);
        hi = Math.max(hi, end);
      }
    }
    let joined = bytes;
    if (merged.length > 0) {
      joined = new Uint8Array(hi - lo);
      for (const r of merged) joined.set(r.bytes, r.start - lo);
      joined.set(bytes, start - lo);
    }
    kept.push({ start: lo, bytes: joined });
    kept.sort((a, b) => a.start - b.start);
    this.ranges.length = 0;
    this.ranges.push(...kept);
  }

  /** Run `fn` with `bytes` (fetched at `start`) readable too. */
  withWindow<T>(start: number, bytes: Uint8Array, fn: () => T): T {
    this.windowStart = start;
    this.windowBytes = bytes;
    try {
      return fn();
    } finally {
      this.windowBytes = null;
    }
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.size, offset, length);
    const w = this.windowBytes;
    if (w !== null && offset >= this.windowStart && offset + length <= this.windowStart + w.length) {
      return w.subarray(offset - this.windowStart, offset - this.windowStart + length);
    }
    for (const r of this.ranges) {
      if (offset >= r.start && offset + length <= r.start + r.bytes.length) {
        return r.bytes.subarray(offset - r.start, offset - r.start + length);
      }
    }
    return fail(BloscErrorCode.ReadBuffer, `frame: read of ${length} bytes at ${offset} is outside the ranges fetched for it`, { offset });
  }
}

/** `source.read`, checked: exactly `length` plain bytes, and only BloscErrors. */
async function fetchRange(source: AsyncFrameSource, offset: number, length: number): Promise<Uint8Array> {
  checkRange(source.size, offset, length);
  let bytes: unknown;
  try {
    bytes = await source.read(offset, length);
  } catch (e) {
    throw toBloscError(e, BloscErrorCode.FileRead, `cannot read ${length} bytes at ${offset}`);
  }
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : 'no bytes';
    fail(BloscErrorCode.FileRead, `read of ${length} bytes at ${offset} returned ${got}`, { offset });
  }
  // A plain Uint8Array view (a Node Buffer is a subclass), as everything downstream expects.
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Run `task(k)` for k in [0, n) with at most `limit` running at once; the first error wins. */
async function runPool(n: number, limit: number, task: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < n) {
      const k = next++;
      try {
        await task(k);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(limit, n); w++) workers.push(worker());
  const results = await Promise.allSettled(workers);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

function isBlob(x: unknown): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

/**
 * Open a contiguous frame from an asynchronous source (or a `Blob`), reading only its
 * header, trailer and offsets index.
 */
export async function openFrameAsync(input: AsyncFrameSource | Blob, options: AsyncFrameOpenOptions = {}): Promise<AsyncCFrame> {
  return AsyncCFrame.open(input, options);
}

/**
 * A contiguous frame whose chunks stay in an asynchronous source until asked for. Header,
 * metalayers, vlmetalayers and the offsets index are in memory from the start.
 */
export class AsyncCFrame {
  /** Uncompressed chunk sizes, once known (variable-size chunks need their headers). */
  private sizes: Float64Array | null = null;

  private constructor(
    readonly source: AsyncFrameSource,
    /** The synchronous frame over the fetched ranges: layout, index and checks. */
    readonly frame: CFrame,
    private readonly view: PrefetchedSource,
    private readonly concurrency: number,
  ) {}

  static async open(input: AsyncFrameSource | Blob, options: AsyncFrameOpenOptions = {}): Promise<AsyncCFrame> {
    const source: AsyncFrameSource = isBlob(input) ? new BlobSource(input) : input;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) fail(BloscErrorCode.InvalidParam, `concurrency must be a positive integer, got ${concurrency}`);
    const maxMetadata = options.maxMetadataBytes ?? DEFAULT_MAX_METADATA;
    if (!Number.isSafeInteger(maxMetadata) || maxMetadata < 0) fail(BloscErrorCode.InvalidParam, `maxMetadataBytes must be a non-negative integer, got ${maxMetadata}`);
    const size = source.size;
    if (!Number.isSafeInteger(size) || size < 0) fail(BloscErrorCode.InvalidParam, `source size ${size} is not a byte count`);
    const exact = options.exact ?? true;
    const view = new PrefetchedSource(size);
    // The parser, over what has been fetched so far. When a pre-fetch check below finds a
    // field out of range, running it raises the error a synchronous open would.
    const parse = (): CFrame => CFrame.open(view, { exact });
    const done = (frame: CFrame): AsyncCFrame => new AsyncCFrame(source, frame, view, concurrency);
    const fetchInto = async (offset: number, length: number): Promise<void> => {
      if (length > 0) view.add(offset, await fetchRange(source, offset, length));
    };

    if (size < FRAME_HEADER_MINLEN + FRAME_TRAILER_MINLEN) return done(parse());
    // The fixed header, and the tail where the trailer length sits (at the end of the
    // source when the frame must span it).
    const tailGuess = size - FRAME_TRAILER_MINLEN;
    await Promise.all([fetchInto(0, FRAME_HEADER_MINLEN), exact ? fetchInto(tailGuess, FRAME_TRAILER_MINLEN) : Promise.resolve()]);
    const header: FrameHeader = parseFrameHeader(view.read(0, FRAME_HEADER_MINLEN));
    const { headerLen, frameLen, cbytes, nbytes } = header;
    if (header.frameType !== 0 || frameLen > size || (exact && frameLen !== size) || frameLen < headerLen + FRAME_TRAILER_MINLEN) return done(parse());
    const tailStart = frameLen - FRAME_TRAILER_MINLEN;
    // Trailer and index ranges from the tail; null when the tail is invalid (the parser,
    // which reads the whole header first, then says why).
    const plan = (): { trailerOffset: number; trailerLen: number; indexPos: number; indexLen: number } | null => {
      const tail = view.read(tailStart, FRAME_TRAILER_MINLEN);
      const trailerLen = new DataView(tail.buffer, tail.byteOffset, tail.length).getUint32(3);
      if (tail[2] !== 0xce || trailerLen < FRAME_TRAILER_MINLEN || trailerLen > frameLen - headerLen) return null;
      const trailerOffset = frameLen - trailerLen;
      const indexPos = headerLen + cbytes;
      const indexLen = nbytes > 0 && indexPos <= trailerOffset ? trailerOffset - indexPos : 0;
      return { trailerOffset, trailerLen, indexPos, indexLen };
    };
    const checkBudget = (bytes: number): void => {
      if (bytes > maxMetadata) {
        fail(BloscErrorCode.MaxBufsizeExceeded, `frame: header, trailer and offsets index take ${bytes} bytes, more than maxMetadataBytes ${maxMetadata}`);
      }
    };
    const fetchTrailerAndIndex = (p: NonNullable<ReturnType<typeof plan>>): Promise<void>[] => [
      fetchInto(p.trailerOffset, p.trailerLen - FRAME_TRAILER_MINLEN),
      fetchInto(p.indexPos, p.indexLen),
    ];

    // Second round: the rest of the header, with the trailer and index when the tail is
    // already here (else the tail, and the trailer and index in a third round). Budgets
    // are checked before a round starts, so no request is left without a listener.
    const known = exact ? plan() : null;
    checkBudget(headerLen + (known === null ? FRAME_TRAILER_MINLEN : known.trailerLen + known.indexLen));
    const round: Promise<void>[] = [fetchInto(FRAME_HEADER_MINLEN, headerLen - FRAME_HEADER_MINLEN)];
    if (known !== null) round.push(...fetchTrailerAndIndex(known));
    if (!exact) round.push(fetchInto(tailStart, FRAME_TRAILER_MINLEN));
    await Promise.all(round);
    if (!exact) {
      const p = plan();
      if (p !== null) {
        checkBudget(headerLen + p.trailerLen + p.indexLen);
        await Promise.all(fetchTrailerAndIndex(p));
      }
    }
    return done(parse());
  }

  get header(): FrameHeader {
    return this.frame.header;
  }

  get metalayers(): readonly FrameLayer[] {
    return this.frame.metalayers;
  }

  get vlmetalayers(): readonly FrameLayer[] {
    return this.frame.vlmetalayers;
  }

  get nchunks(): number {
    return this.frame.nchunks;
  }

  /** Uncompressed bytes in the frame. */
  get nbytes(): number {
    return this.frame.header.nbytes;
  }

  get typesize(): number {
    return this.frame.header.typesize;
  }

  /** The special kind of chunk `i` when stored as a negative offset, else 0 (no read). */
  specialKind(i: number): number {
    return this.frame.specialKind(i);
  }

  /**
   * The compressed chunk `i`, fetched as the range the offsets index gives (special values
   * come back as 32-byte special chunks without a read).
   */
  async getChunk(i: number): Promise<Uint8Array> {
    const frame = this.frame;
    const loc = frame.chunkLocation(i);
    if (loc.kind !== 'data') return frame.getChunk(i);
    const h = frame.header;
    const areaLeft = h.headerLen + h.cbytes - loc.offset;
    // One request for the whole chunk when its size is bounded: a chunk never exceeds its
    // nbytes plus the 32-byte header. Otherwise its header first, then the rest.
    const bound = h.chunksize > 0 ? frame.declaredNbytes(i) + EXTENDED_HEADER_LENGTH : loc.span <= ONE_SHOT_SPAN ? loc.span : EXTENDED_HEADER_LENGTH;
    const first = Math.min(areaLeft, Math.max(EXTENDED_HEADER_LENGTH, Math.min(loc.span, bound)));
    let bytes = await fetchRange(this.source, loc.offset, first);
    const claimed = readInt32LE(bytes, 12);
    if (claimed > bytes.length && claimed <= areaLeft) {
      const rest = await fetchRange(this.source, loc.offset + bytes.length, claimed - bytes.length);
      const whole = new Uint8Array(claimed);
      whole.set(bytes);
      whole.set(rest, bytes.length);
      bytes = whole;
    }
    // The synchronous reader checks the chunk against the frame.
    const chunk = frame.chunkFromBytes(i, bytes);
    return chunk.length === bytes.length ? chunk : chunk.slice();
  }

  /**
   * Chunk `i` loaded for decoding its uncompressed bytes [s, e), as `CFrame.loadChunk` loads
   * one from a file: its header and block starts in one request, then the streams of the
   * blocks holding [s, e) (with the dictionary, and block 0 under DELTA), one range request
   * per run of them, those requests at once. A chunk that cannot be split so, or whose
   * needed blocks are most of it, is fetched whole. Special chunks need no request.
   * @internal
   */
  async loadChunk(i: number, s: number, e: number): Promise<LoadedChunk> {
    const frame = this.frame;
    const loc = frame.chunkLocation(i);
    if (loc.kind !== 'data') return { bytes: frame.getChunk(i), first: 0, last: Infinity };
    const steps = frame.chunkLoadSteps(i, s, e, FRESH_LOAD_BUFFERS);
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done === true) return r.value;
      await Promise.all(r.value.map(async (q) => {
        q.dest.set(await fetchRange(this.source, loc.offset + q.from, q.length), q.dp);
      }));
    }
  }

  /** Uncompressed size of chunk `i` (variable-size chunks: read from the chunk's header). */
  async chunkNbytes(i: number): Promise<number> {
    const frame = this.frame;
    const loc = frame.chunkLocation(i);
    if (this.sizes !== null) return this.sizes[i]!;
    if (frame.header.chunksize > 0 || loc.kind !== 'data') return frame.declaredNbytes(i);
    const head = await fetchRange(this.source, loc.offset, EXTENDED_HEADER_LENGTH);
    return this.view.withWindow(loc.offset, head, () => frame.declaredNbytes(i));
  }

  /** Sizes of all variable-size chunks, from their headers, fetched once. */
  private async chunkSizes(): Promise<Float64Array> {
    if (this.sizes !== null) return this.sizes;
    const n = this.nchunks;
    const sizes = new Float64Array(n);
    await runPool(n, this.concurrency, async (k) => {
      sizes[k] = await this.chunkNbytes(k);
    });
    let total = 0;
    for (let k = 0; k < n; k++) total += sizes[k]!;
    if (total !== this.nbytes) fail(BloscErrorCode.InvalidHeader, `frame: chunks hold ${total} bytes, the header says ${this.nbytes}`);
    this.sizes = sizes;
    return sizes;
  }

  /**
   * Decompress chunk `i` (into `out` when given; it must hold the chunk's nbytes). Without
   * `out`, its size must be within `options.maxNbytes` (default the global ceiling).
   */
  async decompressChunk(i: number, out?: Uint8Array, options?: { maxNbytes?: number }): Promise<Uint8Array> {
    const chunk = await this.getChunk(i);
    const expected = this.frame.header.chunksize > 0 || this.frame.specialKind(i) !== 0 ? this.frame.declaredNbytes(i) : readChunkHeader(chunk).nbytes;
    if (out === undefined) checkOutput(expected, outputCeiling(options?.maxNbytes), `chunk ${i}`);
    const res = decompressChunk(chunk, out, { maxNbytes: expected });
    if (res.length !== expected) fail(BloscErrorCode.InvalidHeader, `chunk ${i} decodes to ${res.length} bytes, expected ${expected}`, { chunk: i });
    return res;
  }

  /**
   * Items [start, stop) (units of typesize, like python-blosc2's `schunk[start:stop]`;
   * bounds are clamped). Only the chunks the slice touches are fetched, several at once,
   * and of a chunk it covers in part only the blocks it touches ({@link AsyncCFrame.loadChunk}).
   * A slice larger than `options.maxNbytes` (default the global ceiling) fails with
   * MaxBufsizeExceeded before anything is fetched or allocated.
   */
  async getSlice(start = 0, stop?: number, options?: { maxNbytes?: number }): Promise<Uint8Array> {
    const ts = this.typesize;
    const nitems = Math.floor(this.nbytes / ts);
    const a = Math.max(0, Math.min(nitems, Math.floor(start)));
    const b = Math.max(a, Math.min(nitems, stop === undefined ? nitems : Math.floor(stop)));
    const from = a * ts;
    const to = b * ts;
    const ceiling = outputCeiling(options?.maxNbytes);
    // A header may claim more data than the ceiling, or than this runtime can hold in one array.
    const out = allocOutput(to - from, ceiling, 'a slice');
    if (to === from) return out;
    // The chunks that overlap [from, to), where each begins and its size.
    const touched: number[] = [];
    const begins: number[] = [];
    const lengths: number[] = [];
    const cs = this.frame.header.chunksize;
    if (cs > 0) {
      for (let i = Math.floor(from / cs); i * cs < to; i++) {
        touched.push(i);
        begins.push(i * cs);
        lengths.push(this.frame.declaredNbytes(i));
      }
    } else {
      const sizes = await this.chunkSizes();
      let pos = 0;
      for (let i = 0; i < sizes.length && pos < to; i++) {
        const end = pos + sizes[i]!;
        if (end > from && sizes[i]! > 0) {
          touched.push(i);
          begins.push(pos);
          lengths.push(sizes[i]!);
        }
        pos = end;
      }
    }
    await runPool(touched.length, this.concurrency, async (k) => {
      const i = touched[k]!;
      const p = begins[k]!;
      const n = lengths[k]!;
      // The block-range reader: straight into the output, only the blocks the slice
      // touches; a special chunk is filled without a fetch.
      const s = Math.max(from, p) - p;
      const e = Math.min(to, p + n) - p;
      const special = this.frame.specialKind(i);
      const slot: ChunkSlot = { index: i, nbytes: n, special, typesize: this.typesize };
      // Blocks of the frame's blocksize (when its header states one, as b2nd frames' do):
      // a range inside fewer than all of them is fetched in part. Else, or for a special
      // chunk, the whole chunk in one request (no round trip for its block starts first).
      const h = this.frame.header;
      const bs = h.blocksize > 0 && h.chunksize > 0 ? h.blocksize : n;
      const inPart = Math.floor(s / bs) > 0 || Math.ceil(e / bs) < Math.ceil(n / bs);
      if (special !== 0 || !inPart) {
        readChunkRange(slot, special !== 0 ? null : await this.getChunk(i), s, e, out, p + s - from);
        return;
      }
      // Part of a chunk: only the blocks that hold it are fetched.
      const loaded = await this.loadChunk(i, s, e);
      const reader = chunkRangeReader(slot, loaded.bytes, loaded.first, loaded.last);
      withChunkIndex(i, () => reader.readInto(s, e, out, p + s - from));
    });
    return out;
  }
}
