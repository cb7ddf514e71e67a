/** The public entry points: what they export, and that the main one runs without Node built-ins. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as nodeApi from '../src/node.js';
import { ROOT } from './helpers.js';

/** Every module reachable from `entry` through relative imports, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    const bare: string[] = [];
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else bare.push(spec);
    }
    seen.set(file, bare);
  }
  return seen;
}

describe('public API', () => {
  it('exports the chunk, frame, bloscpack and registry functions', () => {
    for (const name of ['compress', 'decompress', 'getItems', 'chunkInfo', 'compressZeros', 'compressNaNs', 'compressUninit',
      'compressRepeatValue', 'registerCodec', 'registerFilter', 'BloscError', 'isBloscError', 'SChunk', 'CFrame', 'writeFrame',
      'msgpackDecode', 'msgpackEncode', 'bloscpack', 'NDArray', 'sliceToTypedArray', 'openFrameAsync', 'BlobSource',
      'HttpRangeSource', 'compressAsync', 'decompressAsync', 'decompressFrameAsync', 'shutdownPool']) {
      expect(api, name).toHaveProperty(name);
    }
    expect(typeof api.bloscpack.packBytes).toBe('function');
    expect(typeof nodeApi.FileSource).toBe('function');
    expect(typeof nodeApi.AsyncFileSource).toBe('function');
  });

  it('the main entry point of the build imports no Node built-in (it runs in browsers)', () => {
    const entry = join(ROOT, 'dist', 'index.js');
    expect(existsSync(entry)).toBe(true);
    const graph = importGraph(entry);
    expect(graph.size).toBeGreaterThan(20);
    const nodeImports = [...graph.entries()].filter(([, bare]) => bare.some((s) => s.startsWith('node:')));
    expect(nodeImports.map(([f]) => f)).toEqual([]);
    // The scan does see Node built-ins where they are: the 'blosc-ts/node' entry point.
    const nodeGraph = importGraph(join(ROOT, 'dist', 'node.js'));
    expect([...nodeGraph.values()].some((bare) => bare.some((s) => s.startsWith('node:')))).toBe(true);
  });
});
