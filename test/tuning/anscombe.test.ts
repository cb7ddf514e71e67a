import { describe, expect, it } from 'vitest';
import { FilterId, benchmark, compress, decompress, registerFilter } from '../../src/index.js';
import { anscombeFilter } from '../../examples/anscombe-filter.js';
import { mulberry32, poissonSample } from '../helpers.js';

const W = 128;
const H = 128;
const FRAMES = 4;
const GAIN = 2.5;
const OFFSET = 100;
const READ_NOISE = 3;

/** Photon-counting frames: a smooth illumination (2..200 photons) with Poisson counts. */
function counts(seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(W * H * FRAMES);
  for (let f = 0; f < FRAMES; f++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const mean = 2 + 198 * (0.5 + 0.5 * Math.sin(x / 17) * Math.cos(y / 23));
        out[(f * H + y) * W + x] = poissonSample(mean, r);
      }
    }
  }
  return out;
}

/** The same as a calibrated detector writes them: gain·counts + offset + Gaussian read noise. */
function calibrated(c: Float64Array, seed: number): Float64Array {
  const r = mulberry32(seed);
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) {
    const g = Math.sqrt(-2 * Math.log(r() || 1e-300)) * Math.cos(2 * Math.PI * r());
    out[i] = GAIN * c[i]! + OFFSET + READ_NOISE * g;
  }
  return out;
}

registerFilter(anscombeFilter({ id: 160 }));
registerFilter(anscombeFilter({ id: 161, gain: GAIN, offset: OFFSET, readNoise: READ_NOISE }));

const ZSTD5_BITSHUFFLE = { codec: 'zstd', clevel: 5, typesize: 8 } as const;

function ratioOf(data: Float64Array, filters: number[], filtersMeta: number[]): { ratio: number; back: Float64Array } {
  const chunk = compress(data, { ...ZSTD5_BITSHUFFLE, filters, filtersMeta });
  const out = decompress(chunk);
  return { ratio: data.byteLength / chunk.length, back: new Float64Array(out.buffer, out.byteOffset, out.length / 8) };
}

describe('generalised Anscombe transform as a user filter', () => {
  it('pure counts (meta 5): the inverse rounds back to the exact counts', () => {
    const data = counts(1);
    const without = ratioOf(data, [FilterId.BitShuffle], [0]);
    const withIt = ratioOf(data, [160, FilterId.BitShuffle], [5, 0]);
    expect(Array.from(withIt.back)).toEqual(Array.from(data));
    // Integer counts in float64 already leave most mantissa bits zero: BITSHUFFLE alone packs
    // them well, and a lossless step (q = 1/32) costs a little. The transform is for calibrated frames.
    console.log(`integer counts as float64, zstd 5 + bitshuffle: ${without.ratio.toFixed(2)}x without, ${withIt.ratio.toFixed(2)}x with Anscombe (meta 5, lossless)`);
    expect(withIt.ratio).toBeGreaterThan(4);
  });

  it('calibrated frames (gain, offset, read noise, meta 1): error within q/2 of the noise plus the curvature term, ratio several times higher', () => {
    const c = counts(2);
    const data = calibrated(c, 3);
    const meta = 1;
    const q = 2 ** -meta;
    const without = ratioOf(data, [FilterId.BitShuffle], [0]);
    const withIt = ratioOf(data, [161, FilterId.BitShuffle], [meta, 0]);
    let worst = 0;
    let belowFloor = 0;
    for (let i = 0; i < data.length; i++) {
      const a = GAIN * data[i]! + 0.375 * GAIN * GAIN + READ_NOISE * READ_NOISE - GAIN * OFFSET;
      if (a <= 0) {
        // Below the transform's floor (read noise under the dark level): decoded as the floor.
        belowFloor++;
        expect(withIt.back[i]).toBeCloseTo((GAIN * data[i]! - a) / GAIN, 9);
        continue;
      }
      const bound = (q / 2) * Math.sqrt(Math.max(a, 0)) + (GAIN * q * q) / 16 + 1e-9;
      const err = Math.abs(withIt.back[i]! - data[i]!);
      worst = Math.max(worst, err / bound);
      if (err > bound) throw new Error(`pixel ${i}: error ${err} above the documented bound ${bound}`);
    }
    console.log(`calibrated float64, zstd 5 + bitshuffle: ${without.ratio.toFixed(2)}x without, ${withIt.ratio.toFixed(2)}x with Anscombe (meta ${meta}); worst error ${(worst * 100).toFixed(0)}% of the bound; ${belowFloor} pixels below the floor`);
    expect(worst).toBeGreaterThan(0.5); // the bound is tight, not vacuous
    expect(withIt.ratio).toBeGreaterThan(3 * without.ratio);
  });

  it('passes other typesizes and a trailing partial element through unchanged', () => {
    const bytes = new Uint8Array(1003);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) & 255;
    const asInt32 = decompress(compress(bytes, { codec: 'lz4', typesize: 4, filters: [160], filtersMeta: [5], blocksize: 1003 }));
    expect(Array.from(asInt32)).toEqual(Array.from(bytes));
    // As float64 these bytes are not counts (they change), but the 3 bytes after the last element pass.
    const asFloat64 = decompress(compress(bytes, { codec: 'lz4', typesize: 8, filters: [160], filtersMeta: [5], blocksize: 1003 }));
    expect(Array.from(asFloat64.subarray(1000))).toEqual(Array.from(bytes.subarray(1000)));
    expect(Array.from(asFloat64.subarray(0, 1000))).not.toEqual(Array.from(bytes.subarray(0, 1000)));
  });

  it('benchmark includes the registered filter', () => {
    const data = counts(4).subarray(0, 8192);
    const rows = benchmark(data, { codecs: ['zstd'], clevels: [5] });
    const mine = rows.filter((r) => r.filters[0] === 160);
    expect(mine.map((r) => r.pipeline).sort()).toEqual(['anscombe+bitshuffle', 'anscombe+shuffle']);
    expect(mine.every((r) => r.roundTripOk)).toBe(true);
    expect(mine.every((r) => r.ratio > 2)).toBe(true);
  });
});
