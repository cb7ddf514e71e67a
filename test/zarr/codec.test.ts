/**
 * blosc-ts/zarr's codec on its own: both config shapes, numcodecs' defaults, typesize from
 * the data type, AUTOSHUFFLE, errors naming the field, Blosc1 output, and every chunk that
 * zarr-python wrote into fixtures/zarr/ decoded and written again byte for byte.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, ROOT } from '../helpers.js';
import { loadBuilt, loadZarrManifest, ZARR_FIXTURES, type CoreApi, type ZarrApi } from './support.js';

let zarrApi: ZarrApi;
let core: CoreApi;
let memoryModule: typeof import('../../src/pool/memory.js');

beforeAll(async () => {
  ({ zarrApi, core } = await loadBuilt());
  memoryModule = (await import(pathToFileURL(join(ROOT, 'dist', 'pool', 'memory.js')).href)) as typeof memoryModule;
});

function smooth(n: number): Float64Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.sin(i / 50) * 100 + i / 7;
  return f;
}

function bytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe('configuration', () => {
  it('numcodecs defaults: lz4, clevel 5, SHUFFLE, blocksize 0, typesize 1 without a data type', () => {
    const codec = zarrApi.BloscCodec.fromConfig({});
    expect(codec.config).toEqual({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 });
    expect(codec.resolved.typesize).toBe(1);
    expect(codec.kind).toBe('bytes_to_bytes');
    expect(codec.codecId).toBe('blosc');
    expect(zarrApi.BloscCodec.codecId).toBe('blosc');
    const info = core.chunkInfo(codec.encode(bytes(smooth(1000))));
    expect(info.version).toBe(2); // Blosc1 header version (c-blosc 1.x writes 2)
    expect(info.typesize).toBe(1);
  });

  it('v2 configs round-trip through the config getter, with and without id and typesize', () => {
    const configs = [
      { id: 'blosc', cname: 'zstd', clevel: 3, shuffle: 2, blocksize: 0 },
      { id: 'blosc', cname: 'blosclz', clevel: 9, shuffle: -1, blocksize: 65536 },
      { id: 'blosc', cname: 'zlib', clevel: 1, shuffle: 0, blocksize: 0, typesize: 4 },
    ] as const;
    for (const c of configs) {
      const codec = zarrApi.BloscCodec.fromConfig(c, { dataType: 'float64' });
      expect(codec.config).toEqual(c);
      expect(zarrApi.BloscCodec.fromConfig(codec.config).config).toEqual(c);
    }
    // zarrita passes v2 configs without their id.
    const bare = zarrApi.BloscCodec.fromConfig({ cname: 'lz4hc', clevel: 4, shuffle: 1, blocksize: 0 });
    expect(bare.config).toEqual({ id: 'blosc', cname: 'lz4hc', clevel: 4, shuffle: 1, blocksize: 0 });
  });

  it('v3 configs round-trip, the typesize filled from the data type when absent', () => {
    const c = { cname: 'zstd', clevel: 5, shuffle: 'bitshuffle', typesize: 4, blocksize: 0 } as const;
    expect(zarrApi.BloscCodec.fromConfig(c).config).toEqual(c);
    const noTypesize = zarrApi.BloscCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle: 'shuffle', blocksize: 0 }, { dataType: 'complex128' });
    expect(noTypesize.config).toEqual({ cname: 'lz4', clevel: 5, shuffle: 'shuffle', typesize: 16, blocksize: 0 });
    expect(zarrApi.BloscCodec.fromConfig(noTypesize.config).config).toEqual(noTypesize.config);
  });

  it('the v3 shuffle strings each write their own filter (none is read as no shuffle)', () => {
    const src = bytes(smooth(4096));
    const flags = (shuffle: 'noshuffle' | 'shuffle' | 'bitshuffle'): number =>
      core.chunkInfo(zarrApi.BloscCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle, typesize: 8, blocksize: 0 }).encode(src)).flags & 0x05;
    expect(flags('noshuffle')).toBe(0);
    expect(flags('shuffle')).toBe(0x01);
    expect(flags('bitshuffle')).toBe(0x04);
    for (const s of ['noshuffle', 'shuffle', 'bitshuffle'] as const) {
      const v2 = zarrApi.BloscCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle: ['noshuffle', 'shuffle', 'bitshuffle'].indexOf(s), typesize: 8 });
      const v3 = zarrApi.BloscCodec.fromConfig({ cname: 'lz4', clevel: 5, shuffle: s, typesize: 8, blocksize: 0 });
      expect(bytesEqual(v2.encode(src), v3.encode(src))).toBe(true);
    }
  });

  it('typesize from every data type name zarrita or zarr may give', () => {
    const cases: Array<[string, number]> = [
      ['bool', 1], ['int8', 1], ['uint8', 1], ['int16', 2], ['uint16', 2], ['float16', 2], ['int32', 4], ['uint32', 4],
      ['float32', 4], ['int64', 8], ['uint64', 8], ['float64', 8], ['complex64', 8], ['complex128', 16],
      ['r8', 1], ['r16', 2], ['r64', 8], ['numpy.datetime64', 8], ['v2:U3', 12], ['v2:S7', 7],
      ['<f8', 8], ['>f4', 4], ['|b1', 1], ['|u1', 1], ['<i2', 2], ['>c16', 16], ['<c8', 8], ['<U10', 40], ['|S5', 5], ['<M8[ns]', 8], ['<m8[s]', 8],
    ];
    for (const [dataType, size] of cases) {
      expect(zarrApi.itemsizeOfDataType(dataType), dataType).toBe(size);
      expect(zarrApi.BloscCodec.fromConfig({}, { dataType }).resolved.typesize, dataType).toBe(size);
    }
    for (const dataType of ['string', 'v2:object', '|O', 'something']) {
      expect(zarrApi.BloscCodec.fromConfig({}, { dataType }).resolved.typesize, dataType).toBe(1);
    }
    // A declared typesize wins over the data type; above 255, c-blosc writes typesize 1.
    expect(zarrApi.BloscCodec.fromConfig({ typesize: 2 }, { dataType: 'float64' }).resolved.typesize).toBe(2);
    expect(zarrApi.BloscCodec.fromConfig({}, { dataType: 'v2:U100' }).resolved.typesize).toBe(1);
  });

  it('AUTOSHUFFLE is BITSHUFFLE for item size 1 and SHUFFLE otherwise', () => {
    expect(zarrApi.BloscCodec.fromConfig({ shuffle: -1 }, { dataType: 'uint8' }).resolved.shuffleName).toBe('bitshuffle');
    expect(zarrApi.BloscCodec.fromConfig({ shuffle: -1 }, { dataType: 'bool' }).resolved.shuffleName).toBe('bitshuffle');
    expect(zarrApi.BloscCodec.fromConfig({ shuffle: -1 }, { dataType: 'int16' }).resolved.shuffleName).toBe('shuffle');
    expect(zarrApi.BloscCodec.fromConfig({ shuffle: -1 }).resolved.shuffleName).toBe('bitshuffle');
    expect(zarrApi.BloscCodec.fromConfig({ shuffle: -1, typesize: 8 }).resolved.shuffleName).toBe('shuffle');
  });

  it('a bad config is a BloscError (InvalidParam) naming the field', () => {
    const bad: Array<[unknown, string]> = [
      [{ cname: 'brotli' }, 'cname'],
      [{ cname: 5 }, 'cname'],
      [{ clevel: 12 }, 'clevel'],
      [{ clevel: 2.5 }, 'clevel'],
      [{ clevel: -1 }, 'clevel'],
      [{ shuffle: 7 }, 'shuffle'],
      [{ shuffle: 'byteshuffle' }, 'shuffle'],
      [{ typesize: 0 }, 'typesize'],
      [{ typesize: -3 }, 'typesize'],
      [{ blocksize: -1 }, 'blocksize'],
      [{ id: 'zstd' }, 'id'],
      ['lz4', 'config'],
    ];
    for (const [config, field] of bad) {
      let error: unknown;
      try {
        zarrApi.BloscCodec.fromConfig(config as never);
      } catch (e) {
        error = e;
      }
      expect(core.isBloscError(error, core.BloscErrorCode.InvalidParam), JSON.stringify(config)).toBe(true);
      expect((error as Error).message).toContain(field);
      expect(() => zarrApi.BloscWorkerCodec.fromConfig(config as never)).toThrow(core.BloscError);
    }
  });
});

describe('chunks', () => {
  it('writes Blosc1 chunks at the typesize of the data type, and decodes into out', () => {
    const src = smooth(10_000);
    const codec = zarrApi.BloscCodec.fromConfig({ cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 }, { dataType: 'float64' });
    const chunk = codec.encode(bytes(src));
    const info = core.chunkInfo(chunk);
    expect(info.version).toBe(2);
    expect(info.typesize).toBe(8);
    expect(info.nbytes).toBe(src.byteLength);
    expect(bytesEqual(chunk, core.compress(bytes(src), { format: 'blosc1', codec: 'zstd', clevel: 5, shuffle: 'shuffle', typesize: 8 }))).toBe(true);
    expect(bytesEqual(codec.decode(chunk), bytes(src))).toBe(true);
    const out = new Uint8Array(src.byteLength + 16);
    const into = codec.decode(chunk, out);
    expect(into.buffer).toBe(out.buffer);
    expect(bytesEqual(into, bytes(src))).toBe(true);
  });

  it('decodes Blosc2 chunks too', () => {
    const src = bytes(smooth(5000));
    const blosc2 = core.compress(src, { format: 'blosc2', codec: 'lz4', filters: [core.FilterId.Delta, core.FilterId.Shuffle], typesize: 8 });
    expect(bytesEqual(zarrApi.BloscCodec.fromConfig({}).decode(blosc2), src)).toBe(true);
  });

  it('a damaged chunk is a BloscError', () => {
    const chunk = zarrApi.BloscCodec.fromConfig({}, { dataType: 'float64' }).encode(bytes(smooth(4000)));
    const cut = chunk.subarray(0, chunk.length - 40);
    expect(() => zarrApi.BloscCodec.fromConfig({}).decode(cut)).toThrow(core.BloscError);
  });
});

describe('reused outputs of the synchronous codec (reuseOutputs, the default where shared memory exists)', () => {
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  // Collect, then let the FinalizationRegistry's callbacks (a later task) run.
  const collectAndSettle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      collect();
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const frame = (k: number, n: number): Uint8Array => {
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = Math.round(Math.sin((i + k * 37) / 70) * 1e4) / 8 + k;
    return bytes(f);
  };

  it('decodes every kind of chunk to the bytes of decompress(), in shared memory from 64 KiB on', () => {
    const n = 40_000; // 320 KB
    const src = frame(1, n);
    const noise = new Uint8Array(200_000).map((_, i) => (Math.imul(i, 2654435761) >>> 13) & 255);
    const chunks: Array<[string, Uint8Array]> = [
      ['blosc1 lz4 shuffle', core.compress(src, { format: 'blosc1', codec: 'lz4', typesize: 8 })],
      ['blosc1 zstd bitshuffle', core.compress(src, { format: 'blosc1', codec: 'zstd', shuffle: 'bitshuffle', typesize: 8 })],
      ['blosc2 blosclz delta+shuffle', core.compress(src, { format: 'blosc2', codec: 'blosclz', filters: [core.FilterId.Delta, core.FilterId.Shuffle], typesize: 8 })],
      ['blosc1 stored (clevel 0)', core.compress(noise, { format: 'blosc1', codec: 'lz4', clevel: 0, typesize: 1 })],
      ['blosc2 zeros', core.compressZeros(320_000, { typesize: 8 })],
      ['blosc2 NaNs', core.compressNaNs(320_000, { typesize: 8 })],
      ['small (below 64 KiB)', core.compress(frame(2, 4000), { format: 'blosc1', codec: 'lz4', typesize: 8 })],
    ];
    const codec = zarrApi.BloscCodec.fromConfig({ cname: 'lz4' }, { dataType: 'float64' });
    const fresh = zarrApi.BloscCodec.fromConfig({ cname: 'lz4' }, { dataType: 'float64' }, { reuseOutputs: false });
    for (const [name, chunk] of chunks) {
      const expected = core.decompress(chunk);
      const lent = codec.decode(chunk);
      expect(bytesEqual(lent, expected), name).toBe(true);
      expect(lent.buffer instanceof SharedArrayBuffer, name).toBe(expected.length >= 65536);
      const plain = fresh.decode(chunk);
      expect(bytesEqual(plain, expected), name).toBe(true);
      expect(plain.buffer).toBeInstanceOf(ArrayBuffer);
    }
  });

  it('a held chunk is never written again; a collected one is lent again', async () => {
    const codec = zarrApi.BloscCodec.fromConfig({ cname: 'zstd', clevel: 3, shuffle: 1 }, { dataType: 'float64' });
    const inputs = Array.from({ length: 8 }, (_, k) => frame(k, 30_000));
    const chunks = inputs.map((x) => codec.encode(x));
    await collectAndSettle();
    const idleBefore = memoryModule.idleOutputCount();

    const held = chunks.slice(0, 4).map((c) => codec.decode(c));
    for (let round = 0; round < 3; round++) {
      await collectAndSettle();
      chunks.slice(4).forEach((c, k) => expect(bytesEqual(codec.decode(c), inputs[4 + k]!)).toBe(true));
    }
    held.forEach((d, k) => {
      expect(d.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(bytesEqual(d, inputs[k]!), `held chunk ${k}`).toBe(true);
    });

    held.length = 0;
    await collectAndSettle();
    const idle = memoryModule.idleOutputCount();
    expect(idle).toBeGreaterThanOrEqual(idleBefore + 4);
    const again = chunks.slice(0, 4).map((c) => codec.decode(c));
    expect(memoryModule.idleOutputCount()).toBe(idle - 4);
    again.forEach((d, k) => expect(bytesEqual(d, inputs[k]!)).toBe(true));
  });

  it('a failing chunk gives its output back, and a header promising more than its bytes can hold takes none', async () => {
    const codec = zarrApi.BloscCodec.fromConfig({ cname: 'lz4' }, { dataType: 'float64' });
    const chunk = codec.encode(frame(3, 30_000));
    codec.decode(chunk);
    await collectAndSettle();
    const idle = memoryModule.idleOutputCount();
    expect(idle).toBeGreaterThan(0);
    // A damaged stream: the decode fails after the output was taken.
    const damaged = chunk.slice();
    damaged.fill(0xff, 40, 200);
    expect(() => codec.decode(damaged)).toThrow(core.BloscError);
    expect(memoryModule.idleOutputCount()).toBe(idle);
    // nbytes raised to 1.5 GB: refused before any memory is taken.
    const liar = chunk.slice();
    new DataView(liar.buffer).setUint32(4, 1_500_000_000, true);
    expect(() => codec.decode(liar)).toThrow(core.BloscError);
    expect(memoryModule.idleOutputCount()).toBe(idle);
  });

  it('without shared memory (a page that is not cross-origin isolated) each chunk is a fresh plain buffer', () => {
    const codec = zarrApi.BloscCodec.fromConfig({ cname: 'lz4' }, { dataType: 'float64' });
    const src = frame(4, 30_000);
    const chunk = codec.encode(src);
    memoryModule.setSharedMemoryEnabled(false);
    try {
      const d = codec.decode(chunk);
      expect(d.buffer).toBeInstanceOf(ArrayBuffer);
      expect(bytesEqual(d, src)).toBe(true);
    } finally {
      memoryModule.setSharedMemoryEnabled(true);
    }
  });
});

/** Chunk files of a fixture store (v2 keys like "0.1", v3 under c/), shards excluded. */
function chunkFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.startsWith('.') && name !== 'zarr.json') found.push(p);
    }
  };
  walk(dir);
  return found;
}

describe('fixture chunks written by zarr-python (numcodecs c-blosc 1.21.7)', () => {
  const manifest = loadZarrManifest();
  const plain = manifest.arrays.filter((a) => !a.shards);

  it('the fixtures cover every shuffle, both shapes, sharded and big-endian arrays and the asked dtypes', () => {
    const v2 = manifest.arrays.filter((a) => a.zarr_format === 2);
    expect(new Set(v2.map((a) => a.config!.shuffle))).toEqual(new Set([0, 1, 2, -1]));
    const v3Shuffles = new Set(manifest.arrays.flatMap((a) => JSON.stringify(a.codecs ?? []).match(/"(noshuffle|shuffle|bitshuffle)"/g) ?? []));
    expect(v3Shuffles.size).toBe(3);
    expect(manifest.arrays.some((a) => a.zarr_format === 3 && a.typesize_in_config === false)).toBe(true);
    expect(manifest.arrays.some((a) => a.shards)).toBe(true);
    expect(manifest.arrays.filter((a) => a.dtype.startsWith('>') || a.big_endian).length).toBeGreaterThanOrEqual(2);
    const dtypes = new Set(manifest.arrays.map((a) => a.dtype.slice(1)));
    for (const d of ['f4', 'f8', 'i2', 'u1', 'b1', 'i8', 'u4']) expect(dtypes.has(d), d).toBe(true);
  });

  for (const fixture of plain) {
    it(`${fixture.path}: every chunk decodes and re-encodes to zarr-python's bytes`, () => {
      const config = fixture.zarr_format === 2 ? fixture.config! : fixture.codecs!.find((c) => c.name === 'blosc')!.configuration!;
      // v2: numpy's dtype string as the data type; v3: the zarr.json name.
      const dataType = fixture.zarr_format === 2 ? fixture.dtype : (JSON.parse(readFileSync(join(ZARR_FIXTURES, fixture.path, 'zarr.json'), 'utf8')) as { data_type: string }).data_type;
      const codec = zarrApi.BloscCodec.fromConfig(config as never, { dataType });
      const files = chunkFiles(join(ZARR_FIXTURES, fixture.path));
      expect(files.length).toBeGreaterThan(1);
      const chunkBytes = fixture.chunks.reduce((a, b) => a * b, 1) * Number(fixture.dtype.slice(2));
      for (const file of files) {
        const chunk = new Uint8Array(readFileSync(file));
        const decoded = codec.decode(chunk);
        expect(decoded.length).toBe(chunkBytes);
        expect(bytesEqual(codec.encode(decoded), chunk), file).toBe(true);
      }
    });
  }
});
