/**
 * Asynchronous reads of super-chunks and frames on the worker pool: the chunks of a slice
 * are decoded in parallel, each straight into its place in the output when memory is
 * shared; a slice inside a single chunk spreads that chunk's blocks instead.
 */
import { BloscErrorCode, fail, toBloscError } from '../errors.js';
import { checkOutput, outputCeiling } from '../limits.js';
import { decompressChunk } from '../chunk/decompress.js';
import { CodecFormat } from '../codecs/types.js';
import { readChunkHeader } from '../frame/chunk-header.js';
import type { ResolvedCParams } from '../params.js';
import { decompressAsync, toWire } from './chunk.js';
import { acquireStaging, releaseStaging, sharedBytes, sharedMemoryAvailable } from './memory.js';
import { copyMemory } from '../copy.js';
import { checkThreads, runTasks, workersCanRun, type PoolTask } from './run.js';

/**
 * Slices of a frame smaller than this decode on the calling thread. Workers decode whole
 * chunks here, without the per-block staging of one large chunk: measured 1.29× for a
 * 32 MiB LZ4 slice of 1 MiB chunks at nthreads 2 (1.01× with Zstd).
 */
export const FRAME_DECODE_PARALLEL_MIN_NBYTES = 1 << 20;

export interface AsyncSliceOptions {
  /** Worker threads; 1 (default) decodes on the calling thread. */
  nthreads?: number;
  /** Slices of fewer bytes decode on the calling thread. Default FRAME_DECODE_PARALLEL_MIN_NBYTES. */
  minParallelNbytes?: number;
  /**
   * Most bytes the slice may hold (checked before anything is allocated or posted);
   * default the global ceiling, `getLimits().maxOutputBytes`.
   */
  maxNbytes?: number;
}

/**
 * What the pool needs of a super-chunk to read a slice of it: its chunk table and its own
 * serial reader (for slices too small or too odd to spread). `SChunk` is one.
 */
export interface ChunkedBytes {
  readonly nchunks: number;
  /** The byte range [from, to) that items [start, stop) cover, checked. */
  sliceBounds(start?: number, stop?: number): { from: number; to: number };
  /** The chunk holding byte `from`, and the position of its first byte. */
  firstChunkAt(from: number): { index: number; pos: number };
  chunkNbytes(i: number): number;
  getChunk(i: number): Uint8Array;
  getSlice(start?: number, stop?: number, options?: { maxNbytes?: number }): Uint8Array;
}

interface ChunkPiece {
  readonly index: number;
  readonly chunk: Uint8Array;
  /** Position of the chunk's first byte in the super-chunk. */
  readonly pos: number;
  readonly nbytes: number;
}

/**
 * Items [start, stop) of a super-chunk, decoded on `nthreads` workers (same bytes as
 * `schunk.getSlice(start, stop)`). The result lives in a SharedArrayBuffer where the
 * runtime has one.
 */
export async function sliceAsync(schunk: ChunkedBytes, start = 0, stop?: number, options?: AsyncSliceOptions): Promise<Uint8Array> {
  const nthreads = checkThreads(options?.nthreads);
  const { from, to } = schunk.sliceBounds(start, stop);
  // This thread's ceiling (workers do not see setLimits), checked before anything is allocated.
  const ceiling = outputCeiling(options?.maxNbytes);
  checkOutput(to - from, ceiling, 'a slice');
  const sync = { maxNbytes: ceiling };
  const minParallel = options?.minParallelNbytes ?? FRAME_DECODE_PARALLEL_MIN_NBYTES;
  if (nthreads === 1 || to - from < minParallel) return schunk.getSlice(start, stop, sync);

  const pieces: ChunkPiece[] = [];
  const count = schunk.nchunks;
  let { index: i, pos } = schunk.firstChunkAt(from);
  for (; i < count && pos < to; i++) {
    const n = schunk.chunkNbytes(i);
    // Workers decode whole chunks: one that the slice only touches and that is larger than
    // the ceiling is read here, block by block, instead.
    if (pos + n > from && n > ceiling) return schunk.getSlice(start, stop, sync);
    if (pos + n > from && n > 0) pieces.push({ index: i, chunk: schunk.getChunk(i), pos, nbytes: n });
    pos += n;
  }
  for (const piece of pieces) {
    const header = readChunkHeader(piece.chunk);
    if (header.nbytes !== piece.nbytes) {
      fail(BloscErrorCode.InvalidHeader, `chunk ${piece.index} holds ${header.nbytes} bytes, expected ${piece.nbytes}`, { chunk: piece.index });
    }
  }
  const shared = sharedMemoryAvailable();
  let out: Uint8Array;
  try {
    out = shared ? sharedBytes(to - from) : new Uint8Array(to - from);
  } catch (e) {
    throw toBloscError(e, BloscErrorCode.MemoryAlloc, `cannot allocate ${to - from} bytes for the slice`);
  }
  if (pieces.length === 1) {
    // One chunk: spread its blocks.
    const piece = pieces[0]!;
    const decoded = await withChunkIndex(piece.index, decompressAsync(piece.chunk, undefined, { nthreads, maxNbytes: piece.nbytes, minParallelNbytes: options?.minParallelNbytes }));
    copyMemory(decoded, from - piece.pos, out, 0, to - from);
    return out;
  }
  // Chunks a worker cannot decode (user codecs or filters) are decoded here.
  const remote: ChunkPiece[] = [];
  for (const piece of pieces) {
    const header = readChunkHeader(piece.chunk);
    if (workersCanRun(null, header.filters) && header.codecFormat !== CodecFormat.UserDefined) remote.push(piece);
    else place(out, from, to, piece, withIndexSync(piece.index, () => decompressChunk(piece.chunk, undefined, { maxNbytes: piece.nbytes })));
  }
  let staging: Uint8Array | null = null;
  const offsets: number[] = [];
  if (shared) {
    let cbytes = 0;
    for (const piece of remote) {
      offsets.push(cbytes);
      cbytes += (piece.chunk.length + 7) & ~7;
    }
    staging = acquireStaging(cbytes);
    for (let k = 0; k < remote.length; k++) copyMemory(remote[k]!.chunk, 0, staging, offsets[k]!, remote[k]!.chunk.length);
  }
  const tasks: PoolTask[] = remote.map((piece, k) => {
    const whole = piece.pos >= from && piece.pos + piece.nbytes <= to;
    const chunk = staging !== null ? staging.subarray(offsets[k]!, offsets[k]! + piece.chunk.length) : piece.chunk.slice();
    const direct = shared && whole;
    return {
      job: { kind: 'decode-chunk', chunk, out: direct ? out : null, dp: direct ? piece.pos - from : 0, maxNbytes: piece.nbytes },
      transfer: staging !== null ? [] : [chunk.buffer as ArrayBuffer],
    };
  });
  let results: Awaited<ReturnType<typeof runTasks>>;
  try {
    results = await runTasks(tasks, nthreads, (k, error) => {
      error.chunk ??= remote[k]!.index;
    });
  } finally {
    if (staging !== null) releaseStaging(staging);
  }
  for (let k = 0; k < remote.length; k++) {
    const bytes = results[k]!.bytes;
    if (bytes !== null) place(out, from, to, remote[k]!, bytes);
  }
  return out;
}

function place(out: Uint8Array, from: number, to: number, piece: ChunkPiece, decoded: Uint8Array): void {
  if (decoded.length !== piece.nbytes) {
    fail(BloscErrorCode.InvalidHeader, `chunk ${piece.index} decodes to ${decoded.length} bytes, expected ${piece.nbytes}`, { chunk: piece.index });
  }
  const s = Math.max(from, piece.pos);
  const e = Math.min(to, piece.pos + piece.nbytes);
  copyMemory(decoded, s - piece.pos, out, s - from, e - s);
}

function withIndexSync<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw nameChunk(e, index);
  }
}

function nameChunk(e: unknown, index: number): unknown {
  if (e !== null && typeof e === 'object' && 'chunk' in e && (e as { chunk: unknown }).chunk === undefined) {
    (e as { chunk: number | undefined }).chunk = index;
  }
  return e;
}

async function withChunkIndex<T>(index: number, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw nameChunk(e, index);
  }
}

/**
 * Chunks of `cs` bytes of `data` from byte `from` on, compressed with `p` on `nthreads`
 * workers, in order (the same bytes as `compressChunk` on each); null when a worker cannot
 * run them (a user codec or filter, or a dictionary, which c-blosc2 trains per chunk).
 */
export async function compressChunksAsync(data: Uint8Array, from: number, cs: number, p: ResolvedCParams, nthreads: number): Promise<Uint8Array[] | null> {
  checkThreads(nthreads);
  if (p.useDict || !workersCanRun(p.codec, p.filters)) return null;
  const params = toWire(p);
  const tasks: PoolTask[] = [];
  for (let at = from; at < data.length; at += cs) {
    const piece = data.slice(at, Math.min(at + cs, data.length));
    tasks.push({ job: { kind: 'encode-chunk', src: piece, params }, transfer: [piece.buffer] });
  }
  const results = await runTasks(tasks, nthreads);
  return results.map((r) => r.bytes!);
}
