/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Zstandard decoder (RFC 8878) in TypeScript: frames, skippable frames, raw/RLE/compressed
 * blocks, Huffman and FSE entropy stages, content checksums, raw and formatted
 * dictionaries. Encoding comes from `../zstd-encoder/`.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { CodecFormat, CodecId } from '../types.js';
import type { Codec, DecodeContext } from '../types.js';
import { zstdDecompressInto } from './decoder.js';
import { parseZstdDictionary } from './dictionary.js';
import { zstdEncode } from '../zstd-encoder/index.js';
import type { ZstdDictionary } from './dictionary.js';

export { zstdDecompress, zstdDecompressInto } from './decoder.js';
export { parseZstdDictionary, ZstdDictionary } from './dictionary.js';
export type { ZstdDictionaryTables } from './dictionary.js';
export { zstdFrameContentSize } from './frame.js';
export { xxhash64 } from './xxhash64.js';

/** Parsed dictionaries, keyed by the dictionary bytes a chunk carries. */
const parsedDictionaries = new WeakMap<Uint8Array, ZstdDictionary>();

function dictionaryFor(bytes: Uint8Array): ZstdDictionary {
  let d = parsedDictionaries.get(bytes);
  if (d === undefined) {
    d = parseZstdDictionary(bytes);
    parsedDictionaries.set(bytes, d);
  }
  return d;
}

/** The Blosc zstd codec (id 5, format 4): one zstd frame per stream, decoded to exactly dn bytes. */
export const zstdCodec: Codec = {
  id: CodecId.Zstd,
  format: CodecFormat.Zstd,
  name: 'zstd',
  decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, ctx: DecodeContext): void {
    const dict = ctx.dict === null ? null : dictionaryFor(ctx.dict);
    const n = zstdDecompressInto(src, sp, sn, dst, dp, dn, dict);
    if (n !== dn) fail(BloscErrorCode.Data, `zstd: stream decoded to ${n} bytes, expected ${dn}`, { offset: sp });
  },
  // Level = 2·clevel − 1, and 22 at clevel 9 (c-blosc `zstd_wrap_compress`).
  encode: zstdEncode,
};
