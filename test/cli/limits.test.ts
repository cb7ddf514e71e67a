/**
 * The command line under the library's resource limits: `--max-size` sets the output
 * ceiling of one run, and `info` summarises a frame of 2^27 special chunks (python-blosc2's
 * `fill_special`) without listing them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SChunk } from '../../src/index.js';
import { bytesEqual, FIXTURES, ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILL = join(FIXTURES, 'hostile', 'fill-134m-chunks.b2frame');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // A heap of 512 MiB: a listing or a decode of the whole frame would abort the process.
  const r = spawnSync(process.execPath, ['--max-old-space-size=512', CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('info on a frame of 2^27 special chunks', () => {
  it('summarises the chunk table without reading chunk by chunk', () => {
    const t0 = performance.now();
    const r = cli('info', FILL, '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(performance.now() - t0).toBeLessThan(20_000);
    const d = JSON.parse(r.stdout) as { nchunks: number; summary: { count: number; kinds: Record<string, number> } };
    expect(d.nchunks).toBe(2 ** 27);
    expect(d.summary.count).toBe(2 ** 27);
    expect(d.summary.kinds.zeros).toBe(2 ** 27);
    expect(d.summary.kinds.normal).toBe(0);
  });

  it('refuses to list every chunk past the output ceiling, with its code', () => {
    const r = cli('info', FILL, '--chunks');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MaxBufsizeExceeded \(-35\): listing 134217728 chunks exceeds the output ceiling/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to decompress the 8 GiB it holds, before allocating', () => {
    const r = cli('decompress', FILL, join(dir, 'all.raw'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/MaxBufsizeExceeded \(-35\): the frame holds 8589934592 bytes/);
    expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
  });
});

describe('--max-size', () => {
  const data = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 0xff);
  const chunk = join(dir, 'three.bl');
  const frame = join(dir, 'three.b2frame');
  writeFileSync(chunk, new Uint8Array(0));
  it('lowers the ceiling: a 3 MiB chunk refused at 2M, read at 4M', () => {
    expect(cli('compress', join(dir, 'in.raw'), chunk).status).not.toBe(0); // no input yet: a file error
    writeFileSync(join(dir, 'in.raw'), data);
    expect(cli('compress', join(dir, 'in.raw'), chunk, '--codec', 'lz4').status).toBe(0);
    const refused = cli('decompress', chunk, join(dir, 'out1.raw'), '--max-size', '2M');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/MaxBufsizeExceeded \(-35\)/);
    const ok = cli('decompress', chunk, join(dir, 'out2.raw'), '--max-size', '4M');
    expect(ok.status).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, 'out2.raw'))), data)).toBe(true);
  });

  it('bounds the whole output of a frame, written chunk by chunk; a size that is not one is a usage error', () => {
    writeFileSync(frame, SChunk.fromData(data, { chunksize: 1 << 20, cparams: { codec: 'lz4', typesize: 1 } }).toFrame());
    const refused = cli('decompress', frame, join(dir, 'f2.raw'), '--max-size', '2M');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/MaxBufsizeExceeded \(-35\): the frame holds 3145728 bytes/);
    expect(cli('decompress', frame, join(dir, 'f1.raw'), '--max-size', '3M').status).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(join(dir, 'f1.raw'))), data)).toBe(true);
    const bad = cli('decompress', frame, join(dir, 'f3.raw'), '--max-size', 'lots');
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(2);
  });
});
