/**
 * The filter plug-in interface. Filters run on a whole block before it is cut into
 * streams (pipeline_forward / pipeline_backward in c-blosc2 blosc2.c), never change its
 * size, and copy any bytes they do not transform through unchanged.
 */

/** Filter ids as written in header bytes 16..21 (include/blosc2.h, filters-registry.h). */
export const FilterId = {
  NoFilter: 0,
  Shuffle: 1,
  BitShuffle: 2,
  Delta: 3,
  TruncPrec: 4,
  NdCell: 32,
  NdMean: 33,
  ByteDeltaBuggy: 34,
  ByteDelta: 35,
  IntTrunc: 36,
} as const;

/**
 * Per-call parameters. One object is reused by the block loop (its fields are
 * overwritten per block), so a filter must not keep a reference to it.
 */
export interface FilterCall {
  /** The chunk's typesize (header byte 3). */
  typesize: number;
  /** This slot's meta byte (header bytes 24..29), 0..255. */
  meta: number;
  /** Byte offset of this block inside the chunk's uncompressed data. */
  blockOffset: number;
  /**
   * Reference data for DELTA. On forward: the chunk's original (unfiltered) input, so the
   * first block starts at `refOffset`. On backward: the chunk's decoded output, where block 0
   * is already fully decoded at `refOffset` when blockOffset > 0.
   */
  ref: Uint8Array;
  refOffset: number;
  /** Chunk format version (header byte 0): 2 selects the Blosc1 bitshuffle rule. */
  formatVersion: number;
  /**
   * SHUFFLE forward only: bytes from the start of one byte plane to the next in dst, when
   * the caller wants the planes apart (at least the plane length); 0 or absent: back to
   * back. Honoured only when the block is whole elements (n a multiple of the element
   * size). The chunk encoder spaces the planes of 8- and 16-byte elements out this way.
   */
  planeStride?: number;
}

export interface Filter {
  readonly id: number;
  readonly name: string;
  /** Whether `backward` undoes `forward` (TRUNC_PREC and INT_TRUNC do not: decode is a copy). */
  readonly lossy: boolean;
  /** Filter src[sp, sp+n) into dst[dp, dp+n). src and dst never overlap. */
  forward(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, call: FilterCall): void;
  /** Undo `forward`: src[sp, sp+n) into dst[dp, dp+n). src and dst never overlap. */
  backward(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, call: FilterCall): void;
}
