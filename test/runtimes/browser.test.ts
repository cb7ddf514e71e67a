/**
 * The built package in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): a page served from 127.0.0.1 imports dist/index.js, decodes a
 * python-written chunk and frames on Web Workers (nthreads 2), encodes a chunk with them,
 * and checks the bytes with crypto.subtle's sha256. The page is served twice: with
 * COOP/COEP headers (cross-origin isolated, so shared memory) and without (transfers).
 * A second page imports the self-contained browser build, dist/browser/blosc-ts.js, from
 * the same server with nothing rewritten (no import map, no bundling): it decodes every
 * codec, and decodes and encodes on Web Workers started from dist/browser/worker.js.
 * Without a usable Chromium the test skips visibly, except under CI=true where it fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { bundleDependencies, CHROMIUM, inCI, loadPlaywright, runPageModule } from './chromium.js';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.html': 'text/html',
};

const PAGE = '<!doctype html><meta charset="utf-8"><title>blosc-ts</title><p>blosc-ts browser check</p>';

const PAGE_SCRIPTS = ['/test/runtimes/browser-page.mjs', '/test/runtimes/browser-bundle-page.mjs'];

/**
 * Serve dist/, fixtures/, the page scripts (and a blank page at /) from 127.0.0.1, isolated
 * or not; every path asked for is added to `requested`. With an empty `deps` the files go
 * out as they are.
 */
function serve(isolated: boolean, deps: Map<string, string>, requested: string[] = []): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    requested.push(path);
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(PAGE);
      return;
    }
    if (path.startsWith('/deps/')) {
      const code = deps.get(path.slice('/deps/'.length, -'.js'.length));
      if (code === undefined) res.writeHead(404, headers).end();
      else res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(code);
      return;
    }
    const file = join(ROOT, path);
    const allowed = path.startsWith('/dist/') || path.startsWith('/fixtures/') || PAGE_SCRIPTS.includes(path);
    if (!allowed || !existsSync(file)) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    if (deps.size > 0 && path.startsWith('/dist/') && file.endsWith('.js')) {
      res.end(readFileSync(file, 'utf8').replace(/from '([a-z][^'./:]*)'/g, (all, dep: string) => (deps.has(dep) ? `from '/deps/${dep}.js'` : all)));
    } else {
      res.end(readFileSync(file));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      resolve({ server, base: `http://127.0.0.1:${port}` });
    });
  });
}

interface PageReport {
  isolated: boolean;
  shared: boolean;
  checks: Record<string, boolean>;
  workers: number;
}

const playwright = await loadPlaywright();
const usable = playwright !== null && existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist', 'index.js'));

describe('browser (headless Chromium)', () => {
  if (!usable) {
    const why = playwright === null ? 'playwright-core is not installed' : `${CHROMIUM} is missing (apt-get install chromium)`;
    if (inCI) {
      it('Chromium runs in CI', () => {
        throw new Error(`${why}: .ci/run installs it`);
      });
    } else {
      console.warn(`[skip] browser check: ${why}`);
      it.skip(`browser check (${why})`, () => undefined);
    }
    return;
  }

  const servers: Server[] = [];
  let profile = '';
  let deps = new Map<string, string>();
  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'blosc-ts-chromium-'));
    deps = await bundleDependencies();
  });
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it.for([[true], [false]] as const)('decodes and encodes with Web Workers (COOP/COEP: %s)', async ([isolated], ctx) => {
    const { server, base } = await serve(isolated, deps);
    servers.push(server);
    const ran = await runPageModule<PageReport>(playwright!, join(profile, String(isolated)), base, '/test/runtimes/browser-page.mjs');
    if (ran === null) {
      ctx.skip();
      return;
    }
    const { report, errors } = ran;
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(isolated);
    expect(report.shared).toBe(isolated);
    expect(report.workers).toBeGreaterThan(0);
    expect(Object.keys(report.checks).length).toBeGreaterThanOrEqual(5);
    expect(Object.entries(report.checks).filter(([, ok]) => !ok)).toEqual([]);
  });

  it.for([[true], [false]] as const)('the browser build from a plain static server, with Web Workers (COOP/COEP: %s)', async ([isolated], ctx) => {
    const requested: string[] = [];
    const { server, base } = await serve(isolated, new Map(), requested);
    servers.push(server);
    const ran = await runPageModule<Omit<PageReport, 'shared' | 'workers'>>(playwright!, join(profile, `bundle-${isolated}`), base, '/test/runtimes/browser-bundle-page.mjs');
    if (ran === null) {
      ctx.skip();
      return;
    }
    const { report, errors } = ran;
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(isolated);
    expect(Object.keys(report.checks).length).toBeGreaterThanOrEqual(12);
    expect(Object.entries(report.checks).filter(([, ok]) => !ok)).toEqual([]);
    // Everything came from the browser build: its one module, and the worker beside it.
    const scripts = new Set(requested.filter((p) => p.startsWith('/dist/')));
    expect([...scripts].sort()).toEqual(['/dist/browser/blosc-ts.js', '/dist/browser/worker.js']);
  });
});
