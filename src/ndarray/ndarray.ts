/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/b2nd.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * NDArray: an n-dimensional array stored as a Blosc2 super-chunk with the "b2nd"
 * metalayer, the `.b2nd` files python-blosc2 reads and writes (`blosc2.asarray`,
 * `blosc2.open`).
 *
 * Reading mirrors c-blosc2 blosc/b2nd.c `get_set_slice` (get path): only the chunks a
 * slice touches are read; within a chunk only the blocks it touches are decoded when they
 * are at most a quarter of it (c-blosc2's "compact get path"), else the whole chunk is;
 * a chunk that is one contiguous run of the output is decompressed straight into it
 * (`nchunk_fastpath`). `sliceByElement` is the simple version, for tests.
 *
 * Writing mirrors `b2nd_from_cbuffer`: each chunk is zero-filled, its blocks filled from
 * the C-order source, compressed with blocksize = one b2nd block, and stored in chunk
 * order; with python-blosc2's cparams and nthreads the frame is byte-identical to
 * `blosc2.asarray(..., urlpath=...)`.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { allocOutput, outputCeiling } from '../limits.js';
import { RetainedBytes } from '../chunk/decompress.js';
import { parseB2ndMeta, writeB2ndMeta, withB2ndShape, DTYPE_NUMPY_FORMAT } from '../frame/b2nd-meta.js';
import { parseNpy, writeNpy } from '../frame/npy.js';
import type { FrameOpenOptions } from '../schunk/contiguous.js';
import type { FrameSource } from '../io/source.js';
import type { CompressOptions } from '../params.js';
import { SChunk, type Metalayers, type VLMetalayers } from '../schunk/schunk.js';
import { withChunkIndex } from '../schunk/read.js';
import { zerosChunk } from '../chunk/special.js';
import { resolveCParams } from '../params.js';
import { FilterId } from '../shuffle/types.js';
import { computeChunksBlocks, type CacheSizes } from './defaults.js';
import { bytesToTypedArray, dtypeOfTypedArray, HOST_LITTLE_ENDIAN, parseDType, typedArrayToBytes, type NDInputArray, type NDTypedArray } from './dtype.js';
import { B2ndGeometry } from './geometry.js';

/** Name of the metalayer that makes a super-chunk an NDArray. */
export const B2ND_METALAYER = 'b2nd';

/**
 * One dimension of a slice: an index (the dimension is dropped, as in numpy), null or
 * undefined for the whole dimension, or `[start, stop]` / `[start, stop, step]` with
 * Python semantics (negative values count from the end, bounds are clamped, null means
 * the default; the step must be positive).
 */
export type SliceSpec =
  | number
  | null
  | undefined
  | readonly [start: number | null | undefined, stop: number | null | undefined]
  | readonly [start: number | null | undefined, stop: number | null | undefined, step: number | null | undefined];

/** Elements read from an NDArray: C-order bytes exactly as stored (the dtype's byte order). */
export interface NDSlice {
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly itemsize: number;
  readonly data: Uint8Array;
}

/** What reads have decoded so far (for profiling, and for tests that a slice reads little). */
export interface NDArrayReadStats {
  /** Chunks fetched from the super-chunk. */
  chunks: number;
  /** b2nd blocks decoded (a whole-chunk decode counts all its blocks). */
  blocks: number;
}

/** Options of {@link NDArray.fromTypedArray}: the array's geometry and its compression. */
export interface NDArrayCreateOptions extends CompressOptions {
  readonly shape: readonly number[];
  /** NumPy dtype string. Default: from the typed array (`<f8` for Float64Array, `|u1` for Uint8Array, ...). */
  readonly dtype?: string;
  /** Element size in bytes, needed only for dtypes whose size the string does not tell (structured). */
  readonly itemsize?: number;
  /** Chunk shape. Default: python-blosc2's `compute_chunks_blocks` for `caches`. */
  readonly chunks?: readonly number[];
  /** Block shape. Default: python-blosc2's `compute_chunks_blocks` for `caches`. */
  readonly blocks?: readonly number[];
  /** The cache sizes the default chunks and blocks are computed for (default: {@link DEFAULT_CACHE_SIZES}). */
  readonly caches?: CacheSizes;
}

/** python-blosc2 4.x `CParams()` defaults (src/blosc2/storage.py): zstd, clevel 5, shuffle, auto split. */
export const NDARRAY_DEFAULT_CPARAMS: Readonly<CompressOptions> = { codec: 'zstd', clevel: 5, shuffle: 'shuffle', splitmode: 'auto' };

/** Stored bytes of a slice as a typed array in the host's byte order (see `bytesToTypedArray` in dtype.ts). */
export function sliceToTypedArray(slice: NDSlice): NDTypedArray {
  return bytesToTypedArray(slice.data, slice.dtype, slice.itemsize);
}

function product(list: readonly number[]): number {
  let p = 1;
  for (let i = 0; i < list.length; i++) p *= list[i]!;
  return p;
}

/** C-order element bytes from Fortran-order ones (an .npy file with fortran_order True). */
export function fortranToC(data: Uint8Array, shape: readonly number[], itemsize: number): Uint8Array {
  const nd = shape.length;
  const out = new Uint8Array(data.length);
  const n = product(shape);
  if (nd <= 1 || n === 0) {
    out.set(data);
    return out;
  }
  const fstride = new Float64Array(nd);
  let s = 1;
  for (let i = 0; i < nd; i++) {
    fstride[i] = s;
    s *= shape[i]!;
  }
  const idx = new Float64Array(nd);
  let src = 0;
  for (let k = 0; k < n; k++) {
    const sp = src * itemsize;
    const dp = k * itemsize;
    for (let b = 0; b < itemsize; b++) out[dp + b] = data[sp + b]!;
    // Advance the C-order index, keeping the Fortran offset in step.
    for (let i = nd - 1; i >= 0; i--) {
      idx[i]!++;
      src += fstride[i]!;
      if (idx[i]! < shape[i]!) break;
      src -= idx[i]! * fstride[i]!;
      idx[i] = 0;
    }
  }
  return out;
}

/** Options of a read: its output ceiling. */
export interface NDReadOptions {
  /**
   * Most bytes the read may produce (and any chunk it decodes whole); default the global
   * ceiling, `getLimits().maxOutputBytes`. The size comes from the metalayer, which the
   * frame's own sizes bound only loosely (special chunks cost no bytes), so it is checked
   * before anything is allocated.
   */
  maxNbytes?: number;
}

interface Selection {
  readonly start: Float64Array;
  readonly step: Float64Array;
  readonly count: Float64Array;
  readonly outShape: number[];
}

export class NDArray {
  readonly schunk: SChunk;
  readonly geometry: B2ndGeometry;
  /** The dtype string as stored in the metalayer (`|S<itemsize>` when it has none). */
  readonly dtype: string;
  readonly stats: NDArrayReadStats = { chunks: 0, blocks: 0 };

  private constructor(schunk: SChunk, geometry: B2ndGeometry, dtype: string) {
    this.schunk = schunk;
    this.geometry = geometry;
    this.dtype = dtype;
  }

  get shape(): readonly number[] {
    return this.geometry.shape;
  }
  get chunks(): readonly number[] {
    return this.geometry.chunkshape;
  }
  get blocks(): readonly number[] {
    return this.geometry.blockshape;
  }
  get ndim(): number {
    return this.geometry.ndim;
  }
  /** Number of elements. */
  get size(): number {
    return this.geometry.nitems;
  }
  /** Bytes per element: the frame's typesize. */
  get itemsize(): number {
    return this.geometry.itemsize;
  }
  /** Fixed metalayers of the super-chunk ("b2nd" among them). */
  get meta(): Metalayers {
    return this.schunk.meta;
  }
  /** Variable-length metalayers (python-blosc2's `NDArray.vlmeta`): msgpack values. */
  get vlmeta(): VLMetalayers {
    return this.schunk.vlmeta;
  }

  /**
   * Open an NDArray: a `.b2nd` frame (bytes or a {@link FrameSource}) or a super-chunk with
   * a "b2nd" metalayer. The metalayer is checked against the super-chunk: every chunk must
   * hold Π extchunkshape × typesize bytes, and there must be one per chunk of the grid.
   */
  static open(input: SChunk | FrameSource | Uint8Array, options?: FrameOpenOptions): NDArray {
    const schunk = input instanceof SChunk ? input : SChunk.open(input, options);
    // c-blosc2 falls back to the metalayer of b2nd's predecessor, Caterva (same layout, maybe no dtype).
    const raw = schunk.meta.get(B2ND_METALAYER) ?? schunk.meta.get('caterva');
    if (raw === undefined) fail(BloscErrorCode.MetalayerNotFound, 'not an NDArray: the super-chunk has no "b2nd" metalayer');
    const meta = parseB2ndMeta(raw);
    if (meta.dtype !== null && meta.dtypeFormat === DTYPE_NUMPY_FORMAT) {
      // A dtype whose size the string tells must agree with the frame's typesize, or every
      // read would hand out bytes of one size labelled as another (python-blosc2 writes both
      // from the same numpy dtype). Structured dtypes are left to their own checks.
      const d = parseDType(meta.dtype);
      if (d.kind !== 'void' && d.kind !== 'unknown' && d.itemsize !== null && d.itemsize !== schunk.typesize) {
        fail(BloscErrorCode.InvalidHeader, `b2nd: dtype ${meta.dtype} has items of ${d.itemsize} bytes, the frame's typesize is ${schunk.typesize}`);
      }
    }
    const g = new B2ndGeometry(meta.shape, meta.chunkshape, meta.blockshape, schunk.typesize, BloscErrorCode.InvalidHeader);
    if (schunk.nchunks !== g.nchunks) {
      fail(BloscErrorCode.InvalidHeader, `b2nd: shape [${g.shape.join(', ')}] in chunks [${g.chunkshape.join(', ')}] needs ${g.nchunks} chunks, the super-chunk has ${schunk.nchunks}`);
    }
    // With a fixed chunksize every chunk but the last holds it: check it and the last one
    // (a frame may declare hundreds of millions of chunks).
    const fixed = schunk.chunksize > 0 && schunk.nchunks > 0;
    if (fixed && schunk.chunksize !== g.chunkNbytes) {
      fail(BloscErrorCode.InvalidHeader, `b2nd: chunks hold ${schunk.chunksize} bytes, the geometry needs ${g.chunkNbytes}`, { chunk: 0 });
    }
    for (let i = fixed ? schunk.nchunks - 1 : 0; i < schunk.nchunks; i++) {
      if (schunk.chunkNbytes(i) !== g.chunkNbytes) {
        fail(BloscErrorCode.InvalidHeader, `b2nd: chunk ${i} holds ${schunk.chunkNbytes(i)} bytes, the geometry needs ${g.chunkNbytes}`, { chunk: i });
      }
    }
    return new NDArray(schunk, g, meta.dtype ?? `|S${g.itemsize}`);
  }

  /**
   * A new NDArray holding `data` (C order), compressed as python-blosc2's `asarray` does.
   * A Uint8Array is taken as the stored element bytes; other typed arrays hold values in
   * the host's byte order and are converted to the dtype's (for `>i4`, say).
   * Compression defaults are python-blosc2's ({@link NDARRAY_DEFAULT_CPARAMS}); the
   * blocksize is always one b2nd block.
   */
  static fromTypedArray(data: NDInputArray, options: NDArrayCreateOptions): NDArray {
    const { shape, dtype: dtypeOption, itemsize: itemsizeOption, chunks, blocks, caches, ...cparams } = options;
    const dtype = dtypeOption ?? dtypeOfTypedArray(data);
    const parsed = parseDType(dtype);
    const itemsize = itemsizeOption ?? parsed.itemsize ?? fail(BloscErrorCode.InvalidParam, `the size of dtype ${JSON.stringify(dtype)} is unknown: pass itemsize`);
    if (parsed.itemsize !== null && parsed.itemsize !== itemsize) fail(BloscErrorCode.InvalidParam, `dtype ${dtype} has itemsize ${parsed.itemsize}, not ${itemsize}`);
    if (!Array.isArray(shape)) fail(BloscErrorCode.InvalidParam, 'shape must be an array of integers');
    for (let i = 0; i < shape.length; i++) {
      if (!Number.isSafeInteger(shape[i]) || shape[i]! < 0) fail(BloscErrorCode.InvalidParam, `shape[${i}] must be a non-negative integer, got ${shape[i]}`);
    }
    // A view when the stored bytes are the input's own; a swapped copy for other byte orders.
    const hostOrder = HOST_LITTLE_ENDIAN ? 'little' : 'big';
    const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray || parsed.byteorder === 'none' || parsed.byteorder === hostOrder
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : typedArrayToBytes(data, dtype, itemsize);
    const nitems = product(shape);
    if (bytes.length !== nitems * itemsize) {
      fail(BloscErrorCode.InvalidParam, `data holds ${bytes.length} bytes, shape [${shape.join(', ')}] of ${itemsize}-byte items needs ${nitems * itemsize}`);
    }
    const cb = computeChunksBlocks(shape, itemsize, chunks, blocks, caches);
    const g = new B2ndGeometry(shape, cb.chunks, cb.blocks, itemsize);
    const resolved: CompressOptions = { ...NDARRAY_DEFAULT_CPARAMS, ...cparams, typesize: itemsize > 255 ? 1 : itemsize, blocksize: g.blockNbytes };
    if (cparams.filters === undefined && cparams.shuffle === undefined && parsed.kind === 'unicode') {
      // python-blosc2 shuffles UCS-4 strings by character (blosc2_ext.pyx `asarray`: filters_meta 4).
      resolved.filters = [0, 0, 0, 0, 0, FilterId.Shuffle];
      resolved.filtersMeta = [0, 0, 0, 0, 0, 4];
    } else if (resolved.filters !== undefined && resolved.filters.includes(FilterId.ByteDelta)) {
      // python-blosc2 gives BYTEDELTA a meta of typesize when it is 0 (`create_cparams_from_kwargs`).
      const meta = resolved.filters.map((_f, i) => resolved.filtersMeta?.[i] ?? 0);
      resolved.filtersMeta = meta.map((m, i) => (m === 0 && resolved.filters![i] === FilterId.ByteDelta ? (itemsize > 255 ? 1 : itemsize) : m));
    }
    const schunk = new SChunk({ chunksize: g.chunkNbytes, typesize: itemsize, cparams: resolved });
    schunk.meta.add(B2ND_METALAYER, writeB2ndMeta({ ndim: g.ndim, shape: g.shape, chunkshape: g.chunkshape, blockshape: g.blockshape, dtype, dtypeFormat: DTYPE_NUMPY_FORMAT }));
    const buffer = new Uint8Array(g.chunkNbytes);
    for (let c = 0; c < g.nchunks; c++) {
      buffer.fill(0);
      fillChunk(g, c, bytes, buffer);
      schunk.append(buffer);
    }
    return new NDArray(schunk, g, dtype);
  }

  /** An NDArray from the bytes of an .npy file (Fortran-order files are transposed to C order). */
  static fromNpy(npy: Uint8Array, options: Omit<NDArrayCreateOptions, 'shape' | 'dtype'> = {}): NDArray {
    const parsed = parseNpy(npy, options.itemsize);
    const itemsize = options.itemsize ?? parseDType(parsed.dtype).itemsize ?? fail(BloscErrorCode.InvalidParam, `the size of dtype ${JSON.stringify(parsed.dtype)} is unknown: pass itemsize`);
    const data = parsed.fortranOrder ? fortranToC(parsed.data, parsed.shape, itemsize) : parsed.data;
    return NDArray.fromTypedArray(data, { ...options, itemsize, shape: parsed.shape, dtype: parsed.dtype });
  }

  /** The whole array in .npy format (version 1.0, C order). */
  toNpy(options?: NDReadOptions): Uint8Array {
    const all = this.toArray(options);
    return writeNpy({ dtype: this.dtype, shape: all.shape, data: all.data });
  }

  /** A contiguous frame (format version 2): the bytes of a `.b2nd` file. */
  toFrame(): Uint8Array {
    return this.schunk.toFrame();
  }

  /** The whole array, C order, bytes as stored. */
  toArray(options?: NDReadOptions): NDSlice {
    return this.slice([], options);
  }

  /** The whole array as a typed array in the host's byte order. */
  toTypedArray(options?: NDReadOptions): NDTypedArray {
    return sliceToTypedArray(this.toArray(options));
  }

  /** Element at `index` (one integer per dimension), as stored bytes. */
  item(index: readonly number[]): Uint8Array {
    if (index.length !== this.ndim) fail(BloscErrorCode.InvalidIndex, `an item needs ${this.ndim} indices, got ${index.length}`);
    return this.slice(index).data;
  }

  private select(spec: readonly SliceSpec[]): Selection {
    const g = this.geometry;
    const nd = g.ndim;
    if (!Array.isArray(spec)) fail(BloscErrorCode.InvalidIndex, 'a slice is an array with one entry per dimension');
    if (spec.length > nd) fail(BloscErrorCode.InvalidIndex, `too many indices: ${spec.length} for ${nd} dimensions`);
    const start = new Float64Array(nd);
    const step = new Float64Array(nd);
    const count = new Float64Array(nd);
    const outShape: number[] = [];
    const int = (v: unknown, what: string): number => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(BloscErrorCode.InvalidIndex, `${what} must be an integer, got ${String(v)}`);
      return v;
    };
    for (let i = 0; i < nd; i++) {
      const s = spec[i];
      const n = g.shape[i]!;
      if (typeof s === 'number') {
        let k = int(s, `index ${i}`);
        if (k < 0) k += n;
        if (k < 0 || k >= n) fail(BloscErrorCode.InvalidIndex, `index ${s} is out of bounds for dimension ${i} of size ${n}`);
        start[i] = k;
        step[i] = 1;
        count[i] = 1;
        continue;
      }
      if (s === null || s === undefined) {
        start[i] = 0;
        step[i] = 1;
        count[i] = n;
        outShape.push(n);
        continue;
      }
      if (!Array.isArray(s) || s.length < 2 || s.length > 3) fail(BloscErrorCode.InvalidIndex, `dimension ${i}: expected a number, null, [start, stop] or [start, stop, step]`);
      const st = s[2] === null || s[2] === undefined ? 1 : int(s[2], `step ${i}`);
      if (st < 1) fail(BloscErrorCode.InvalidIndex, `dimension ${i}: step must be positive, got ${st}`);
      const clamp = (v: number | null | undefined, dflt: number, what: string): number => {
        if (v === null || v === undefined) return dflt;
        const k = int(v, what);
        return k < 0 ? Math.max(0, k + n) : Math.min(k, n);
      };
      const a = clamp(s[0], 0, `start ${i}`);
      const b = clamp(s[1], n, `stop ${i}`);
      start[i] = a;
      step[i] = st;
      count[i] = b > a ? Math.ceil((b - a) / st) : 0;
      outShape.push(count[i]!);
    }
    return { start, step, count, outShape };
  }

  /**
   * Assign to the elements `spec` selects (numpy `arr[spec] = values`, python-blosc2
   * `NDArray.__setitem__`): `values` is one number or bigint broadcast to all of them, or a
   * typed array (or the stored bytes, as a Uint8Array of itemsize × count) holding exactly
   * as many elements as selected, in the selection's C order. Each chunk the selection
   * touches is decoded once, edited and compressed again; the other chunks are left as
   * they are.
   */
  set(spec: readonly SliceSpec[], values: NDInputArray | number | bigint): void {
    const g = this.geometry;
    const sel = this.select(spec);
    const nd = g.ndim;
    const itemsize = g.itemsize;
    let total = 1;
    for (let i = 0; i < nd; i++) total *= sel.count[i]!;
    let src: Uint8Array;
    let scalar = false;
    if (typeof values === 'number' || typeof values === 'bigint') {
      const one = bytesToTypedArray(new Uint8Array(itemsize), this.dtype, itemsize) as unknown as { [k: number]: number | bigint; length: number };
      if (one.length !== 1) fail(BloscErrorCode.InvalidParam, `dtype ${this.dtype} takes no number`);
      try {
        one[0] = typeof one[0] === 'bigint' ? BigInt(values) : Number(values);
      } catch {
        fail(BloscErrorCode.InvalidParam, `${String(values)} does not fit dtype ${this.dtype}`);
      }
      src = typedArrayToBytes(one as unknown as NDInputArray, this.dtype, itemsize);
      scalar = true;
    } else {
      const parsed = parseDType(this.dtype);
      const hostOrder = HOST_LITTLE_ENDIAN ? 'little' : 'big';
      src = values instanceof Uint8Array || values instanceof Uint8ClampedArray || parsed.byteorder === 'none' || parsed.byteorder === hostOrder
        ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
        : typedArrayToBytes(values, this.dtype, itemsize);
      if (src.length !== total * itemsize) {
        fail(BloscErrorCode.InvalidParam, `values hold ${src.length} bytes, the selection [${sel.outShape.join(', ')}] of ${itemsize}-byte items needs ${total * itemsize}`);
      }
    }
    if (total === 0) return;
    // Element by element in the selection's C order, each touched chunk decoded once.
    const edited = new Map<number, Uint8Array>();
    const index = new Array<number>(nd).fill(0);
    const pos = new Float64Array(nd);
    for (let o = 0; o < total; o++) {
      for (let i = 0; i < nd; i++) index[i] = sel.start[i]! + pos[i]! * sel.step[i]!;
      const { chunk, offset } = nd === 0 ? { chunk: 0, offset: 0 } : g.locate(index);
      let data = edited.get(chunk);
      if (data === undefined) {
        checkChunkSize(this, g, chunk);
        data = this.schunk.decompressChunk(chunk);
        edited.set(chunk, data);
      }
      const from = scalar ? 0 : o * itemsize;
      data.set(src.subarray(from, from + itemsize), offset);
      for (let i = nd - 1; i >= 0; i--) {
        if (++pos[i]! < sel.count[i]!) break;
        pos[i] = 0;
      }
    }
    // Compressed first, all of them, then swapped in at once (one edit of a frame opened for
    // update): a failure leaves the array, and its file, as they were.
    const chunks = [...edited.keys()].sort((a, b) => a - b);
    const compressed = chunks.map((c) => this.schunk.compressLike(edited.get(c)!));
    this.schunk.updateChunks(chunks, compressed);
  }

  /**
   * Change the shape in place (python-blosc2 `NDArray.resize`), keeping the number of
   * dimensions, the chunk and block shapes and the compression: elements inside both
   * shapes keep their values, new ones are zero. A chunk whose part of the array stays
   * as it is (same part in both shapes, or padding that is already zero) is kept as it is:
   * not recompressed, and in a frame not read or moved; a chunk the new shape cuts has what
   * falls outside zeroed and is compressed again; chunks wholly past the old shape become
   * zero chunks (special values in a frame). The b2nd metalayer's shape changes in the same
   * step. On a frame opened for update (`openFrameFile(path, 'r+')` then `NDArray.open`)
   * all of it is one edit of the file (c-blosc2 `b2nd_resize` deletes and inserts chunk by
   * chunk instead); every new chunk is made first, so a failure leaves the array, and its
   * file, as they were.
   */
  resize(shape: readonly number[]): void {
    const g = this.geometry;
    const nd = g.ndim;
    if (!Array.isArray(shape) || shape.length !== nd) fail(BloscErrorCode.InvalidParam, `resize keeps the ${nd} dimensions of the array`);
    const g2 = new B2ndGeometry(shape, g.chunkshape, g.blockshape, g.itemsize);
    const old = this.schunk;
    const name = old.meta.has(B2ND_METALAYER) ? B2ND_METALAYER : 'caterva';
    const content = withB2ndShape(old.meta.get(name)!, g2.shape);
    const plan: (number | Uint8Array)[] = [];
    let zeros: Uint8Array | null = null;
    const cc = new Array<number>(nd).fill(0);
    const keep = g.shape.map((n, i) => Math.min(n, g2.shape[i]!));
    for (let c2 = 0; c2 < g2.nchunks; c2++) {
      let rest = c2;
      for (let i = nd - 1; i >= 0; i--) {
        cc[i] = rest % g2.chunkGrid[i]!;
        rest = Math.floor(rest / g2.chunkGrid[i]!);
      }
      let same = true;
      let past = false;
      let cOld = 0;
      for (let i = 0; i < nd; i++) {
        const lo = cc[i]! * g.chunkshape[i]!;
        const hi = lo + g.chunkshape[i]!;
        if (lo >= g.shape[i]!) past = true;
        if (Math.min(hi, g.shape[i]!) !== Math.min(hi, g2.shape[i]!)) same = false;
        cOld = cOld * g.chunkGrid[i]! + cc[i]!;
      }
      if (past) {
        zeros ??= zerosChunk(g2.chunkNbytes, resolveCParams({ typesize: g.itemsize > 255 ? 1 : g.itemsize }));
        plan.push(zeros);
      } else if (same) {
        checkChunkSize(this, g, cOld);
        plan.push(cOld);
      } else {
        checkChunkSize(this, g, cOld);
        const data = old.decompressChunk(cOld);
        plan.push(zeroOutside(g, cc, keep, data) ? old.compressLike(data) : cOld);
      }
    }
    old.rearrange(plan, { name, content });
    (this as { geometry: B2ndGeometry }).geometry = g2;
  }

  /**
   * Elements selected by `spec` (one entry per leading dimension; missing trailing entries
   * select everything), C order, bytes as stored. Reads only the chunks the selection
   * touches, and decodes only the blocks it touches when they are at most a quarter of a
   * chunk.
   */
  slice(spec: readonly SliceSpec[] = [], options?: NDReadOptions): NDSlice {
    const g = this.geometry;
    const sel = this.select(spec);
    const itemsize = g.itemsize;
    const nd = g.ndim;
    let total = 1;
    for (let i = 0; i < nd; i++) total *= sel.count[i]!;
    const ceiling = outputCeiling(options?.maxNbytes);
    const out = allocOutput(total * itemsize, ceiling, 'a read');
    const result: NDSlice = { shape: sel.outShape, dtype: this.dtype, itemsize, data: out };
    if (total === 0) return result;
    if (nd === 0) {
      const chunk = this.schunk.decompressChunk(0);
      this.stats.chunks++;
      this.stats.blocks++;
      out.set(chunk.subarray(0, itemsize));
      return result;
    }
    readSelection(this, g, sel, out);
    return result;
  }
}

/**
 * The simple version of {@link NDArray.slice}: every selected element located on its own
 * (`B2ndGeometry.locate`) in its wholly decompressed chunk. The reference for tests and
 * benchmarks; it reads the same bytes, slowly.
 */
export function sliceByElement(arr: NDArray, spec: readonly SliceSpec[] = []): NDSlice {
  // The fast path validates the spec and gives the output shape; only its data is ignored.
  const fast = arr.slice(spec);
  const g = arr.geometry;
  const nd = g.ndim;
  // Rebuild the per-dimension index lists from the fast result's shape and the spec.
  const lists: number[][] = [];
  for (let i = 0; i < nd; i++) {
    const s = spec[i];
    const n = g.shape[i]!;
    if (typeof s === 'number') {
      lists.push([s < 0 ? s + n : s]);
      continue;
    }
    const st = s === null || s === undefined ? 1 : (s[2] ?? 1);
    const norm = (v: number | null | undefined, d: number): number => (v === null || v === undefined ? d : v < 0 ? Math.max(0, v + n) : Math.min(v, n));
    const a = s === null || s === undefined ? 0 : norm(s[0], 0);
    const b = s === null || s === undefined ? n : norm(s[1], n);
    const idx: number[] = [];
    for (let k = a; k < b; k += st) idx.push(k);
    lists.push(idx);
  }
  const out = new Uint8Array(fast.data.length);
  const chunks = new Map<number, Uint8Array>();
  const pos = lists.map(() => 0);
  const total = lists.reduce((p, l) => p * l.length, 1);
  const index = lists.map(() => 0);
  for (let o = 0; o < total; o++) {
    for (let i = 0; i < nd; i++) index[i] = lists[i]![pos[i]!]!;
    const { chunk, offset } = g.locate(index);
    let data = chunks.get(chunk);
    if (data === undefined) {
      data = arr.schunk.decompressChunk(chunk);
      chunks.set(chunk, data);
    }
    out.set(data.subarray(offset, offset + g.itemsize), o * g.itemsize);
    for (let i = nd - 1; i >= 0; i--) {
      if (++pos[i]! < lists[i]!.length) break;
      pos[i] = 0;
    }
  }
  return { shape: fast.shape, dtype: fast.dtype, itemsize: fast.itemsize, data: out };
}

/** Copy the parts of chunk `c` that lie inside the array from the C-order `src` into `chunk` (zeroed). */
function fillChunk(g: B2ndGeometry, c: number, src: Uint8Array, chunk: Uint8Array): void {
  const nd = g.ndim;
  const itemsize = g.itemsize;
  if (nd === 0) {
    chunk.set(src.subarray(0, itemsize));
    return;
  }
  const cc = new Float64Array(nd);
  let rest = c;
  for (let i = nd - 1; i >= 0; i--) {
    cc[i] = rest % g.chunkGrid[i]!;
    rest = Math.floor(rest / g.chunkGrid[i]!);
  }
  const arrStride = new Float64Array(nd);
  const blkStride = new Float64Array(nd);
  arrStride[nd - 1] = 1;
  blkStride[nd - 1] = 1;
  for (let i = nd - 2; i >= 0; i--) {
    arrStride[i] = arrStride[i + 1]! * g.shape[i + 1]!;
    blkStride[i] = blkStride[i + 1]! * g.blockshape[i + 1]!;
  }
  const bc = new Float64Array(nd);
  const origin = new Float64Array(nd);
  const extent = new Float64Array(nd);
  const m = new Float64Array(nd);
  const nblocks = g.blocksPerChunk;
  for (let k = 0; k < nblocks; k++) {
    let r = k;
    for (let i = nd - 1; i >= 0; i--) {
      bc[i] = r % g.blockGrid[i]!;
      r = Math.floor(r / g.blockGrid[i]!);
    }
    let empty = false;
    for (let i = 0; i < nd; i++) {
      const inChunk = bc[i]! * g.blockshape[i]!;
      origin[i] = cc[i]! * g.chunkshape[i]! + inChunk;
      const e = Math.min(g.blockshape[i]!, g.chunkshape[i]! - inChunk, g.shape[i]! - origin[i]!);
      extent[i] = e;
      if (e <= 0) empty = true;
    }
    if (empty) continue;
    const blockBase = k * g.blocknitems;
    const rowItems = extent[nd - 1]!;
    const rowBytes = rowItems * itemsize;
    m.fill(0);
    for (;;) {
      let s = 0;
      let d = blockBase;
      for (let i = 0; i < nd; i++) {
        s += (origin[i]! + m[i]!) * arrStride[i]!;
        d += m[i]! * blkStride[i]!;
      }
      chunk.set(src.subarray(s * itemsize, s * itemsize + rowBytes), d * itemsize);
      let i = nd - 2;
      for (; i >= 0; i--) {
        m[i]!++;
        if (m[i]! < extent[i]!) break;
        m[i] = 0;
      }
      if (i < 0) break;
    }
  }
}

/**
 * Zero the elements of the chunk at grid coordinates `cc` (decoded, `data`) that lie at or
 * past `keep` in some dimension: padding, and what a resize dropped or added. Returns whether
 * any of them was not zero already.
 */
function zeroOutside(g: B2ndGeometry, cc: readonly number[], keep: readonly number[], data: Uint8Array): boolean {
  const nd = g.ndim;
  let changed = false;
  const itemsize = g.itemsize;
  const bc = new Array<number>(nd).fill(0);
  const m = new Array<number>(nd).fill(0);
  for (let k = 0; k < g.blocksPerChunk; k++) {
    let r = k;
    for (let i = nd - 1; i >= 0; i--) {
      bc[i] = r % g.blockGrid[i]!;
      r = Math.floor(r / g.blockGrid[i]!);
    }
    m.fill(0);
    for (let e = 0; e < g.blocknitems; e++) {
      let outside = false;
      for (let i = 0; i < nd; i++) {
        const local = bc[i]! * g.blockshape[i]! + m[i]!;
        if (local >= g.chunkshape[i]! || cc[i]! * g.chunkshape[i]! + local >= keep[i]!) outside = true;
      }
      if (outside) {
        const from = (k * g.blocknitems + e) * itemsize;
        for (let b = from; b < from + itemsize; b++) {
          if (data[b] !== 0) {
            data[b] = 0;
            changed = true;
          }
        }
      }
      for (let i = nd - 1; i >= 0; i--) {
        if (++m[i]! < g.blockshape[i]!) break;
        m[i] = 0;
      }
    }
  }
  return changed;
}

/** Chunk `i` must hold a whole chunk of the geometry (edge chunks are padded in b2nd). */
function checkChunkSize(arr: NDArray, g: B2ndGeometry, i: number): void {
  const n = arr.schunk.chunkNbytes(i);
  if (n !== g.chunkNbytes) fail(BloscErrorCode.InvalidHeader, `b2nd: chunk ${i} holds ${n} bytes, the geometry needs ${g.chunkNbytes}`, { chunk: i });
}

/**
 * The block a partial read decodes into before copying its selected elements out, kept
 * from read to read up to RETAINED_SCRATCH_MAX bytes: a fresh one per read costs its page
 * faults (a 256 KiB block is mapped anew by the allocator every time).
 */
const blockScratch = new RetainedBytes('block scratch');

/** Decode what `sel` needs chunk by chunk and block by block, writing into `out` (C order of the selection). */
function readSelection(arr: NDArray, g: B2ndGeometry, sel: Selection, out: Uint8Array): void {
  const nd = g.ndim;
  const itemsize = g.itemsize;
  const { start, step, count } = sel;
  const outStride = new Float64Array(nd);
  const blkStride = new Float64Array(nd);
  outStride[nd - 1] = 1;
  blkStride[nd - 1] = 1;
  for (let i = nd - 2; i >= 0; i--) {
    outStride[i] = outStride[i + 1]! * count[i + 1]!;
    blkStride[i] = blkStride[i + 1]! * g.blockshape[i + 1]!;
  }
  // Chunk coordinates the selection spans.
  const c0 = new Float64Array(nd);
  const c1 = new Float64Array(nd);
  for (let i = 0; i < nd; i++) {
    c0[i] = Math.floor(start[i]! / g.chunkshape[i]!);
    c1[i] = Math.floor((start[i]! + (count[i]! - 1) * step[i]!) / g.chunkshape[i]!);
  }
  const cc = Float64Array.from(c0);
  const direct = directChunkLayout(g, sel, outStride);
  // Per block: its index in the chunk, then (first, last) selection index per dimension.
  const perBlock = 1 + 2 * nd;
  let needed = new Float64Array(perBlock * 64);
  const chunkLo = new Float64Array(nd);
  const chunkHi = new Float64Array(nd);
  const kf = new Float64Array(nd);
  const kl = new Float64Array(nd);
  const b0 = new Float64Array(nd);
  const b1 = new Float64Array(nd);
  const bc = new Float64Array(nd);
  const k = new Float64Array(nd);
  const origin = new Float64Array(nd);
  const B = g.blockNbytes;
  let scratch: Uint8Array | null = null;
  for (;;) {
    // The chunk at cc: the selection's index range inside it, per dimension.
    let chunkEmpty = false;
    for (let i = 0; i < nd; i++) {
      const lo = cc[i]! * g.chunkshape[i]!;
      const hi = Math.min(lo + g.chunkshape[i]!, g.shape[i]!);
      chunkLo[i] = lo;
      chunkHi[i] = hi;
      const f = Math.max(0, Math.ceil((lo - start[i]!) / step[i]!));
      const l = Math.min(count[i]! - 1, Math.floor((hi - 1 - start[i]!) / step[i]!));
      kf[i] = f;
      kl[i] = l;
      if (f > l) chunkEmpty = true;
      else {
        b0[i] = Math.floor((start[i]! + f * step[i]! - lo) / g.blockshape[i]!);
        b1[i] = Math.floor((start[i]! + l * step[i]! - lo) / g.blockshape[i]!);
      }
    }
    let whollyInside = direct && !chunkEmpty;
    for (let i = 0; i < nd && whollyInside; i++) {
      const lo = chunkLo[i]!;
      const hi = lo + g.chunkshape[i]!;
      if (lo < start[i]! || hi > start[i]! + count[i]! || hi > g.shape[i]!) whollyInside = false;
    }
    if (whollyInside) {
      // The chunk is one contiguous run of the output in its own element order
      // (c-blosc2's `nchunk_fastpath`): decompress it straight into place.
      let chunkIndex = 0;
      let at = 0;
      for (let i = 0; i < nd; i++) {
        chunkIndex = chunkIndex * g.chunkGrid[i]! + cc[i]!;
        at += (chunkLo[i]! - start[i]!) * outStride[i]!;
      }
      checkChunkSize(arr, g, chunkIndex);
      arr.stats.blocks += arr.schunk.readChunkRange(chunkIndex, 0, g.chunkNbytes, out, at * itemsize);
      arr.stats.chunks++;
    } else if (!chunkEmpty) {
      let chunkIndex = 0;
      for (let i = 0; i < nd; i++) chunkIndex = chunkIndex * g.chunkGrid[i]! + cc[i]!;
      // Which blocks hold selected elements.
      let nneeded = 0;
      bc.set(b0);
      for (;;) {
        let blockEmpty = false;
        let blockIndex = 0;
        const at = nneeded * perBlock;
        if (at + perBlock > needed.length) {
          const grown = new Float64Array(needed.length * 2);
          grown.set(needed);
          needed = grown;
        }
        for (let i = 0; i < nd; i++) {
          blockIndex = blockIndex * g.blockGrid[i]! + bc[i]!;
          const lo = chunkLo[i]! + bc[i]! * g.blockshape[i]!;
          const hi = Math.min(lo + g.blockshape[i]!, chunkHi[i]!);
          const f = Math.max(kf[i]!, Math.ceil((lo - start[i]!) / step[i]!));
          const l = Math.min(kl[i]!, Math.floor((hi - 1 - start[i]!) / step[i]!));
          if (f > l) blockEmpty = true;
          needed[at + 1 + 2 * i] = f;
          needed[at + 2 + 2 * i] = l;
        }
        if (!blockEmpty) {
          needed[at] = blockIndex;
          nneeded++;
        }
        let i = nd - 1;
        for (; i >= 0; i--) {
          bc[i]!++;
          if (bc[i]! <= b1[i]!) break;
          bc[i] = b0[i]!;
        }
        if (i < 0) break;
      }
      if (nneeded > 0) {
        arr.stats.chunks++;
        // One reader per chunk (its header parsed once); each needed block decoded once into
        // the block scratch, then its selected elements copied out.
        checkChunkSize(arr, g, chunkIndex);
        // Only the needed blocks' range of the chunk is loaded (from a file: their streams alone).
        let jMin = Infinity;
        let jMax = -1;
        for (let r = 0; r < nneeded; r++) {
          const j = needed[r * perBlock]!;
          if (j < jMin) jMin = j;
          if (j > jMax) jMax = j;
        }
        const reader = arr.schunk.chunkReader(chunkIndex, jMin * B, Math.min(g.chunkNbytes, (jMax + 1) * B));
        if (scratch === null) scratch = blockScratch.bytes(B);
        for (let r = 0; r < nneeded; r++) {
          const at = r * perBlock;
          const j = needed[at]!;
          const bEnd = Math.min(g.chunkNbytes, (j + 1) * B);
          withChunkIndex(chunkIndex, () => reader.readInto(j * B, bEnd, scratch!, 0));
          copyBlock(g, needed, at, chunkLo, start, step, outStride, blkStride, k, origin, scratch, 0, out, itemsize);
        }
        arr.stats.blocks += reader.blocksDecoded;
      }
    }
    let i = nd - 1;
    for (; i >= 0; i--) {
      cc[i]!++;
      if (cc[i]! <= c1[i]!) break;
      cc[i] = c0[i]!;
    }
    if (i < 0) break;
  }
}

/**
 * Whether a chunk lying wholly inside the selection can be decompressed straight into the
 * output: steps of 1, blocks that are consecutive row-major pieces of their chunk (no block
 * padding; blockshape 1 on leading dimensions, then one dividing dimension, then whole
 * trailing dimensions), and a chunk whose elements are consecutive in the output.
 */
function directChunkLayout(g: B2ndGeometry, sel: Selection, outStride: Float64Array): boolean {
  const nd = g.ndim;
  let k = 0;
  for (let i = 0; i < nd; i++) {
    const c = g.chunkshape[i]!;
    const b = g.blockshape[i]!;
    if (sel.step[i] !== 1 || c % b !== 0) return false;
    if (i > k && c !== b) return false;
    if (i === k && b === 1) k++;
  }
  let inner = 1;
  for (let i = nd - 1; i >= 0; i--) {
    if (g.chunkshape[i]! > 1 && outStride[i] !== inner) return false;
    inner *= g.chunkshape[i]!;
  }
  return true;
}

/**
 * Copy the selected elements of one decoded block (at byte `base` of `src`) to `out`.
 * `needed[at + 1 + 2i]`, `needed[at + 2 + 2i]`: the first and last selection index in the block.
 */
function copyBlock(
  g: B2ndGeometry,
  needed: Float64Array,
  at: number,
  chunkLo: Float64Array,
  start: Float64Array,
  step: Float64Array,
  outStride: Float64Array,
  blkStride: Float64Array,
  k: Float64Array,
  origin: Float64Array,
  src: Uint8Array,
  base: number,
  out: Uint8Array,
  itemsize: number,
): void {
  const nd = g.ndim;
  const blockIndex = needed[at]!;
  // The block's origin in global coordinates: needed only through (global - origin).
  let rest = blockIndex;
  for (let i = nd - 1; i >= 0; i--) {
    const bci = rest % g.blockGrid[i]!;
    rest = Math.floor(rest / g.blockGrid[i]!);
    origin[i] = chunkLo[i]! + bci * g.blockshape[i]!;
  }
  // Offsets of the inner dimension's first element, and the run length.
  const last = nd - 1;
  const innerFirst = needed[at + 1 + 2 * last]!;
  const innerCount = needed[at + 2 + 2 * last]! - innerFirst + 1;
  const innerStep = step[last]!;
  const originLast = origin[last]!;
  // Outer dimensions iterate over selection indices; translate to block offsets.
  for (let i = 0; i < nd; i++) k[i] = needed[at + 1 + 2 * i]!;
  for (;;) {
    let s = 0;
    let d = 0;
    for (let i = 0; i < last; i++) {
      s += (start[i]! + k[i]! * step[i]! - origin[i]!) * blkStride[i]!;
      d += k[i]! * outStride[i]!;
    }
    s += start[last]! + innerFirst * innerStep - originLast;
    d += innerFirst;
    const sp = base + s * itemsize;
    const dp = d * itemsize;
    if (innerStep === 1) {
      out.set(src.subarray(sp, sp + innerCount * itemsize), dp);
    } else {
      const stride = innerStep * itemsize;
      for (let j = 0; j < innerCount; j++) {
        const a = sp + j * stride;
        const o = dp + j * itemsize;
        for (let b = 0; b < itemsize; b++) out[o + b] = src[a + b]!;
      }
    }
    let i = last - 1;
    for (; i >= 0; i--) {
      k[i]!++;
      if (k[i]! <= needed[at + 2 + 2 * i]!) break;
      k[i] = needed[at + 1 + 2 * i]!;
    }
    if (i < 0) break;
  }
}
