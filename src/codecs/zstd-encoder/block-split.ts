/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Choosing where a full 128 KiB block ends (libzstd 1.5.7 `ZSTD_optimalBlockSize` in
 * zstd_compress.c and lib/compress/zstd_preSplit.c). Cutting where the byte statistics
 * change lets each block carry entropy tables that fit its data, which matters for
 * byte-shuffled numeric data: its streams are planes with very different statistics.
 *
 * - the first full block, and any block while the frame has not yet saved bytes, is 128 KiB;
 * - strategy fast: compare byte histograms of the first, middle and last 512 bytes and cut
 *   at 32, 64 or 96 KiB, or not at all (`ZSTD_splitBlock_fromBorders`);
 * - stronger strategies: walk 8 KiB chunks, sampling every 43rd/11th/5th/1st position into a
 *   2-byte-hash histogram, and cut before the first chunk that differs too much from the
 *   chunks before it (`ZSTD_splitBlock_byChunks`).
 */
import { splitByChunksWasm } from './block-split-wasm.js';
import { BLOCKSIZE_MAX } from './params.js';

const CHUNKSIZE = 8 << 10;
const SEGMENT_SIZE = 512;
const THRESHOLD_PENALTY_RATE = 16;
const THRESHOLD_BASE = THRESHOLD_PENALTY_RATE - 2;
const THRESHOLD_PENALTY = 3;
const KNUTH = 0x9e3779b9 | 0;

/** Split level per strategy, fast .. btultra2 (`splitLevels` in ZSTD_optimalBlockSize). */
const SPLIT_LEVELS = [0, 0, 1, 2, 2, 3, 3, 4, 4, 4];
/** Sampling rate and hash size of the chunk walk for split levels 1..4. */
const SAMPLING_RATES = [43, 11, 5, 1];
const HASH_LOGS = [8, 9, 10, 10];

/**
 * Event counts are integers below 2^17 (at most 15 chunks of 8 KiB sampled), so they are kept
 * in Int32Arrays (an integer increment is cheaper than a double one) and their products in
 * `fpDistance` (below 2^34) are exact in doubles.
 */
export class SplitScratch {
  readonly past = new Int32Array(1 << 10);
  readonly next = new Int32Array(1 << 10);
  readonly middle = new Int32Array(1 << 8);
  pastEvents = 0;
  nextEvents = 0;
}

function recordFingerprint(
  fp: Int32Array,
  src: Uint8Array,
  p: number,
  size: number,
  rate: number,
  hashLog: number,
): number {
  fp.fill(0, 0, 1 << hashLog);
  const limit = size - 2 + 1;
  if (hashLog === 8) {
    for (let n = 0; n < limit; n += rate) fp[src[p + n]!]! += 1;
  } else {
    const shift = 32 - hashLog;
    for (let n = 0; n < limit; n += rate) {
      const v = src[p + n]! | (src[p + n + 1]! << 8);
      fp[Math.imul(v, KNUTH) >>> shift]! += 1;
    }
  }
  return Math.floor(limit / rate);
}

/** Σ |a[n]·nb − b[n]·na| (`fpDistance`); exact in doubles for these magnitudes. */
function fpDistance(a: Int32Array, na: number, b: Int32Array, nb: number, hashLog: number): number {
  let d = 0;
  const size = 1 << hashLog;
  for (let n = 0; n < size; n++) d += Math.abs(a[n]! * nb - b[n]! * na);
  return d;
}

function tooDifferent(a: Int32Array, na: number, b: Int32Array, nb: number, penalty: number, hashLog: number): boolean {
  const p50 = na * nb;
  const deviation = fpDistance(a, na, b, nb, hashLog);
  const threshold = Math.floor((p50 * (THRESHOLD_BASE + penalty)) / THRESHOLD_PENALTY_RATE);
  return deviation >= threshold;
}

function splitByChunks(src: Uint8Array, p: number, level: number, ws: SplitScratch): number {
  const rate = SAMPLING_RATES[level]!;
  const hashLog = HASH_LOGS[level]!;
  let penalty = THRESHOLD_PENALTY;
  let pastEvents = recordFingerprint(ws.past, src, p, CHUNKSIZE, rate, hashLog);
  for (let pos = CHUNKSIZE; pos <= BLOCKSIZE_MAX - CHUNKSIZE; pos += CHUNKSIZE) {
    const nextEvents = recordFingerprint(ws.next, src, p + pos, CHUNKSIZE, rate, hashLog);
    if (tooDifferent(ws.past, pastEvents, ws.next, nextEvents, penalty, hashLog)) return pos;
    const size = 1 << hashLog;
    const past = ws.past;
    const next = ws.next;
    for (let n = 0; n < size; n++) past[n] = past[n]! + next[n]!;
    pastEvents += nextEvents;
    if (penalty > 0) penalty--;
  }
  return BLOCKSIZE_MAX;
}

function byteHistogram(fp: Int32Array, src: Uint8Array, p: number, n: number): void {
  fp.fill(0, 0, 256);
  for (let i = 0; i < n; i++) fp[src[p + i]!]! += 1;
}

function splitFromBorders(src: Uint8Array, p: number, ws: SplitScratch): number {
  byteHistogram(ws.past, src, p, SEGMENT_SIZE);
  byteHistogram(ws.next, src, p + BLOCKSIZE_MAX - SEGMENT_SIZE, SEGMENT_SIZE);
  if (!tooDifferent(ws.past, SEGMENT_SIZE, ws.next, SEGMENT_SIZE, 0, 8)) return BLOCKSIZE_MAX;
  byteHistogram(ws.middle, src, p + BLOCKSIZE_MAX / 2 - SEGMENT_SIZE / 2, SEGMENT_SIZE);
  const distFromBegin = fpDistance(ws.past, SEGMENT_SIZE, ws.middle, SEGMENT_SIZE, 8);
  const distFromEnd = fpDistance(ws.next, SEGMENT_SIZE, ws.middle, SEGMENT_SIZE, 8);
  const minDistance = Math.floor((SEGMENT_SIZE * SEGMENT_SIZE) / 3);
  if (Math.abs(distFromBegin - distFromEnd) < minDistance) return 64 * 1024;
  return distFromBegin > distFromEnd ? 32 * 1024 : 96 * 1024;
}

/**
 * Size of the next block given `remaining` bytes at src[p..], the largest block size
 * allowed, the strategy, and what the frame has saved so far. `srcHeap` is the address of
 * src[0] in the shared memory when the source is there (the chunk walk then runs as
 * WebAssembly, block-split-wasm.ts), else -1.
 */
export function optimalBlockSize(
  src: Uint8Array,
  p: number,
  remaining: number,
  blockSizeMax: number,
  strategy: number,
  savings: number,
  ws: SplitScratch,
  srcHeap = -1,
): number {
  if (remaining < BLOCKSIZE_MAX || blockSizeMax < BLOCKSIZE_MAX) return Math.min(remaining, blockSizeMax);
  if (savings < 3) return BLOCKSIZE_MAX;
  const level = SPLIT_LEVELS[strategy]!;
  if (level === 0) return splitFromBorders(src, p, ws);
  if (srcHeap >= 0) {
    const cut = splitByChunksWasm((srcHeap + p) | 0, SAMPLING_RATES[level - 1]!, HASH_LOGS[level - 1]!);
    if (cut >= 0) return cut;
  }
  return splitByChunks(src, p, level - 1, ws);
}
