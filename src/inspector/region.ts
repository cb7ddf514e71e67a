/**
 * Reading a box of an n-d array (a 2-D plane, a 1-D run) as numbers, fetching only the
 * chunks it touches. In a b2nd chunk the elements are stored block by block (c-blosc2
 * blosc/b2nd.c: blocks in C order inside the chunk, elements in C order inside a block), so
 * when the box touches at most a quarter of a chunk's blocks only those blocks are decoded
 * (`getItems`, the blocks that hold the items); otherwise the whole chunk is decoded with
 * `decompressAsync`, on the worker pool when the chunk is large enough to be worth it.
 */
import { BloscError, BloscErrorCode, chunkInfo, decompress, decompressAsync, getItems, isBloscError, parseDType } from '../index.js';
import type { ArrayModel } from './model.js';

export interface RegionStats {
  chunks: number;
  /** Chunks decoded whole (with workers when large). */
  wholeChunks: number;
  /** Blocks decoded one by one. */
  blocks: number;
  /** Blocks the touched chunks hold in all. */
  blocksInChunks: number;
}

/** Set once workers could not start (offline, say): later chunks decode on the page's thread. */
let workersUnavailable = false;

/**
 * Decode a whole chunk on the worker pool (`decompressAsync`), or on this thread when the
 * workers cannot start (worker.js unreachable once the page is offline): the pool's
 * ThreadCreate error or a worker failure, never a chunk's own error, switches over.
 */
export async function decodeChunk(chunk: Uint8Array, nthreads: number): Promise<Uint8Array> {
  if (workersUnavailable) return decompress(chunk);
  try {
    return await decompressAsync(chunk, undefined, { nthreads });
  } catch (e) {
    const workerTrouble = isBloscError(e) && (e.code === BloscErrorCode.ThreadCreate || /worker/.test(e.message));
    if (!workerTrouble) throw e;
    workersUnavailable = true;
    return decompress(chunk);
  }
}

type NumberArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/**
 * The decoded bytes as a typed array when the dtype is a little-endian number type of at
 * most 8 bytes (not 64-bit integers) and the bytes are aligned for it: rows then copy with
 * `set` instead of one DataView read per element.
 */
function typedView(bytes: Uint8Array, dtype: string): NumberArray | null {
  const d = parseDType(dtype);
  if (d.byteorder === 'big') return null;
  const make: Record<string, (b: ArrayBuffer | SharedArrayBuffer, o: number, n: number) => NumberArray> = {
    float8: (b, o, n) => new Float64Array(b, o, n), float4: (b, o, n) => new Float32Array(b, o, n),
    int4: (b, o, n) => new Int32Array(b, o, n), uint4: (b, o, n) => new Uint32Array(b, o, n),
    int2: (b, o, n) => new Int16Array(b, o, n), uint2: (b, o, n) => new Uint16Array(b, o, n),
    int1: (b, o, n) => new Int8Array(b, o, n), uint1: (b, o, n) => new Uint8Array(b, o, n), bool1: (b, o, n) => new Uint8Array(b, o, n),
  };
  const f = make[`${d.kind}${d.itemsize}`];
  const size = d.itemsize ?? 1;
  if (f === undefined || bytes.byteOffset % size !== 0 || bytes.byteLength % size !== 0) return null;
  return f(bytes.buffer, bytes.byteOffset, bytes.byteLength / size);
}

export type ValueReader = (view: DataView, byteOffset: number) => number;

/** Read one element of a numeric dtype as a number; null for dtypes without numbers. */
export function valueReader(dtype: string): ValueReader | null {
  const d = parseDType(dtype);
  const le = d.byteorder !== 'big';
  switch (`${d.kind}${d.itemsize}`) {
    case 'bool1': case 'uint1': return (v, o) => v.getUint8(o);
    case 'int1': return (v, o) => v.getInt8(o);
    case 'uint2': return (v, o) => v.getUint16(o, le);
    case 'int2': return (v, o) => v.getInt16(o, le);
    case 'uint4': return (v, o) => v.getUint32(o, le);
    case 'int4': return (v, o) => v.getInt32(o, le);
    case 'uint8': return (v, o) => Number(v.getBigUint64(o, le));
    case 'int8': case 'datetime8': case 'timedelta8': return (v, o) => Number(v.getBigInt64(o, le));
    case 'float2': return (v, o) => half(v.getUint16(o, le));
    case 'float4': return (v, o) => v.getFloat32(o, le);
    case 'float8': return (v, o) => v.getFloat64(o, le);
    // Complex numbers are shown by their magnitude.
    case 'complex8': return (v, o) => Math.hypot(v.getFloat32(o, le), v.getFloat32(o + 4, le));
    case 'complex16': return (v, o) => Math.hypot(v.getFloat64(o, le), v.getFloat64(o + 8, le));
    default: return null;
  }
}

function half(h: number): number {
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Values of the box [lo[a], hi[a]) of every axis a, in C order over the box (fixed axes
 * have hi = lo + 1). Missing zarr chunks read as the fill value.
 */
export async function readRegion(
  arr: ArrayModel, lo: readonly number[], hi: readonly number[], nthreads: number, stats: RegionStats,
): Promise<Float64Array> {
  const read = valueReader(arr.dtype);
  if (read === null) throw new BloscError(BloscErrorCode.InvalidParam, `dtype ${arr.dtype} has no numbers to draw`);
  const nd = arr.shape.length;
  if (nd === 0) throw new BloscError(BloscErrorCode.InvalidParam, 'a 0-d array has no plane to read');
  const outShape = lo.map((l, a) => hi[a]! - l);
  const total = outShape.reduce((p, x) => p * x, 1);
  const out = new Float64Array(total);
  const outStride = strides(outShape);
  const grid = arr.shape.map((n, a) => Math.ceil(n / arr.chunks[a]!));
  const gridStride = strides(grid);
  const itemsize = arr.itemsize;
  // Chunks touched: the product of the chunk index ranges per axis.
  const cLo = lo.map((l, a) => Math.floor(l / arr.chunks[a]!));
  const cHi = hi.map((h, a) => Math.floor((h - 1) / arr.chunks[a]!) + 1);
  const blocks = arr.blocks;
  const blockGrid = blocks === null ? null : arr.chunks.map((c, a) => Math.ceil(c / blocks[a]!));
  const blockGridStride = blockGrid === null ? null : strides(blockGrid);
  const blockStride = blocks === null ? null : strides(blocks);
  const blockItems = blocks === null ? 0 : blocks.reduce((p, x) => p * x, 1);
  const blocksPerChunk = blockGrid === null ? 1 : blockGrid.reduce((p, x) => p * x, 1);
  // Element strides inside a zarr chunk (C or Fortran order).
  const chunkStride = arr.order === 'F' ? strides([...arr.chunks].reverse()).reverse() : strides(arr.chunks);

  for (const c of boxIndices(cLo, cHi)) {
    const ci = c.reduce((p, x, a) => p + x * gridStride[a]!, 0);
    const origin = c.map((x, a) => x * arr.chunks[a]!);
    const bLo = lo.map((l, a) => Math.max(l, origin[a]!) - origin[a]!);
    const bHi = hi.map((h, a) => Math.min(h, origin[a]! + arr.chunks[a]!) - origin[a]!);
    stats.chunks++;
    stats.blocksInChunks += blocksPerChunk;
    const chunk = await arr.chunk(ci);
    if (chunk === null) {
      for (const l of boxIndices(bLo, bHi)) out[outIndex(l, origin, lo, outStride)] = arr.fill;
      continue;
    }
    // Where element l (chunk-local) sits in the decoded bytes, and which bytes hold it.
    let whole: DataView | null = null;
    let wholeTyped: NumberArray | null = null;
    const byBlock = new Map<number, DataView>();
    const byBlockTyped = new Map<number, NumberArray | null>();
    if (blocks !== null) {
      const kLo = bLo.map((l, a) => Math.floor(l / blocks[a]!));
      const kHi = bHi.map((h, a) => Math.floor((h - 1) / blocks[a]!) + 1);
      const touched = kHi.reduce((p, h, a) => p * (h - kLo[a]!), 1);
      if (touched * 4 <= blocksPerChunk) {
        const ts = chunkInfo(chunk).typesize;
        const blockNbytes = blockItems * itemsize;
        for (const k of boxIndices(kLo, kHi)) {
          const b = k.reduce((p, x, a) => p + x * blockGridStride![a]!, 0);
          const bytes = getItems(chunk, (b * blockNbytes) / ts, blockNbytes / ts);
          byBlock.set(b, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          byBlockTyped.set(b, typedView(bytes, arr.dtype));
          stats.blocks++;
        }
      }
    }
    if (byBlock.size === 0) {
      const bytes = await decodeChunk(chunk, nthreads);
      whole = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      wholeTyped = typedView(bytes, arr.dtype);
      stats.wholeChunks++;
    }
    // Rows along the last axis: inside a block (or a C-order zarr chunk) consecutive
    // elements of a row are consecutive in memory, so only each row's start is worked out.
    const last = nd - 1;
    const rowLo = bLo.slice(0, last);
    const rowHi = bHi.slice(0, last);
    const x0 = bLo[last]!;
    const x1 = bHi[last]!;
    const lastStride = arr.order === 'F' && blocks === null ? chunkStride[last]! : 1;
    for (const l of boxIndices(rowLo, rowHi)) {
      let o = (x0 + origin[last]! - lo[last]!) * outStride[last]!;
      for (let a = 0; a < last; a++) o += (l[a]! + origin[a]! - lo[a]!) * outStride[a]!;
      if (blocks !== null) {
        let b = 0;
        let e = 0;
        for (let a = 0; a < last; a++) {
          b += Math.floor(l[a]! / blocks[a]!) * blockGridStride![a]!;
          e += (l[a]! % blocks[a]!) * blockStride![a]!;
        }
        const bl = blocks[last]!;
        // One run per block the row crosses.
        for (let x = x0; x < x1;) {
          const kb = Math.floor(x / bl);
          const end = Math.min(x1, (kb + 1) * bl);
          const block = b + kb * blockGridStride![last]!;
          const first = (whole !== null ? block * blockItems : 0) + e + (x - kb * bl);
          const typed = whole !== null ? wholeTyped : byBlockTyped.get(block)!;
          if (typed !== null) {
            out.set(typed.subarray(first, first + end - x), o);
            o += end - x;
            x = end;
            continue;
          }
          const view = whole ?? byBlock.get(block)!;
          for (let p = first * itemsize; x < end; x++, p += itemsize) out[o++] = read(view, p);
        }
      } else {
        let p = x0 * chunkStride[last]!;
        for (let a = 0; a < last; a++) p += l[a]! * chunkStride[a]!;
        if (wholeTyped !== null && lastStride === 1) {
          out.set(wholeTyped.subarray(p, p + x1 - x0), o);
          continue;
        }
        p *= itemsize;
        const step = lastStride * itemsize;
        for (let x = x0; x < x1; x++, p += step) out[o++] = read(whole!, p);
      }
    }
  }
  return out;
}

function outIndex(l: readonly number[], origin: readonly number[], lo: readonly number[], outStride: readonly number[]): number {
  let k = 0;
  for (let a = 0; a < l.length; a++) k += (l[a]! + origin[a]! - lo[a]!) * outStride[a]!;
  return k;
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let p = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    s[a] = p;
    p *= shape[a]!;
  }
  return s;
}

/** Every index of the box [lo, hi), C order (the same array, updated in place). */
function* boxIndices(lo: readonly number[], hi: readonly number[]): Generator<number[]> {
  const nd = lo.length;
  for (let a = 0; a < nd; a++) if (hi[a]! <= lo[a]!) return;
  const idx = [...lo];
  for (;;) {
    yield idx;
    let a = nd - 1;
    while (a >= 0) {
      idx[a]!++;
      if (idx[a]! < hi[a]!) break;
      idx[a] = lo[a]!;
      a--;
    }
    if (a < 0) return;
  }
}
