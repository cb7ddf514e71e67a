import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { blosclzDecompress } from '../../src/codecs/blosclz.js';
import { BLOSCLZ_HASH_SIZE, blosclzCompress, blosclzProbeCratio } from '../../src/codecs/blosclz-compress.js';
import { blosclzProbeWasm, blosclzWasmInput, blosclzWasmReady, setBlosclzWasmEnabled } from '../../src/codecs/blosclz-compress-wasm.js';
import { encodeScratch, setLz4WasmEnabled } from '../../src/codecs/lz4-compress-wasm.js';
import { compress, decompress } from '../../src/index.js';
import { setSimdEnabled } from '../../src/shuffle/simd.js';
import { concatBytes, mulberry32Uint32 } from '../helpers.js';
import { ENCODER_PIECE } from './match-inputs.js';

afterEach(() => setBlosclzWasmEnabled(true));

/** Inputs with matches near (< 8191) and far (up to 73725), runs, counters and noise. */
const piece = ENCODER_PIECE;

const GUARD = 41;
const table = new Uint32Array(BLOSCLZ_HASH_SIZE);

/**
 * Compress into a guarded buffer. Either path keeps to dst[dp, dp + maxout) (C's checks
 * come before its stores); the WebAssembly one writes nothing past the stream it returns.
 */
function run(clevel: number, src: Uint8Array, maxout: number, format: 'blosc1' | 'blosc2', split: boolean, wasm: boolean) {
  setBlosclzWasmEnabled(wasm);
  const dst = new Uint8Array(GUARD + maxout + GUARD).fill(0xee);
  const n = blosclzCompress(clevel, src, 0, src.length, dst, GUARD, maxout, format, split, table);
  const end = wasm ? GUARD + n : GUARD + maxout;
  let guarded = true;
  for (let i = 0; i < dst.length; i++) if ((i < GUARD || i >= end) && dst[i] !== 0xee) guarded = false;
  return { n, out: dst.slice(GUARD, GUARD + n), guarded };
}

describe('BloscLZ encoder in WebAssembly', () => {
  it('is available here', () => {
    expect(blosclzWasmReady()).toBe(true);
  });

  it('writes the TypeScript twin\'s bytes within its window: every clevel, both libraries, squeezed room', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('blosc1' as const, 'blosc2' as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (parts, clevel, format, split, squeeze) => {
          const src = concatBytes(parts);
          const maxout = squeeze === 0 ? src.length : Math.max(1, Math.floor(src.length / (2 * squeeze)));
          const ts = run(clevel, src, maxout, format, split, false);
          const wa = run(clevel, src, maxout, format, split, true);
          expect(ts.guarded).toBe(true);
          expect(wa.guarded).toBe(true);
          expect(wa.n).toBe(ts.n);
          expect(wa.out).toEqual(ts.out);
          if (wa.n > 0) {
            const back = new Uint8Array(src.length);
            blosclzDecompress(wa.out, 0, wa.n, back, 0, src.length);
            expect(back).toEqual(src);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches on large inputs with far matches, in the shared memory or not', () => {
    const size = 300_001;
    const src = new Uint8Array(size);
    const next = mulberry32Uint32(99);
    for (let i = 0; i < size; i++) {
      const x = next();
      // A small alphabet, and stretches repeated 9000 and 70000 bytes later (the far-distance encodings).
      src[i] = i >= 70000 && i % 5000 < 800 ? src[i - 70000]! : i >= 9000 && i % 3000 < 500 ? src[i - 9000]! : i % 61 < 30 ? 65 + ((x >>> 16) % 5) : x >>> 24;
    }
    const scratch = encodeScratch(size)!;
    scratch.set(src);
    for (const clevel of [1, 4, 5, 9]) {
      for (const format of ['blosc1', 'blosc2'] as const) {
        const ts = run(clevel, src, size, format, true, false);
        const wa = run(clevel, src, size, format, true, true);
        expect(wa.n).toBe(ts.n);
        expect(wa.out).toEqual(ts.out);
        setBlosclzWasmEnabled(true);
        const dst = new Uint8Array(size);
        const n = blosclzCompress(clevel, scratch, 0, size, dst, 0, size, format, true, table);
        expect(n).toBe(ts.n);
        expect(dst.subarray(0, n)).toEqual(ts.out);
      }
    }
    expect(scratch).toEqual(src);
  });

  it('ends runs and matches at every offset of the 16- and 64-byte compare steps, and at the input end', () => {
    // A run of `len` bytes, then a repeat of a 300-byte pattern cut after `len` bytes, each
    // followed by a differing byte, then two runs back to back; with `tail` the input ends
    // inside a run, so the match
    // loops meet the bound at every offset of their steps as well.
    const pattern = new Uint8Array(300);
    const next = mulberry32Uint32(5);
    for (let i = 0; i < pattern.length; i++) pattern[i] = next() >>> 24;
    let checked = 0;
    for (let len = 1; len <= 200; len++) {
      for (const tail of [0, 1]) {
        const parts = [pattern, new Uint8Array(len).fill(7), Uint8Array.of(8), pattern.subarray(0, len), Uint8Array.of(9)];
        // A run right after another run of a different byte: a run's compare must use the
        // byte it repeats, not the next one.
        parts.push(new Uint8Array(len).fill(1), new Uint8Array(150).fill(2), pattern.subarray(0, 20));
        if (tail === 1) parts.push(pattern.subarray(0, 40), new Uint8Array(len + 100).fill(3));
        const src = concatBytes(parts);
        for (const clevel of [5, 9]) {
          for (const format of ['blosc1', 'blosc2'] as const) {
            const ts = run(clevel, src, src.length, format, false, false);
            const wa = run(clevel, src, src.length, format, false, true);
            expect(wa.n).toBe(ts.n);
            expect(wa.out).toEqual(ts.out);
            expect(wa.guarded).toBe(true);
            if (ts.n > 0) checked++;
          }
        }
      }
    }
    // Most of these compress (a failing probe would leave the match loop untested).
    expect(checked).toBeGreaterThan(1000);
    // Runs reached by a match at distance 2..16 (a zero plane's first match is at 4, from
    // offset 0), ending at every offset and at the input end, and periodic data that is no
    // run though its last bytes and the bytes after it are one byte.
    for (let len = 16; len <= 400; len += 3) {
      for (const period of [2, 3, 4, 7, 10, 12, 16, 17]) {
        const cycle = Uint8Array.from({ length: period }, (_, i) => (i === 0 ? 9 : 0));
        // Its length puts the end of the first 16 compared bytes of its match near its end.
        const plen = 2 * period + (len % 40);
        const periodic = concatBytes(Array.from({ length: Math.ceil(plen / period) }, () => cycle)).subarray(0, plen);
        const src = concatBytes([new Uint8Array(len), Uint8Array.of(5), new Uint8Array(len + period).fill(6), periodic, new Uint8Array(len % 97 + 80), new Uint8Array(30).fill(6)]);
        const ts = run(9, src, src.length, 'blosc2', false, false);
        const wa = run(9, src, src.length, 'blosc2', false, true);
        expect(wa.n).toBe(ts.n);
        expect(wa.out).toEqual(ts.out);
      }
    }
  });

  it('probes (get_cratio) to the same ratio as the twin, every table size and shift', () => {
    const htab = new Uint32Array(BLOSCLZ_HASH_SIZE);
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 40 }),
        fc.constantFrom(12, 13, 14),
        fc.constantFrom(3, 4),
        fc.nat(100),
        (parts, hashlog, shift, skip) => {
          const src = concatBytes(parts);
          if (src.length < 32 + skip) return;
          const at = blosclzWasmInput(src, 0, src.length, src.length);
          expect(at).toBeGreaterThanOrEqual(0);
          const maxlen = src.length - skip;
          const wasm = blosclzProbeWasm(at + skip, maxlen, shift, shift, hashlog);
          const twin = blosclzProbeCratio(src, skip, maxlen, shift, shift, htab, hashlog);
          expect(wasm).toBe(twin);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes and refuses matches exactly at the far-distance limit (73725) like the twin', () => {
    for (const d of [8190, 8191, 8192, 73723, 73724, 73725, 73726]) {
      // Zeros, with a 24-byte pattern at 1000 and again d bytes later: its only earlier copy.
      const src = new Uint8Array(1000 + d + 2000);
      for (let i = 0; i < 24; i++) src[1000 + i] = src[1000 + d + i] = 1 + ((i * 37) % 251);
      for (const clevel of [5, 9]) {
        const ts = run(clevel, src, src.length, 'blosc2', false, false);
        const wa = run(clevel, src, src.length, 'blosc2', false, true);
        expect(ts.n).toBeGreaterThan(0);
        expect(wa.n).toBe(ts.n);
        expect(wa.out).toEqual(ts.out);
      }
    }
  });

  it('gives the same chunks with and without WebAssembly (shuffle, both formats)', () => {
    const n = 1 << 18;
    const data = new Uint8Array(n);
    const f32 = new Float32Array(data.buffer);
    for (let i = 0; i < f32.length; i++) f32[i] = i < 1000 ? 0 : Math.round(Math.sin(i / 300) * 1000) / 8;
    for (const format of ['blosc1', 'blosc2'] as const) {
      for (const clevel of [1, 5, 9]) {
        const opts = { codec: 'blosclz', clevel, typesize: 4, shuffle: 'shuffle', format } as const;
        setBlosclzWasmEnabled(false);
        const ts = compress(data, opts);
        setBlosclzWasmEnabled(true);
        const wa = compress(data, opts);
        expect(wa).toEqual(ts);
      }
    }
  });

  it('gives the same chunks when the shuffled planes are written apart (8- and 16-byte elements), SIMD on or off', () => {
    // 32 KiB blocks: planes of 4 or 2 KiB, which the chunk encoder spaces out in the shared
    // memory; the last block is a leftover (one stream, planes back to back).
    const n = (1 << 17) + 4000;
    const data = new Uint8Array(n);
    const f64 = new Float64Array(data.buffer, 0, n >> 3);
    for (let i = 0; i < f64.length; i++) f64[i] = i < 3000 ? i : Math.round(Math.sin(i / 300) * 1e4) / 16;
    try {
      for (const typesize of [8, 16]) {
        for (const format of ['blosc1', 'blosc2'] as const) {
          for (const codec of ['blosclz', 'lz4'] as const) {
            const opts = { codec, clevel: 5, typesize, shuffle: 'shuffle', format, blocksize: 1 << 15 } as const;
            setBlosclzWasmEnabled(false);
            setLz4WasmEnabled(false);
            const plain = compress(data, opts);
            setBlosclzWasmEnabled(true);
            setLz4WasmEnabled(true);
            expect(compress(data, opts)).toEqual(plain);
            setSimdEnabled(false);
            expect(compress(data, opts)).toEqual(plain);
            setSimdEnabled(true);
            expect(decompress(plain)).toEqual(data);
          }
        }
      }
    } finally {
      setLz4WasmEnabled(true);
      setSimdEnabled(true);
    }
  });
});
