/**
 * Ported from python-blosc2 (Blosc/python-blosc2, BSD-3-Clause) src/blosc2/core.py,
 * blosc2_ext.pyx; license in THIRD_PARTY_NOTICES.md.
 *
 * Default chunk and block shapes, as python-blosc2 4.x computes them (src/blosc2/core.py
 * `compute_chunks_blocks`, `compute_partition`, `get_chunksize`; blosc2_ext.pyx
 * `nearest_divisor`). The result depends on the machine's caches, which python reads at
 * import time; here they are explicit parameters.
 */
import { BloscErrorCode, fail } from '../errors.js';

/** What python-blosc2 reads from the machine (`blosc2.cpu_info`, `platform`). */
export interface CacheSizes {
  /** L1 data cache in bytes. */
  l1DataCacheSize: number;
  l2CacheSize: number;
  l3CacheSize: number;
  /** `platform.machine()`: 'x86_64', 'arm64', 'aarch64', ... */
  machine: string;
  /** `platform.system()`: 'Linux', 'Darwin', 'Windows'. */
  system: string;
}

/**
 * The cache sizes python-blosc2 falls back to when it cannot read the machine's
 * (`get_cpu_info`: 32 KiB L1d, 256 KiB L2, 1 MiB L3), on x86-64 Linux.
 */
export const DEFAULT_CACHE_SIZES: Readonly<CacheSizes> = {
  l1DataCacheSize: 32 * 1024,
  l2CacheSize: 256 * 1024,
  l3CacheSize: 1024 * 1024,
  machine: 'x86_64',
  system: 'Linux',
};

/** `blosc2.MAX_BUFFERSIZE` and `blosc2.MAX_BLOCKSIZE`. */
const MAX_BUFFERSIZE = 2147483615;
const MAX_BLOCKSIZE = 536866816;

/** The divisor of `a` closest to `b` (blosc2_ext.pyx `nearest_divisor`). */
export function nearestDivisor(a: number, b: number, strict = false): number {
  if (a > 100_000 || strict) {
    for (let i = b; i > 0; i--) if (a % i === 0) return i;
    return 1;
  }
  let closest = 1;
  let minDiff = a;
  let found = false;
  for (let i = 1; i * i <= a; i++) {
    if (a % i === 0) {
      let diff = Math.abs(i - b);
      if (diff < minDiff) {
        minDiff = diff;
        closest = i;
        found = true;
      }
      const q = Math.floor(a / i);
      diff = Math.abs(q - b);
      if (diff < minDiff) {
        minDiff = diff;
        closest = q;
        found = true;
      }
    }
  }
  return found ? closest : 1;
}

/** Split `nitems` over `maxshape`, filling trailing dimensions first (core.py `compute_partition`). */
export function computePartition(nitems: number, maxshape: readonly number[], minpart?: readonly number[]): number[] {
  if (maxshape.includes(0)) fail(BloscErrorCode.InvalidParam, 'shapes with 0 dims are not supported');
  if (nitems === 0) fail(BloscErrorCode.InvalidParam, 'zero-sized partitions are not supported');
  let maxItems = nitems;
  const mins = minpart ?? maxshape.map(() => 1);
  const partition = maxshape.map(() => 1);
  for (let k = maxshape.length - 1; k >= 0; k--) {
    if (maxItems <= 1) break;
    const size = maxshape[k]!;
    const minsize = mins[k]!;
    let rsize = Math.max(size, minsize);
    if (rsize <= maxItems) {
      rsize = size % rsize === 0 ? rsize : nearestDivisor(size, rsize);
    } else {
      rsize = Math.max(maxItems, minsize);
      const newRsize = size % rsize === 0 ? rsize : nearestDivisor(size, rsize, true);
      if (Math.floor(rsize / 2) < newRsize && newRsize < rsize * 2) rsize = newRsize;
    }
    partition[k] = rsize;
    maxItems = Math.floor(maxItems / rsize);
  }
  return partition;
}

/** core.py `get_chunksize`. */
export function getChunksize(blocksize: number, caches: CacheSizes, l3Minimum = 4 * 2 ** 20, l3Maximum = 2 ** 26, reducFactor = 4): number {
  let chunksize = blocksize;
  if (blocksize * 32 < l3Maximum) chunksize = blocksize * 32;
  const l3 = caches.l3CacheSize;
  const l2 = caches.l2CacheSize;
  if (Number.isInteger(l3) && l3 > 0 && Number.isInteger(l2) && l3 > l2) chunksize = l3;
  chunksize = Math.floor(chunksize / reducFactor);
  if (Number.isInteger(l2) && l2 > chunksize) {
    chunksize = caches.system === 'Darwin' ? l2 : Math.max(Math.floor(l2 / reducFactor), chunksize);
  }
  if (chunksize < l3Minimum) chunksize = l3Minimum;
  if (chunksize > MAX_BUFFERSIZE) chunksize = MAX_BUFFERSIZE;
  if (chunksize < blocksize) chunksize = blocksize;
  return chunksize;
}

/**
 * Chunk and block shapes for an array of `shape` and `itemsize` (core.py
 * `compute_chunks_blocks` for the regular codecs: the lossy ZFP/NDLZ codecs, which ask
 * the compressor for a hint, are not covered). Given `chunks` or `blocks` are validated
 * and kept, or completed, exactly as python-blosc2 does.
 */
export function computeChunksBlocks(
  shape: readonly number[],
  itemsize: number,
  chunks?: readonly number[] | null,
  blocks?: readonly number[] | null,
  caches: CacheSizes = DEFAULT_CACHE_SIZES,
): { chunks: number[]; blocks: number[] } {
  const given = (v: readonly number[] | null | undefined): v is readonly number[] => v !== undefined && v !== null;
  if (shape.includes(0) && !given(chunks) && !given(blocks)) return { chunks: [...shape], blocks: [...shape] };
  for (const [list, what] of [[blocks, 'blocks'], [chunks, 'chunks']] as const) {
    // python tests truthiness: an empty list (0-d) skips the checks.
    if (given(list) && list.length > 0) {
      if (list.length !== shape.length) fail(BloscErrorCode.InvalidParam, `${what} should have the same length as shape`);
      list.forEach((v, i) => {
        if (v === 0 && shape[i] !== 0) fail(BloscErrorCode.InvalidParam, `${what} cannot contain 0 dimension if shape is not zero`);
      });
    }
  }
  if (given(chunks) && given(blocks)) {
    blocks.forEach((b, i) => {
      if (b > chunks[i]!) fail(BloscErrorCode.InvalidParam, 'blocks cannot be greater than chunks');
    });
    return { chunks: [...chunks], blocks: [...blocks] };
  }
  let blocksize: number;
  if (!given(blocks)) {
    blocksize = 32 * 1024;
    let minBlocksize = blocksize;
    if (caches.machine === 'x86_64') {
      minBlocksize = Math.floor(caches.l2CacheSize / 4);
      if (caches.l2CacheSize >= 2 ** 21) minBlocksize = caches.l1DataCacheSize * 4;
    } else if (caches.system === 'Darwin' && caches.machine.includes('arm')) {
      minBlocksize = caches.l1DataCacheSize;
    } else if (Number.isInteger(caches.l1DataCacheSize)) {
      minBlocksize = caches.l1DataCacheSize;
    }
    if (blocksize < minBlocksize) blocksize = minBlocksize;
    if (blocksize < itemsize) blocksize = itemsize;
  } else {
    blocksize = blocks.reduce((a, b) => a * b, 1) * itemsize;
  }
  if (blocksize > MAX_BLOCKSIZE) fail(BloscErrorCode.InvalidParam, 'blocksize is too large: it cannot exceed MAX_BLOCKSIZE (~512MB)');
  const maxshape = given(chunks) ? chunks : shape;
  const newBlocks = computePartition(Math.floor(blocksize / itemsize), maxshape);
  if (given(chunks)) return { chunks: [...chunks], blocks: newBlocks };
  blocksize = newBlocks.reduce((a, b) => a * b, 1) * itemsize;
  let chunksize = getChunksize(blocksize, caches);
  if (chunksize % blocksize !== 0) chunksize = Math.floor(chunksize / blocksize) * blocksize;
  const partition = computePartition(Math.floor(chunksize / itemsize), shape, newBlocks);
  const newChunks = partition.map((c, i) => {
    const b = newBlocks[i]!;
    return Math.min(shape[i]!, c % b === 0 ? c : (Math.floor(c / b) + 1) * b);
  });
  return { chunks: newChunks, blocks: newBlocks };
}
