import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../src/chunk/decompress.js';
import { chunkBlocks, compress, decompress } from '../../src/index.js';
import { bytesEqual } from '../helpers.js';

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

/**
 * The decoder skips decoding a short codec stream whose bytes equal those of the stream its
 * plane decoded last in the same call: planes that change between blocks, and other users
 * of the scratch between calls, must not leak into the output.
 */
describe('codec streams repeated between blocks', () => {
  const typesize = 8;
  const blocksize = 64 << 10;
  /** Per block, the pattern of byte 3 of every item: 0 periodic (the same stream every block), else a varying one. */
  const kinds = [0, 0, 1, 1, 0, 2, 2, 0, 0, 0, 1];

  function data(leftover: number): Uint8Array {
    const n = kinds.length * blocksize + leftover;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += typesize) {
      const item = i / typesize;
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(i / blocksize))]!;
      out[i] = item & 0xff;
      out[i + 1] = (item >> 8) & 0x3f;
      out[i + 2] = (item * 7) & 0xf0; // period 16: one stream, repeated in every block
      out[i + 3] = kind === 0 ? (item * 3) & 0x1c : kind === 1 ? (item >> 4) & 0xff : (item * item) & 0x0f;
    }
    return out;
  }

  it('decodes exactly, whole and in parts, with codec streams repeated and changing between blocks', () => {
    const src = data(4000);
    const other = src.map((b, i) => (i % typesize === 2 ? 9 : b ^ 0x55));
    for (const codec of ['lz4', 'blosclz', 'zstd'] as const) {
      const options = { codec, clevel: 5, typesize, shuffle: 'shuffle', format: 'blosc2', blocksize } as const;
      const chunk = compress(src, options);
      // LZ4 and BloscLZ split blocks into planes: plane 2 is the same stream in every block.
      const blocks = chunkBlocks(chunk);
      let repeats = 0;
      for (let j = 1; j < blocks.length; j++) {
        blocks[j]!.streams.forEach((s, k) => {
          const prev = blocks[j - 1]!.streams[k];
          if (s.kind === 'codec' && prev?.kind === 'codec' && s.cbytes === prev.cbytes &&
            bytesEqual(chunk.subarray(s.offset, s.offset + s.cbytes), chunk.subarray(prev.offset, prev.offset + prev.cbytes))) repeats++;
        });
      }
      if (codec !== 'zstd') expect(repeats).toBeGreaterThan(blocks.length);
      expect(bytesEqual(decompress(chunk), src)).toBe(true);
      // A chunk of the same geometry decoded in between writes other bytes into the planes.
      const otherChunk = compress(other, options);
      expect(bytesEqual(decompress(otherChunk), other)).toBe(true);
      expect(bytesEqual(decompress(chunk), src)).toBe(true);
      const reader = new ChunkReader(chunk);
      const out = new Uint8Array(src.length);
      for (const j of [3, 2, 0, 11, 6, 5, 1, 7, 10, 4, 9, 8]) {
        const from = j * blocksize;
        const to = Math.min(src.length, from + blocksize);
        reader.readInto(from, to, out, from);
        if (j % 3 === 0) expect(bytesEqual(decompress(otherChunk), other)).toBe(true);
      }
      expect(bytesEqual(out, src)).toBe(true);
    }
  });
  it('compares a repeated stream to its last byte, at any chunk offset', () => {
    // Plane 2 repeats in every block; its streams are 301 (LZ4) and 263 (BloscLZ) bytes.
    const src = new Uint8Array(4 * blocksize);
    for (let i = 0; i < src.length; i += typesize) {
      const item = i / typesize;
      src[i] = item & 0xff;
      src[i + 1] = (item >> 8) & 0x3f;
      src[i + 2] = (item * 11) & 0xf8;
      src[i + 3] = (item * 3) & 0x1c;
    }
    for (const codec of ['lz4', 'blosclz'] as const) {
      const chunk = compress(src, { codec, clevel: 5, typesize, shuffle: 'shuffle', format: 'blosc2', blocksize });
      const blocks = chunkBlocks(chunk);
      // Block 1's plane-2 stream repeats block 0's; change one of its bytes (first, a middle
      // word's, each of the last 3: the compare's word loop and its byte tail).
      const stream = blocks[1]!.streams[2]!;
      const prev = blocks[0]!.streams[2]!;
      expect(stream.kind).toBe('codec');
      expect(bytesEqual(chunk.subarray(stream.offset, stream.offset + stream.cbytes), chunk.subarray(prev.offset, prev.offset + prev.cbytes))).toBe(true);
      const n = stream.cbytes;
      // Not a multiple of 4, so the compare's byte tail is reached too.
      expect(n % 4).not.toBe(0);
      for (const at of [0, 4 * ((n >> 3) | 0) + 1, n - 3, n - 2, n - 1]) {
        for (const shift of [0, 1, 3]) {
          const held = new Uint8Array(chunk.length + shift);
          held.set(chunk, shift);
          const mutated = held.subarray(shift);
          mutated[stream.offset + at] ^= 0x10;
          // Block 1 read alone decodes its stream afresh: the whole decode must agree with it.
          let whole: Uint8Array | string;
          try { whole = decompress(mutated).subarray(blocksize, 2 * blocksize); } catch (e) { whole = (e as Error).name; }
          let alone: Uint8Array | string;
          try {
            const out = new Uint8Array(blocksize);
            new ChunkReader(mutated).readInto(blocksize, 2 * blocksize, out, 0);
            alone = out;
          } catch (e) { alone = (e as Error).name; }
          if (typeof whole === 'string' || typeof alone === 'string') expect(whole).toEqual(alone);
          else expect(bytesEqual(whole, alone)).toBe(true);
          // And the unchanged chunk at this offset still decodes exactly.
          mutated[stream.offset + at] ^= 0x10;
          expect(bytesEqual(decompress(mutated), src)).toBe(true);
        }
      }
    }
  });
});
