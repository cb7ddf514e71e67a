import fc from 'fast-check';
import { expect } from 'vitest';
import { ZstdEncoderState, zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/compress.js';
import { setZstdEncoderWasmEnabled } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { zstdDecompress } from '../../../src/codecs/zstd/index.js';
import { concatBytes } from '../../helpers.js';
import { ENCODER_PIECE } from '../match-inputs.js';

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

/** expectTwins on random concatenations of runs, repeats, counters and noise, from any start in them, at `levels`. */
export function expectTwinsOnConcatenations(levels: readonly number[], numRuns: number): void {
  fc.assert(
    fc.property(fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 40 }), fc.constantFrom(...levels), fc.integer({ min: 0, max: 3000 }), (parts, level, cut) => {
      const src = concatBytes(parts);
      const sp = Math.min(cut, src.length - 1);
      expectTwins(src, sp, src.length - sp, level);
    }),
    { numRuns },
  );
}

/** The first byte of `heap` outside the `written` ranges that no longer holds `pattern`, or -1. */
export function firstStrayWrite(heap: Uint8Array, pattern: (i: number) => number, written: ReadonlyArray<readonly [number, number]>): number {
  for (let i = 0; i < heap.length; i++) {
    if (written.some(([s, e]) => i >= s && i < e)) continue;
    if (heap[i] !== pattern(i)) return i;
  }
  return -1;
}

/** Whether some byte of heap[start, end) no longer holds `pattern`: the code under test did write there. */
export function rangeWritten(heap: Uint8Array, pattern: (i: number) => number, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (heap[i] !== pattern(i)) return true;
  return false;
}
