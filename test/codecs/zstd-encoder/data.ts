/** Test data for the zstd encoder: deterministic byte patterns of several kinds. */
import { SeqStore } from '../../../src/codecs/zstd-encoder/seq-store.js';
import { mulberry32Uint32 } from '../../helpers.js';

/** The tests' PRNG (uint32 values), so inputs are reproducible from a seed. */
export class Rng {
  private readonly gen: () => number;
  constructor(seed: number) {
    this.gen = mulberry32Uint32(seed);
  }
  next(): number {
    return this.gen();
  }
  below(n: number): number {
    return this.next() % n;
  }
}

export const KINDS = ['random', 'zeros', 'runs', 'text-like', 'small-alphabet', 'repeats', 'shuffled-ramp', 'mixed'] as const;
export type Kind = (typeof KINDS)[number];

/** Blosc's byte shuffle of `items` little-endian integers of `typesize` bytes. */
export function shuffledRamp(n: number, typesize: number, start: number, step: number): Uint8Array {
  const items = Math.floor(n / typesize);
  const out = new Uint8Array(n);
  for (let i = 0; i < items; i++) {
    let v = start + i * step;
    for (let b = 0; b < typesize; b++) {
      out[b * items + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
  }
  return out;
}

/** `n` bytes of the given kind, reproducible from `seed`. */
export function makeData(kind: Kind, n: number, seed: number): Uint8Array {
  const r = new Rng(seed);
  const out = new Uint8Array(n);
  switch (kind) {
    case 'random':
      for (let i = 0; i < n; i++) out[i] = r.next();
      break;
    case 'zeros':
      break;
    case 'runs': {
      let i = 0;
      while (i < n) {
        const len = 1 + r.below(300);
        out.fill(r.below(4) === 0 ? r.next() : 7, i, Math.min(n, i + len));
        i += len;
      }
      break;
    }
    case 'text-like': {
      const words = ['zstd', 'blosc', 'frame', 'block', ' ', ' ', 'the', 'huffman', 'FSE', '\n', 'sequence', 'literal'];
      let i = 0;
      while (i < n) {
        const w = words[r.below(words.length)]!;
        for (let k = 0; k < w.length && i < n; k++) out[i++] = w.charCodeAt(k);
      }
      break;
    }
    case 'small-alphabet':
      for (let i = 0; i < n; i++) out[i] = 65 + (r.below(8) === 0 ? r.below(16) : r.below(3));
      break;
    case 'repeats': {
      // Random segments and copies of earlier data at random distances (long matches).
      let i = 0;
      while (i < n) {
        const len = 4 + r.below(200);
        if (i > 16 && r.below(3) !== 0) {
          const dist = 1 + r.below(Math.min(i, 1 << (1 + r.below(20))));
          for (let k = 0; k < len && i < n; k++, i++) out[i] = out[i - dist]!;
        } else {
          for (let k = 0; k < len && i < n; k++) out[i++] = r.next();
        }
      }
      break;
    }
    case 'shuffled-ramp':
      out.set(shuffledRamp(n, 1 << r.below(4), r.below(1000), 1 + r.below(5)));
      break;
    case 'mixed': {
      let i = 0;
      while (i < n) {
        const len = Math.min(n - i, 1 + r.below(40000));
        const sub = makeData(KINDS[r.below(KINDS.length - 1)]!, len, r.next());
        out.set(sub, i);
        i += len;
      }
      break;
    }
  }
  return out;
}

/**
 * A store of n random sequences of one of five shapes: 0 short literal runs, 1 short matches,
 * 2 offsets up to 2^24, 3 literal runs and matches up to 70000, 4 offsets up to 2^31 − 4 (30
 * extra bits, as far as a window can reach); a quarter of the offsets are repeat codes.
 */
export function randomSequences(n: number, shape: number, seed: number): SeqStore {
  const r = new Rng(seed);
  const ss = new SeqStore();
  for (let i = 0; i < n; i++) {
    const ll = shape === 0 ? r.below(4) : r.below(shape === 3 ? 70000 : 300);
    const far = shape === 4 ? 0x7ffffffc - r.below(1 << 20) : 1 << 24;
    const off = r.below(4) === 0 ? 1 + r.below(3) : 4 + r.below(shape === 2 || shape === 4 ? far : 5000);
    const ml = 3 + (shape === 3 ? r.below(70000) : r.below(shape === 1 ? 8 : 200));
    ss.litLengths[i] = ll;
    ss.offBases[i] = off;
    ss.mlBases[i] = ml - 3;
  }
  ss.nbSeq = n;
  return ss;
}
