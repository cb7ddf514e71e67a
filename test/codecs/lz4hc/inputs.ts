/**
 * Seeded inputs with the structures an LZ4HC parser reacts to: literal noise, single-byte
 * runs (the level-9 repeated-pattern search), short periodic patterns, small alphabets, and
 * copies of earlier stretches at distances on both sides of the 64 KiB window.
 */

import { mulberry32Uint32 as prng } from '../../helpers.js';

export { prng };

export function structuredInput(seed: number, size: number): Uint8Array {
  const next = prng(seed);
  const below = (n: number): number => next() % n;
  const out = new Uint8Array(size);
  let p = 0;
  while (p < size) {
    const len = Math.min(size - p, 1 + below(below(8) === 0 ? 4000 : 200));
    const kind = below(6);
    if (kind === 0) {
      for (let i = 0; i < len; i++) out[p + i] = below(256);
    } else if (kind === 1) {
      out.fill(below(4) === 0 ? 0 : below(256), p, p + len);
    } else if (kind === 2) {
      const period = 1 + below(8);
      for (let i = 0; i < len; i++) out[p + i] = i < period ? below(256) : out[p + i - period];
    } else if (kind === 3) {
      const alphabet = 2 + below(6);
      for (let i = 0; i < len; i++) out[p + i] = 0x41 + below(alphabet);
    } else if (p > 0) {
      // Copy from earlier, sometimes just inside or just outside the window.
      const far = below(4) === 0 ? 65530 + below(12) : 1 + below(kind === 4 ? 64 : 70000);
      const dist = Math.min(p, far);
      for (let i = 0; i < len; i++) out[p + i] = out[p + i - dist];
    }
    p += len;
  }
  return out;
}
