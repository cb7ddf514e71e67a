/** Helpers of the hostile-input tests: codes of failures, and the memory and time a call takes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BloscError } from '../../src/errors.js';
import { FIXTURES } from '../helpers.js';

/** A fixture of fixtures/hostile/ (written by fixtures/hostile/make_hostile.py). */
export function hostileFixture(name: string): Uint8Array {
  const b = readFileSync(join(FIXTURES, 'hostile', name));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The BloscError code `fn` fails with; anything else (a RangeError, no failure) is rethrown or 'no error'. */
export function codeOf(fn: () => unknown): number | string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BloscError) return e.code;
    throw e;
  }
  return 'no error';
}

export async function codeOfAsync(p: Promise<unknown> | (() => Promise<unknown>)): Promise<number | string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof BloscError) return e.code;
    throw e;
  }
  return 'no error';
}

export interface Cost<T> {
  readonly value: T;
  readonly ms: number;
  /** Growth of the resident set (bytes). */
  readonly rss: number;
  /** Growth of memory held by ArrayBuffers (bytes). */
  readonly arrayBuffers: number;
}

/** Run `fn`, with the time it takes and how much the process grew meanwhile. */
export function cost<T>(fn: () => T): Cost<T> {
  const before = process.memoryUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  return { value, ms, rss: after.rss - before.rss, arrayBuffers: after.arrayBuffers - before.arrayBuffers };
}

export const MiB = 2 ** 20;
