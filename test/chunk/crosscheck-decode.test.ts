/**
 * Live cross-check: seeded random (data, parameters) cases compressed by python-blosc and
 * python-blosc2 right now, decoded by blosc-ts, compared byte for byte with what C decodes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decompress, getItems, chunkInfo } from '../../src/index.js';
import { pythonReference, runPython } from '../helpers.js';

const COUNT = 320;
const SEED = Number(process.env.BLOSC_TS_SEED ?? 20261122);
const python = pythonReference();

interface Case {
  id: number;
  chunk: string;
  raw: string;
  params: Record<string, unknown>;
}

describe.skipIf(!python.ok)(`live decode cross-check with C (${python.reason})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-xcheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`decodes ${COUNT} fresh C chunks exactly`, () => {
    runPython(['fixtures/crosscheck.py', 'make', '--seed', String(SEED), '--count', String(COUNT), '--out', dir]);
    const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as Case[];
    expect(cases.length).toBe(COUNT);
    const failures: string[] = [];
    const libraries = new Set<string>();
    for (const c of cases) {
      const chunk = new Uint8Array(readFileSync(join(dir, c.chunk)));
      const expected = new Uint8Array(readFileSync(join(dir, c.raw)));
      libraries.add(String(c.params.format));
      try {
        const out = decompress(chunk);
        if (Buffer.compare(out, expected) !== 0) {
          failures.push(`case ${c.id} ${JSON.stringify(c.params)}: bytes differ`);
          continue;
        }
        const info = chunkInfo(chunk);
        const n = Math.floor(info.nbytes / info.typesize);
        if (n > 2) {
          const start = (c.id * 7919) % n;
          const count = Math.min(n - start, 1 + ((c.id * 104729) % n));
          const items = getItems(chunk, start, count);
          if (Buffer.compare(items, expected.subarray(start * info.typesize, (start + count) * info.typesize)) !== 0) {
            failures.push(`case ${c.id}: getItems(${start}, ${count}) differs`);
          }
        }
      } catch (e) {
        failures.push(`case ${c.id} ${JSON.stringify(c.params)}: ${String(e)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(libraries.size).toBe(2);
  });
});
