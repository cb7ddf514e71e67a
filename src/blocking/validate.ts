/** Argument checks shared by the tuning functions: every number must be an integer in range. */
import { BloscErrorCode, fail } from '../errors.js';

/** Throw `code` unless `value` is an integer in [min, max]. */
export function checkInt(name: string, value: number, min: number, max: number, code: BloscErrorCode = BloscErrorCode.InvalidParam): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(code, `${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}

/** Largest int32: C keeps every size in an int32_t. */
export const INT32_MAX = 0x7fff_ffff;
