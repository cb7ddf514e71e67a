/** The frame fixtures written by fixtures/generate_frames.py and their manifest. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MsgpackExt, MsgpackTuple, type MsgpackValue } from '../../src/frame/msgpack.js';
import { FIXTURES } from '../helpers.js';

export interface FrameFixture {
  path: string;
  kind: 'schunk' | 'b2nd' | 'sframe';
  note: string;
  frameSha256: string;
  frameLength: number;
  typesize: number;
  chunksize: number;
  nchunks: number;
  nbytes: number;
  cbytes: number;
  codec: number;
  clevel: number;
  filters: number[];
  metalayers: Record<string, string>;
  vlmeta: Record<string, unknown>;
  chunks: { sha256: string; cbytes: number; special: number }[] | null;
  decoded: { length: number; sha256: string | null };
  /** Uninitialized contents: python's bytes are arbitrary, a reader returns zeros. */
  uninit?: boolean;
}

export function frameFixtures(): FrameFixture[] {
  const m = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as { files: FrameFixture[] };
  return m.files;
}

export function fixturePath(f: FrameFixture): string {
  return join(FIXTURES, f.path);
}

export function readFrameFixture(f: FrameFixture): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(f)));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

/** The JSON form fixtures/generate_frames.py `jsonable` gives the same Python value. */
export function jsonForm(v: MsgpackValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v : { __float__: String(v) };
  if (typeof v === 'bigint') return { __int__: v.toString() };
  if (v instanceof Uint8Array) return { __bytes__: hex(v) };
  if (v instanceof MsgpackTuple) return { __tuple__: v.items.map(jsonForm) };
  if (v instanceof MsgpackExt) return { __ext__: [v.type, hex(v.data)] };
  if (Array.isArray(v)) return v.map(jsonForm);
  if (v instanceof Map) return { __map__: [...v].map(([k, x]) => [jsonForm(k), jsonForm(x)]) };
  return { __map__: Object.keys(v).map((k) => [k, jsonForm(v[k]!)]) };
}
