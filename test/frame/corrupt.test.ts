/** Corrupt frames (truncated, bit-flipped, offsets overwritten) raise BloscError and nothing else. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { BloscError } from '../../src/errors.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { frameFixtures, readFrameFixture } from './frame-fixtures.js';

const frames = frameFixtures()
  .filter((f) => f.kind !== 'sframe' && f.frameLength < 20000)
  .map((f) => ({ name: f.path, bytes: readFrameFixture(f) }));

/** Read everything a user could ask for; returns normally or throws. */
function readAll(bytes: Uint8Array): void {
  const s = SChunk.open(bytes);
  s.getSlice();
  for (let i = 0; i < s.nchunks; i++) s.getChunk(i);
  for (const n of s.meta.names()) s.meta.getValue(n);
  for (const n of s.vlmeta.names()) s.vlmeta.get(n);
  void s.cbytes;
  s.toFrame();
}

function onlyBloscErrors(bytes: Uint8Array): boolean {
  try {
    readAll(bytes);
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
  }
  return true;
}

const frameArb = fc.constantFrom(...frames);

describe('corrupt frames', () => {
  it('reads every intact fixture without error', () => {
    for (const f of frames) expect(() => readAll(f.bytes), f.name).not.toThrow();
  });

  it('truncation at every position is a BloscError', () => {
    for (const f of frames) {
      for (let n = 0; n < f.bytes.length; n += Math.max(1, Math.floor(f.bytes.length / 300))) {
        expect(() => readAll(f.bytes.subarray(0, n)), `${f.name} cut at ${n}`).toThrow(BloscError);
      }
    }
  });

  it('bit flips raise only BloscError', () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (f, pos, bit) => {
        const b = f.bytes.slice();
        const p = pos % b.length;
        b[p]! ^= 1 << bit;
        return onlyBloscErrors(b);
      }),
      { numRuns: 800 },
    );
  });

  it('overwritten bytes (several at once) raise only BloscError', () => {
    fc.assert(
      fc.property(frameArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (f, edits) => {
        const b = f.bytes.slice();
        for (const [pos, v] of edits) b[pos % b.length] = v;
        return onlyBloscErrors(b);
      }),
      { numRuns: 800 },
    );
  });

  it('overwritten offsets index entries raise only BloscError', () => {
    // Rewrite a frame with a memcpyed index so the int64 offsets are plain bytes to overwrite.
    const targets = frames
      .map((f) => ({ name: f.name, frame: CFrame.open(f.bytes) }))
      .filter((x) => x.frame.nchunks > 0);
    let edited = 0;
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.nat(), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (t, which, value) => {
        const h = t.frame.header;
        const bytes = t.frame.source.read(0, h.frameLen).slice();
        const indexPos = h.headerLen + h.cbytes;
        const view = new DataView(bytes.buffer);
        const flags = bytes[indexPos + 2]!;
        if ((flags & 0x02) === 0) return true; // compressed index: covered by the byte edits above
        const i = which % t.frame.nchunks;
        view.setBigInt64(indexPos + 32 + 8 * i, value, true);
        edited++;
        return onlyBloscErrors(bytes);
      }),
      { numRuns: 600 },
    );
    expect(edited).toBeGreaterThan(100);
  });

  it('a frame_len that disagrees with the input is rejected', () => {
    const f = frames[0]!;
    const b = new Uint8Array(f.bytes.length + 10);
    b.set(f.bytes);
    expect(() => SChunk.open(b)).toThrow(BloscError);
    expect(CFrame.open(b, { exact: false }).nchunks).toBeGreaterThan(0);
  });
});
