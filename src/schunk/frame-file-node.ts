/**
 * Contiguous frame files (`.b2frame`, `.b2nd`) opened to read or to update, with Node's
 * synchronous fs calls: python-blosc2's `blosc2.open(urlpath, mode=...)` (c-blosc2
 * `blosc2_schunk_open`), the edits written as src/schunk/frame-file.ts describes.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { FileSource } from '../io/file-source.js';
import { FileTarget } from '../io/file-target.js';
import { SChunk } from './schunk.js';

export interface OpenFrameFileOptions {
  /**
   * 'r' (default): the frame is read lazily from the file (header, offsets and trailer now,
   * chunks when asked for); edits stay in memory and the file is never written. 'r+': every
   * edit is written to the file at once, as `SChunk.openForUpdate` describes.
   */
  mode?: 'r' | 'r+';
}

/**
 * Open a contiguous frame file (`.b2frame`, `.b2nd`; for an array, `NDArray.open` the
 * result). `close()` the super-chunk when done with it.
 */
export function openFrameFile(path: string, options: OpenFrameFileOptions = {}): SChunk {
  if (options.mode !== undefined && options.mode !== 'r' && options.mode !== 'r+') fail(BloscErrorCode.InvalidParam, `mode must be 'r' or 'r+', got ${String(options.mode)}`);
  const source = options.mode === 'r+' ? new FileTarget(path) : new FileSource(path);
  try {
    return source instanceof FileTarget ? SChunk.openForUpdate(source) : SChunk.open(source);
  } catch (e) {
    source.close();
    throw e;
  }
}
