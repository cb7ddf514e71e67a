/**
 * `blosc-ts inspect [FILE|DIR|URL]`: serve the inspector page (dist/inspector/, with the
 * browser build it imports) on 127.0.0.1, and FILE (or the files of DIR: a zarr array or a
 * sparse frame) under /file/ with HTTP range requests, so the page reads it lazily as it
 * would a remote file. A URL is handed to the page, which fetches it itself.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InspectServer {
  readonly server: Server;
  /** The page's address, with `?url=` naming the input when there is one. */
  readonly url: string;
  /** Bytes of the input sent so far (bodies of GET answers under /file/), and requests for it. */
  readonly served: { bytes: number; requests: number };
  close(): Promise<void>;
}

export interface InspectServerOptions {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Where dist/ is (default: next to this module). */
  distDir?: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.json': 'application/json' };

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` of a resource of `size` bytes; null when unsatisfiable or not one range. */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) return null;
  return { start, end };
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string, counted: { bytes: number; requests: number } | null): void {
  const size = statSync(path).size;
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  const range = req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range !== undefined) {
    const r = parseRange(range, size);
    if (r === null) {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
      return;
    }
    ({ start, end } = r);
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['Content-Length'] = end - start + 1;
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return;
  }
  if (counted !== null) {
    counted.requests++;
    counted.bytes += end - start + 1;
  }
  createReadStream(path, { start, end }).pipe(res);
}

/** The file under `root` that `rel` names, or null when it leaves root or does not exist. */
function inside(root: string, rel: string): string | null {
  const full = resolve(root, `.${sep}${normalize(rel)}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  return existsSync(full) && statSync(full).isFile() ? full : null;
}

/** Start the server; `target` is a file, a directory, an http(s) URL or undefined. */
export function startInspectServer(target: string | undefined, options: InspectServerOptions = {}): Promise<InspectServer> {
  const dist = options.distDir ?? join(dirname(fileURLToPath(import.meta.url)), '..');
  const served = { bytes: 0, requests: 0 };
  const remote = target !== undefined && /^https?:\/\//i.test(target);
  const local = target !== undefined && !remote ? resolve(target) : null;
  const isDir = local !== null && statSync(local).isDirectory();
  let host = '';
  const server = createServer((req, res) => {
    // Only pages addressed to this server by its own address (a DNS-rebinding page names another host).
    if (req.headers.host !== host) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden');
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === '/inspector') {
      res.writeHead(302, { Location: '/inspector/' }).end();
      return;
    }
    let file: string | null = null;
    if (path === '/inspector/') file = inside(join(dist, 'inspector'), 'index.html');
    else if (path.startsWith('/inspector/')) file = inside(join(dist, 'inspector'), path.slice('/inspector/'.length));
    else if (path.startsWith('/browser/')) file = inside(join(dist, 'browser'), path.slice('/browser/'.length));
    else if (local !== null && path.startsWith('/file/')) {
      const rel = path.slice('/file/'.length);
      file = isDir ? inside(local, rel) : rel === basename(local) ? local : null;
    }
    if (file === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    sendFile(req, res, file, path.startsWith('/file/') ? served : null);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      host = `127.0.0.1:${port}`;
      const base = `http://127.0.0.1:${port}/inspector/`;
      const input = remote ? target! : local === null ? null : isDir ? '/file/' : `/file/${encodeURIComponent(basename(local))}`;
      resolvePromise({
        server,
        url: input === null ? base : `${base}?url=${encodeURIComponent(input)}`,
        served,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
