/**
 * Whole chunks on the pool: each call decodes or encodes one chunk on a worker, so many
 * calls in flight (a zarr reader requesting dozens of chunks at once) spread over the
 * workers without splitting any chunk into block ranges. Decodes issued together travel in
 * batches, several chunks to a message ('decode-chunk-batch'); a decode into a given output
 * is a 'decode-chunk' job, an encode an 'encode-chunk' job. The chunk's header is checked
 * here first, so a malformed chunk rejects its own call before any worker sees it.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { compressChunk } from '../chunk/compress.js';
import { decompressChunk } from '../chunk/decompress.js';
import { CodecFormat } from '../codecs/types.js';
import { readChunkHeader } from '../frame/chunk-header.js';
import { resolveCParams, type CompressOptions } from '../params.js';
import { toWire } from './chunk.js';
import { acquireInput, acquireOutput, copyBytes, isShared, lendOutput, releaseInput, releaseOutput, sharedMemoryAvailable } from './memory.js';
import type { BatchOutcome, JobResult } from './protocol.js';
import { checkThreads, workersCanRun } from './run.js';
import { getPool, rebuildError } from './pool.js';

export interface WholeChunkOptions {
  /** Workers the pool may grow to (default 2). Calls beyond that many wait in the pool's queue. */
  workers?: number;
  /**
   * The input's buffer may be handed to the worker (detached here) when the input spans
   * all of it; otherwise it is copied. Default false: the input stays usable.
   */
  transferInput?: boolean;
  /**
   * Decode into shared memory that is taken back once this thread no longer references the
   * decoded chunk, instead of a fresh buffer per chunk (see `acquireOutput`). The decoded
   * chunks are then views of SharedArrayBuffers: copy one before posting it to another
   * thread. Default false; where shared memory is missing, decoded chunks are plain buffers.
   */
  reuseOutputs?: boolean;
}

/**
 * The bytes to post and the buffers to transfer: a shared input is posted as it is, a
 * plain one moved when allowed and whole, else copied into a buffer of its own and moved
 * (with `reused`, one of the idle inputs the workers moved back; see `acquireInput`).
 */
function postable(bytes: Uint8Array, transferInput: boolean, reused: boolean): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  if (isShared(bytes)) return { bytes, transfer: [] };
  const buffer = bytes.buffer as ArrayBuffer;
  if (transferInput && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && buffer.byteLength > 0) {
    return { bytes: bytes.constructor === Uint8Array ? bytes : new Uint8Array(buffer), transfer: [buffer] };
  }
  if (!reused) {
    const copy = bytes.slice();
    return { bytes: copy, transfer: [copy.buffer] };
  }
  const into = acquireInput(bytes.length);
  const copy = new Uint8Array(into, 0, bytes.length);
  copy.set(bytes);
  return { bytes: copy, transfer: [into] };
}

/** Keep the input a decode job moved back for the next chunk's copy. */
function keepInput(result: JobResult): void {
  if (result.returned) releaseInput(result.returned.buffer as ArrayBuffer);
}

/**
 * Decode one chunk on a pool worker: the same bytes as `decompress(chunk, out)`. Without
 * `out` the decoded chunk comes back by transfer (a plain buffer, not a copy), or with
 * `reuseOutputs` in lent shared memory, and the call joins a batch (see `sendBatches`); a
 * shared `out` is written in place by the worker, a plain one receives one copy here.
 */
export function decodeChunkOnWorker(chunk: Uint8Array, out: Uint8Array | undefined, options?: WholeChunkOptions): Promise<Uint8Array> {
  try {
    const workers = checkThreads(options?.workers ?? 2);
    const header = readChunkHeader(chunk);
    const nbytes = header.nbytes;
    if (header.cbytes > chunk.length) fail(BloscErrorCode.ReadBuffer, `chunk header says ${header.cbytes} bytes, got ${chunk.length}`);
    if (out !== undefined && out.length < nbytes) fail(BloscErrorCode.WriteBuffer, `output buffer holds ${out.length} bytes, chunk needs ${nbytes}`);
    // User codecs and filters exist only on this thread.
    if (!workersCanRun(null, header.filters) || header.codecFormat === CodecFormat.UserDefined) {
      return Promise.resolve(decompressChunk(chunk, out));
    }
    const body = chunk.subarray(0, header.cbytes);
    const { bytes, transfer } = postable(header.cbytes === chunk.length ? chunk : body, options?.transferInput === true, true);
    if (out === undefined) {
      const output = options?.reuseOutputs === true && sharedMemoryAvailable() ? acquireOutput(nbytes) : null;
      return new Promise<Uint8Array>((resolve, reject) => {
        waiting.push({ input: bytes, transfer: transfer.length > 0 ? transfer[0]! : null, output, resolve, reject });
        sendBatches(workers);
      });
    }
    const direct = isShared(out);
    const job = { kind: 'decode-chunk', chunk: bytes, out: direct ? out : null, dp: 0, maxNbytes: nbytes } as const;
    return getPool().run(job, transfer, workers).then((result) => {
      keepInput(result);
      if (!direct) copyBytes(result.bytes!, 0, out, 0, nbytes);
      return out.subarray(0, nbytes);
    });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** A decode waiting to be sent in a batch. */
interface WaitingDecode {
  /** The chunk: a private copy (moved to the worker and back) or a shared view. */
  readonly input: Uint8Array;
  readonly transfer: ArrayBuffer | null;
  /** Lent shared memory to decode into; null for a new buffer moved here from the worker. */
  readonly output: SharedArrayBuffer | null;
  readonly resolve: (decoded: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Batches each worker may hold: the one it decodes and the next, as the pool's
 * JOBS_PER_WORKER (a worker that finishes one starts the next without waiting for this
 * thread). Decodes beyond that wait here and leave together, several chunks to a message.
 */
const BATCHES_PER_WORKER = 2;
/**
 * Most chunks in one batch. The first calls of a burst leave one by one (nothing waits for
 * them); later ones leave in batches of a share of what waits (a quarter with 2 workers),
 * at most this many, so the batches shrink as the burst ends and a worker that frees up
 * early still finds work. Each chunk is answered as soon as it is decoded (PartialReply),
 * so a batch delays no chunk. zarrita's 64 chunks of a get() leave in 18 messages.
 */
const BATCH_MAX = 8;
const waiting: WaitingDecode[] = [];
let batchesInFlight = 0;
let batchWorkers = 2;

/** Decodes waiting for a batch (for tests). */
export function waitingDecodeCount(): number {
  return waiting.length;
}

/**
 * Send what waits, in as many batches as the workers may take now: one message carries a
 * batch to a worker, which answers each chunk as soon as it is decoded; each chunk
 * resolves or rejects its own promise.
 */
function sendBatches(workers: number): void {
  batchWorkers = workers;
  const limit = BATCHES_PER_WORKER * workers;
  while (waiting.length > 0 && batchesInFlight < limit) {
    const size = Math.min(BATCH_MAX, Math.ceil(waiting.length / limit));
    sendBatch(waiting.splice(0, size), workers);
  }
}

/** The error of a batch chunk whose answer never came (not expected: a worker answers in order). */
const flattenedMissing = {
  code: BloscErrorCode.Failure, message: 'a worker finished a batch without answering one of its chunks',
  stack: undefined, block: undefined, chunk: undefined, offset: undefined,
} as const;

function sendBatch(batch: WaitingDecode[], workers: number): void {
  batchesInFlight++;
  const chunks = new Array<Uint8Array>(batch.length);
  const outs = new Array<Uint8Array | null>(batch.length);
  const settled = new Array<boolean>(batch.length).fill(false);
  const transfer: ArrayBuffer[] = [];
  for (let i = 0; i < batch.length; i++) {
    const d = batch[i]!;
    chunks[i] = d.input;
    outs[i] = d.output === null ? null : new Uint8Array(d.output);
    if (d.transfer !== null) transfer.push(d.transfer);
  }
  // Each chunk settles its own promise as soon as its answer arrives.
  const settle = (o: BatchOutcome): void => {
    const d = batch[o.index];
    if (d === undefined || settled[o.index]) return;
    settled[o.index] = true;
    if (o.returned !== null) releaseInput(o.returned.buffer as ArrayBuffer);
    if (o.ok) {
      d.resolve(d.output === null ? o.decoded : lendOutput(o.decoded, d.output));
    } else {
      if (d.output !== null) releaseOutput(d.output);
      d.reject(rebuildError(o.error));
    }
  };
  getPool().run({ kind: 'decode-chunk-batch', chunks, outs }, transfer, workers, settle).then(
    (result) => {
      batchesInFlight--;
      sendBatches(batchWorkers);
      for (const o of result.batch!) settle(o);
      // Every chunk was answered by now (the worker answers in order); none may hang.
      for (let i = 0; i < batch.length; i++) {
        if (!settled[i]) settle({ index: i, ok: false, error: flattenedMissing, returned: null });
      }
    },
    (error: unknown) => {
      // The worker died or the pool was shut down: the chunks not answered yet fail.
      batchesInFlight--;
      sendBatches(batchWorkers);
      for (let i = 0; i < batch.length; i++) {
        if (settled[i]) continue;
        settled[i] = true;
        const d = batch[i]!;
        if (d.output !== null) releaseOutput(d.output);
        d.reject(error);
      }
    },
  );
}

/**
 * Compress `src` into one chunk on a pool worker: the same bytes as
 * `compress(src, options)` (the typesize defaults to 8 here, as for a plain Uint8Array).
 */
export function encodeChunkOnWorker(src: Uint8Array, params: CompressOptions, options?: WholeChunkOptions): Promise<Uint8Array> {
  try {
    const workers = checkThreads(options?.workers ?? 2);
    const p = resolveCParams(params);
    const usesDict = p.useDict;
    if (usesDict || !workersCanRun(p.codec, p.filters)) return Promise.resolve(compressChunk(src, p));
    const { bytes, transfer } = postable(src, options?.transferInput === true, false);
    return getPool().run({ kind: 'encode-chunk', src: bytes, params: toWire(p) }, transfer, workers).then((result) => result.bytes!);
  } catch (e) {
    return Promise.reject(e);
  }
}
