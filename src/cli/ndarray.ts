/**
 * Command-line handling of NDArrays (`.b2nd`, contiguous or sparse) and NumPy `.npy`
 * files: describe the array, write it as .npy or as its C-order bytes, or build a `.b2nd`
 * from an .npy with chunk shapes computed for given cache sizes. Thin over the public API
 * (`NDArray`, `parseNpy`, `computeChunksBlocks`).
 */
import {
  B2ND_METALAYER, B2ndGeometry, BloscError, BloscErrorCode, computeChunksBlocks, DEFAULT_CACHE_SIZES, FrameWriter, getLimits, NDARRAY_DEFAULT_CPARAMS, NDArray, parseB2ndMeta, parseDType, parseNpy,
  parseNpyHeader, SChunk, writeB2ndMeta, writeNpy, type CacheSizes, type CompressOptions, type NpyHeader,
} from '../index.js';
import { UsageError } from './args.js';
import { closeInput, openInput, readInto, type OutputFile } from './files.js';
import { appendCompressed, chunksPerStep, frameTarget } from './frame.js';
import type { ProgressBar } from './progress.js';

export interface NDArrayDescription {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly blocks: readonly number[];
  readonly dtype: string;
  readonly itemsize: number;
  readonly size: number;
  /** Bytes of the array in C order (the chunks hold more when they pad the edges). */
  readonly nbytes: number;
}

/** The array geometry of a super-chunk with a "b2nd" metalayer. */
export function describeNDArray(schunk: SChunk): NDArrayDescription {
  const arr = NDArray.open(schunk);
  return { shape: arr.shape, chunks: arr.chunks, blocks: arr.blocks, dtype: arr.dtype, itemsize: arr.itemsize, size: arr.size, nbytes: arr.size * arr.itemsize };
}

const tuple = (list: readonly number[]): string => (list.length === 1 ? `(${list[0]},)` : `(${list.join(', ')})`);

export function formatNDArray(d: NDArrayDescription): string {
  return [
    `  NDArray (b2nd)`,
    `    shape    ${tuple(d.shape)}`,
    `    chunks   ${tuple(d.chunks)}`,
    `    blocks   ${tuple(d.blocks)}`,
    `    dtype    ${d.dtype} (itemsize ${d.itemsize})`,
    `    size     ${d.size} items, ${d.nbytes} bytes`,
  ].join('\n');
}

/**
 * The same array over a super-chunk of plain (memcpyed) chunks, its chunks decoded on
 * `nthreads` workers (`SChunk.getSliceAsync`), a few at a time; NDArray then only copies.
 */
async function decodedOnWorkers(schunk: SChunk, nthreads: number, bar: ProgressBar | undefined): Promise<NDArray> {
  const ts = schunk.typesize;
  const cs = schunk.nchunks > 0 ? schunk.chunkNbytes(0) : 0;
  const plain = new SChunk({ chunksize: cs, typesize: ts, cparams: { clevel: 0, typesize: ts > 255 ? 1 : ts } });
  for (const name of schunk.meta.names()) plain.meta.add(name, schunk.meta.get(name)!);
  const step = chunksPerStep(nthreads, cs);
  const total = schunk.nbytes;
  bar?.update(0, total);
  for (let i = 0; i < schunk.nchunks; i += step) {
    const last = Math.min(schunk.nchunks, i + step);
    const bytes = await schunk.getSliceAsync((i * cs) / ts, (last * cs) / ts, { nthreads });
    for (let k = 0; k < last - i; k++) plain.append(bytes.subarray(k * cs, (k + 1) * cs));
    bar?.update(last * cs, total);
  }
  return NDArray.open(plain);
}

/**
 * The whole array as an .npy file, or as its elements' bytes in C order (not the chunks'
 * padded storage); with `nthreads` > 1 the chunks are decoded on workers.
 */
export async function ndarrayContent(schunk: SChunk, npy: boolean, nthreads: number, bar: ProgressBar | undefined): Promise<Uint8Array> {
  bar?.update(0, schunk.nbytes);
  const arr = nthreads > 1 ? await decodedOnWorkers(schunk, nthreads, bar) : NDArray.open(schunk);
  const out = npy ? arr.toNpy() : arr.toArray().data;
  bar?.update(schunk.nbytes, schunk.nbytes);
  bar?.done();
  return out;
}

/** Cache sizes from `--l1`, `--l2`, `--l3` (bytes), the rest from DEFAULT_CACHE_SIZES. */
export function cacheSizes(l1: number | undefined, l2: number | undefined, l3: number | undefined): CacheSizes {
  const caches: CacheSizes = { ...DEFAULT_CACHE_SIZES };
  if (l1 !== undefined) caches.l1DataCacheSize = l1;
  if (l2 !== undefined) caches.l2CacheSize = l2;
  if (l3 !== undefined) caches.l3CacheSize = l3;
  return caches;
}

/**
 * A `.b2nd` frame of the array in an .npy file; compression defaults are python-blosc2's.
 * With `cparams.nthreads` > 1 the chunks are laid out first (as memcpyed chunks, which
 * costs a copy) and then compressed on workers: the same bytes as `NDArray.fromNpy`.
 */
export async function npyToNDArray(
  npy: Uint8Array, chunks: number[] | undefined, blocks: number[] | undefined, caches: CacheSizes, cparams: CompressOptions, bar: ProgressBar | undefined,
): Promise<Uint8Array> {
  checkNpyOptions(cparams);
  // A tuned array is compressed on this thread: its super-chunk tunes on the first chunk.
  if ((cparams.nthreads ?? 1) <= 1 || cparams.tune !== undefined) {
    bar?.update(0, npy.length);
    const frame = NDArray.fromNpy(npy, { ...cparams, chunks, blocks, caches }).toFrame();
    bar?.update(npy.length, npy.length);
    bar?.done();
    return frame;
  }
  const laid = NDArray.fromNpy(npy, { ...cparams, clevel: 0, chunks, blocks, caches }).schunk;
  // The options fromNpy resolves (typesize, blocksize, filters for the dtype), with the real level.
  const options: CompressOptions = { ...laid.compressOptions, clevel: cparams.clevel ?? NDARRAY_DEFAULT_CPARAMS.clevel };
  const cs = laid.chunksize;
  const target = new SChunk({ chunksize: cs, typesize: laid.typesize, cparams: options });
  target.meta.add(B2ND_METALAYER, laid.meta.get(B2ND_METALAYER)!);
  const ts = laid.typesize;
  await appendCompressed(target, laid.nbytes, (at, length) => laid.getSlice(at / ts, (at + length) / ts), cs, options, bar);
  return target.toFrame();
}

/** Bytes read first for an .npy header (numpy writes headers of a few hundred bytes, refuses them over 10 000). */
const NPY_HEAD_BYTES = 1 << 16;
/** Bytes read for a larger header: past the largest one parseNpyHeader accepts (1 MiB). */
const NPY_LARGE_HEAD_BYTES = 1 << 21;

/** The header of the .npy file open as `fd`, read without its data. */
export function readNpyHeader(path: string, fd: number, size: number): NpyHeader {
  const head = readInto(path, fd, 0, new Uint8Array(Math.min(size, NPY_HEAD_BYTES)));
  try {
    return parseNpyHeader(head);
  } catch (e) {
    if (size <= head.length) throw e;
    return parseNpyHeader(readInto(path, fd, 0, new Uint8Array(Math.min(size, NPY_LARGE_HEAD_BYTES))));
  }
}

/** Whether an .npy array goes a slab of chunk rows at a time (else whole: 0-d, empty, Fortran order). */
export function npyStreamsBySlab(h: NpyHeader): boolean {
  return h.shape.length > 0 && !h.shape.includes(0) && !h.fortranOrder;
}

/**
 * Write to `out` the `.b2nd` frame of the .npy file `path`, one slab of chunk rows at a
 * time: the rows of the array one row of chunks along axis 0 covers are read into one
 * buffer, cut into chunks and blocks as `NDArray.fromTypedArray` cuts them (it does, on the
 * slab), compressed (on workers with `cparams.nthreads` > 1) and appended ({@link FrameWriter}).
 * The bytes of `NDArray.fromNpy(...).toFrame()`, for the arrays {@link npyStreamsBySlab} takes.
 */
export async function npyFileToB2nd(
  path: string, size: number, h: NpyHeader, chunks: number[] | undefined, blocks: number[] | undefined, caches: CacheSizes, cparams: CompressOptions, out: OutputFile, bar: ProgressBar | undefined,
): Promise<void> {
  checkNpyOptions(cparams);
  const fd = openInput(path);
  try {
    // As NDArray.fromNpy: the element size from the dtype; the file's length checked against the descr's.
    const itemsize = parseDType(h.dtype).itemsize;
    if (itemsize === null) throw new BloscError(BloscErrorCode.InvalidParam, `the size of dtype ${JSON.stringify(h.dtype)} is unknown`);
    const cb = computeChunksBlocks(h.shape, itemsize, chunks, blocks, caches);
    const g = new B2ndGeometry(h.shape, cb.chunks, cb.blocks, itemsize);
    const nbytes = g.nitems * itemsize;
    const stored = g.nitems * (h.itemsize ?? itemsize);
    if (size - h.dataOffset < stored) {
      throw new BloscError(BloscErrorCode.InvalidHeader, `npy: data holds ${Math.max(0, size - h.dataOffset)} bytes, shape [${h.shape.join(', ')}] of ${h.dtype} needs ${stored}`);
    }
    if (size - h.dataOffset < nbytes) {
      throw new BloscError(BloscErrorCode.InvalidHeader, `npy: data holds ${Math.max(0, size - h.dataOffset)} bytes, shape [${h.shape.join(', ')}] of ${h.dtype} needs ${nbytes}`);
    }
    const { tune, ...untuned } = cparams;
    // A tuned array is compressed on this thread (its first chunk tunes the rest).
    const nthreads = tune !== undefined ? 1 : cparams.nthreads ?? 1;
    const rows = cb.chunks[0]! * chunkRowsPerSlab(nthreads, g.nchunks / g.chunkGrid[0]!, g.chunkNbytes);
    // Bytes of one row along axis 0 (the arrays streamed have no empty dimension).
    const rowBytes = (g.nitems / h.shape[0]!) * itemsize;
    const buffer = new Uint8Array(Math.min(rows, h.shape[0]!) * rowBytes);
    let writer: FrameWriter | null = null;
    bar?.update(0, nbytes);
    for (let r0 = 0; r0 < h.shape[0]!; r0 += rows) {
      const height = Math.min(rows, h.shape[0]! - r0);
      const slabBytes = readInto(path, fd, h.dataOffset + r0 * rowBytes, buffer.subarray(0, height * rowBytes));
      const slabOptions = { dtype: h.dtype, itemsize, shape: [height, ...h.shape.slice(1)], chunks: cb.chunks, blocks: cb.blocks };
      // On workers, or tuned on the first chunk: the slab laid out in memcpyed chunks, then
      // compressed (as npyToNDArray does) or handed to the writer, which tunes as SChunk does.
      const laid = nthreads > 1 || tune !== undefined;
      const slab = NDArray.fromTypedArray(slabBytes, { ...untuned, ...(laid ? { clevel: 0 } : {}), ...slabOptions }).schunk;
      const options: CompressOptions = laid
        ? { ...slab.compressOptions, clevel: cparams.clevel ?? NDARRAY_DEFAULT_CPARAMS.clevel, ...(tune !== undefined ? { tune } : {}) }
        : slab.compressOptions;
      if (writer === null) {
        writer = new FrameWriter(frameTarget(out), { chunksize: slab.chunksize, typesize: slab.typesize, cparams: options });
        writer.meta.add(B2ND_METALAYER, writeB2ndMeta({ ...parseB2ndMeta(slab.meta.get(B2ND_METALAYER)!), shape: h.shape }));
      }
      if (tune !== undefined) {
        for (let k = 0; k < slab.nchunks; k++) writer.append(slab.decompressChunk(k));
      } else if (nthreads > 1) {
        const ts = slab.typesize;
        await appendCompressed(writer, slab.nbytes, (at, length) => slab.getSlice(at / ts, (at + length) / ts), slab.chunksize, options, undefined);
      } else {
        for (let k = 0; k < slab.nchunks; k++) writer.appendChunk(slab.getChunk(k));
      }
      bar?.update((r0 + height) * rowBytes, nbytes);
    }
    writer!.finish();
    bar?.done();
  } finally {
    closeInput(fd);
  }
}

/**
 * Write an NDArray to `out` as an .npy file (or its elements' bytes in C order), one slab
 * of chunk rows at a time: the chunks of one row along axis 0 decoded (on workers with
 * `nthreads` > 1) and their elements written. The bytes of `toNpy()` / `toArray().data`.
 */
export async function writeNDArrayBySlab(schunk: SChunk, npy: boolean, nthreads: number, out: OutputFile, bar: ProgressBar | undefined): Promise<void> {
  const arr = NDArray.open(schunk);
  const shape = arr.shape;
  const perRow = arr.geometry.nchunks / arr.geometry.chunkGrid[0]!;
  const slabRows = chunkRowsPerSlab(nthreads, perRow, arr.geometry.chunkNbytes);
  const rows = arr.chunks[0]! * slabRows;
  const rowBytes = (arr.size / shape[0]!) * arr.itemsize;
  const total = arr.size * arr.itemsize;
  // Written a slab at a time, yet the whole output is what the ceiling bounds (as for frames).
  const ceiling = getLimits().maxOutputBytes;
  if (total > ceiling) throw new BloscError(BloscErrorCode.MaxBufsizeExceeded, `the array holds ${total} bytes, over the output ceiling of ${ceiling} bytes (raise it with --max-size)`);
  if (npy) out.write(writeNpy({ dtype: arr.dtype, shape, data: new Uint8Array(0) }));
  const meta = parseB2ndMeta(schunk.meta.get(B2ND_METALAYER) ?? schunk.meta.get('caterva')!);
  bar?.update(0, total);
  for (let row = 0, r0 = 0; r0 < shape[0]!; row++, r0 += rows) {
    const height = Math.min(rows, shape[0]! - r0);
    if (nthreads > 1) {
      // The row's chunks (consecutive in the frame) decoded on workers into memcpyed chunks: NDArray then only copies.
      const cs = arr.geometry.chunkNbytes;
      const ts = schunk.typesize;
      const first = row * slabRows * perRow;
      const count = Math.ceil(height / arr.chunks[0]!) * perRow;
      const bytes = await schunk.getSliceAsync((first * cs) / ts, ((first + count) * cs) / ts, { nthreads });
      const plain = new SChunk({ chunksize: cs, typesize: ts, cparams: { clevel: 0, typesize: ts > 255 ? 1 : ts } });
      plain.meta.add(B2ND_METALAYER, writeB2ndMeta({ ...meta, shape: [height, ...shape.slice(1)] }));
      for (let k = 0; k < count; k++) plain.append(bytes.subarray(k * cs, (k + 1) * cs));
      out.write(NDArray.open(plain).toArray().data);
    } else {
      out.write(arr.slice([[r0, r0 + height]]).data);
    }
    bar?.update((r0 + height) * rowBytes, total);
  }
  bar?.done();
}

/**
 * Rows of chunks (along axis 0) one slab holds: one on this thread; on workers enough for
 * the chunks a step keeps in flight (`chunksPerStep`), so the pool has work to share.
 */
function chunkRowsPerSlab(nthreads: number, chunksPerRow: number, chunkNbytes: number): number {
  return nthreads > 1 ? Math.max(1, Math.ceil(chunksPerStep(nthreads, chunkNbytes) / Math.max(1, chunksPerRow))) : 1;
}

/** Whether an NDArray is written a slab of chunk rows at a time (else whole: 0-d and empty arrays). */
export function ndarrayStreamsBySlab(schunk: SChunk): boolean {
  const arr = NDArray.open(schunk);
  return arr.ndim > 0 && arr.size > 0;
}

/** The options an NDArray takes from its .npy input instead. */
function checkNpyOptions(cparams: CompressOptions): void {
  if (cparams.typesize !== undefined || cparams.blocksize !== undefined) {
    throw new UsageError('--typesize and --blocksize come from the .npy dtype and --blocks when writing an NDArray');
  }
}

/** Header of an .npy file: dtype, shape, order and data size. */
export function describeNpy(bytes: Uint8Array): { kind: 'npy'; dtype: string; shape: readonly number[]; fortranOrder: boolean; nbytes: number } {
  const npy = parseNpy(bytes);
  return { kind: 'npy', dtype: npy.dtype, shape: npy.shape, fortranOrder: npy.fortranOrder, nbytes: npy.data.length };
}

export function formatNpy(path: string, d: ReturnType<typeof describeNpy>): string {
  return [
    `${path}: NumPy .npy file`,
    `  shape      ${tuple(d.shape)}`,
    `  dtype      ${d.dtype}`,
    `  order      ${d.fortranOrder ? 'Fortran' : 'C'}`,
    `  nbytes     ${d.nbytes}`,
  ].join('\n');
}
