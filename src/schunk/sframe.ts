/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/sframe.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Sparse frames (a directory: `chunks.b2frame` index frame + one `%08X.chunk` file per
 * stored chunk), read, written and edited with Node's synchronous fs calls. Mirrors
 * c-blosc2 blosc/sframe.c (`sframe_make_chunk_path`, `sframe_get_chunk`,
 * `sframe_create_chunk`, `sframe_delete_chunk`).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BloscErrorCode, fail, wrapForeign } from '../errors.js';
import { FileTarget } from '../io/file-target.js';
import type { ChunkFileStore } from '../io/target.js';
import { updateOptions } from './frame-file-node.js';
import { SChunk, type SChunkOptions } from './schunk.js';

/** The index frame's file name inside a sparse-frame directory. */
export const SFRAME_INDEX_NAME = 'chunks.b2frame';
/** c-blosc2 rejects chunk files shorter than a minimal header. */
const MIN_CHUNK_FILE = 16;

/** `%08X.chunk`: the chunk id as 8 uppercase hex digits. */
export function chunkFileName(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0 || id > 0xffffffff) fail(BloscErrorCode.InvalidParam, `chunk id ${id} has no file name`);
  return id.toString(16).toUpperCase().padStart(8, '0') + '.chunk';
}

/**
 * The chunk files of a sparse-frame directory (c-blosc2 blosc/sframe.c `sframe_get_chunk`,
 * `sframe_create_chunk`, `sframe_delete_chunk`). Counts the bytes it writes.
 */
export class DirectoryChunkFiles implements ChunkFileStore {
  /** Bytes written to chunk files so far. */
  bytesWritten = 0;

  constructor(readonly dir: string) {}

  read(id: number): Uint8Array {
    const path = join(this.dir, chunkFileName(id));
    const b = wrapForeign(BloscErrorCode.FileRead, `cannot read chunk file ${path}`, () => readFileSync(path));
    if (b.length < MIN_CHUNK_FILE) fail(BloscErrorCode.ReadBuffer, `chunk file ${path} holds ${b.length} bytes`);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }

  write(id: number, bytes: Uint8Array): void {
    const path = join(this.dir, chunkFileName(id));
    wrapForeign(BloscErrorCode.FileWrite, `cannot write chunk file ${path}`, () => writeFileSync(path, bytes));
    this.bytesWritten += bytes.length;
  }

  remove(id: number): void {
    const path = join(this.dir, chunkFileName(id));
    wrapForeign(BloscErrorCode.FileRemove, `cannot remove chunk file ${path}`, () => unlinkSync(path));
  }
}

export interface OpenSparseFrameOptions {
  /**
   * 'r' (default): chunk files are read when their chunk is; edits stay in memory. 'r+': every
   * edit is written to the directory at once (a chunk's file, then the index frame), as
   * `SChunk.openForUpdate` describes. 'w': a new, empty sparse frame (made with `schunk`'s
   * options) replaces the directory's, then as 'r+'.
   */
  mode?: 'r' | 'r+' | 'w';
  /** 'w': the new super-chunk's chunksize, typesize and cparams. 'r+': its `cparams` compress new chunks. */
  schunk?: SChunkOptions;
}

/** Open a sparse frame directory, or with mode 'w' create one. Chunk files are read when their chunk is. */
export function openSparseFrame(dir: string, options: OpenSparseFrameOptions = {}): SChunk {
  const mode = options.mode ?? 'r';
  if (mode !== 'r' && mode !== 'r+' && mode !== 'w') fail(BloscErrorCode.InvalidParam, `mode must be 'r', 'r+' or 'w', got ${String(mode)}`);
  const files = new DirectoryChunkFiles(dir);
  if (mode === 'w') writeSparseFrame(new SChunk(options.schunk), dir);
  if (mode !== 'r') {
    const target = new FileTarget(join(dir, SFRAME_INDEX_NAME));
    try {
      return SChunk.openForUpdate(target, { chunkFiles: files, ...updateOptions(options.schunk) });
    } catch (e) {
      target.close();
      throw e;
    }
  }
  const index = wrapForeign(BloscErrorCode.FileOpen, `cannot read ${join(dir, SFRAME_INDEX_NAME)}`, () => readFileSync(join(dir, SFRAME_INDEX_NAME)));
  return SChunk.open(new Uint8Array(index.buffer, index.byteOffset, index.length), { chunkFile: (id) => files.read(id) });
}

/**
 * Write `schunk` as a sparse frame into `dir` (created if needed). Chunk files of an
 * earlier sparse frame in the same directory that are no longer used are removed.
 */
export function writeSparseFrame(schunk: SChunk, dir: string): void {
  const { index, chunkFiles } = schunk.toSparseFrame();
  wrapForeign(BloscErrorCode.FileWrite, `cannot write the sparse frame ${dir}`, () => {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    const keep = new Set<string>();
    for (let id = 0; id < chunkFiles.length; id++) {
      const name = chunkFileName(id);
      keep.add(name);
      writeFileSync(join(dir, name), chunkFiles[id]!);
    }
    for (const name of readdirSync(dir)) {
      if (/^[0-9A-F]{8}\.chunk$/.test(name) && !keep.has(name)) unlinkSync(join(dir, name));
    }
    writeFileSync(join(dir, SFRAME_INDEX_NAME), index);
  });
}
