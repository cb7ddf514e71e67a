/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Everything the block loop needs to know about a chunk, worked out and validated once
 * before any output is allocated: block geometry, where bstarts and the dictionary live,
 * the resolved codec and the active filters of the backward pipeline.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { codecForFormat } from '../codecs/index.js';
import { resolveCodec } from '../codecs/registry.js';
import type { Codec } from '../codecs/types.js';
import { CodecFormat } from '../codecs/types.js';
import { zstdMaxDecodedSize } from '../codecs/zstd/frame.js';
import { resolveFilter } from '../shuffle/filters.js';
import type { Filter } from '../shuffle/types.js';
import { FilterId } from '../shuffle/types.js';
import { readInt32LE, SpecialKind, type ChunkHeader } from '../frame/chunk-header.js';

/** c-blosc 1.x MIN_BUFFERSIZE / MAX_SPLITS: the pre-1.11 implicit split conditions. */
const BLOSC1_MIN_BUFFERSIZE = 128;
const BLOSC1_MAX_SPLITS = 16;

export interface ChunkLayout {
  readonly header: ChunkHeader;
  /** Blocksize used for the data layout (the header field clamped to nbytes). */
  readonly blocksize: number;
  readonly nblocks: number;
  /** Size of the last block when it is short, else 0. */
  readonly leftover: number;
  readonly dict: Uint8Array | null;
  /** Null for chunks that need no codec (special, memcpyed, empty). */
  readonly codec: Codec | null;
  /** Active filters in backward (decode) order, slot 5 first; lossy ones are skipped. */
  readonly backward: readonly Filter[];
  /** Meta byte of each entry of `backward`. */
  readonly backwardMeta: readonly number[];
  readonly hasDelta: boolean;
  /** VL-block chunks: uncompressed size of each block, and its start in the output. */
  readonly vlSizes: Int32Array | null;
  readonly vlOffsets: Float64Array | null;
  /** Largest block, for scratch buffers. */
  readonly maxBlock: number;
}

/**
 * Worst-case expansion of one compressed byte for the codecs whose formats bound it by a
 * ratio: used to reject a lying header before allocating its output. BloscLZ and LZ4 add
 * at most 255 bytes of match length per length byte; deflate at most 258 bytes per ~2 bits
 * (≤ 1032:1); Snappy copies at most 64 bytes per 2-3 byte element. zstd is bounded by
 * zstdMaxDecodedSize (32768:1); user codecs are not bounded (the output ceiling is their limit).
 */
const MAX_EXPANSION_BY_FORMAT: readonly number[] = [264, 264, 32, 1040];

/** The most bytes a stream of `csize` bytes in codec format `format` can decode to; -1 when unbounded. */
function maxStreamOutput(format: number, csize: number): number {
  if (format === CodecFormat.Zstd) return zstdMaxDecodedSize(csize);
  const expansion = MAX_EXPANSION_BY_FORMAT[format];
  return expansion === undefined ? -1 : csize * expansion + 64;
}

export function decodeCodec(header: ChunkHeader): Codec {
  if (header.codecFormat === CodecFormat.UserDefined) return resolveCodec(header.udcompcode);
  return codecForFormat(header.codecFormat);
}

/** The split rule a decoder applies to one block (§2.4 / §3.13 of the chunk spec). */
export function blockIsSplit(header: ChunkHeader, bsize: number, leftoverBlock: boolean, blosc1Rule: boolean): boolean {
  if (header.dontSplit || leftoverBlock) return false;
  if (!blosc1Rule) return true;
  // c-blosc blosc_d: chunks from before 1.11 had no dont_split bit; splitting was implied.
  return header.typesize <= BLOSC1_MAX_SPLITS && (bsize / header.typesize | 0) >= BLOSC1_MIN_BUFFERSIZE;
}

/** Resolve the backward pipeline (c-blosc2 `pipeline_backward`: slots 5..0, TRUNC_PREC skipped). */
function backwardPipeline(header: ChunkHeader): BackwardPipeline {
  const filters: Filter[] = [];
  const meta: number[] = [];
  let hasDelta = false;
  for (let slot = 5; slot >= 0; slot--) {
    const id = header.filters[slot]!;
    if (id === FilterId.NoFilter) continue;
    const filter = resolveFilter(id);
    if (id === FilterId.Delta) hasDelta = true;
    if (filter.lossy) continue;
    if (id === FilterId.Shuffle && header.typesize === 1 && header.filtersMeta[slot] === 0) continue;
    filters.push(filter);
    meta.push(header.filtersMeta[slot]!);
  }
  return { filters, meta, hasDelta };
}

/**
 * Validate a chunk's structure and work out its layout. Every offset that the block loop
 * will later follow is checked here against cbytes, so decoding never reads outside the
 * chunk and never allocates for a header whose sizes cannot be true.
 * The streams of blocks [checkFirst, checkLast) (and block 0 under DELTA) are the ones
 * checked: a worker decoding a range of a chunk the calling thread has checked whole holds
 * only that range's streams.
 */
export function chunkLayout(chunk: Uint8Array, header: ChunkHeader, offset = 0, checkFirst = 0, checkLast = Infinity): ChunkLayout {
  const { nbytes, cbytes, headerLength } = header;
  if (header.lazy) {
    fail(BloscErrorCode.ReadBuffer, 'lazy chunk: its blocks live in a frame; read it through the frame');
  }
  if (header.extended && (header.blosc2Flags & 0x80) !== 0) {
    fail(BloscErrorCode.CodecSupport, 'instrumented chunk: it holds codec statistics, not data');
  }
  if (header.special !== SpecialKind.None) {
    validateSpecial(header);
    return layout(header, Math.max(1, Math.min(header.blocksizeField, nbytes)), 0, 0, null, null, NO_PIPELINE);
  }
  if (nbytes === 0) return layout(header, 1, 0, 0, null, null, NO_PIPELINE);
  if (header.memcpyed) {
    if (cbytes !== nbytes + headerLength) {
      fail(BloscErrorCode.InvalidHeader, `memcpyed chunk: cbytes ${cbytes} != nbytes ${nbytes} + ${headerLength}`);
    }
    const blocksize = Math.min(header.blocksizeField, nbytes);
    return layout(header, blocksize, Math.ceil(nbytes / blocksize), nbytes % blocksize, null, null, NO_PIPELINE);
  }

  const pipeline = backwardPipeline(header);
  const codec = decodeCodec(header);
  if (header.vlBlocks) return vlLayout(chunk, header, offset, codec, pipeline);

  const blocksize = Math.min(header.blocksizeField, nbytes);
  const nblocks = Math.ceil(nbytes / blocksize);
  const leftover = nbytes % blocksize;
  const bstartsEnd = headerLength + 4 * nblocks;
  if (bstartsEnd > cbytes) {
    fail(BloscErrorCode.InvalidHeader, `${nblocks} blocks need ${bstartsEnd} bytes of header and bstarts, cbytes is ${cbytes}`);
  }
  const dict = header.useDict ? readDictionary(chunk, offset, bstartsEnd, cbytes) : null;
  const dataStart = dict === null ? bstartsEnd : bstartsEnd + 4 + dict.length;
  const blosc1Rule = header.version === 2;
  const bounded = maxStreamOutput(header.codecFormat, 1) >= 0;
  for (let j = 0; j < nblocks; j++) {
    const bstart = readInt32LE(chunk, offset + headerLength + 4 * j);
    if (bstart < dataStart || bstart >= cbytes) {
      fail(BloscErrorCode.InvalidHeader, `bstarts[${j}] = ${bstart} is outside the data area [${dataStart}, ${cbytes})`, { block: j });
    }
    if (bounded && ((j >= checkFirst && j < checkLast) || (j === 0 && pipeline.hasDelta))) {
      const bsize = j === nblocks - 1 && leftover > 0 ? leftover : blocksize;
      checkStreamSizes(chunk, offset, header, j, bstart, bsize, leftover > 0 && j === nblocks - 1, blosc1Rule);
    }
  }
  return layout(header, blocksize, nblocks, leftover, dict, codec, pipeline);
}

interface BackwardPipeline {
  filters: Filter[];
  meta: number[];
  hasDelta: boolean;
}

const NO_PIPELINE: BackwardPipeline = { filters: [], meta: [], hasDelta: false };

/**
 * Every layout is built here, with all fields in one order: one object shape for V8. (An
 * object spread of a shared base cost about 10 µs per chunk on Node 20, more than decoding
 * a 4 KiB chunk.)
 */
function layout(
  header: ChunkHeader, blocksize: number, nblocks: number, leftover: number, dict: Uint8Array | null,
  codec: Codec | null, pipeline: BackwardPipeline, vlSizes: Int32Array | null = null,
  vlOffsets: Float64Array | null = null, maxBlock = blocksize,
): ChunkLayout {
  return {
    header,
    blocksize,
    nblocks,
    leftover,
    dict,
    codec,
    backward: pipeline.filters,
    backwardMeta: pipeline.meta,
    hasDelta: pipeline.hasDelta,
    vlSizes,
    vlOffsets,
    maxBlock: codec === null ? 0 : maxBlock,
  };
}

/**
 * Walk one block's stream headers and check that each codec stream could expand to its
 * stream size. Both split readings of a Blosc1 block are tried, as the decoder does.
 */
function checkStreamSizes(
  chunk: Uint8Array, offset: number, header: ChunkHeader, j: number, bstart: number,
  bsize: number, leftoverBlock: boolean, blosc1Rule: boolean,
): void {
  const primary = blockIsSplit(header, bsize, leftoverBlock, blosc1Rule);
  if (streamsPlausible(chunk, offset, header, bstart, bsize, primary)) return;
  if (blosc1Rule) {
    const alternate = blockIsSplit(header, bsize, leftoverBlock, false);
    if (alternate !== primary && streamsPlausible(chunk, offset, header, bstart, bsize, alternate)) return;
  }
  fail(BloscErrorCode.InvalidHeader, `block ${j}: its streams cannot hold ${bsize} bytes (corrupt sizes)`, { block: j });
}

function streamsPlausible(
  chunk: Uint8Array, offset: number, header: ChunkHeader, bstart: number, bsize: number,
  split: boolean,
): boolean {
  const nstreams = split ? header.typesize : 1;
  const neblock = (bsize / nstreams) | 0;
  const cbytes = header.cbytes;
  let pos = bstart;
  for (let s = 0; s < nstreams; s++) {
    if (pos + 4 > cbytes) return false;
    const csize = readInt32LE(chunk, offset + pos);
    pos += 4;
    if (csize === 0) continue;
    if (csize < 0) {
      pos += 1;
      continue;
    }
    if (pos + csize > cbytes) return false;
    if (csize !== neblock && maxStreamOutput(header.codecFormat, csize) < neblock) return false;
    pos += csize;
  }
  return true;
}

/** The dictionary section after bstarts (§3.9): int32 dsize, then dsize bytes. */
function readDictionary(chunk: Uint8Array, offset: number, at: number, cbytes: number): Uint8Array {
  if (at + 4 > cbytes) fail(BloscErrorCode.ReadBuffer, 'dictionary size field past the end of the chunk');
  const dsize = readInt32LE(chunk, offset + at);
  if (dsize <= 0 || at + 4 + dsize > cbytes) fail(BloscErrorCode.InvalidHeader, `dictionary size ${dsize} does not fit in the chunk`);
  return chunk.subarray(offset + at + 4, offset + at + 4 + dsize);
}

function validateSpecial(header: ChunkHeader): void {
  const { special, nbytes, typesize, cbytes } = header;
  if (!header.extended) fail(BloscErrorCode.InvalidHeader, 'special-value chunk without the extended header');
  if (special === SpecialKind.NaN) {
    if (typesize !== 4 && typesize !== 8) {
      fail(BloscErrorCode.InvalidHeader, `NaN chunk with typesize ${typesize} (only 4 and 8 have a NaN)`);
    }
    if (nbytes % typesize !== 0) fail(BloscErrorCode.InvalidHeader, `NaN chunk: nbytes ${nbytes} is not a multiple of ${typesize}`);
  } else if (special === SpecialKind.Value) {
    const valueSize = cbytes - 32;
    if (valueSize <= 0) fail(BloscErrorCode.InvalidHeader, 'repeated-value chunk without a value');
    if (nbytes % valueSize !== 0) {
      fail(BloscErrorCode.InvalidHeader, `repeated-value chunk: nbytes ${nbytes} is not a multiple of the value size ${valueSize}`);
    }
  } else if (special === SpecialKind.Uninit) {
    if (nbytes % typesize !== 0) fail(BloscErrorCode.InvalidHeader, `uninit chunk: nbytes ${nbytes} is not a multiple of ${typesize}`);
  }
}

function vlLayout(
  chunk: Uint8Array, header: ChunkHeader, offset: number,
  codec: Codec,
  pipeline: BackwardPipeline,
): ChunkLayout {
  const { cbytes, headerLength, nbytes } = header;
  const nblocks = header.blocksizeField;
  if (nblocks <= 0) fail(BloscErrorCode.InvalidHeader, `VL-block chunk with ${nblocks} blocks`);
  const bstartsEnd = headerLength + 4 * nblocks;
  if (bstartsEnd > cbytes) fail(BloscErrorCode.InvalidHeader, `VL-block chunk: ${nblocks} bstarts do not fit in cbytes ${cbytes}`);
  const dict = header.useDict ? readDictionary(chunk, offset, bstartsEnd, cbytes) : null;
  const dataStart = dict === null ? bstartsEnd : bstartsEnd + 4 + dict.length;
  const sizes = new Int32Array(nblocks);
  const offsets = new Float64Array(nblocks);
  let total = 0;
  let maxBlock = 0;
  let prev = dataStart - 1;
  for (let j = 0; j < nblocks; j++) {
    const bstart = readInt32LE(chunk, offset + headerLength + 4 * j);
    if (bstart <= prev || bstart + 4 > cbytes) {
      fail(BloscErrorCode.InvalidHeader, `VL-block bstarts[${j}] = ${bstart} is out of order or out of the chunk`, { block: j });
    }
    const size = readInt32LE(chunk, offset + bstart);
    if (size < 0) fail(BloscErrorCode.InvalidHeader, `VL block ${j} has negative size ${size}`, { block: j });
    offsets[j] = total;
    sizes[j] = size;
    total += size;
    if (size > maxBlock) maxBlock = size;
    prev = bstart;
  }
  if (total !== nbytes) fail(BloscErrorCode.InvalidHeader, `VL-block sizes add up to ${total}, header says nbytes ${nbytes}`);
  for (let j = 0; j < nblocks; j++) {
    // Each block is one stream from its size field to the next bstart (decodeVlBlock).
    const bstart = readInt32LE(chunk, offset + headerLength + 4 * j);
    const end = j + 1 < nblocks ? readInt32LE(chunk, offset + headerLength + 4 * (j + 1)) : cbytes;
    const clen = end - bstart - 4;
    const most = maxStreamOutput(header.codecFormat, clen);
    if (clen !== sizes[j] && most >= 0 && most < sizes[j]!) {
      fail(BloscErrorCode.InvalidHeader, `VL block ${j}: a ${clen}-byte stream cannot hold ${sizes[j]} bytes`, { block: j });
    }
  }
  return layout(header, maxBlock, nblocks, 0, dict, codec, pipeline, sizes, offsets, maxBlock);
}

/**
 * Where the streams of a Blosc2 block starting at `bstart` end, walking their size fields
 * (c-blosc2 `blosc_d`: csize 0 and negative csizes take 0 and 1 bytes), or -1 when they run
 * past `cbytes`.
 */
export function blockStreamsEnd(chunk: Uint8Array, header: ChunkHeader, bstart: number, bsize: number, leftoverBlock: boolean): number {
  const nstreams = blockIsSplit(header, bsize, leftoverBlock, false) ? header.typesize : 1;
  const cbytes = header.cbytes;
  let pos = bstart;
  for (let k = 0; k < nstreams; k++) {
    if (pos + 4 > cbytes) return -1;
    const csize = readInt32LE(chunk, pos);
    pos += 4 + (csize > 0 ? csize : csize < 0 ? 1 : 0);
    if (pos > cbytes) return -1;
  }
  return pos;
}
