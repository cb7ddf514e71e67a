import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { shuffleGeneric, unshuffleGeneric } from '../../src/shuffle/generic.js';
import { shuffle, unshuffle } from '../../src/shuffle/shuffle.js';
import { blockBytes, expectBytes, FC_RUNS, placed, randomBytes, sentinel, untouchedOutside } from './helpers.js';
import { kernelVectors } from './vectors.js';

type Kernel = typeof shuffle;

/** Run `kernel` from a placed copy of `data` into a sentinel-filled destination. */
function run(kernel: Kernel, typesize: number, data: Uint8Array, srcShift: number, dstShift: number): Uint8Array {
  const pad = 8;
  const src = placed(data, srcShift);
  const dst = sentinel(data.length, dstShift, pad);
  kernel(typesize, src, 0, dst, pad, data.length);
  expect(untouchedOutside(dst, pad, pad + data.length)).toBe(true);
  return dst.slice(pad, pad + data.length);
}

describe('shuffle / unshuffle against known answers (numpy)', () => {
  const vectors = kernelVectors.filter((v) => v.kernel === 'shuffle');
  it('has vectors', () => expect(vectors.length).toBeGreaterThan(4));
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expectBytes(run(shuffleGeneric, v.typesize, v.input, 0, 0), v.output);
    expectBytes(run(unshuffleGeneric, v.typesize, v.output, 0, 0), v.input);
    for (const shift of [0, 1, 2, 3]) {
      expectBytes(run(shuffle, v.typesize, v.input, shift, 0), v.output);
      expectBytes(run(unshuffle, v.typesize, v.output, 0, shift), v.input);
    }
  });
});

describe('fast shuffle equals the reference', () => {
  it('for typesize 1..40, any length and alignment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), blockBytes(), fc.nat(7), fc.nat(7), (typesize, data, s1, s2) => {
        const expected = run(shuffleGeneric, typesize, data, 0, 0);
        expectBytes(run(shuffle, typesize, data, s1, s2), expected);
        const back = run(unshuffleGeneric, typesize, data, 0, 0);
        expectBytes(run(unshuffle, typesize, data, s1, s2), back);
      }),
      { numRuns: FC_RUNS },
    );
  });

  it('on the word paths (aligned, element count a multiple of 4)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 4, 8, 12, 16, 20, 24, 32, 36, 40),
        fc.integer({ min: 4, max: 400 }),
        fc.nat(40),
        fc.nat(),
        (typesize, quads, tail, seed) => {
          const n = 4 * quads * typesize + (tail % typesize);
          const data = randomBytes(n, seed);
          const expected = run(shuffleGeneric, typesize, data, 0, 0);
          expectBytes(run(shuffle, typesize, data, 0, 0), expected);
          expectBytes(run(shuffle, typesize, data, 4, 8), expected);
          expectBytes(run(unshuffle, typesize, expected, 0, 4), data);
        },
      ),
      { numRuns: FC_RUNS },
    );
  });

  it('round-trips at offsets inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), blockBytes(2000), fc.nat(9), fc.nat(9), (typesize, data, sp, dp) => {
        const src = new Uint8Array(sp + data.length);
        src.set(data, sp);
        const mid = new Uint8Array(dp + data.length);
        shuffle(typesize, src, sp, mid, dp, data.length);
        const back = new Uint8Array(data.length + 3);
        unshuffle(typesize, mid, dp, back, 3, data.length);
        expectBytes(back.subarray(3), data);
      }),
      { numRuns: FC_RUNS },
    );
  });

  it('works on a 256 KiB block for every specialised typesize', () => {
    const data = randomBytes(256 * 1024, 7);
    for (const typesize of [2, 4, 8, 16]) {
      const fast = new Uint8Array(data.length);
      const ref = new Uint8Array(data.length);
      shuffle(typesize, data, 0, fast, 0, data.length);
      shuffleGeneric(typesize, data, 0, ref, 0, data.length);
      expectBytes(fast, ref);
      unshuffle(typesize, ref, 0, fast, 0, data.length);
      expectBytes(fast, data);
    }
  });
});

describe('shuffle argument checks', () => {
  const src = new Uint8Array(64);
  const dst = new Uint8Array(64);
  const cases: [string, () => void, number][] = [
    ['typesize 0', () => shuffle(0, src, 0, dst, 0, 16), BloscErrorCode.InvalidParam],
    ['typesize 2.5', () => unshuffle(2.5, src, 0, dst, 0, 16), BloscErrorCode.InvalidParam],
    ['negative length', () => shuffle(4, src, 0, dst, 0, -1), BloscErrorCode.InvalidParam],
    ['source overrun', () => shuffle(4, src, 8, dst, 0, 60), BloscErrorCode.ReadBuffer],
    ['destination overrun', () => unshuffle(4, src, 0, dst, 8, 60), BloscErrorCode.WriteBuffer],
    ['reference overrun', () => shuffleGeneric(4, src, 0, dst, 1, 64), BloscErrorCode.WriteBuffer],
    ['overlapping ranges', () => shuffle(4, src, 0, src, 16, 32), BloscErrorCode.InvalidParam],
    ['overlapping views', () => unshuffle(4, src.subarray(8), 0, src.subarray(0, 40), 0, 32), BloscErrorCode.InvalidParam],
  ];
  it.each(cases)('%s throws BloscError', (_name, call, code) => {
    let caught: unknown;
    try {
      call();
    } catch (e) {
      caught = e;
    }
    expect(isBloscError(caught, code as BloscErrorCode)).toBe(true);
  });

  it('accepts disjoint ranges of one buffer', () => {
    const buf = randomBytes(128, 11);
    const expected = new Uint8Array(64);
    shuffleGeneric(4, buf, 0, expected, 0, 64);
    shuffle(4, buf, 0, buf, 64, 64);
    expectBytes(buf.subarray(64), expected);
  });

  it('never writes past a subarray it was given', () => {
    const whole = new Uint8Array(96).fill(0x77);
    const view = whole.subarray(4, 68);
    shuffle(4, randomBytes(64, 3), 0, view, 0, 64);
    expect(whole.subarray(0, 4).every((b) => b === 0x77)).toBe(true);
    expect(whole.subarray(68).every((b) => b === 0x77)).toBe(true);
  });
});
