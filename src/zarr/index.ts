/**
 * blosc-ts/zarr: the Blosc codec of Zarr v2 and v3 for numcodecs-style consumers and zarrita.
 * Browser-safe (no Node built-ins).
 */
export { BloscCodec, BloscWorkerCodec } from './codec.js';
export type { BloscCodecKind, BloscCodecOptions, BloscWorkerOptions } from './codec.js';
export { registerBlosc, BLOSC_REGISTRY_NAMES } from './register.js';
export type { BloscCodecEntry, CodecRegistryLike, RegisterBloscOptions } from './register.js';
export { AUTOSHUFFLE, BITSHUFFLE, BLOSC_CNAMES, NOSHUFFLE, SHUFFLE, itemsizeOfDataType, resolveBloscConfig } from './config.js';
export type { BloscChunkMeta, BloscCname, BloscConfig, BloscConfigV2, BloscConfigV3, BloscShuffleNumber, ResolvedBloscConfig } from './config.js';
