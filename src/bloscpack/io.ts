/**
 * Byte sources and sinks for bloscpack packing and unpacking (the roles of bloscpack's
 * `PlainSource`, `CompressedSource`, `PlainSink` and `CompressedSink`), with the
 * in-memory and Web Streams implementations. Node files live in `./node.js` so that
 * browser bundles never see `node:fs`.
 */
import { BloscErrorCode, fail } from '../errors.js';

/** Sequential reader. */
export interface ByteSource {
  /** Total length if known in advance (packing needs it to fill the header). */
  readonly size: number | undefined;
  /**
   * The next `length` bytes; fewer only at the end of the input. The returned array may be
   * reused by the next call, so copy what must outlive it.
   */
  read(length: number): Promise<Uint8Array>;
  /** Release resources; called once whatever happens. */
  close?(): Promise<void>;
}

/** Sequential writer; `writeAt` when the destination can patch earlier bytes. */
export interface ByteSink {
  write(data: Uint8Array): Promise<void>;
  /** Overwrite bytes already written at `position` (the offsets section after packing). */
  writeAt?(position: number, data: Uint8Array): Promise<void>;
  /** Everything went well: make the output visible. */
  close(): Promise<void>;
  /** Something failed: discard the output (no partial file is left behind). */
  abort(reason: unknown): Promise<void>;
}

/** Reads from a byte array without copying. */
export function memorySource(bytes: Uint8Array): ByteSource {
  let pos = 0;
  return {
    size: bytes.length,
    read(length: number): Promise<Uint8Array> {
      const end = Math.min(bytes.length, pos + length);
      const out = bytes.subarray(pos, end);
      pos = end;
      return Promise.resolve(out);
    },
  };
}

/** Collects output in memory; `result()` is the bytes once closed. */
export class MemorySink implements ByteSink {
  private buf = new Uint8Array(1024);
  private len = 0;
  private closed = false;

  private ensure(end: number): void {
    if (end <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < end) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  write(data: Uint8Array): Promise<void> {
    this.ensure(this.len + data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return Promise.resolve();
  }

  writeAt(position: number, data: Uint8Array): Promise<void> {
    if (position < 0 || position + data.length > this.len) fail(BloscErrorCode.WriteBuffer, `patch at ${position} is outside the ${this.len} bytes written`);
    this.buf.set(data, position);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  abort(): Promise<void> {
    this.len = 0;
    this.buf = new Uint8Array(0);
    return Promise.resolve();
  }

  /** The bytes written; throws if the sink was not closed successfully. */
  result(): Uint8Array {
    if (!this.closed) fail(BloscErrorCode.WriteBuffer, 'memory sink was not closed');
    return this.buf.slice(0, this.len);
  }
}

/**
 * Reads a `ReadableStream` of byte chunks. `size` is the total length when known (needed
 * to pack; unpacking does not need it).
 */
export function readableStreamSource(stream: ReadableStream<Uint8Array>, size?: number): ByteSource {
  const reader = stream.getReader();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let done = false;
  return {
    size,
    async read(length: number): Promise<Uint8Array> {
      while (pendingBytes < length && !done) {
        const r = await reader.read();
        if (r.done) {
          done = true;
        } else if (r.value.length > 0) {
          pending.push(r.value);
          pendingBytes += r.value.length;
        }
      }
      const n = Math.min(length, pendingBytes);
      const out = new Uint8Array(n);
      let filled = 0;
      const rest: Uint8Array[] = [];
      for (let i = 0; i < pending.length; i++) {
        const part = pending[i]!;
        if (filled < n) {
          const take = Math.min(part.length, n - filled);
          out.set(part.subarray(0, take), filled);
          filled += take;
          if (take < part.length) rest.push(part.subarray(take));
        } else {
          rest.push(part);
        }
      }
      pending = rest;
      pendingBytes -= n;
      return out;
    },
    async close(): Promise<void> {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    },
  };
}

/** Writes to a `WritableStream`; abort() aborts the stream. Cannot patch, so it has no writeAt. */
export function writableStreamSink(stream: WritableStream<Uint8Array>): ByteSink {
  const writer = stream.getWriter();
  return {
    async write(data: Uint8Array): Promise<void> {
      // The stream may hold on to the array, and callers reuse theirs.
      await writer.write(data.slice());
    },
    async close(): Promise<void> {
      await writer.close();
    },
    async abort(reason: unknown): Promise<void> {
      await writer.abort(reason).catch(() => undefined);
    },
  };
}

/** Read exactly `length` bytes or fail with ReadBuffer naming `what`. */
export async function readExactly(source: ByteSource, length: number, what: string, offset: number): Promise<Uint8Array> {
  const b = await source.read(length);
  if (b.length !== length) fail(BloscErrorCode.ReadBuffer, `${what}: input ends after ${b.length} of ${length} bytes at ${offset}`, { offset });
  return b;
}
