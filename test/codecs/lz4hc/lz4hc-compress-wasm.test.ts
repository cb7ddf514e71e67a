/**
 * The WebAssembly LZ4HC hash-chain parser against its TypeScript twin: same bytes and same
 * result (0 when the block does not fit) on random and edge inputs, levels 1–9 (lz4mid and
 * hash chains), limited and
 * unlimited output, and nothing written outside the window (for WebAssembly, nothing past the
 * stream either: it copies out only what it returns).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { lz4CompressBound } from '../../../src/codecs/lz4-compress.js';
import { ENCODE_OUT_AT, LZ4_WASM_SLACK, lz4EncodeScratch } from '../../../src/codecs/lz4-compress-wasm.js';
import { heapBytes } from '../../../src/wasm/heap.js';
import { lz4hcCompress, lz4hcCompressWithDict } from '../../../src/codecs/lz4hc-compress.js';
import { lz4hcWasmReady, setLz4hcWasmEnabled } from '../../../src/codecs/lz4hc-compress-wasm.js';
import { lz4Decompress, lz4DecompressUsingDict } from '../../../src/codecs/lz4.js';
import { compress, decompress } from '../../../src/index.js';
import { concatBytes } from '../../helpers.js';
import { ENCODER_PIECE } from '../match-inputs.js';
import { prng, structuredInput } from './inputs.js';

afterEach(() => setLz4hcWasmEnabled(true));

const GUARD = 29;

function run(src: Uint8Array, cap: number, level: number, wasm: boolean): { n: number; out: Uint8Array; guarded: boolean } {
  setLz4hcWasmEnabled(wasm);
  const dst = new Uint8Array(GUARD + cap + GUARD).fill(0xee);
  const n = lz4hcCompress(src, 0, src.length, dst, GUARD, cap, level);
  const end = wasm ? GUARD + n : GUARD + cap;
  let guarded = true;
  for (let i = 0; i < dst.length; i++) if ((i < GUARD || i >= end) && dst[i] !== 0xee) guarded = false;
  return { n, out: dst.slice(GUARD, GUARD + n), guarded };
}

/** Both paths on one input: same result, same bytes, guards held, and the stream decodes. */
function expectTwins(src: Uint8Array, cap: number, level: number): number {
  const ts = run(src, cap, level, false);
  const wa = run(src, cap, level, true);
  expect(ts.guarded).toBe(true);
  expect(wa.guarded).toBe(true);
  expect(wa.n).toBe(ts.n);
  expect(Buffer.from(wa.out).equals(Buffer.from(ts.out))).toBe(true);
  if (wa.n > 0) {
    const back = new Uint8Array(src.length);
    lz4Decompress(wa.out, 0, wa.n, back, 0, src.length);
    expect(Buffer.from(back).equals(Buffer.from(src))).toBe(true);
  }
  return wa.n;
}

/** Both paths against a dictionary: same result, same bytes, guards held, and the stream decodes with it. */
function expectDictTwins(src: Uint8Array, dict: Uint8Array, cap: number, level: number): number {
  const outs = [false, true].map((wasm) => {
    setLz4hcWasmEnabled(wasm);
    const dst = new Uint8Array(GUARD + cap + GUARD).fill(0xee);
    const n = lz4hcCompressWithDict(src, 0, src.length, dst, GUARD, cap, level, dict);
    const end = wasm ? GUARD + n : GUARD + cap;
    let guarded = true;
    for (let i = 0; i < dst.length; i++) if ((i < GUARD || i >= end) && dst[i] !== 0xee) guarded = false;
    return { n, out: dst.slice(GUARD, GUARD + n), guarded };
  });
  const [ts, wa] = outs as [{ n: number; out: Uint8Array; guarded: boolean }, { n: number; out: Uint8Array; guarded: boolean }];
  expect(ts.guarded).toBe(true);
  expect(wa.guarded).toBe(true);
  expect(wa.n).toBe(ts.n);
  expect(Buffer.from(wa.out).equals(Buffer.from(ts.out))).toBe(true);
  if (wa.n > 0) {
    const back = new Uint8Array(src.length);
    lz4DecompressUsingDict(wa.out, 0, wa.n, back, 0, src.length, dict);
    expect(Buffer.from(back).equals(Buffer.from(src))).toBe(true);
  }
  return wa.n;
}

/** `n` bytes repeating a random pattern of `period` bytes, with a few noisy bytes mixed in. */
function periodic(period: number, n: number, seed: number, noiseEvery = 0): Uint8Array {
  const pattern = structuredInput(seed, period);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = pattern[i % period]!;
  if (noiseEvery > 0) for (let i = noiseEvery; i < n; i += noiseEvery) out[i] = (out[i]! + 1 + (i % 7)) & 255;
  return out;
}

describe('LZ4HC compressor in WebAssembly', () => {
  it('is available here', () => {
    expect(lz4hcWasmReady()).toBe(true);
  });

  it('writes the TypeScript twin\'s bytes, within its window, limited or not, levels 1-9', () => {
    fc.assert(
      fc.property(
        fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(0, 1, 2, 3),
        fc.integer({ min: 0, max: 100 }),
        (parts, level, capKind, capCut) => {
          const src = concatBytes(parts);
          const bound = lz4CompressBound(src.length);
          // Room: the bound (unlimited), the input size (Blosc's), or squeezed (gives up often).
          const cap = capKind === 0 ? bound : capKind === 1 ? src.length : capKind === 2 ? Math.max(1, src.length - capCut * 50) : Math.max(1, (src.length >> 3) + capCut);
          expectTwins(src, cap, level);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches on structured inputs with copies on both sides of the 64 KiB window', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 13, max: 150_000 }), fc.constantFrom(1, 2, 3, 4, 6, 8, 9), (seed, size, level) => {
        expectTwins(structuredInput(seed, size), lz4CompressBound(size), level);
      }),
      { numRuns: 25 },
    );
  });

  it('matches on runs and patterns of period 1, 2, 4 and 8, clean and with noise', () => {
    for (const period of [1, 2, 3, 4, 8]) {
      for (const noise of [0, 997, 70_001]) {
        const src = periodic(period, 200_000, period * 31 + noise, noise);
        for (const level of [1, 2, 3, 5, 8, 9]) {
          const n = expectTwins(src, src.length, level);
          // Long runs compress: the test would be empty if they did not.
          expect(n).toBeGreaterThan(0);
          expect(n).toBeLessThan(src.length >> 4);
        }
      }
    }
  });

  it('takes and refuses matches at the 65535 distance limit like the twin', () => {
    for (const d of [65534, 65535, 65536]) {
      // Zeros, a 24-byte pattern at 1000 and again d bytes later: its only earlier copy.
      const src = new Uint8Array(1000 + d + 2000);
      for (let i = 0; i < 24; i++) src[1000 + i] = src[1000 + d + i] = 1 + ((i * 37) % 251);
      for (const level of [1, 2, 3, 9]) expectTwins(src, src.length, level);
    }
  });

  it('handles the shortest inputs and outputs that do not fit', () => {
    for (const size of [13, 14, 15, 16, 20, 31, 64, 65536, 65547]) {
      const src = structuredInput(size, size);
      for (const level of [1, 3, 9]) {
        for (const cap of [1, 2, size >> 2, size - 1, size, lz4CompressBound(size)]) expectTwins(src, Math.max(1, cap), level);
      }
    }
    // Incompressible: does not fit in its own size.
    const next = prng(12345);
    const noise = Uint8Array.from({ length: 5000 }, () => next() & 255);
    expect(expectTwins(noise, noise.length, 9)).toBe(0);
  });

  it('writes nothing in the shared memory past its output area and slack, whatever room it is given', () => {
    // The memory holds the whole output area (the input area lies past it).
    expect(lz4EncodeScratch(1 << 16)).not.toBeNull();
    fc.assert(
      fc.property(fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 4000 }), fc.constantFrom(1, 2, 3, 9), (parts, cap, level) => {
        const src = concatBytes(parts);
        // The stream and its three words start 16 bytes in; literal copies may run 15 past the room.
        const fence = ENCODE_OUT_AT + 16 + Math.min(cap, lz4CompressBound(src.length)) + LZ4_WASM_SLACK;
        heapBytes().fill(0xa5, fence, fence + 4096);
        const dst = new Uint8Array(cap);
        lz4hcCompress(src, 0, src.length, dst, 0, cap, level);
        const heap = heapBytes();
        for (let i = fence; i < fence + 4096; i++) if (heap[i] !== 0xa5) throw new Error(`heap byte ${i - ENCODE_OUT_AT} past the output area written`);
      }),
      { numRuns: 100 },
    );
  });

  it('writes the TypeScript twin\'s bytes against a dictionary, levels 1-9, limited or not', () => {
    fc.assert(
      fc.property(
        fc.array(ENCODER_PIECE, { minLength: 0, maxLength: 12 }),
        fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.nat({ max: 200 }),
        (dictParts, parts, level, limited, shared) => {
          const dict = concatBytes(dictParts);
          // Often the input starts with the dictionary's tail: matches (and runs) across the seam.
          const head = dict.subarray(Math.max(0, dict.length - shared));
          const src = concatBytes([head, ...parts]);
          const cap = limited ? Math.max(1, src.length >> 2) : lz4CompressBound(src.length);
          expectDictTwins(src, dict, cap, level);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('matches with dictionaries of 0 to 70000 bytes and runs across the dictionary\'s end', () => {
    for (const dictSize of [0, 1, 3, 4, 5, 64, 65535, 65536, 70_000]) {
      const dict = structuredInput(dictSize + 1, dictSize);
      for (const period of [1, 2, 4]) {
        // The dictionary ends in a run that the input goes on with; then structure.
        if (dictSize >= 64) dict.set(periodic(period, 64, period), dictSize - 64);
        const src = concatBytes([periodic(period, 3000, period), structuredInput(dictSize + period, 20_000)]);
        for (const level of [1, 2, 3, 9]) expectDictTwins(src, dict, src.length, level);
      }
    }
  });

  it('reads an input already in the shared memory in place, leaving it untouched', () => {
    const src = structuredInput(77, 120_000);
    const scratch = lz4EncodeScratch(src.length)!;
    expect(scratch).not.toBeNull();
    scratch.set(src);
    const dstA = new Uint8Array(src.length);
    const dstB = new Uint8Array(src.length);
    const a = lz4hcCompress(scratch, 0, src.length, dstA, 0, src.length, 9);
    setLz4hcWasmEnabled(false);
    const b = lz4hcCompress(src, 0, src.length, dstB, 0, src.length, 9);
    expect(a).toBeGreaterThan(0);
    expect(a).toBe(b);
    expect(Buffer.from(dstA).equals(Buffer.from(dstB))).toBe(true);
    expect(Buffer.from(scratch).equals(Buffer.from(src))).toBe(true);
  });

  it('writes the same Blosc2 chunks with and without WebAssembly', () => {
    const src = concatBytes([periodic(8, 300_000, 5, 4099), structuredInput(9, 200_000)]);
    for (const clevel of [1, 2, 3, 5, 9]) {
      const options = { codec: 'lz4hc', clevel, typesize: 8, shuffle: 'shuffle', format: 'blosc2' } as const;
      setLz4hcWasmEnabled(false);
      const ts = compress(src, options);
      setLz4hcWasmEnabled(true);
      const wa = compress(src, options);
      expect(Buffer.from(wa).equals(Buffer.from(ts))).toBe(true);
      expect(Buffer.from(decompress(wa)).equals(Buffer.from(src))).toBe(true);
    }
  });
});
