/**
 * Every public function works when it is the only thing a bundled app imports. Each case is
 * a small app that imports one function from 'blosc-ts' (the built package, through a
 * node_modules link, so esbuild reads its package.json and `"sideEffects": false`); it is
 * bundled as a browser app would be (esbuild --bundle --platform=browser --format=esm
 * --minify), with no warning allowed, then run under Node, and what it prints is checked
 * against the fixtures' known digests or decoded here by the unbundled library.
 *
 * To add a case, add an entry to CASES: the app's source (it may use `INPUT`, the bytes of
 * `input`, and the helpers `sha256` and `print`), and a check of what it printed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkInfo, compress, decompress } from '../../src/index.js';
import { ROOT, sha256 } from '../helpers.js';

interface BundleCase {
  /** What the app imports, for the test's name. */
  readonly name: string;
  /** The app's module source. */
  readonly app: string;
  /** The bytes handed to the app as `INPUT` (embedded in its source). */
  readonly input?: () => Uint8Array;
  /**
   * Files of dist/browser/ the app needs beside its bundle (worker entries). The bundle is
   * first run without them and must fail: that shows it really uses them.
   */
  readonly beside?: readonly string[];
  /** Assertions on the JSON value the app printed. */
  readonly check: (printed: Record<string, unknown>) => void;
}

interface ManifestFile {
  path: string;
  decoded: { length: number; sha256: string };
}

function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ROOT, 'fixtures', path)));
}

function manifestEntry(manifest: string, path: string): ManifestFile {
  const files = (JSON.parse(readFileSync(join(ROOT, 'fixtures', manifest), 'utf8')) as { files: ManifestFile[] }).files;
  const entry = files.find((f) => f.path === path);
  if (entry === undefined) throw new Error(`${path} is not in fixtures/${manifest}`);
  return entry;
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** The data the encoding apps compress: a smooth signal of `n` float64 values. */
const signal = (n: number): string => `new Float64Array(${n}).map((_, i) => Math.round(Math.sin(i / 200) * 1e4) / 8)`;
const signalBytes = (n: number): Uint8Array => new Uint8Array(new Float64Array(n).map((_, i) => Math.round(Math.sin(i / 200) * 1e4) / 8).buffer);

const CHUNK = 'chunks/b2/b2.zstd.shuffle.ts8.cl5.n38912.ramp.t1.split-forward_compat.bs4096.bin';
const LZ4_CHUNK = 'chunks/b1/b1.lz4.bitshuffle.ts4.cl5.n4004.ramp.t1.bin';
const FRAME = 'frames/zstd.u8.meta-vlmeta.b2frame';
const B2ND = 'ndarray/f8.2d.edges.zstd.b2nd';

const CASES: readonly BundleCase[] = [
  {
    name: 'compress',
    app: `import { compress } from 'blosc-ts';
const chunk = compress(${signal(1 << 16)}, { codec: 'lz4', clevel: 5 });
print({ chunk: toBase64(chunk) });`,
    check: (printed) => {
      const chunk = fromBase64(printed.chunk as string);
      expect(chunkInfo(chunk).codec).toBe('lz4');
      expect(sha256(decompress(chunk))).toBe(sha256(signalBytes(1 << 16)));
    },
  },
  {
    name: 'decompress (zstd chunk written by python-blosc2)',
    app: `import { decompress } from 'blosc-ts';
print({ sha256: await sha256(decompress(INPUT)) });`,
    input: () => fixture(CHUNK),
    check: (printed) => expect(printed.sha256).toBe(manifestEntry('manifest.json', CHUNK).decoded.sha256),
  },
  {
    name: 'decompress (lz4 chunk written by python-blosc)',
    app: `import { decompress } from 'blosc-ts';
print({ sha256: await sha256(decompress(INPUT)) });`,
    input: () => fixture(LZ4_CHUNK),
    check: (printed) => expect(printed.sha256).toBe(manifestEntry('manifest.json', LZ4_CHUNK).decoded.sha256),
  },
  {
    name: 'SChunk.open',
    app: `import { SChunk } from 'blosc-ts';
const schunk = SChunk.open(INPUT);
print({ nchunks: schunk.nchunks, sha256: await sha256(schunk.getSlice()) });`,
    input: () => fixture(FRAME),
    check: (printed) => {
      expect(printed.nchunks).toBeGreaterThan(1);
      expect(printed.sha256).toBe(manifestEntry('frames/manifest.json', FRAME).decoded.sha256);
    },
  },
  {
    name: 'NDArray.open',
    app: `import { NDArray } from 'blosc-ts';
const array = NDArray.open(INPUT).toArray();
print({ shape: array.shape, dtype: array.dtype, sha256: await sha256(array.data) });`,
    input: () => fixture(B2ND),
    check: (printed) => {
      const files = (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'ndarray', 'manifest.json'), 'utf8')) as {
        files: { b2nd: string; shape: number[]; dtype: string; data_sha256: string }[];
      }).files;
      const entry = files.find((f) => `ndarray/${f.b2nd}` === B2ND)!;
      expect(printed).toEqual({ shape: entry.shape, dtype: entry.dtype, sha256: entry.data_sha256 });
    },
  },
  {
    // The bundle starts workers from worker.js beside it (new URL('./worker.js', import.meta.url)):
    // a bundling app ships dist/browser/worker.js there (and spawn-node.js for Node).
    name: 'compressAsync (workers)',
    app: `import { compressAsync } from 'blosc-ts';
const chunk = await compressAsync(${signal(1 << 19)}, { codec: 'zstd', clevel: 5, nthreads: 2, minParallelNbytes: 0 });
print({ sha256: await sha256(chunk) });`,
    beside: ['worker.js', 'spawn-node.js'],
    // The chunk is byte-identical to the synchronous one whatever nthreads is.
    check: (printed) => expect(printed.sha256).toBe(sha256(compress(signalBytes(1 << 19), { codec: 'zstd', clevel: 5, typesize: 8 }))),
  },
  {
    name: "BloscCodec ('blosc-ts/zarr')",
    app: `import { BloscCodec } from 'blosc-ts/zarr';
const codec = BloscCodec.fromConfig({ id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 }, { dataType: 'float64' });
const chunk = codec.encode(${signal(1 << 16)});
print({ chunk: toBase64(chunk), back: await sha256(codec.decode(chunk)) });`,
    check: (printed) => {
      const chunk = fromBase64(printed.chunk as string);
      // A Blosc1 chunk (what zarr-python reads) of typesize 8, from the data type.
      expect(chunkInfo(chunk)).toMatchObject({ version: 2, codec: 'lz4', typesize: 8 });
      expect(sha256(decompress(chunk))).toBe(sha256(signalBytes(1 << 16)));
      expect(printed.back).toBe(sha256(signalBytes(1 << 16)));
    },
  },
];

/** Helpers every app gets; they import nothing. */
function prelude(input: Uint8Array | undefined): string {
  const inputLine = input === undefined ? '' : `const INPUT = fromBase64(${JSON.stringify(Buffer.from(input).toString('base64'))});`;
  return `
function fromBase64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }
function toBase64(bytes) { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); }
async function sha256(bytes) {
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice());
  return [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
}
function print(value) { console.log(JSON.stringify(value)); }
${inputLine}
`;
}

type Esbuild = typeof import('esbuild');

let dir = '';
let esbuild: Esbuild;
beforeAll(async () => {
  esbuild = (await import('esbuild')) as Esbuild;
  dir = mkdtempSync(join(tmpdir(), 'blosc-ts-bundle-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'blosc-ts'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one-function apps bundled for the browser (esbuild, minified)', () => {
  it('the package and its browser build have been built', () => {
    expect(existsSync(join(ROOT, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(ROOT, 'dist', 'browser', 'worker.js'))).toBe(true);
  });

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s', async (_name, i) => {
    const c = CASES[i]!;
    const caseDir = join(dir, `case${i}`);
    mkdirSync(caseDir);
    const appPath = join(caseDir, 'app.mjs');
    // The import line stays first, as in an app; the helpers follow it.
    const [importLine, ...rest] = c.app.split('\n');
    writeFileSync(appPath, `${importLine}\n${prelude(c.input?.())}\n${rest.join('\n')}\n`);
    const outfile = join(caseDir, 'out', 'app.js');
    const result = await esbuild.build({
      entryPoints: [appPath], bundle: true, platform: 'browser', format: 'esm', minify: true,
      outfile, absWorkingDir: caseDir, logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => w.text)).toEqual([]);
    const bundle = readFileSync(outfile, 'utf8');
    // Self-contained: no import of a package name is left for the runtime to resolve.
    expect(bundle).not.toMatch(/from\s*"(?:blosc-ts|fzstd|pako|snappyjs)"/);
    writeFileSync(join(caseDir, 'out', 'package.json'), '{"type":"module"}');
    const runBundle = () => spawnSync(process.execPath, [outfile], { cwd: caseDir, encoding: 'utf8', timeout: 60_000 });
    if (c.beside !== undefined) {
      const without = runBundle();
      expect(without.status).not.toBe(0);
      for (const file of c.beside) copyFileSync(join(ROOT, 'dist', 'browser', file), join(caseDir, 'out', file));
    }
    const run = runBundle();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    c.check(JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>);
  });
});
