/** Progress reporting: the callbacks of pack/unpack, and the CLI's terminal bar. */
import { describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/bloscpack.js';
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

  it('the bar draws only on a terminal and for files over a few MB', () => {
    const lines: string[] = [];
    const tty = { isTTY: true, write: (s: string) => lines.push(s) };
    expect(progressBar('pack', 1000, tty)).toBeUndefined();
    expect(progressBar('pack', 64 << 20, { isTTY: false, write: (s: string) => lines.push(s) })).toBeUndefined();
    const bar = progressBar('pack', 64 << 20, tty)!;
    for (let i = 1; i <= 64; i++) bar.update(i, 64);
    bar.done();
    expect(lines.at(-2)).toContain('100% 64/64 chunks');
    expect(lines.at(-1)).toBe('\n');
    // Redrawn when the bar moves, not for every chunk.
    expect(lines.length).toBeLessThan(40);
  });
});
