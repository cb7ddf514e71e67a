/**
 * Asynchronous chunk compression and decompression on the worker pool. Blocks of one chunk
 * are spread over workers in contiguous ranges (c-blosc2 hands blocks to threads the same
 * way), through shared memory where the runtime has it and transferred copies otherwise.
 * The bytes never depend on nthreads: workers only encode blocks, and the serial driver
 * then assembles them in block order, keeping every decision of the serial path.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { assembleChunk, blockGeometry, chunkInput, compressChunk, maxChunkSize, placeChunkHeader, type BlockGeometry } from '../chunk/compress.js';
import { ChunkReader, decompressChunk, type DecompressOptions } from '../chunk/decompress.js';
import { blockStreamsEnd, chunkLayout, type ChunkLayout } from '../chunk/layout.js';
import { readChunkHeader, readInt32LE, SpecialKind, writeInt32LE, type ChunkHeader } from '../frame/chunk-header.js';
import { elementSize, resolveCParams, type CompressOptions, type ResolvedCParams } from '../params.js';
import { FilterId } from '../shuffle/types.js';
import { CodecFormat } from '../codecs/types.js';
import { acquireStaging, acquireTransferable, copyBytes, isShared, releaseStaging, releaseTransferable, sharedBytes, sharedMemoryAvailable } from './memory.js';
import type { JobResult, WireCParams } from './protocol.js';
import { getPool } from './pool.js';
import { checkThreads, runTasks, splitRange, workersCanRun, type PoolTask } from './run.js';
import { outputCeiling } from '../limits.js';

/**
 * Chunks smaller than these stay on the calling thread: below them the copies into and out
 * of shared memory and the round trips to the workers cost more than a second thread saves.
 * Measured on the 2-core x86-64 VM of bench/RESULTS.md with both cores free (smooth float64,
 * shuffle, typesize 8; sync against nthreads 2 with the threshold off, best of 12):
 * - encoding broke even at about 256 KiB (LZ4);
 * - decoding one chunk with a fast codec did not pay at any size up to 32 MiB: LZ4 0.49× at
 *   4 MiB, 0.75× at 16 MiB, 0.97× at 32 MiB (1.1-1.2× at 64 MiB in the bench); Zstd 0.63-0.72×
 *   from 1 to 32 MiB. Those codecs decode at memory-copy speeds, so the staging copies eat
 *   the second thread. Hence 64 MiB;
 * - zlib, about 6× slower to decode, paid from 4 MiB (1.54×) and broke even at 1 MiB: 2 MiB.
 * Slices of a frame spread whole chunks instead (FRAME_DECODE_PARALLEL_MIN_NBYTES).
 */
export const DECODE_PARALLEL_MIN_NBYTES = 64 << 20;
export const DECODE_PARALLEL_MIN_NBYTES_ZLIB = 2 << 20;

/** The default decode threshold of a chunk, from the codec format in its flags byte. */
function defaultDecodeThreshold(chunk: Uint8Array): number {
  return chunk.length > 2 && chunk[2]! >> 5 === CodecFormat.Zlib ? DECODE_PARALLEL_MIN_NBYTES_ZLIB : DECODE_PARALLEL_MIN_NBYTES;
}
export const ENCODE_PARALLEL_MIN_NBYTES = 256 << 10;

/**
 * One contiguous range of blocks per thread, as c-blosc2 partitions blocks for decoding:
 * each further range costs a round trip to the worker, which on a busy machine (a thread
 * waiting for a core) costs more than the imbalance it would even out.
 */
const RANGES_PER_THREAD = 1;

export interface AsyncDecompressOptions extends DecompressOptions {
  /** Worker threads to spread the blocks over; 1 (default) decodes on the calling thread. */
  nthreads?: number;
  /** Chunks of fewer bytes decode on the calling thread. Default DECODE_PARALLEL_MIN_NBYTES (zlib: DECODE_PARALLEL_MIN_NBYTES_ZLIB). */
  minParallelNbytes?: number;
}

export interface AsyncCompressOptions extends CompressOptions {
  /** Inputs of fewer bytes compress on the calling thread. Default ENCODE_PARALLEL_MIN_NBYTES. */
  minParallelNbytes?: number;
}

function plainView(buf: Uint8Array): Uint8Array {
  return buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decompress a chunk, spreading its blocks over `options.nthreads` workers. Same result as
 * `decompress`. Without `out`, the result lives in a SharedArrayBuffer where the runtime
 * has one (use `.slice()` for an API that refuses shared memory); with `out`, it is
 * `out.subarray(0, nbytes)`, written in place when `out` is itself shared.
 */
export function decompressAsync(chunkIn: Uint8Array, out?: Uint8Array, options?: AsyncDecompressOptions): Promise<Uint8Array> {
  // Not an async function: work that stays on this thread pays for one settled promise only.
  try {
    const nthreads = checkThreads(options?.nthreads);
    const chunk = plainView(chunkIn);
    // nbytes sits at offset 4 of both header formats; readChunkHeader validates it later.
    const nbytesField = chunk.length >= 16 ? readInt32LE(chunk, 4) : 0;
    if (nthreads === 1 || nbytesField < (options?.minParallelNbytes ?? defaultDecodeThreshold(chunk))) {
      return Promise.resolve(decompressChunk(chunk, out, options));
    }
    return decompressParallel(chunk, out, options, nthreads);
  } catch (e) {
    return Promise.reject(e);
  }
}

async function decompressParallel(
  chunk: Uint8Array, out: Uint8Array | undefined, options: AsyncDecompressOptions | undefined, nthreads: number,
): Promise<Uint8Array> {
  const header = readChunkHeader(chunk);
  const nbytes = header.nbytes;
  const regular = header.special === SpecialKind.None && !header.memcpyed && !header.vlBlocks && !header.lazy;
  if (!regular || nbytes < (options?.minParallelNbytes ?? defaultDecodeThreshold(chunk))) return decompressChunk(chunk, out, options);
  // The ceiling of this thread (workers do not see setLimits), checked before anything is posted.
  const limit = outputCeiling(options?.maxNbytes);
  if (nbytes > limit) fail(BloscErrorCode.MaxBufsizeExceeded, `chunk nbytes ${nbytes} exceeds maxNbytes ${limit}`);
  const layout = chunkLayout(chunk, header);
  if (layout.nblocks < 2 || !workersCanRun(layout.codec, header.filters)) return decompressChunk(chunk, out, options);
  if (out !== undefined && out.length < nbytes) fail(BloscErrorCode.WriteBuffer, `output buffer holds ${out.length} bytes, chunk needs ${nbytes}`);

  const blocksize = layout.blocksize;
  const ranges = splitRange(layout.nblocks, nthreads * RANGES_PER_THREAD);
  const body = chunk.subarray(0, header.cbytes);
  if (sharedMemoryAvailable()) {
    if (!isShared(body)) return decodeAlongside(body, header, layout, out, nthreads);
    const target = out !== undefined && isShared(out) ? plainView(out).subarray(0, nbytes) : sharedBytes(nbytes);
    // A shared chunk: each worker copies what its range reads into its own memory.
    const tasks: PoolTask[] = ranges.map(([first, last]) => ({
      job: { kind: 'decode-blocks', chunk: body, first, last, out: target, dp: first * blocksize, rangeOnly: true, claim: null, claimAt: 0 },
      transfer: [],
    }));
    await runTasks(tasks, nthreads);
    if (out === undefined || target.buffer === out.buffer) return target;
    const dest = plainView(out).subarray(0, nbytes);
    copyBytes(target, 0, dest, 0, nbytes);
    return dest;
  }
  // Without shared memory: the same private copies of each range (a whole copy for Blosc1),
  // and the decoded bytes come back by transfer.
  const byRange = header.version >= 3;
  const tasks: PoolTask[] = ranges.map(([first, last]) => {
    const copy = stagePiece(body, header, layout, first, last);
    return {
      job: { kind: 'decode-blocks', chunk: copy, first, last, out: null, dp: 0, rangeOnly: byRange, claim: null, claimAt: 0 },
      transfer: [copy.buffer as ArrayBuffer],
    };
  });
  const results = await runTasks(tasks, nthreads);
  const dest = out === undefined ? new Uint8Array(nbytes) : plainView(out).subarray(0, nbytes);
  for (let r = 0; r < ranges.length; r++) {
    dest.set(results[r]!.bytes!, ranges[r]![0] * blocksize);
    const returned = results[r]!.returned;
    if (returned) releaseTransferable(returned.buffer as ArrayBuffer);
  }
  return dest;
}

/**
 * Pieces each worker's share of a chunk is staged and posted in (c-blosc2's threads take
 * blocks one at a time from a shared counter; a worker here takes a piece per message).
 * The first piece starts the worker after its copy alone; the calling thread, once done
 * with its own blocks, takes back the pieces no worker has started, last first.
 */
const PIECES_PER_LANE = 8;

/**
 * What staging a compressed byte for a worker costs on the calling thread, relative to
 * decoding one byte of output: with the compression ratio it sets how many blocks the
 * calling thread keeps (it decodes those while the workers decode the rest). Measured on
 * the bench machine (bench/threads.mjs): LZ4 decodes at about 3.8 GB/s, a private copy runs
 * at about 10 GB/s.
 */
const STAGE_COST = 0.35;

/**
 * Decode a plain (unshared) Blosc chunk on the calling thread and `nthreads - 1` workers at
 * once, as c-blosc2's calling thread waits while its pool decodes, except that here the
 * calling thread is one of the threads: a worker cannot read this thread's memory, so its
 * blocks' streams must be copied for it, and this thread decodes its own share meanwhile
 * straight from the chunk. Every block goes through the block-range reader (ChunkReader),
 * here and in the workers; workers write straight into shared output.
 */
async function decodeAlongside(
  body: Uint8Array, header: ChunkHeader, layout: ChunkLayout, out: Uint8Array | undefined, nthreads: number,
): Promise<Uint8Array> {
  const { nblocks, blocksize } = layout;
  const nbytes = header.nbytes;
  const lanes = nthreads - 1;
  const dest = out === undefined ? sharedBytes(nbytes) : plainView(out).subarray(0, nbytes);
  const target = isShared(dest) ? dest : acquireStaging(nbytes);
  // Balance: this thread stages the workers' W blocks and decodes the other nblocks - W;
  // each worker decodes W / lanes. Blosc1 chunks go whole to each piece (their decoder may
  // try the other split reading of a block), so one piece per worker.
  const ratio = header.cbytes / nbytes;
  const byRange = header.version >= 3;
  const share = Math.min(1, 1 / (1 + 1 / lanes - STAGE_COST * ratio));
  const workerBlocks = Math.max(lanes, Math.min(nblocks, Math.round(nblocks * share)));
  const own = nblocks - workerBlocks;
  const laneRanges = splitRange(workerBlocks, lanes);
  const perLane = byRange ? PIECES_PER_LANE : 1;
  const pieces: Array<[number, number]> = [];
  const pieceLane: number[] = [];
  for (let p = 0; p < perLane; p++) {
    for (let l = 0; l < laneRanges.length; l++) {
      const [lo, hi] = laneRanges[l]!;
      const parts = splitRange(hi - lo, perLane);
      if (p >= parts.length) continue;
      pieces.push([own + lo + parts[p]![0], own + lo + parts[p]![1]]);
      pieceLane.push(l);
    }
  }
  const claim = new Int32Array(new SharedArrayBuffer(4 * pieces.length));
  const pool = getPool();
  const pending: Array<Promise<JobResult>> = [];
  let failure: unknown = null;
  try {
    for (let i = 0; i < pieces.length; i++) {
      const [first, last] = pieces[i]!;
      const copy = stagePiece(body, header, layout, first, last);
      const job = { kind: 'decode-blocks', chunk: copy, first, last, out: target, dp: first * blocksize, rangeOnly: byRange, claim, claimAt: i } as const;
      pending.push(pool.runOn(pieceLane[i]!, job, [copy.buffer as ArrayBuffer], laneRanges.length));
    }
    const reader = new ChunkReader(body, { maxNbytes: nbytes });
    if (own > 0) reader.readInto(0, own * blocksize, dest, 0);
    // Take back, last first, the pieces no worker has started.
    for (let l = 0; l < laneRanges.length; l++) {
      for (let i = pieces.length - 1; i >= 0; i--) {
        if (pieceLane[i] !== l) continue;
        if (Atomics.compareExchange(claim, i, 0, 2) !== 0) break;
        const [first, last] = pieces[i]!;
        reader.readInto(first * blocksize, Math.min(nbytes, last * blocksize), dest, first * blocksize);
      }
    }
  } catch (e) {
    failure = e;
    // No piece starts after this: the workers skip what is left.
    for (let i = 0; i < pieces.length; i++) Atomics.compareExchange(claim, i, 0, 2);
  }
  // Every posted job is waited for: no worker writes into the output after this returns.
  const settled = await Promise.allSettled(pending);
  for (const r of settled) {
    if (r.status === 'fulfilled') {
      if (r.value.returned) releaseTransferable(r.value.returned.buffer as ArrayBuffer);
    } else {
      failure ??= r.reason;
    }
  }
  try {
    if (failure !== null) throw failure;
    if (target !== dest) {
      for (let i = 0; i < pieces.length; i++) {
        if (claim[i] !== 1) continue;
        const from = pieces[i]![0] * blocksize;
        copyBytes(target, from, dest, from, Math.min(nbytes, pieces[i]![1] * blocksize) - from);
      }
    }
    return dest;
  } finally {
    if (target !== dest) releaseStaging(target);
  }
}

/**
 * A private copy, to transfer to a worker, of what decoding blocks [first, last) of a checked
 * chunk reads, packed: the header, bstarts and dictionary, block 0's streams under DELTA,
 * then the range's streams; the bstarts of the copied blocks point at their new places,
 * the others at the data start, and cbytes is the copy's length. A Blosc1 chunk, whose
 * decoder may try the other split reading of a block, is copied whole.
 */
function stagePiece(chunk: Uint8Array, header: ChunkHeader, layout: ChunkLayout, first: number, last: number): Uint8Array {
  if (header.version < 3) {
    const whole = new Uint8Array(acquireTransferable(chunk.length), 0, chunk.length);
    whole.set(chunk);
    return whole;
  }
  const { nblocks, blocksize, leftover } = layout;
  const bstartsAt = header.headerLength;
  const dataStart = bstartsAt + 4 * nblocks + (layout.dict === null ? 0 : 4 + layout.dict.length);
  const withBlock0 = first > 0 && layout.hasDelta;
  const streamsEnd = (j: number, bstart: number): number => {
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const end = blockStreamsEnd(chunk, header, bstart, leftoverBlock ? leftover : blocksize, leftoverBlock);
    if (end < 0) fail(BloscErrorCode.ReadBuffer, `block ${j}: streams run past the end of the chunk`, { block: j });
    return end;
  };
  // Sizes first, to take a buffer of the right length.
  let length = dataStart;
  if (withBlock0) length += streamsEnd(0, readInt32LE(chunk, bstartsAt)) - readInt32LE(chunk, bstartsAt);
  for (let j = first; j < last; j++) {
    const bstart = readInt32LE(chunk, bstartsAt + 4 * j);
    length += streamsEnd(j, bstart) - bstart;
  }
  const copy = new Uint8Array(acquireTransferable(length), 0, length);
  copy.set(chunk.subarray(0, dataStart));
  for (let j = 0; j < nblocks; j++) writeInt32LE(copy, bstartsAt + 4 * j, dataStart);
  let pos = dataStart;
  // Runs of adjacent streams (the usual order) are copied in one piece.
  let runFrom = -1;
  let runTo = -1;
  let runAt = dataStart;
  for (let k = withBlock0 ? first - 1 : first; k < last; k++) {
    const j = k === first - 1 ? 0 : k;
    const bstart = readInt32LE(chunk, bstartsAt + 4 * j);
    const end = streamsEnd(j, bstart);
    if (bstart !== runTo) {
      if (runFrom >= 0) copy.set(chunk.subarray(runFrom, runTo), runAt);
      runFrom = bstart;
      runAt = pos;
    }
    runTo = end;
    writeInt32LE(copy, bstartsAt + 4 * j, pos);
    pos += end - bstart;
  }
  if (runFrom >= 0) copy.set(chunk.subarray(runFrom, runTo), runAt);
  writeInt32LE(copy, 12, length);
  return copy;
}

export function toWire(p: ResolvedCParams): WireCParams {
  const { codec, ...rest } = p;
  return { ...rest, codecId: codec.id };
}

/**
 * Compress `src` into one chunk, encoding its blocks on `options.nthreads` workers. The
 * chunk is byte-identical to `compress(src, options)` for every nthreads: the calling thread
 * assembles the blocks in order and applies the serial path's checks (a block whose streams
 * the serial path would have squeezed near the end of the output is encoded again there).
 * With `out` (at least `maxChunkSize(nbytes)` bytes, not overlapping `src`) the chunk is
 * written there and `out.subarray(0, cbytes)` returned; a shared `out` lets the workers
 * copy their blocks into place themselves.
 */
export function compressAsync(src: ArrayBufferView | ArrayBuffer, options?: AsyncCompressOptions, out?: Uint8Array): Promise<Uint8Array> {
  // Not an async function: work that stays on this thread pays for one settled promise only.
  try {
    const bytes = chunkInput(src);
    const p = resolveCParams(options, elementSize(src));
    const minParallel = options?.minParallelNbytes ?? ENCODE_PARALLEL_MIN_NBYTES;
    const usesDict = (p as { readonly useDict?: boolean }).useDict === true;
    if (p.nthreads === 1 || bytes.length < minParallel || usesDict || !workersCanRun(p.codec, p.filters)) {
      return Promise.resolve(compressChunk(bytes, p, out));
    }
    const g = blockGeometry(bytes.length, p);
    if (g.storedFromStart || g.nblocks < 2) return Promise.resolve(compressChunk(bytes, p, out));
    if (out !== undefined && out.length < maxChunkSize(bytes.length, p.format)) return Promise.resolve(compressChunk(bytes, p, out));
    return compressParallel(bytes, p, g, out);
  } catch (e) {
    return Promise.reject(e);
  }
}

async function compressParallel(bytes: Uint8Array, p: ResolvedCParams, g: BlockGeometry, out: Uint8Array | undefined): Promise<Uint8Array> {
  const nthreads = p.nthreads;
  const nbytes = bytes.length;
  const { blocksize, nblocks, slotSize } = g;
  const params = toWire(p);
  const ranges = splitRange(nblocks, nthreads * RANGES_PER_THREAD);
  const blocks: Uint8Array[] = new Array<Uint8Array>(nblocks);
  if (sharedMemoryAvailable()) {
    // A plain input is staged into shared memory one range at a time, each just before its
    // job is posted, so the first worker starts after its own range is copied.
    const shared = isShared(bytes);
    const stagedView = shared ? bytes : acquireStaging(nbytes);
    const scratch = acquireStaging(nblocks * slotSize);
    const sizes = new Int32Array(new SharedArrayBuffer(4 * nblocks));
    const tasks: PoolTask[] = ranges.map(([first, last]) => ({
      job: {
        kind: 'encode-blocks', src: stagedView, srcBase: 0, ref: null, nbytes, params, first, last, slotSize,
        out: scratch, op: first * slotSize, sizes, sizesAt: first,
      },
      transfer: [],
      // DELTA reads block 0 from every range: the first range, staged first, holds it.
      prepare: shared ? undefined : () => {
        const from = first * blocksize;
        copyBytes(bytes, from, stagedView, from, Math.min(nbytes, last * blocksize) - from);
      },
    }));
    try {
      await runTasks(tasks, nthreads);
      const slotAt = new Int32Array(nblocks);
      for (const [first, last] of ranges) {
        let at = first * slotSize;
        for (let j = first; j < last; j++) {
          slotAt[j] = at;
          blocks[j] = scratch.subarray(at, at + sizes[j]!);
          at += sizes[j]!;
        }
      }
      return await placeBlocks(bytes, p, blocks, scratch, slotAt, sizes, out);
    } finally {
      if (!shared) releaseStaging(stagedView);
      releaseStaging(scratch);
    }
  } else {
    const hasDelta = p.filters.includes(FilterId.Delta);
    const tasks: PoolTask[] = ranges.map(([first, last]) => {
      const piece = bytes.slice(first * blocksize, Math.min(nbytes, last * blocksize));
      const ref = hasDelta && first > 0 ? bytes.slice(0, blocksize) : null;
      const transfer = ref === null ? [piece.buffer] : [piece.buffer, ref.buffer];
      return {
        job: {
          kind: 'encode-blocks', src: piece, srcBase: first * blocksize, ref, nbytes, params, first, last, slotSize,
          out: null, op: 0, sizes: null, sizesAt: 0,
        },
        transfer,
      };
    });
    const results = await runTasks(tasks, nthreads);
    for (let r = 0; r < ranges.length; r++) {
      const [first, last] = ranges[r]!;
      const encoded = results[r]!.bytes!;
      const sizes = results[r]!.sizes!;
      let at = 0;
      for (let j = first; j < last; j++) {
        blocks[j] = encoded.subarray(at, at + sizes[j - first]!);
        at += sizes[j - first]!;
      }
    }
  }
  return assembleChunk(bytes, p, blocks, out);
}

/**
 * The chunk from blocks the workers left in shared `scratch` (block j at slotAt[j], sizes[j]
 * bytes): header and bstarts written here, then each block copied to its bstart, by the
 * workers when `out` is shared (the copies, and the page faults of a fresh output, are
 * spread over them), else on this thread.
 */
async function placeBlocks(
  bytes: Uint8Array, p: ResolvedCParams, blocks: readonly Uint8Array[], scratch: Uint8Array, slotAt: Int32Array,
  sizes: Int32Array, out: Uint8Array | undefined,
): Promise<Uint8Array> {
  const destsize = maxChunkSize(bytes.length, p.format);
  const dest = out ?? new Uint8Array(destsize);
  const chunk = placeChunkHeader(bytes, p, blocks, dest);
  if (chunk === null) return assembleChunk(bytes, p, blocks, out);
  const header = readChunkHeader(chunk);
  if (!header.memcpyed && header.special === SpecialKind.None) {
    const nblocks = blocks.length;
    const bstartsAt = header.headerLength;
    if (out !== undefined && isShared(out) && p.nthreads > 1) {
      const ranges = splitRange(nblocks, p.nthreads);
      const tasks: PoolTask[] = ranges.map(([first, last]) => {
        const moves = new Int32Array(3 * (last - first));
        for (let j = first; j < last; j++) {
          const k = 3 * (j - first);
          moves[k] = slotAt[j]!;
          moves[k + 1] = readInt32LE(chunk, bstartsAt + 4 * j);
          moves[k + 2] = sizes[j]!;
        }
        return { job: { kind: 'copy-blocks', src: scratch, out: plainView(out), moves }, transfer: [moves.buffer] };
      });
      await runTasks(tasks, p.nthreads);
    } else {
      for (let j = 0; j < nblocks; j++) copyBytes(scratch, slotAt[j]!, chunk, readInt32LE(chunk, bstartsAt + 4 * j), sizes[j]!);
    }
  }
  if (out !== undefined) return chunk;
  // As compressChunk: a tight buffer unless that means copying most of it.
  return chunk.length * 2 > destsize ? chunk : chunk.slice();
}
