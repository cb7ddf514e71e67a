import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buggyRestartIndex, bytedeltaBackward, bytedeltaBuggyBackward, bytedeltaBuggyForward, bytedeltaForward,
} from '../../src/shuffle/bytedelta.js';
import { blockBytes, expectBytes, FC_RUNS } from './helpers.js';
import { kernelVectors } from './vectors.js';

describe('BYTEDELTA (35)', () => {
  const vectors = kernelVectors.filter((v) => v.kernel === 'bytedelta');
  it('has vectors', () => expect(vectors.length).toBeGreaterThan(2));
  it.each(vectors.map((v) => [v.name, v] as const))('%s (numpy diff)', (_name, v) => {
    const out = new Uint8Array(v.input.length);
    bytedeltaForward(v.typesize, v.input, 0, out, 0, v.input.length);
    expectBytes(out, v.output);
    const back = new Uint8Array(v.input.length);
    bytedeltaBackward(v.typesize, v.output, 0, back, 0, v.input.length);
    expectBytes(back, v.input);
  });

  it('round-trips for any channel count and length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), blockBytes(3000), (channels, data) => {
        const out = new Uint8Array(data.length);
        bytedeltaForward(channels, data, 0, out, 0, data.length);
        const back = new Uint8Array(data.length);
        bytedeltaBackward(channels, out, 0, back, 0, data.length);
        expectBytes(back, data);
      }),
      { numRuns: FC_RUNS },
    );
  });
});

describe('BYTEDELTA_BUGGY (34)', () => {
  it('restarts at the scalar tail of each channel', () => {
    expect(buggyRestartIndex(0)).toBe(0);
    expect(buggyRestartIndex(15)).toBe(0);
    expect(buggyRestartIndex(16)).toBe(16);
    expect(buggyRestartIndex(37)).toBe(32);
    expect(buggyRestartIndex(48)).toBe(48);
  });

  it('equals BYTEDELTA except at the restart byte of each channel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), blockBytes(2000), (channels, data) => {
        const fixed = new Uint8Array(data.length);
        const buggy = new Uint8Array(data.length);
        bytedeltaForward(channels, data, 0, fixed, 0, data.length);
        bytedeltaBuggyForward(channels, data, 0, buggy, 0, data.length);
        const len = Math.floor(data.length / channels);
        const restart = buggyRestartIndex(len);
        for (let i = 0; i < data.length; i++) {
          const c = Math.floor(i / len);
          const k = i - c * len;
          if (c < channels && k === restart && restart > 0 && restart < len) {
            expect(buggy[i]).toBe(data[i]); // the delta restarts from 0
          } else {
            expect(buggy[i]).toBe(fixed[i]);
          }
        }
        const back = new Uint8Array(data.length);
        bytedeltaBuggyBackward(channels, buggy, 0, back, 0, data.length);
        expectBytes(back, data);
      }),
      { numRuns: FC_RUNS },
    );
  });
});
