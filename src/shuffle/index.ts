/**
 * Filter kernels and the filter registry: byte and bit shuffle (fast kernels plus their
 * simple reference versions), DELTA, TRUNC_PREC, INT_TRUNC and BYTEDELTA.
 */
export { shuffle, unshuffle } from './shuffle.js';
export { setSimdEnabled, simdActive } from './simd.js';
export { bitshuffle, bitunshuffle, bitshuffleBlock, bitunshuffleBlock, bitshuffledElements } from './bitshuffle.js';
export { shuffleGeneric, unshuffleGeneric, bitshuffleGeneric, bitunshuffleGeneric } from './generic.js';
export { deltaEncode, deltaDecode, deltaWordSize } from './delta.js';
export { truncPrec, intTrunc, truncPrecZeroedBits, intTruncZeroedBits, signedMeta } from './trunc-prec.js';
export {
  bytedeltaForward, bytedeltaBackward, bytedeltaBuggyForward, bytedeltaBuggyBackward, buggyRestartIndex,
} from './bytedelta.js';
export {
  shuffleFilter, bitshuffleFilter, deltaFilter, truncPrecFilter, bytedeltaBuggyFilter, bytedeltaFilter, intTruncFilter,
  registerFilter, getFilter, resolveFilter, filterName, listFilters,
  USER_FILTER_MIN, USER_FILTER_MAX,
} from './filters.js';
export { FilterId } from './types.js';
export type { Filter, FilterCall } from './types.js';
