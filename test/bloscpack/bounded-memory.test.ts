/**
 * Packing and unpacking stream: a file larger than the memory the process is seen to use
 * goes through with peak RSS well below the file size.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SIZE = 384 << 20;
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bloscpack files in bounded memory', () => {
  it(`packs and unpacks a ${SIZE >> 20} MiB file with peak RSS far below its size`, () => {
    const input = join(dir, 'big.bin');
    const fd = openSync(input, 'w');
    const block = new Uint8Array(1 << 20);
    for (let i = 0; i < SIZE >> 20; i++) {
      for (let j = 0; j < block.length; j += 4096) block[j] = (i + j) & 0xff;
      writeSync(fd, block);
    }
    closeSync(fd);
    const script = `
      import { bloscpackPackFile, bloscpackUnpackFile } from ${JSON.stringify(join(ROOT, 'dist', 'node.js'))};
      await bloscpackPackFile(${JSON.stringify(input)}, ${JSON.stringify(join(dir, 'big.blp'))}, { codec: 'lz4' });
      await bloscpackUnpackFile(${JSON.stringify(join(dir, 'big.blp'))}, ${JSON.stringify(join(dir, 'back.bin'))});
      console.log(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS * 1024 }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 240_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { maxRSS } = JSON.parse(r.stdout.trim()) as { maxRSS: number };
    expect(maxRSS).toBeLessThan(SIZE / 2);
    const cmp = spawnSync('cmp', [input, join(dir, 'back.bin')]);
    expect(cmp.status).toBe(0);
  });
});
