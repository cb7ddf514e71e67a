/**
 * Live differential checks against lz4 1.10.0 through Python (the libblosc2 that
 * python-blosc2 ships): LZ4_compress_HC, and the dictionary sequence c-blosc2 uses
 * (LZ4_loadDictHC + LZ4_compress_HC_continue), on seeded structured inputs at every level
 * with unlimited and tight capacities; and the streams of real c-blosc2 lz4hc dictionary
 * chunks. Skipped when Python or the packages are missing, except in CI.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lz4hcCompress, lz4hcCompressWithDict } from '../../../src/codecs/lz4hc-compress.js';
import { lz4CompressBound } from '../../../src/codecs/lz4-compress.js';
import { ROOT, pythonReference } from '../../helpers.js';
import { prng, structuredInput } from './inputs.js';

const SCRIPT = 'test/codecs/lz4hc/c_reference.py';
const CHUNK_SCRIPT = 'test/codecs/lz4hc/blosc2_dict_chunk.py';

interface Case {
  data: Uint8Array;
  level: number;
  cap: number;
  dict?: Uint8Array;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** C's outputs for the cases, base64 ('' where C returned 0). */
function runReference(python: string, cases: Case[]): string[] {
  const request = JSON.stringify({
    cases: cases.map((c) => ({ data: b64(c.data), level: c.level, cap: c.cap, ...(c.dict ? { dict: b64(c.dict) } : {}) })),
  });
  const stdout = execFileSync(python, [SCRIPT], { cwd: ROOT, input: request, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  const reply = JSON.parse(stdout) as { lz4: number; results: string[] };
  expect(reply.lz4).toBe(11000);
  return reply.results;
}

function capFor(next: () => number, size: number): number {
  const kind = next() % 3;
  return kind === 0 ? lz4CompressBound(size) : kind === 1 ? size : Math.floor((size * (next() % 1000)) / 1000);
}

function makeDictCases(): Case[] {
  const next = prng(777);
  const cases: Case[] = [];
  for (let k = 0; k < 120; k++) {
    const size = Math.floor(Math.exp((Math.log(60_000) * next()) / 2 ** 32));
    const dictSize = k % 10 === 0 ? next() % 12 : Math.floor(Math.exp((Math.log(70_000) * next()) / 2 ** 32));
    // Mostly the dictionary and the data come from one stream, so they share material.
    const whole = structuredInput(5000 + k, dictSize + size);
    const dict = k % 3 === 0 ? structuredInput(9000 + k, dictSize) : whole.slice(0, dictSize);
    cases.push({ data: whole.slice(dictSize), dict, level: 1 + (k % 9), cap: capFor(next, size) });
  }
  // Runs of one byte across the dictionary's end (the level-9 run search reaches across).
  for (const [dictRun, dataRun] of [[1, 40], [3, 200], [4, 300], [100, 1], [200, 2000], [70_000, 500]]) {
    const dict = new Uint8Array(dictRun + 50).fill(0x41);
    for (let i = 0; i < 50; i++) dict[i] = i;
    const data = new Uint8Array(dataRun + 64).fill(0x41);
    for (let i = dataRun; i < data.length; i++) data[i] = i & 7;
    for (const level of [1, 5, 9]) cases.push({ data, dict, level, cap: lz4CompressBound(data.length) });
  }
  return cases;
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
    const results = runReference(status.python, cases);
    const mismatches: string[] = [];
    let compressed = 0;
    cases.forEach((c, i) => {
      const dst = new Uint8Array(c.cap);
      const n = lz4hcCompress(c.data, 0, c.data.length, dst, 0, c.cap, c.level);
      if (n > 0) compressed++;
      if (b64(dst.subarray(0, n)) !== results[i]) mismatches.push(`case ${i}: size ${c.data.length} level ${c.level} cap ${c.cap}`);
    });
    expect(mismatches).toEqual([]);
    // Both outcomes (fits / does not fit) must be exercised.
    expect(compressed).toBeGreaterThan(60);
    expect(compressed).toBeLessThan(cases.length);
  });

  it.skipIf(!status.ok)('matches LZ4_loadDictHC + LZ4_compress_HC_continue byte for byte', () => {
    const cases = makeDictCases();
    const results = runReference(status.python, cases);
    const mismatches: string[] = [];
    let usedDict = 0;
    cases.forEach((c, i) => {
      const dst = new Uint8Array(c.cap);
      const n = lz4hcCompressWithDict(c.data, 0, c.data.length, dst, 0, c.cap, c.level, c.dict!);
      if (b64(dst.subarray(0, n)) !== results[i]) {
        mismatches.push(`case ${i}: size ${c.data.length} dict ${c.dict!.length} level ${c.level} cap ${c.cap}`);
      }
      // Whether the dictionary mattered: compare with the dictionary-less block.
      const plain = new Uint8Array(c.cap);
      const m = lz4hcCompress(c.data, 0, c.data.length, plain, 0, c.cap, c.level);
      if (n > 0 && (m !== n || b64(plain.subarray(0, m)) !== b64(dst.subarray(0, n)))) usedDict++;
    });
    expect(mismatches).toEqual([]);
    expect(usedDict).toBeGreaterThan(40);
  });

  it.skipIf(!status.ok)('reproduces the streams of c-blosc2 lz4hc dictionary chunks', () => {
    // Text-like data whose blocks share vocabulary, so the dictionary is used.
    const next = prng(99);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'theta', 'kappa', 'lambda', 'sigma'];
    let text = '';
    while (text.length < 160_000) text += `${words[next() % words.length]}${next() % 100} `;
    const data = new TextEncoder().encode(text.slice(0, 160_000));
    const blocksize = 32768;
    for (const level of [1, 2, 5, 9]) {
      const stdout = execFileSync(status.python, [CHUNK_SCRIPT], {
        cwd: ROOT,
        input: JSON.stringify({ data: b64(data), level, blocksize }),
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 64 << 20,
      });
      const chunk = new Uint8Array(Buffer.from((JSON.parse(stdout) as { chunk: string }).chunk, 'base64'));
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      expect(chunk[31] & 0x01).toBe(1); // dictionary chunk
      expect(dv.getInt32(8, true)).toBe(blocksize);
      const nblocks = Math.ceil(data.length / blocksize);
      const dictSize = dv.getInt32(32 + 4 * nblocks, true);
      const dictStart = 32 + 4 * nblocks + 4;
      const dict = chunk.subarray(dictStart, dictStart + dictSize);
      expect(dictSize).toBeGreaterThan(0);
      let compared = 0;
      for (let b = 0; b < nblocks; b++) {
        const bstart = dv.getInt32(32 + 4 * b, true);
        const csize = dv.getInt32(bstart, true);
        const neblock = Math.min(blocksize, data.length - b * blocksize);
        if (csize <= 0 || csize >= neblock) continue; // run or raw stream
        const cap = lz4CompressBound(neblock);
        const out = new Uint8Array(cap);
        const n = lz4hcCompressWithDict(data, b * blocksize, neblock, out, 0, cap, level, dict);
        expect(b64(out.subarray(0, n))).toBe(b64(chunk.subarray(bstart + 4, bstart + 4 + csize)));
        compared++;
      }
      expect(compared).toBe(nblocks);
    }
  });
});
