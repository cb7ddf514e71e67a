/**
 * Command-line handling of Blosc2 frames (`.b2frame`, `.b2nd`, `.b2`, and sparse-frame
 * directories): describe the layout with a summary of the chunk table, write the whole
 * content, or build a frame from raw bytes; chunks on workers with `--nthreads`. Thin over
 * the public API (`SChunk`, `CFrame`, `chunkInfo`).
 */
import { BloscError, BloscErrorCode, chunkInfo, compressAsync, decompressAsync, maxChunkSize, FilterId, FrameWriter, getCodec, getFilter, getLimits, SChunk, type CompressOptions, type FrameHeader, type FrameWriteTarget } from '../index.js';
import { closeInput, openInput, readInto, type OpenedFrame, type OutputFile } from './files.js';
import type { ProgressBar } from './progress.js';

/** Chunk kinds of a frame's chunk table (c-blosc2's special values, and plain compressed chunks). */
export type ChunkKind = 'normal' | 'zeros' | 'nan' | 'uninit' | 'value';
const CHUNK_KINDS: readonly ChunkKind[] = ['normal', 'zeros', 'nan', 'uninit', 'value'];
/** Special kinds stored as negative offsets in a frame's index (blosc2.h BLOSC2_SPECIAL_*: 1 zeros, 2 NaN, 3 value, 4 uninit). */
const FRAME_SPECIAL: Readonly<Record<number, ChunkKind>> = { 1: 'zeros', 2: 'nan', 3: 'value', 4: 'uninit' };

export interface FrameChunkRow {
  readonly index: number;
  readonly kind: ChunkKind;
  readonly nbytes: number;
  /** Bytes stored (0 for a special value kept in the offsets index). */
  readonly cbytes: number;
  readonly codec: string | null;
}

export interface ChunkTableSummary {
  readonly count: number;
  /** Chunks of each kind. */
  readonly kinds: Readonly<Record<ChunkKind, number>>;
  /** Chunks per codec, for the normal (compressed) chunks. */
  readonly codecs: Readonly<Record<string, number>>;
  /** Stored bytes of the normal chunks: smallest, largest, total (null when there are none). */
  readonly cbytes: { readonly min: number; readonly max: number; readonly total: number } | null;
  /** Uncompressed bytes over stored bytes of all chunks. */
  readonly ratio: number | null;
}

export interface NamedFilter {
  readonly slot: number;
  readonly id: number;
  readonly name: string;
  readonly meta: number;
}

export interface FrameDescription {
  readonly kind: 'frame';
  readonly sparse: boolean;
  readonly header: FrameHeader;
  readonly codec: string;
  readonly filters: readonly NamedFilter[];
  readonly nchunks: number;
  readonly metalayers: ReadonlyArray<{ name: string; bytes: number }>;
  readonly vlmetalayers: ReadonlyArray<{ name: string; bytes: number }>;
  readonly summary: ChunkTableSummary;
  /** Every chunk, with `--chunks`. */
  readonly chunks?: readonly FrameChunkRow[];
}

/** A codec id as its name (`zstd`), as chunk info names it. */
export function codecName(id: number): string {
  return getCodec(id)?.name ?? `codec-${id}`;
}

function filterName(id: number): string {
  const registered = getFilter(id)?.name;
  if (registered !== undefined) return registered;
  const key = Object.entries(FilterId).find(([, v]) => v === id)?.[0];
  return key !== undefined ? key.toLowerCase() : `filter-${id}`;
}

/** The active filter slots of a header's pipeline, named. */
export function namedFilters(filters: readonly number[], meta: readonly number[]): NamedFilter[] {
  const out: NamedFilter[] = [];
  filters.forEach((id, slot) => {
    if (id !== FilterId.NoFilter) out.push({ slot, id, name: filterName(id), meta: meta[slot] ?? 0 });
  });
  return out;
}

/** `shuffle@5 delta(meta 4)@4`, or `none`, as chunk info writes it. */
export function formatFilters(filters: readonly { slot: number; name: string; meta: number }[]): string {
  return filters.length === 0 ? 'none' : filters.map((f) => `${f.name}${f.meta !== 0 ? `(meta ${f.meta})` : ''}@${f.slot}`).join(' ');
}

/** One chunk's kind and sizes, read from its header (or from the index for a special value). */
function chunkRow(opened: OpenedFrame, i: number): FrameChunkRow {
  const { frame, schunk } = opened;
  const nbytes = schunk.chunkNbytes(i);
  const special = frame.specialKind(i);
  if (special !== 0) return { index: i, kind: FRAME_SPECIAL[special] ?? 'zeros', nbytes, cbytes: 0, codec: null };
  const info = chunkInfo(schunk.getChunk(i));
  const kind: ChunkKind = info.special === null ? 'normal' : info.special === 'nan' ? 'nan' : info.special === 'value' ? 'value' : info.special === 'uninit' ? 'uninit' : 'zeros';
  return { index: i, kind, nbytes, cbytes: info.cbytes, codec: kind === 'normal' ? info.codec : null };
}

/** Bytes one listed chunk row may take in memory, for the output ceiling of `--chunks`. */
const ROW_BYTES = 128;

/** Every chunk's kind and sizes (`--chunks`), within the output ceiling. */
export function chunkRows(opened: OpenedFrame): FrameChunkRow[] {
  const n = opened.schunk.nchunks;
  const ceiling = getLimits().maxOutputBytes;
  if (n * ROW_BYTES > ceiling) {
    throw new BloscError(BloscErrorCode.MaxBufsizeExceeded, `listing ${n} chunks exceeds the output ceiling of ${ceiling} bytes (see --max-size)`);
  }
  const rows: FrameChunkRow[] = [];
  for (let i = 0; i < n; i++) rows.push(chunkRow(opened, i));
  return rows;
}

/**
 * The chunk table summarised, one chunk at a time (no list is built). A frame whose index
 * is one repeated special value (python-blosc2's `fill_special`) is summarised without
 * reading a chunk, whatever its count.
 */
export function summarize(opened: OpenedFrame): ChunkTableSummary {
  const kinds = Object.fromEntries(CHUNK_KINDS.map((k) => [k, 0])) as Record<ChunkKind, number>;
  const codecs: Record<string, number> = {};
  const n = opened.schunk.nchunks;
  const uniform = opened.frame.uniformSpecialKind;
  if (uniform !== 0) {
    kinds[FRAME_SPECIAL[uniform] ?? 'zeros'] = n;
    return { count: n, kinds, codecs, cbytes: null, ratio: null };
  }
  let min = Infinity;
  let max = 0;
  let total = 0;
  let nbytes = 0;
  let stored = 0;
  for (let i = 0; i < n; i++) {
    const r = chunkRow(opened, i);
    kinds[r.kind]++;
    nbytes += r.nbytes;
    stored += r.cbytes;
    if (r.kind !== 'normal') continue;
    codecs[r.codec!] = (codecs[r.codec!] ?? 0) + 1;
    min = Math.min(min, r.cbytes);
    max = Math.max(max, r.cbytes);
    total += r.cbytes;
  }
  return {
    count: n,
    kinds,
    codecs,
    cbytes: kinds.normal > 0 ? { min, max, total } : null,
    ratio: stored > 0 ? nbytes / stored : null,
  };
}

/** Header fields (codec and filters named), layers, and the chunk table summarised (every row with `withChunks`). */
export function describeFrame(opened: OpenedFrame, withChunks: boolean): FrameDescription {
  const { frame } = opened;
  const h = frame.header;
  const d: FrameDescription = {
    kind: 'frame',
    sparse: opened.sparse,
    header: h,
    codec: codecName(h.codec),
    filters: namedFilters(h.filters, h.filtersMeta),
    nchunks: opened.schunk.nchunks,
    metalayers: frame.metalayers.map((l) => ({ name: l.name, bytes: l.content.length })),
    vlmetalayers: frame.vlmetalayers.map((l) => ({ name: l.name, bytes: l.content.length })),
    summary: summarize(opened),
  };
  return withChunks ? { ...d, chunks: chunkRows(opened) } : d;
}

function formatSummary(s: ChunkTableSummary): string[] {
  const kinds = CHUNK_KINDS.filter((k) => s.kinds[k] > 0).map((k) => `${s.kinds[k]} ${k === 'value' ? 'repeated-value' : k}`);
  const lines = [`  chunks     ${s.count}${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}`];
  if (s.cbytes !== null) {
    lines.push(`  cbytes/chunk min ${s.cbytes.min}, max ${s.cbytes.max}, total ${s.cbytes.total} (normal chunks)`);
    lines.push(`  chunk codecs ${Object.entries(s.codecs).map(([c, n]) => `${c} (${n})`).join(', ')}`);
  }
  if (s.ratio !== null) lines.push(`  chunk ratio ${s.ratio.toFixed(2)} (nbytes over stored bytes of all chunks)`);
  return lines;
}

export function formatFrame(path: string, d: FrameDescription): string {
  const h = d.header;
  const lines = [
    `${path}: Blosc2 ${d.sparse ? 'sparse' : 'contiguous'} frame, format version ${h.version}`,
    `  nbytes     ${h.nbytes}`,
    `  cbytes     ${h.cbytes}${h.cbytes > 0 ? ` (ratio ${(h.nbytes / h.cbytes).toFixed(2)})` : ''}`,
    `  typesize   ${h.typesize}`,
    `  chunksize  ${h.chunksize}${h.chunksize === 0 ? ' (variable)' : ''}`,
    `  blocksize  ${h.blocksize}${h.blocksize === 0 ? ' (automatic)' : ''}`,
    `  codec      ${d.codec} (id ${h.codec}), clevel ${h.clevel}${h.codecMeta ? `, meta ${h.codecMeta}` : ''}`,
    `  filters    ${formatFilters(d.filters)}`,
    `  metalayers ${d.metalayers.length === 0 ? 'none' : d.metalayers.map((m) => `${m.name} (${m.bytes} B)`).join(', ')}`,
    `  vlmeta     ${d.vlmetalayers.length === 0 ? 'none' : d.vlmetalayers.map((m) => `${m.name} (${m.bytes} B)`).join(', ')}`,
    ...formatSummary(d.summary),
  ];
  for (const c of d.chunks ?? []) {
    lines.push(`    #${String(c.index).padEnd(5)} nbytes ${String(c.nbytes).padStart(10)}  ${c.kind !== 'normal' ? `special: ${c.kind}` : `cbytes ${String(c.cbytes).padStart(10)}  ${c.codec}`}`);
  }
  return lines.join('\n');
}

/** Chunks decoded per step: enough to keep `nthreads` workers busy, few enough for a smooth progress bar. */
export function chunksPerStep(nthreads: number, chunkNbytes: number): number {
  return Math.max(2 * nthreads, Math.floor((4 << 20) / Math.max(1, chunkNbytes)));
}

/**
 * Write the whole content of a super-chunk (python-blosc2's `schunk[:]`) to `out`: on this
 * thread one chunk at a time, decoded into one reused buffer; with `nthreads` > 1 large
 * chunks one at a time, their blocks on the workers, and smaller ones a few at a time, the
 * chunks on the workers (`SChunk.getSliceAsync`). Memory is a few chunks whatever the size
 * of the frame.
 */
export async function writeContent(schunk: SChunk, out: OutputFile, nthreads: number, bar: ProgressBar | undefined): Promise<void> {
  const total = schunk.nbytes;
  const n = schunk.nchunks;
  bar?.update(0, total);
  if (nthreads <= 1) {
    let buffer = new Uint8Array(0);
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const size = schunk.chunkNbytes(i);
      if (size > buffer.length) buffer = new Uint8Array(size);
      out.write(schunk.decompressChunk(i, buffer.subarray(0, size)));
      pos += size;
      bar?.update(pos, total);
    }
  } else {
    await writeContentOnWorkers(schunk, out, nthreads, bar);
  }
  bar?.update(total, total);
  bar?.done();
}

/** Chunks at least this large are decoded one at a time, their blocks spread over the workers. */
const BLOCK_PARALLEL_CHUNK_NBYTES = 4 << 20;

async function writeContentOnWorkers(schunk: SChunk, out: OutputFile, nthreads: number, bar: ProgressBar | undefined): Promise<void> {
  const ts = schunk.typesize;
  const total = schunk.nbytes;
  const n = schunk.nchunks;
  if (n > 0 && schunk.chunksize >= BLOCK_PARALLEL_CHUNK_NBYTES) {
    // Into one shared buffer the workers write to directly: no buffer per step.
    const buffer = new Uint8Array(new SharedArrayBuffer(schunk.chunksize));
    let pos = 0;
    for (let i = 0; i < n; i++) {
      const size = schunk.chunkNbytes(i);
      const decoded = await decompressAsync(schunk.getChunk(i), buffer.subarray(0, size), { nthreads, maxNbytes: size });
      if (decoded.length !== size) throw new BloscError(BloscErrorCode.InvalidHeader, `chunk ${i} decodes to ${decoded.length} bytes, expected ${size}`);
      out.write(decoded);
      pos += size;
      bar?.update(pos, total);
    }
    return;
  }
  const step = chunksPerStep(nthreads, n > 0 ? schunk.chunkNbytes(0) : 1);
  let pos = 0;
  let i = 0;
  while (i < n) {
    let end = pos;
    const last = Math.min(n, i + step);
    for (let k = i; k < last; k++) end += schunk.chunkNbytes(k);
    // Slices are in items: a boundary inside an item (variable-size chunks) ends the steps.
    const whole = last === n || end % ts !== 0;
    const bytes = await schunk.getSliceAsync(pos / ts, whole ? undefined : end / ts, { nthreads });
    out.write(bytes);
    if (whole) break;
    pos = end;
    i = last;
    bar?.update(pos, total);
  }
}

/** Where compressed chunks go: a super-chunk in memory, or a frame written as it grows ({@link FrameWriter}). */
export interface ChunkSink {
  readonly typesize: number;
  appendChunk(chunk: Uint8Array): unknown;
}

/**
 * Compress `size` bytes, read a few chunks at a time by `readPiece(at, length)` (which may
 * hand back a view of one reused buffer: it is consumed before the next read), into chunks
 * of `chunksize` bytes appended to `target`: the chunks `SChunk.append` would make,
 * compressed on `cparams.nthreads` workers (`SChunk.fromDataAsync`). As c-blosc2 does, the
 * blocksize the first chunk computed is kept for every later chunk.
 */
export async function appendCompressed(
  target: ChunkSink, size: number, readPiece: (at: number, length: number) => Uint8Array, chunksize: number, cparams: CompressOptions, bar: ProgressBar | undefined,
): Promise<void> {
  const step = piecePerStep(cparams, chunksize);
  let blocksize = cparams.blocksize ?? 0;
  bar?.update(0, size);
  for (let at = 0; at < size; at += step) {
    const piece = readPiece(at, Math.min(step, size - at));
    const more = await SChunk.fromDataAsync(piece, { chunksize, typesize: target.typesize, cparams: blocksize !== 0 ? { ...cparams, blocksize } : cparams });
    if (blocksize === 0 && more.nchunks > 0) blocksize = chunkInfo(more.getChunk(0)).blocksize;
    for (let k = 0; k < more.nchunks; k++) target.appendChunk(more.getChunk(k));
    bar?.update(at + piece.length, size);
  }
  bar?.done();
}

/** Bytes `appendCompressed` reads and compresses per step: a few chunks. */
export function piecePerStep(cparams: CompressOptions, chunksize: number): number {
  return chunksize * chunksPerStep(cparams.nthreads ?? 1, chunksize);
}

/**
 * Write to `out` a version-2 contiguous frame of the `size` bytes of file `path` in chunks
 * of `chunksize` bytes: the bytes of `SChunk.fromData(...).toFrame()`, the file read a few
 * chunks at a time into one buffer and each chunk written as it is made ({@link FrameWriter}).
 */
export async function compressFileToFrame(
  path: string, size: number, chunksize: number, cparams: CompressOptions, out: OutputFile, bar: ProgressBar | undefined,
): Promise<void> {
  const typesize = cparams.typesize ?? 1;
  const writer = new FrameWriter(frameTarget(out), { chunksize, typesize, cparams });
  const fd = openInput(path);
  try {
    const nthreads = cparams.nthreads ?? 1;
    if (nthreads > 1 && chunksize >= BLOCK_PARALLEL_CHUNK_NBYTES) {
      await compressBlocksOnWorkers(writer, size, (at, buffer) => readInto(path, fd, at, buffer), chunksize, { ...cparams, typesize }, bar);
    } else if (nthreads > 1) {
      const buffer = new Uint8Array(Math.min(size, piecePerStep(cparams, chunksize)));
      await appendCompressed(writer, size, (at, length) => readInto(path, fd, at, buffer.subarray(0, length)), chunksize, cparams, bar);
    } else {
      // One chunk at a time, compressed here as SChunk.append does (the first chunk's block size kept).
      const buffer = new Uint8Array(Math.min(size, chunksize));
      bar?.update(0, size);
      for (let at = 0; at < size; at += chunksize) {
        const length = Math.min(chunksize, size - at);
        writer.append(readInto(path, fd, at, buffer.subarray(0, length)));
        bar?.update(at + length, size);
      }
      bar?.done();
    }
  } finally {
    closeInput(fd);
  }
  writer.finish();
}

/**
 * Large chunks one at a time, each one's blocks compressed on the workers into one shared
 * buffer (`compressAsync`): the chunks `SChunk.append` makes (the block size the first chunk
 * computed kept for the others), with one chunk of input and one of output in memory.
 */
async function compressBlocksOnWorkers(
  writer: FrameWriter, size: number, readChunk: (at: number, buffer: Uint8Array) => Uint8Array, chunksize: number, cparams: CompressOptions, bar: ProgressBar | undefined,
): Promise<void> {
  const input = new Uint8Array(Math.min(size, chunksize));
  const output = new Uint8Array(new SharedArrayBuffer(maxChunkSize(input.length, cparams.format)));
  let options = cparams;
  bar?.update(0, size);
  for (let at = 0; at < size; at += chunksize) {
    const length = Math.min(chunksize, size - at);
    const chunk = await compressAsync(readChunk(at, input.subarray(0, length)), options, output);
    const blocksize = at === 0 && (cparams.blocksize ?? 0) === 0 ? chunkInfo(chunk).blocksize : 0;
    if (blocksize > 0) options = { ...cparams, blocksize };
    writer.appendChunk(chunk);
    bar?.update(at + length, size);
  }
  bar?.done();
}

/** An output file as the positional target a {@link FrameWriter} writes to. */
export function frameTarget(out: OutputFile): FrameWriteTarget {
  return { write: (position, bytes) => out.writeAt(position, bytes) };
}
