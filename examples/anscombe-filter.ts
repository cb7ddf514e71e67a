/**
 * A user filter with a purpose: the generalised Anscombe transform for photon-counting
 * detectors, as an example of `registerFilter` (user ids 160..255).
 *
 * A photon-counting imager writes float64 frames x = gain·counts + offset + read noise,
 * where counts are Poisson. Their noise grows with the signal (σ_x² = gain·(x − offset) +
 * σ²), so the low mantissa bits are noise that no codec can compress. The generalised
 * Anscombe transform (Murtagh, Starck & Bijaoui 1995)
 *
 *     y = (2/gain) · sqrt(gain·x + (3/8)·gain² + σ² − gain·offset)
 *
 * makes the noise of y close to 1 everywhere; quantising y to a step q = 2^−meta (meta =
 * the filter's meta byte, 1..40; 0 means {@link ANSCOMBE_DEFAULT_META}) then stores about log2(range/q) bits per pixel instead of 64,
 * and BITSHUFFLE + zstd packs the integer codes. The filter writes each float64 as the
 * code k = round(y/q), a little-endian 64-bit unsigned integer, and the inverse computes
 * x' = ((gain·k·q/2)² − (3/8)·gain² − σ² + gain·offset)/gain.
 *
 * Documented rounding:
 *  - error: |x' − x| ≤ (q/2)·sqrt(gain·x + (3/8)·gain² + σ² − gain·offset) + gain·q²/16
 *    (+ float rounding): q/2 of the noise's standard deviation at x, nearly (the second
 *    term is the curvature of the inverse, x'' = gain/2);
 *  - pure counts (gain 1, offset 0, σ 0, `roundToCounts`): the inverse rounds x' to the
 *    nearest integer, which gives the counts back exactly while x + 3/8 < 4^meta (counts
 *    below 1023 at meta 5).
 * Values below the transform's floor (gain·x < gain·offset − (3/8)·gain² − σ²), negative
 * zero, NaN and infinities are not counts: they come back as the floor's value.
 * The parameters are the application's (store them beside the data, e.g. in vlmeta): a
 * chunk records only the filter id and its meta byte.
 *
 * ```ts
 * import { registerFilter, compress, FilterId } from 'blosc-ts';
 * import { anscombeFilter } from './anscombe-filter.js';
 * registerFilter(anscombeFilter({ id: 160, gain: 2.5, offset: 100, readNoise: 3 }));
 * compress(frames, { codec: 'zstd', clevel: 5, filters: [160, FilterId.BitShuffle], filtersMeta: [1, 0] });
 * ```
 */
import type { Filter, FilterCall } from '../src/index.js';

export interface AnscombeParams {
  /** User filter id, 160..255. Default 160. */
  readonly id?: number;
  /** Detector gain (units of x per photon). Default 1. */
  readonly gain?: number;
  /** Dark level added to every pixel. Default 0. */
  readonly offset?: number;
  /** Standard deviation of the Gaussian read noise, in units of x. Default 0. */
  readonly readNoise?: number;
  /** Round the inverse to the nearest integer (pure counts). Default: true when gain 1, offset 0 and readNoise 0. */
  readonly roundToCounts?: boolean;
}

const TWO_32 = 2 ** 32;
/** The step of meta 0 (a benchmark or a caller that leaves the meta at 0): q = 2^−5. */
export const ANSCOMBE_DEFAULT_META = 5;
/** Largest meta: q = 2^−40 keeps the codes of y < 2^13 within 2^53. */
export const ANSCOMBE_MAX_META = 40;

export function anscombeFilter(params: AnscombeParams = {}): Filter {
  const gain = params.gain ?? 1;
  const offset = params.offset ?? 0;
  const sigma = params.readNoise ?? 0;
  if (!(gain > 0) || !Number.isFinite(offset) || !(sigma >= 0)) throw new RangeError('anscombeFilter: gain must be > 0, offset finite, readNoise ≥ 0');
  const round = params.roundToCounts ?? (gain === 1 && offset === 0 && sigma === 0);
  // y = (2/g)·sqrt(g·x + c), c = (3/8)·g² + σ² − g·offset.
  const c = 0.375 * gain * gain + sigma * sigma - gain * offset;
  const step = (meta: number): number => 2 ** -Math.min(meta === 0 ? ANSCOMBE_DEFAULT_META : meta, ANSCOMBE_MAX_META);

  function forward(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, call: FilterCall): void {
    const count = call.typesize === 8 ? (n / 8) | 0 : 0;
    const q = step(call.meta);
    const s = new DataView(src.buffer, src.byteOffset + sp, n);
    const d = new DataView(dst.buffer, dst.byteOffset + dp, n);
    for (let i = 0; i < count; i++) {
      const a = gain * s.getFloat64(i * 8, true) + c;
      // Out of the domain (below the floor, NaN): the floor's code, 0.
      const k = a > 0 ? Math.round((2 / gain) * Math.sqrt(a) / q) : 0;
      d.setUint32(i * 8, k % TWO_32, true);
      d.setUint32(i * 8 + 4, Math.min(Math.floor(k / TWO_32), 0x1fffff), true);
    }
    // Other typesizes, and the bytes after the last whole float64, pass unchanged.
    dst.set(src.subarray(sp + count * 8, sp + n), dp + count * 8);
  }

  function backward(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, call: FilterCall): void {
    const count = call.typesize === 8 ? (n / 8) | 0 : 0;
    const q = step(call.meta);
    const s = new DataView(src.buffer, src.byteOffset + sp, n);
    const d = new DataView(dst.buffer, dst.byteOffset + dp, n);
    for (let i = 0; i < count; i++) {
      const k = s.getUint32(i * 8, true) + s.getUint32(i * 8 + 4, true) * TWO_32;
      const half = (gain * k * q) / 2;
      const x = (half * half - c) / gain;
      // `+ 0` turns Math.round's −0 (for x in (−0.5, 0)) into the count 0.
      d.setFloat64(i * 8, round ? Math.round(x) + 0 : x, true);
    }
    dst.set(src.subarray(sp + count * 8, sp + n), dp + count * 8);
  }

  // Not `lossy`: the decoder must run the inverse (a lossy filter's decode is a plain copy).
  return { id: params.id ?? 160, name: 'anscombe', lossy: false, forward, backward };
}
