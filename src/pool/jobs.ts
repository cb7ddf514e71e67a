/** What a worker does with each job: the synchronous block loops, on the ranges it is given. */
import { BloscErrorCode, fail } from '../errors.js';
import { blockGeometry, compressChunk, encodeBlockRange } from '../chunk/compress.js';
import { decodeBlockRange, decodeStagedBlockRange, decompressChunk } from '../chunk/decompress.js';
import { readChunkHeader, readInt32LE, SpecialKind } from '../frame/chunk-header.js';
import { resolveCodec } from '../codecs/registry.js';
import type { ResolvedCParams } from '../params.js';
import type { DecodeBlocksJob, Job, JobResult, WireCParams } from './protocol.js';
import { blockStreamsEnd } from '../chunk/layout.js';
import { FilterId } from '../shuffle/types.js';
import { copyBytes, isShared } from './memory.js';

/**
 * The block loops read typed arrays over a SharedArrayBuffer markedly slower than private
 * ones (measured on Node 20: decompressChunk from a shared chunk took 1.5-3× as long, while
 * writing decoded blocks straight to a shared output cost nothing extra), so a job first
 * copies the bytes it reads into this worker's private buffer, kept between jobs. Encoders
 * also write to private memory (they may read back what they wrote) and copy out once.
 */
let privateBytes = new Uint8Array(0);
/** Private output of an encode job, copied into the shared output in one piece afterwards. */
let privateOut = new Uint8Array(0);

function privateOutput(n: number): Uint8Array {
  if (privateOut.length < n) privateOut = new Uint8Array(n);
  return privateOut.subarray(0, n);
}

function privateCopy(src: Uint8Array, from: number, to: number): Uint8Array {
  if (typeof SharedArrayBuffer !== 'function' || !(src.buffer instanceof SharedArrayBuffer)) return src.subarray(from, to);
  const n = to - from;
  if (privateBytes.length < n) privateBytes = new Uint8Array(n);
  copyBytes(src, from, privateBytes, 0, n);
  return privateBytes.subarray(0, n);
}

/**
 * A private copy of the parts of a shared Blosc2 chunk that decoding blocks [first, last)
 * reads: header, bstarts and dictionary, and each of those blocks' streams (block 0's too
 * for DELTA), walked from the stream sizes. Null where that cannot be done safely: Blosc1
 * chunks (whose decoder may retry another split reading), or sizes that run out of the
 * chunk. The rest of the copy is stale, which only the whole-chunk structure check reads:
 * the caller retries with a whole copy if that check fails.
 */
function privateRangeCopy(shared: Uint8Array, first: number, last: number): Uint8Array | null {
  if (shared.length < 32) return null;
  const header = readChunkHeader(shared);
  const { cbytes, nbytes, headerLength } = header;
  if (header.version < 3 || header.vlBlocks || header.memcpyed || header.special !== SpecialKind.None || cbytes > shared.length || nbytes === 0) return null;
  const blocksize = Math.min(header.blocksizeField, nbytes);
  if (!(blocksize > 0)) return null;
  const nblocks = Math.ceil(nbytes / blocksize);
  const leftover = nbytes % blocksize;
  let dataStart = headerLength + 4 * nblocks;
  if (dataStart > cbytes) return null;
  if (header.useDict) {
    if (dataStart + 4 > cbytes) return null;
    const dsize = readInt32LE(shared, dataStart);
    if (dsize <= 0 || dataStart + 4 + dsize > cbytes) return null;
    dataStart += 4 + dsize;
  }
  if (privateBytes.length < cbytes) privateBytes = new Uint8Array(cbytes);
  const copy = privateBytes.subarray(0, cbytes);
  copyBytes(shared, 0, copy, 0, dataStart);
  const withBlock0 = first > 0 && header.filters.includes(FilterId.Delta);
  for (let j = withBlock0 ? 0 : first; j < last; j = j === 0 && withBlock0 ? first : j + 1) {
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bstart = readInt32LE(shared, headerLength + 4 * j);
    if (bstart < dataStart || bstart >= cbytes) return null;
    const end = blockStreamsEnd(shared, header, bstart, leftoverBlock ? leftover : blocksize, leftoverBlock);
    if (end < 0) return null;
    copyBytes(shared, bstart, copy, bstart, end - bstart);
  }
  return copy;
}

function decodeSharedRange(job: DecodeBlocksJob, out: Uint8Array, dp: number): void {
  const partial = privateRangeCopy(job.chunk, job.first, job.last);
  if (job.rangeOnly) {
    // The calling thread checked the whole chunk and staged only this range's streams.
    decodeStagedBlockRange(partial ?? privateCopy(job.chunk, 0, job.chunk.length), job.first, job.last, out, dp);
    return;
  }
  if (partial !== null) {
    try {
      decodeBlockRange(partial, job.first, job.last, out, dp);
      return;
    } catch {
      // Stale bytes outside the range failed the structure check: decode from a whole copy.
    }
  }
  decodeBlockRange(privateCopy(job.chunk, 0, job.chunk.length), job.first, job.last, out, dp);
}

function fromWire(params: WireCParams): ResolvedCParams {
  const { codecId, ...rest } = params;
  return { ...rest, codec: resolveCodec(codecId) };
}

export function runJob(job: Job): JobResult {
  switch (job.kind) {
    case 'decode-blocks': {
      const chunk = job.chunk;
      const header = readChunkHeader(chunk);
      const blocksize = Math.min(header.blocksizeField, header.nbytes);
      const length = Math.min(header.nbytes, job.last * blocksize) - job.first * blocksize;
      if (job.out === null) {
        const out = new Uint8Array(Math.max(0, length));
        if (job.rangeOnly) decodeStagedBlockRange(chunk, job.first, job.last, out, 0);
        else decodeBlockRange(chunk, job.first, job.last, out, 0);
        // A transferred input goes back with the output, for the next call to reuse.
        return { bytes: out, sizes: null, returned: isShared(chunk) ? null : chunk };
      }
      if (!isShared(chunk)) {
        // A private copy of this range, transferred here: decoded in place and handed back.
        if (job.rangeOnly) decodeStagedBlockRange(chunk, job.first, job.last, job.out, job.dp);
        else decodeBlockRange(chunk, job.first, job.last, job.out, job.dp);
        return { bytes: null, sizes: null, returned: chunk };
      }
      decodeSharedRange(job, job.out, job.dp);
      return { bytes: null, sizes: null };
    }
    case 'decode-chunk': {
      const chunk = privateCopy(job.chunk, 0, job.chunk.length);
      // A transferred input goes back with the answer, for the next chunk's copy.
      const returned = isShared(job.chunk) ? null : job.chunk;
      if (job.out === null) return { bytes: decompressChunk(chunk, undefined, { maxNbytes: job.maxNbytes }), sizes: null, returned };
      const nbytes = readChunkHeader(chunk).nbytes;
      if (nbytes > job.maxNbytes) fail(BloscErrorCode.MaxBufsizeExceeded, `chunk nbytes ${nbytes} exceeds ${job.maxNbytes}`);
      const decoded = decompressChunk(chunk, job.out.subarray(job.dp, job.dp + nbytes), { maxNbytes: job.maxNbytes });
      return { bytes: job.sendOut === true ? decoded : null, sizes: null, returned };
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
      // With a filter, the block loop reads the input only through the filter, element by
      // element or in aligned tiles, which is as fast from shared memory (measured); without
      // one, raw streams are copied straight from the input: that needs private bytes.
      const to = Math.min(job.nbytes, job.last * blocksize) - job.srcBase;
      const filtered = p.filters.some((id) => id !== FilterId.NoFilter);
      const src = filtered ? job.src.subarray(0, to) : privateCopy(job.src, from - job.srcBase, to);
      const srcBase = filtered ? job.srcBase : from;
      const ref = job.ref ?? job.src;
      const end = encodeBlockRange(src, srcBase, job.nbytes, p, job.first, job.last, ref, out, 0, sizesView);
      if (job.out === null) return { bytes: out.subarray(0, end), sizes };
      copyBytes(out, 0, job.out, job.op, end);
      return { bytes: null, sizes: null };
    }
    case 'copy-blocks': {
      const { src, out, moves } = job;
      for (let i = 0; i + 2 < moves.length; i += 3) copyBytes(src, moves[i]!, out, moves[i + 1]!, moves[i + 2]!);
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
