/**
 * Consistency of fixtures/manifest.json with the committed fixture files. This reads headers with
 * plain DataView code on purpose: it checks the manifest, not the library.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface FixtureParams {
  format: 'blosc1' | 'blosc2';
  codec: string;
  clevel: number;
  shuffle: 'noshuffle' | 'shuffle' | 'bitshuffle' | null;
  filters: number[] | null;
  filtersMeta: number[] | null;
  typesize: number;
  nthreads: number;
  blocksize: number;
  splitmode: 'always' | 'never' | 'auto' | 'forward_compat';
  useDict: boolean;
  special: 'zeros' | 'nan' | 'uninit' | 'value' | null;
  dataKind: string;
  nbytes: number;
  vlBlockSizes: number[] | null;
}

interface FixtureHeader {
  version: number;
  versionlz: number;
  flags: number;
  typesize: number;
  nbytes: number;
  blocksize: number;
  cbytes: number;
  extended: boolean;
  filters?: number[];
  udcompcode?: number;
  compcodeMeta?: number;
  filtersMeta?: number[];
  blosc2Flags2?: number;
  blosc2Flags?: number;
}

interface FixtureEntry {
  path: string;
  library: 'python-blosc' | 'python-blosc2';
  libraryVersion: string;
  clibVersion: string;
  kind: 'chunk';
  api: string;
  params: FixtureParams;
  cbytes: number;
  chunkSha256: string;
  reproducible: boolean;
  header: FixtureHeader;
  layout: { form: string; nblocks?: number };
  decoded: { length: number; sha256: string };
  decodedBy: 'python-blosc' | 'python-blosc2';
  uninit?: boolean;
  raw?: string;
  rawSha256?: string;
}

interface Manifest {
  generator: Record<string, unknown> & { blosc: string; blosc2: string; blosc_clib: string; blosc2_clib: string };
  files: FixtureEntry[];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;
const TRUNC_PREC = 4;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readFixture(rel: string): Uint8Array {
  const buf = readFileSync(join(FIXTURES, rel));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function listFiles(dir: string): string[] {
  const abs = join(FIXTURES, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).map((name) => `${dir}/${name}`);
}

describe('fixtures/manifest.json', () => {
  it('records the pinned library versions', () => {
    expect(manifest.generator.blosc).toBe('1.11.4');
    expect(manifest.generator.blosc2).toBe('4.14.1');
    expect(manifest.generator.blosc_clib).toMatch(/^1\.21\./);
    expect(manifest.generator.blosc2_clib).toMatch(/^3\./);
    expect(manifest.files.length).toBeGreaterThan(100);
  });

  it('has unique paths, each under the directory of its library, and no orphan files', () => {
    const paths = manifest.files.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const e of manifest.files) {
      const dir = e.library === 'python-blosc' ? 'chunks/b1/' : 'chunks/b2/';
      expect(e.path.startsWith(dir), e.path).toBe(true);
      expect(e.params.format).toBe(e.library === 'python-blosc' ? 'blosc1' : 'blosc2');
    }
    const listed = new Set([...paths, ...manifest.files.flatMap((e) => (e.raw === undefined ? [] : [e.raw]))]);
    const onDisk = [...listFiles('chunks/b1'), ...listFiles('chunks/b2'), ...listFiles('raw')];
    expect(onDisk.filter((p) => !listed.has(p))).toEqual([]);
  });

  it.each(manifest.files.map((e) => [e.path, e] as const))('%s matches its file', (_path, e) => {
    const abs = join(FIXTURES, e.path);
    expect(existsSync(abs)).toBe(true);
    const chunk = readFixture(e.path);
    expect(chunk.length).toBe(e.cbytes);
    expect(sha256(chunk)).toBe(e.chunkSha256);
    expect(chunk.length).toBeGreaterThanOrEqual(16);

    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const version = chunk[0]!;
    if (e.library === 'python-blosc') expect(version).toBe(2);
    else expect(version).toBeGreaterThanOrEqual(3);
    expect(view.getInt32(4, true)).toBe(e.params.nbytes);
    expect(view.getInt32(12, true)).toBe(e.cbytes);
    expect(e.decoded.length).toBe(e.params.nbytes);

    // The parsed header in the manifest says what the bytes say.
    expect(e.header.version).toBe(version);
    expect(e.header.versionlz).toBe(chunk[1]);
    expect(e.header.flags).toBe(chunk[2]);
    expect(e.header.typesize).toBe(chunk[3]);
    expect(e.header.blocksize).toBe(view.getInt32(8, true));
    const extended = (chunk[2]! & 0x05) === 0x05;
    expect(e.header.extended).toBe(extended);
    if (extended) {
      expect(chunk.length).toBeGreaterThanOrEqual(32);
      expect(e.header.filters).toEqual(Array.from(chunk.subarray(16, 22)));
      expect(e.header.filtersMeta).toEqual(Array.from(chunk.subarray(24, 30)));
      expect(e.header.blosc2Flags).toBe(chunk[31]);
      const special = (chunk[31]! >> 4) & 7;
      const specialIds = { zeros: 1, nan: 2, value: 3, uninit: 4 } as const;
      if (e.params.special !== null) expect(special).toBe(specialIds[e.params.special]);
    } else {
      expect(e.params.special).toBeNull();
    }

    // Lossy fixtures, and only those, come with their raw input.
    const lossy = e.params.filters !== null && e.params.filters.includes(TRUNC_PREC);
    expect(e.raw !== undefined).toBe(lossy);
    if (e.raw !== undefined) {
      const raw = readFixture(e.raw);
      expect(raw.length).toBe(e.params.nbytes);
      expect(sha256(raw)).toBe(e.rawSha256);
    }
    if (e.uninit === true) {
      expect(e.params.special).toBe('uninit');
      expect(e.decoded.sha256).toBe(sha256(new Uint8Array(e.params.nbytes)));
    }
  });

  it('covers every codec of both libraries', () => {
    for (const library of ['python-blosc', 'python-blosc2'] as const) {
      const codecs = new Set(manifest.files.filter((e) => e.library === library && e.params.special === null).map((e) => e.params.codec));
      expect([...codecs].sort()).toEqual(['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd']);
    }
  });

  it('keeps the committed fixtures under 25 MB', () => {
    let total = 0;
    for (const rel of [...listFiles('chunks/b1'), ...listFiles('chunks/b2'), ...listFiles('raw'), 'manifest.json']) {
      total += statSync(join(FIXTURES, rel)).size;
    }
    expect(total).toBeLessThan(25 * 1024 * 1024);
  });
});
