/** Loader for the reference vectors made by vectors/generate.py from the C libraries. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Vector {
  name: string;
  /** Which library made the stream: 'blosc1' (c-blosc 1.21.7.dev), 'blosc2' (c-blosc2 3.3.5), 'libsnappy'. */
  lib: 'blosc1' | 'blosc2' | 'libsnappy';
  codec: 'blosclz' | 'lz4' | 'lz4hc' | 'zlib' | 'zstd' | 'snappy';
  clevel: number;
  /** The split flag c-blosc 1.x handed to BloscLZ. */
  splitBlock: boolean;
  neblock: number;
  /** Output capacity the C encoder was given. */
  maxout: number;
  /** C stored the stream raw: its codec returned 0 or a result of neblock bytes. */
  raw: boolean;
  input?: string;
  inputSha256?: string;
  stream?: string;
  dict?: string;
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { vectors: Vector[] };

export const vectors: readonly Vector[] = manifest.vectors;

const cache = new Map<string, Uint8Array>();
export function load(file: string): Uint8Array {
  let b = cache.get(file);
  if (b === undefined) {
    const buf = readFileSync(join(DIR, file));
    b = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    cache.set(file, b);
  }
  return b;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The stored input, if any. */
export function inputOf(v: Vector): Uint8Array | null {
  return v.input === undefined ? null : load(v.input);
}

/** Check decoded bytes against the stored input, or its hash when the input is not stored. */
export function matchesInput(v: Vector, out: Uint8Array): boolean {
  const input = inputOf(v);
  if (input !== null) return Buffer.compare(Buffer.from(input), Buffer.from(out)) === 0;
  return sha256(out) === v.inputSha256;
}
