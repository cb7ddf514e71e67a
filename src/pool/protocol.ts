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
  /**
   * Shared claim flags of a call's pieces: the job runs only if it turns claim[claimAt]
   * from 0 to 1 (the calling thread sets 2 on the pieces it decodes itself). Null: always run.
   */
  readonly claim: Int32Array | null;
  readonly claimAt: number;
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
  /** As DecodeBlocksJob.claim: the job runs only if it turns claim[claimAt] from 0 to 1. */
  readonly claim: Int32Array | null;
  readonly claimAt: number;
  /**
   * When set (with `place`), this lane's blocks follow the calling thread's in the chunk
   * `place`, end to end from posCell[0], which is -1 until the calling thread knows it;
   * posCell[1] numbers the call. A piece finished once that is known goes straight there
   * (claim[claimAt] becomes CLAIM_PLACED), one finished before (or that would end past
   * `place`) goes to its slots in `out` (CLAIM_PARKED) and the calling thread places it.
   * Pieces of a lane run in order, and the calling thread takes back only its last ones,
   * so the worker knows where each goes.
   */
  readonly posCell: Int32Array | null;
  readonly place: Uint8Array | null;
}

/** Claim flags of a call's pieces (DecodeBlocksJob.claim): not started, a worker's, the calling thread's. */
export const CLAIM_FREE = 0;
export const CLAIM_WORKER = 1;
export const CLAIM_CALLER = 2;
/** An encoding worker's piece done, in its slots (EncodeBlocksJob.posCell). */
export const CLAIM_PARKED = 3;
/** An encoding worker's piece done, in its place in the chunk. */
export const CLAIM_PLACED = 4;

/** Compress `src` into one whole chunk (sent back). */
export interface EncodeChunkJob {
  readonly kind: 'encode-chunk';
  readonly src: Uint8Array;
  readonly params: WireCParams;
}

export type Job = DecodeBlocksJob | DecodeChunkJob | EncodeBlocksJob | EncodeChunkJob;

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
  /** Milliseconds the worker spent on the job (the calling thread balances its next calls with it). */
  readonly ms?: number;
  /** When the worker started and ended the job, in ms since the epoch (performance.timeOrigin + performance.now()), for a call's timeline. */
  readonly startedAt?: number;
  readonly endedAt?: number;
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

