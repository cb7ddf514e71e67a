import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { isBloscError } from '../../../src/errors.js';
import { type HuffmanTable, buildPairTable, decodeHuffman4Streams, decodeHuffmanStream } from '../../../src/codecs/zstd/huffman.js';
import {
  decodeHuffmanIntoHeap,
  heapPairTable,
  heapSplitTable,
  huffmanModuleBytes,
  SPLIT_TABLE_LAYOUT,
  huffmanWasmCounts,
  wasmHuffmanReady,
} from '../../../src/codecs/zstd/huffman-wasm.js';
import { zstdDecompressInto } from '../../../src/codecs/zstd/index.js';
import { LIT_AT, TABLES_AREA_AT, TABLES_AREA_END, setZstdWasmEnabled } from '../../../src/codecs/zstd/sequences-wasm.js';
import { zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/index.js';
import { heapBytes } from '../../../src/wasm/heap.js';
import { mulberry32 } from '../../helpers.js';
import { fourStreams, huffEncode, randomTable } from './huffman-streams.js';

afterEach(() => setZstdWasmEnabled(true));

/** Weights up to 12 give every table log up to zstd's limit (12, the 4-per-reload variant). */
const arbTable = fc
  .array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 80 })
  .map(randomTable)
  .filter((t): t is HuffmanTable => t !== null);

/** The symbols a table can code, in table order. */
function present(table: HuffmanTable): number[] {
  const out: number[] = [];
  for (let i = 0; i < 1 << table.log; i++) {
    const s = table.cells[i]! >> 8;
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
}

/** Literals payload: one stream, or a jump table and four streams (RFC 8878 §3.1.1.3.1.6). */
function payload(table: HuffmanTable, symbols: number[], four: boolean): Uint8Array | null {
  if (!four) return huffEncode(table, symbols);
  return fourStreams(table, symbols)?.bytes ?? null;
}

const GUARD = 64;
const SENTINEL = 0xa5;
/** The output window in the shared memory: the sequence executor's literals, where blocks decode them. */
const AT = LIT_AT + GUARD;

type Outcome = { ok: true; bytes: Buffer } | { ok: false };

/** The WebAssembly decoder into a guarded window of the shared memory; throws if it wrote outside. */
function wasmOutcome(table: HuffmanTable, src: Uint8Array, four: boolean, size: number): Outcome {
  let heap = heapBytes();
  heap.fill(SENTINEL, AT - GUARD, AT + size + GUARD);
  const ok = decodeHuffmanIntoHeap(table, src, 0, src.length, four, AT, size);
  heap = heapBytes();
  for (let i = 0; i < GUARD; i++) {
    if (heap[AT - GUARD + i] !== SENTINEL || heap[AT + size + i] !== SENTINEL) throw new Error('wrote outside the literals window');
  }
  return ok ? { ok: true, bytes: Buffer.from(heap.subarray(AT, AT + size)) } : { ok: false };
}

/** The TypeScript twin: its bytes, or the BloscError it threw. */
function tsOutcome(table: HuffmanTable, src: Uint8Array, four: boolean, size: number): Outcome {
  const out = new Uint8Array(size);
  try {
    if (four) decodeHuffman4Streams(table, src, 0, src.length, out, 0, size);
    else decodeHuffmanStream(table, src, 0, src.length, out, 0, size);
  } catch (e) {
    if (!isBloscError(e)) throw e;
    return { ok: false };
  }
  return { ok: true, bytes: Buffer.from(out) };
}

function expectSameOutcome(table: HuffmanTable, src: Uint8Array, four: boolean, size: number): Outcome {
  const w = wasmOutcome(table, src, four, size);
  const t = tsOutcome(table, src, four, size);
  expect(w.ok).toBe(t.ok);
  if (w.ok && t.ok) expect(w.bytes.equals(t.bytes)).toBe(true);
  return w;
}

describe('zstd Huffman literals in WebAssembly', () => {
  it('the module is one this platform validates and uses', () => {
    expect(WebAssembly.validate(huffmanModuleBytes())).toBe(true);
    expect(wasmHuffmanReady()).toBe(true);
  });

  it('decodes valid 1- and 4-stream literals as the TypeScript twin does, writing only its window', () => {
    const before = { ...huffmanWasmCounts };
    let decoded = 0;
    fc.assert(
      fc.property(
        arbTable,
        fc.array(fc.nat(), { minLength: 6, maxLength: 400 }),
        // Long 4-stream sections of short codes take the two-symbol table.
        fc.oneof(fc.integer({ min: 6, max: 5000 }), fc.integer({ min: 4096, max: 40000 })),
        fc.nat({ max: 3 }),
        fc.boolean(),
        fc.boolean(),
        (table, picks, length, skew, four, byCode) => {
          const codes = present(table);
          // Symbols uniformly, or as often as their codes are short (table cells picked
          // uniformly); optionally one segment all one symbol, so the streams end at
          // different times.
          const pick = (p: number): number => (byCode ? table.cells[p % (1 << table.log)]! >> 8 : codes[p % codes.length]!);
          const symbols = Array.from({ length }, (_, i) =>
            skew > 0 && Math.floor((i * 4) / length) === skew ? codes[0]! : pick(picks[i % picks.length]! * 7919 + i),
          );
          const src = payload(table, symbols, four);
          if (src === null) return;
          const w = expectSameOutcome(table, src, four, length);
          expect(w.ok).toBe(true);
          if (w.ok) expect(w.bytes.equals(Buffer.from(symbols))).toBe(true);
          decoded++;
        },
      ),
      { numRuns: 400 },
    );
    expect(huffmanWasmCounts.decoded - before.decoded).toBe(decoded);
    expect(huffmanWasmCounts.rejected).toBe(before.rejected);
  });

  it('decodes 4 streams with every table log (one function each) as the TypeScript twin does', () => {
    const random = mulberry32(11);
    for (let log = 1; log <= 12; log++) {
      // Weights log, log - 1, ..., 1 (and the implied last 1): codes of 1 to log bits.
      const table = randomTable(Array.from({ length: log }, (_, i) => log - i))!;
      expect(table.log).toBe(log);
      const codes = present(table);
      for (const length of [6, 7, 100, 1001, 4000]) {
        const symbols = Array.from({ length }, () => codes[Math.floor(random() * codes.length)]!);
        const src = payload(table, symbols, true);
        if (src === null) continue;
        const before = huffmanWasmCounts.decoded;
        const w = expectSameOutcome(table, src, true, length);
        expect(w.ok && w.bytes.equals(Buffer.from(symbols))).toBe(true);
        expect(huffmanWasmCounts.decoded).toBe(before + 1);
      }
    }
  });

  it('decodes 4 streams of only the longest codes of each table log (every bit of a round used) as the TypeScript twin does', () => {
    // Every lookup takes `log` bits: a round of the fast loop uses as many bits as it may,
    // and the stream lengths put the end marker at each bit of the last byte.
    for (let log = 1; log <= 12; log++) {
      const table = randomTable(Array.from({ length: log }, (_, i) => log - i))!;
      const longest: number[] = [];
      for (let i = 0; i < 1 << log; i++) {
        const e = table.cells[i]!;
        if ((e & 0xff) === log && !longest.includes(e >> 8)) longest.push(e >> 8);
      }
      expect(longest.length).toBeGreaterThan(0);
      for (let length = 40; length < 40 + 4 * 8 * 3; length += 3) {
        const symbols = Array.from({ length }, (_, i) => longest[i % longest.length]!);
        const src = payload(table, symbols, true);
        if (src === null) continue;
        const w = expectSameOutcome(table, src, true, length);
        expect(w.ok && w.bytes.equals(Buffer.from(symbols))).toBe(true);
      }
    }
  });

  it('decodes long sections of short codes with the two-symbol table as the TypeScript twin does', () => {
    // Code lengths 1, 2, ..., 11, 11 (log 11) or 1, ..., 12, 12 (log 12): two codes often fit in one lookup.
    const tables = [randomTable([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])!, randomTable([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])!];
    expect(tables.map((t) => t.log)).toEqual([11, 12]);
    const before = { ...huffmanWasmCounts };
    fc.assert(
      fc.property(
        fc.nat({ max: 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 4096, max: 60000 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 3 }),
        (which, picks, length, flips) => {
          const table = tables[which]!;
          const symbols = Array.from({ length }, (_, i) => table.cells[(picks[i % picks.length]! * 7919 + i * 31) % (1 << table.log)]! >> 8);
          const src = payload(table, symbols, true)!;
          const w = expectSameOutcome(table, src, true, length);
          expect(w.ok && w.bytes.equals(Buffer.from(symbols))).toBe(true);
          // Damaged: the same outcome as the twin (the rejections are not counted as pairs).
          const bad = src.slice();
          for (const [pos, bit] of flips) bad[Math.floor(pos * bad.length)]! ^= 1 << bit;
          const decodedBefore = huffmanWasmCounts.decoded;
          const pairsBefore = huffmanWasmCounts.pairs;
          if (expectSameOutcome(table, bad, true, length).ok) {
            expect(huffmanWasmCounts.decoded).toBe(decodedBefore + 1);
          } else {
            expect(huffmanWasmCounts.pairs).toBe(pairsBefore);
          }
          huffmanWasmCounts.pairs = pairsBefore;
        },
      ),
      { numRuns: 60 },
    );
    expect(huffmanWasmCounts.pairs - before.pairs).toBe(60);
  });

  it('builds the two-symbol table as the TypeScript twin (buildPairTable) does, for every table log', () => {
    const logs = new Set<number>();
    fc.assert(
      fc.property(arbTable, (table) => {
        const wasm = heapPairTable(table);
        expect(wasm).not.toBeNull();
        buildPairTable(table);
        expect(Array.from(wasm!)).toEqual(Array.from(table.pairs.subarray(0, 1 << table.log)));
        logs.add(table.log);
      }),
      { numRuns: 300 },
    );
    expect(logs.size).toBeGreaterThan(6);
  });

  it('builds the split table from the weights as the TypeScript twin lays out its cells, writing only the table and its scratch', () => {
    const logs = new Set<number>();
    const { nbAt, symAt, scratchAt, scratchEnd } = SPLIT_TABLE_LAYOUT;
    fc.assert(
      fc.property(arbTable, fc.integer({ min: 0, max: 255 }), (table, sentinel) => {
        heapBytes().fill(sentinel, TABLES_AREA_AT, TABLES_AREA_END);
        const wasm = heapSplitTable(table);
        expect(wasm).not.toBeNull();
        const size = 1 << table.log;
        const cells = Array.from(table.cells.subarray(0, size));
        expect(Array.from(wasm!.nb)).toEqual(cells.map((c) => c & 0xff));
        expect(Array.from(wasm!.sym)).toEqual(cells.map((c) => c >> 8));
        const heap = heapBytes();
        for (let i = TABLES_AREA_AT; i < TABLES_AREA_END; i++) {
          const written = (i >= nbAt && i < nbAt + size) || (i >= symAt && i < symAt + size) || (i >= scratchAt && i < scratchEnd);
          if (!written && heap[i] !== sentinel) throw new Error(`wrote outside the split table at ${i}`);
        }
        logs.add(table.log);
      }),
      { numRuns: 300 },
    );
    expect(logs.size).toBeGreaterThan(6);
  });

  it('gives the same outcome as the TypeScript twin on damaged literals (bit flips, cuts, wrong counts)', () => {
    let refused = 0;
    fc.assert(
      fc.property(
        arbTable,
        fc.array(fc.nat(), { minLength: 6, maxLength: 300 }),
        fc.oneof(fc.integer({ min: 6, max: 3000 }), fc.integer({ min: 4096, max: 12000 })),
        fc.boolean(),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { maxLength: 4 }),
        fc.integer({ min: -3, max: 3 }),
        fc.nat({ max: 12 }),
        (table, picks, length, four, flips, sizeDelta, cut) => {
          const codes = present(table);
          const symbols = Array.from({ length }, (_, i) => codes[picks[i % picks.length]! % codes.length]!);
          const valid = payload(table, symbols, four);
          if (valid === null) return;
          const bad = valid.slice(0, Math.max(1, valid.length - cut));
          for (const [pos, bit] of flips) bad[Math.floor(pos * bad.length)]! ^= 1 << bit;
          const w = expectSameOutcome(table, bad, four, Math.max(0, length + sizeDelta));
          if (!w.ok) refused++;
        },
      ),
      { numRuns: 1000 },
    );
    // The damage must really be caught (most cases), not only decoded into other bytes.
    expect(refused).toBeGreaterThan(300);
  });

  it('gives the same outcome as the TypeScript twin on random bytes', () => {
    fc.assert(
      fc.property(arbTable, fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.nat({ max: 2000 }), fc.boolean(), (table, src, size, four) => {
        expectSameOutcome(table, src, four, size);
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes literal-heavy zstd frames to the same bytes with and without WebAssembly', () => {
    const random = mulberry32(7);
    const before = { ...huffmanWasmCounts };
    for (const length of [3000, 70000, 300000]) {
      // Float64 noise around a slow wave: literals with a skewed byte distribution, few matches.
      const values = new Float64Array(length / 8);
      for (let i = 0; i < values.length; i++) values[i] = Math.sin(i / 500) + random() * 1e-3;
      const src = new Uint8Array(values.buffer);
      for (const level of [1, 3, 9, 19]) {
        const dst = new Uint8Array(zstdCompressBound(src.length) + 64);
        const frame = dst.subarray(0, zstdCompress(src, 0, src.length, dst, 0, dst.length, level));
        for (const wasm of [true, false]) {
          setZstdWasmEnabled(wasm);
          const out = new Uint8Array(GUARD + src.length + GUARD).fill(SENTINEL);
          expect(zstdDecompressInto(frame, 0, frame.length, out, GUARD, src.length, null)).toBe(src.length);
          expect(Buffer.from(out.subarray(GUARD, GUARD + src.length)).equals(Buffer.from(src))).toBe(true);
          for (let i = 0; i < GUARD; i++) {
            expect(out[i]).toBe(SENTINEL);
            expect(out[GUARD + src.length + i]).toBe(SENTINEL);
          }
        }
      }
    }
    expect(huffmanWasmCounts.decoded).toBeGreaterThan(before.decoded + 10);
    expect(huffmanWasmCounts.rejected).toBe(before.rejected);
  });
});
