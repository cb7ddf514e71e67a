/**
 * Live differential check against lz4 1.10.0's LZ4_compress_HC through Python (the
 * libblosc2 that python-blosc2 ships): seeded structured inputs, every level, unlimited and
 * tight capacities. Skipped when Python or the packages are missing, except in CI.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lz4CompressBound, lz4hcCompress } from '../../../src/codecs/lz4hc-compress.js';
import { ROOT, pythonReference } from '../../helpers.js';
import { prng, structuredInput } from './inputs.js';

const SCRIPT = 'test/codecs/lz4hc/c_reference.py';

interface Case {
  data: Uint8Array;
  level: number;
  cap: number;
}

function makeCases(): Case[] {
  const next = prng(20240611);
  const cases: Case[] = [];
  for (let k = 0; k < 180; k++) {
    // Sizes spread log-uniformly over 0..~80 KB, so the 64 KiB window edge is crossed.
    const size = Math.floor(Math.exp((Math.log(80_000) * next()) / 2 ** 32));
    const data = structuredInput(1000 + k, size);
    const level = 1 + (k % 9);
    const bound = lz4CompressBound(size);
    const capKind = next() % 3;
    const cap = capKind === 0 ? bound : capKind === 1 ? size : Math.floor((size * (next() % 1000)) / 1000);
    cases.push({ data, level, cap });
  }
  return cases;
}

describe('lz4hcCompress against live C', () => {
  const status = pythonReference();
  it.skipIf(!status.ok)('matches LZ4_compress_HC byte for byte on 180 seeded inputs', () => {
    const cases = makeCases();
    const request = JSON.stringify({
      cases: cases.map((c) => ({ data: Buffer.from(c.data).toString('base64'), level: c.level, cap: c.cap })),
    });
    const stdout = execFileSync(status.python, [SCRIPT], { cwd: ROOT, input: request, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    const reply = JSON.parse(stdout) as {
      lz4: number;
      results: string[];
    };
    expect(reply.lz4).toBe(11000);
    const mismatches: string[] = [];
    let compressed = 0;
    cases.forEach((c, i) => {
      const dst = new Uint8Array(c.cap);
      const n = lz4hcCompress(c.data, 0, c.data.length, dst, 0, c.cap, c.level);
      if (n > 0) compressed++;
      const ours = Buffer.from(dst.subarray(0, n)).toString('base64');
      if (ours !== reply.results[i]) mismatches.push(`case ${i}: size ${c.data.length} level ${c.level} cap ${c.cap}`);
    });
    expect(mismatches).toEqual([]);
    // Both outcomes (fits / does not fit) must be exercised.
    expect(compressed).toBeGreaterThan(60);
    expect(compressed).toBeLessThan(cases.length);
  });
});
