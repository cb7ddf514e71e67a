/**
 * Chunks built by hand from the spec, for the kinds the Python packages rarely or never
 * write: every special-value kind, run-encoded streams, VL-block chunks, lazy chunks,
 * unregistered codec and filter ids.
 */
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode, chunkInfo, decompress, getItems } from '../../src/index.js';
import { writeChunkHeader, type ChunkHeaderFields } from '../../src/frame/chunk-header.js';

function blosc2Header(over: Partial<ChunkHeaderFields> & { nbytes: number; cbytes: number }, ext: Partial<NonNullable<ChunkHeaderFields['extended']>> = {}): Uint8Array {
  const out = new Uint8Array(Math.max(over.cbytes, 32));
  writeChunkHeader(out, 0, {
    version: 5,
    versionlz: 1,
    flags: 0x05,
    typesize: 4,
    blocksize: over.nbytes,
    ...over,
    extended: {
      filters: [0, 0, 0, 0, 0, 0],
      filtersMeta: [0, 0, 0, 0, 0, 0],
      udcompcode: 0,
      compcodeMeta: 0,
      blosc2Flags2: 0,
      blosc2Flags: 0,
      ...ext,
    },
  });
  return out;
}

function expectCode(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BloscError);
    expect((e as BloscError).code).toBe(code);
    return;
  }
  throw new Error('expected a BloscError');
}

describe('special-value chunks', () => {
  it('zeros', () => {
    const c = blosc2Header({ nbytes: 1000, cbytes: 32 }, { blosc2Flags: 1 << 4 });
    const out = decompress(c, new Uint8Array(1000).fill(9));
    expect(out.every((v) => v === 0)).toBe(true);
    expect(chunkInfo(c).special).toBe('zeros');
  });

  it('NaN float32 and float64', () => {
    const c4 = blosc2Header({ nbytes: 40, cbytes: 32, typesize: 4 }, { blosc2Flags: 2 << 4 });
    const f4 = new Float32Array(decompress(c4).buffer);
    expect(f4.length).toBe(10);
    expect(f4.every((v) => Number.isNaN(v))).toBe(true);
    expect(new Uint32Array(f4.buffer)[3]).toBe(0x7fc00000);
    const c8 = blosc2Header({ nbytes: 80, cbytes: 32, typesize: 8 }, { blosc2Flags: 2 << 4 });
    const f8 = new Float64Array(decompress(c8).buffer);
    expect(f8.every((v) => Number.isNaN(v))).toBe(true);
    expect(new DataView(f8.buffer).getBigUint64(8, true)).toBe(0x7ff8000000000000n);
    expectCode(() => decompress(blosc2Header({ nbytes: 30, cbytes: 32, typesize: 3 }, { blosc2Flags: 2 << 4 })), BloscErrorCode.InvalidHeader);
  });

  it('repeated value, including a value wider than 255 bytes and partial reads', () => {
    const value = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const c = blosc2Header({ nbytes: 3000, cbytes: 332, typesize: 1 }, { blosc2Flags: 3 << 4 });
    c.set(value, 32);
    const out = decompress(c);
    for (let i = 0; i < 3000; i++) expect(out[i]).toBe(value[i % 300]);
    expect(getItems(c, 450, 1000)).toEqual(out.subarray(450, 1450));
    const bad = blosc2Header({ nbytes: 3001, cbytes: 332, typesize: 1 }, { blosc2Flags: 3 << 4 });
    expectCode(() => decompress(bad), BloscErrorCode.InvalidHeader);
  });

  it('uninit decodes to zeros (C leaves it undefined; we never expose stale bytes)', () => {
    const c = blosc2Header({ nbytes: 64, cbytes: 32 }, { blosc2Flags: 4 << 4 });
    expect(decompress(c, new Uint8Array(64).fill(1)).every((v) => v === 0)).toBe(true);
  });

  it('reserved kinds 5..7 are rejected', () => {
    expectCode(() => decompress(blosc2Header({ nbytes: 64, cbytes: 32 }, { blosc2Flags: 5 << 4 })), BloscErrorCode.InvalidHeader);
  });
});

/** One block, no split, given streams (already encoded) after the bstarts table. */
function runChunk(nbytes: number, stream: number[], typesize = 1, flags = 0x15): Uint8Array {
  const cbytes = 32 + 4 + stream.length;
  const c = blosc2Header({ nbytes, cbytes, typesize, flags });
  new DataView(c.buffer).setInt32(32, 36, true);
  c.set(stream, 36);
  return c;
}

describe('run-encoded streams (Blosc2)', () => {
  it('csize 0 is a zero run', () => {
    expect(decompress(runChunk(100, [0, 0, 0, 0]))).toEqual(new Uint8Array(100));
  });
  it('negative csize with token 0x01 repeats the byte', () => {
    expect(decompress(runChunk(100, [0xbf, 0xff, 0xff, 0xff, 0x01]))).toEqual(new Uint8Array(100).fill(0x41));
  });
  it('a token without bit 0, or a value above 255, is rejected', () => {
    expectCode(() => decompress(runChunk(100, [0xbf, 0xff, 0xff, 0xff, 0x02])), BloscErrorCode.RunLength);
    expectCode(() => decompress(runChunk(100, [0x00, 0xff, 0xff, 0xff, 0x01])), BloscErrorCode.RunLength);
  });
  it('a raw stream (csize == neblock) is copied', () => {
    const data = Array.from({ length: 50 }, (_, i) => i * 3);
    expect(Array.from(decompress(runChunk(50, [50, 0, 0, 0, ...data])))).toEqual(data);
  });
});

describe('split blocks whose size is not a multiple of typesize', () => {
  it('decode like C: typesize streams of bsize / typesize bytes, the remainder zeroed', () => {
    // c-blosc2 3.x writes such headers when a requested blocksize is not a multiple of typesize.
    const streams = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const cbytes = 32 + 4 + streams.length * 6;
    const c = blosc2Header({ nbytes: 10, cbytes, typesize: 4, flags: 0x05, blocksize: 10 });
    new DataView(c.buffer).setInt32(32, 36, true);
    streams.forEach((st, i) => c.set([2, 0, 0, 0, ...st], 36 + 6 * i));
    expect(Array.from(decompress(c, new Uint8Array(10).fill(0xee)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0, 0]);
  });
});

describe('VL-block chunks (version 6)', () => {
  it('decodes raw VL blocks of different sizes', () => {
    const blocks = [Uint8Array.from([1, 2, 3]), Uint8Array.from([4, 5, 6, 7, 8]), Uint8Array.from([9])];
    const nblocks = blocks.length;
    const dataStart = 32 + 4 * nblocks;
    const cbytes = dataStart + blocks.reduce((s, b) => s + 4 + b.length, 0);
    const c = blosc2Header({ version: 6, nbytes: 9, cbytes, flags: 0x15, typesize: 1, blocksize: nblocks }, { blosc2Flags2: 1 });
    const dv = new DataView(c.buffer);
    let pos = dataStart;
    blocks.forEach((b, i) => {
      dv.setInt32(32 + 4 * i, pos, true);
      dv.setInt32(pos, b.length, true);
      c.set(b, pos + 4);
      pos += 4 + b.length;
    });
    expect(Array.from(decompress(c))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(chunkInfo(c).vlBlocks).toBe(true);
    // Sizes that do not add up to nbytes are rejected before decoding.
    dv.setInt32(4, 10, true);
    expectCode(() => decompress(c), BloscErrorCode.InvalidHeader);
  });
});

describe('unsupported pieces name what is missing', () => {
  it('lazy chunks', () => {
    const c = runChunk(100, [0, 0, 0, 0]);
    c[31] = 0x08;
    expect(() => decompress(c)).toThrowError(/lazy/);
  });
  it('an unregistered user codec id', () => {
    const c = runChunk(100, [10, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1, 0x15 | (6 << 5));
    c[22] = 200;
    expect(() => decompress(c)).toThrowError(/codec id 200/);
  });
  it('an unregistered filter id', () => {
    const c = runChunk(100, [0, 0, 0, 0]);
    c[16] = 201;
    expect(() => decompress(c)).toThrowError(/201/);
  });
  it('memcpyed chunk whose cbytes disagrees with nbytes', () => {
    const c = blosc2Header({ nbytes: 10, cbytes: 40, flags: 0x07 });
    expectCode(() => decompress(c), BloscErrorCode.InvalidHeader);
  });
  it('a chunk with nbytes 0 decodes to nothing', () => {
    const c = blosc2Header({ nbytes: 0, cbytes: 32, blocksize: 1 });
    expect(decompress(c).length).toBe(0);
  });
  it('an output buffer that is too small', () => {
    expectCode(() => decompress(runChunk(100, [0, 0, 0, 0]), new Uint8Array(99)), BloscErrorCode.WriteBuffer);
  });
});
