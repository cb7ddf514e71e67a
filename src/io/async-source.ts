/**
 * Asynchronous frame sources that run in browsers as well as in Node, Deno and Bun: a
 * `Blob` (or `File`) read through `slice().arrayBuffer()`, and a URL read with HTTP range
 * requests. Both read only the ranges asked for, so opening a large remote frame and
 * reading one chunk transfers the header, offsets index, trailer and that chunk.
 */
import { BloscErrorCode, fail, toBloscError } from '../errors.js';
import { checkRange, type AsyncFrameSource } from './source.js';

/** A frame inside a `Blob` or `File`. */
export class BlobSource implements AsyncFrameSource {
  readonly size: number;

  constructor(readonly blob: Blob) {
    this.size = blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.blob.slice(offset, offset + length).arrayBuffer();
    } catch (e) {
      // A File whose underlying file changed or vanished rejects with NotReadableError.
      throw toBloscError(e, BloscErrorCode.FileRead, `cannot read ${length} bytes at ${offset} of the blob`);
    }
    if (buffer.byteLength !== length) {
      fail(BloscErrorCode.FileRead, `blob read at ${offset} returned ${buffer.byteLength} bytes, ${length} were asked for`, { offset });
    }
    return new Uint8Array(buffer);
  }
}

/** The fetch function's type, without depending on one runtime's declaration. */
export type FetchFunction = (input: string, init: { method: string; headers: Headers }) => Promise<Response>;

export interface HttpRangeSourceOptions {
  /** The fetch to use; default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** Headers sent with every request (authorization, for example). */
  headers?: HeadersInit;
  /**
   * A server that ignores `Range` answers with the whole resource (status 200). Such a body
   * is accepted and kept in memory only when the resource is at most this many bytes
   * (default 1 MiB); larger ones are refused rather than downloaded whole.
   */
  maxFullBody?: number;
}

const DEFAULT_MAX_FULL_BODY = 1 << 20;

/** A parsed `Content-Range` (`bytes a-b/total`, or `bytes *` then `/total`); `total` is null when unknown. */
interface ContentRange {
  readonly start: number | null;
  readonly end: number | null;
  readonly total: number | null;
}

function parseContentRange(value: string | null): ContentRange | null {
  if (value === null) return null;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (m === null) return null;
  const num = (s: string | undefined): number | null => {
    if (s === undefined || s === '*') return null;
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : null;
  };
  return { start: num(m[1]), end: num(m[2]), total: num(m[3]) };
}

/** A `Content-Length` that is a plain non-negative safe integer, else null. */
function parseLength(value: string | null): number | null {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** True when the body arrives as stored (byte ranges and lengths then refer to the resource). */
function identityEncoded(res: Response): boolean {
  const enc = res.headers.get('content-encoding');
  return enc === null || enc.trim() === '' || enc.trim().toLowerCase() === 'identity';
}

async function discardBody(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Nothing to keep from a body we are walking away from.
  }
}

/**
 * The whole body, refusing (and cancelling the transfer) past `cap` bytes, so a server that
 * sends more than it was asked for cannot make us buffer it.
 */
async function readBodyCapped(res: Response, cap: number, what: string): Promise<Uint8Array> {
  const body = res.body;
  if (body === null) return new Uint8Array(0);
  const out = new Uint8Array(cap);
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.length > cap - total) {
        await reader.cancel().catch(() => undefined);
        fail(BloscErrorCode.FileRead, `${what}: the server sent more than the ${cap} bytes asked for`);
      }
      out.set(value, total);
      total += value.length;
    }
  } catch (e) {
    throw toBloscError(e, BloscErrorCode.FileRead, `${what}: transfer failed`);
  }
  return out.subarray(0, total);
}

function httpError(res: Response, what: string): never {
  return fail(BloscErrorCode.FileRead, `${what}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
}

/**
 * A frame at a URL, read with HTTP range requests (`Range: bytes=a-b`). The size comes
 * from a `HEAD` request's `Content-Length`, or from the `Content-Range` of a ranged `GET`
 * when `HEAD` is refused. Every response is checked: status 206, the range and total the
 * request implies, the ETag first seen (when the server sends one), and exactly the
 * requested number of bytes.
 *
 * In browsers a cross-origin server must allow the `Range` request header and, when it
 * does not answer `HEAD`, expose `Content-Range` (`Access-Control-Expose-Headers`).
 */
export class HttpRangeSource implements AsyncFrameSource {
  private constructor(
    readonly url: string,
    readonly size: number,
    private readonly fetchFn: FetchFunction,
    private readonly headers: Headers,
    private readonly maxFullBody: number,
    /** The whole resource, once a server that ignores `Range` has sent it. */
    private whole: Uint8Array | null,
    /** The resource's ETag when the server gave one: every later answer must carry the same. */
    private readonly etag: string | null,
  ) {}

  /** The first whole-resource body being read, shared by requests that were already under way. */
  private wholePending: Promise<Uint8Array> | null = null;

  /** Find the size of the resource at `url` (one request, two if `HEAD` is refused). */
  static async open(url: string | URL, options: HttpRangeSourceOptions = {}): Promise<HttpRangeSource> {
    const href = String(url);
    // Bound: browsers refuse a fetch called as a method of another object ("Illegal invocation").
    const fetchFn = options.fetch ?? (typeof globalThis.fetch === 'function' ? (globalThis.fetch.bind(globalThis) as FetchFunction) : undefined);
    if (typeof fetchFn !== 'function') fail(BloscErrorCode.InvalidParam, 'no fetch function is available; pass one in options.fetch');
    const maxFullBody = options.maxFullBody ?? DEFAULT_MAX_FULL_BODY;
    if (!Number.isSafeInteger(maxFullBody) || maxFullBody < 0) fail(BloscErrorCode.InvalidParam, `maxFullBody must be a non-negative integer, got ${maxFullBody}`);
    const headers = (): Headers => new Headers(options.headers);

    // HEAD first: no body, and Content-Length is readable even across origins.
    try {
      const res = await fetchFn(href, { method: 'HEAD', headers: headers() });
      const length = parseLength(res.headers.get('content-length'));
      await discardBody(res);
      if (res.status === 200 && length !== null && identityEncoded(res)) {
        return new HttpRangeSource(href, length, fetchFn, headers(), maxFullBody, null, res.headers.get('etag'));
      }
    } catch {
      // Some servers and signed URLs refuse HEAD; the ranged GET below decides.
    }

    const what = `${href} (size probe)`;
    const probe = headers();
    probe.set('Range', 'bytes=0-0');
    let res: Response;
    try {
      res = await fetchFn(href, { method: 'GET', headers: probe });
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FileRead, `cannot fetch ${href}`);
    }
    if (res.status === 206 || res.status === 416) {
      const range = parseContentRange(res.headers.get('content-range'));
      await discardBody(res);
      if (range === null || range.total === null) {
        fail(BloscErrorCode.FileRead, `${what}: no total size in Content-Range (a cross-origin server must expose it)`);
      }
      return new HttpRangeSource(href, range.total, fetchFn, headers(), maxFullBody, null, res.headers.get('etag'));
    }
    if (res.status === 200) {
      // Range ignored: the body is the whole resource. Keep it only when it is small.
      const length = parseLength(res.headers.get('content-length'));
      if (length === null || length > maxFullBody || !identityEncoded(res)) {
        await discardBody(res);
        fail(BloscErrorCode.FileRead, `${what}: the server ignores Range requests and sends the whole resource (${length ?? 'unknown'} bytes); refusing to download more than ${maxFullBody} bytes whole`);
      }
      const body = await readBodyCapped(res, length, what);
      if (body.length !== length) fail(BloscErrorCode.FileRead, `${what}: the body holds ${body.length} bytes, Content-Length says ${length}`);
      return new HttpRangeSource(href, length, fetchFn, headers(), maxFullBody, body, res.headers.get('etag'));
    }
    await discardBody(res);
    return httpError(res, `cannot fetch ${href}`);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    if (this.whole !== null) return this.whole.slice(offset, offset + length);
    if (length === 0) return new Uint8Array(0);
    const last = offset + length - 1;
    const what = `${this.url} bytes ${offset}-${last}`;
    const headers = new Headers(this.headers);
    headers.set('Range', `bytes=${offset}-${last}`);
    let res: Response;
    try {
      res = await this.fetchFn(this.url, { method: 'GET', headers });
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FileRead, `cannot fetch ${what}`);
    }

    if (res.status === 200) return this.readWhole(res, offset, length, what);
    if (res.status !== 206) {
      await discardBody(res);
      return httpError(res, `cannot fetch ${what}`);
    }
    this.checkEtag(res, what, offset);
    const range = parseContentRange(res.headers.get('content-range'));
    // Cross-origin responses may hide Content-Range; the body length is checked regardless.
    if (range !== null && (range.start !== offset || range.end !== last || (range.total !== null && range.total !== this.size))) {
      await discardBody(res);
      fail(BloscErrorCode.FileRead, `${what}: the server answered with Content-Range '${res.headers.get('content-range')}' (the resource has ${this.size} bytes)`, { offset });
    }
    if (!identityEncoded(res)) {
      await discardBody(res);
      fail(BloscErrorCode.FileRead, `${what}: the range came back content-encoded (${res.headers.get('content-encoding')})`, { offset });
    }
    const declared = parseLength(res.headers.get('content-length'));
    if (declared !== null && declared !== length) {
      await discardBody(res);
      fail(BloscErrorCode.FileRead, `${what}: Content-Length ${declared} differs from the ${length} bytes asked for`, { offset });
    }
    const body = await readBodyCapped(res, length, what);
    if (body.length !== length) fail(BloscErrorCode.FileRead, `${what}: the response holds ${body.length} bytes, ${length} were asked for`, { offset });
    return body;
  }

  /** Ranges of a resource that changed since it was opened would not fit together. */
  private checkEtag(res: Response, what: string, offset: number): void {
    const etag = res.headers.get('etag');
    if (this.etag !== null && etag !== null && etag !== this.etag) {
      void discardBody(res);
      fail(BloscErrorCode.FileRead, `${what}: the resource changed since it was opened (ETag ${this.etag} → ${etag})`, { offset });
    }
  }

  /** A status-200 answer to a ranged request: the server sent (or is sending) everything. */
  private async readWhole(res: Response, offset: number, length: number, what: string): Promise<Uint8Array> {
    this.checkEtag(res, what, offset);
    const declared = parseLength(res.headers.get('content-length'));
    if (this.size > this.maxFullBody || (declared !== null && declared !== this.size) || !identityEncoded(res)) {
      await discardBody(res);
      fail(BloscErrorCode.FileRead, `${what}: the server ignores Range requests and sends the whole ${this.size}-byte resource; refusing to download more than ${this.maxFullBody} bytes whole`, { offset });
    }
    if (this.wholePending !== null) {
      await discardBody(res);
    } else {
      this.wholePending = readBodyCapped(res, this.size, what).then((body) => {
        if (body.length !== this.size) fail(BloscErrorCode.FileRead, `${what}: the full response holds ${body.length} bytes, the resource has ${this.size}`, { offset });
        this.whole = body;
        return body;
      });
      // A failed download may be retried by a later read.
      this.wholePending.catch(() => {
        this.wholePending = null;
      });
    }
    const body = await this.wholePending;
    return body.slice(offset, offset + length);
  }
}
