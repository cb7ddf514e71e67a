/** The CLI, run as a user runs it (the built `dist/cli/main.js`), against direct library calls. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chunkInfo, compress, decompress, SChunk } from '../../src/index.js';
import { chunkFixtures, FIXTURES, ROOT, sha256 } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('blosc-ts CLI', () => {
  it('is built (npm run build)', () => {
    expect(existsSync(CLI)).toBe(true);
  });

  const sample = chunkFixtures().filter((f) => f.params.special == null && f.decoded.length > 1000).slice(0, 3);

  it.each(sample.map((f) => [f.path, f] as const))('info --json and decompress agree with the library on %s', (_p, entry) => {
    const file = join(FIXTURES, entry.path);
    const r = cli('info', file, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify({ kind: 'chunk', ...chunkInfo(readFileSync(file)) })));
    const text = cli('info', file);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`nbytes     ${entry.decoded.length}`);
    const out = join(dir, 'out.bin');
    const d = cli('decompress', file, out);
    expect(d.status).toBe(0);
    const bytes = readFileSync(out);
    expect(sha256(bytes)).toBe(entry.decoded.sha256);
    expect(Buffer.compare(bytes, decompress(readFileSync(file)))).toBe(0);
  });

  it('a corrupt chunk exits 1 with the error code and writes no output file', () => {
    const bad = join(dir, 'bad.bin');
    const src = readFileSync(join(FIXTURES, sample[0]!.path));
    writeFileSync(bad, src.subarray(0, 40));
    const out = join(dir, 'never.bin');
    const r = cli('decompress', bad, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ReadBuffer|InvalidHeader/);
    expect(existsSync(out)).toBe(false);
  });

  it('compress writes the chunk the library writes, for both formats', () => {
    const input = join(dir, 'in.bin');
    const data = new Uint8Array(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i >> 4) & 0xff;
    writeFileSync(input, data);
    for (const format of ['blosc1', 'blosc2'] as const) {
      const out = join(dir, `out-${format}.b`);
      const r = cli('compress', input, out, '--codec', 'lz4', '--clevel', '7', '--shuffle', 'shuffle', '--typesize', '4', '--format', format);
      expect(r.status).toBe(0);
      const chunk = readFileSync(out);
      expect(Buffer.compare(chunk, compress(data, { codec: 'lz4', clevel: 7, shuffle: 'shuffle', typesize: 4, format }))).toBe(0);
      expect(Buffer.compare(decompress(chunk), data)).toBe(0);
    }
  });

  it('an invalid option exits 1 naming it, and writes nothing', () => {
    const input = join(dir, 'small.bin');
    writeFileSync(input, new Uint8Array(1000));
    const out = join(dir, 'bad-option.b');
    const r = cli('compress', input, out, '--clevel', '10');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/clevel/);
    expect(existsSync(out)).toBe(false);
  });

  it('frames: info, decompress to the whole content, and compress --chunksize', () => {
    const manifest = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as {
      files: Array<{ path: string; nchunks: number; nbytes: number; decoded: { sha256: string } }>;
    };
    const entry = manifest.files.find((f) => f.path.endsWith('.b2frame') && f.nbytes > 0 && f.nchunks > 1)!;
    const file = join(FIXTURES, entry.path);
    const info = cli('info', file, '--json', '--chunks');
    expect(info.status).toBe(0);
    const described = JSON.parse(info.stdout) as { nchunks: number; chunks: Array<{ nbytes: number }> };
    expect(described.nchunks).toBe(entry.nchunks);
    expect(described.chunks.reduce((n, c) => n + c.nbytes, 0)).toBe(entry.nbytes);
    expect(cli('info', file).stdout).toContain('Blosc2 contiguous frame');
    const out = join(dir, 'frame-content.bin');
    expect(cli('decompress', file, out).status).toBe(0);
    expect(sha256(readFileSync(out))).toBe(entry.decoded.sha256);

    const input = join(dir, 'frame-in.bin');
    const data = Uint8Array.from({ length: 250_000 }, (_, i) => (i >> 3) & 0xff);
    writeFileSync(input, data);
    const framePath = join(dir, 'out.b2frame');
    const r = cli('compress', input, framePath, '--chunksize', '65536', '--codec', 'lz4', '--typesize', '4');
    expect(r.status).toBe(0);
    const schunk = SChunk.open(new Uint8Array(readFileSync(framePath)));
    expect(schunk.nchunks).toBe(4);
    expect(Buffer.compare(schunk.getSlice(), data)).toBe(0);
  });

  it('usage errors exit 2', () => {
    expect(cli('frobnicate').status).toBe(2);
    expect(cli('info').status).toBe(2);
  });
});
