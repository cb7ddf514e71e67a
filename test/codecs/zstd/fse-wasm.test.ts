import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBloscError } from '../../../src/errors.js';
import {
  FseTable,
  LL_BASE,
  LL_EXTRA,
  LL_MAX_LOG,
  LL_MAX_SYMBOL,
  LL_PREDEFINED,
  ML_BASE,
  ML_EXTRA,
  ML_MAX_LOG,
  ML_MAX_SYMBOL,
  OF_BASE,
  OF_EXTRA,
  OF_MAX_LOG,
  OF_MAX_SYMBOL,
  buildFseTable,
} from '../../../src/codecs/zstd/fse.js';
import {
  FSE_AREA_AT,
  FSE_AREA_USED,
  FSE_LL,
  FSE_ML,
  FSE_OF,
  T_LL,
  T_ML,
  T_OF,
  buildFseTableInHeap,
  fseCells,
  fseModuleBytes,
  fseTableRebuilt,
  fseWasmCounts,
  placeFseTable,
} from '../../../src/codecs/zstd/fse-wasm.js';
import { heapBytes, reserveHeap } from '../../../src/wasm/heap.js';

const KINDS = [
  { kind: FSE_LL, maxLog: LL_MAX_LOG, maxSymbol: LL_MAX_SYMBOL, base: LL_BASE, extra: LL_EXTRA, slot: T_LL },
  { kind: FSE_OF, maxLog: OF_MAX_LOG, maxSymbol: OF_MAX_SYMBOL, base: OF_BASE, extra: OF_EXTRA, slot: T_OF },
  { kind: FSE_ML, maxLog: ML_MAX_LOG, maxSymbol: ML_MAX_SYMBOL, base: ML_BASE, extra: ML_EXTRA, slot: T_ML },
];

interface Distribution {
  k: number;
  log: number;
  norm: Int16Array;
  maxSymbol: number;
}

/**
 * Counts as readNormalizedCounts gives them: -1 (low probability) or a count, adding up to
 * 2^log; `skew` moves one unit so that they do not (the builders must both refuse those).
 */
const distribution: fc.Arbitrary<Distribution> = fc
  .record({
    k: fc.integer({ min: 0, max: 2 }),
    logPick: fc.integer({ min: 0, max: 4 }),
    symbolsPick: fc.integer({ min: 0, max: 1000 }),
    lowMask: fc.array(fc.boolean(), { minLength: 53, maxLength: 53 }),
    weights: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 53, maxLength: 53 }),
    skew: fc.integer({ min: -2, max: 2 }),
    noLow: fc.boolean(),
  })
  .map(({ k, logPick, symbolsPick, lowMask, weights, skew, noLow }) => {
    const spec = KINDS[k]!;
    const log = Math.min(5 + logPick, spec.maxLog);
    const size = 1 << log;
    const maxSymbol = symbolsPick % (spec.maxSymbol + 1);
    const norm = new Int16Array(64);
    let left = size;
    for (let s = 0; s <= maxSymbol && left > 0; s++) {
      if (!noLow && lowMask[s] && left > 1) {
        norm[s] = -1;
        left--;
      }
    }
    let sum = 0;
    for (let s = 0; s <= maxSymbol; s++) if (norm[s] !== -1) sum += weights[s]!;
    let given = 0;
    let last = -1;
    for (let s = 0; s <= maxSymbol; s++) {
      if (norm[s] === -1) continue;
      const n = sum === 0 ? 0 : Math.floor((weights[s]! * left) / sum);
      norm[s] = n;
      given += n;
      last = s;
    }
    if (last >= 0) norm[last] = norm[last]! + left - given;
    else norm[maxSymbol] = left; // (all low: the last one takes the rest)
    if (skew !== 0) norm[maxSymbol] = Math.max(-1, norm[maxSymbol]! + skew);
    return { k, log, norm, maxSymbol };
  });

/** fse.ts's builder: its cells, or null when it refuses with a BloscError. */
function jsBuild(d: Distribution): Int32Array | null {
  const spec = KINDS[d.k]!;
  const t = new FseTable(spec.maxLog);
  try {
    buildFseTable(t, d.norm, d.maxSymbol, d.log, spec.base, spec.extra);
  } catch (e) {
    if (!isBloscError(e)) throw e;
    return null;
  }
  return t.cells.slice(0, 2 << d.log);
}

const GUARD = 4096;
const SENTINEL = 0x5a;

describe('FSE table builder in WebAssembly', () => {
  it('assembles a valid module', () => {
    expect(WebAssembly.validate(fseModuleBytes())).toBe(true);
  });

  it('builds the same table as fse.ts, or refuses what it refuses, writing nothing outside its area and its own slot', () => {
    fc.assert(
      fc.property(distribution, (d) => {
        const expected = jsBuild(d);
        const spec = KINDS[d.k]!;
        const t = new FseTable(spec.maxLog);
        expect(reserveHeap(FSE_AREA_USED + GUARD)).toBe(true);
        let heap = heapBytes();
        // Everything around the builder's area, and the other kinds' slots, must stay as it
        // was. The slots' contents are put back afterwards: fse-wasm.ts remembers what they hold.
        const saved = KINDS.map((o) => heap.slice(o.slot, o.slot + (8 << o.maxLog)));
        heap.fill(SENTINEL, FSE_AREA_AT - GUARD, FSE_AREA_AT);
        heap.fill(SENTINEL, FSE_AREA_USED, FSE_AREA_USED + GUARD);
        for (const other of KINDS) if (other.kind !== spec.kind) heap.fill(SENTINEL, other.slot, other.slot + (8 << other.maxLog));
        const built = buildFseTableInHeap(t, spec.kind, d.norm, d.maxSymbol, d.log);
        heap = heapBytes();
        const untouched = (from: number, to: number) => heap.subarray(from, to).every((b) => b === SENTINEL);
        expect(untouched(FSE_AREA_AT - GUARD, FSE_AREA_AT)).toBe(true);
        expect(untouched(FSE_AREA_USED, FSE_AREA_USED + GUARD)).toBe(true);
        for (const other of KINDS) if (other.kind !== spec.kind) expect(untouched(other.slot, other.slot + (8 << other.maxLog))).toBe(true);
        KINDS.forEach((o, i) => {
          if (o.kind !== spec.kind) heap.set(saved[i]!, o.slot);
        });
        expect(built).toBe(expected !== null);
        if (expected === null) return;
        expect(t.heapAt).toBe(spec.slot);
        expect(Array.from(fseCells(t).subarray(0, 2 << d.log))).toEqual(Array.from(expected));
        expect(t.heapAt).toBe(-1);
        fseTableRebuilt(t);
      }),
      { numRuns: 1500 },
    );
    expect(fseWasmCounts.built).toBeGreaterThan(300);
    expect(fseWasmCounts.refused).toBeGreaterThan(100);
  });

  it('hands a table built in a slot its cells back before another table is copied over it', () => {
    const norm = new Int16Array(64);
    // Literal lengths: 64 states over symbols 0..4, one of low probability.
    norm.set([30, 20, 8, 5, -1]);
    const built = new FseTable(LL_MAX_LOG);
    expect(buildFseTableInHeap(built, FSE_LL, norm, 4, 6)).toBe(true);
    const expected = new FseTable(LL_MAX_LOG);
    buildFseTable(expected, norm, 4, 6, LL_BASE, LL_EXTRA);
    // The predefined table takes the slot (as a block in predefined mode would)...
    placeFseTable(LL_PREDEFINED, FSE_LL);
    const heap32 = new Int32Array(heapBytes().buffer);
    expect(Array.from(heap32.subarray(T_LL >>> 2, (T_LL >>> 2) + (2 << LL_PREDEFINED.log)))).toEqual(
      Array.from(LL_PREDEFINED.cells.subarray(0, 2 << LL_PREDEFINED.log)),
    );
    // ...and the table built there before still has its cells.
    expect(built.heapAt).toBe(-1);
    expect(Array.from(built.cells.subarray(0, 128))).toEqual(Array.from(expected.cells.subarray(0, 128)));
    // Placing it back copies them in again.
    placeFseTable(built, FSE_LL);
    expect(Array.from(new Int32Array(heapBytes().buffer).subarray(T_LL >>> 2, (T_LL >>> 2) + 128))).toEqual(Array.from(expected.cells.subarray(0, 128)));
  });
});
