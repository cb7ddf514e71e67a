/**
 * NumPy dtype strings as python-blosc2 stores them in the b2nd metalayer (`dtype.str`:
 * `<f8`, `|b1`, `>i4`, `<c16`, `|S10`, `<U8`, `<M8[ns]`; structured dtypes as a Python
 * repr), and conversion of stored bytes to typed arrays in the host's byte order.
 *
 * The frame's typesize is the truth for the element size (container spec §4.2); a dtype
 * this module does not understand, or one whose size disagrees with the typesize, is read
 * as raw bytes.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { dtypeItemsize } from '../frame/npy.js';

export type DTypeKind =
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'complex'
  | 'bytes'
  | 'unicode'
  | 'void'
  | 'datetime'
  | 'timedelta'
  | 'unknown';

export type ByteOrder = 'little' | 'big' | 'none';

export interface DTypeInfo {
  /** The string as stored. */
  readonly str: string;
  readonly kind: DTypeKind;
  /** Bytes per element the string implies, or null when it cannot be told (structured dtypes). */
  readonly itemsize: number | null;
  /** Byte order of multi-byte numbers; 'none' for single bytes, byte strings and unknowns. */
  readonly byteorder: ByteOrder;
}

/** Typed arrays {@link bytesToTypedArray} returns. */
export type NDTypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** Typed arrays accepted by the writer. */
export type NDInputArray = NDTypedArray | Uint8ClampedArray;

const KIND_CODES: Record<string, DTypeKind> = {
  b: 'bool',
  '?': 'bool',
  i: 'int',
  u: 'uint',
  f: 'float',
  c: 'complex',
  S: 'bytes',
  a: 'bytes',
  U: 'unicode',
  V: 'void',
  M: 'datetime',
  m: 'timedelta',
};

/** True when this machine stores numbers little-endian (every platform Node, Deno and Bun run on, in practice). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parse a dtype string. Never throws: what it cannot read is kind 'unknown' with itemsize
 * null, and the array is then read as raw bytes of the frame's typesize.
 */
export function parseDType(str: string): DTypeInfo {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(str);
  if (m === null) {
    // Structured dtypes: python-blosc2 stores `str(dtype)`, a list of fields.
    const structured = str.startsWith('[') || str.startsWith('{');
    return { str, kind: structured ? 'void' : 'unknown', itemsize: structured ? dtypeItemsize(str) : null, byteorder: 'none' };
  }
  const order = m[1]!;
  const code = m[2]!;
  const digits = m[3]!;
  const kind = KIND_CODES[code] ?? 'unknown';
  let itemsize: number | null = digits === '' ? null : Number(digits);
  if (kind === 'bool') itemsize = itemsize ?? 1;
  if (kind === 'unicode' && itemsize !== null) itemsize *= 4;
  if ((kind === 'datetime' || kind === 'timedelta') && itemsize === null) itemsize = 8;
  if (m[4] !== undefined && kind !== 'datetime' && kind !== 'timedelta') return { str, kind: 'unknown', itemsize: null, byteorder: 'none' };
  if (itemsize !== null && (!Number.isSafeInteger(itemsize) || itemsize <= 0)) itemsize = null;
  const multiByteNumber = kind === 'int' || kind === 'uint' || kind === 'float' || kind === 'complex' || kind === 'unicode' || kind === 'datetime' || kind === 'timedelta';
  let byteorder: ByteOrder = 'none';
  if (multiByteNumber && itemsize !== null && itemsize > 1) {
    if (order === '>') byteorder = 'big';
    else if (order === '<') byteorder = 'little';
    else byteorder = HOST_LITTLE_ENDIAN ? 'little' : 'big';
  }
  return { str, kind, itemsize, byteorder };
}

/** The numpy dtype string for a typed array (little-endian hosts write `<`). */
export function dtypeOfTypedArray(data: NDInputArray): string {
  const e = HOST_LITTLE_ENDIAN ? '<' : '>';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return '|u1';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint16Array) return `${e}u2`;
  if (data instanceof Int16Array) return `${e}i2`;
  if (data instanceof Uint32Array) return `${e}u4`;
  if (data instanceof Int32Array) return `${e}i4`;
  if (data instanceof BigUint64Array) return `${e}u8`;
  if (data instanceof BigInt64Array) return `${e}i8`;
  if (data instanceof Float32Array) return `${e}f4`;
  if (data instanceof Float64Array) return `${e}f8`;
  return fail(BloscErrorCode.InvalidParam, 'data must be a typed array');
}

/** Reverse the bytes of every `width`-byte word of `b` in place (a byte-order flip). */
export function byteswapInPlace(b: Uint8Array, width: number): void {
  if (width <= 1) return;
  const n = b.length - (b.length % width);
  for (let p = 0; p < n; p += width) {
    for (let i = 0, j = width - 1; i < j; i++, j--) {
      const t = b[p + i]!;
      b[p + i] = b[p + j]!;
      b[p + j] = t;
    }
  }
}

/**
 * Which typed array holds this dtype, and the word size byte order applies to (the component
 * size for complex numbers). null: raw bytes.
 */
function typedLayout(info: DTypeInfo, itemsize: number): { make: (buf: ArrayBuffer) => NDTypedArray; word: number } | null {
  if (info.itemsize !== itemsize) return null;
  switch (info.kind) {
    case 'bool':
      return itemsize === 1 ? { make: (b) => new Uint8Array(b), word: 1 } : null;
    case 'int':
      if (itemsize === 1) return { make: (b) => new Int8Array(b), word: 1 };
      if (itemsize === 2) return { make: (b) => new Int16Array(b), word: 2 };
      if (itemsize === 4) return { make: (b) => new Int32Array(b), word: 4 };
      if (itemsize === 8) return { make: (b) => new BigInt64Array(b), word: 8 };
      return null;
    case 'uint':
      if (itemsize === 1) return { make: (b) => new Uint8Array(b), word: 1 };
      if (itemsize === 2) return { make: (b) => new Uint16Array(b), word: 2 };
      if (itemsize === 4) return { make: (b) => new Uint32Array(b), word: 4 };
      if (itemsize === 8) return { make: (b) => new BigUint64Array(b), word: 8 };
      return null;
    case 'float':
      // float16 has no typed array in every runtime yet: its raw bits as Uint16.
      if (itemsize === 2) return { make: (b) => new Uint16Array(b), word: 2 };
      if (itemsize === 4) return { make: (b) => new Float32Array(b), word: 4 };
      if (itemsize === 8) return { make: (b) => new Float64Array(b), word: 8 };
      return null;
    case 'complex':
      // Interleaved (real, imaginary) pairs.
      if (itemsize === 8) return { make: (b) => new Float32Array(b), word: 4 };
      if (itemsize === 16) return { make: (b) => new Float64Array(b), word: 8 };
      return null;
    case 'unicode':
      // UCS-4 code points.
      return { make: (b) => new Uint32Array(b), word: 4 };
    case 'datetime':
    case 'timedelta':
      return itemsize === 8 ? { make: (b) => new BigInt64Array(b), word: 8 } : null;
    default:
      return null;
  }
}

/**
 * Stored element bytes as a typed array in the host's byte order: big-endian dtypes are
 * byte-swapped, complex numbers come as interleaved (re, im) floats, `<U` as UCS-4 code
 * points, datetimes as int64, float16 as its raw bits. Bytes, void, structured and unknown
 * dtypes come back as a Uint8Array copy. The result never shares memory with `data`.
 */
export function bytesToTypedArray(data: Uint8Array, dtype: string, itemsize: number): NDTypedArray {
  const info = parseDType(dtype);
  const layout = typedLayout(info, itemsize);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  if (layout === null) return copy;
  if (data.length % itemsize !== 0) fail(BloscErrorCode.InvalidParam, `${data.length} bytes are not a whole number of ${itemsize}-byte items`);
  const hostOrder: ByteOrder = HOST_LITTLE_ENDIAN ? 'little' : 'big';
  if (info.byteorder !== 'none' && info.byteorder !== hostOrder) byteswapInPlace(copy, layout.word);
  return layout.make(copy.buffer);
}

/**
 * Element bytes for dtype `dtype` from a typed array holding values in the host's byte
 * order (the inverse of {@link bytesToTypedArray}); a Uint8Array is taken as the stored bytes
 * themselves. Returns a fresh array.
 */
export function typedArrayToBytes(data: NDInputArray, dtype: string, itemsize: number): Uint8Array {
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return bytes;
  const info = parseDType(dtype);
  const layout = typedLayout(info, itemsize);
  const hostOrder: ByteOrder = HOST_LITTLE_ENDIAN ? 'little' : 'big';
  if (layout !== null && info.byteorder !== 'none' && info.byteorder !== hostOrder) {
    if (data.BYTES_PER_ELEMENT !== layout.word) {
      fail(BloscErrorCode.InvalidParam, `a ${data.constructor.name} cannot hold dtype ${dtype} values; pass its bytes as a Uint8Array`);
    }
    byteswapInPlace(bytes, layout.word);
  }
  return bytes;
}
