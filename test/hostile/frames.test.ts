/**
 * Small frames that claim huge contents (issue cases 1 and 3): they open in O(1) memory,
 * slices of them decode within the output ceiling, and whatever cannot be produced fails
 * with a BloscError whose code says why, never a RangeError or a process abort.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BloscErrorCode, compress, compressRepeatValue, decompressFrameAsync, getLimits, setLimits, SChunk, CFrame, openFrameAsync, BlobSource } from '../../src/index.js';
import { readChunkHeader, SpecialKind } from '../../src/frame/chunk-header.js';
import { codeOf, codeOfAsync, cost, hostileFixture, MiB } from './helpers.js';

const saved = getLimits();
afterEach(() => {
  setLimits(saved);
});

describe('a 172-byte frame of 2^27 special chunks (python-blosc2 fill_special)', () => {
  const bytes = hostileFixture('fill-134m-chunks.b2frame');
  const NCHUNKS = 2 ** 27;

  it('is what python-blosc2 wrote: 172 bytes, its offsets index one repeated value', () => {
    expect(bytes.length).toBe(172);
  });

  it('opens in O(1) memory and time, and reports what C reports', () => {
    const c = cost(() => SChunk.open(bytes));
    const s = c.value;
    expect([s.nchunks, s.nbytes, s.chunksize, s.typesize]).toEqual([NCHUNKS, 2 ** 33, 64, 8]);
    // Expanding the index took 4.6 GB and 12 s, then a V8 abort.
    expect(c.arrayBuffers).toBeLessThan(16 * MiB);
    expect(c.rss).toBeLessThan(256 * MiB);
    expect(c.ms).toBeLessThan(2000);
    const f = cost(() => CFrame.open(bytes));
    expect(f.value.nchunks).toBe(NCHUNKS);
    expect(f.arrayBuffers).toBeLessThan(16 * MiB);
  });

  it('reads any chunk and slices anywhere, decoding only what they cover', () => {
    const s = SChunk.open(bytes);
    const last = s.getChunk(NCHUNKS - 1);
    expect(readChunkHeader(last).special).toBe(SpecialKind.Zero);
    expect(readChunkHeader(last).nbytes).toBe(64);
    expect(s.decompressChunk(NCHUNKS >> 1)).toEqual(new Uint8Array(64));
    const nitems = 2 ** 30;
    const c = cost(() => s.getSlice(nitems - 100, nitems));
    expect(c.value).toEqual(new Uint8Array(800));
    expect(c.ms).toBeLessThan(1000);
    // Straddling chunk boundaries, unaligned to them.
    expect(s.getSlice(3, 3 + 37)).toEqual(new Uint8Array(37 * 8));
  });

  it('refuses the whole 8 GiB as MaxBufsizeExceeded, fast', () => {
    const s = SChunk.open(bytes);
    const c = cost(() => codeOf(() => s.getSlice()));
    expect(c.value).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(c.ms).toBeLessThan(500);
    // Editing would list 2^27 chunks (2 GiB of lists): refused by the same ceiling.
    expect(codeOf(() => s.delete(0))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(s.nchunks).toBe(NCHUNKS);
  });

  it('writes back the very bytes python-blosc2 wrote, without listing its chunks', () => {
    const c = cost(() => SChunk.open(bytes).toFrame());
    expect(c.value).toEqual(bytes);
    expect(c.arrayBuffers).toBeLessThan(16 * MiB);
    const filled = new SChunk({ chunksize: 64, typesize: 8 });
    filled.fillSpecial(2 ** 30, 'zeros');
    const written = filled.toFrame();
    // The same layout (header fields aside, which hold this super-chunk's cparams).
    expect(written.length).toBe(bytes.length);
    expect(written.subarray(written.length - 60)).toEqual(bytes.subarray(bytes.length - 60));
    expect(SChunk.open(written).nchunks).toBe(NCHUNKS);
  });

  it('opens from a Blob without fetching or expanding the index', async () => {
    const frame = await openFrameAsync(new BlobSource(new Blob([new Uint8Array(bytes)])));
    expect([frame.nchunks, frame.nbytes]).toEqual([NCHUNKS, 2 ** 33]);
    expect(await frame.getSlice(2 ** 30 - 4)).toEqual(new Uint8Array(32));
    expect(await codeOfAsync(frame.getSlice())).toBe(BloscErrorCode.MaxBufsizeExceeded);
  });

  it('fails fast with MaxBufsizeExceeded when it declares more chunks than maxFrameChunks', () => {
    setLimits({ maxFrameChunks: 1_000_000 });
    expect(codeOf(() => SChunk.open(bytes))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    setLimits({ maxFrameChunks: NCHUNKS });
    expect(SChunk.open(bytes).nchunks).toBe(NCHUNKS);
  });

  it('fillSpecial of 2^27 chunks holds them in O(1) memory too', () => {
    const c = cost(() => {
      const s = new SChunk({ chunksize: 64, typesize: 8 });
      s.fillSpecial(2 ** 30, 'zeros');
      return s;
    });
    expect(c.value.nchunks).toBe(NCHUNKS);
    expect(c.value.nbytes).toBe(2 ** 33);
    expect(c.arrayBuffers).toBeLessThan(16 * MiB);
    expect(c.value.getSlice(2 ** 30 - 2)).toEqual(new Uint8Array(16));
  });
});

/** Split a frame into header+data, offsets index and trailer (big-endian msgpack fields). */
function frameParts(f: Uint8Array): { head: Uint8Array; trailer: Uint8Array } {
  const d = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const headerLen = d.getInt32(11);
  const cbytes = Number(d.getBigInt64(39));
  const trailerLen = d.getUint32(f.length - 22);
  return { head: f.slice(0, headerLen + cbytes), trailer: f.slice(f.length - trailerLen) };
}

/** `head | index | trailer` with frame_len patched. */
function assemble(head: Uint8Array, index: Uint8Array, trailer: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + index.length + trailer.length);
  out.set(head);
  out.set(index, head.length);
  out.set(trailer, head.length + index.length);
  new DataView(out.buffer).setBigUint64(16, BigInt(out.length));
  return out;
}

describe('chunk counts a frame cannot justify', () => {
  it('a variable-size frame whose index declares more chunks than its data area holds is refused at open', () => {
    const s = new SChunk({ chunksize: 0, typesize: 1 });
    s.append(new Uint8Array(100).fill(7));
    const { head, trailer } = frameParts(s.toFrame());
    // 2^24 entries (128 MiB of offsets) in a 40-byte repeated-value chunk, all pointing at chunk 0.
    const index = compressRepeatValue(8 * 2 ** 24, new Uint8Array(8), { typesize: 8 });
    const hostile = assemble(head, index, trailer);
    expect(hostile.length).toBeLessThan(1000);
    const c = cost(() => codeOf(() => SChunk.open(hostile)));
    expect(c.value).toBe(BloscErrorCode.InvalidHeader);
    expect(c.ms).toBeLessThan(500);
  });

  it('a frame whose index claims more entries than the header implies is refused', () => {
    const s = new SChunk({ chunksize: 8, typesize: 1 });
    s.append(new Uint8Array(8));
    s.append(new Uint8Array(8).fill(1));
    const { head, trailer } = frameParts(s.toFrame());
    const index = compressRepeatValue(8 * 2 ** 27, new Uint8Array(8), { typesize: 8 });
    expect(codeOf(() => SChunk.open(assemble(head, index, trailer)))).toBe(BloscErrorCode.InvalidHeader);
  });
});

describe('a large offsets index stays compressed and is read a window at a time', () => {
  it('gives the same chunks as the super-chunk it was written from', () => {
    const n = 200_000; // 1.6 MB of offsets: above the size decoded whole at open
    const s = new SChunk({ chunksize: 64, typesize: 8 });
    s.fillSpecial(8 * n, 'zeros');
    const a = new Uint8Array(64).map((_, i) => i + 1);
    const b = new Uint8Array(64).map((_, i) => 200 - i);
    s.update(7, a);
    s.update(n - 1, b);
    s.update(150_001, a);
    const frame = s.toFrame();
    const t = SChunk.open(frame);
    expect(t.nchunks).toBe(n);
    expect(t.decompressChunk(7)).toEqual(a);
    expect(t.decompressChunk(n - 1)).toEqual(b);
    expect(t.decompressChunk(150_001)).toEqual(a);
    expect(t.decompressChunk(150_000)).toEqual(new Uint8Array(64));
    expect(readChunkHeader(t.getChunk(3)).special).toBe(SpecialKind.Zero);
    expect(t.getSlice(8 * 7 - 1, 8 * 8 + 1)).toEqual(s.getSlice(8 * 7 - 1, 8 * 8 + 1));
    expect(t.toFrame()).toEqual(frame);
    // Random access goes back and forth between windows.
    for (const i of [150_001, 7, n - 1, 7, 0]) expect(t.decompressChunk(i)).toEqual(s.decompressChunk(i));
  });
});

describe('a large offsets index with a lying entry', () => {
  /** A frame of `n` zero chunks of 64 bytes whose index (compressed as C does) has `entry` at `k`. */
  function withEntry(n: number, k: number, entry: (d: DataView, p: number) => void): Uint8Array {
    const s = new SChunk({ chunksize: 64, typesize: 8 });
    s.fillSpecial(8 * n, 'zeros');
    const { head, trailer } = frameParts(s.toFrame());
    const raw = new Uint8Array(8 * n);
    const d = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) d.setUint32(8 * i + 4, 0x81000000, true);
    entry(d, 8 * k);
    const index = compress(raw, { codec: 'blosclz', clevel: 5, typesize: 8, shuffle: 'shuffle', splitmode: 'never', blocksize: 16384 });
    return assemble(head, index, trailer);
  }

  it('opens, reads the honest entries, and fails on the lying one with the code C gives', () => {
    const n = 300_000;
    const past = withEntry(n, 250_000, (d, p) => {
      d.setUint32(p, 1 << 30, true); // a data offset past the (empty) data area
      d.setUint32(p + 4, 0, true);
    });
    const s = SChunk.open(past);
    expect(s.nchunks).toBe(n);
    expect(s.decompressChunk(0)).toEqual(new Uint8Array(64));
    expect(s.decompressChunk(n - 1)).toEqual(new Uint8Array(64));
    expect(codeOf(() => s.getChunk(250_000))).toBe(BloscErrorCode.InvalidHeader);
    expect(codeOf(() => s.getSlice(8 * 249_999, 8 * 250_001))).toBe(BloscErrorCode.InvalidHeader);
    // The window that failed is not kept half-checked: its entries fail again, the others read.
    expect(codeOf(() => s.getChunk(250_001))).toBe(BloscErrorCode.InvalidHeader);
    expect(s.decompressChunk(200_000)).toEqual(new Uint8Array(64));
    const kind = withEntry(n, 5, (d, p) => d.setUint32(p + 4, 0x83000000, true)); // special kind 3 does not exist
    expect(codeOf(() => SChunk.open(kind).getChunk(5))).toBe(BloscErrorCode.FrameSpecial);
  });
});

describe('a valid 172-byte frame of 8 GiB of zeros (128 chunks of 64 MiB)', () => {
  const bytes = hostileFixture('zeros-8gib.b2frame');

  it('getSlice over the ceiling is MaxBufsizeExceeded; allowed past what the runtime holds, MemoryAlloc', () => {
    const s = SChunk.open(bytes);
    expect([s.nchunks, s.nbytes]).toEqual([128, 2 ** 33]);
    expect(codeOf(() => s.getSlice())).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(codeOf(() => s.getSlice(0, undefined, { maxNbytes: 2 ** 34 }))).toBe(BloscErrorCode.MemoryAlloc);
    // One 64 MiB chunk is within the default ceiling; not within a lower global one.
    expect(s.decompressChunk(127).length).toBe(64 * MiB);
    setLimits({ maxOutputBytes: MiB });
    expect(codeOf(() => s.decompressChunk(127))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(codeOf(() => s.getSlice(0, 2 ** 17 + 1))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    // A small slice inside a chunk larger than the ceiling decodes only its blocks.
    expect(s.getSlice(2 ** 30 - 10)).toEqual(new Uint8Array(80));
  });

  it('getSliceAsync and decompressFrameAsync fail the same way, before any worker starts', async () => {
    const s = SChunk.open(bytes);
    expect(await codeOfAsync(s.getSliceAsync())).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(await codeOfAsync(s.getSliceAsync(0, undefined, { nthreads: 2 }))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(await codeOfAsync(s.getSliceAsync(0, undefined, { nthreads: 2, maxNbytes: 2 ** 34 }))).toBe(BloscErrorCode.MemoryAlloc);
    expect(await codeOfAsync(decompressFrameAsync(bytes, { nthreads: 2 }))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(await s.getSliceAsync(2 ** 30 - 2, undefined, { nthreads: 2 })).toEqual(new Uint8Array(16));
  });
});
