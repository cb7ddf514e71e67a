import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { LZ4_WASM_SLACK } from '../../../src/codecs/lz4-compress-wasm.js';
import { ZstdEncoderState } from '../../../src/codecs/zstd-encoder/compress.js';
import { getCompressionParams } from '../../../src/codecs/zstd-encoder/params.js';
import { seqToCodes } from '../../../src/codecs/zstd-encoder/sequences.js';
import {
  FAST_SEQ_AT,
  LAZY_AREA,
  ROW_POSITIONS_AT,
  ROW_STATE_AT,
  ROW_STATE_END,
  ROW_TAGS_AT,
  setZstdEncoderWasmEnabled,
  setZstdLazyParserWasmEnabled,
  zstdEncoderWasmReady,
} from '../../../src/codecs/zstd-encoder/row-search-wasm.js';
import { zstdDecompress } from '../../../src/codecs/zstd/index.js';
import { compress } from '../../../src/index.js';
import { WINDOW_AT, heapBytes } from '../../../src/wasm/heap.js';
import { HUF_WASM_AREA } from '../../../src/codecs/zstd-encoder/huffman-wasm.js';
import { SEQ_WASM_AREA } from '../../../src/codecs/zstd-encoder/sequences-wasm.js';
import { concatBytes } from '../../helpers.js';
import { ENCODER_PIECE } from '../match-inputs.js';
import { KINDS, makeData } from './data.js';
import { expectTwins, expectTwinsOnConcatenations, firstStrayWrite, frame, rangeWritten } from './twins.js';

afterEach(() => {
  setZstdEncoderWasmEnabled(true);
  setZstdLazyParserWasmEnabled(true);
});

/**
 * zstd levels whose parameters search rows (greedy, lazy, lazy2 with a window over 16 KiB):
 * greedy, lazy and lazy2; rows of 16 and 32 entries; 4- and 5-byte hashes.
 */
const ROW_LEVELS = [5, 7, 9];
/** zstd levels of the fast strategy: 1 (Blosc clevel 1) and two negative ones (larger steps). */
const FAST_LEVELS = [1, -1, -5];

describe('zstd fast loop in WebAssembly', () => {
  it('writes the TypeScript twin\'s frames on every kind of data and size, at levels 1, -1, -5', () => {
    for (const level of FAST_LEVELS) expect(getCompressionParams(level, 65536).strategy).toBe(1);
    for (const kind of KINDS) {
      for (const size of [9, 100, 5000, 16 * 1024 + 1, 131_072 + 77]) {
        const src = makeData(kind, size, size ^ (kind.length * 7));
        for (const level of FAST_LEVELS) expectTwins(src, 0, size, level);
      }
    }
  });

  it('writes the twin\'s frames on random concatenations, from any start in the buffer', () => {
    expectTwinsOnConcatenations(FAST_LEVELS, 80);
  });

  it('writes nothing in the shared memory outside its table, its sequences and the input it copied', () => {
    const src = makeData('mixed', 200_000, 11);
    const level = 1;
    const { hashLog } = getCompressionParams(level, src.length);
    frame(src, 0, src.length, level, true);
    const heap = heapBytes();
    const pattern = (i: number): number => (i * 151 + 3) & 0xff;
    // Other modules keep tables in the memory (the zstd decoder's): put them back afterwards.
    const saved = heap.slice();
    for (let i = 0; i < heap.length; i++) heap[i] = pattern(i);
    try {
      const ts = frame(src, 0, src.length, level, false);
      const wa = frame(src, 0, src.length, level, true);
      expect(wa).toEqual(ts);
      expect(heapBytes().buffer).toBe(heap.buffer);
      const written: Array<[number, number]> = [
        [ROW_STATE_AT, ROW_STATE_AT + 128],
        // At most one sequence per 4 bytes of a 128 KiB block, 12 bytes each.
        [FAST_SEQ_AT, FAST_SEQ_AT + 12 * (32 * 1024 + 1)],
        [ROW_POSITIONS_AT, ROW_POSITIONS_AT + (4 << hashLog)],
        [WINDOW_AT, WINDOW_AT + src.length],
        // The Huffman stream writer's table, symbols and stream (huffman-wasm.ts).
        [HUF_WASM_AREA[0], HUF_WASM_AREA[1]],
        // The sequence bitstream writer's codes, values, tables and stream (sequences-wasm.ts).
        [SEQ_WASM_AREA[0], SEQ_WASM_AREA[1]],
      ];
      expect(firstStrayWrite(heap, pattern, written)).toBe(-1);
      expect(rangeWritten(heap, pattern, ROW_POSITIONS_AT, ROW_POSITIONS_AT + (4 << hashLog))).toBe(true);
    } finally {
      heap.set(saved);
    }
  });

  it('gives the same chunks with and without WebAssembly (zstd clevel 1, shuffle, both formats)', () => {
    const raw = new Float64Array(150_000);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.cos(i / 500) * 1e6 + ((i * 7919) % 31);
    const bytes = new Uint8Array(raw.buffer);
    for (const format of ['blosc1', 'blosc2'] as const) {
      const options = { codec: 'zstd', clevel: 1, typesize: 8, shuffle: 'shuffle', format } as const;
      setZstdEncoderWasmEnabled(false);
      const ts = compress(bytes, options);
      setZstdEncoderWasmEnabled(true);
      expect(compress(bytes, options)).toEqual(ts);
    }
  });
});

describe('zstd row search in WebAssembly', () => {
  it('is available here, and the benchmark levels search rows of 16 and 32 entries', () => {
    expect(zstdEncoderWasmReady()).toBe(true);
    // Blosc clevels 3 and 5 on 64 KiB streams: zstd levels 5 (searchLog 3) and 9 (searchLog 5).
    expect(getCompressionParams(5, 65536).searchLog).toBe(3);
    expect(getCompressionParams(9, 65536).searchLog).toBe(5);
  });

  it('writes the TypeScript twin\'s frames on every kind of data, size and row level', () => {
    for (const kind of KINDS) {
      for (const size of [16 * 1024 + 1, 40_000, 131_072 + 77]) {
        const src = makeData(kind, size, size ^ kind.length);
        for (const level of ROW_LEVELS) expectTwins(src, 0, size, level);
      }
    }
  });

  it('writes the twin\'s frames on random concatenations of runs, repeats, counters and noise', () => {
    fc.assert(
      fc.property(fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 40 }), fc.constantFrom(...ROW_LEVELS), fc.integer({ min: 0, max: 3000 }), (parts, level, sp) => {
        let src = concatBytes(parts);
        // Past 16 KiB, so that the window is large enough for the row search.
        while (src.length < 20_000) src = concatBytes([src, src]);
        expectTwins(src, Math.min(sp, src.length - 17_000), src.length - Math.min(sp, src.length - 17_000), level);
      }),
      { numRuns: 30 },
    );
  });

  it('parses blocks in WebAssembly as the TypeScript lazy parser does over the same search (greedy, lazy, lazy2)', () => {
    const parsed = (src: Uint8Array, level: number, wasmParser: boolean): Uint8Array => {
      setZstdLazyParserWasmEnabled(wasmParser);
      return frame(src, 0, src.length, level, true);
    };
    // Level 6 is lazy (depth 1), which the Blosc clevels never pick.
    const levels = [...ROW_LEVELS, 6];
    expect(getCompressionParams(6, 65536).strategy).toBe(4);
    for (const kind of KINDS) {
      const src = makeData(kind, 131_072 + 999, kind.length * 31);
      for (const level of levels) {
        const one = parsed(src, level, false);
        expect(parsed(src, level, true)).toEqual(one);
        expect(zstdDecompress(one)).toEqual(src);
      }
    }
    fc.assert(
      fc.property(fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 40 }), fc.constantFrom(...levels), (parts, level) => {
        let src = concatBytes(parts);
        while (src.length < 20_000) src = concatBytes([src, src]);
        expect(parsed(src, level, true)).toEqual(parsed(src, level, false));
      }),
      { numRuns: 15 },
    );
  });

  it('finds the blocks of one repeated byte (RLE blocks) the TypeScript check finds, wherever the first other byte is', () => {
    const block = 131_072;
    const noise = makeData('random', block, 3);
    // -1: no other byte; else its distance from the start of the second block: the SIMD
    // steps' edges, the byte tail and the last byte.
    for (const at of [-1, 0, 16, 17, block - 17, block - 1]) {
      const src = new Uint8Array(2 * block + 100).fill(0x5a);
      src.set(noise, 0);
      if (at >= 0) src[block + at] = 0x5b;
      expectTwins(src, 0, src.length, 9);
    }
  });

  it('hands over each sequence\'s codes as seqToCodes derives them, and their histograms (short and long lengths, all offsets)', () => {
    for (const kind of KINDS) {
      // Noise, then the kind: long literal runs before the kind's matches, short and long.
      const src = concatBytes([makeData('random', 3000, 1), makeData(kind, 120_000, kind.length * 5)]);
      for (const level of ROW_LEVELS) {
        const state = new ZstdEncoderState();
        frame(src, 0, src.length, level, true, state);
        const ss = state.ss;
        expect(ss.codedSeqs).toBe(ss.nbSeq);
        expect(ss.countedSeqs).toBe(ss.nbSeq);
        const n = ss.nbSeq;
        const codes = [ss.llCode.slice(0, n), ss.ofCode.slice(0, n), ss.mlCode.slice(0, n)];
        ss.codedSeqs = 0;
        seqToCodes(ss, 0, n);
        expect([ss.llCode.slice(0, n), ss.ofCode.slice(0, n), ss.mlCode.slice(0, n)]).toEqual(codes);
        // And the histograms handed over with them.
        const histogram = (c: Uint8Array, size: number): Uint32Array => {
          const h = new Uint32Array(size);
          for (const x of c) h[x]!++;
          return h;
        };
        expect(ss.llCount).toEqual(histogram(codes[0]!, ss.llCount.length));
        expect(ss.ofCount).toEqual(histogram(codes[1]!, ss.ofCount.length));
        expect(ss.mlCount).toEqual(histogram(codes[2]!, ss.mlCount.length));
      }
    }
  });

  it('gives the same frames when one state alternates between the two searches and other strategies', () => {
    const state = new ZstdEncoderState();
    const a = makeData('repeats', 90_000, 5);
    const b = makeData('text-like', 50_000, 6);
    for (const [src, level, wasm] of [[a, 5, true], [b, 9, false], [a, 1, true], [b, 9, true], [a, 19, true], [a, 5, false], [b, 6, true]] as const) {
      expect(frame(src, 0, src.length, level, wasm, state)).toEqual(frame(src, 0, src.length, level, !wasm));
    }
  });

  it('writes nothing in the shared memory outside its state, its tables and the input it copied', () => {
    const src = makeData('mixed', 100_000, 9);
    const level = 9;
    const { hashLog } = getCompressionParams(level, src.length);
    frame(src, 0, src.length, level, true); // grows the memory as far as this call will
    const heap = heapBytes();
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
        // The state, hash cache and the lazy parser's code tables.
        [ROW_STATE_AT, ROW_STATE_END],
        [ROW_TAGS_AT, ROW_TAGS_AT + (1 << hashLog)],
        [ROW_POSITIONS_AT, ROW_POSITIONS_AT + (4 << hashLog)],
        // The lazy parser's sequences and literals.
        [LAZY_AREA[0], LAZY_AREA[1]],
        [WINDOW_AT, WINDOW_AT + src.length],
        // The Huffman stream writer's table, symbols and stream (huffman-wasm.ts).
        [HUF_WASM_AREA[0], HUF_WASM_AREA[1]],
        // The sequence bitstream writer's codes, values, tables and stream (sequences-wasm.ts).
        [SEQ_WASM_AREA[0], SEQ_WASM_AREA[1]],
      ];
      expect(firstStrayWrite(heap, pattern, written)).toBe(-1);
      // The search did run there: its tables were written.
      expect(rangeWritten(heap, pattern, ROW_TAGS_AT, ROW_TAGS_AT + (1 << hashLog))).toBe(true);
    } finally {
      heap.set(saved);
    }
    expect(heap.subarray(WINDOW_AT, WINDOW_AT + src.length)).toEqual(src);
    expect(heap.length).toBeGreaterThanOrEqual(WINDOW_AT + src.length + LZ4_WASM_SLACK);
  });

  it('gives the same chunks with and without WebAssembly (zstd clevels 3 and 5, shuffle)', () => {
    const raw = new Float32Array(200_000);
    for (let i = 0; i < raw.length; i++) raw[i] = Math.sin(i / 300) * 1000 + ((i * 7919) % 13) / 100;
    const bytes = new Uint8Array(raw.buffer);
    for (const clevel of [3, 5]) {
      const options = { codec: 'zstd', clevel, typesize: 4, shuffle: 'shuffle', format: 'blosc2' } as const;
      setZstdEncoderWasmEnabled(false);
      const ts = compress(bytes, options);
      setZstdEncoderWasmEnabled(true);
      expect(compress(bytes, options)).toEqual(ts);
    }
  });
});
