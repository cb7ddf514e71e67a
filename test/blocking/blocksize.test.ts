import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import {
  computeBlocksizeBlosc1,
  computeBlocksizeBlosc2,
  headerBlocksizeBlosc2,
  isHighRatioCodec,
} from '../../src/blocking/index.js';
import type { Blosc1BlocksizeParams, Blosc2BlocksizeParams, SplitmodeLike } from '../../src/blocking/index.js';

const CODEC = { blosclz: 0, lz4: 1, lz4hc: 2, snappy: 3, zlib: 4, zstd: 5 } as const;
type CodecName = keyof typeof CODEC;
const SHUFFLE_LAST = [0, 0, 0, 0, 0, 1];
const BITSHUFFLE_LAST = [0, 0, 0, 0, 0, 2];
const NO_FILTERS = [0, 0, 0, 0, 0, 0];
const CLEVELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function blosc1(over: Partial<Blosc1BlocksizeParams>): number {
  return computeBlocksizeBlosc1({ clevel: 5, typesize: 4, nbytes: 4_000_000, forcedBlocksize: 0, codec: 0, splitmode: 'forward-compat', ...over });
}

function blosc2(over: Partial<Blosc2BlocksizeParams>): number {
  return computeBlocksizeBlosc2({
    clevel: 5, typesize: 4, nbytes: 4_000_000, userBlocksize: 0, codec: 0, filters: SHUFFLE_LAST, splitmode: 'forward-compat', ...over,
  });
}

function thrownCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return isBloscError(e) ? e.code : undefined;
  }
  return undefined;
}

// Spec chunk-format.md §4.5: nbytes = 4 000 000, FORWARD_COMPAT, shuffle on, clevel 0..9.
// Derived by hand in the spec; every row was also confirmed against python-blosc 1.11.4
// and python-blosc2 4.14.1 (see live-c.test.ts for the running check).
describe('spec §4.5 worked values, c-blosc 1.21.x', () => {
  it.each<[CodecName, number, number[]]>([
    ['blosclz', 4, [8192, 65536, 131072, 262144, 524288, 524288, 1048576, 1048576, 1048576, 1048576]],
    ['lz4', 4, [8192, 65536, 131072, 262144, 524288, 524288, 1048576, 1048576, 1048576, 1048576]],
    ['blosclz', 8, [8192, 131072, 262144, 524288, 1048576, 1048576, 1048576, 1048576, 1048576, 1048576]],
    ['lz4', 8, [8192, 131072, 262144, 524288, 1048576, 1048576, 1048576, 1048576, 1048576, 1048576]],
    ['blosclz', 1, [8192, 65536, 65536, 65536, 131072, 131072, 262144, 262144, 262144, 262144]],
    ['blosclz', 32, [8192, 16384, 32768, 65536, 131072, 131072, 262144, 262144, 262144, 262144]],
    ['zstd', 1, [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['zstd', 4, [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['zstd', 32, [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['zlib', 4, [16384, 131072, 262144, 524288, 1048576, 1048576, 1048576, 1048576, 1048576, 1048576]],
    ['lz4hc', 4, [16384, 131072, 262144, 524288, 1048576, 1048576, 1048576, 1048576, 1048576, 1048576]],
  ])('%s, typesize %i', (codec, typesize, expected) => {
    expect(CLEVELS.map((clevel) => blosc1({ codec: CODEC[codec], typesize, clevel }))).toEqual(expected);
  });
});

describe('spec §4.5 worked values, c-blosc2 3.3.x', () => {
  it.each<[CodecName, number, string, number[]]>([
    ['blosclz', 4, 'shuffle', [8192, 131072, 131072, 131072, 262144, 262144, 262144, 524288, 1048576, 2097152]],
    ['lz4', 4, 'shuffle', [8192, 131072, 131072, 131072, 262144, 262144, 262144, 524288, 1048576, 2097152]],
    ['blosclz', 8, 'shuffle', [8192, 262144, 262144, 262144, 524288, 524288, 524288, 1048576, 2097152, 4000000]],
    ['lz4', 8, 'shuffle', [8192, 262144, 262144, 262144, 524288, 524288, 524288, 1048576, 2097152, 4000000]],
    ['zstd', 8, 'shuffle', [16384, 262144, 262144, 262144, 524288, 524288, 524288, 524288, 524288, 1048576]],
    ['zlib', 1, 'shuffle', [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['zlib', 8, 'shuffle', [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['lz4hc', 4, 'shuffle', [16384, 32768, 65536, 131072, 262144, 262144, 524288, 524288, 524288, 1048576]],
    ['blosclz', 4, 'none', [8192, 16384, 32768, 65536, 131072, 131072, 262144, 262144, 262144, 262144]],
    ['blosclz', 4, 'bitshuffle', [8192, 16384, 32768, 65536, 131072, 131072, 262144, 262144, 262144, 262144]],
  ])('%s, typesize %i, %s', (codec, typesize, filter, expected) => {
    const filters = filter === 'shuffle' ? SHUFFLE_LAST : filter === 'bitshuffle' ? BITSHUFFLE_LAST : NO_FILTERS;
    expect(CLEVELS.map((clevel) => blosc2({ codec: CODEC[codec], typesize, clevel, filters }))).toEqual(expected);
  });

  it('small inputs: below L1 the whole buffer, rounded down to typesize', () => {
    expect(blosc1({ nbytes: 20_000 })).toBe(20_000);
    expect(blosc2({ nbytes: 20_000 })).toBe(20_000);
    expect(blosc1({ nbytes: 100, typesize: 8 })).toBe(96);
    expect(blosc2({ nbytes: 30, typesize: 8 })).toBe(24);
  });
});

describe('computeBlocksizeBlosc1 (c-blosc compute_blocksize)', () => {
  it('enlarges a forced blocksize when the block will be split, keeps it otherwise (spec §4.1)', () => {
    expect(blosc1({ forcedBlocksize: 4096, typesize: 8, codec: CODEC.blosclz, nbytes: 1_000_000 })).toBe(65536);
    expect(blosc1({ forcedBlocksize: 4096, typesize: 8, codec: CODEC.zstd, nbytes: 1_000_000 })).toBe(4096);
  });

  it('raises a forced blocksize to 128 and caps it at BLOSC_MAX_BLOCKSIZE, then at nbytes', () => {
    expect(blosc1({ forcedBlocksize: 1, typesize: 4, codec: CODEC.zstd })).toBe(128);
    expect(blosc1({ forcedBlocksize: 127, typesize: 32, codec: CODEC.blosclz })).toBe(128);
    expect(blosc1({ forcedBlocksize: 2_000_000_000, typesize: 4, codec: CODEC.zstd, nbytes: 1_000_003 })).toBe(1_000_000);
  });

  it('ignores split enlargement at clevel 0', () => {
    expect(blosc1({ clevel: 0, forcedBlocksize: 4096, typesize: 8 })).toBe(4096);
  });

  it('returns 1 when nbytes < typesize, including nbytes 0', () => {
    expect(blosc1({ nbytes: 3, typesize: 4 })).toBe(1);
    expect(blosc1({ nbytes: 0, typesize: 1 })).toBe(1);
    expect(blosc1({ nbytes: 0, typesize: 1, forcedBlocksize: 4096 })).toBe(1);
  });

  it('treats a typesize above 255 as 1', () => {
    for (const clevel of CLEVELS) {
      expect(blosc1({ typesize: 300, clevel, nbytes: 100_000 })).toBe(blosc1({ typesize: 1, clevel, nbytes: 100_000 }));
    }
  });

  it('follows the split mode: NEVER keeps the plain ladder, ALWAYS enlarges even typesize 32', () => {
    expect(blosc1({ splitmode: 'never', typesize: 8, clevel: 9 })).toBe(262144);
    expect(blosc1({ splitmode: 'always', typesize: 32, clevel: 1 })).toBe(524288);
    expect(blosc1({ splitmode: 'auto', codec: CODEC.lz4, typesize: 8, clevel: 9 })).toBe(262144);
    expect(blosc1({ splitmode: 'auto', codec: CODEC.snappy, typesize: 8, clevel: 9 })).toBe(1048576);
  });
});

describe('computeBlocksizeBlosc2 (c-blosc2 blosc_stune_next_blocksize)', () => {
  it('takes a user blocksize as is: no 128 floor, no enlargement, only nbytes and typesize rounding', () => {
    expect(blosc2({ userBlocksize: 4096, typesize: 8 })).toBe(4096);
    expect(blosc2({ userBlocksize: 3, typesize: 1 })).toBe(3);
    expect(blosc2({ userBlocksize: 1001, typesize: 8 })).toBe(1000);
    expect(blosc2({ userBlocksize: 4096, typesize: 8, nbytes: 1003 })).toBe(1000);
  });

  it('runs on the uncapped typesize (measured: typesize 300 → multiples of 300)', () => {
    expect(blosc2({ typesize: 300, nbytes: 100_000, clevel: 5, codec: CODEC.blosclz })).toBe(99_900);
    expect(blosc2({ typesize: 300, nbytes: 2_000_000, clevel: 9, splitmode: 'always' })).toBe(1_999_800);
  });

  it('wraps typesize · split size like a C int32 (measured under ALWAYS)', () => {
    expect(blosc2({ typesize: 65_536, clevel: 1, nbytes: 200_000, splitmode: 'always' })).toBe(32768);
    expect(blosc2({ typesize: 65_536, clevel: 9, nbytes: 2_000_000, splitmode: 'always' })).toBe(32768);
    expect(blosc2({ typesize: 4096, clevel: 9, nbytes: 2_000_000, splitmode: 'always' })).toBe(32768);
    expect(blosc2({ typesize: 70_000, clevel: 1, nbytes: 2_000_000, splitmode: 'always' })).toBe(32768);
  });

  it('returns 1 when nbytes < typesize', () => {
    expect(blosc2({ nbytes: 50, typesize: 100 })).toBe(1);
    expect(blosc2({ nbytes: 3, typesize: 8, userBlocksize: 2 })).toBe(1);
    expect(blosc2({ nbytes: 0, typesize: 8 })).toBe(1);
  });

  it('splits only with SHUFFLE, for blosclz, lz4 and zstd up to clevel 5', () => {
    expect(blosc2({ codec: CODEC.zstd, clevel: 5, typesize: 8 })).toBe(524288);
    expect(blosc2({ codec: CODEC.zstd, clevel: 6, typesize: 8 })).toBe(524288); // ladder: 2·L1·8
    expect(blosc2({ codec: CODEC.zstd, clevel: 9, typesize: 8 })).toBe(1048576);
    expect(blosc2({ codec: 38, clevel: 9, typesize: 8 })).toBe(262144); // OpenZL: ladder, not HCR
    expect(blosc2({ codec: CODEC.blosclz, clevel: 9, typesize: 8, filters: [1, 0, 0, 0, 0, 0] })).toBe(4_000_000);
  });
});

describe('headerBlocksizeBlosc2 (c-blosc2 3.x blosc2_initialize_header_from_context)', () => {
  // Expected values measured with python-blosc2 4.14.1 (compress2, nthreads 1).
  it.each<[string, number, number, number, number]>([
    // label, nbytes, typesize, userBlocksize, header
    ['automatic', 4_000_000, 4, 0, 262144],
    ['request not a multiple of typesize', 100_000, 8, 1001, 1001],
    ['request above an nbytes that is not a multiple of typesize', 1003, 8, 4096, 1003],
    ['request above an nbytes that is a multiple of typesize', 1000, 8, 4096, 1000],
    ['empty chunk keeps the request', 0, 8, 4096, 4096],
    ['empty chunk, automatic', 0, 8, 0, 1],
    ['nbytes below typesize', 3, 8, 2, 2],
  ])('%s', (_label, nbytes, typesize, userBlocksize, header) => {
    const blocksize = blosc2({ nbytes, typesize, userBlocksize });
    expect(headerBlocksizeBlosc2({ nbytes, userBlocksize, blocksize })).toBe(header);
  });

  it('equals the computed blocksize whenever nothing was requested', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 24 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 9 }), (nbytes, typesize, clevel) => {
        const blocksize = blosc2({ nbytes, typesize, clevel });
        return headerBlocksizeBlosc2({ nbytes, userBlocksize: 0, blocksize }) === blocksize;
      }),
    );
  });
});

describe('invariants over random parameters', () => {
  const modes: SplitmodeLike[] = ['always', 'never', 'auto', 'forward-compat', 1, 2, 3, 4];
  const common = {
    clevel: fc.integer({ min: 0, max: 9 }),
    typesize: fc.oneof(fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 1000 })),
    nbytes: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 1 << 27 })),
    blocksize: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 22 })),
    codec: fc.constantFrom(0, 1, 2, 3, 4, 5),
    splitmode: fc.constantFrom(...modes),
  };

  it('c-blosc 1.x: within [1, max(nbytes, 1)], a multiple of typesize when larger than it', () => {
    fc.assert(
      fc.property(fc.record(common), (r) => {
        const bs = computeBlocksizeBlosc1({ ...r, forcedBlocksize: r.blocksize });
        const typesize = r.typesize > 255 ? 1 : r.typesize;
        expect(bs).toBeGreaterThanOrEqual(1);
        expect(bs).toBeLessThanOrEqual(Math.max(r.nbytes, 1));
        if (bs > typesize) expect(bs % typesize).toBe(0);
      }),
    );
  });

  it('c-blosc2: within [1, max(nbytes, 1)], a multiple of typesize when larger than it', () => {
    fc.assert(
      fc.property(fc.record({ ...common, codec: fc.constantFrom(0, 1, 2, 4, 5, 38, 160) }), fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: 6, maxLength: 6 }), (r, filters) => {
        const bs = computeBlocksizeBlosc2({ ...r, userBlocksize: r.blocksize, filters });
        expect(bs).toBeGreaterThanOrEqual(1);
        expect(bs).toBeLessThanOrEqual(Math.max(r.nbytes, 1));
        if (bs > r.typesize) expect(bs % r.typesize).toBe(0);
      }),
    );
  });
});

describe('isHighRatioCodec', () => {
  it('is true for lz4hc, zlib and zstd only', () => {
    expect([0, 1, 2, 3, 4, 5, 32, 38, 160].filter(isHighRatioCodec)).toEqual([2, 4, 5]);
  });
});

describe('bad arguments raise BloscError with a code', () => {
  it.each<[string, () => unknown, number]>([
    ['clevel 10', () => blosc1({ clevel: 10 }), BloscErrorCode.CodecParam],
    ['clevel -1 (Blosc2)', () => blosc2({ clevel: -1 }), BloscErrorCode.CodecParam],
    ['clevel 2.5', () => blosc1({ clevel: 2.5 }), BloscErrorCode.CodecParam],
    ['typesize 0', () => blosc1({ typesize: 0 }), BloscErrorCode.InvalidParam],
    ['typesize 0 (Blosc2)', () => blosc2({ typesize: 0 }), BloscErrorCode.InvalidParam],
    ['typesize above BLOSC2_MAXTYPESIZE', () => blosc2({ typesize: 536_866_817 }), BloscErrorCode.InvalidParam],
    ['typesize NaN', () => blosc2({ typesize: Number.NaN }), BloscErrorCode.InvalidParam],
    ['nbytes -1', () => blosc1({ nbytes: -1 }), BloscErrorCode.MaxBufsizeExceeded],
    ['nbytes above INT_MAX-16', () => blosc1({ nbytes: 2 ** 31 - 16 }), BloscErrorCode.MaxBufsizeExceeded],
    ['nbytes above INT_MAX-32 (Blosc2)', () => blosc2({ nbytes: 2 ** 31 - 32 }), BloscErrorCode.MaxBufsizeExceeded],
    ['forced blocksize -1', () => blosc1({ forcedBlocksize: -1 }), BloscErrorCode.InvalidParam],
    ['user blocksize -5', () => blosc2({ userBlocksize: -5 }), BloscErrorCode.InvalidParam],
    ['user blocksize 2^31', () => blosc2({ userBlocksize: 2 ** 31 }), BloscErrorCode.InvalidParam],
    ['Blosc1 codec 6', () => blosc1({ codec: 6 }), BloscErrorCode.CodecSupport],
    ['Blosc2 codec 256', () => blosc2({ codec: 256 }), BloscErrorCode.CodecSupport],
    ['split mode 5', () => blosc1({ splitmode: 5 as SplitmodeLike }), BloscErrorCode.InvalidParam],
    ['split mode "sometimes"', () => blosc2({ splitmode: 'sometimes' as SplitmodeLike }), BloscErrorCode.InvalidParam],
    ['header blocksize 0', () => headerBlocksizeBlosc2({ nbytes: 10, userBlocksize: 0, blocksize: 0 }), BloscErrorCode.InvalidParam],
  ])('%s', (_label, fn, code) => {
    expect(thrownCode(fn)).toBe(code);
  });
});
