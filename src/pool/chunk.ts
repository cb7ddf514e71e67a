/**
 * Asynchronous chunk compression and decompression on the worker pool. With nthreads N, a
 * chunk (or input) is worked on by the calling thread and N - 1 workers at once, as
 * c-blosc2's threads share one chunk's blocks (`do_job`); where shared memory is missing
 * the blocks go to N workers in contiguous ranges.
 * The bytes never depend on nthreads: workers only encode blocks, and the serial driver
 * then places them in block order, keeping every decision of the serial path.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { assembleChunk, blockGeometry, chunkInput, compressChunk, encodeBlockRange, maxChunkSize, placeChunkHeader, type BlockGeometry } from '../chunk/compress.js';
import { ChunkReader, decompressChunk, type DecompressOptions } from '../chunk/decompress.js';
import { blockStreamsEnd, chunkLayout, type ChunkLayout } from '../chunk/layout.js';
import { EXTENDED_HEADER_LENGTH, MIN_HEADER_LENGTH, readChunkHeader, readInt32LE, SpecialKind, writeInt32LE, type ChunkHeader } from '../frame/chunk-header.js';
import { elementSize, resolveCParams, type CompressOptions, type ResolvedCParams } from '../params.js';
import { FilterId } from '../shuffle/types.js';
import { CodecFormat } from '../codecs/types.js';
import { acquireStaging, acquireTransferable, releaseStaging, releaseTransferable, sharedBytes, sharedMemoryAvailable } from './memory.js';
import { copyMemory, isShared } from '../copy.js';
import { CLAIM_CALLER, CLAIM_FREE, CLAIM_PARKED, CLAIM_PLACED, CLAIM_WORKER, type JobResult, type WireCParams } from './protocol.js';
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

  const body = chunk.subarray(0, header.cbytes);
  if (sharedMemoryAvailable()) return decodeAlongside(body, header, layout, out, nthreads);
  const blocksize = layout.blocksize;
  const ranges = splitRange(layout.nblocks, nthreads * RANGES_PER_THREAD);
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

/** How the last parallel call shared its blocks (for tests and benchmarks). */
export interface ParallelSplit {
  readonly kind: 'decode' | 'encode';
  /** Blocks the calling thread kept for itself from the start. */
  readonly ownBlocks: number;
  /** Pieces staged for workers, and of those, the ones a worker ran (the rest were taken back). */
  readonly pieces: number;
  readonly piecesByWorkers: number;
  /** Blocks of the pieces workers ran (decoding, where pieces differ in size). */
  readonly blocksByWorkers?: number;
  /** Time this thread spent staging `stagedBytes` bytes for the workers, and on its own blocks (ms; 0 when not timed). */
  readonly stageMs?: number;
  readonly stagedBytes?: number;
  readonly ownMs?: number;
  /**
   * The call's timeline, in ms from its start on this thread: when this thread was done with
   * its own blocks, those it took back (and, encoding, the parked pieces it placed), when the
   * workers' answers were all in, and when the call was done; when the first piece a worker
   * ran started and the last one ended, and the time the workers spent on their pieces.
   */
  readonly doneMs?: number;
  readonly settledMs?: number;
  readonly callMs?: number;
  readonly workerStartMs?: number;
  readonly workerEndMs?: number;
  readonly workerBusyMs?: number;
}

/** The span of the pieces workers ran (`results`), in ms from `callStart` (this thread's performance.now()), and their summed time. */
function workerSpan(results: ReadonlyArray<JobResult | null>, callStart: number): { workerStartMs: number; workerEndMs: number; workerBusyMs: number } | null {
  let first = Infinity;
  let last = -Infinity;
  let busy = 0;
  for (const r of results) {
    if (r === null || r.startedAt === undefined || r.endedAt === undefined) continue;
    first = Math.min(first, r.startedAt);
    last = Math.max(last, r.endedAt);
    busy += r.endedAt - r.startedAt;
  }
  if (first === Infinity) return null;
  const origin = performance.timeOrigin + callStart;
  return { workerStartMs: first - origin, workerEndMs: last - origin, workerBusyMs: busy };
}

let lastSplit: ParallelSplit | null = null;

/** How the last call that shared a chunk between this thread and workers split it. */
export function lastParallelSplit(): ParallelSplit | null {
  return lastSplit;
}

/**
 * One turn of the event loop (a macrotask): a caller awaiting calls back to back otherwise
 * runs on microtasks alone, and never hears a starting worker say it is ready.
 */
function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
    if (typeof immediate === 'function') immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Wait for the pieces a worker ran (claim 1): until it answers, it may still write into the
 * caller's memory. The pieces this thread took back (claim 2; by now every piece has one or
 * the other) are not waited for: their worker only hands the copy back, whenever it gets to
 * them, which on a busy machine can be long after this thread is done. Returns the first
 * failure of a piece a worker ran, or null, and the answers of the pieces workers ran.
 */
async function settlePieces(pending: ReadonlyArray<Promise<JobResult>>, claim: Int32Array): Promise<{ failure: unknown; results: Array<JobResult | null> }> {
  const ran: Array<Promise<JobResult>> = [];
  const at: number[] = [];
  for (let i = 0; i < pending.length; i++) {
    const answered = pending[i]!.then((result) => {
      if (result.returned) releaseTransferable(result.returned.buffer as ArrayBuffer);
      return result;
    });
    const state = Atomics.load(claim, i);
    if (state !== CLAIM_FREE && state !== CLAIM_CALLER) {
      ran.push(answered);
      at.push(i);
    } else {
      answered.catch(() => undefined);
    }
  }
  const results = new Array<JobResult | null>(pending.length).fill(null);
  let failure: unknown = null;
  const settled = await Promise.allSettled(ran);
  for (let k = 0; k < settled.length; k++) {
    const r = settled[k]!;
    if (r.status === 'rejected') failure ??= r.reason;
    else results[at[k]!] = r.value;
  }
  return { failure, results };
}

function countWorkerPieces(claim: Int32Array): number {
  let n = 0;
  for (let i = 0; i < claim.length; i++) if (claim[i] !== CLAIM_FREE && claim[i] !== CLAIM_CALLER) n++;
  return n;
}

/**
 * Pieces each worker's share of a chunk is staged and posted in (c-blosc2's threads take
 * blocks one at a time from a shared counter; a worker here takes a piece per message).
 * The first piece starts the worker after its copy alone; the calling thread, once done
 * with its own blocks, takes back the pieces no worker has started, last first.
 */
const PIECES_PER_LANE = 8;

/**
 * Decoding, a lane's pieces are staged and posted this many ahead of the one its worker is
 * on (its claim tells), between this thread's own blocks: the worker always has the next
 * piece waiting, and the pieces it never gets to are never staged (with all of them staged
 * up front, the ones this thread took back at the end had been copied for nothing: 3 of 8
 * in a zstd decode of 64 MiB on a busy machine, a quarter of the staged bytes).
 */
const LOOKAHEAD_PIECES = 2;
/** Bytes of its own blocks this thread decodes between two looks at the workers' progress. */
const OWN_STEP_BYTES = 1 << 20;
/** Decoding, the workers' share beyond the balance the learnt costs give (see decodeAlongside). */
const DECODE_SHARE_MARGIN = 0.05;

/**
 * What staging a compressed byte for a worker costs on the calling thread, relative to
 * decoding one byte of output: with the compression ratio it sets how many blocks the
 * calling thread keeps (it decodes those while the workers decode the rest). The value a
 * codec starts with, measured on the bench machine (bench/threads.mjs): LZ4 decodes at
 * about 3.8 GB/s, a private copy runs at about 10 GB/s. Each call then times both on this
 * thread (see learnStageCost): the cost differs by codec (zstd decodes slower, BloscLZ
 * faster), by machine and by load.
 */
const STAGE_COST = 0.35;

/** Stage costs learnt from the calls so far, by codec id (decoding) and codec id + 256 (encoding). */
const learntStageCost = new Map<number, number>();
/**
 * A worker's time per block over this thread's, by the same keys, learnt the same way from
 * the times the workers report: a worker starts its pieces later, writes into shared memory
 * and (encoding) places its blocks itself, so it is somewhat slower per block.
 */
const learntWorkerPace = new Map<number, number>();

function workerPace(key: number): number {
  return learntWorkerPace.get(key) ?? 1;
}

/** Move the worker pace of `key` towards this call's (workers: `workerMs` for `workerBlocks`; this thread: `ownMs` for `ownBlocks`); kept within [0.8, 1.5]. */
function learnWorkerPace(key: number, workerMs: number, workerBlocks: number, ownMs: number, ownBlocks: number): void {
  if (!(workerMs > 0 && ownMs > 0 && workerBlocks > 0 && ownBlocks > 0)) return;
  const next = (1 - LEARNING_RATE) * workerPace(key) + LEARNING_RATE * ((workerMs / workerBlocks) / (ownMs / ownBlocks));
  learntWorkerPace.set(key, Math.min(1.5, Math.max(0.8, next)));
}

/** The blocks of the pieces workers ran, and the milliseconds they reported for them (and for `extra` jobs of theirs). */
function workerTime(pieces: ReadonlyArray<readonly [number, number]>, results: ReadonlyArray<JobResult | null>, extra: JobResult | null): [number, number] {
  let ms = extra?.ms ?? 0;
  let blocks = 0;
  for (let i = 0; i < pieces.length; i++) {
    const r = results[i];
    if (r === null || r === undefined || r.ms === undefined) continue;
    ms += r.ms;
    blocks += pieces[i]![1] - pieces[i]![0];
  }
  return [ms, blocks];
}

function stageCost(key: number, initial: number): number {
  return learntStageCost.get(key) ?? initial;
}

/**
 * How far one call moves a learnt value towards its own measure: a quarter, so that a call
 * slowed by other processes (a thread waiting for a core inflates whatever it was timing)
 * moves the split only so far.
 */
const LEARNING_RATE = 0.25;

/**
 * Move the stage cost of `key` towards this call's: staging took `stageMs` for
 * `stagedBytes` bytes, this thread's own share `ownMs` for `ownBytes` (bytes of output for
 * decoding, of input for encoding); kept within [0.05, 0.6].
 */
function learnStageCost(key: number, initial: number, stageMs: number, stagedBytes: number, ownMs: number, ownBytes: number): void {
  if (!(stageMs > 0 && ownMs > 0 && stagedBytes > 0 && ownBytes > 0)) return;
  const measured = (stageMs / stagedBytes) / (ownMs / ownBytes);
  const next = (1 - LEARNING_RATE) * stageCost(key, initial) + LEARNING_RATE * measured;
  learntStageCost.set(key, Math.min(0.6, Math.max(0.05, next)));
}

/**
 * Decode a Blosc chunk on the calling thread and `nthreads - 1` workers at once, as
 * c-blosc2's calling thread waits while its pool decodes, except that here the calling
 * thread is one of the threads: a worker cannot read this thread's memory, so the streams
 * of a plain chunk's blocks must be copied for it (a chunk in a SharedArrayBuffer is posted
 * as it is), and this thread decodes its own share meanwhile straight from the chunk. Every
 * block goes through the block-range reader (ChunkReader), here and in the workers; workers
 * write straight into shared output.
 */
async function decodeAlongside(
  body: Uint8Array, header: ChunkHeader, layout: ChunkLayout, out: Uint8Array | undefined, nthreads: number,
): Promise<Uint8Array> {
  const callStart = performance.now();
  const { nblocks, blocksize } = layout;
  const nbytes = header.nbytes;
  const lanes = nthreads - 1;
  // A cold pool: wait for the workers asked for (they start once per process).
  if (getPool().lanesStarting(lanes) || getPool().workerCount < lanes) await getPool().whenLanesUp(lanes);
  if (!getPool().lanesReady(lanes, PIECES_PER_LANE)) {
    // Workers behind on answers this thread has not read: nothing to stage for them. Decode
    // here, then let the event loop run, which hears from them.
    const decoded = decompressChunk(body, out, { maxNbytes: nbytes });
    lastSplit = { kind: 'decode', ownBlocks: nblocks, pieces: 0, piecesByWorkers: 0 };
    await eventLoopTurn();
    return decoded;
  }
  const dest = out === undefined ? sharedBytes(nbytes) : plainView(out).subarray(0, nbytes);
  const target = isShared(dest) ? dest : acquireStaging(nbytes);
  // Balance: this thread stages the workers' W blocks and decodes the other nblocks - W;
  // each worker decodes W / lanes.
  const byRange = header.version >= 3;
  // A shared chunk is read where it is, by the workers as by this thread: nothing to stage.
  const sharedBody = isShared(body);
  const costKey = layout.codec?.id ?? 255;
  // A share a little over the balance: this thread takes what the worker has not been given
  // from the back, at no cost, while a worker given too little would wait at the end.
  const copyCost = sharedBody ? 0 : stageCost(costKey, STAGE_COST) * header.cbytes / nbytes;
  const share = workerShare(lanes, copyCost, workerPace(costKey), byRange ? DECODE_SHARE_MARGIN : 0);
  const workerBlocks = Math.min(nblocks, Math.max(1, Math.round(nblocks * share)));
  const own = nblocks - workerBlocks;
  const pool = getPool();
  // Each lane's range of blocks, given to its worker piece by piece from the front (front[l])
  // while this thread, done with its own blocks, takes what is left from the back (back[l]).
  const laneRanges = splitRange(workerBlocks, lanes);
  const front = Int32Array.from(laneRanges, ([lo]) => own + lo);
  const back = Int32Array.from(laneRanges, ([, hi]) => own + hi);
  // Blocks per piece (a lane's first piece half that, so that its worker starts soon); a
  // Blosc1 chunk goes whole to each piece (its decoder may try the other split reading of a
  // block), so one piece per lane.
  const pieceBlocks = Int32Array.from(laneRanges, ([lo, hi]) => (byRange ? Math.max(1, Math.ceil((hi - lo) / PIECES_PER_LANE)) : hi - lo));
  // A lane posts at most 1 + PIECES_PER_LANE pieces (the first is half the others).
  const claim = new Int32Array(new SharedArrayBuffer(4 * lanes * (PIECES_PER_LANE + 1)));
  const pieces: Array<[number, number]> = [];
  // Each lane's pieces in the order posted, and how many of them its worker has started.
  const laneOrder: number[][] = laneRanges.map(() => []);
  const started = new Int32Array(lanes);
  const pending: Array<Promise<JobResult>> = [];
  let failure: unknown = null;
  let staged = 0;
  let stageMs = 0;
  let ownMs = 0;
  let stage: Uint8Array | null = null;
  let stageAt = 0;
  let stageFull = false;
  // Blosc2 pieces are staged and posted LOOKAHEAD_PIECES ahead of what the worker has started;
  // the Blosc1 piece of each lane at once.
  const lookahead = byRange ? LOOKAHEAD_PIECES : 1;
  const post = (l: number): void => {
    if (pieces.length >= claim.length) {
      // Not expected (see claim): this thread decodes the rest.
      stageFull = true;
      return;
    }
    const t0 = performance.now();
    const order = laneOrder[l]!;
    const first = front[l]!;
    const last = Math.min(back[l]!, first + (byRange && order.length === 0 ? Math.max(1, pieceBlocks[l]! >> 1) : pieceBlocks[l]!));
    let copy: Uint8Array;
    if (sharedBody) {
      copy = body;
    } else if (stage !== null) {
      const plan = planPiece(body, header, layout, first, last, stageAt);
      if (stageAt + plan.length > stage.length) {
        // Not expected (the buffer holds the chunk and every piece's header): this thread decodes the rest.
        stageFull = true;
        return;
      }
      copy = stage.subarray(stageAt, stageAt + plan.length);
      writePiece(body, plan, copy);
      stageAt += (plan.length + 7) & ~7;
    } else {
      copy = stagePiece(body, header, layout, first, last);
    }
    front[l] = last;
    if (!sharedBody) staged += copy.length;
    const i = pieces.length;
    pieces.push([first, last]);
    order.push(i);
    const job = { kind: 'decode-blocks', chunk: copy, first, last, out: target, dp: first * blocksize, rangeOnly: byRange, claim, claimAt: i } as const;
    pending.push(pool.runOn(l, job, stage === null && !sharedBody ? [copy.buffer as ArrayBuffer] : [], lanes));
    stageMs += performance.now() - t0;
  };
  // Keep every lane `lookahead` pieces ahead of the piece its worker is on.
  const feed = (): void => {
    for (let l = 0; l < lanes; l++) {
      const order = laneOrder[l]!;
      while (started[l]! < order.length && Atomics.load(claim, order[started[l]!]!) !== CLAIM_FREE) started[l]++;
      while (!stageFull && front[l]! < back[l]! && order.length - started[l]! < lookahead) post(l);
    }
  };
  try {
    // Blosc2 chunks (byRange): the pieces go into one shared buffer, kept between calls,
    // rather than into buffers moved to the worker and back: each buffer moved back arrives
    // here as new external memory, for which V8 collects garbage on this thread (lz4,
    // 64 MiB, 10 back-to-back calls on a busy machine: 24 collections, 10 ms per call, as
    // long as the call's own decoding; bench/threads.mjs counts them). The worker copies its
    // streams into private memory (jobs.ts, privateRangeCopy), as the codecs need. Each
    // piece starts at a multiple of 8, its streams agreeing modulo 8 with the chunk
    // (planPiece): this copy and the worker's are then plain copies. Room: the chunk's
    // streams, and per piece its header and bstarts (and block 0's streams under DELTA).
    if (byRange && !sharedBody) {
      const head = planPiece(body, header, layout, 0, 1, null);
      const perPiece = (layout.hasDelta ? head.length : head.dataStart) + 16;
      stage = acquireStaging(header.cbytes + claim.length * perPiece);
    }
    feed();
    const t1 = performance.now();
    const stagedBefore = stageMs;
    const reader = new ChunkReader(body, { maxNbytes: nbytes });
    // This thread's own blocks, a few at a time, staging the workers' next pieces in between.
    const step = Math.max(1, Math.ceil(OWN_STEP_BYTES / blocksize));
    for (let b = 0; b < own; b += step) {
      reader.readInto(b * blocksize, Math.min(own, b + step) * blocksize, dest, b * blocksize);
      feed();
    }
    // The staging done in that loop is not this thread's decoding.
    ownMs = performance.now() - t1 - (stageMs - stagedBefore);
    // Blosc1 pieces are whole chunks: their copies say nothing about the cost per block.
    if (byRange && !sharedBody) learnStageCost(costKey, STAGE_COST, stageMs, staged, ownMs, own * blocksize);
    // Then, a few blocks at a time, the blocks no worker has been given, from the back of
    // the lane with the most left, while the workers get their next pieces from the front
    // (as c-blosc2's threads take blocks from one counter); then, last first, the pieces
    // given but not started.
    for (;;) {
      let l = -1;
      let most = 0;
      for (let k = 0; k < lanes; k++) {
        if (back[k]! - front[k]! > most) {
          most = back[k]! - front[k]!;
          l = k;
        }
      }
      if (l < 0) break;
      const take = Math.min(step, most);
      back[l] -= take;
      reader.readInto(back[l]! * blocksize, Math.min(nbytes, (back[l]! + take) * blocksize), dest, back[l]! * blocksize);
      feed();
    }
    for (let l = 0; l < lanes; l++) {
      const order = laneOrder[l]!;
      for (let k = order.length - 1; k >= 0; k--) {
        const i = order[k]!;
        if (Atomics.compareExchange(claim, i, CLAIM_FREE, CLAIM_CALLER) !== CLAIM_FREE) break;
        const [first, last] = pieces[i]!;
        reader.readInto(first * blocksize, Math.min(nbytes, last * blocksize), dest, first * blocksize);
      }
    }
  } catch (e) {
    failure = e;
    // No piece starts after this: the workers skip what is left.
    for (let i = 0; i < pieces.length; i++) Atomics.compareExchange(claim, i, CLAIM_FREE, CLAIM_CALLER);
  }
  const doneMs = performance.now() - callStart;
  // Always waited for, even after a failure here: a worker may still be writing.
  const settled = await settlePieces(pending, claim);
  const settledMs = performance.now() - callStart;
  failure ??= settled.failure;
  if (failure === null && byRange) learnWorkerPace(costKey, ...workerTime(pieces, settled.results, null), ownMs, own);
  let blocksByWorkers = 0;
  for (let i = 0; i < pieces.length; i++) if (claim[i] === CLAIM_WORKER) blocksByWorkers += pieces[i]![1] - pieces[i]![0];
  const split: ParallelSplit = {
    kind: 'decode', ownBlocks: own, pieces: pieces.length, piecesByWorkers: countWorkerPieces(claim), blocksByWorkers, stageMs, stagedBytes: staged, ownMs,
    doneMs, settledMs, ...workerSpan(settled.results, callStart),
  };
  lastSplit = split;
  try {
    if (failure !== null) throw failure;
    if (target !== dest) {
      for (let i = 0; i < pieces.length; i++) {
        if (claim[i] !== CLAIM_WORKER) continue;
        const from = pieces[i]![0] * blocksize;
        copyMemory(target, from, dest, from, Math.min(nbytes, pieces[i]![1] * blocksize) - from);
      }
    }
    lastSplit = { ...split, callMs: performance.now() - callStart };
    return dest;
  } finally {
    if (target !== dest) releaseStaging(target);
    if (stage !== null) releaseStaging(stage);
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
  const plan = planPiece(chunk, header, layout, first, last, null);
  const copy = new Uint8Array(acquireTransferable(plan.length), 0, plan.length);
  writePiece(chunk, plan, copy);
  return copy;
}

/** What stagePiece copies of a Blosc2 chunk for blocks [first, last): see planPiece. */
interface PiecePlan {
  readonly bstartsAt: number;
  readonly nblocks: number;
  /** Header, bstarts and dictionary. */
  readonly dataStart: number;
  /** Blocks whose streams are copied, in order (block 0 first under DELTA), and their streams' [start, end) in the chunk. */
  readonly blocks: readonly number[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** Bytes left free between the dictionary and the first streams (see planPiece). */
  readonly pad: number;
  readonly length: number;
}

/**
 * The layout of a staged piece: header, bstarts and dictionary, `pad` free bytes, then the
 * streams of the blocks read back to back. With `at` (the piece's place in a shared staging
 * buffer, a multiple of 8), `pad` makes the first streams agree modulo 8 with their place
 * in the chunk, so that the large copy of them into shared memory is one plain copy (V8
 * copies into shared memory byte by byte otherwise, see copyMemory); with null, no pad.
 */
function planPiece(chunk: Uint8Array, header: ChunkHeader, layout: ChunkLayout, first: number, last: number, at: number | null): PiecePlan {
  const { nblocks, blocksize, leftover } = layout;
  const bstartsAt = header.headerLength;
  const dataStart = bstartsAt + 4 * nblocks + (layout.dict === null ? 0 : 4 + layout.dict.length);
  const blocks: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let streams = 0;
  const withBlock0 = first > 0 && layout.hasDelta;
  for (let k = withBlock0 ? first - 1 : first; k < last; k++) {
    const j = k === first - 1 ? 0 : k;
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bstart = readInt32LE(chunk, bstartsAt + 4 * j);
    const end = blockStreamsEnd(chunk, header, bstart, leftoverBlock ? leftover : blocksize, leftoverBlock);
    if (end < 0) fail(BloscErrorCode.ReadBuffer, `block ${j}: streams run past the end of the chunk`, { block: j });
    blocks.push(j);
    starts.push(bstart);
    ends.push(end);
    streams += end - bstart;
  }
  const pad = at === null || starts.length === 0 ? 0 : (chunk.byteOffset + starts[0]! - at - dataStart) & 7;
  return { bstartsAt, nblocks, dataStart, blocks, starts, ends, pad, length: dataStart + pad + streams };
}

/** Write the piece `plan` describes into copy[0, plan.length): bstarts of the copied blocks point at their new places, the others at the data start; cbytes is the copy's length. */
function writePiece(chunk: Uint8Array, plan: PiecePlan, copy: Uint8Array): void {
  const { bstartsAt, nblocks, dataStart, blocks, starts, ends } = plan;
  copyMemory(chunk, 0, copy, 0, dataStart);
  for (let j = 0; j < nblocks; j++) writeInt32LE(copy, bstartsAt + 4 * j, dataStart);
  let pos = dataStart + plan.pad;
  // Runs of adjacent streams (the usual order) are copied in one piece.
  let runFrom = -1;
  let runTo = -1;
  let runAt = pos;
  for (let k = 0; k < blocks.length; k++) {
    const bstart = starts[k]!;
    if (bstart !== runTo) {
      if (runFrom >= 0) copyMemory(chunk, runFrom, copy, runAt, runTo - runFrom);
      runFrom = bstart;
      runAt = pos;
    }
    runTo = ends[k]!;
    writeInt32LE(copy, bstartsAt + 4 * blocks[k]!, pos);
    pos += ends[k]! - bstart;
  }
  if (runFrom >= 0) copyMemory(chunk, runFrom, copy, runAt, runTo - runFrom);
  writeInt32LE(copy, 12, plan.length);
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
  if (sharedMemoryAvailable()) return encodeAlongside(bytes, p, g, out);
  // Without shared memory: each range goes to a worker as a copy and comes back encoded.
  const nthreads = p.nthreads;
  const nbytes = bytes.length;
  const { blocksize, nblocks, slotSize } = g;
  const params = toWire(p);
  const ranges = splitRange(nblocks, nthreads * RANGES_PER_THREAD);
  const blocks: Uint8Array[] = new Array<Uint8Array>(nblocks);
  const hasDelta = p.filters.includes(FilterId.Delta);
  const tasks: PoolTask[] = ranges.map(([first, last]) => {
    const piece = bytes.slice(first * blocksize, Math.min(nbytes, last * blocksize));
    const ref = hasDelta && first > 0 ? bytes.slice(0, blocksize) : null;
    const transfer = ref === null ? [piece.buffer] : [piece.buffer, ref.buffer];
    return {
      job: {
        kind: 'encode-blocks', src: piece, srcBase: first * blocksize, ref, nbytes, params, first, last, slotSize,
        out: null, op: 0, sizes: null, sizesAt: 0, claim: null, claimAt: 0, posCell: null, place: null,
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
  return assembleChunk(bytes, p, blocks, out);
}

/**
 * Of the blocks a parallel call spreads, the share the workers get (the calling thread
 * handles the rest, then takes back the pieces no worker started): where both would end
 * together, a worker taking `pace` times this thread's time per block and this thread
 * `stageCost` of it per block it stages, plus `margin`. A worker given too much costs only
 * the copy of the last small pieces this thread takes back; a worker given too little
 * waits, and when encoding places the blocks it finished early only once this thread is
 * done (ENCODE_SHARE_MARGIN).
 */
function workerShare(lanes: number, stageCost: number, pace: number, margin: number): number {
  // This thread keeps at least half of an even share (a quarter of the blocks with one
  // worker), whatever the learnt values say: a call timed while the machine was busy can
  // have skewed them.
  return Math.min(1 - 1 / (2 * (lanes + 1)), 1 / (1 + pace / lanes - stageCost) + margin);
}

const ENCODE_SHARE_MARGIN = 0.03;

/**
 * What staging an input byte for a worker costs the calling thread relative to encoding
 * (and placing) one of its own, the value a codec starts with: for LZ4 (the fastest
 * encoder) at 64 MiB on the bench machine, staging 0.556 of the input took 4.9 ms and
 * encoding the other 0.444 17.7 ms, 0.21; the workers also place their blocks, which this
 * thread does for its own blocks only in a shared output. Each call then times both here
 * (learnStageCost).
 */
const ENCODE_STAGE_COST = 0.25;

/**
 * Relative sizes of a lane's PIECES_PER_LANE pieces: a small first piece starts the worker
 * after a short copy, and small last pieces let the calling thread, done with its own
 * blocks, take back just what the worker would otherwise still be working on (it takes
 * back only pieces not started: the smaller they are, the closer both finish together).
 */
const PIECE_WEIGHTS: readonly number[] = [1, 2, 3, 3, 3, 2, 1, 1];

/** Split [0, n) into `parts` contiguous ranges sized by PIECE_WEIGHTS (equal ranges for other counts, or when a range would be empty). */
function weightedRanges(n: number, parts: number): Array<[number, number]> {
  if (parts !== PIECE_WEIGHTS.length || n < 2 * parts) return splitRange(n, parts);
  let total = 0;
  for (const w of PIECE_WEIGHTS) total += w;
  const ranges: Array<[number, number]> = [];
  let sum = 0;
  let lo = 0;
  for (let k = 0; k < parts; k++) {
    sum += PIECE_WEIGHTS[k]!;
    const hi = k === parts - 1 ? n : Math.max(lo + 1, Math.round((n * sum) / total));
    ranges.push([lo, hi]);
    lo = hi;
  }
  return ranges;
}

/**
 * Pieces of `count` blocks from `start`, split into `lanes` contiguous ranges of `perLane`
 * pieces each (see PIECE_WEIGHTS), listed in the order they are staged: the first piece of
 * every lane, then the second, ...
 */
function lanePieces(start: number, count: number, lanes: number, perLane: number): { pieces: Array<[number, number]>; lane: number[] } {
  const laneRanges = splitRange(count, lanes);
  const pieces: Array<[number, number]> = [];
  const lane: number[] = [];
  const laneParts = laneRanges.map(([lo, hi]) => weightedRanges(hi - lo, perLane));
  for (let k = 0; k < perLane; k++) {
    for (let l = 0; l < laneRanges.length; l++) {
      const lo = laneRanges[l]![0];
      const parts = laneParts[l]!;
      if (k >= parts.length || parts[k]![0] === parts[k]![1]) continue;
      pieces.push([start + lo + parts[k]![0], start + lo + parts[k]![1]]);
      lane.push(l);
    }
  }
  return { pieces, lane };
}

/**
 * A number per parallel encode, so that a worker tells the pieces of one call from those of
 * the last (where its next piece goes counts the bytes of its lane in this call alone; see
 * EncodeBlocksJob.posCell).
 */
let encodeCallSerial = 0;

/**
 * Compress on the calling thread and `nthreads - 1` workers at once. The calling thread
 * encodes the first blocks straight to their places in the output (their places are known
 * from the start), while the workers encode the later blocks, piece by piece, from private
 * copies of their input (or from a shared input as it is). Once this thread is done with
 * its blocks it publishes where they end: from then on the first worker places the pieces
 * it finishes straight into a shared output, while this thread copies there those it
 * finished before (from their slots) and takes back (last first) the pieces no worker has
 * started. The header is then built through the serial driver (placeChunkHeader, which
 * checks every block as the serial path would place it) and the few blocks not yet in
 * place are copied there. (With this thread's blocks last, as before, all of them were
 * copied into place after the workers were done: a serial tail of about a sixth of LZ4's
 * encoding time.)
 */
async function encodeAlongside(bytes: Uint8Array, p: ResolvedCParams, g: BlockGeometry, out: Uint8Array | undefined): Promise<Uint8Array> {
  const callStart = performance.now();
  const nbytes = bytes.length;
  const { blocksize, nblocks, slotSize } = g;
  const lanes = p.nthreads - 1;
  if (getPool().lanesStarting(lanes) || getPool().workerCount < lanes) await getPool().whenLanesUp(lanes);
  if (!getPool().lanesReady(lanes, PIECES_PER_LANE)) {
    // As in decodeAlongside: encode here while the workers catch up, then let the event loop run.
    const chunk = compressChunk(bytes, p, out);
    lastSplit = { kind: 'encode', ownBlocks: nblocks, pieces: 0, piecesByWorkers: 0 };
    await eventLoopTurn();
    return chunk;
  }
  const params = toWire(p);
  const destsize = maxChunkSize(nbytes, p.format);
  const dest = out !== undefined ? plainView(out) : new Uint8Array(destsize);
  const dataStart = (p.format === 'blosc1' ? MIN_HEADER_LENGTH : EXTENDED_HEADER_LENGTH) + 4 * nblocks;
  const sharedInput = isShared(bytes);
  const hasDelta = p.filters.includes(FilterId.Delta);
  const costKey = 256 + p.codec.id;
  const workerBlocks = Math.min(nblocks - 1, Math.max(1, Math.round(nblocks * workerShare(lanes, sharedInput ? 0 : stageCost(costKey, ENCODE_STAGE_COST), workerPace(costKey), ENCODE_SHARE_MARGIN))));
  const own = nblocks - workerBlocks;
  // This thread's blocks go straight to the output when they surely fit there (each block
  // takes at most slotSize); else to private memory, copied at the end.
  const ownInPlace = dataStart + own * slotSize <= dest.length;
  const { pieces, lane } = lanePieces(own, workerBlocks, lanes, PIECES_PER_LANE);
  // The first lane's pieces follow this thread's blocks in the chunk: in a shared output,
  // its worker places those it finishes once this thread has said where its own blocks end,
  // and this thread those finished before (from their slots). Other lanes (and every lane
  // for a private output) fill slots, copied at the end.
  const direct = ownInPlace && isShared(dest);
  const scratch = acquireStaging(workerBlocks * slotSize);
  // A filtered input is read by the workers through the filter alone, as fast from shared
  // memory as from private (jobs.ts, encodeBlocks): the workers' share is then staged into
  // one shared buffer, kept for the next call, rather than into buffers moved to the worker
  // and back. Each buffer moved back arrives here as new external memory, for which V8
  // collects garbage on this thread: with about 50 MB moved back per LZ4 call at 64 MiB,
  // a mark-compact (2.5-14 ms) and a scavenge or two every call, on the calling thread
  // (node --trace-gc, "external memory pressure"). The copy into it agrees with the input
  // modulo 8, so it is one plain copy (see copyMemory). Unfiltered input is copied raw into
  // the worker's codec, which needs private bytes: moved, as before.
  const stageFrom = own * blocksize;
  const filtered = p.filters.some((id) => id !== FilterId.NoFilter);
  const lead = (bytes.byteOffset + stageFrom) & 7;
  const refAt = ((lead + nbytes - stageFrom + 7) & ~7) + (bytes.byteOffset & 7);
  const stage = !sharedInput && filtered ? acquireStaging(hasDelta ? refAt + blocksize : lead + nbytes - stageFrom) : null;
  const stagedRef = stage !== null && hasDelta ? stage.subarray(refAt, refAt + blocksize) : null;
  let refStaged = false;
  const sizes = new Int32Array(new SharedArrayBuffer(4 * nblocks));
  const claim = new Int32Array(new SharedArrayBuffer(4 * pieces.length));
  const posCell = direct ? new Int32Array(new SharedArrayBuffer(8)) : null;
  if (posCell !== null) {
    posCell[0] = -1;
    posCell[1] = encodeCallSerial = (encodeCallSerial + 1) | 0;
  }
  // Blocks this thread takes back (and its own, when they cannot go in place), in private memory.
  const mine = new Uint8Array(acquireTransferable(nblocks * slotSize), 0, nblocks * slotSize);
  const pieceAt = new Int32Array(pieces.length);
  const pool = getPool();
  const pending: Array<Promise<JobResult>> = [];
  // The first lane's pieces this thread has placed (CLAIM_PARKED ones, copied from their
  // slots), how far it has got through the lane, and where the next piece goes.
  const placedHere = new Uint8Array(pieces.length);
  const laneScan = { next: 0, at: 0 };
  let failure: unknown = null;
  let mineEnd = 0;
  let ownEnd = dataStart;
  let staged = 0;
  let stageMs = 0;
  let ownMs = 0;
  try {
    const t0 = performance.now();
    for (let i = 0; i < pieces.length; i++) {
      const [first, last] = pieces[i]!;
      const from = first * blocksize;
      const to = Math.min(nbytes, last * blocksize);
      let src = bytes;
      let srcBase = 0;
      let ref: Uint8Array | null = null;
      const transfer: ArrayBuffer[] = [];
      if (stage !== null) {
        const at = lead + from - stageFrom;
        copyMemory(bytes, from, stage, at, to - from);
        src = stage.subarray(at, at + to - from);
        srcBase = from;
        staged += to - from;
        if (stagedRef !== null && first > 0) {
          if (!refStaged) {
            copyMemory(bytes, 0, stage, refAt, blocksize);
            staged += blocksize;
            refStaged = true;
          }
          ref = stagedRef;
        }
      } else if (!sharedInput) {
        // DELTA reads block 0: a piece that does not start there carries a copy of it.
        const withRef = hasDelta && first > 0;
        const n = to - from + (withRef ? blocksize : 0);
        const buffer = acquireTransferable(n);
        src = new Uint8Array(buffer, 0, to - from);
        src.set(bytes.subarray(from, to));
        if (withRef) {
          ref = new Uint8Array(buffer, to - from, blocksize);
          ref.set(bytes.subarray(0, blocksize));
        }
        srcBase = from;
        transfer.push(buffer);
        staged += n;
      }
      const placed = direct && lane[i] === 0;
      const job = {
        kind: 'encode-blocks', src, srcBase, ref, nbytes, params, first, last, slotSize,
        out: scratch, op: (first - own) * slotSize, sizes, sizesAt: first, claim, claimAt: i,
        posCell: placed ? posCell : null, place: placed ? dest : null,
      } as const;
      pending.push(pool.runOn(lane[i]!, job, transfer, lanes));
    }
    const t1 = performance.now();
    if (ownInPlace) ownEnd = encodeOwnBlocks(bytes, p, own, dest, dataStart, mine, sizes);
    else mineEnd = encodeBlockRange(bytes, 0, nbytes, p, 0, own, bytes, mine, 0, sizes.subarray(0, own));
    stageMs = t1 - t0;
    ownMs = performance.now() - t1;
    learnStageCost(costKey, ENCODE_STAGE_COST, stageMs, staged, ownMs, Math.min(nbytes, own * blocksize));
    if (posCell !== null) {
      // Where the first worker's blocks start: it places them from now on; this thread
      // places those it finished before, while it works on its last pieces.
      Atomics.store(posCell, 0, ownEnd);
      placeParkedPieces(pieces, lane, claim, sizes, scratch, own, slotSize, dest, ownEnd, placedHere, laneScan);
    }
    for (let l = 0; l < lanes; l++) {
      for (let i = pieces.length - 1; i >= 0; i--) {
        if (lane[i] !== l) continue;
        if (Atomics.compareExchange(claim, i, CLAIM_FREE, CLAIM_CALLER) !== CLAIM_FREE) break;
        const [first, last] = pieces[i]!;
        pieceAt[i] = mineEnd;
        mineEnd = encodeBlockRange(bytes, 0, nbytes, p, first, last, bytes, mine, mineEnd, sizes.subarray(first, last));
      }
    }
  } catch (e) {
    failure = e;
    for (let i = 0; i < pieces.length; i++) Atomics.compareExchange(claim, i, CLAIM_FREE, CLAIM_CALLER);
  }
  const doneMs = performance.now() - callStart;
  // Always waited for, even after a failure here: a worker may still be writing.
  const settled = await settlePieces(pending, claim);
  const settledMs = performance.now() - callStart;
  failure ??= settled.failure;
  if (failure === null) learnWorkerPace(costKey, ...workerTime(pieces, settled.results, null), ownMs, own);
  const split: ParallelSplit = {
    kind: 'encode', ownBlocks: own, pieces: pieces.length, piecesByWorkers: countWorkerPieces(claim), stageMs, stagedBytes: staged, ownMs,
    doneMs, settledMs, ...workerSpan(settled.results, callStart),
  };
  lastSplit = split;
  const finished = <T>(result: T): T => {
    lastSplit = { ...split, callMs: performance.now() - callStart };
    return result;
  };
  try {
    if (failure !== null) throw failure;
    // Where each block's bytes are now: the output (this thread's blocks from dataStart, then
    // the first worker's end to end), scratch slots (other workers'), or mine (taken back).
    const blocks: Uint8Array[] = new Array<Uint8Array>(nblocks);
    const inDest = new Uint8Array(nblocks);
    let at = ownInPlace ? dataStart : 0;
    for (let j = 0; j < own; j++) {
      blocks[j] = (ownInPlace ? dest : mine).subarray(at, at + sizes[j]!);
      if (ownInPlace) inDest[j] = 1;
      at += sizes[j]!;
    }
    // The first lane's pieces finished before this thread said where they go (and not
    // placed by it since): placed now.
    if (posCell !== null) placeParkedPieces(pieces, lane, claim, sizes, scratch, own, slotSize, dest, ownEnd, placedHere, laneScan);
    let laneAt = ownEnd;
    for (let i = 0; i < pieces.length; i++) {
      const [first, last] = pieces[i]!;
      const state = claim[i]!;
      const placed = state === CLAIM_PLACED || placedHere[i] === 1;
      const home = state === CLAIM_CALLER ? mine : placed ? dest : scratch;
      let pos = state === CLAIM_CALLER ? pieceAt[i]! : placed ? laneAt : (first - own) * slotSize;
      for (let j = first; j < last; j++) {
        blocks[j] = home.subarray(pos, pos + sizes[j]!);
        if (home === dest) inDest[j] = 1;
        pos += sizes[j]!;
      }
      if (placed) laneAt = pos;
    }
    const chunk = placeChunkHeader(bytes, p, blocks, dest);
    if (chunk === null) return finished(assembleChunk(bytes, p, blocks.map((b) => b.slice()), out));
    const header = readChunkHeader(chunk);
    if (!header.memcpyed && header.special === SpecialKind.None) {
      const bstartsAt = header.headerLength;
      for (let j = 0; j < nblocks; j++) {
        if (inDest[j] === 1 && readInt32LE(chunk, bstartsAt + 4 * j) !== blocks[j]!.byteOffset - dest.byteOffset) {
          // Not where the serial path puts it (never seen): build the chunk from copies.
          return finished(assembleChunk(bytes, p, blocks.map((b) => b.slice()), out));
        }
      }
      // Copy the rest in runs that are contiguous on both sides.
      let j = 0;
      while (j < nblocks) {
        if (inDest[j] === 1) {
          j++;
          continue;
        }
        const src = blocks[j]!;
        const start = readInt32LE(chunk, bstartsAt + 4 * j);
        let n = src.length;
        let k = j + 1;
        while (k < nblocks && inDest[k] === 0 && blocks[k]!.buffer === src.buffer && blocks[k]!.byteOffset === src.byteOffset + n
          && readInt32LE(chunk, bstartsAt + 4 * k) === start + n) {
          n += blocks[k]!.length;
          k++;
        }
        copyMemory(new Uint8Array(src.buffer, src.byteOffset, n), 0, chunk, start, n);
        j = k;
      }
    }
    if (out !== undefined) return finished(chunk);
    // As compressChunk: a tight buffer unless that means copying most of it.
    return finished(chunk.length * 2 > destsize ? chunk : chunk.slice());
  } finally {
    releaseStaging(scratch);
    if (stage !== null) releaseStaging(stage);
    releaseTransferable(mine.buffer as ArrayBuffer);
  }
}

/**
 * Copy to their places in `dest` the first lane's pieces its worker finished before this
 * thread said where the lane starts (CLAIM_PARKED, in their slots from `own`), going through
 * the lane in order from `scan.next` up to the first piece not finished by the worker;
 * `scan.at` is where the next piece goes. A piece that would end past `dest` stays in its
 * slots (the serial path squeezes or stores such blocks).
 */
function placeParkedPieces(
  pieces: ReadonlyArray<readonly [number, number]>, lane: readonly number[], claim: Int32Array, sizes: Int32Array,
  scratch: Uint8Array, own: number, slotSize: number, dest: Uint8Array, ownEnd: number, placedHere: Uint8Array, scan: { next: number; at: number },
): void {
  if (scan.next === 0) scan.at = ownEnd;
  for (let i = scan.next; i < pieces.length; i++) {
    if (lane[i] !== 0) continue;
    const state = Atomics.load(claim, i);
    if (state !== CLAIM_PARKED && state !== CLAIM_PLACED) return;
    const [first, last] = pieces[i]!;
    let n = 0;
    for (let j = first; j < last; j++) n += sizes[j]!;
    if (state === CLAIM_PARKED) {
      if (scan.at + n > dest.length) return;
      copyMemory(scratch, (first - own) * slotSize, dest, scan.at, n);
      placedHere[i] = 1;
    }
    scan.at += n;
    scan.next = i + 1;
  }
}

/**
 * Encode blocks [0, count) to dest[at..] end to end, where the chunk has them; returns the
 * end. A shared output is written block by block through `bounce` (private), each block
 * encoded at an offset that agrees with its place modulo 8: the block then goes into shared
 * memory in one aligned copy while still in cache, where the encoders writing there
 * directly would send each misaligned stream through copyMemory's bounce buffers.
 */
function encodeOwnBlocks(src: Uint8Array, p: ResolvedCParams, count: number, dest: Uint8Array, at: number, bounce: Uint8Array, sizes: Int32Array): number {
  const nbytes = src.length;
  if (!isShared(dest)) return encodeBlockRange(src, 0, nbytes, p, 0, count, src, dest, at, sizes.subarray(0, count));
  let pos = at;
  for (let j = 0; j < count; j++) {
    const o = (dest.byteOffset + pos) & 7;
    const n = encodeBlockRange(src, 0, nbytes, p, j, j + 1, src, bounce, o, sizes.subarray(j, j + 1)) - o;
    copyMemory(bounce, o, dest, pos, n);
    pos += n;
  }
  return pos;
}
