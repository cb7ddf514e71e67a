import fc from 'fast-check';
import { decompress as fzstdDecompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../../src/errors.js';
import {
  ZstdEncoderState,
  createZstdCDict,
  getCompressionParams,
  zstdCompress,
  zstdCompressBound,
  zstdCompressUsingCDict,
  zstdEncode,
  zstdLevelForClevel,
} from '../../../src/codecs/zstd-encoder/index.js';
import { zstdDecompress, zstdFrameContentSize } from '../../../src/codecs/zstd/index.js';
import { frameFeatures } from '../zstd/inspect.js';
import { KINDS, Rng, makeData } from './data.js';

const state = new ZstdEncoderState();

function compress(src: Uint8Array, level: number): Uint8Array {
  const dst = new Uint8Array(zstdCompressBound(src.length));
  const n = zstdCompress(src, 0, src.length, dst, 0, dst.length, level, state);
  expect(n).toBeGreaterThan(0);
  return dst.subarray(0, n);
}

function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  // Compare in one call rather than element by element: these arrays are large.
  expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
}

function expectBloscError(fn: () => unknown, code: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isBloscError(caught, code as BloscErrorCode)).toBe(true);
}

/** Unmatched bytes 0..15 with a skewed distribution: few weights, sent directly. */
function lowSymbols(n: number): Uint8Array {
  const r = new Rng(3);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(15, Math.clz32(r.next() | 1));
  return out;
}

/** Uniform bytes 0..63: Huffman saves a quarter, and 4-byte repeats are too rare to use. */
function sixBitBytes(n: number): Uint8Array {
  const r = new Rng(4);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() & 63;
  return out;
}

const LEVELS = [-5, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 19, 22];

describe('zstd encoder round trip', () => {
  it('decodes (own decoder and fzstd) whatever it encodes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 300, max: 40000 }), fc.constantFrom(131072, 131073, 200000)),
        fc.constantFrom(...LEVELS),
        fc.integer(),
        (kind, n, level, seed) => {
          const src = makeData(kind, n, seed);
          const frame = compress(src, level);
          expect(frame.length).toBeLessThanOrEqual(zstdCompressBound(n));
          expect(zstdFrameContentSize(frame, 0, frame.length)).toBe(n);
          expectBytes(zstdDecompress(frame), src);
          expectBytes(fzstdDecompress(frame), src);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('handles the edge sizes 0, 1 and 128 KiB ± 1 at every level band', () => {
    for (const level of [1, 3, 5, 9, 13, 22]) {
      for (const n of [0, 1, 2, 6, 7, 8, 131071, 131072, 131073]) {
        const src = makeData('repeats', n, n + level);
        const frame = compress(src, level);
        expectBytes(zstdDecompress(frame), src);
      }
    }
  });

  it('writes an empty frame as header plus one empty last raw block', () => {
    const frame = compress(new Uint8Array(0), 3);
    // magic, single-segment descriptor with a 1-byte content size of 0, raw last block of 0
    expect(Array.from(frame)).toEqual([0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00]);
  });

  it('declares the window libzstd would: single segment when the window covers the content', () => {
    for (const [n, level] of [
      [1000, 1],
      [100000, 3],
      [1 << 20, 1],
      [1 << 20, 9],
      [3 << 20, 3],
    ] as const) {
      const src = makeData('text-like', n, 1);
      const frame = compress(src, level);
      const fhd = frame[4]!;
      const windowLog = getCompressionParams(level, n).windowLog;
      const single = 2 ** windowLog >= n;
      expect((fhd & 0x20) !== 0).toBe(single);
      expect(fhd & 0x04).toBe(0); // no checksum
      expect(fhd & 0x03).toBe(0); // no dictionary id
      if (!single) expect(frame[5]! >> 3).toBe(windowLog - 10);
    }
  });

  it('never expands past the raw-block fallback, even on random data', () => {
    for (const n of [10, 1000, 131072, 300000]) {
      const src = makeData('random', n, n);
      const frame = compress(src, 5);
      const blocks = Math.max(1, Math.ceil(n / 131072));
      // header (<= 10 bytes) plus a 3-byte header per block
      expect(frame.length).toBeLessThanOrEqual(n + 10 + 3 * blocks);
      expectBytes(zstdDecompress(frame), src);
    }
  });

  it('uses RLE, raw and compressed blocks and every literal and sequence mode', () => {
    const seen = new Set<string>();
    const inputs: [Uint8Array, number][] = [
      [makeData('zeros', 300000, 0), 3],
      [makeData('random', 150000, 1), 1],
      [makeData('mixed', 600000, 2), 5],
      [makeData('mixed', 600000, 3), 9],
      [makeData('text-like', 300000, 4), 3],
      [makeData('shuffled-ramp', 1 << 20, 5), 1],
      [makeData('small-alphabet', 400000, 6), 7],
      [makeData('runs', 20000, 7), 19],
      [lowSymbols(30000), 3],
      [sixBitBytes(3000), 1],
    ];
    for (const [src, level] of inputs) {
      const frame = compress(src, level);
      expectBytes(zstdDecompress(frame), src);
      for (const f of frameFeatures(frame)) seen.add(f);
    }
    for (const f of [
      'block:raw',
      'block:rle',
      'block:compressed',
      'frame:multi-block',
      'literals:raw',
      'literals:compressed-1-stream',
      'literals:compressed-4-stream',
      'literals:treeless-4-stream',
      'huffman:fse-weights',
      'huffman:direct-weights',
      'sequences:none',
      'sequences:count-2B',
      'sequences:ll-predefined',
      'sequences:ll-rle',
      'sequences:ll-compressed',
      'sequences:ll-repeat',
      'sequences:of-predefined',
      'sequences:of-compressed',
      'sequences:ml-compressed',
      'sequences:ml-predefined',
    ]) {
      expect(seen, f).toContain(f);
    }
  });

  it('reuses a state between calls without carrying anything over', () => {
    const a = makeData('mixed', 300000, 11);
    const b = makeData('text-like', 100000, 12);
    const fresh = (src: Uint8Array, level: number): Uint8Array => {
      const dst = new Uint8Array(zstdCompressBound(src.length));
      return dst.subarray(0, zstdCompress(src, 0, src.length, dst, 0, dst.length, level, new ZstdEncoderState()));
    };
    const shared = new ZstdEncoderState();
    for (const [src, level] of [
      [a, 9],
      [b, 1],
      [a, 3],
      [b, 9],
    ] as const) {
      const dst = new Uint8Array(zstdCompressBound(src.length));
      const n = zstdCompress(src, 0, src.length, dst, 0, dst.length, level, shared);
      expectBytes(dst.subarray(0, n), fresh(src, level));
    }
  });

  it('reads only src[sp, sp+sn): the bytes around the range do not change the frame', () => {
    const body = makeData('repeats', 50000, 21);
    const alone = compress(body, 5);
    const padded = new Uint8Array(body.length + 2000);
    padded.fill(0x5a);
    padded.set(body, 1000);
    const dst = new Uint8Array(zstdCompressBound(body.length) + 100);
    const n = zstdCompress(padded, 1000, body.length, dst, 50, dst.length - 50, 5, state);
    expectBytes(dst.subarray(50, 50 + n), alone);
  });
});

describe('zstd encoder output bounds', () => {
  it('never writes outside dst[dp, dp+cap); what it writes with less room still decodes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.integer({ min: 0, max: 40000 }),
        fc.constantFrom(1, 3, 5, 9, 13),
        fc.integer(),
        fc.double({ min: 0, max: 1.05, noNaN: true }),
        (kind, n, level, seed, frac) => {
          const src = makeData(kind, n, seed);
          const full = compress(src, level);
          const dp = 7;
          const cap = Math.floor(frac * full.length);
          const guard = new Uint8Array(dp + cap + 16).fill(0xa5);
          const written = zstdCompress(src, 0, n, guard, dp, cap, level, state);
          expect(written).toBeLessThanOrEqual(cap);
          for (let i = 0; i < dp; i++) expect(guard[i]).toBe(0xa5);
          for (let i = dp + cap; i < guard.length; i++) expect(guard[i]).toBe(0xa5);
          // Near the limit libzstd may give up or fall back to a plainer block; either way
          // the result is a frame of the input or nothing.
          if (written > 0) expectBytes(zstdDecompress(guard.subarray(dp, dp + written)), src);
          if (cap < full.length || cap < 18) expect(written === 0 || written < full.length || written === full.length).toBe(true);
          if (cap < 18) expect(written).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the full frame whenever the room reaches zstdCompressBound', () => {
    for (const kind of KINDS) {
      const src = makeData(kind, 30000, 3);
      const full = compress(src, 5);
      const dst = new Uint8Array(zstdCompressBound(src.length));
      expect(zstdCompress(src, 0, src.length, dst, 0, dst.length, 5, state)).toBe(full.length);
      expectBytes(dst.subarray(0, full.length), full);
    }
  });

  it('keeps the frame within zstdCompressBound', () => {
    for (const n of [0, 1, 100, 5000, 131072, 262145]) {
      expect(compress(makeData('random', n, 3), 3).length).toBeLessThanOrEqual(zstdCompressBound(n));
    }
    // ZSTD_COMPRESSBOUND: n + n/256 + (128 KiB - n) / 2048 below 128 KiB
    expect(zstdCompressBound(0)).toBe(64);
    expect(zstdCompressBound(131072)).toBe(131072 + 512);
  });
});

describe('zstd encoder API', () => {
  it('rejects bad ranges and levels with BloscError InvalidParam', () => {
    const src = new Uint8Array(10);
    const dst = new Uint8Array(100);
    expectBloscError(() => zstdCompress(src, 5, 10, dst, 0, 100, 3), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompress(src, -1, 2, dst, 0, 100, 3), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompress(src, 0, 10, dst, 50, 51, 3), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompress(src, 0, 10, dst, 0, 100, 1.5), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompress(src, 0, 10, dst, 0, 100, Number.NaN), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompressBound(-1), BloscErrorCode.InvalidParam);
  });

  it('refuses overlapping input and output, accepts disjoint ranges of one buffer', () => {
    const buf = new Uint8Array(20000);
    buf.set(makeData('text-like', 8000, 4));
    expectBloscError(() => zstdCompress(buf, 0, 8000, buf, 4000, 10000, 3), BloscErrorCode.InvalidParam);
    expectBloscError(() => zstdCompress(buf.subarray(100), 0, 8000, buf, 0, 200, 3), BloscErrorCode.InvalidParam);
    const n = zstdCompress(buf, 0, 8000, buf, 8000, 12000, 3);
    expectBytes(buf.subarray(8000, 8000 + n), compress(buf.slice(0, 8000), 3));
  });

  it('clamps levels above 22 to 22, as libzstd does', () => {
    const src = makeData('text-like', 20000, 5);
    expectBytes(compress(src, 100), compress(src, 22));
  });

  it('accepts Node Buffers and other Uint8Array views', () => {
    const src = makeData('text-like', 5000, 8);
    const buf = Buffer.from(src);
    const dst = Buffer.alloc(zstdCompressBound(src.length));
    const n = zstdCompress(buf, 0, buf.length, dst, 0, dst.length, 3);
    expectBytes(dst.subarray(0, n), compress(src, 3));
  });

  it('maps Blosc clevels to zstd levels as c-blosc does', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map(zstdLevelForClevel)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 22]);
  });

  it('encodes through the codec entry point; with a dictionary at level 1 whatever the clevel', () => {
    const src = makeData('small-alphabet', 4000, 9);
    const dst = new Uint8Array(zstdCompressBound(src.length));
    const ctx = { format: 'blosc2' as const, splitBlock: false, dict: null, meta: 0 };
    const n = zstdEncode(src, 0, src.length, dst, 0, dst.length, 5, ctx);
    expectBytes(dst.subarray(0, n), compress(src, 9));
    const dict = makeData('small-alphabet', 2000, 10);
    const withDict = zstdEncode(src, 0, src.length, dst, 0, dst.length, 5, { ...ctx, dict });
    const ref = new Uint8Array(dst.length);
    const m = zstdCompressUsingCDict(src, 0, src.length, ref, 0, ref.length, createZstdCDict(dict, 1));
    expectBytes(dst.subarray(0, withDict), ref.subarray(0, m));
  });
});
