/**
 * zlib-format streams (2-byte header, deflate, Adler-32): encoding is our own deflate
 * (src/codecs/deflate/, see zlibCompress); decoding goes through pako 3.0.3 and mirrors
 * `uncompress(dst, &ul, src, csize)` followed by "ul == neblock", as c-blosc 1.x
 * (`zlib_wrap_decompress`, classic zlib) and c-blosc2 (zlib-ng `zng_uncompress`) do.
 *
 * Decoding uses pako's zlib-level `inflate` on a reused stream object, writing straight into
 * dst[dp, dp+dn): the output can never grow past `dn`, however much a corrupt or hostile
 * stream claims to expand (pako's one-shot `inflate` would collect it all first).
 */
import {
  ZStream,
  Z_BUF_ERROR,
  Z_FINISH,
  Z_NEED_DICT,
  Z_OK,
  Z_STREAM_END,
  zlibInflate,
  zlibInflateInit,
  zlibInflateReset,
} from 'pako';
import { BloscErrorCode, fail } from '../errors.js';
import { inHeap } from '../wasm/heap.js';
import { deflateZlib, tsDeflateEngine } from './deflate/deflate.js';
import { deflateStoredZlib } from './deflate/stored.js';
import { wasmDeflateEngine } from './deflate/deflate-wasm.js';
import { checkDecodeRanges, checkEncodeRanges, failDecodedSize } from './ranges.js';
import type { Codec, DecodeContext, EncodeContext } from './types.js';
import { CodecFormat, CodecId } from './types.js';

const NAME = 'zlib';
const EMPTY = new Uint8Array(0);
let inflateStream: ZStream | null = null;

function getInflateStream(): ZStream {
  if (inflateStream === null) {
    const strm = new ZStream();
    if (zlibInflateInit(strm) !== Z_OK) fail(BloscErrorCode.Failure, `${NAME}: inflateInit failed`);
    inflateStream = strm;
  } else if (zlibInflateReset(inflateStream) !== Z_OK) {
    fail(BloscErrorCode.Failure, `${NAME}: inflateReset failed`);
  }
  return inflateStream;
}

/**
 * Decode the zlib stream src[sp, sp+sn) into exactly dst[dp, dp+dn). Bytes after the end
 * of the zlib stream are ignored, as `uncompress` ignores them. Throws BloscError: Data
 * (corrupt stream, bad checksum, preset dictionary), ReadBuffer (stream cut short),
 * WriteBuffer (decodes to another size).
 */
export function zlibDecompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number): void {
  checkDecodeRanges(NAME, src, sp, sn, dst, dp, dn);
  const strm = getInflateStream();
  strm.input = src;
  strm.next_in = sp;
  strm.avail_in = sn;
  // pako types its output as ArrayBuffer-backed; it only indexes it, so shared memory works too.
  strm.output = dst as Uint8Array<ArrayBuffer>;
  strm.next_out = dp;
  strm.avail_out = dn;
  let status: number;
  try {
    status = zlibInflate(strm, Z_FINISH);
  } finally {
    // Do not keep the caller's buffers alive through the module-level stream.
    strm.input = EMPTY;
    strm.output = EMPTY;
  }
  const produced = dn - strm.avail_out;
  if (status === Z_STREAM_END) {
    if (produced !== dn) failDecodedSize(NAME, produced, dn);
    return;
  }
  if (status === Z_BUF_ERROR) {
    if (strm.avail_out === 0 && strm.avail_in > 0) {
      fail(BloscErrorCode.WriteBuffer, `${NAME}: stream decodes to more than ${dn} bytes`);
    }
    fail(BloscErrorCode.ReadBuffer, `${NAME}: stream ends early (after ${produced} bytes)`);
  }
  if (status === Z_NEED_DICT) fail(BloscErrorCode.Data, `${NAME}: stream needs a preset dictionary`);
  fail(BloscErrorCode.Data, `${NAME}: ${strm.msg || `inflate error ${status}`}`);
}

/**
 * `compress2(dst, &len, src, n, level)` with classic zlib's hash: the bytes c-blosc 1.x
 * writes (zlib 1.3.1) and pako's `deflate(src, { level, legacyHash: true })`, from our own
 * deflate (src/codecs/deflate/): levels 1-9 with WebAssembly match loops, or their
 * TypeScript twins when `setZlibWasmEnabled(false)` or without WebAssembly; level 0 as
 * stored blocks sized as pako's 16 KiB output chunks make them (stored.ts). c-blosc2 links
 * zlib-ng, whose output differs; ours is still a valid zlib stream any reader decodes.
 * Returns bytes written, or 0 when the stream does not fit in `cap` (as `compress2`'s
 * Z_BUF_ERROR becomes 0 in Blosc); dst outside [dp, dp+cap) is never written.
 */
export function zlibCompress(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, level: number): number {
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, cap);
  if (!Number.isInteger(level) || level < 0 || level > 9) fail(BloscErrorCode.InvalidParam, `${NAME}: level must be 0..9, got ${level}`);
  if (level === 0) return deflateStoredZlib(src, sp, sn, dst, dp, cap);
  // The WebAssembly loops keep their window and output in the shared memory: buffers
  // already there go through the TypeScript twin instead.
  const engine = inHeap(src) || inHeap(dst) ? null : wasmDeflateEngine();
  return deflateZlib(engine ?? tsDeflateEngine, src, sp, sn, dst, dp, cap, level);
}

/** zlib (id 4, format 3). A chunk dictionary is not used (neither C library passes it to zlib). */
export const zlibCodec: Codec = {
  id: CodecId.Zlib,
  format: CodecFormat.Zlib,
  name: 'zlib',
  decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, _ctx: DecodeContext): void {
    zlibDecompress(src, sp, sn, dst, dp, dn);
  },
  encode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, clevel: number, _ctx: EncodeContext): number {
    return zlibCompress(src, sp, sn, dst, dp, cap, clevel);
  },
};
