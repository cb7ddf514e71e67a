/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) serializers.py; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * The JSON bloscpack stores as metadata: Python's `json.dumps` with compact separators,
 * emulated so the stored bytes equal bloscpack's.
 */
import { BloscErrorCode, fail } from '../errors.js';

/** A JSON value as bloscpack's JSON serializer stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `json.dumps(value, separators=(',', ':'))`: compact, and DEL and non-ASCII characters
 * escaped as \uXXXX (Python's ensure_ascii), so the stored bytes equal bloscpack's. Python writes
 * whole floats as `1.0` where JSON.stringify writes `1`; both read back as the same number.
 */
export function pythonJsonDumps(value: JsonValue): string {
  const text = JSON.stringify(value);
  if (text === undefined) fail(BloscErrorCode.InvalidParam, 'metadata is not serializable as JSON');
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
