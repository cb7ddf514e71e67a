/**
 * Files for the command line: what kind of input a path holds (by content, never by its
 * name), errors that name the file and the operation, and outputs written through a
 * temporary sibling that appears under the user's name only when complete.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BloscErrorCode, CFrame, isBloscError, SChunk, type FrameSource } from '../index.js';
import { FileSource, openSparseFrame, SFRAME_INDEX_NAME } from '../node.js';
import { UsageError } from './args.js';

/** An I/O failure, said as `cannot read 'x': is a directory`. */
export class FileError extends Error {
  override readonly name = 'FileError';
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
  EMFILE: 'too many open files',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** A FileError naming `path` and `op` for a Node fs error (its code in words, never a temporary name). */
export function fileError(op: 'read' | 'write', path: string, e: unknown): FileError {
  const code = e !== null && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : '';
  const reason = REASONS[code] ?? (code !== '' ? code : e instanceof Error ? e.message : String(e));
  return new FileError(`cannot ${op} '${path}': ${reason}`);
}

/** Run an fs call; its failure becomes a FileError naming `path`. */
export function guard<T>(op: 'read' | 'write', path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    // Node's fs errors carry a string code (a BloscError's code is a number).
    if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string') throw fileError(op, path, e);
    throw e;
  }
}

/** The whole of a file. */
export function readInput(path: string): Uint8Array {
  const b = guard('read', path, () => readFileSync(path));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * What an input path holds, from its first bytes (or, for a directory, its index file):
 * - chunk: anything else, read as a Blosc chunk (or as raw bytes by `compress`);
 * - frame / b2nd: a contiguous frame, b2nd when it has the "b2nd" metalayer;
 * - sparse-frame / sparse-b2nd: a directory with `chunks.b2frame` (python-blosc2's contiguous=False);
 * - bloscpack: starts with "blpk"; npy: starts with "\x93NUMPY".
 */
export type InputKind = 'chunk' | 'frame' | 'b2nd' | 'sparse-frame' | 'sparse-b2nd' | 'bloscpack' | 'npy';

export interface Input {
  readonly path: string;
  readonly kind: InputKind;
  /** Bytes on disk (for a sparse frame: its index and chunk files). */
  readonly size: number;
}

const KIND_WORDS: Readonly<Record<InputKind, string>> = {
  'chunk': 'a Blosc chunk',
  'frame': 'a Blosc2 frame',
  'b2nd': 'a .b2nd array (a Blosc2 frame with the b2nd metalayer)',
  'sparse-frame': 'a sparse Blosc2 frame (a directory)',
  'sparse-b2nd': 'a sparse .b2nd array (a directory)',
  'bloscpack': 'a bloscpack file',
  'npy': 'a .npy file',
};

/** `a bloscpack file`, for messages. */
export function kindWords(kind: InputKind): string {
  return KIND_WORDS[kind];
}

const FRAME_MAGIC = 'b2frame\0';
const BLOSCPACK_MAGIC = 'blpk';
const NPY_MAGIC = '\x93NUMPY';

function startsWith(head: Uint8Array, magic: string, at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/** The first `n` bytes of a file (fewer if it is shorter), without reading the rest. */
function readHead(path: string, n: number): Uint8Array {
  return guard('read', path, () => {
    const head = new Uint8Array(n);
    const fd = openSync(path, 'r');
    try {
      return head.subarray(0, readSync(fd, head, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  });
}

/**
 * Whether a frame has the b2nd metalayer; a frame whose header cannot be read is a plain
 * frame (its reader says why), except the index of a sparse frame, given without its directory.
 */
function hasB2nd(path: string, open: () => CFrame): boolean {
  try {
    return open().metalayers.some((l) => l.name === 'b2nd' || l.name === 'caterva');
  } catch (e) {
    if (isBloscError(e, BloscErrorCode.FrameType) && basename(path) === SFRAME_INDEX_NAME) {
      throw new UsageError(`${path} is the index of a sparse frame: give its directory, ${dirname(path)}`);
    }
    return false;
  }
}

/** The kind of an input, or a FileError naming it when it cannot be read. */
export function inspectInput(path: string): Input {
  const st = guard('read', path, () => statSync(path));
  if (st.isDirectory()) {
    const index = join(path, SFRAME_INDEX_NAME);
    if (!existsSync(index)) throw new FileError(`cannot read '${path}': is a directory (and not a sparse frame: it has no ${SFRAME_INDEX_NAME})`);
    const bytes = readInput(index);
    const b2nd = hasB2nd(index, () => CFrame.open(bytes, { chunkFile: () => new Uint8Array(0) }));
    return { path, kind: b2nd ? 'sparse-b2nd' : 'sparse-frame', size: st.size };
  }
  const head = readHead(path, 16);
  let kind: InputKind = 'chunk';
  if (startsWith(head, FRAME_MAGIC, 2)) {
    const source = new FileSource(path);
    try {
      kind = hasB2nd(path, () => CFrame.open(source)) ? 'b2nd' : 'frame';
    } finally {
      source.close();
    }
  } else if (startsWith(head, BLOSCPACK_MAGIC)) {
    kind = 'bloscpack';
  } else if (startsWith(head, NPY_MAGIC)) {
    kind = 'npy';
  }
  return { path, kind, size: st.size };
}

/** An opened frame (contiguous or sparse): its header and layers, and its chunks as a super-chunk. */
export interface OpenedFrame {
  readonly frame: CFrame;
  readonly schunk: SChunk;
  readonly sparse: boolean;
  close(): void;
}

/** Open a frame input; for a sparse frame the chunk files are read when their chunks are. */
export function openFrame(input: Input): OpenedFrame {
  if (input.kind === 'sparse-frame' || input.kind === 'sparse-b2nd') {
    const index = readInput(join(input.path, SFRAME_INDEX_NAME));
    // The index frame alone gives the header, layers and special chunks; chunk files come through the super-chunk.
    const frame = CFrame.open(index, { chunkFile: () => new Uint8Array(0) });
    return { frame, schunk: openSparseFrame(input.path), sparse: true, close: () => undefined };
  }
  const source: FileSource & FrameSource = guard('read', input.path, () => new FileSource(input.path));
  try {
    return { frame: CFrame.open(source), schunk: SChunk.open(source), sparse: false, close: () => source.close() };
  } catch (e) {
    source.close();
    throw e;
  }
}

/**
 * An output file written through a temporary sibling (`.NAME.PID.tmp`), renamed to its
 * name by commit() and removed by abort(): a failed command leaves nothing behind. Errors
 * name the path the user gave.
 */
export class OutputFile {
  private readonly tmp: string;
  private fd: number;
  private pos = 0;

  private constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.fd = guard('write', path, () => {
      if (existsSync(path) && statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return openSync(this.tmp, 'w');
    });
  }

  static create(path: string): OutputFile {
    return new OutputFile(path);
  }

  write(data: Uint8Array): void {
    guard('write', this.path, () => {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, this.pos + off);
    });
    this.pos += data.length;
  }

  /** Overwrite bytes already written (bloscpack patches its offsets at the end). */
  writeAt(position: number, data: Uint8Array): void {
    guard('write', this.path, () => {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, position + off);
    });
  }

  commit(): void {
    guard('write', this.path, () => {
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tmp, this.path);
    });
  }

  abort(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // closing is best effort: the file is being discarded
      }
      this.fd = -1;
    }
    rmSync(this.tmp, { force: true });
  }
}

/** Write `data` as `path` in one go, through {@link OutputFile}. */
export function writeOutput(path: string, data: Uint8Array): void {
  const out = OutputFile.create(path);
  try {
    out.write(data);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Run `fn` with an output file that is committed when it returns and removed when it throws. */
export async function withOutput<T>(path: string, fn: (out: OutputFile) => Promise<T> | T): Promise<T> {
  const out = OutputFile.create(path);
  try {
    const r = await fn(out);
    out.commit();
    return r;
  } catch (e) {
    out.abort();
    throw e;
  }
}

/** Reads `length` bytes at `position` of an open file (fewer at its end). */
export function readAt(path: string, fd: number, position: number, length: number): Uint8Array {
  return guard('read', path, () => {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
    return got === length ? buf : buf.subarray(0, got);
  });
}

/**
 * Fill `buffer` with the bytes at `position` of an open file; a file that ends sooner (it
 * changed while being read) is a FileError naming it. Returns `buffer`.
 */
export function readInto(path: string, fd: number, position: number, buffer: Uint8Array): Uint8Array {
  let got = 0;
  guard('read', path, () => {
    while (got < buffer.length) {
      const n = readSync(fd, buffer, got, buffer.length - got, position + got);
      if (n === 0) break;
      got += n;
    }
  });
  if (got < buffer.length) throw new FileError(`cannot read '${path}': it ends at byte ${position + got}, ${buffer.length - got} bytes short of its size when opened (was it changed while being read?)`);
  return buffer;
}

/** Open a file for reading, with errors naming it. */
export function openInput(path: string): number {
  return guard('read', path, () => openSync(path, 'r'));
}

export function closeInput(fd: number): void {
  closeSync(fd);
}
