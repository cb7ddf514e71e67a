import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { HufCTable, HufScratch, buildHuffmanCTable, huffmanCompress1X, huffmanCompress1XSimple } from '../../../src/codecs/zstd-encoder/huffman-encoder.js';
import { HUF_WASM_MIN_SYMBOLS } from '../../../src/codecs/zstd-encoder/huffman-wasm.js';
import { zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/compress.js';
import { setZstdEncoderWasmEnabled } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { reserveHeap, WINDOW_AT } from '../../../src/wasm/heap.js';
import { Rng } from './data.js';

afterEach(() => setZstdEncoderWasmEnabled(true));

const GUARD = 29;

/** A table for the symbols of src (null when one symbol is all of it, which Huffman never codes). */
function tableFor(src: Uint8Array, maxLog: number): HufCTable | null {
  const count = new Uint32Array(256);
  for (const b of src) count[b]!++;
  let max = 255;
  while (count[max] === 0) max--;
  if (count.some((c) => c === src.length)) return null;
  const ct = new HufCTable();
  buildHuffmanCTable(ct, count, max, maxLog, new HufScratch());
  return ct;
}

/** One stream into a guarded buffer: its bytes, and whether the bytes around it held. */
function stream(src: Uint8Array, ct: HufCTable, wasm: boolean): { out: Uint8Array; guarded: boolean } {
  setZstdEncoderWasmEnabled(wasm);
  const cap = src.length * 2 + 64;
  const buf = new Uint8Array(GUARD + cap + GUARD).fill(0xa5);
  const n = huffmanCompress1X(src, 0, src.length, ct, buf, GUARD, GUARD + cap);
  let guarded = true;
  for (let i = 0; i < buf.length; i++) if ((i < GUARD || i >= GUARD + n) && buf[i] !== 0xa5) guarded = false;
  return { out: buf.slice(GUARD, GUARD + n), guarded };
}

describe('zstd Huffman stream writer in WebAssembly', () => {
  // The writer only runs where the match finders have grown the memory past its area.
  reserveHeap(WINDOW_AT + 1024);

  it('writes the TypeScript loop\'s streams, and the one-symbol-at-a-time reference\'s, within their bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: HUF_WASM_MIN_SYMBOLS, max: 70_000 }),
        fc.integer({ min: 2, max: 256 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 5, max: 11 }),
        fc.integer(),
        (n, alphabet, skew, maxLog, seed) => {
          const r = new Rng(seed);
          const src = new Uint8Array(n);
          // Skewed alphabets give long codes (up to maxLog bits), flat ones short codes.
          for (let i = 0; i < n; i++) {
            let v = r.below(alphabet);
            for (let k = 0; k < skew; k++) v = Math.min(v, r.below(alphabet));
            src[i] = v;
          }
          const ct = tableFor(src, maxLog);
          if (ct === null) return;
          const ts = stream(src, ct, false);
          const wa = stream(src, ct, true);
          expect(wa.guarded).toBe(true);
          expect(ts.guarded).toBe(true);
          expect(wa.out).toEqual(ts.out);
          const ref = new Uint8Array(n * 2 + 64);
          const m = huffmanCompress1XSimple(src, 0, n, ct, ref, 0, ref.length);
          expect(wa.out).toEqual(ref.subarray(0, m));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('gives the same zstd frames with and without WebAssembly on literal-heavy data', () => {
    const r = new Rng(77);
    for (const size of [2_000, 60_000, 300_000]) {
      const src = new Uint8Array(size);
      for (let i = 0; i < size; i++) src[i] = Math.min(255, Math.floor(-Math.log((r.below(10000) + 1) / 10001) * 12));
      for (const level of [1, 5, 9, 19]) {
        const frames = [true, false].map((wasm) => {
          setZstdEncoderWasmEnabled(wasm);
          const dst = new Uint8Array(zstdCompressBound(size));
          return dst.slice(0, zstdCompress(src, 0, size, dst, 0, dst.length, level));
        });
        expect(frames[0]).toEqual(frames[1]);
      }
    }
  });
});
