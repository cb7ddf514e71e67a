/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) append.py; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Appending to a file with an offsets section (append.py `append_fp`): the checks, the
 * refilled last chunk, new chunks in the preallocated offset slots, and the updated header
 * and offsets, as (position, bytes) writes.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { calculateChunks, offsetSlots, writeBloscpackHeader, writeOffsets, type BloscpackHeader } from '../frame/bloscpack.js';
import { outputCeiling } from '../limits.js';
import { bytesOf, type ShuffleName } from '../params.js';
import { compressPlain, resolvePack, type ResolvedPack } from './pack.js';
import { bytesSource, runSync, type Steps } from './runner.js';
import { decodeChunk, readBloscpackInfo, readChunk, type BloscpackInfo, type ChunkRecord } from './unpack.js';

export interface AppendOptions {
  codec?: string;
  clevel?: number;
  shuffle?: ShuffleName | boolean;
  /** Default: the file's typesize. */
  typesize?: number;
}

/**
 * Append `data` to a file image with an offsets section, as bloscpack's `append_fp`: the
 * last chunk is refilled up to chunk_size and rewritten in place, further chunks take
 * preallocated offset slots, and header and offsets are updated. Like bloscpack, a
 * refilled last chunk that compresses smaller leaves the old tail bytes in place.
 */
export function appendBytes(blp: Uint8Array, data: ArrayBufferView | ArrayBuffer, options: AppendOptions = {}): Uint8Array {
  const added = bytesOf(data);
  const info = readBloscpackInfo(blp);
  const plan = planAppend(info, added.length, options);
  const lastPos = info.offsets[info.offsets.length - 1]!;
  const last = runSync(readChunkAt(info), bytesSource(blp.subarray(lastPos)), undefined);
  const pieces = appendPieces(info, plan, decodeChunk(last.chunk, last.record, outputCeiling(undefined)), added);
  let end = blp.length;
  for (const [pos, bytes] of pieces) end = Math.max(end, pos + bytes.length);
  const out = new Uint8Array(end);
  out.set(blp);
  for (const [pos, bytes] of pieces) out.set(bytes, pos);
  return out;
}

/** Reads the last used chunk of `info` at the cursor. */
export function* readChunkAt(info: BloscpackInfo): Steps<{ chunk: Uint8Array; record: ChunkRecord }> {
  const index = info.offsets.length - 1;
  const got = yield* readChunk({ ...info, offsets: [] }, index, info.offsets[index]!, false);
  return got!;
}

export interface AppendPlan {
  readonly p: ResolvedPack;
  readonly newSize: number;
}

/** Check that `info` can take `newSize` more bytes (`append_fp`'s checks). */
export function planAppend(info: BloscpackInfo, newSize: number, options: AppendOptions): AppendPlan {
  const h = info.header;
  if (!h.offsets || info.offsets.length === 0) fail(BloscErrorCode.InvalidParam, 'cannot append to a file without offsets');
  if (h.chunkSize <= 0 || h.lastChunk < 0) fail(BloscErrorCode.InvalidParam, `cannot append to a file with chunk_size ${h.chunkSize}`);
  const p = resolvePack({ ...options, typesize: options.typesize ?? Math.max(1, h.typesize), checksum: h.checksum, chunkSize: h.chunkSize, offsets: true });
  const room = h.chunkSize - h.lastChunk;
  if (newSize > room) {
    const { nchunks } = calculateChunks(newSize - room, h.chunkSize);
    if (nchunks > h.maxAppChunks) fail(BloscErrorCode.InvalidParam, `appending needs ${nchunks} new chunks, only ${h.maxAppChunks} offset slots are free`);
  }
  return { p, newSize };
}

/** (position, bytes) writes that perform an append, given the decoded last chunk. */
export function appendPieces(info: BloscpackInfo, plan: AppendPlan, lastPlain: Uint8Array, added: Uint8Array): Array<[number, Uint8Array]> {
  const h = info.header;
  const { p } = plan;
  const room = h.chunkSize - h.lastChunk;
  const fill = Math.min(room, added.length);
  const refilled = new Uint8Array(lastPlain.length + fill);
  refilled.set(lastPlain);
  refilled.set(added.subarray(0, fill), lastPlain.length);
  const pieces: Array<[number, Uint8Array]> = [];
  let pos = info.offsets[info.offsets.length - 1]!;
  const first = compressPlain(refilled, p);
  pieces.push([pos, concat(first.chunk, first.digest)]);
  pos += first.chunk.length + first.digest.length;
  let header: BloscpackHeader;
  if (added.length <= room) {
    header = { ...h, lastChunk: h.lastChunk + added.length };
  } else {
    const rest = added.subarray(fill);
    const { nchunks, chunkSize, lastChunk } = calculateChunks(rest.length, h.chunkSize);
    const newOffsets: number[] = [];
    for (let i = 0; i < nchunks; i++) {
      const start = i * chunkSize;
      const c = compressPlain(rest.subarray(start, start + (i === nchunks - 1 ? lastChunk : chunkSize)), p);
      newOffsets.push(pos);
      pieces.push([pos, concat(c.chunk, c.digest)]);
      pos += c.chunk.length + c.digest.length;
    }
    header = { ...h, lastChunk, nchunks: h.nchunks + nchunks, maxAppChunks: h.maxAppChunks - nchunks };
    const offsetsPos = info.chunksStart - offsetSlots(h) * 8;
    const all = [...info.offsets, ...newOffsets];
    pieces.push([offsetsPos, writeOffsets(all, all.length)]);
  }
  pieces.push([0, writeBloscpackHeader(header)]);
  return pieces;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
