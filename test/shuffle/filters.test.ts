import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode, isBloscError } from '../../src/errors.js';
import {
  filterName, getFilter, listFilters, registerFilter, resolveFilter, USER_FILTER_MAX, USER_FILTER_MIN,
} from '../../src/shuffle/filters.js';
import type { Filter, FilterCall } from '../../src/shuffle/types.js';
import { FilterId } from '../../src/shuffle/types.js';
import { expectBytes } from './helpers.js';
import { chunkVectors } from './vectors.js';

function callFor(typesize: number, meta: number, formatVersion: number, blockOffset: number, ref: Uint8Array): FilterCall {
  return { typesize, meta, blockOffset, ref, refOffset: 0, formatVersion };
}

describe('filters reproduce the C libraries block by block', () => {
  it('has vectors from both libraries', () => {
    expect(chunkVectors.some((v) => v.formatVersion === 2)).toBe(true);
    expect(chunkVectors.some((v) => v.formatVersion === 5)).toBe(true);
  });

  it.each(chunkVectors.map((v) => [`${v.name} (${v.source})`, v] as const))('%s', (_name, v) => {
    const filter = resolveFilter(v.filter);
    const n = v.input.length;
    // Forward, block by block, against the raw chunk as the DELTA reference.
    const filtered = new Uint8Array(n);
    for (const b of v.blocks) {
      filter.forward(v.input, b.offset, filtered, b.offset, b.size, callFor(v.typesize, v.meta, v.formatVersion, b.offset, v.input));
      expectBytes(filtered.subarray(b.offset, b.offset + b.defined), b.output.subarray(0, b.defined), `block at ${b.offset}`);
    }
    if (filter.lossy) return;
    // Backward from C's bytes (our own where C leaves bytes undefined), block 0 first,
    // the decoded output serving as the DELTA reference.
    const cBytes = filtered.slice();
    for (const b of v.blocks) cBytes.set(b.output.subarray(0, b.defined), b.offset);
    const decoded = new Uint8Array(n);
    for (const b of v.blocks) {
      filter.backward(cBytes, b.offset, decoded, b.offset, b.size, callFor(v.typesize, v.meta, v.formatVersion, b.offset, decoded));
    }
    expectBytes(decoded, v.input);
  });
});

describe('lossy filters decode as a copy', () => {
  it.each([FilterId.TruncPrec, FilterId.IntTrunc])('id %i', (id) => {
    const filter = resolveFilter(id);
    expect(filter.lossy).toBe(true);
    const src = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const dst = new Uint8Array(12);
    filter.backward(src, 0, dst, 2, 9, callFor(4, 0xfb, 5, 0, src));
    expectBytes(dst, new Uint8Array([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0]));
  });
});

describe('SHUFFLE and BYTEDELTA element sizes', () => {
  const data = Uint8Array.from({ length: 40 }, (_, i) => (i * 7) & 0xff);
  it('SHUFFLE uses meta when non-zero, else typesize; typesize 1 is a copy', () => {
    const f = resolveFilter(FilterId.Shuffle);
    const a = new Uint8Array(40);
    const b = new Uint8Array(40);
    f.forward(data, 0, a, 0, 40, callFor(8, 2, 5, 0, data));
    f.forward(data, 0, b, 0, 40, callFor(2, 0, 5, 0, data));
    expectBytes(a, b);
    f.forward(data, 0, a, 0, 40, callFor(1, 0, 5, 0, data));
    expectBytes(a, data);
  });
  it('BYTEDELTA uses meta when non-zero, else typesize', () => {
    const f = resolveFilter(FilterId.ByteDelta);
    const a = new Uint8Array(40);
    const b = new Uint8Array(40);
    f.forward(data, 0, a, 0, 40, callFor(8, 4, 5, 0, data));
    f.forward(data, 0, b, 0, 40, callFor(4, 0, 5, 0, data));
    expectBytes(a, b);
    // 4 channels of 10 bytes: each channel starts from 0.
    expect(a[11]).toBe((data[11]! - data[10]!) & 0xff);
    expect(a[10]).toBe(data[10]);
    expect(a[0]).toBe(data[0]);
  });
});

describe('filter registry', () => {
  it('registers every built-in at import', () => {
    for (const id of [1, 2, 3, 4, 34, 35, 36]) expect(getFilter(id)?.id).toBe(id);
    expect(listFilters().map((f) => f.id)).toEqual(expect.arrayContaining([1, 2, 3, 4, 34, 35, 36]));
    expect(getFilter(0)).toBeUndefined();
  });

  function failure(id: number): BloscError {
    try {
      resolveFilter(id);
    } catch (e) {
      if (e instanceof BloscError) return e;
      throw e;
    }
    throw new Error(`filter ${id} resolved`);
  }

  it('names what is missing', () => {
    expect(failure(32).message).toContain('filter id 32 (NDCELL) is not supported');
    expect(failure(33).message).toContain('filter id 33 (NDMEAN) is not supported');
    expect(failure(200).message).toContain('filter id 200');
    expect(failure(7).message).toContain('filter id 7');
    expect(failure(0).message).toContain('NOFILTER');
    for (const id of [0, 7, 32, 33, 100, 200]) expect(failure(id).code).toBe(BloscErrorCode.FilterPipeline);
    expect(filterName(34)).toBe('BYTEDELTA_BUGGY');
  });

  const xorFilter = (id: number, name: string): Filter => ({
    id,
    name,
    lossy: false,
    forward(src, sp, dst, dp, n) {
      for (let i = 0; i < n; i++) dst[dp + i] = src[sp + i]! ^ 0xff;
    },
    backward(src, sp, dst, dp, n) {
      for (let i = 0; i < n; i++) dst[dp + i] = src[sp + i]! ^ 0xff;
    },
  });

  it('accepts user filters in 160..255 only', () => {
    registerFilter(xorFilter(USER_FILTER_MIN, 'xor'));
    expect(resolveFilter(USER_FILTER_MIN).name).toBe('xor');
    registerFilter(xorFilter(USER_FILTER_MAX, 'xor-max'));
    expect(getFilter(USER_FILTER_MAX)?.name).toBe('xor-max');
    for (const id of [1, 35, 159, 256, -1, 170.5]) {
      let caught: unknown;
      try {
        registerFilter(xorFilter(id, 'bad'));
      } catch (e) {
        caught = e;
      }
      expect(isBloscError(caught, BloscErrorCode.InvalidParam)).toBe(true);
    }
    // The built-ins were not replaced.
    expect(getFilter(35)?.name).toBe('bytedelta');
  });

  it('refuses an id already registered under another name, replaces under the same name', () => {
    registerFilter(xorFilter(170, 'mine'));
    const replacement = xorFilter(170, 'mine');
    registerFilter(replacement);
    expect(getFilter(170)).toBe(replacement);
    let caught: unknown;
    try {
      registerFilter(xorFilter(170, 'theirs'));
    } catch (e) {
      caught = e;
    }
    expect(isBloscError(caught, BloscErrorCode.InvalidParam)).toBe(true);
    expect(getFilter(170)).toBe(replacement);
  });
});
