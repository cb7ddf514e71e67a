/**
 * Resource limits: one policy for every path that decodes or allocates from untrusted bytes
 * (chunks, frames, super-chunks, arrays, bloscpack files, async and worker paths, the CLI).
 *
 * A call that would produce or allocate more than its ceiling fails with
 * `BloscError(MaxBufsizeExceeded)` before allocating anything; an allocation the runtime
 * refuses is `BloscError(MemoryAlloc)`, never a RangeError.
 */
import { BloscErrorCode, fail } from './errors.js';

/** The limits in force. Every field is a count of bytes or items. */
export interface BloscLimits {
  /** Most bytes one call may produce (a decoded chunk, a slice, an array read). */
  readonly maxOutputBytes: number;
}

/** The defaults (documented in the README): 1 GiB of output per call. */
export const DEFAULT_LIMITS: BloscLimits = Object.freeze({
  maxOutputBytes: 2 ** 30,
});

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
  const maxOutputBytes = limits.maxOutputBytes ?? previous.maxOutputBytes;
  checkCeiling(maxOutputBytes, 'maxOutputBytes');
  current = Object.freeze({ maxOutputBytes });
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
