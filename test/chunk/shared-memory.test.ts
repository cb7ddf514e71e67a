/**
 * Chunks held in a SharedArrayBuffer (a zarr store read into shared memory, a chunk handed
 * to a worker) decode to the same bytes as from private memory, at every offset modulo 8 of
 * the chunk and of the output: the decoder copies a shared chunk's raw planes, codec
 * streams, stored chunks and partial blocks through copyMemory, which changes only how the
 * bytes travel. Every C-written fixture, and chunks of every codec whose planes are partly
 * stored raw (smooth float64: the low bytes do not compress). Likewise the encoders write
 * the same chunk into a shared output, and from a shared input, at every offset.
 */
import { describe, expect, it } from 'vitest';
import { compress, decompress, getItems, maxChunkSize, type CodecName } from '../../src/index.js';
import { chunkFixtures, firstDifference, readFixture, sha256 } from '../helpers.js';

/** `bytes` copied into a SharedArrayBuffer at byte `offset` of it (a view of exactly its length). */
function sharedAt(bytes: Uint8Array, offset: number): Uint8Array {
  const view = new Uint8Array(new SharedArrayBuffer(offset + bytes.length + 8), offset, bytes.length);
  view.set(bytes);
  return view;
}

function smoothFloat64(n: number): Uint8Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i / 1000) * 1000 + (i % 7) * 0.001;
  return new Uint8Array(f.buffer);
}

describe('chunks in shared memory', () => {
  const data = smoothFloat64(150_000);
  const codecs: CodecName[] = ['lz4', 'blosclz', 'zstd', 'zlib', 'lz4hc'];

  it.each(codecs)('%s: a shared chunk at every offset modulo 8 decodes as the private one, into private and shared outputs', (codec) => {
    for (const format of ['blosc1', 'blosc2'] as const) {
      for (const shuffle of ['shuffle', 'bitshuffle', 'noshuffle'] as const) {
        const chunk = compress(data, { codec, clevel: 5, typesize: 8, shuffle, format, blocksize: 64 << 10 });
        const expected = decompress(chunk);
        expect(firstDifference(expected, data)).toBe('equal');
        for (let offset = 0; offset < 8; offset++) {
          const shared = sharedAt(chunk, offset);
          expect(firstDifference(decompress(shared), expected)).toBe('equal');
          // Into a shared output whose start disagrees with the planes' modulo 8.
          const out = new Uint8Array(new SharedArrayBuffer(data.length + 16), (offset * 3) % 8, data.length);
          decompress(shared, out);
          expect(firstDifference(out, expected)).toBe('equal');
          // A partial read: part of a block copied out of the decoded block.
          const items = getItems(shared, 1001 + offset, 9000);
          expect(firstDifference(items, expected.subarray((1001 + offset) * 8, (10001 + offset) * 8))).toBe('equal');
        }
      }
    }
  });

  it('a stored (memcpyed) chunk in shared memory decodes at every offset', () => {
    const noise = new Uint8Array(70_001);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const chunk = compress(noise, { codec: 'lz4', clevel: 0, typesize: 1 });
    for (let offset = 0; offset < 8; offset++) {
      const shared = sharedAt(chunk, offset);
      expect(firstDifference(decompress(shared), noise)).toBe('equal');
      expect(firstDifference(getItems(shared, 333 + offset, 5000), noise.subarray(333 + offset, 5333 + offset))).toBe('equal');
    }
  });

  it('every C-written fixture decodes from shared memory to its recorded bytes', () => {
    const fixtures = chunkFixtures();
    expect(fixtures.length).toBeGreaterThan(100);
    for (const entry of fixtures) {
      const chunk = readFixture(entry);
      const shared = sharedAt(chunk, 3);
      expect(sha256(decompress(shared)), entry.path).toBe(entry.decoded.sha256);
    }
  });

  it.each(codecs)('%s: compressing from and into shared memory at every offset modulo 8 writes the private chunk', (codec) => {
    const noise = new Uint8Array(40_003);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    const inputs: Array<[Uint8Array, number]> = [[data.subarray(0, 400_000), 8], [noise, 1]];
    for (const [input, typesize] of inputs) {
      for (const format of ['blosc1', 'blosc2'] as const) {
        for (const clevel of codec === 'zstd' ? [1, 5, 9] : [5]) {
          const options = { codec, clevel, typesize, format, blocksize: 64 << 10 };
          const expected = compress(input, options);
          // (zstd's slowest level at one misaligned offset only.)
          for (const offset of clevel === 9 ? [3] : [0, 1, 2, 3, 4, 5, 6, 7]) {
            const room = maxChunkSize(input.length, format);
            const out = new Uint8Array(new SharedArrayBuffer(room + 8), offset, room);
            const chunk = compress(input, options, out);
            expect(chunk.buffer).toBe(out.buffer);
            expect(firstDifference(chunk, expected), `${format} clevel ${clevel} offset ${offset}`).toBe('equal');
            expect(firstDifference(compress(sharedAt(input, offset), options), expected)).toBe('equal');
          }
        }
      }
    }
  });
});
