/**
 * The Blosc codec of zarr, in numcodecs.js's shape (numcodecs.js src/blosc.ts: `codecId`,
 * `static fromConfig`, `encode`, `decode(bytes, out?)`) with zarrita's `kind`. Chunks are
 * written as c-blosc 1.x writes them (numcodecs/blosc.pyx `compress`, which zarr-python's
 * v2 and v3 Blosc codecs both call), so zarr-python and numcodecs read them and the bytes
 * equal numcodecs'; any Blosc1 or Blosc2 chunk is decoded.
 */
import { compress, decompress, type CompressOptions } from '../index.js';
import { decodeChunkIntoLentOutput, decodeChunkOnWorker, encodeChunkOnWorker, type WholeChunkOptions } from '../pool/whole-chunk.js';
import { compressOptionsOf, configOf, resolveBloscConfig, type BloscChunkMeta, type BloscConfig, type ResolvedBloscConfig } from './config.js';

/** zarrita's codec kinds; Blosc turns bytes into bytes. */
export type BloscCodecKind = 'bytes_to_bytes';

export interface BloscCodecOptions {
  /**
   * Decode each chunk (of at least 64 KiB) into shared memory the codec takes back once
   * nothing references the decoded chunk any more, instead of a fresh buffer per chunk: a
   * fresh 2 MiB buffer faults its pages in on the first write, which costs more than
   * decoding zstd or lz4 into it. Default true where shared memory exists (Node, Deno, Bun,
   * cross-origin-isolated pages), as for BloscWorkerCodec: decoded chunks are then views of
   * SharedArrayBuffers, so copy one (`.slice()`) before posting it to another thread or
   * handing it to an API that refuses shared memory. `false`: a fresh plain buffer each.
   */
  reuseOutputs?: boolean;
}

/** Synchronous Blosc codec: `encode` and `decode` return bytes. */
export class BloscCodec {
  static readonly codecId = 'blosc';
  readonly codecId = 'blosc';
  readonly kind: BloscCodecKind = 'bytes_to_bytes';
  /** The checked configuration, with the typesize and shuffle chunks are written with. */
  readonly resolved: ResolvedBloscConfig;
  private readonly options: CompressOptions;
  private readonly reuseOutputs: boolean;

  /** `config` in either shape (see `fromConfig`); `meta.dataType` gives the typesize the config leaves out. */
  constructor(config?: BloscConfig, meta?: BloscChunkMeta, options?: BloscCodecOptions) {
    this.resolved = resolveBloscConfig(config, meta);
    this.options = compressOptionsOf(this.resolved);
    this.reuseOutputs = options?.reuseOutputs !== false;
  }

  /**
   * A codec from a Zarr v2/numcodecs config (`{ id?, cname, clevel, shuffle: 0|1|2|-1,
   * blocksize, typesize? }`) or a Zarr v3 one (`shuffle: 'noshuffle'|'shuffle'|'bitshuffle'`).
   * The typesize is the config's, else that of `meta.dataType` (zarrita passes it), else 1.
   * A bad field is a BloscError (InvalidParam) naming it. `options.reuseOutputs`: see
   * BloscCodecOptions.
   */
  static fromConfig(config?: BloscConfig, meta?: BloscChunkMeta, options?: BloscCodecOptions): BloscCodec {
    return new BloscCodec(config, meta, options);
  }

  /** The configuration in the shape it was given (v2 with `id`, v3 with the typesize). */
  get config(): BloscConfig {
    return configOf(this.resolved);
  }

  /** One Blosc1 chunk, byte for byte what numcodecs writes at this configuration. */
  encode(bytes: Uint8Array): Uint8Array {
    return compress(bytes, this.options);
  }

  /**
   * Decode a Blosc1 or Blosc2 chunk; into `out` (which must hold it) when given, else by
   * default into lent shared memory (`reuseOutputs`).
   */
  decode(bytes: Uint8Array, out?: Uint8Array): Uint8Array {
    return out !== undefined || !this.reuseOutputs ? decompress(bytes, out) : decodeChunkIntoLentOutput(bytes);
  }
}

export interface BloscWorkerOptions extends BloscCodecOptions {
  /** Workers the pool may grow to (default 2). */
  workers?: number;
  /**
   * Hand the input's buffer to the worker (it is detached here) when the input spans all of
   * it, instead of copying it. Default false. Safe where the caller never reads a chunk's
   * bytes again (zarrita's reads: each chunk is fetched fresh from the store).
   */
  transferInput?: boolean;
  /**
   * Decode each chunk into shared memory the codec takes back once nothing on this thread
   * references the decoded chunk any more, instead of a fresh buffer per chunk (no copy back,
   * no page faults, less for the collector): what a reader that copies each decoded chunk and
   * drops it wants, as zarrita's `get()` does. Default true where shared memory exists (Node,
   * Deno, Bun, cross-origin-isolated pages); decoded chunks are then views of
   * SharedArrayBuffers: copy one (`.slice()`) before posting it to another thread, which the
   * codec cannot see, or before handing it to an API that refuses shared memory (TextDecoder,
   * Blob). `false` gives each decoded chunk a fresh plain buffer, moved here from the worker.
   */
  reuseOutputs?: boolean;
}

/**
 * Blosc codec whose `encode` and `decode` run on the worker pool, one whole chunk per call:
 * the many chunks zarrita requests at once are decoded in parallel. Same bytes as
 * BloscCodec; a chunk that fails rejects its own promise only. Call `shutdownPool()` from
 * 'blosc-ts' when done in Deno or a browser (idle workers never hold Node or Bun open).
 */
export class BloscWorkerCodec {
  static readonly codecId = 'blosc';
  readonly codecId = 'blosc';
  readonly kind: BloscCodecKind = 'bytes_to_bytes';
  readonly resolved: ResolvedBloscConfig;
  private readonly options: CompressOptions;
  private readonly pool: WholeChunkOptions;

  constructor(config?: BloscConfig, meta?: BloscChunkMeta, options?: BloscWorkerOptions) {
    this.resolved = resolveBloscConfig(config, meta);
    this.options = compressOptionsOf(this.resolved);
    this.pool = { workers: options?.workers ?? 2, transferInput: options?.transferInput === true, reuseOutputs: options?.reuseOutputs !== false };
  }

  /** As `BloscCodec.fromConfig`, with the pool's options third. */
  static fromConfig(config?: BloscConfig, meta?: BloscChunkMeta, options?: BloscWorkerOptions): BloscWorkerCodec {
    return new BloscWorkerCodec(config, meta, options);
  }

  get config(): BloscConfig {
    return configOf(this.resolved);
  }

  encode(bytes: Uint8Array): Promise<Uint8Array> {
    return encodeChunkOnWorker(bytes, this.options, this.pool);
  }

  /**
   * Without `out`, the decoded chunk arrives in lent shared memory (`reuseOutputs`, the
   * default where shared memory exists), else by transfer as a plain buffer; a shared `out`
   * is written by the worker.
   */
  decode(bytes: Uint8Array, out?: Uint8Array): Promise<Uint8Array> {
    return decodeChunkOnWorker(bytes, out, this.pool);
  }
}
