/**
 * Live cross-check of the encoder, both ways, on seeded random cases made by
 * fixtures/crosscheck.py: our compress equals C's bytes where the codec is deterministic
 * and C ran serially; C (python-blosc / python-blosc2) decompresses every chunk we write
 * back to the input.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compress, decompress } from '../../src/index.js';
import { firstDifference, pythonReference, runPython, type FixtureParams } from '../helpers.js';
import { byteIdenticalCodec, deltaTailIsUndefined, headerDisagreesWithLayout, optionsFromParams } from './encode-params.js';

const COUNT = 560;
const SEED = Number(process.env.BLOSC_TS_SEED ?? 20261123);
const python = pythonReference();

interface Case {
  id: number;
  chunk: string;
  raw: string;
  library: string;
  api: string;
  params: FixtureParams;
  uninit?: boolean;
}

describe.skipIf(!python.ok)(`live encode cross-check with C (${python.reason})`, () => {
  const cdir = mkdtempSync(join(tmpdir(), 'blosc-ts-enc-c-'));
  const ourDir = mkdtempSync(join(tmpdir(), 'blosc-ts-enc-ours-'));
  afterAll(() => {
    rmSync(cdir, { recursive: true, force: true });
    rmSync(ourDir, { recursive: true, force: true });
  });

  it(`${COUNT} random cases: same bytes as C where deterministic, and C reads every chunk we write`, () => {
    runPython(['fixtures/crosscheck.py', 'make', '--seed', String(SEED), '--count', String(COUNT), '--out', cdir]);
    const cases = JSON.parse(readFileSync(join(cdir, 'cases.json'), 'utf8')) as Case[];
    const mismatches: string[] = [];
    const forC: Array<{ id: number; chunk: string; library: string; expected: string }> = [];
    let compared = 0;
    let layoutMismatches = 0;
    for (const c of cases) {
      const p = c.params;
      // Special-value chunks come from super-chunk APIs, not from compress.
      if (p.special != null || c.uninit === true || p.typesize > 255 || p.vlBlockSizes != null) continue;
      const input = new Uint8Array(readFileSync(join(cdir, c.raw)));
      const options = optionsFromParams(p);
      let ours: Uint8Array;
      try {
        ours = compress(input, options);
      } catch (e) {
        mismatches.push(`case ${c.id} ${JSON.stringify(options)}: compress threw ${String(e)}`);
        continue;
      }
      const back = decompress(ours);
      if (firstDifference(back, input) !== 'equal') mismatches.push(`case ${c.id}: our round trip differs`);
      const serial = p.nthreads === 1;
      const sameApi = c.api === 'blosc.compress' || c.api === 'blosc2.compress2';
      if (serial && sameApi && p.useDict !== true && !deltaTailIsUndefined(p.filters, p.typesize, p.nbytes)
        && byteIdenticalCodec(p.format, p.codec, p.clevel, p.nbytes)) {
        const theirs = new Uint8Array(readFileSync(join(cdir, c.chunk)));
        if (headerDisagreesWithLayout(theirs, ours)) {
          layoutMismatches++;
        } else {
          compared++;
          const diff = firstDifference(ours, theirs);
          if (diff !== 'equal') mismatches.push(`case ${c.id} ${JSON.stringify(options)}: bytes differ from C (${diff})`);
        }
      }
      const name = `ours-${c.id}.chunk`;
      writeFileSync(join(ourDir, name), ours);
      writeFileSync(join(ourDir, `ours-${c.id}.raw`), input);
      forC.push({ id: c.id, chunk: name, library: p.format === 'blosc1' ? 'python-blosc' : 'python-blosc2', expected: `ours-${c.id}.raw` });
    }
    writeFileSync(join(ourDir, 'cases.json'), JSON.stringify(forC));
    runPython(['fixtures/crosscheck.py', 'decompress', '--dir', ourDir]);
    const results = JSON.parse(readFileSync(join(ourDir, 'results.json'), 'utf8')) as Array<{ id: number; ok: boolean; error: string | null; equal: boolean }>;
    for (const r of results) {
      if (!r.ok || !r.equal) mismatches.push(`case ${r.id}: C ${r.ok ? 'decoded different bytes' : `failed: ${r.error}`}`);
    }
    expect(mismatches).toEqual([]);
    expect(results.length).toBe(forC.length);
    expect(forC.length).toBeGreaterThanOrEqual(500);
    expect(compared).toBeGreaterThan(150);
    console.log(`encode cross-check: ${forC.length} chunks read back by C, ${compared} byte-identical to C, ${layoutMismatches} C headers that disagree with their own layout`);
  });
});
