/**
 * Where an edited frame is written: a frame source that can also be written and cut, so a
 * super-chunk opened for update writes each change where it belongs (c-blosc2's
 * `blosc2_io_cb` `write` / `truncate` over a file opened "rb+"), and a sparse frame's chunk
 * files. Writers count the bytes they write, so what an edit costs can be measured.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkRange, type FrameSource } from './source.js';

export interface FrameTarget extends FrameSource {
  /** Write `bytes` at `offset` (at most `size`: no holes); the size grows when they run past the end. */
  write(offset: number, bytes: Uint8Array): void;
  /** Cut to `length` bytes (at most `size`). */
  truncate(length: number): void;
}

/**
 * The chunk files of a sparse frame (c-blosc2 blosc/sframe.c `sframe_get_chunk`,
 * `sframe_create_chunk`, `sframe_delete_chunk`), by chunk id.
 */
export interface ChunkFileStore {
  /** The whole chunk file `id` (a BloscError when it cannot be read). */
  read(id: number): Uint8Array;
  /** Create or replace chunk file `id` with `bytes`. */
  write(id: number, bytes: Uint8Array): void;
  /** Remove chunk file `id`. */
  remove(id: number): void;
}

/** Guard shared by targets: a write must start inside the target or at its end. */
export function checkWrite(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size || !Number.isSafeInteger(offset + length)) {
    fail(BloscErrorCode.WriteBuffer, `write of ${length} bytes at ${offset} leaves a hole after the ${size}-byte target`, { offset });
  }
}

/** Guard shared by targets: a cut must be to a length within the target. */
export function checkTruncate(size: number, length: number): void {
  if (!Number.isSafeInteger(length) || length < 0 || length > size) {
    fail(BloscErrorCode.FileTruncate, `cannot cut a ${size}-byte target to ${length} bytes`);
  }
}

/**
 * A frame edited in memory: the bytes grow (doubling) as writes run past the end. `bytes`
 * is the frame as it stands. Reads are copies, so a chunk read before an edit keeps its bytes.
 */
export class MemoryTarget implements FrameTarget {
  private buf: Uint8Array;
  private length: number;
  /** Bytes written so far. */
  bytesWritten = 0;

  constructor(initial: Uint8Array = new Uint8Array(0)) {
    this.buf = initial.slice();
    this.length = initial.length;
  }

  get size(): number {
    return this.length;
  }

  /** The frame as it stands (a view, valid until the next write). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.length, offset, length);
    return this.buf.slice(offset, offset + length);
  }

  write(offset: number, bytes: Uint8Array): void {
    checkWrite(this.length, offset, bytes.length);
    const end = offset + bytes.length;
    if (end > this.buf.length) {
      const next = new Uint8Array(Math.max(end, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    this.buf.set(bytes, offset);
    this.length = Math.max(this.length, end);
    this.bytesWritten += bytes.length;
  }

  truncate(length: number): void {
    checkTruncate(this.length, length);
    this.buf.fill(0, length, this.length);
    this.length = length;
  }
}
