/**
 * The encoder's building blocks against independent references: BigInt versions of
 * libzstd's 64-bit arithmetic, the RFC 8878 code tables, and the decoder's readers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitWriter } from '../../../src/codecs/zstd-encoder/bit-writer.js';
import {
  FseCTable,
  FseScratch,
  buildFseCTable,
  inverseProbabilityLog256,
  normalizeCount,
  optimalTableLog,
  writeNCount,
} from '../../../src/codecs/zstd-encoder/fse-encoder.js';
import {
  HufCTable,
  HufRepeat,
  HufScratch,
  buildHuffmanCTable,
  huffmanCompress1X,
  huffmanCompress1XSimple,
  huffmanCompress4X,
  writeHuffmanCTable,
} from '../../../src/codecs/zstd-encoder/huffman-encoder.js';
import { LiteralsScratch, compressLiterals } from '../../../src/codecs/zstd-encoder/literals.js';
import {
  countMatch,
  countMatchSimple,
  hashPtr,
  hashPtrReference,
  mulHigh32,
  mulHigh32Simple,
  sourceView,
} from '../../../src/codecs/zstd-encoder/match-state.js';
import { getCompressionParams } from '../../../src/codecs/zstd-encoder/params.js';
import {
  LL_BITS,
  ML_BITS,
  SeqEntropy,
  SequencesScratch,
  buildSequencesStatistics,
  encodeSequences,
  encodeSequencesSimple,
  llCode,
  mlCode,
} from '../../../src/codecs/zstd-encoder/sequences.js';
import { equal4, equal4Simple } from '../../../src/codecs/zstd-encoder/match-state.js';
import { tagMatchMask, tagMatchMaskSimple } from '../../../src/codecs/zstd-encoder/match-lazy.js';
import { readNormalizedCounts } from '../../../src/codecs/zstd/fse.js';
import { HuffmanTable, decodeHuffmanStream, readHuffmanTable } from '../../../src/codecs/zstd/huffman.js';
import { LIT_COMPRESSED, LIT_RAW, LIT_RLE, LIT_TREELESS, LiteralsHeader, decodeLiterals, readLiteralsHeader } from '../../../src/codecs/zstd/literals.js';
import { Rng, randomSequences } from './data.js';

/** RFC 8878 §3.1.1.3.2.1.1: literal-length baselines (codes 0..35). */
const LL_BASELINE = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048,
  4096, 8192, 16384, 32768, 65536,
];
/** RFC 8878: match-length baselines (codes 0..52). */
const ML_BASELINE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
];

/** libzstd's FSE_normalizeCount main path with 64-bit integers (BigInt), for comparison. */
function normalizeReference(count: Uint32Array, total: number, maxSymbolValue: number, tableLog: number, lowProb: boolean): Int16Array | null {
  const rtb = [0n, 473195n, 504333n, 520860n, 550000n, 700000n, 750000n, 830000n];
  const norm = new Int16Array(maxSymbolValue + 1);
  const scale = BigInt(62 - tableLog);
  const step = (1n << 62n) / BigInt(total);
  const vStep = 1n << (scale - 20n);
  let still = 1 << tableLog;
  let largest = 0;
  let largestP = 0;
  const lowThreshold = Math.floor(total / (1 << tableLog));
  for (let s = 0; s <= maxSymbolValue; s++) {
    const c = count[s]!;
    if (c === 0) continue;
    if (c <= lowThreshold) {
      norm[s] = lowProb ? -1 : 1;
      still--;
    } else {
      const prod = BigInt(c) * step;
      let proba = Number(prod >> scale);
      if (proba < 8) {
        const rest = prod - (BigInt(proba) << scale);
        if (rest > vStep * rtb[proba]!) proba++;
      }
      if (proba > largestP) {
        largestP = proba;
        largest = s;
      }
      norm[s] = proba;
      still -= proba;
    }
  }
  if (-still >= norm[largest]! >> 1) return null; // the secondary method applies
  norm[largest] = norm[largest]! + still;
  return norm;
}

function countsOf(values: number[], size: number): Uint32Array {
  const c = new Uint32Array(size);
  for (const v of values) c[v]!++;
  return c;
}

describe('hashes', () => {
  it('equal libzstd ZSTD_hashPtr (64-bit products) for every length and table size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 3, max: 8 }), fc.integer({ min: 6, max: 32 }), (b, mls, h) => {
        expect(hashPtr(sourceView(b), 0, h, mls)).toBe(hashPtrReference(b, 0, h, mls));
      }),
      { numRuns: 2000 },
    );
  });

  it('take the exact high word of 32x32-bit products', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), (a, b) => {
        expect(mulHigh32(a, b)).toBe(mulHigh32Simple(a, b));
        expect(mulHigh32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
      }),
      { numRuns: 5000 },
    );
    for (const [a, b] of [
      [0xffffffff, 0xffffffff],
      [0xffffffff, 1],
      [0x80000000, 0x80000000],
      [0xb7a56463, 0xffffffff],
      [0, 0xffffffff],
    ]) {
      expect(mulHigh32(a!, b!)).toBe(Number((BigInt(a!) * BigInt(b!)) >> 32n));
    }
  });

  it('count matches word-wise exactly as byte by byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.nat(), (b, x, y) => {
        // two views into a buffer built to share prefixes
        const buf = new Uint8Array(b.length * 2);
        buf.set(b);
        buf.set(b, b.length);
        if (b.length > 3) buf[b.length + (x % b.length)] ^= 1 + (y % 255);
        const a = x % b.length;
        const iend = buf.length;
        expect(countMatch(sourceView(buf), b.length + a, a, iend)).toBe(countMatchSimple(buf, b.length + a, a, iend));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('sequence bitstream', () => {
  it('encodes sequences exactly as the one-field-at-a-time reference', () => {
    const ws = new SequencesScratch();
    const prev = new SeqEntropy();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3 }), fc.integer(), (n, shape, seed) => {
        const ss = randomSequences(n, shape, seed);
        const next = new SeqEntropy();
        const tables = new Uint8Array(512);
        expect(buildSequencesStatistics(ss, 0, n, tables, 0, tables.length, prev, next, 1 + (seed & 7), ws)).toBeGreaterThanOrEqual(0);
        const a = new Uint8Array(n * 16 + 64);
        const b = new Uint8Array(n * 16 + 64);
        const sa = encodeSequences(ss, 0, n, next.ml, next.of, next.ll, a, 0, a.length);
        const sb = encodeSequencesSimple(ss, 0, n, next.ml, next.of, next.ll, b, 0, b.length);
        expect(sa).toBe(sb);
        expect(Buffer.from(a.subarray(0, sa)).equals(Buffer.from(b.subarray(0, sb)))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('compares four bytes as the byte-wise reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.nat({ max: 4 }), fc.nat({ max: 4 }), fc.boolean(), (b, x, y, same) => {
        if (same) b.copyWithin(y + 4, x, x + 4);
        const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
        expect(equal4(v, x, y + 4)).toBe(equal4Simple(b, x, y + 4));
      }),
      { numRuns: 500 },
    );
  });
});

describe('row search', () => {
  it('finds the entries holding a tag four at a time exactly as one at a time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.constantFrom(16, 32), fc.nat({ max: 255 }), fc.boolean(), (tags, entries, tag, plant) => {
        if (plant) for (let i = 0; i < entries; i += 3) tags[i] = tag; // make matches likely
        const tv = new DataView(tags.buffer, tags.byteOffset, tags.byteLength);
        const row = entries === 16 ? 16 : 32;
        expect(tagMatchMask(tv, row, entries, tag) >>> 0).toBe(tagMatchMaskSimple(tags, row, entries, tag) >>> 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('FSE encoder pieces', () => {
  it('normalizes counts exactly as libzstd, to a complete distribution that keeps every symbol', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 52 }), { minLength: 2, maxLength: 3000 }),
        fc.integer({ min: 5, max: 9 }),
        fc.boolean(),
        (values, maxLog, lowProb) => {
          const count = countsOf(values, 53);
          let max = 52;
          while (count[max] === 0) max--;
          if (count.some((c) => c === values.length)) return; // one symbol: RLE, never normalized
          const tableLog = optimalTableLog(maxLog, values.length, max, 2);
          const norm = new Int16Array(53);
          expect(normalizeCount(norm, tableLog, count, values.length, max, lowProb)).toBe(true);
          let sum = 0;
          for (let s = 0; s <= max; s++) {
            if (count[s] === 0) expect(norm[s]).toBe(0);
            else expect(norm[s]).not.toBe(0);
            sum += Math.abs(norm[s]!);
          }
          expect(sum).toBe(1 << tableLog);
          const ref = normalizeReference(count, values.length, max, tableLog, lowProb);
          if (ref !== null) expect(Array.from(norm.subarray(0, max + 1))).toEqual(Array.from(ref));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('writes table descriptions the decoder reads back to the same distribution', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 35 }), { minLength: 2, maxLength: 5000 }), (values) => {
        const count = countsOf(values, 36);
        let max = 35;
        while (count[max] === 0) max--;
        if (count.some((c) => c === values.length)) return;
        const tableLog = optimalTableLog(9, values.length, max, 2);
        const norm = new Int16Array(36);
        expect(normalizeCount(norm, tableLog, count, values.length, max, values.length >= 2048)).toBe(true);
        const buf = new Uint8Array(64);
        const n = writeNCount(norm, max, tableLog, buf, 0, buf.length);
        expect(n).toBeGreaterThan(0);
        const back = new Int16Array(256);
        const used = new Int32Array(1);
        const packed = readNormalizedCounts(buf, 0, n, back, 35, 9, used);
        expect(packed & 0xff).toBe(tableLog);
        expect(used[0]).toBe(n);
        expect(Array.from(back.subarray(0, max + 1))).toEqual(Array.from(norm.subarray(0, max + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to write a description when the room runs out', () => {
    const count = countsOf([...Array(200).keys()].map((i) => i % 30), 36);
    const norm = new Int16Array(36);
    expect(normalizeCount(norm, 6, count, 200, 29, false)).toBe(true);
    const full = writeNCount(norm, 29, 6, new Uint8Array(64), 0, 64);
    expect(writeNCount(norm, 29, 6, new Uint8Array(64), 0, full - 1)).toBe(-1);
  });

  it('builds encoding tables whose states stay in [tableSize, 2·tableSize)', () => {
    const count = countsOf([0, 0, 0, 1, 2, 2, 3, 3, 3, 3, 3, 7], 8);
    const norm = new Int16Array(8);
    expect(normalizeCount(norm, 5, count, 12, 7, false)).toBe(true);
    const ct = new FseCTable();
    buildFseCTable(ct, norm, 7, 5, new FseScratch());
    const states = Array.from(ct.stateTable.subarray(0, 32));
    expect(states.every((s) => s >= 32 && s < 64)).toBe(true);
    expect(new Set(states).size).toBe(32);
  });

  it('prices probabilities as floor(-log2(x/256)·256)', () => {
    // values derived by hand: 256·(8 − log2 x)
    expect(inverseProbabilityLog256[0]).toBe(0);
    expect(inverseProbabilityLog256[1]).toBe(2048);
    expect(inverseProbabilityLog256[2]).toBe(1792);
    expect(inverseProbabilityLog256[3]).toBe(1642); // 256·(8 − 1.58496) = 1642.25
    expect(inverseProbabilityLog256[128]).toBe(256);
    expect(inverseProbabilityLog256[255]).toBe(1); // 256·(8 − 7.99435) = 1.45
  });
});

describe('Huffman encoder pieces', () => {
  it('builds complete, length-limited codes that the decoder reads back and decodes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 256 }),
        fc.integer({ min: 2, max: 20000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (alphabet, n, skew, seed) => {
          const r = new Rng(seed);
          const src = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            let v = r.below(alphabet);
            for (let k = 0; k < skew; k++) v = Math.min(v, r.below(alphabet));
            src[i] = v;
          }
          const count = new Uint32Array(256);
          for (const b of src) count[b]!++;
          let max = 255;
          while (count[max] === 0) max--;
          if (count.some((c) => c === n)) return;
          const ct = new HufCTable();
          const ws = new HufScratch();
          const depth = buildHuffmanCTable(ct, count, max, 11, ws);
          expect(depth).toBeLessThanOrEqual(11);
          // Kraft: the code lengths fill the code space exactly.
          let kraft = 0;
          for (let s = 0; s <= max; s++) {
            if (count[s] !== 0) expect(ct.nbBits[s]).toBeGreaterThan(0);
            if (ct.nbBits[s]! > 0) kraft += 2 ** (depth - ct.nbBits[s]!);
            expect(ct.nbBits[s]).toBeLessThanOrEqual(depth);
          }
          expect(kraft).toBe(2 ** depth);
          const buf = new Uint8Array(n * 2 + 300);
          const h = writeHuffmanCTable(ct, buf, 0, buf.length, ws);
          if (h < 0) return; // more than 128 symbols whose weights FSE cannot shrink: stored raw
          const table = new HuffmanTable();
          expect(readHuffmanTable(buf, 0, h, table)).toBe(h);
          const s1 = huffmanCompress1X(src, 0, n, ct, buf, h, buf.length);
          const ref = new Uint8Array(buf.length);
          expect(huffmanCompress1XSimple(src, 0, n, ct, ref, h, ref.length)).toBe(s1);
          expect(Buffer.from(buf.subarray(h, h + s1)).equals(Buffer.from(ref.subarray(h, h + s1)))).toBe(true);
          const out = new Uint8Array(n);
          decodeHuffmanStream(table, buf, h, h + s1, out, 0, n);
          expect(Buffer.from(out).equals(Buffer.from(src))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives up (returns 0) instead of writing past the end', () => {
    const src = new Uint8Array(1000);
    for (let i = 0; i < src.length; i++) src[i] = i % 7;
    const count = new Uint32Array(256);
    for (const b of src) count[b]!++;
    const ct = new HufCTable();
    buildHuffmanCTable(ct, count, 6, 11, new HufScratch());
    const big = new Uint8Array(2000);
    const need = huffmanCompress1X(src, 0, 1000, ct, big, 0, big.length);
    const guard = new Uint8Array(need + 10).fill(0x77);
    expect(huffmanCompress1X(src, 0, 1000, ct, guard, 0, need - 1)).toBe(0);
    expect(guard[need - 1]).toBe(0x77);
    expect(huffmanCompress4X(src, 0, 1000, ct, guard, 0, 20)).toBe(0);
  });
});

describe('literals section', () => {
  const decode = (buf: Uint8Array, n: number, previous: HuffmanTable | null): { bytes: Uint8Array; type: number; table: HuffmanTable | null } => {
    const h = new LiteralsHeader();
    readLiteralsHeader(buf, 0, buf.length, h);
    const out = new Uint8Array(n);
    const table = decodeLiterals(buf, h, new HuffmanTable(), previous, out, 0);
    return { bytes: out, type: h.type, table };
  };

  it('chooses raw, RLE, a new Huffman table or the previous one, and the decoder agrees', () => {
    const ws = new LiteralsScratch();
    const prev = new HufCTable();
    const next = new HufCTable();
    const repeatIo = new Int32Array(1);
    const buf = new Uint8Array(70000);
    const run = (src: Uint8Array, strategy: number): number => compressLiterals(src, 0, src.length, buf, 0, buf.length, prev, next, strategy, false, repeatIo, ws);

    // Too few literals to try: raw.
    const few = new Uint8Array(40).fill(3);
    let n = run(few, 1);
    expect(decode(buf.subarray(0, n), 40, null).type).toBe(LIT_RAW);

    // One repeated byte: RLE.
    const same = new Uint8Array(5000).fill(0x42);
    n = run(same, 1);
    const rle = decode(buf.subarray(0, n), 5000, null);
    expect(rle.type).toBe(LIT_RLE);
    expect(n).toBe(4); // 3-byte header (size > 4095) and the byte
    expect(rle.bytes.every((b) => b === 0x42)).toBe(true);

    // Skewed bytes: a new table, which the next block may reuse.
    const r = new Rng(9);
    const skewed = new Uint8Array(60000);
    for (let i = 0; i < skewed.length; i++) skewed[i] = Math.min(r.below(40), r.below(40), r.below(40));
    n = run(skewed, 3);
    const first = decode(buf.subarray(0, n), skewed.length, null);
    expect(first.type).toBe(LIT_COMPRESSED);
    expect(Buffer.from(first.bytes).equals(Buffer.from(skewed))).toBe(true);
    expect(next.repeatMode).toBe(HufRepeat.Check);
    prev.copyFrom(next);

    // Same statistics again: the previous table is cheaper than sending a new one.
    const again = skewed.subarray(0, 30000);
    n = run(again, 3);
    const second = decode(buf.subarray(0, n), again.length, first.table);
    expect(second.type).toBe(LIT_TREELESS);
    expect(Buffer.from(second.bytes).equals(Buffer.from(again))).toBe(true);

    // Random bytes: not worth coding, raw.
    const noise = new Uint8Array(20000);
    for (let i = 0; i < noise.length; i++) noise[i] = r.next();
    n = run(noise, 3);
    expect(decode(buf.subarray(0, n), noise.length, null).type).toBe(LIT_RAW);
    expect(n).toBe(noise.length + 3);
  });
});

describe('code tables and parameters', () => {
  it('maps lengths to the RFC 8878 literal-length and match-length codes', () => {
    for (let ll = 0; ll < 131072; ll += ll < 300 ? 1 : 97) {
      const c = llCode(ll);
      expect(LL_BASELINE[c]!).toBeLessThanOrEqual(ll);
      expect(ll - LL_BASELINE[c]!).toBeLessThan(2 ** LL_BITS[c]!);
    }
    for (let ml = 3; ml <= 131072; ml += ml < 300 ? 1 : 89) {
      const c = mlCode(ml - 3);
      expect(ML_BASELINE[c]!).toBeLessThanOrEqual(ml);
      expect(ml - ML_BASELINE[c]!).toBeLessThan(2 ** ML_BITS[c]!);
    }
  });

  it('shrinks the window and tables to small inputs, never below a 1 KiB window', () => {
    for (const level of [1, 3, 9, 19, 22]) {
      for (const n of [0, 1, 100, 5000, 20000, 200000, 5 << 20]) {
        const p = getCompressionParams(level, n);
        expect(p.windowLog).toBeGreaterThanOrEqual(10);
        if (n > 1024) expect(2 ** p.windowLog).toBeLessThan(2 * n);
        expect(p.hashLog).toBeLessThanOrEqual(Math.max(p.windowLog, 6) + 1);
      }
    }
  });
});

describe('bit writer', () => {
  it('appends fields least-significant bit first and ends with a 1 bit', () => {
    const buf = new Uint8Array(16);
    const bw = new BitWriter();
    bw.init(buf, 0, 16);
    bw.addBits(0b101, 3);
    bw.addBitsLong(0x1234567, 28);
    expect(bw.close()).toBe(4);
    // bits: 101, then 0x1234567 (28 bits), then the end mark at bit 31
    const v = (buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24)) >>> 0;
    expect(v).toBe((0b101 | (0x1234567 << 3) | 2 ** 31) >>> 0);
  });

  it('keeps the 8 bytes of slack libzstd keeps: a stream fits only if its whole bytes < room − 8', () => {
    const bw = new BitWriter();
    const buf = new Uint8Array(32);
    // 31 bits + end mark = 4 whole bytes: needs room > 12
    for (const [room, ok] of [
      [12, false],
      [13, true],
      [8, false],
    ] as const) {
      bw.init(buf, 0, room);
      bw.addBits(0x7fffff, 23);
      bw.addBits(0xff, 8);
      expect(bw.close() > 0).toBe(ok);
    }
  });
});
