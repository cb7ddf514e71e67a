/** The CLI's parts, in-process: the size parser, the option table parser, the progress bar. */
import { describe, expect, it } from 'vitest';
import { parseArgs, parseSize, UsageError, type OptionSpec } from '../../src/cli/args.js';
import { progressBar, PROGRESS_MIN_BYTES } from '../../src/cli/progress.js';

describe('parseSize', () => {
  it('reads plain bytes and binary suffixes (K = 1024)', () => {
    const cases: Array<[string, number]> = [
      ['0', 0], ['65536', 65536], ['4K', 4096], ['4k', 4096], ['64KB', 65536], ['64KiB', 65536], ['4M', 4 << 20],
      ['1.5M', 1.5 * 2 ** 20], ['1G', 2 ** 30], ['2T', 2 * 2 ** 40], ['100B', 100], ['512 K', 512 * 1024],
    ];
    for (const [text, bytes] of cases) expect(parseSize(text), text).toBe(bytes);
  });

  it('refuses what is not a size, and fractions of a byte', () => {
    for (const bad of ['', 'K', '4Q', '-1', '4 MB extra', '0x10', '1.5', '1.1K']) {
      expect(() => parseSize(bad, '--chunksize'), bad).toThrow(UsageError);
    }
    expect(() => parseSize('4Q', '--chunksize')).toThrow("--chunksize takes a size (bytes, or with a suffix: 64K, 4M, 1G), got '4Q'");
  });
});

describe('parseArgs', () => {
  const specs: OptionSpec[] = [
    { name: 'json', kind: 'flag', help: '' },
    { name: 'n', kind: 'int', help: '' },
    { name: 'size', kind: 'size', help: '' },
    { name: 'shape', kind: 'shape', help: '' },
    { name: 'help', kind: 'flag', help: '' },
  ];

  it('converts each kind, takes --a=b and --, maps aliases', () => {
    const { positional, options } = parseArgs(['a', '--n', '-3', '--size=4K', '--shape', '2,3', '-h', '--json', '--', '--x'], specs, new Map([['-h', '--help']]));
    expect(positional).toEqual(['a', '--x']);
    expect(options.number('n')).toBe(-3);
    expect(options.number('size')).toBe(4096);
    expect(options.shape('shape')).toEqual([2, 3]);
    expect(options.has('json') && options.has('help')).toBe(true);
  });

  it('unknown options and bad values are usage errors', () => {
    expect(() => parseArgs(['--nope'], specs)).toThrow('unknown option --nope');
    expect(() => parseArgs(['-q'], specs)).toThrow('unknown option -q');
    expect(() => parseArgs(['--n', '1.5'], specs)).toThrow("--n takes an integer, got '1.5'");
    expect(() => parseArgs(['--shape', '2,,3'], specs)).toThrow(UsageError);
    expect(() => parseArgs(['--size'], specs)).toThrow('--size needs a value');
  });
});

describe('progressBar', () => {
  const sink = (isTTY: boolean): { isTTY: boolean; lines: string[]; write: (s: string) => void } => {
    const lines: string[] = [];
    return { isTTY, lines, write: (s: string) => void lines.push(s) };
  };

  it('is drawn on a terminal for inputs of 4 MiB or more, redrawn only when it moves', () => {
    const tty = sink(true);
    expect(progressBar('x', PROGRESS_MIN_BYTES - 1, undefined, tty)).toBeUndefined();
    const bar = progressBar('pack', 64 << 20, undefined, tty, 'chunks')!;
    for (let i = 1; i <= 64; i++) bar.update(i, 64);
    bar.done();
    expect(tty.lines.at(-2)).toContain('100% 64/64 chunks');
    expect(tty.lines.at(-1)).toBe('\n');
    expect(tty.lines.length).toBeLessThan(40);
  });

  it('never on a pipe unless forced; never when forced off', () => {
    const pipe = sink(false);
    expect(progressBar('x', 1 << 30, undefined, pipe)).toBeUndefined();
    expect(progressBar('x', 1 << 30, false, sink(true))).toBeUndefined();
    const forced = progressBar('x', 10, true, pipe)!;
    forced.update(5 << 20, 10 << 20);
    forced.done();
    expect(pipe.lines[0]).toBe('\rx [###############...............]  50% 5.0/10.0 MiB');
  });
});
