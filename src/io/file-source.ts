/**
 * Frame sources over files: `FileSource` reads with synchronous positional reads (Node's
 * `fs.readSync`), `AsyncFileSource` through an `fs.promises` FileHandle. Only what is
 * asked for is read: opening a frame touches its header, offsets index and trailer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { BloscErrorCode, fail, toBloscError, wrapForeign } from '../errors.js';
import { checkRange, type AsyncFrameSource, type FrameSource } from './source.js';

export class FileSource implements FrameSource {
  readonly size: number;
  private fd: number | null;

  /** Open `path` for reading. `offset` is where the frame starts inside the file (default 0). */
  constructor(
    readonly path: string,
    readonly offset = 0,
  ) {
    this.fd = wrapForeign(BloscErrorCode.FileOpen, `cannot open ${path}`, () => openSync(path, 'r'));
    const fileSize = wrapForeign(BloscErrorCode.FileRead, `cannot stat ${path}`, () => fstatSync(this.fd!).size);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > fileSize) {
      this.close();
      fail(BloscErrorCode.InvalidParam, `frame offset ${offset} is outside the ${fileSize}-byte file`);
    }
    this.size = fileSize - offset;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.size, offset, length);
    const out = new Uint8Array(length);
    this.readInto(offset, length, out, 0);
    return out;
  }

  readInto(offset: number, length: number, dest: Uint8Array, dp: number): void {
    checkRange(this.size, offset, length);
    if (!Number.isSafeInteger(dp) || dp < 0 || dp + length > dest.length) {
      fail(BloscErrorCode.WriteBuffer, `buffer of ${dest.length} bytes cannot take ${length} at ${dp}`);
    }
    const fd = this.fd;
    if (fd === null) fail(BloscErrorCode.FileRead, `${this.path} is closed`);
    let done = 0;
    while (done < length) {
      const n = wrapForeign(BloscErrorCode.FileRead, `cannot read ${this.path}`, () =>
        readSync(fd, dest, dp + done, length - done, this.offset + offset + done),
      );
      if (n <= 0) fail(BloscErrorCode.FileRead, `${this.path}: unexpected end of file at ${this.offset + offset + done}`);
      done += n;
    }
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

/**
 * A frame source over a file read through an `fs.promises` FileHandle (Node, Deno, Bun),
 * for `openFrameAsync`: reads run without blocking, several at once.
 */
export class AsyncFileSource implements AsyncFrameSource {
  private constructor(
    readonly path: string,
    /** Where the frame starts inside the file. */
    readonly offset: number,
    readonly size: number,
    private handle: FileHandle | null,
  ) {}

  /** Open `path` for reading. `offset` is where the frame starts inside the file (default 0). */
  static async open(path: string, offset = 0): Promise<AsyncFileSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FileOpen, `cannot open ${path}`);
    }
    let fileSize: number;
    try {
      fileSize = (await handle.stat()).size;
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw toBloscError(e, BloscErrorCode.FileRead, `cannot stat ${path}`);
    }
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > fileSize) {
      await handle.close().catch(() => undefined);
      fail(BloscErrorCode.InvalidParam, `frame offset ${offset} is outside the ${fileSize}-byte file`);
    }
    return new AsyncFileSource(path, offset, fileSize - offset, handle);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.size, offset, length);
    const handle = this.handle;
    if (handle === null) fail(BloscErrorCode.FileRead, `${this.path} is closed`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = (await handle.read(out, done, length - done, this.offset + offset + done)).bytesRead;
      } catch (e) {
        throw toBloscError(e, BloscErrorCode.FileRead, `cannot read ${this.path}`);
      }
      if (n <= 0) fail(BloscErrorCode.FileRead, `${this.path}: unexpected end of file at ${this.offset + offset + done}`);
      done += n;
    }
    return out;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if (handle !== null) {
      this.handle = null;
      await handle.close();
    }
  }
}
