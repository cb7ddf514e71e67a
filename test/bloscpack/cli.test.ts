/** The bloscpack subcommands, run in-process on temporary files. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runBloscpackCommand } from '../../src/cli/bloscpack.js';
import { appendBytes, packBytes, readBloscpackInfo } from '../../src/bloscpack/index.js';
import { bytesEqual } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const plain = Uint8Array.from({ length: 50_000 }, (_, i) => (i >> 3) & 0xff);

describe('bloscpack subcommands', () => {
  it('pack writes what packBytes writes; unpack and verify read it', () => {
    writeFileSync(p('in.bin'), plain);
    expect(runBloscpackCommand(['pack', p('in.bin'), p('a.blp'), '--codec', 'lz4', '--clevel', '5', '--chunk-size', '16K', '--checksum', 'md5', '--typesize', '4', '--metadata', '{"x":1}'])).toBe(0);
    const expected = packBytes(plain, { codec: 'lz4', clevel: 5, chunkSize: 16384, checksum: 'md5', typesize: 4, metadata: { x: 1 } });
    expect(bytesEqual(new Uint8Array(readFileSync(p('a.blp'))), expected)).toBe(true);
    expect(runBloscpackCommand(['unpack', p('a.blp'), p('a.out')])).toBe(0);
    expect(bytesEqual(new Uint8Array(readFileSync(p('a.out'))), plain)).toBe(true);
    expect(runBloscpackCommand(['verify', p('a.blp')])).toBe(0);
    expect(stdout).toContain('OK, 4 chunk(s), 50000 bytes, checksum md5');
  });

  it('--no-offsets, info --json', () => {
    expect(runBloscpackCommand(['pack', p('in.bin'), p('b.blp'), '--no-offsets', '--checksum', 'None'])).toBe(0);
    stdout = '';
    expect(runBloscpackCommand(['info', p('b.blp'), '--json'])).toBe(0);
    const info = JSON.parse(stdout) as { header: { offsets: boolean; checksum: string; nchunks: number } };
    expect(info.header).toMatchObject({ offsets: false, checksum: 'None', nchunks: 1 });
  });

  it('append grows the file as appendBytes does', () => {
    writeFileSync(p('c.blp'), packBytes(plain, { chunkSize: 20_000 }));
    writeFileSync(p('more.bin'), plain.subarray(0, 30_000));
    expect(runBloscpackCommand(['append', p('c.blp'), p('more.bin')])).toBe(0);
    const expected = appendBytes(packBytes(plain, { chunkSize: 20_000 }), plain.subarray(0, 30_000));
    expect(bytesEqual(new Uint8Array(readFileSync(p('c.blp'))), expected)).toBe(true);
    expect(readBloscpackInfo(expected).header.nchunks).toBe(4);
  });

  it('a corrupt chunk fails verify and unpack, and unpack writes nothing', () => {
    const blp = packBytes(plain, { chunkSize: 10_000 });
    const at = readBloscpackInfo(blp).offsets[3]! + 40;
    blp[at]! ^= 0x10;
    writeFileSync(p('bad.blp'), blp);
    expect(runBloscpackCommand(['verify', p('bad.blp')])).toBe(1);
    expect(stderr).toContain('chunk 3');
    expect(runBloscpackCommand(['unpack', p('bad.blp'), p('bad.out')])).toBe(1);
    expect(existsSync(p('bad.out'))).toBe(false);
  });

  it('usage errors exit 2, bad values exit 1', () => {
    expect(runBloscpackCommand([])).toBe(2);
    expect(runBloscpackCommand(['frobnicate'])).toBe(2);
    expect(runBloscpackCommand(['pack', p('in.bin')])).toBe(2);
    expect(runBloscpackCommand(['pack', p('in.bin'), p('x.blp'), '--bogus', '1'])).toBe(2);
    expect(runBloscpackCommand(['pack', p('in.bin'), p('x.blp'), '--checksum', 'sha3'])).toBe(1);
    expect(runBloscpackCommand(['unpack', p('missing.blp'), p('x.out')])).toBe(1);
    expect(existsSync(p('x.blp'))).toBe(false);
  });
});
