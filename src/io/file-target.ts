/**
 * A frame file opened for update (c-blosc2 opens it "rb+" for each edit: `frame_append_chunk`,
 * `frame_update_trailer`): positional reads and writes and a cut, with Node's synchronous
 * fs calls on one descriptor. Every byte written is counted.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { BloscErrorCode, fail, wrapForeign } from '../errors.js';
import { checkRange } from './source.js';
import { checkTruncate, checkWrite, type FrameTarget } from './target.js';

export class FileTarget implements FrameTarget {
  private fd: number | null;
  private length: number;
  /** Bytes written through this target so far. */
  bytesWritten = 0;

  /** Open the existing file `path` for reading and writing. */
  constructor(readonly path: string) {
    const fd = wrapForeign(BloscErrorCode.FileOpen, `cannot open ${path} for update`, () => openSync(path, 'r+'));
    this.fd = fd;
    try {
      this.length = wrapForeign(BloscErrorCode.FileRead, `cannot stat ${path}`, () => fstatSync(fd).size);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get size(): number {
    return this.length;
  }

  private descriptor(): number {
    if (this.fd === null) fail(BloscErrorCode.FileWrite, `${this.path} is closed`);
    return this.fd;
  }

  read(offset: number, length: number): Uint8Array {
    checkRange(this.length, offset, length);
    const fd = this.descriptor();
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = wrapForeign(BloscErrorCode.FileRead, `cannot read ${this.path}`, () => readSync(fd, out, done, length - done, offset + done));
      if (n <= 0) fail(BloscErrorCode.FileRead, `${this.path}: unexpected end of file at ${offset + done}`);
      done += n;
    }
    return out;
  }

  write(offset: number, bytes: Uint8Array): void {
    checkWrite(this.length, offset, bytes.length);
    const fd = this.descriptor();
    let done = 0;
    try {
      while (done < bytes.length) {
        const n = wrapForeign(BloscErrorCode.FileWrite, `cannot write ${this.path}`, () => writeSync(fd, bytes, done, bytes.length - done, offset + done));
        if (n <= 0) fail(BloscErrorCode.FileWrite, `${this.path}: nothing written at ${offset + done}`);
        done += n;
        this.bytesWritten += n;
      }
    } finally {
      // What reached the file counts, even when the write stopped half way.
      this.length = Math.max(this.length, offset + done);
    }
  }

  truncate(length: number): void {
    checkTruncate(this.length, length);
    const fd = this.descriptor();
    wrapForeign(BloscErrorCode.FileTruncate, `cannot truncate ${this.path}`, () => ftruncateSync(fd, length));
    this.length = length;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
