import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { compress, compressZeros } from '../../src/index.js';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { readChunkHeader } from '../../src/frame/chunk-header.js';
import { MemorySource } from '../../src/io/source.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { bytesEqual } from '../helpers.js';
import { hex } from '../frame/frame-fixtures.js';
import { prng, randomData, randomSChunk } from './random-schunk.js';

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof BloscError) return e.code;
    throw e;
  }
  return undefined;
}

describe('SChunk', () => {
  it('append / insert / update / delete follow a plain list of chunks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat()), { maxLength: 14 }), (seed, ops) => {
        const r = prng(seed);
        const cs = 4 * 100;
        const s = new SChunk({ chunksize: cs, typesize: 4, cparams: { codec: 'lz4' } });
        const model: Uint8Array[] = [];
        for (const [op, at] of ops) {
          const data = randomData(r, cs);
          if (op === 0) {
            s.append(data);
            model.push(data);
          } else if (model.length === 0) {
            continue;
          } else if (op === 1) {
            const i = at % (model.length + 1);
            s.insert(i, data);
            model.splice(i, 0, data);
          } else if (op === 2) {
            const i = at % model.length;
            s.update(i, data);
            model[i] = data;
          } else {
            const i = at % model.length;
            s.delete(i);
            model.splice(i, 1);
          }
        }
        expect(s.nchunks).toBe(model.length);
        expect(s.nbytes).toBe(model.length * cs);
        for (let i = 0; i < model.length; i++) expect(bytesEqual(s.decompressChunk(i), model[i]!)).toBe(true);
        const whole = concat(model);
        expect(bytesEqual(s.getSlice(), whole)).toBe(true);
        expect(bytesEqual(SChunk.open(s.toFrame()).getSlice(), whole)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('seeded random super-chunks survive toFrame → open, and slices match', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const { schunk, data } = randomSChunk(seed);
      const again = SChunk.open(schunk.toFrame());
      expect(bytesEqual(again.getSlice(), data), `seed ${seed}`).toBe(true);
      expect(again.nchunks).toBe(schunk.nchunks);
      expect(again.vlmeta.names()).toEqual(schunk.vlmeta.names());
      for (const n of schunk.vlmeta.names()) expect(again.vlmeta.get(n)).toEqual(schunk.vlmeta.get(n));
      const ts = schunk.typesize;
      const n = data.length / ts;
      const a = Math.floor(n / 3);
      const b = Math.floor((2 * n) / 3) + 1;
      expect(bytesEqual(again.getSlice(a, b), data.subarray(a * ts, Math.min(b, n) * ts))).toBe(true);
    }
  });

  it('keeps every chunk but the last at chunksize', () => {
    const s = new SChunk({ chunksize: 8, typesize: 1 });
    s.append(new Uint8Array(8));
    s.append(new Uint8Array([1, 2, 3]));
    expect(code(() => s.append(new Uint8Array(8)))).toBe(BloscErrorCode.ChunkAppend);
    expect(code(() => s.insert(0, new Uint8Array(3)))).toBe(BloscErrorCode.ChunkInsert);
    expect(code(() => s.update(0, new Uint8Array(5)))).toBe(BloscErrorCode.ChunkUpdate);
    expect(code(() => s.append(new Uint8Array(9)))).toBe(BloscErrorCode.ChunkAppend);
    s.update(1, new Uint8Array([9, 9]));
    s.insert(1, new Uint8Array(8).fill(7));
    expect(Array.from(s.getSlice())).toEqual([...new Array<number>(8).fill(0), ...new Array<number>(8).fill(7), 9, 9]);
    expect(code(() => s.getChunk(3))).toBe(BloscErrorCode.InvalidIndex);
    expect(code(() => s.delete(-1))).toBe(BloscErrorCode.InvalidIndex);
  });

  it('takes its chunksize from the first chunk when none is given', () => {
    const s = new SChunk({ typesize: 2 });
    expect(s.chunksize).toBe(-1);
    const f0 = CFrame.open(s.toFrame());
    expect(f0.header.chunksize).toBe(-1);
    expect(f0.nchunks).toBe(0);
    s.append(new Uint8Array(10));
    expect(s.chunksize).toBe(10);
  });

  it('stores zero chunks as negative offsets and reads them back as zeros', () => {
    const s = new SChunk({ chunksize: 64, typesize: 8, cparams: { codec: 'blosclz' } });
    s.append(new Uint8Array(64).fill(3));
    s.appendChunk(compressZeros(64, { typesize: 8 }));
    s.append(new Uint8Array(40));
    const frame = s.toFrame();
    const f = CFrame.open(frame);
    expect(f.specialKind(1)).toBe(1);
    expect(f.specialKind(2)).toBe(1);
    expect(f.header.cbytes).toBe(s.getChunk(0).length);
    const back = SChunk.open(frame);
    expect(back.nbytes).toBe(168);
    expect(Array.from(back.getSlice(0, 8)).every((v) => v === 3)).toBe(true);
    expect(Array.from(back.getSlice(8, 21)).every((v) => v === 0)).toBe(true);
    expect(back.getSlice(8, 21).length).toBe(13 * 8);
    expect(back.chunkNbytes(2)).toBe(40);
    expect(readChunkHeader(back.getChunk(2)).nbytes).toBe(40);
  });

  it('fillSpecial writes no data and a 40-byte repeated-value index', () => {
    const s = new SChunk({ chunksize: 800, typesize: 8 });
    expect(s.fillSpecial(250, 'nan')).toBe(3);
    const frame = s.toFrame();
    const f = CFrame.open(frame);
    expect(f.header.cbytes).toBe(0);
    expect(f.header.nbytes).toBe(2000);
    const indexPos = f.header.headerLen;
    const ih = readChunkHeader(frame.subarray(indexPos));
    expect(ih.cbytes).toBe(40);
    expect(ih.special).toBe(3);
    expect(hex(frame.subarray(indexPos + 32, indexPos + 40))).toBe('0000000000000082');
    const back = SChunk.open(frame);
    const values = new Float64Array(back.getSlice().buffer);
    expect(values.length).toBe(250);
    expect(values.every((v) => Number.isNaN(v))).toBe(true);
    back.update(1, new Uint8Array(800).fill(1));
    const g = CFrame.open(back.toFrame());
    expect([g.specialKind(0), g.specialKind(1), g.specialKind(2)]).toEqual([2, 0, 2]);
    expect(code(() => back.fillSpecial(10, 'zeros'))).toBe(BloscErrorCode.SchunkSpecial);
    expect(code(() => new SChunk({ chunksize: 8, typesize: 2 }).fillSpecial(3, 'nan'))).toBe(BloscErrorCode.InvalidParam);
  });

  it('metalayers: added before data, updated with the same length, stored raw in the header', () => {
    const s = new SChunk({ chunksize: 16, typesize: 1 });
    s.meta.add('shape', new Uint8Array([0x92, 0x01, 0x02]));
    expect(code(() => s.meta.add('shape', new Uint8Array(1)))).toBe(BloscErrorCode.InvalidParam);
    expect(code(() => s.meta.add('x'.repeat(32), new Uint8Array(1)))).toBe(BloscErrorCode.InvalidParam);
    s.append(new Uint8Array(16));
    expect(code(() => s.meta.add('late', new Uint8Array(1)))).toBe(BloscErrorCode.InvalidParam);
    expect(code(() => s.meta.update('shape', new Uint8Array(4)))).toBe(BloscErrorCode.InvalidParam);
    expect(code(() => s.meta.update('nope', new Uint8Array(3)))).toBe(BloscErrorCode.MetalayerNotFound);
    s.meta.update('shape', new Uint8Array([0x92, 0x03, 0x04]));
    const frame = s.toFrame();
    // The content is stored uncompressed inside the header.
    expect(hex(frame.subarray(0, CFrame.open(frame).header.headerLen))).toContain('c60000000392' + '0304');
    const back = SChunk.open(frame);
    expect(back.meta.getValue('shape')).toEqual([3, 4]);
  });

  it('vlmetalayers: set, overwrite, delete, stored as chunks in the trailer', () => {
    const s = new SChunk({ chunksize: 16, typesize: 1 });
    s.vlmeta.set('a', { x: [1, 2, 3] });
    s.vlmeta.set('b', 'text');
    s.vlmeta.set('a', 5);
    expect(s.vlmeta.delete('b')).toBe(true);
    expect(s.vlmeta.delete('b')).toBe(false);
    s.append(new Uint8Array(16).fill(1));
    const f = CFrame.open(s.toFrame());
    expect(f.header.hasVlmetalayers).toBe(true);
    expect(f.vlmetalayers.map((l) => l.name)).toEqual(['a']);
    expect(readChunkHeader(f.vlmetalayers[0]!.content).nbytes).toBe(1);
    expect(SChunk.open(f.source.read(0, f.source.size)).vlmeta.get('a')).toBe(5);
    expect(code(() => s.vlmeta.setChunk('c', new Uint8Array(10)))).toBe(BloscErrorCode.ReadBuffer);
  });

  it('reads chunks from its source only when asked', () => {
    const data = randomData(prng(5), 4000);
    const s = SChunk.fromData(data, { chunksize: 1000, typesize: 4, cparams: { codec: 'lz4' } });
    const bytes = s.toFrame();
    const reads: [number, number][] = [];
    const inner = new MemorySource(bytes);
    const counting = { size: inner.size, read: (o: number, l: number) => (reads.push([o, l]), inner.read(o, l)) };
    const opened = SChunk.open(counting);
    const headerLen = CFrame.open(bytes).header.headerLen;
    const chunk0Len = s.getChunk(0).length;
    expect(reads.every(([o, l]) => o + l <= headerLen || o >= headerLen + s.cbytes)).toBe(true);
    reads.length = 0;
    expect(bytesEqual(opened.getSlice(10, 20), data.subarray(40, 80))).toBe(true);
    expect(reads.every(([o, l]) => o >= headerLen && o + l <= headerLen + chunk0Len)).toBe(true);
  });

  it('accepts only Blosc2 chunks of exactly their cbytes', () => {
    const s = new SChunk({ chunksize: 80, typesize: 8 });
    expect(code(() => s.appendChunk(compress(new Uint8Array(80), { format: 'blosc1' })))).toBe(BloscErrorCode.InvalidParam);
    const c = compress(new Uint8Array(80).fill(1), { typesize: 8 });
    const padded = new Uint8Array(c.length + 3);
    padded.set(c);
    expect(code(() => s.appendChunk(padded))).toBe(BloscErrorCode.InvalidParam);
    s.appendChunk(c);
    expect(s.nchunks).toBe(1);
  });
});

describe('SChunk.open', () => {
  it('opens a frame whose header names an unregistered codec and an out-of-range clevel', () => {
    const s = new SChunk({ chunksize: 16, typesize: 1, cparams: { codec: 'lz4' } });
    s.append(new Uint8Array(16).fill(5));
    const frame = s.toFrame();
    frame[27] = 0xf6; // codec nibble 6 = "see byte 77", clevel nibble 15
    frame[77] = 200; // an unregistered user codec id
    const back = SChunk.open(frame);
    expect(Array.from(back.getSlice())).toEqual(new Array<number>(16).fill(5));
    const h = CFrame.open(frame).header;
    expect([h.codec, h.clevel]).toEqual([200, 15]);
    back.append(new Uint8Array(16).fill(6)); // new chunks fall back to the defaults
    expect(Array.from(SChunk.open(back.toFrame()).getSlice(16, 32))).toEqual(new Array<number>(16).fill(6));
  });
});
