/** The encoder: options validation and round trips through our own decoder. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BloscError, BloscErrorCode, chunkInfo, compress, compressNaNs, compressRepeatValue, compressUninit, compressZeros,
  decompress, getItems, type CompressOptions,
} from '../../src/index.js';
import { firstDifference, mulberry32, mulberry32Uint32, seededBytes } from '../helpers.js';
import { OUTPUT_SCRATCH } from '../../src/chunk/compress.js';

function expectParamError(fn: () => unknown, mentions: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BloscError);
  expect((caught as BloscError).code).toBe(BloscErrorCode.InvalidParam);
  expect((caught as BloscError).message).toMatch(mentions);
}

describe('invalid options name the option', () => {
  const data = new Uint8Array(1000);
  it.each<[CompressOptions, RegExp]>([
    [{ clevel: 10 }, /clevel/],
    [{ clevel: -1 }, /clevel/],
    [{ typesize: 0 }, /typesize/],
    [{ typesize: 256 }, /typesize/],
    [{ codec: 'nope' as never }, /codec/],
    [{ codec: 77 }, /codec/],
    [{ filters: [1, 1, 1, 1, 1, 1, 1] }, /filters/],
    [{ shuffle: 'sideways' as never }, /shuffle/],
    [{ splitmode: 'sometimes' as never }, /split/],
    [{ format: 'blosc3' as never }, /format/],
    [{ blocksize: -5 }, /blocksize/],
    [{ codec: 'snappy', format: 'blosc2' }, /snappy/],
  ])('%j', (options, mentions) => expectParamError(() => compress(data, options), mentions));
});

const codecsBlosc1 = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd', 'snappy'] as const;
const codecsBlosc2 = ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd'] as const;

/** Data with structure (so codecs find matches) and noise, in a few shapes. */
const dataArb = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 3000 }),
  fc.record({ n: fc.integer({ min: 0, max: 70_000 }), step: fc.integer({ min: 0, max: 9 }), noise: fc.integer({ min: 0, max: 3 }), seed: fc.nat() })
    .map(({ n, step, noise, seed }) => {
      const a = new Uint8Array(n);
      const next = mulberry32Uint32(seed);
      for (let i = 0; i < n; i++) {
        a[i] = ((i * step) >> 3) + (noise > 0 ? (next() >>> 24) % (noise + 1) : 0);
      }
      return a;
    }),
);

const optionsArb: fc.Arbitrary<CompressOptions> = fc.oneof(
  fc.record({
    format: fc.constant('blosc1' as const),
    codec: fc.constantFrom(...codecsBlosc1),
    clevel: fc.integer({ min: 0, max: 9 }),
    typesize: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 255 })),
    shuffle: fc.constantFrom('noshuffle' as const, 'shuffle' as const, 'bitshuffle' as const),
    splitmode: fc.constantFrom('forward-compat' as const, 'auto' as const, 'never' as const),
    blocksize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
  }),
  fc.record({
    format: fc.constant('blosc2' as const),
    codec: fc.constantFrom(...codecsBlosc2),
    clevel: fc.integer({ min: 0, max: 9 }),
    typesize: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 255 })),
    filters: fc.constantFrom([1], [2], [], [3, 1], [1, 35], [3], [2, 3]),
    splitmode: fc.constantFrom('forward-compat' as const, 'auto' as const, 'never' as const, 'always' as const),
    blocksize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40_000 })),
  }),
);

/** Codecs whose encoder exists in this build (the others raise CodecSupport). */
function encodable(options: CompressOptions): boolean {
  try {
    // Varied bytes, so no stream is a run and the codec itself must encode.
    compress(Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 27), { ...options, clevel: 5 });
    return true;
  } catch (e) {
    if (e instanceof BloscError && e.code === BloscErrorCode.CodecSupport) return false;
    throw e;
  }
}

describe('inputs past the chunk size limit', () => {
  it('raise MaxBufsizeExceeded pointing to super-chunks, before any work', () => {
    // One byte past c-blosc 1.x's BLOSC_MAX_BUFFERSIZE (INT_MAX - 16).
    const big = new Uint8Array(2_147_483_632);
    let caught: unknown;
    try {
      compress(big, { format: 'blosc1', codec: 'lz4' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BloscError);
    expect((caught as BloscError).code).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect((caught as BloscError).message).toMatch(/frame/);
    expect(() => compress(big, { format: 'blosc2', codec: 'lz4' })).toThrowError(/frame/);
  });
});

describe('round trips', () => {
  it('compress then decompress gives the input back, for every codec, pipeline and size', () => {
    fc.assert(
      fc.property(dataArb, optionsArb, (data, options) => {
        if (options.splitmode === 'always' && options.format === 'blosc2') {
          // ALWAYS with blocks that are not a multiple of typesize is broken in C too.
          fc.pre(data.length % (options.typesize ?? 1) === 0 && (options.blocksize ?? 0) % (options.typesize ?? 1) === 0);
        }
        if (!encodable(options)) return;
        const chunk = compress(data, options);
        const info = chunkInfo(chunk);
        expect(info.nbytes).toBe(data.length);
        expect(info.cbytes).toBe(chunk.length);
        expect(chunk.length).toBeLessThanOrEqual(data.length + (options.format === 'blosc1' ? 16 : 32));
        expect(firstDifference(decompress(chunk), data)).toBe('equal');
        const ts = info.typesize;
        const n = Math.floor(data.length / ts);
        if (n > 1) expect(firstDifference(getItems(chunk, 1, n - 1), data.subarray(ts, n * ts))).toBe('equal');
      }),
      { numRuns: 400, seed: 1234 },
    );
  });

  it('an all-zero Blosc2 input collapses to a 32-byte zeros chunk', () => {
    const chunk = compress(new Uint8Array(100_000), { format: 'blosc2', codec: 'lz4', typesize: 4 });
    expect(chunk.length).toBe(32);
    expect(chunkInfo(chunk).special).toBe('zeros');
    expect(firstDifference(decompress(chunk), new Uint8Array(100_000))).toBe('equal');
  });

  it('incompressible data is stored (memcpyed) within nbytes + header', () => {
    const data = new Uint8Array(50_000);
    data.set(seededBytes(data.length, 1));
    for (const format of ['blosc1', 'blosc2'] as const) {
      const chunk = compress(data, { format, codec: 'blosclz', typesize: 1, clevel: 9 });
      expect(chunkInfo(chunk).memcpyed).toBe(true);
      expect(chunk.length).toBe(data.length + (format === 'blosc1' ? 16 : 32));
      expect(firstDifference(decompress(chunk), data)).toBe('equal');
    }
  });
});

describe('a requested blocksize above nbytes that typesize does not divide', () => {
  // c-blosc2 lays such a chunk out with the blocksize rounded down to a multiple of typesize,
  // but writes the unrounded value into its header; a decoder that trusts the header then
  // splits one 474-byte block into 8 streams of 59 bytes and loses the last 2. We write the
  // blocksize the layout uses, so the header and the streams agree.
  it('writes the layout\'s blocksize into the header and round-trips every byte', () => {
    const data = new Uint8Array(474);
    for (let i = 0; i < data.length; i++) data[i] = i % 8 === 0 ? i >> 3 : 0;
    const chunk = compress(data, {
      codec: 'zstd', clevel: 4, typesize: 8, blocksize: 70264, splitmode: 'forward-compat',
      filters: [0, 0, 0, 0, 0, 1], filtersMeta: [0, 0, 0, 0, 0, 7],
    });
    const info = chunkInfo(chunk);
    expect(info.memcpyed).toBe(false);
    expect(info.split).toBe(true);
    expect(info.blocksize % 8).toBe(0);
    expect(info.blocksize).toBe(472);
    expect(firstDifference(decompress(chunk), data)).toBe('equal');
  });
});

describe('special-value chunk writers', () => {
  it('zeros, NaN, uninit and a repeated value decode as they say', () => {
    expect(decompress(compressZeros(4000, { typesize: 4 }))).toEqual(new Uint8Array(4000));
    const nan = new Float64Array(decompress(compressNaNs(800, { typesize: 8 })).buffer);
    expect(nan.length).toBe(100);
    expect(nan.every(Number.isNaN)).toBe(true);
    expect(decompress(compressUninit(64, { typesize: 8 }))).toEqual(new Uint8Array(64));
    const value = Float32Array.of(3.25);
    const rep = new Float32Array(decompress(compressRepeatValue(4 * 1000, value)).buffer);
    expect(rep.every((v) => v === 3.25)).toBe(true);
    expect(() => compressNaNs(30, { typesize: 3 })).toThrowError(BloscError);
    expect(() => compressZeros(30, { typesize: 4 })).toThrowError(BloscError);
  });
});

describe('the output of compress without out (a buffer that grows with the chunk)', () => {
  /** `n` 32-bit words, the first `noisy` of every 1024 uniform, the rest below 16: compressibility varies along the data. */
  const words = (n: number, seed: number, noisy: number): Uint8Array => {
    const rand = mulberry32(seed);
    const a = new Uint32Array(n);
    for (let i = 0; i < n; i++) a[i] = (i & 1023) < noisy ? Math.floor(rand() * 2 ** 32) : Math.floor(rand() * 16);
    return new Uint8Array(a.buffer);
  };

  it('writes the bytes it writes into a caller\'s out, for chunks that compress well, badly, unevenly or not at all', () => {
    // 3 MiB: past OUTPUT_SCRATCH unless they compress well, so the chunk moves out of the scratch.
    const n = 3 * OUTPUT_SCRATCH / 4;
    const inputs = [words(n, 1, 0), words(n, 2, 1024), words(n, 3, 700), words(n, 4, 100)];
    // Compressible first half, noise after it: the projection from the first blocks falls short.
    const uneven = words(n, 5, 0);
    uneven.set(words(n / 2, 6, 1024), 2 * n);
    inputs.push(uneven);
    for (const data of inputs) {
      for (const format of ['blosc1', 'blosc2'] as const) {
        for (const codec of ['lz4', 'blosclz'] as const) {
          const options: CompressOptions = { codec, clevel: 5, typesize: 4, format, blocksize: 65536 };
          const chunk = compress(data, options);
          const out = new Uint8Array(data.length + 32).fill(0xa5);
          expect(firstDifference(chunk, compress(data, options, out))).toBe('equal');
          expect(firstDifference(decompress(chunk), data)).toBe('equal');
          // A chunk is never a small view of a much larger buffer.
          expect(chunk.buffer.byteLength).toBeLessThan(2 * chunk.byteLength + 1);
        }
      }
    }
  });

  it('asks for room stream by stream: blocks larger than the scratch, outgrowing it inside a block', () => {
    // 3 MiB in 2 MiB blocks of four 512 KiB streams (no shuffle, so streams are contiguous
    // data): compressible for 1.5 MiB, noise after it, so the chunk stays in the scratch
    // through block 0's first three streams and moves out at its fourth.
    const n = 3 * OUTPUT_SCRATCH / 4;
    const uneven = words(n, 11, 0);
    uneven.set(words(3 * n / 8, 12, 1024), 3 * n / 2);
    const compressible = words(n, 13, 0);
    for (const data of [uneven, compressible]) {
      for (const format of ['blosc1', 'blosc2'] as const) {
        for (const codec of ['lz4', 'blosclz'] as const) {
          const options: CompressOptions = { codec, clevel: 5, typesize: 4, shuffle: 'noshuffle', format, blocksize: 2 * OUTPUT_SCRATCH };
          const chunk = compress(data, options);
          expect(firstDifference(chunk, compress(data, options, new Uint8Array(data.length + 32)))).toBe('equal');
          expect(firstDifference(decompress(chunk), data)).toBe('equal');
          expect(chunk.buffer.byteLength).toBeLessThan(2 * chunk.byteLength + 1);
        }
      }
    }
  });

  it('stored chunks (clevel 0, or data that does not compress) and dictionary chunks come out whole too', () => {
    const noise = words(1 << 14, 7, 1024);
    for (const options of [{ clevel: 0 }, { codec: 'lz4' as const, typesize: 1 }, { codec: 'blosclz' as const, format: 'blosc1' as const }]) {
      const chunk = compress(noise, options);
      expect(chunk.byteLength).toBe(noise.length + (options.format === 'blosc1' ? 16 : 32));
      expect(firstDifference(decompress(chunk), noise)).toBe('equal');
    }
    const data = words(1 << 16, 8, 10);
    for (const codec of ['lz4', 'zstd'] as const) {
      const options: CompressOptions = { codec, typesize: 4, useDict: true, blocksize: 16384 };
      const chunk = compress(data, options);
      expect(firstDifference(chunk, compress(data, options, new Uint8Array(data.length + 32)))).toBe('equal');
      expect(firstDifference(decompress(chunk), data)).toBe('equal');
    }
  });

  it('each chunk is its own buffer, untouched by later calls', () => {
    const a = words(1 << 14, 9, 0);
    const chunkA = compress(a, { typesize: 4 });
    const copyA = chunkA.slice();
    const chunkB = compress(words(1 << 14, 10, 0), { typesize: 4 });
    expect(chunkA.buffer).not.toBe(chunkB.buffer);
    expect(firstDifference(chunkA, copyA)).toBe('equal');
  });
});
