/** `chunkBlocks`: the block and stream map of a chunk, checked against what decoding yields. */
import { describe, expect, it } from 'vitest';
import { chunkBlocks, chunkInfo, compress, compressZeros, decompress, getItems, isBloscError } from '../../src/index.js';

describe('chunkBlocks', () => {
  const data = new Float64Array(40_960).map((_, i) => Math.sin(i / 100));
  it('splits a shuffled Blosc2 chunk into blocks of typesize streams that tile the data area', () => {
    const chunk = compress(data, { codec: 'lz4', blocksize: 32768, splitmode: 'always' });
    const info = chunkInfo(chunk);
    const blocks = chunkBlocks(chunk);
    expect(blocks.length).toBe(info.nblocks);
    expect(blocks.length).toBe(Math.ceil(data.byteLength / 32768));
    let nbytes = 0;
    for (const b of blocks) {
      expect(b.split).toBe(true);
      expect(b.streams.length).toBe(8);
      expect(b.streams.reduce((s, x) => s + x.nbytes, 0)).toBe(b.nbytes);
      // The next block starts where this one's streams end.
      const next = blocks[b.index + 1];
      if (next !== undefined) expect(next.start).toBe(b.start + b.cbytes);
      else expect(b.start + b.cbytes).toBe(info.cbytes);
      // Each block decodes on its own to the matching items.
      const items = getItems(chunk, nbytes / 8, b.nbytes / 8);
      expect(items).toEqual(new Uint8Array(data.buffer, nbytes, b.nbytes));
      nbytes += b.nbytes;
    }
    expect(nbytes).toBe(data.byteLength);
  });

  it('describes Blosc1 chunks, memcpyed chunks and special chunks', () => {
    const b1 = compress(data, { format: 'blosc1', codec: 'blosclz', blocksize: 65536 });
    expect(chunkBlocks(b1).length).toBe(chunkInfo(b1).nblocks);
    expect(decompress(b1).length).toBe(data.byteLength);
    const memcpyed = compress(crypto.getRandomValues(new Uint8Array(5000)), { clevel: 0, typesize: 1, blocksize: 2048 });
    const raw = chunkBlocks(memcpyed);
    expect(raw.map((b) => b.nbytes)).toEqual([2048, 2048, 904]);
    expect(raw.every((b) => b.streams.length === 1 && b.streams[0]!.kind === 'raw')).toBe(true);
    expect(chunkBlocks(compressZeros(4096))).toEqual([]);
  });

  it('marks zero runs, and raises a BloscError naming the block for a corrupt stream size', () => {
    const zeros = new Uint8Array(65536);
    zeros.set(new Uint8Array(1000).fill(7), 40000);
    const chunk = compress(zeros, { codec: 'zstd', typesize: 4, blocksize: 16384, splitmode: 'always' });
    const kinds = chunkBlocks(chunk).flatMap((b) => b.streams.map((s) => s.kind));
    expect(kinds).toContain('zeros');
    const bad = chunk.slice();
    const last = chunkBlocks(chunk).at(-1)!;
    new DataView(bad.buffer).setInt32(last.start, 1 << 30, true);
    let caught: unknown;
    try {
      chunkBlocks(bad);
    } catch (e) {
      caught = e;
    }
    expect(isBloscError(caught)).toBe(true);
  });
});
