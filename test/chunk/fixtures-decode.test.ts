/** Every committed fixture written by python-blosc / python-blosc2 decodes to its recorded bytes. */
import { describe, expect, it } from 'vitest';
import { chunkInfo, decompress, getItems } from '../../src/index.js';
import { chunkFixtures, firstDifference, readFixture, sha256 } from '../helpers.js';

const fixtures = chunkFixtures();

describe('fixtures written by C-Blosc', () => {
  it('the manifest lists chunk fixtures from both libraries', () => {
    expect(fixtures.some((f) => f.library === 'python-blosc')).toBe(true);
    expect(fixtures.some((f) => f.library === 'python-blosc2')).toBe(true);
  });

  it.each(fixtures.map((f) => [f.path, f] as const))('%s decodes to its sha256', (_path, entry) => {
    const chunk = readFixture(entry);
    const info = chunkInfo(chunk);
    expect(info.nbytes).toBe(entry.decoded.length);
    expect(info.cbytes).toBe(entry.cbytes);
    if (entry.params.special == null) expect(info.typesize).toBe(entry.params.typesize > 255 ? 1 : entry.params.typesize);
    const out = decompress(chunk);
    expect(out.length).toBe(entry.decoded.length);
    expect(sha256(out)).toBe(entry.decoded.sha256);

    // Decoding into a caller's (dirty) buffer gives the same bytes.
    const dirty = new Uint8Array(entry.decoded.length + 7).fill(0xa5);
    const into = decompress(chunk, dirty);
    expect(into.buffer).toBe(dirty.buffer);
    expect(sha256(into)).toBe(entry.decoded.sha256);

    // getItems over a few ranges equals the matching slice of the whole.
    const ts = info.typesize;
    const nitems = Math.floor(info.nbytes / ts);
    if (nitems > 0) {
      const ranges: Array<[number, number]> = [[0, nitems], [0, 1], [nitems - 1, 1], [Math.floor(nitems / 3), Math.ceil(nitems / 3)]];
      for (const [start, count] of ranges) {
        const items = getItems(chunk, start, count);
        expect(firstDifference(items, out.subarray(start * ts, (start + count) * ts))).toBe('equal');
      }
    }
  });
});
