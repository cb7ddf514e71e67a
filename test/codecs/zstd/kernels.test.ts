import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBloscError } from '../../../src/errors.js';
import {
  type HuffmanTable,
  decodeHuffman4Streams,
  decodeHuffmanStream,
  decodeHuffmanStreamSimple,
} from '../../../src/codecs/zstd/huffman.js';
import { fourStreams, huffEncode, randomTable } from './huffman-streams.js';
import { copyLongMatch, copyMatchSimple, copyMatchWords } from '../../../src/codecs/zstd/sequences.js';
import { xxhash64, xxhash64Simple } from '../../../src/codecs/zstd/xxhash64.js';
import { FseTable, LL_BASE, LL_EXTRA, buildFseTable } from '../../../src/codecs/zstd/fse.js';
import { mulberry32Uint32 } from '../../helpers.js';

describe('xxhash64', () => {
  it('matches the published value for the empty input', () => {
    expect(xxhash64(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
  });

  it('agrees with a BigInt reference on random inputs and seeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 0xffffffff }), (data, seed) => {
        expect(xxhash64(data, 0, data.length, seed)).toBe(xxhash64Simple(data, BigInt(seed)));
      }),
      { numRuns: 400 },
    );
  });

  it('hashes a sub-range', () => {
    const data = Uint8Array.from({ length: 200 }, (_, i) => (i * 37) & 255);
    expect(xxhash64(data, 13, 150)).toBe(xxhash64Simple(data.subarray(13, 150), 0n));
  });
});

describe('match copy', () => {
  it('copyLongMatch and copyMatchWords equal a byte-by-byte copy for every offset/length shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 50 }), (offset, ml, pre) => {
        const start = offset + pre;
        const a = new Uint8Array(start + ml + 8);
        for (let i = 0; i < start; i++) a[i] = (i * 131 + 7) & 255;
        const b = a.slice();
        const c = a.slice();
        const e = a.slice();
        copyLongMatch(a, start, offset, ml);
        copyMatchSimple(b, start, offset, ml);
        copyMatchWords(c, new DataView(c.buffer), start, offset, ml, false);
        copyMatchWords(e, new DataView(e.buffer), start, offset, ml, true);
        expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
        expect(Buffer.compare(Buffer.from(c), Buffer.from(b))).toBe(0);
        // With overshoot, the match itself is exact; at most 3 bytes after it may differ.
        expect(Buffer.compare(Buffer.from(e.subarray(0, start + ml)), Buffer.from(b.subarray(0, start + ml)))).toBe(0);
        expect(Buffer.compare(Buffer.from(e.subarray(start + ml + 3)), Buffer.from(b.subarray(start + ml + 3)))).toBe(0);
      }),
      { numRuns: 1500 },
    );
  });
});

/**
 * ZSTD_buildFSETable_body's general spread (one symbol occurrence at a time, skipping the
 * low-probability cells): the reference for buildFseTable's fast spread. Cells as fse.ts.
 */
function buildFseTableSimple(norm: Int16Array, maxSymbol: number, log: number, base: Int32Array | null, extra: Uint8Array | null): Int32Array {
  const size = 1 << log;
  const spread = new Int32Array(size);
  const next = new Int32Array(maxSymbol + 1);
  let high = size - 1;
  for (let s = 0; s <= maxSymbol; s++) {
    if (norm[s] === -1) {
      spread[high--] = s;
      next[s] = 1;
    } else next[s] = norm[s]!;
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  let pos = 0;
  for (let s = 0; s <= maxSymbol; s++) {
    for (let i = 0; i < norm[s]!; i++) {
      spread[pos] = s;
      do pos = (pos + step) & (size - 1);
      while (pos > high);
    }
  }
  const cells = new Int32Array(2 * size);
  for (let u = 0; u < size; u++) {
    const s = spread[u]!;
    const n = next[s]++;
    const nbBits = log - (31 - Math.clz32(n));
    cells[2 * u] = base === null ? s : base[s]!;
    cells[2 * u + 1] = (extra === null ? 0 : extra[s]!) | (nbBits << 8) | (((n << nbBits) - size) << 16);
  }
  return cells;
}

describe('FSE decoding tables', () => {
  it('buildFseTable equals the one-symbol-at-a-time reference, with and without low-probability symbols', () => {
    const distribution = fc
      .record({ log: fc.integer({ min: 5, max: 9 }), symbols: fc.integer({ min: 1, max: 36 }), seed: fc.nat(), lowProb: fc.boolean() })
      .map(({ log, symbols, seed, lowProb }) => {
        // Split 1 << log states among `symbols` symbols (some zero, some -1 when lowProb).
        const next = mulberry32Uint32(seed);
        const rand = (m: number): number => next() % m;
        const norm = new Int16Array(64);
        let left = 1 << log;
        for (let s = 0; s < symbols - 1 && left > 0; s++) {
          const kind = rand(6);
          if (kind === 0) norm[s] = 0;
          else if (kind === 1 && lowProb) {
            norm[s] = -1;
            left--;
          } else {
            const n = Math.min(left, 1 + rand(kind === 2 ? left : 12));
            norm[s] = n;
            left -= n;
          }
        }
        norm[symbols - 1] = left;
        return { log, maxSymbol: symbols - 1, norm };
      });
    fc.assert(
      fc.property(distribution, fc.boolean(), ({ log, maxSymbol, norm }, mapped) => {
        const t = new FseTable(9);
        const base = mapped ? LL_BASE : null;
        const extra = mapped ? LL_EXTRA : null;
        buildFseTable(t, norm, maxSymbol, log, base, extra);
        expect(t.log).toBe(log);
        expect(Array.from(t.cells.subarray(0, 2 << log))).toEqual(Array.from(buildFseTableSimple(norm, maxSymbol, log, base, extra)));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('Huffman stream decoding', () => {
  const arbTable = fc
    .array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 60 })
    .map(randomTable)
    .filter((t): t is HuffmanTable => t !== null);

  it('fast and simple decoders agree with the encoder', () => {
    fc.assert(
      fc.property(arbTable, fc.array(fc.nat(), { maxLength: 400 }), (table, picks) => {
        const present: number[] = [];
        for (let i = 0; i < 1 << table.log; i += 1) {
          const s = table.cells[i]! >> 8;
          if (present[present.length - 1] !== s) present.push(s);
        }
        const symbols = picks.map((p) => present[p % present.length]!);
        const stream = huffEncode(table, symbols);
        const padded = new Uint8Array(stream.length + 6);
        padded.set(stream, 3);
        const fast = new Uint8Array(symbols.length);
        const simple = new Uint8Array(symbols.length);
        decodeHuffmanStream(table, padded, 3, 3 + stream.length, fast, 0, symbols.length);
        decodeHuffmanStreamSimple(table, padded, 3, 3 + stream.length, simple, 0, symbols.length);
        expect([...fast]).toEqual(symbols);
        expect([...simple]).toEqual(symbols);
        // Asking for one symbol too many or too few leaves bits over or under: both refuse.
        if (symbols.length > 0) {
          expect(() => decodeHuffmanStream(table, padded, 3, 3 + stream.length, fast, 0, symbols.length - 1)).toThrow();
          expect(() => decodeHuffmanStreamSimple(table, padded, 3, 3 + stream.length, simple, 0, symbols.length - 1)).toThrow();
        }
      }),
      { numRuns: 600 },
    );
  });

  it('fast and simple decoders agree on random streams (success or failure)', () => {
    fc.assert(
      fc.property(arbTable, fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat({ max: 200 }), (table, stream, count) => {
        const a = new Uint8Array(count);
        const b = new Uint8Array(count);
        let ea = false;
        let eb = false;
        try {
          decodeHuffmanStream(table, stream, 0, stream.length, a, 0, count);
        } catch (e) {
          expect(isBloscError(e)).toBe(true);
          ea = true;
        }
        try {
          decodeHuffmanStreamSimple(table, stream, 0, stream.length, b, 0, count);
        } catch (e) {
          expect(isBloscError(e)).toBe(true);
          eb = true;
        }
        expect(ea).toBe(eb);
        if (!ea) expect([...a]).toEqual([...b]);
      }),
      { numRuns: 1500 },
    );
  });

  it('the side-by-side 4-stream decoder equals four single-stream decodes', () => {
    fc.assert(
      fc.property(arbTable, fc.array(fc.nat(), { minLength: 6, maxLength: 700 }), fc.nat({ max: 3 }), fc.boolean(), (table, few, skew, large) => {
        // Large sections (>= 8192 symbols) take the two-symbol table path.
        const picks = large ? Array.from({ length: 8192 + few.length }, (_, i) => few[i % few.length]! + i) : few;
        const present: number[] = [];
        for (let i = 0; i < 1 << table.log; i++) {
          const s = table.cells[i]! >> 8;
          if (present[present.length - 1] !== s) present.push(s);
        }
        // Optionally make one segment highly compressible so the streams end at different times.
        const symbols = picks.map((p, i) => (skew > 0 && i % 4 === skew ? present[0]! : present[p % present.length]!));
        const seg = Math.ceil(symbols.length / 4);
        const streams = fourStreams(table, symbols, 3);
        if (streams === null) return;
        const { bytes: src, total, starts } = streams;
        const out = new Uint8Array(symbols.length);
        decodeHuffman4Streams(table, src, 0, total, out, 0, symbols.length);
        const ref = new Uint8Array(symbols.length);
        for (let k = 0; k < 4; k++) {
          decodeHuffmanStreamSimple(table, src, starts[k]!, starts[k + 1]!, ref, k * seg, Math.min(symbols.length, (k + 1) * seg));
        }
        expect(Buffer.compare(Buffer.from(out), Buffer.from(symbols))).toBe(0);
        expect(Buffer.compare(Buffer.from(ref), Buffer.from(symbols))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes 4 streams with a jump table', () => {
    const table = randomTable([4, 3, 2, 0, 1])!; // the RFC 8878 example weights
    expect(table).not.toBeNull();
    const symbols = Array.from({ length: 103 }, (_, i) => [0, 1, 2, 4, 5][(i * 7) % 5]!);
    const { bytes: src, total } = fourStreams(table, symbols)!;
    const out = new Uint8Array(symbols.length);
    decodeHuffman4Streams(table, src, 0, total, out, 0, symbols.length);
    expect([...out]).toEqual(symbols);
  });
});
