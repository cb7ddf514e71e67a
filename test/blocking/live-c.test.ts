/**
 * Live check of the tuning functions against C: seeded parameter combinations are
 * compressed right now by python-blosc (c-blosc 1.x) and python-blosc2 (c-blosc2) through
 * test/blocking/blocksize_probe.py, and the chunk headers they write are compared with what
 * computeBlocksize*, headerBlocksizeBlosc2, splitBlock* and memcpyFromStart* predict.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  computeBlocksizeBlosc1,
  computeBlocksizeBlosc2,
  headerBlocksizeBlosc2,
  memcpyFromStartBlosc1,
  memcpyFromStartBlosc2,
  nblocksFor,
  splitBlockBlosc1,
  splitBlockBlosc2,
} from '../../src/blocking/index.js';
import type { SplitmodeName } from '../../src/blocking/index.js';
import { mulberry32, pythonReference, runPython } from '../helpers.js';

const SEED = Number(process.env.BLOSC_TS_SEED ?? 20261122);
const RANDOM_CASES = 300; // per library, on top of the fixed edge cases
const EXPECTED_VERSIONS = { 'python-blosc': '1.11.4', 'python-blosc2': '4.14.1' };
const python = pythonReference();

const makeRandom = mulberry32;

interface Blosc1Case {
  nbytes: number;
  typesize: number;
  clevel: number;
  codec: number;
  shuffle: number;
  forcedBlocksize: number;
  splitmode: SplitmodeName;
}

interface Blosc2Case {
  nbytes: number;
  typesize: number;
  clevel: number;
  codec: number;
  filters: number[];
  userBlocksize: number;
  splitmode: 1 | 2 | 3 | 4;
  useDict?: boolean;
}

interface ProbeResult {
  error?: string;
  flags: number;
  typesize: number;
  nbytes: number;
  blocksize: number;
  cbytes: number;
  blosc2Flags: number | null;
  bstart0: number | null;
}

interface ProbeOutput {
  versions: Record<string, string>;
  blosc1: ProbeResult[];
  blosc2: ProbeResult[];
}

// Codecs python-blosc ships (no snappy) and python-blosc2's built-ins.
const CODECS = [0, 1, 2, 4, 5];
const SPLIT_NAMES: SplitmodeName[] = ['forward-compat', 'forward-compat', 'auto', 'always', 'never'];
const THRESHOLD_NBYTES = [0, 1, 7, 31, 32, 33, 127, 128, 129, 4095, 32767, 32768, 32769, 65536, 262145];

function generate(random: () => number): { blosc1: Blosc1Case[]; blosc2: Blosc2Case[] } {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const nbytesOf = (): number => {
    const r = random();
    if (r < 0.1) return pick(THRESHOLD_NBYTES);
    if (r < 0.3) return int(0, 300);
    if (r < 0.5) return int(300, 70_000);
    if (r < 0.88) return int(70_000, 700_000);
    return int(700_000, 8_500_000);
  };

  const blosc1: Blosc1Case[] = [];
  const typesizes1 = [1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 32, 64, 128, 255];
  for (let i = 0; i < RANDOM_CASES; i++) {
    const nbytes = nbytesOf();
    const forcedList = [1, 64, 127, 128, 129, 1000, 4096, 8191, 65536, 100_000, 1 << 20, 3 << 20, 800_000_000];
    blosc1.push({
      nbytes,
      typesize: random() < 0.05 ? pick([256, 300, 1000]) : pick(typesizes1),
      clevel: int(0, 9),
      codec: pick(CODECS),
      shuffle: int(0, 2),
      forcedBlocksize: random() < 0.5 ? 0 : random() < 0.8 ? pick(forcedList) : int(1, 2 * nbytes + 1),
      splitmode: pick(SPLIT_NAMES),
    });
  }
  // Spec §4.1's example: a forced 4096 becomes 65536 for a split blosclz chunk, stays for zstd.
  for (const codec of [0, 5]) {
    blosc1.push({ nbytes: 1_000_000, typesize: 8, clevel: 5, codec, shuffle: 1, forcedBlocksize: 4096, splitmode: 'forward-compat' });
  }

  const blosc2: Blosc2Case[] = [];
  const typesizes2 = [1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 32, 64, 255];
  const bigTypesizes = [256, 300, 1000, 4096, 65_536, 70_000];
  for (let i = 0; i < RANDOM_CASES; i++) {
    let nbytes = nbytesOf();
    let filters = [0, 0, 0, 0, 0, 1];
    const r = random();
    if (r < 0.45) {
      filters = [];
      for (let s = 0; s < 6; s++) filters.push(random() < 0.7 ? 0 : pick([1, 2, 3]));
    } else if (r < 0.55) {
      filters = [0, 0, 0, 0, 0, 2];
    }
    const userList = [1, 2, 3, 4, 5, 7, 8, 31, 32, 33, 100, 1000, 1001, 4096, 65_536, 1 << 20, 600_000_000];
    const userBlocksize = random() < 0.5 ? 0 : random() < 0.8 ? pick(userList) : int(1, 2 * nbytes + 1);
    // Blocks of a few bytes make C write millions of block entries; keep those chunks small.
    if (userBlocksize > 0 && userBlocksize < 100) nbytes = Math.min(nbytes, 100_000);
    blosc2.push({
      nbytes,
      typesize: random() < 0.08 ? pick(bigTypesizes) : pick(typesizes2),
      clevel: int(0, 9),
      codec: pick(CODECS),
      filters,
      userBlocksize,
      splitmode: pick([4, 4, 3, 1, 2] as const),
    });
  }
  // The int32 wrap of the split size (typesize ≥ 4096 under ALWAYS), the uncapped typesize
  // in the tuner, and the bstarts-do-not-fit memcpy (blocksize 3 vs 4).
  const shuffle = [0, 0, 0, 0, 0, 1];
  for (const [typesize, clevel] of [[65_536, 1], [4096, 9], [70_000, 1], [300, 9]] as const) {
    blosc2.push({ nbytes: 2_000_000, typesize, clevel, codec: 0, filters: shuffle, userBlocksize: 0, splitmode: 1 });
  }
  for (const userBlocksize of [3, 4]) {
    blosc2.push({ nbytes: 1000, typesize: 1, clevel: 5, codec: 1, filters: shuffle, userBlocksize, splitmode: 4 });
    // Dictionary chunks skip that test: their first pass writes no bstarts.
    blosc2.push({ nbytes: 1000, typesize: 1, clevel: 5, codec: 5, filters: shuffle, userBlocksize, splitmode: 4, useDict: true });
  }
  return { blosc1, blosc2 };
}

const FORMAT_OF_CODEC: Record<number, number> = { 0: 0, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4 };

function checkBlosc1(c: Blosc1Case, got: ProbeResult): string[] {
  if (got.error !== undefined) return [`C raised ${got.error}`];
  const problems: string[] = [];
  const typesize = c.typesize > 255 ? 1 : c.typesize;
  const blocksize = computeBlocksizeBlosc1(c);
  if (got.blocksize !== blocksize) problems.push(`blocksize ${got.blocksize}, predicted ${blocksize}`);
  if (got.typesize !== typesize) problems.push(`header typesize ${got.typesize}, expected ${typesize}`);
  const split = splitBlockBlosc1(c.splitmode, c.codec, typesize, blocksize);
  const flags =
    (c.shuffle === 1 ? 0x01 : 0) | (c.shuffle === 2 ? 0x04 : 0) | (split ? 0 : 0x10) | ((FORMAT_OF_CODEC[c.codec] ?? -1) << 5);
  if ((got.flags & ~0x02) !== flags) problems.push(`flags 0x${got.flags.toString(16)}, predicted 0x${flags.toString(16)} (+0x02 if memcpyed)`);
  const memcpyed = (got.flags & 0x02) !== 0;
  if (memcpyFromStartBlosc1(c.clevel, c.nbytes) && !memcpyed) problems.push('expected a memcpyed chunk');
  if (got.bstart0 !== null && got.bstart0 !== 16 + 4 * nblocksFor(c.nbytes, blocksize)) {
    problems.push(`bstarts[0] ${got.bstart0}, predicted ${16 + 4 * nblocksFor(c.nbytes, blocksize)}`);
  }
  return problems;
}

function checkBlosc2(c: Blosc2Case, got: ProbeResult): string[] {
  if (got.error !== undefined) return [`C raised ${got.error}`];
  const problems: string[] = [];
  const typesize = c.typesize > 255 ? 1 : c.typesize;
  const blocksize = computeBlocksizeBlosc2(c);
  const header = headerBlocksizeBlosc2({ nbytes: c.nbytes, userBlocksize: c.userBlocksize, blocksize });
  if (got.blocksize !== header) problems.push(`header blocksize ${got.blocksize}, predicted ${header} (computed ${blocksize})`);
  if (got.typesize !== typesize) problems.push(`header typesize ${got.typesize}, expected ${typesize}`);
  const nblocks = nblocksFor(c.nbytes, blocksize);
  const fromStart = memcpyFromStartBlosc2({ clevel: c.clevel, nbytes: c.nbytes, nblocks, destsize: c.nbytes + 32, useDict: c.useDict === true });
  if (fromStart) {
    if (got.flags !== 0x07) problems.push(`flags 0x${got.flags.toString(16)}, expected 0x07 (memcpyed from the start)`);
  } else {
    const split = splitBlockBlosc2(c.splitmode, c.codec, c.clevel, typesize, blocksize, c.filters);
    const flags = 0x05 | (c.filters.includes(3) ? 0x08 : 0) | (split ? 0 : 0x10) | ((FORMAT_OF_CODEC[c.codec] ?? 6) << 5);
    if ((got.flags & ~0x02) !== flags) problems.push(`flags 0x${got.flags.toString(16)}, predicted 0x${flags.toString(16)} (+0x02 if memcpyed)`);
  }
  // The block layout follows the computed blocksize even when the header does not.
  if (got.bstart0 !== null && got.bstart0 !== 32 + 4 * nblocks) {
    problems.push(`bstarts[0] ${got.bstart0}, predicted ${32 + 4 * nblocks}`);
  }
  return problems;
}

describe.skipIf(!python.ok)(`tuning decisions match C, live (${python.reason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-tuning-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = generate(makeRandom(SEED));
  let output: ProbeOutput | undefined;
  const probe = (): ProbeOutput => {
    if (output === undefined) {
      const path = join(dir, 'cases.json');
      writeFileSync(path, JSON.stringify(cases));
      output = JSON.parse(runPython(['test/blocking/blocksize_probe.py', path], 120_000)) as ProbeOutput;
      for (const [name, version] of Object.entries(EXPECTED_VERSIONS)) {
        if (output.versions[name] !== version) {
          console.warn(`[tuning] ${name} is ${output.versions[name]}, the functions mirror ${version}`);
        }
      }
    }
    return output;
  };

  it(`c-blosc 1.x: blocksize, split and memcpy flags for ${cases.blosc1.length} combinations`, () => {
    const got = probe().blosc1;
    expect(got.length).toBe(cases.blosc1.length);
    const failures: string[] = [];
    cases.blosc1.forEach((c, i) => {
      const problems = checkBlosc1(c, got[i] as ProbeResult);
      if (problems.length > 0) failures.push(`${JSON.stringify(c)}: ${problems.join('; ')}`);
    });
    expect(failures).toEqual([]);
  });

  it(`c-blosc2: header blocksize, layout, split and memcpy flags for ${cases.blosc2.length} combinations`, () => {
    const got = probe().blosc2;
    expect(got.length).toBe(cases.blosc2.length);
    const failures: string[] = [];
    let headerDiffers = 0;
    cases.blosc2.forEach((c, i) => {
      const problems = checkBlosc2(c, got[i] as ProbeResult);
      if (problems.length > 0) failures.push(`${JSON.stringify(c)}: ${problems.join('; ')}`);
      const r = got[i] as ProbeResult;
      if (r.error === undefined && r.blocksize !== computeBlocksizeBlosc2(c)) headerDiffers++;
    });
    expect(failures).toEqual([]);
    // The seeded set must reach the header caveat, or the header check proved nothing.
    expect(headerDiffers).toBeGreaterThan(0);
  });
});
