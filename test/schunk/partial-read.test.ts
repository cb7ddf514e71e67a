/**
 * Partial chunk reads from a source that copies (a file): `CFrame.loadChunk` reads a chunk's
 * header, block starts and only the streams of the blocks a read touches (c-blosc2
 * `frame_get_lazychunk`). Counted here: the bytes read from the source and the blocks
 * decoded; checked: every read equals the reference, and a hostile chunk (block starts
 * outside the chunk or the file, streams that run on) gives a BloscError, with no read
 * outside the source and no buffer larger than the file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress, compressRepeatValue, compressZeros } from '../../src/index.js';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { checkRange, type FrameSource } from '../../src/io/source.js';
import { readInt32LE, writeInt32LE } from '../../src/frame/chunk-header.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { NDArray, type SliceSpec } from '../../src/ndarray/ndarray.js';
import { FileSource } from '../../src/io/file-source.js';
import { randomSpec, referenceSlice, rng } from '../ndarray/reference.js';
import { ND_DIR, ndFile, ndManifest } from '../ndarray/fixture-files.js';
import { join } from 'node:path';
import { codeOf } from '../hostile/helpers.js';

/** A source over frame bytes that copies what it reads (as a file does), counting it. */
class CountingSource implements FrameSource {
  readonly size: number;
  calls = 0;
  bytes = 0;
  /** The largest buffer a read was asked to fill (the readers reuse theirs from source to source). */
  largestBuffer = 0;
  constructor(private readonly frame: Uint8Array) {
    this.size = frame.length;
  }
  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, length, out, 0);
    return out;
  }
  readInto(offset: number, length: number, dest: Uint8Array, dp: number): void {
    checkRange(this.size, offset, length);
    if (dp < 0 || dp + length > dest.length) throw new Error(`read into [${dp}, ${dp + length}) of a ${dest.length}-byte buffer`);
    this.calls++;
    this.bytes += length;
    this.largestBuffer = Math.max(this.largestBuffer, dest.length);
    dest.set(this.frame.subarray(offset, offset + length), dp);
  }
  reset(): void {
    this.calls = 0;
    this.bytes = 0;
  }
}

/** Smooth float64 values with some noise: chunks of real (compressed) blocks. */
function field(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.round(1000 * Math.sin(i / 97)) / 8 + (r() < 0.05 ? r() : 0);
  return v;
}


/** Block j's stored span of chunk `chunk`: from its start to the next larger start (or cbytes). */
function blockSpan(chunk: Uint8Array, j: number): number {
  const nbytes = readInt32LE(chunk, 4);
  const blocksize = Math.min(readInt32LE(chunk, 8), nbytes);
  const nblocks = Math.ceil(nbytes / blocksize);
  const cbytes = readInt32LE(chunk, 12);
  const starts = Array.from({ length: nblocks }, (_, k) => readInt32LE(chunk, 32 + 4 * k));
  const b = starts[j]!;
  const next = starts.filter((x) => x > b);
  return (next.length > 0 ? Math.min(...next) : cbytes) - b;
}

/** 256 × 512 float64, chunks 128 × 512 (16 blocks of 8 × 512 each, 32 KiB), zstd + shuffle. */
function wideArray(extra: { filters?: number[]; useDict?: boolean } = {}): { frame: Uint8Array; values: Float64Array } {
  const values = field(256 * 512, 11);
  const arr = NDArray.fromTypedArray(values, { shape: [256, 512], chunks: [128, 512], blocks: [8, 512], codec: 'zstd', clevel: 5, ...extra });
  return { frame: arr.toFrame(), values };
}

describe('partial chunk reads from a file-like source', () => {
  it('a small slice reads the header, block starts and the streams of the blocks it touches, nothing more', () => {
    const { frame, values } = wideArray();
    const source = new CountingSource(frame);
    const arr = NDArray.open(source);
    const chunk0 = SChunk.open(frame).getChunk(0);
    source.reset();
    const spec: SliceSpec[] = [[20, 30], [100, 110]]; // rows 20..29: blocks 2 and 3 of chunk 0
    const got = arr.slice(spec);
    expect(got.data).toEqual(referenceSlice(new Uint8Array(values.buffer), [256, 512], 8, spec).data);
    expect(arr.stats).toEqual({ chunks: 1, blocks: 2 });
    // 32-byte header with the 16 block starts (the frame's blocksize says how many: one
    // read), then blocks 2 and 3 (adjacent in the file: one read).
    expect(source.bytes).toBe(32 + 4 * 16 + blockSpan(chunk0, 2) + blockSpan(chunk0, 3));
    expect(source.calls).toBe(2);
    expect(source.bytes).toBeLessThan(readInt32LE(chunk0, 12) / 4);
  });

  it('a whole-array read reads each chunk once, and exactly its bytes, in a compact frame', () => {
    const { frame, values } = wideArray();
    const source = new CountingSource(frame);
    const arr = NDArray.open(source);
    const memory = SChunk.open(frame);
    source.reset();
    expect(arr.toArray().data).toEqual(new Uint8Array(values.buffer));
    // Two chunks, one read each, of their cbytes: no separate read of the header first.
    expect(source.calls).toBe(2);
    expect(source.bytes).toBe(readInt32LE(memory.getChunk(0), 12) + readInt32LE(memory.getChunk(1), 12));
  });

  it('SChunk.getSlice of a few items reads one block of the chunk', () => {
    const { frame } = wideArray();
    const source = new CountingSource(frame);
    const s = SChunk.open(source);
    const chunk1 = SChunk.open(frame).getChunk(1);
    source.reset();
    // Items of block 5 of chunk 1 (a block is 4096 float64 items; a chunk 65536).
    const a = 65536 + 5 * 4096 + 100;
    expect(s.getSlice(a, a + 50)).toEqual(SChunk.open(frame).getSlice(a, a + 50));
    expect(source.bytes).toBe(32 + 4 * 16 + blockSpan(chunk1, 5));
  });

  it('with DELTA, block 0 is read too (every block decodes against it); with a dictionary, the dictionary', () => {
    for (const extra of [{ filters: [0, 0, 0, 0, 3, 1] }, { useDict: true }]) {
      const { frame, values } = wideArray(extra);
      const source = new CountingSource(frame);
      const arr = NDArray.open(source);
      const chunk0 = SChunk.open(frame).getChunk(0);
      source.reset();
      const spec: SliceSpec[] = [[100, 101], [0, 512]]; // row 100: block 12 of chunk 0
      expect(arr.slice(spec).data).toEqual(referenceSlice(new Uint8Array(values.buffer), [256, 512], 8, spec).data);
      const first = readInt32LE(chunk0, 32 + 4 * 0);
      const minStart = Math.min(...Array.from({ length: 16 }, (_, k) => readInt32LE(chunk0, 32 + 4 * k)));
      const between = minStart - (32 + 4 * 16); // the dictionary, when there is one
      const want = 32 + 4 * 16 + between + blockSpan(chunk0, 12) + ('filters' in extra ? blockSpan(chunk0, 0) : 0);
      if ('useDict' in extra) expect(between).toBeGreaterThan(0);
      expect(first).toBeGreaterThanOrEqual(minStart);
      expect(source.bytes).toBe(want);
    }
  });

  it('whole reads, random slices and SChunk slices agree with the reference on random geometries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.constantFrom('zstd' as const, 'lz4' as const, 'blosclz' as const),
        fc.constantFrom('none', 'delta', 'dict'),
        (seed, codec, extra) => {
          const r = rng(seed);
          const nd = 1 + Math.floor(r() * 3);
          const shape = Array.from({ length: nd }, () => 1 + Math.floor(r() * 40));
          const chunks = shape.map((n) => 1 + Math.floor(r() * n));
          const blocks = chunks.map((c) => 1 + Math.floor(r() * c));
          const n = shape.reduce((p, x) => p * x, 1);
          const values = field(n, seed);
          const options = extra === 'delta' ? { filters: [0, 0, 0, 0, 3, 1] } : extra === 'dict' && codec !== 'blosclz' ? { useDict: true } : {};
          const frame = NDArray.fromTypedArray(values, { shape, chunks, blocks, codec, clevel: 5, ...options }).toFrame();
          const source = new CountingSource(frame);
          const arr = NDArray.open(source);
          const bytes = new Uint8Array(values.buffer);
          expect(arr.toArray().data).toEqual(bytes);
          for (let k = 0; k < 4; k++) {
            const spec = randomSpec(r, shape);
            const want = referenceSlice(bytes, shape, 8, spec);
            const got = arr.slice(spec);
            expect(got.shape).toEqual(want.shape);
            expect(got.data).toEqual(want.data);
          }
          const s = SChunk.open(source);
          const memory = SChunk.open(frame);
          const a = Math.floor(r() * s.nbytes / 8);
          const b = a + Math.floor(r() * 3000);
          expect(s.getSlice(a, b)).toEqual(memory.getSlice(a, b));
        },
      ),
      { numRuns: 60, seed: 0x1a2c },
    );
  });
});

describe('chunks that are not read in part', () => {
  it('stored (memcpyed), repeated-value and zero chunks in the data area, and chunks of other sizes, read right from a source', () => {
    const r = rng(0x5ca1e);
    const noise = new Uint8Array(4000);
    for (let i = 0; i < noise.length; i++) noise[i] = (r() * 256) | 0;
    const smooth = new Uint8Array(new Float64Array(field(1500, 3)).buffer);
    // Chunks of any size (chunksize 0): special chunks are stored as chunks, not offsets.
    const s = new SChunk({ chunksize: 0, typesize: 8, cparams: { codec: 'zstd', clevel: 5, shuffle: 'shuffle', blocksize: 1024 } });
    s.appendChunk(compress(noise, { typesize: 8, clevel: 0 })); // memcpyed
    s.append(smooth);
    s.appendChunk(compressZeros(4096, { typesize: 8 }));
    s.appendChunk(compressRepeatValue(800, new Float64Array([2.5]), { typesize: 8 }));
    s.append(smooth.subarray(0, 2000));
    const frame = s.toFrame();
    const memory = SChunk.open(frame);
    const source = new CountingSource(frame);
    const file = SChunk.open(source);
    const n = memory.nbytes / 8;
    for (let k = 0; k < 40; k++) {
      const a = Math.floor(r() * n);
      const b = a + Math.floor(r() * 600);
      expect(file.getSlice(a, b)).toEqual(memory.getSlice(a, b));
    }
    expect(file.getSlice()).toEqual(memory.getSlice());
  });
});

describe('python-blosc2 files read in part', () => {
  it('every .b2nd fixture, opened on its file, slices as it does from memory (and reads less)', () => {
    const r = rng(0xf11e);
    let partial = 0;
    for (const f of ndManifest.files) {
      const memory = NDArray.open(ndFile(f.b2nd));
      const source = new FileSource(join(ND_DIR, f.b2nd));
      try {
        const file = NDArray.open(source);
        expect(file.toArray().data).toEqual(memory.toArray().data);
        for (let k = 0; k < 6; k++) {
          const spec = randomSpec(r, f.shape);
          const want = memory.slice(spec);
          const before = file.stats.blocks;
          const got = file.slice(spec);
          expect(got.shape).toEqual(want.shape);
          expect(got.data).toEqual(want.data);
          if (file.stats.blocks - before < memory.geometry.blocksPerChunk) partial++;
        }
      } finally {
        source.close();
      }
    }
    // Some of those slices touched only part of a chunk.
    expect(partial).toBeGreaterThan(0);
  });
});

describe('opening from a file-like source', () => {
  it('reads the two ends of a frame once each, and fails as an open from memory does on damaged bytes there', () => {
    const { frame } = wideArray();
    const source = new CountingSource(frame);
    NDArray.open(source);
    expect(source.calls).toBe(2);
    const n = frame.length;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 399 }), fc.integer({ min: 0, max: 255 }), (k, value) => {
        // The header, metalayers and the frame's last bytes (offsets index and trailer).
        const at = k < 200 ? k : n - 400 + k;
        const broken = frame.slice();
        broken[at] = value;
        const fromMemory = codeOf(() => NDArray.open(broken).toArray());
        expect(codeOf(() => NDArray.open(new CountingSource(broken)).toArray())).toBe(fromMemory);
      }),
      { numRuns: 150, seed: 0x0be7 },
    );
  });
});

describe('hostile chunks read in part', () => {
  /** The frame with bytes of chunk `i` changed by `edit` (positions relative to the chunk). */
  function edited(frame: Uint8Array, i: number, edit: (chunk: Uint8Array) => void): Uint8Array {
    const out = frame.slice();
    const loc = CFrame.open(frame).chunkLocation(i);
    if (loc.kind !== 'data') throw new Error('not a data chunk');
    edit(out.subarray(loc.offset, loc.offset + readInt32LE(out, loc.offset + 12)));
    return out;
  }
  const small: SliceSpec[] = [[20, 30], [100, 110]]; // blocks 2 and 3 of chunk 0

  it('a block start outside the chunk or the file is an InvalidHeader BloscError, read from nowhere', () => {
    const { frame } = wideArray();
    // Past the chunk's end (inside the file), past the file, inside the header and block starts, negative.
    for (const bad of [(c: Uint8Array) => readInt32LE(c, 12) + 10, () => 1 << 30, () => 0x7fffffff, () => 40, () => -5]) {
      // A block the slice touches, and one it does not (the layout checks every start).
      for (const j of [2, 9]) {
        const broken = edited(frame, 0, (c) => writeInt32LE(c, 32 + 4 * j, bad(c)));
        const source = new CountingSource(broken);
        const arr = NDArray.open(source);
        expect(codeOf(() => arr.slice(small))).toBe(BloscErrorCode.InvalidHeader);
        expect(source.largestBuffer).toBeLessThanOrEqual(broken.length);
      }
    }
  });

  it('a chunk claiming more bytes than its frame holds, or blocks that cannot fit, fails without a large buffer', () => {
    const { frame } = wideArray();
    const cases: [string, (c: Uint8Array) => void][] = [
      ['cbytes past the data area', (c) => writeInt32LE(c, 12, 0x7fff0000)],
      ['blocksize 1: 1 Mi block starts', (c) => writeInt32LE(c, 8, 1)],
      ['a stream running past the chunk', (c) => writeInt32LE(c, readInt32LE(c, 32 + 4 * 3), 0x7fff0000)],
    ];
    for (const [name, edit] of cases) {
      const broken = edited(frame, 0, edit);
      const source = new CountingSource(broken);
      const code = codeOf(() => NDArray.open(source).slice(small));
      expect(typeof code === 'number' ? 'BloscError' : code, name).toBe('BloscError');
      expect(source.largestBuffer, name).toBeLessThanOrEqual(broken.length);
    }
  });

  it('a stream that runs into the next block is not decoded from a part: the whole chunk is read and checked', () => {
    const { frame } = wideArray();
    const broken = edited(frame, 0, (c) => writeInt32LE(c, readInt32LE(c, 32 + 4 * 2), blockSpan(c, 2) + blockSpan(c, 3) - 4));
    const source = new CountingSource(broken);
    const arr = NDArray.open(source);
    source.reset();
    // Whatever the codec makes of the longer stream, it is what the in-memory reader makes of it.
    const fromMemory = codeOf(() => NDArray.open(broken).slice(small));
    expect(codeOf(() => arr.slice(small))).toBe(fromMemory);
    const chunk0 = SChunk.open(broken).getChunk(0);
    expect(source.bytes).toBeGreaterThanOrEqual(readInt32LE(chunk0, 12));
  });

  it('random damage to a chunk header and its block starts: the reference bytes or a BloscError, never a foreign error', () => {
    const { frame, values } = wideArray();
    const want = referenceSlice(new Uint8Array(values.buffer), [256, 512], 8, small).data;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 + 4 * 16 - 1 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const broken = edited(frame, 0, (c) => {
          c[at] = value;
        });
        const source = new CountingSource(broken);
        let got: Uint8Array | null = null;
        let code: number | string = 'no error';
        try {
          got = NDArray.open(source).slice(small).data;
        } catch (e) {
          code = isBloscError(e) ? e.code : `foreign ${String(e)}`;
        }
        if (got !== null) {
          // A change that left the touched blocks decodable: then they decode to the data,
          // or (a changed filter or size byte) to other bytes of the right length.
          expect(got.length).toBe(want.length);
        } else {
          expect(typeof code).toBe('number');
        }
        expect(source.largestBuffer).toBeLessThanOrEqual(broken.length);
      }),
      { numRuns: 200, seed: 0xbad },
    );
  });
});
