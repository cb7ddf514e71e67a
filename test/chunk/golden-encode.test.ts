/**
 * Golden tests: re-encode the input of every committed C chunk whose bytes are meant to be
 * reproducible, with the same parameters, and compare the whole chunk byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compress, compressNaNs, compressRepeatValue, compressUninit, compressZeros, decompress } from '../../src/index.js';
import { chunkFixtures, FIXTURES, firstDifference, readFixture, type FixtureEntry } from '../helpers.js';
import { byteIdenticalCodec, deltaTailIsUndefined, optionsFromParams } from './encode-params.js';

function eligible(f: FixtureEntry): boolean {
  const p = f.params;
  if (f.reproducible !== true) return false;
  if (f.api !== 'blosc.compress' && f.api !== 'blosc2.compress2') return false;
  if (p.useDict === true || p.special != null || p.typesize > 255) return false;
  if (p.vlBlockSizes != null) return false;
  if (deltaTailIsUndefined(p.filters, p.typesize, p.nbytes)) return false;
  return byteIdenticalCodec(p.format, p.codec, p.clevel, p.nbytes);
}

const fixtures = chunkFixtures().filter(eligible);

describe('our encoder writes the bytes C wrote', () => {
  it('covers both libraries and every byte-identical codec', () => {
    const kinds = new Set(fixtures.map((f) => `${f.params.format}/${f.params.codec}`));
    for (const k of ['blosc1/blosclz', 'blosc1/lz4', 'blosc1/lz4hc', 'blosc1/zlib', 'blosc2/blosclz', 'blosc2/lz4', 'blosc2/lz4hc']) expect(kinds).toContain(k);
    expect(fixtures.length).toBeGreaterThan(100);
  });

  it.each(fixtures.map((f) => [f.path, f] as const))('%s', (_path, entry) => {
    const c = readFixture(entry);
    const input = entry.raw !== undefined ? new Uint8Array(readFileSync(join(FIXTURES, entry.raw))) : decompress(c);
    const header = entry.header as { compcodeMeta?: number } | undefined;
    const ours = compress(input, optionsFromParams({ ...entry.params, compcodeMeta: header?.compcodeMeta ?? 0 }));
    expect(firstDifference(ours, c)).toBe('equal');
  });
});

describe('special-value chunk writers write the bytes C wrote', () => {
  const specials = chunkFixtures().filter((f) => f.params.special != null && f.params.special !== undefined);

  it('covers all four kinds', () => {
    expect(new Set(specials.map((f) => f.params.special))).toEqual(new Set(['zeros', 'nan', 'uninit', 'value']));
  });

  it.each(specials.map((f) => [f.path, f] as const))('%s', (_path, entry) => {
    const c = readFixture(entry);
    const { nbytes, typesize } = entry.params;
    // python-blosc2's super-chunks write these with their cparams (blocksize 0: computed).
    const options = { typesize, clevel: entry.params.clevel, codec: entry.params.codec };
    let ours: Uint8Array;
    switch (entry.params.special) {
      case 'zeros':
        ours = compressZeros(nbytes, options);
        break;
      case 'nan':
        ours = compressNaNs(nbytes, options);
        break;
      case 'uninit':
        ours = compressUninit(nbytes, options);
        break;
      default:
        ours = compressRepeatValue(nbytes, c.subarray(32), options);
    }
    expect(firstDifference(ours, c)).toBe('equal');
  });
});
