/**
 * The command line streams frames and arrays: `compress IN OUT.b2frame` writes each chunk
 * as it is made, `decompress` decodes chunk by chunk, `.npy` ↔ `.b2nd` go a slab of chunk
 * rows at a time. The bytes are the in-memory path's (`SChunk.toFrame()`,
 * `NDArray.toFrame()`, `NDArray.toNpy()`); a failure leaves no output file and names the
 * user's file. Run as a user runs it (the built `dist/cli/main.js`).
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CFrame, DEFAULT_CACHE_SIZES, NDArray, SChunk, writeNpy, type CompressOptions } from '../../src/index.js';
import { OutputFile } from '../../src/cli/files.js';
import { npyFileToB2nd, readNpyHeader } from '../../src/cli/ndarray.js';
import { firstDifference, mulberry32, ROOT, mulberry32Uint32 } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-stream-'));
afterAll(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});
const p = (name: string): string => join(dir, name);

interface Run { status: number | null; stdout: string; stderr: string }

/**
 * Run a child process without blocking this one: a test runner whose event loop stalls for
 * the length of a large command misses its own heartbeats.
 */
function run(argv: string[]): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, argv, { cwd: dir, timeout: 240_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

const cli = (...args: string[]): Promise<Run> => run([CLI, ...args]);

const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
const leftovers = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Chunks of zeros (special chunks), of a ramp, and of noise, drawn from `seed`. */
function mixedData(n: number, seed: number, chunksize: number): Uint8Array {
  const r = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += chunksize) {
    const kind = Math.floor(r() * 3);
    if (kind === 0) continue;
    const end = Math.min(n, at + chunksize);
    for (let i = at; i < end; i++) out[i] = kind === 1 ? (i >> 4) & 0xff : Math.floor(r() * 16);
  }
  return out;
}

describe('compress IN OUT.b2frame streams chunk by chunk', () => {
  const cases: Array<{ name: string; n: number; cs: number; args: string[]; cparams: CompressOptions; typesize: number }> = [
    { name: 'defaults, a partial last chunk', n: 1_000_003, cs: 1 << 16, args: [], cparams: {}, typesize: 1 },
    { name: 'lz4 typesize 8, zero chunks', n: 8 * 150_000, cs: 1 << 17, args: ['--codec', 'lz4', '--typesize', '8'], cparams: { codec: 'lz4', typesize: 8 }, typesize: 8 },
    { name: 'zstd on 2 workers', n: 3_000_000, cs: 1 << 18, args: ['--codec', 'zstd', '--clevel', '3', '--typesize', '4', '--nthreads', '2'], cparams: { codec: 'zstd', clevel: 3, typesize: 4, nthreads: 2 }, typesize: 4 },
    { name: 'blocks of 4 MiB chunks on 2 workers', n: 10_000_000, cs: 4 << 20, args: ['--codec', 'lz4', '--typesize', '8', '--nthreads', '2'], cparams: { codec: 'lz4', typesize: 8, nthreads: 2 }, typesize: 8 },
    { name: 'input smaller than one chunk', n: 1000, cs: 1 << 20, args: ['--typesize', '2'], cparams: { typesize: 2 }, typesize: 2 },
    { name: 'all zeros (one repeated offset)', n: 5 << 16, cs: 1 << 16, args: [], cparams: {}, typesize: 1 },
  ];
  for (const [k, c] of cases.entries()) {
    it(`writes SChunk.toFrame()'s bytes and decompresses back: ${c.name}`, async () => {
      const data = c.name.startsWith('all zeros') ? new Uint8Array(c.n) : mixedData(c.n, 17 + k, c.cs);
      writeFileSync(p(`in${k}.bin`), data);
      const r = await cli('compress', `in${k}.bin`, `out${k}.b2frame`, '--chunksize', String(c.cs), ...c.args);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const expected = SChunk.fromData(data, { chunksize: c.cs, typesize: c.typesize, cparams: c.cparams }).toFrame();
      expect(firstDifference(read(p(`out${k}.b2frame`)), expected)).toBe('equal');
      for (const threads of ['1', '2']) {
        const d = await cli('decompress', `out${k}.b2frame`, `back${k}.bin`, '--nthreads', threads);
        expect(d.stderr).toBe('');
        expect(d.status).toBe(0);
        expect(firstDifference(read(p(`back${k}.bin`)), data)).toBe('equal');
      }
    });
  }

  it('an empty input is an empty frame', async () => {
    writeFileSync(p('empty.bin'), new Uint8Array(0));
    expect((await cli('compress', 'empty.bin', 'empty.b2frame', '--chunksize', '64K')).status).toBe(0);
    expect(firstDifference(read(p('empty.b2frame')), new SChunk({ chunksize: 65536, typesize: 1, cparams: {} }).toFrame())).toBe('equal');
    expect((await cli('decompress', 'empty.b2frame', 'empty.out')).status).toBe(0);
    expect(read(p('empty.out')).length).toBe(0);
  });

  it('refuses --chunksize 0 with a usage error', async () => {
    writeFileSync(p('small.bin'), new Uint8Array(100));
    const r = await cli('compress', 'small.bin', 'zero.b2frame', '--chunksize', '0');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--chunksize must be at least one byte');
    expect(existsSync(p('zero.b2frame'))).toBe(false);
  });
});

describe('.npy ↔ .b2nd a slab of chunk rows at a time', () => {
  const cases: Array<{ name: string; dtype: string; itemsize: number; shape: number[]; args: string[]; options: CompressOptions & { chunks?: number[]; blocks?: number[] } }> = [
    { name: '2-d f8 with edge chunks', dtype: '<f8', itemsize: 8, shape: [1000, 333], args: ['--chunks', '128,100', '--blocks', '32,25'], options: { chunks: [128, 100], blocks: [32, 25] } },
    { name: '3-d i2, default shapes', dtype: '<i2', itemsize: 2, shape: [70, 60, 50], args: [], options: {} },
    { name: '1-d u1, lz4', dtype: '|u1', itemsize: 1, shape: [1_000_001], args: ['--codec', 'lz4', '--chunks', '65536'], options: { codec: 'lz4', chunks: [65536] } },
    { name: '2-d f4 on 2 workers', dtype: '<f4', itemsize: 4, shape: [600, 700], args: ['--nthreads', '2', '--chunks', '100,700', '--blocks', '10,700'], options: { nthreads: 2, chunks: [100, 700], blocks: [10, 700] } },
    { name: 'chunks larger than the array', dtype: '>i4', itemsize: 4, shape: [50, 40], args: ['--chunks', '64,64', '--blocks', '16,16'], options: { chunks: [64, 64], blocks: [16, 16] } },
  ];
  for (const [k, c] of cases.entries()) {
    it(`writes NDArray.toFrame()'s bytes and reads back toNpy()'s: ${c.name}`, async () => {
      const n = c.shape.reduce((a, b) => a * b, 1);
      // Zero rows (whole zero chunks) among a ramp and noise.
      const data = mixedData(n * c.itemsize, 101 + k, 4096);
      const npy = writeNpy({ dtype: c.dtype, shape: c.shape, data });
      writeFileSync(p(`a${k}.npy`), npy);
      const r = await cli('compress', `a${k}.npy`, `a${k}.b2nd`, ...c.args);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const expected = NDArray.fromNpy(npy, c.options).toFrame();
      expect(firstDifference(read(p(`a${k}.b2nd`)), expected)).toBe('equal');
      for (const threads of ['1', '2']) {
        const back = await cli('decompress', `a${k}.b2nd`, `b${k}.npy`, '--nthreads', threads);
        expect(back.stderr).toBe('');
        expect(back.status).toBe(0);
        expect(firstDifference(read(p(`b${k}.npy`)), npy)).toBe('equal');
        expect((await cli('decompress', `a${k}.b2nd`, `b${k}.raw`, '--nthreads', threads)).status).toBe(0);
        expect(firstDifference(read(p(`b${k}.raw`)), data)).toBe('equal');
      }
    });
  }

  it('--tune: the writer tunes on the first chunk as the super-chunk does (the same bytes)', async () => {
    const data = mixedData(300 * 400 * 4, 77, 4096);
    const npy = writeNpy({ dtype: '<i4', shape: [300, 400], data });
    writeFileSync(p('t.npy'), npy);
    // The command runs (its tuner times candidates, so its choice may vary with the load).
    const r = await cli('compress', 't.npy', 't.b2nd', '--tune', 'ratio', '--chunks', '50,400', '--blocks', '10,400');
    expect(r.status, r.stderr).toBe(0);
    expect(NDArray.open(read(p('t.b2nd'))).toArray().data).toEqual(data);
    // The streaming path with the tuner's timing-free mode: exactly NDArray.fromNpy's bytes.
    const tune = { goal: 'ratio', mode: 'deterministic' } as const;
    const fd = openSync(p('t.npy'), 'r');
    const header = readNpyHeader(p('t.npy'), fd, npy.length);
    closeSync(fd);
    const out = OutputFile.create(p('td.b2nd'));
    await npyFileToB2nd(p('t.npy'), npy.length, header, [50, 400], [10, 400], DEFAULT_CACHE_SIZES, { tune }, out, undefined);
    out.commit();
    const expected = NDArray.fromNpy(npy, { tune, chunks: [50, 400], blocks: [10, 400] }).toFrame();
    expect(firstDifference(read(p('td.b2nd')), expected)).toBe('equal');
    // The tuner chose something else than the defaults: the tuned path was taken.
    expect(firstDifference(expected, NDArray.fromNpy(npy, { chunks: [50, 400], blocks: [10, 400] }).toFrame())).not.toBe('equal');
  });

  it('a Fortran-order .npy is still written whole, with the same bytes', async () => {
    const f = new Float64Array(30 * 20).map((_, i) => i % 7);
    const c = writeNpy({ dtype: '<f8', shape: [30, 20], data: new Uint8Array(f.buffer) });
    // Mark the header Fortran order; the data is then read as the transpose.
    const text = new TextDecoder('latin1').decode(c).replace("'fortran_order': False", "'fortran_order': True ");
    const fortran = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    writeFileSync(p('f.npy'), fortran);
    expect((await cli('compress', 'f.npy', 'f.b2nd', '--chunks', '8,8')).status).toBe(0);
    expect(firstDifference(read(p('f.b2nd')), NDArray.fromNpy(fortran, { chunks: [8, 8] }).toFrame())).toBe('equal');
  });

  it('a .npy shorter than its header says: an error naming it, and no output', async () => {
    const npy = writeNpy({ dtype: '<f8', shape: [500, 100], data: mixedData(500 * 100 * 8, 3, 4096) });
    writeFileSync(p('short.npy'), npy.subarray(0, npy.length - 5000));
    const r = await cli('compress', 'short.npy', 'short.b2nd', '--chunks', '100,100');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot compress 'short.npy'");
    expect(r.stderr).toContain('needs 400000');
    expect(existsSync(p('short.b2nd'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});

describe('failures leave no output and name the user\'s file', () => {
  it('an output in a directory that cannot be written', async () => {
    const data = mixedData(300_000, 5, 1 << 16);
    writeFileSync(p('w.bin'), data);
    mkdirSync(p('locked'));
    chmodSync(p('locked'), 0o500);
    try {
      const r = await cli('compress', 'w.bin', join('locked', 'o.b2frame'), '--chunksize', '64K');
      // Root writes anywhere: then the command succeeds, and the test says nothing.
      if (process.getuid?.() !== 0) {
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`cannot write '${join('locked', 'o.b2frame')}'`);
        expect(r.stderr).not.toContain('.tmp');
        expect(readdirSync(p('locked'))).toEqual([]);
      }
    } finally {
      chmodSync(p('locked'), 0o700);
    }
  });

  it('a truncated frame: decompress fails naming it and writes nothing', async () => {
    const data = mixedData(600_000, 9, 1 << 16);
    writeFileSync(p('t.bin'), data);
    expect((await cli('compress', 't.bin', 't.b2frame', '--chunksize', '64K')).status).toBe(0);
    const whole = read(p('t.b2frame'));
    // The trailer and index intact, a chunk in the middle cut: the frame's own size check fails.
    writeFileSync(p('cut.b2frame'), whole.subarray(0, whole.length - 1000));
    const r = await cli('decompress', 'cut.b2frame', 'cut.out');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot decompress 'cut.b2frame'");
    expect(existsSync(p('cut.out'))).toBe(false);
    expect(leftovers()).toEqual([]);
    // A chunk's bytes damaged midway: found when that chunk is decoded, after others were written.
    const bad = whole.slice();
    const frame = CFrame.open(whole);
    const loc = frame.chunkLocation(frame.nchunks - 2);
    if (loc.kind !== 'data') throw new Error('the chunk before the last is a data chunk');
    // Its nbytes and blocksize made absurd: the header no longer matches the frame.
    bad.fill(0xff, loc.offset + 4, loc.offset + 12);
    writeFileSync(p('bad.b2frame'), bad);
    const b = await cli('decompress', 'bad.b2frame', 'bad.out');
    expect(b.status).toBe(1);
    expect(b.stderr).toContain("cannot decompress 'bad.b2frame'");
    expect(existsSync(p('bad.out'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});

describe('bounded memory', () => {
  const SIZE = 384 << 20;
  it(`compresses and decompresses a ${SIZE >> 20} MiB file with --chunksize 8M, and a ${SIZE >> 20} MiB .npy in 8 MiB chunks, peak RSS far below their size`, async () => {
    // Every other 32-bit word random, the rest zero: the frame is about as large as the file
    // (the old in-memory path held it whole), and it is quick to make and to compress.
    const input = p('big.bin');
    // SIZE bytes of those words (the tests' PRNG from a fixed seed) appended to the open file `fd`.
    const writeWords = (fd: number): void => {
      const words = new Uint32Array(1 << 18);
      const next = mulberry32Uint32(2463534242);
      for (let i = 0; i < SIZE / (words.length * 4); i++) {
        for (let j = 1; j < words.length; j += 2) {
          words[j] = next();
        }
        writeSync(fd, new Uint8Array(words.buffer));
      }
    };
    const out = openSync(input, 'w');
    writeWords(out);
    closeSync(out);
    // The peak of the command's own memory: Linux's VmHWM (a child's ru_maxrss starts from
    // its parent's size at fork, this test runner's), else the portable maxRSS.
    const preload = p('rss.mjs');
    writeFileSync(preload, [
      "import { readFileSync } from 'node:fs';",
      'process.on(\'exit\', () => {',
      '  let peak = process.resourceUsage().maxRSS * 1024;',
      "  try { peak = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024; } catch { /* not Linux */ }",
      '  process.stderr.write(`maxRSS ${peak}\\n`);',
      '});',
    ].join('\n'));
    const measured = async (...args: string[]): Promise<number> => {
      const r = await run(['--import', preload, CLI, ...args, '--no-progress']);
      const m = /^maxRSS (\d+)\n$/.exec(r.stderr);
      expect(r.stderr).toMatch(/^maxRSS \d+\n$/);
      expect(r.status).toBe(0);
      return Number(m![1]);
    };
    const compressRss = await measured('compress', 'big.bin', 'big.b2frame', '--chunksize', '8M', '--codec', 'lz4', '--typesize', '4');
    expect(statSync(p('big.b2frame')).size).toBeGreaterThan(SIZE / 2);
    rmSync(input);
    const decompressRss = await measured('decompress', 'big.b2frame', 'big.out');
    expect(statSync(p('big.out')).size).toBe(SIZE);
    // Spot checks of the round trip (the whole file is not read back into this process).
    const fd = openSync(p('big.out'), 'r');
    const probe = new Uint8Array(16);
    readSync(fd, probe, 0, 16, SIZE - 16);
    closeSync(fd);
    expect(probe[0]).toBe(0);
    expect(probe.subarray(4, 8).some((b) => b !== 0)).toBe(true);
    rmSync(p('big.out'));
    rmSync(p('big.b2frame'));
    expect(compressRss).toBeLessThan(SIZE / 2);
    expect(decompressRss).toBeLessThan(SIZE / 2);

    // The same bytes as a 49152 × 1024 float64 .npy: to .b2nd in 8 MiB chunk rows, and back.
    const npyOut = openSync(p('big.npy'), 'w');
    writeSync(npyOut, writeNpy({ dtype: '<f8', shape: [SIZE / 8192, 1024], data: new Uint8Array(0) }));
    writeWords(npyOut);
    closeSync(npyOut);
    const toB2ndRss = await measured('compress', 'big.npy', 'big.b2nd', '--chunks', '1024,1024', '--codec', 'lz4');
    expect(statSync(p('big.b2nd')).size).toBeGreaterThan(SIZE / 2);
    rmSync(p('big.npy'));
    const toNpyRss = await measured('decompress', 'big.b2nd', 'back.npy');
    expect(statSync(p('back.npy')).size).toBeGreaterThan(SIZE);
    rmSync(p('back.npy'));
    rmSync(p('big.b2nd'));
    expect(toB2ndRss).toBeLessThan(SIZE / 2);
    expect(toNpyRss).toBeLessThan(SIZE / 2);
  }, 300_000);
});
