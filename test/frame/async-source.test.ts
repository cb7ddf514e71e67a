import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { readChunkHeader } from '../../src/frame/chunk-header.js';
import { BlobSource, HttpRangeSource, type FetchFunction } from '../../src/io/async-source.js';
import { AsyncFileSource } from '../../src/io/file-source.js';
import { AsyncCFrame, openFrameAsync, PrefetchedSource } from '../../src/schunk/remote.js';
import type { AsyncFrameSource } from '../../src/io/source.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { readInt32LE } from '../../src/frame/chunk-header.js';
import * as api from '../../src/index.js';
import * as nodeApi from '../../src/node.js';
import { sha256 } from '../helpers.js';
import { frameFixtures, hex, readFrameFixture } from './frame-fixtures.js';

const fixtures = frameFixtures().filter((f) => f.kind !== 'sframe');

/** An in-memory async source that records every read. */
class CountingSource implements AsyncFrameSource {
  readonly size: number;
  bytesRead = 0;
  requests: [number, number][] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    readonly bytes: Uint8Array,
    private readonly delayMs = 0,
  ) {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (offset < 0 || offset + length > this.size) throw new RangeError('outside');
      this.bytesRead += length;
      this.requests.push([offset, length]);
      return this.bytes.slice(offset, offset + length);
    } finally {
      this.inFlight--;
    }
  }
  reset(): void {
    this.bytesRead = 0;
    this.requests = [];
  }
}

async function codeOf(p: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
    return e.code;
  }
}

function syncCodeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
    return e.code;
  }
}

/** Every chunk and the whole content through the async frame equal the synchronous reader's. */
async function expectSameAsSync(frame: AsyncCFrame, bytes: Uint8Array): Promise<void> {
  const sync = CFrame.open(bytes);
  expect(frame.header).toEqual(sync.header);
  expect(frame.metalayers).toEqual(sync.metalayers);
  expect(frame.vlmetalayers).toEqual(sync.vlmetalayers);
  expect(frame.nchunks).toBe(sync.nchunks);
  for (let i = 0; i < sync.nchunks; i++) expect(hex(await frame.getChunk(i)), `chunk ${i}`).toBe(hex(sync.getChunk(i)));
  expect(sha256(await frame.getSlice())).toBe(sha256(SChunk.open(bytes).getSlice()));
}

/** 64 MiB of uint32 counters in 256 chunks of 256 KiB: a frame of a few hundred KiB. */
function bigFrame(): { bytes: Uint8Array; data: Uint8Array } {
  const n = 16 << 20;
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  const data = new Uint8Array(a.buffer);
  const cs = 256 << 10;
  const s = new SChunk({ chunksize: cs, typesize: 4, cparams: { codec: 'lz4', clevel: 5, shuffle: 'shuffle' } });
  s.meta.add('m', new Uint8Array([0x90]));
  s.vlmeta.set('note', 'big');
  for (let p = 0; p < data.length; p += cs) s.append(data.subarray(p, p + cs));
  return { bytes: s.toFrame(), data };
}

let big: { bytes: Uint8Array; data: Uint8Array };
beforeAll(() => {
  big = bigFrame();
});

describe('openFrameAsync over python-blosc2 frames', () => {
  for (const f of fixtures) {
    it(`${f.path}: same header, layers, chunks and content as the synchronous reader and python`, async () => {
      const bytes = readFrameFixture(f);
      const frame = await openFrameAsync(new CountingSource(bytes));
      await expectSameAsSync(frame, bytes);
      // Independent of our readers: python's chunk hashes and decoded content.
      if (f.chunks !== null) {
        for (let i = 0; i < f.nchunks; i++) expect(sha256(await frame.getChunk(i))).toBe(f.chunks[i]!.sha256);
      }
      const all = await frame.getSlice();
      expect(all.length).toBe(f.decoded.length);
      if (f.uninit !== true) expect(sha256(all)).toBe(f.decoded.sha256);
    });
  }

  it('slices and decompressChunk agree with the synchronous super-chunk', async () => {
    for (const f of fixtures) {
      const bytes = readFrameFixture(f);
      const s = SChunk.open(bytes);
      const frame = await openFrameAsync(new BlobSource(new Blob([new Uint8Array(bytes)])));
      const n = Math.floor(s.nbytes / s.typesize);
      const cuts = [0, 1, Math.floor(n / 3), Math.floor(n / 2) + 7, n - 1, n, n + 5];
      for (const a of cuts) for (const b of cuts) expect(hex(await frame.getSlice(a, b)), `${f.path} [${a}, ${b})`).toBe(hex(s.getSlice(a, b)));
      for (let i = 0; i < s.nchunks; i++) {
        expect(hex(await frame.decompressChunk(i))).toBe(hex(s.decompressChunk(i)));
        expect(await frame.chunkNbytes(i)).toBe(s.chunkNbytes(i));
      }
    }
  });
});

describe('lazy access reads only what it needs', () => {
  it('opening and reading one chunk reads header + index + trailer + that chunk', async () => {
    const { bytes, data } = big;
    const sync = CFrame.open(bytes);
    const h = sync.header;
    const trailerLen = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 22, 4).getUint32(0);
    const indexLen = bytes.length - trailerLen - h.headerLen - h.cbytes;
    const src = new CountingSource(bytes);
    const frame = await openFrameAsync(src);
    expect(frame.nchunks).toBe(256);
    expect(src.bytesRead).toBe(h.headerLen + trailerLen + indexLen);
    expect(src.requests.length).toBeLessThanOrEqual(5);

    src.reset();
    const chunk = await frame.getChunk(137);
    const chunkCbytes = readChunkHeader(chunk).cbytes;
    expect(src.requests.length).toBe(1);
    expect(src.bytesRead).toBe(chunkCbytes);
    const total = h.headerLen + trailerLen + indexLen + chunkCbytes;
    expect(total).toBeLessThan(bytes.length / 20);
    expect(total).toBeLessThan(h.nbytes / 10_000);

    src.reset();
    const items = await frame.getSlice(137 * 65536 - 3, 139 * 65536 + 5); // touches chunks 136..139
    expect(hex(items)).toBe(hex(data.subarray((137 * 65536 - 3) * 4, (139 * 65536 + 5) * 4)));
    const touched = [136, 137, 138, 139].map((i) => readChunkHeader(sync.getChunk(i)).cbytes);
    expect(src.requests.length).toBe(4);
    expect(src.bytesRead).toBe(touched.reduce((x, y) => x + y, 0));
  });

  it('fetches slice chunks concurrently, never more than the cap at once', async () => {
    const src = new CountingSource(big.bytes, 2);
    const frame = await openFrameAsync(src, { concurrency: 3 });
    src.maxInFlight = 0;
    const all = await frame.getSlice(0, 40 * 65536);
    expect(hex(all.subarray(0, 64))).toBe(hex(big.data.subarray(0, 64)));
    expect(sha256(all)).toBe(sha256(big.data.subarray(0, 40 * 65536 * 4)));
    expect(src.maxInFlight).toBe(3);
  });

  it('variable-size chunks: one header read per chunk for the size scan, then the touched chunks', async () => {
    const f = fixtures.find((x) => x.path.includes('variable-chunks'))!;
    const bytes = readFrameFixture(f);
    const src = new CountingSource(bytes);
    const frame = await openFrameAsync(src);
    src.reset();
    const s = SChunk.open(bytes);
    const n = Math.floor(s.nbytes / s.typesize);
    expect(hex(await frame.getSlice(n - 1, n))).toBe(hex(s.getSlice(n - 1, n)));
    // nchunks header reads for the sizes, plus the last chunk.
    expect(src.requests.filter(([, len]) => len === 32).length).toBeGreaterThanOrEqual(frame.nchunks);
    expect(src.requests.length).toBe(frame.nchunks + 1);
  });
});

describe('a slice covering part of a chunk fetches only the blocks it touches', () => {
  // A b2nd frame (its header states the blocksize): 64 × 512 float64 in chunks of 32 rows
  // (128 KiB) and blocks of 4 rows (16 KiB), 8 blocks per chunk.
  const values = new Float64Array(64 * 512).map((_, i) => Math.sin(i / 7) * 1000 + (i % 13));
  const bytes = NDArray.fromTypedArray(values, { shape: [64, 512], chunks: [32, 512], blocks: [4, 512] }).toFrame();
  const sync = SChunk.open(bytes);
  const B = 4 * 512 * 8;
  const NB = 8;
  /** Bytes [start, end) in the chunk of block j's streams (up to the next larger block start). */
  const span = (chunk: Uint8Array, j: number): [number, number] => {
    const starts = Array.from({ length: NB }, (_, k) => readInt32LE(chunk, 32 + 4 * k));
    const b = starts[j]!;
    const next = Math.min(...starts.filter((x) => x > b), readChunkHeader(chunk).cbytes);
    return [b, next];
  };

  it('one request for the chunk header and block starts, then one per run of blocks', async () => {
    const src = new CountingSource(bytes);
    const frame = await openFrameAsync(src);
    expect(frame.header.blocksize).toBe(B);
    const chunk1 = sync.getChunk(1);
    const loc = CFrame.open(bytes).chunkLocation(1);
    const at1 = loc.kind === 'data' ? loc.offset : -1;
    // Items of chunk 1 (from item 16384), blocks 2..4 of it: one run.
    src.reset();
    const a = 16384 + 2 * 2048 + 100;
    const b = 16384 + 4 * 2048 + 5;
    expect(hex(await frame.getSlice(a, b))).toBe(hex(sync.getSlice(a, b)));
    const head = 32 + 4 * NB;
    const [runStart] = span(chunk1, 2);
    const [, runEnd] = span(chunk1, 4);
    expect(src.requests).toEqual([[at1, head], [at1 + runStart, runEnd - runStart]]);
    expect(src.bytesRead).toBeLessThan(readChunkHeader(chunk1).cbytes / 2);

    // The last block of chunk 0 and the first of chunk 1: two chunks, two requests each.
    src.reset();
    const c = 16384 - 10;
    const d = 16384 + 10;
    expect(hex(await frame.getSlice(c, d))).toBe(hex(sync.getSlice(c, d)));
    const chunk0 = sync.getChunk(0);
    const [l0, l1] = span(chunk0, NB - 1);
    const [f0, f1] = span(chunk1, 0);
    expect(src.requests.length).toBe(4);
    expect(src.bytesRead).toBe(2 * head + (l1 - l0) + (f1 - f0));

    // A whole chunk: one request, as before.
    src.reset();
    expect(hex(await frame.getSlice(16384, 32768))).toBe(hex(sync.getSlice(16384, 32768)));
    expect(src.requests).toEqual([[at1, readChunkHeader(chunk1).cbytes]]);
  });

  it('a byte changed in a chunk read in part: the same bytes or the same error code as the file reader', async () => {
    /** A synchronous source with readInto, as a file's: the file reader's partial loads run. */
    class FileLike {
      constructor(readonly bytes: Uint8Array) {}
      get size(): number {
        return this.bytes.length;
      }
      read(offset: number, length: number): Uint8Array {
        return this.bytes.slice(offset, offset + length);
      }
      readInto(offset: number, length: number, dest: Uint8Array, dp: number): void {
        dest.set(this.bytes.subarray(offset, offset + length), dp);
      }
    }
    const loc = CFrame.open(bytes).chunkLocation(1);
    const at1 = loc.kind === 'data' ? loc.offset : -1;
    const cb = readChunkHeader(sync.getChunk(1)).cbytes;
    const a = 16384 + 2 * 2048 + 100;
    const b = 16384 + 4 * 2048 + 5;
    const outcome = async (f: () => Promise<Uint8Array> | Uint8Array): Promise<string | number> => {
      try {
        return hex(await f());
      } catch (e) {
        if (!(e instanceof BloscError)) throw e;
        return e.code;
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: cb - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, xor) => {
        const bad = bytes.slice();
        bad[at1 + pos]! ^= xor;
        const viaFile = await outcome(() => SChunk.open(new FileLike(bad)).getSlice(a, b));
        const viaAsync = await outcome(async () => (await openFrameAsync(new CountingSource(bad))).getSlice(a, b));
        expect(viaAsync, `byte ${pos} ^ ${xor}`).toEqual(viaFile);
      }),
      { numRuns: 150, seed: 0xbad },
    );
  });

  it('random ranges read what the synchronous reader reads, fetching no more than whole chunks', async () => {
    const src = new CountingSource(bytes);
    const frame = await openFrameAsync(src);
    const n = values.length;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: n }), fc.integer({ min: 0, max: n }), async (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        src.reset();
        expect(hex(await frame.getSlice(a, b))).toBe(hex(sync.getSlice(a, b)));
        let wholeChunks = 0;
        for (let i = Math.floor(a / 16384); i * 16384 < b; i++) wholeChunks += readChunkHeader(sync.getChunk(i)).cbytes;
        expect(src.bytesRead).toBeLessThanOrEqual(wholeChunks + 2 * (32 + 4 * NB));
      }),
      { numRuns: 60, seed: 0xb10c },
    );
  });
});

describe('huge claimed sizes', () => {
  it('a slice of a 1 TiB filled frame decodes only what it covers; the whole exceeds the ceiling', async () => {
    const s = new SChunk({ chunksize: 1 << 30, typesize: 8 });
    s.fillSpecial(2 ** 37, 'nan'); // 1 TiB of float64 NaNs in 1024 chunks
    const frame = await openFrameAsync(new CountingSource(s.toFrame()));
    expect(frame.nbytes).toBe(2 ** 40);
    const part = new Float64Array((await frame.getSlice(2 ** 27 - 2, 2 ** 27 + 3)).slice().buffer);
    expect(part.length).toBe(5);
    expect(part.every((v) => Number.isNaN(v))).toBe(true);
    expect(await codeOf(frame.getSlice())).toBe(BloscErrorCode.MaxBufsizeExceeded);
    // Allowed by the caller, it is the runtime that refuses: MemoryAlloc, not a RangeError.
    expect(await codeOf(frame.getSlice(0, undefined, { maxNbytes: 2 ** 41 }))).toBe(BloscErrorCode.MemoryAlloc);
  });
});

describe('BlobSource', () => {
  it('reads ranges of a Blob and opens a Blob directly', async () => {
    const bytes = readFrameFixture(fixtures[0]!);
    const src = new BlobSource(new Blob([new Uint8Array(bytes)]));
    expect(src.size).toBe(bytes.length);
    expect(hex(await src.read(10, 20))).toBe(hex(bytes.subarray(10, 30)));
    expect(await codeOf(src.read(bytes.length - 5, 6))).toBe(BloscErrorCode.ReadBuffer);
    expect(await codeOf(src.read(-1, 2))).toBe(BloscErrorCode.ReadBuffer);
    await expectSameAsSync(await openFrameAsync(new Blob([new Uint8Array(bytes)])), bytes);
  });

  it('a read that fails inside the Blob becomes a FileRead BloscError', async () => {
    const failing = { size: 100, slice: () => ({ arrayBuffer: () => Promise.reject(new TypeError('gone')) }) } as unknown as Blob;
    expect(await codeOf(new BlobSource(failing).read(0, 10))).toBe(BloscErrorCode.FileRead);
    const short = { size: 100, slice: () => ({ arrayBuffer: () => Promise.resolve(new ArrayBuffer(3)) }) } as unknown as Blob;
    expect(await codeOf(new BlobSource(short).read(0, 10))).toBe(BloscErrorCode.FileRead);
  });
});

describe('opening from an async source fails as the synchronous open does', () => {
  const small = fixtures.find((x) => x.path.startsWith('frames/zstd.u8.meta-vlmeta'))!;
  const bytes = readFrameFixture(small);

  it('truncated frames', async () => {
    for (const cut of [0, 10, 86, 87, 111, 200, bytes.length - 30, bytes.length - 1]) {
      const part = bytes.slice(0, cut);
      const syncCode = syncCodeOf(() => CFrame.open(part));
      expect(syncCode).not.toBe('ok');
      expect(await codeOf(openFrameAsync(new CountingSource(part))), `cut at ${cut}`).toBe(syncCode);
    }
  });

  async function sameOutcome(mutated: Uint8Array, exact = true): Promise<void> {
    const syncCode = syncCodeOf(() => CFrame.open(mutated, { exact }));
    const asyncCode = await codeOf(openFrameAsync(new CountingSource(mutated), { exact }));
    expect(asyncCode).toBe(syncCode);
  }

  it('every byte of the fixed header and the tail, changed, gives the same outcome', async () => {
    const positions: number[] = [];
    for (let p = 0; p < 87; p++) positions.push(p);
    for (let p = bytes.length - 25; p < bytes.length; p++) positions.push(p);
    for (const pos of positions) {
      for (const value of [0x00, 0xff, bytes[pos]! ^ 0x01, bytes[pos]! ^ 0x80]) {
        const mutated = bytes.slice();
        mutated[pos] = value;
        await sameOutcome(mutated);
        const padded = new Uint8Array(mutated.length + 40);
        padded.set(mutated);
        await sameOutcome(padded, false);
      }
    }
  });

  it('a byte changed in the header, index or trailer gives the same outcome', async () => {
    for (const f of fixtures.filter((x) => x.frameLength < 20_000)) {
      const frameBytes = readFrameFixture(f);
      const h = CFrame.open(frameBytes).header;
      const metadataPositions = fc.oneof(
        fc.integer({ min: 0, max: h.headerLen - 1 }),
        fc.integer({ min: h.headerLen + h.cbytes, max: frameBytes.length - 1 }),
        fc.integer({ min: frameBytes.length - 25, max: frameBytes.length - 1 }),
      );
      await fc.assert(
        fc.asyncProperty(metadataPositions, fc.integer({ min: 0, max: 255 }), async (pos, value) => {
          const mutated = frameBytes.slice();
          mutated[pos] = value;
          await sameOutcome(mutated);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('a byte changed anywhere: every chunk read gives what the synchronous reader gives', async () => {
    for (const f of fixtures.filter((x) => x.frameLength < 20_000 && x.nchunks > 0)) {
      const frameBytes = readFrameFixture(f);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: frameBytes.length - 1 }), fc.integer({ min: 0, max: 255 }), async (pos, value) => {
          const mutated = frameBytes.slice();
          mutated[pos] = value;
          let sync: CFrame;
          try {
            sync = CFrame.open(mutated);
          } catch {
            return; // the opening outcome is compared above
          }
          const frame = await openFrameAsync(new CountingSource(mutated));
          for (let i = 0; i < sync.nchunks; i++) {
            let expected: string | number;
            try {
              expected = hex(sync.getChunk(i));
            } catch (e) {
              if (!(e instanceof BloscError)) throw e;
              expected = e.code;
            }
            let got: string | number;
            try {
              got = hex(await frame.getChunk(i));
            } catch (e) {
              if (!(e instanceof BloscError)) throw e;
              got = e.code;
            }
            expect(got, `chunk ${i}`).toBe(expected);
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  it('a corrupt frame raises when its chunk is read, as the synchronous reader does', async () => {
    const sync = CFrame.open(bytes);
    const loc = sync.chunkLocation(1);
    if (loc.kind !== 'data') throw new Error('chunk 1 is stored');
    const mutated = bytes.slice();
    mutated[loc.offset + 4] ^= 0x40; // its nbytes
    const frame = await openFrameAsync(new CountingSource(mutated));
    const syncCode = syncCodeOf(() => CFrame.open(mutated).getChunk(1));
    expect(syncCode).not.toBe('ok');
    expect(await codeOf(frame.getChunk(1))).toBe(syncCode);
    expect(await codeOf(frame.getChunk(99))).toBe(BloscErrorCode.InvalidIndex);
  });

  it('metadata larger than maxMetadataBytes is refused before it is fetched', async () => {
    const src = new CountingSource(big.bytes);
    expect(await codeOf(openFrameAsync(src, { maxMetadataBytes: 100 }))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(src.bytesRead).toBe(87 + 25);
  });

  it('a source that misbehaves raises FileRead', async () => {
    const wrongLength: AsyncFrameSource = { size: bytes.length, read: async (o, n) => bytes.slice(o, o + n - 1) };
    expect(await codeOf(openFrameAsync(wrongLength))).toBe(BloscErrorCode.FileRead);
    const throwing: AsyncFrameSource = { size: bytes.length, read: () => Promise.reject(new TypeError('boom')) };
    expect(await codeOf(openFrameAsync(throwing))).toBe(BloscErrorCode.FileRead);
    expect(await codeOf(openFrameAsync(new CountingSource(bytes), { concurrency: 0 }))).toBe(BloscErrorCode.InvalidParam);
  });

  it('a sparse frame index is refused (its chunks are separate files)', async () => {
    const s = SChunk.open(bytes);
    const { index } = s.toSparseFrame();
    expect(await codeOf(openFrameAsync(new CountingSource(index)))).toBe(BloscErrorCode.FrameType);
  });

  it('frames embedded with trailing bytes need exact: false', async () => {
    const padded = new Uint8Array(bytes.length + 500);
    padded.set(bytes);
    expect(await codeOf(openFrameAsync(new CountingSource(padded)))).toBe(syncCodeOf(() => CFrame.open(padded)));
    await expectSameAsSync(await openFrameAsync(new CountingSource(padded), { exact: false }), bytes);
  });
});

describe('entry points', () => {
  it('export the async frame API (the file source from the Node entry only)', () => {
    for (const name of ['openFrameAsync', 'AsyncCFrame', 'BlobSource', 'HttpRangeSource']) expect(api, name).toHaveProperty(name);
    expect(api).not.toHaveProperty('AsyncFileSource');
    expect(nodeApi.AsyncFileSource).toBe(AsyncFileSource);
  });
});

describe('PrefetchedSource', () => {
  it('serves reads inside fetched ranges (merged when adjacent) and refuses the rest', () => {
    const v = new PrefetchedSource(100);
    v.add(0, new Uint8Array([1, 2, 3, 4]));
    v.add(4, new Uint8Array([5, 6]));
    v.add(50, new Uint8Array([9, 9]));
    expect([...v.read(2, 4)]).toEqual([3, 4, 5, 6]);
    expect(syncCodeOf(() => v.read(5, 2))).toBe(BloscErrorCode.ReadBuffer);
    expect(syncCodeOf(() => v.read(40, 1))).toBe(BloscErrorCode.ReadBuffer);
    expect(syncCodeOf(() => v.read(99, 2))).toBe(BloscErrorCode.ReadBuffer);
    expect(v.withWindow(60, new Uint8Array([7, 8]), () => [...v.read(60, 2)])).toEqual([7, 8]);
    expect(syncCodeOf(() => v.read(60, 1))).toBe(BloscErrorCode.ReadBuffer);
  });
});

describe('AsyncFileSource', () => {
  it('reads a frame from a file, at an offset too, and refuses reads past its end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-async-file-'));
    try {
      const path = join(dir, 'big.b2frame');
      writeFileSync(path, big.bytes);
      const src = await AsyncFileSource.open(path);
      try {
        expect(src.size).toBe(big.bytes.length);
        const frame = await openFrameAsync(src);
        expect(frame.nchunks).toBe(256);
        expect(hex(await frame.decompressChunk(200))).toBe(hex(big.data.subarray(200 * (256 << 10), 201 * (256 << 10))));
        expect(await codeOf(src.read(big.bytes.length - 1, 2))).toBe(BloscErrorCode.ReadBuffer);
      } finally {
        await src.close();
      }
      expect(await codeOf(src.read(0, 1))).toBe(BloscErrorCode.FileRead);

      const embedded = join(dir, 'embedded.bin');
      const small = readFrameFixture(fixtures[0]!);
      const padded = new Uint8Array(small.length + 300);
      padded.set(small, 123);
      writeFileSync(embedded, padded);
      const at = await AsyncFileSource.open(embedded, 123);
      try {
        await expectSameAsSync(await openFrameAsync(at, { exact: false }), small);
      } finally {
        await at.close();
      }
      expect(await codeOf(AsyncFileSource.open(join(dir, 'missing')))).toBe(BloscErrorCode.FileOpen);
      expect(await codeOf(AsyncFileSource.open(embedded, padded.length + 1))).toBe(BloscErrorCode.InvalidParam);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HttpRangeSource against a local server', () => {
  type Mode = 'range' | 'ignore' | 'nohead' | 'liesize' | 'truncate' | 'short' | 'status404' | 'status500';
  const files = new Map<string, Uint8Array>();
  let server: Server;
  let base = '';
  let served = 0;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const [, modeName, name] = (req.url ?? '').split('/');
    const mode = modeName as Mode;
    const body = files.get(name ?? '');
    if (mode === 'status404' || body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    if (mode === 'status500') {
      res.writeHead(500).end('oops');
      return;
    }
    if (req.method === 'HEAD') {
      if (mode === 'nohead') res.writeHead(405).end();
      else res.writeHead(200, { 'Content-Length': String(mode === 'liesize' ? body.length + 1000 : body.length), 'Accept-Ranges': 'bytes' }).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (mode === 'ignore' || m === null) {
      served += body.length;
      res.writeHead(200, { 'Content-Length': String(body.length) }).end(body);
      return;
    }
    const a = Number(m[1]);
    const b = Math.min(Number(m[2]), body.length - 1);
    if (a >= body.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      return;
    }
    const part = body.subarray(a, b + 1);
    if (mode === 'truncate' && part.length > 100) {
      // Promise the whole range, send half of it, then drop the connection.
      res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${body.length}`, 'Content-Length': String(part.length) });
      res.write(part.subarray(0, part.length >> 1), () => res.destroy());
      return;
    }
    const sent = mode === 'short' && part.length > 100 ? part.subarray(0, part.length - 10) : part;
    served += sent.length;
    res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${body.length}`, 'Content-Length': String(sent.length) }).end(sent);
  }

  beforeAll(async () => {
    for (const f of fixtures) files.set(f.path.replace('frames/', ''), readFrameFixture(f));
    files.set('big.b2frame', big.bytes);
    server = createServer(handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('reads every fixture through range requests, as the synchronous reader does', async () => {
    for (const f of fixtures) {
      const bytes = readFrameFixture(f);
      const src = await HttpRangeSource.open(`${base}/range/${f.path.replace('frames/', '')}`);
      expect(src.size).toBe(bytes.length);
      await expectSameAsSync(await openFrameAsync(src), bytes);
    }
  });

  it('transfers header + index + trailer + one chunk to read one chunk of a big frame', async () => {
    const src = await HttpRangeSource.open(`${base}/range/big.b2frame`);
    served = 0;
    const frame = await openFrameAsync(src);
    const chunk = await frame.decompressChunk(77);
    expect(hex(chunk)).toBe(hex(big.data.subarray(77 * (256 << 10), 78 * (256 << 10))));
    const sync = CFrame.open(big.bytes);
    const trailerLen = new DataView(big.bytes.buffer, big.bytes.byteOffset + big.bytes.length - 22, 4).getUint32(0);
    const indexLen = big.bytes.length - trailerLen - sync.header.headerLen - sync.header.cbytes;
    expect(served).toBe(sync.header.headerLen + trailerLen + indexLen + readChunkHeader(sync.getChunk(77)).cbytes);
    expect(served).toBeLessThan(big.bytes.length / 20);
  });

  it('finds the size from Content-Range when HEAD is refused', async () => {
    const bytes = readFrameFixture(fixtures[1]!);
    const src = await HttpRangeSource.open(new URL(`${base}/nohead/${fixtures[1]!.path.replace('frames/', '')}`));
    expect(src.size).toBe(bytes.length);
    await expectSameAsSync(await openFrameAsync(src), bytes);
  });

  it('a server that ignores Range: small bodies are used whole, large ones refused', async () => {
    const bytes = readFrameFixture(fixtures[0]!);
    const name = fixtures[0]!.path.replace('frames/', '');
    const src = await HttpRangeSource.open(`${base}/ignore/${name}`);
    served = 0;
    await expectSameAsSync(await openFrameAsync(src), bytes);
    // The two requests the opener starts together each get the whole body; every later
    // read (header, trailer, index, each chunk) is served from memory.
    expect(served).toBeLessThanOrEqual(2 * bytes.length);

    const refusing = await HttpRangeSource.open(`${base}/ignore/big.b2frame`, { maxFullBody: 64 << 10 });
    const err = await openFrameAsync(refusing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BloscError);
    expect((err as BloscError).code).toBe(BloscErrorCode.FileRead);
    expect((err as BloscError).message).toMatch(/ignores Range/);
    // HEAD refused and Range ignored: the size probe itself refuses the large body.
    const probe = await codeOf(HttpRangeSource.open(`${base}/ignore/big.b2frame`, { maxFullBody: 64 << 10, fetch: headless }));
    expect(probe).toBe(BloscErrorCode.FileRead);
  });

  /** The global fetch, with HEAD failing as a network error. */
  const headless: FetchFunction = (url, init) => (init.method === 'HEAD' ? Promise.reject(new TypeError('no HEAD')) : fetch(url, init));

  it('every failing server raises a BloscError with a code', async () => {
    const name = fixtures[0]!.path.replace('frames/', '');
    expect(await codeOf(HttpRangeSource.open(`${base}/status404/${name}`))).toBe(BloscErrorCode.FileRead);
    expect(await codeOf(HttpRangeSource.open(`${base}/status500/${name}`))).toBe(BloscErrorCode.FileRead);
    expect(await codeOf(HttpRangeSource.open(`${base}/range/nothing-here`))).toBe(BloscErrorCode.FileRead);
    // A Content-Length larger than the file: the frame does not span the source.
    const liar = await HttpRangeSource.open(`${base}/liesize/${name}`);
    const lieCode = await codeOf(openFrameAsync(liar));
    expect(lieCode).not.toBe('ok');
    expect(typeof lieCode).toBe('number');
    expect(await codeOf(liar.read(liar.size - 10, 10))).toBe(BloscErrorCode.FileRead); // 416 from the server
    const cut = await HttpRangeSource.open(`${base}/truncate/big.b2frame`);
    expect(await codeOf(openFrameAsync(cut))).toBe(BloscErrorCode.FileRead);
    const short = await HttpRangeSource.open(`${base}/short/big.b2frame`);
    expect(await codeOf(short.read(0, 1000))).toBe(BloscErrorCode.FileRead);
    expect(await codeOf(short.read(short.size, 1))).toBe(BloscErrorCode.ReadBuffer);
    expect(await codeOf(HttpRangeSource.open('http://127.0.0.1:1/x'))).toBe(BloscErrorCode.FileRead);
  });
});

describe('HttpRangeSource checks every response', () => {
  const data = new Uint8Array(5000).map((_, i) => i * 7);

  /** A fetch answering ranged GETs through `respond` (HEAD reports the true size). */
  function fakeFetch(respond: (a: number, b: number) => Response): FetchFunction & { calls: number } {
    const fn = async (_url: string, init: { method: string; headers: Headers }): Promise<Response> => {
      fn.calls++;
      if (init.method === 'HEAD') return new Response(null, { status: 200, headers: { 'Content-Length': String(data.length) } });
      const m = /^bytes=(\d+)-(\d+)$/.exec(init.headers.get('range') ?? '')!;
      return respond(Number(m[1]), Number(m[2]));
    };
    fn.calls = 0;
    return fn;
  }
  const ok = (a: number, b: number, body = data.slice(a, b + 1), extra: Record<string, string> = {}): Response =>
    new Response(body, { status: 206, headers: { 'Content-Range': `bytes ${a}-${b}/${data.length}`, ...extra } });

  it('accepts a correct answer and passes the extra headers', async () => {
    let seen: string | null = null;
    const fetchFn: FetchFunction = async (url, init) => {
      seen = init.headers.get('authorization');
      return fakeFetch((a, b) => ok(a, b))(url, init);
    };
    const src = await HttpRangeSource.open('https://example.test/f', { fetch: fetchFn, headers: { Authorization: 'Bearer t' } });
    expect(hex(await src.read(100, 50))).toBe(hex(data.subarray(100, 150)));
    expect(seen).toBe('Bearer t');
    expect(await src.read(10, 0)).toHaveLength(0);
  });

  it('refuses wrong ranges, wrong totals, lying lengths, extra and missing bytes', async () => {
    const cases: ((a: number, b: number) => Response)[] = [
      (a, b) => ok(a, b, data.slice(a + 1, b + 2), { 'Content-Range': `bytes ${a + 1}-${b + 1}/${data.length}` }),
      (a, b) => ok(a, b, undefined, { 'Content-Range': `bytes ${a}-${b}/${data.length + 1}` }),
      (a, b) => ok(a, b, undefined, { 'Content-Length': String(b - a + 2) }),
      (a, b) => ok(a, b, data.slice(a, b + 11)),
      (a, b) => ok(a, b, data.slice(a, b - 3)),
      (a, b) => ok(a, b, undefined, { 'Content-Encoding': 'gzip' }),
      () => new Response('teapot', { status: 418 }),
      () => new Response(data, { status: 200, headers: { 'Content-Length': String(data.length + 1) } }),
    ];
    for (let k = 0; k < cases.length; k++) {
      const src = await HttpRangeSource.open('https://example.test/f', { fetch: fakeFetch(cases[k]!) });
      expect(await codeOf(src.read(100, 50)), `case ${k}`).toBe(BloscErrorCode.FileRead);
    }
  });

  it('a resource whose ETag changes after opening is refused', async () => {
    let etag = '"v1"';
    const fetchFn: FetchFunction = async (_url, init) => {
      if (init.method === 'HEAD') return new Response(null, { status: 200, headers: { 'Content-Length': String(data.length), ETag: etag } });
      const m = /^bytes=(\d+)-(\d+)$/.exec(init.headers.get('range') ?? '')!;
      return ok(Number(m[1]), Number(m[2]), undefined, { ETag: etag });
    };
    const src = await HttpRangeSource.open('https://example.test/f', { fetch: fetchFn });
    expect(hex(await src.read(0, 8))).toBe(hex(data.subarray(0, 8)));
    etag = '"v2"';
    expect(await codeOf(src.read(0, 8))).toBe(BloscErrorCode.FileRead);
  });

  it('without Content-Range (hidden across origins) the body length alone is checked', async () => {
    const src = await HttpRangeSource.open('https://example.test/f', { fetch: fakeFetch((a, b) => new Response(data.slice(a, b + 1), { status: 206 })) });
    expect(hex(await src.read(7, 9))).toBe(hex(data.subarray(7, 16)));
    const short = await HttpRangeSource.open('https://example.test/f', { fetch: fakeFetch((a, b) => new Response(data.slice(a, b), { status: 206 })) });
    expect(await codeOf(short.read(7, 9))).toBe(BloscErrorCode.FileRead);
  });

  it('a size probe without a total in Content-Range is refused', async () => {
    const fetchFn: FetchFunction = async (_url, init) =>
      init.method === 'HEAD' ? new Response(null, { status: 405 }) : new Response(data.slice(0, 1), { status: 206, headers: { 'Content-Range': 'bytes 0-0/*' } });
    expect(await codeOf(HttpRangeSource.open('https://example.test/f', { fetch: fetchFn }))).toBe(BloscErrorCode.FileRead);
  });
});
