/**
 * Live cross-checks against C: libzstd (inside python-blosc2's c-blosc2) decodes a batch of
 * our frames, and our frames for the benchmark data sets are compared with libzstd's own.
 * Needs python3 with blosc2 and numpy (see fixtures/requirements.txt); skipped otherwise,
 * an error in CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZstdEncoderState, zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/index.js';
import { pythonReference } from '../../helpers.js';
import { KINDS, makeData } from './data.js';

const script = fileURLToPath(new URL('./crosscheck.py', import.meta.url));
const python = pythonReference();
const state = new ZstdEncoderState();

function compress(src: Uint8Array, level: number): Uint8Array {
  const dst = new Uint8Array(zstdCompressBound(src.length));
  return dst.slice(0, zstdCompress(src, 0, src.length, dst, 0, dst.length, level, state));
}

function runPython(mode: string, dir: string): unknown {
  return JSON.parse(execFileSync(python.python, [script, mode, dir], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 300_000 }));
}

describe.skipIf(!python.ok)('zstd encoder against libzstd (python-blosc2)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'zstd-encoder-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('libzstd decodes a batch of our frames: every level band, data kind and block count', () => {
    const cases: { name: string; raw: Uint8Array; frame: Uint8Array }[] = [];
    let k = 0;
    const sizes = [1, 2, 7, 8, 100, 1000, 20000, 131072, 131073, 300000];
    const levels = [-3, 1, 2, 3, 4, 5, 6, 7, 9, 12, 15, 19, 22];
    for (const kind of KINDS) {
      for (const n of sizes) {
        const level = levels[k % levels.length]!;
        const raw = makeData(kind, n, k);
        let frame = compress(raw, level);
        // A stream exactly as long as its block reads as stored raw in a Blosc chunk.
        if (frame.length === n) frame = compress(raw, level === 1 ? 3 : 1);
        cases.push({ name: `c${String(k).padStart(3, '0')}-${kind}-${n}-l${level}`, raw, frame });
        k++;
      }
    }
    // An empty frame cannot sit alone in a chunk; libzstd decodes concatenated frames, so it
    // goes in front of a non-empty one.
    const tail = makeData('text-like', 5000, 99);
    const empty = compress(new Uint8Array(0), 3);
    const both = new Uint8Array(empty.length + compress(tail, 3).length);
    both.set(empty);
    both.set(compress(tail, 3), empty.length);
    cases.push({ name: 'empty-then-text', raw: tail, frame: both });

    for (const c of cases) {
      writeFileSync(join(dir, `${c.name}.raw`), c.raw);
      writeFileSync(join(dir, `${c.name}.zst`), c.frame);
    }
    const results = runPython('decode', dir) as { name: string; ok: boolean; error: string | null }[];
    expect(results.length).toBe(cases.length);
    const failed = results.filter((r) => !r.ok);
    expect(failed).toEqual([]);
  });

  it('writes the very frames libzstd writes, at every Blosc clevel, on every kind of data', () => {
    const sub = join(dir, 'frames');
    mkdirSync(sub);
    const inputs = new Map<string, Uint8Array>();
    let seed = 1;
    for (const kind of KINDS) {
      // 200 KB (two blocks, post-parse splitting at the top levels) only where it teaches something.
      for (const n of kind === 'mixed' || kind === 'shuffled-ramp' ? [100, 3000, 40000, 200000] : [100, 3000, 40000]) {
        inputs.set(`${kind}-${n}`, makeData(kind, n, seed++));
      }
    }
    // Nearly incompressible and tiny inputs: the room Blosc gives the codec is then what
    // decides between a frame and libzstd giving up.
    for (const n of [20, 40, 70, 150, 600, 5000, 70000]) {
      for (const ratio of [0.5, 0.9, 0.97, 1]) {
        const raw = makeData('random', n, seed++);
        const copies = makeData('repeats', n, seed++);
        raw.set(copies.subarray(0, Math.floor(n * (1 - ratio))));
        inputs.set(`edge-${n}-${ratio}`, raw);
      }
    }
    for (const [name, raw] of inputs) writeFileSync(join(sub, `${name}.raw`), raw);
    const native = runPython('frames', sub) as Record<string, Record<string, string>>;
    let frames = 0;
    let refusals = 0;
    const differing: string[] = [];
    for (const [name, raw] of inputs) {
      for (const [level, theirs] of Object.entries(native[name]!)) {
        if (theirs === 'special') continue;
        // Blosc gives the codec the block size as room, clamped to what is left of the
        // chunk: python-blosc2 sizes it nbytes + 32, and the stream starts at byte 40.
        const room = raw.length - 8;
        const dst = new Uint8Array(Math.max(room, 0));
        const n = room > 0 ? zstdCompress(raw, 0, raw.length, dst, 0, room, Number(level), state) : 0;
        if (theirs === 'raw') {
          refusals++;
          if (n !== 0) differing.push(`${name} level ${level}: ${n} bytes where libzstd gave up`);
        } else {
          frames++;
          if (!Buffer.from(dst.subarray(0, n)).equals(Buffer.from(theirs, 'hex'))) {
            differing.push(`${name} level ${level}: ${n} vs ${theirs.length / 2} bytes`);
          }
        }
      }
    }
    expect(frames).toBeGreaterThan(150);
    expect(refusals).toBeGreaterThan(20);
    expect(differing).toEqual([]);
  });

  it('matches native libzstd on the benchmark data sets (size within 10%; identical frames at these levels)', () => {
    const native = runPython('native', dir) as Record<string, Record<string, string>>;
    const rows: string[] = [];
    for (const name of ['linspace_f8', 'arange_i8', 'poisson_i4', 'sensor_f4']) {
      const raw = new Uint8Array(readFileSync(join(dir, `${name}.raw`)));
      expect(raw.length).toBe(1 << 20);
      const cells: string[] = [];
      for (const level of [1, 3, 5, 9]) {
        const theirs = Buffer.from(native[name]![String(level)]!, 'hex');
        const t0 = performance.now();
        const ours = compress(raw, level);
        const ms = performance.now() - t0;
        const ratio = ours.length / theirs.length;
        cells.push(`L${level} ${ours.length}/${theirs.length}=${ratio.toFixed(3)} (${(raw.length / 1e3 / ms).toFixed(0)} MB/s)`);
        expect(ratio, `${name} level ${level}`).toBeLessThanOrEqual(1.1);
        // The match finders, hashes and entropy choices are libzstd's, so the frames are
        // the very bytes libzstd 1.5.7 writes.
        expect(Buffer.from(ours).equals(theirs), `${name} level ${level} identical`).toBe(true);
      }
      rows.push(`${name.padEnd(12)} ${cells.join(' | ')}`);
    }
    console.log(`zstd encoder vs ${JSON.stringify(native['versions'])}\n${rows.join('\n')}`);
  });
});
