/**
 * Properties of lz4hcCompress that do not need C: valid blocks that decode to the input,
 * capacity handling (0 or the full block, never a write outside the window), independence
 * from offsets and from a reused state, argument errors, and the fast kernels against their
 * plain reference versions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode } from '../../../src/errors.js';
import {
  Lz4hcState,
  lz4hcCountMatchReference,
  lz4hcCountMatch,
  lz4hcCompress,
  lz4hcCompressWithDict,
  lz4midHash8,
  lz4midHash8Reference,
} from '../../../src/codecs/lz4hc-compress.js';
import { lz4CompressBound } from '../../../src/codecs/lz4-compress.js';
import { lz4Decompress, lz4DecompressUsingDict } from '../../../src/codecs/lz4.js';
import { structuredInput } from './inputs.js';
import { decodeLz4Block } from './reference-decoder.js';

const GUARD = 0x5a;

/** Compress into a fresh buffer with guard bytes around the window; check the guards. */
function compressGuarded(src: Uint8Array, sp: number, sn: number, dp: number, cap: number, level: number, state?: Lz4hcState): Uint8Array | null {
  const dst = new Uint8Array(dp + cap + 8).fill(GUARD);
  const size = lz4hcCompress(src, sp, sn, dst, dp, cap, level, state);
  expect(size).toBeGreaterThanOrEqual(0);
  expect(size).toBeLessThanOrEqual(cap);
  for (let i = 0; i < dp; i++) if (dst[i] !== GUARD) throw new Error(`byte ${i} before the window was written`);
  for (let i = dp + cap; i < dst.length; i++) if (dst[i] !== GUARD) throw new Error(`byte ${i} past the window was written`);
  return size === 0 ? null : dst.slice(dp, dp + size);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const inputArb = fc.oneof(
  fc.record({ seed: fc.integer(), size: fc.integer({ min: 0, max: 6000 }) }).map(({ seed, size }) => structuredInput(seed, size)),
  fc.uint8Array({ maxLength: 600 }),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).chain((alphabet) =>
    fc.array(fc.nat({ max: alphabet.length - 1 }), { maxLength: 3000 }).map((ix) => Uint8Array.from(ix, (i) => alphabet[i])),
  ),
);
const levelArb = fc.integer({ min: 1, max: 9 });

describe('lz4hcCompress', () => {
  it('writes a valid LZ4 block that decodes to the input, wherever the windows lie', () => {
    fc.assert(
      fc.property(inputArb, levelArb, fc.nat({ max: 9 }), fc.nat({ max: 9 }), (data, level, sp, dp) => {
        const src = new Uint8Array(sp + data.length + 3).fill(0xee);
        src.set(data, sp);
        const cap = lz4CompressBound(data.length);
        const out = compressGuarded(src, sp, data.length, dp, cap, level);
        expect(out).not.toBeNull();
        expect(sameBytes(decodeLz4Block(out!, data.length), data)).toBe(true);
        // And the library's decoder (C's LZ4_decompress_safe rules) accepts it.
        const decoded = new Uint8Array(data.length);
        lz4Decompress(out!, 0, out!.length, decoded, 0, data.length);
        expect(sameBytes(decoded, data)).toBe(true);
        // The bytes around the source window must not matter.
        const alone = compressGuarded(data, 0, data.length, 0, cap, level);
        expect(sameBytes(out!, alone!)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('with a smaller capacity returns 0 or exactly the unlimited block, and more room never hurts', () => {
    fc.assert(
      fc.property(inputArb, levelArb, fc.double({ min: 0, max: 1.1, noNaN: true }), fc.double({ min: 0, max: 1.1, noNaN: true }), (data, level, f1, f2) => {
        const bound = lz4CompressBound(data.length);
        const full = compressGuarded(data, 0, data.length, 0, bound, level)!;
        const capA = Math.min(bound, Math.floor(full.length * Math.min(f1, f2)));
        const capB = Math.min(bound, Math.floor(full.length * Math.max(f1, f2)));
        const a = compressGuarded(data, 0, data.length, 2, capA, level);
        const b = compressGuarded(data, 0, data.length, 2, capB, level);
        if (a !== null) expect(sameBytes(a, full)).toBe(true);
        if (b !== null) expect(sameBytes(b, full)).toBe(true);
        if (a !== null) expect(b).not.toBeNull();
        if (capA < full.length) expect(a).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same bytes with a reused state as with a fresh one', () => {
    const shared = new Lz4hcState();
    fc.assert(
      fc.property(inputArb, inputArb, levelArb, levelArb, (first, second, l1, l2) => {
        compressGuarded(first, 0, first.length, 0, lz4CompressBound(first.length), l1, shared);
        const reused = compressGuarded(second, 0, second.length, 0, lz4CompressBound(second.length), l2, shared);
        const fresh = compressGuarded(second, 0, second.length, 0, lz4CompressBound(second.length), l2, new Lz4hcState());
        expect(sameBytes(reused!, fresh!)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same bytes when a reused state has to start its indices over', () => {
    const state = new Lz4hcState();
    const data = structuredInput(7, 70000);
    const cap = lz4CompressBound(data.length);
    for (const level of [1, 5, 9]) {
      const fresh = compressGuarded(data, 0, data.length, 0, cap, level)!;
      // Leave stale entries, then push the next start close to the int32 limit.
      compressGuarded(data, 0, data.length, 0, cap, level, state);
      state.nextPrefixIndex = 0x7fff0000 - 70000 - 65536 - 100;
      expect(sameBytes(compressGuarded(data, 0, data.length, 0, cap, level, state)!, fresh)).toBe(true);
      // This call no longer fits below the limit: it must clear the tables and start over.
      expect(sameBytes(compressGuarded(data, 0, data.length, 0, cap, level, state)!, fresh)).toBe(true);
      expect(state.prefixIndex).toBe(65536);
    }
  });

  it('writes inputs shorter than 13 bytes as one literal run (LZ4 end-of-block rule)', () => {
    for (let n = 0; n < 13; n++) {
      const data = structuredInput(n, n);
      for (let level = 1; level <= 9; level++) {
        const out = compressGuarded(data, 0, n, 0, 1 + n, level)!;
        expect(out.length).toBe(1 + n);
        expect(out[0]).toBe(n << 4);
        expect(sameBytes(out.subarray(1), data)).toBe(true);
        // One byte short: C's limited-output check fails.
        expect(compressGuarded(data, 0, n, 0, n, level)).toBeNull();
      }
    }
  });

  it('treats levels below 1 as 9, like LZ4_compress_HC', () => {
    const data = structuredInput(42, 20000);
    const cap = lz4CompressBound(data.length);
    const nine = compressGuarded(data, 0, data.length, 0, cap, 9)!;
    expect(sameBytes(compressGuarded(data, 0, data.length, 0, cap, 0)!, nine)).toBe(true);
    expect(sameBytes(compressGuarded(data, 0, data.length, 0, cap, -3)!, nine)).toBe(true);
    // The levels really differ on this input, so the comparison above means something.
    expect(sameBytes(compressGuarded(data, 0, data.length, 0, cap, 3)!, nine)).toBe(false);
  });

  it('rejects bad arguments with BloscError', () => {
    const src = new Uint8Array(100);
    const dst = new Uint8Array(200);
    const code = (f: () => unknown): number | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(BloscError);
        return (e as BloscError).code;
      }
      return undefined;
    };
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, 200, 10))).toBe(BloscErrorCode.CodecParam);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, 200, 12))).toBe(BloscErrorCode.CodecParam);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, 200, 2.5))).toBe(BloscErrorCode.CodecParam);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, 200, Number.NaN))).toBe(BloscErrorCode.CodecParam);
    expect(code(() => lz4hcCompress(src, 1, 100, dst, 0, 200, 5))).toBe(BloscErrorCode.ReadBuffer);
    expect(code(() => lz4hcCompress(src, -1, 10, dst, 0, 200, 5))).toBe(BloscErrorCode.ReadBuffer);
    expect(code(() => lz4hcCompress(src, 0, 1.5, dst, 0, 200, 5))).toBe(BloscErrorCode.ReadBuffer);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 1, 200, 5))).toBe(BloscErrorCode.WriteBuffer);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, -1, 5))).toBe(BloscErrorCode.WriteBuffer);
    expect(code(() => lz4hcCompress(src, 0, 100, dst, 0, 200, 5))).toBeUndefined();
  });
});

describe('lz4hcCompressWithDict', () => {
  // Dictionary and data cut from one structured stream, so that they share material.
  const dictCaseArb = fc
    .record({ seed: fc.integer(), dictSize: fc.integer({ min: 0, max: 70000 }), size: fc.integer({ min: 0, max: 5000 }) })
    .map(({ seed, dictSize, size }) => {
      const whole = structuredInput(seed, dictSize + size);
      return { dict: whole.slice(0, dictSize), data: whole.slice(dictSize) };
    });

  it('writes a valid block that decodes against the dictionary, with 0 or the full block for smaller capacities', () => {
    fc.assert(
      fc.property(dictCaseArb, levelArb, fc.double({ min: 0, max: 1.1, noNaN: true }), ({ dict, data }, level, f) => {
        const bound = lz4CompressBound(data.length);
        const dst = new Uint8Array(bound);
        const n = lz4hcCompressWithDict(data, 0, data.length, dst, 0, bound, level, dict);
        expect(n).toBeGreaterThan(0);
        const full = dst.slice(0, n);
        expect(sameBytes(decodeLz4Block(full, data.length, dict), data)).toBe(true);
        const decoded = new Uint8Array(data.length);
        lz4DecompressUsingDict(full, 0, n, decoded, 0, data.length, dict);
        expect(sameBytes(decoded, data)).toBe(true);
        const cap = Math.min(bound, Math.floor(n * f));
        const guarded = new Uint8Array(cap + 8).fill(GUARD);
        const m = lz4hcCompressWithDict(data, 0, data.length, guarded, 0, cap, level, dict);
        for (let i = cap; i < guarded.length; i++) expect(guarded[i]).toBe(GUARD);
        if (m !== 0) expect(sameBytes(guarded.subarray(0, m), full)).toBe(true);
        if (cap < n) expect(m).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('with an empty dictionary gives exactly what lz4hcCompress gives', () => {
    fc.assert(
      fc.property(inputArb, levelArb, (data, level) => {
        const cap = lz4CompressBound(data.length);
        const a = new Uint8Array(cap);
        const b = new Uint8Array(cap);
        const n = lz4hcCompressWithDict(data, 0, data.length, a, 0, cap, level, new Uint8Array(0));
        const m = lz4hcCompress(data, 0, data.length, b, 0, cap, level);
        expect(n).toBe(m);
        expect(sameBytes(a.subarray(0, n), b.subarray(0, m))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('uses only the last 64 KiB of a longer dictionary, and the same bytes with a reused state', () => {
    const shared = new Lz4hcState();
    const whole = structuredInput(3, 100_000 + 20_000);
    const data = whole.subarray(100_000);
    const cap = lz4CompressBound(data.length);
    for (const level of [2, 9]) {
      const long = new Uint8Array(cap);
      const last = new Uint8Array(cap);
      const n = lz4hcCompressWithDict(data, 0, data.length, long, 0, cap, level, whole.subarray(0, 100_000), shared);
      const m = lz4hcCompressWithDict(data, 0, data.length, last, 0, cap, level, whole.subarray(100_000 - 65536, 100_000));
      expect(n).toBe(m);
      expect(sameBytes(long.subarray(0, n), last.subarray(0, m))).toBe(true);
    }
  });
});

describe('lz4hc kernels against their reference versions', () => {
  it('8-byte lz4mid hash equals the BigInt statement of LZ4MID_hash7', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 40 }), (bytes) => {
        for (let p = 0; p + 8 <= bytes.length; p++) expect(lz4midHash8(bytes, p)).toBe(lz4midHash8Reference(bytes, p));
      }),
      { numRuns: 300 },
    );
  });

  it('word-wise match counting equals byte-wise counting', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 3000 }), fc.nat(), fc.nat(), fc.nat(), (seed, size, a, b, c) => {
        const src = structuredInput(seed, size);
        const ip = 1 + (a % (size - 1));
        const match = b % ip;
        const limit = ip + (c % (size - ip + 1));
        expect(lz4hcCountMatch(src, ip, match, limit)).toBe(lz4hcCountMatchReference(src, ip, match, limit));
      }),
      { numRuns: 500 },
    );
  });
});
