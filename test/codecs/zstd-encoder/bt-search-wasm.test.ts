import { afterEach, describe, expect, it } from 'vitest';
import {
  BT_AREA_AT,
  BT_HASH3_AT,
  BT_HASH_AT,
  btTreeAt,
  growForZstdTreeSearch,
} from '../../../src/codecs/zstd-encoder/bt-search-wasm.js';
import { ZstdEncoderState } from '../../../src/codecs/zstd-encoder/compress.js';
import { HUF_WASM_AREA } from '../../../src/codecs/zstd-encoder/huffman-wasm.js';
import { SEQ_WASM_AREA } from '../../../src/codecs/zstd-encoder/sequences-wasm.js';
import { getCompressionParams } from '../../../src/codecs/zstd-encoder/params.js';
import { setZstdEncoderWasmEnabled, zstdEncoderWasmReady } from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { compress } from '../../../src/index.js';
import { WINDOW_AT, heapBytes } from '../../../src/wasm/heap.js';
import { KINDS, makeData } from './data.js';
import { expectTwins, expectTwinsOnConcatenations, firstStrayWrite, frame, rangeWritten } from './twins.js';

afterEach(() => setZstdEncoderWasmEnabled(true));

/**
 * zstd levels of the optimal parser: btopt with 5- and 4-byte hashes (16, 17 on large
 * inputs), btultra (18), btultra2 (19, 22; 22 is Blosc clevel 9), all with 3-byte matches
 * except where minMatch is over 3.
 */
const OPT_LEVELS = [16, 17, 18, 19, 22];

describe('zstd tree search and match pricing in WebAssembly', () => {
  it('is available here, and the test levels cover 3-, 4- and 5-byte hashes and both parsers', () => {
    expect(zstdEncoderWasmReady()).toBe(true);
    const big = 1 << 20;
    expect(OPT_LEVELS.map((l) => getCompressionParams(l, big).minMatch)).toEqual([5, 4, 3, 3, 3]);
    expect(OPT_LEVELS.map((l) => getCompressionParams(l, big).strategy)).toEqual([7, 7, 8, 9, 9]);
    // Blosc clevel 9 on 1 MiB blocks: the largest tables the WebAssembly search takes.
    const p = getCompressionParams(22, big);
    expect([p.hashLog, p.chainLog, p.searchLog]).toEqual([21, 21, 9]);
  });

  it('has the chunk driver grow the memory for its tables at clevel 9 only (first in this file: a fresh memory)', () => {
    const end = btTreeAt(21) + (4 << 21);
    growForZstdTreeSearch(5, 1 << 20);
    expect(heapBytes().length).toBeLessThan(BT_AREA_AT);
    growForZstdTreeSearch(9, 1 << 20);
    expect(heapBytes().length).toBeGreaterThanOrEqual(end);
  });

  it('writes the TypeScript twin\'s frames on every kind of data, size and optimal level', () => {
    for (const kind of KINDS) {
      for (const size of [9, 100, 5000, 40_000, 131_072 + 77]) {
        const src = makeData(kind, size, size ^ kind.length);
        // Two blocks (the second one carrying the first one's statistics) at Blosc's level only.
        for (const level of size > 131_072 ? [22] : OPT_LEVELS) expectTwins(src, 0, size, level);
      }
    }
  });

  it('writes the twin\'s frames on random concatenations of runs, repeats, counters and noise, from any start', () => {
    expectTwinsOnConcatenations(OPT_LEVELS, 40);
  });

  it('gives the same frames when one state alternates between the two searches and other strategies', () => {
    const state = new ZstdEncoderState();
    const a = makeData('repeats', 90_000, 5);
    const b = makeData('text-like', 50_000, 6);
    // Level 1 right after level 22 on the same input size: tables of the same length, which
    // the fast loop must not take for its own.
    const runs = [[a, 22, true], [a, 1, true], [b, 22, false], [a, 1, true], [b, 19, true], [a, 5, true], [a, 16, false], [b, 22, true], [b, 9, true]] as const;
    for (const [src, level, wasm] of runs) {
      expect(frame(src, 0, src.length, level, wasm, state)).toEqual(frame(src, 0, src.length, level, !wasm));
    }
  });

  it('writes nothing in the shared memory outside its state, match lists, tables and the input it copied', () => {
    const src = makeData('mixed', 300_000, 9);
    const level = 22;
    const { hashLog, chainLog } = getCompressionParams(level, src.length);
    frame(src, 0, src.length, level, true); // grows the memory as far as this call will
    const heap = heapBytes();
    expect(heap.length).toBeGreaterThanOrEqual(btTreeAt(hashLog) + (4 << chainLog));
    const pattern = (i: number): number => (i * 131 + 7) & 0xff;
    // Other modules keep tables in the memory (the zstd decoder's): put them back afterwards.
    const saved = heap.slice();
    for (let i = 0; i < heap.length; i++) heap[i] = pattern(i);
    try {
      const ts = frame(src, 0, src.length, level, false);
      const wa = frame(src, 0, src.length, level, true);
      expect(wa).toEqual(ts);
      expect(heapBytes().buffer).toBe(heap.buffer);
      const written: Array<[number, number]> = [
        // The state, the match lists, the parser's price table and prices by code.
        [BT_AREA_AT, BT_HASH3_AT],
        [BT_HASH3_AT, BT_HASH3_AT + (4 << 17)],
        [BT_HASH_AT, BT_HASH_AT + (4 << hashLog)],
        [btTreeAt(hashLog), btTreeAt(hashLog) + (4 << chainLog)],
        [WINDOW_AT, WINDOW_AT + src.length],
        // The Huffman stream writer's table, symbols and stream (huffman-wasm.ts).
        [HUF_WASM_AREA[0], HUF_WASM_AREA[1]],
        // The sequence bitstream writer's codes and stream (sequences-wasm.ts).
        [SEQ_WASM_AREA[0], SEQ_WASM_AREA[1]],
      ];
      expect(firstStrayWrite(heap, pattern, written)).toBe(-1);
      // The search did run there: its tree was written.
      expect(rangeWritten(heap, pattern, btTreeAt(hashLog), btTreeAt(hashLog) + (4 << chainLog))).toBe(true);
    } finally {
      heap.set(saved);
    }
    expect(heap.subarray(WINDOW_AT, WINDOW_AT + src.length)).toEqual(src);
  });

  it('gives the same chunks with and without WebAssembly (zstd clevel 9, shuffle, 1 MiB blocks)', () => {
    const raw = new Float32Array(300_000);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.sin(i / 300) * 1000 + ((i * 7919) % 13) / 100;
    const bytes = new Uint8Array(raw.buffer);
    for (const format of ['blosc1', 'blosc2'] as const) {
      const options = { codec: 'zstd', clevel: 9, typesize: 4, shuffle: 'shuffle', format, blocksize: 1 << 20 } as const;
      setZstdEncoderWasmEnabled(false);
      const ts = compress(bytes, options);
      setZstdEncoderWasmEnabled(true);
      expect(compress(bytes, options)).toEqual(ts);
    }
  });
});
