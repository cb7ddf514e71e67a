/**
 * Resource limits: one policy for every path that decodes or allocates from untrusted bytes
 * (chunks, frames, super-chunks, arrays, bloscpack files, async and worker paths, the CLI).
 *
 * A call that would produce or allocate more than its ceiling fails with
 * `BloscError(MaxBufsizeExceeded)` before allocating anything; an allocation the runtime
 * refuses is `BloscError(MemoryAlloc)`, never a RangeError. Metadata decoders (vlmetalayer
 * and metalayer msgpack) have their own, smaller bounds; a frame may declare at most
 * `maxFrameChunks` chunks.
 */
import { BloscErrorCode, fail } from './errors.js';

/** The limits in force. Every field is a count of bytes or items. */
export interface BloscLimits {
  /** Most bytes one call may produce (a decoded chunk, a slice, an array read, an unpacked file). */
  readonly maxOutputBytes: number;
  /** Most bytes of one msgpack value (a decoded vlmetalayer, a metalayer). */
  readonly maxMsgpackBytes: number;
  /** Deepest nesting of msgpack arrays and maps. */
  readonly maxMsgpackDepth: number;
  /** Most msgpack values (scalars, arrays, maps, keys) in one decoded value. */
  readonly maxMsgpackElements: number;
  /**
   * Most chunks a frame may declare. The default is c-blosc2's own bound (the offsets index
   * is one chunk of int64s: INT32_MAX / 8).
   */
  readonly maxFrameChunks: number;
}

/**
 * The defaults (documented in the README): 1 GiB of output per call; msgpack values of at
 * most 64 MiB, 1 Mi elements and 64 levels; frames of at most 268,435,455 chunks.
 */
export const DEFAULT_LIMITS: BloscLimits = Object.freeze({
  maxOutputBytes: 2 ** 30,
  maxMsgpackBytes: 64 * 2 ** 20,
  maxMsgpackDepth: 64,
  maxMsgpackElements: 2 ** 20,
  maxFrameChunks: 268_435_455,
});

const FIELDS = ['maxOutputBytes', 'maxMsgpackBytes', 'maxMsgpackDepth', 'maxMsgpackElements', 'maxFrameChunks'] as const;

let current: BloscLimits = DEFAULT_LIMITS;

/** The limits in force for calls that do not pass their own. */
export function getLimits(): BloscLimits {
  return current;
}

/**
 * Change the limits for every later call that does not pass its own; fields left out keep
 * their current values. Returns the previous limits (pass them back to restore).
 */
export function setLimits(limits: Partial<BloscLimits>): BloscLimits {
  const previous = current;
  const next: Record<(typeof FIELDS)[number], number> = { ...previous };
  for (const name of FIELDS) {
    const v = limits[name];
    if (v === undefined) continue;
    checkCeiling(v, name);
    next[name] = v;
  }
  current = Object.freeze(next);
  return previous;
}

function checkCeiling(n: number, name: string): void {
  if (!Number.isSafeInteger(n) || n < 0) fail(BloscErrorCode.InvalidParam, `${name} must be a non-negative integer, got ${n}`);
}

/** The output ceiling of one call: its own `maxNbytes` when given, else the global one. */
export function outputCeiling(perCall: number | undefined): number {
  if (perCall === undefined) return current.maxOutputBytes;
  checkCeiling(perCall, 'maxNbytes');
  return perCall;
}

/**
 * Fail with `MaxBufsizeExceeded` when `nbytes` (what one call would produce) exceeds
 * `ceiling`, naming `what` and the way out.
 */
export function checkOutput(nbytes: number, ceiling: number, what: string): void {
  if (!(nbytes <= ceiling)) {
    fail(BloscErrorCode.MaxBufsizeExceeded, `${what} of ${nbytes} bytes exceeds the ${ceiling}-byte output ceiling (pass maxNbytes, or raise it with setLimits({ maxOutputBytes }))`);
  }
}

/**
 * A new zeroed Uint8Array of `nbytes`, or `BloscError(MemoryAlloc)` naming `what` when the
 * runtime refuses it (V8 throws RangeError past its typed-array limit or out of memory).
 */
export function allocBytes(nbytes: number, what: string): Uint8Array {
  if (!Number.isSafeInteger(nbytes) || nbytes < 0) return fail(BloscErrorCode.MemoryAlloc, `cannot allocate ${nbytes} bytes for ${what}`);
  try {
    return new Uint8Array(nbytes);
  } catch (e) {
    return fail(BloscErrorCode.MemoryAlloc, `cannot allocate ${nbytes} bytes for ${what}`, { cause: e });
  }
}

/** `allocBytes` after checking `nbytes` against `ceiling` (`checkOutput`). */
export function allocOutput(nbytes: number, ceiling: number, what: string): Uint8Array {
  checkOutput(nbytes, ceiling, what);
  return allocBytes(nbytes, what);
}
