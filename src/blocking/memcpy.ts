/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/blosc.c and C-Blosc2
 * (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Chunk-level decisions taken before any block is compressed: how many blocks, how big the
 * last one is, and whether the chunk is a plain copy from the start (the memcpyed flag,
 * 0x02). The later "last chance" memcpy, after a block did not fit, is the driver's
 * business: it depends on the codec output.
 */
import { BloscErrorCode } from '../errors.js';
import { MAX_BUFFERSIZE } from '../frame/chunk-header.js';
import { MIN_BUFFERSIZE_BLOSC1, MIN_BUFFERSIZE_BLOSC2 } from './split.js';
import { checkInt, INT32_MAX } from './validate.js';

/** Number of blocks a chunk of `nbytes` is cut into: ceil(nbytes / blocksize); 0 for an empty chunk. */
export function nblocksFor(nbytes: number, blocksize: number): number {
  checkInt('nbytes', nbytes, 0, INT32_MAX, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('blocksize', blocksize, 1, INT32_MAX);
  return Math.ceil(nbytes / blocksize);
}

/** Size of the last, short block (`nbytes % blocksize`), or 0 when every block is full. */
export function leftoverFor(nbytes: number, blocksize: number): number {
  checkInt('nbytes', nbytes, 0, INT32_MAX, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('blocksize', blocksize, 1, INT32_MAX);
  return nbytes % blocksize;
}

/**
 * c-blosc 1.21.x: the chunk is stored as a plain copy from the start when
 * `clevel == 0 || nbytes < MIN_BUFFERSIZE (128)` (`write_compression_header`, blosc/blosc.c).
 * The header still carries the computed blocksize and the shuffle, split and codec bits.
 */
export function memcpyFromStartBlosc1(clevel: number, nbytes: number): boolean {
  checkInt('clevel', clevel, 0, 9, BloscErrorCode.CodecParam);
  checkInt('nbytes', nbytes, 0, INT32_MAX, BloscErrorCode.MaxBufsizeExceeded);
  return clevel === 0 || nbytes < MIN_BUFFERSIZE_BLOSC1;
}

export interface Blosc2MemcpyParams {
  clevel: number;
  nbytes: number;
  /** `nblocksFor(nbytes, blocksize)` with the computed blocksize. */
  nblocks: number;
  /** Capacity of the output; python-blosc2 passes nbytes + 32. */
  destsize: number;
  /** 32-byte header (default) or the 16-byte `BLOSC_BLOSC1_COMPAT` header. */
  extendedHeader?: boolean;
  /**
   * A dictionary chunk (use_dict with zstd/lz4/lz4hc, clevel > 0): its first, training
   * pass writes no bstarts, so the bstarts-fit test does not apply.
   */
  useDict?: boolean;
}

/**
 * c-blosc2 3.x: the chunk is stored as a plain copy from the start when
 * `clevel == 0 || nbytes < BLOSC_MIN_BUFFERSIZE (32) || header + 4·nblocks > destsize`
 * (`write_compression_header`, blosc/blosc2.c; the third test is new in 3.x). The header
 * flags are then 0x07 with the extended header (no split, codec or delta bits), 0x02 with
 * the 16-byte one. VL-block chunks are never memcpyed and are not covered here.
 */
export function memcpyFromStartBlosc2(p: Blosc2MemcpyParams): boolean {
  checkInt('clevel', p.clevel, 0, 9, BloscErrorCode.CodecParam);
  checkInt('nbytes', p.nbytes, 0, MAX_BUFFERSIZE, BloscErrorCode.MaxBufsizeExceeded);
  checkInt('nblocks', p.nblocks, 0, INT32_MAX);
  checkInt('destsize', p.destsize, 0, INT32_MAX);
  if (p.clevel === 0 || p.nbytes < MIN_BUFFERSIZE_BLOSC2) return true;
  if (p.useDict === true) return false;
  const headerLength = p.extendedHeader === false ? 16 : 32;
  // C sums this in int32, which wraps once nblocks ≥ 2^29 (a requested blocksize of 1..3
  // with nbytes ≥ 512 MiB) and then writes bstarts past its buffer. The exact sum is used
  // here, so such a chunk is a plain copy instead.
  return headerLength + 4 * p.nblocks > p.destsize;
}
