/**
 * The assembly step of parallel compression, without workers: blocks encoded range by range
 * with unclamped room (as workers do) and handed to the serial driver give the serial
 * driver's chunk, including chunks whose last blocks the serial path squeezes or stores.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../src/codecs/index.js';
import { assembleChunk, blockGeometry, compressChunk, encodeBlockRange, maxChunkSize, placeChunkHeader } from '../../src/chunk/compress.js';
import { decompressChunk } from '../../src/chunk/decompress.js';
import { readChunkHeader, readInt32LE, SpecialKind } from '../../src/frame/chunk-header.js';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { resolveCParams, type CompressOptions } from '../../src/params.js';
import { mulberry32Uint32 } from '../helpers.js';

/** Encode every block the way the workers do, in `parts` ranges, each from its own slice of the input. */
function preEncode(src: Uint8Array, options: CompressOptions, parts: number): Uint8Array[] | null {
  const p = resolveCParams(options);
  const g = blockGeometry(src.length, p);
  if (g.storedFromStart || g.nblocks < 2) return null;
  const blocks: Uint8Array[] = [];
  for (let r = 0; r < parts; r++) {
    const first = Math.floor((r * g.nblocks) / parts);
    const last = Math.floor(((r + 1) * g.nblocks) / parts);
    if (first === last) continue;
    const piece = src.slice(first * g.blocksize, Math.min(src.length, last * g.blocksize));
    const out = new Uint8Array((last - first) * g.slotSize);
    const sizes = new Int32Array(last - first);
    encodeBlockRange(piece, first * g.blocksize, src.length, p, first, last, src.subarray(0, g.blocksize), out, 0, sizes);
    let at = 0;
    for (let k = 0; k < sizes.length; k++) {
      blocks.push(out.slice(at, at + sizes[k]!));
      at += sizes[k]!;
    }
  }
  return blocks;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function mixedData(kinds: number[], blockBytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(kinds.length * blockBytes);
  const next = mulberry32Uint32(seed);
  const rnd = (): number => next() >>> 24;
  for (let b = 0; b < kinds.length; b++) {
    for (let i = b * blockBytes; i < (b + 1) * blockBytes; i++) {
      const k = kinds[b]!;
      // 0 zeros, 1 random, 2..5 random with 1 in k bytes repeated (barely to fairly compressible)
      out[i] = k === 0 ? 0 : k === 1 ? rnd() : (i % k === 0 ? out[i - 1] ?? 0 : rnd());
    }
  }
  return out;
}

/**
 * The chunk as a parallel compression into a given output builds it: header and bstarts
 * from placeChunkHeader, then each block copied to its bstart; null where some block needs
 * the serial encoder.
 */
function placeDeferred(src: Uint8Array, options: CompressOptions, blocks: Uint8Array[], out: Uint8Array): Uint8Array | null {
  const p = resolveCParams(options);
  const chunk = placeChunkHeader(src, p, blocks, out);
  if (chunk === null) return null;
  const header = readChunkHeader(chunk);
  if (!header.memcpyed && header.special === SpecialKind.None) {
    for (let j = 0; j < blocks.length; j++) chunk.set(blocks[j]!, readInt32LE(chunk, header.headerLength + 4 * j));
  }
  return chunk;
}

const configs: CompressOptions[] = [
  { codec: 'blosclz', typesize: 8, blocksize: 4096 },
  { codec: 'lz4', typesize: 4, blocksize: 4096 },
  { codec: 'lz4', typesize: 1, shuffle: 'noshuffle', blocksize: 4096 },
  { codec: 'zstd', clevel: 1, typesize: 8, blocksize: 4096 },
  { codec: 'blosclz', typesize: 4, blocksize: 4096, format: 'blosc1' },
  { codec: 'snappy', typesize: 4, blocksize: 4096, format: 'blosc1' },
  { codec: 'lz4', typesize: 8, blocksize: 4096, filters: [3, 1] },
];

describe('parallel compression assembly', () => {
  it.each(configs.map((c) => [JSON.stringify(c), c] as const))('equals the serial chunk on mixed data: %s', (_name, options) => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 8 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 0, max: 5000 }),
      fc.integer(),
      (kinds, parts, tail, seed) => {
        const bs = options.blocksize!;
        const src = mixedData(kinds, bs, seed).subarray(0, kinds.length * bs - Math.min(tail, bs - 1));
        const p = resolveCParams(options);
        const serial = compressChunk(src, p);
        const blocks = preEncode(src, options, parts);
        if (blocks === null) return;
        expect(sameBytes(assembleChunk(src, p, blocks), serial)).toBe(true);
        expect(sameBytes(decompressChunk(serial), src)).toBe(true);
        // Deferred placement into a reused output holding stale bytes.
        const out = new Uint8Array(maxChunkSize(src.length, options.format) + 3).fill(0xa5);
        const placed = placeDeferred(src, options, blocks, out);
        if (placed !== null) expect(sameBytes(placed, serial)).toBe(true);
        expect(sameBytes(assembleChunk(src, p, blocks, out), serial)).toBe(true);
      },
    ), { numRuns: 25 });
  });

  it('writes into a given output the bytes it would return, and refuses one too small', () => {
    const src = mixedData([0, 2, 3, 1, 4], 4096, 5);
    for (const options of configs) {
      const p = resolveCParams(options);
      const serial = compressChunk(src, p);
      const size = maxChunkSize(src.length, options.format);
      const out = new Uint8Array(size + 100).fill(0x5a);
      const res = compressChunk(src, p, out);
      expect(res.buffer).toBe(out.buffer);
      expect(sameBytes(res, serial)).toBe(true);
      const shared = new Uint8Array(new SharedArrayBuffer(size + 8), 3, size);
      expect(sameBytes(compressChunk(src, p, shared), serial)).toBe(true);
      let error: unknown;
      try {
        compressChunk(src, p, new Uint8Array(size - 1));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BloscError);
      expect((error as BloscError).code).toBe(BloscErrorCode.WriteBuffer);
    }
  });

  it('incompressible input ends up stored, as in the serial path', () => {
    const src = mixedData([1, 1, 1, 1, 1, 1, 1, 1], 4096, 7);
    const p = resolveCParams({ codec: 'lz4', typesize: 8, blocksize: 4096 });
    const serial = compressChunk(src, p);
    expect(readChunkHeader(serial).memcpyed).toBe(true);
    const blocks = preEncode(src, { codec: 'lz4', typesize: 8, blocksize: 4096 }, 2)!;
    // The workers' unclamped blocks all "fit" on their own (raw streams)...
    expect(blocks.length).toBe(8);
    // ...but the serial path runs out of room, so the chunk is stored.
    expect(sameBytes(assembleChunk(src, p, blocks), serial)).toBe(true);
  });

  it('keeps the serial verdict on chunks that barely fit (serial: stored; unclamped blocks: would fit)', () => {
    // N random blocks of 1 KiB, then a compressible one. The last block's stream gets
    // 1024 - 8N - 8 bytes of room in the serial encoder; below 66 BloscLZ gives up
    // (c-blosc2's blosclz_compress rule), the raw copy does not fit either, and the serial
    // chunk is stored, although the unclamped blocks would add up to less than destsize.
    const bs = 1024;
    let barely = 0;
    let gaveUp = 0;
    for (const [codec, n] of [['blosclz', 120], ['blosclz', 122], ['lz4', 120], ['lz4', 124]] as const) {
      const src = mixedData(new Array<number>(n).fill(1).concat([0]), bs, 11);
      for (let i = n * bs; i < (n + 1) * bs; i++) src[i] = 1 + (i % 4);
      const options: CompressOptions = { codec, typesize: 1, shuffle: 'noshuffle', blocksize: bs };
      const p = resolveCParams(options);
      const serial = compressChunk(src, p);
      const blocks = preEncode(src, options, 3)!;
      expect(blocks.length).toBe(n + 1);
      expect(sameBytes(assembleChunk(src, p, blocks), serial)).toBe(true);
      const naive = 32 + 4 * (n + 1) + blocks.reduce((sum, b) => sum + b.length, 0);
      if (readChunkHeader(serial).memcpyed && naive <= src.length + 32) barely++;
      // Deferred placement gives up on a squeezed block, or places the serial chunk.
      const placed = placeDeferred(src, options, blocks, new Uint8Array(maxChunkSize(src.length)));
      if (placed === null) gaveUp++;
      else expect(sameBytes(placed, serial)).toBe(true);
    }
    expect(barely).toBeGreaterThan(0);
    expect(gaveUp).toBeGreaterThan(0);
  });
});
