/**
 * Self-describing arrays: a typed array and its shape as the bytes of one b2nd contiguous
 * frame (a `.b2nd` file), which python-blosc2 opens with `blosc2.ndarray_from_cframe`,
 * and back. The dtype and shape travel in the frame's "b2nd" metalayer; compression may
 * be chosen by the tuner (`tune`), per chunk as an NDArray does.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { NDArray, type NDArrayCreateOptions } from './ndarray.js';
import type { NDInputArray, NDTypedArray } from './dtype.js';

/** Options of {@link packArray}: an NDArray's, with the shape optional. */
export interface PackArrayOptions extends Omit<NDArrayCreateOptions, 'shape'> {
  /** Default: one dimension, the array's length. */
  readonly shape?: readonly number[];
}

/** What {@link unpackArray} gives back. */
export interface UnpackedArray {
  /** Elements in C order in the host's byte order (bytes for dtypes without a typed array). */
  readonly data: NDTypedArray;
  readonly shape: readonly number[];
  /** NumPy dtype string as stored (`<f8`, `|b1`, ...). */
  readonly dtype: string;
}

/** The bytes of a b2nd frame holding `data` with its dtype and shape. */
export function packArray(data: NDInputArray, options: PackArrayOptions = {}): Uint8Array {
  if (!ArrayBuffer.isView(data) || data instanceof DataView) fail(BloscErrorCode.InvalidParam, 'packArray: data must be a typed array');
  const shape = options.shape ?? [data.length];
  return NDArray.fromTypedArray(data, { ...options, shape }).toFrame();
}

/** The array a b2nd frame holds (from {@link packArray}, python-blosc2 `to_cframe()`, or a `.b2nd` file). */
export function unpackArray(frame: Uint8Array): UnpackedArray {
  const arr = NDArray.open(frame);
  return { data: arr.toTypedArray(), shape: arr.shape.slice(), dtype: arr.dtype };
}
