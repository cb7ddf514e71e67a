/** What a worker does with each job: the synchronous block loops, on the ranges it is given. */
import { BloscErrorCode, fail } from '../errors.js';
import { blockGeometry, compressChunk, encodeBlockRange } from '../chunk/compress.js';
import { decodeBlockRange, decompressChunk } from '../chunk/decompress.js';
import { readChunkHeader } from '../frame/chunk-header.js';
import { resolveCodec } from '../codecs/registry.js';
import type { ResolvedCParams } from '../params.js';
import type { Job, JobResult, WireCParams } from './protocol.js';

/**
 * The block loops run markedly slower on typed arrays over a SharedArrayBuffer than on
 * private ones (measured on Node 20: decompressChunk from a shared chunk into a shared
 * output took 1.5-3× as long), so a job copies the bytes it reads into this worker's private
 * buffer, works in private memory, and copies its output to shared memory in one piece.
 * Both buffers are kept between jobs.
 */
let privateBytes = new Uint8Array(0);
/** Private output of a decode job, copied into the shared output in one piece afterwards. */
let privateOut = new Uint8Array(0);

function privateOutput(n: number): Uint8Array {
  if (privateOut.length < n) privateOut = new Uint8Array(n);
  return privateOut.subarray(0, n);
}

function privateCopy(src: Uint8Array, from: number, to: number): Uint8Array {
  if (typeof SharedArrayBuffer !== 'function' || !(src.buffer instanceof SharedArrayBuffer)) return src.subarray(from, to);
  const n = to - from;
  if (privateBytes.length < n) privateBytes = new Uint8Array(n);
  privateBytes.set(src.subarray(from, to));
  return privateBytes.subarray(0, n);
}

function fromWire(params: WireCParams): ResolvedCParams {
  const { codecId, ...rest } = params;
  return { ...rest, codec: resolveCodec(codecId) };
}

export function runJob(job: Job): JobResult {
  switch (job.kind) {
    case 'decode-blocks': {
      const chunk = privateCopy(job.chunk, 0, job.chunk.length);
      const header = readChunkHeader(chunk);
      const blocksize = Math.min(header.blocksizeField, header.nbytes);
      const length = Math.min(header.nbytes, job.last * blocksize) - job.first * blocksize;
      if (job.out === null) {
        const out = new Uint8Array(Math.max(0, length));
        decodeBlockRange(chunk, job.first, job.last, out, 0);
        return { bytes: out, sizes: null };
      }
      const scratch = privateOutput(length);
      decodeBlockRange(chunk, job.first, job.last, scratch, 0);
      job.out.set(scratch, job.dp);
      return { bytes: null, sizes: null };
    }
    case 'decode-chunk': {
      const chunk = privateCopy(job.chunk, 0, job.chunk.length);
      if (job.out === null) return { bytes: decompressChunk(chunk, undefined, { maxNbytes: job.maxNbytes }), sizes: null };
      const nbytes = readChunkHeader(chunk).nbytes;
      if (nbytes > job.maxNbytes) fail(BloscErrorCode.MaxBufsizeExceeded, `chunk nbytes ${nbytes} exceeds ${job.maxNbytes}`);
      const scratch = privateOutput(nbytes);
      decompressChunk(chunk, scratch, { maxNbytes: job.maxNbytes });
      job.out.set(scratch, job.dp);
      return { bytes: null, sizes: null };
    }
    case 'encode-blocks': {
      const p = fromWire(job.params);
      const count = job.last - job.first;
      // Encoded into private memory (a new buffer to send back, or scratch copied into the
      // shared output), whose end at the range's last slot keeps every block in its slots.
      const out = job.out === null ? new Uint8Array(count * job.slotSize) : privateOutput(count * job.slotSize);
      const sizes = job.sizes ?? new Int32Array(count);
      const sizesView = job.sizes === null ? sizes : sizes.subarray(job.sizesAt, job.sizesAt + count);
      const blocksize = blockGeometry(job.nbytes, p).blocksize;
      const from = job.first * blocksize;
      const src = privateCopy(job.src, from - job.srcBase, Math.min(job.nbytes, job.last * blocksize) - job.srcBase);
      const ref = job.ref ?? job.src;
      const end = encodeBlockRange(src, from, job.nbytes, p, job.first, job.last, ref, out, 0, sizesView);
      if (job.out === null) return { bytes: out.subarray(0, end), sizes };
      job.out.set(out.subarray(0, end), job.op);
      return { bytes: null, sizes: null };
    }
    case 'encode-chunk': {
      const src = privateCopy(job.src, 0, job.src.length);
      return { bytes: compressChunk(src, fromWire(job.params)), sizes: null };
    }
    default:
      return fail(BloscErrorCode.InvalidParam, `unknown job kind ${String((job as { kind: unknown }).kind)}`);
  }
}
