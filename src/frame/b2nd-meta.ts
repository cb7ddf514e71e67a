/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/b2nd.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The "b2nd" metalayer of an NDArray frame: shape, chunkshape, blockshape and dtype.
 *
 * Layout (c-blosc2 blosc/b2nd.c `b2nd_serialize_meta`, include/b2nd.h
 * `b2nd_deserialize_meta_inline`), a msgpack array written with fixed widths:
 *
 *   0x97 | version 0 | ndim | 0x90+nd {0xD3 int64 BE}×nd | 0x90+nd {0xD2 int32 BE}×nd
 *        | 0x90+nd {0xD2 int32 BE}×nd | dtype_format | 0xDB uint32 BE len | dtype bytes
 *
 * This module only moves bytes; geometry checks live in src/ndarray/geometry.ts.
 */
import { BloscErrorCode, fail } from '../errors.js';

/** `B2ND_METALAYER_VERSION`. */
export const B2ND_META_VERSION = 0;
/** `B2ND_MAX_DIM`. */
export const B2ND_MAX_DIM = 16;
/** `DTYPE_NUMPY_FORMAT`: the dtype is a NumPy dtype string. */
export const DTYPE_NUMPY_FORMAT = 0;
/** Longest dtype string accepted (a structured dtype's repr can be long, but not megabytes). */
export const MAX_DTYPE_LENGTH = 1 << 16;

export interface B2ndMeta {
  readonly ndim: number;
  /** Array shape; every entry a non-negative safe integer. */
  readonly shape: readonly number[];
  readonly chunkshape: readonly number[];
  readonly blockshape: readonly number[];
  /** The dtype string as stored, or null for a legacy metalayer without one. */
  readonly dtype: string | null;
  /** 0 = NumPy dtype string. */
  readonly dtypeFormat: number;
}

function bad(message: string, offset: number): never {
  return fail(BloscErrorCode.InvalidHeader, `b2nd metalayer: ${message}`, { offset });
}

/**
 * Parse the metalayer bytes, checking every length before reading it. Like c-blosc2 it
 * ignores the array count and the version byte; unlike it, it also checks each element's
 * msgpack marker, and refuses negative sizes and shapes beyond 2^53 here already.
 */
export function parseB2ndMeta(bytes: Uint8Array): B2ndMeta {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const need = (n: number): void => {
    if (p + n > bytes.length) bad(`truncated (${bytes.length} bytes)`, p);
  };
  need(3);
  if (bytes[0]! < 0x90 || bytes[0]! > 0x9f) bad(`expected a msgpack fixarray, found 0x${bytes[0]!.toString(16)}`, 0);
  p = 2; // array marker and version
  const ndim = bytes[p++]!;
  if (ndim > B2ND_MAX_DIM) bad(`ndim ${ndim} exceeds ${B2ND_MAX_DIM}`, 2);
  const readList = (width: 4 | 8, what: string): number[] => {
    need(1);
    if (bytes[p] !== (0x90 | ndim)) bad(`${what}: expected fixarray(${ndim}), found 0x${bytes[p]!.toString(16)}`, p);
    p++;
    const out: number[] = [];
    for (let i = 0; i < ndim; i++) {
      need(1 + width);
      const marker = width === 8 ? 0xd3 : 0xd2;
      if (bytes[p] !== marker) bad(`${what}[${i}]: expected marker 0x${marker.toString(16)}, found 0x${bytes[p]!.toString(16)}`, p);
      let v: number;
      if (width === 8) {
        const hi = d.getInt32(p + 1);
        const lo = d.getUint32(p + 5);
        if (hi < 0) bad(`${what}[${i}] is negative`, p);
        if (hi > 0x1fffff) bad(`${what}[${i}] is too large`, p);
        v = hi * 0x1_0000_0000 + lo;
      } else {
        v = d.getInt32(p + 1);
        if (v < 0) bad(`${what}[${i}] is negative (${v})`, p);
      }
      out.push(v);
      p += 1 + width;
    }
    return out;
  };
  const shape = readList(8, 'shape');
  const chunkshape = readList(4, 'chunkshape');
  const blockshape = readList(4, 'blockshape');
  if (p >= bytes.length) return { ndim, shape, chunkshape, blockshape, dtype: null, dtypeFormat: 0 };
  need(6);
  const dtypeFormat = bytes[p++]!;
  if (bytes[p] !== 0xdb) bad(`expected a str32 dtype marker 0xdb, found 0x${bytes[p]!.toString(16)}`, p);
  const len = d.getUint32(p + 1);
  p += 5;
  if (len > MAX_DTYPE_LENGTH) bad(`dtype length ${len} is too large`, p - 4);
  need(len);
  let dtype: string;
  try {
    dtype = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(p, p + len));
  } catch {
    bad('dtype is not valid UTF-8', p);
  }
  return { ndim, shape, chunkshape, blockshape, dtype, dtypeFormat };
}

/** Serialize as `b2nd_serialize_meta` does (byte-identical to c-blosc2). */
export function writeB2ndMeta(meta: B2ndMeta): Uint8Array {
  const { ndim, shape, chunkshape, blockshape } = meta;
  if (!Number.isInteger(ndim) || ndim < 0 || ndim > B2ND_MAX_DIM) fail(BloscErrorCode.InvalidParam, `ndim must be 0..${B2ND_MAX_DIM}, got ${ndim}`);
  if (shape.length !== ndim || chunkshape.length !== ndim || blockshape.length !== ndim) {
    fail(BloscErrorCode.InvalidParam, `shape, chunkshape and blockshape must have ndim = ${ndim} entries`);
  }
  if (meta.dtype === null) fail(BloscErrorCode.InvalidParam, 'a b2nd metalayer needs a dtype string');
  const dtype = new TextEncoder().encode(meta.dtype);
  if (dtype.length > MAX_DTYPE_LENGTH) fail(BloscErrorCode.InvalidParam, `dtype string is longer than ${MAX_DTYPE_LENGTH} bytes`);
  const out = new Uint8Array(3 + 3 + ndim * 19 + 1 + 5 + dtype.length);
  const d = new DataView(out.buffer);
  let p = 0;
  out[p++] = 0x97;
  out[p++] = B2ND_META_VERSION;
  out[p++] = ndim;
  out[p++] = 0x90 | ndim;
  for (let i = 0; i < ndim; i++) {
    const v = shape[i]!;
    if (!Number.isSafeInteger(v) || v < 0) fail(BloscErrorCode.InvalidParam, `shape[${i}] must be a non-negative integer, got ${v}`);
    out[p] = 0xd3;
    d.setUint32(p + 1, Math.floor(v / 0x1_0000_0000));
    d.setUint32(p + 5, v >>> 0);
    p += 9;
  }
  for (const [list, what] of [[chunkshape, 'chunkshape'], [blockshape, 'blockshape']] as const) {
    out[p++] = 0x90 | ndim;
    for (let i = 0; i < ndim; i++) {
      const v = list[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) fail(BloscErrorCode.InvalidParam, `${what}[${i}] must be an int32 >= 0, got ${v}`);
      out[p] = 0xd2;
      d.setInt32(p + 1, v);
      p += 5;
    }
  }
  out[p++] = meta.dtypeFormat;
  out[p] = 0xdb;
  d.setUint32(p + 1, dtype.length);
  p += 5;
  out.set(dtype, p);
  return out;
}

/**
 * A copy of the metalayer `bytes` with its shape set to `shape` (same dimensions): every
 * other byte kept, the length too, so a frame holding data can take it (c-blosc2
 * `b2nd_resize` rewrites the shape with `blosc2_meta_update`, which needs the same length).
 */
export function withB2ndShape(bytes: Uint8Array, shape: readonly number[]): Uint8Array {
  const meta = parseB2ndMeta(bytes);
  if (shape.length !== meta.ndim) fail(BloscErrorCode.InvalidParam, `a new shape needs ${meta.ndim} dimensions, got ${shape.length}`);
  const out = bytes.slice();
  const d = new DataView(out.buffer);
  // The shape list starts after the array marker, version, ndim and the list's own marker.
  for (let i = 0; i < shape.length; i++) {
    const v = shape[i]!;
    if (!Number.isSafeInteger(v) || v < 0) fail(BloscErrorCode.InvalidParam, `shape[${i}] must be a non-negative integer, got ${v}`);
    const p = 4 + 9 * i;
    d.setUint32(p + 1, Math.floor(v / 0x1_0000_0000));
    d.setUint32(p + 5, v >>> 0);
  }
  return out;
}
