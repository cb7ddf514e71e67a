import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { lz4Decompress } from '../../src/codecs/lz4.js';
import { lz4CompressBound, lz4CompressFast, lz4CompressFastTs } from '../../src/codecs/lz4-compress.js';
import { isRunOfBytes, lz4EncodeScratch, lz4WasmReady, setLz4WasmEnabled } from '../../src/codecs/lz4-compress-wasm.js';
import { compress } from '../../src/index.js';
import { concatBytes, mulberry32Uint32 } from '../helpers.js';
import { ENCODER_PIECE } from './match-inputs.js';

afterEach(() => setLz4WasmEnabled(true));

/** Inputs with matches at every distance class: runs, repeats, counters, noise. */
const piece = ENCODER_PIECE;

const GUARD = 37;

/**
 * Compress src into a guarded buffer; returns the stream and whether the guard zones held:
 * nothing outside dst[dp, dp + cap) for either path (C too may leave bytes in its window
 * when it gives up), and for WebAssembly nothing past the stream either (it copies out
 * only what it returns).
 */
function run(src: Uint8Array, cap: number, accel: number, wasm: boolean): { n: number; out: Uint8Array; guarded: boolean } {
  setLz4WasmEnabled(wasm);
  const dst = new Uint8Array(GUARD + cap + GUARD).fill(0xee);
  const n = lz4CompressFast(src, 0, src.length, dst, GUARD, cap, accel);
  const end = wasm ? GUARD + n : GUARD + cap;
  let guarded = true;
  for (let i = 0; i < dst.length; i++) if ((i < GUARD || i >= end) && dst[i] !== 0xee) guarded = false;
  return { n, out: dst.slice(GUARD, GUARD + n), guarded };
}

describe('LZ4 compressor in WebAssembly', () => {
  it('is available here', () => {
    expect(lz4WasmReady()).toBe(true);
  });

  it('writes the TypeScript twin\'s bytes, within its window, limited or not, both table types', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom(0, 1, 2, 3),
        fc.integer({ min: 0, max: 100 }),
        (parts, accel, capKind, capCut) => {
          const src = concatBytes(parts);
          const bound = lz4CompressBound(src.length);
          // Room: the bound (unlimited), the input size (Blosc's), or squeezed (gives up often).
          const cap = capKind === 0 ? bound : capKind === 1 ? src.length : capKind === 2 ? Math.max(1, src.length - capCut * 50) : Math.max(1, (src.length >> 3) + capCut);
          const ts = run(src, cap, accel, false);
          const wa = run(src, cap, accel, true);
          expect(wa.guarded).toBe(true);
          expect(ts.guarded).toBe(true);
          expect(wa.n).toBe(ts.n);
          expect(wa.out).toEqual(ts.out);
          if (wa.n > 0) {
            const back = new Uint8Array(src.length);
            lz4Decompress(wa.out, 0, wa.n, back, 0, src.length);
            expect(back).toEqual(src);
          }
        },
      ),
      { numRuns: 250 },
    );
  });

  it('covers inputs past the 16-bit table limit (65547 bytes) with far and near matches', () => {
    const sizes = [65546, 65547, 65548, 70000, 200_003];
    for (const size of sizes) {
      const src = new Uint8Array(size);
      const next = mulberry32Uint32(12345);
      for (let i = 0; i < size; i++) {
        const x = next();
        // Text-like: a small alphabet, with a block repeated 66000 bytes later (beyond the 64 KiB window).
        src[i] = i >= 66000 && i < 66500 ? src[i - 66000]! : i % 97 < 40 ? 97 + ((x >>> 16) % 6) : (x >>> 24);
      }
      for (const accel of [1, 5, 9]) {
        const ts = run(src, size, accel, false);
        const wa = run(src, size, accel, true);
        expect(wa.guarded).toBe(true);
        expect(wa.n).toBe(ts.n);
        expect(wa.out).toEqual(ts.out);
      }
    }
  });

  it('takes and refuses matches exactly at the 65535 distance limit like the twin', () => {
    for (const d of [65534, 65535, 65536]) {
      // Zeros, with a 24-byte pattern at 1000 and again d bytes later: its only earlier copy.
      const src = new Uint8Array(1000 + d + 2000);
      for (let i = 0; i < 24; i++) src[1000 + i] = src[1000 + d + i] = 1 + ((i * 37) % 251);
      for (const accel of [1, 5]) {
        const ts = run(src, src.length, accel, false);
        const wa = run(src, src.length, accel, true);
        expect(wa.n).toBe(ts.n);
        expect(wa.out).toEqual(ts.out);
      }
    }
  });

  it('reads an input already in the shared memory in place, with the same bytes', () => {
    const src = new Uint8Array(100_000);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7) % 251 ^ (i >> 9);
    const scratch = lz4EncodeScratch(src.length)!;
    expect(scratch).not.toBeNull();
    scratch.set(src);
    const dstA = new Uint8Array(src.length);
    const dstB = new Uint8Array(src.length);
    const a = lz4CompressFast(scratch, 0, src.length, dstA, 0, src.length, 3);
    const b = lz4CompressFastTs(src, 0, src.length, dstB, 0, src.length, 3);
    expect(a).toBe(b);
    expect(dstA).toEqual(dstB);
    // The input was not touched.
    expect(scratch).toEqual(src);
  });

  it('tells runs like the byte loop does, in and out of the shared memory', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 299 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 7 }), (n, at, v, p) => {
        const plain = new Uint8Array(n + 8).fill(v);
        if (at < n) plain[p + at] = (v + 1) & 255;
        const expected = at >= n || (at === 0 && n === 1);
        const scratch = lz4EncodeScratch(n + 8)!;
        scratch.set(plain);
        expect(isRunOfBytes(plain, p, n)).toBe(expected);
        expect(isRunOfBytes(scratch, p, n)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('tells runs at every length and place of the odd byte up to 70 (the 16-, 8- and 1-byte steps and their seams)', () => {
    for (let n = 1; n <= 70; n++) {
      for (let at = 0; at <= n; at++) {
        for (const p of [0, 3]) {
          const scratch = lz4EncodeScratch(n + 8)!;
          scratch.fill(9);
          if (at < n) scratch[p + at] = 10;
          expect(isRunOfBytes(scratch, p, n), `n ${n}, odd byte at ${at}, offset ${p}`).toBe(at >= n || (at === 0 && n === 1));
        }
      }
    }
  });

  it('gives the same chunks with and without WebAssembly (shuffle, both formats)', () => {
    const n = 1 << 18;
    const data = new Uint8Array(n);
    const f64 = new Float64Array(data.buffer);
    for (let i = 0; i < f64.length; i++) f64[i] = i < 1000 ? 0 : Math.sin(i / 500) * 100;
    for (const format of ['blosc1', 'blosc2'] as const) {
      for (const clevel of [1, 5, 9]) {
        const opts = { codec: 'lz4', clevel, typesize: 8, shuffle: 'shuffle', format } as const;
        setLz4WasmEnabled(false);
        const ts = compress(data, opts);
        setLz4WasmEnabled(true);
        const wa = compress(data, opts);
        expect(wa).toEqual(ts);
      }
    }
  });
});
