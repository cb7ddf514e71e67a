/**
 * Bloscpack files that claim more than they hold (issue case 4): the output is checked
 * against the ceiling before anything is decoded, and size fields against the file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bloscpack, BloscErrorCode, compressZeros, getLimits, setLimits } from '../../src/index.js';
import { readMetadataHeader, writeBloscpackHeader, writeOffsets, BLOSCPACK_HEADER_LENGTH } from '../../src/frame/bloscpack.js';
import { codeOf, codeOfAsync, cost, MiB } from './helpers.js';

const saved = getLimits();
afterEach(() => {
  setLimits(saved);
});

const CHUNK_NBYTES = 2 ** 31 - 64;

/** A 152-byte .blp: three 32-byte zero chunks of almost 2 GiB each, offsets, no checksums. */
function threeHugeChunks(): Uint8Array {
  const chunk = compressZeros(CHUNK_NBYTES, { typesize: 8 });
  chunk[0] = 2; // Blosc1 format version, as bloscpack frames chunks (the extended header keeps the special flag)
  const header = writeBloscpackHeader({
    formatVersion: 3, offsets: true, metadata: false, checksum: 'None', typesize: 8,
    chunkSize: CHUNK_NBYTES, lastChunk: CHUNK_NBYTES, nchunks: 3, maxAppChunks: 0,
  });
  const start = BLOSCPACK_HEADER_LENGTH + 3 * 8;
  const out = new Uint8Array(start + 3 * chunk.length);
  out.set(header);
  out.set(writeOffsets([start, start + 32, start + 64], 3), BLOSCPACK_HEADER_LENGTH);
  for (let i = 0; i < 3; i++) out.set(chunk, start + 32 * i);
  return out;
}

describe('a 152-byte .blp of three 2 GiB zero chunks', () => {
  const blp = threeHugeChunks();

  it('is a file whose framing checks out', () => {
    expect(blp.length).toBe(152);
    const { chunks } = bloscpack.verifyBytes(blp);
    expect(chunks.map((c) => c.nbytes)).toEqual([CHUNK_NBYTES, CHUNK_NBYTES, CHUNK_NBYTES]);
  });

  it('unpackBytes refuses 6 GiB before decoding anything', () => {
    const c = cost(() => codeOf(() => bloscpack.unpackBytes(blp)));
    // Before: 6 GB filled, then a RangeError.
    expect(c.value).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(c.ms).toBeLessThan(500);
    expect(c.arrayBuffers).toBeLessThan(16 * MiB);
    // Allowed by the caller, the runtime refuses one 6 GiB array: MemoryAlloc.
    expect(codeOf(() => bloscpack.unpackBytes(blp, { maxNbytes: 2 ** 33 }))).toBe(BloscErrorCode.MemoryAlloc);
  });

  it('a streamed unpack bounds each chunk', async () => {
    const sinkWrites: number[] = [];
    const sink: bloscpack.ByteSink = {
      write: (d) => { sinkWrites.push(d.length); return Promise.resolve(); },
      writeAt: () => Promise.resolve(),
      close: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
    expect(await codeOfAsync(bloscpack.unpack(bloscpack.memorySource(blp), sink))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(sinkWrites).toEqual([]);
  });
});

describe('a .blp whose metadata claims a huge meta_size', () => {
  /** A packed file whose zlib metadata header says `metaSize`; the stored bytes and digest are intact. */
  function lyingMetaSize(metaSize: number): Uint8Array {
    const blp = bloscpack.packBytes(new Uint8Array(1000).fill(3), { metadata: { note: 'x'.repeat(3000), n: [1, 2, 3] }, metaCodec: 'zlib' });
    const mh = readMetadataHeader(blp, BLOSCPACK_HEADER_LENGTH);
    expect(mh.metaCodec).toBe('zlib');
    new DataView(blp.buffer).setUint32(BLOSCPACK_HEADER_LENGTH + 12, metaSize, true);
    return blp;
  }

  it('4 GiB is refused as impossible for its stored bytes, before any allocation', () => {
    const blp = lyingMetaSize(0xffff_ffff);
    expect(blp.length).toBeLessThan(40_000);
    for (const read of [() => bloscpack.readBloscpackInfo(blp), () => bloscpack.unpackBytes(blp)]) {
      const c = cost(() => codeOf(read));
      expect(c.value).toBe(BloscErrorCode.InvalidHeader);
      expect(c.arrayBuffers).toBeLessThan(16 * MiB);
      expect(c.ms).toBeLessThan(500);
    }
  });

  it('a size zlib could reach but above the ceiling is MaxBufsizeExceeded', () => {
    setLimits({ maxOutputBytes: 4096 });
    expect(codeOf(() => bloscpack.readBloscpackInfo(lyingMetaSize(5000)))).toBe(BloscErrorCode.MaxBufsizeExceeded);
  });
});
