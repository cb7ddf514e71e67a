import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bitshuffle, bitunshuffle } from '../../src/shuffle/bitshuffle.js';
import { bitshuffleGeneric, bitunshuffleGeneric, shuffleGeneric, unshuffleGeneric } from '../../src/shuffle/generic.js';
import { shuffle, unshuffle } from '../../src/shuffle/shuffle.js';
import { SIMD_EXPORTS, simdModuleBytes } from '../../src/shuffle/simd-module.js';
import { copyPhaseOf, resetCopyPhases, setSimdEnabled, simdActive, simdScratch } from '../../src/shuffle/simd.js';
import '../../src/codecs/index.js';
import { compressChunk } from '../../src/chunk/compress.js';
import { decompressChunk } from '../../src/chunk/decompress.js';
import { resolveCParams } from '../../src/params.js';
import { expectBytes, randomBytes, sentinel, untouchedOutside } from './helpers.js';

afterEach(() => setSimdEnabled(true));

type Kernel = (typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number) => void;

/** Run a kernel from `data` at byte `sp` of a larger buffer into a sentinel-filled destination at `dp`. */
function run(kernel: Kernel, typesize: number, data: Uint8Array, size: number, sp: number, dp: number): Uint8Array {
  const src = new Uint8Array(sp + data.length + 5);
  src.set(data, sp);
  const pad = 16;
  const dst = sentinel(data.length, dp, pad);
  kernel(typesize, src, sp, dst, pad, size);
  expect(untouchedOutside(dst, pad, pad + data.length)).toBe(true);
  return dst.slice(pad, pad + data.length);
}

describe('WebAssembly SIMD shuffle kernels', () => {
  it('are assembled into a module this platform validates and uses', () => {
    const bytes = simdModuleBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    for (const name of SIMD_EXPORTS) expect(instance.exports[name]).toBeDefined();
    // Node 20+ has WebAssembly SIMD: the fast path must really be taken here.
    expect(simdActive()).toBe(true);
  });

  it('byte shuffle and unshuffle equal the reference across tiles, tails and offsets, with SIMD on and off', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 3, 4, 8, 16, 12),
        fc.oneof(fc.integer({ min: 256, max: 1200 }), fc.integer({ min: 1200, max: 40_000 })),
        fc.nat(15),
        fc.nat(7),
        fc.nat(7),
        fc.boolean(),
        (typesize, count, tail, sp, dp, simd) => {
          setSimdEnabled(simd);
          const n = count * typesize + (tail % typesize);
          const data = randomBytes(n, count * 31 + tail);
          const expected = run(shuffleGeneric, typesize, data, n, 0, 0);
          expectBytes(run(shuffle, typesize, data, n, sp, dp), expected, 'shuffle');
          expectBytes(run(unshuffle, typesize, expected, n, dp, sp), data, 'unshuffle');
        },
      ),
      { numRuns: 120 },
    );
  });

  it('byte shuffle with planes apart (planeStride) writes the reference planes there and nothing between them', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(2, 3, 4, 8, 16),
        fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 20_000 })),
        fc.integer({ min: 0, max: 200 }),
        fc.nat(7),
        fc.boolean(),
        fc.boolean(),
        (typesize, count, gap, dp, simd, inHeap) => {
          setSimdEnabled(simd);
          const n = count * typesize;
          const data = randomBytes(n, count * 7 + gap);
          const expected = run(shuffleGeneric, typesize, data, n, 0, 0);
          const stride = count + gap;
          const size = dp + (typesize - 1) * stride + count;
          // Into a view of the shared memory (as the chunk encoder does) or a plain buffer.
          const dst = inHeap ? simdScratch(size + 16) ?? new Uint8Array(size + 16) : new Uint8Array(size + 16);
          dst.fill(0x5a);
          shuffle(typesize, data, 0, dst, dp, n, stride);
          for (let j = 0; j < typesize; j++) {
            expectBytes(dst.slice(dp + j * stride, dp + j * stride + count), expected.subarray(j * count, (j + 1) * count), `plane ${j}`);
          }
          let untouched = true;
          for (let i = 0; i < dst.length; i++) {
            const inPlane = i >= dp && i < size && (i - dp) % stride < count;
            if (!inPlane && dst[i] !== 0x5a) untouched = false;
          }
          expect(untouched).toBe(true);
          // A stride shorter than a plane, or planes past the end, are refused.
          if (gap > 0 && count > 1) expect(() => shuffle(typesize, data, 0, dst, dp, n, count - 1)).toThrow(/plane stride/);
          expect(() => shuffle(typesize, data, 0, new Uint8Array(size - 1), dp, n, stride)).toThrow();
        },
      ),
      { numRuns: 120 },
    );
  });

  it('bit shuffle and unshuffle equal the reference across tiles, tails and offsets, with SIMD on and off', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3, 4, 8, 16),
        fc.oneof(fc.integer({ min: 32, max: 300 }), fc.integer({ min: 300, max: 9000 })),
        fc.nat(7),
        fc.nat(7),
        fc.boolean(),
        (typesize, groups, sp, dp, simd) => {
          setSimdEnabled(simd);
          const nelems = 8 * groups;
          const data = randomBytes(nelems * typesize, groups * 7 + typesize);
          const expected = run(bitshuffleGeneric, typesize, data, nelems, 0, 0);
          expectBytes(run(bitshuffle, typesize, data, nelems, sp, dp), expected, 'bitshuffle');
          const back = run(bitunshuffleGeneric, typesize, expected, nelems, 0, 0);
          expectBytes(back, data, 'reference round trip');
          expectBytes(run(bitunshuffle, typesize, expected, nelems, dp, sp), data, 'bitunshuffle');
        },
      ),
      { numRuns: 120 },
    );
  });

  it('give the same bytes as the JavaScript kernels on whole 256 KiB blocks', () => {
    const data = randomBytes(256 * 1024, 99);
    for (const typesize of [1, 2, 4, 8, 16]) {
      const outs: Uint8Array[] = [];
      for (const simd of [true, false]) {
        setSimdEnabled(simd);
        const a = new Uint8Array(data.length);
        const b = new Uint8Array(data.length);
        shuffle(typesize, data, 0, a, 0, data.length);
        bitshuffle(typesize, data, 0, b, 0, data.length / typesize);
        const c = new Uint8Array(data.length);
        const d = new Uint8Array(data.length);
        unshuffle(typesize, data, 0, c, 0, data.length);
        bitunshuffle(typesize, data, 0, d, 0, data.length / typesize);
        outs.push(a, b, c, d);
      }
      for (let i = 0; i < 4; i++) expectBytes(outs[i]!, outs[i + 4]!, `typesize ${typesize} kernel ${i}`);
    }
  });

  it('read planes in place from a scratch view of their memory, as from any buffer', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8, 16), fc.integer({ min: 256, max: 70_000 }), fc.integer(), (typesize, count, seed) => {
        const n = count * typesize;
        const data = randomBytes(n, seed);
        const scratch = simdScratch(n);
        expect(scratch).not.toBeNull();
        scratch!.set(data);
        const viaScratch = new Uint8Array(n);
        const viaHeap = new Uint8Array(n);
        unshuffle(typesize, scratch!, 0, viaScratch, 0, n);
        unshuffle(typesize, data, 0, viaHeap, 0, n);
        expectBytes(viaScratch, viaHeap, `unshuffle typesize ${typesize}`);
        const nelems = count - (count % 8);
        const bits = data.subarray(0, nelems * typesize);
        scratch!.set(bits);
        const bitsScratch = new Uint8Array(bits.length);
        const bitsHeap = new Uint8Array(bits.length);
        bitunshuffle(typesize, scratch!, 0, bitsScratch, 0, nelems);
        bitunshuffle(typesize, bits, 0, bitsHeap, 0, nelems);
        expectBytes(bitsScratch, bitsHeap, `bitunshuffle typesize ${typesize}`);
      }),
      { numRuns: 40 },
    );
  });

  it('place the output tile by the learnt address phase of the destination, with the same bytes at every offset', () => {
    resetCopyPhases();
    const typesize = 8;
    const n = 1 << 20; // 32 tiles of 32 KiB per call
    const planes = randomBytes(n, 77);
    const expected = new Uint8Array(n);
    unshuffleGeneric(typesize, planes, 0, expected, 0, n);
    const nelems = n / typesize;
    const bitsExpected = new Uint8Array(n);
    bitunshuffleGeneric(typesize, planes, 0, bitsExpected, 0, nelems);
    const dst = new Uint8Array(n + 64);
    // Offsets 0..31 put the tile at every placement, during the learning and after it.
    for (let round = 0; round < 2; round++) {
      for (let dp = 0; dp < 32; dp++) {
        dst.fill(0x5a);
        unshuffle(typesize, planes, 0, dst, dp, n);
        expectBytes(dst.subarray(dp, dp + n), expected, `unshuffle at ${dp}, round ${round}`);
        expect(untouchedOutside(dst, dp, dp + n)).toBe(true);
        bitunshuffle(typesize, planes, 0, dst, dp, nelems);
        expectBytes(dst.subarray(dp, dp + n), bitsExpected, `bitunshuffle at ${dp}, round ${round}`);
      }
      // 128 timed copies into this buffer are more than the learning takes: it has decided.
      expect([0, 16]).toContain(copyPhaseOf(dst.buffer));
    }
    // Another buffer starts unknown and is learnt in turn.
    const other = new Uint8Array(n);
    expect(copyPhaseOf(other.buffer)).toBe(-1);
    for (let k = 0; k < 2; k++) unshuffle(typesize, planes, 0, other, 0, n);
    expectBytes(other, expected, 'unshuffle into a second buffer');
    expect([0, 16]).toContain(copyPhaseOf(other.buffer));
  });

  it('keeps no destination buffer alive, neither one whose phase is learnt nor one being learnt', () => {
    // Through the built package in a process with --expose-gc (`npm test` builds dist/ first):
    // buffer 0 is learnt (64 tile copies), buffer 1 is dropped halfway through its learning.
    const dist = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'shuffle', file)).href);
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `
      const { unshuffle } = await import(${dist('shuffle.js')});
      const { simdActive, copyPhaseOf } = await import(${dist('simd.js')});
      const n = 1 << 20;
      const planes = new Uint8Array(n).map((_, i) => (i * 7) & 255);
      const collected = new Set();
      const registry = new FinalizationRegistry((k) => collected.add(k));
      const phases = [];
      (() => {
        for (const [k, calls] of [[0, 2], [1, 1]]) {
          const dst = new Uint8Array(n);
          for (let c = 0; c < calls; c++) unshuffle(8, planes, 0, dst, 0, n);
          phases.push(copyPhaseOf(dst.buffer));
          registry.register(dst.buffer, k);
        }
      })();
      // One collection in the same job as the decoding, as a loop decoding chunk after
      // chunk gets: nothing may keep them until the job ends (a WeakRef would).
      globalThis.gc();
      for (let i = 0; i < 10 && collected.size < 2; i++) await new Promise((res) => setTimeout(res, 20));
      console.log(JSON.stringify({ simd: simdActive(), phases, collected: [...collected].sort() }));
    `], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { simd: boolean; phases: number[]; collected: number[] };
    expect(out.simd).toBe(true);
    // Node's clock is fine: buffer 0 decided, buffer 1 still learning when dropped.
    expect([0, 16]).toContain(out.phases[0]);
    expect(out.phases[1]).toBe(-1);
    expect(out.collected).toEqual([0, 1]);
  });

  it('decode chunks right while the module memory grows between calls and encoders use it', () => {
    const data = randomBytes(3 << 20, 5);
    // Make the data compressible in places so every path (codec streams, raw streams) runs.
    for (let i = 0; i < data.length; i += 3) data[i] = i & 0xf0;
    const cases = [
      { codec: 'lz4', shuffle: 'shuffle', typesize: 8, blocksize: 16 << 10 },
      { codec: 'blosclz', shuffle: 'bitshuffle', typesize: 4, blocksize: 1 << 20 },
      { codec: 'zstd', clevel: 1, shuffle: 'shuffle', typesize: 4, blocksize: 4 << 20 },
      { codec: 'lz4', shuffle: 'bitshuffle', typesize: 2, blocksize: 64 << 10 },
    ] as const;
    const chunks = cases.map((c) => compressChunk(data, resolveCParams(c)));
    // Small blocks, then ever larger ones (growing the memory), then small again, with
    // bitshuffle encodes (which write the same region) in between.
    for (const k of [0, 1, 2, 0, 3, 1, 0]) {
      expectBytes(decompressChunk(chunks[k]!), data, `case ${k}`);
      compressChunk(data.subarray(0, 1 << 20), resolveCParams({ codec: 'lz4', shuffle: 'bitshuffle', typesize: 8 }));
    }
  });
});
