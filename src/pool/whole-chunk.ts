/**
 * One whole chunk per job: each call becomes a single 'decode-chunk' or 'encode-chunk' job
 * queued on the pool, so many calls in flight (a zarr reader requesting dozens of chunks at
 * once) spread over the workers without splitting any chunk into block ranges. The chunk's
 * header is checked here first, so a malformed chunk rejects its own call before any
 * worker sees it.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { compressChunk } from '../chunk/compress.js';
import { ChunkReader, decompressChunk } from '../chunk/decompress.js';
import { CodecFormat } from '../codecs/types.js';
import { readChunkHeader } from '../frame/chunk-header.js';
import { resolveCParams, type CompressOptions } from '../params.js';
import { toWire } from './chunk.js';
import { acquireInput, acquireOutput, lendOutput, releaseInput, releaseOutput, sharedMemoryAvailable } from './memory.js';
import { copyMemory, isShared } from '../copy.js';
import type { JobResult } from './protocol.js';
import { checkThreads, workersCanRun } from './run.js';
import { getPool } from './pool.js';

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
 * `reuseOutputs` in lent shared memory; a shared `out` is written in place by the worker, a
 * plain one receives one copy here.
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
    if (out === undefined && options?.reuseOutputs === true && sharedMemoryAvailable()) {
      const buffer = acquireOutput(nbytes);
      const lent = { kind: 'decode-chunk', chunk: bytes, out: new Uint8Array(buffer), dp: 0, maxNbytes: nbytes, sendOut: true } as const;
      return getPool().run(lent, transfer, workers).then(
        (result) => {
          keepInput(result);
          return lendOutput(result.bytes!, buffer);
        },
        (error: unknown) => {
          releaseOutput(buffer);
          throw error;
        },
      );
    }
    const direct = out !== undefined && isShared(out);
    const job = { kind: 'decode-chunk', chunk: bytes, out: direct ? out : null, dp: 0, maxNbytes: nbytes } as const;
    return getPool().run(job, transfer, workers).then((result) => {
      keepInput(result);
      if (direct) return out.subarray(0, nbytes);
      const decoded = result.bytes!;
      if (out === undefined) return decoded;
      copyMemory(decoded, 0, out, 0, nbytes);
      return out.subarray(0, nbytes);
    });
  } catch (e) {
    return Promise.reject(e);
  }
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

/**
 * Below this size a chunk is decoded into a fresh plain buffer: its page faults are few,
 * and a SharedArrayBuffer and its finalization record cost more than they save.
 */
const MIN_LENT_BYTES = 64 << 10;

/** Whether `structuredClone` gives a second SharedArrayBuffer object over the same memory (null: not asked yet). */
let twinsWork: boolean | null = null;

/**
 * Whether a second SharedArrayBuffer object over a buffer's memory can be had here, as a
 * worker's answer brings one: `structuredClone` shares shared memory, never copies it. The
 * caller gets the twin; the buffer itself stays with the idle outputs.
 */
function twinsSupported(): boolean {
  if (twinsWork === null) {
    try {
      const probe = new SharedArrayBuffer(1);
      const twin = structuredClone(probe) as SharedArrayBuffer;
      new Uint8Array(twin)[0] = 1;
      twinsWork = twin !== probe && new Uint8Array(probe)[0] === 1;
    } catch {
      twinsWork = false;
    }
  }
  return twinsWork;
}

/**
 * Decode `bytes` on this thread into lent shared memory (as `reuseOutputs` does for worker
 * decodes: see `acquireOutput`), or into a fresh buffer where shared memory is missing or
 * the chunk is small: the synchronous zarr codec's default. The chunk's header and block
 * layout are checked before any memory is taken: nothing is lent for sizes its bytes
 * cannot produce. A chunk that fails gives its output back.
 */
export function decodeChunkIntoLentOutput(bytes: Uint8Array): Uint8Array {
  if (!sharedMemoryAvailable()) return decompressChunk(bytes);
  const reader = new ChunkReader(bytes);
  const nbytes = reader.header.nbytes;
  if (nbytes < MIN_LENT_BYTES || !twinsSupported()) return decompressChunk(bytes);
  const buffer = acquireOutput(nbytes);
  try {
    const decoded = new Uint8Array(structuredClone(buffer) as SharedArrayBuffer, 0, nbytes);
    reader.readInto(0, nbytes, decoded, 0);
    return lendOutput(decoded, buffer);
  } catch (e) {
    releaseOutput(buffer);
    throw e;
  }
}
