/**
 * The `blosc-ts` command line: a table of commands (operands, options, help), one parser
 * for all of them (args.ts), inputs recognised by content (files.ts), and a thin layer over
 * the public API ('blosc-ts' and 'blosc-ts/node'). `runCli` returns the exit status:
 * 0 success, 1 a BloscError or a file error, 2 a usage error (one line, and where the help is).
 */
import { readFileSync } from 'node:fs';
import {
  BloscError, BloscErrorCode, chunkInfo, compressAsync, decompressAsync, errorCodeName, getLimits, isBloscError, setLimits, shutdownPool, tunedOptions, type BloscLimits, type ChunkInfo, type CompressOptions, type NpyHeader,
} from '../index.js';
import { formatOptions, parseArgs, UsageError, type OptionSpec, type ParsedOptions } from './args.js';
import { appendCommand, bloscpackInfo, packCommand, PACK_OPTIONS, BLOSCPACK_BLOSC_OPTIONS, unpackCommand } from './bloscpack.js';
import { benchOptionsFrom, BenchUsageError, runBenchCommand, tuneGoal } from './bench.js';
import { closeInput, FileError, inspectInput, openInput, readAt, kindWords, openFrame, readInput, withOutput, writeOutput, type Input } from './files.js';
import { compressFileToFrame, describeFrame, formatFilters, formatFrame, namedFilters, writeContent } from './frame.js';
import {
  cacheSizes, describeNDArray, describeNpy, formatNDArray, formatNpy, ndarrayContent, ndarrayStreamsBySlab, npyFileToB2nd, npyStreamsBySlab, npyToNDArray, readNpyHeader, writeNDArrayBySlab,
} from './ndarray.js';
import { startInspectServer } from './inspect.js';
import { progressBar, type ProgressStream } from './progress.js';

export interface CliIO {
  /** Standard output. */
  out(s: string): void;
  /** Standard error: messages and the progress bar (shown on a terminal). */
  readonly err: ProgressStream;
}

const NODE_IO: CliIO = { out: (s) => void process.stdout.write(s), err: process.stderr };

interface Command {
  readonly name: string;
  /** Operands in the usage line, e.g. `IN OUT`. */
  readonly operands: readonly string[];
  readonly summary: string;
  /** Further lines of the command's help. */
  readonly details: readonly string[];
  readonly options: readonly OptionSpec[];
  run(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void>;
}

const HELP: OptionSpec = { name: 'help', kind: 'flag', help: "this command's help (also -h)" };
const VERBOSE: OptionSpec = { name: 'verbose', kind: 'flag', help: 'on errors, also show their cause' };
const PROGRESS: readonly OptionSpec[] = [
  { name: 'progress', kind: 'flag', help: 'show a progress bar on stderr even when it is not a terminal or the input is small' },
  { name: 'no-progress', kind: 'flag', help: 'never show a progress bar (default: shown on a terminal for inputs of 4 MiB or more)' },
];
const NTHREADS: OptionSpec = { name: 'nthreads', kind: 'int', value: 'N', help: 'worker threads for chunks and blocks (default 1: this thread)' };
const MAX_SIZE: OptionSpec = {
  name: 'max-size', kind: 'size', value: 'SIZE',
  help: 'most bytes one read may produce or allocate, and decompress may write (default 1G: the library\'s output ceiling)',
};
const COMMON: readonly OptionSpec[] = [MAX_SIZE, HELP, VERBOSE];

/** CLI options of `compress` that map onto CompressOptions (the library validates values). */
const COMPRESS_OPTIONS: readonly OptionSpec[] = [
  { name: 'codec', kind: 'string', value: 'NAME', help: 'blosclz (default), lz4, lz4hc, zlib, zstd, snappy (.b2nd: zstd)' },
  { name: 'clevel', kind: 'int', value: 'N', help: 'compression level 0..9 (default 5)' },
  { name: 'shuffle', kind: 'string', value: 'S', help: 'noshuffle, shuffle (default) or bitshuffle' },
  { name: 'typesize', kind: 'int', value: 'N', help: 'item size in bytes, 1..255 (default 8); from the dtype for .npy' },
  { name: 'blocksize', kind: 'size', value: 'SIZE', help: 'bytes per block (default: automatic)' },
  { name: 'splitmode', kind: 'string', value: 'MODE', help: 'always, never, auto or forward-compat (default)' },
  { name: 'format', kind: 'string', value: 'F', help: 'blosc2 (default) or blosc1 (a chunk c-blosc 1.x reads)' },
  NTHREADS,
  { name: 'chunksize', kind: 'size', value: 'SIZE', help: 'write a contiguous frame of chunks of SIZE bytes instead of one chunk' },
  { name: 'chunks', kind: 'shape', value: 'A,B,..', help: '.npy input: chunk shape (default: as python-blosc2 computes it)' },
  { name: 'blocks', kind: 'shape', value: 'C,D,..', help: '.npy input: block shape (default: as python-blosc2 computes it)' },
  { name: 'l1', kind: 'size', value: 'SIZE', help: '.npy input: L1 data cache the default shapes are computed for (default 32K)' },
  { name: 'l2', kind: 'size', value: 'SIZE', help: '.npy input: L2 cache (default 256K)' },
  { name: 'l3', kind: 'size', value: 'SIZE', help: '.npy input: L3 cache (default 1M)' },
  { name: 'tune', kind: 'string', value: 'GOAL', help: 'speed, balanced or ratio: codec, level, filters and block size chosen on the first chunk (replaces those options)' },
  ...PROGRESS,
  ...COMMON,
];
const NPY_ONLY = ['chunks', 'blocks', 'l1', 'l2', 'l3'];
/** Bytes of a single chunk's input the tuner looks at (`compress --tune` without --chunksize). */
const TUNE_HEAD_BYTES = 4 << 20;

/** undefined: decide by terminal and size; true/false: `--progress` / `--no-progress`. */
function progressChoice(options: ParsedOptions): boolean | undefined {
  if (options.has('progress') && options.has('no-progress')) throw new UsageError('--progress and --no-progress exclude each other');
  return options.has('progress') ? true : options.has('no-progress') ? false : undefined;
}

function compressOptions(options: ParsedOptions): CompressOptions {
  const out: CompressOptions = {};
  const codec = options.string('codec');
  // An unknown name is refused by the library with the list of codecs it knows.
  if (codec !== undefined) out.codec = codec as NonNullable<CompressOptions['codec']>;
  const clevel = options.number('clevel');
  if (clevel !== undefined) out.clevel = clevel;
  const shuffle = options.string('shuffle');
  if (shuffle !== undefined) out.shuffle = shuffle as CompressOptions['shuffle'];
  const typesize = options.number('typesize');
  if (typesize !== undefined) out.typesize = typesize;
  const blocksize = options.number('blocksize');
  if (blocksize !== undefined) out.blocksize = blocksize;
  const splitmode = options.string('splitmode');
  if (splitmode !== undefined) out.splitmode = splitmode as CompressOptions['splitmode'];
  const format = options.string('format');
  if (format !== undefined) out.format = format as CompressOptions['format'];
  const nthreads = options.number('nthreads');
  if (nthreads !== undefined) out.nthreads = nthreads;
  return out;
}

function formatChunkInfo(file: string, info: ChunkInfo): string {
  const ratio = info.cbytes > 0 ? (info.nbytes / info.cbytes).toFixed(2) : '-';
  const lines = [
    `${file}: Blosc${info.version === 2 ? '1' : '2'} chunk, format version ${info.version}, ${info.headerLength}-byte header`,
    `  nbytes     ${info.nbytes}`,
    `  cbytes     ${info.cbytes} (ratio ${ratio})`,
    `  typesize   ${info.typesize}`,
    `  blocksize  ${info.blocksize}${info.vlBlocks ? ' (VL blocks)' : ''}`,
    `  nblocks    ${info.nblocks}`,
    `  codec      ${info.codec} (id ${info.codecId}, format ${info.codecFormat}${info.compcodeMeta ? `, meta ${info.compcodeMeta}` : ''})`,
    `  filters    ${formatFilters(info.filters)}`,
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

const isFrameKind = (k: Input['kind']): boolean => k === 'frame' || k === 'b2nd' || k === 'sparse-frame' || k === 'sparse-b2nd';
const isArrayKind = (k: Input['kind']): boolean => k === 'b2nd' || k === 'sparse-b2nd';
const isNpyName = (path: string): boolean => path.toLowerCase().endsWith('.npy');

async function info(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const input = inspectInput(args[0]!);
  const json = options.has('json');
  if (options.has('chunks') && !isFrameKind(input.kind)) throw new UsageError(`--chunks lists the chunks of a frame; ${input.path} is ${kindWords(input.kind)}`);
  if (input.kind === 'bloscpack') {
    io.out(await bloscpackInfo(input, json));
    return;
  }
  if (input.kind === 'npy') {
    const d = describeNpy(readInput(input.path));
    io.out(json ? `${JSON.stringify(d, null, 2)}\n` : `${formatNpy(input.path, d)}\n`);
    return;
  }
  if (isFrameKind(input.kind)) {
    const opened = openFrame(input);
    try {
      const d = describeFrame(opened, options.has('chunks'));
      const nd = isArrayKind(input.kind) ? describeNDArray(opened.schunk) : null;
      if (json) io.out(`${JSON.stringify(nd === null ? d : { ...d, kind: 'b2nd', ndarray: nd }, null, 2)}\n`);
      else io.out(`${formatFrame(input.path, d)}\n${nd === null ? '' : `${formatNDArray(nd)}\n`}`);
    } finally {
      opened.close();
    }
    return;
  }
  const chunk = chunkInfo(readInput(input.path));
  io.out(json ? `${JSON.stringify({ kind: 'chunk', ...chunk }, null, 2)}\n` : `${formatChunkInfo(input.path, chunk)}\n`);
}

async function decompressCommand(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const [inPath, outPath] = args as [string, string];
  const input = inspectInput(inPath);
  const nthreads = options.number('nthreads') ?? 1;
  const force = progressChoice(options);
  if (input.kind === 'bloscpack') throw new UsageError(`${inPath} is a bloscpack file: use 'blosc-ts unpack'`);
  if (input.kind === 'npy') throw new UsageError(`${inPath} is a .npy file (not compressed): use 'blosc-ts compress'`);
  const toNpy = isNpyName(outPath);
  if (toNpy && !isArrayKind(input.kind)) {
    throw new UsageError(`${inPath} is ${kindWords(input.kind)}, not a .b2nd array: only an array can be written as .npy (use another output name for its bytes)`);
  }
  if (input.kind === 'chunk') {
    const bar = progressBar('decompress', input.size, force, io.err);
    bar?.update(0, input.size);
    const data = await decompressAsync(readInput(inPath), undefined, { nthreads });
    writeOutput(outPath, data);
    bar?.update(input.size, input.size);
    bar?.done();
    return;
  }
  const opened = openFrame(input);
  try {
    if (isArrayKind(input.kind)) {
      // The array's elements in C order (the chunks hold them padded to whole chunks).
      const bar = progressBar('decompress', opened.schunk.nbytes, force, io.err);
      if (ndarrayStreamsBySlab(opened.schunk)) await withOutput(outPath, (out) => writeNDArrayBySlab(opened.schunk, toNpy, nthreads, out, bar));
      else writeOutput(outPath, await ndarrayContent(opened.schunk, toNpy, nthreads, bar));
      return;
    }
    // The frame is written chunk by chunk, yet the whole output is what the ceiling bounds:
    // a frame of special chunks can declare terabytes in a few hundred bytes.
    const ceiling = getLimits().maxOutputBytes;
    if (opened.schunk.nbytes > ceiling) {
      throw new BloscError(BloscErrorCode.MaxBufsizeExceeded, `the frame holds ${opened.schunk.nbytes} bytes, over the output ceiling of ${ceiling} bytes (raise it with --max-size)`);
    }
    const bar = progressBar('decompress', opened.schunk.nbytes, force, io.err);
    await withOutput(outPath, (out) => writeContent(opened.schunk, out, nthreads, bar));
  } finally {
    opened.close();
  }
}

async function compressCommand(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const [inPath, outPath] = args as [string, string];
  const input = inspectInput(inPath);
  if (input.kind === 'sparse-frame' || input.kind === 'sparse-b2nd') throw new UsageError(`${inPath} is ${kindWords(input.kind)}: use 'blosc-ts decompress'`);
  const force = progressChoice(options);
  let cparams = compressOptions(options);
  const goal = tuneGoal(options);
  if (goal !== undefined && input.kind === 'npy') {
    // An NDArray's super-chunk tunes on its first chunk, its block size fixed by --blocks.
    cparams = { ...cparams, tune: goal };
  } else if (goal !== undefined) {
    // Tuned once, on the first chunk (or the first 4 MiB of a single chunk's input), as
    // BTune does before it fixes its choice; the chosen options are said on stderr.
    const fd = openInput(inPath);
    let head: Uint8Array;
    try {
      head = readAt(inPath, fd, 0, Math.min(input.size, options.number('chunksize') ?? TUNE_HEAD_BYTES));
    } finally {
      closeInput(fd);
    }
    const tuned = tunedOptions(head, { ...cparams, tune: goal });
    cparams = tuned;
    io.err.write(`tuned (${goal}): ${tuned.codec} clevel ${tuned.clevel}, filters ${formatFilters(namedFilters(tuned.filters ?? [], tuned.filtersMeta ?? []))}, blocksize ${tuned.blocksize}, splitmode ${tuned.splitmode}\n`);
  }
  if (input.kind === 'npy') {
    if (options.has('chunksize')) throw new UsageError('--chunksize applies to raw input; the chunks of a .npy array are given by --chunks');
    const bar = progressBar('compress', input.size, force, io.err);
    const caches = cacheSizes(options.number('l1'), options.number('l2'), options.number('l3'));
    const fd = openInput(inPath);
    let header: NpyHeader;
    try {
      header = readNpyHeader(inPath, fd, input.size);
    } finally {
      closeInput(fd);
    }
    if (npyStreamsBySlab(header)) {
      await withOutput(outPath, (out) => npyFileToB2nd(inPath, input.size, header, options.shape('chunks'), options.shape('blocks'), caches, cparams, out, bar));
    } else {
      writeOutput(outPath, await npyToNDArray(readInput(inPath), options.shape('chunks'), options.shape('blocks'), caches, cparams, bar));
    }
    return;
  }
  if (outPath.toLowerCase().endsWith('.b2nd')) {
    throw new UsageError(`${inPath} is not a .npy file: a .b2nd output holds an n-d array and is made from a .npy input (for a frame of raw bytes, use --chunksize and a .b2frame name)`);
  }
  for (const name of NPY_ONLY) if (options.has(name)) throw new UsageError(`--${name} applies to .npy input only; ${inPath} is read as raw bytes`);
  const chunksize = options.number('chunksize');
  if (chunksize !== undefined) {
    if (chunksize <= 0) throw new UsageError(`--chunksize must be at least one byte, got ${chunksize}`);
    const bar = progressBar('compress', input.size, force, io.err);
    await withOutput(outPath, (out) => compressFileToFrame(inPath, input.size, chunksize, cparams, out, bar));
    return;
  }
  const bar = progressBar('compress', input.size, force, io.err);
  bar?.update(0, input.size);
  const chunk = await compressAsync(readInput(inPath), cparams);
  writeOutput(outPath, chunk);
  bar?.update(input.size, input.size);
  bar?.done();
}

async function packRun(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const input = inspectInput(args[0]!);
  if (input.kind === 'sparse-frame' || input.kind === 'sparse-b2nd') throw new UsageError(`${input.path} is ${kindWords(input.kind)}: use 'blosc-ts decompress'`);
  io.out(await packCommand(input, args[1]!, options, progressChoice(options), io.err));
}

async function unpackRun(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  await unpackCommand(inspectInput(args[0]!), args[1]!, progressChoice(options), io.err);
}

async function verifyRun(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const r = await unpackCommand(inspectInput(args[0]!), null, progressChoice(options), io.err);
  let total = 0;
  for (const c of r.chunks) total += c.nbytes;
  io.out(`${args[0]}: OK, ${r.chunks.length} chunk(s), ${total} bytes, checksum ${r.header.checksum}\n`);
}

async function appendRun(args: readonly string[], options: ParsedOptions): Promise<void> {
  await appendCommand(inspectInput(args[0]!), args[1]!, options);
}

/** The bench command's options (src/cli/bench.ts checks their values). */
const BENCH_OPTION_NAMES = ['typesize', 'plot', 'goal', 'perf', 'codecs', 'clevels'] as const;

async function benchRun(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const given = new Map<string, string | true>();
  for (const name of BENCH_OPTION_NAMES) {
    const v = options.string(name) ?? options.number(name);
    if (v !== undefined) given.set(name, String(v));
  }
  if (options.has('json')) given.set('json', true);
  let parsed;
  try {
    parsed = benchOptionsFrom(given);
  } catch (e) {
    if (e instanceof BenchUsageError) throw new UsageError(e.message);
    throw e;
  }
  const input = inspectInput(args[0]!); // a missing file or a directory: an error naming it
  if (input.kind === 'sparse-frame' || input.kind === 'sparse-b2nd') throw new UsageError(`${input.path} is ${kindWords(input.kind)}: use 'blosc-ts decompress' first`);
  runBenchCommand(input.path, parsed, { out: io.out, err: (text) => void io.err.write(text) });
}

const COMMANDS: readonly Command[] = [
  {
    name: 'info',
    operands: ['FILE'],
    summary: 'describe a Blosc chunk, a Blosc2 frame (.b2frame, .b2nd, a sparse-frame directory), a .blp or a .npy file',
    details: [
      'The kind of FILE is read from its content. For frames: header, codec and filters by name,',
      'metalayers, and a summary of the chunk table (counts by kind, compressed sizes, ratio).',
    ],
    options: [
      { name: 'json', kind: 'flag', help: 'print JSON' },
      { name: 'chunks', kind: 'flag', help: 'frames: list every chunk, not only the summary' },
      ...COMMON,
    ],
    run: info,
  },
  {
    name: 'bench',
    operands: ['FILE'],
    summary: "time every codec, level and filter pipeline on FILE's bytes (a .npy file's elements)",
    details: [
      'A table of ratio and speeds, the ratio/speed Pareto front (P) and the tuner\'s pick (*);',
      'with --plot, an SVG scatter of ratio against speed.',
    ],
    options: [
      { name: 'typesize', kind: 'int', value: 'N', help: 'item size in bytes (default: from a .npy dtype, else 8)' },
      { name: 'json', kind: 'flag', help: 'print JSON rows' },
      { name: 'plot', kind: 'string', value: 'OUT.svg', help: 'write the scatter plot there' },
      { name: 'goal', kind: 'string', value: 'GOAL', help: 'speed, balanced (default) or ratio: the score and the pick' },
      { name: 'perf', kind: 'string', value: 'P', help: 'compress, decompress or both (default): which times count' },
      { name: 'codecs', kind: 'string', value: 'A,B,..', help: 'codecs to try (default: all built-in)' },
      { name: 'clevels', kind: 'string', value: '1,5,9', help: 'levels to try' },
      ...COMMON,
    ],
    run: benchRun,
  },
  {
    name: 'decompress',
    operands: ['IN', 'OUT'],
    summary: 'write the content of a Blosc chunk or of a whole frame (contiguous or sparse) as raw bytes',
    details: [
      'A .b2nd array is written as its elements in C order, or as a NumPy file when OUT ends in .npy.',
      'Bloscpack files are read by unpack.',
    ],
    options: [NTHREADS, ...PROGRESS, ...COMMON],
    run: decompressCommand,
  },
  {
    name: 'compress',
    operands: ['IN', 'OUT'],
    summary: 'compress raw bytes into one Blosc chunk, or with --chunksize into a contiguous frame',
    details: [
      'A .npy input becomes a .b2nd array (python-blosc2\'s defaults: zstd, clevel 5, shuffle;',
      'chunk and block shapes as python-blosc2 computes them for the cache sizes --l1/--l2/--l3).',
      'A .b2nd output needs a .npy input.',
    ],
    options: COMPRESS_OPTIONS,
    run: compressCommand,
  },
  {
    name: 'pack',
    operands: ['IN', 'OUT.blp'],
    summary: 'pack a file into bloscpack format (as bloscpack\'s blpk: blosclz, clevel 7, 1M chunks, adler32)',
    details: [],
    options: [...PACK_OPTIONS, ...PROGRESS, ...COMMON],
    run: packRun,
  },
  {
    name: 'unpack',
    operands: ['IN.blp', 'OUT'],
    summary: 'unpack a bloscpack file; nothing is written unless every checksum matches',
    details: [],
    options: [...PROGRESS, ...COMMON],
    run: unpackRun,
  },
  {
    name: 'append',
    operands: ['IN.blp', 'DATA'],
    summary: 'append the bytes of DATA to a bloscpack file (uses its preallocated offsets)',
    details: [],
    options: [...BLOSCPACK_BLOSC_OPTIONS, ...COMMON],
    run: (args, options) => appendRun(args, options),
  },
  {
    name: 'verify',
    operands: ['IN.blp'],
    summary: 'check every checksum of a bloscpack file and decompress every chunk',
    details: [],
    options: [...PROGRESS, ...COMMON],
    run: verifyRun,
  },
  {
    name: 'inspect',
    operands: ['[FILE|URL]'],
    summary: 'serve the inspector page on 127.0.0.1 and print its address; the page shows FILE (or a zarr or sparse-frame directory, or a URL)',
    details: [
      'The page runs blosc-ts in the browser: header, metalayers, chunk map, blocks and streams,',
      'and for arrays a plane viewer. FILE is served to it with range requests and read lazily;',
      'a URL is fetched by the browser itself (the server must allow CORS and ranges). Ctrl-C stops.',
    ],
    options: [{ name: 'port', kind: 'int', value: 'N', help: 'port on 127.0.0.1 (default: any free port)' }, ...COMMON],
    run: inspectRun,
  },
];

async function inspectRun(args: readonly string[], options: ParsedOptions, io: CliIO): Promise<void> {
  const served = await startInspectServer(args[0], { port: options.number('port') ?? 0 });
  io.out(`blosc-ts inspector: ${served.url}\n(open it in a browser; Ctrl-C stops the server)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void served.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const HELP_LINE = '  help [COMMAND]';

function globalUsage(): string {
  const heads = COMMANDS.map((c) => `  ${c.name} ${c.operands.join(' ')}`);
  const width = Math.max(HELP_LINE.length, ...heads.map((h) => h.length));
  return [
    'usage: blosc-ts COMMAND ARGS [OPTIONS]',
    '',
    'commands:',
    ...COMMANDS.map((c, i) => `${heads[i]!.padEnd(width)}  ${c.summary}`),
    `${HELP_LINE.padEnd(width)}  show a command's options ('blosc-ts COMMAND --help' too)`,
    '',
    'options: -h, --help (this text), -V, --version (the version)',
    'Sizes (--chunksize, --blocksize, --chunk-size, --l1, ...) are bytes, or take a binary suffix:',
    '64K = 65536, 4M = 4194304, 1G (K, KB, KiB all mean 1024).',
  ].join('\n');
}

function commandUsage(c: Command): string {
  return [
    `usage: blosc-ts ${c.name} ${c.operands.join(' ')}${c.options.length > 0 ? ' [OPTIONS]' : ''}`,
    '',
    c.summary,
    ...(c.details.length > 0 ? ['', ...c.details] : []),
    '',
    'options:',
    formatOptions(c.options),
  ].join('\n');
}

/** The package version, from package.json (two levels above this module in src/ and in dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const ALIASES = new Map([['-h', '--help'], ['-V', '--version']]);

/** A usage error of `command`: the one line, then where the help is. */
function usageError(io: CliIO, command: string | null, message: string): number {
  io.err.write(`blosc-ts${command === null ? '' : ` ${command}`}: ${message}\nsee 'blosc-ts${command === null ? '' : ` ${command}`} --help'\n`);
  return 2;
}

/** `cannot decompress 'x.bin': InvalidHeader (-11): ...` for a BloscError, the file error's own line otherwise. */
function reportError(io: CliIO, e: unknown, operation: string, file: string | undefined, verbose: boolean): number {
  if (e instanceof FileError) {
    io.err.write(`blosc-ts: ${e.message}\n`);
    return 1;
  }
  if (isBloscError(e)) {
    const where = file !== undefined ? `cannot ${operation} '${file}': ` : '';
    io.err.write(`blosc-ts: ${where}${errorCodeName(e.code)} (${e.code}): ${e.message}\n`);
    if (verbose && e.cause !== undefined) io.err.write(`  cause: ${String(e.cause)}\n`);
    return 1;
  }
  throw e;
}

/**
 * Run the command line `argv` (without the program name). Workers started for
 * `--nthreads` are stopped before this returns.
 */
export async function runCli(argv: readonly string[], io: CliIO = NODE_IO): Promise<number> {
  const first = argv[0];
  if (first === undefined) return usageError(io, null, 'no command given');
  if (first === '--help' || first === '-h') {
    io.out(`${globalUsage()}\n`);
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(`blosc-ts ${packageVersion()}\n`);
    return 0;
  }
  if (first === 'help') {
    const topic = argv[1];
    if (topic === undefined) {
      io.out(`${globalUsage()}\n`);
      return 0;
    }
    const c = COMMANDS.find((x) => x.name === topic);
    if (c === undefined) return usageError(io, null, `no command '${topic}'`);
    io.out(`${commandUsage(c)}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) return usageError(io, null, first.startsWith('-') ? `unknown option ${first} (options follow the command)` : `unknown command '${first}'`);
  let verbose = false;
  let previousLimits: BloscLimits | undefined;
  try {
    const { positional, options } = parseArgs(argv.slice(1), command.options, ALIASES);
    verbose = options.has('verbose');
    const maxSize = options.number('max-size');
    if (maxSize !== undefined) previousLimits = setLimits({ maxOutputBytes: maxSize });
    if (options.has('help')) {
      io.out(`${commandUsage(command)}\n`);
      return 0;
    }
    const n = command.operands.length;
    // An operand in brackets may be left out.
    const required = command.operands.filter((o) => !o.startsWith('[')).length;
    if (positional.length < required || positional.length > n) {
      throw new UsageError(`${command.name} takes ${command.operands.join(' and ')}, got ${positional.length === 0 ? 'nothing' : positional.map((p) => `'${p}'`).join(' ')}`);
    }
    try {
      await command.run(positional, options, io);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      return reportError(io, e, command.name === 'info' ? 'describe' : command.name, positional[0], verbose);
    }
  } catch (e) {
    if (e instanceof UsageError) return usageError(io, command.name, e.message);
    return reportError(io, e, command.name, undefined, verbose);
  } finally {
    if (previousLimits !== undefined) setLimits(previousLimits);
    shutdownPool();
  }
}
