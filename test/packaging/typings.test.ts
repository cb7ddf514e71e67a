/**
 * The built typings (dist/*.d.ts) as a consumer project sees them, compiled with the
 * TypeScript the project builds with and with TypeScript 5.0 (the oldest the README
 * promises), without skipLibCheck so every declaration file reached is checked:
 * - `blosc-ts` alone needs no @types/node; `blosc-ts/node` compiles with it;
 * - codec options complete known names and reject a misspelt one ('brotli'), and a user
 *   codec's name joins them through declaration merging on `CodecNames`.
 * TypeScript 5.0 lives apart from node_modules/.bin (its `tsc` would shadow the project's):
 * .ci/run installs it with `npm install --prefix node_modules/.old-typescript typescript@5.0.4`.
 * Without it that half skips visibly, except under CI=true where it fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const CURRENT_TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const OLD_TSC = join(ROOT, 'node_modules', '.old-typescript', 'node_modules', 'typescript', 'bin', 'tsc');

/** A consumer of the main entry: no Node types, every public piece used in a typed way. */
const MAIN_APP = `
import {
  compress, decompress, compressAsync, chunkInfo, registerCodec, SChunk, NDArray, CFrame, bloscpack,
  BloscError, type CodecName, type CompressOptions, type Codec,
} from 'blosc-ts';

declare module 'blosc-ts' {
  interface CodecNames {
    mycodec: true;
  }
}

const data = new Float64Array(1000);
export const chunk: Uint8Array = compress(data, { codec: 'zstd', clevel: 5, shuffle: 'bitshuffle' });
export const back: Uint8Array = decompress(chunk);
export const info = chunkInfo(chunk).nbytes;
export const later: Promise<Uint8Array> = compressAsync(data, { codec: 'lz4', nthreads: 2 });
export const byId = compress(data, { codec: 5 });
export const named: CodecName = 'lz4hc';
export const options: CompressOptions = { codec: 'blosclz' };
// A user codec registers by id and name; its name type-checks once merged into CodecNames.
declare const mine: Codec;
registerCodec(mine);
export const merged = compress(data, { codec: 'mycodec' });
// @ts-expect-error: 'brotli' is not a codec name
export const misspelt = compress(data, { codec: 'brotli' });
export const schunk = new SChunk({ chunksize: 8000, typesize: 8 });
export const kinds = [NDArray, CFrame, BloscError, bloscpack.packBytes];
`;

/** A consumer of the Node entry, with @types/node. */
const NODE_APP = `
import { FileSource, bloscpackPackFile } from 'blosc-ts/node';
import { SChunk } from 'blosc-ts';
export const schunk = SChunk.open(new FileSource('data.b2frame'));
export const done: Promise<unknown> = bloscpackPackFile('in.bin', 'out.blp');
`;

/** The same misspelling without the directive: the compiler must name it. */
const MISSPELT_APP = `
import { compress } from 'blosc-ts';
export const misspelt = compress(new Uint8Array(8), { codec: 'brotli' });
`;

function tsconfig(file: string, types: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types,
      strict: true, noEmit: true, skipLibCheck: false,
    },
    files: [file],
  });
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'blosc-ts-typings-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'blosc-ts'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(join(dir, 'main.ts'), MAIN_APP);
  writeFileSync(join(dir, 'node.ts'), NODE_APP);
  writeFileSync(join(dir, 'misspelt.ts'), MISSPELT_APP);
  writeFileSync(join(dir, 'tsconfig.main.json'), tsconfig('main.ts', []));
  writeFileSync(join(dir, 'tsconfig.node.json'), tsconfig('node.ts', ['node']));
  writeFileSync(join(dir, 'tsconfig.misspelt.json'), tsconfig('misspelt.ts', []));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tsc(compiler: string, project: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [compiler, '-p', project], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

const compilers: [string, string | undefined][] = [
  ['the project TypeScript', CURRENT_TSC],
  ['TypeScript 5.0.4', existsSync(OLD_TSC) ? OLD_TSC : undefined],
];

describe('typings of the built package', () => {
  it('dist has been built', () => {
    expect(existsSync(join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
  });

  for (const [name, compiler] of compilers) {
    if (compiler === undefined) {
      const why = `${name} is not installed (npm install --prefix node_modules/.old-typescript typescript@5.0.4)`;
      if (process.env.CI === 'true') {
        it(`${name} is installed in CI`, () => {
          throw new Error(`${why}: .ci/run installs it`);
        });
      } else {
        console.warn(`[skip] typings under ${why}`);
        it.skip(`typings under ${name} (not installed)`, () => undefined);
      }
      continue;
    }

    it(`${name}: a consumer of 'blosc-ts' compiles without @types/node, user codec names merge in`, () => {
      expect(tsc(compiler, 'tsconfig.main.json')).toEqual({ status: 0, out: '' });
    });

    it(`${name}: a consumer of 'blosc-ts/node' compiles`, () => {
      expect(tsc(compiler, 'tsconfig.node.json')).toEqual({ status: 0, out: '' });
    });

    it(`${name}: a misspelt codec name is a type error`, () => {
      const r = tsc(compiler, 'tsconfig.misspelt.json');
      expect(r.status).not.toBe(0);
      expect(r.out).toMatch(/misspelt\.ts\(3,\d+\): error TS2322: Type '"brotli"' is not assignable/);
      expect(r.out.split('\n')).toHaveLength(1);
    });
  }
});
