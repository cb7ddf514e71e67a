/**
 * The worker pool through the built package (workers load dist/pool/worker.js, so these
 * tests run against dist/, which `npm test` builds first): async chunk and frame calls
 * give the synchronous calls' bytes for every nthreads, small work stays on the calling
 * thread, and faults in workers fail the call with a BloscError without breaking the pool.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, sha256, seededBytes } from '../helpers.js';

type Api = typeof import('../../src/index.js');
type PoolModule = typeof import('../../src/pool/pool.js');
type ChunkModule = typeof import('../../src/pool/chunk.js');

let api: Api;
let poolModule: PoolModule;
let chunkModule: ChunkModule;

beforeAll(async () => {
  api = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as Api;
  poolModule = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'pool.js')).href)) as PoolModule;
  chunkModule = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'chunk.js')).href)) as ChunkModule;
});

afterAll(() => {
  api?.shutdownPool();
});

function smoothFloat64(n: number): Float64Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i / 1000) * 1000 + (i % 7) * 0.001;
  return f;
}

const randomBytes = seededBytes;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A parallel call's timeline is in order: this thread done, then the answers in, then the
 * call done; the workers' pieces ran within the call and before their answers were read
 * (0.5 ms of slack for the threads' clocks), each of the `lanes` workers for no longer than their span.
 */
function expectTimeline(split: NonNullable<ReturnType<ChunkModule['lastParallelSplit']>>, lanes: number): void {
  const { doneMs, settledMs, callMs, workerStartMs, workerEndMs, workerBusyMs } = split;
  for (const ms of [doneMs, settledMs, callMs, workerStartMs, workerEndMs, workerBusyMs]) expect(ms).toBeTypeOf('number');
  expect(doneMs!).toBeGreaterThan(0);
  expect(settledMs!).toBeGreaterThanOrEqual(doneMs!);
  expect(callMs!).toBeGreaterThanOrEqual(settledMs!);
  expect(workerStartMs!).toBeGreaterThan(-0.5);
  expect(workerEndMs!).toBeGreaterThanOrEqual(workerStartMs!);
  expect(workerEndMs!).toBeLessThan(settledMs! + 0.5);
  expect(workerBusyMs!).toBeGreaterThan(0);
  expect(workerBusyMs!).toBeLessThanOrEqual(lanes * (workerEndMs! - workerStartMs!) + 1e-6);
}

describe('compressAsync', () => {
  const data = smoothFloat64(1 << 18); // 2 MiB
  it.each([
    ['blosclz', {}], ['lz4', {}], ['lz4hc', { clevel: 3 }], ['zstd', { clevel: 1 }], ['zlib', { clevel: 1 }],
    ['lz4', { shuffle: 'bitshuffle' }], ['blosclz', { filters: [3, 1] }], ['lz4', { format: 'blosc1' }],
    ['snappy', { format: 'blosc1' }], ['blosclz', { format: 'blosc1', shuffle: 'bitshuffle' }],
  ] as const)('%s %j: the same chunk for nthreads 1, 2 and 3', async (codec, extra) => {
    const options = { codec, blocksize: 65536, ...extra };
    const serial = api.compress(data, options);
    for (const nthreads of [2, 3]) {
      const chunk = await api.compressAsync(data, { ...options, nthreads });
      expect(sha256(chunk)).toBe(sha256(serial));
    }
    expect(sha256(api.decompress(serial))).toBe(sha256(bytesOf(data)));
  });

  it('shares the blocks between this thread and the workers, and takes back what no worker started', async () => {
    const big = smoothFloat64(1 << 20); // 8 MiB
    const options = { codec: 'zstd', clevel: 3, blocksize: 65536, filters: [3, 1] } as const;
    const serial = api.compress(big, options);
    const shared = new Uint8Array(new SharedArrayBuffer(api.maxChunkSize(big.byteLength)));
    const plain = new Uint8Array(api.maxChunkSize(big.byteLength));
    // A cold pool: the first call waits for the worker it asked for, which then takes part.
    api.shutdownPool();
    expect(sha256(await api.compressAsync(big, { ...options, nthreads: 2 }, shared))).toBe(sha256(serial));
    const cold = chunkModule.lastParallelSplit()!;
    expect(cold.kind).toBe('encode');
    expect(cold.piecesByWorkers).toBeGreaterThan(0);
    expect(cold.ownBlocks).toBeGreaterThan(0);
    // Two workers up (a call with nthreads 3 starts the second).
    const pool = poolModule.getPool();
    for (let i = 0; i < 500 && pool.load.held.length < 2; i++) {
      await api.compressAsync(big.subarray(0, 1 << 16), { ...options, nthreads: 3 });
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(pool.load.held.length).toBeGreaterThanOrEqual(2);
    // A warm pool: the worker takes part (zstd is slow enough for it to start), into a
    // shared output (its blocks laid in place), a plain one and a new one.
    for (const out of [shared, plain, undefined]) {
      for (const nthreads of [2, 3]) {
        const chunk = await api.compressAsync(big, { ...options, nthreads }, out);
        expect(sha256(chunk)).toBe(sha256(serial));
        const split = chunkModule.lastParallelSplit()!;
        expect(split.piecesByWorkers).toBeGreaterThan(0);
        expect(split.ownBlocks).toBeGreaterThan(0);
        expectTimeline(split, nthreads - 1);
      }
    }
    // Decoding too, from plain memory into shared and plain outputs.
    const zlib = api.compress(big, { codec: 'zlib', clevel: 1, blocksize: 65536 });
    for (const out of [new Uint8Array(new SharedArrayBuffer(big.byteLength)), new Uint8Array(big.byteLength)]) {
      expect(sha256(await api.decompressAsync(zlib, out, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(big)));
      const split = chunkModule.lastParallelSplit()!;
      expect(split.kind).toBe('decode');
      expect(split.piecesByWorkers).toBeGreaterThan(0);
      expect(split.ownBlocks).toBeGreaterThan(0);
      expectTimeline(split, 1);
    }
  });

  it('stores incompressible input exactly as the serial path does', async () => {
    const src = randomBytes(1 << 20, 3);
    const serial = api.compress(src, { codec: 'lz4', typesize: 1 });
    expect(api.chunkInfo(serial).memcpyed).toBe(true);
    expect(sha256(await api.compressAsync(src, { codec: 'lz4', typesize: 1, nthreads: 2 }))).toBe(sha256(serial));
  });

  it('matches on chunks that barely fit (random blocks, then compressible ones)', async () => {
    for (const [codec, n] of [['blosclz', 1022], ['lz4', 1020], ['blosclz', 1000]] as const) {
      // 1 KiB blocks: n random, then 2 compressible; the serial path squeezes the last ones.
      const src = randomBytes((n + 2) * 1024, n);
      for (let i = n * 1024; i < src.length; i++) src[i] = 1 + (i % 4);
      const options = { codec, typesize: 1, shuffle: 'noshuffle', blocksize: 1024 } as const;
      const serial = api.compress(src, options);
      expect(sha256(await api.compressAsync(src, { ...options, nthreads: 2 }))).toBe(sha256(serial));
    }
  });

  it('writes into a given output (plain, shared, shared at an odd offset) the bytes it would return', async () => {
    const cases: Array<[string, Uint8Array, object]> = [
      ['smooth lz4', bytesOf(data), { codec: 'lz4', blocksize: 65536 }],
      ['smooth zstd delta', bytesOf(data), { codec: 'zstd', clevel: 1, blocksize: 65536, filters: [3, 1] }],
      ['incompressible', randomBytes(1 << 20, 5), { codec: 'lz4', typesize: 1 }],
      ['zeros', new Uint8Array(1 << 20), { codec: 'blosclz', blocksize: 65536 }],
      ['blosc1', bytesOf(data), { codec: 'blosclz', format: 'blosc1', blocksize: 65536 }],
    ];
    for (const [name, src, options] of cases) {
      const serial = api.compress(src, options);
      const size = api.maxChunkSize(src.length, (options as { format?: 'blosc1' | 'blosc2' }).format);
      const plain = new Uint8Array(size + 9).fill(0xee);
      const sharedBase = new Uint8Array(new SharedArrayBuffer(size + 16)).fill(0xee);
      for (const out of [plain, sharedBase, sharedBase.subarray(5)]) {
        const chunk = await api.compressAsync(src, { ...options, nthreads: 2, minParallelNbytes: 0 }, out);
        expect(chunk.buffer, name).toBe(out.buffer);
        expect(chunk.byteOffset, name).toBe(out.byteOffset);
        expect(sha256(chunk), name).toBe(sha256(serial));
      }
    }
  });

  it('lays out the worker\'s pieces at every alignment of a shared output, call after call', async () => {
    // The first lane's pieces finished before this thread's own blocks are parked in their
    // slots and placed by this thread; later ones go straight to their place, at whatever
    // alignment the output has; this thread takes back the pieces not started. Many calls
    // of several sizes and codecs, so that every path is taken.
    const big = smoothFloat64(1 << 20); // 8 MiB
    const shared = new Uint8Array(new SharedArrayBuffer(api.maxChunkSize(big.byteLength) + 8));
    const cases = [
      [{ codec: 'lz4', blocksize: 65536 }, 1 << 20],
      [{ codec: 'blosclz', blocksize: 32768 }, 3 << 18],
      [{ codec: 'zstd', clevel: 1, blocksize: 65536, filters: [3, 1] }, 1 << 20],
      [{ codec: 'lz4', blocksize: 131072 }, 5 << 17],
    ] as const;
    let byWorkers = 0;
    for (let k = 0; k < 16; k++) {
      const [options, n] = cases[k % cases.length]!;
      const src = big.subarray(0, n);
      const serial = api.compress(src, options);
      const chunk = await api.compressAsync(src, { ...options, nthreads: 2 }, shared.subarray(k % 8));
      expect(sha256(chunk), `call ${k}`).toBe(sha256(serial));
      byWorkers += chunkModule.lastParallelSplit()!.piecesByWorkers;
    }
    expect(byWorkers).toBeGreaterThan(0);
  });

  it('matches the serial chunk into a shared output when blocks barely fit', async () => {
    for (const [codec, n] of [['blosclz', 1022], ['lz4', 1020], ['blosclz', 120]] as const) {
      const src = randomBytes((n + 2) * 1024, n);
      for (let i = n * 1024; i < src.length; i++) src[i] = 1 + (i % 4);
      const options = { codec, typesize: 1, shuffle: 'noshuffle', blocksize: 1024 } as const;
      const serial = api.compress(src, options);
      const out = new Uint8Array(new SharedArrayBuffer(api.maxChunkSize(src.length)));
      expect(sha256(await api.compressAsync(src, { ...options, nthreads: 2 }, out))).toBe(sha256(serial));
    }
  });

  it('rejects an output too small with a BloscError, writing nothing past it', async () => {
    const src = bytesOf(data);
    const base = new Uint8Array(api.maxChunkSize(src.length) + 8).fill(7);
    const out = base.subarray(0, api.maxChunkSize(src.length) - 1);
    await expect(api.compressAsync(src, { codec: 'lz4', nthreads: 2 }, out)).rejects.toMatchObject({ code: api.BloscErrorCode.WriteBuffer });
    expect(base.subarray(out.length).every((b) => b === 7)).toBe(true);
  });

  it('fails the call when the worker placing its blocks dies mid-call, and recovers', async () => {
    const big = smoothFloat64(1 << 20); // 8 MiB
    const options = { codec: 'zstd', clevel: 1, blocksize: 262144, nthreads: 2 } as const;
    const serial = api.compress(big, options);
    const out = new Uint8Array(new SharedArrayBuffer(api.maxChunkSize(big.byteLength)));
    // Calls made while the worker starts run on this thread: wait until it is up.
    for (let i = 0; i < 500 && poolModule.getPool().load.held.length < 1; i++) {
      await api.compressAsync(big.subarray(0, 1 << 16), { ...options, minParallelNbytes: 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
    const call = api.compressAsync(big, options, out);
    // This thread encodes its own blocks before the call returns; the worker still holds its
    // pieces (or their answers, and the job that places its blocks).
    expect(poolModule.getPool().killBusyWorker()).toBe(true);
    const err = await call.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(api.BloscError);
    expect((err as { code: number }).code).toBe(api.BloscErrorCode.Failure);
    expect(sha256(await api.compressAsync(big, options, out))).toBe(sha256(serial));
  });

  it('tunes as compress does when given `tune`, on the calling thread and with workers', async () => {
    const tune = { goal: 'ratio', mode: 'deterministic' } as const;
    const src = data.subarray(0, 1 << 15); // 256 KiB
    const serial = api.compress(src, { tune });
    // The tuner picks something other than the defaults here, so ignoring `tune` would show.
    expect(sha256(serial)).not.toBe(sha256(api.compress(src)));
    for (const nthreads of [1, 2]) {
      expect(sha256(await api.compressAsync(src, { tune, nthreads, minParallelNbytes: 0 }))).toBe(sha256(serial));
    }
    await expect(api.compressAsync('text' as unknown as Uint8Array, { tune })).rejects.toMatchObject({ code: api.BloscErrorCode.InvalidParam });
  });

  it('leaves small inputs on the calling thread', async () => {
    api.shutdownPool();
    const small = smoothFloat64(8192); // 64 KiB
    expect(64 << 10).toBeLessThan(api.ENCODE_PARALLEL_MIN_NBYTES);
    const chunk = await api.compressAsync(small, { nthreads: 2 });
    expect(sha256(chunk)).toBe(sha256(api.compress(small)));
    expect(poolModule.getPool().workerCount).toBe(0);
  });
});

describe('decompressAsync', () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as {
    files: Array<{ path: string; decoded: { length: number; sha256: string } }>;
  };
  const large = manifest.files.filter((f) => f.decoded.length >= 2 << 20).slice(0, 12);

  it('decodes the large python-written chunks (payloads in any order) with 2 workers', async () => {
    expect(large.length).toBeGreaterThan(4);
    for (const f of large) {
      const chunk = new Uint8Array(readFileSync(join(FIXTURES, f.path)));
      expect(sha256(await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 })), f.path).toBe(f.decoded.sha256);
    }
  });

  it('writes into a given output, shared or not', async () => {
    const data = smoothFloat64(1 << 18);
    const chunk = api.compress(data, { codec: 'lz4', blocksize: 32768, filters: [3, 1] });
    const plain = new Uint8Array(data.byteLength + 5);
    const res1 = await api.decompressAsync(chunk, plain, { nthreads: 2, minParallelNbytes: 0 });
    expect(res1.buffer).toBe(plain.buffer);
    expect(sha256(res1)).toBe(sha256(bytesOf(data)));
    const shared = new Uint8Array(new SharedArrayBuffer(data.byteLength));
    const res2 = await api.decompressAsync(chunk, shared, { nthreads: 3, minParallelNbytes: 0 });
    expect(res2.buffer).toBe(shared.buffer);
    expect(sha256(res2)).toBe(sha256(bytesOf(data)));
  });

  it('decodes chunks at odd offsets, dictionary chunks and Blosc1 chunks the same on workers', async () => {
    const data = smoothFloat64(1 << 18);
    const chunks = [
      api.compress(data, { codec: 'lz4', blocksize: 32768 }),
      api.compress(data, { codec: 'zstd', clevel: 3, blocksize: 32768, useDict: true }),
      api.compress(data, { codec: 'blosclz', blocksize: 32768, format: 'blosc1' }),
      api.compress(data, { codec: 'lz4', blocksize: 32768, filters: [3, 1] }),
    ];
    expect(api.chunkInfo(chunks[1]!).useDict).toBe(true);
    for (const chunk of chunks) {
      for (const shift of [0, 3]) {
        const holder = new Uint8Array(chunk.length + shift);
        holder.set(chunk, shift);
        const view = holder.subarray(shift);
        for (const nthreads of [2, 3]) {
          const res = await api.decompressAsync(view, undefined, { nthreads, minParallelNbytes: 0 });
          expect(sha256(res)).toBe(sha256(bytesOf(data)));
        }
        // The caller's chunk is left as it was.
        expect(sha256(view)).toBe(sha256(chunk));
      }
    }
  });

  it('stages the worker\'s pieces of a chunk at an odd offset, with DELTA (block 0 staged too) and with a dictionary', async () => {
    const data = smoothFloat64(1 << 20); // 8 MiB
    for (const options of [{ codec: 'zlib', clevel: 1, blocksize: 65536, filters: [3, 1] }, { codec: 'zstd', clevel: 1, blocksize: 65536, useDict: true }] as const) {
      const chunk = api.compress(data, options);
      for (const shift of [0, 3, 5]) {
        const holder = new Uint8Array(chunk.length + shift);
        holder.set(chunk, shift);
        const view = holder.subarray(shift);
        let byWorkers = 0;
        for (let k = 0; k < 4; k++) {
          expect(sha256(await api.decompressAsync(view, undefined, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
          byWorkers += chunkModule.lastParallelSplit()!.piecesByWorkers;
        }
        expect(byWorkers, `${options.codec} at offset ${shift}`).toBeGreaterThan(0);
        expect(sha256(view)).toBe(sha256(chunk));
      }
    }
  });

  it('fails a corrupt block with a BloscError, and the pool works afterwards', async () => {
    const data = smoothFloat64(1 << 18);
    const chunk = api.compress(data, { codec: 'lz4', blocksize: 65536 });
    const info = api.chunkInfo(chunk);
    const bad = chunk.slice();
    // Scribble over the middle of the payload: some block's LZ4 stream breaks.
    const mid = Math.floor(info.cbytes / 2);
    for (let i = mid; i < mid + 64; i++) bad[i] = 0xff;
    await expect(api.decompressAsync(bad, undefined, { nthreads: 2, minParallelNbytes: 0 })).rejects.toMatchObject({ name: 'BloscError' });
    expect(() => api.decompress(bad)).toThrow();
    // The same in the first block (the calling thread's own share), into a shared output.
    const early = chunk.slice();
    const coded = api.chunkBlocks(chunk)[0]!.streams.find((st) => st.kind !== 'raw' && st.cbytes > 64)!;
    const at = coded.offset;
    for (let i = at; i < at + 64; i++) early[i] = 0xff;
    expect(() => api.decompress(early)).toThrow();
    const shared = new Uint8Array(new SharedArrayBuffer(data.byteLength));
    await expect(api.decompressAsync(early, shared, { nthreads: 2, minParallelNbytes: 0 })).rejects.toMatchObject({ name: 'BloscError' });
    expect(sha256(await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
  });

  it('fails the call when a worker dies mid-call, and recovers', async () => {
    const data = smoothFloat64(1 << 20); // 8 MiB
    const chunk = api.compress(data, { codec: 'zlib', clevel: 1, blocksize: 262144 });
    // Calls made while the worker starts run on this thread: wait until it is up.
    for (let i = 0; i < 500 && poolModule.getPool().load.held.length < 1; i++) {
      await api.decompressAsync(chunk.subarray(0), undefined, { nthreads: 2, minParallelNbytes: 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
    const call = api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 });
    const pool = poolModule.getPool();
    // The calling thread decodes its own share before the call returns, with the worker's
    // pieces posted and their answers not yet read: the worker counts as busy right now
    // (when the pool was already up; else once it has started).
    let killed = pool.killBusyWorker();
    for (let i = 0; i < 400 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 5));
      killed = pool.killBusyWorker();
    }
    expect(killed).toBe(true);
    const err = await call.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(api.BloscError);
    expect((err as { code: number }).code).toBe(api.BloscErrorCode.Failure);
    expect(sha256(await api.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
  });

  it('decodes every block on the calling thread when no worker has started yet', async () => {
    // A cold pool: the workers' pieces wait for them to start, and the calling thread takes
    // them back once done with its own blocks; workers that start later skip them.
    api.shutdownPool();
    const data = smoothFloat64(1 << 19);
    const chunk = api.compress(data, { codec: 'zstd', clevel: 1, blocksize: 65536, filters: [3, 1] });
    const out = new Uint8Array(new SharedArrayBuffer(data.byteLength));
    const res = await api.decompressAsync(chunk, out, { nthreads: 3, minParallelNbytes: 0 });
    expect(sha256(res)).toBe(sha256(bytesOf(data)));
    out.fill(0);
    expect(sha256(await api.decompressAsync(chunk, out, { nthreads: 3, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
  });

  it('decodes a chunk held in a SharedArrayBuffer beside the workers, copying nothing for them', async () => {
    const data = smoothFloat64(1 << 19); // 4 MiB
    const expected = sha256(bytesOf(data));
    // DELTA (Blosc2) makes every piece read block 0 as well; a Blosc1 chunk goes whole to each piece.
    const kinds = [{ format: 'blosc2', filters: [1] }, { format: 'blosc2', filters: [3, 1] }, { format: 'blosc1', shuffle: 'shuffle' }] as const;
    for (const kind of kinds) {
      const chunk = api.compress(data, { codec: 'zstd', clevel: 1, blocksize: 65536, ...kind });
      // At an offset that disagrees with the output modulo 8.
      const shared = new Uint8Array(new SharedArrayBuffer(chunk.length + 5), 5, chunk.length);
      shared.set(chunk);
      for (const out of [new Uint8Array(new SharedArrayBuffer(data.byteLength)), new Uint8Array(data.byteLength), undefined]) {
        const res = await api.decompressAsync(shared, out, { nthreads: 2, minParallelNbytes: 0 });
        expect(sha256(res), JSON.stringify(kind)).toBe(expected);
        const split = chunkModule.lastParallelSplit()!;
        expect(split.kind).toBe('decode');
        // The calling thread decoded its share straight from the shared chunk, and posted
        // the workers' pieces without staging a byte for them.
        expect(split.ownBlocks).toBeGreaterThan(0);
        expect(split.pieces).toBeGreaterThan(0);
        expect(split.stagedBytes).toBe(0);
      }
    }
  });

  it('stages only the pieces a busy worker is about to get, and decodes the rest itself', async () => {
    const data = smoothFloat64(1 << 19); // 4 MiB
    const chunk = api.compress(data, { codec: 'zstd', clevel: 1, blocksize: 65536, filters: [3, 1] });
    const out = new Uint8Array(new SharedArrayBuffer(data.byteLength));
    // A warm worker, then one kept busy by a slow job (zlib, 32 MiB) posted before the call.
    expect(sha256(await api.decompressAsync(chunk, out, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
    const slow = api.compress(smoothFloat64(1 << 22), { codec: 'zlib', clevel: 9, typesize: 1, shuffle: 'noshuffle' });
    const busy = poolModule.getPool().runOn(0, { kind: 'decode-chunk', chunk: slow, out: null, dp: 0, maxNbytes: 1 << 25 }, [], 1);
    out.fill(0);
    expect(sha256(await api.decompressAsync(chunk, out, { nthreads: 2, minParallelNbytes: 0 }))).toBe(sha256(bytesOf(data)));
    const split = chunkModule.lastParallelSplit()!;
    await busy;
    expect(split.kind).toBe('decode');
    // Only the worker's first two pieces were staged (a sixteenth and an eighth of its share,
    // which is a quarter of the blocks at least), not all of it: this thread decoded the rest.
    expect(split.pieces).toBe(2);
    expect(split.piecesByWorkers).toBe(0);
    expect(split.blocksByWorkers).toBe(0);
    const workerBytes = (chunk.length * (64 - split.ownBlocks)) / 64;
    expect(64 - split.ownBlocks).toBeGreaterThanOrEqual(16);
    expect(split.stagedBytes!).toBeGreaterThan(0);
    expect(split.stagedBytes!).toBeLessThan(workerBytes / 3);
  });

  it('leaves small chunks on the calling thread', async () => {
    api.shutdownPool();
    const chunk = api.compress(smoothFloat64(16384), { codec: 'lz4' }); // 128 KiB
    await api.decompressAsync(chunk, undefined, { nthreads: 2 });
    expect(poolModule.getPool().workerCount).toBe(0);
  });

  it('keeps fast codecs on the calling thread below 64 MiB, and spreads zlib from 2 MiB', async () => {
    api.shutdownPool();
    const data = smoothFloat64(1 << 19); // 4 MiB
    const lz4 = api.compress(data, { codec: 'lz4' });
    expect(sha256(await api.decompressAsync(lz4, undefined, { nthreads: 2 }))).toBe(sha256(bytesOf(data)));
    expect(poolModule.getPool().workerCount).toBe(0);
    const zlib = api.compress(data, { codec: 'zlib', clevel: 1 });
    expect(sha256(await api.decompressAsync(zlib, undefined, { nthreads: 2 }))).toBe(sha256(bytesOf(data)));
    expect(poolModule.getPool().workerCount).toBeGreaterThan(0);
  });
});

describe('concurrent calls', () => {
  it('share the pool and each get their own bytes', async () => {
    const inputs = [1, 2, 3, 4].map((k) => smoothFloat64((1 << 17) + k * 1000).map((v) => v * k));
    const chunks = inputs.map((f, k) => api.compress(f, { codec: k % 2 === 0 ? 'lz4' : 'blosclz', blocksize: 32768 }));
    const results = await Promise.all([
      ...inputs.map((f, k) => api.compressAsync(f, { codec: k % 2 === 0 ? 'lz4' : 'blosclz', blocksize: 32768, nthreads: 2 })),
      ...chunks.map((c) => api.decompressAsync(c, undefined, { nthreads: 3, minParallelNbytes: 0 })),
    ]);
    for (let k = 0; k < 4; k++) {
      expect(sha256(results[k]!)).toBe(sha256(chunks[k]!));
      expect(sha256(results[4 + k]!)).toBe(sha256(bytesOf(inputs[k]!)));
    }
  });
});

describe('frames', () => {
  it('getSliceAsync and decompressFrameAsync give getSlice\'s bytes', async () => {
    const data = bytesOf(smoothFloat64(3 << 17)); // 3 MiB in 5 chunks
    const schunk = api.SChunk.fromData(data, { chunksize: 640 << 10, typesize: 8, cparams: { codec: 'lz4' } });
    expect(schunk.nchunks).toBe(5);
    const frame = schunk.toFrame();
    const whole = await api.decompressFrameAsync(frame, { nthreads: 2 });
    expect(sha256(whole)).toBe(sha256(data));
    const opened = api.SChunk.open(frame);
    for (const [a, b] of [[0, undefined], [1000, 300_000], [70_000, 90_000], [5, 5]] as const) {
      const got = await opened.getSliceAsync(a, b, { nthreads: 2 });
      expect(sha256(got), `${a}..${b}`).toBe(sha256(opened.getSlice(a, b)));
    }
  });

  it('SChunk.fromDataAsync writes the frame fromData writes', async () => {
    const data = bytesOf(smoothFloat64(3 << 17)).slice(0, (3 << 20) - 8 * 1000); // last chunk short
    for (const cparams of [{ codec: 'lz4' }, { codec: 'zstd', clevel: 1 }, { codec: 'blosclz', filters: [3, 2] }] as const) {
      // The frame header records nthreads, so both are given the same cparams.
      const sync = api.SChunk.fromData(data, { chunksize: 512 << 10, typesize: 8, cparams: { ...cparams, nthreads: 2 } });
      const parallel = await api.SChunk.fromDataAsync(data, { chunksize: 512 << 10, typesize: 8, cparams: { ...cparams, nthreads: 2 } });
      expect(parallel.nchunks).toBe(sync.nchunks);
      expect(sha256(parallel.toFrame()), JSON.stringify(cparams)).toBe(sha256(sync.toFrame()));
    }
  });

  it('decodes a python-written frame with workers', async () => {
    const frames = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as {
      files: Array<{ path: string; nbytes: number; decoded: { sha256: string | null } }>;
    };
    const readable = frames.files.filter((x) => x.nbytes > 0 && !x.path.includes('sparse') && x.decoded.sha256 !== null);
    expect(readable.length).toBeGreaterThan(5);
    for (const f of readable) {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, f.path)));
      const got = await api.decompressFrameAsync(bytes, { nthreads: 2 });
      expect(sha256(got), f.path).toBe(f.decoded.sha256);
    }
  });

  it('names the corrupt chunk of a frame', async () => {
    const data = bytesOf(smoothFloat64(3 << 17));
    const schunk = api.SChunk.fromData(data, { chunksize: 640 << 10, typesize: 8, cparams: { codec: 'lz4' } });
    const chunk = schunk.getChunk(2).slice();
    // bstarts[1] past the end of the chunk.
    new DataView(chunk.buffer).setInt32(32 + 4, 0x7fffffff, true);
    schunk.updateChunk(2, chunk);
    const err = await schunk.getSliceAsync(0, undefined, { nthreads: 2 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(api.BloscError);
    expect((err as { chunk: number }).chunk).toBe(2);
  });
});

describe('process lifetime and runtimes without shared memory', () => {
  const script = (body: string): string => `
    const api = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)});
    const f = new Float64Array(1 << 18).map((_, i) => Math.sin(i / 1000));
    ${body}`;

  it('idle workers do not keep Node running', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(`
      const c = await api.compressAsync(f, { codec: 'lz4', nthreads: 2 });
      const d = await api.decompressAsync(c, undefined, { nthreads: 2, minParallelNbytes: 0 });
      console.log(d.length);`)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe(String(f64Bytes(1 << 18)));
    expect(r.status).toBe(0);
  });

  it('starts workers in a process run with V8 flags that workers refuse (--expose-gc)', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script(`
      const c = api.compress(f, { codec: 'lz4', typesize: 8 });
      const d = await api.decompressAsync(c, undefined, { nthreads: 2, minParallelNbytes: 0 });
      console.log(d.length);`)], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).not.toContain('ERR_WORKER_INVALID_EXEC_ARGV');
    expect(r.stdout.trim()).toBe(String(f64Bytes(1 << 18)));
    expect(r.status).toBe(0);
  });

  it('works by transfer when shared memory is off', async () => {
    const memory = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'memory.js')).href)) as typeof import('../../src/pool/memory.js');
    memory.setSharedMemoryEnabled(false);
    try {
      const f = smoothFloat64(1 << 18);
      for (const options of [
        { codec: 'lz4', filters: [3, 1], blocksize: 65536 }, { codec: 'blosclz', typesize: 4 },
        { codec: 'lz4', format: 'blosc1', blocksize: 65536 },
      ] as const) {
        const sync = api.compress(f, options);
        expect(sha256(await api.compressAsync(f, { ...options, nthreads: 2 }))).toBe(sha256(sync));
        const d = await api.decompressAsync(sync, undefined, { nthreads: 2, minParallelNbytes: 0 });
        expect(d.buffer).toBeInstanceOf(ArrayBuffer);
        expect(sha256(d)).toBe(sha256(bytesOf(f)));
      }
      const schunk = api.SChunk.fromData(bytesOf(f), { chunksize: 512 << 10, typesize: 8 });
      expect(sha256(await schunk.getSliceAsync(100, 200_000, { nthreads: 2 }))).toBe(sha256(schunk.getSlice(100, 200_000)));
    } finally {
      memory.setSharedMemoryEnabled(true);
    }
  });
});

function f64Bytes(n: number): number {
  return n * 8;
}
