#!/usr/bin/env node
/**
 * The `blosc-ts` command line: a thin layer over the public API (src/index.ts).
 *   blosc-ts info FILE [--json]
 *   blosc-ts decompress IN OUT
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { chunkInfo, decompress, errorCodeName, isBloscError, type ChunkInfo } from '../index.js';
import { parseArgs, UsageError } from './args.js';

const USAGE = `usage:
  blosc-ts info FILE [--json]        describe a Blosc chunk
  blosc-ts decompress IN OUT         decompress a Blosc chunk to raw bytes
  blosc-ts --help | --version`;

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

function run(argv: readonly string[]): number {
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
      const info = chunkInfo(readFileSync(file));
      process.stdout.write(options.has('json') ? `${JSON.stringify(info, null, 2)}\n` : `${formatInfo(file, info)}\n`);
      return 0;
    }
    case 'decompress': {
      if (rest.length !== 2) throw new UsageError('decompress takes IN and OUT');
      const data = decompress(readFileSync(rest[0]!));
      writeFileAtomic(rest[1]!, data);
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
