/**
 * blosc-ts/zarr in headless Chromium (/usr/bin/chromium via playwright-core): a page served
 * from 127.0.0.1, cross-origin isolated or not, imports dist/zarr.js, decodes chunks that
 * zarr-python wrote with BloscCodec and with BloscWorkerCodec on Web Workers, and writes
 * them again byte for byte. Without a usable Chromium the test skips visibly, except under
 * CI=true where it fails.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { loadZarrManifest, ZARR_FIXTURES } from './support.js';
import { bundleDependencies, chromiumUnusable, inCI, loadPlaywright, runPageModule } from '../runtimes/chromium.js';


function serve(isolated: boolean, deps: Map<string, string>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>zarr</title>');
      return;
    }
    if (path.startsWith('/deps/')) {
      const code = deps.get(path.slice('/deps/'.length, -'.js'.length));
      if (code === undefined) res.writeHead(404, headers).end();
      else res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(code);
      return;
    }
    const file = join(ROOT, path);
    const allowed = path.startsWith('/dist/') || path.startsWith('/fixtures/zarr/') || path === '/test/zarr/browser-page.mjs';
    if (!allowed || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, headers).end();
      return;
    }
    const js = file.endsWith('.js') || file.endsWith('.mjs');
    res.writeHead(200, { ...headers, 'Content-Type': js ? 'text/javascript' : 'application/octet-stream' });
    if (path.startsWith('/dist/') && js) {
      res.end(readFileSync(file, 'utf8').replace(/from '([a-z][^'./:]*)'/g, (all, dep: string) => (deps.has(dep) ? `from '/deps/${dep}.js'` : all)));
    } else {
      res.end(readFileSync(file));
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, base: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}` });
    });
  });
}

/** A few chunk files of each plain fixture, with the config and data type to read them. */
function chunkList(): Array<{ path: string; config: unknown; dataType: string }> {
  const list: Array<{ path: string; config: unknown; dataType: string }> = [];
  for (const f of loadZarrManifest().arrays.filter((a) => !a.shards)) {
    const root = join(ZARR_FIXTURES, f.path);
    const config = f.zarr_format === 2 ? f.config : f.codecs!.find((c) => c.name === 'blosc')!.configuration;
    const dataType = f.zarr_format === 2 ? f.dtype : (JSON.parse(readFileSync(join(root, 'zarr.json'), 'utf8')) as { data_type: string }).data_type;
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (!name.startsWith('.') && name !== 'zarr.json') files.push(p);
      }
    };
    walk(root);
    for (const p of files.slice(0, 2)) list.push({ path: `/${p.slice(ROOT.length + 1)}`, config, dataType });
  }
  return list;
}

const playwright = await loadPlaywright();
const unusable = chromiumUnusable(playwright, join('dist', 'zarr.js'));

describe('blosc-ts/zarr in headless Chromium', () => {
  if (unusable !== null) {
    const why = unusable;
    if (inCI) {
      it('Chromium runs in CI', () => {
        throw new Error(why);
      });
    } else {
      console.warn(`[skip] zarr browser check: ${why}`);
      it.skip(`zarr browser check (${why})`, () => undefined);
    }
    return;
  }
  const servers: Server[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'blosc-ts-zarr-chromium-'));
  afterAll(() => {
    for (const s of servers) s.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it.for([[true], [false]] as const)('decodes and re-encodes zarr-python chunks, on the page and on Web Workers (COOP/COEP: %s)', async ([isolated], ctx) => {
    const { server, base } = await serve(isolated, await bundleDependencies());
    servers.push(server);
    const chunks = chunkList();
    expect(chunks.length).toBeGreaterThan(20);
    const ran = await runPageModule<{ isolated: boolean; checks: Record<string, boolean>; workers: number }>(
      playwright!, join(profile, String(isolated)), base, '/test/zarr/browser-page.mjs', [chunks],
    );
    if (ran === null) {
      ctx.skip();
      return;
    }
    const { report, errors } = ran;
    expect(errors).toEqual([]);
    expect(report.isolated).toBe(isolated);
    expect(report.workers).toBeGreaterThan(0);
    expect(Object.keys(report.checks).length).toBe(2 * chunks.length);
    expect(Object.entries(report.checks).filter(([, ok]) => !ok)).toEqual([]);
  });
});
