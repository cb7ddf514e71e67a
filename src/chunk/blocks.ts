/**
 * `chunkBlocks`: where each block of a chunk and each stream of a block sit, from the
 * header, bstarts and the stream size fields alone (no codec runs). The walk is c-blosc2's
 * `blosc_d` (blosc/blosc2.c) stopping before the codec call: a stream size of 0 is a zero
 * run, a negative one a run of one byte value, one equal to the stream's bytes a raw copy.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { readChunkHeader, readInt32LE } from '../frame/chunk-header.js';
import { blockIsSplit, chunkLayout } from './layout.js';

export type ChunkStreamKind = 'codec' | 'raw' | 'zeros' | 'run';

export interface ChunkStreamInfo {
  /** Position of the stream's bytes in the chunk (after its 4-byte size field). */
  readonly offset: number;
  /** Stored bytes (0 for a zero run, 1 for a run of one value). */
  readonly cbytes: number;
  /** Bytes it decodes to. */
  readonly nbytes: number;
  readonly kind: ChunkStreamKind;
}

export interface ChunkBlockInfo {
  readonly index: number;
  /** bstarts[index]: where the block starts in the chunk. */
  readonly start: number;
  /** Stored bytes of the block, stream size fields included. */
  readonly cbytes: number;
  /** Bytes the block decodes to. */
  readonly nbytes: number;
  /** Split into typesize streams (one per byte of an item) or one stream. */
  readonly split: boolean;
  readonly streams: readonly ChunkStreamInfo[];
}

/**
 * The blocks of a chunk and their streams. Special-value chunks and empty chunks have no
 * blocks; a memcpyed chunk's blocks are each one raw stream. The chunk is checked as the
 * decoder checks it, so a corrupt one raises the `BloscError` decoding would.
 */
export function chunkBlocks(chunk: Uint8Array): ChunkBlockInfo[] {
  const header = readChunkHeader(chunk);
  const layout = chunkLayout(chunk, header);
  const { nblocks, blocksize, leftover } = layout;
  const blocks: ChunkBlockInfo[] = [];
  if (header.special !== 0 || header.nbytes === 0) return blocks;
  if (header.memcpyed) {
    for (let j = 0; j < nblocks; j++) {
      const nbytes = j === nblocks - 1 && leftover > 0 ? leftover : blocksize;
      const start = header.headerLength + j * blocksize;
      blocks.push({ index: j, start, cbytes: nbytes, nbytes, split: false, streams: [{ offset: start, cbytes: nbytes, nbytes, kind: 'raw' }] });
    }
    return blocks;
  }
  const cbytes = header.cbytes;
  for (let j = 0; j < nblocks; j++) {
    const start = readInt32LE(chunk, header.headerLength + 4 * j);
    if (layout.vlSizes !== null) {
      const end = j + 1 < nblocks ? readInt32LE(chunk, header.headerLength + 4 * (j + 1)) : cbytes;
      const nbytes = layout.vlSizes[j]!;
      const stored = end - start - 4;
      blocks.push({ index: j, start, cbytes: end - start, nbytes, split: false, streams: [{ offset: start + 4, cbytes: stored, nbytes, kind: stored === nbytes ? 'raw' : 'codec' }] });
      continue;
    }
    const leftoverBlock = j === nblocks - 1 && leftover > 0;
    const bsize = leftoverBlock ? leftover : blocksize;
    const split = blockIsSplit(header, bsize, leftoverBlock, header.version === 2);
    const nstreams = split ? header.typesize : 1;
    const neblock = (bsize / nstreams) | 0;
    const streams: ChunkStreamInfo[] = [];
    let pos = start;
    for (let s = 0; s < nstreams; s++) {
      if (pos + 4 > cbytes) fail(BloscErrorCode.ReadBuffer, `block ${j}: stream ${s} size field past the end of the chunk`, { offset: pos, block: j });
      const csize = readInt32LE(chunk, pos);
      pos += 4;
      if (csize === 0) {
        streams.push({ offset: pos, cbytes: 0, nbytes: neblock, kind: 'zeros' });
      } else if (csize < 0) {
        streams.push({ offset: pos, cbytes: 1, nbytes: neblock, kind: 'run' });
        pos += 1;
      } else {
        if (pos + csize > cbytes) fail(BloscErrorCode.ReadBuffer, `block ${j}: stream ${s} of ${csize} bytes runs past the end of the chunk`, { offset: pos, block: j });
        streams.push({ offset: pos, cbytes: csize, nbytes: neblock, kind: csize === neblock ? 'raw' : 'codec' });
        pos += csize;
      }
    }
    blocks.push({ index: j, start, cbytes: pos - start, nbytes: bsize, split, streams });
  }
  return blocks;
}
