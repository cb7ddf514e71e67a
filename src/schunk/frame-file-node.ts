/**
 * Contiguous frame files (`.b2frame`, `.b2nd`) opened to read or to update, with Node's
 * synchronous fs calls: python-blosc2's `blosc2.open(urlpath, mode=...)` (c-blosc2
 * `blosc2_schunk_open`), the edits written as src/schunk/frame-file.ts describes.
 */
import { writeFileSync } from 'node:fs';
import { BloscErrorCode, fail, wrapForeign } from '../errors.js';
import { FileSource } from '../io/file-source.js';
import { FileTarget } from '../io/file-target.js';
import type { CompressOptions } from '../params.js';
import { SChunk, type SChunkOptions } from './schunk.js';

export interface OpenFrameFileOptions {
  /**
   * 'r' (default): the frame is read lazily from the file (header, offsets and trailer now,
   * chunks when asked for); edits stay in memory and the file is never written. 'r+': every
   * edit is written to the file at once, as `SChunk.openForUpdate` describes. 'w': a new,
   * empty frame replaces the file (made with `schunk`'s options), then as 'r+': chunks
   * appended one by one go straight to the file (python-blosc2's `SChunk(urlpath=..., mode='w')`).
   */
  mode?: 'r' | 'r+' | 'w';
  /**
   * 'w': the new super-chunk's chunksize, typesize and cparams. 'r+': its `cparams` compress
   * new chunks (default: as the frame's header says).
   */
  schunk?: SChunkOptions;
}

function checkMode(mode: string | undefined): void {
  if (mode !== undefined && mode !== 'r' && mode !== 'r+' && mode !== 'w') fail(BloscErrorCode.InvalidParam, `mode must be 'r', 'r+' or 'w', got ${String(mode)}`);
}

/**
 * Open a contiguous frame file (`.b2frame`, `.b2nd`; for an array, `NDArray.open` the
 * result), or with mode 'w' create one. `close()` the super-chunk when done with it.
 */
export function openFrameFile(path: string, options: OpenFrameFileOptions = {}): SChunk {
  checkMode(options.mode);
  if (options.mode === 'w') {
    const empty = new SChunk(options.schunk).toFrame();
    wrapForeign(BloscErrorCode.FileWrite, `cannot write ${path}`, () => writeFileSync(path, empty));
  }
  const source = options.mode === 'r+' || options.mode === 'w' ? new FileTarget(path) : new FileSource(path);
  try {
    return source instanceof FileTarget ? SChunk.openForUpdate(source, updateOptions(options.schunk)) : SChunk.open(source);
  } catch (e) {
    source.close();
    throw e;
  }
}

/** The cparams `openForUpdate` is given: the caller's, when there are any. @internal */
export function updateOptions(schunk: SChunkOptions | undefined): { cparams?: CompressOptions } {
  return schunk?.cparams === undefined ? {} : { cparams: schunk.cparams };
}
