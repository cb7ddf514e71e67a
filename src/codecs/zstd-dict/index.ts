/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/dictBuilder/zdict.c, fastcover.c,
 * cover.c; license in THIRD_PARTY_NOTICES.md.
 *
 * Training a zstd dictionary from samples, after libzstd's `ZDICT_trainFromBuffer`
 * (lib/dictBuilder/zdict.c), which runs `ZDICT_optimizeTrainFromBuffer_fastCover`
 * (lib/dictBuilder/fastcover.c) with d = 8, f = 20, accel = 1 and k from 50 to 2000 in 4
 * steps, training on the first 75% of the samples and scoring each k on the rest.
 *
 * The segment selection (`FASTCOVER_computeFrequency`, `FASTCOVER_selectSegment`,
 * `FASTCOVER_buildDictionary`, `COVER_computeEpochs`), the finalize step
 * (`ZDICT_finalizeDictionary`, `ZDICT_analyzeEntropy`: id from XXH64 of the content,
 * Huffman and FSE tables from the samples parsed at level 3 against the content, repeat
 * offsets 1, 4, 8) and the scoring of each k (`COVER_selectDict`,
 * `COVER_checkTotalCompressedSize`: dictionary size plus the test samples compressed at
 * level 3 with it) are libzstd's, so the dictionary is libzstd's bytes.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { xxhash64 } from '../zstd/xxhash64.js';
import { ZstdEncoderState, createZstdCDict, parseWithCDict, zstdCompressBound, zstdCompressUsingCDict } from '../zstd-encoder/index.js';
import { adjustParams, paramsWithDict } from '../zstd-encoder/dictionary.js';
import { normalizeCount, writeNCount } from '../zstd-encoder/fse-encoder.js';
import { HufCTable, HufScratch, buildHuffmanCTable, writeHuffmanCTable } from '../zstd-encoder/huffman-encoder.js';
import { hashPtr, sourceView } from '../zstd-encoder/match-state.js';
import { highBit } from '../zstd-encoder/params.js';
import { MAX_LL, MAX_ML } from '../zstd-encoder/sequences.js';

/** `ZDICT_DICTSIZE_MIN`. */
export const ZDICT_DICTSIZE_MIN = 256;
const D = 8;
const F = 20;
const K_MIN = 50;
const K_MAX = 2000;
const K_STEPS = 4;
const SPLIT_POINT = 0.75;
const MAX_ZERO_SCORE_RUN = 10;
/** `ZSTD_CLEVEL_DEFAULT`: ZDICT_trainFromBuffer finalizes and scores at this level. */
const TRAIN_LEVEL = 3;

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
    const content = ctx.build(maxSize, k);
    if (content.length === 0) continue;
    // COVER_selectDict: finalize with the training samples, score on the test samples.
    const dict = finalizeZstdDictionary(content, samples, sampleSizes, nbTrain, maxSize, TRAIN_LEVEL);
    const size = testCompressedSize(samples, offsets, nbTrain, nbSamples, dict, TRAIN_LEVEL);
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

/** The dictionary's size plus the compressed sizes of the test samples with it (`COVER_checkTotalCompressedSize`). */
function testCompressedSize(samples: Uint8Array, offsets: Float64Array, first: number, last: number, dict: Uint8Array, level: number): number {
  const cdict = createZstdCDict(dict, level);
  let maxSample = 0;
  for (let i = first; i < last; i++) maxSample = Math.max(maxSample, offsets[i + 1]! - offsets[i]!);
  const out = new Uint8Array(zstdCompressBound(maxSample));
  // COVER_checkTotalCompressedSize counts the dictionary too.
  let total = dict.length;
  for (let i = first; i < last; i++) {
    const start = offsets[i]!;
    const n = offsets[i + 1]! - start;
    total += zstdCompressUsingCDict(samples, start, n, out, 0, out.length, cdict);
  }
  return total;
}

const DICT_MAGIC = 0xec30a437;
/** `OFFCODE_MAX` of the trainer: offset codes a dictionary's first block may use. */
const OFFCODE_MAX = 30;
const HUF_LOG = 11;
const OF_LOG = 8;
const ML_LOG = 9;
const LL_LOG = 9;
const REP_START = [1, 4, 8] as const;

/**
 * `ZDICT_finalizeDictionary`: a formatted dictionary of at most `capacity` bytes around
 * `content` (header, entropy tables from the first `nbSamples` samples, then the
 * content, cut at its end if the header leaves less room, padded to 8 bytes with zeros
 * in front), the samples parsed at zstd `level` (a fast level: 1, 2 or negative).
 * Throws InvalidParam where libzstd fails.
 */
export function finalizeZstdDictionary(
  content: Uint8Array, samples: Uint8Array, sampleSizes: readonly number[], nbSamples: number, capacity: number, level = 1,
): Uint8Array {
  if (capacity < content.length || capacity < ZDICT_DICTSIZE_MIN) fail(BloscErrorCode.InvalidParam, `zstd dictionary: room for ${capacity} bytes is too small`);
  const header = new Uint8Array(8 + 1024);
  writeLE32(header, 0, DICT_MAGIC);
  const randomId = xxhash64(content, 0, content.length, 0);
  writeLE32(header, 4, Number(randomId % BigInt(2 ** 31 - 32768)) + 32768);
  const eSize = analyzeEntropy(header, 8, content, samples, sampleSizes, nbSamples, level);
  const hSize = 8 + eSize;
  let contentSize = content.length;
  if (hSize + contentSize > capacity) contentSize = capacity - hSize;
  const minContentSize = Math.max(REP_START[0], REP_START[1], REP_START[2]);
  let padding = 0;
  if (contentSize < minContentSize) {
    if (hSize + minContentSize > capacity) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: no room for the content');
    padding = minContentSize - contentSize;
  }
  const out = new Uint8Array(hSize + padding + contentSize);
  out.set(header.subarray(0, hSize), 0);
  out.set(content.subarray(0, contentSize), hSize + padding);
  return out;
}

function writeLE32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

/**
 * `ZDICT_analyzeEntropy`: parse each sample against the content, count literals and
 * sequence codes (every symbol counted once to start with), and write the Huffman table
 * (log 11) and the offset, match-length and literal-length distributions, then the
 * repeat offsets, at out[op..]. Returns the bytes written.
 */
function analyzeEntropy(
  out: Uint8Array, op: number, content: Uint8Array, samples: Uint8Array, sampleSizes: readonly number[], nbSamples: number, level: number,
): number {
  const offcodeMax = highBit(content.length + 128 * 1024);
  if (offcodeMax > OFFCODE_MAX) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: content too large');
  const countLit = new Uint32Array(256).fill(1);
  const offCount = new Uint32Array(OFFCODE_MAX + 1);
  offCount.fill(1, 0, offcodeMax + 1);
  const mlCount = new Uint32Array(MAX_ML + 1).fill(1);
  const llCount = new Uint32Array(MAX_LL + 1).fill(1);
  // ZSTD_getParams(level, average sample size, content size), given to
  // ZSTD_createCDict_advanced, which adjusts them again for an unknown source size.
  let totalSize = 0;
  for (let u = 0; u < nbSamples; u++) totalSize += sampleSizes[u]!;
  const average = Math.floor(totalSize / Math.max(nbSamples, 1));
  const given = paramsWithDict(level, average === 0 ? -1 : average, content.length, 'unknown');
  const cdict = createZstdCDict(content, level, true, adjustParams(given, -1, content.length, 'createCDict'));
  const state = new ZstdEncoderState();
  let pos = 0;
  for (let u = 0; u < nbSamples; u++) {
    const size = sampleSizes[u]!;
    // ZDICT_countEStats looks at most at one block of its own parameters' size.
    const ss = parseWithCDict(samples, pos, Math.min(size, 128 * 1024, 2 ** given.windowLog), cdict, state);
    pos += size;
    if (ss === null) continue;
    for (let i = 0; i < ss.litLength; i++) countLit[ss.lit[i]!]!++;
    for (let i = 0; i < ss.nbSeq; i++) {
      offCount[ss.ofCode[i]!]!++;
      mlCount[ss.mlCode[i]!]!++;
      llCount[ss.llCode[i]!]!++;
    }
  }

  const huf = new HufCTable();
  const ws = new HufScratch();
  let maxNbBits = buildHuffmanCTable(huf, countLit, 255, HUF_LOG, ws);
  if (maxNbBits === 8) {
    // ZDICT_flatLit: a flat table cannot be written; use a nearly flat one that can.
    countLit.fill(2);
    countLit[0] = 4;
    countLit[253] = 1;
    countLit[254] = 1;
    maxNbBits = buildHuffmanCTable(huf, countLit, 255, HUF_LOG, ws);
  }
  const ofNorm = new Int16Array(OFFCODE_MAX + 1);
  const mlNorm = new Int16Array(MAX_ML + 1);
  const llNorm = new Int16Array(MAX_LL + 1);
  if (!normalizeCount(ofNorm, OF_LOG, offCount, sum(offCount, offcodeMax), offcodeMax, true)
    || !normalizeCount(mlNorm, ML_LOG, mlCount, sum(mlCount, MAX_ML), MAX_ML, true)
    || !normalizeCount(llNorm, LL_LOG, llCount, sum(llCount, MAX_LL), MAX_LL, true)) {
    fail(BloscErrorCode.InvalidParam, 'zstd dictionary: statistics cannot be normalized');
  }
  const start = op;
  const end = out.length;
  const hufSize = writeHuffmanCTable(huf, out, op, end, ws);
  if (hufSize < 0) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: Huffman table cannot be written');
  op += hufSize;
  for (const [norm, maxSymbol, log] of [[ofNorm, OFFCODE_MAX, OF_LOG], [mlNorm, MAX_ML, ML_LOG], [llNorm, MAX_LL, LL_LOG]] as const) {
    const n = writeNCount(norm, maxSymbol, log, out, op, end);
    if (n < 0) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: distribution cannot be written');
    op += n;
  }
  if (end - op < 12) fail(BloscErrorCode.InvalidParam, 'zstd dictionary: no room for the repeat offsets');
  for (let i = 0; i < 3; i++) writeLE32(out, op + 4 * i, REP_START[i]!);
  op += 12;
  return op - start;
}

function sum(count: Uint32Array, maxSymbol: number): number {
  let total = 0;
  for (let s = 0; s <= maxSymbol; s++) total += count[s]!;
  return total;
}
