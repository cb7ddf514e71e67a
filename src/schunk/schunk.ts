/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/schunk.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * An in-memory Blosc2 super-chunk: an ordered list of compressed chunks of one fixed
 * `chunksize` (only the last may be shorter), with fixed-size metalayers and msgpack
 * vlmetalayers, readable from and writable to a contiguous frame.
 *
 * Mirrors c-blosc2 blosc/schunk.c (`blosc2_schunk_append_buffer`, `..._insert_chunk`,
 * `..._update_chunk`, `..._delete_chunk`, `blosc2_meta_*`, `blosc2_vlmeta_*`) and
 * python-blosc2's `SChunk`. Chunks of a frame opened with {@link SChunk.open} stay in the
 * source until they are read.
 */
import { BloscError, BloscErrorCode, fail } from '../errors.js';
import { compressChunk } from '../chunk/compress.js';
import { decompressChunk } from '../chunk/decompress.js';
import { readChunkHeader, readInt32LE, SpecialKind } from '../frame/chunk-header.js';
import { nansChunk, uninitChunk, zerosChunk } from '../chunk/special.js';
import { MAX_LAYER_NAME, MAX_NCHUNKS, MAX_METALAYERS, MAX_VLMETALAYERS_WRITE, type FrameChunk, type FrameHeader, type FrameLayer, type FrameWriteSpec } from '../frame/cframe.js';
import { CFrame, writeFrame, type FrameOpenOptions } from './contiguous.js';
import { chunkRangeReader, withChunkIndex, type ChunkRangeReader, type ChunkSlot } from './read.js';
import { msgpackDecode, msgpackEncode, type MsgpackValue } from '../frame/msgpack.js';
import type { FrameSource } from '../io/source.js';
import type { ChunkFileStore, FrameTarget } from '../io/target.js';
import { FrameFile } from './frame-file.js';
import { getCodecByName } from '../codecs/registry.js';
import { allocOutput, checkOutput, getLimits, outputCeiling } from '../limits.js';
import { resolveCParams, type CompressOptions, type ResolvedCParams } from '../params.js';
import { tunedOptions, tuneIsDue } from '../tuning/tune.js';

export interface SChunkOptions {
  /**
   * Uncompressed bytes per chunk (a multiple of typesize). Default: fixed by the first
   * appended chunk, as c-blosc2 does. 0 = chunks of any size (written as a format-3 frame,
   * which only c-blosc2 >= 3.0 / python-blosc2 >= 4.2 read).
   */
  chunksize?: number;
  /**
   * Compression parameters. Defaults are c-blosc2's `BLOSC2_CPARAMS_DEFAULTS` (blosclz,
   * clevel 5, shuffle, forward-compat split), the library-wide defaults of `compress`.
   */
  cparams?: CompressOptions;
  /** Item size in bytes; default `cparams.typesize`, else 1 (python-blosc2's default for bytes). */
  typesize?: number;
}

/** python-blosc2 4.x `CParams()` defaults (src/blosc2/storage.py), used for vlmetalayer values. */
const PYTHON_DEFAULTS: CompressOptions = { codec: 'zstd', clevel: 5, shuffle: 'shuffle', splitmode: 'auto' };

/**
 * How vlmetalayer values are compressed: as python-blosc2 does (its CParams with typesize 1)
 * when the zstd codec can encode, else as c-blosc2 re-adds them when it copies a super-chunk
 * (`blosc2_schunk_copy`: blosclz, clevel 5). Readers accept any codec.
 */
function vlmetaCParams(): ResolvedCParams {
  const zstd = getCodecByName('zstd');
  const options = zstd?.encode !== undefined ? PYTHON_DEFAULTS : { codec: 'blosclz', clevel: 5, shuffle: 'shuffle' as const };
  return resolveCParams({ ...options, typesize: 1 });
}

/** A chunk still in the frame it was opened from, or already in memory. */
type Slot = Uint8Array | number;

/**
 * Chunks described rather than listed: a frame opened with a fixed chunksize (chunk i is
 * frame chunk i), or a super-chunk filled with one special value. A frame may declare
 * 268 million chunks in 172 bytes (python-blosc2 `fill_special`); the lists are made only
 * when a chunk is added, replaced or removed.
 */
interface LazyChunks {
  readonly count: number;
  readonly nbytes: number;
  /** The special value (1 zeros, 2 NaN, 4 uninit) of every chunk, or 0. */
  readonly special: number;
  slot(i: number): Slot;
  size(i: number): number;
}

/** Bytes the two chunk lists take per chunk once made (a pointer and a number, with slack). */
const LIST_BYTES_PER_CHUNK = 16;

export interface SliceOptions {
  /** Most bytes the slice may hold; default the global ceiling (`getLimits().maxOutputBytes`). */
  maxNbytes?: number;
}

function nameBytesOk(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || new TextEncoder().encode(name).length > MAX_LAYER_NAME) {
    fail(BloscErrorCode.InvalidParam, `layer name must be 1..${MAX_LAYER_NAME} UTF-8 bytes, got ${JSON.stringify(name)}`);
  }
}

/** Fixed-size metalayers (frame header): added before any data, updated in place. */
export class Metalayers {
  /** @internal */
  readonly layers = new Map<string, Uint8Array>();
  /** @internal */
  constructor(private readonly owner: SChunk) {}

  /** Add a metalayer. Only possible while the super-chunk holds no data. */
  add(name: string, content: Uint8Array): void {
    nameBytesOk(name);
    if (this.layers.has(name)) fail(BloscErrorCode.InvalidParam, `metalayer '${name}' already exists`);
    if (this.owner.nchunks > 0) fail(BloscErrorCode.InvalidParam, 'metalayers cannot be added after data has been appended');
    if (this.layers.size >= MAX_METALAYERS) fail(BloscErrorCode.InvalidParam, `at most ${MAX_METALAYERS} metalayers`);
    this.commit(name, content.slice());
  }

  /** Replace a metalayer's content with one of the same length. */
  update(name: string, content: Uint8Array): void {
    const old = this.layers.get(name);
    if (old === undefined) fail(BloscErrorCode.MetalayerNotFound, `metalayer '${name}' not found`);
    if (old.length !== content.length) fail(BloscErrorCode.InvalidParam, `the length of metalayer '${name}' cannot change (${old.length} → ${content.length})`);
    this.commit(name, content.slice());
  }

  /** Set `name` to `content`, written to the frame first when the super-chunk edits one. */
  private commit(name: string, content: Uint8Array): void {
    if (this.owner.updatesFrame) this.owner.writeLayers(new Map(this.layers).set(name, content), null);
    this.layers.set(name, content);
  }

  get(name: string): Uint8Array | undefined {
    return this.layers.get(name)?.slice();
  }

  /** The content decoded as msgpack (python-blosc2 stores metalayer values that way). */
  getValue(name: string): MsgpackValue | undefined {
    const b = this.layers.get(name);
    return b === undefined ? undefined : msgpackDecode(b);
  }

  has(name: string): boolean {
    return this.layers.has(name);
  }

  names(): string[] {
    return [...this.layers.keys()];
  }
}

/**
 * Variable-length metalayers (frame trailer): msgpack values stored as compressed chunks.
 * New values are compressed as `vlmetaCParams` says.
 */
export class VLMetalayers {
  /** @internal name → compressed chunk */
  readonly layers = new Map<string, Uint8Array>();
  /** @internal */
  constructor(private readonly owner?: SChunk) {}

  /** Set (or with `null` remove) `name`, written to the frame first when the super-chunk edits one. */
  private commit(name: string, chunk: Uint8Array | null): void {
    if (this.owner?.updatesFrame === true) {
      const next = new Map(this.layers);
      if (chunk === null) next.delete(name);
      else next.set(name, chunk);
      this.owner.writeLayers(null, next);
    }
    if (chunk === null) this.layers.delete(name);
    else this.layers.set(name, chunk);
  }

  /** Store raw bytes under `name`. */
  setBytes(name: string, content: Uint8Array): void {
    nameBytesOk(name);
    if (!this.layers.has(name) && this.layers.size >= MAX_VLMETALAYERS_WRITE) {
      fail(BloscErrorCode.InvalidParam, `at most ${MAX_VLMETALAYERS_WRITE} vlmetalayers`);
    }
    this.commit(name, compressChunk(content, vlmetaCParams()));
  }

  /** Store a value, msgpack-encoded. */
  set(name: string, value: MsgpackValue): void {
    this.setBytes(name, msgpackEncode(value));
  }

  /** Store an already compressed Blosc2 chunk as the value (c-blosc2 keeps them that way). */
  setChunk(name: string, chunk: Uint8Array): void {
    nameBytesOk(name);
    const h = readChunkHeader(chunk);
    if (!h.extended || h.cbytes !== chunk.length) fail(BloscErrorCode.InvalidParam, 'a vlmetalayer value must be a Blosc2 chunk of exactly its cbytes');
    if (!this.layers.has(name) && this.layers.size >= MAX_VLMETALAYERS_WRITE) {
      fail(BloscErrorCode.InvalidParam, `at most ${MAX_VLMETALAYERS_WRITE} vlmetalayers`);
    }
    this.commit(name, chunk.slice());
  }

  /** The value as the compressed chunk the frame stores. */
  getChunk(name: string): Uint8Array | undefined {
    return this.layers.get(name)?.slice();
  }

  getBytes(name: string): Uint8Array | undefined {
    const chunk = this.layers.get(name);
    // A value is metadata: refuse a chunk that claims more than maxMsgpackBytes (64 MiB by
    // default) rather than allocate it.
    return chunk === undefined ? undefined : decompressChunk(chunk, undefined, { maxNbytes: getLimits().maxMsgpackBytes });
  }

  get(name: string): MsgpackValue | undefined {
    const b = this.getBytes(name);
    return b === undefined ? undefined : msgpackDecode(b);
  }

  delete(name: string): boolean {
    if (!this.layers.has(name)) return false;
    this.commit(name, null);
    return true;
  }

  has(name: string): boolean {
    return this.layers.has(name);
  }

  names(): string[] {
    return [...this.layers.keys()];
  }
}

export class SChunk {
  readonly typesize: number;
  readonly meta: Metalayers;
  readonly vlmeta: VLMetalayers;
  private chunksizeValue: number;
  private readonly options: CompressOptions;
  private cparams: ResolvedCParams;
  /** Set once the first chunk has been compressed (c-blosc2 reuses the context's computed blocksize). */
  private stickyBlocksize = false;
  private readonly slots: Slot[] = [];
  private readonly sizes: number[] = [];
  /** When set, the chunks (and `slots`, `sizes` are empty): see {@link LazyChunks}. */
  private lazy: LazyChunks | null = null;
  private frame: CFrame | null;
  /** Set when opened for update: every edit is written there first (see {@link SChunk.openForUpdate}). */
  private store: FrameFile | null = null;
  private headerBlocksize: number;
  /** Chunks compressed here so far: with a `tune` option, the tuner runs on some of them. */
  private compressedChunks = 0;

  constructor(options: SChunkOptions = {}, frame: CFrame | null = null) {
    const merged: CompressOptions = { ...options.cparams };
    const typesize = options.typesize ?? options.cparams?.typesize ?? 1;
    this.options = { ...merged, typesize: typesize > 255 ? 1 : typesize };
    this.cparams = resolveCParams(this.options);
    this.typesize = typesize;
    const cs = options.chunksize ?? -1;
    if (!Number.isInteger(cs) || cs < -1 || cs > 0x7fffffff || (cs > 0 && cs % typesize !== 0)) {
      fail(BloscErrorCode.InvalidParam, `chunksize must be 0 or a positive multiple of typesize ${typesize}, got ${cs}`);
    }
    this.chunksizeValue = cs;
    this.headerBlocksize = this.cparams.blocksize;
    this.meta = new Metalayers(this);
    this.vlmeta = new VLMetalayers(this);
    this.frame = frame;
  }

  /** A super-chunk holding `data` cut into `chunksize` pieces (python `SChunk(chunksize, data=...)`). */
  static fromData(data: Uint8Array, options: SChunkOptions & { chunksize: number }): SChunk {
    const s = new SChunk(options);
    const cs = options.chunksize;
    for (let p = 0; p < data.length; p += cs) s.append(data.subarray(p, Math.min(p + cs, data.length)));
    return s;
  }

  /**
   * Open a contiguous frame. Header, offsets and trailer are read now; chunks when asked for.
   * The frame's codec parameters become this super-chunk's cparams.
   */
  static open(input: FrameSource | Uint8Array, options?: FrameOpenOptions): SChunk {
    return SChunk.fromFrame(CFrame.open(input, options));
  }

  /**
   * Open the frame in `target` for update (python-blosc2 `blosc2.open(urlpath, mode='a')`):
   * every change (append, insert, update, delete, `vlmeta` set/delete, `meta.update`) is
   * written to the target at once, as c-blosc2 edits a frame on disk; chunks not edited
   * are neither read nor recompressed. The target holds a valid frame after every call, and
   * a call that fails leaves it byte for byte as it was. A sparse frame's index frame comes
   * with its `chunkFiles`. New chunks are compressed with `cparams` when given, else as the
   * frame's header says. Node's files: `openFrameFile` / `openSparseFrame` in 'blosc-ts/node'.
   */
  static openForUpdate(target: FrameTarget, options: { chunkFiles?: ChunkFileStore; cparams?: CompressOptions } = {}): SChunk {
    const file = FrameFile.open(target, options.chunkFiles);
    const s = SChunk.fromFrame(file.frame, options.cparams);
    s.store = file;
    return s;
  }

  /** Whether edits are written to a frame (opened with {@link SChunk.openForUpdate}). */
  get updatesFrame(): boolean {
    return this.store !== null;
  }

  /**
   * Close the file the super-chunk reads (and, opened for update, writes): its source's
   * `close`, when it has one. Nothing can be read from the frame afterwards.
   */
  close(): void {
    this.frame?.source.close?.();
  }

  /** A super-chunk reading `frame`; new chunks compressed with `given`, else as its header says. */
  private static fromFrame(frame: CFrame, given?: CompressOptions): SChunk {
    const h = frame.header;
    const typesize = h.typesize > 255 ? 1 : h.typesize;
    const cparams = given !== undefined ? { ...given, typesize } : SChunk.headerCParams(h, typesize);
    const s = new SChunk({ chunksize: h.chunksize >= 0 ? h.chunksize : undefined, typesize: h.typesize, cparams }, frame);
    for (const l of frame.metalayers) s.meta.layers.set(l.name, l.content);
    for (const l of frame.vlmetalayers) s.vlmeta.layers.set(l.name, l.content);
    s.adopt(frame, null);
    if (s.nbytes !== h.nbytes) fail(BloscErrorCode.InvalidHeader, `frame: chunks hold ${s.nbytes} bytes, the header says ${h.nbytes}`);
    return s;
  }

  /** The compression parameters a frame's header describes (the defaults where it names ones not available here). */
  private static headerCParams(h: FrameHeader, typesize: number): CompressOptions {
    const splitmodes = ['always', 'never', 'auto', 'forward-compat'] as const;
    const cparams: CompressOptions = {
      codec: h.codec,
      clevel: h.clevel,
      filters: h.filters,
      filtersMeta: h.filtersMeta,
      splitmode: splitmodes[h.splitmode - 1]!,
      blocksize: h.blocksize,
      codecMeta: h.codecMeta,
      nthreads: Math.min(256, Math.max(1, h.nthreadsComp)),
      typesize,
    };
    try {
      resolveCParams(cparams);
      return cparams;
    } catch (e) {
      // The header's parameters only describe how new chunks would be written (an unregistered
      // codec, a clevel nibble above 9): the frame stays readable, new chunks use the defaults.
      if (!(e instanceof BloscError)) throw e;
      return { typesize };
    }
  }

  /**
   * Read the chunks from `frame` (all of them): described by the header when the chunksize
   * is fixed, else listed with `sizes` (or each chunk's own header when null).
   */
  private adopt(frame: CFrame, sizes: readonly number[] | null): void {
    const h = frame.header;
    this.frame = frame;
    this.lazy = null;
    this.slots.length = 0;
    this.sizes.length = 0;
    const n = frame.nchunks;
    if (h.chunksize > 0) {
      // Sizes follow from the header (every chunk but the last holds chunksize): nothing to list.
      if (n > 0) this.lazy = { count: n, nbytes: h.nbytes, special: frame.uniformSpecialKind, slot: (i) => i, size: (i) => frame.declaredNbytes(i) };
    } else {
      // Chunks of any size: each one's header says (the frame bounds their number by its data area).
      for (let i = 0; i < n; i++) {
        this.slots.push(i);
        this.sizes.push(sizes === null ? frame.declaredNbytes(i) : sizes[i]!);
      }
    }
  }

  /** After an edit the store wrote: read every chunk from the frame it left. */
  private adoptStore(): void {
    if (this.store !== null) this.adopt(this.store.frame, this.sizes.slice());
  }

  /**
   * Write changed metalayers or vlmetalayers (null: unchanged) to the frame of a
   * super-chunk opened for update; nothing otherwise. @internal
   */
  writeLayers(meta: ReadonlyMap<string, Uint8Array> | null, vlmeta: ReadonlyMap<string, Uint8Array> | null): void {
    const store = this.store;
    if (store === null) return;
    const list = (m: ReadonlyMap<string, Uint8Array>): FrameLayer[] => [...m].map(([name, content]) => ({ name, content }));
    if (meta !== null) store.setMetalayers(list(meta));
    if (vlmeta !== null) store.setVlmetalayers(list(vlmeta));
  }

  /** Nominal chunk size in bytes; −1 until the first chunk fixes it; 0 for chunks of any size. */
  get chunksize(): number {
    return this.chunksizeValue;
  }

  get nchunks(): number {
    return this.lazy !== null ? this.lazy.count : this.slots.length;
  }

  /** Uncompressed bytes of all chunks. */
  get nbytes(): number {
    if (this.lazy !== null) return this.lazy.nbytes;
    let n = 0;
    for (let i = 0; i < this.sizes.length; i++) n += this.sizes[i]!;
    return n;
  }

  private slotAt(i: number): Slot {
    return this.lazy !== null ? this.lazy.slot(i) : this.slots[i]!;
  }

  private sizeAt(i: number): number {
    return this.lazy !== null ? this.lazy.size(i) : this.sizes[i]!;
  }

  /**
   * Make the chunk lists of a lazily described super-chunk, before a change. They take
   * memory in proportion to the number of chunks, so that is bounded by the output ceiling.
   */
  private editable(): void {
    const lazy = this.lazy;
    if (lazy === null) return;
    checkOutput(lazy.count * LIST_BYTES_PER_CHUNK, outputCeiling(undefined), `the list of ${lazy.count} chunks`);
    for (let i = 0; i < lazy.count; i++) {
      this.slots.push(lazy.slot(i));
      this.sizes.push(lazy.size(i));
    }
    this.lazy = null;
  }

  /** Compressed bytes of all chunks as stored in memory (reads chunk headers of unread frame chunks). */
  get cbytes(): number {
    // Chunks of one special value: 32 bytes each, known without visiting them.
    if (this.lazy !== null && this.lazy.special !== 0) return this.lazy.count * 32;
    let n = 0;
    const count = this.nchunks;
    for (let i = 0; i < count; i++) {
      const s = this.slotAt(i);
      if (typeof s === 'number') {
        const f = this.frame!;
        n += f.specialKind(s) !== 0 ? 32 : readInt32LE(f.getChunk(s), 12);
      } else {
        n += s.length;
      }
    }
    return n;
  }

  /** The compression parameters new chunks are written with. */
  get compressOptions(): CompressOptions {
    return { ...this.options };
  }

  private compress(data: Uint8Array): Uint8Array {
    if (tuneIsDue(this.options.tune, this.compressedChunks++)) this.cparams = resolveCParams(tunedOptions(data, { ...this.options, typesize: this.cparams.typesize }));
    const chunk = compressChunk(data, this.cparams);
    if (!this.stickyBlocksize) {
      this.stickyBlocksize = true;
      const bs = readChunkHeader(chunk).blocksizeField;
      if (this.cparams.blocksize === 0 && bs > 0) this.cparams = resolveCParams({ ...this.options, blocksize: bs });
    }
    return chunk;
  }

  private checkChunk(chunk: Uint8Array): number {
    const h = readChunkHeader(chunk);
    if (!h.extended || chunk.length !== h.cbytes) fail(BloscErrorCode.InvalidParam, 'a super-chunk holds Blosc2 chunks (32-byte header) of exactly their cbytes');
    if (h.vlBlocks) fail(BloscErrorCode.InvalidParam, 'VL-block chunks are not supported in a super-chunk yet');
    return h.nbytes;
  }

  /** Check that placing a chunk of `nbytes` at position `i` keeps every chunk but the last at chunksize. */
  private checkSize(i: number, nbytes: number, replacing: boolean, code: BloscErrorCode): void {
    if (nbytes === 0) fail(code, 'a chunk must hold data');
    if (this.chunksizeValue <= 0) return;
    const n = this.slots.length + (replacing ? 0 : 1);
    const cs = this.chunksizeValue;
    const isLast = i === n - 1;
    if (isLast ? nbytes > cs : nbytes !== cs) {
      fail(code, `chunk ${i} would hold ${nbytes} bytes: every chunk but the last must hold chunksize ${cs}, the last at most that`);
    }
    if (!replacing && i === this.slots.length && this.slots.length > 0) {
      // Appending turns the current last chunk into a middle one.
      const lastSize = this.sizes[this.sizes.length - 1]!;
      if (lastSize !== cs) fail(code, `the current last chunk holds ${lastSize} bytes and cannot move away from the end`);
    }
  }

  private setChunksizeFrom(nbytes: number): void {
    if (this.chunksizeValue === -1) this.chunksizeValue = nbytes;
  }

  /**
   * Fill an empty super-chunk with `nitems` items of zeros, NaNs (typesize 4 or 8) or
   * uninitialized values (read as zeros), as `blosc2_schunk_fill_special` does: no data
   * is compressed, each chunk is a special value. Needs a fixed chunksize.
   */
  fillSpecial(nitems: number, kind: 'zeros' | 'nan' | 'uninit'): number {
    if (this.nchunks > 0) fail(BloscErrorCode.SchunkSpecial, 'fillSpecial needs an empty super-chunk');
    if (this.store !== null) fail(BloscErrorCode.SchunkSpecial, 'fillSpecial is not available on a frame opened for update (append special chunks instead)');
    const cs = this.chunksizeValue;
    if (cs <= 0) fail(BloscErrorCode.SchunkSpecial, 'fillSpecial needs a fixed chunksize');
    if (!Number.isSafeInteger(nitems) || nitems < 0) fail(BloscErrorCode.InvalidParam, `nitems must be a non-negative integer, got ${nitems}`);
    const total = nitems * this.typesize;
    const make = kind === 'zeros' ? zerosChunk : kind === 'nan' ? nansChunk : kind === 'uninit' ? uninitChunk : null;
    if (make === null) fail(BloscErrorCode.InvalidParam, `unknown special kind ${String(kind)}`);
    const count = Math.ceil(total / cs);
    if (count > MAX_NCHUNKS) fail(BloscErrorCode.InvalidParam, `${nitems} items need more chunks than a frame can index`);
    if (count === 0) return 0;
    const p = resolveCParams({ ...this.options, typesize: this.typesize > 255 ? 1 : this.typesize });
    // One chunk of chunksize shared by all, and the last when it is shorter: O(1) memory.
    const lastSize = total - cs * (count - 1);
    const full = total >= cs ? make(cs, p) : null;
    const last = lastSize === cs ? full! : make(lastSize, p);
    const special = kind === 'zeros' ? SpecialKind.Zero : kind === 'nan' ? SpecialKind.NaN : SpecialKind.Uninit;
    this.lazy = { count, nbytes: total, special, slot: (i) => (i < count - 1 ? full! : last), size: (i) => (i < count - 1 ? cs : lastSize) };
    return count;
  }

  /** Compress `data` and append it as a new chunk. Returns the new number of chunks. */
  append(data: Uint8Array): number {
    return this.appendChunk(this.compress(data));
  }

  /** Append an already compressed Blosc2 chunk. */
  appendChunk(chunk: Uint8Array): number {
    const nbytes = this.checkChunk(chunk);
    this.editable();
    this.checkSize(this.slots.length, nbytes, false, BloscErrorCode.ChunkAppend);
    this.store?.insertChunk(this.slots.length, chunk, this.chunksizeValue === -1 ? nbytes : this.chunksizeValue);
    this.setChunksizeFrom(nbytes);
    this.slots.push(this.store === null ? chunk.slice() : chunk);
    this.sizes.push(nbytes);
    this.adoptStore();
    return this.nchunks;
  }

  /** Compress `data` and insert it before chunk `i` (0..nchunks). */
  insert(i: number, data: Uint8Array): number {
    this.checkPosition(i, this.nchunks);
    return this.insertChunk(i, this.compress(data));
  }

  insertChunk(i: number, chunk: Uint8Array): number {
    this.checkPosition(i, this.nchunks);
    const nbytes = this.checkChunk(chunk);
    this.editable();
    this.checkSize(i, nbytes, false, BloscErrorCode.ChunkInsert);
    this.store?.insertChunk(i, chunk, this.chunksizeValue === -1 ? nbytes : this.chunksizeValue);
    this.setChunksizeFrom(nbytes);
    this.slots.splice(i, 0, this.store === null ? chunk.slice() : chunk);
    this.sizes.splice(i, 0, nbytes);
    this.adoptStore();
    return this.nchunks;
  }

  /** `data` compressed as this super-chunk compresses its chunks (not stored). @internal */
  compressLike(data: Uint8Array): Uint8Array {
    return this.compress(data);
  }

  /** Compress `data` and replace chunk `i` with it. */
  update(i: number, data: Uint8Array): number {
    this.checkPosition(i, this.nchunks - 1);
    return this.updateChunk(i, this.compress(data));
  }

  updateChunk(i: number, chunk: Uint8Array): number {
    this.checkPosition(i, this.nchunks - 1);
    const nbytes = this.checkChunk(chunk);
    this.editable();
    this.checkSize(i, nbytes, true, BloscErrorCode.ChunkUpdate);
    this.store?.updateChunk(i, chunk);
    this.slots[i] = this.store === null ? chunk.slice() : chunk;
    this.sizes[i] = nbytes;
    this.adoptStore();
    return this.nchunks;
  }

  /**
   * Replace chunk `indices[k]` with the compressed `chunks[k]` for every k, all at once: every
   * chunk is checked first, and a frame opened for update gets them in one edit, so a
   * failure leaves the super-chunk (and the frame) as it was. Indices must be distinct.
   */
  updateChunks(indices: readonly number[], chunks: readonly Uint8Array[]): number {
    if (indices.length !== chunks.length) fail(BloscErrorCode.InvalidParam, `${indices.length} indices for ${chunks.length} chunks`);
    const seen = new Set<number>();
    const nbytes: number[] = [];
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      this.checkPosition(i, this.nchunks - 1);
      if (seen.has(i)) fail(BloscErrorCode.InvalidParam, `chunk ${i} is listed twice`);
      seen.add(i);
      nbytes.push(this.checkChunk(chunks[k]!));
    }
    this.editable();
    for (let k = 0; k < indices.length; k++) this.checkSize(indices[k]!, nbytes[k]!, true, BloscErrorCode.ChunkUpdate);
    this.store?.updateChunks(indices, chunks);
    for (let k = 0; k < indices.length; k++) {
      this.slots[indices[k]!] = this.store === null ? chunks[k]!.slice() : chunks[k]!;
      this.sizes[indices[k]!] = nbytes[k]!;
    }
    this.adoptStore();
    return this.nchunks;
  }

  /**
   * Set the whole chunk list at once: chunk k becomes the current chunk `plan[k]` when a
   * number (kept as it is: neither decoded nor recompressed, nor read from a frame), else
   * the compressed chunk `plan[k]`; with `metalayer`, that fixed metalayer gets a new
   * content (of the same length) in the same change. Every chunk is checked first, and a
   * frame opened for update gets it as one edit, so a failure leaves the super-chunk (and
   * the frame) as it was. What `NDArray.resize` writes. @internal
   */
  rearrange(plan: readonly (number | Uint8Array)[], metalayer?: { readonly name: string; readonly content: Uint8Array }): void {
    const n = plan.length;
    const sizes: number[] = new Array<number>(n);
    for (let k = 0; k < n; k++) {
      const p = plan[k]!;
      if (typeof p === 'number') {
        this.checkPosition(p, this.nchunks - 1);
        sizes[k] = this.sizeAt(p);
      } else {
        sizes[k] = this.checkChunk(p);
      }
      if (sizes[k] === 0) fail(BloscErrorCode.ChunkInsert, 'a chunk must hold data');
    }
    const cs = this.chunksizeValue;
    if (cs > 0) {
      for (let k = 0; k < n; k++) {
        if (k === n - 1 ? sizes[k]! > cs : sizes[k] !== cs) {
          fail(BloscErrorCode.ChunkInsert, `chunk ${k} would hold ${sizes[k]} bytes: every chunk but the last must hold chunksize ${cs}, the last at most that`);
        }
      }
    }
    let layers: Map<string, Uint8Array> | null = null;
    if (metalayer !== undefined) {
      const old = this.meta.layers.get(metalayer.name);
      if (old === undefined) fail(BloscErrorCode.MetalayerNotFound, `metalayer '${metalayer.name}' not found`);
      if (old.length !== metalayer.content.length) fail(BloscErrorCode.InvalidParam, `the length of metalayer '${metalayer.name}' cannot change (${old.length} → ${metalayer.content.length})`);
      layers = new Map(this.meta.layers).set(metalayer.name, metalayer.content.slice());
    }
    this.editable();
    const store = this.store;
    if (store !== null) {
      // The frame's chunk k is this super-chunk's slot k (adopt lists them in order).
      const framePlan = plan.map((p) => (typeof p === 'number' ? (this.slots[p] as number) : p));
      store.rearrange(framePlan, layers === null ? null : [...layers].map(([name, content]) => ({ name, content })));
    }
    const slots = plan.map((p) => (typeof p === 'number' ? this.slots[p]! : store === null ? p.slice() : p));
    this.slots.length = 0;
    this.sizes.length = 0;
    for (let k = 0; k < n; k++) {
      this.slots.push(slots[k]!);
      this.sizes.push(sizes[k]!);
    }
    if (layers !== null) this.meta.layers.set(metalayer!.name, layers.get(metalayer!.name)!);
    this.adoptStore();
  }

  /** Remove chunk `i`. Only the last chunk may be short, so deleting keeps that rule. */
  delete(i: number): number {
    this.checkPosition(i, this.nchunks - 1);
    this.editable();
    this.store?.deleteChunk(i);
    this.slots.splice(i, 1);
    this.sizes.splice(i, 1);
    this.adoptStore();
    return this.nchunks;
  }

  private checkPosition(i: number, max: number): void {
    if (!Number.isInteger(i) || i < 0 || i > max) fail(BloscErrorCode.InvalidIndex, `chunk index ${i} out of range 0..${max}`);
  }

  /** The compressed chunk `i` (special values of a frame come back as 32-byte special chunks). */
  getChunk(i: number): Uint8Array {
    this.checkPosition(i, this.nchunks - 1);
    const s = this.slotAt(i);
    return typeof s === 'number' ? this.frame!.getChunk(s) : s;
  }

  /** Uncompressed size of chunk `i`. */
  chunkNbytes(i: number): number {
    this.checkPosition(i, this.nchunks - 1);
    return this.sizeAt(i);
  }

  /**
   * Decompress chunk `i` (into `out` when given). Without `out`, the chunk's size must be
   * within the output ceiling (`options.maxNbytes`, else the global one).
   */
  decompressChunk(i: number, out?: Uint8Array, options?: SliceOptions): Uint8Array {
    const chunk = this.getChunk(i);
    const n = this.sizeAt(i);
    if (out === undefined) checkOutput(n, outputCeiling(options?.maxNbytes), `chunk ${i}`);
    const res = decompressChunk(chunk, out, { maxNbytes: n });
    if (res.length !== n) {
      fail(BloscErrorCode.InvalidHeader, `chunk ${i} decodes to ${res.length} bytes, expected ${n}`, { chunk: i });
    }
    return res;
  }

  /**
   * Bytes [s, e) of chunk `i` decoded into out[dp...] by the block-range reader: only the
   * blocks that hold them, a frame's special chunk filled without building it. Returns the
   * blocks decoded. @internal
   */
  readChunkRange(i: number, s: number, e: number, out: Uint8Array, dp: number): number {
    const reader = this.chunkReader(i, s, e);
    withChunkIndex(i, () => reader.readInto(s, e, out, dp));
    return reader.blocksDecoded;
  }

  /**
   * Chunk `i` opened for range reads within its bytes [s, e) (default: all of it): header
   * parsed once, a special one filled. From a file, only the blocks holding [s, e) are read
   * (`CFrame.loadChunk`), into a buffer the next chunk read reuses: use the reader before
   * opening another chunk of any frame. @internal
   */
  chunkReader(i: number, s = 0, e = Infinity): ChunkRangeReader {
    this.checkPosition(i, this.nchunks - 1);
    const slot = this.slotAt(i);
    const nbytes = this.sizeAt(i);
    if (typeof slot !== 'number') {
      return chunkRangeReader({ index: i, nbytes, special: 0, typesize: this.typesize }, slot);
    }
    const frame = this.frame!;
    const special = frame.specialKind(slot);
    const desc: ChunkSlot = { index: i, nbytes, special, typesize: this.typesize };
    if (special !== 0) return chunkRangeReader(desc, null);
    const loaded = withChunkIndex(i, () => frame.loadChunk(slot, s, Math.min(e, nbytes)));
    return chunkRangeReader(desc, loaded.bytes, loaded.first, loaded.last);
  }

  /** The byte range [from, to) of items [start, stop), clamped to the data. @internal */
  sliceBounds(start = 0, stop?: number): { from: number; to: number } {
    const ts = this.typesize;
    const nitems = Math.floor(this.nbytes / ts);
    const a = Math.max(0, Math.min(nitems, Math.floor(start)));
    const b = Math.max(a, Math.min(nitems, stop === undefined ? nitems : Math.floor(stop)));
    return { from: a * ts, to: b * ts };
  }

  /** The first chunk that may hold byte `from`, and where it starts (a fixed chunksize skips the rest). @internal */
  firstChunkAt(from: number): { index: number; pos: number } {
    const cs = this.chunksizeValue;
    if (cs > 0) {
      const index = Math.min(Math.floor(from / cs), Math.max(0, this.nchunks - 1));
      return { index, pos: index * cs };
    }
    return { index: 0, pos: 0 };
  }

  /**
   * Items [start, stop) (units of typesize, like python's `schunk[start:stop]`), decoding
   * only the chunks they touch. Bounds are clamped to the data. A slice of more bytes than
   * the output ceiling (`options.maxNbytes`, else `getLimits().maxOutputBytes`) fails with
   * MaxBufsizeExceeded before anything is allocated.
   */
  getSlice(start = 0, stop?: number, options?: SliceOptions): Uint8Array {
    const { from, to } = this.sliceBounds(start, stop);
    const ceiling = outputCeiling(options?.maxNbytes);
    const out = allocOutput(to - from, ceiling, 'a slice');
    const count = this.nchunks;
    let { index: i, pos } = this.firstChunkAt(from);
    for (; i < count && pos < to; i++) {
      const n = this.sizeAt(i);
      const end = pos + n;
      if (end > from) {
        const s = Math.max(from, pos) - pos;
        const e = Math.min(to, end) - pos;
        this.readChunkRange(i, s, e, out, pos + s - from);
      }
      pos = end;
    }
    return out;
  }

  /**
   * `fromData` with the chunks compressed on `cparams.nthreads` workers: the same
   * super-chunk, and the same frame bytes.
   */
  static async fromDataAsync(
    data: Uint8Array, options: SChunkOptions & { chunksize: number; minParallelNbytes?: number },
  ): Promise<SChunk> {
    // Loaded on first use: the pool is not part of the synchronous API.
    const [{ compressChunksAsync }, { ENCODE_PARALLEL_MIN_NBYTES }, { checkThreads }] = await Promise.all([
      import('../pool/frame.js'), import('../pool/chunk.js'), import('../pool/run.js'),
    ]);
    const nthreads = checkThreads(options.cparams?.nthreads);
    const cs = options.chunksize;
    const minParallel = options.minParallelNbytes ?? ENCODE_PARALLEL_MIN_NBYTES;
    if (nthreads === 1 || data.length - cs < minParallel || !(cs > 0)) return SChunk.fromData(data, options);
    // The first chunk is compressed here, as it fixes the block size every later chunk uses
    // (c-blosc2 keeps the context's computed blocksize).
    const s = new SChunk(options);
    s.append(data.subarray(0, cs));
    const base = s.compressOptions;
    const first = resolveCParams(base);
    const bs = readChunkHeader(s.getChunk(0)).blocksizeField;
    const p = first.blocksize === 0 && bs > 0 ? resolveCParams({ ...base, blocksize: bs }) : first;
    const chunks = await compressChunksAsync(data, cs, cs, p, nthreads);
    if (chunks === null) {
      for (let at = cs; at < data.length; at += cs) s.append(data.subarray(at, Math.min(at + cs, data.length)));
    } else {
      for (const c of chunks) s.appendChunk(c);
    }
    return s;
  }

  /**
   * `getSlice` decoded on `options.nthreads` workers: the chunks of the slice in parallel,
   * or the blocks of its one chunk. Same bytes as `getSlice`; the result lives in a
   * SharedArrayBuffer where the runtime has one.
   */
  async getSliceAsync(start = 0, stop?: number, options?: { nthreads?: number; minParallelNbytes?: number; maxNbytes?: number }): Promise<Uint8Array> {
    // Loaded on first use: the pool is not part of the synchronous API.
    const { sliceAsync } = await import('../pool/frame.js');
    return sliceAsync(this, start, stop, options);
  }

  /**
   * A contiguous frame (format version 2) holding this super-chunk: compact, chunks in
   * order, zero/NaN/uninit chunks as negative offsets (as c-blosc2 stores them).
   */
  toFrame(): Uint8Array {
    return writeFrame(this.frameSpec(false));
  }

  /**
   * A sparse frame: the index frame (`chunks.b2frame`, frame type 1) and the chunk files,
   * file `k` holding the chunk with id `k` (`%08X.chunk`).
   */
  toSparseFrame(): { index: Uint8Array; chunkFiles: Uint8Array[] } {
    const spec = this.frameSpec(true);
    const chunkFiles: Uint8Array[] = [];
    for (const c of spec.chunks) if (c.kind === 'data') chunkFiles.push(c.bytes);
    return { index: writeFrame(spec), chunkFiles };
  }

  private frameSpec(sparse: boolean): FrameWriteSpec {
    const chunks: FrameChunk[] = [];
    const count = this.nchunks;
    const lazy = this.lazy;
    const specialRun = lazy !== null && lazy.special !== 0 && this.chunksizeValue > 0
      ? { special: lazy.special as 1 | 2 | 4, count: lazy.count, nbytes: lazy.nbytes }
      : undefined;
    if (specialRun !== undefined) return this.specOf(sparse, chunks, specialRun);
    // One entry per chunk, as the lists a change would make: the same bound.
    checkOutput(count * LIST_BYTES_PER_CHUNK, outputCeiling(undefined), `the list of ${count} chunks`);
    for (let i = 0; i < count; i++) {
      const s = this.slotAt(i);
      const nbytes = this.sizeAt(i);
      if (typeof s === 'number') {
        const kind = this.frame!.specialKind(s);
        if (kind !== 0) {
          chunks.push({ kind: 'special', special: kind as 1 | 2 | 4, nbytes });
          continue;
        }
      }
      const bytes = this.getChunk(i);
      const h = readChunkHeader(bytes);
      const fixed = this.chunksizeValue > 0;
      if (fixed && (h.special === SpecialKind.Zero || h.special === SpecialKind.NaN || h.special === SpecialKind.Uninit)) {
        chunks.push({ kind: 'special', special: h.special, nbytes });
      } else {
        chunks.push({ kind: 'data', bytes });
      }
    }
    return this.specOf(sparse, chunks, undefined);
  }

  private specOf(sparse: boolean, chunks: FrameChunk[], specialRun: FrameWriteSpec['specialRun']): FrameWriteSpec {
    const metalayers: FrameLayer[] = [...this.meta.layers].map(([name, content]) => ({ name, content }));
    const vlmetalayers: FrameLayer[] = [...this.vlmeta.layers].map(([name, content]) => ({ name, content }));
    const p = this.cparams;
    return {
      ...(specialRun === undefined ? {} : { specialRun }),
      sparse,
      typesize: this.typesize,
      blocksize: this.headerBlocksize,
      chunksize: this.chunksizeValue,
      codec: p.codec.id,
      clevel: p.clevel,
      splitmode: p.splitmode,
      filters: p.filters,
      filtersMeta: p.filtersMeta,
      codecMeta: p.codecMeta,
      nthreads: p.nthreads,
      metalayers,
      vlmetalayers,
      chunks,
    };
  }
}


/**
 * Decode a whole contiguous frame (`.b2frame`, `.b2nd`) on `nthreads` workers: the bytes of
 * `SChunk.open(frame).getSlice()`.
 */
export async function decompressFrameAsync(
  frame: FrameSource | Uint8Array, options?: FrameOpenOptions & { nthreads?: number; minParallelNbytes?: number; maxNbytes?: number },
): Promise<Uint8Array> {
  return SChunk.open(frame, options).getSliceAsync(0, undefined, options);
}
