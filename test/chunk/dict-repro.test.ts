/**
 * A zstd dictionary chunk python-blosc2 wrote (fixtures/repro/README.md): our encoder must
 * write the same bytes. Its zstd frame has two blocks; the second repeats the dictionary's
 * Huffman and length tables but not its offset table, which libzstd trusts for the first
 * block only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compress, decompress, FilterId } from '../../src/index.js';
import { FIXTURES, firstDifference } from '../helpers.js';

const raw = new Uint8Array(readFileSync(join(FIXTURES, 'repro', 'zstd-dict-delta-shuffle.raw')));
const cChunk = new Uint8Array(readFileSync(join(FIXTURES, 'repro', 'zstd-dict-delta-shuffle.b2chunk')));

describe('zstd dictionary chunk of the repro', () => {
  it('decodes to its input', () => {
    expect(firstDifference(decompress(cChunk), raw)).toBe('equal');
  });

  it('is written byte for byte as C writes it', () => {
    const ours = compress(raw, {
      codec: 'zstd', clevel: 6, typesize: 8, filters: [FilterId.Delta, FilterId.Shuffle], filtersMeta: [0, 0], useDict: true,
    });
    expect(firstDifference(ours, cChunk)).toBe('equal');
  });
});
