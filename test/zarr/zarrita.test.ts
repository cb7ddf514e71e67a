/**
 * zarrita with blosc-ts: after `registerBlosc(zarr.registry)` (synchronous codec, then the
 * worker codec), every fixture store zarr-python wrote reads to numpy's values, and arrays
 * zarrita writes read back. No Python needed (expected values are committed .npy files).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zarr from 'zarrita';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../helpers.js';
import { bytesOfData, DirectoryStore, loadBuilt, loadZarrManifest, MemoryStore, ZARR_FIXTURES, type CoreApi, type ZarrApi, type ZarrFixture } from './support.js';

let zarrApi: ZarrApi;
let core: CoreApi;
const originalBlosc = zarr.registry.get('blosc');
const originalV2Blosc = zarr.registry.get('numcodecs.blosc');

beforeAll(async () => {
  ({ zarrApi, core } = await loadBuilt());
});

afterAll(() => {
  if (originalBlosc) zarr.registry.set('blosc', originalBlosc);
  if (originalV2Blosc) zarr.registry.set('numcodecs.blosc', originalV2Blosc);
  core?.shutdownPool();
});

/** Register through a wrapper that counts the codecs zarrita builds, to prove ours are used. */
function registerCounting(options?: { workers?: number; reuseOutputs?: boolean }): { built: Array<{ config: unknown; codec: unknown }> } {
  const built: Array<{ config: unknown; codec: unknown }> = [];
  const counting = {
    set(name: string, loader: () => Promise<{ kind: 'bytes_to_bytes'; fromConfig: (c: unknown, m: { dataType?: string }) => unknown }>) {
      zarr.registry.set(name, async () => {
        const entry = await loader();
        return {
          kind: entry.kind,
          fromConfig: (config: unknown, meta: { dataType?: string }) => {
            const codec = entry.fromConfig(config, meta);
            built.push({ config, codec });
            return codec as never;
          },
        };
      });
    },
  };
  zarrApi.registerBlosc(counting, options);
  return { built };
}

function expectedBytes(fixture: ZarrFixture): Uint8Array {
  const npy = core.parseNpy(new Uint8Array(readFileSync(join(ZARR_FIXTURES, fixture.expected))));
  if (fixture.expected_transform === 'anscombe') {
    const f = new Float64Array(npy.data.length);
    for (let i = 0; i < f.length; i++) f[i] = 2 * Math.sqrt(npy.data[i]! + 3 / 8);
    return new Uint8Array(f.buffer);
  }
  return npy.data;
}

async function readFixture(fixture: ZarrFixture): Promise<{ data: Uint8Array; shape: number[] }> {
  const store = new DirectoryStore(join(ZARR_FIXTURES, fixture.path));
  const arr = await zarr.open(store as never, { kind: 'array' });
  const got = await zarr.get(arr);
  return { data: bytesOfData(got.data as never), shape: got.shape };
}

const manifest = loadZarrManifest();

describe.each([
  ['the synchronous codec (reused shared outputs: the default)', undefined],
  ['the synchronous codec (fresh outputs)', { reuseOutputs: false }],
  ['the worker codec (2 workers, reused shared outputs: the default)', { workers: 2 }],
  ['the worker codec (2 workers, fresh outputs)', { workers: 2, reuseOutputs: false }],
] as const)('zarrita reads the fixture stores with %s', (_label, options) => {
  let built: Array<{ config: unknown; codec: unknown }>;
  beforeAll(() => {
    ({ built } = registerCounting(options));
  });

  for (const fixture of manifest.arrays) {
    it(`${fixture.path} (${fixture.dtype}${fixture.shards ? ', sharded' : ''}${fixture.big_endian ? ', big-endian bytes codec' : ''})`, async () => {
      const before = built.length;
      const { data, shape } = await readFixture(fixture);
      expect(shape).toEqual(fixture.shape);
      const expected = expectedBytes(fixture);
      expect(data.length).toBe(expected.length);
      expect(bytesEqual(data, expected)).toBe(true);
      // zarrita built blosc-ts codecs for this array (v2 under 'numcodecs.blosc', v3 under 'blosc').
      const mine = built.slice(before);
      expect(mine.length).toBeGreaterThan(0);
      const Class = options === undefined || !('workers' in options) ? zarrApi.BloscCodec : zarrApi.BloscWorkerCodec;
      for (const { codec } of mine) expect(codec).toBeInstanceOf(Class);
    });
  }
});

describe('zarrita writes with blosc-ts', () => {
  beforeAll(() => {
    zarrApi.registerBlosc(zarr.registry);
  });

  it('a Zarr v3 array (every shuffle) reads back, its chunks Blosc1 at the data type\'s typesize', async () => {
    for (const shuffle of ['noshuffle', 'shuffle', 'bitshuffle'] as const) {
      const store = new MemoryStore();
      const arr = await zarr.create(store as never, {
        shape: [100, 30], chunkShape: [25, 30], dtype: 'float64',
        codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'blosc', configuration: { cname: 'zstd', clevel: 5, shuffle, blocksize: 0 } }],
      });
      const values = new Float64Array(3000).map((_, i) => Math.cos(i / 40) * 1e3);
      await zarr.set(arr, null, { data: values, shape: [100, 30], stride: [30, 1] });
      const chunk = store.map.get('/c/1/0')!;
      const info = core.chunkInfo(chunk);
      expect(info.version).toBe(2);
      expect(info.typesize).toBe(8);
      expect(info.shuffle).toBe(shuffle);
      const back = await zarr.get(await zarr.open(store as never, { kind: 'array' }));
      expect(bytesEqual(bytesOfData(back.data as never), new Uint8Array(values.buffer))).toBe(true);
    }
  });

  it('a Zarr v2 array (AUTOSHUFFLE, uint8) reads back', async () => {
    const store = new MemoryStore();
    const zarray = { zarr_format: 2, shape: [4000], chunks: [1000], dtype: '|u1', fill_value: 0, order: 'C', filters: null, compressor: { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: -1, blocksize: 0 } };
    await store.set('/.zarray', new TextEncoder().encode(JSON.stringify(zarray)));
    const arr = await zarr.open.v2(store as never, { kind: 'array' });
    const values = new Uint8Array(4000).map((_, i) => (i * 7) % 13);
    await zarr.set(arr, null, { data: values, shape: [4000], stride: [1] });
    const info = core.chunkInfo(store.map.get('/2')!);
    expect(info.version).toBe(2);
    expect(info.shuffle).toBe('bitshuffle');
    const back = await zarr.get(await zarr.open.v2(store as never, { kind: 'array' }));
    expect(bytesEqual(bytesOfData(back.data as never), values)).toBe(true);
  });
});
