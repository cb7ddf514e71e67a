/**
 * Where frame bytes come from. A frame is opened by reading its header, offsets index and
 * trailer; chunks are read only when asked for, so a source can be a file or any other
 * random-access store.
 */
import { BloscErrorCode, fail } from '../errors.js';

export interface FrameSource {
  /** Total number of bytes available. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`. The caller guarantees
   * `0 <= offset && offset + length <= size`; the result may be a view and must not be
   * modified.
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Optional: copy `length` bytes starting at `offset` into dest[dp, dp + length), with the
   * same guarantees from the caller as `read`. A source whose reads are copies anyway (a
   * file) offers it so that readers can reuse one buffer instead of a new one per read;
   * one whose reads are views (memory) does not need to.
   */
  readInto?(offset: number, length: number, dest: Uint8Array, dp: number): void;
  /** Release what the source holds open (a file descriptor), when it holds anything. */
  close?(): void;
}

/**
 * An asynchronous source: a `Blob` or `File`, HTTP range requests, or an async file handle.
 * Frames are opened from it with `openFrameAsync`, which reads the same few ranges a
 * synchronous open does.
 */
export interface AsyncFrameSource {
  /** Total number of bytes available. */
  readonly size: number;
  /**
   * Exactly `length` bytes starting at `offset`, or a rejection (a BloscError). The caller
   * guarantees `0 <= offset && offset + length <= size`.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A frame held in memory. Reads are views into the array, no copies. */
export class MemorySource implements FrameSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.size, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Guard shared by sources: a read outside the source is a ReadBuffer error, never a RangeError. */
export function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    fail(BloscErrorCode.ReadBuffer, `read of ${length} bytes at ${offset} is outside the ${size}-byte source`, { offset });
  }
}
