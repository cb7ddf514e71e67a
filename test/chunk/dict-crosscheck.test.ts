/**
 * Dictionary chunks (useDict) against c-blosc2 through python-blosc2, one Python process for
 * the whole batch: C reads every chunk we write, we read every chunk C writes, and for lz4
 * and lz4hc (whose dictionary is the raw samples) and zstd (dictionary trained as
 * ZDICT_trainFromBuffer) our bytes are C's; for zstd a chunk rebuilt from C's dictionary
 * is C's too, which checks the dictionary pass on its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/index.js';
import { compressChunkWithDictionary } from '../../src/chunk/compress.js';
import { resolveCParams } from '../../src/params.js';
import type { CompressOptions } from '../../src/index.js';
import { firstDifference, pythonReference, runPython } from '../helpers.js';
import { DICT_DATA_KINDS, makeData, rng } from './dict-data.js';
import { headerDisagreesWithLayout } from './encode-params.js';

const python = pythonReference();
const SEED = Number(process.env.BLOSC_TS_SEED ?? 20261122);
const SPLITMODES = ['always', 'never', 'auto', 'forward-compat'] as const;

interface DictCase {
  id: number;
  codec: 'lz4' | 'lz4hc' | 'zstd';
  clevel: number;
  typesize: number;
  filters: number[];
  filtersMeta: number[];
  blocksize: number;
  splitmode: (typeof SPLITMODES)[number];
  kind: string;
  nbytes: number;
}

function drawCases(codecs: readonly DictCase['codec'][], count: number, seed: number, maxDoublings = 6.5): DictCase[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases: DictCase[] = [];
  for (let id = 0; id < count; id++) {
    const typesize = pick([1, 2, 4, 8, 8, 16, 3]);
    // Mostly sizes where a dictionary is built (>= 5120 bytes), some below and some tiny.
    const u = r();
    let nbytes = u < 0.1 ? Math.floor(r() * 5200) : Math.floor(5120 * Math.pow(2, r() * maxDoublings));
    const f = r();
    const last = f < 0.5 ? 1 : f < 0.7 ? 2 : f < 0.85 ? 0 : 1;
    const filters = [0, 0, 0, 0, 0, last];
    if (r() < 0.12) {
      filters[4] = 3; // delta before the shuffle
      nbytes -= nbytes % typesize;
    }
    const blocksize = r() < 0.2 ? typesize * (256 + Math.floor(r() * 8192)) : 0;
    cases.push({
      id,
      codec: pick(codecs),
      clevel: 1 + Math.floor(r() * 9),
      typesize,
      filters,
      filtersMeta: [0, 0, 0, 0, 0, 0],
      blocksize,
      splitmode: pick(SPLITMODES),
      kind: pick(DICT_DATA_KINDS),
      nbytes,
    });
  }
  return cases;
}

function readInt32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** c-blosc2's training sample size for a compressed chunk: nbytes / max(8, streams) / 16. */
function sampleSizeOf(chunk: Uint8Array): number {
  const nbytes = readInt32(chunk, 4);
  const nblocks = Math.ceil(nbytes / readInt32(chunk, 8));
  const split = (chunk[2]! & 0x10) === 0;
  const nsamples = Math.max(8, split ? nblocks * chunk[3]! : nblocks);
  return Math.floor(Math.floor(nbytes / nsamples) / 16);
}

function optionsOf(c: DictCase): CompressOptions {
  return {
    codec: c.codec, clevel: c.clevel, typesize: c.typesize, filters: c.filters, filtersMeta: c.filtersMeta,
    blocksize: c.blocksize, splitmode: c.splitmode, useDict: true,
  };
}

describe.skipIf(!python.ok)(`dictionary chunks against c-blosc2 (${python.reason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-dict-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lz4 and lz4hc: C reads ours, we read C\'s, and the bytes are C\'s', () => {
    const cases = drawCases(['lz4', 'lz4hc'], 90, SEED);
    const inputs = new Map<number, Uint8Array>();
    for (const c of cases) {
      const input = makeData(c.kind as (typeof DICT_DATA_KINDS)[number], c.nbytes, c.typesize, SEED + c.id);
      inputs.set(c.id, input);
      writeFileSync(join(dir, `${c.id}.raw`), input);
      writeFileSync(join(dir, `${c.id}.ours`), compress(input, optionsOf(c)));
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    runPython(['test/chunk/dict_crosscheck.py', dir], 120_000);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Array<{ id: number; cReadsOwn: boolean; cReadsOurs: boolean; error: string | null }>;
    expect(results.length).toBe(cases.length);
    const problems: string[] = [];
    let identical = 0;
    let withDict = 0;
    let cUnreadable = 0;
    let layoutMismatches = 0;
    for (const res of results) {
      const c = cases[res.id]!;
      const input = inputs.get(c.id)!;
      const ours = new Uint8Array(readFileSync(join(dir, `${c.id}.ours`)));
      const theirs = new Uint8Array(readFileSync(join(dir, `${c.id}.c`)));
      const label = `case ${c.id} ${JSON.stringify({ ...c, id: undefined })}`;
      if (!res.cReadsOurs) problems.push(`${label}: C cannot read ours (${res.error})`);
      if (firstDifference(decompress(ours), input) !== 'equal') problems.push(`${label}: our round trip differs`);
      if ((ours[31]! & 1) !== 0) withDict++;
      if (headerDisagreesWithLayout(theirs, ours)) {
        // C wrote a blocksize its blocks do not follow (chunk spec §3.3); we write the one used.
        layoutMismatches++;
        continue;
      }
      if (!res.cReadsOwn) {
        // c-blosc2 stores a chunk whose streams did not fit with the dictionary bit still
        // set and cannot read it back; we write the same chunk without the bit.
        cUnreadable++;
        const stored = (theirs[2]! & 0x02) !== 0 && (theirs[31]! & 0x01) !== 0;
        if (!stored) {
          problems.push(`${label}: C cannot read its own chunk, and it is not a stored one`);
          continue;
        }
        theirs[31]! &= ~0x01;
      }
      if (firstDifference(decompress(theirs), input) !== 'equal') problems.push(`${label}: we read C's chunk wrong`);
      const diff = firstDifference(ours, theirs);
      if (diff === 'equal') identical++;
      else problems.push(`${label}: bytes differ from C (${diff})`);
    }
    expect(problems).toEqual([]);
    // Most cases must really exercise a dictionary, and most must be comparable.
    expect(withDict).toBeGreaterThan(cases.length / 2);
    expect(identical).toBeGreaterThan(cases.length * 0.8);
    console.log(`dict lz4/lz4hc: ${identical} identical to C, ${withDict} with a dictionary, ${cUnreadable} C chunks C cannot read, ${layoutMismatches} C headers that disagree with their layout`);
  });
  it('zstd: C reads ours, we read C\'s; rebuilt from C\'s dictionary, the bytes are C\'s', () => {
    const cases = drawCases(['zstd'], 60, SEED + 1, 4.5);
    // A few chunks of one big block, so that the training samples pass 16 KiB (the test
    // samples are then compressed against a copied double-fast table).
    for (const [kind, nbytes] of [['records', 2_200_000], ['text', 2_400_000]] as const) {
      cases.push({
        id: cases.length, codec: 'zstd', clevel: 5, typesize: 8, filters: [0, 0, 0, 0, 0, 1], filtersMeta: [0, 0, 0, 0, 0, 0],
        blocksize: nbytes, splitmode: 'never', kind, nbytes,
      });
    }
    const zdir = join(dir, 'zstd');
    mkdirSync(zdir);
    const inputs = new Map<number, Uint8Array>();
    for (const c of cases) {
      const input = makeData(c.kind as (typeof DICT_DATA_KINDS)[number], c.nbytes, c.typesize, SEED + 1000 + c.id);
      inputs.set(c.id, input);
      writeFileSync(join(zdir, `${c.id}.raw`), input);
      writeFileSync(join(zdir, `${c.id}.ours`), compress(input, optionsOf(c)));
    }
    writeFileSync(join(zdir, 'cases.json'), JSON.stringify(cases));
    runPython(['test/chunk/dict_crosscheck.py', zdir], 120_000);
    const results = JSON.parse(readFileSync(join(zdir, 'results.json'), 'utf8')) as Array<{ id: number; cReadsOwn: boolean; cReadsOurs: boolean; error: string | null }>;
    expect(results.length).toBe(cases.length);
    const problems: string[] = [];
    let rebuilt = 0;
    let identical = 0;
    let oursWithDict = 0;
    for (const res of results) {
      const c = cases[res.id]!;
      const input = inputs.get(c.id)!;
      const ours = new Uint8Array(readFileSync(join(zdir, `${c.id}.ours`)));
      const theirs = new Uint8Array(readFileSync(join(zdir, `${c.id}.c`)));
      const label = `case ${c.id} ${JSON.stringify({ ...c, id: undefined })}`;
      if (!res.cReadsOurs) problems.push(`${label}: C cannot read ours (${res.error})`);
      if (firstDifference(decompress(ours), input) !== 'equal') problems.push(`${label}: our round trip differs`);
      if ((ours[31]! & 1) !== 0) oursWithDict++;
      if (!res.cReadsOwn || headerDisagreesWithLayout(theirs, ours)) continue;
      if (firstDifference(decompress(theirs), input) !== 'equal') problems.push(`${label}: we read C's chunk wrong`);
      // Our trained dictionary is not ZDICT's; with C's dictionary the chunk must be C's.
      const theirsHasDict = (theirs[31]! & 1) !== 0;
      if (theirsHasDict && (theirs[2]! & 0x02) === 0) {
        const nblocks = Math.ceil(c.nbytes / readInt32(theirs, 8));
        const at = 32 + 4 * nblocks;
        const dict = theirs.slice(at + 4, at + 4 + readInt32(theirs, at));
        const again = compressChunkWithDictionary(input, resolveCParams(optionsOf(c)), dict);
        const diff = firstDifference(again, theirs);
        if (diff === 'equal') rebuilt++;
        else problems.push(`${label}: rebuilt with C's dictionary, bytes differ (${diff})`);
        // Our own training gives C's dictionary, so the whole chunk is C's.
        const whole = firstDifference(ours, theirs);
        if (whole === 'equal') identical++;
        else problems.push(`${label}: bytes differ from C (${whole}); training samples of ${sampleSizeOf(theirs)} bytes`);
      } else if (!theirsHasDict && firstDifference(ours, theirs) !== 'equal') {
        problems.push(`${label}: C wrote no dictionary, and our chunk is not C's`);
      }
    }
    expect(problems).toEqual([]);
    expect(oursWithDict).toBeGreaterThan(cases.length / 2);
    expect(rebuilt).toBeGreaterThan(cases.length / 2);
    expect(identical).toBeGreaterThan(cases.length / 2);
    console.log(`dict zstd: ${oursWithDict} of ours with a dictionary, ${rebuilt} rebuilt from C's dictionary byte for byte, ${identical} identical to C`);
  });
});
