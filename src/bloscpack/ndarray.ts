/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) numpy_io.py; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * NumPy arrays in bloscpack files (numpy_io.py `pack_ndarray_*`, `unpack_ndarray_*`,
 * `_ndarray_meta`, `PlainNumpySink`): the numpy metadata, dtype strings and item sizes, and
 * typed-array views of unpacked data.
 */
import { BloscErrorCode, fail } from '../errors.js';
import type { BloscpackHeader } from '../frame/bloscpack.js';
import { bytesOf } from '../params.js';
import { MemorySink, memorySource, type ByteSink } from './io.js';
import type { JsonValue } from './json.js';
import { metadataFor, packSteps, packWith, resolvePack, type PackOptions } from './pack.js';
import { bytesSource, memorySyncSink, runSync } from './runner.js';
import { unpackBytes, type UnpackOptions } from './unpack.js';

export type ArrayOrder = 'C' | 'F';

/** An n-dimensional array as bloscpack's numpy metadata describes it. */
export interface BloscpackNdarray {
  /** Element bytes, in `order`. */
  readonly data: Uint8Array;
  /** numpy `dtype.str` ('<f8', '|u1', '<U5'…) or, for structured dtypes, the `repr(dtype.descr)` literal. */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly order: ArrayOrder;
}

export interface BloscpackNdarrayInput {
  readonly data: ArrayBufferView | ArrayBuffer;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly order?: ArrayOrder;
  /** Bytes per element; required for structured dtypes, derived from `dtype` otherwise. */
  readonly itemsize?: number;
}

export type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** numpy dtype strings of the typed arrays (always little-endian as JS engines are). */
export function littleEndianDtypeOfTypedArray(a: TypedArray): string {
  if (a instanceof Int8Array) return '|i1';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return '|u1';
  if (a instanceof Int16Array) return '<i2';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Uint32Array) return '<u4';
  if (a instanceof Float32Array) return '<f4';
  if (a instanceof Float64Array) return '<f8';
  if (a instanceof BigInt64Array) return '<i8';
  return '<u8';
}

/** Bytes per element of a simple numpy dtype string ('<f8' → 8, '<U5' → 20, '<M8[ns]' → 8). */
export function itemsizeOfDtype(dtype: string): number {
  const m = /^[<>|=]?([a-zA-Z])(\d+)(\[\w+\])?$/.exec(dtype);
  if (m === null) fail(BloscErrorCode.InvalidParam, `cannot derive the item size of dtype '${dtype}'; pass itemsize`);
  const n = Number(m[2]);
  return m[1] === 'U' ? 4 * n : n;
}

function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function describeArray(array: BloscpackNdarrayInput | TypedArray): { bytes: Uint8Array; meta: { [key: string]: JsonValue }; itemsize: number } {
  if (isTypedArray(array)) {
    return {
      bytes: bytesOf(array),
      meta: { dtype: `'${littleEndianDtypeOfTypedArray(array)}'`, shape: [array.length], order: 'C', container: 'numpy' },
      itemsize: array.BYTES_PER_ELEMENT,
    };
  }
  const bytes = bytesOf(array.data);
  const itemsize = array.itemsize ?? itemsizeOfDtype(array.dtype);
  let count = 1;
  for (const d of array.shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(BloscErrorCode.InvalidParam, `bad shape ${JSON.stringify(array.shape)}`);
    count *= d;
  }
  if (count * itemsize !== bytes.length) fail(BloscErrorCode.InvalidParam, `shape ${JSON.stringify(array.shape)} × ${itemsize} bytes ≠ ${bytes.length} data bytes`);
  const order = array.order ?? 'C';
  if (order !== 'C' && order !== 'F') fail(BloscErrorCode.InvalidParam, `order must be 'C' or 'F'`);
  // `_ndarray_meta`: repr(dtype.str) for plain dtypes, repr(dtype.descr) (already a literal) for structured ones.
  const dtype = array.dtype.startsWith('[') ? array.dtype : `'${array.dtype}'`;
  return { bytes, meta: { dtype, shape: [...array.shape], order, container: 'numpy' }, itemsize };
}

function ndPackOptions(options: PackOptions, meta: { [key: string]: JsonValue }): PackOptions {
  return { ...options, metadata: meta };
}

/** Pack an array so that bloscpack's `unpack_ndarray_from_file` returns it (`pack_ndarray_to_bytes`). */
export function packNdarray(array: BloscpackNdarrayInput | TypedArray, options: PackOptions = {}): Uint8Array {
  const { bytes, meta, itemsize } = describeArray(array);
  if (itemsize > 255) fail(BloscErrorCode.InvalidParam, `item size ${itemsize} exceeds bloscpack's typesize limit of 255`);
  const opts = ndPackOptions(options, meta);
  const p = resolvePack(opts, itemsize);
  const sink = new MemorySink();
  runSync(packSteps(bytes.length, p, metadataFor(opts), itemsize), bytesSource(bytes), memorySyncSink(sink));
  void sink.close();
  return sink.result();
}

/** Pack an array from memory into any sink. */
export async function packNdarrayTo(array: BloscpackNdarrayInput | TypedArray, sink: ByteSink, options: PackOptions = {}): Promise<BloscpackHeader> {
  const { bytes, meta, itemsize } = describeArray(array);
  if (itemsize > 255) fail(BloscErrorCode.InvalidParam, `item size ${itemsize} exceeds bloscpack's typesize limit of 255`);
  const opts = ndPackOptions(options, meta);
  return packWith(memorySource(bytes), sink, resolvePack(opts, itemsize), metadataFor(opts), itemsize);
}

/** Array description from bloscpack numpy metadata (`PlainNumpySink`). */
export function ndarrayMetadata(metadata: JsonValue | undefined): { dtype: string; shape: number[]; order: ArrayOrder } {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata.container !== 'numpy') {
    fail(BloscErrorCode.InvalidHeader, 'the file holds no numpy array metadata');
  }
  const rawDtype = metadata.dtype;
  const shape = metadata.shape;
  const order = metadata.order;
  if (typeof rawDtype !== 'string') fail(BloscErrorCode.InvalidHeader, 'numpy metadata: dtype is not a string');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fail(BloscErrorCode.InvalidHeader, 'numpy metadata: shape is not a list of sizes');
  }
  if (order !== 'C' && order !== 'F') fail(BloscErrorCode.InvalidHeader, `numpy metadata: order ${JSON.stringify(order)}`);
  // repr() of a str: quoted with ' (or " if it holds a ').
  const m = /^'([^'\\]*)'$|^"([^"\\]*)"$/.exec(rawDtype);
  const dtype = m !== null ? (m[1] ?? m[2]!) : rawDtype;
  return { dtype, shape: shape as number[], order };
}

/** Unpack an array written by `pack_ndarray_*` or `packNdarray`. */
export function unpackNdarray(blp: Uint8Array, options?: UnpackOptions): BloscpackNdarray {
  const u = unpackBytes(blp, options);
  const { dtype, shape, order } = ndarrayMetadata(u.metadata);
  if (!dtype.startsWith('[')) {
    let count = 1;
    for (const d of shape) count *= d;
    if (count * itemsizeOfDtype(dtype) !== u.data.length) {
      fail(BloscErrorCode.InvalidHeader, `numpy metadata: shape ${JSON.stringify(shape)} of ${dtype} does not match ${u.data.length} data bytes`);
    }
  }
  return { data: u.data, dtype, shape, order };
}

/** A typed-array view of a little-endian numeric array, or undefined if no typed array fits. */
export function typedArrayOf(a: BloscpackNdarray): TypedArray | undefined {
  const ctors: Record<string, { new (b: ArrayBuffer, o: number, n: number): TypedArray; BYTES_PER_ELEMENT: number }> = {
    '|i1': Int8Array,
    '|u1': Uint8Array,
    '|b1': Uint8Array,
    '<i2': Int16Array,
    '<u2': Uint16Array,
    '<i4': Int32Array,
    '<u4': Uint32Array,
    '<f4': Float32Array,
    '<f8': Float64Array,
    '<i8': BigInt64Array,
    '<u8': BigUint64Array,
  };
  const C = ctors[a.dtype];
  if (C === undefined) return undefined;
  let d = a.data;
  if (d.byteOffset % C.BYTES_PER_ELEMENT !== 0 || !(d.buffer instanceof ArrayBuffer)) d = d.slice();
  return new C(d.buffer as ArrayBuffer, d.byteOffset, d.length / C.BYTES_PER_ELEMENT);
}
