import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SEQ_WASM_AREA, SEQ_WASM_MIN, encodeSequencesWasm } from '../../../src/codecs/zstd-encoder/sequences-wasm.js';
import { SeqEntropy, SequencesScratch, buildSequencesStatistics, encodeSequences, encodeSequencesSimple } from '../../../src/codecs/zstd-encoder/sequences.js';
import { LL_BITS, ML_BITS } from '../../../src/codecs/zstd-encoder/sequences.js';
import { setZstdEncoderWasmEnabled, zstdEncoderWasmReady } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { SeqStore } from '../../../src/codecs/zstd-encoder/seq-store.js';
import { heapBytes, reserveHeap } from '../../../src/wasm/heap.js';
import { randomSequences } from './data.js';

afterEach(() => setZstdEncoderWasmEnabled(true));

/** A store of n random sequences of one of five shapes, with the tables the encoder would pick for them. */
function randomBlock(n: number, shape: number, seed: number): { ss: SeqStore; next: SeqEntropy } {
  const ss = randomSequences(n, shape, seed);
  const next = new SeqEntropy();
  const tables = new Uint8Array(512);
  expect(buildSequencesStatistics(ss, 0, n, tables, 0, tables.length, new SeqEntropy(), next, 1 + (seed & 7), new SequencesScratch())).toBeGreaterThanOrEqual(0);
  return { ss, next };
}

describe('zstd sequence bitstream in WebAssembly', () => {
  it('is available here once the memory has grown past its area', () => {
    expect(zstdEncoderWasmReady()).toBe(true);
    expect(reserveHeap(SEQ_WASM_AREA[1])).toBe(true);
  });

  it('writes the one-field-at-a-time reference\'s stream, from any first sequence of the store', () => {
    expect(reserveHeap(SEQ_WASM_AREA[1])).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: SEQ_WASM_MIN, max: 6000 }), fc.integer({ min: 0, max: 4 }), fc.integer(), fc.integer({ min: 0, max: 40 }), (n, shape, seed, first) => {
        const { ss, next } = randomBlock(n + first, shape, seed);
        const a = new Uint8Array(n * 16 + 64);
        const b = new Uint8Array(n * 16 + 64);
        const bits = encodeSequencesWasm(ss, first, n, next.ml, next.of, next.ll, LL_BITS, ML_BITS);
        expect(bits).toBeGreaterThan(0);
        const sa = encodeSequences(ss, first, n, next.ml, next.of, next.ll, a, 0, a.length);
        expect(sa).toBe((bits + 7) >> 3);
        const sb = encodeSequencesSimple(ss, first, n, next.ml, next.of, next.ll, b, 0, b.length);
        expect(sa).toBe(sb);
        expect(a).toEqual(b);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same answer as the TypeScript loop when the stream does not fit, and writes nothing then', () => {
    expect(reserveHeap(SEQ_WASM_AREA[1])).toBe(true);
    const { ss, next } = randomBlock(3000, 2, 77);
    const room = encodeSequences(ss, 0, 3000, next.ml, next.of, next.ll, new Uint8Array(3000 * 16), 0, 3000 * 16);
    for (const cap of [room + 8, room + 9, room + 7, room, 9, 8]) {
      setZstdEncoderWasmEnabled(false);
      const ts = encodeSequences(ss, 0, 3000, next.ml, next.of, next.ll, new Uint8Array(cap), 0, cap);
      setZstdEncoderWasmEnabled(true);
      const out = new Uint8Array(cap + 16).fill(0xa5);
      expect(encodeSequences(ss, 0, 3000, next.ml, next.of, next.ll, out, 0, cap)).toBe(ts);
      if (ts < 0) expect(out.every((x) => x === 0xa5)).toBe(true);
      expect(out.subarray(cap).every((x) => x === 0xa5)).toBe(true);
    }
  });

  it('writes nothing in the shared memory outside its area', () => {
    expect(reserveHeap(SEQ_WASM_AREA[1])).toBe(true);
    const { ss, next } = randomBlock(5000, 1, 5);
    const heap = heapBytes();
    const saved = heap.slice();
    const pattern = (i: number): number => (i * 97 + 1) & 0xff;
    try {
      for (let i = 0; i < heap.length; i++) heap[i] = pattern(i);
      expect(encodeSequencesWasm(ss, 0, 5000, next.ml, next.of, next.ll, LL_BITS, ML_BITS)).toBeGreaterThan(0);
      expect(heapBytes().buffer).toBe(heap.buffer);
      let stray = -1;
      let inArea = false;
      for (let i = 0; i < heap.length && stray < 0; i++) {
        if (heap[i] === pattern(i)) continue;
        if (i >= SEQ_WASM_AREA[0] && i < SEQ_WASM_AREA[1]) inArea = true;
        else stray = i;
      }
      expect(stray).toBe(-1);
      expect(inArea).toBe(true);
    } finally {
      heap.set(saved);
    }
  });
});
