/**
 * The dictionary chunks python-blosc2 wrote for the fixtures, rebuilt byte for byte from
 * the data alone: lz4 and lz4hc (their dictionary is the samples) and zstd (dictionary
 * trained as ZDICT_trainFromBuffer, streams with a level-1 CDict); for zstd also from the
 * dictionary C trained, which checks the dictionary pass on its own.
 */
import { describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/index.js';
import { compressChunkWithDictionary } from '../../src/chunk/compress.js';
import { resolveCParams } from '../../src/params.js';
import { firstDifference, loadManifest, readFixture, sha256 } from '../helpers.js';
import { optionsFromParams } from './encode-params.js';

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** The dictionary section of a dictionary chunk (chunk spec §3.9). */
function dictionaryOf(chunk: Uint8Array): Uint8Array {
  const nbytes = readInt32(chunk, 4);
  const blocksize = readInt32(chunk, 8);
  const at = 32 + 4 * Math.ceil(nbytes / blocksize);
  const dsize = readInt32(chunk, at);
  return chunk.slice(at + 4, at + 4 + dsize);
}

const fixtures = loadManifest().files.filter((f) => f.kind === 'chunk' && f.params.useDict === true && f.reproducible === true);

describe('dictionary chunks from the fixtures', () => {
  it('has C dictionary chunks of each codec to compare with', () => {
    const codecs = new Set(fixtures.map((f) => f.params.codec));
    expect([...codecs].sort()).toEqual(['lz4', 'lz4hc', 'zstd']);
  });

  for (const f of fixtures) {
    it(`${f.path}: same bytes as C`, () => {
      const chunk = readFixture(f);
      // Below 5120 bytes (dict_maxsize < 256) C writes the chunk without a dictionary.
      const withDict = (chunk[31]! & 1) === 1;
      expect(withDict).toBe(f.params.nbytes >= 5120);
      const input = decompress(chunk);
      expect(sha256(input)).toBe(f.decoded.sha256);
      const options = { ...optionsFromParams(f.params), useDict: true };
      expect(firstDifference(compress(input, options), chunk)).toBe('equal');
      if (f.params.codec === 'zstd' && withDict) {
        // The dictionary pass alone, from C's trained dictionary.
        const rebuilt = compressChunkWithDictionary(input, resolveCParams(options), dictionaryOf(chunk));
        expect(firstDifference(rebuilt, chunk)).toBe('equal');
      }
    });
  }
});
