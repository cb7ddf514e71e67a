/** FileSource: positional reads into a caller's buffer, and their bounds. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BloscErrorCode } from '../../src/errors.js';
import { FileSource } from '../../src/io/file-source.js';
import { codeOf } from '../hostile/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-file-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('FileSource.readInto', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 255);
  const path = join(dir, 'data.bin');
  writeFileSync(path, bytes);

  it('copies the bytes at an offset into the buffer at dp, leaving the rest of it alone (and honours the frame offset)', () => {
    const src = new FileSource(path, 100);
    try {
      const dest = new Uint8Array(50).fill(0xee);
      src.readInto(10, 30, dest, 5);
      expect(dest.subarray(5, 35)).toEqual(bytes.subarray(110, 140));
      expect(dest.subarray(0, 5).every((b) => b === 0xee)).toBe(true);
      expect(dest.subarray(35).every((b) => b === 0xee)).toBe(true);
      expect(src.read(10, 30)).toEqual(bytes.subarray(110, 140));
    } finally {
      src.close();
    }
  });

  it('refuses reads outside the source or the buffer, and reads after close', () => {
    const src = new FileSource(path);
    const dest = new Uint8Array(64);
    expect(codeOf(() => src.readInto(990, 20, dest, 0))).toBe(BloscErrorCode.ReadBuffer);
    expect(codeOf(() => src.readInto(-1, 4, dest, 0))).toBe(BloscErrorCode.ReadBuffer);
    expect(codeOf(() => src.readInto(0, 60, dest, 10))).toBe(BloscErrorCode.WriteBuffer);
    expect(codeOf(() => src.readInto(0, 4, dest, -1))).toBe(BloscErrorCode.WriteBuffer);
    src.close();
    expect(codeOf(() => src.readInto(0, 4, dest, 0))).toBe(BloscErrorCode.FileRead);
  });
});
