/**
 * The plane viewer's colour mapping (src/inspector/colour.ts, run here in Node): colourPlane
 * against a pixel-by-pixel statement of the mapping (clamp, gray or viridis interpolated
 * linearly, rounded; NaN magenta), and valueRange.
 */
import { describe, expect, it } from 'vitest';
import { colourPlane, valueRange, VIRIDIS } from '../../src/inspector/colour.js';

/** The mapping of one value, written plainly. */
function pixel(v: number, min: number, max: number, map: string): number[] {
  const t = (v - min) / (max > min ? max - min : 1);
  if (Number.isNaN(t)) return [255, 0, 255, 255];
  const x = Math.max(0, Math.min(1, t));
  if (map === 'gray') {
    const g = Math.round(x * 255);
    return [g, g, g, 255];
  }
  const points = VIRIDIS.length / 3;
  const f = x * (points - 1);
  const k = Math.min(points - 2, Math.floor(f));
  const u = f - k;
  const rgb = [0, 1, 2].map((c) => Math.round(VIRIDIS[3 * k + c]! + (VIRIDIS[3 * (k + 1) + c]! - VIRIDIS[3 * k + c]!) * u));
  return [...rgb, 255];
}

const values = Float64Array.from([
  -1e300, -Infinity, -3, -2, -1.5, 0, 0.25, 0.5, 1, 7 / 8, 1.999, 2, 2.5, 3, 3.0001, 1e300, Infinity, NaN,
  ...Array.from({ length: 2000 }, (_, i) => -2.25 + (i * 5.5) / 1999),
]);

describe('colourPlane', () => {
  for (const map of ['gray', 'viridis']) {
    for (const [min, max] of [[-2, 3], [0, 1], [1, 1], [5, -5]] as const) {
      it(`${map}, range [${min}, ${max}]: every pixel as the plain mapping (viridis within one level)`, () => {
        const out = new Uint8ClampedArray(values.length * 4).fill(7);
        colourPlane(values, min, max, map, out);
        let worst = 0;
        for (let i = 0; i < values.length; i++) {
          const want = pixel(values[i]!, min, max, map);
          const got = [...out.subarray(4 * i, 4 * i + 4)];
          if (map === 'gray' || Number.isNaN(values[i])) expect(got, `value ${values[i]}`).toEqual(want);
          for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(got[c]! - want[c]!));
        }
        // viridis is looked up at 4096 levels of t: within one colour level.
        expect(worst).toBeLessThanOrEqual(map === 'gray' ? 0 : 1);
      });
    }
  }

  it('viridis ends at the table\'s first and last colours', () => {
    const out = new Uint8ClampedArray(8);
    colourPlane(Float64Array.from([0, 1]), 0, 1, 'viridis', out);
    expect([...out]).toEqual([...VIRIDIS.slice(0, 3), 255, ...VIRIDIS.slice(-3), 255]);
  });
});

describe('valueRange', () => {
  it('is the smallest and largest value, NaNs left out', () => {
    expect(valueRange(Float64Array.from([3, NaN, -2, 8, 0]))).toEqual([-2, 8]);
  });
  it('is [0, 1] without a number', () => {
    expect(valueRange(new Float64Array(0))).toEqual([0, 1]);
    expect(valueRange(Float64Array.from([NaN, NaN]))).toEqual([0, 1]);
  });
});
