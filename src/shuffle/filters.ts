/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c, plugins/filters/filters-
 * registry.c; license in THIRD_PARTY_NOTICES.md.
 *
 * The built-in filters as `Filter` objects, and the filter registry keyed by the id
 * written in the chunk header (C: the `switch` in `pipeline_forward` /
 * `pipeline_backward` for ids below 32, `register_filters` in
 * plugins/filters/filters-registry.c for 32..159, `blosc2_register_filter` for users).
 */
import { BloscErrorCode, fail } from '../errors.js';
import { bitshuffleBlock, bitunshuffleBlock } from './bitshuffle.js';
import { bytedeltaBackward, bytedeltaBuggyBackward, bytedeltaBuggyForward, bytedeltaForward } from './bytedelta.js';
import { deltaDecode, deltaEncode } from './delta.js';
import { shuffle, unshuffle } from './shuffle.js';
import { intTrunc, truncPrec } from './trunc-prec.js';
import type { Filter, FilterCall } from './types.js';
import { FilterId } from './types.js';
import { checkRanges, copyBytes } from './words.js';

/** First and last id a user may register (`BLOSC2_USER_REGISTERED_FILTERS_START` .. 255). */
export const USER_FILTER_MIN = 160;
export const USER_FILTER_MAX = 255;

/** First id of the globally registered (plugin) range, `BLOSC2_GLOBAL_REGISTERED_FILTERS_START`. */
const GLOBAL_FILTER_MIN = 32;

/** C's names for the ids it defines (include/blosc2.h, filters-registry.h), for messages. */
const knownFilterNames = new Map<number, string>([
  [FilterId.NoFilter, 'NOFILTER'],
  [FilterId.Shuffle, 'SHUFFLE'],
  [FilterId.BitShuffle, 'BITSHUFFLE'],
  [FilterId.Delta, 'DELTA'],
  [FilterId.TruncPrec, 'TRUNC_PREC'],
  [FilterId.NdCell, 'NDCELL'],
  [FilterId.NdMean, 'NDMEAN'],
  [FilterId.ByteDeltaBuggy, 'BYTEDELTA_BUGGY'],
  [FilterId.ByteDelta, 'BYTEDELTA'],
  [FilterId.IntTrunc, 'INT_TRUNC'],
]);

function copyFilterBlock(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  checkRanges(src, sp, dst, dp, n);
  copyBytes(src, sp, dst, dp, n);
}

/** SHUFFLE (1): byte shuffle with element size = meta when non-zero, else typesize. */
export const shuffleFilter: Filter = {
  id: FilterId.Shuffle,
  name: 'shuffle',
  lossy: false,
  forward(src, sp, dst, dp, n, call) {
    shuffle(call.meta !== 0 ? call.meta : call.typesize, src, sp, dst, dp, n, call.planeStride ?? 0);
  },
  backward(src, sp, dst, dp, n, call) {
    unshuffle(call.meta !== 0 ? call.meta : call.typesize, src, sp, dst, dp, n);
  },
};

/**
 * BITSHUFFLE (2): bit shuffle with element size = typesize (meta is ignored). Chunks of
 * format version 2 (Blosc1) use c-blosc's element-count rule, later versions c-blosc2's.
 */
export const bitshuffleFilter: Filter = {
  id: FilterId.BitShuffle,
  name: 'bitshuffle',
  lossy: false,
  forward(src, sp, dst, dp, n, call) {
    bitshuffleBlock(call.typesize, src, sp, dst, dp, n, call.formatVersion === 2);
  },
  backward(src, sp, dst, dp, n, call) {
    bitunshuffleBlock(call.typesize, src, sp, dst, dp, n, call.formatVersion === 2);
  },
};

/**
 * DELTA (3): XOR against the chunk's first block (see `delta.ts`). Needs `call.ref`:
 * the raw chunk input on forward, the decoded output (block 0 done) on backward.
 */
export const deltaFilter: Filter = {
  id: FilterId.Delta,
  name: 'delta',
  lossy: false,
  forward(src, sp, dst, dp, n, call) {
    deltaEncode(call.typesize, src, sp, dst, dp, n, call.blockOffset, call.ref, call.refOffset);
  },
  backward(src, sp, dst, dp, n, call) {
    deltaDecode(call.typesize, src, sp, dst, dp, n, call.blockOffset, call.ref, call.refOffset);
  },
};

/** TRUNC_PREC (4): lossy mantissa truncation (typesize 4 or 8, signed meta); decode copies. */
export const truncPrecFilter: Filter = {
  id: FilterId.TruncPrec,
  name: 'trunc_prec',
  lossy: true,
  forward(src, sp, dst, dp, n, call) {
    truncPrec(call.typesize, call.meta, src, sp, dst, dp, n);
  },
  backward(src, sp, dst, dp, n) {
    copyFilterBlock(src, sp, dst, dp, n);
  },
};

/** Channel count of the BYTEDELTA filters: meta, or the typesize when meta is 0. */
function bytedeltaChannels(call: FilterCall): number {
  return call.meta !== 0 ? call.meta : call.typesize;
}

/**
 * BYTEDELTA_BUGGY (34), kept for reading old data. Reproduces what the SIMD builds of
 * c-blosc2 wrote (see `bytedelta.ts`). With meta 0, C takes the typesize of the
 * enclosing super-chunk (and fails outside one); the chunk's typesize is used here.
 */
export const bytedeltaBuggyFilter: Filter = {
  id: FilterId.ByteDeltaBuggy,
  name: 'bytedelta_buggy',
  lossy: false,
  forward(src, sp, dst, dp, n, call) {
    bytedeltaBuggyForward(bytedeltaChannels(call), src, sp, dst, dp, n);
  },
  backward(src, sp, dst, dp, n, call) {
    bytedeltaBuggyBackward(bytedeltaChannels(call), src, sp, dst, dp, n);
  },
};

/** BYTEDELTA (35): per-channel byte differences; meta 0 → the chunk's typesize. */
export const bytedeltaFilter: Filter = {
  id: FilterId.ByteDelta,
  name: 'bytedelta',
  lossy: false,
  forward(src, sp, dst, dp, n, call) {
    bytedeltaForward(bytedeltaChannels(call), src, sp, dst, dp, n);
  },
  backward(src, sp, dst, dp, n, call) {
    bytedeltaBackward(bytedeltaChannels(call), src, sp, dst, dp, n);
  },
};

/** INT_TRUNC (36): lossy integer truncation (typesize 1, 2, 4, 8, signed meta); decode copies. */
export const intTruncFilter: Filter = {
  id: FilterId.IntTrunc,
  name: 'int_trunc',
  lossy: true,
  forward(src, sp, dst, dp, n, call) {
    intTrunc(call.typesize, call.meta, src, sp, dst, dp, n);
  },
  backward(src, sp, dst, dp, n) {
    copyFilterBlock(src, sp, dst, dp, n);
  },
};

/**
 * The table, filled with the built-ins where it is declared (C: `register_filters`), not by
 * statements elsewhere that a bundler could drop under `"sideEffects": false`.
 */
const byId = new Map<number, Filter>(
  [shuffleFilter, bitshuffleFilter, deltaFilter, truncPrecFilter, bytedeltaBuggyFilter, bytedeltaFilter, intTruncFilter]
    .map((filter): [number, Filter] => [filter.id, filter]),
);

function checkFilterShape(filter: Filter): void {
  if (typeof filter !== 'object' || filter === null || typeof filter.forward !== 'function' ||
      typeof filter.backward !== 'function' || typeof filter.name !== 'string') {
    fail(BloscErrorCode.InvalidParam, 'a filter needs an id, a name, and forward and backward functions');
  }
}

/**
 * Register a user filter, ids 160..255 (C: `blosc2_register_filter`). Registering again
 * under the same name replaces the implementation; an id already taken under another name
 * is refused, as in C.
 */
export function registerFilter(filter: Filter): void {
  checkFilterShape(filter);
  if (!Number.isInteger(filter.id) || filter.id < USER_FILTER_MIN || filter.id > USER_FILTER_MAX) {
    fail(BloscErrorCode.InvalidParam, `user filter ids must be ${USER_FILTER_MIN}..${USER_FILTER_MAX}, got ${filter.id}`);
  }
  const old = byId.get(filter.id);
  if (old !== undefined && old.name !== filter.name) {
    fail(BloscErrorCode.InvalidParam, `filter id ${filter.id} is already registered as '${old.name}'`);
  }
  byId.set(filter.id, filter);
}

/** The filter registered under `id`, if any. Id 0 (NOFILTER) never has one. */
export function getFilter(id: number): Filter | undefined {
  return byId.get(id);
}

/** C's name for a filter id (e.g. `NDCELL`), or the registered filter's name, or undefined. */
export function filterName(id: number): string | undefined {
  return knownFilterNames.get(id) ?? byId.get(id)?.name;
}

/**
 * The filter for `id`, or a BloscError FilterPipeline that says why there is none.
 * Pipelines skip id 0 (NOFILTER) instead of resolving it.
 */
export function resolveFilter(id: number): Filter {
  const filter = byId.get(id);
  if (filter !== undefined) return filter;
  if (id === FilterId.NoFilter) {
    fail(BloscErrorCode.FilterPipeline, 'filter id 0 (NOFILTER) has no kernel; a pipeline skips it');
  }
  if (id === FilterId.NdCell || id === FilterId.NdMean) {
    fail(BloscErrorCode.FilterPipeline,
      `filter id ${id} (${knownFilterNames.get(id)}) is not supported: it needs the b2nd array shapes of its super-chunk`);
  }
  if (id > FilterId.TruncPrec && id < GLOBAL_FILTER_MIN) {
    fail(BloscErrorCode.FilterPipeline, `filter id ${id} is not a defined filter`);
  }
  if (id >= USER_FILTER_MIN) {
    fail(BloscErrorCode.FilterPipeline, `filter id ${id} is a user filter that is not registered (use registerFilter)`);
  }
  fail(BloscErrorCode.FilterPipeline, `filter id ${id} is not supported`);
}

/** All registered filters, by id. */
export function listFilters(): Filter[] {
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
