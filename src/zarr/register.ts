/**
 * Plugging the codec into zarrita: its registry maps a codec name to a loader of a class
 * with `fromConfig(config, meta)`. Zarr v3 looks up the codec's name ('blosc'); Zarr v2 the
 * compressor's id prefixed with 'numcodecs.' (zarrita src/util.ts v2ToV3ArrayMetadata).
 */
import { BloscCodec, BloscWorkerCodec, type BloscWorkerOptions } from './codec.js';
import type { BloscChunkMeta, BloscConfig } from './config.js';

/** What a zarrita registry entry resolves to. */
export interface BloscCodecEntry {
  readonly kind: 'bytes_to_bytes';
  fromConfig(config: unknown, meta: BloscChunkMeta): BloscCodec | BloscWorkerCodec;
}

/** Any Map-like registry of codec loaders, such as zarrita's `registry`. */
export interface CodecRegistryLike {
  set(name: string, loader: () => Promise<BloscCodecEntry>): unknown;
}

/** Names the codec is registered under: Zarr v3's and Zarr v2's. */
export const BLOSC_REGISTRY_NAMES = ['blosc', 'numcodecs.blosc'] as const;

/** `reuseOutputs` applies to both codecs; the other options to the worker codec. */
export interface RegisterBloscOptions extends BloscWorkerOptions {
  /** Decode and encode on the worker pool (BloscWorkerCodec) when `workers` is at least 1. */
  workers?: number;
}

/**
 * Make a zarrita registry use blosc-ts for Blosc, Zarr v2 and v3 (sharded arrays included):
 * `registerBlosc(zarr.registry)`, or `registerBlosc(zarr.registry, { workers: 2 })` to
 * decode chunks on workers; `{ reuseOutputs: false }` for a fresh plain buffer per decoded
 * chunk (see BloscCodecOptions).
 */
export function registerBlosc(registry: CodecRegistryLike, options?: RegisterBloscOptions): void {
  const workers = options?.workers;
  const entry: BloscCodecEntry = workers === undefined || workers === 0
    ? { kind: 'bytes_to_bytes', fromConfig: (config, meta) => BloscCodec.fromConfig(config as BloscConfig, meta, options) }
    : { kind: 'bytes_to_bytes', fromConfig: (config, meta) => BloscWorkerCodec.fromConfig(config as BloscConfig, meta, options) };
  const loader = (): Promise<BloscCodecEntry> => Promise.resolve(entry);
  for (const name of BLOSC_REGISTRY_NAMES) registry.set(name, loader);
}
