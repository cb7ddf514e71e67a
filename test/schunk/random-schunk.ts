/** Seeded random super-chunks for tests. */
import type { CompressOptions } from '../../src/params.js';
import { MsgpackTuple, type MsgpackValue } from '../../src/frame/msgpack.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { mulberry32 } from '../helpers.js';

export const prng = mulberry32;

export function int(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** Codecs blosc-ts can encode (zstd encodes only where an encoder is registered). */
export const ENCODABLE = ['blosclz', 'lz4', 'lz4hc', 'zlib'] as const;

export function randomData(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const kind = int(r, 0, 3);
  const step = int(r, 1, 40);
  for (let i = 0; i < n; i++) {
    out[i] = kind === 0 ? (r() * 256) | 0 : kind === 1 ? (i / step) & 0xff : kind === 2 ? (r() * 4) | 0 : 0;
  }
  return out;
}

export function randomValue(r: () => number, depth = 0): MsgpackValue {
  const k = int(r, 0, depth > 2 ? 5 : 8);
  switch (k) {
    case 0:
      return int(r, -1000, 100000);
    case 1:
      return 'str' + int(r, 0, 999);
    case 2:
      return randomData(r, int(r, 0, 20));
    case 3:
      return r() < 0.5;
    case 4:
      return null;
    case 5:
      return int(r, 1, 1e6) + 0.5;
    case 6:
      return [randomValue(r, depth + 1), randomValue(r, depth + 1)];
    case 7:
      return new MsgpackTuple([randomValue(r, depth + 1), 'x']);
    default:
      return { a: randomValue(r, depth + 1), b: [1, 2] };
  }
}

export interface RandomSChunk {
  schunk: SChunk;
  data: Uint8Array;
  options: CompressOptions;
}

/** A super-chunk built with appends and a few inserts, updates and deletes. */
export function randomSChunk(seed: number): RandomSChunk {
  const r = prng(seed);
  const typesize = pick(r, [1, 2, 4, 8, 3]);
  const chunksize = typesize * int(r, 16, 3000);
  const options: CompressOptions = {
    codec: pick(r, ENCODABLE),
    clevel: int(r, 0, 9),
    shuffle: pick(r, ['noshuffle', 'shuffle', 'bitshuffle'] as const),
    splitmode: pick(r, ['always', 'never', 'auto', 'forward-compat'] as const),
    typesize,
  };
  const s = new SChunk({ chunksize, typesize, cparams: options });
  if (r() < 0.5) s.meta.add('m', new Uint8Array([0xcd, int(r, 0, 255), int(r, 0, 255)]));
  const chunks: Uint8Array[] = [];
  const n = int(r, 0, 6);
  for (let i = 0; i < n; i++) {
    const c = randomData(r, chunksize);
    s.append(c);
    chunks.push(c);
  }
  const ops = int(r, 0, 3);
  for (let k = 0; k < ops && chunks.length > 0; k++) {
    const op = int(r, 0, 2);
    const i = int(r, 0, chunks.length - 1);
    const c = randomData(r, chunksize);
    if (op === 0) {
      s.insert(i, c);
      chunks.splice(i, 0, c);
    } else if (op === 1) {
      s.update(i, c);
      chunks[i] = c;
    } else {
      s.delete(i);
      chunks.splice(i, 1);
    }
  }
  if (r() < 0.7) {
    // A short last chunk.
    const c = randomData(r, typesize * int(r, 1, chunksize / typesize));
    s.append(c);
    chunks.push(c);
  }
  const nv = int(r, 0, 3);
  for (let i = 0; i < nv; i++) s.vlmeta.set('v' + i, randomValue(r));
  const data = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let p = 0;
  for (const c of chunks) {
    data.set(c, p);
    p += c.length;
  }
  return { schunk: s, data, options };
}
