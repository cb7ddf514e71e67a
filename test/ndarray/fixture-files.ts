/** The python-blosc2 NDArray fixtures (fixtures/ndarray, written by fixtures/generate_ndarray.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../helpers.js';

export interface NDFixture {
  name: string;
  b2nd: string;
  npy: string;
  shape: number[];
  chunks: number[];
  blocks: number[];
  dtype: string;
  itemsize: number;
  codec: string;
  clevel: number;
  filters: number[];
  filters_meta: number[];
  vlmeta: Record<string, unknown>;
  b2nd_sha256: string;
  npy_sha256: string;
  data_sha256: string;
}

export const ND_DIR = join(FIXTURES, 'ndarray');
export const ndManifest = JSON.parse(readFileSync(join(ND_DIR, 'manifest.json'), 'utf8')) as { files: NDFixture[] };

export function ndFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(ND_DIR, name)));
}
