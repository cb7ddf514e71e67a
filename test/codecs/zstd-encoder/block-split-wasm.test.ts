import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SPLIT_WASM_AREA } from '../../../src/codecs/zstd-encoder/block-split-wasm.js';
import { SplitScratch, optimalBlockSize } from '../../../src/codecs/zstd-encoder/block-split.js';
import { BLOCKSIZE_MAX, Strategy } from '../../../src/codecs/zstd-encoder/params.js';
import { setZstdEncoderWasmEnabled, zstdEncoderWasmReady } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { WINDOW_AT, heapBytes, reserveHeap } from '../../../src/wasm/heap.js';
import { concatBytes } from '../../helpers.js';
import { ENCODER_PIECE } from '../match-inputs.js';
import { KINDS, makeData, shuffledRamp } from './data.js';

afterEach(() => setZstdEncoderWasmEnabled(true));

/** The strategies whose blocks are cut by the chunk walk (split levels 1..4: rates 43, 11, 5, 1). */
const WALKED = [Strategy.DoubleFast, Strategy.Greedy, Strategy.Lazy2, Strategy.BtOpt];

/** The cut of the 128 KiB at src[p..], walked in TypeScript and, from a copy in the shared memory, in WebAssembly. */
function cuts(src: Uint8Array, p: number, strategy: number): [number, number] {
  const ws = new SplitScratch();
  setZstdEncoderWasmEnabled(false);
  const ts = optimalBlockSize(src, p, src.length - p, BLOCKSIZE_MAX, strategy, 100, ws);
  setZstdEncoderWasmEnabled(true);
  expect(reserveHeap(WINDOW_AT + src.length + 64)).toBe(true);
  heapBytes().set(src, WINDOW_AT);
  const wa = optimalBlockSize(src, p, src.length - p, BLOCKSIZE_MAX, strategy, 100, new SplitScratch(), WINDOW_AT);
  return [ts, wa];
}

describe('zstd block pre-split walk in WebAssembly', () => {
  it('is available here', () => {
    expect(zstdEncoderWasmReady()).toBe(true);
  });

  it('cuts where the TypeScript walk cuts, on every kind of data and on byte-shuffled planes', () => {
    const seen = new Set<number>();
    const inputs: Uint8Array[] = KINDS.map((kind, i) => makeData(kind, BLOCKSIZE_MAX + 5000, 17 + i));
    // Planes of different statistics, as Blosc's shuffle makes them: cuts inside the block.
    for (const typesize of [2, 4, 8, 16]) inputs.push(shuffledRamp(BLOCKSIZE_MAX, typesize, 12345, 7));
    inputs.push(concatBytes([makeData('zeros', 40_000, 1), makeData('random', 50_000, 2), makeData('text-like', 41_072, 3)]));
    for (const src of inputs) {
      for (const strategy of WALKED) {
        const [ts, wa] = cuts(src, 0, strategy);
        expect(wa).toBe(ts);
        seen.add(ts);
      }
    }
    // The inputs exercise cuts as well as whole blocks.
    expect(seen.has(BLOCKSIZE_MAX)).toBe(true);
    expect(seen.size).toBeGreaterThan(2);
  });

  it('cuts where the TypeScript walk cuts on random concatenations, from any start', () => {
    fc.assert(
      fc.property(fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 60 }), fc.constantFrom(...WALKED), fc.integer({ min: 0, max: 999 }), (parts, strategy, p) => {
        let src = concatBytes(parts);
        while (src.length < BLOCKSIZE_MAX + 1000) src = concatBytes([src, makeData('random', 20_000, src.length)]);
        const [ts, wa] = cuts(src, p, strategy);
        expect(wa).toBe(ts);
      }),
      { numRuns: 40 },
    );
  });

  it('writes nothing in the shared memory outside its two counter tables', () => {
    const src = shuffledRamp(BLOCKSIZE_MAX, 8, 99, 3);
    cuts(src, 0, Strategy.Lazy2);
    const heap = heapBytes();
    const saved = heap.slice();
    const pattern = (i: number): number => (i * 113 + 5) & 0xff;
    try {
      for (let i = 0; i < heap.length; i++) heap[i] = pattern(i);
      heap.set(src, WINDOW_AT);
      const cut = optimalBlockSize(src, 0, src.length, BLOCKSIZE_MAX, Strategy.Lazy2, 100, new SplitScratch(), WINDOW_AT);
      expect(cut).toBe(cuts(src, 0, Strategy.Lazy2)[0]);
      heap.set(src, WINDOW_AT);
      for (let i = 0; i < WINDOW_AT; i++) heap[i] = pattern(i);
      optimalBlockSize(src, 0, src.length, BLOCKSIZE_MAX, Strategy.Lazy2, 100, new SplitScratch(), WINDOW_AT);
      let stray = -1;
      let inArea = false;
      for (let i = 0; i < heap.length && stray < 0; i++) {
        const inside = i >= SPLIT_WASM_AREA[0] && i < SPLIT_WASM_AREA[1];
        const expected = i >= WINDOW_AT && i < WINDOW_AT + src.length ? src[i - WINDOW_AT] : pattern(i);
        if (heap[i] === expected) continue;
        if (inside) inArea = true;
        else stray = i;
      }
      expect(stray).toBe(-1);
      expect(inArea).toBe(true);
    } finally {
      heap.set(saved);
    }
  });
});
