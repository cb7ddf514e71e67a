/**
 * The same package under Node, Deno and Bun: a smoke script (test/runtimes/smoke.mjs) that
 * decodes python-written chunks and frames, round-trips every codec, packs/unpacks a
 * bloscpack file on disk, and decodes and encodes chunks and frames on worker threads.
 * Deno and Bun come from npm (.ci/run installs them); without them the check skips
 * visibly, except in CI where their absence is an error.
 *
 * Deno also imports the browser build (dist/browser/) copied alone into a temporary
 * directory, with no node_modules and no npm or remote imports allowed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const SMOKE = join(ROOT, 'test', 'runtimes', 'smoke.mjs');

interface Runtime {
  name: string;
  command: string | undefined;
  args: string[];
}

function bin(name: string): string | undefined {
  const p = join(ROOT, 'node_modules', '.bin', name);
  return existsSync(p) ? p : undefined;
}

const runtimes: Runtime[] = [
  { name: 'node', command: process.execPath, args: [SMOKE] },
  { name: 'bun', command: bin('bun'), args: [SMOKE] },
  { name: 'deno', command: bin('deno'), args: ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-sys', SMOKE] },
];

describe('runtimes', () => {
  for (const rt of runtimes) {
    if (rt.command === undefined) {
      if (process.env.CI === 'true') {
        it(`${rt.name} is installed in CI`, () => {
          throw new Error(`${rt.name} missing from node_modules/.bin: .ci/run installs it from npm`);
        });
      } else {
        console.warn(`[skip] ${rt.name} smoke run: not installed (npm install --no-save ${rt.name})`);
        it.skip(`${rt.name} smoke run (not installed)`, () => undefined);
      }
      continue;
    }
    it(`${rt.name} runs the built package`, () => {
      const r = spawnSync(rt.command!, rt.args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr.includes('check failed') ? r.stderr : '').toBe('');
      expect(r.status).toBe(0);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      expect(JSON.parse(last)).toEqual({ ok: true, checks: 23 });
    });
  }
});

/** Run by Deno beside the browser build: every codec, a python-written chunk, and workers. */
const BROWSER_BUILD_SCRIPT = `
import * as api from './blosc-ts.js';
const sha256 = async (b) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b.slice()))]
  .map((x) => x.toString(16).padStart(2, '0')).join('');
const checks = {};
const fixture = JSON.parse(await Deno.readTextFile('./fixture.json'));
const chunk = await Deno.readFile('./fixture.bin');
checks['python-written chunk'] = (await sha256(api.decompress(chunk))) === fixture.sha256;
const data = new Float64Array(1 << 19).map((_, i) => Math.sin(i / 300) * 1000);
const bytes = new Uint8Array(data.buffer);
for (const codec of ['blosclz', 'lz4', 'lz4hc', 'zlib', 'zstd', 'snappy']) {
  const format = codec === 'snappy' ? 'blosc1' : 'blosc2';
  const c = api.compress(data, { codec, format });
  checks['round trip ' + codec] = (await sha256(api.decompress(c))) === (await sha256(bytes));
}
const c = await api.compressAsync(data, { codec: 'zstd', nthreads: 2, minParallelNbytes: 0 });
checks['compressAsync = compress'] = (await sha256(c)) === (await sha256(api.compress(data, { codec: 'zstd' })));
const back = await api.decompressAsync(c, undefined, { nthreads: 2, minParallelNbytes: 0 });
checks['decompressAsync'] = (await sha256(back)) === (await sha256(bytes));
api.shutdownPool();
console.log(JSON.stringify(checks));
`;

describe('the browser build under Deno, from a directory without node_modules', () => {
  const deno = runtimes.find((r) => r.name === 'deno')!.command;
  if (deno === undefined) {
    if (process.env.CI === 'true') {
      it('deno is installed in CI', () => {
        throw new Error('deno missing from node_modules/.bin: .ci/run installs it from npm');
      });
    } else {
      it.skip('deno imports dist/browser/blosc-ts.js (not installed)', () => undefined);
    }
    return;
  }
  it('deno imports dist/browser/blosc-ts.js and runs every codec and its workers', () => {
    const browserDir = join(ROOT, 'dist', 'browser');
    expect(existsSync(join(browserDir, 'blosc-ts.js'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-deno-'));
    try {
      for (const file of readdirSync(browserDir)) copyFileSync(join(browserDir, file), join(dir, file));
      const manifest = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'manifest.json'), 'utf8')) as {
        files: { path: string; params: { codec: string }; decoded: { length: number; sha256: string } }[];
      };
      const f = manifest.files.find((x) => x.params.codec === 'zstd' && x.decoded.length > 10000)!;
      copyFileSync(join(ROOT, 'fixtures', f.path), join(dir, 'fixture.bin'));
      writeFileSync(join(dir, 'fixture.json'), JSON.stringify(f.decoded));
      writeFileSync(join(dir, 'main.js'), BROWSER_BUILD_SCRIPT);
      expect(existsSync(join(dir, 'node_modules'))).toBe(false);
      const r = spawnSync(deno, ['run', '--no-remote', '--no-npm', '--no-config', `--allow-read=${dir}`, 'main.js'], {
        cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const checks = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, boolean>;
      expect(Object.keys(checks)).toHaveLength(9);
      expect(Object.entries(checks).filter(([, ok]) => !ok)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
