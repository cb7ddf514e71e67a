/**
 * Byte-identity of lz4hcCompress with lz4 1.10.0's LZ4_compress_HC on the stored vectors
 * (inputs and C's results written by make_vectors.py), at levels 1..9 and at several output
 * capacities: unlimited (compressBound), the input size, input size − 8 (what c-blosc and
 * c-blosc2 pass for a one-block chunk), and C's own output size and one byte less; with the
 * WebAssembly parsers and with their TypeScript twins.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Lz4hcState, lz4hcCompress } from '../../../src/codecs/lz4hc-compress.js';
import { setLz4hcWasmEnabled } from '../../../src/codecs/lz4hc-compress-wasm.js';
import { decodeLz4Block } from './reference-decoder.js';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), 'vectors');

/** [cap, C's result size, first 16 hex digits of the sha256 of C's bytes] */
type CapResult = [number, number, string];
interface Vector {
  name: string;
  kind: string;
  size: number;
  sha256: string;
  levels: Record<string, Record<string, CapResult>>;
}

const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as { vectors: Vector[] };
const GUARD = 16;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Byte equality without the per-element cost of toEqual on large arrays. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function untouched(dst: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (dst[i] !== 0xa5) return false;
  return true;
}

function loadInput(v: Vector): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(join(VECTORS, `${v.name}.bin.gz`))));
}

interface LevelTally {
  cases: number;
  identical: number;
  oursBytes: number;
  cBytes: number;
  worstRatio: number;
}

describe('lz4hcCompress against lz4 1.10.0 LZ4_compress_HC', () => {
  afterAll(() => setLz4hcWasmEnabled(true));
  const tally = new Map<number, LevelTally>();
  const state = new Lz4hcState();
  const mismatches: string[] = [];

  for (const v of manifest.vectors) {
    it(`${v.name}: every level and capacity`, () => {
      const input = loadInput(v);
      expect(input.length).toBe(v.size);
      expect(sha256(input)).toBe(v.sha256);
      // Both encoders: the WebAssembly parsers (the default) and their TypeScript twins.
      for (const wasm of [true, false]) {
        setLz4hcWasmEnabled(wasm);
        for (const [levelKey, caps] of Object.entries(v.levels)) {
          const level = Number(levelKey);
          const t = tally.get(level) ?? { cases: 0, identical: 0, oursBytes: 0, cBytes: 0, worstRatio: 1 };
          tally.set(level, t);
          for (const [capName, [cap, cSize, cHash]] of Object.entries(caps)) {
            // Offsets and guard bytes check that nothing is written outside the window.
            const dst = new Uint8Array(3 + cap + GUARD).fill(0xa5);
            const size = lz4hcCompress(input, 0, input.length, dst, 3, cap, level, state);
            expect(size).toBeGreaterThanOrEqual(0);
            expect(size).toBeLessThanOrEqual(cap);
            expect(untouched(dst, 0, 3) && untouched(dst, 3 + cap, dst.length)).toBe(true);
            const out = dst.subarray(3, 3 + size);
            // Every non-empty result is the same block (checked against C below), so one decode
            // per level shows that it is valid.
            if (capName === 'bound') expect(sameBytes(decodeLz4Block(out, input.length), input)).toBe(true);
            const same = size === cSize && sha256(out).slice(0, 16) === cHash;
            t.cases++;
            if (same) t.identical++;
            else mismatches.push(`${v.name} level ${level} cap ${capName}=${cap}${wasm ? '' : ' (TypeScript)'}: ours ${size} bytes, C ${cSize}`);
            if (capName === 'bound') {
              t.oursBytes += size;
              t.cBytes += cSize;
              const ratio = size / cSize;
              if (Math.abs(ratio - 1) > Math.abs(t.worstRatio - 1)) t.worstRatio = ratio;
              // Target when not identical: within 3% of C's size.
              expect(Math.abs(ratio - 1)).toBeLessThanOrEqual(0.03);
            }
          }
        }
      }
    });
  }

  it('is byte-identical with C on every vector, level and capacity', () => {
    const lines = [...tally.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([level, t]) =>
          `level ${level}: ${t.identical}/${t.cases} identical, total size ours/C ${(t.oursBytes / t.cBytes).toFixed(5)}, worst ${t.worstRatio.toFixed(4)}`,
      );
    console.log(`lz4hc vs C:\n  ${lines.join('\n  ')}`);
    expect(tally.size).toBe(9);
    expect(mismatches).toEqual([]);
  });
});
