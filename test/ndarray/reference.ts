/** Simple references for the NDArray tests: element-by-element slicing of C-order data, and seeded randomness. */
import type { SliceSpec } from '../../src/ndarray/ndarray.js';
import { mulberry32 } from '../helpers.js';

/** The tests' seeded generator (mulberry32). */
export const rng = mulberry32;

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Python slice semantics, one dimension at a time, item by item. */
export function referenceSlice(data: Uint8Array, shape: readonly number[], itemsize: number, spec: readonly SliceSpec[]): { shape: number[]; data: Uint8Array } {
  const lists: number[][] = [];
  const outShape: number[] = [];
  shape.forEach((n, i) => {
    const s = spec[i];
    if (typeof s === 'number') {
      lists.push([s < 0 ? s + n : s]);
      return;
    }
    const [a0, b0, st0] = s === null || s === undefined ? [null, null, null] : [s[0], s[1], s[2]];
    const st = st0 ?? 1;
    const norm = (v: number | null | undefined, d: number): number => (v === null || v === undefined ? d : v < 0 ? Math.max(0, v + n) : Math.min(v, n));
    const a = norm(a0, 0);
    const b = norm(b0, n);
    const idx: number[] = [];
    for (let k = a; k < b; k += st) idx.push(k);
    lists.push(idx);
    outShape.push(idx.length);
  });
  const total = lists.reduce((p, l) => p * l.length, 1);
  const out = new Uint8Array(total * itemsize);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, v) => p * v, 1));
  const pos = lists.map(() => 0);
  for (let o = 0; o < total; o++) {
    let src = 0;
    for (let i = 0; i < shape.length; i++) src += lists[i]![pos[i]!]! * strides[i]!;
    out.set(data.subarray(src * itemsize, (src + 1) * itemsize), o * itemsize);
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++pos[i]! < lists[i]!.length) break;
      pos[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** A random slice of `shape`: indices, ranges (some negative, some out of bounds), steps, nulls. */
export function randomSpec(r: () => number, shape: readonly number[]): SliceSpec[] {
  const spec: SliceSpec[] = [];
  const n = randInt(r, 0, shape.length);
  for (let i = 0; i < n; i++) {
    const d = shape[i]!;
    const kind = r();
    if (kind < 0.15 && d > 0) spec.push(randInt(r, -d, d - 1));
    else if (kind < 0.3) spec.push(null);
    else {
      const a = randInt(r, -d - 2, d + 2);
      const b = randInt(r, -d - 2, d + 2);
      spec.push(r() < 0.3 ? [a, b, randInt(r, 1, 4)] : [r() < 0.2 ? null : a, r() < 0.2 ? null : b]);
    }
  }
  return spec;
}
