import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { bitshuffle, bitshuffleBlock, bitshuffledElements, bitunshuffle, bitunshuffleBlock } from '../../src/shuffle/bitshuffle.js';
import { bitshuffleGeneric, bitunshuffleGeneric, shuffle, unshuffle } from '../../src/shuffle/index.js';
import { blockBytes, expectBytes, FC_RUNS, placed, randomBytes, sentinel, untouchedOutside } from './helpers.js';
import { kernelVectors } from './vectors.js';

type BitKernel = typeof bitshuffle;

/** Run a bit kernel on `nelems` elements of `data` from a placed copy into a sentinel buffer. */
function run(kernel: BitKernel, typesize: number, data: Uint8Array, nelems: number, srcShift: number, dstShift: number): Uint8Array {
  const pad = 8;
  const n = nelems * typesize;
  const src = placed(data, srcShift);
  const dst = sentinel(n, dstShift, pad);
  kernel(typesize, src, 0, dst, pad, nelems);
  expect(untouchedOutside(dst, pad, pad + n)).toBe(true);
  return dst.slice(pad, pad + n);
}

describe('bitshuffle against known answers (numpy)', () => {
  const vectors = kernelVectors.filter((v) => v.kernel === 'bitshuffle');
  it('has vectors', () => expect(vectors.length).toBeGreaterThan(4));
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const nelems = v.input.length / v.typesize;
    expectBytes(run(bitshuffleGeneric, v.typesize, v.input, nelems, 0, 0), v.output, 'generic');
    expectBytes(run(bitunshuffleGeneric, v.typesize, v.output, nelems, 0, 0), v.input, 'generic inverse');
    for (const shift of [0, 1, 2, 3]) {
      expectBytes(run(bitshuffle, v.typesize, v.input, nelems, shift, 0), v.output, 'fast');
      expectBytes(run(bitunshuffle, v.typesize, v.output, nelems, 0, shift), v.input, 'fast inverse');
    }
  });
});

describe('bitshuffle against c-blosc2 compat/bitshuffle-2.20.0.cdata', () => {
  // c-blosc2's compat/filegen.c runs blosc2_shuffle / blosc2_bitshuffle(4, 4000000, ...) on
  // int32 0..999999. The expected values are the git blob ids of its outputs in
  // Blosc/c-blosc2 (compat/shuffle-2.20.0.cdata, compat/bitshuffle-2.20.0.cdata).
  const SHUFFLE_BLOB = 'f24a1a11e83ca7e39c50234c74bff9f50914af8d';
  const BITSHUFFLE_BLOB = 'eab6de4a5dc51caa76c26df65352c174c9b33213';
  const gitBlobId = (bytes: Uint8Array) =>
    createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  const count = 1_000_000;
  const ints = new Int32Array(count);
  for (let i = 0; i < count; i++) ints[i] = i;
  const data = new Uint8Array(ints.buffer);

  it('byte shuffle', () => {
    const out = new Uint8Array(data.length);
    shuffle(4, data, 0, out, 0, data.length);
    expect(gitBlobId(out)).toBe(SHUFFLE_BLOB);
    const back = new Uint8Array(data.length);
    unshuffle(4, out, 0, back, 0, data.length);
    expectBytes(back, data);
  });

  it('bit shuffle, fast and reference', () => {
    const out = new Uint8Array(data.length);
    bitshuffleBlock(4, data, 0, out, 0, data.length, false);
    expect(gitBlobId(out)).toBe(BITSHUFFLE_BLOB);
    const ref = new Uint8Array(data.length);
    bitshuffleGeneric(4, data, 0, ref, 0, count);
    expect(gitBlobId(ref)).toBe(BITSHUFFLE_BLOB);
    const back = new Uint8Array(data.length);
    bitunshuffleBlock(4, out, 0, back, 0, data.length, false);
    expectBytes(back, data);
  });
});

describe('fast bitshuffle equals the reference', () => {
  it('for typesize 1..64, any multiple of 8 elements, any alignment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), blockBytes(), fc.nat(7), fc.nat(7), (typesize, data, s1, s2) => {
        const nelems = Math.floor(data.length / typesize) & ~7;
        const expected = run(bitshuffleGeneric, typesize, data, nelems, 0, 0);
        expectBytes(run(bitshuffle, typesize, data, nelems, s1, s2), expected);
        const back = run(bitunshuffleGeneric, typesize, data, nelems, 0, 0);
        expectBytes(run(bitunshuffle, typesize, data, nelems, s1, s2), back);
      }),
      { numRuns: FC_RUNS },
    );
  });

  it('on the word paths (aligned, element count a multiple of 32), across tiles', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 80 }), fc.nat(), (typesize, groups, seed) => {
        const nelems = 32 * groups;
        const data = randomBytes(nelems * typesize, seed);
        const expected = run(bitshuffleGeneric, typesize, data, nelems, 0, 0);
        expectBytes(run(bitshuffle, typesize, data, nelems, 0, 0), expected);
        expectBytes(run(bitshuffle, typesize, data, nelems, 4, 12), expected);
        expectBytes(run(bitunshuffle, typesize, expected, nelems, 8, 0), data);
      }),
      { numRuns: 60 },
    );
  });

  it('on large blocks that span many tiles', () => {
    for (const [typesize, nelems] of [[4, 65536], [8, 32768], [2, 40000], [3, 21840], [16, 4104]] as const) {
      const data = randomBytes(typesize * nelems, typesize);
      const fast = new Uint8Array(data.length);
      const ref = new Uint8Array(data.length);
      bitshuffle(typesize, data, 0, fast, 0, nelems);
      bitshuffleGeneric(typesize, data, 0, ref, 0, nelems);
      expectBytes(fast, ref, `typesize ${typesize}`);
      bitunshuffle(typesize, ref, 0, fast, 0, nelems);
      expectBytes(fast, data, `typesize ${typesize} inverse`);
    }
  });

  it('rejects element counts that are not a multiple of 8', () => {
    const buf = new Uint8Array(64);
    for (const kernel of [bitshuffle, bitunshuffle, bitshuffleGeneric, bitunshuffleGeneric]) {
      let caught: unknown;
      try {
        kernel(2, buf, 0, buf.slice(), 0, 12);
      } catch (e) {
        caught = e;
      }
      expect(isBloscError(caught, BloscErrorCode.InvalidParam)).toBe(true);
    }
  });
});

describe('block rules', () => {
  /** The rules as the spec states them, built from the reference kernel. */
  function referenceBlock(typesize: number, data: Uint8Array, blosc1: boolean, inverse: boolean): Uint8Array {
    const count = Math.floor(data.length / typesize);
    const nelems = blosc1 ? (count % 8 === 0 ? count : 0) : count - (count % 8);
    const out = data.slice();
    (inverse ? bitunshuffleGeneric : bitshuffleGeneric)(typesize, data, 0, out, 0, nelems);
    return out;
  }

  it('Blosc1: a block whose element count is not a multiple of 8 is copied whole', () => {
    const data = randomBytes(4 * 13 + 2, 9);
    expect(bitshuffledElements(4, data.length, true)).toBe(0);
    const out = new Uint8Array(data.length);
    bitshuffleBlock(4, data, 0, out, 0, data.length, true);
    expectBytes(out, data);
    expect(bitshuffledElements(4, data.length, false)).toBe(8);
  });

  it('both rules equal their definitions for any block', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), blockBytes(3000), fc.boolean(), (typesize, data, blosc1) => {
        const out = new Uint8Array(data.length);
        bitshuffleBlock(typesize, data, 0, out, 0, data.length, blosc1);
        expectBytes(out, referenceBlock(typesize, data, blosc1, false));
        const back = new Uint8Array(data.length);
        bitunshuffleBlock(typesize, out, 0, back, 0, data.length, blosc1);
        expectBytes(back, data);
        bitunshuffleBlock(typesize, data, 0, back, 0, data.length, blosc1);
        expectBytes(back, referenceBlock(typesize, data, blosc1, true));
      }),
      { numRuns: FC_RUNS },
    );
  });
});
