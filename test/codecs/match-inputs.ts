/**
 * Inputs for the match finders' property tests (LZ4 and BloscLZ, TypeScript and
 * WebAssembly): noise, runs, repeated seeds and counters of 1-8 bytes, so that matches
 * fall at every distance class; `scale` shrinks the pieces for the decoders' tests.
 */
import fc from 'fast-check';

export function matchPiece(scale: { noise: number; run: number; seed: number; repeat: number; counters: boolean }): fc.Arbitrary<Uint8Array> {
  const pieces: fc.Arbitrary<Uint8Array>[] = [
    fc.uint8Array({ minLength: 1, maxLength: scale.noise }),
    fc.record({ byte: fc.integer({ min: 0, max: 255 }), n: fc.integer({ min: 1, max: scale.run }) }).map(({ byte, n }) => new Uint8Array(n).fill(byte)),
    fc.record({ seed: fc.uint8Array({ minLength: 1, maxLength: scale.seed }), n: fc.integer({ min: 1, max: scale.repeat }) }).map(({ seed, n }) =>
      Uint8Array.from({ length: n }, (_, i) => seed[i % seed.length]!)),
  ];
  if (scale.counters) {
    pieces.push(fc.record({ start: fc.integer({ min: 0, max: 1 << 20 }), n: fc.integer({ min: 1, max: 2000 }), w: fc.constantFrom(1, 2, 4, 8) }).map(({ start, n, w }) => {
      const out = new Uint8Array(n * w);
      for (let i = 0; i < n; i++) for (let b = 0; b < w; b++) out[i * w + b] = ((start + i) >>> (8 * b)) & 255;
      return out;
    }));
  }
  return fc.oneof(...pieces);
}

/** The encoders' inputs: pieces up to 300 bytes of noise, 3000-byte runs, 4000-byte repeats, counters. */
export const ENCODER_PIECE = matchPiece({ noise: 300, run: 3000, seed: 40, repeat: 4000, counters: true });
