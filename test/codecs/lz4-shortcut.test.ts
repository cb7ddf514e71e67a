/**
 * The LZ4 decoder's shortcut copies fixed 16-byte literal runs and 8/16/18-byte matches as
 * words; these checks hold it to the byte-by-byte reference on streams full of short
 * sequences, at every distance from the end of the output, with guard bytes around the
 * output window.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lz4CompressBound, lz4CompressFast } from '../../src/codecs/lz4-compress.js';
import { lz4Decompress, lz4DecompressReference } from '../../src/codecs/lz4.js';
import { mulberry32Uint32 } from '../helpers.js';

const GUARD = 0xa7;

/** Short repeats at small distances mixed with noise: many sequences of 0..14 literals and 4..18-byte matches. */
function shortSequences(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  const rnd = mulberry32Uint32(seed);
  let i = 0;
  while (i < n) {
    const r = rnd();
    if (i >= 8 && (r & 3) !== 0) {
      const dist = 8 + (r >>> 2) % 24;
      const len = 4 + ((r >>> 8) % 15);
      for (let k = 0; k < len && i < n; k++, i++) out[i] = out[i - Math.min(dist, i)]!;
    } else {
      const lits = (r >>> 4) % 15;
      for (let k = 0; k < lits && i < n; k++, i++) out[i] = rnd() & 0xff;
    }
  }
  return out;
}

describe('LZ4 decoder shortcut', () => {
  it('equals the reference decoder and writes nothing outside its window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer(), fc.nat(5), (n, seed, pad) => {
        const data = shortSequences(n, seed);
        const comp = new Uint8Array(lz4CompressBound(n));
        const cn = lz4CompressFast(data, 0, n, comp, 0, comp.length, 1);
        expect(cn).toBeGreaterThan(0);
        const dst = new Uint8Array(n + 2 * 8 + pad).fill(GUARD);
        lz4Decompress(comp, 0, cn, dst, 8 + pad, n);
        const ref = new Uint8Array(n);
        lz4DecompressReference(comp, 0, cn, ref, 0, n, new Uint8Array(0));
        for (let i = 0; i < n; i++) if (dst[8 + pad + i] !== data[i] || ref[i] !== data[i]) throw new Error(`differs at ${i}`);
        for (let i = 0; i < 8 + pad; i++) if (dst[i] !== GUARD) throw new Error('wrote before the window');
        for (let i = 8 + pad + n; i < dst.length; i++) if (dst[i] !== GUARD) throw new Error('wrote past the window');
      }),
      { numRuns: 400 },
    );
  });
});
