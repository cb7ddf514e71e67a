/**
 * Command-line handling of NDArrays (`.b2nd`, contiguous or sparse) and NumPy `.npy`
 * files: describe the array, write it as .npy or as its C-order bytes, or build a `.b2nd`
 * from an .npy with chunk shapes computed for given cache sizes. Thin over the public API
 * (`NDArray`, `parseNpy`, `computeChunksBlocks`).
 */
import { DEFAULT_CACHE_SIZES, NDArray, parseNpy, type CacheSizes, type CompressOptions, type SChunk } from '../index.js';
import { UsageError } from './args.js';

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

/** The whole array as an .npy file. */
export function ndarrayToNpy(schunk: SChunk): Uint8Array {
  return NDArray.open(schunk).toNpy();
}

/** The whole array's element bytes in C order (not the chunks' padded storage). */
export function ndarrayBytes(schunk: SChunk): Uint8Array {
  return NDArray.open(schunk).toArray().data;
}

/** Cache sizes from `--l1`, `--l2`, `--l3` (bytes), the rest from DEFAULT_CACHE_SIZES. */
export function cacheSizes(l1: number | undefined, l2: number | undefined, l3: number | undefined): CacheSizes {
  const caches: CacheSizes = { ...DEFAULT_CACHE_SIZES };
  if (l1 !== undefined) caches.l1DataCacheSize = l1;
  if (l2 !== undefined) caches.l2CacheSize = l2;
  if (l3 !== undefined) caches.l3CacheSize = l3;
  return caches;
}

/** A `.b2nd` frame of the array in an .npy file; compression defaults are python-blosc2's. */
export function npyToNDArray(
  npy: Uint8Array, chunks: number[] | undefined, blocks: number[] | undefined, caches: CacheSizes, cparams: CompressOptions,
): Uint8Array {
  if (cparams.typesize !== undefined || cparams.blocksize !== undefined) {
    throw new UsageError('--typesize and --blocksize come from the .npy dtype and --blocks when writing an NDArray');
  }
  return NDArray.fromNpy(npy, { ...cparams, chunks, blocks, caches }).toFrame();
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
