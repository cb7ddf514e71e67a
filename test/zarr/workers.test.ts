/**
 * BloscWorkerCodec: whole chunks on the pool's workers. Same bytes as the synchronous
 * codec both ways, many calls in flight at once, a failing chunk rejecting only its own
 * promise, inputs moved only when allowed, outputs that come back as plain buffers.
 */
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytesEqual, ROOT } from '../helpers.js';
import { loadBuilt, type CoreApi, type ZarrApi } from './support.js';

let zarrApi: ZarrApi;
let core: CoreApi;
let poolModule: typeof import('../../src/pool/pool.js');
let memoryModule: typeof import('../../src/pool/memory.js');

beforeAll(async () => {
  ({ zarrApi, core } = await loadBuilt());
  poolModule = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'pool.js')).href)) as typeof poolModule;
  memoryModule = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'memory.js')).href)) as typeof memoryModule;
});

afterAll(() => {
  core?.shutdownPool();
});

function frames(count: number, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = Math.round(Math.sin((i + k * 31) / 90) * 1e4) / 16 + k;
    out.push(new Uint8Array(f.buffer));
  }
  return out;
}

const CONFIGS = [
  { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 },
  { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 2, blocksize: 0 },
  { cname: 'blosclz', clevel: 9, shuffle: 'shuffle', typesize: 8, blocksize: 0 },
  { cname: 'zlib', clevel: 3, shuffle: 'noshuffle', blocksize: 16384 },
  { cname: 'lz4hc', clevel: 4, shuffle: 'bitshuffle', typesize: 4, blocksize: 0 },
] as const;

describe('BloscWorkerCodec', () => {
  for (const config of CONFIGS) {
    it(`${JSON.stringify(config)}: 12 chunks at once encode and decode to the synchronous codec's bytes`, async () => {
      const sync = zarrApi.BloscCodec.fromConfig(config as never, { dataType: 'float64' });
      const onWorkers = zarrApi.BloscWorkerCodec.fromConfig(config as never, { dataType: 'float64' }, { workers: 2 });
      const freshOutputs = zarrApi.BloscWorkerCodec.fromConfig(config as never, { dataType: 'float64' }, { workers: 2, reuseOutputs: false });
      expect(onWorkers.config).toEqual(sync.config);
      const inputs = frames(12, 40_000);
      const encoded = await Promise.all(inputs.map((x) => onWorkers.encode(x)));
      for (let k = 0; k < inputs.length; k++) expect(bytesEqual(encoded[k]!, sync.encode(inputs[k]!)), `chunk ${k}`).toBe(true);
      const decoded = await Promise.all(encoded.map((c) => onWorkers.decode(c)));
      const decodedFresh = await Promise.all(encoded.map((c) => freshOutputs.decode(c)));
      for (let k = 0; k < inputs.length; k++) {
        expect(bytesEqual(decoded[k]!, inputs[k]!)).toBe(true);
        expect(bytesEqual(decodedFresh[k]!, inputs[k]!)).toBe(true);
        // By default in reused shared memory (Node has it); with reuseOutputs: false a plain
        // buffer of its own, usable where shared memory is refused.
        expect(decoded[k]!.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(decodedFresh[k]!.buffer).toBeInstanceOf(ArrayBuffer);
      }
      expect(poolModule.getPool().workerCount).toBeGreaterThan(0);
    });
  }

  it('a failing chunk rejects only its own promise', async () => {
    const codec = zarrApi.BloscWorkerCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle: 1 }, { dataType: 'float64' });
    const inputs = frames(6, 30_000);
    const chunks = inputs.map((x) => zarrApi.BloscCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle: 1 }, { dataType: 'float64' }).encode(x));
    // Chunk 1: a block start far past the end (the header is fine; the worker's decode fails).
    const badBlock = chunks[1]!.slice();
    new DataView(badBlock.buffer).setInt32(16, badBlock.length + 1000, true);
    expect(() => zarrApi.BloscCodec.fromConfig({}).decode(badBlock)).toThrow(core.BloscError);
    // Chunk 3: cut short (refused on the calling thread).
    const cut = chunks[3]!.subarray(0, 40);
    const settled = await Promise.allSettled([chunks[0]!, badBlock, chunks[2]!, cut, chunks[4]!, chunks[5]!].map((c) => codec.decode(c)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    for (const k of [1, 3]) expect((settled[k] as PromiseRejectedResult).reason).toBeInstanceOf(core.BloscError);
    for (const k of [0, 2, 4, 5]) expect(bytesEqual((settled[k] as PromiseFulfilledResult<Uint8Array>).value, inputs[k]!)).toBe(true);
    // The pool still works afterwards.
    expect(bytesEqual(await codec.decode(chunks[1]!), inputs[1]!)).toBe(true);
  });

  it('hands each busy worker its next chunk; a worker that dies fails only the chunks it held', async () => {
    const config = { cname: 'zstd', clevel: 5, shuffle: 1 } as const;
    const sync = zarrApi.BloscCodec.fromConfig(config, { dataType: 'float64' });
    const codec = zarrApi.BloscWorkerCodec.fromConfig(config, { dataType: 'float64' }, { workers: 2 });
    const inputs = frames(10, 200_000);
    const chunks = inputs.map((x) => sync.encode(x));
    await codec.decode(chunks[0]!); // both workers up
    expect(bytesEqual(await codec.decode(chunks[1]!), inputs[1]!)).toBe(true);
    const pool = poolModule.getPool();
    const calls = chunks.map((c) => codec.decode(c));
    const { held, queued } = pool.load;
    // Every worker holds the chunk it decodes and the next one; the rest wait in the pool.
    expect(held.length).toBe(2);
    expect(held).toEqual([2, 2]);
    expect(queued).toBe(chunks.length - 4);
    expect(pool.killBusyWorker()).toBe(true);
    const settled = await Promise.allSettled(calls);
    const failed = settled.flatMap((s, k) => (s.status === 'rejected' ? [k] : []));
    expect(failed.length).toBe(2);
    for (const k of failed) {
      const reason = (settled[k] as PromiseRejectedResult).reason as { code: number };
      expect(reason).toBeInstanceOf(core.BloscError);
      expect(reason.code).toBe(core.BloscErrorCode.Failure);
    }
    settled.forEach((s, k) => {
      if (s.status === 'fulfilled') expect(bytesEqual(s.value, inputs[k]!), `chunk ${k}`).toBe(true);
    });
    // The pool replaced the worker: everything decodes again.
    const again = await Promise.all(chunks.map((c) => codec.decode(c)));
    again.forEach((d, k) => expect(bytesEqual(d, inputs[k]!), `chunk ${k}`).toBe(true));
  });

  it('moves the input only when allowed and when it spans its whole buffer', async () => {
    const sync = zarrApi.BloscCodec.fromConfig({}, { dataType: 'float64' });
    const [input] = frames(1, 20_000);
    const chunk = sync.encode(input!);
    const kept = zarrApi.BloscWorkerCodec.fromConfig({}, { dataType: 'float64' });
    const moving = zarrApi.BloscWorkerCodec.fromConfig({}, { dataType: 'float64' }, { transferInput: true });

    const a = chunk.slice();
    expect(bytesEqual(await kept.decode(a), input!)).toBe(true);
    expect(a.byteLength).toBe(chunk.length);

    const b = chunk.slice();
    expect(bytesEqual(await moving.decode(b), input!)).toBe(true);
    expect(b.byteLength).toBe(0); // detached: it went to the worker

    // A view into a larger buffer (a shard, say) is copied, never detached.
    const shard = new Uint8Array(chunk.length + 100);
    shard.set(chunk, 50);
    const view = shard.subarray(50, 50 + chunk.length);
    expect(bytesEqual(await moving.decode(view), input!)).toBe(true);
    expect(shard.byteLength).toBe(chunk.length + 100);

    const src = input!.slice();
    expect(bytesEqual(await moving.encode(src), chunk)).toBe(true);
    expect(src.byteLength).toBe(0);
    const src2 = input!.slice();
    expect(bytesEqual(await kept.encode(src2), chunk)).toBe(true);
    expect(src2.byteLength).toBe(input!.length);
  });

  it('reuseOutputs (the default): decodes into shared memory lent again only once the decoded chunk is collected', async () => {
    v8.setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    // Collect, then let the FinalizationRegistry's callbacks (a later task) run.
    const collectAndSettle = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        collect();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const config = { cname: 'lz4', clevel: 5, shuffle: 1 } as const;
    const sync = zarrApi.BloscCodec.fromConfig(config, { dataType: 'float64' });
    const codec = zarrApi.BloscWorkerCodec.fromConfig(config, { dataType: 'float64' }, { workers: 2 });
    const inputs = frames(8, 50_000);
    const chunks = inputs.map((x) => sync.encode(x));
    await collectAndSettle();
    const idleBefore = memoryModule.idleOutputCount();

    // Held chunks are never written again, however many decodes and collections follow.
    const held = await Promise.all(chunks.slice(0, 4).map((c) => codec.decode(c)));
    for (let round = 0; round < 3; round++) {
      await collectAndSettle();
      const others = await Promise.all(chunks.slice(4).map((c) => codec.decode(c)));
      others.forEach((d, k) => expect(bytesEqual(d, inputs[4 + k]!)).toBe(true));
    }
    held.forEach((d, k) => {
      expect(d.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(bytesEqual(d, inputs[k]!), `held chunk ${k}`).toBe(true);
    });

    // Dropped and collected, their memory goes back to the idle outputs, and is lent again.
    held.length = 0;
    await collectAndSettle();
    const idle = memoryModule.idleOutputCount();
    expect(idle).toBeGreaterThanOrEqual(idleBefore + 4);
    const again = await Promise.all(chunks.slice(0, 4).map((c) => codec.decode(c)));
    expect(memoryModule.idleOutputCount()).toBe(idle - 4);
    again.forEach((d, k) => expect(bytesEqual(d, inputs[k]!)).toBe(true));

    // A chunk that fails gives its output back at once.
    const bad = chunks[0]!.slice();
    new DataView(bad.buffer).setInt32(16, bad.length + 1000, true);
    const idleAtFailure = memoryModule.idleOutputCount();
    await expect(codec.decode(bad)).rejects.toBeInstanceOf(core.BloscError);
    expect(memoryModule.idleOutputCount()).toBe(idleAtFailure);
  });

  it('lets idle outputs and inputs go 2 s after their last use, not 2 s after the first', () => {
    vi.useFakeTimers();
    try {
      core.shutdownPool(); // nothing idle
      const n = 123_457;
      memoryModule.releaseOutput(memoryModule.acquireOutput(n));
      memoryModule.releaseInput(memoryModule.acquireInput(n));
      expect(memoryModule.idleOutputCount()).toBe(1);
      expect(memoryModule.idleInputCount()).toBe(1);
      vi.advanceTimersByTime(1500);
      // Used again, many times (as per chunk of a read): lent and taken back, with no new timer.
      const timers = vi.spyOn(globalThis, 'setTimeout');
      for (let i = 0; i < 100; i++) memoryModule.releaseOutput(memoryModule.acquireOutput(n));
      expect(timers).not.toHaveBeenCalled();
      timers.mockRestore();
      expect(memoryModule.idleOutputCount()).toBe(1);
      vi.advanceTimersByTime(1000); // 2.5 s after the first use, 1 s after the last
      expect(memoryModule.idleOutputCount()).toBe(1);
      expect(memoryModule.idleInputCount()).toBe(1);
      vi.advanceTimersByTime(1100);
      expect(memoryModule.idleOutputCount()).toBe(0);
      expect(memoryModule.idleInputCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('copies each chunk for its worker into a buffer the worker hands back for the next copy', async () => {
    const sync = zarrApi.BloscCodec.fromConfig({ cname: 'zstd' }, { dataType: 'float64' });
    const codec = zarrApi.BloscWorkerCodec.fromConfig({ cname: 'zstd' }, { dataType: 'float64' });
    const inputs = frames(6, 30_000);
    const chunks = inputs.map((x) => sync.encode(x));
    core.shutdownPool(); // no idle inputs
    expect(memoryModule.idleInputCount()).toBe(0);
    const first = await Promise.all(chunks.map((c) => codec.decode(c)));
    first.forEach((d, k) => expect(bytesEqual(d, inputs[k]!)).toBe(true));
    const kept = memoryModule.idleInputCount();
    expect(kept).toBe(chunks.length);
    // The next round copies into those: none is added, and the stored chunks are untouched.
    const second = await Promise.all(chunks.map((c) => codec.decode(c)));
    second.forEach((d, k) => expect(bytesEqual(d, inputs[k]!)).toBe(true));
    expect(memoryModule.idleInputCount()).toBe(kept);
    chunks.forEach((c, k) => expect(bytesEqual(c, sync.encode(inputs[k]!))).toBe(true));
  });

  it('decodes into a given out: a shared one in place, a plain one by a copy', async () => {
    const sync = zarrApi.BloscCodec.fromConfig({ cname: 'zstd' }, { dataType: 'float64' });
    const [input] = frames(1, 25_000);
    const chunk = sync.encode(input!);
    const codec = zarrApi.BloscWorkerCodec.fromConfig({ cname: 'zstd' }, { dataType: 'float64' });
    const shared = new Uint8Array(new SharedArrayBuffer(input!.length + 8));
    const intoShared = await codec.decode(chunk, shared);
    expect(intoShared.buffer).toBe(shared.buffer);
    expect(bytesEqual(intoShared, input!)).toBe(true);
    const plain = new Uint8Array(input!.length);
    const intoPlain = await codec.decode(chunk, plain);
    expect(intoPlain.buffer).toBe(plain.buffer);
    expect(bytesEqual(plain, input!)).toBe(true);
    await expect(codec.decode(chunk, new Uint8Array(10))).rejects.toBeInstanceOf(core.BloscError);
  });
});
