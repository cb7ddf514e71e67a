/**
 * Asynchronous chunk compression and decompression on the worker pool. Blocks of one chunk
 * are spread over workers in contiguous ranges (c-blosc2 hands blocks to threads the same
 * way), through shared memory where the runtime has it and transferred copies otherwise.
 * The bytes never depend on nthreads: workers only encode blocks, and the serial driver
 * then assembles them in block order, keeping every decision of the serial path.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { assembleChunk, blockGeometry, chunkInput, compressChunk, maxChunkSize, placeChunkHeader, type BlockGeometry } from '../chunk/compress.js';
import { decompressChunk, type DecompressOptions } from '../chunk/decompress.js';
import { blockStreamsEnd, chunkLayout, type ChunkLayout } from '../chunk/layout.js';
import { readChunkHeader, readInt32LE, SpecialKind, type ChunkHeader } from '../frame/chunk-header.js';
import { elementSize, resolveCParams, type CompressOptions, type ResolvedCParams } from '../params.js';
import { FilterId } from '../shuffle/types.js';
import { CodecFormat } from '../codecs/types.js';
import { acquireStaging, acquireTransferable, copyBytes, isShared, releaseStaging, releaseTransferable, sharedBytes, sharedMemoryAvailable } from './memory.js';
import type { WireCParams } from './protocol.js';
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
    const target = out !== undefined && isShared(out) ? plainView(out).subarray(0, nbytes) : sharedBytes(nbytes);
    // A plain Blosc2 chunk goes to each worker as a private copy of what its range reads
    // (same offsets, the rest left stale: this thread has checked the whole chunk above),
    // made just before the job is posted, so the first worker starts after its own copy.
    // The copies travel by transfer and come back for the next call. Blosc1 chunks, whose
    // decoder may try the other split reading of a block, and shared chunks are read whole.
    if (!isShared(body) && header.version >= 3) {
      const buffers = ranges.map(() => acquireTransferable(body.length));
      const tasks: PoolTask[] = ranges.map(([first, last], r) => {
        const copy = new Uint8Array(buffers[r]!, 0, body.length);
        return {
          job: { kind: 'decode-blocks', chunk: copy, first, last, out: target, dp: first * blocksize, rangeOnly: true },
          transfer: [buffers[r]!],
          prepare: () => stageRange(body, header, layout, first, last, copy),
        };
      });
      const results = await runTasks(tasks, nthreads);
      for (const result of results) if (result.returned) releaseTransferable(result.returned.buffer as ArrayBuffer);
    } else {
      const shared = isShared(body);
      const staged = shared ? body : acquireStaging(body.length);
      if (!shared) copyBytes(body, 0, staged, 0, body.length);
      const tasks: PoolTask[] = ranges.map(([first, last]) => ({
        job: { kind: 'decode-blocks', chunk: staged, first, last, out: target, dp: first * blocksize, rangeOnly: shared },
        transfer: [],
      }));
      try {
        await runTasks(tasks, nthreads);
      } finally {
        if (!shared) releaseStaging(staged);
      }
    }
    if (out === undefined || target.buffer === out.buffer) return target;
    const dest = plainView(out).subarray(0, nbytes);
    copyBytes(target, 0, dest, 0, nbytes);
    return dest;
  }
  // Without shared memory: the same private copies of each range (a whole copy for Blosc1),
  // and the decoded bytes come back by transfer.
  const byRange = header.version >= 3;
  const tasks: PoolTask[] = ranges.map(([first, last]) => {
    const buffer = acquireTransferable(body.length);
    const copy = new Uint8Array(buffer, 0, body.length);
    return {
      job: { kind: 'decode-blocks', chunk: copy, first, last, out: null, dp: 0, rangeOnly: byRange },
      transfer: [buffer],
      prepare: () => (byRange ? stageRange(body, header, layout, first, last, copy) : copy.set(body)),
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
 * Copy into `staged` (at the same offsets) what decoding blocks [first, last) of a checked
 * Blosc2 chunk reads: the header, bstarts and dictionary, block 0 under DELTA, and the
 * range's streams.
 */
function stageRange(chunk: Uint8Array, header: ChunkHeader, layout: ChunkLayout, first: number, last: number, staged: Uint8Array): void {
  const { nblocks, blocksize, leftover } = layout;
  const dataStart = header.headerLength + 4 * nblocks + (layout.dict === null ? 0 : 4 + layout.dict.length);
  copyBytes(chunk, 0, staged, 0, dataStart);
  if (first > 0 && layout.hasDelta) stageRange(chunk, header, layout, 0, 1, staged);
  // Blocks usually follow one another: copy runs of adjacent streams in one piece.
  let runStart = -1;
  let runEnd = -1;
  for (let j = first; j < last; j++) {
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bstart = readInt32LE(chunk, header.headerLength + 4 * j);
    const end = blockStreamsEnd(chunk, header, bstart, leftoverBlock ? leftover : blocksize, leftoverBlock);
    if (end < 0) fail(BloscErrorCode.ReadBuffer, `block ${j}: streams run past the end of the chunk`, { block: j });
    if (bstart !== runEnd) {
      if (runStart >= 0) copyBytes(chunk, runStart, staged, runStart, runEnd - runStart);
      runStart = bstart;
    }
    runEnd = end;
  }
  if (runStart >= 0) copyBytes(chunk, runStart, staged, runStart, runEnd - runStart);
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
