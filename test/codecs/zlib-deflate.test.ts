import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { deflate } from 'pako';
import { afterEach, describe, expect, it } from 'vitest';
import { deflateZlib, tsDeflateEngine } from '../../src/codecs/deflate/deflate.js';
import { deflateHeapAreas, setZlibWasmEnabled, wasmDeflateEngine, zlibWasmReady } from '../../src/codecs/deflate/deflate-wasm.js';
import { zlibCompress, zlibDecompress } from '../../src/codecs/zlib.js';
import { heapBytes } from '../../src/wasm/heap.js';
import { concatBytes, mulberry32Uint32, pythonReference, runPython } from '../helpers.js';
import { ENCODER_PIECE } from './match-inputs.js';

afterEach(() => setZlibWasmEnabled(true));

type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

function pakoBytes(src: Uint8Array, level: number): Uint8Array {
  return deflate(src, { level: level as Level, legacyHash: true });
}

/** Seeded inputs of every kind the brief lists: noise, compressible, short, runs, window-sliding. */
function fixedInputs(): Array<[string, Uint8Array]> {
  const next = mulberry32Uint32(0x5eed);
  const out: Array<[string, Uint8Array]> = [];
  for (const n of [0, 1, 2, 3, 4, 258, 259, 262, 32767, 32768, 32769, 65535, 65536, 65537, 70001, 200003]) {
    const noise = new Uint8Array(n);
    for (let i = 0; i < n; i++) noise[i] = next() & 255;
    out.push([`noise ${n}`, noise]);
    // Small alphabet with structure: short matches at many distances, lazy choices.
    const text = new Uint8Array(n);
    for (let i = 0; i < n; i++) text[i] = next() % 7 < 5 ? (i * 7) & 31 : next() & 3;
    out.push([`compressible ${n}`, text]);
    out.push([`run ${n}`, new Uint8Array(n).fill(0x41)]);
    // 0xff everywhere: Adler-32's sums at their largest between reductions.
    if (n > 60000) out.push([`0xff run ${n}`, new Uint8Array(n).fill(0xff)]);
  }
  // Long runs broken by noise, with repeats further back than the window (64 KiB and more).
  const parts: Uint8Array[] = [];
  const seed = Uint8Array.from({ length: 5000 }, () => next() & 255);
  for (let i = 0; i < 40; i++) {
    parts.push(new Uint8Array(1 + (next() % 3000)).fill(next() & 255));
    parts.push(seed.subarray(next() % 1000, 1000 + (next() % 4000)));
    if (i % 5 === 0) parts.push(Uint8Array.from({ length: 20000 }, () => next() & 15));
  }
  out.push(['runs and far repeats', concatBytes(parts)]);
  // Repeats right at the far edge of a match's reach (MAX_DIST = 32506) and of the window.
  for (const d of [32505, 32506, 32507, 32768]) {
    const a = new Uint8Array(150_000);
    for (let i = 0; i < a.length; i++) a[i] = i >= d && next() % 8 !== 0 ? a[i - d]! : next() & 7;
    out.push([`repeats at distance ${d}`, a]);
  }
  // Blosc-like planes: a shuffled int32 counter.
  const counter = new Uint8Array(1 << 18);
  const q = counter.length / 4;
  for (let i = 0; i < q; i++) for (let b = 0; b < 4; b++) counter[b * q + i] = ((i * 3) >>> (8 * b)) & 255;
  out.push(['shuffled counter', counter]);
  return out;
}

function ours(src: Uint8Array, level: number, wasm: boolean): Uint8Array {
  setZlibWasmEnabled(wasm);
  const dst = new Uint8Array(src.length + (src.length >> 3) + 64);
  const n = zlibCompress(src, 0, src.length, dst, 0, dst.length, level);
  return dst.slice(0, n);
}

describe('our deflate writes pako\'s (zlib 1.2.x classic) bytes', () => {
  it('has its WebAssembly loops here, and a switch that turns them off', () => {
    expect(zlibWasmReady()).toBe(true);
    expect(wasmDeflateEngine()).not.toBeNull();
    setZlibWasmEnabled(false);
    expect(zlibWasmReady()).toBe(false);
    expect(wasmDeflateEngine()).toBeNull();
    setZlibWasmEnabled(true);
    expect(zlibWasmReady()).toBe(true);
  });

  for (const wasm of [true, false]) {
    it(`at every level 0-9 on noise, compressible, short, run and window-sliding inputs (${wasm ? 'WebAssembly' : 'TypeScript'})`, () => {
      const failures: string[] = [];
      for (const [name, src] of fixedInputs()) {
        for (let level = 0; level <= 9; level++) {
          const want = pakoBytes(src, level);
          const got = ours(src, level, wasm);
          if (got.length !== want.length || !got.every((v, i) => v === want[i])) failures.push(`${name} level ${level}: ${got.length} vs ${want.length} bytes`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('on random mixes of noise, runs, repeats and counters at random levels, both paths', () => {
    fc.assert(
      fc.property(fc.array(ENCODER_PIECE, { minLength: 0, maxLength: 40 }), fc.integer({ min: 0, max: 9 }), (parts, level) => {
        const src = concatBytes(parts);
        const want = pakoBytes(src, level);
        expect(ours(src, level, true)).toEqual(want);
        expect(ours(src, level, false)).toEqual(want);
      }),
      { numRuns: 60 },
    );
  });

  it('at level 0 (stored blocks sized by pako\'s 16 KiB output chunks) around every chunk, pending and window size', () => {
    const next = mulberry32Uint32(0);
    const failures: number[] = [];
    for (const n of [5, 16372, 16377, 16378, 16384, 32763, 32768, 32769, 65531, 65536, 65537, 98304, 131073, 300001]) {
      const src = Uint8Array.from({ length: n }, () => next() & 255);
      const want = pakoBytes(src, 0);
      const got = ours(src, 0, true);
      if (got.length !== want.length || !got.every((v, i) => v === want[i])) failures.push(n);
    }
    expect(failures).toEqual([]);
  });

  it('decodes back through inflate', () => {
    const [, src] = fixedInputs().find(([name]) => name === 'runs and far repeats')!;
    for (const level of [1, 4, 9]) {
      const z = ours(src, level, true);
      const back = new Uint8Array(src.length);
      zlibDecompress(z, 0, z.length, back, 0, src.length);
      expect(back).toEqual(src);
    }
  });
});

describe('our deflate stays inside its windows', () => {
  const GUARD = 41;

  it('writes nothing outside dst[dp, dp + cap), and returns 0 when the stream does not fit', () => {
    fc.assert(
      fc.property(
        fc.array(ENCODER_PIECE, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 9 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (parts, level, wasm, cut) => {
          const src = concatBytes(parts);
          const want = pakoBytes(src, level);
          // Room: enough, exactly enough, or short by 1 to 1001 bytes.
          const cap = cut === 0 ? want.length + 100 : cut === 1 ? want.length : Math.max(0, want.length - cut + 1);
          const dst = new Uint8Array(GUARD + cap + GUARD).fill(0xa5);
          setZlibWasmEnabled(wasm);
          const n = zlibCompress(src, 0, src.length, dst, GUARD, cap, level);
          const fits = want.length <= cap;
          expect(n).toBe(fits ? want.length : 0);
          if (fits) expect(dst.subarray(GUARD, GUARD + n)).toEqual(want);
          for (let i = 0; i < GUARD; i++) expect(dst[i]).toBe(0xa5);
          for (let i = GUARD + cap; i < dst.length; i++) expect(dst[i]).toBe(0xa5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the WebAssembly loops touch the shared memory only in their two areas', () => {
    expect(wasmDeflateEngine()).not.toBeNull();
    const areas = deflateHeapAreas();
    const heap = heapBytes();
    // 4 KiB on each side of each area.
    const fences = areas.flatMap(([from, to]) => [[from - 4096, from], [to, to + 4096]] as const);
    for (const [a, b] of fences) heap.fill(0x3c, a, b);
    const next = mulberry32Uint32(7);
    const src = Uint8Array.from({ length: 300_000 }, (_, i) => (i % 3000 < 2000 ? (i * 13) & 63 : next() & 255));
    for (const level of [1, 3, 4, 6, 9]) expect(ours(src, level, true)).toEqual(pakoBytes(src, level));
    const after = heapBytes();
    for (const [a, b] of fences) for (let i = a; i < b; i++) if (after[i] !== 0x3c) expect.fail(`byte ${i} of the shared memory changed`);
  });

  it('runs the TypeScript twin when the input already lies in the shared memory', () => {
    const heap = heapBytes();
    const [fromA] = deflateHeapAreas()[1]!;
    // An input right on the window area: the WebAssembly path would overwrite it.
    const src = heap.subarray(fromA, fromA + 5000);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7) & 15;
    const copy = src.slice();
    const dst = new Uint8Array(6000);
    const n = zlibCompress(src, 0, src.length, dst, 0, dst.length, 6);
    expect(dst.subarray(0, n)).toEqual(pakoBytes(copy, 6));
    expect(src).toEqual(copy);
  });

  it('the WebAssembly Adler-32 (16 bytes a step) gives zlib\'s sums at every length and start', () => {
    const engine = wasmDeflateEngine()!;
    const store = engine.store();
    const next = mulberry32Uint32(99);
    for (const fillByte of [-1, 0xff]) {
      for (let i = 0; i < store.window.length; i++) store.window[i] = fillByte < 0 ? next() & 255 : fillByte;
      for (const n of [0, 1, 15, 16, 17, 31, 32, 33, 5535, 5536, 5537, 5552, 5553, 11073, 32768, 65536]) {
        for (const at of [0, 1, 7]) {
          for (const start of [1, 0xfff0fff0 >>> 0, 0x12345678]) {
            const ts = tsDeflateEngine.adler(store, at, n, start);
            expect(engine.adler(store, at, n, start)).toBe(ts);
          }
        }
      }
    }
    // And the TypeScript sums are zlib's: Adler-32 of "Wikipedia" is 0x11E60398.
    expect(tsDeflateEngine.adler({ ...store, window: new TextEncoder().encode('Wikipedia') }, 0, 9, 1)).toBe(0x11e60398);
  });

  it('the engines can be called directly and agree', () => {
    const src = Uint8Array.from({ length: 100_000 }, (_, i) => (i * i) & 255);
    const a = new Uint8Array(120_000);
    const b = new Uint8Array(120_000);
    const na = deflateZlib(tsDeflateEngine, src, 0, src.length, a, 0, a.length, 7);
    const nb = deflateZlib(wasmDeflateEngine()!, src, 0, src.length, b, 0, b.length, 7);
    expect(nb).toBe(na);
    expect(b.subarray(0, nb)).toEqual(a.subarray(0, na));
  });
});

describe('our deflate against live zlib (Python\'s zlib module, classic zlib)', () => {
  const status = pythonReference();
  it.skipIf(!status.ok)('zlib.compress(data, level) gives our bytes at levels 1-9', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-deflate-'));
    try {
      const inputs = fixedInputs().filter(([, src]) => src.length > 0 && src.length < 100_000);
      inputs.forEach(([, src], i) => writeFileSync(join(dir, `in${i}.bin`), src));
      const script = [
        'import sys, zlib, os',
        'd = sys.argv[1]',
        'print(zlib.ZLIB_RUNTIME_VERSION)',
        `for i in range(${inputs.length}):`,
        '    data = open(os.path.join(d, "in%d.bin" % i), "rb").read()',
        '    for level in range(1, 10):',
        '        open(os.path.join(d, "out%d_%d.bin" % (i, level)), "wb").write(zlib.compress(data, level))',
      ].join('\n');
      const version = runPython(['-c', script, dir]).trim();
      // zlib-ng in compat mode writes other bytes: only classic zlib is a reference here.
      expect(version).toMatch(/^1\.[23]\./);
      const failures: string[] = [];
      inputs.forEach(([name, src], i) => {
        for (let level = 1; level <= 9; level++) {
          const want = new Uint8Array(readFileSync(join(dir, `out${i}_${level}.bin`)));
          const got = ours(src, level, true);
          if (got.length !== want.length || !got.every((v, j) => v === want[j])) failures.push(`${name} level ${level}`);
        }
      });
      expect(failures).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
