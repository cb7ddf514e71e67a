/**
 * Hostile input: truncated, bit-flipped and lying chunks derived from real fixtures must
 * raise BloscError (or decode to exactly nbytes bytes when the damage is harmless), never
 * another exception, a hang, or an out-of-bounds access.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError, chunkInfo, decompress, getItems } from '../../src/index.js';
import { chunkFixtures, readFixture } from '../helpers.js';

const RUNS = Number(process.env.BLOSC_TS_FUZZ_RUNS ?? 24_000);
// A mutated nbytes field can legitimately describe a huge special-value chunk; cap what
// the fuzzer lets a chunk allocate.
const MAX_NBYTES = 1 << 26;

const seeds = chunkFixtures()
  .filter((f) => f.cbytes <= 20_000)
  .map((f) => readFixture(f));

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'int32'; field: number; value: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'bstart'; index: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('int32' as const),
    field: fc.constantFrom(4, 8, 12),
    value: fc.oneof(fc.integer(), fc.integer({ min: -2, max: 70_000 }), fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000)),
  }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.integer({ min: 0, max: 31 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('bstart' as const), index: fc.nat(64), value: fc.integer() }),
);

function applyMutations(seed: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    switch (m.kind) {
      case 'truncate':
        b = b.slice(0, m.at % (b.length + 1));
        break;
      case 'flip':
        if (b.length > 0) b[m.at % b.length]! ^= 1 << m.bit;
        break;
      case 'int32':
        if (b.length >= m.field + 4) new DataView(b.buffer).setInt32(m.field, m.value, true);
        break;
      case 'byte':
        if (b.length > m.at) b[m.at] = m.value;
        break;
      case 'bstart': {
        const hdr = b.length >= 3 && (b[2]! & 5) === 5 ? 32 : 16;
        const at = hdr + 4 * m.index;
        if (b.length >= at + 4) new DataView(b.buffer).setInt32(at, m.value, true);
        break;
      }
    }
  }
  return b;
}

function expectOnlyBloscError(b: Uint8Array): void {
  let info;
  try {
    info = chunkInfo(b);
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
  }
  try {
    const out = decompress(b, undefined, { maxNbytes: MAX_NBYTES });
    expect(out.length).toBe(info!.nbytes);
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
    expect(typeof e.code).toBe('number');
  }
  try {
    if (info !== undefined && info.nbytes > info.typesize) getItems(b, 1, Math.floor(info.nbytes / info.typesize) - 1, { maxNbytes: MAX_NBYTES });
  } catch (e) {
    if (!(e instanceof BloscError)) throw e;
  }
}

describe('malformed chunks', () => {
  it('has seeds from both libraries', () => {
    expect(seeds.length).toBeGreaterThan(20);
  });

  it(`${RUNS} mutated fixtures only ever raise BloscError`, () => {
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, ms) => {
        expectOnlyBloscError(applyMutations(seeds[i]!, ms));
      }),
      { numRuns: RUNS, seed: 42 },
    );
  });

  it('random bytes only ever raise BloscError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (b) => expectOnlyBloscError(b)),
      { numRuns: 2_000, seed: 7 },
    );
  });

  it('a truncated chunk is rejected with ReadBuffer, not decoded from stale memory', () => {
    const big = seeds.find((s) => s.length > 200)!;
    const cut = big.slice(0, 100);
    expect(() => decompress(cut)).toThrowError(BloscError);
    try {
      decompress(cut);
    } catch (e) {
      expect((e as BloscError).code).toBe(-5);
    }
  });
});
