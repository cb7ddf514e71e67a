/**
 * Loader for test/shuffle/vectors/filters.json, written by make_vectors.py from numpy
 * definitions and from the C libraries' own filter output.
 */
import { readFileSync } from 'node:fs';

export interface KernelVector {
  name: string;
  kernel: 'shuffle' | 'bitshuffle' | 'delta' | 'bytedelta';
  typesize: number;
  input: Uint8Array;
  output: Uint8Array;
  /** DELTA only: the chunk's first block, and this block's offset (0 = it is the first block). */
  reference?: Uint8Array;
  blockOffset?: number;
}

export interface ChunkBlockVector {
  offset: number;
  size: number;
  /** How many leading bytes of `output` C defines (it leaves some tails unwritten). */
  defined: number;
  output: Uint8Array;
}

export interface ChunkVector {
  name: string;
  source: string;
  filter: number;
  typesize: number;
  meta: number;
  formatVersion: number;
  input: Uint8Array;
  blocks: ChunkBlockVector[];
}

interface RawKernel { name: string; kernel: KernelVector['kernel']; typesize: number; input: string; output: string; reference?: string; blockOffset?: number }
interface RawChunk { name: string; source: string; filter: number; typesize: number; meta: number; formatVersion: number; input: string; blocks: { offset: number; size: number; defined: number; output: string }[] }

const raw = JSON.parse(readFileSync(new URL('./vectors/filters.json', import.meta.url), 'utf8')) as { kernels: RawKernel[]; chunks: RawChunk[] };

function bytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export const kernelVectors: KernelVector[] = raw.kernels.map((k) => ({
  name: k.name,
  kernel: k.kernel,
  typesize: k.typesize,
  input: bytes(k.input),
  output: bytes(k.output),
  ...(k.reference === undefined ? {} : { reference: bytes(k.reference), blockOffset: k.blockOffset ?? 0 }),
}));

export const chunkVectors: ChunkVector[] = raw.chunks.map((c) => ({
  ...c,
  input: bytes(c.input),
  blocks: c.blocks.map((b) => ({ ...b, output: bytes(b.output) })),
}));
