import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import {
  SPLITMODE_NAMES,
  Splitmode,
  hasShuffleFilter,
  splitBlockBlosc1,
  splitBlockBlosc2,
  splitmodeName,
  toSplitmode,
} from '../../src/blocking/index.js';
import type { SplitmodeLike, SplitmodeName } from '../../src/blocking/index.js';

const BLOSCLZ = 0;
const LZ4 = 1;
const LZ4HC = 2;
const SNAPPY = 3;
const ZLIB = 4;
const ZSTD = 5;
const OPENZL = 38;
const SHUFFLE_LAST = [0, 0, 0, 0, 0, 1];

function thrownCode(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return isBloscError(e) ? e.code : undefined;
  }
  return undefined;
}

describe('Splitmode', () => {
  it('numbers the modes as blosc2.h BLOSC_*_SPLIT', () => {
    expect(Splitmode).toEqual({ ALWAYS: 1, NEVER: 2, AUTO: 3, FORWARD_COMPAT: 4 });
  });

  it('maps names and numbers both ways', () => {
    expect(SPLITMODE_NAMES).toEqual(['always', 'never', 'auto', 'forward-compat']);
    expect(toSplitmode('forward-compat')).toBe(4);
    expect(toSplitmode('always')).toBe(1);
    expect(toSplitmode(3)).toBe(3);
    expect(splitmodeName(Splitmode.NEVER)).toBe('never');
    for (const name of SPLITMODE_NAMES) expect(splitmodeName(toSplitmode(name))).toBe(name);
  });

  it.each<unknown>([0, 5, -1, 1.5, 'ALWAYS', 'forward_compat', '', null])('rejects %s', (mode) => {
    expect(thrownCode(() => toSplitmode(mode as SplitmodeLike))).toBe(BloscErrorCode.InvalidParam);
  });
});

describe('splitBlockBlosc1 (c-blosc 1.21.x split_block)', () => {
  it.each<[SplitmodeName, number, number, number, boolean]>([
    // mode, codec, typesize, blocksize, split?
    ['forward-compat', BLOSCLZ, 4, 512, true], // 128 elements
    ['forward-compat', BLOSCLZ, 4, 511, false], // 127
    ['forward-compat', LZ4, 16, 2048, true],
    ['forward-compat', LZ4, 17, 1 << 20, false], // typesize > 16
    ['forward-compat', LZ4HC, 8, 1 << 20, true],
    ['forward-compat', ZLIB, 8, 1 << 20, true],
    ['forward-compat', SNAPPY, 8, 1 << 20, true],
    ['forward-compat', ZSTD, 8, 1 << 20, false], // zstd never splits here
    ['forward-compat', BLOSCLZ, 1, 128, true],
    ['auto', BLOSCLZ, 8, 1 << 20, true],
    ['auto', SNAPPY, 8, 1 << 20, true],
    ['auto', LZ4, 8, 1 << 20, false],
    ['auto', ZLIB, 8, 1 << 20, false],
    ['auto', BLOSCLZ, 8, 1016, false], // 127 elements
    ['always', ZSTD, 255, 1, true],
    ['never', BLOSCLZ, 4, 1 << 20, false],
  ])('%s, codec %i, typesize %i, blocksize %i → %s', (mode, codec, typesize, blocksize, expected) => {
    expect(splitBlockBlosc1(mode, codec, typesize, blocksize)).toBe(expected);
  });

  it('accepts the mode as a number as well as a name', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPLITMODE_NAMES), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1 << 20 }), (name, codec, ts, bs) => {
        return splitBlockBlosc1(name, codec, ts, bs) === splitBlockBlosc1(toSplitmode(name), codec, ts, bs);
      }),
    );
  });
});

describe('splitBlockBlosc2 (c-blosc2 stune.c split_block)', () => {
  it.each<[SplitmodeName, number, number, number, number, number[], boolean]>([
    // mode, codec, clevel, typesize, blocksize, filters, split?
    ['forward-compat', BLOSCLZ, 5, 4, 128, SHUFFLE_LAST, true], // 32 elements
    ['forward-compat', BLOSCLZ, 5, 4, 127, SHUFFLE_LAST, false], // 31
    ['forward-compat', LZ4, 9, 16, 1 << 20, SHUFFLE_LAST, true],
    ['forward-compat', LZ4, 9, 17, 1 << 20, SHUFFLE_LAST, false],
    ['forward-compat', ZSTD, 5, 8, 1 << 20, SHUFFLE_LAST, true],
    ['forward-compat', ZSTD, 6, 8, 1 << 20, SHUFFLE_LAST, false],
    ['forward-compat', LZ4HC, 1, 8, 1 << 20, SHUFFLE_LAST, false],
    ['forward-compat', ZLIB, 1, 8, 1 << 20, SHUFFLE_LAST, false],
    ['forward-compat', BLOSCLZ, 5, 8, 1 << 20, [0, 0, 0, 0, 0, 0], false], // no shuffle
    ['forward-compat', BLOSCLZ, 5, 8, 1 << 20, [0, 0, 0, 0, 0, 2], false], // bitshuffle only
    ['forward-compat', BLOSCLZ, 5, 8, 1 << 20, [1, 0, 0, 0, 0, 0], true], // shuffle in any slot
    ['forward-compat', BLOSCLZ, 5, 8, 1 << 20, [0, 0, 0, 0, 3, 1], true], // delta + shuffle
    ['forward-compat', 160, 5, 8, 1 << 20, SHUFFLE_LAST, false], // user codec
    ['auto', OPENZL, 5, 8, 1 << 20, SHUFFLE_LAST, false],
    ['always', OPENZL, 5, 8, 1 << 20, SHUFFLE_LAST, true], // ALWAYS wins over OpenZL
    ['always', ZLIB, 9, 255, 1, [0, 0, 0, 0, 0, 0], true],
    ['never', BLOSCLZ, 5, 4, 1 << 20, SHUFFLE_LAST, false],
  ])('%s, codec %i, clevel %i, typesize %i, blocksize %i, filters %j → %s', (mode, codec, clevel, typesize, blocksize, filters, expected) => {
    expect(splitBlockBlosc2(mode, codec, clevel, typesize, blocksize, filters)).toBe(expected);
  });

  it('treats AUTO and FORWARD_COMPAT identically', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 2, 4, 5, 38, 160),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1 << 22 }),
        fc.array(fc.constantFrom(0, 1, 2, 3, 4), { minLength: 6, maxLength: 6 }),
        (codec, clevel, ts, bs, filters) =>
          splitBlockBlosc2('auto', codec, clevel, ts, bs, filters) === splitBlockBlosc2('forward-compat', codec, clevel, ts, bs, filters),
      ),
    );
  });

  it('reads filters from a header byte view too', () => {
    const header = new Uint8Array(32);
    header[16 + 5] = 1;
    expect(hasShuffleFilter(header.subarray(16, 22))).toBe(true);
    expect(hasShuffleFilter(new Uint8Array(6))).toBe(false);
    expect(splitBlockBlosc2(4, LZ4, 5, 4, 1 << 16, header.subarray(16, 22))).toBe(true);
  });
});

describe('bad arguments raise BloscError', () => {
  it.each<[string, () => unknown, number]>([
    ['typesize 0', () => splitBlockBlosc1(4, 0, 0, 1024), BloscErrorCode.InvalidParam],
    ['negative blocksize', () => splitBlockBlosc2(4, 0, 5, 4, -1, SHUFFLE_LAST), BloscErrorCode.InvalidParam],
    ['codec 300', () => splitBlockBlosc2(4, 300, 5, 4, 1024, SHUFFLE_LAST), BloscErrorCode.CodecSupport],
    ['clevel 12', () => splitBlockBlosc2(4, 0, 12, 4, 1024, SHUFFLE_LAST), BloscErrorCode.CodecParam],
    ['mode 9', () => splitBlockBlosc1(9 as SplitmodeLike, 0, 4, 1024), BloscErrorCode.InvalidParam],
  ])('%s', (_label, fn, code) => {
    expect(thrownCode(fn)).toBe(code);
  });
});
