/**
 * Frames opened for update (SChunk.openForUpdate, openFrameFile, openSparseFrame 'r+'): each
 * edit is written to the frame at once, the frame stays valid and equal to an in-memory
 * super-chunk doing the same edits, only the edited chunk (plus the offsets index, trailer
 * and header) is written, and a failed edit leaves the frame byte for byte as it was.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compressZeros } from '../../src/index.js';
import { BloscError, BloscErrorCode, fail, isBloscError } from '../../src/errors.js';
import { readChunkHeader } from '../../src/frame/chunk-header.js';
import { FileTarget } from '../../src/io/file-target.js';
import { MemoryTarget, type ChunkFileStore, type FrameTarget } from '../../src/io/target.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { openFrameFile } from '../../src/schunk/frame-file-node.js';
import { DirectoryChunkFiles, openSparseFrame, SFRAME_INDEX_NAME, writeSparseFrame } from '../../src/schunk/sframe.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { bytesEqual, firstDifference, ROOT } from '../helpers.js';
import { int, prng, randomData } from './random-schunk.js';

const tmp = mkdtempSync(join(tmpdir(), 'blosc-ts-frame-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CS = 4096;
const TS = 4;

/** A super-chunk of `n` full chunks of mixed compressibility, with a metalayer and a vlmetalayer. */
function startSChunk(seed: number, n: number): SChunk {
  const r = prng(seed);
  const s = new SChunk({ chunksize: CS, typesize: TS, cparams: { codec: 'lz4', clevel: 5 } });
  s.meta.add('tag', new Uint8Array([1, 2, 3, 4]));
  for (let i = 0; i < n; i++) s.append(randomData(r, CS));
  s.vlmeta.set('start', seed);
  return s;
}

type Op = (s: SChunk) => void;

/** A random edit of a super-chunk of full chunks (so any chunk may be added anywhere). */
function randomOp(r: () => number, nchunks: number): { name: string; op: Op } {
  const k = int(r, 0, 8);
  const data = randomData(r, CS);
  const i = int(r, 0, Math.max(0, nchunks - 1));
  if (k <= 1 || nchunks <= 1) return { name: 'append', op: (s) => s.append(data) };
  if (k === 2) {
    const at = int(r, 0, nchunks);
    return { name: `insert ${at}`, op: (s) => s.insert(at, data) };
  }
  if (k === 3) return { name: `update ${i}`, op: (s) => s.update(i, data) };
  if (k === 4) return { name: `update ${i} zeros`, op: (s) => s.updateChunk(i, compressZeros(CS, { typesize: TS })) };
  if (k === 5) return { name: `delete ${i}`, op: (s) => s.delete(i) };
  if (k === 6) {
    const v = int(r, 0, 1 << 20);
    const value = { v, data: data.slice(0, int(r, 0, 300)) };
    return { name: 'vlmeta set', op: (s) => s.vlmeta.set(`v${v % 3}`, value) };
  }
  if (k === 7) {
    const name = `v${int(r, 0, 2)}`;
    return { name: 'vlmeta delete', op: (s) => void s.vlmeta.delete(name) };
  }
  const tag = data.subarray(0, 4);
  return { name: 'meta update', op: (s) => s.meta.update('tag', tag) };
}

/** The data, layers and chunk count of `s`, compared with `want`'s. */
function expectSame(s: SChunk, want: SChunk, what: string): void {
  expect(s.nchunks, what).toBe(want.nchunks);
  expect(s.nbytes, what).toBe(want.nbytes);
  const a = s.getSlice();
  const b = want.getSlice();
  expect(bytesEqual(a, b), `${what}: ${firstDifference(a, b)}`).toBe(true);
  expect(s.vlmeta.names(), what).toEqual(want.vlmeta.names());
  for (const n of want.vlmeta.names()) expect(s.vlmeta.get(n), `${what}: vlmeta ${n}`).toEqual(want.vlmeta.get(n));
  expect(s.meta.get('tag'), what).toEqual(want.meta.get('tag'));
}

/** A target whose `failAt`-th write fails after writing half its bytes (a torn write); the others work. */
class FailingTarget implements FrameTarget {
  writes = 0;
  failAt = Infinity;
  failTruncate = false;
  error: Error = new Error('disk full');
  constructor(readonly inner: MemoryTarget) {}
  get size(): number {
    return this.inner.size;
  }
  read(offset: number, length: number): Uint8Array {
    return this.inner.read(offset, length);
  }
  write(offset: number, bytes: Uint8Array): void {
    if (this.writes++ === this.failAt) {
      this.inner.write(offset, bytes.subarray(0, bytes.length >> 1));
      throw this.error;
    }
    this.inner.write(offset, bytes);
  }
  truncate(length: number): void {
    if (this.failTruncate) {
      this.failTruncate = false;
      throw this.error;
    }
    this.inner.truncate(length);
  }
}

describe('frames opened for update', () => {
  it('random edits match an in-memory super-chunk doing the same, and the frame reads back after each', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const start = startSChunk(seed, int(prng(seed + 100), 1, 6));
      const target = new MemoryTarget(start.toFrame());
      const edited = SChunk.openForUpdate(target);
      const twin = SChunk.open(start.toFrame());
      const r = prng(seed * 31);
      for (let step = 0; step < 25; step++) {
        const { name, op } = randomOp(r, twin.nchunks);
        op(twin);
        op(edited);
        const what = `seed ${seed} step ${step} (${name})`;
        expectSame(edited, twin, what);
        expectSame(SChunk.open(target.bytes), twin, `${what}, reopened`);
      }
    }
  });

  it('appends and vlmeta edits keep the frame compact: the bytes of toFrame()', () => {
    const start = startSChunk(7, 3);
    const target = new MemoryTarget(start.toFrame());
    const edited = SChunk.openForUpdate(target);
    const twin = SChunk.open(start.toFrame());
    const r = prng(77);
    for (let step = 0; step < 8; step++) {
      const data = randomData(r, CS);
      const ops: Op[] = [
        (s) => s.append(data),
        (s) => s.vlmeta.set('step', step),
        (s) => s.meta.update('tag', data.subarray(0, 4)),
        // The last chunk ends the data area: replaced there whatever its new size.
        (s) => s.update(s.nchunks - 1, data),
      ];
      const op = ops[step % ops.length]!;
      op(twin);
      op(edited);
      expect(bytesEqual(target.bytes, twin.toFrame()), `step ${step}: ${firstDifference(target.bytes, twin.toFrame())}`).toBe(true);
    }
    // Deleting every chunk leaves an empty frame: header and trailer.
    while (twin.nchunks > 0) {
      twin.delete(0);
      edited.delete(0);
    }
    expect(bytesEqual(target.bytes, twin.toFrame()), firstDifference(target.bytes, twin.toFrame())).toBe(true);
    edited.append(new Uint8Array(CS).fill(3));
    twin.append(new Uint8Array(CS).fill(3));
    expect(bytesEqual(target.bytes, twin.toFrame())).toBe(true);
  });

  it('an empty frame takes its chunksize from the first chunk, and metalayers while it holds no data', () => {
    const empty = new SChunk({ typesize: 2 });
    const target = new MemoryTarget(empty.toFrame());
    const s = SChunk.openForUpdate(target);
    s.meta.add('m', new Uint8Array([9]));
    s.append(new Uint8Array(1000).fill(1));
    s.append(new Uint8Array(500).fill(2));
    expect(() => s.meta.add('n', new Uint8Array([1]))).toThrow(BloscError);
    const back = SChunk.open(target.bytes);
    expect(back.chunksize).toBe(1000);
    expect(back.nbytes).toBe(1500);
    expect(back.meta.get('m')).toEqual(new Uint8Array([9]));
    expect(back.getSlice(499, 501)).toEqual(new Uint8Array([1, 1, 2, 2]));
  });

  it('a replaced chunk is written over the old one when it fits its room, else after the data area', () => {
    const start = new SChunk({ chunksize: CS, typesize: TS, cparams: { codec: 'lz4' } });
    for (let i = 0; i < 5; i++) start.append(new Uint8Array(CS).map((_, k) => (k >> 6) + i));
    const target = new MemoryTarget(start.toFrame());
    const s = SChunk.openForUpdate(target);
    const frame = (): CFrame => CFrame.open(target.bytes);
    const at = (i: number): number => (frame().chunkLocation(i) as { offset: number }).offset - frame().header.headerLen;
    const where = at(1);
    const room = at(2) - where;
    const area = frame().header.cbytes;
    s.update(1, new Uint8Array(CS).map((_, k) => k >> 9)); // smaller: over the old one
    expect(readChunkHeader(s.getChunk(1)).cbytes).toBeLessThan(room);
    expect(at(1)).toBe(where);
    expect(frame().header.cbytes).toBe(area);
    const noise = new Uint8Array(CS).map((_, k) => (k * 2654435761) >>> 24);
    s.update(1, noise); // larger than its room: after the data area
    expect(readChunkHeader(s.getChunk(1)).cbytes).toBeGreaterThan(room);
    expect(at(1)).toBe(area);
    expect(frame().header.cbytes).toBe(area + readChunkHeader(s.getChunk(1)).cbytes);
    // Chunk 1 now ends the data area: replaced there, the area ending with it.
    s.update(1, new Uint8Array(CS).fill(2));
    expect(at(1)).toBe(area);
    expect(frame().header.cbytes).toBe(area + readChunkHeader(s.getChunk(1)).cbytes);
    // Chunk 0's room now runs to chunk 2 (chunk 1's old place is free): a chunk that fits it stays.
    s.update(0, new Uint8Array(CS).map((_, k) => (k >> 7) ^ 5));
    expect(at(0)).toBe(0);
    expect(SChunk.open(target.bytes).getSlice()).toEqual(s.getSlice());
  });

  it('updating one chunk writes O(chunk) bytes: the chunk, the offsets index, the trailer and the header', () => {
    const n = 256;
    const s0 = new SChunk({ chunksize: 16384, typesize: 8, cparams: { codec: 'lz4', clevel: 1 } });
    const r = prng(9);
    for (let i = 0; i < n; i++) s0.append(randomData(r, 16384));
    s0.vlmeta.set('note', 'a large frame');
    const path = join(tmp, 'large.b2frame');
    writeFileSync(path, s0.toFrame());
    const fileLen = s0.toFrame().length;
    const target = new FileTarget(path);
    const s = SChunk.openForUpdate(target);
    const parts = (): { headerLen: number; tail: number } => {
      const f = CFrame.open(readFileSync(path));
      return { headerLen: f.header.headerLen, tail: f.header.frameLen - f.header.headerLen - f.header.cbytes };
    };
    for (const [what, edit] of [
      ['update', (): void => void s.update(100, randomData(prng(10), 16384))],
      ['append', (): void => void s.append(randomData(prng(11), 16384))],
      ['insert', (): void => void s.insert(7, randomData(prng(12), 16384))],
    ] as const) {
      const before = target.bytesWritten;
      edit();
      const written = target.bytesWritten - before;
      const chunk = readChunkHeader(s.getChunk(what === 'update' ? 100 : what === 'append' ? s.nchunks - 1 : 7)).cbytes;
      const { headerLen, tail } = parts();
      expect(written, what).toBe(chunk + tail + headerLen);
      expect(written, what).toBeLessThan(fileLen / 50);
    }
    const before = target.bytesWritten;
    s.delete(3);
    expect(target.bytesWritten - before).toBe(parts().tail + parts().headerLen);
    s.close();
    const twin = SChunk.open(s0.toFrame());
    twin.update(100, randomData(prng(10), 16384));
    twin.append(randomData(prng(11), 16384));
    twin.insert(7, randomData(prng(12), 16384));
    twin.delete(3);
    expectSame(openFrameFile(path), twin, 'reopened');
  });

  it('a failed edit leaves the frame byte for byte as it was, and the super-chunk too', () => {
    const ops: [string, Op][] = [
      ['append', (s) => s.append(new Uint8Array(CS).fill(5))],
      ['insert', (s) => s.insert(1, randomData(prng(3), CS))],
      ['update in place', (s) => s.update(2, new Uint8Array(CS).fill(1))],
      ['update at the end', (s) => s.update(0, randomData(prng(4), CS).map((_, k) => (k * 2654435761) >>> 24))],
      ['update to zeros', (s) => s.updateChunk(1, compressZeros(CS, { typesize: TS }))],
      ['delete', (s) => s.delete(1)],
      ['vlmeta set', (s) => s.vlmeta.set('big', new Uint8Array(3000).fill(7))],
      ['vlmeta delete', (s) => void s.vlmeta.delete('start')],
      ['meta update', (s) => s.meta.update('tag', new Uint8Array([4, 3, 2, 1]))],
    ];
    for (const [name, op] of ops) {
      for (const mode of ['write', 'truncate', 'blosc'] as const) {
        for (let failAt = 0; failAt < (mode === 'write' ? 4 : 1); failAt++) {
          const original = startSChunk(12, 4).toFrame();
          const inner = new MemoryTarget(original);
          const t = new FailingTarget(inner);
          const s = SChunk.openForUpdate(t);
          const twin = SChunk.open(original);
          if (mode === 'truncate') {
            t.failTruncate = true;
          } else {
            t.failAt = failAt;
            if (mode === 'blosc') t.error = new BloscError(BloscErrorCode.FileWrite, 'injected');
          }
          let threw: unknown = null;
          try {
            op(s);
          } catch (e) {
            threw = e;
          }
          const what = `${name}, failing ${mode} ${failAt}`;
          // Every edit writes at least the offsets index and trailer, and the header.
          if (mode !== 'truncate' && failAt < 2) expect(threw, what).not.toBeNull();
          // Some edits do not cut the frame, or write fewer runs: they succeed.
          if (threw === null) {
            op(twin);
          } else {
            expect(isBloscError(threw), `${what}: ${String(threw)}`).toBe(true);
            if (mode === 'blosc') expect(threw, what).toBe(t.error);
            expect(bytesEqual(inner.bytes, original), `${what}: ${firstDifference(inner.bytes, original)}`).toBe(true);
          }
          expectSame(s, twin, what);
          // The super-chunk goes on working once the disk does.
          t.failAt = Infinity;
          t.failTruncate = false;
          s.append(new Uint8Array(CS).fill(9));
          twin.append(new Uint8Array(CS).fill(9));
          expectSame(SChunk.open(inner.bytes), twin, `${what}, then an append`);
        }
      }
    }
  });

  it('a disk that keeps failing: the error says the frame may be damaged', () => {
    const inner = new MemoryTarget(startSChunk(16, 2).toFrame());
    const t = new FailingTarget(inner);
    const s = SChunk.openForUpdate(t);
    t.write = (): void => fail(BloscErrorCode.FileWrite, 'injected: read-only file system');
    expect(() => s.append(new Uint8Array(CS))).toThrow(/read-only file system; putting the frame back failed too/);
  });

  it('updateChunks replaces several chunks in one edit: all or none', () => {
    const original = startSChunk(17, 5).toFrame();
    for (const sparse of [false, true]) {
      const r = prng(18);
      const news = [randomData(r, CS), new Uint8Array(CS).fill(4), randomData(r, CS).map((_, k) => (k * 2654435761) >>> 24)];
      const twin = SChunk.open(original);
      let s: SChunk;
      let inner: MemoryTarget | null = null;
      let t: FailingTarget | null = null;
      const dir = join(tmp, 'batch.b2frame');
      if (sparse) {
        rmSync(dir, { recursive: true, force: true });
        writeSparseFrame(SChunk.open(original), dir);
        s = openSparseFrame(dir, { mode: 'r+' });
      } else {
        inner = new MemoryTarget(original);
        t = new FailingTarget(inner);
        s = SChunk.openForUpdate(t);
        // A failing write: nothing of the three chunks lands.
        t.failAt = 2;
        expect(() => s.updateChunks([4, 0, 2], news.map((d) => s.compressLike(d)))).toThrow(/disk full/);
        expect(bytesEqual(inner.bytes, original)).toBe(true);
        expectSame(s, twin, 'after a failed batch');
        t.failAt = Infinity;
      }
      expect(() => s.updateChunks([1, 1], [s.getChunk(0), s.getChunk(0)])).toThrow(BloscError);
      expect(() => s.updateChunks([1, 9], [s.getChunk(0), s.getChunk(0)])).toThrow(BloscError);
      const chunks = news.map((d) => twin.compressLike(d));
      twin.updateChunks([4, 0, 2], chunks);
      s.updateChunks([4, 0, 2], chunks);
      expectSame(s, twin, sparse ? 'sparse' : 'contiguous');
      expectSame(sparse ? openSparseFrame(dir) : SChunk.open(inner!.bytes), twin, 'reopened');
      s.close();
    }
  });

  it('frames of chunks of any size (chunksize 0, format 3) are edited the same way', () => {
    const start = new SChunk({ chunksize: 0, typesize: 1, cparams: { codec: 'blosclz' } });
    const r = prng(40);
    for (let i = 0; i < 4; i++) start.append(randomData(r, int(r, 1, 3000)));
    const target = new MemoryTarget(start.toFrame());
    const s = SChunk.openForUpdate(target);
    const twin = SChunk.open(start.toFrame());
    const ops: Op[] = [
      (x) => x.append(new Uint8Array(10).fill(1)),
      (x) => x.insert(0, new Uint8Array(5000).fill(2)),
      (x) => x.update(2, new Uint8Array(7)),
      (x) => x.delete(1),
      (x) => x.updateChunks([0, 3], [twin.compressLike(new Uint8Array(3).fill(4)), twin.compressLike(new Uint8Array(9000).fill(5))]),
    ];
    for (const [k, op] of ops.entries()) {
      op(twin);
      op(s);
      expectSame(s, twin, `op ${k}`);
      expectSame(SChunk.open(target.bytes), twin, `op ${k}, reopened`);
    }
    expect(SChunk.open(target.bytes).chunksize).toBe(0);
  });

  it('a damaged frame opened for update raises only BloscErrors, and a failed edit leaves it as it was', () => {
    const good = startSChunk(41, 4).toFrame();
    const r = prng(42);
    let opened = 0;
    for (let trial = 0; trial < 300; trial++) {
      const bytes = good.slice();
      for (let k = int(r, 1, 3); k > 0; k--) bytes[int(r, 0, bytes.length - 1)] ^= 1 << int(r, 0, 7);
      const target = new MemoryTarget(bytes);
      let s: SChunk;
      try {
        s = SChunk.openForUpdate(target);
      } catch (e) {
        expect(isBloscError(e), String(e)).toBe(true);
        continue;
      }
      opened++;
      const op = randomOp(r, s.nchunks).op;
      const before = target.bytes.slice();
      try {
        op(s);
      } catch (e) {
        expect(isBloscError(e), String(e)).toBe(true);
        expect(bytesEqual(target.bytes, before)).toBe(true);
      }
    }
    expect(opened).toBeGreaterThan(10);
  });

  it('an edit through a second handle of a frame another handle changed is refused, the file kept', () => {
    const path = join(tmp, 'two-handles.b2frame');
    writeFileSync(path, startSChunk(70, 3).toFrame());
    const a = openFrameFile(path, { mode: 'r+' });
    const b = openFrameFile(path, { mode: 'r+' });
    a.append(new Uint8Array(CS).fill(1));
    const after = new Uint8Array(readFileSync(path));
    expect(() => b.append(new Uint8Array(CS).fill(2))).toThrow(/changed since it was opened/);
    expect(bytesEqual(new Uint8Array(readFileSync(path)), after)).toBe(true);
    a.close();
    b.close();
    expect(openFrameFile(path).nchunks).toBe(4);
    // Sparse: the second handle would pick the chunk id the first just used.
    const dir = join(tmp, 'two-handles-sparse.b2frame');
    writeSparseFrame(startSChunk(71, 3), dir);
    const c = openSparseFrame(dir, { mode: 'r+' });
    const d = openSparseFrame(dir, { mode: 'r+' });
    const listed = new Set(readdirSync(dir));
    c.append(new Uint8Array(CS).map((_, k) => k));
    const added = readdirSync(dir).filter((f) => !listed.has(f));
    expect(added.length).toBe(1);
    const chunkFile = readFileSync(join(dir, added[0]!));
    expect(() => d.append(new Uint8Array(CS).map((_, k) => k * 3))).toThrow(/changed since it was opened/);
    expect(readFileSync(join(dir, added[0]!)).equals(chunkFile)).toBe(true);
    c.close();
    d.close();
  });

  it('a bad chunk or a bad position is refused before anything is written', () => {
    const original = startSChunk(13, 3).toFrame();
    const target = new MemoryTarget(original);
    const s = SChunk.openForUpdate(target);
    const good = s.getChunk(0);
    const bad = good.slice(0, good.length - 1);
    expect(() => s.appendChunk(bad)).toThrow(BloscError);
    expect(() => s.updateChunk(5, good)).toThrow(BloscError);
    expect(() => s.insertChunk(1, compressZeros(100, { typesize: TS }))).toThrow(BloscError);
    expect(() => s.fillSpecial(10, 'zeros')).toThrow(BloscError);
    expect(target.bytesWritten).toBe(0);
    expect(bytesEqual(target.bytes, original)).toBe(true);
  });

  it('a failed edit of a real file leaves it as it was', () => {
    class FailingFile extends FileTarget {
      failAt = Infinity;
      n = 0;
      override write(offset: number, bytes: Uint8Array): void {
        if (this.n++ === this.failAt) {
          super.write(offset, bytes.subarray(0, bytes.length >> 1));
          fail(BloscErrorCode.FileWrite, 'injected: no space left on device');
        }
        super.write(offset, bytes);
      }
    }
    const original = startSChunk(14, 5).toFrame();
    for (let failAt = 0; failAt < 3; failAt++) {
      const path = join(tmp, `fail${failAt}.b2frame`);
      writeFileSync(path, original);
      const t = new FailingFile(path);
      const s = SChunk.openForUpdate(t);
      t.failAt = failAt;
      expect(() => s.insert(2, randomData(prng(15), CS))).toThrow(/no space left/);
      t.close();
      expect(bytesEqual(new Uint8Array(readFileSync(path)), original), `failing write ${failAt}`).toBe(true);
    }
  });

  it('openFrameFile: mode r reads and never writes, r+ writes every edit; NDArray edits through it', () => {
    const arr = NDArray.fromTypedArray(new Float64Array(600).map((_, i) => i), { shape: [20, 30], chunks: [10, 10], blocks: [5, 5] });
    const path = join(tmp, 'arr.b2nd');
    writeFileSync(path, arr.toFrame());
    const ro = openFrameFile(path);
    ro.append(new Uint8Array(800));
    ro.close();
    expect(bytesEqual(new Uint8Array(readFileSync(path)), arr.toFrame())).toBe(true);
    expect(() => openFrameFile(path, { mode: 'a' as 'r' })).toThrow(BloscError);
    expect(() => openFrameFile(join(tmp, 'missing.b2frame'), { mode: 'r+' })).toThrow(BloscError);

    const rw = openFrameFile(path, { mode: 'r+' });
    const edited = NDArray.open(rw);
    edited.set([[2, 12], [5, 25]], -1);
    arr.set([[2, 12], [5, 25]], -1);
    rw.vlmeta.set('edited', true);
    rw.close();
    const back = NDArray.open(new Uint8Array(readFileSync(path)));
    expect(bytesEqual(back.slice().data, arr.slice().data)).toBe(true);
    expect(back.vlmeta.get('edited')).toBe(true);
  });

  it('NDArray.set over several chunks of a frame opened for update: all written, or none', () => {
    const arr = NDArray.fromTypedArray(new Float64Array(600).map((_, i) => i), { shape: [20, 30], chunks: [10, 10], blocks: [5, 5] });
    const original = arr.toFrame();
    const inner = new MemoryTarget(original);
    const t = new FailingTarget(inner);
    const edited = NDArray.open(SChunk.openForUpdate(t));
    t.failAt = 3; // past the first chunks' writes
    expect(() => edited.set([[5, 15], [5, 25]], 7)).toThrow(/disk full/);
    expect(bytesEqual(inner.bytes, original)).toBe(true);
    expect(bytesEqual(edited.slice().data, arr.slice().data)).toBe(true);
    t.failAt = Infinity;
    edited.set([[5, 15], [5, 25]], 7);
    arr.set([[5, 15], [5, 25]], 7);
    expect(bytesEqual(NDArray.open(inner.bytes).slice().data, arr.slice().data)).toBe(true);
  });

  it('NDArray.resize of a frame opened for update: one edit, kept chunks neither rewritten nor moved, all or none', () => {
    const values = new Float64Array(600).map((_, i) => i + 1);
    const arr = NDArray.fromTypedArray(values, { shape: [20, 30], chunks: [10, 10], blocks: [5, 5] });
    const original = arr.toFrame();
    const inner = new MemoryTarget(original);
    const t = new FailingTarget(inner);
    const edited = NDArray.open(SChunk.openForUpdate(t));
    const before = CFrame.open(original).offsetEntries();

    // Growing the rows: the six chunks stay where they are, the new ones are zero chunks
    // (special offsets), so only the header, the offsets index and the trailer are written.
    let written = inner.bytesWritten;
    edited.resize([35, 30]);
    arr.resize([35, 30]);
    let frame = CFrame.open(inner.bytes);
    expect(frame.nchunks).toBe(12);
    expect(Array.from(frame.offsetEntries().subarray(0, 6))).toEqual(Array.from(before));
    expect(Array.from(frame.offsetEntries().subarray(6))).toEqual(new Array(6).fill(-1));
    expect(inner.bytesWritten - written).toBe(frame.header.frameLen - frame.header.cbytes);
    expect(NDArray.open(inner.bytes).shape).toEqual([35, 30]);
    expect(bytesEqual(NDArray.open(inner.bytes).slice().data, arr.slice().data)).toBe(true);

    // Cutting the columns inside a chunk: the cut chunks are compressed again (their cut part
    // zeroed), appended to the data area; the others keep their offsets.
    const grown = frame.offsetEntries();
    edited.resize([35, 24]);
    arr.resize([35, 24]);
    frame = CFrame.open(inner.bytes);
    const cut = frame.offsetEntries();
    for (const k of [0, 1, 3, 4]) expect(cut[k]).toBe(grown[k]);
    for (const k of [2, 5]) expect(cut[k]).toBeGreaterThanOrEqual(CFrame.open(original).header.cbytes);
    expect(bytesEqual(NDArray.open(inner.bytes).slice().data, arr.slice().data)).toBe(true);

    // A failing write: the file and the array stay as they were.
    const saved = inner.bytes.slice();
    for (const failAt of [0, 1, 2]) {
      t.failAt = t.writes + failAt;
      expect(() => edited.resize([12, 30]), `failing write ${failAt}`).toThrow(/disk full/);
      expect(bytesEqual(inner.bytes, saved), `failing write ${failAt}`).toBe(true);
      expect(edited.shape).toEqual([35, 24]);
      expect(bytesEqual(edited.slice().data, arr.slice().data)).toBe(true);
    }
    t.failAt = Infinity;
    // Shrinking the rows and growing the columns back: the values cut before come back zero.
    edited.resize([12, 30]);
    arr.resize([12, 30]);
    const back = NDArray.open(inner.bytes);
    expect(back.shape).toEqual([12, 30]);
    expect(back.schunk.nchunks).toBe(6);
    const want = new Float64Array(12 * 30);
    for (let r = 0; r < 12; r++) for (let c = 0; c < 24; c++) want[r * 30 + c] = values[r * 30 + c]!;
    expect(new Float64Array(back.toTypedArray() as Float64Array)).toEqual(want);
    expect(bytesEqual(edited.slice().data, arr.slice().data)).toBe(true);
  });

  it('NDArray.resize of a frame opened for update to no elements and back', () => {
    const arr = NDArray.fromTypedArray(new Uint16Array(20 * 30).map((_, i) => i), { shape: [20, 30], chunks: [10, 10], blocks: [5, 5] });
    const inner = new MemoryTarget(arr.toFrame());
    const edited = NDArray.open(SChunk.openForUpdate(inner));
    edited.resize([0, 30]);
    expect(NDArray.open(inner.bytes).shape).toEqual([0, 30]);
    expect(NDArray.open(inner.bytes).schunk.nchunks).toBe(0);
    edited.resize([15, 30]);
    const back = NDArray.open(inner.bytes);
    expect(back.shape).toEqual([15, 30]);
    expect(Array.from(back.toTypedArray() as Uint16Array)).toEqual(new Array(15 * 30).fill(0));
  });

  it('NDArray.resize of a sparse frame: new and cut chunks get files, dropped chunks lose theirs', () => {
    const values = new Int32Array(20 * 30).map((_, i) => i * 7);
    const arr = NDArray.fromTypedArray(values, { shape: [20, 30], chunks: [10, 10], blocks: [5, 5], codec: 'lz4' });
    const dir = join(tmp, 'resize-sparse.b2nd');
    writeSparseFrame(arr.schunk, dir);
    const s = openSparseFrame(dir, { mode: 'r+' });
    const edited = NDArray.open(s);
    const files = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.chunk')).sort();
    const first = files();
    for (const shape of [[25, 30], [25, 17], [10, 17]]) {
      edited.resize(shape);
      arr.resize(shape);
      const back = NDArray.open(openSparseFrame(dir));
      expect(back.shape).toEqual(shape);
      expect(bytesEqual(back.slice().data, arr.slice().data), `resize to ${shape.join('x')}`).toBe(true);
      // Exactly the files the index names.
      const index = CFrame.open(readFileSync(join(dir, SFRAME_INDEX_NAME)), { chunkFile: () => new Uint8Array(0) });
      const named: string[] = [];
      for (let i = 0; i < index.nchunks; i++) {
        const loc = index.chunkLocation(i);
        if (loc.kind === 'file') named.push(loc.id.toString(16).toUpperCase().padStart(8, '0') + '.chunk');
      }
      expect(files(), `resize to ${shape.join('x')}`).toEqual([...new Set(named)].sort());
    }
    // Chunk (0, 0) was never cut: its file is the first one still.
    expect(files()[0]).toBe(first[0]);
    s.close();
  });

  it("mode 'w' creates a frame (contiguous or sparse) that chunks are appended to one by one: the bytes of toFrame()", () => {
    const options = { chunksize: CS, typesize: TS, cparams: { codec: 'lz4' as const, clevel: 7, shuffle: 'bitshuffle' as const } };
    const path = join(tmp, 'new.b2frame');
    const dir = join(tmp, 'new-sparse.b2frame');
    writeFileSync(path, 'an older file');
    const twin = new SChunk(options);
    const files = [openFrameFile(path, { mode: 'w', schunk: options }), openSparseFrame(dir, { mode: 'w', schunk: options })];
    const r = prng(50);
    const data = [0, 1, 2, 3].map(() => randomData(r, CS));
    for (const s of [twin, ...files]) {
      s.meta.add('kind', new Uint8Array([7]));
      for (const d of data) s.append(d);
      s.append(data[0]!.subarray(0, 100));
      s.vlmeta.set('n', 5);
    }
    for (const s of files) s.close();
    const written = new Uint8Array(readFileSync(path));
    expect(bytesEqual(written, twin.toFrame()), firstDifference(written, twin.toFrame())).toBe(true);
    const { index, chunkFiles } = twin.toSparseFrame();
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, SFRAME_INDEX_NAME))), index)).toBe(true);
    chunkFiles.forEach((c, id) => expect(bytesEqual(new Uint8Array(readFileSync(join(dir, id.toString(16).toUpperCase().padStart(8, '0') + '.chunk'))), c)).toBe(true));
    // 'r+' with cparams: new chunks compressed with them, not as the header says.
    const s = openFrameFile(path, { mode: 'r+', schunk: { cparams: { codec: 'blosclz', clevel: 1 } } });
    s.update(0, data[1]!);
    expect(readChunkHeader(s.getChunk(0)).codecFormat).toBe(0); // BloscLZ; the header says LZ4
    s.close();
  });

  it('a frame opened for update is read by the workers too (the built package: workers load dist/)', async () => {
    const api = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as typeof import('../../src/index.js');
    const nodeApi = (await import(pathToFileURL(join(ROOT, 'dist', 'node.js')).href)) as typeof import('../../src/node.js');
    const path = join(tmp, 'workers.b2frame');
    writeFileSync(path, startSChunk(60, 6).toFrame());
    const s = nodeApi.openFrameFile(path, { mode: 'r+' });
    s.update(2, new Uint8Array(CS).fill(8));
    s.delete(0);
    const sync = s.getSlice();
    const parallel = await s.getSliceAsync(0, undefined, { nthreads: 2, minParallelNbytes: 0 });
    expect(bytesEqual(parallel, sync)).toBe(true);
    s.close();
    api.shutdownPool();
  });

  it('sparse frames: edits write the chunk file and the index frame; stale chunk files go', () => {
    for (let seed = 20; seed < 24; seed++) {
      const start = startSChunk(seed, 4);
      const dir = join(tmp, `sparse${seed}.b2frame`);
      writeSparseFrame(start, dir);
      const edited = openSparseFrame(dir, { mode: 'r+' });
      expect(edited.updatesFrame).toBe(true);
      const twin = SChunk.open(start.toFrame());
      const r = prng(seed);
      for (let step = 0; step < 20; step++) {
        const { name, op } = randomOp(r, twin.nchunks);
        op(twin);
        op(edited);
        const what = `seed ${seed} step ${step} (${name})`;
        expectSame(edited, twin, what);
        expectSame(openSparseFrame(dir), twin, `${what}, reopened`);
        // Exactly the files the index names.
        const index = CFrame.open(readFileSync(join(dir, SFRAME_INDEX_NAME)), { chunkFile: () => new Uint8Array(0) });
        const named = new Set<string>();
        for (let i = 0; i < index.nchunks; i++) {
          const loc = index.chunkLocation(i);
          if (loc.kind === 'file') named.add(loc.id.toString(16).toUpperCase().padStart(8, '0') + '.chunk');
        }
        expect(new Set(readdirSync(dir).filter((f) => f.endsWith('.chunk'))), what).toEqual(named);
      }
      edited.close();
    }
  });

  it('sparse frames: a failed edit leaves the directory as it was', () => {
    const start = startSChunk(30, 3);
    const dir = join(tmp, 'sparse-fail.b2frame');
    writeSparseFrame(start, dir);
    const snapshot = (): Map<string, string> => new Map(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));
    const before = snapshot();
    class FailingIndex extends FileTarget {
      failNext = true;
      override write(offset: number, bytes: Uint8Array): void {
        if (this.failNext) {
          this.failNext = false;
          fail(BloscErrorCode.FileWrite, 'injected');
        }
        super.write(offset, bytes);
      }
    }
    const files = new DirectoryChunkFiles(dir);
    const index = new FailingIndex(join(dir, SFRAME_INDEX_NAME));
    const s = SChunk.openForUpdate(index, { chunkFiles: files });
    for (const op of [(x: SChunk) => x.append(new Uint8Array(CS).fill(1)), (x: SChunk) => x.update(0, new Uint8Array(CS).fill(2)), (x: SChunk) => x.delete(1)]) {
      index.failNext = true;
      expect(() => op(s)).toThrow(BloscError);
      expect(snapshot()).toEqual(before);
    }
    index.close();
    const failingFiles: ChunkFileStore = { read: (id) => files.read(id), write: () => fail(BloscErrorCode.FileWrite, 'injected'), remove: (id) => files.remove(id) };
    const s2 = SChunk.openForUpdate(new FileTarget(join(dir, SFRAME_INDEX_NAME)), { chunkFiles: failingFiles });
    expect(() => s2.append(new Uint8Array(CS).fill(1))).toThrow(BloscError);
    expect(snapshot()).toEqual(before);
    expect(existsSync(join(dir, '00000003.chunk'))).toBe(false);
  });
});
