/**
 * The one block-range reader of the containers: bytes [s, e) of one chunk of a super-chunk
 * decoded straight into a caller's buffer, touching only the blocks that hold them, the
 * chunk's header parsed once. A special chunk a frame stores as a negative offset is
 * filled without building its bytes (c-blosc2 `frame_get_lazychunk` + `blosc2_getitem`,
 * which parse the same header once per chunk). `SChunk.getSlice`, `AsyncCFrame.getSlice`
 * and `NDArray` reads all go through it.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { ChunkReader, fillSpecialKind } from '../chunk/decompress.js';

/** One chunk of a super-chunk as a reader sees it. */
export interface ChunkSlot {
  /** Its index in the super-chunk (for errors). */
  readonly index: number;
  /** Its uncompressed size, as the container declares it. */
  readonly nbytes: number;
  /** A frame's special kind (zero 1, NaN 2, uninit 4) for a chunk stored as a negative offset, else 0. */
  readonly special: number;
  /** The frame's typesize (for NaN fills of special chunks). */
  readonly typesize: number;
}

/** Fill dest[dp, dp + e - s) from the special chunk `slot` (bytes [s, e) of it). */
export function fillSpecialRange(slot: ChunkSlot, s: number, e: number, dest: Uint8Array, dp: number): void {
  fillSpecialKind(slot.special, slot.typesize > 255 ? 1 : slot.typesize, dest, dp, s, e - s);
}

/**
 * A reader over the compressed chunk of `slot`, its declared size checked against the
 * chunk's header (the caller reads ranges of it with `readInto`).
 */
export function openChunk(slot: ChunkSlot, chunk: Uint8Array, loadedFirst = 0, loadedLast = Infinity): ChunkReader {
  const reader = new ChunkReader(chunk, { maxNbytes: slot.nbytes }, loadedFirst, loadedLast);
  if (reader.header.nbytes !== slot.nbytes) {
    fail(BloscErrorCode.InvalidHeader, `chunk ${slot.index} holds ${reader.header.nbytes} bytes, expected ${slot.nbytes}`, { chunk: slot.index });
  }
  return reader;
}

/** Ranges of one chunk decoded into a caller's buffer; `blocksDecoded` counts its work. */
export interface ChunkRangeReader {
  readInto(s: number, e: number, dest: Uint8Array, dp: number): void;
  readonly blocksDecoded: number;
}

class SpecialRangeReader implements ChunkRangeReader {
  readonly blocksDecoded = 0;
  constructor(private readonly slot: ChunkSlot) {}
  readInto(s: number, e: number, dest: Uint8Array, dp: number): void {
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e < s || e > this.slot.nbytes) {
      fail(BloscErrorCode.InvalidParam, `bytes [${s}, ${e}) of a chunk of ${this.slot.nbytes}`);
    }
    fillSpecialRange(this.slot, s, e, dest, dp);
  }
}

/**
 * A reader of chunk `slot`: for a special slot a fill (`chunk` unused, may be null), else the
 * chunk's header parsed once and its blocks decoded as ranges ask for them. A chunk loaded
 * in part (`CFrame.loadChunk`) names the blocks whose streams it holds: only those are read.
 */
export function chunkRangeReader(slot: ChunkSlot, chunk: Uint8Array | null, loadedFirst = 0, loadedLast = Infinity): ChunkRangeReader {
  if (slot.special !== 0) return new SpecialRangeReader(slot);
  if (chunk === null) fail(BloscErrorCode.Failure, `chunk ${slot.index} has no bytes`, { chunk: slot.index });
  return withChunkIndex(slot.index, () => openChunk(slot, chunk, loadedFirst, loadedLast));
}

/**
 * Bytes [s, e) of chunk `slot` into dest at dp: filled for a special slot (`chunk` unused,
 * may be null), else decoded from `chunk`. Returns the blocks decoded.
 */
export function readChunkRange(slot: ChunkSlot, chunk: Uint8Array | null, s: number, e: number, dest: Uint8Array, dp: number): number {
  const reader = chunkRangeReader(slot, chunk);
  withChunkIndex(slot.index, () => reader.readInto(s, e, dest, dp));
  return reader.blocksDecoded;
}

/** Run `fn`, naming chunk `index` in a BloscError that names none. */
export function withChunkIndex<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err !== null && typeof err === 'object' && 'chunk' in err && (err as { chunk: unknown }).chunk === undefined) {
      (err as { chunk: number | undefined }).chunk = index;
    }
    throw err;
  }
}
