#!/usr/bin/env node
/**
 * The `blosc-ts` command line: a thin layer over the public API (src/index.ts).
 *   blosc-ts info FILE [--json]
 *   blosc-ts decompress IN OUT
 *   blosc-ts compress IN OUT [options]
 *   (.b2nd NDArrays: info shows the array, decompress to .npy, compress from .npy; src/cli/ndarray.ts)
 *   blosc-ts pack | unpack | append | verify | info (bloscpack files, src/cli/bloscpack.ts)
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { chunkInfo, compress, decompress, errorCodeName, isBloscError, type ChunkInfo, type CompressOptions } from '../index.js';
import { parseArgs, UsageError } from './args.js';
import { BLOSCPACK_USAGE, runBloscpackCommand } from './bloscpack.js';
import { buildFrame, describeFrame, formatFrame, frameContent, isFrame } from './frame.js';
import { describeNDArray, describeNpy, formatNDArray, formatNpy, isNpy, ndarrayToNpy, npyToNDArray, shapeOption } from './ndarray.js';

/** Bloscpack files start with these four bytes (container spec §6.2). */
const BLOSCPACK_MAGIC = [0x62, 0x6c, 0x70, 0x6b];
const BLOSCPACK_COMMANDS = new Set(['pack', 'unpack', 'append', 'verify']);

/** The first `n` bytes of a file (fewer if it is shorter), without reading the rest. */
function readHead(file: string, n: number): Uint8Array {
  const head = new Uint8Array(n);
  const fd = openSync(file, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function isBloscpackFile(file: string): boolean {
  const head = readHead(file, 4);
  return head.length === 4 && BLOSCPACK_MAGIC.every((b, i) => head[i] === b);
}

const USAGE = `usage:
  blosc-ts info FILE [--json]        describe a Blosc chunk, a Blosc2 frame (.b2frame, .b2nd) or a .npy file
  blosc-ts decompress IN OUT         decompress a Blosc chunk, or a whole frame, to raw bytes
  blosc-ts compress IN OUT [--codec NAME] [--clevel N] [--shuffle noshuffle|shuffle|bitshuffle]
           [--typesize N] [--blocksize N] [--splitmode always|never|auto|forward-compat]
           [--format blosc1|blosc2] [--nthreads N] [--chunksize N]
                                     compress raw bytes into one chunk, or with --chunksize
                                     into a contiguous frame of chunks of N bytes
  blosc-ts decompress IN.b2nd OUT.npy
                                     write an NDArray (.b2nd) as a NumPy .npy file
  blosc-ts compress IN.npy OUT.b2nd [--chunks A,B,...] [--blocks C,D,...] [--codec NAME] [--clevel N]
           [--shuffle ...] [--splitmode ...] [--nthreads N]
                                     write a NumPy array as an NDArray (python-blosc2's defaults:
                                     zstd, clevel 5, shuffle; chunks and blocks as python computes them)
  blosc-ts info FILE.blp [--json]    describe a bloscpack file
  blosc-ts --help | --version

bloscpack files (.blp), as bloscpack's blpk:
${BLOSCPACK_USAGE.replace(/^usage:\n/, '').replace(/^  (pack|unpack|append|info|verify) /gm, '  blosc-ts $1 ')}`;

/** Write through a temporary name, then rename: a failed write leaves no partial file. */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function formatInfo(file: string, info: ChunkInfo): string {
  const filters = info.filters.length === 0
    ? 'none'
    : info.filters.map((f) => `${f.name}${f.meta !== 0 ? `(meta ${f.meta})` : ''}@${f.slot}`).join(' ');
  const ratio = info.cbytes > 0 ? (info.nbytes / info.cbytes).toFixed(2) : '-';
  const lines = [
    `${file}: Blosc${info.version === 2 ? '1' : '2'} chunk, format version ${info.version}, ${info.headerLength}-byte header`,
    `  nbytes     ${info.nbytes}`,
    `  cbytes     ${info.cbytes} (ratio ${ratio})`,
    `  typesize   ${info.typesize}`,
    `  blocksize  ${info.blocksize}${info.vlBlocks ? ' (VL blocks)' : ''}`,
    `  nblocks    ${info.nblocks}`,
    `  codec      ${info.codec} (id ${info.codecId}, format ${info.codecFormat}${info.compcodeMeta ? `, meta ${info.compcodeMeta}` : ''})`,
    `  filters    ${filters}`,
    `  flags      0x${info.flags.toString(16).padStart(2, '0')}: ${[
      info.memcpyed ? 'memcpyed' : 'compressed',
      info.split ? 'split' : 'unsplit',
      info.useDict ? 'dictionary' : '',
      info.lazy ? 'lazy' : '',
      info.bigEndian ? 'big-endian writer' : '',
    ].filter((s) => s !== '').join(', ')}`,
  ];
  if (info.special !== null) lines.push(`  special    ${info.special}`);
  return lines.join('\n');
}

function intOption(options: Map<string, string | true>, name: string): number | undefined {
  const v = options.get(name);
  if (v === undefined) return undefined;
  if (v === true || !/^-?\d+$/.test(v)) throw new UsageError(`--${name} takes an integer`);
  return Number(v);
}

function stringOption(options: Map<string, string | true>, name: string): string | undefined {
  const v = options.get(name);
  if (v === true) throw new UsageError(`--${name} takes a value`);
  return v;
}

/** Map CLI options onto the library's CompressOptions; the library validates them. */
function compressOptions(options: Map<string, string | true>): CompressOptions {
  const known = new Set(['codec', 'clevel', 'shuffle', 'typesize', 'blocksize', 'splitmode', 'format', 'nthreads', 'verbose']);
  for (const name of options.keys()) if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
  const out: CompressOptions = {};
  const codec = stringOption(options, 'codec');
  if (codec !== undefined) out.codec = codec as NonNullable<CompressOptions['codec']>;
  const clevel = intOption(options, 'clevel');
  if (clevel !== undefined) out.clevel = clevel;
  const shuffle = stringOption(options, 'shuffle');
  if (shuffle !== undefined) out.shuffle = shuffle as CompressOptions['shuffle'];
  const typesize = intOption(options, 'typesize');
  if (typesize !== undefined) out.typesize = typesize;
  const blocksize = intOption(options, 'blocksize');
  if (blocksize !== undefined) out.blocksize = blocksize;
  const splitmode = stringOption(options, 'splitmode');
  if (splitmode !== undefined) out.splitmode = splitmode as CompressOptions['splitmode'];
  const format = stringOption(options, 'format');
  if (format !== undefined) out.format = format as CompressOptions['format'];
  const nthreads = intOption(options, 'nthreads');
  if (nthreads !== undefined) out.nthreads = nthreads;
  return out;
}

function run(argv: readonly string[]): number {
  const first = argv.find((a) => !a.startsWith('--'));
  if (first !== undefined && BLOSCPACK_COMMANDS.has(first)) return runBloscpackCommand([...argv]);
  if (first === 'info') {
    const file = argv.filter((a) => !a.startsWith('--'))[1];
    if (file !== undefined && isBloscpackFile(file)) return runBloscpackCommand([...argv]);
  }
  const { positional, options } = parseArgs(argv, new Set(['json', 'help', 'version', 'verbose']));
  if (options.has('help') || positional.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return positional.length === 0 && !options.has('help') ? 2 : 0;
  }
  if (options.has('version')) {
    process.stdout.write('blosc-ts 0.1.0\n');
    return 0;
  }
  const [command, ...rest] = positional;
  switch (command) {
    case 'info': {
      if (rest.length !== 1) throw new UsageError('info takes one FILE');
      const file = rest[0]!;
      if (isFrame(readHead(file, 16))) {
        const d = describeFrame(file);
        const nd = describeNDArray(file);
        if (options.has('json')) {
          process.stdout.write(`${JSON.stringify(nd === null ? d : { ...d, ndarray: nd }, null, 2)}\n`);
        } else {
          process.stdout.write(`${formatFrame(file, d)}\n${nd === null ? '' : `${formatNDArray(nd)}\n`}`);
        }
        return 0;
      }
      if (isNpy(readHead(file, 6))) {
        const d = describeNpy(readFileSync(file));
        process.stdout.write(options.has('json') ? `${JSON.stringify(d, null, 2)}\n` : `${formatNpy(file, d)}\n`);
        return 0;
      }
      const info = chunkInfo(readFileSync(file));
      process.stdout.write(options.has('json') ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(file, info)}\n`);
      return 0;
    }
    case 'decompress': {
      if (rest.length !== 2) throw new UsageError('decompress takes IN and OUT');
      const frame = isFrame(readHead(rest[0]!, 16));
      if (frame && rest[1]!.toLowerCase().endsWith('.npy')) {
        writeFileAtomic(rest[1]!, ndarrayToNpy(rest[0]!));
        return 0;
      }
      const data = frame ? frameContent(rest[0]!) : decompress(readFileSync(rest[0]!));
      writeFileAtomic(rest[1]!, data);
      return 0;
    }
    case 'compress': {
      if (rest.length !== 2) throw new UsageError('compress takes IN and OUT');
      if (isNpy(readHead(rest[0]!, 6))) {
        const chunks = shapeOption(options, 'chunks');
        const blocks = shapeOption(options, 'blocks');
        options.delete('chunks');
        options.delete('blocks');
        writeFileAtomic(rest[1]!, npyToNDArray(readFileSync(rest[0]!), chunks, blocks, compressOptions(options)));
        return 0;
      }
      const chunksize = intOption(options, 'chunksize');
      options.delete('chunksize');
      const cparams = compressOptions(options);
      const input = readFileSync(rest[0]!);
      writeFileAtomic(rest[1]!, chunksize === undefined ? compress(input, cparams) : buildFrame(input, chunksize, cparams));
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const verbose = argv.includes('--verbose');
  try {
    process.exitCode = run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`blosc-ts: ${e.message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isBloscError(e)) {
      process.stderr.write(`blosc-ts: ${errorCodeName(e.code)} (${e.code}): ${e.message}\n`);
      if (verbose && e.cause !== undefined) process.stderr.write(`  cause: ${String(e.cause)}\n`);
      process.exitCode = 1;
    } else if (e instanceof Error && 'code' in e && typeof e.code === 'string') {
      process.stderr.write(`blosc-ts: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      throw e;
    }
  }
}

main();
