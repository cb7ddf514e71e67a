import { expect } from 'vitest';
import { ZstdEncoderState, zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/compress.js';
import { setZstdEncoderWasmEnabled } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { zstdDecompress } from '../../../src/codecs/zstd/index.js';

/** One zstd frame of src[sp, sp+sn) at `level`, with the encoder's WebAssembly on or off. */
export function frame(src: Uint8Array, sp: number, sn: number, level: number, wasm: boolean, state?: ZstdEncoderState): Uint8Array {
  setZstdEncoderWasmEnabled(wasm);
  const cap = zstdCompressBound(sn);
  const dst = new Uint8Array(cap);
  const n = zstdCompress(src, sp, sn, dst, 0, cap, level, state);
  return dst.slice(0, n);
}

/** The WebAssembly and TypeScript paths on src[sp, sp+sn): the same frame, which decodes back. */
export function expectTwins(src: Uint8Array, sp: number, sn: number, level: number): void {
  const ts = frame(src, sp, sn, level, false);
  const wa = frame(src, sp, sn, level, true);
  expect(wa.length).toBe(ts.length);
  expect(wa).toEqual(ts);
  expect(zstdDecompress(wa)).toEqual(src.subarray(sp, sp + sn));
}
