/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) abstract_io.py; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The steps bloscpack's `pack`/`unpack` loops take over their sources and sinks
 * (abstract_io.py), as generators that ask for reads, writes and patches; small drivers run
 * them synchronously over byte arrays and file descriptors (`runSync`) or asynchronously over
 * sources and sinks (`runAsync`), so the format logic is written once and files and streams
 * never need to fit in memory.
 */
import { BloscError, BloscErrorCode, fail } from '../errors.js';
import { readExactly, type ByteSink, type ByteSource, type MemorySink } from './io.js';

/** Progress of a pack or unpack: chunks done, and chunks in all (-1 when the file does not say). */
export type ProgressCallback = (done: number, total: number) => void;

/** A step a generator asks its driver to perform: read, append, or patch bytes already written. */
export type Step =
  | { readonly kind: 'read'; readonly length: number; readonly what: string; readonly exact: boolean }
  | { readonly kind: 'write'; readonly data: Uint8Array }
  | { readonly kind: 'patch'; readonly position: number; readonly data: Uint8Array };

/** A generator of steps that returns `T`; each read step is answered with the bytes read. */
export type Steps<T> = Generator<Step, T, Uint8Array | undefined>;

/** Ask for exactly `length` bytes; the driver throws a `ReadBuffer` error into the generator if the input ends first. */
export function* readStep(length: number, what: string): Steps<Uint8Array> {
  const b = yield { kind: 'read', length, what, exact: true };
  return b!;
}

/** Like readStep, but may return fewer bytes at the end of the input. */
export function* readSomeStep(length: number, what: string): Steps<Uint8Array> {
  const b = yield { kind: 'read', length, what, exact: false };
  return b!;
}

/** A synchronous sequential reader: the next `length` bytes, fewer only at the end. */
export interface SyncByteSource {
  readonly size: number | undefined;
  read(length: number): Uint8Array;
}

/** A synchronous writer that can patch bytes it already wrote. */
export interface SyncByteSink {
  write(data: Uint8Array): void;
  writeAt(position: number, data: Uint8Array): void;
}

/** A synchronous source over bytes in memory. */
export function bytesSource(bytes: Uint8Array): SyncByteSource {
  let pos = 0;
  return {
    size: bytes.length,
    read(length: number): Uint8Array {
      const end = Math.min(bytes.length, pos + length);
      const out = bytes.subarray(pos, end);
      pos = end;
      return out;
    },
  };
}

/** A synchronous view of a `MemorySink`. */
export function memorySyncSink(sink: MemorySink): SyncByteSink {
  return {
    write: (data) => void sink.write(data),
    writeAt: (position, data) => void sink.writeAt(position, data),
  };
}

/** Run a generator over a synchronous source and sink. */
export function runSync<T>(gen: Steps<T>, source: SyncByteSource, sink: SyncByteSink | undefined): T {
  let pos = 0;
  let r = gen.next();
  while (!r.done) {
    const step = r.value;
    if (step.kind === 'read') {
      const out = source.read(step.length);
      if (step.exact && out.length !== step.length) {
        r = gen.throw(new BloscError(BloscErrorCode.ReadBuffer, `${step.what}: input ends after ${out.length} of ${step.length} bytes at ${pos}`, { offset: pos }));
        continue;
      }
      pos += out.length;
      r = gen.next(out);
    } else if (step.kind === 'write') {
      sink!.write(step.data);
      r = gen.next(undefined);
    } else {
      sink!.writeAt(step.position, step.data);
      r = gen.next(undefined);
    }
  }
  return r.value;
}

/** Run a generator over an asynchronous source and sink. */
export async function runAsync<T>(gen: Steps<T>, source: ByteSource | undefined, sink: ByteSink | undefined): Promise<T> {
  let pos = 0;
  let r = gen.next();
  while (!r.done) {
    const step = r.value;
    if (step.kind === 'read') {
      let out: Uint8Array;
      try {
        out = step.exact ? await readExactly(source!, step.length, step.what, pos) : await source!.read(step.length);
      } catch (e) {
        r = gen.throw(e);
        continue;
      }
      pos += out.length;
      r = gen.next(out);
    } else if (step.kind === 'write') {
      await sink!.write(step.data);
      r = gen.next(undefined);
    } else {
      if (sink!.writeAt === undefined) fail(BloscErrorCode.WriteBuffer, 'sink cannot patch earlier bytes');
      await sink!.writeAt(step.position, step.data);
      r = gen.next(undefined);
    }
  }
  return r.value;
}
