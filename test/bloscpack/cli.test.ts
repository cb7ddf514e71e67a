/** The bloscpack commands of the CLI (`runCli`, in-process) on temporary files. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { appendBytes, packBytes, readBloscpackInfo } from '../../src/bloscpack/index.js';
import { bytesEqual } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

/** Run the CLI, collecting what it prints. */
async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, { out: (s) => void (stdout += s), err: { isTTY: false, write: (s: string) => void (stderr += s) } });
  return { status, stdout, stderr };
}

const plain = Uint8Array.from({ length: 50_000 }, (_, i) => (i >> 3) & 0xff);

describe('bloscpack commands', () => {
  it('pack writes what packBytes writes (--chunk-size with a suffix); unpack and verify read it', async () => {
    writeFileSync(p('in.bin'), plain);
    const r = await run('pack', p('in.bin'), p('a.blp'), '--codec', 'lz4', '--clevel', '5', '--chunk-size', '16K', '--checksum', 'md5', '--typesize', '4', '--metadata', '{"x":1}');
    expect(r.status, r.stderr).toBe(0);
    const expected = packBytes(plain, { codec: 'lz4', clevel: 5, chunkSize: 16384, checksum: 'md5', typesize: 4, metadata: { x: 1 } });
    expect(bytesEqual(new Uint8Array(readFileSync(p('a.blp'))), expected)).toBe(true);
    expect((await run('unpack', p('a.blp'), p('a.out'))).status).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(p('a.out'))), plain)).toBe(true);
    const v = await run('verify', p('a.blp'));
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('OK, 4 chunk(s), 50000 bytes, checksum md5');
    // No temporary file is left next to the outputs.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('--no-offsets, info --json', async () => {
    expect((await run('pack', p('in.bin'), p('b.blp'), '--no-offsets', '--checksum', 'None')).status).toBe(0);
    const r = await run('info', p('b.blp'), '--json');
    expect(r.status).toBe(0);
    const info = JSON.parse(r.stdout) as { kind: string; header: { offsets: boolean; checksum: string; nchunks: number } };
    expect(info.kind).toBe('bloscpack');
    expect(info.header).toMatchObject({ offsets: false, checksum: 'None', nchunks: 1 });
  });

  it('append grows the file as appendBytes does', async () => {
    writeFileSync(p('c.blp'), packBytes(plain, { chunkSize: 20_000 }));
    writeFileSync(p('more.bin'), plain.subarray(0, 30_000));
    expect((await run('append', p('c.blp'), p('more.bin'))).status).toBe(0);
    const expected = appendBytes(packBytes(plain, { chunkSize: 20_000 }), plain.subarray(0, 30_000));
    expect(bytesEqual(new Uint8Array(readFileSync(p('c.blp'))), expected)).toBe(true);
    expect(readBloscpackInfo(expected).header.nchunks).toBe(4);
  });

  it('a corrupt chunk fails verify and unpack, and unpack writes nothing', async () => {
    const blp = packBytes(plain, { chunkSize: 10_000 });
    const at = readBloscpackInfo(blp).offsets[3]! + 40;
    blp[at]! ^= 0x10;
    writeFileSync(p('bad.blp'), blp);
    const v = await run('verify', p('bad.blp'));
    expect(v.status).toBe(1);
    expect(v.stderr).toContain('chunk 3');
    expect((await run('unpack', p('bad.blp'), p('bad.out'))).status).toBe(1);
    expect(existsSync(p('bad.out'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('usage errors exit 2 with one line and a pointer to the help; bad values exit 1', async () => {
    const missing = await run('pack', p('in.bin'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`blosc-ts pack: pack takes IN and OUT.blp, got '${p('in.bin')}'\nsee 'blosc-ts pack --help'\n`);
    expect((await run('pack', p('in.bin'), p('x.blp'), '--bogus', '1')).status).toBe(2);
    expect((await run('pack', p('in.bin'), p('x.blp'), '--chunk-size', '4Q')).status).toBe(2);
    expect((await run('pack', p('in.bin'), p('x.blp'), '--checksum', 'sha3')).status).toBe(1);
    const gone = await run('unpack', p('missing.blp'), p('x.out'));
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe(`blosc-ts: cannot read '${p('missing.blp')}': no such file or directory\n`);
    expect(existsSync(p('x.blp'))).toBe(false);
  });

  it('unpack, verify and append say which command fits other inputs', async () => {
    writeFileSync(p('raw.bin'), plain);
    const r = await run('unpack', p('raw.bin'), p('x.out'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("is not a bloscpack file: it does not start with 'blpk'");
    expect((await run('verify', p('raw.bin'))).status).toBe(2);
    expect((await run('append', p('raw.bin'), p('more.bin'))).status).toBe(2);
  });

  it('pack to an unwritable output names the output path, never a temporary name', async () => {
    writeFileSync(p('afile'), 'x');
    const out = join(p('afile'), 'out.blp');
    const r = await run('pack', p('in.bin'), out);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`blosc-ts: cannot write '${out}': a part of the path is not a directory\n`);
  });
});
