/**
 * `bloscpack` subcommands for the command line (the verbs of bloscpack's own `blpk` tool):
 *
 *   pack IN OUT.blp [--codec NAME] [--clevel N] [--shuffle noshuffle|shuffle|bitshuffle]
 *        [--typesize N] [--chunk-size SIZE] [--checksum NAME] [--no-offsets]
 *        [--max-app-chunks N] [--metadata JSON]
 *   unpack IN.blp OUT
 *   append IN.blp DATA [--codec NAME] [--clevel N] [--shuffle S] [--typesize N]
 *   info IN.blp [--json]
 *   verify IN.blp
 *
 * Files are streamed chunk by chunk; outputs appear only when complete.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { BloscError, errorCodeName } from '../errors.js';
import { CHECKSUM_NAMES, type ChecksumName } from '../frame/bloscpack.js';
import type { ShuffleName } from '../params.js';
import { packFileSync, readBloscpackFileInfoSync, unpackFileSync } from '../bloscpack/node.js';
import { appendBytes, type AppendOptions, type JsonValue, type PackOptions } from '../bloscpack/pack.js';
import { parseArgs, UsageError, type ParsedArgs } from './args.js';

export const BLOSCPACK_USAGE = `usage:
  pack IN OUT.blp [--codec NAME] [--clevel N] [--shuffle noshuffle|shuffle|bitshuffle] [--typesize N]
       [--chunk-size SIZE] [--checksum ${CHECKSUM_NAMES.join('|')}] [--no-offsets]
       [--max-app-chunks N] [--metadata JSON]
                            pack a file into bloscpack format (defaults: blosclz, clevel 7, 1M chunks, adler32)
  unpack IN.blp OUT         unpack; nothing is written unless every checksum matches
  append IN.blp DATA [--codec NAME] [--clevel N] [--shuffle S] [--typesize N]
                            append the bytes of DATA (uses the preallocated offsets)
  info IN.blp [--json]      show header, metadata and offsets
  verify IN.blp             check every checksum and decompress every chunk`;

/** Files at least this large get a progress bar when stderr is a terminal. */
const PROGRESS_MIN_BYTES = 4 << 20;

/**
 * A one-line progress bar on stderr, redrawn per chunk; undefined when stderr is not a
 * terminal or the file is small (and then nothing is printed at all).
 */
export function progressBar(
  label: string, bytes: number, stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr,
): { update: (done: number, total: number) => void; done: () => void } | undefined {
  if (stream.isTTY !== true || bytes < PROGRESS_MIN_BYTES) return undefined;
  const width = 30;
  let drawn = -1;
  return {
    update(done: number, total: number): void {
      if (total <= 0) return;
      const filled = Math.round((width * done) / total);
      if (filled === drawn && done !== total) return;
      drawn = filled;
      const pct = Math.floor((100 * done) / total);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total} chunks`);
    },
    done(): void {
      if (drawn >= 0) stream.write('\n');
    },
  };
}

const FLAGS = new Set(['no-offsets', 'json', 'help']);

function parse(argv: readonly string[]): ParsedArgs {
  return parseArgs(argv, FLAGS);
}

function str(options: Map<string, string | true>, name: string): string | undefined {
  const v = options.get(name);
  return typeof v === 'string' ? v : undefined;
}

function int(options: Map<string, string | true>, name: string): number | undefined {
  const v = str(options, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} needs an integer, got '${v}'`);
  return Number(v);
}

function checkKnown(options: Map<string, string | true>, allowed: readonly string[]): void {
  for (const k of options.keys()) if (!allowed.includes(k)) throw new UsageError(`unknown option --${k}`);
}

function blosc(options: Map<string, string | true>): AppendOptions {
  const o: AppendOptions = {};
  const codec = str(options, 'codec');
  if (codec !== undefined) o.codec = codec;
  const clevel = int(options, 'clevel');
  if (clevel !== undefined) o.clevel = clevel;
  const shuffle = str(options, 'shuffle');
  if (shuffle !== undefined) o.shuffle = shuffle as ShuffleName;
  const typesize = int(options, 'typesize');
  if (typesize !== undefined) o.typesize = typesize;
  return o;
}

const BLOSC_OPTIONS = ['codec', 'clevel', 'shuffle', 'typesize'];

function command(argv: readonly string[], out: (s: string) => void): number {
  const { positional, options } = parse(argv);
  const [verb, ...rest] = positional;
  if (options.has('help') || verb === undefined) {
    out(`${BLOSCPACK_USAGE}\n`);
    return verb === undefined && !options.has('help') ? 2 : 0;
  }
  switch (verb) {
    case 'pack': {
      checkKnown(options, [...BLOSC_OPTIONS, 'chunk-size', 'checksum', 'no-offsets', 'max-app-chunks', 'metadata']);
      if (rest.length !== 2) throw new UsageError('pack takes IN and OUT');
      const o: PackOptions = { ...blosc(options) };
      const chunkSize = str(options, 'chunk-size');
      if (chunkSize !== undefined) o.chunkSize = /^\d+$/.test(chunkSize) ? Number(chunkSize) : chunkSize;
      const checksum = str(options, 'checksum');
      if (checksum !== undefined) o.checksum = checksum as ChecksumName;
      if (options.has('no-offsets')) o.offsets = false;
      const maxApp = int(options, 'max-app-chunks');
      if (maxApp !== undefined) o.maxAppChunks = maxApp;
      const meta = str(options, 'metadata');
      if (meta !== undefined) {
        try {
          o.metadata = JSON.parse(meta) as JsonValue;
        } catch {
          throw new UsageError('--metadata must be JSON');
        }
      }
      const bar = progressBar('pack', statSync(rest[0]!).size);
      if (bar !== undefined) o.onProgress = bar.update;
      const h = packFileSync(rest[0]!, rest[1]!, o);
      bar?.done();
      out(`${rest[1]}: ${h.nchunks} chunk(s) of ${h.chunkSize} bytes, last ${h.lastChunk}\n`);
      return 0;
    }
    case 'unpack': {
      checkKnown(options, []);
      if (rest.length !== 2) throw new UsageError('unpack takes IN.blp and OUT');
      const bar = progressBar('unpack', statSync(rest[0]!).size);
      unpackFileSync(rest[0]!, rest[1]!, bar?.update);
      bar?.done();
      return 0;
    }
    case 'append': {
      checkKnown(options, BLOSC_OPTIONS);
      if (rest.length !== 2) throw new UsageError('append takes IN.blp and DATA');
      const target = rest[0]!;
      const grown = appendBytes(new Uint8Array(readFileSync(target)), new Uint8Array(readFileSync(rest[1]!)), blosc(options));
      const tmp = `${target}.${process.pid}.append.tmp`;
      try {
        writeFileSync(tmp, grown);
        renameSync(tmp, target);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
      return 0;
    }
    case 'info': {
      checkKnown(options, ['json']);
      if (rest.length !== 1) throw new UsageError('info takes IN.blp');
      const info = readBloscpackFileInfoSync(rest[0]!);
      if (options.has('json')) {
        out(`${JSON.stringify({ header: info.header, metadataHeader: info.metadataHeader ?? null, metadata: info.metadata ?? null, offsets: info.offsets }, null, 2)}\n`);
        return 0;
      }
      const h = info.header;
      const lines = [
        `${rest[0]}: bloscpack format ${h.formatVersion}`,
        `  chunks       ${h.nchunks} × ${h.chunkSize} bytes, last ${h.lastChunk}`,
        `  typesize     ${h.typesize}`,
        `  checksum     ${h.checksum}`,
        `  offsets      ${h.offsets ? `yes, ${h.maxAppChunks} free slot(s) for appends` : 'no'}`,
        `  chunks start ${info.chunksStart}`,
      ];
      if (info.metadataHeader !== undefined) {
        const m = info.metadataHeader;
        lines.push(`  metadata     ${m.magicFormat}, ${m.metaSize} bytes (${m.metaCompSize} stored, codec ${m.metaCodec}, room ${m.maxMetaSize}, checksum ${m.metaChecksum})`);
        lines.push(`  ${JSON.stringify(info.metadata)}`);
      }
      out(`${lines.join('\n')}\n`);
      return 0;
    }
    case 'verify': {
      checkKnown(options, []);
      if (rest.length !== 1) throw new UsageError('verify takes IN.blp');
      const r = unpackFileSync(rest[0]!);
      let total = 0;
      for (const c of r.chunks) total += c.nbytes;
      out(`${rest[0]}: OK, ${r.chunks.length} chunk(s), ${total} bytes, checksum ${r.header.checksum}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown bloscpack command '${verb}'`);
  }
}

/**
 * Run one bloscpack subcommand. Returns the exit status: 0 success, 1 a BloscError or I/O
 * error (message on stderr), 2 a usage error.
 */
export function runBloscpackCommand(argv: string[]): number {
  const out = (s: string): void => void process.stdout.write(s);
  try {
    return command(argv, out);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bloscpack: ${e.message}\n${BLOSCPACK_USAGE}\n`);
      return 2;
    }
    if (e instanceof BloscError) {
      process.stderr.write(`bloscpack: ${errorCodeName(e.code)} (${e.code}): ${e.message}\n`);
      return 1;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string') {
      process.stderr.write(`bloscpack: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
