/** Sources and sinks: files, Web Streams, typed and numpy-style arrays, append, and Python reading what we write. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemorySink,
  appendBytes,
  pack,
  packBytes,
  packNdarray,
  readBloscpackInfo,
  readableStreamSource,
  typedArrayOf,
  unpack,
  unpackBytes,
  unpackNdarray,
  writableStreamSink,
  type JsonValue,
  type PackOptions,
} from '../../src/bloscpack/index.js';
import { appendFile, fileSink, fileSource, packFile, packNdarrayFile, unpackFile } from '../../src/bloscpack/node.js';
import { BloscError } from '../../src/errors.js';
import { bytesEqual, runPython, sha256, mulberry32Uint32 } from '../helpers.js';
import { CROSSCHECK, bloscpackReference } from './python-bloscpack.js';

const dir = mkdtempSync(join(tmpdir(), 'blp-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(n: number, seed = 1): Uint8Array {
  const d = new Uint8Array(n);
  const next = mulberry32Uint32(seed);
  for (let i = 0; i < n; i++) {
    d[i] = ((i >> 4) & 0xff) + ((next() >>> 29) === 0 ? 1 : 0);
  }
  return d;
}

function streamOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) c.close();
      else {
        c.enqueue(bytes.slice(at, at + piece));
        at += piece;
      }
    },
  });
}

describe('in memory', () => {
  it('round-trips any bytes with any chunking and checksum', () => {
    const checksums = ['None', 'adler32', 'crc32', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.constantFrom(...checksums),
        fc.constantFrom('blosclz', 'lz4', 'lz4hc', 'zlib'),
        fc.boolean(),
        (d, chunkSize, checksum, codec, offsets) => {
          const blp = packBytes(d, { chunkSize, checksum, codec, offsets, typesize: 4 });
          const u = unpackBytes(blp);
          expect(bytesEqual(u.data, d)).toBe(true);
          expect(u.header.nchunks).toBe(d.length === 0 ? 1 : Math.ceil(d.length / Math.min(chunkSize, d.length)));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('typed arrays keep their dtype', () => {
    const f = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i));
    const a = unpackNdarray(packNdarray(f, { chunkSize: 800 }));
    expect(a.dtype).toBe('<f8');
    expect(a.shape).toEqual([1000]);
    expect(Array.from(typedArrayOf(a) as Float64Array)).toEqual(Array.from(f));
    const b = unpackNdarray(packNdarray(new BigInt64Array([1n, -2n, 3n])));
    expect(b.dtype).toBe('<i8');
    expect(Array.from(typedArrayOf(b) as BigInt64Array)).toEqual([1n, -2n, 3n]);
  });

  it('refuses a chunk size that splits an item', () => {
    expect(() => packNdarray(new Int32Array(100), { chunkSize: 10 })).toThrow(BloscError);
  });

  it('appends like bloscpack: fill the last chunk, then new chunks in free slots', () => {
    const a = data(5000);
    const b = data(4500, 2);
    const blp = packBytes(a, { chunkSize: 2000, maxAppChunks: 3 });
    const grown = appendBytes(blp, b);
    const u = unpackBytes(grown);
    expect(bytesEqual(u.data, new Uint8Array([...a, ...b]))).toBe(true);
    expect(u.header.nchunks).toBe(5);
    expect(u.header.maxAppChunks).toBe(1);
    expect(() => appendBytes(grown, data(4001))).toThrow(BloscError); // needs 2 slots, 1 left
    expect(() => appendBytes(packBytes(a, { offsets: false }), b)).toThrow(BloscError);
  });
});

describe('files and streams', () => {
  const plain = data(300_000, 5);
  const options: PackOptions = { chunkSize: 65_536, codec: 'lz4', checksum: 'sha256', metadata: { source: 'test' } };

  it('packFile writes what packBytes writes, unpackFile restores it', async () => {
    writeFileSync(join(dir, 'plain.bin'), plain);
    const header = await packFile(join(dir, 'plain.bin'), join(dir, 'a.blp'), options);
    expect(header.nchunks).toBe(5);
    const fileBytes = new Uint8Array(readFileSync(join(dir, 'a.blp')));
    expect(bytesEqual(fileBytes, packBytes(plain, options))).toBe(true);
    const r = await unpackFile(join(dir, 'a.blp'), join(dir, 'a.out'));
    expect(r.metadata).toEqual({ source: 'test' });
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, 'a.out'))), plain)).toBe(true);
  });

  it('Web Streams in and out, in odd pieces; a non-seekable sink still gets offsets; unsized input', async () => {
    const parts: Uint8Array[] = [];
    const sinkStream = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c) });
    await pack(readableStreamSource(streamOf(plain, 7777), plain.length), writableStreamSink(sinkStream), options);
    const packed = new Uint8Array(Buffer.concat(parts));
    expect(bytesEqual(packed, packBytes(plain, options))).toBe(true);
    const unsized = new MemorySink();
    await pack(readableStreamSource(streamOf(plain, 5000)), unsized, options);
    expect(bytesEqual(unsized.result(), packed)).toBe(true);
    const mem = new MemorySink();
    const r = await unpack(readableStreamSource(streamOf(packed, 1000)), mem);
    expect(r.chunks.length).toBe(5);
    expect(bytesEqual(mem.result(), plain)).toBe(true);
  });

  it('a file source feeds a memory sink; a file sink gets a memory source', async () => {
    const mem = new MemorySink();
    await unpack(await fileSource(join(dir, 'a.blp')), mem);
    expect(bytesEqual(mem.result(), plain)).toBe(true);
    await pack(readableStreamSource(streamOf(plain, 4096), plain.length), await fileSink(join(dir, 'b.blp')), options);
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, 'b.blp'))), packBytes(plain, options))).toBe(true);
  });

  it('appendFile changes the file as appendBytes changes the image', async () => {
    const a = data(50_000, 8);
    const extra = data(70_000, 9);
    const before = packBytes(a, { chunkSize: 16_384 });
    writeFileSync(join(dir, 'c.blp'), before);
    const info = await appendFile(join(dir, 'c.blp'), extra);
    expect(info.header.nchunks).toBe(8);
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, 'c.blp'))), appendBytes(before, extra))).toBe(true);
  });
});

describe('python bloscpack reads what we write', () => {
  const ok = bloscpackReference().ok;

  it.skipIf(!ok)('unpack_bytes_from_file / unpack_ndarray_from_file / append agree', async () => {
    interface Job {
      path: string;
      kind: 'bytes' | 'ndarray' | 'append';
      extra?: string;
      expect: { sha256: string; length?: number; metadata?: JsonValue; dtype?: string; shape?: number[]; fortran?: boolean };
    }
    const jobs: Job[] = [];
    const add = (name: string, bytes: Uint8Array, job: Omit<Job, 'path'>): void => {
      const path = join(dir, `py-${name}.blp`);
      writeFileSync(path, bytes);
      jobs.push({ path, ...job });
    };
    const plain = data(123_457, 11);
    const meta: JsonValue = { name: 'x', values: [1, 2.5, 'é'], nested: { t: true, n: null } };
    for (const [i, codec] of ['blosclz', 'lz4', 'lz4hc', 'zlib'].entries()) {
      const checksum = (['sha512', 'md5', 'crc32', 'None'] as const)[i]!;
      add(`bytes-${codec}`, packBytes(plain, { codec, checksum, chunkSize: 40_000, metadata: meta }), {
        kind: 'bytes',
        expect: { sha256: sha256(plain), length: plain.length, metadata: meta },
      });
    }
    add('bytes-nooffsets', packBytes(plain, { offsets: false, metaCodec: 'None', metadata: { a: 1 } }), { kind: 'bytes', expect: { sha256: sha256(plain), metadata: { a: 1 } } });
    add('empty', packBytes(new Uint8Array(0)), { kind: 'bytes', expect: { sha256: sha256(new Uint8Array(0)), length: 0 } });
    const i2 = Int16Array.from({ length: 12 * 7 }, (_, i) => i * 37 - 1000);
    add('nd-i2-fortran', packNdarray({ data: i2, dtype: '<i2', shape: [12, 7], order: 'F' }, { chunkSize: 30 }), {
      kind: 'ndarray',
      expect: { sha256: sha256(new Uint8Array(i2.buffer)), dtype: '<i2', shape: [12, 7], fortran: true },
    });
    const f4 = Float32Array.from({ length: 5000 }, (_, i) => i / 3);
    add('nd-f4', packNdarray(f4, { codec: 'zlib', checksum: 'sha1' }), { kind: 'ndarray', expect: { sha256: sha256(new Uint8Array(f4.buffer)), dtype: '<f4', shape: [5000], fortran: false } });
    const rec = new Uint8Array(12 * 4).map((_, i) => i);
    add('nd-structured', packNdarray({ data: rec, dtype: "[('a', '<f8'), ('b', '<i4')]", shape: [4], itemsize: 12 }), {
      kind: 'ndarray',
      expect: { sha256: sha256(rec), dtype: "[('a', '<f8'), ('b', '<i4')]", shape: [4], fortran: false },
    });
    const u8 = data(1000, 3);
    await packNdarrayFile({ data: u8, dtype: '|u1', shape: [10, 10, 10] }, join(dir, 'py-nd-u1.blp'), { chunkSize: 300 });
    jobs.push({ path: join(dir, 'py-nd-u1.blp'), kind: 'ndarray', expect: { sha256: sha256(u8), dtype: '|u1', shape: [10, 10, 10], fortran: false } });
    // Python appends to a file we wrote.
    const base = data(10_000, 4);
    const extra = data(25_000, 6);
    writeFileSync(join(dir, 'py-extra.bin'), extra);
    add('append', packBytes(base, { chunkSize: 4096 }), { kind: 'append', extra: join(dir, 'py-extra.bin'), expect: { sha256: sha256(new Uint8Array([...base, ...extra])) } });

    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs.map(({ expect: _e, ...j }) => j)));
    const results = JSON.parse(runPython([CROSSCHECK, join(dir, 'jobs.json')])) as Array<Record<string, unknown>>;
    expect(results.length).toBe(jobs.length);
    jobs.forEach((job, i) => {
      const r = results[i]!;
      expect(r.error, job.path).toBeUndefined();
      for (const [k, v] of Object.entries(job.expect)) expect(r[k], `${job.path}: ${k}`).toEqual(v);
    });
    // And what python appended reads back here the same.
    const appended = new Uint8Array(readFileSync(jobs[jobs.length - 1]!.path));
    expect(sha256(unpackBytes(appended).data)).toBe(sha256(new Uint8Array([...base, ...extra])));
    expect(bytesEqual(appended, appendBytes(packBytes(base, { chunkSize: 4096 }), extra))).toBe(true);
    expect(readBloscpackInfo(appended).header.nchunks).toBe(9);
  });
});
