import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../src/chunk/decompress.js';
import { chunkBlocks, compress, decompress } from '../../src/index.js';

/**
 * The decoder skips filling a zero or run plane that the previous block of the same call
 * left holding that value: every mix of plane kinds across blocks must still decode exactly.
 */
describe('zero and run planes reused between blocks', () => {
  const typesize = 4;
  const blocksize = 4096;
  /** Items whose byte planes are, block by block, zero, a run of 7, or varying. */
  function data(kinds: string[], leftover: number): Uint8Array {
    const n = kinds.length * blocksize + leftover;
    const out = new Uint8Array(n);
    let x = 99;
    for (let i = 0; i < n; i++) {
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(i / blocksize))]!;
      const plane = i % typesize;
      const k = kind[plane]!;
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      out[i] = k === 'z' ? 0 : k === 'r' ? 7 : k === 'c' ? (i >> 5) & 3 : (x >>> 24);
    }
    return out;
  }
  // Per block, per plane: z = zeros, r = run of 7, c = compressible, n = noise.
  const kinds = ['zzzc', 'zrzc', 'zznc', 'rrzc', 'zzzz', 'czzr', 'zzzc', 'rzrz', 'nnnn', 'zzzc'];

  it('decodes every mix exactly, whole and in parts, and after another chunk used the scratch', () => {
    for (const codec of ['lz4', 'blosclz', 'zstd'] as const) {
      const src = data(kinds, 1000);
      const chunk = compress(src, { codec, clevel: 5, typesize, shuffle: 'shuffle', format: 'blosc2', blocksize });
      const kindsSeen = new Set(chunkBlocks(chunk).flatMap((b) => b.streams.map((s) => s.kind)));
      expect(kindsSeen.has('zeros')).toBe(true);
      expect(kindsSeen.has('run')).toBe(true);
      expect(decompress(chunk)).toEqual(src);
      // Another chunk of the same geometry, whose planes hold other bytes where these are zero.
      const other = data(kinds.map((k) => k.replace(/z/g, 'n')), 1000);
      const otherChunk = compress(other, { codec, clevel: 5, typesize, shuffle: 'shuffle', format: 'blosc2', blocksize });
      expect(decompress(otherChunk)).toEqual(other);
      expect(decompress(chunk)).toEqual(src);
      // Blocks read out of order, one call each, with the shared memory's scratch written in
      // between by other users: an encoder, and a decoder of two filters (which does not
      // track its planes).
      const twoFilters = compress(other, { codec, clevel: 5, typesize, filters: [3, 1], format: 'blosc2', blocksize });
      const reader = new ChunkReader(chunk);
      const out = new Uint8Array(src.length);
      for (const j of [4, 0, 9, 3, 1, 10, 2, 8, 5, 7, 6]) {
        const from = j * blocksize;
        const to = Math.min(src.length, from + blocksize);
        reader.readInto(from, to, out, from);
        if (j % 2 === 0) compress(other, { codec: 'lz4', clevel: 1, typesize, shuffle: 'shuffle', format: 'blosc2', blocksize });
        else expect(decompress(twoFilters)).toEqual(other);
      }
      expect(out).toEqual(src);
    }
  });
});
