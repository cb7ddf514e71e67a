/**
 * The streaming frame writer: chunk by chunk to a positional target, the same bytes as
 * `SChunk.toFrame()` for the same chunks and options.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BloscErrorCode, compressZeros, FrameWriter, isBloscError, MemoryTarget, SChunk, type CompressOptions } from '../../src/index.js';
import { FileTarget } from '../../src/node.js';
import { firstDifference, mulberry32 } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-frame-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes with runs of zeros (whole zero chunks among them) and noisy stretches. */
function mixedData(n: number, seed: number, chunksize: number): Uint8Array {
  const r = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += chunksize) {
    const kind = Math.floor(r() * 3);
    if (kind === 0) continue; // a whole chunk of zeros: a special chunk
    const end = Math.min(n, at + chunksize);
    for (let i = at; i < end; i++) out[i] = kind === 1 ? (i >> 3) & 0xff : Math.floor(r() * 256) & (r() < 0.5 ? 0x0f : 0xff);
  }
  return out;
}

function streamed(data: Uint8Array, chunksize: number, typesize: number, cparams: CompressOptions, meta?: [string, Uint8Array]): Uint8Array {
  const target = new MemoryTarget();
  const w = new FrameWriter(target, { chunksize, typesize, cparams });
  if (meta !== undefined) w.meta.add(meta[0], meta[1]);
  for (let p = 0; p < data.length; p += chunksize) w.append(data.subarray(p, Math.min(p + chunksize, data.length)));
  const len = w.finish();
  const bytes = target.bytes.slice();
  expect(bytes.length).toBe(len);
  return bytes;
}

function inMemory(data: Uint8Array, chunksize: number, typesize: number, cparams: CompressOptions, meta?: [string, Uint8Array]): Uint8Array {
  const s = new SChunk({ chunksize, typesize, cparams });
  if (meta !== undefined) s.meta.add(meta[0], meta[1]);
  for (let p = 0; p < data.length; p += chunksize) s.append(data.subarray(p, Math.min(p + chunksize, data.length)));
  return s.toFrame();
}

describe('FrameWriter', () => {
  const cases: Array<{ name: string; n: number; cs: number; ts: number; cparams: CompressOptions; meta?: [string, Uint8Array] }> = [
    { name: 'blosclz, last chunk partial', n: 300_001, cs: 65_536, ts: 1, cparams: {} },
    { name: 'lz4 typesize 8, zero chunks', n: 8 * 100_000, cs: 8 * 8192, ts: 8, cparams: { codec: 'lz4', clevel: 9 } },
    { name: 'zstd bitshuffle with a metalayer', n: 4 * 70_000, cs: 4 * 16_384, ts: 4, cparams: { codec: 'zstd', shuffle: 'bitshuffle' }, meta: ['layer', Uint8Array.of(1, 2, 3)] },
    { name: 'one chunk shorter than chunksize', n: 1000, cs: 4096, ts: 2, cparams: { codec: 'lz4hc' } },
    { name: 'empty', n: 0, cs: 4096, ts: 4, cparams: {} },
    { name: 'variable chunksize (0)', n: 0, cs: 0, ts: 1, cparams: {} },
  ];
  for (const c of cases) {
    it(`writes the bytes SChunk.toFrame writes: ${c.name}`, () => {
      const data = mixedData(c.n, c.n + c.cs, c.cs);
      const a = streamed(data, c.cs, c.ts, c.cparams, c.meta);
      const b = inMemory(data, c.cs, c.ts, c.cparams, c.meta);
      expect(firstDifference(a, b)).toBe('equal');
      expect(SChunk.open(a).getSlice()).toEqual(data);
    });
  }

  it('keeps zero chunks as negative offsets, and an all-zero frame as one repeated offset', () => {
    const cs = 1 << 16;
    const zeros = new Uint8Array(5 * cs + 100);
    const a = streamed(zeros, cs, 4, {});
    expect(firstDifference(a, inMemory(zeros, cs, 4, {}))).toBe('equal');
    // Header, a 40-byte repeated-value index and the trailer: no data area.
    expect(a.length).toBeLessThan(300);
    expect(SChunk.open(a).getSlice()).toEqual(zeros);
  });

  it('writes a file through a FileTarget', () => {
    const path = join(dir, 'w.b2frame');
    writeFileSync(path, new Uint8Array(0));
    const target = new FileTarget(path);
    const data = mixedData(200_000, 11, 32_768);
    const w = new FrameWriter(target, { chunksize: 32_768, typesize: 4, cparams: { codec: 'zstd', clevel: 1 } });
    for (let p = 0; p < data.length; p += 32_768) w.append(data.subarray(p, Math.min(p + 32_768, data.length)));
    w.finish();
    target.close();
    expect(firstDifference(new Uint8Array(readFileSync(path)), inMemory(data, 32_768, 4, { codec: 'zstd', clevel: 1 }))).toBe('equal');
  });

  it('takes compressed chunks (appendChunk) and vlmetalayers', () => {
    const cs = 4096;
    const target = new MemoryTarget();
    const w = new FrameWriter(target, { chunksize: cs, typesize: 1 });
    const s = new SChunk({ chunksize: cs, typesize: 1 });
    const chunks = [compressZeros(cs), s.compressLike(new Uint8Array(cs).fill(7)), compressZeros(cs)];
    for (const c of chunks) {
      w.appendChunk(c);
      s.appendChunk(c);
    }
    w.vlmeta.set('note', 'streamed');
    s.vlmeta.set('note', 'streamed');
    w.finish();
    expect(firstDifference(target.bytes, s.toFrame())).toBe('equal');
  });

  it('refuses chunks after a short one, chunks over chunksize, metalayers added late, and appends after finish', () => {
    const w = new FrameWriter(new MemoryTarget(), { chunksize: 1024, typesize: 1 });
    w.append(new Uint8Array(100));
    expect(() => w.append(new Uint8Array(1024))).toThrow(expect.objectContaining({ code: BloscErrorCode.ChunkAppend }));
    const big = new FrameWriter(new MemoryTarget(), { chunksize: 1024, typesize: 1 });
    expect(() => big.append(new Uint8Array(2048))).toThrow(expect.objectContaining({ code: BloscErrorCode.ChunkAppend }));
    const late = new FrameWriter(new MemoryTarget(), { chunksize: 1024, typesize: 1 });
    late.append(new Uint8Array(1024));
    late.meta.add('late', Uint8Array.of(1));
    expect(() => late.finish()).toThrow(expect.objectContaining({ code: BloscErrorCode.InvalidParam }));
    const done = new FrameWriter(new MemoryTarget(), { chunksize: 1024, typesize: 1 });
    done.finish();
    try {
      done.append(new Uint8Array(10));
      expect.unreachable();
    } catch (e) {
      expect(isBloscError(e, BloscErrorCode.InvalidParam)).toBe(true);
    }
  });
});
