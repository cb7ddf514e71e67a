import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError } from '../../src/errors.js';
import { blosclzDecompress, blosclzDecompressReference } from '../../src/codecs/blosclz.js';
import { lz4DecompressReference, lz4DecompressUsingDict } from '../../src/codecs/lz4.js';
import { snappyDecompress } from '../../src/codecs/snappy.js';
import { zlibDecompress } from '../../src/codecs/zlib.js';
import { zstdDecompressFzstd } from '../../src/codecs/zstd-fzstd.js';
import { load, vectors } from './vectors.js';

type Decoder = (src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number) => void;

const EMPTY: Uint8Array = new Uint8Array(0);
const decoders: Record<string, Decoder> = {
  blosclz: blosclzDecompress,
  lz4: (s, sp, sn, d, dp, dn) => lz4DecompressUsingDict(s, sp, sn, d, dp, dn, EMPTY),
  zlib: zlibDecompress,
  zstd: zstdDecompressFzstd,
  snappy: snappyDecompress,
};

/** A few small C-made streams per codec (lz4hc streams are LZ4 blocks too). */
function samples(codec: string): { stream: Uint8Array; dn: number }[] {
  const vs = vectors.filter(
    (v) => v.stream !== undefined && v.dict === undefined && (v.codec === codec || (codec === 'lz4' && v.codec === 'lz4hc')),
  );
  vs.sort((a, b) => a.neblock - b.neblock);
  const picked = [vs[0], vs[Math.floor(vs.length / 2)], vs[vs.length - 1]].filter((v) => v.neblock <= 20000);
  return picked.map((v) => ({ stream: load(v.stream!), dn: v.neblock }));
}

const GUARD = 0x5a;

/** Run `decode` into a guarded window; returns the output or the BloscError; rethrows anything else. */
function run(decode: Decoder, src: Uint8Array, dn: number): Uint8Array | BloscError {
  const dst = new Uint8Array(dn + 16).fill(GUARD);
  let result: Uint8Array | BloscError;
  try {
    decode(src, 0, src.length, dst, 8, dn);
    result = dst.slice(8, 8 + dn);
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
    result = e;
  }
  for (let i = 0; i < 8; i++) {
    if (dst[i] !== GUARD || dst[dn + 8 + i] !== GUARD) throw new Error('decoder wrote outside its output window');
  }
  return result;
}

const RUNS = { numRuns: 150 };

describe.each(Object.keys(decoders))('%s decoder on damaged input', (codec) => {
  const decode = decoders[codec];
  const cases = samples(codec);

  it('has samples', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it('throws BloscError on every truncation', () => {
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (k, frac) => {
        const { stream, dn } = cases[k];
        const cut = Math.min(stream.length - 1, Math.floor(frac * stream.length));
        expect(run(decode, stream.subarray(0, cut), dn)).toBeInstanceOf(BloscError);
      }),
      RUNS,
    );
  });

  it('throws BloscError when asked for a different size', () => {
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.integer({ min: -200, max: 200 }).filter((d) => d !== 0), (k, delta) => {
        const { stream, dn } = cases[k];
        expect(run(decode, stream, Math.max(0, dn + delta))).toBeInstanceOf(BloscError);
      }),
      RUNS,
    );
  });

  it('only ever throws BloscError on bit flips', () => {
    fc.assert(
      fc.property(fc.nat(cases.length - 1), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (k, flips) => {
        const { stream, dn } = cases[k];
        const bad = stream.slice();
        for (const f of flips) bad[f % bad.length] ^= 1 << (f % 8);
        run(decode, bad, dn);
      }),
      RUNS,
    );
  });

  it('only ever throws BloscError on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(3000), (garbage, dn) => {
        run(decode, garbage, dn);
      }),
      RUNS,
    );
  });
});

/** Mutations of C streams: truncations, bit flips, byte overwrites, insertions, deletions. */
const mutation = fc.tuple(fc.constantFrom('flip', 'set', 'cut', 'insert', 'delete'), fc.nat(), fc.nat(255));
function mutate(stream: Uint8Array, ops: [string, number, number][]): Uint8Array {
  let s = stream.slice();
  for (const [op, pos, val] of ops) {
    const p = s.length === 0 ? 0 : pos % s.length;
    if (op === 'flip' && s.length > 0) s[p] ^= 1 << (val % 8);
    else if (op === 'set' && s.length > 0) s[p] = val;
    else if (op === 'cut') s = s.slice(0, p);
    else if (op === 'insert') s = Uint8Array.from([...s.subarray(0, p), val, ...s.subarray(p)]);
    else if (op === 'delete' && s.length > 0) s = Uint8Array.from([...s.subarray(0, p), ...s.subarray(p + 1)]);
  }
  return s;
}

function sameOutcome(a: Uint8Array | BloscError, b: Uint8Array | BloscError): void {
  if (a instanceof BloscError || b instanceof BloscError) {
    expect(a instanceof BloscError, `fast: ${String(a)}, reference: ${String(b)}`).toBe(b instanceof BloscError);
  } else {
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  }
}

describe('fast and reference decoders accept the same streams and produce the same bytes', () => {
  const blosclzCases = samples('blosclz');
  it('blosclz', () => {
    fc.assert(
      fc.property(fc.nat(blosclzCases.length - 1), fc.array(mutation, { maxLength: 3 }), fc.integer({ min: -3, max: 3 }), (k, ops, dd) => {
        const { stream, dn } = blosclzCases[k];
        const bad = mutate(stream, ops);
        const n = Math.max(0, dn + dd);
        sameOutcome(run(blosclzDecompress, bad, n), run(blosclzDecompressReference, bad, n));
      }),
      { numRuns: 300 },
    );
  });

  const lz4Cases = samples('lz4');
  const dictVectors = vectors.filter((v) => v.dict !== undefined && v.stream !== undefined).slice(0, 4);
  it('lz4, with and without a dictionary', () => {
    fc.assert(
      fc.property(fc.nat(lz4Cases.length + dictVectors.length - 1), fc.array(mutation, { maxLength: 3 }), fc.integer({ min: -3, max: 3 }), (k, ops, dd) => {
        let stream: Uint8Array;
        let dn: number;
        let dict = EMPTY;
        if (k < lz4Cases.length) {
          ({ stream, dn } = lz4Cases[k]);
        } else {
          const v = dictVectors[k - lz4Cases.length];
          stream = load(v.stream!);
          dn = v.neblock;
          dict = load(v.dict!);
        }
        const bad = mutate(stream, ops);
        const n = Math.max(0, dn + dd);
        sameOutcome(
          run((s, sp, sn, d, dp, dnn) => lz4DecompressUsingDict(s, sp, sn, d, dp, dnn, dict), bad, n),
          run((s, sp, sn, d, dp, dnn) => lz4DecompressReference(s, sp, sn, d, dp, dnn, dict), bad, n),
        );
      }),
      { numRuns: 300 },
    );
  });
});
