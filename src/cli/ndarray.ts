/**
 * Command-line handling of NDArrays (`.b2nd`) and NumPy `.npy` files: describe the array,
 * write it as .npy, or build a `.b2nd` from an .npy. Thin over the public API (`NDArray`,
 * `CFrame`).
 */
import { CFrame, NDArray, parseNpy, type CompressOptions } from '../index.js';
import { FileSource } from '../node.js';
import { UsageError } from './args.js';

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** An .npy file starts with "\x93NUMPY". */
export function isNpy(head: Uint8Array): boolean {
  return head.length >= 6 && NPY_MAGIC.every((b, i) => head[i] === b);
}

export interface NDArrayDescription {
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly blocks: readonly number[];
  readonly dtype: string;
  readonly itemsize: number;
  readonly size: number;
}

/** The array geometry of a frame with a "b2nd" metalayer, or null for any other frame. */
export function describeNDArray(path: string): NDArrayDescription | null {
  const source = new FileSource(path);
  try {
    if (!CFrame.open(source).metalayers.some((l) => l.name === 'b2nd')) return null;
    const arr = NDArray.open(source);
    return { shape: arr.shape, chunks: arr.chunks, blocks: arr.blocks, dtype: arr.dtype, itemsize: arr.itemsize, size: arr.size };
  } finally {
    source.close();
  }
}

const tuple = (list: readonly number[]): string => (list.length === 1 ? `(${list[0]},)` : `(${list.join(', ')})`);

export function formatNDArray(d: NDArrayDescription): string {
  return [
    `  NDArray (b2nd)`,
    `    shape    ${tuple(d.shape)}`,
    `    chunks   ${tuple(d.chunks)}`,
    `    blocks   ${tuple(d.blocks)}`,
    `    dtype    ${d.dtype} (itemsize ${d.itemsize})`,
    `    size     ${d.size}`,
  ].join('\n');
}

/** The whole array of a `.b2nd` file as an .npy file. */
export function ndarrayToNpy(path: string): Uint8Array {
  const source = new FileSource(path);
  try {
    return NDArray.open(source).toNpy();
  } finally {
    source.close();
  }
}

/** `--chunks 10,20` → [10, 20]. */
export function shapeOption(options: Map<string, string | true>, name: string): number[] | undefined {
  const v = options.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^\d+(,\d+)*$/.test(v)) throw new UsageError(`--${name} takes a comma-separated list of sizes, e.g. --${name} 10,20`);
  return v.split(',').map(Number);
}

/** A `.b2nd` frame of the array in an .npy file; compression defaults are python-blosc2's. */
export function npyToNDArray(npy: Uint8Array, chunks: number[] | undefined, blocks: number[] | undefined, cparams: CompressOptions): Uint8Array {
  if (cparams.typesize !== undefined || cparams.blocksize !== undefined) {
    throw new UsageError('--typesize and --blocksize come from the .npy dtype and --blocks when writing an NDArray');
  }
  return NDArray.fromNpy(npy, { ...cparams, chunks, blocks }).toFrame();
}

/** Header of an .npy file: dtype, shape, order and data size. */
export function describeNpy(bytes: Uint8Array): { dtype: string; shape: readonly number[]; fortranOrder: boolean; nbytes: number } {
  const npy = parseNpy(bytes);
  return { dtype: npy.dtype, shape: npy.shape, fortranOrder: npy.fortranOrder, nbytes: npy.data.length };
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
