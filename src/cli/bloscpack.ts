/**
 * The bloscpack commands of the command line (the verbs of bloscpack's own `blpk` tool):
 * pack, unpack, append, verify, and `info` of a `.blp` file. Files are streamed chunk by
 * chunk through the public streaming API (`bloscpack.pack`/`unpack` over a file source and
 * sink of ours); outputs appear only when complete.
 */
import { statSync } from 'node:fs';
import { bloscpack } from '../index.js';
import { bloscpackAppendFile, readBloscpackFileInfo } from '../node.js';
import { UsageError, type OptionSpec, type ParsedOptions } from './args.js';
import { closeInput, guard, kindWords, openInput, OutputFile, readAt, readInput, type Input } from './files.js';
import { progressBar, type ProgressStream } from './progress.js';
import { tuneBloscpackOptions, tuneGoal } from './bench.js';

/** bloscpack's default chunk size (1 MiB), what `pack --tune` looks at when no --chunk-size is given. */
const DEFAULT_PACK_CHUNK_SIZE = 1 << 20;

type AppendOptions = bloscpack.AppendOptions;
type PackOptions = bloscpack.PackOptions;

/** The Blosc options of pack and append (bloscpack's BloscArgs). */
export const BLOSCPACK_BLOSC_OPTIONS: readonly OptionSpec[] = [
  { name: 'codec', kind: 'string', value: 'NAME', help: 'blosclz (default), lz4, lz4hc, snappy, zlib, zstd' },
  { name: 'clevel', kind: 'int', value: 'N', help: 'compression level 0..9 (default 7)' },
  { name: 'shuffle', kind: 'string', value: 'S', help: 'noshuffle, shuffle (default) or bitshuffle' },
  { name: 'typesize', kind: 'int', value: 'N', help: 'item size for the shuffle, 1..255 (default 8)' },
];

export const PACK_OPTIONS: readonly OptionSpec[] = [
  ...BLOSCPACK_BLOSC_OPTIONS,
  { name: 'chunk-size', kind: 'size', value: 'SIZE', help: 'uncompressed bytes per chunk (default 1M)' },
  { name: 'checksum', kind: 'string', value: 'NAME', help: 'None, adler32 (default), crc32, md5, sha1, sha224, sha256, sha384, sha512' },
  { name: 'no-offsets', kind: 'flag', help: 'write no offsets section (no appends, no random access)' },
  { name: 'max-app-chunks', kind: 'int', value: 'N', help: 'offset slots kept free for appends (default 10 × nchunks)' },
  { name: 'metadata', kind: 'string', value: 'JSON', help: 'JSON metadata to store in the file' },
  { name: 'tune', kind: 'string', value: 'GOAL', help: 'speed, balanced or ratio: codec, level and shuffle chosen on the first chunk (replaces --codec, --clevel, --shuffle)' },
];

function bloscOptions(options: ParsedOptions): AppendOptions {
  const o: AppendOptions = {};
  const codec = options.string('codec');
  if (codec !== undefined) o.codec = codec;
  const clevel = options.number('clevel');
  if (clevel !== undefined) o.clevel = clevel;
  const shuffle = options.string('shuffle');
  if (shuffle !== undefined) o.shuffle = shuffle as AppendOptions['shuffle'];
  const typesize = options.number('typesize');
  if (typesize !== undefined) o.typesize = typesize;
  return o;
}

/** Say which command fits an input that is not a bloscpack file (a usage error). */
export function requireBloscpack(input: Input): void {
  if (input.kind === 'bloscpack') return;
  if (input.kind === 'chunk') throw new UsageError(`${input.path} is not a bloscpack file: it does not start with 'blpk'`);
  const hint = input.kind === 'npy' ? "use 'blosc-ts compress' (or 'blosc-ts pack' for its bytes)" : "use 'blosc-ts decompress'";
  throw new UsageError(`${input.path} is ${kindWords(input.kind)}: ${hint}`);
}

/** A bloscpack byte source over a file, read in the sizes the reader asks for. */
function fileSource(path: string): bloscpack.ByteSource {
  const fd = openInput(path);
  const size = guard('read', path, () => statSync(path).size);
  let pos = 0;
  let closed = false;
  return {
    size,
    read(length: number): Promise<Uint8Array> {
      const bytes = readAt(path, fd, pos, Math.max(0, Math.min(length, size - pos)));
      pos += bytes.length;
      return Promise.resolve(bytes);
    },
    close(): Promise<void> {
      if (!closed) closeInput(fd);
      closed = true;
      return Promise.resolve();
    },
  };
}

/** A bloscpack byte sink over an {@link OutputFile}; null discards everything (verify). */
function fileSink(out: OutputFile | null): bloscpack.ByteSink {
  return {
    write(data: Uint8Array): Promise<void> {
      out?.write(data);
      return Promise.resolve();
    },
    writeAt(position: number, data: Uint8Array): Promise<void> {
      out?.writeAt(position, data);
      return Promise.resolve();
    },
    close(): Promise<void> {
      out?.commit();
      return Promise.resolve();
    },
    abort(): Promise<void> {
      out?.abort();
      return Promise.resolve();
    },
  };
}

export async function packCommand(input: Input, outPath: string, options: ParsedOptions, force: boolean | undefined, err: ProgressStream): Promise<string> {
  const o: PackOptions = { ...bloscOptions(options) };
  const chunkSize = options.number('chunk-size');
  if (chunkSize !== undefined) o.chunkSize = chunkSize;
  const checksum = options.string('checksum');
  if (checksum !== undefined) o.checksum = checksum as bloscpack.ChecksumName;
  if (options.has('no-offsets')) o.offsets = false;
  const maxApp = options.number('max-app-chunks');
  if (maxApp !== undefined) o.maxAppChunks = maxApp;
  const meta = options.string('metadata');
  if (meta !== undefined) {
    try {
      o.metadata = JSON.parse(meta) as bloscpack.JsonValue;
    } catch {
      throw new UsageError('--metadata must be JSON');
    }
  }
  const goal = tuneGoal(options);
  if (goal !== undefined) {
    // The tuner looks at the first chunk (bloscpack's default chunk size when none is given).
    const fd = openInput(input.path);
    let head: Uint8Array;
    try {
      head = readAt(input.path, fd, 0, Math.min(input.size, typeof o.chunkSize === 'number' ? o.chunkSize : DEFAULT_PACK_CHUNK_SIZE));
    } finally {
      closeInput(fd);
    }
    Object.assign(o, tuneBloscpackOptions(head, goal, o.typesize ?? 8));
    err.write(`tuned (${goal}): ${o.codec} clevel ${o.clevel} ${o.shuffle}\n`);
  }
  const bar = progressBar('pack', input.size, force, err, 'chunks');
  if (bar !== undefined) o.onProgress = bar.update;
  const source = fileSource(input.path);
  let sink: bloscpack.ByteSink;
  try {
    sink = fileSink(OutputFile.create(outPath));
  } catch (e) {
    await source.close?.();
    throw e;
  }
  const h = await bloscpack.pack(source, sink, o);
  bar?.done();
  return `${outPath}: ${h.nchunks} chunk(s) of ${h.chunkSize} bytes, last ${h.lastChunk}\n`;
}

export async function unpackCommand(input: Input, outPath: string | null, force: boolean | undefined, err: ProgressStream): Promise<bloscpack.UnpackResult> {
  requireBloscpack(input);
  const bar = progressBar(outPath === null ? 'verify' : 'unpack', input.size, force, err, 'chunks');
  const source = fileSource(input.path);
  let sink: bloscpack.ByteSink;
  try {
    sink = fileSink(outPath === null ? null : OutputFile.create(outPath));
  } catch (e) {
    await source.close?.();
    throw e;
  }
  const r = await bloscpack.unpack(source, sink, bar?.update);
  bar?.done();
  return r;
}

export async function appendCommand(input: Input, dataPath: string, options: ParsedOptions): Promise<void> {
  requireBloscpack(input);
  await bloscpackAppendFile(input.path, readInput(dataPath), bloscOptions(options));
}

export async function bloscpackInfo(input: Input, json: boolean): Promise<string> {
  const info = await readBloscpackFileInfo(input.path);
  if (json) {
    return `${JSON.stringify({ kind: 'bloscpack', header: info.header, metadataHeader: info.metadataHeader ?? null, metadata: info.metadata ?? null, offsets: info.offsets }, null, 2)}\n`;
  }
  const h = info.header;
  const lines = [
    `${input.path}: bloscpack format ${h.formatVersion}`,
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
  return `${lines.join('\n')}\n`;
}
