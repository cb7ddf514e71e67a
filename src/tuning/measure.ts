/**
 * One candidate configuration run through the public chunk driver: its ratio, its speeds
 * (timed, or from the speed model), and whether its chunk decodes back to the input.
 * Shared by `tune` (on a sample) and `benchmark` (on the data).
 */
import { compressChunk, maxChunkSize } from '../chunk/compress.js';
import { decompressChunk } from '../chunk/decompress.js';
import type { ResolvedCParams } from '../params.js';
import { getFilter } from '../shuffle/filters.js';
import { modelSpeeds } from './score.js';

export interface Measurement {
  readonly nbytes: number;
  readonly cbytes: number;
  readonly ratio: number;
  /** Bytes of input per second. */
  readonly compressBps: number;
  readonly decompressBps: number;
  /** Checked only when asked (else true). */
  readonly roundTripOk: boolean;
}

/** A timing shorter than this is repeated (up to {@link MAX_REPEATS} runs) and the fastest kept. */
const MIN_TIMED_MS = 3;
const MAX_REPEATS = 16;
/**
 * A run shorter than this is never timed alone: one run that lost the core to another
 * process (up to about 100 ms on a loaded machine) would otherwise stand as the speed.
 * Longer runs lose only a small share to such a pause, and a second run would cost much.
 */
const SECOND_RUN_BELOW_MS = 100;

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();
export { now as clockMs };

function timeMs(run: () => void, minMs: number): number {
  let best = Infinity;
  let total = 0;
  for (let i = 0; i < MAX_REPEATS && (i === 0 || total < minMs || (i === 1 && best < SECOND_RUN_BELOW_MS)); i++) {
    const t0 = now();
    run();
    const t = now() - t0;
    total += t;
    if (t < best) best = t;
  }
  // A clock too coarse to see the run (a browser's 0.1 ms or 1 ms grain) gives at least its grain.
  return Math.max(best, 0.005);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether the pipeline holds a filter whose decode does not undo it (TRUNC_PREC, INT_TRUNC). */
export function pipelineIsLossy(filters: readonly number[]): boolean {
  for (const f of filters) if (f !== 0 && getFilter(f)?.lossy === true) return true;
  return false;
}

/**
 * Compress `src` with `p` and report. `timed` false takes the speeds from the model (the
 * deterministic mode) and decodes only to check the round trip when `check` asks. For a
 * lossy pipeline the round trip holds when the decoded data compresses and decodes to itself.
 * A timed direction runs at least twice and until `minTimedMs` have passed (at most
 * 16 runs; a run of 100 ms or more may stand alone); the fastest run counts.
 */
export function measure(src: Uint8Array, p: ResolvedCParams, timed: boolean, check: boolean, minTimedMs = MIN_TIMED_MS): Measurement {
  // Both directions write into buffers allocated once, as a caller streaming chunks does: a
  // buffer allocated for each run costs the first writes into its fresh pages, as much as
  // copying 1 MiB several times over, and that cost comes and goes with the garbage collector.
  const room = new Uint8Array(maxChunkSize(src.length, p.format));
  const back = new Uint8Array(src.length);
  let chunk: Uint8Array = compressChunk(src, p, room);
  let compressBps: number;
  let decompressBps: number;
  let decoded: Uint8Array | null = null;
  if (timed) {
    const ct = timeMs(() => {
      chunk = compressChunk(src, p, room);
    }, minTimedMs);
    const dt = timeMs(() => {
      decoded = decompressChunk(chunk, back);
    }, minTimedMs);
    compressBps = src.length / (ct / 1000);
    decompressBps = src.length / (dt / 1000);
  } else {
    [compressBps, decompressBps] = modelSpeeds(p.codec.id, p.clevel, p.filters);
  }
  let roundTripOk = true;
  if (check) {
    const out = (decoded as Uint8Array | null) ?? decompressChunk(chunk);
    roundTripOk = pipelineIsLossy(p.filters) ? equalBytes(decompressChunk(compressChunk(out, p)), out) : equalBytes(out, src);
  }
  return { nbytes: src.length, cbytes: chunk.length, ratio: src.length / chunk.length, compressBps, decompressBps, roundTripOk };
}
