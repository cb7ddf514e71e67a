/**
 * A frame source over a file, read with synchronous positional reads (Node's
 * `fs.readSync`). Only what is asked for is read: opening a frame touches its header,
 * offsets index and trailer.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BloscErrorCode, fail, wrapForeign } from '../errors.js';
import { checkRange, type FrameSource } from './source.js';

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
    const fd = this.fd;
    if (fd === null) fail(BloscErrorCode.FileRead, `${this.path} is closed`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = wrapForeign(BloscErrorCode.FileRead, `cannot read ${this.path}`, () =>
        readSync(fd, out, done, length - done, this.offset + offset + done),
      );
      if (n <= 0) fail(BloscErrorCode.FileRead, `${this.path}: unexpected end of file at ${this.offset + offset + done}`);
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
