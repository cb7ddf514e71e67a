/**
 * What decoding a (possibly damaged) zstd frame into `size` bytes gives, as one comparable
 * string: the bytes written, or the BloscError's code and message (anything else is thrown).
 * The fuzz tests compare it between the WebAssembly and TypeScript sequence loops.
 */
import { zstdDecompressInto } from '../../../src/codecs/zstd/index.js';
import type { ZstdDictionary } from '../../../src/codecs/zstd/index.js';
import { isBloscError } from '../../../src/errors.js';

export function decodeOutcome(bad: Uint8Array, size: number, dict: ZstdDictionary | null): string {
  const buf = new Uint8Array(size);
  try {
    const n = zstdDecompressInto(bad, 0, bad.length, buf, 0, size, dict);
    return `ok ${n} ${Buffer.from(buf.subarray(0, n)).toString('base64')}`;
  } catch (e) {
    if (!isBloscError(e)) throw e;
    return `error ${e.code} ${e.message}`;
  }
}
