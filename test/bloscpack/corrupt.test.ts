/** Damaged and lying bloscpack files: every problem is a BloscError, named where it is. */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { packBytes, unpack, unpackBytes, memorySource, writableStreamSink, readBloscpackInfo } from '../../src/bloscpack/index.js';
import { unpackFile } from '../../src/bloscpack/node.js';

function data(n: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (i * 7) % 251 ^ (i >> 9);
  return d;
}

const plain = data(10_000);
/** 5 chunks of 2000 bytes, metadata and offsets, adler32. */
const good = packBytes(plain, { chunkSize: 2000, metadata: { kind: 'test' } });
const info = readBloscpackInfo(good);

function expectBloscError(fn: () => unknown, code?: BloscErrorCode): BloscError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BloscError);
    if (code !== undefined) expect((e as BloscError).code, (e as BloscError).message).toBe(code);
    return e as BloscError;
  }
  throw new Error('expected a BloscError');
}

function withByte(src: Uint8Array, pos: number, value: number): Uint8Array {
  const b = src.slice();
  b[pos] = value;
  return b;
}

function withInt(src: Uint8Array, pos: number, value: number, bytes: 4 | 8): Uint8Array {
  const b = src.slice();
  const dv = new DataView(b.buffer);
  if (bytes === 4) dv.setInt32(pos, value, true);
  else dv.setBigInt64(pos, BigInt(value), true);
  return b;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('checksum mismatch', () => {
  const chunk2 = info.offsets[2]!;
  const bad = withByte(good, chunk2 + 20, good[chunk2 + 20]! ^ 0x40);

  it('names the chunk', () => {
    const e = expectBloscError(() => unpackBytes(bad), BloscErrorCode.Data);
    expect(e.chunk).toBe(2);
    expect(e.message).toContain('chunk 2');
    expect(e.message).toContain('adler32');
  });

  it('leaves no output file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'blp-corrupt-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'in.blp'), bad);
    const err = await unpackFile(join(dir, 'in.blp'), join(dir, 'out.bin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BloscError);
    expect((err as BloscError).chunk).toBe(2);
    expect(existsSync(join(dir, 'out.bin'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['in.blp']);
  });

  it('aborts a stream sink', async () => {
    let aborted: unknown;
    const written: Uint8Array[] = [];
    const stream = new WritableStream<Uint8Array>({
      write(c) {
        written.push(c);
      },
      abort(reason) {
        aborted = reason;
      },
    });
    await expect(unpack(memorySource(bad), writableStreamSink(stream))).rejects.toBeInstanceOf(BloscError);
    expect(aborted).toBeInstanceOf(BloscError);
    expect(written.length).toBe(2); // chunks 0 and 1 went out before chunk 2 failed
  });

  it('in the metadata is found too', () => {
    // The stored (compressed) metadata starts after both 32-byte headers.
    const e = expectBloscError(() => unpackBytes(withByte(good, 64 + 3, good[64 + 3]! ^ 1)));
    expect([BloscErrorCode.Data]).toContain(e.code);
  });
});

describe('lying header fields', () => {
  it('magic, version, reserved option bits, checksum id', () => {
    expectBloscError(() => unpackBytes(withByte(good, 0, 0x42)), BloscErrorCode.InvalidHeader);
    expectBloscError(() => unpackBytes(withByte(good, 4, 2)), BloscErrorCode.VersionSupport);
    expectBloscError(() => unpackBytes(withByte(good, 5, good[5]! | 0x04)), BloscErrorCode.InvalidHeader);
    expectBloscError(() => unpackBytes(withByte(good, 6, 9)), BloscErrorCode.InvalidHeader);
  });

  it('chunk sizes that disagree with the chunks', () => {
    expectBloscError(() => unpackBytes(withInt(good, 8, 3000, 4)), BloscErrorCode.InvalidHeader);
    expectBloscError(() => unpackBytes(withInt(good, 12, 2001, 4)), BloscErrorCode.InvalidHeader); // last_chunk > chunk_size
    expectBloscError(() => unpackBytes(withInt(good, 12, 1999, 4)), BloscErrorCode.InvalidHeader);
  });

  it('chunk counts the file cannot hold', () => {
    expectBloscError(() => unpackBytes(withInt(good, 16, 2 ** 40, 8)), BloscErrorCode.InvalidHeader);
    const hi = good.slice();
    hi[23] = 0x7f; // nchunks ~ 2^62: beyond any exact count
    expectBloscError(() => unpackBytes(hi), BloscErrorCode.InvalidHeader);
    expectBloscError(() => unpackBytes(withInt(good, 24, 2 ** 45, 8)), BloscErrorCode.InvalidHeader); // max_app_chunks
    expectBloscError(() => unpackBytes(withInt(good, 16, -5, 8)), BloscErrorCode.InvalidHeader);
  });

  it('a metadata section larger than the file, or stored size above its room', () => {
    expectBloscError(() => unpackBytes(withInt(good, 32 + 16, 0x7fff_0000, 4)), BloscErrorCode.InvalidHeader); // max_meta_size
    expectBloscError(() => unpackBytes(withInt(good, 32 + 20, 0x7fff_0000, 4)), BloscErrorCode.InvalidHeader); // meta_comp_size
    expectBloscError(() => unpackBytes(withByte(good, 32 + 10, 7)), BloscErrorCode.InvalidHeader); // metadata codec
  });

  it('an offset that points elsewhere', () => {
    const offsetsAt = info.chunksStart - (info.header.nchunks + info.header.maxAppChunks) * 8;
    expectBloscError(() => unpackBytes(withInt(good, offsetsAt + 8, info.offsets[1]! + 1, 8)), BloscErrorCode.InvalidHeader);
    expectBloscError(() => unpackBytes(withInt(good, offsetsAt, 2 ** 40, 8)), BloscErrorCode.InvalidHeader);
  });

  it('a chunk header whose cbytes overruns the file', () => {
    const c0 = info.offsets[0]!;
    expectBloscError(() => unpackBytes(withInt(good, c0 + 12, 0x7000_0000, 4)));
    expectBloscError(() => unpackBytes(withByte(good, c0, 5)), BloscErrorCode.VersionSupport);
  });

  it('every truncation is a BloscError', () => {
    for (let n = 0; n < good.length; n += n < 200 ? 1 : 97) expectBloscError(() => unpackBytes(good.subarray(0, n)));
  });

  it('any single-byte change is decoded or refused with a BloscError, nothing else', () => {
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const b = withByte(good, pos, good[pos]! ^ x);
        try {
          const u = unpackBytes(b);
          // Only bytes nobody reads (preallocated room, free offset slots) can change silently.
          expect(u.data).toEqual(plain);
        } catch (e) {
          expect(e).toBeInstanceOf(BloscError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
