/** The CLI on NDArrays (the built `dist/cli/main.js`): info, .b2nd → .npy, .npy → .b2nd. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NDArray, parseNpy } from '../../src/index.js';
import { ROOT, bytesEqual, firstDifference, sha256 } from '../helpers.js';
import { ND_DIR, ndFile, ndManifest } from '../ndarray/fixture-files.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-nd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A few fixtures (each run spawns node): n-d with edges, big-endian complex, bool, 0-d, a zero-length dim, structured. */
const DECOMPRESS_SAMPLE = ['f8.2d.edges.zstd', 'c16.1d.be', 'b1.3d', 'f8.0d', 'f8.zero-dim', 'struct.1d'];

describe('blosc-ts CLI on NDArrays', () => {
  it('is built (npm run build)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  it('info shows shape, chunks, blocks and dtype besides the frame layout', () => {
    const file = join(ND_DIR, 'u2.4d.b2nd');
    const r = cli('info', file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('contiguous frame');
    expect(r.stdout).toContain('shape    (5, 6, 7, 3)');
    expect(r.stdout).toContain('chunks   (2, 4, 3, 3)');
    expect(r.stdout).toContain('blocks   (1, 2, 2, 3)');
    expect(r.stdout).toContain('dtype    <u2 (itemsize 2)');
    const j = cli('info', file, '--json');
    expect(j.status).toBe(0);
    const parsed = JSON.parse(j.stdout) as { ndarray: { shape: number[]; dtype: string }; nchunks: number };
    expect(parsed.ndarray.shape).toEqual([5, 6, 7, 3]);
    expect(parsed.ndarray.dtype).toBe('<u2');
    expect(parsed.nchunks).toBe(NDArray.open(ndFile('u2.4d.b2nd')).schunk.nchunks);
    const npy = cli('info', join(ND_DIR, 'u2.4d.npy'));
    expect(npy.status, npy.stderr).toBe(0);
    expect(npy.stdout).toContain('shape      (5, 6, 7, 3)');
    expect(npy.stdout).toContain('dtype      <u2');
  });

  it.each(ndManifest.files.filter((f) => DECOMPRESS_SAMPLE.includes(f.name)).map((f) => [f.name, f] as const))('decompress %s to .npy gives numpy\'s file', (_n, f) => {
    const out = join(dir, `${f.name}.npy`);
    const r = cli('decompress', join(ND_DIR, f.b2nd), out);
    expect(r.status, r.stderr).toBe(0);
    const bytes = new Uint8Array(readFileSync(out));
    expect(sha256(bytes)).toBe(f.npy_sha256);
  });

  it('compress .npy to .b2nd with --chunks/--blocks/--codec writes what the library writes', () => {
    const out = join(dir, 'made.b2nd');
    const npyPath = join(ND_DIR, 'f8.2d.edges.zstd.npy');
    const r = cli('compress', npyPath, out, '--chunks', '10,8', '--blocks', '4,3', '--codec', 'lz4', '--clevel', '7');
    expect(r.status, r.stderr).toBe(0);
    const made = new Uint8Array(readFileSync(out));
    const expected = NDArray.fromNpy(new Uint8Array(readFileSync(npyPath)), { chunks: [10, 8], blocks: [4, 3], codec: 'lz4', clevel: 7 }).toFrame();
    expect(bytesEqual(made, expected), firstDifference(made, expected)).toBe(true);
    const arr = NDArray.open(made);
    expect([arr.shape, arr.chunks, arr.blocks, arr.dtype]).toEqual([[37, 23], [10, 8], [4, 3], '<f8']);
    expect(bytesEqual(arr.toArray().data, parseNpy(new Uint8Array(readFileSync(npyPath))).data)).toBe(true);
    // Defaults: python-blosc2's codec and geometry.
    const d = cli('compress', npyPath, join(dir, 'default.b2nd'));
    expect(d.status, d.stderr).toBe(0);
    const def = NDArray.open(new Uint8Array(readFileSync(join(dir, 'default.b2nd'))));
    expect(def.schunk.compressOptions.codec).toBe(5);
    expect(def.chunks).toEqual([37, 23]);
  });

  it('bad options and bad input files fail cleanly and leave no output', () => {
    const npyPath = join(ND_DIR, 'i4.1d.lz4.npy');
    const out = join(dir, 'never.b2nd');
    expect(cli('compress', npyPath, out, '--chunks', 'ten').status).toBe(2);
    expect(cli('compress', npyPath, out, '--typesize', '4').status).toBe(2);
    const badBlocks = cli('compress', npyPath, out, '--chunks', '10', '--blocks', '20');
    expect(badBlocks.status).toBe(1);
    expect(badBlocks.stderr).toMatch(/InvalidParam/);
    const broken = join(dir, 'broken.npy');
    const bytes = ndFile('i4.1d.lz4.npy').slice();
    bytes[6] = 9;
    writeFileSync(broken, bytes);
    const r = cli('compress', broken, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/InvalidHeader/);
    expect(existsSync(out)).toBe(false);
  });
});
