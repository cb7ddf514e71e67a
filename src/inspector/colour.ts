/**
 * The plane viewer's colour mapping, apart from the page so that it can be run without a
 * canvas (bench/inspector.mjs times it): the value range of a plane, and its values mapped
 * into an RGBA buffer (a canvas ImageData's bytes).
 */

/** viridis, sampled at 9 points (matplotlib's table), interpolated linearly: r, g, b of each point in turn. */
export const VIRIDIS: readonly number[] = [
  68, 1, 84, 71, 44, 122, 59, 81, 139, 44, 113, 142, 33, 144, 141, 39, 173, 129, 92, 200, 99, 170, 220, 50, 253, 231, 37,
];
/** Levels of t in the viridis lookup table: neighbouring entries differ by under 0.2 of a colour level. */
const VIRIDIS_LEVELS = 4096;

/** RGBA of each level, then of NaN (magenta): 4 bytes an entry, read as one 32-bit word. */
function lookupTable(levels: number, rgb: (x: number, out: Uint8Array, o: number) => void): Uint32Array {
  const bytes = new Uint8Array(4 * (levels + 1));
  for (let i = 0; i < levels; i++) {
    rgb(i / (levels - 1), bytes, 4 * i);
    bytes[4 * i + 3] = 255;
  }
  bytes.set([255, 0, 255, 255], 4 * levels);
  return new Uint32Array(bytes.buffer);
}

/** Gray: 256 levels, round(255 x). */
const GRAY_LUT = lookupTable(256, (x, out, o) => out.fill(Math.round(x * 255), o, o + 3));
/** viridis interpolated linearly between its points, rounded. */
const VIRIDIS_LUT = lookupTable(VIRIDIS_LEVELS, (x, out, o) => {
  const steps = VIRIDIS.length / 3 - 1;
  const f = x * steps;
  const k = Math.min(steps - 1, Math.floor(f));
  const u = f - k;
  for (let c = 0; c < 3; c++) out[o + c] = Math.round(VIRIDIS[3 * k + c]! + (VIRIDIS[3 * k + 3 + c]! - VIRIDIS[3 * k + c]!) * u);
});

/** Smallest and largest value (NaNs ignored); [0, 1] when there is none. */
export function valueRange(values: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return [0, 1];
  return [min, max];
}

/**
 * Every value mapped from [min, max] into `out` (4 bytes per value, RGBA): t = (v - min) /
 * span clamped to [0, 1], 'gray' as round(255 t) exactly, otherwise viridis interpolated
 * linearly and rounded, looked up at 4096 levels of t (so within one colour level of the
 * exact interpolation); NaN magenta. One 32-bit store per pixel from a table: a plane is
 * millions of pixels, and a call per pixel computing each channel took longer than decoding
 * the plane (bench/inspector.mjs).
 */
export function colourPlane(values: Float64Array, min: number, max: number, map: string, out: Uint8ClampedArray): void {
  const span = max > min ? max - min : 1;
  const n = values.length;
  const lut = map === 'gray' ? GRAY_LUT : VIRIDIS_LUT;
  const top = lut.length - 2;
  const nan = top + 1;
  // Inside (0, top), (f + 0.5) | 0 is Math.round(f), without the call.
  if (out.byteOffset % 4 === 0) {
    const words = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const f = ((values[i]! - min) / span) * top;
      words[i] = lut[f !== f ? nan : f <= 0 ? 0 : f >= top ? top : (f + 0.5) | 0]!;
    }
    return;
  }
  const bytes = new Uint8Array(lut.buffer);
  for (let i = 0; i < n; i++) {
    const f = ((values[i]! - min) / span) * top;
    const e = 4 * (f !== f ? nan : f <= 0 ? 0 : f >= top ? top : (f + 0.5) | 0);
    out[4 * i] = bytes[e]!; out[4 * i + 1] = bytes[e + 1]!; out[4 * i + 2] = bytes[e + 2]!; out[4 * i + 3] = bytes[e + 3]!;
  }
}
