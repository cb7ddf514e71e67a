/**
 * The import graph of src/: every import runs down the floors (or stays in its room), and no
 * file reaches itself through its imports (static, type-only or dynamic `import('…')`).
 * A new room must be given its floor here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../src');

/**
 * The floors, lowest first. A room is a folder under src/ or a file at its top. Rooms on one
 * floor do not import each other.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['errors', 'wasm', 'copy'],
  ['limits'],
  // Kernels and codecs.
  ['shuffle', 'codecs'],
  // Byte formats (chunk header, frames, msgpack, .npy, b2nd and bloscpack headers) and I/O sources.
  ['frame', 'io'],
  // The block-size, split and plain-copy rules mirrored from C.
  ['blocking'],
  ['params'],
  // The block-loop driver.
  ['chunk'],
  // The worker pool (driving src/chunk/), bloscpack files, and the tuning decisions that
  // measure codecs through the block loop.
  ['pool', 'bloscpack', 'tuning'],
  // Containers: super-chunks, local/remote/sparse frames.
  ['schunk'],
  ['ndarray'],
  // The public entry points; the zarr codec (src/zarr/ and its entry src/zarr.ts) and the
  // inspector page over the public API; the CLI over them.
  ['index', 'node'],
  ['zarr', 'inspector'],
  ['cli'],
];

function floorOf(room: string): number {
  return FLOORS.findIndex((f) => f.includes(room));
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function roomOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, '') : rel[0]!;
}

const IMPORT_FROM = /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE_IMPORT = /^\s*import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The src/ files that `file` imports (relative specifiers only: packages and node: are outside). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const re of [IMPORT_FROM, BARE_IMPORT, DYNAMIC_IMPORT]) {
    for (const m of text.matchAll(re)) specs.push(m[1]!);
  }
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string): string => relative(SRC, f);

describe('layers of src/', () => {
  it('reads a graph of the expected size', () => {
    // Guards the parser: a regex that matched nothing would pass every check below.
    expect(files.length).toBeGreaterThan(50);
    let edges = 0;
    for (const deps of graph.values()) edges += deps.length;
    expect(edges).toBeGreaterThan(files.length);
  });

  it('places every room on a floor', () => {
    const unplaced = [...new Set(files.map(roomOf))].filter((r) => floorOf(r) < 0);
    expect(unplaced).toEqual([]);
  });

  it('resolves every relative import to a file in src/', () => {
    const missing: string[] = [];
    for (const [f, deps] of graph) for (const d of deps) if (!graph.has(d)) missing.push(`${rel(f)} -> ${rel(d)}`);
    expect(missing).toEqual([]);
  });

  it('runs every import down the floors or within its room', () => {
    const up: string[] = [];
    for (const [f, deps] of graph) {
      const from = roomOf(f);
      for (const d of deps) {
        const to = roomOf(d);
        if (to === from) continue;
        if (floorOf(to) >= floorOf(from)) up.push(`${rel(f)} (${from}, floor ${floorOf(from)}) -> ${rel(d)} (${to}, floor ${floorOf(to)})`);
      }
    }
    expect(up).toEqual([]);
  });

  it('has no circle of imports', () => {
    // Iterative depth-first search; a back edge to a file on the stack closes a circle.
    const state = new Map<string, 1 | 2>();
    const circles: string[] = [];
    for (const root of files) {
      if (state.has(root)) continue;
      const stack: { file: string; next: number }[] = [{ file: root, next: 0 }];
      state.set(root, 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const deps = graph.get(top.file) ?? [];
        if (top.next === deps.length) {
          state.set(top.file, 2);
          stack.pop();
          continue;
        }
        const d = deps[top.next++]!;
        if (!graph.has(d)) continue;
        const s = state.get(d);
        if (s === 1) {
          const at = stack.findIndex((e) => e.file === d);
          circles.push([...stack.slice(at).map((e) => rel(e.file)), rel(d)].join(' -> '));
        } else if (s === undefined) {
          state.set(d, 1);
          stack.push({ file: d, next: 0 });
        }
      }
    }
    expect(circles).toEqual([]);
  });

  it('keeps the byte formats free of codecs, the chunk driver and containers', () => {
    // Spelled out beside the floor order: src/frame/ imports only errors and limits.
    const reach: string[] = [];
    for (const [f, deps] of graph) {
      if (roomOf(f) !== 'frame') continue;
      for (const d of deps) if (!['frame', 'errors', 'limits'].includes(roomOf(d))) reach.push(`${rel(f)} -> ${rel(d)}`);
    }
    expect(reach).toEqual([]);
  });
});
