/** Seeded inputs for the dictionary-chunk tests: data a dictionary helps with, and some it does not. */

import { mulberry32 } from '../helpers.js';

/** The tests' seeded generator, so every case can be rebuilt from its seed. */
export const rng = mulberry32;

export const DICT_DATA_KINDS = ['ramp', 'smooth', 'text', 'records', 'sparse', 'random'] as const;
export type DictDataKind = (typeof DICT_DATA_KINDS)[number];

const WORDS = ['blosc', 'chunk', 'frame', 'zstd', 'lz4', 'dictionary', 'block', 'stream', 'shuffle', 'the', 'of', 'and', 'temperature', 'pressure', '{"id":', '"value":', '},\n'];

/** Exactly `nbytes` bytes of the given kind. */
export function makeData(kind: DictDataKind, nbytes: number, typesize: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(nbytes);
  const dv = new DataView(out.buffer);
  switch (kind) {
    case 'ramp': {
      const mod = 50 + Math.floor(r() * 5000);
      for (let i = 0, k = 0; i < nbytes; i += typesize, k++) {
        const v = k % mod;
        for (let b = 0; b < typesize && i + b < nbytes; b++) out[i + b] = b < 4 ? (v >>> (8 * b)) & 0xff : 0;
      }
      break;
    }
    case 'smooth': {
      const phase = r() * 6;
      for (let i = 0, k = 0; i + 8 <= nbytes; i += 8, k++) dv.setFloat64(i, Math.sin(phase + k / 300) * 100 + Math.round(r() * 4) / 4, true);
      break;
    }
    case 'text': {
      let i = 0;
      while (i < nbytes) {
        const w = WORDS[Math.floor(r() * WORDS.length)]!;
        for (let c = 0; c < w.length && i < nbytes; c++) out[i++] = w.charCodeAt(c);
        if (i < nbytes) out[i++] = r() < 0.1 ? 10 : 32;
      }
      break;
    }
    case 'records': {
      // 16-byte records: a counter, a category, a noisy measurement.
      for (let i = 0, k = 0; i + 16 <= nbytes; i += 16, k++) {
        dv.setUint32(i, 1_000_000 + k * 3, true);
        dv.setUint32(i + 4, Math.floor(r() * 6), true);
        dv.setFloat64(i + 8, 20 + Math.floor(r() * 100) / 10, true);
      }
      break;
    }
    case 'sparse':
      for (let i = 0; i < nbytes; i++) if (r() < 0.05) out[i] = Math.floor(r() * 256);
      break;
    default:
      for (let i = 0; i < nbytes; i++) out[i] = Math.floor(r() * 256);
  }
  return out;
}
