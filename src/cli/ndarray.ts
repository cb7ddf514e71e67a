/**
 * Command-line handling of NDArrays (`.b2nd`, contiguous or sparse) and NumPy `.npy`
 * files: describe the array, write it as .npy or as its C-order bytes, or build a `.b2nd`
 * from an .npy with chunk shapes computed for given cache sizes. Thin over the public API
 * (`NDArray`, `parseNpy`, `computeChunksBlocks`).
 */
import { B2ND_METALAYER, DEFAULT_CACHE_SIZES, NDARRAY_DEFAULT_CPARAMS, NDArray, parseNpy, SChunk, type CacheSizes, type CompressOptions } from '../index.js';
import { UsageError } from './args.js';
import { appendCompressed, chunksPerStep } from './frame.js';
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
  if (cparams.typesize !== undefined || cparams.blocksize !== undefined) {
    throw new UsageError('--typesize and --blocksize come from the .npy dtype and --blocks when writing an NDArray');
  }
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
