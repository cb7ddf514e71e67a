/**
 * Training a zstd dictionary from samples, after libzstd's `ZDICT_trainFromBuffer`
 * (lib/dictBuilder/zdict.c), which runs `ZDICT_optimizeTrainFromBuffer_fastCover`
 * (lib/dictBuilder/fastcover.c) with d = 8, f = 20, accel = 1 and k from 50 to 2000 in 4
 * steps, training on the first 75% of the samples and scoring each k on the rest.
 *
 * The segment selection is libzstd's (`FASTCOVER_computeFrequency`,
 * `FASTCOVER_selectSegment`, `FASTCOVER_buildDictionary`, `COVER_computeEpochs`), so the
 * content chosen for a given k is the content libzstd chooses. Two steps differ: each k is
 * scored by compressing the test samples at level 1 with the content as a raw dictionary
 * (libzstd scores the finalized dictionary at level 3), and the result is that raw
 * content, without the entropy tables `ZDICT_finalizeDictionary` would put in front. The
 * dictionary is therefore not libzstd's bytes; any zstd decoder reads frames made with it
 * (a dictionary without the magic number is raw content).
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { createZstdCDict, zstdCompressBound, zstdCompressUsingCDict } from '../zstd-encoder/index.js';
import { hashPtr, sourceView } from '../zstd-encoder/match-state.js';

/** `ZDICT_DICTSIZE_MIN`. */
export const ZDICT_DICTSIZE_MIN = 256;
const D = 8;
const F = 20;
const K_MIN = 50;
const K_MAX = 2000;
const K_STEPS = 4;
const SPLIT_POINT = 0.75;
const MAX_ZERO_SCORE_RUN = 10;

interface Segment {
  begin: number;
  end: number;
  score: number;
}

/**
 * Train a dictionary of at most `maxSize` bytes from `samples`, the concatenation of
 * samples of the given sizes. Throws InvalidParam where libzstd's trainer fails (fewer
 * than 256 bytes of room, fewer than 5 training samples or no test sample, too little
 * data); a caller like c-blosc2 then compresses without a dictionary.
 */
export function trainZstdDictionary(samples: Uint8Array, sampleSizes: readonly number[], maxSize: number): Uint8Array {
  if (!Number.isInteger(maxSize) || maxSize < ZDICT_DICTSIZE_MIN) {
    fail(BloscErrorCode.InvalidParam, `zstd dictionary: room for ${maxSize} bytes, at least ${ZDICT_DICTSIZE_MIN} needed`);
  }
  const nbSamples = sampleSizes.length;
  const offsets = new Float64Array(nbSamples + 1);
  for (let i = 0; i < nbSamples; i++) {
    const size = sampleSizes[i]!;
    if (!Number.isInteger(size) || size < 0) fail(BloscErrorCode.InvalidParam, `zstd dictionary: invalid sample size ${size}`);
    offsets[i + 1] = offsets[i]! + size;
  }
  const total = offsets[nbSamples]!;
  if (total > samples.length) fail(BloscErrorCode.InvalidParam, `zstd dictionary: sample sizes add up to ${total}, past the ${samples.length} bytes given`);
  const nbTrain = Math.floor(nbSamples * SPLIT_POINT);
  const nbTest = nbSamples - nbTrain;
  if (total < D) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: too little sample data');
  if (nbTrain < 5) fail(BloscErrorCode.InvalidParam, `zstd dictionary: ${nbTrain} training samples, at least 5 needed`);
  if (nbTest < 1) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: no test sample');
  const trainSize = offsets[nbTrain]!;
  if (trainSize < D) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: too little training data');

  const ctx = new FastCoverContext(samples, offsets, nbTrain);
  const kStep = Math.max(Math.floor((K_MAX - K_MIN) / K_STEPS), 1);
  let best: Uint8Array | null = null;
  let bestSize = Infinity;
  for (let k = K_MIN; k <= K_MAX; k += kStep) {
    if (k > maxSize) continue; // FASTCOVER_checkParameters
    const dict = ctx.build(maxSize, k);
    if (dict.length === 0) continue;
    const size = testCompressedSize(samples, offsets, nbTrain, nbSamples, dict);
    if (size < bestSize) {
      bestSize = size;
      best = dict;
    }
  }
  if (best === null) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: the samples gave no content');
  return best;
}

/**
 * The content libzstd's fastCover (d = 8, f = 20, accel = 1) selects with segment size
 * `k` for a dictionary of `capacity` bytes, training on the first `nbTrain` samples
 * (`FASTCOVER_ctx_init` + `FASTCOVER_buildDictionary`). The content fills the room from
 * its end, so it can be shorter than `capacity`.
 */
export function fastCoverContent(samples: Uint8Array, sampleSizes: readonly number[], nbTrain: number, capacity: number, k: number): Uint8Array {
  const offsets = new Float64Array(sampleSizes.length + 1);
  for (let i = 0; i < sampleSizes.length; i++) offsets[i + 1] = offsets[i]! + sampleSizes[i]!;
  if (nbTrain < 1 || nbTrain > sampleSizes.length || offsets[nbTrain]! < D || offsets[sampleSizes.length]! > samples.length) {
    fail(BloscErrorCode.InvalidParam, 'zstd dictionary: not enough training data');
  }
  if (k < D || !Number.isInteger(k) || !Number.isInteger(capacity) || capacity < 1) fail(BloscErrorCode.InvalidParam, `zstd dictionary: invalid k ${k} or capacity ${capacity}`);
  return new FastCoverContext(samples, offsets, nbTrain).build(capacity, k);
}

/** Frequencies and d-mer hashes of the training samples, shared by the k values tried. */
class FastCoverContext {
  private readonly freqs: Uint32Array;
  /** The d-mer hash of every training position, computed once for all segment searches. */
  private readonly dmerHash: Int32Array;
  private readonly nbDmers: number;
  private readonly work = new Uint32Array(1 << F);
  private readonly segmentFreqs = new Uint16Array(1 << F);

  constructor(private readonly samples: Uint8Array, offsets: Float64Array, nbTrain: number) {
    const v = sourceView(samples);
    this.freqs = computeFrequency(v, offsets, nbTrain);
    this.nbDmers = offsets[nbTrain]! - D + 1;
    this.dmerHash = new Int32Array(this.nbDmers);
    for (let i = 0; i < this.nbDmers; i++) this.dmerHash[i] = hashPtr(v, i, F, D);
  }

  build(capacity: number, k: number): Uint8Array {
    this.work.set(this.freqs);
    return buildDictionary(this.samples, this.dmerHash, this.work, this.segmentFreqs, this.nbDmers, capacity, k);
  }
}

/** `FASTCOVER_computeFrequency` (accel 1: every position): d-mer hash counts over the training samples. */
function computeFrequency(v: DataView, offsets: Float64Array, nbTrain: number): Uint32Array {
  const freqs = new Uint32Array(1 << F);
  for (let i = 0; i < nbTrain; i++) {
    const end = offsets[i + 1]!;
    for (let start = offsets[i]!; start + D <= end; start++) freqs[hashPtr(v, start, F, D)]!++;
  }
  return freqs;
}

/**
 * `FASTCOVER_buildDictionary`: one best segment per epoch, round robin over the epochs,
 * each placed before the previous ones (best segments end up nearest the data), until the
 * room is full or ten epochs in a row have nothing left.
 */
function buildDictionary(
  samples: Uint8Array, dmerHash: Int32Array, freqs: Uint32Array, segmentFreqs: Uint16Array, nbDmers: number, capacity: number, k: number,
): Uint8Array {
  const dict = new Uint8Array(capacity);
  let tail = capacity;
  // COVER_computeEpochs with one pass.
  let epochNum = Math.max(1, Math.floor(capacity / k));
  let epochSize = Math.floor(nbDmers / epochNum);
  if (epochSize < k * 10) {
    epochSize = Math.min(k * 10, nbDmers);
    epochNum = Math.floor(nbDmers / epochSize);
  }
  const segment: Segment = { begin: 0, end: 0, score: 0 };
  let zeroScoreRun = 0;
  for (let epoch = 0; tail > 0; epoch = (epoch + 1) % epochNum) {
    const epochBegin = epoch * epochSize;
    selectSegment(dmerHash, freqs, segmentFreqs, epochBegin, epochBegin + epochSize, k, segment);
    if (segment.score === 0) {
      if (++zeroScoreRun >= MAX_ZERO_SCORE_RUN) break;
      continue;
    }
    zeroScoreRun = 0;
    const segmentSize = Math.min(segment.end - segment.begin + D - 1, tail);
    if (segmentSize < D) break;
    tail -= segmentSize;
    dict.set(samples.subarray(segment.begin, segment.begin + segmentSize), tail);
  }
  return dict.slice(tail);
}

/**
 * `FASTCOVER_selectSegment`: the window of k − d + 1 d-mers in [begin, end) whose distinct
 * hashes have the largest total frequency; those hashes' frequencies are then zeroed.
 */
function selectSegment(
  dmerHash: Int32Array, freqs: Uint32Array, segmentFreqs: Uint16Array, begin: number, end: number, k: number, best: Segment,
): void {
  const dmersInK = k - D + 1;
  let bestBegin = 0;
  let bestEnd = 0;
  let bestScore = 0;
  let activeBegin = begin;
  let activeEnd = begin;
  let score = 0;
  while (activeEnd < end) {
    const idx = dmerHash[activeEnd]!;
    if (segmentFreqs[idx] === 0) score += freqs[idx]!;
    activeEnd++;
    segmentFreqs[idx]!++;
    if (activeEnd - activeBegin === dmersInK + 1) {
      const del = dmerHash[activeBegin]!;
      segmentFreqs[del]!--;
      if (segmentFreqs[del] === 0) score -= freqs[del]!;
      activeBegin++;
    }
    if (score > bestScore) {
      bestScore = score;
      bestBegin = activeBegin;
      bestEnd = activeEnd;
    }
  }
  while (activeBegin < end) {
    segmentFreqs[dmerHash[activeBegin]!]!--;
    activeBegin++;
  }
  for (let pos = bestBegin; pos !== bestEnd; pos++) freqs[dmerHash[pos]!] = 0;
  best.begin = bestBegin;
  best.end = bestEnd;
  best.score = bestScore;
}

/** Total compressed size of the test samples with `dict` as a raw dictionary at level 1. */
function testCompressedSize(samples: Uint8Array, offsets: Float64Array, first: number, last: number, dict: Uint8Array): number {
  const cdict = createZstdCDict(dict, 1);
  let maxSample = 0;
  for (let i = first; i < last; i++) maxSample = Math.max(maxSample, offsets[i + 1]! - offsets[i]!);
  const out = new Uint8Array(zstdCompressBound(maxSample));
  let total = 0;
  for (let i = first; i < last; i++) {
    const start = offsets[i]!;
    const n = offsets[i + 1]! - start;
    total += zstdCompressUsingCDict(samples, start, n, out, 0, out.length, cdict);
  }
  return total;
}
