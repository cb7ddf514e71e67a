/**
 * The same package under Node, Deno and Bun: a smoke script (test/runtimes/smoke.mjs) that
 * decodes python-written chunks and frames, round-trips every codec, packs/unpacks a
 * bloscpack file on disk, and decodes and encodes chunks and frames on worker threads.
 * Deno and Bun come from npm (.ci/run installs them); without them the check skips
 * visibly, except in CI where their absence is an error.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
      expect(JSON.parse(last)).toEqual({ ok: true, checks: 21 });
    });
  }
});
