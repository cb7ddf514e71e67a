/**
 * The one block-range reader (src/schunk/read.ts) behind SChunk.getSlice, AsyncCFrame.getSlice
 * and NDArray reads: against element-by-element references on random geometries, and
 * decoding only the blocks a small read touches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zerosChunk } from '../../src/chunk/special.js';
import { resolveCParams } from '../../src/params.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { openFrameAsync } from '../../src/schunk/remote.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { MemorySource, type FrameSource } from '../../src/io/source.js';
import { referenceSlice, randomSpec, rng } from '../ndarray/reference.js';

/** Bytes that compress (so chunks hold real blocks, not stored copies), seeded. */
function data(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) v = (r() * 256) | 0;
    out[i] = v;
  }
  return out;
}

const geometry = fc.record({
  typesize: fc.constantFrom(1, 2, 4, 8),
  chunkItems: fc.integer({ min: 1, max: 3000 }),
  blockItems: fc.integer({ min: 1, max: 700 }),
  nchunks: fc.integer({ min: 1, max: 6 }),
  lastShort: fc.integer({ min: 0, max: 2999 }),
  zeroChunk: fc.integer({ min: -1, max: 5 }),
  codec: fc.constantFrom('blosclz' as const, 'lz4' as const, 'zstd' as const),
  filter: fc.constantFrom('shuffle' as const, 'bitshuffle' as const, 'noshuffle' as const),
  delta: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1 << 30 }),
});

type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never;

function build(g: Geometry): { s: SChunk; ref: Uint8Array } {
  const chunksize = g.chunkItems * g.typesize;
  // DELTA (filter 3) in slot 4 before the shuffle in slot 5: every block decodes against block 0.
  const shuffleId = g.filter === 'shuffle' ? 1 : g.filter === 'bitshuffle' ? 2 : 0;
  const cparams = g.delta
    ? { typesize: g.typesize, codec: g.codec, clevel: 5, filters: [0, 0, 0, 0, 3, shuffleId], blocksize: g.blockItems * g.typesize }
    : { typesize: g.typesize, codec: g.codec, clevel: 5, shuffle: g.filter, blocksize: g.blockItems * g.typesize };
  const s = new SChunk({ chunksize, cparams });
  const parts: Uint8Array[] = [];
  for (let c = 0; c < g.nchunks; c++) {
    const last = c === g.nchunks - 1;
    const n = last ? chunksize - Math.min(g.lastShort, g.chunkItems - 1) * g.typesize : chunksize;
    if (c === g.zeroChunk && !last) {
      s.appendChunk(zerosChunk(n, resolveCParams({ typesize: g.typesize })));
      parts.push(new Uint8Array(n));
    } else {
      const d = data(n, g.seed + c);
      s.append(d);
      parts.push(d);
    }
  }
  const ref = new Uint8Array(parts.reduce((p, x) => p + x.length, 0));
  let at = 0;
  for (const p of parts) {
    ref.set(p, at);
    at += p.length;
  }
  return { s, ref };
}

describe('slice engine', () => {
  it('SChunk.getSlice, a frame of it and AsyncCFrame.getSlice agree with the data, item by item', async () => {
    await fc.assert(
      fc.asyncProperty(geometry, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), async (g, u, v) => {
        const { s, ref } = build(g);
        const nitems = ref.length / g.typesize;
        const a = Math.floor(Math.min(u, v) * (nitems + 1));
        const b = Math.floor(Math.max(u, v) * (nitems + 1));
        const want = ref.subarray(a * g.typesize, Math.min(b, nitems) * g.typesize);
        expect(s.getSlice(a, b)).toEqual(want);
        const frame = s.toFrame();
        // Reopened from the frame, the zero chunk is a negative offset: filled, not built.
        expect(SChunk.open(frame).getSlice(a, b)).toEqual(want);
        const remote = await openFrameAsync(new Blob([frame as Uint8Array<ArrayBuffer>]));
        expect(await remote.getSlice(a, b)).toEqual(want);
      }),
      { numRuns: 60, seed: 0x5eed },
    );
  });

  it('NDArray reads agree with element-by-element slicing on random geometries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 30 }), (seed) => {
        const r = rng(seed);
        const nd = 1 + Math.floor(r() * 3);
        const shape = Array.from({ length: nd }, () => 1 + Math.floor(r() * 24));
        const chunks = shape.map((n) => 1 + Math.floor(r() * n));
        const blocks = chunks.map((c) => 1 + Math.floor(r() * c));
        const n = shape.reduce((p, x) => p * x, 1);
        const values = new Float64Array(n);
        for (let i = 0; i < n; i++) values[i] = Math.floor(i / 7) + (r() < 0.1 ? r() : 0);
        const arr = NDArray.fromTypedArray(values, { shape, chunks, blocks, codec: 'lz4', clevel: 5 });
        const again = NDArray.open(arr.toFrame());
        const bytes = new Uint8Array(values.buffer);
        for (let k = 0; k < 4; k++) {
          const spec = randomSpec(r, shape);
          const want = referenceSlice(bytes, shape, 8, spec);
          const got = again.slice(spec);
          expect(got.shape).toEqual(want.shape);
          expect(got.data).toEqual(want.data);
        }
      }),
      { numRuns: 60, seed: 0xb10c },
    );
  });

  it('a small slice decodes only the blocks it touches', () => {
    const values = new Float64Array(64 * 64);
    for (let i = 0; i < values.length; i++) values[i] = i >> 3;
    const src = NDArray.fromTypedArray(values, { shape: [64, 64], chunks: [32, 32], blocks: [8, 8], codec: 'lz4', clevel: 5 });
    const arr = NDArray.open(src.toFrame());
    // Inside one block.
    arr.slice([[3, 5], [10, 12]]);
    expect(arr.stats).toEqual({ chunks: 1, blocks: 1 });
    // Across a block corner: four blocks of one chunk.
    const before = arr.stats.blocks;
    arr.slice([[6, 10], [6, 10]]);
    expect(arr.stats.blocks - before).toBe(4);
    expect(arr.stats.chunks).toBe(2);
    // Across a chunk corner: one block in each of four chunks.
    const b2 = arr.stats.blocks;
    arr.slice([[31, 33], [31, 33]]);
    expect(arr.stats.blocks - b2).toBe(4);
    expect(arr.stats.chunks).toBe(6);
  });

  it('reads each chunk from a source once, and a special chunk not at all', () => {
    const { s, ref } = build({ typesize: 4, chunkItems: 1000, blockItems: 100, nchunks: 5, lastShort: 10, zeroChunk: 2, codec: 'lz4', filter: 'shuffle', delta: false, seed: 7 });
    const mem = new MemorySource(s.toFrame());
    const reads: number[] = [];
    const counting: FrameSource = {
      size: mem.size,
      read(offset: number, length: number): Uint8Array {
        reads.push(length);
        return mem.read(offset, length);
      },
    };
    const opened = SChunk.open(counting);
    const before = reads.length;
    expect(opened.getSlice()).toEqual(ref);
    // Five chunks, one of them a zero chunk stored as a negative offset: four reads.
    expect(reads.length - before).toBe(4);
  });
});
