/** Shared helpers for the test suite: fixtures, hashing and the Python bridge. */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodecName } from '../src/index.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'fixtures');

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface FixtureParams {
  format: 'blosc1' | 'blosc2';
  codec: CodecName;
  clevel: number;
  shuffle?: string | null;
  filters?: number[];
  filtersMeta?: number[];
  typesize: number;
  nthreads: number;
  blocksize?: number;
  splitmode?: string | null;
  useDict?: boolean;
  special?: string | null;
  dataKind?: string;
  nbytes: number;
  [key: string]: unknown;
}

export interface FixtureEntry {
  path: string;
  library: string;
  libraryVersion: string;
  kind: string;
  params: FixtureParams;
  cbytes: number;
  decoded: { length: number; sha256: string };
  raw?: string;
  rawSha256?: string;
  uninit?: boolean;
  [key: string]: unknown;
}

export interface Manifest {
  generator: Record<string, string>;
  files: FixtureEntry[];
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;
}

export function readFixture(entry: FixtureEntry): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, entry.path)));
}

export function chunkFixtures(): FixtureEntry[] {
  return loadManifest().files.filter((f) => f.kind === 'chunk');
}

export interface PythonStatus {
  ok: boolean;
  reason: string;
  python: string;
}

let pythonStatus: PythonStatus | undefined;

/**
 * Whether python3 with python-blosc and python-blosc2 is available. In CI (CI=true) a
 * missing Python is an error, not a skip: CI installs the packages itself.
 */
export function pythonReference(): PythonStatus {
  if (pythonStatus !== undefined) return pythonStatus;
  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import blosc, blosc2, numpy; print(blosc.__version__, blosc2.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.error !== undefined || probe.status !== 0) {
    const reason = probe.error !== undefined ? `${python} not runnable: ${probe.error.message}` : `python packages missing: ${probe.stderr.trim().split('\n').pop()}`;
    pythonStatus = { ok: false, reason, python };
  } else {
    pythonStatus = { ok: true, reason: `python-blosc / python-blosc2 ${probe.stdout.trim()}`, python };
  }
  if (!pythonStatus.ok) {
    if (process.env.CI === 'true') throw new Error(`CI must have the Python reference packages: ${pythonStatus.reason}`);
    console.warn(`[skip] live cross-check against C needs Python: ${pythonStatus.reason}`);
  }
  return pythonStatus;
}

export function runPython(args: string[], timeoutMs = 300_000): string {
  const { python } = pythonReference();
  return execFileSync(python, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}

/** Fast byte-array equality for large buffers (vitest's deep equality walks element by element). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Describe where two byte arrays first differ, for assertion messages. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  if (bytesEqual(a, b)) return 'equal';
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `lengths ${a.length}/${b.length}, first difference at ${i}: ${a[i]} vs ${b[i]}`;
  return `lengths ${a.length}/${b.length}, equal prefix`;
}

/** mulberry32: the tests' one seeded PRNG (floats in [0, 1)), so a failing case replays from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same sequence as uint32 values (for bit-level use: `x >>> 24` is a byte). */
export function mulberry32Uint32(seed: number): () => number {
  const r = mulberry32(seed);
  return () => (r() * 4294967296) >>> 0;
}

/** `n` pseudo-random bytes from `seed`. */
export function seededBytes(n: number, seed: number): Uint8Array {
  const next = mulberry32Uint32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() >>> 24;
  return out;
}

/** The parts one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A Poisson count of mean `lambda` from `r` (Knuth's product; a rounded normal above a mean of 30). */
export function poissonSample(lambda: number, r: () => number): number {
  if (lambda > 30) {
    const g = Math.sqrt(-2 * Math.log(r() || 1e-300)) * Math.cos(2 * Math.PI * r());
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * g));
  }
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}
