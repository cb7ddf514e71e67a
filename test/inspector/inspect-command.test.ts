/**
 * `blosc-ts inspect`, run as a user runs it (the built dist/cli/main.js): it prints the
 * page's address on 127.0.0.1, serves the page, the browser build and the file with range
 * requests, and stops on Ctrl-C (SIGINT) with status 0.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/cli/inspect.js';
import { ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const FILE = join(ROOT, 'fixtures', 'frames', 'b2nd.f32.b2nd');

describe('blosc-ts inspect', () => {
  it('serves the page and the file with ranges until Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'inspect', FILE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const address = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address printed: ${out}`)), 20_000);
        child.stdout.on('data', (s: string) => {
          out += s;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/inspector\/\S*)/.exec(out);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const url = new URL(address);
      expect(url.searchParams.get('url')).toBe('/file/b2nd.f32.b2nd');
      const page = await fetch(address);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('blosc-ts inspector');
      const app = await fetch(new URL('/inspector/app.js', address));
      expect(app.status).toBe(200);
      expect(await app.text()).toContain('../browser/blosc-ts.js');
      expect((await fetch(new URL('/browser/blosc-ts.js', address))).status).toBe(200);
      const bytes = readFileSync(FILE);
      const part = await fetch(new URL('/file/b2nd.f32.b2nd', address), { headers: { Range: 'bytes=100-299' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 100-299/${bytes.length}`);
      expect(new Uint8Array(await part.arrayBuffer())).toEqual(new Uint8Array(bytes.subarray(100, 300)));
      const head = await fetch(new URL('/file/b2nd.f32.b2nd', address), { method: 'HEAD' });
      expect(head.headers.get('content-length')).toBe(String(bytes.length));
      expect(head.headers.get('accept-ranges')).toBe('bytes');
      expect((await fetch(new URL('/file/b2nd.f32.b2nd', address), { headers: { Range: `bytes=${bytes.length}-` } })).status).toBe(416);
      // Nothing outside the page, the build and the file.
      expect((await fetch(new URL('/file/..%2F..%2Fpackage.json', address))).status).toBe(404);
      expect((await fetch(new URL('/cli/main.js', address))).status).toBe(404);
      // Another name for this address (as a DNS-rebinding page would use) is refused.
      const status = await new Promise<number>((resolve, reject) => {
        get({ host: '127.0.0.1', port: url.port, path: '/file/b2nd.f32.b2nd', headers: { Host: `rebound.example:${url.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(status).toBe(403);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('parses single byte ranges as servers do', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=95-200', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBeNull();
    expect(parseRange('bytes=5-2', 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });
});
