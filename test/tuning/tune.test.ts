import { describe, expect, it } from 'vitest';
import {
  BloscError, NDArray, SChunk, benchmark, chunkInfo, compress, decompress, scoreOf, timeCostPerByte, tune,
  DEFAULT_BANDWIDTH, FilterId,
} from '../../src/index.js';
import { paretoFront, resolveScoreOptions } from '../../src/tuning/score.js';
import { sampleOf } from '../../src/tuning/tune.js';
import { bytesEqual, mulberry32, poissonSample } from '../helpers.js';

function poissonInt32(n: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = poissonSample(20, r);
  return a;
}

function smoothFloat64(n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = 1000 + Math.sin(i / 3000) * 50 + i * 1e-3;
  return a;
}

describe('score', () => {
  it("is BTune's time cost at tradeoff 0 and the ratio at tradeoff 1", () => {
    const both = resolveScoreOptions({ tradeoff: 0 });
    // 10 MB/s compress, 100 MB/s decompress, ratio 4, 20 GiB/s link: cost per byte adds up.
    const t = timeCostPerByte(4, 10e6, 100e6, both);
    expect(t).toBeCloseTo(1 / 10e6 + 1 / 100e6 + 1 / (4 * DEFAULT_BANDWIDTH), 15);
    expect(scoreOf(4, 10e6, 100e6, both)).toBeCloseTo(1 / t / 1e6, 9);
    expect(scoreOf(4, 10e6, 100e6, resolveScoreOptions({ goal: 'ratio' }))).toBe(4);
    // Perf modes drop the other direction's time.
    expect(timeCostPerByte(4, 10e6, 100e6, resolveScoreOptions({ perf: 'compress' }))).toBeCloseTo(1 / 10e6 + 1 / (4 * DEFAULT_BANDWIDTH), 15);
    expect(timeCostPerByte(4, 10e6, 100e6, resolveScoreOptions({ perf: 'decompress' }))).toBeCloseTo(1 / 100e6 + 1 / (4 * DEFAULT_BANDWIDTH), 15);
    // A slow link makes the ratio count even for speed.
    const slow = resolveScoreOptions({ goal: 'speed', bandwidth: 1e6 });
    expect(scoreOf(4, 100e6, 100e6, slow)).toBeGreaterThan(scoreOf(1, 1000e6, 1000e6, slow));
  });

  it('refuses bad goals with a BloscError', () => {
    expect(() => resolveScoreOptions({ tradeoff: 2 })).toThrow(BloscError);
    expect(() => resolveScoreOptions({ goal: 'fast' as 'speed' })).toThrow(BloscError);
    expect(() => resolveScoreOptions({ bandwidth: 0 })).toThrow(BloscError);
  });

  it('marks the Pareto front', () => {
    expect(paretoFront([{ ratio: 2, speed: 10 }, { ratio: 1, speed: 5 }, { ratio: 1, speed: 20 }, { ratio: 3, speed: 1 }])).toEqual([true, false, true, true]);
  });
});

describe('tune', () => {
  it('samples a few windows spread over the input', () => {
    const data = new Uint8Array(1000);
    for (let i = 0; i < data.length; i++) data[i] = i & 255;
    const s = sampleOf(data, 10, 3, 2);
    expect(Array.from(s.subarray(0, 2))).toEqual([0, 1]);
    expect(Array.from(s.subarray(10, 12))).toEqual([494 & 255, 495 & 255]); // offset 495 rounded down to 494
    expect(Array.from(s.subarray(20, 22))).toEqual([990 & 255, 991 & 255]);
    expect(sampleOf(data, 500, 2, 1)).toBe(data);
  });

  it('picks a shuffle-type filter and a high-ratio codec for Poisson counts at goal ratio, and the prediction holds', () => {
    const data = poissonInt32(1 << 18, 7); // 1 MiB
    const r = tune(data, { goal: 'ratio', mode: 'deterministic' });
    expect(r.options.typesize).toBe(4);
    expect(['zstd', 'zlib', 'lz4hc']).toContain(r.options.codec);
    expect(r.options.filters.some((f) => f === FilterId.Shuffle || f === FilterId.BitShuffle)).toBe(true);
    expect(r.sampleBytes).toBeLessThan(data.byteLength);
    const chunk = compress(data, r.options);
    const actual = data.byteLength / chunk.length;
    expect(Math.abs(actual / r.predicted.ratio - 1)).toBeLessThan(0.1);
    expect(bytesEqual(decompress(chunk), new Uint8Array(data.buffer))).toBe(true);
    // Beats the plain default (blosclz, shuffle) on ratio.
    expect(actual).toBeGreaterThan(data.byteLength / compress(data).length);
  });

  it('at goal ratio comes within 3 % of the best ratio of a small grid over codec, high clevels, pipeline and block size', () => {
    const data = smoothFloat64(1 << 14); // 128 KiB
    // Deterministic: the search itself, not cut by the short default budget of a small input.
    const r = tune(data, { goal: 'ratio', mode: 'deterministic' });
    const ratioOf = (o: Parameters<typeof compress>[1]): number => data.byteLength / compress(data, o).length;
    const picked = ratioOf(r.options);
    let best = 0;
    for (const codec of ['zstd', 'zlib', 'lz4hc'] as const) {
      for (const clevel of [5, 9]) {
        for (const filters of [[FilterId.Shuffle], [FilterId.Shuffle, FilterId.ByteDelta]]) {
          for (const blocksize of [32 * 1024, 128 * 1024]) {
            best = Math.max(best, ratioOf({ codec, clevel, typesize: 8, filters, filtersMeta: filters.map((f) => (f === FilterId.ByteDelta ? 8 : 0)), blocksize }));
          }
        }
      }
    }
    expect(picked).toBeGreaterThanOrEqual(0.97 * best);
    expect(r.options.clevel).toBeGreaterThanOrEqual(5);
  });

  it('ends the search early on incompressible data', () => {
    const r0 = mulberry32(3);
    const noise = new Uint8Array(1 << 18);
    for (let i = 0; i < noise.length; i++) noise[i] = (r0() * 256) | 0;
    for (const goal of ['speed', 'balanced', 'ratio'] as const) {
      const onNoise = tune(noise, { goal, mode: 'deterministic', typesize: 1 });
      const onCounts = tune(poissonInt32(1 << 16, 5), { goal, mode: 'deterministic' });
      // Stage 1 (5 pipelines), one probe per pipeline and per other codec, each codec at level 1.
      expect(onNoise.evaluated).toBeLessThanOrEqual(5 + 5 + 2 * onNoise.options.clevel + 4);
      expect(onNoise.evaluated).toBeLessThan(onCounts.evaluated);
      expect(onNoise.predicted.ratio).toBeLessThan(1.02);
      expect(bytesEqual(decompress(compress(noise, onNoise.options)), noise)).toBe(true);
    }
  });

  it('is deterministic in deterministic mode', () => {
    const data = smoothFloat64(1 << 16);
    const a = tune(data, { goal: 'balanced', mode: 'deterministic' });
    const b = tune(data, { goal: 'balanced', mode: 'deterministic' });
    expect(a.options).toEqual(b.options);
    expect(a.score).toBe(b.score);
  });

  it('keeps to the candidate space it is given, and allows lossy TRUNC_PREC only when asked', () => {
    const data = smoothFloat64(1 << 15);
    const r = tune(data, { codecs: ['lz4'], filters: ['bitshuffle'], blocksizes: [16384], mode: 'deterministic' });
    expect(r.options.codec).toBe('lz4');
    expect(r.options.filters).toEqual([FilterId.BitShuffle]);
    expect(r.options.blocksize).toBe(16384);
    const lossy = tune(data, { goal: 'ratio', truncPrecBits: 20, mode: 'deterministic' });
    expect(lossy.options.filters[0]).toBe(FilterId.TruncPrec);
    expect(lossy.options.filtersMeta[0]).toBe(20);
    expect(lossy.predicted.ratio).toBeGreaterThan(tune(data, { goal: 'ratio', mode: 'deterministic' }).predicted.ratio);
    expect(() => tune(new Int32Array(100), { truncPrecBits: 10, typesize: 2 })).toThrow(BloscError);
    expect(() => tune(data, { codecs: ['nope'] })).toThrow(BloscError);
    expect(() => tune(data, { filters: ['sorted' as 'none'] })).toThrow(BloscError);
  });

  it('stops after the pipeline stage when the time budget is spent', () => {
    const data = poissonInt32(1 << 16, 21);
    const r = tune(data, { timeBudgetMs: 0 });
    expect(r.evaluated).toBe(5); // one configuration per default pipeline, nothing after
    expect(r.options.blocksize).toBe(32 * 1024);
    expect(tune(data, { mode: 'deterministic', timeBudgetMs: 0 }).evaluated).toBeGreaterThan(10); // the budget is a measured-mode notion
    expect(() => tune(data, { timeBudgetMs: -1 })).toThrow(BloscError);
  });

  it('measured, with speed counting, chooses on timings at the chosen block size over windows as large as the largest block', () => {
    // Runs of equal bytes whose length changes along the input: block size matters to the ratio.
    const r0 = mulberry32(11);
    const data = new Uint8Array(1 << 21); // 2 MiB
    for (let i = 0, v = 0; i < data.length; i++) {
      if (r0() < 0.01) v = (r0() * 4) | 0;
      data[i] = v;
    }
    const blocksizes = [16 * 1024, 64 * 1024];
    for (const goal of ['speed', 'balanced'] as const) {
      const r = tune(data, { goal, typesize: 1, blocksizes, timeBudgetMs: 5000 });
      expect(blocksizes).toContain(r.options.blocksize);
      // Storing competes with compression for goal speed only (tradeoff < 1/3).
      if (goal === 'balanced') expect(r.options.clevel).toBeGreaterThanOrEqual(1);
      // The prediction is the final stage's measurement: the chosen options on 4 windows of
      // the largest block size (a measurement on the 32 KiB sample scaled by a block-size gain
      // found on one window would not match exactly).
      const windows = sampleOf(data, 64 * 1024, 4, 1);
      expect(windows.length).toBe(4 * 64 * 1024);
      const onWindows = windows.length / compress(windows, r.options).length;
      expect(r.predicted.ratio).toBe(onWindows);
      expect(r.sampleBytes).toBe(4 * 32 * 1024);
      expect(bytesEqual(decompress(compress(data, r.options)), data)).toBe(true);
    }
  });

  it('measured, on data that does not compress, stores it (clevel 0) at the largest block size, timed on the final sample', () => {
    const r0 = mulberry32(7);
    const noise = new Uint8Array(1 << 21); // 2 MiB of random bytes
    for (let i = 0; i < noise.length; i++) noise[i] = (r0() * 256) | 0;
    const windows = sampleOf(noise, 256 * 1024, 4, 1);
    for (const goal of ['speed', 'balanced'] as const) {
      const r = tune(noise, { goal, typesize: 1, timeBudgetMs: 5000 });
      // Storing copies the input without running a codec on it: twice as fast as a codec's
      // copy (which tries each block first), the decoding alike.
      expect(r.options.clevel).toBe(0);
      // The block size does not matter to a stored chunk; it is the largest, as for a codec's
      // copy, whose cost is per block.
      expect(r.options.blocksize).toBe(256 * 1024);
      // The prediction is the copy stage's timing on 4 windows of the largest block: a
      // stored chunk (no smaller than its input), exactly as compress makes it there.
      const chunk = compress(windows, r.options);
      expect(chunk.length).toBeGreaterThanOrEqual(windows.length);
      expect(r.predicted.ratio).toBe(windows.length / chunk.length);
      expect(bytesEqual(decompress(compress(noise, r.options)), noise)).toBe(true);
    }
  });

  it('measured, goal speed: a leader stored at the largest block size wins there, not at a smaller one', () => {
    // Int64 timestamps, 1 ms apart with jitter: BloscLZ clevel 1 without a filter stores
    // every block (the fastest path for goal speed), SHUFFLE compresses them 3-4 times.
    const r0 = mulberry32(9);
    const ts = new BigInt64Array(1 << 18); // 2 MiB
    for (let i = 0; i < ts.length; i++) ts[i] = 1_765_000_000_000_000_000n + BigInt(i) * 1_000_000n + BigInt(Math.floor(r0() * 2000));
    const bytes = new Uint8Array(ts.buffer);
    const r = tune(ts, { goal: 'speed', codecs: ['blosclz'], filters: ['none', 'shuffle'], timeBudgetMs: 5000 });
    expect(r.options.filters).toEqual([]);
    expect(r.options.blocksize).toBe(256 * 1024);
    const windows = sampleOf(bytes, 256 * 1024, 4, 8);
    expect(compress(windows, r.options).length).toBeGreaterThanOrEqual(windows.length);
    expect(bytesEqual(decompress(compress(ts, r.options)), bytes)).toBe(true);
  });

  it('works on tiny and empty inputs', () => {
    for (const n of [0, 1, 7, 100]) {
      const data = new Uint8Array(n).fill(3);
      const r = tune(data, { typesize: 1, mode: 'deterministic' });
      expect(bytesEqual(decompress(compress(data, r.options)), data)).toBe(true);
    }
  });
});

describe('compress with tune', () => {
  it('tunes first, then compresses with the choice', () => {
    const data = poissonInt32(1 << 16, 3);
    const chunk = compress(data, { tune: { goal: 'ratio', mode: 'deterministic' } });
    const expected = tune(data, { goal: 'ratio', mode: 'deterministic' }).options;
    expect(chunkInfo(chunk).codec).toBe(expected.codec);
    expect(bytesEqual(chunk, compress(data, expected))).toBe(true);
    expect(bytesEqual(decompress(chunk), new Uint8Array(data.buffer))).toBe(true);
  });
});

describe('SChunk and NDArray with tune', () => {
  it('an SChunk tunes on its first chunk and again every repeatEvery chunks', () => {
    const first = new Uint8Array(smoothFloat64(8192).buffer);
    const r = mulberry32(5);
    const noise = new Uint8Array(65536);
    for (let i = 0; i < noise.length; i++) noise[i] = (r() * 256) | 0;
    const s = new SChunk({ chunksize: 65536, typesize: 8, cparams: { tune: { goal: 'ratio', mode: 'deterministic', repeatEvery: 2 } } });
    s.append(first);
    s.append(noise); // no re-tune: still the first chunk's choice
    s.append(noise); // re-tuned on random bytes
    const i0 = chunkInfo(s.getChunk(0));
    const i1 = chunkInfo(s.getChunk(1));
    const i2 = chunkInfo(s.getChunk(2));
    expect(i1.codec).toBe(i0.codec);
    expect(i1.filters).toEqual(i0.filters);
    const onFirst = tune(first, { goal: 'ratio', mode: 'deterministic', typesize: 8 }).options;
    const onNoise = tune(noise, { goal: 'ratio', mode: 'deterministic', typesize: 8 }).options;
    expect(bytesEqual(s.getChunk(0), compress(first, onFirst))).toBe(true);
    expect(bytesEqual(s.getChunk(1), compress(noise, onFirst))).toBe(true);
    expect(bytesEqual(s.getChunk(2), compress(noise, onNoise))).toBe(true);
    expect(i2.codec).toBe(onNoise.codec);
    const back = SChunk.open(s.toFrame());
    expect(bytesEqual(back.decompressChunk(0), first)).toBe(true);
    expect(bytesEqual(back.decompressChunk(2), noise)).toBe(true);
  });

  it('an NDArray tunes codec and filters but keeps its block', () => {
    const data = poissonInt32(100 * 100, 11);
    const plain = NDArray.fromTypedArray(data, { shape: [100, 100], chunks: [50, 100], blocks: [10, 100] });
    const tuned = NDArray.fromTypedArray(data, { shape: [100, 100], chunks: [50, 100], blocks: [10, 100], tune: { goal: 'ratio', mode: 'deterministic' } });
    expect(chunkInfo(tuned.schunk.getChunk(0)).blocksize).toBe(10 * 100 * 4);
    expect(tuned.schunk.cbytes).toBeLessThanOrEqual(plain.schunk.cbytes);
    expect(Array.from(NDArray.open(tuned.toFrame()).toTypedArray() as Int32Array)).toEqual(Array.from(data));
  });
});

describe('benchmark', () => {
  it('reports a row per configuration with round trips, scores and the Pareto front', () => {
    const data = poissonInt32(1 << 14, 9);
    let calls = 0;
    const rows = benchmark(data, { codecs: ['lz4', 'zstd'], clevels: [1, 5], filters: ['none', 'shuffle', 'bytedelta'], onProgress: () => calls++ });
    expect(rows.length).toBe(2 * 2 * 3);
    expect(calls).toBe(rows.length);
    for (const row of rows) {
      expect(row.roundTripOk).toBe(true);
      expect(row.ratio).toBeGreaterThan(0.9);
      expect(row.compressMBps).toBeGreaterThan(0);
      expect(row.score).toBeCloseTo(scoreOf(row.ratio, row.compressMBps * 1e6, row.decompressMBps * 1e6, resolveScoreOptions({})), 9);
    }
    const front = rows.filter((r) => r.pareto);
    expect(front.length).toBeGreaterThan(0);
    const bestRatio = Math.max(...rows.map((r) => r.ratio));
    expect(front.some((r) => r.ratio === bestRatio)).toBe(true);
    expect(rows.find((r) => r.codec === 'zstd' && r.pipeline === 'shuffle')!.ratio).toBeGreaterThan(rows.find((r) => r.codec === 'zstd' && r.pipeline === 'none')!.ratio);
  });
});
