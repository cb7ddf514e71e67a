/** Progress reporting: the callbacks of pack/unpack (the CLI's bar: test/cli/progress.test.ts). */
import { describe, expect, it } from 'vitest';
import { memorySource, MemorySink, packBytes, unpack } from '../../src/bloscpack/index.js';

describe('progress', () => {
  const data = Uint8Array.from({ length: 5 * 65536 + 100 }, (_, i) => (i * 7) & 0xff);

  it('pack reports every chunk, in order, ending at the total', () => {
    const seen: Array<[number, number]> = [];
    packBytes(data, { chunkSize: 65536, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual([[1, 6], [2, 6], [3, 6], [4, 6], [5, 6], [6, 6]]);
  });

  it('unpack reports every chunk too', async () => {
    const blp = packBytes(data, { chunkSize: 65536 });
    const seen: number[] = [];
    const sink = new MemorySink();
    await unpack(memorySource(blp), sink, (done, total) => {
      expect(total).toBe(6);
      seen.push(done);
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
