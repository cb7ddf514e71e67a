/**
 * The command line's edges, run as a user runs it (the built `dist/cli/main.js`): help and
 * version, one-line usage errors, file errors naming the file and the operation, inputs
 * recognised by content, sparse frames, .b2nd to raw bytes, size suffixes, --nthreads on
 * workers, frame info summaries, the progress bar, and cache sizes for .b2nd shapes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compress, compressNaNs, compressRepeatValue, compressUninit, compressZeros, computeChunksBlocks, DEFAULT_CACHE_SIZES, NDArray, parseNpy, SChunk, writeNpy,
} from '../../src/index.js';
import { writeSparseFrame } from '../../src/node.js';
import { packBytes } from '../../src/bloscpack/index.js';
import { bytesEqual, FIXTURES, pythonReference, ROOT, runPython, sha256 } from '../helpers.js';
import { ND_DIR } from '../ndarray/fixture-files.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-cli-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

interface Run { status: number | null; stdout: string; stderr: string }

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI with a preload that counts the worker threads started (Node's 'worker_threads' diagnostics channel). */
function cliCountingWorkers(...args: string[]): Run & { workers: number } {
  const preload = p('count-workers.mjs');
  writeFileSync(preload, [
    "import dc from 'node:diagnostics_channel';",
    'let n = 0;',
    "dc.subscribe('worker_threads', () => { n++; });",
    "process.on('exit', () => process.stderr.write(`workers started: ${n}\\n`));",
  ].join('\n'));
  const r = spawnSync(process.execPath, ['--import', preload, CLI, ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  const m = /workers started: (\d+)\n$/.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, workers: m === null ? -1 : Number(m[1]) };
}

const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
const tempFiles = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Smooth float64 data: compressible, with structure the shuffle finds. */
function smooth(n: number): Uint8Array {
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.round(Math.sin(i / 1000) * 1000);
  return new Uint8Array(f.buffer);
}

const COMMANDS = ['info', 'bench', 'decompress', 'compress', 'pack', 'unpack', 'append', 'verify', 'inspect'];

describe('help and version', () => {
  it('--version and -V print the version of package.json', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = cli(flag);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`blosc-ts ${version}\n`);
    }
  });

  it('--help, -h and help print the list of commands', () => {
    const outs = ['--help', '-h', 'help'].map((a) => cli(a));
    for (const r of outs) {
      expect(r.status).toBe(0);
      for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c} `);
      expect(r.stdout).toContain('K, KB, KiB all mean 1024');
    }
    expect(outs[1]!.stdout).toBe(outs[0]!.stdout);
    expect(outs[2]!.stdout).toBe(outs[0]!.stdout);
  });

  it.each(COMMANDS)("'help %s', '%s --help' and '%s -h' print that command's own usage", (c) => {
    const a = cli('help', c);
    const b = cli(c, '--help');
    const h = cli(c, '-h');
    expect([a.status, b.status, h.status]).toEqual([0, 0, 0]);
    expect(a.stdout.startsWith(`usage: blosc-ts ${c} `)).toBe(true);
    expect(b.stdout).toBe(a.stdout);
    expect(h.stdout).toBe(a.stdout);
    // Its own options, not the whole list of commands.
    for (const other of COMMANDS.filter((x) => x !== c)) expect(a.stdout).not.toContain(`blosc-ts ${other} `);
  });

  it('help of an unknown command is a usage error', () => {
    const r = cli('help', 'frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("blosc-ts: no command 'frobnicate'\nsee 'blosc-ts --help'\n");
  });
});

describe('usage errors: one line, then where the help is', () => {
  writeFileSync(p('small.bin'), new Uint8Array(1000));
  const cases: Array<[string[], string, string]> = [
    [[], 'blosc-ts: no command given', 'blosc-ts'],
    [['frobnicate'], "blosc-ts: unknown command 'frobnicate'", 'blosc-ts'],
    [['info'], 'blosc-ts info: info takes FILE, got nothing', 'blosc-ts info'],
    [['compress', 'small.bin', 'o', '--clevel', 'x'], "blosc-ts compress: --clevel takes an integer, got 'x'", 'blosc-ts compress'],
    [['compress', 'small.bin', 'o', '--bogus'], 'blosc-ts compress: unknown option --bogus', 'blosc-ts compress'],
    [['compress', 'small.bin', 'o', '--chunksize', '4Q'], "blosc-ts compress: --chunksize takes a size (bytes, or with a suffix: 64K, 4M, 1G), got '4Q'", 'blosc-ts compress'],
    [['decompress', 'small.bin', 'o', '--nthreads'], 'blosc-ts decompress: --nthreads needs a value (N)', 'blosc-ts decompress'],
    [['info', 'small.bin', '--json=1'], 'blosc-ts info: --json takes no value', 'blosc-ts info'],
  ];
  it.each(cases)('%j', (args, line, where) => {
    const r = cli(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\nsee '${where} --help'\n`);
  });
});

describe('file errors name the file and the operation', () => {
  it('a directory that is not a sparse frame', () => {
    mkdirSync(p('adir'), { recursive: true });
    const r = cli('compress', 'adir', 'out.bl');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^blosc-ts: cannot read 'adir': is a directory/);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(p('out.bl'))).toBe(false);
    expect(cli('info', 'adir').stderr).toMatch(/^blosc-ts: cannot read 'adir': is a directory/);
  });

  it('a missing input', () => {
    const r = cli('decompress', 'missing.bl', 'out.bin');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("blosc-ts: cannot read 'missing.bl': no such file or directory\n");
  });

  it('an unwritable output names the path given, never a temporary name', () => {
    writeFileSync(p('afile'), 'x');
    for (const out of ['afile/out.bl', 'nodir/out.bl']) {
      const r = cli('compress', 'small.bin', out);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^blosc-ts: cannot write '${out}': (a part of the path is not a directory|no such file or directory)\\n$`));
      expect(r.stderr).not.toContain('tmp');
    }
    const blp = cli('pack', 'small.bin', 'afile/x.blp');
    expect(blp.stderr).toBe("blosc-ts: cannot write 'afile/x.blp': a part of the path is not a directory\n");
    expect(tempFiles()).toEqual([]);
  });

  it('bad content: the operation, the file and the error code', () => {
    writeFileSync(p('garbage.bin'), Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
    const r = cli('decompress', 'garbage.bin', 'out.bin');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^blosc-ts: cannot decompress 'garbage.bin': (InvalidHeader|ReadBuffer) \(-\d+\): /);
    expect(existsSync(p('out.bin'))).toBe(false);
    expect(cli('info', 'garbage.bin').stderr).toMatch(/^blosc-ts: cannot describe 'garbage.bin': /);
    expect(tempFiles()).toEqual([]);
  });
});

describe('inputs are recognised by content; a command that does not fit says which does', () => {
  const data = smooth(20_000);
  writeFileSync(p('x.blp'), packBytes(data, { chunkSize: 65536 }));
  copyFileSync(join(ND_DIR, 'f8.2d.edges.zstd.npy'), p('x.npy'));
  writeFileSync(p('x.b2frame'), SChunk.fromData(data, { chunksize: 40_000, typesize: 8 }).toFrame());

  it('decompress of a .blp points to unpack, of a .npy to compress (exit 2, nothing written)', () => {
    const blp = cli('decompress', 'x.blp', 'out');
    expect(blp.status).toBe(2);
    expect(blp.stderr).toBe("blosc-ts decompress: x.blp is a bloscpack file: use 'blosc-ts unpack'\nsee 'blosc-ts decompress --help'\n");
    const npy = cli('decompress', 'x.npy', 'out');
    expect(npy.status).toBe(2);
    expect(npy.stderr.split('\n')[0]).toMatch(/^blosc-ts decompress: x\.npy is a \.npy file.*: use 'blosc-ts compress'$/);
    expect(existsSync(p('out'))).toBe(false);
  });

  it('unpack of a frame points to decompress; of anything else says it is no bloscpack file', () => {
    const r = cli('unpack', 'x.b2frame', 'out');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("blosc-ts unpack: x.b2frame is a Blosc2 frame: use 'blosc-ts decompress'");
    expect(cli('verify', 'small.bin').stderr.split('\n')[0]).toBe("blosc-ts verify: small.bin is not a bloscpack file: it does not start with 'blpk'");
  });

  it('a frame that is no array cannot become .npy', () => {
    const r = cli('decompress', 'x.b2frame', 'out.npy');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain('x.b2frame is a Blosc2 frame, not a .b2nd array');
  });

  it('info goes by content, not by name', () => {
    copyFileSync(p('x.blp'), p('looks-like.b2nd'));
    copyFileSync(p('x.npy'), p('looks-like.bin'));
    copyFileSync(join(ND_DIR, 'u2.4d.b2nd'), p('array.data'));
    expect(cli('info', 'looks-like.b2nd').stdout).toMatch(/^looks-like\.b2nd: bloscpack format 3/);
    expect(cli('info', 'looks-like.bin').stdout).toMatch(/^looks-like\.bin: NumPy \.npy file/);
    expect(cli('info', 'array.data').stdout).toContain('NDArray (b2nd)');
    expect(cli('info', 'x.b2frame').stdout).toMatch(/^x\.b2frame: Blosc2 contiguous frame/);
    const kinds = ['looks-like.b2nd', 'looks-like.bin', 'array.data', 'x.b2frame'].map((f) => (JSON.parse(cli('info', f, '--json').stdout) as { kind: string }).kind);
    expect(kinds).toEqual(['bloscpack', 'npy', 'b2nd', 'frame']);
    writeFileSync(p('c.bl'), compress(smooth(1000)));
    expect((JSON.parse(cli('info', 'c.bl', '--json').stdout) as { kind: string }).kind).toBe('chunk');
  });
});

describe('sparse frames (directories)', () => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, 'frames', 'manifest.json'), 'utf8')) as {
    files: Array<{ path: string; kind: string; nchunks: number; decoded: { sha256: string } }>;
  };
  const entry = manifest.files.find((f) => f.kind === 'sframe')!;
  const sparseDir = join(FIXTURES, entry.path);

  it("info reads python-blosc2's sparse frame", () => {
    const r = cli('info', sparseDir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Blosc2 sparse frame');
    expect(r.stdout).toContain('chunks     6: 5 normal, 1 zeros');
    const j = JSON.parse(cli('info', sparseDir, '--json').stdout) as { sparse: boolean; nchunks: number; summary: { kinds: Record<string, number> } };
    expect(j.sparse).toBe(true);
    expect(j.nchunks).toBe(entry.nchunks);
    expect(j.summary.kinds).toMatchObject({ normal: 5, zeros: 1 });
  });

  it('compress and pack of a sparse frame point to decompress', () => {
    for (const c of ['compress', 'pack']) {
      const r = cli(c, sparseDir, 'never.out');
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`blosc-ts ${c}: ${sparseDir} is a sparse Blosc2 frame (a directory): use 'blosc-ts decompress'\nsee 'blosc-ts ${c} --help'\n`);
    }
    expect(existsSync(p('never.out'))).toBe(false);
  });

  it('its index file alone points to the directory', () => {
    const r = cli('info', join(sparseDir, 'chunks.b2frame'));
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`blosc-ts info: ${join(sparseDir, 'chunks.b2frame')} is the index of a sparse frame: give its directory, ${sparseDir}`);
  });

  it('decompress writes its whole content', () => {
    const r = cli('decompress', sparseDir, 'sparse.bin');
    expect(r.status, r.stderr).toBe(0);
    expect(sha256(read(p('sparse.bin')))).toBe(entry.decoded.sha256);
  });

  it('a sparse .b2nd: info shows the array, decompress writes .npy and raw bytes', () => {
    const npy = read(join(ND_DIR, 'f8.2d.edges.zstd.npy'));
    const arr = NDArray.fromNpy(npy, { chunks: [10, 8], blocks: [4, 3] });
    writeSparseFrame(arr.schunk, p('sparse-array'));
    const info = cli('info', 'sparse-array');
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('Blosc2 sparse frame');
    expect(info.stdout).toContain('shape    (37, 23)');
    expect(cli('decompress', 'sparse-array', 'sparse.npy').status).toBe(0);
    expect(bytesEqual(read(p('sparse.npy')), arr.toNpy())).toBe(true);
    expect(cli('decompress', 'sparse-array', 'sparse.raw').status).toBe(0);
    expect(bytesEqual(read(p('sparse.raw')), parseNpy(npy).data)).toBe(true);
  });
});

/** A 1000 × 1000 float64 array as square.npy (8 MB: chunks large enough for workers). */
{
  const values = new Float64Array(1000 * 1000);
  for (let i = 0; i < values.length; i++) values[i] = i % 977;
  writeFileSync(p('square.npy'), writeNpy({ dtype: '<f8', shape: [1000, 1000], data: new Uint8Array(values.buffer) }));
}

describe('.b2nd arrays', () => {
  it("decompress to a raw file writes the array's C-order bytes, not the padded chunks", () => {
    const file = join(ND_DIR, 'f8.2d.edges.zstd.b2nd');
    const r = cli('decompress', file, 'edges.raw');
    expect(r.status, r.stderr).toBe(0);
    const raw = read(p('edges.raw'));
    const expected = parseNpy(read(join(ND_DIR, 'f8.2d.edges.zstd.npy'))).data;
    expect(raw.length).toBe(37 * 23 * 8);
    expect(raw.length).toBeLessThan(NDArray.open(read(file)).schunk.nbytes);
    expect(bytesEqual(raw, expected)).toBe(true);
    // .npy output is numpy's file, as before.
    expect(cli('decompress', file, 'edges.npy').status).toBe(0);
    expect(sha256(read(p('edges.npy')))).toBe(sha256(read(join(ND_DIR, 'f8.2d.edges.zstd.npy'))));
  });

  it('compress to .b2nd from a non-.npy input is an error that says so', () => {
    const r = cli('compress', 'small.bin', 'made.b2nd');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^blosc-ts compress: small\.bin is not a \.npy file: a \.b2nd output .*needs? .*\.npy input|made from a \.npy input/);
    expect(existsSync(p('made.b2nd'))).toBe(false);
    const shape = cli('compress', 'small.bin', 'made.bl', '--chunks', '10');
    expect(shape.status).toBe(2);
    expect(shape.stderr.split('\n')[0]).toBe('blosc-ts compress: --chunks applies to .npy input only; small.bin is read as raw bytes');
  });

  it('--l1/--l2/--l3 give the cache sizes the default chunk and block shapes are computed for', () => {
    const r = cli('compress', 'square.npy', 'square.b2nd', '--l1', '48K', '--l2', '2M', '--l3', '32M');
    expect(r.status, r.stderr).toBe(0);
    const made = NDArray.open(read(p('square.b2nd')));
    // python-blosc2 4.14 on a machine with these caches: compute_chunks_blocks((1000, 1000), f8).
    expect([made.chunks, made.blocks]).toEqual([[1000, 1000], [20, 1000]]);
    const caches = { ...DEFAULT_CACHE_SIZES, l1DataCacheSize: 48 << 10, l2CacheSize: 2 << 20, l3CacheSize: 32 << 20 };
    expect(computeChunksBlocks([1000, 1000], 8, undefined, undefined, caches)).toEqual({ chunks: [1000, 1000], blocks: [20, 1000] });
    // The defaults differ, so the options were used.
    const d = cli('compress', 'square.npy', 'square-default.b2nd');
    expect(d.status).toBe(0);
    const def = NDArray.open(read(p('square-default.b2nd')));
    expect([def.chunks, def.blocks]).toEqual([[504, 1000], [8, 1000]]);
  });

  it.skipIf(!pythonReference().ok)('python-blosc2 computes the same shapes for those caches', () => {
    const out = runPython(['-c', [
      'import blosc2, numpy',
      'from blosc2.core import compute_chunks_blocks',
      "blosc2.cpu_info.update(l1_data_cache_size=48*1024, l2_cache_size=2*1024*1024, l3_cache_size=32*1024*1024)",
      "c, b = compute_chunks_blocks((1000, 1000), dtype=numpy.dtype('<f8'))",
      "print(','.join(map(str, c)), ','.join(map(str, b)))",
    ].join('\n')]);
    expect(out.trim()).toBe('1000,1000 20,1000');
  });
});

describe('sizes take suffixes (K = 1024)', () => {
  const data = smooth(40_000);
  writeFileSync(p('sizes.bin'), data);

  it('--chunksize 64K is --chunksize 65536, and the frame is the library\'s', () => {
    expect(cli('compress', 'sizes.bin', 'k.b2frame', '--chunksize', '64K', '--typesize', '8').status).toBe(0);
    expect(cli('compress', 'sizes.bin', 'n.b2frame', '--chunksize', '65536', '--typesize', '8').status).toBe(0);
    const k = read(p('k.b2frame'));
    expect(bytesEqual(k, read(p('n.b2frame')))).toBe(true);
    expect(bytesEqual(k, SChunk.fromData(data, { chunksize: 65536, typesize: 8, cparams: { typesize: 8 } }).toFrame())).toBe(true);
    expect(SChunk.open(k).nchunks).toBe(5);
  });

  it('--blocksize 16K', () => {
    expect(cli('compress', 'sizes.bin', 'b.bl', '--blocksize', '16K', '--codec', 'lz4').status).toBe(0);
    expect(bytesEqual(read(p('b.bl')), compress(data, { blocksize: 16384, codec: 'lz4' }))).toBe(true);
  });
});

describe('--nthreads runs on workers and changes no byte', () => {
  const data = smooth(1 << 20); // 8 MiB
  writeFileSync(p('big.bin'), data);

  it('compress --chunksize: the frame of SChunk.fromData with the same options, on workers', () => {
    const r = cliCountingWorkers('compress', 'big.bin', 'big2.b2frame', '--chunksize', '1M', '--typesize', '8', '--codec', 'lz4', '--nthreads', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.workers).toBeGreaterThan(0);
    const expected = SChunk.fromData(data, { chunksize: 1 << 20, typesize: 8, cparams: { typesize: 8, codec: 'lz4', nthreads: 2 } }).toFrame();
    expect(bytesEqual(read(p('big2.b2frame')), expected)).toBe(true);
  });

  it('decompress of a frame: the same bytes as with one thread', () => {
    writeFileSync(p('big.b2frame'), SChunk.fromData(data, { chunksize: 1 << 20, typesize: 8, cparams: { typesize: 8, codec: 'lz4' } }).toFrame());
    const one = cliCountingWorkers('decompress', 'big.b2frame', 'big1.out');
    const two = cliCountingWorkers('decompress', 'big.b2frame', 'big2.out', '--nthreads', '2');
    expect([one.status, two.status]).toEqual([0, 0]);
    expect(one.workers).toBe(0);
    expect(two.workers).toBeGreaterThan(0);
    expect(bytesEqual(read(p('big2.out')), data)).toBe(true);
    expect(bytesEqual(read(p('big1.out')), data)).toBe(true);
  });

  it('one chunk: compress and decompress give the same bytes with --nthreads 2, on workers', () => {
    const two = cliCountingWorkers('compress', 'big.bin', 'big2.zl', '--codec', 'zlib', '--clevel', '1', '--nthreads', '2');
    const one = cli('compress', 'big.bin', 'big1.zl', '--codec', 'zlib', '--clevel', '1');
    expect([one.status, two.status]).toEqual([0, 0]);
    expect(two.workers).toBeGreaterThan(0);
    expect(bytesEqual(read(p('big2.zl')), read(p('big1.zl')))).toBe(true);
    const d = cliCountingWorkers('decompress', 'big2.zl', 'big.zl.out', '--nthreads', '2');
    expect(d.status).toBe(0);
    expect(d.workers).toBeGreaterThan(0);
    expect(bytesEqual(read(p('big.zl.out')), data)).toBe(true);
  });
});

describe('info of frames and arrays: codecs and filters by name, a summary of the chunk table', () => {
  const cs = 8000;
  const s = new SChunk({ chunksize: cs, typesize: 8, cparams: { codec: 'lz4', typesize: 8, shuffle: 'shuffle' } });
  const data = smooth(cs / 8 * 30);
  for (let at = 0; at < data.length; at += cs) s.append(data.subarray(at, at + cs));
  s.appendChunk(compressZeros(cs, { typesize: 8 }));
  s.appendChunk(compressZeros(cs, { typesize: 8 }));
  s.appendChunk(compressNaNs(cs, { typesize: 8 }));
  s.appendChunk(compressUninit(cs, { typesize: 8 }));
  s.appendChunk(compressRepeatValue(cs, new Float64Array([1.5]), { typesize: 8 }));
  writeFileSync(p('mixed.b2frame'), s.toFrame());

  it('text: names, counts by kind, sizes; not one line per chunk', () => {
    const r = cli('info', 'mixed.b2frame');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('codec      lz4 (id 1), clevel 5');
    expect(r.stdout).toContain('filters    shuffle@5');
    expect(r.stdout).toContain('chunks     35: 30 normal, 2 zeros, 1 nan, 1 uninit, 1 repeated-value');
    expect(r.stdout).toMatch(/cbytes\/chunk min \d+, max \d+, total \d+/);
    expect(r.stdout).toContain('chunk codecs lz4 (30)');
    expect(r.stdout.trim().split('\n').length).toBeLessThan(20);
    const all = cli('info', 'mixed.b2frame', '--chunks');
    expect(all.stdout.split('\n').filter((l) => /^ {4}#\d+/.test(l))).toHaveLength(35);
  });

  it('--json: the same summary; --chunks adds the rows', () => {
    const j = JSON.parse(cli('info', 'mixed.b2frame', '--json').stdout) as {
      kind: string; codec: string; filters: Array<{ name: string; slot: number }>; chunks?: unknown[];
      summary: { count: number; kinds: Record<string, number>; codecs: Record<string, number>; cbytes: { min: number; max: number; total: number } };
    };
    expect(j.kind).toBe('frame');
    expect(j.codec).toBe('lz4');
    expect(j.filters).toEqual([{ slot: 5, id: 1, name: 'shuffle', meta: 0 }]);
    expect(j.summary.kinds).toEqual({ normal: 30, zeros: 2, nan: 1, uninit: 1, value: 1 });
    expect(j.summary.codecs).toEqual({ lz4: 30 });
    let total = 0;
    for (let i = 0; i < 30; i++) total += s.getChunk(i).length;
    expect(j.summary.cbytes.total).toBe(total);
    expect(j.chunks).toBeUndefined();
    const rows = (JSON.parse(cli('info', 'mixed.b2frame', '--json', '--chunks').stdout) as { chunks: Array<{ kind: string }> }).chunks;
    expect(rows.map((c) => c.kind).slice(29)).toEqual(['normal', 'zeros', 'zeros', 'nan', 'uninit', 'value']);
  });

  it('arrays name their codec and filters too; --json for every kind', () => {
    const r = cli('info', join(ND_DIR, 'f8.2d.edges.zstd.b2nd'));
    expect(r.stdout).toContain('codec      zstd (id 5)');
    expect(r.stdout).toContain('filters    shuffle@5');
    expect(r.stdout).toContain('chunks     12: 12 normal');
    const nd = JSON.parse(cli('info', join(ND_DIR, 'f8.2d.edges.zstd.b2nd'), '--json').stdout) as { ndarray: { shape: number[]; nbytes: number }; summary: { count: number } };
    expect(nd.ndarray).toMatchObject({ shape: [37, 23], nbytes: 37 * 23 * 8 });
    expect(nd.summary.count).toBe(12);
    const npy = JSON.parse(cli('info', 'x.npy', '--json').stdout) as { kind: string; shape: number[] };
    expect(npy).toMatchObject({ kind: 'npy', shape: [37, 23] });
    expect(cli('info', 'x.npy', '--chunks').status).toBe(2);
  });
});

describe('progress bar', () => {
  it('--progress forces it on a pipe, even for a small input', () => {
    const r = cli('compress', 'small.bin', 'p.bl', '--progress');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\rcompress \[[.#]{30}\] +0% .*\rcompress \[#{30}\] 100% .*MiB\n$/s);
    const u = cli('decompress', 'x.b2frame', 'p.out', '--progress');
    expect(u.stderr).toContain('\rdecompress [##############################] 100%');
    const blp = cli('unpack', 'x.blp', 'p.unpacked', '--progress');
    expect(blp.stderr).toContain('100% 3/3 chunks');
  });

  it('without a terminal nothing is printed, even for inputs over 4 MiB', () => {
    const c = cli('compress', 'big.bin', 'q.b2frame', '--chunksize', '1M');
    expect(c.status).toBe(0);
    expect(c.stderr).toBe('');
    expect(cli('decompress', 'q.b2frame', 'q.out').stderr).toBe('');
    expect(cli('pack', 'big.bin', 'q.blp').stderr).toBe('');
    expect(cli('compress', 'small.bin', 'q.bl', '--progress', '--no-progress').status).toBe(2);
  });
});

describe('--nthreads on .b2nd arrays', () => {
  it('compress .npy → .b2nd on workers writes what NDArray.fromNpy writes', () => {
    const npy = read(p('square.npy'));
    const r = cliCountingWorkers('compress', 'square.npy', 'square2.b2nd', '--nthreads', '2', '--codec', 'lz4');
    expect(r.status, r.stderr).toBe(0);
    expect(r.workers).toBeGreaterThan(0);
    expect(bytesEqual(read(p('square2.b2nd')), NDArray.fromNpy(npy, { codec: 'lz4', nthreads: 2 }).toFrame())).toBe(true);
  });

  it('decompress .b2nd → raw and .npy on workers: the same bytes', () => {
    writeFileSync(p('square2.b2nd'), NDArray.fromNpy(read(p('square.npy')), { codec: 'lz4' }).toFrame());
    const r = cliCountingWorkers('decompress', 'square2.b2nd', 'square2.raw', '--nthreads', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.workers).toBeGreaterThan(0);
    expect(bytesEqual(read(p('square2.raw')), parseNpy(read(p('square.npy'))).data)).toBe(true);
    expect(cli('decompress', 'square2.b2nd', 'square2.npy', '--nthreads', '2').status).toBe(0);
    expect(bytesEqual(read(p('square2.npy')), read(p('square.npy')))).toBe(true);
  });

  // Dtypes whose filters fromNpy adapts (unicode), structured, 0-d and empty arrays.
  it.each(['U3.1d', 'struct.1d', 'f8.0d', 'f8.zero-dim', 'c16.1d.be'])('%s: the same .b2nd and .npy with --nthreads 2', (name) => {
    const npyPath = join(ND_DIR, `${name}.npy`);
    const c = cli('compress', npyPath, `${name}.b2nd`, '--nthreads', '2', '--clevel', '7');
    expect(c.status, c.stderr).toBe(0);
    const expected = NDArray.fromNpy(read(npyPath), { clevel: 7, nthreads: 2 }).toFrame();
    expect(bytesEqual(read(p(`${name}.b2nd`)), expected)).toBe(true);
    const d = cli('decompress', `${name}.b2nd`, `${name}.npy`, '--nthreads', '2');
    expect(d.status, d.stderr).toBe(0);
    expect(bytesEqual(read(p(`${name}.npy`)), NDArray.open(expected).toNpy())).toBe(true);
  });
});
