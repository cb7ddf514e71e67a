/**
 * Small chunks whose headers claim far more than their bytes can produce, allocation
 * failures, and the scratch the decoder keeps between calls: nothing is allocated that the
 * input does not justify, a failed allocation is BloscError(MemoryAlloc), and one large
 * chunk does not pin its block-sized scratch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode, compress, compressAsync, decompress, getItems } from '../../src/index.js';
import { writeChunkHeader } from '../../src/frame/chunk-header.js';
import { decoderRetainedBytes, RETAINED_SCRATCH_MAX } from '../../src/chunk/decompress.js';
import { encoderRetainedBytes } from '../../src/chunk/compress.js';
import { zstdDecompress } from '../../src/codecs/index.js';
import { zstdMaxDecodedSize } from '../../src/codecs/zstd/frame.js';
import { ROOT } from '../helpers.js';
import { codeOf } from './helpers.js';
import { heapBytes, PAGE, WINDOW_AT } from '../../src/wasm/heap.js';

/** A zstd frame of `n` bytes: no declared size, one raw last block of n - 9 bytes. */
function rawZstdFrame(n: number): Uint8Array {
  const f = new Uint8Array(n);
  f.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00]);
  const size = n - 9;
  const bh = (size << 3) | 1; // raw block, last
  f[6] = bh & 0xff;
  f[7] = (bh >>> 8) & 0xff;
  f[8] = (bh >>> 16) & 0xff;
  for (let i = 9; i < n; i++) f[i] = (i * 31) & 0xff;
  return f;
}

/** c-blosc2's largest blocksize (`BLOSC2_MAXBLOCKSIZE`). */
const MAX_BLOCKSIZE = 536866816;

/**
 * The 286-byte chunk of the report: zstd, no filters, unsplit, nbytes 1 GiB in blocks of
 * the largest blocksize (two full ones and an 8 KiB leftover), each block one small zstd frame.
 */
function lyingZstdChunk(): Uint8Array {
  const nbytes = 2 ** 30;
  const frames = [rawZstdFrame(76), rawZstdFrame(76), rawZstdFrame(78)];
  const cbytes = 32 + 4 * frames.length + frames.reduce((n, f) => n + 4 + f.length, 0);
  const c = new Uint8Array(cbytes);
  writeChunkHeader(c, 0, {
    version: 5,
    versionlz: 1,
    flags: 0x05 | 0x10 | (4 << 5), // extended header, dont_split, zstd
    typesize: 4,
    nbytes,
    blocksize: MAX_BLOCKSIZE,
    cbytes,
    extended: { filters: [0, 0, 0, 0, 0, 0], filtersMeta: [0, 0, 0, 0, 0, 0], udcompcode: 5, compcodeMeta: 0, blosc2Flags2: 0, blosc2Flags: 0 },
  });
  const dv = new DataView(c.buffer);
  let pos = 32 + 4 * frames.length;
  frames.forEach((frame, j) => {
    dv.setInt32(32 + 4 * j, pos, true);
    dv.setInt32(pos, frame.length, true);
    c.set(frame, pos + 4);
    pos += 4 + frame.length;
  });
  return c;
}

/** A valid chunk of zeros from run streams (csize 0): shuffle, `nblocks` blocks; 48 bytes for two. */
function zeroRunChunk(nbytes: number, nblocks = 2): Uint8Array {
  const cbytes = 32 + 8 * nblocks;
  const c = new Uint8Array(cbytes);
  writeChunkHeader(c, 0, {
    version: 5,
    versionlz: 1,
    flags: 0x05 | 0x10 | (4 << 5),
    typesize: 8,
    nbytes,
    blocksize: nbytes / nblocks,
    cbytes,
    extended: { filters: [0, 0, 0, 0, 0, 1], filtersMeta: [0, 0, 0, 0, 0, 0], udcompcode: 5, compcodeMeta: 0, blosc2Flags2: 0, blosc2Flags: 0 },
  });
  const dv = new DataView(c.buffer);
  for (let j = 0; j < nblocks; j++) dv.setInt32(32 + 4 * j, 32 + 4 * nblocks + 4 * j, true);
  return c;
}


describe('expansion bounds', () => {
  it('the 286-byte zstd chunk claiming 1 GiB is refused by its layout, before any output or scratch', () => {
    const c = lyingZstdChunk();
    expect(c.length).toBe(286);
    expect(codeOf(() => decompress(c))).toBe(BloscErrorCode.InvalidHeader);
    expect(codeOf(() => getItems(c, 0, 1))).toBe(BloscErrorCode.InvalidHeader);
    expect(() => decompress(c)).toThrow(/block 0: its streams cannot hold 536866816 bytes/);
    expect(decoderRetainedBytes()).toBeLessThanOrEqual(RETAINED_SCRATCH_MAX);
  });

  it('zstd bound: an RLE block of 4 bytes per 128 KiB, after a 6-byte frame header', () => {
    expect(zstdMaxDecodedSize(9)).toBe(0);
    expect(zstdMaxDecodedSize(10)).toBe(131072);
    expect(zstdMaxDecodedSize(119)).toBe(28 * 131072);
    // The bound is reached: a frame of RLE blocks decodes to exactly it.
    const nblocks = 5;
    const f = new Uint8Array(6 + 4 * nblocks);
    f.set([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38]); // window 2^(10+7) = 128 KiB
    for (let b = 0; b < nblocks; b++) {
      const bh = (131072 << 3) | (1 << 1) | (b === nblocks - 1 ? 1 : 0);
      f.set([bh & 0xff, (bh >>> 8) & 0xff, (bh >>> 16) & 0xff, 7], 6 + 4 * b);
    }
    const out = zstdDecompress(f);
    expect(out.length).toBe(zstdMaxDecodedSize(f.length));
    expect(out.every((v) => v === 7)).toBe(true);
  });

  it('a zstd frame declaring more than its bytes can hold is refused before its output is allocated', () => {
    const f = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x40, 0x01, 0, 0, 0x01]); // single segment, 4-byte size 1 GiB
    expect(codeOf(() => zstdDecompress(f))).toBe(BloscErrorCode.Data);
  });

  it('streams that legitimately expand (zero runs) still decode', () => {
    const c = zeroRunChunk(1 << 20);
    expect(c.length).toBe(48);
    const out = decompress(c);
    expect(out.length).toBe(1 << 20);
    expect(out.every((v) => v === 0)).toBe(true);
  });
});

describe('retention', () => {
  it('after a large decode, then a small one, the decoder keeps at most RETAINED_SCRATCH_MAX', () => {
    const big = zeroRunChunk(64 << 20); // 32 MiB blocks, one shuffle: 32 MiB of scratch during the call
    expect(decompress(big).length).toBe(64 << 20);
    expect(decoderRetainedBytes()).toBeLessThanOrEqual(RETAINED_SCRATCH_MAX);
    expect(getItems(big, 3, 5).length).toBe(40);
    expect(decoderRetainedBytes()).toBeLessThanOrEqual(RETAINED_SCRATCH_MAX);
    const small = compress(new Float64Array(4096).map((_, i) => i), { codec: 'zstd', shuffle: 'shuffle' });
    expect(new Float64Array(decompress(small).buffer)[4095]).toBe(4095);
    expect(decoderRetainedBytes()).toBeLessThanOrEqual(RETAINED_SCRATCH_MAX);
  });

  it('the shared WebAssembly memory stays bounded however large the blocks and frames', () => {
    const data = new Float64Array(4 << 20).map((_, i) => Math.round(i / 3));
    const c = compress(data, { codec: 'zstd', clevel: 1, typesize: 8, shuffle: 'shuffle', blocksize: 16 << 20 });
    expect(new Float64Array(decompress(c).buffer)[12345]).toBe(4115);
    expect(getItems(c, 3_000_000, 2).length).toBe(16);
    // Planes up to 8 MiB and zstd frames up to 16 MiB go there, nothing larger.
    expect(heapBytes().length).toBeGreaterThan(0);
    expect(heapBytes().length).toBeLessThanOrEqual(WINDOW_AT + (16 << 20) + 64 + PAGE);
  });

  it('the encoder drops block scratch past RETAINED_SCRATCH_MAX too', () => {
    const data = new Uint8Array(40 << 20);
    const c = compress(data, { codec: 'lz4', clevel: 1, typesize: 8, shuffle: 'shuffle', blocksize: 16 << 20 });
    expect(decompress(c).length).toBe(data.length);
    expect(encoderRetainedBytes()).toBeLessThanOrEqual(2 * RETAINED_SCRATCH_MAX);
  });
});

describe('compress refuses what is not bytes', () => {
  it('strings, arrays, numbers and null are InvalidParam, synchronously and asynchronously', async () => {
    for (const bad of ['str', [1, 2, 3], 42, null, undefined, { length: 3 }]) {
      expect(codeOf(() => compress(bad as unknown as Uint8Array))).toBe(BloscErrorCode.InvalidParam);
      const r = await compressAsync(bad as unknown as Uint8Array).then(() => 'no error', (e: unknown) => (e instanceof BloscError ? e.code : String(e)));
      expect(r).toBe(BloscErrorCode.InvalidParam);
    }
  });

  it('typed arrays, DataViews and ArrayBuffers are still accepted', () => {
    const f = new Float32Array([1, 2, 3, 4]);
    for (const src of [f, new DataView(f.buffer), f.buffer, new Uint8Array(f.buffer)]) {
      expect(decompress(compress(src))).toEqual(new Uint8Array(f.buffer));
    }
  });
});

const DIST = join(ROOT, 'dist', 'index.js');

/**
 * Run `body` in a child Node under `ulimit -v` (2 GB of address space: a 768 MiB buffer is
 * granted, 1 GiB is not) and return what it prints.
 */
function underAddressLimit(body: string): string {
  const script = `import * as b from ${JSON.stringify(DIST)};
const out = {};
function run(name, fn) {
  try { const r = fn(); out[name] = 'ok ' + r.length; }
  catch (e) { out[name] = e instanceof b.BloscError ? 'BloscError ' + e.code : e.constructor.name + ': ' + e.message; }
}
${body}
console.log(JSON.stringify(out));`;
  const r = spawnSync('sh', ['-c', 'ulimit -v 2000000 && exec "$0" --input-type=module -e "$1"', process.execPath, script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').pop()!;
}

describe.skipIf(process.platform === 'win32')('allocation failures are BloscError(MemoryAlloc), in a child under ulimit -v', () => {
  it('needs dist/ (npm test builds it)', () => {
    expect(existsSync(DIST), 'run `npx tsc -p tsconfig.build.json` first').toBe(true);
  });

  it('decompress, getItems and compress of large legitimate sizes', () => {
    const out = JSON.parse(underAddressLimit(`
const zeros = b.compressZeros(1536 * 2 ** 20, { typesize: 8 });
run('decompress', () => b.decompress(zeros, undefined, { maxNbytes: 2 ** 31 }));
run('getItems', () => b.getItems(zeros, 0, 192 * 2 ** 20, { maxNbytes: 2 ** 31 }));
const runs = ${JSON.stringify(Array.from(zeroRunChunk(1536 << 20, 4)))};
run('decompressRuns', () => b.decompress(new Uint8Array(runs), undefined, { maxNbytes: 2 ** 31 }));
run('small', () => b.decompress(b.compress(new Uint8Array(1000))));
const input = new Uint8Array(700 * 2 ** 20);
// Stored (clevel 0), the chunk needs input + header bytes at once; all zeros, it needs a
// header (its output grows with the chunk, which here is 32 bytes).
run('compress', () => b.compress(input, { codec: 'lz4', clevel: 0 }));
run('compressZeros', () => b.compress(input, { codec: 'lz4' }));
`)) as Record<string, string>;
    expect(out).toEqual({
      decompress: 'BloscError -4',
      getItems: 'BloscError -4',
      decompressRuns: 'BloscError -4',
      small: 'ok 1000',
      compress: 'BloscError -4',
      compressZeros: 'ok 32',
    });
  });

  it('the 286-byte chunk fails on its header, not on an allocation', () => {
    const out = JSON.parse(underAddressLimit(`
const c = new Uint8Array(${JSON.stringify(Array.from(lyingZstdChunk()))});
run('decompress', () => b.decompress(c, undefined, { maxNbytes: 2 ** 31 }));
run('getItems', () => b.getItems(c, 0, 1, { maxNbytes: 2 ** 31 }));
`)) as Record<string, string>;
    expect(out).toEqual({ decompress: `BloscError ${BloscErrorCode.InvalidHeader}`, getItems: `BloscError ${BloscErrorCode.InvalidHeader}` });
  });
});
