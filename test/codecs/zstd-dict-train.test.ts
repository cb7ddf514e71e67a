/**
 * zstd dictionary training (`trainZstdDictionary`, `fastCoverContent`): libzstd's
 * failure cases, the size bound, determinism, that the content comes from the samples,
 * that a trained dictionary helps, and — when python-zstandard (libzstd 1.5.7) is
 * installed — that the content fastCover selects is libzstd's for the same k.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { fastCoverContent, finalizeZstdDictionary, trainZstdDictionary } from '../../src/codecs/zstd-dict/index.js';
import { parseZstdDictionary } from '../../src/codecs/zstd/index.js';
import { createZstdCDict, zstdCompress, zstdCompressBound, zstdCompressUsingCDict } from '../../src/codecs/zstd-encoder/index.js';
import { firstDifference } from '../helpers.js';
import { makeData } from '../chunk/dict-data.js';

function samplesOf(kind: 'text' | 'records' | 'ramp' | 'random', count: number, size: number, seed: number): { samples: Uint8Array; sizes: number[] } {
  return { samples: makeData(kind, count * size, 8, seed), sizes: new Array<number>(count).fill(size) };
}

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof BloscError ? e.code : -9999;
  }
  return undefined;
}

const zstandard = spawnSync(process.env.PYTHON ?? 'python3', ['-c', 'import zstandard; print(zstandard.ZSTD_VERSION)'], { encoding: 'utf8' });
const haveZstandard = zstandard.status === 0;
// CI installs python-zstandard from fixtures/requirements.txt: there its absence is an error.
if (!haveZstandard && process.env.CI === 'true') {
  throw new Error('python-zstandard is not importable, but CI must run the ZDICT comparison (pip install -r fixtures/requirements.txt)');
}
if (!haveZstandard) console.warn('skipping the ZDICT comparison: python-zstandard is not importable (pip install -r fixtures/requirements.txt)');

describe('zstd dictionary training', () => {
  it('fails where ZDICT fails: little room, few samples, no test sample', () => {
    const { samples, sizes } = samplesOf('text', 16, 1000, 1);
    expect(code(() => trainZstdDictionary(samples, sizes, 255))).toBe(BloscErrorCode.InvalidParam);
    expect(code(() => trainZstdDictionary(samples, sizes.slice(0, 6), 4096))).toBe(BloscErrorCode.InvalidParam); // 4 training samples
    expect(code(() => trainZstdDictionary(samples, [3, 3, 3, 3, 3, 3, 3, 3], 4096))).toBe(BloscErrorCode.InvalidParam);
    expect(code(() => trainZstdDictionary(samples, [...sizes, 100000], 4096))).toBe(BloscErrorCode.InvalidParam);
  });

  it('stays within maxSize, is deterministic, and is made of sample bytes', () => {
    for (const kind of ['text', 'records', 'ramp', 'random'] as const) {
      for (const maxSize of [256, 3000, 32768]) {
        const { samples, sizes } = samplesOf(kind, 12, 2500, 7);
        const a = trainZstdDictionary(samples, sizes, maxSize);
        const b = trainZstdDictionary(samples, sizes, maxSize);
        expect(a.length).toBeGreaterThan(0);
        expect(a.length).toBeLessThanOrEqual(maxSize);
        expect(firstDifference(a, b)).toBe('equal');
        // A formatted dictionary whose content starts with bytes of the samples.
        const parsed = parseZstdDictionary(a);
        expect(parsed.id).toBeGreaterThanOrEqual(32768);
        expect(parsed.tables).not.toBeNull();
        expect(parsed.repeatOffsets).toEqual([1, 4, 8]);
        const head = Buffer.from(parsed.content.subarray(0, 8));
        expect(Buffer.from(samples).indexOf(head)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('a trained dictionary compresses samples like the training ones better than none', () => {
    const { samples, sizes } = samplesOf('text', 16, 3000, 3);
    const dict = trainZstdDictionary(samples, sizes, 8192);
    const cdict = createZstdCDict(dict, 1);
    const fresh = makeData('text', 3000, 8, 99);
    const out = new Uint8Array(zstdCompressBound(fresh.length));
    const withDict = zstdCompressUsingCDict(fresh, 0, fresh.length, out, 0, out.length, cdict);
    const without = zstdCompress(fresh, 0, fresh.length, out, 0, out.length, 1);
    expect(withDict).toBeLessThan(without);
  });

  it.skipIf(!haveZstandard)('selects the content libzstd selects for the same k, finalizes it as libzstd does, and trains as ZDICT_trainFromBuffer (python-zstandard)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-zdict-'));
    try {
      const cases: Array<{ kind: 'text' | 'records' | 'ramp'; count: number; size: number; cap: number; k: number }> = [
        { kind: 'text', count: 10, size: 3000, cap: 4096, k: 50 },
        { kind: 'text', count: 8, size: 5000, cap: 8192, k: 537 },
        { kind: 'records', count: 16, size: 2000, cap: 2048, k: 1024 },
        { kind: 'records', count: 9, size: 4096, cap: 16384, k: 1998 },
        { kind: 'ramp', count: 12, size: 3000, cap: 1024, k: 200 },
      ];
      cases.forEach((c, i) => {
        const { samples } = samplesOf(c.kind, c.count, c.size, 100 + i);
        writeFileSync(join(dir, `${i}.bin`), samples);
      });
      writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
      const script = [
        'import json, sys, zstandard',
        'd = sys.argv[1]',
        'cases = json.load(open(d + "/cases.json"))',
        'for i, c in enumerate(cases):',
        '    data = open(f"{d}/{i}.bin", "rb").read()',
        '    samples = [data[j * c["size"]:(j + 1) * c["size"]] for j in range(c["count"])]',
        '    t = zstandard.train_dictionary(c["cap"], samples, k=c["k"], d=8, f=20, accel=1, level=3)',
        '    open(f"{d}/{i}.dict", "wb").write(t.as_bytes())',
        '    t = zstandard.train_dictionary(c["cap"], samples, k=c["k"], d=8, f=20, accel=1, level=1)',
        '    open(f"{d}/{i}.l1.dict", "wb").write(t.as_bytes())',
        '    t = zstandard.train_dictionary(c["cap"], samples, d=8, steps=4, level=3, threads=0)',
        '    open(f"{d}/{i}.zdict", "wb").write(t.as_bytes())',
      ].join('\n');
      const run = spawnSync(process.env.PYTHON ?? 'python3', ['-c', script, dir], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      cases.forEach((c, i) => {
        const { samples, sizes } = samplesOf(c.kind, c.count, c.size, 100 + i);
        const theirs = parseZstdDictionary(new Uint8Array(readFileSync(join(dir, `${i}.dict`)))).content;
        const ours = fastCoverContent(samples, sizes, Math.floor(c.count * 0.75), c.cap, c.k);
        // python-zstandard runs ZDICT_optimizeTrainFromBuffer_fastCover with the one k, which
        // trains on the first 75% of the samples. ZDICT_finalizeDictionary keeps the start of
        // the content when the header leaves less room.
        expect(theirs.length).toBeLessThanOrEqual(ours.length);
        expect(theirs.length).toBeGreaterThan(ours.length - 1024);
        expect(firstDifference(ours.subarray(0, theirs.length), theirs)).toBe('equal');
        // Finalized at level 1 (the level this port parses samples at), the whole dictionary is libzstd's.
        const nbTrain = Math.floor(c.count * 0.75);
        const finalized = finalizeZstdDictionary(ours, samples, sizes, nbTrain, c.cap, 1);
        const theirsL1 = new Uint8Array(readFileSync(join(dir, `${i}.l1.dict`)));
        expect(firstDifference(finalized, theirsL1)).toBe('equal');
        // ZDICT_trainFromBuffer's settings (d 8, 4 steps of k, level 3): the whole trainer.
        const zdict = new Uint8Array(readFileSync(join(dir, `${i}.zdict`)));
        expect(firstDifference(trainZstdDictionary(samples, sizes, c.cap), zdict)).toBe('equal');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
