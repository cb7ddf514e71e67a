/**
 * Messages between the pool and its workers. Everything here survives structured cloning:
 * typed arrays (views over a SharedArrayBuffer when the runtime has one, else transferred
 * ArrayBuffers), numbers and plain objects.
 */
import type { ResolvedCParams } from '../params.js';

/** Compression parameters on the wire: the codec travels by id and is resolved in the worker. */
export type WireCParams = Omit<ResolvedCParams, 'codec'> & { readonly codecId: number };

/** Decode blocks [first, last) of `chunk` to out[dp..] (or to a new buffer sent back when out is null). */
export interface DecodeBlocksJob {
  readonly kind: 'decode-blocks';
  readonly chunk: Uint8Array;
  readonly first: number;
  readonly last: number;
  readonly out: Uint8Array | null;
  readonly dp: number;
  /**
   * The calling thread checked the whole chunk and `chunk` may hold only this range's
   * streams (with the header, bstarts and dictionary, and block 0's streams under DELTA).
   */
  readonly rangeOnly: boolean;
}

/**
 * Decode a whole chunk to out[dp..] (or to a new buffer sent back when out is null). With
 * `sendOut`, the decoded part of a shared `out` is sent back as a view, which gives the
 * calling thread a SharedArrayBuffer object of its own for that memory.
 */
export interface DecodeChunkJob {
  readonly kind: 'decode-chunk';
  readonly chunk: Uint8Array;
  readonly out: Uint8Array | null;
  readonly dp: number;
  readonly maxNbytes: number;
  readonly sendOut?: boolean;
}

/**
 * Encode blocks [first, last) of a chunk of `nbytes` bytes one after another to out[op..]
 * with their sizes in sizes[sizesAt..] (or to new buffers sent back when out is null).
 * `src` holds input bytes from `srcBase`; `ref` is the input from byte 0 through block 0
 * when `src` does not start there (DELTA's reference).
 */
export interface EncodeBlocksJob {
  readonly kind: 'encode-blocks';
  readonly src: Uint8Array;
  readonly srcBase: number;
  readonly ref: Uint8Array | null;
  readonly nbytes: number;
  readonly params: WireCParams;
  readonly first: number;
  readonly last: number;
  readonly slotSize: number;
  readonly out: Uint8Array | null;
  readonly op: number;
  readonly sizes: Int32Array | null;
  readonly sizesAt: number;
}

/** Compress `src` into one whole chunk (sent back). */
export interface EncodeChunkJob {
  readonly kind: 'encode-chunk';
  readonly src: Uint8Array;
  readonly params: WireCParams;
}

/**
 * Copy encoded blocks from `src` to `out`, both shared: `moves` holds triples (source
 * offset, destination offset, length). The last step of a parallel compression into a
 * shared output, spread so that no thread copies (and page-faults in) the whole chunk.
 */
export interface CopyBlocksJob {
  readonly kind: 'copy-blocks';
  readonly src: Uint8Array;
  readonly out: Uint8Array;
  readonly moves: Int32Array;
}

export type Job = DecodeBlocksJob | DecodeChunkJob | EncodeBlocksJob | EncodeChunkJob | CopyBlocksJob;

export interface JobRequest {
  readonly id: number;
  readonly job: Job;
}

/** What a job sends back: nothing when it wrote to shared memory, else its output. */
export interface JobResult {
  readonly bytes: Uint8Array | null;
  readonly sizes: Int32Array | null;
  /** A transferred input buffer handed back (transferred again) for the next call to reuse. */
  readonly returned?: Uint8Array | null;
}

/** A BloscError flattened for the trip back; the pool rebuilds it. */
export interface WireError {
  readonly code: number;
  readonly message: string;
  readonly stack: string | undefined;
  readonly block: number | undefined;
  readonly chunk: number | undefined;
  readonly offset: number | undefined;
}

export type JobReply =
  | { readonly id: number; readonly ok: true; readonly result: JobResult }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** The first message of every worker, once its modules are loaded and it listens. */
export interface ReadyMessage {
  readonly ready: true;
}
