/**
 * Node file sources and sinks for bloscpack, and file-to-file helpers (bloscpack's
 * `pack_file_to_file`, `unpack_file_from_file`, `append`). Reads and writes go through a
 * FileHandle, one chunk at a time; a sink writes to a temporary file next to the target and
 * renames it only when everything succeeded.
 */
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BloscErrorCode, fail } from '../errors.js';
import { appendPieces, planAppend, readChunkAt, type AppendOptions } from './append.js';
import { packNdarrayTo, type BloscpackNdarrayInput, type TypedArray } from './ndarray.js';
import { pack, type PackOptions } from './pack.js';
import { runAsync, type ProgressCallback } from './runner.js';
import { readPrefixSteps, unpack, type BloscpackInfo, type UnpackOptions, type UnpackResult } from './unpack.js';
import type { BloscpackHeader } from '../frame/bloscpack.js';
import type { ByteSink, ByteSource } from './io.js';
import { decompressChunk } from '../chunk/decompress.js';

function ioError(code: BloscErrorCode, what: string, e: unknown): never {
  return fail(code, `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Sequential reader of a file, starting at `start`. */
export async function fileSource(path: string, start = 0): Promise<ByteSource> {
  let handle: FileHandle;
  let size: number;
  try {
    handle = await open(path, 'r');
    size = (await handle.stat()).size;
  } catch (e) {
    return ioError(BloscErrorCode.FileOpen, `cannot open ${path}`, e);
  }
  let pos = start;
  let closed = false;
  return {
    size: size - start,
    async read(length: number): Promise<Uint8Array> {
      // Allocate what the file can give, never what a size field claims.
      const n = Math.max(0, Math.min(length, size - pos));
      const buf = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await handle.read(buf, got, n - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      pos += got;
      return got === n ? buf : buf.subarray(0, got);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * Writes `path` atomically: data goes to a temporary sibling, renamed over `path` on
 * close() and deleted on abort(), so a failed pack or unpack leaves no partial file.
 */
export async function fileSink(path: string): Promise<ByteSink> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'wx');
  } catch (e) {
    return ioError(BloscErrorCode.FileOpen, `cannot create ${tmp}`, e);
  }
  let pos = 0;
  let done = false;
  return {
    async write(data: Uint8Array): Promise<void> {
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await handle.write(data, off, data.length - off, pos);
        off += bytesWritten;
        pos += bytesWritten;
      }
    },
    async writeAt(position: number, data: Uint8Array): Promise<void> {
      if (position + data.length > pos) fail(BloscErrorCode.WriteBuffer, `patch at ${position} is past the ${pos} bytes written`);
      let off = 0;
      while (off < data.length) {
        const { bytesWritten } = await handle.write(data, off, data.length - off, position + off);
        off += bytesWritten;
      }
    },
    async close(): Promise<void> {
      if (done) return;
      done = true;
      await handle.close();
      await rename(tmp, path);
    },
    async abort(): Promise<void> {
      if (done) return;
      done = true;
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    },
  };
}

/** `pack_file_to_file`. */
export async function packFile(inPath: string, outPath: string, options: PackOptions = {}): Promise<BloscpackHeader> {
  const source = await fileSource(inPath);
  let sink: ByteSink;
  try {
    sink = await fileSink(outPath);
  } catch (e) {
    await source.close?.();
    throw e;
  }
  return pack(source, sink, options);
}

/** `unpack_file_from_file`: no output file appears unless every chunk checks out. */
export async function unpackFile(inPath: string, outPath: string, onProgress?: ProgressCallback, options?: UnpackOptions): Promise<UnpackResult> {
  const source = await fileSource(inPath);
  let sink: ByteSink;
  try {
    sink = await fileSink(outPath);
  } catch (e) {
    await source.close?.();
    throw e;
  }
  return unpack(source, sink, onProgress, options);
}

/** `pack_ndarray_to_file`. */
export async function packNdarrayFile(array: BloscpackNdarrayInput | TypedArray, outPath: string, options: PackOptions = {}): Promise<BloscpackHeader> {
  return packNdarrayTo(array, await fileSink(outPath), options);
}

/** Header, metadata and offsets of a file. */
export async function readBloscpackFileInfo(path: string): Promise<BloscpackInfo> {
  const source = await fileSource(path);
  try {
    return await runAsync(readPrefixSteps(source.size), source, undefined);
  } finally {
    await source.close?.();
  }
}

/**
 * Append `data` to a file in place (bloscpack `append`), reading only the header,
 * metadata, offsets and last chunk. Returns the new header.
 */
export async function appendFile(path: string, data: Uint8Array, options: AppendOptions = {}): Promise<BloscpackInfo> {
  const info = await readBloscpackFileInfo(path);
  const plan = planAppend(info, data.length, options);
  const lastPos = info.offsets[info.offsets.length - 1]!;
  const source = await fileSource(path, lastPos);
  let last;
  try {
    last = await runAsync(readChunkAt(info), source, undefined);
  } finally {
    await source.close?.();
  }
  const lastPlain = decompressChunk(last.chunk);
  const pieces = appendPieces(info, plan, lastPlain, data);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (e) {
    return ioError(BloscErrorCode.FileOpen, `cannot open ${path} for writing`, e);
  }
  try {
    // The header goes last, after the chunks and offsets it describes.
    for (let i = 0; i < pieces.length; i++) {
      const [pos, bytes] = pieces[i]!;
      await handle.write(bytes, 0, bytes.length, pos);
    }
  } finally {
    await handle.close();
  }
  return readBloscpackFileInfo(path);
}

/** Size of a file, for callers that build sources themselves. */
export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
