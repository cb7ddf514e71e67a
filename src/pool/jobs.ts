/** What a worker does with each job: the synchronous block loops, on the ranges it is given. */
import { BloscErrorCode, fail } from '../errors.js';
import { blockGeometry, compressChunk, encodeBlockRange } from '../chunk/compress.js';
import { ChunkReader, decompressChunk } from '../chunk/decompress.js';
import { readChunkHeader, readInt32LE, SpecialKind } from '../frame/chunk-header.js';
import { resolveCodec } from '../codecs/registry.js';
import type { ResolvedCParams } from '../params.js';
import { CLAIM_PARKED, CLAIM_PLACED, type DecodeBlocksJob, type EncodeBlocksJob, type Job, type JobResult, type WireCParams } from './protocol.js';
import { blockStreamsEnd } from '../chunk/layout.js';
import { FilterId } from '../shuffle/types.js';
import { copyMemory, isShared } from '../copy.js';

/**
 * A job first copies the bytes it decodes into this worker's private buffer, kept between
 * jobs: the decoder then reads bytes no other thread can change under it. (Reading the shared
 * chunk in place, which copyMemory now makes nearly as fast as private memory for the
 * decoder's own copies (64 MiB, one thread: LZ4 16.6 against 14.2 ms), measured no faster
 * in a parallel decode than this copy: 1.02-1.07× on LZ4, BloscLZ and zstd, within the
 * noise.) Encoders also write to private memory (they may read back what they wrote) and
 * copy out once.
 */
let privateBytes = new Uint8Array(0);

/**
 * privateBytes of at least `n` bytes, grown with a quarter more room: the pieces a parallel
 * decode stages change size from call to call as the split between the threads moves, and
 * each new buffer faults its pages in on this worker.
 */
function privateRoom(n: number): Uint8Array {
  if (privateBytes.length < n) privateBytes = new Uint8Array(n + (n >> 2));
  return privateBytes;
}
/**
 * Private output of an encode job, copied into the shared output in one piece afterwards;
 * grown, as privateBytes, with a quarter more room (the pieces change size with the split).
 */
let privateOut = new Uint8Array(0);

function privateOutput(n: number): Uint8Array {
  if (privateOut.length < n) privateOut = new Uint8Array(n + (n >> 2));
  return privateOut.subarray(0, n);
}

function privateCopy(src: Uint8Array, from: number, to: number): Uint8Array {
  if (!isShared(src)) return src.subarray(from, to);
  const n = to - from;
  const room = privateRoom(n);
  copyMemory(src, from, room, 0, n);
  return room.subarray(0, n);
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
  const copy = privateRoom(cbytes).subarray(0, cbytes);
  copyMemory(shared, 0, copy, 0, dataStart);
  const withBlock0 = first > 0 && header.filters.includes(FilterId.Delta);
  for (let j = withBlock0 ? 0 : first; j < last; j = j === 0 && withBlock0 ? first : j + 1) {
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bstart = readInt32LE(shared, headerLength + 4 * j);
    if (bstart < dataStart || bstart >= cbytes) return null;
    const end = blockStreamsEnd(shared, header, bstart, leftoverBlock ? leftover : blocksize, leftoverBlock);
    if (end < 0) return null;
    copyMemory(shared, bstart, copy, bstart, end - bstart);
  }
  return copy;
}

/**
 * Decode blocks [first, last) of `chunk` to out[dp..] through the block-range reader the
 * synchronous readers use (SChunk, NDArray). `staged`: only those blocks' streams are
 * present (and checked), as in a lazy chunk read from a frame.
 */
function readBlocks(chunk: Uint8Array, first: number, last: number, out: Uint8Array, dp: number, staged: boolean): void {
  // The calling thread applied its output ceiling (workers do not see setLimits).
  const reader = staged ? new ChunkReader(chunk, UNBOUNDED, first, last) : new ChunkReader(chunk, UNBOUNDED);
  const { nbytes, blocksizeField } = reader.header;
  const blocksize = Math.min(blocksizeField, nbytes);
  if (!(blocksize > 0) || reader.header.special !== SpecialKind.None || reader.header.memcpyed || reader.header.vlBlocks) {
    fail(BloscErrorCode.InvalidParam, 'block ranges exist only in chunks of compressed fixed-size blocks');
  }
  reader.readInto(first * blocksize, Math.min(nbytes, last * blocksize), out, dp);
}

const UNBOUNDED = { maxNbytes: 0x7fffffff };

function decodeSharedRange(job: DecodeBlocksJob, out: Uint8Array, dp: number): void {
  const partial = privateRangeCopy(job.chunk, job.first, job.last);
  if (job.rangeOnly) {
    // The calling thread checked the whole chunk and staged only this range's streams.
    readBlocks(partial ?? privateCopy(job.chunk, 0, job.chunk.length), job.first, job.last, out, dp, partial !== null);
    return;
  }
  if (partial !== null) {
    try {
      readBlocks(partial, job.first, job.last, out, dp, false);
      return;
    } catch {
      // Stale bytes outside the range failed the structure check: decode from a whole copy.
    }
  }
  readBlocks(privateCopy(job.chunk, 0, job.chunk.length), job.first, job.last, out, dp, false);
}

/**
 * The bytes this worker's lane has encoded so far in the parallel encode numbered `call`
 * (EncodeBlocksJob.posCell): where its next piece goes in the chunk, after the calling
 * thread's blocks.
 */
const lane = { call: 0, length: 0 };

/**
 * Encode a piece of a lane (`encode(buffer, at)` into private memory, returning the end)
 * and put it in its place in the chunk when the calling thread has said where the lane
 * starts, else in its slots; then tell the calling thread which (claim[claimAt]).
 */
function encodeLanePiece(job: EncodeBlocksJob, slots: Uint8Array, place: Uint8Array, posCell: Int32Array, encode: (buffer: Uint8Array, at: number) => number): void {
  const call = posCell[1]!;
  if (lane.call !== call) {
    lane.call = call;
    lane.length = 0;
  }
  const room = (job.last - job.first) * job.slotSize;
  const known = Atomics.load(posCell, 0);
  // Encoded at an offset that agrees with the likely target modulo 8: the copy into shared
  // memory is then one aligned copy (see copyMemory).
  const o = known >= 0 ? (place.byteOffset + known + lane.length) & 7 : (slots.byteOffset + job.op) & 7;
  const buffer = privateOutput(o + room);
  const n = encode(buffer, o) - o;
  const base = Atomics.load(posCell, 0);
  let state = CLAIM_PARKED;
  if (base >= 0 && base + lane.length + n <= place.length) {
    copyMemory(buffer, o, place, base + lane.length, n);
    state = CLAIM_PLACED;
  } else {
    if (job.op + n > slots.length) fail(BloscErrorCode.WriteBuffer, `blocks [${job.first}, ${job.last}) do not fit in their slots`);
    copyMemory(buffer, o, slots, job.op, n);
  }
  lane.length += n;
  if (job.claim !== null) Atomics.store(job.claim, job.claimAt, state);
}

function fromWire(params: WireCParams): ResolvedCParams {
  const { codecId, ...rest } = params;
  return { ...rest, codec: resolveCodec(codecId) };
}

export function runJob(job: Job): JobResult {
  switch (job.kind) {
    case 'decode-blocks': {
      const chunk = job.chunk;
      if (job.claim !== null && Atomics.compareExchange(job.claim, job.claimAt, 0, 1) !== 0) {
        // The calling thread decoded this piece itself: nothing to do but hand the copy back.
        return { bytes: null, sizes: null, returned: isShared(chunk) ? null : chunk };
      }
      const header = readChunkHeader(chunk);
      const blocksize = Math.min(header.blocksizeField, header.nbytes);
      const length = Math.min(header.nbytes, job.last * blocksize) - job.first * blocksize;
      if (job.out === null) {
        const out = new Uint8Array(Math.max(0, length));
        readBlocks(chunk, job.first, job.last, out, 0, job.rangeOnly);
        // A transferred input goes back with the output, for the next call to reuse.
        return { bytes: out, sizes: null, returned: isShared(chunk) ? null : chunk };
      }
      if (!isShared(chunk)) {
        // A private copy of this range, transferred here: decoded in place and handed back.
        readBlocks(chunk, job.first, job.last, job.out, job.dp, job.rangeOnly);
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
      // A transferred input goes back with the answer, for the next call to reuse.
      const returned = isShared(job.src) ? null : job.src;
      if (job.claim !== null && Atomics.compareExchange(job.claim, job.claimAt, 0, 1) !== 0) {
        return { bytes: null, sizes: null, returned };
      }
      const p = fromWire(job.params);
      const count = job.last - job.first;
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
      if (job.posCell !== null && job.place !== null && job.out !== null) {
        encodeLanePiece(job, job.out, job.place, job.posCell, (buf, at) => encodeBlockRange(src, srcBase, job.nbytes, p, job.first, job.last, ref, buf, at, sizesView));
        return { bytes: null, sizes: null, returned };
      }
      // Encoded into private memory (a new buffer to send back, or scratch copied into the
      // shared output), whose end at the range's last slot keeps every block in its slots.
      const out = job.out === null ? new Uint8Array(count * job.slotSize) : privateOutput(count * job.slotSize);
      const end = encodeBlockRange(src, srcBase, job.nbytes, p, job.first, job.last, ref, out, 0, sizesView);
      if (job.out === null) return { bytes: out.subarray(0, end), sizes, returned };
      if (job.op + end > job.out.length) fail(BloscErrorCode.WriteBuffer, `blocks [${job.first}, ${job.last}) do not fit in the output`);
      copyMemory(out, 0, job.out, job.op, end);
      return { bytes: null, sizes: null, returned };
    }
    case 'encode-chunk': {
      const src = privateCopy(job.src, 0, job.src.length);
      return { bytes: compressChunk(src, fromWire(job.params)), sizes: null };
    }
    default:
      return fail(BloscErrorCode.InvalidParam, `unknown job kind ${String((job as { kind: unknown }).kind)}`);
  }
}
