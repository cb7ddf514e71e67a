/**
 * Helpers of the zarr tests: the fixture stores of fixtures/generate_zarr.py, a zarrita
 * store over node:fs (with the range reads sharded arrays need) and over memory, the
 * built 'blosc-ts/zarr' entry, and the zarr-python probe.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES, ROOT } from '../helpers.js';

export const ZARR_FIXTURES = join(FIXTURES, 'zarr');

export type ZarrApi = typeof import('../../src/zarr.js');
export type CoreApi = typeof import('../../src/index.js');

/** The built entries: workers load dist/pool/worker.js, so the codec is tested as shipped. */
export async function loadBuilt(): Promise<{ zarrApi: ZarrApi; core: CoreApi }> {
  const zarrApi = (await import(pathToFileURL(join(ROOT, 'dist', 'zarr.js')).href)) as ZarrApi;
  const core = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as CoreApi;
  return { zarrApi, core };
}

export interface ZarrFixture {
  name: string;
  path: string;
  zarr_format: 2 | 3;
  dtype: string;
  shape: number[];
  chunks: number[];
  shards?: number[] | null;
  big_endian?: boolean;
  typesize_in_config?: boolean;
  config?: Record<string, unknown>;
  codecs?: Array<{ name: string; configuration?: Record<string, unknown> }>;
  expected: string;
  expected_transform?: 'anscombe';
}

export interface ZarrManifest {
  generator: Record<string, string>;
  arrays: ZarrFixture[];
}

export function loadZarrManifest(): ZarrManifest {
  return JSON.parse(readFileSync(join(ZARR_FIXTURES, 'manifest.json'), 'utf8')) as ZarrManifest;
}

type RangeQuery = { offset: number; length: number } | { suffixLength: number };

/** A zarrita store over a directory: get, getRange (for shards) and set. */
export class DirectoryStore {
  readonly reads: string[] = [];
  constructor(readonly root: string) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const bytes = await readFile(join(this.root, key.slice(1)));
      this.reads.push(key);
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined> {
    const whole = await this.get(key);
    if (whole === undefined) return undefined;
    if ('suffixLength' in range) return whole.slice(whole.length - range.suffixLength);
    return whole.slice(range.offset, range.offset + range.length);
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    const path = join(this.root, key.slice(1));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, value);
  }
}

/** A zarrita store in memory that hands out a fresh copy on each read (reads may be transferred). */
export class MemoryStore {
  readonly map = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.map.get(key)?.slice();
  }

  async getRange(key: string, range: RangeQuery): Promise<Uint8Array | undefined> {
    const whole = this.map.get(key);
    if (whole === undefined) return undefined;
    if ('suffixLength' in range) return whole.slice(whole.length - range.suffixLength);
    return whole.slice(range.offset, range.offset + range.length);
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.map.set(key, value.slice());
  }
}

/** Bytes of a typed array (or zarrita's BoolArray, which has buffer/byteOffset/byteLength). */
export function bytesOfData(data: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export interface ZarrPythonStatus {
  ok: boolean;
  reason: string;
  python: string;
}

let status: ZarrPythonStatus | undefined;

/**
 * Whether python3 with zarr-python and numcodecs is present. Missing: a visible skip, and
 * an error under CI=true (CI installs fixtures/requirements.txt).
 */
export function zarrPython(): ZarrPythonStatus {
  if (status !== undefined) return status;
  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(python, ['-c', 'import zarr, numcodecs, numpy; print(zarr.__version__, numcodecs.__version__)'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const reason = probe.error !== undefined ? `${python} not runnable: ${probe.error.message}` : `python packages missing: ${probe.stderr.trim().split('\n').pop()}`;
    status = { ok: false, reason, python };
    if (process.env.CI === 'true') throw new Error(`CI must have zarr-python and numcodecs (fixtures/requirements.txt): ${reason}`);
    console.warn(`[skip] live zarr checks need zarr-python and numcodecs: ${reason}`);
  } else {
    status = { ok: true, reason: `zarr / numcodecs ${probe.stdout.trim()}`, python };
  }
  return status;
}

/** Run a Python snippet with JSON on stdin; returns stdout. */
export function runZarrPython(code: string, input: unknown, timeoutMs = 300_000): string {
  const { python } = zarrPython();
  const r = spawnSync(python, ['-c', code], { cwd: ROOT, input: JSON.stringify(input), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
