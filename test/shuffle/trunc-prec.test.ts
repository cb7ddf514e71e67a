import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { intTrunc, intTruncZeroedBits, signedMeta, truncPrec, truncPrecZeroedBits } from '../../src/shuffle/trunc-prec.js';
import { expectBytes, FC_RUNS } from './helpers.js';

function codeOf(call: () => unknown): number | undefined {
  try {
    call();
  } catch (e) {
    if (isBloscError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe('TRUNC_PREC', () => {
  it('reads the meta byte as int8', () => {
    expect(signedMeta(0xf6)).toBe(-10);
    expect(signedMeta(0x7f)).toBe(127);
    expect(signedMeta(0x80)).toBe(-128);
  });

  it.each([
    [4, 10, 13], [4, 23, 0], [4, 1, 22], [4, 0xfb, 5], [4, 0xeb, 21],
    [8, 20, 32], [8, 52, 0], [8, 0xe2, 30], [8, 0xcd, 51],
  ])('typesize %i meta %i clears %i bits', (typesize, meta, zeroed) => {
    expect(truncPrecZeroedBits(typesize, meta)).toBe(zeroed);
  });

  it.each([
    ['p = 0', 4, 0, BloscErrorCode.InvalidParam],
    ['p > 23 for float32', 4, 24, BloscErrorCode.InvalidParam],
    ['p = -23 clears the mantissa', 4, 0xe9, BloscErrorCode.InvalidParam],
    ['p = -128', 8, 0x80, BloscErrorCode.InvalidParam],
    ['p > 52 for float64', 8, 53, BloscErrorCode.InvalidParam],
    ['typesize 2', 2, 5, BloscErrorCode.FilterPipeline],
    ['typesize 16', 16, 5, BloscErrorCode.FilterPipeline],
  ])('%s is an error', (_name, typesize, meta, code) => {
    expect(codeOf(() => truncPrec(typesize, meta, new Uint8Array(64), 0, new Uint8Array(64), 0, 64))).toBe(code);
  });

  it('float32 keeps the top p mantissa bits (checked with Math.fround)', () => {
    const x = new Float32Array([Math.PI, -1e-3, 123456.789, 1 / 3]);
    const src = new Uint8Array(x.buffer);
    const out = new Uint8Array(src.length + 3);
    truncPrec(4, 10, src, 0, out, 0, src.length);
    const y = new Float32Array(out.buffer, 0, 4);
    const words = new Uint32Array(x.buffer);
    for (let i = 0; i < 4; i++) {
      // Clearing 13 low mantissa bits: the value moves toward zero by less than 2^-10 relative.
      expect(Math.abs(y[i]!)).toBeLessThanOrEqual(Math.abs(x[i]!));
      expect(Math.abs(y[i]! - x[i]!)).toBeLessThan(Math.abs(x[i]!) * 2 ** -10);
      expect(new Uint32Array(out.buffer, 0, 4)[i]).toBe((words[i]! & ~0x1fff) >>> 0);
    }
  });

  it('float64 with p < 0 clears exactly |p| low bits, tail copied', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 1, max: 51 }), (data, cleared) => {
        const out = new Uint8Array(data.length);
        truncPrec(8, (-cleared) & 0xff, data, 0, out, 0, data.length);
        const view = new DataView(data.buffer, data.byteOffset);
        const outView = new DataView(out.buffer);
        const mask = ~((1n << BigInt(cleared)) - 1n) & 0xffffffffffffffffn;
        const body = data.length - (data.length % 8);
        for (let i = 0; i < body; i += 8) {
          expect(outView.getBigUint64(i, true)).toBe(view.getBigUint64(i, true) & mask);
        }
        expectBytes(out.subarray(body), data.subarray(body));
      }),
      { numRuns: FC_RUNS },
    );
  });
});

describe('INT_TRUNC', () => {
  it.each([
    [1, 5, 3], [1, 8, 0], [1, 0xfd, 3], [2, 0xfd, 3], [4, 20, 12], [8, 60, 4], [8, 0xd8, 40], [8, 0xc1, 63],
  ])('typesize %i meta %i clears %i bits', (typesize, meta, zeroed) => {
    expect(intTruncZeroedBits(typesize, meta)).toBe(zeroed);
  });

  it.each([
    ['p = 0', 4, 0, BloscErrorCode.InvalidParam],
    ['p > bits', 1, 9, BloscErrorCode.InvalidParam],
    ['p = -8 on bytes', 1, 0xf8, BloscErrorCode.InvalidParam],
    ['p = -64 on 64-bit', 8, 0xc0, BloscErrorCode.InvalidParam],
    ['typesize 3', 3, 4, BloscErrorCode.FilterPipeline],
  ])('%s is an error', (_name, typesize, meta, code) => {
    expect(codeOf(() => intTrunc(typesize, meta, new Uint8Array(48), 0, new Uint8Array(48), 0, 48))).toBe(code);
  });

  it('clears the low bits of every little-endian integer, tail copied', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8), fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: -127, max: 127 }),
        (typesize, data, p) => {
          const bits = 8 * typesize;
          const zeroed = p >= 0 ? bits - p : -p;
          const out = new Uint8Array(data.length);
          if (zeroed < 0 || zeroed >= bits) {
            expect(codeOf(() => intTrunc(typesize, p & 0xff, data, 0, out, 0, data.length))).toBe(BloscErrorCode.InvalidParam);
            return;
          }
          intTrunc(typesize, p & 0xff, data, 0, out, 0, data.length);
          const mask = ~((1n << BigInt(zeroed)) - 1n);
          const body = data.length - (data.length % typesize);
          for (let e = 0; e < body; e += typesize) {
            let v = 0n;
            let w = 0n;
            for (let b = typesize - 1; b >= 0; b--) {
              v = (v << 8n) | BigInt(data[e + b]!);
              w = (w << 8n) | BigInt(out[e + b]!);
            }
            expect(w).toBe(v & mask & ((1n << BigInt(bits)) - 1n));
          }
          expectBytes(out.subarray(body), data.subarray(body));
        }),
      { numRuns: FC_RUNS },
    );
  });
});
