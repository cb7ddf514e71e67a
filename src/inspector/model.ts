/**
 * What the inspector knows about an opened input, built from the public API only: a Blosc
 * chunk, a contiguous frame (.b2frame, .b2nd), a sparse frame (a folder with
 * `chunks.b2frame`), a bloscpack file (.blp) or a zarr array folder (v2 `.zarray`, v3
 * `zarr.json`) whose chunks are Blosc chunks. Files are read lazily through
 * `BlobSource`/`HttpRangeSource`: a frame's header, trailer and offsets index when it
 * opens, a chunk when it is asked for.
 */
import {
  AsyncCFrame, BloscError, BloscErrorCode, bloscpack, CFrame, chunkInfo, HttpRangeSource, MemorySource, msgpackDecode,
  MsgpackExt, MsgpackTuple, parseB2ndMeta, decompress, type AsyncFrameSource, type FrameHeader, type FrameLayer,
  type MsgpackValue,
} from '../index.js';

export interface Field {
  readonly name: string;
  readonly value: string;
}

/** One cell of the chunk map. */
export interface ChunkCell {
  readonly index: number;
  /** Uncompressed bytes (NaN when not known without reading the chunk). */
  readonly nbytes: number;
  /** Stored bytes (NaN when not known). */
  readonly cbytes: number;
  /** 'zeros', 'nan', 'uninit', 'value', 'missing' (zarr: fill value), or null for data. */
  readonly special: string | null;
}

/** An n-d array whose chunks are Blosc chunks: b2nd (blocks inside chunks) or zarr (whole chunks). */
export interface ArrayModel {
  readonly layout: 'b2nd' | 'zarr';
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  /** b2nd block shape; null for zarr. */
  readonly blocks: readonly number[] | null;
  readonly dtype: string;
  readonly itemsize: number;
  /** Element order inside a zarr chunk. */
  readonly order: 'C' | 'F';
  /** Value of elements in missing zarr chunks. */
  readonly fill: number;
  /** Compressed chunk `i` (C order over the chunk grid), or null when it is missing. */
  chunk(i: number): Promise<Uint8Array | null>;
}

export interface Opened {
  /** What the input is, in words ('contiguous frame', 'b2nd array (contiguous frame)', ...). */
  readonly kind: string;
  readonly name: string;
  /** Bytes of the file (or of all files of a folder, when known). */
  readonly size: number;
  readonly header: readonly Field[];
  readonly pipeline: readonly Field[];
  readonly metalayers: readonly Field[];
  readonly vlmeta: readonly Field[];
  readonly cells: readonly ChunkCell[];
  /** The stored chunk `i` (special chunks as their 32-byte chunk; null: missing zarr chunk). */
  chunk(i: number): Promise<Uint8Array | null>;
  readonly array: ArrayModel | null;
  /** Problems met while opening that leave the rest usable (a vlmetalayer that does not decode). */
  readonly problems: readonly { where: string; error: unknown }[];
}

/** Files of a chosen folder, or of a folder served over HTTP, by path relative to it. */
export interface Folder {
  readonly name: string;
  /** A lazily read file, or null when there is none of that name. */
  file(path: string): Promise<{ source: AsyncFrameSource; size: number } | null>;
  /** Size of a file when it is known without a request (local folders), else undefined. */
  knownSize(path: string): number | undefined;
  /** True when every file is known (a local folder): a file not listed does not exist. */
  readonly listed: boolean;
}

const SPECIALS = ['none', 'zeros', 'nan', 'value', 'uninit'];
const CODEC_NAMES = ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'];
const FILTER_NAMES: Record<number, string> = {
  0: 'nofilter', 1: 'shuffle', 2: 'bitshuffle', 3: 'delta', 4: 'trunc_prec', 32: 'ndcell', 33: 'ndmean', 34: 'bytedelta_buggy',
  35: 'bytedelta', 36: 'int_trunc',
};
const SPLITMODES: Record<number, string> = { 1: 'always', 2: 'never', 3: 'auto', 4: 'forward-compat' };

const text = new TextDecoder();

function bad(message: string): never {
  throw new BloscError(BloscErrorCode.InvalidHeader, message);
}

export function bytesText(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${n} B)`;
}

/** A msgpack value as JSON-like text. */
export function msgpackText(v: MsgpackValue): string {
  const plain = (x: MsgpackValue): unknown => {
    if (x instanceof Uint8Array) return `bytes(${hex(x, 32)})`;
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof MsgpackTuple) return x.items.map(plain);
    if (x instanceof MsgpackExt) return `ext(${x.type}, ${hex(x.data, 32)})`;
    if (x instanceof Map) return Object.fromEntries([...x.entries()].map(([k, val]) => [String(plain(k as MsgpackValue)), plain(val as MsgpackValue)]));
    if (Array.isArray(x)) return x.map(plain);
    if (x !== null && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, val]) => [k, plain(val as MsgpackValue)]));
    return x;
  };
  return JSON.stringify(plain(v));
}

function hex(b: Uint8Array, max: number): string {
  const s = [...b.subarray(0, max)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length > max ? `${s} … (${b.length} bytes)` : s;
}

function filterPipeline(filters: readonly number[], meta: readonly number[]): string {
  const active = filters.map((id, slot) => ({ id, slot })).filter((f) => f.id !== 0);
  if (active.length === 0) return 'none';
  return active.map((f) => `${FILTER_NAMES[f.id] ?? `filter-${f.id}`}${meta[f.slot] ? `(meta ${meta[f.slot]})` : ''}`).join(' → ');
}

/** Describe the frame header fields with their names. */
function frameFields(h: FrameHeader, nchunks: number): Field[] {
  return [
    { name: 'frame type', value: h.frameType === 0 ? 'contiguous' : 'sparse' },
    { name: 'format version', value: String(h.version) },
    { name: 'header length', value: String(h.headerLen) },
    { name: 'frame length', value: bytesText(h.frameLen) },
    { name: 'nbytes', value: bytesText(h.nbytes) },
    { name: 'cbytes', value: bytesText(h.cbytes) },
    { name: 'ratio', value: h.cbytes > 0 ? `${(h.nbytes / h.cbytes).toFixed(2)}×` : '-' },
    { name: 'typesize', value: String(h.typesize) },
    { name: 'blocksize', value: h.blocksize === 0 ? 'automatic' : String(h.blocksize) },
    { name: 'chunksize', value: h.chunksize > 0 ? String(h.chunksize) : h.chunksize === 0 ? 'variable' : 'not set' },
    { name: 'nchunks', value: String(nchunks) },
    { name: 'nthreads (comp/decomp)', value: `${h.nthreadsComp}/${h.nthreadsDecomp}` },
    { name: 'vlmetalayers', value: h.hasVlmetalayers ? 'yes' : 'no' },
  ];
}

function framePipeline(h: FrameHeader): Field[] {
  return [
    { name: 'codec', value: `${CODEC_NAMES[h.codec] ?? `codec-${h.codec}`} (id ${h.codec})` },
    { name: 'clevel', value: String(h.clevel) },
    { name: 'filters', value: filterPipeline(h.filters, h.filtersMeta) },
    { name: 'splitmode', value: SPLITMODES[h.splitmode] ?? String(h.splitmode) },
    { name: 'dictionary', value: h.useDict ? 'yes' : 'no' },
  ];
}

function layerFields(layers: readonly FrameLayer[], vl: boolean, problems: { where: string; error: unknown }[]): Field[] {
  return layers.map((l) => {
    try {
      const raw = vl ? decompress(l.content) : l.content;
      if (!vl && l.name === 'b2nd') {
        const m = parseB2ndMeta(raw);
        return { name: l.name, value: `ndim ${m.ndim}, shape [${m.shape.join(', ')}], chunks [${m.chunkshape.join(', ')}], blocks [${m.blockshape.join(', ')}], dtype ${m.dtype ?? '?'}` };
      }
      try {
        return { name: l.name, value: msgpackText(msgpackDecode(raw)) };
      } catch {
        return { name: l.name, value: hex(raw, 64) };
      }
    } catch (e) {
      problems.push({ where: `${vl ? 'vlmetalayer' : 'metalayer'} ${l.name}`, error: e });
      return { name: l.name, value: `(does not decode: ${String((e as Error).message ?? e)})` };
    }
  });
}

/** A b2nd array model over a frame's chunks. */
function b2ndModel(metas: readonly FrameLayer[], typesize: number, chunk: (i: number) => Promise<Uint8Array>): ArrayModel | null {
  const layer = metas.find((m) => m.name === 'b2nd') ?? metas.find((m) => m.name === 'caterva');
  if (layer === undefined) return null;
  const m = parseB2ndMeta(layer.content);
  return {
    layout: 'b2nd', shape: m.shape, chunks: m.chunkshape, blocks: m.blockshape, dtype: m.dtype ?? `|V${typesize}`,
    itemsize: typesize, order: 'C', fill: 0, chunk,
  };
}

/** Common part of contiguous and sparse frames. */
function frameOpened(
  kind: string, name: string, size: number, frame: CFrame, cells: ChunkCell[], chunk: (i: number) => Promise<Uint8Array>,
): Opened {
  const problems: { where: string; error: unknown }[] = [];
  const h = frame.header;
  const metalayers = layerFields(frame.metalayers, false, problems);
  const vlmeta = layerFields(frame.vlmetalayers, true, problems);
  let array: ArrayModel | null = null;
  try {
    array = b2ndModel(frame.metalayers, h.typesize, chunk);
  } catch (e) {
    problems.push({ where: 'b2nd metalayer', error: e });
  }
  return {
    kind: array === null ? kind : `b2nd array (${kind})`, name, size, header: frameFields(h, frame.nchunks), pipeline: framePipeline(h),
    metalayers, vlmeta, cells, chunk, array, problems,
  };
}

async function openContiguousFrame(source: AsyncFrameSource, name: string): Promise<Opened> {
  const af = await AsyncCFrame.open(source);
  const frame = af.frame;
  const cells: ChunkCell[] = [];
  for (let i = 0; i < af.nchunks; i++) {
    const loc = frame.chunkLocation(i);
    let nbytes = NaN;
    try {
      nbytes = frame.header.chunksize > 0 || loc.kind !== 'data' ? await af.chunkNbytes(i) : NaN;
    } catch {
      // Shown when the chunk is opened.
    }
    if (loc.kind === 'special') cells.push({ index: i, nbytes, cbytes: 0, special: SPECIALS[loc.special] ?? `special-${loc.special}` });
    else cells.push({ index: i, nbytes, cbytes: loc.kind === 'data' ? loc.span : NaN, special: null });
  }
  // Variable-size chunks: their sizes are in their headers (32 bytes each), read for small frames.
  if (frame.header.chunksize <= 0 && af.nchunks <= 4096) {
    // At most 8 requests at a time.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cells.length) {
        const i = next++;
        const c = cells[i]!;
        if (c.special !== null) continue;
        try {
          cells[i] = { ...c, nbytes: await af.chunkNbytes(i) };
        } catch {
          // Shown when the chunk is opened.
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
  return frameOpened('contiguous frame', name, source.size, frame, cells, (i) => af.getChunk(i));
}

/** `%08X.chunk`: the chunk file of a sparse frame (c-blosc2 blosc/sframe.c `sframe_make_chunk_path`). */
function chunkFileName(id: number): string {
  return `${id.toString(16).toUpperCase().padStart(8, '0')}.chunk`;
}

async function openSparseFrame(folder: Folder, index: { source: AsyncFrameSource; size: number }): Promise<Opened> {
  const bytes = await index.source.read(0, index.size);
  const files = new Map<number, Uint8Array>();
  const frame = CFrame.open(new MemorySource(bytes), {
    chunkFile: (id) => files.get(id) ?? bad(`sparse frame: chunk file ${chunkFileName(id)} was not read`),
  });
  const cells: ChunkCell[] = [];
  let total = index.size;
  for (let i = 0; i < frame.nchunks; i++) {
    const loc = frame.chunkLocation(i);
    if (loc.kind === 'special') {
      cells.push({ index: i, nbytes: frame.header.chunksize > 0 ? frame.header.chunksize : NaN, cbytes: 0, special: SPECIALS[loc.special] ?? 'special' });
    } else {
      const id = loc.kind === 'file' ? loc.id : -1;
      const size = folder.knownSize(chunkFileName(id)) ?? NaN;
      if (Number.isFinite(size)) total += size;
      cells.push({ index: i, nbytes: frame.header.chunksize > 0 ? frame.header.chunksize : NaN, cbytes: size, special: null });
    }
  }
  // The last chunk of a fixed-size frame may be short.
  const cs = frame.header.chunksize;
  if (cs > 0 && cells.length > 0) {
    const last = cells[cells.length - 1]!;
    cells[cells.length - 1] = { ...last, nbytes: frame.header.nbytes - cs * (cells.length - 1) };
  }
  const chunk = async (i: number): Promise<Uint8Array> => {
    const loc = frame.chunkLocation(i);
    if (loc.kind === 'file' && !files.has(loc.id)) {
      const f = await folder.file(chunkFileName(loc.id));
      if (f === null) bad(`sparse frame: chunk file ${chunkFileName(loc.id)} is missing from ${folder.name}`);
      files.set(loc.id, await f.source.read(0, f.size));
    }
    return frame.getChunk(i);
  };
  return frameOpened('sparse frame', folder.name, total, frame, cells, chunk);
}

async function openChunk(source: AsyncFrameSource, name: string): Promise<Opened> {
  const bytes = await source.read(0, source.size);
  const info = chunkInfo(bytes);
  const header: Field[] = [
    { name: 'format', value: info.version <= 2 ? `Blosc1 (version ${info.version})` : `Blosc2 (version ${info.version})` },
    { name: 'versionlz', value: String(info.versionlz) },
    { name: 'flags', value: `0x${info.flags.toString(16).padStart(2, '0')}` },
    { name: 'header length', value: String(info.headerLength) },
    { name: 'typesize', value: String(info.typesize) },
    { name: 'nbytes', value: bytesText(info.nbytes) },
    { name: 'cbytes', value: bytesText(info.cbytes) },
    { name: 'ratio', value: info.cbytes > 0 ? `${(info.nbytes / info.cbytes).toFixed(2)}×` : '-' },
    { name: 'blocksize', value: String(info.blocksize) },
    { name: 'nblocks', value: String(info.nblocks) },
    { name: 'memcpyed', value: info.memcpyed ? 'yes' : 'no' },
    { name: 'special', value: info.special ?? 'no' },
  ];
  return {
    kind: info.version <= 2 ? 'Blosc1 chunk' : 'Blosc2 chunk', name, size: source.size, header, pipeline: chunkPipeline(bytes),
    metalayers: [], vlmeta: [], cells: [{ index: 0, nbytes: info.nbytes, cbytes: info.cbytes, special: info.special }],
    chunk: async () => bytes, array: null, problems: [],
  };
}

/** Codec and filters of one chunk, by name. */
export function chunkPipeline(chunk: Uint8Array): Field[] {
  const info = chunkInfo(chunk);
  return [
    { name: 'codec', value: `${info.codec} (id ${info.codecId})` },
    { name: 'filters', value: info.filters.length === 0 ? 'none' : info.filters.map((f) => `${f.name}${f.meta ? `(meta ${f.meta})` : ''}`).join(' → ') },
    { name: 'shuffle', value: info.shuffle },
    { name: 'split streams', value: info.split ? 'yes' : 'no' },
    { name: 'dictionary', value: info.useDict ? 'yes' : 'no' },
  ];
}

async function openBloscpack(source: AsyncFrameSource, name: string): Promise<Opened> {
  // Bloscpack's offsets precede the chunks but are optional: the file is read whole.
  const bytes = await source.read(0, source.size);
  const info = bloscpack.readBloscpackInfo(bytes);
  const problems: { where: string; error: unknown }[] = [];
  let records: { position: number; cbytes: number; nbytes: number }[] = [];
  try {
    records = bloscpack.verifyBytes(bytes).chunks;
  } catch (e) {
    problems.push({ where: 'chunks', error: e });
    // Walk what can be walked: the offsets, each chunk's own header giving its length.
    records = info.offsets.map((position) => {
      try {
        const c = chunkInfo(bytes.subarray(position));
        return { position, cbytes: c.cbytes, nbytes: c.nbytes };
      } catch {
        return { position, cbytes: NaN, nbytes: NaN };
      }
    });
  }
  const h = info.header;
  const header: Field[] = [
    { name: 'format version', value: String(h.formatVersion) },
    { name: 'checksum', value: h.checksum },
    { name: 'typesize', value: String(h.typesize) },
    { name: 'chunk size', value: h.chunkSize < 0 ? 'unknown' : String(h.chunkSize) },
    { name: 'last chunk', value: h.lastChunk < 0 ? 'unknown' : String(h.lastChunk) },
    { name: 'nchunks', value: String(h.nchunks) },
    { name: 'offsets section', value: h.offsets ? 'yes' : 'no' },
    { name: 'reserved append slots', value: String(h.maxAppChunks) },
  ];
  const metalayers: Field[] = info.metadata === undefined ? [] : [{ name: 'metadata', value: JSON.stringify(info.metadata) }];
  const cells: ChunkCell[] = records.map((r, index) => ({ index, nbytes: r.nbytes, cbytes: r.cbytes, special: null }));
  const chunk = async (i: number): Promise<Uint8Array> => {
    const r = records[i]!;
    if (!Number.isFinite(r.cbytes)) return bytes.subarray(r.position);
    return bytes.subarray(r.position, r.position + r.cbytes);
  };
  const first = records.length > 0 && Number.isFinite(records[0]!.cbytes) ? bytes.subarray(records[0]!.position) : null;
  let pipeline: Field[] = [];
  if (first !== null) {
    try {
      pipeline = chunkPipeline(first);
    } catch (e) {
      problems.push({ where: 'chunk 0 header', error: e });
    }
  }
  return { kind: 'bloscpack file', name, size: source.size, header, pipeline, metalayers, vlmeta: [], cells, chunk, array: null, problems };
}

/** Open one file (or a resource behind a URL), recognised by its first bytes. */
export async function openSource(source: AsyncFrameSource, name: string): Promise<Opened> {
  if (source.size < 16) bad(`${name}: ${source.size} bytes are too few for any Blosc format`);
  const head = await source.read(0, Math.min(source.size, 32));
  if (head[0] === 0x9e && head[1] === 0xa8 && text.decode(head.subarray(2, 9)) === 'b2frame') return openContiguousFrame(source, name);
  if (text.decode(head.subarray(0, 4)) === 'blpk') return openBloscpack(source, name);
  const cbytes = new DataView(head.buffer, head.byteOffset, head.length).getUint32(12, true);
  if (head[0]! >= 1 && head[0]! <= 6 && cbytes === source.size) return openChunk(source, name);
  return bad(`${name}: not a Blosc chunk (its header's cbytes ${cbytes} is not the file size ${source.size}), frame or bloscpack file`);
}

export async function openUrl(url: string, base: string): Promise<Opened> {
  const href = new URL(url, base).href;
  if (href.endsWith('/')) return openFolder(httpFolder(href));
  try {
    const source = await HttpRangeSource.open(href);
    return await openSource(source, decodeURIComponent(new URL(href).pathname.split('/').pop() ?? href));
  } catch (e) {
    throw explainFetchError(e, href);
  }
}

/** Say what a failed request usually means in a browser (CORS, no range support). */
export function explainFetchError(e: unknown, href: string): unknown {
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause !== undefined ? String(e.cause) : '';
  if (e instanceof TypeError || /Failed to fetch|NetworkError|TypeError/.test(cause) || /Failed to fetch|NetworkError/.test(message)) {
    return new BloscError(BloscErrorCode.FileRead, `${href}: the request failed before any answer. The server does not allow cross-origin requests (CORS: Access-Control-Allow-Origin, and the Range header) or cannot be reached. (${message})`);
  }
  if (/ignores Range/.test(message)) {
    return new BloscError(BloscErrorCode.FileRead, `No range support: ${message}`);
  }
  return e;
}

/** A folder served over HTTP: files fetched whole by name (zarr chunks, sparse-frame chunk files). */
export function httpFolder(base: string): Folder {
  return {
    name: decodeURIComponent(base.replace(/\/$/, '').split('/').pop() ?? base),
    knownSize: () => undefined,
    listed: false,
    async file(path) {
      let res: Response;
      try {
        res = await fetch(new URL(path, base).href);
      } catch (e) {
        throw explainFetchError(e, new URL(path, base).href);
      }
      if (res.status === 404 || res.status === 403) return null;
      if (!res.ok) throw new BloscError(BloscErrorCode.FileRead, `${path}: HTTP ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { source: new MemorySourceAsync(bytes), size: bytes.length };
    },
  };
}

/** Bytes already in memory as an asynchronous source. */
class MemorySourceAsync implements AsyncFrameSource {
  readonly size: number;
  constructor(private readonly bytes: Uint8Array) {
    this.size = bytes.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, offset + length);
  }
}

/** A folder: a sparse frame (chunks.b2frame) or a zarr array (.zarray / zarr.json). */
export async function openFolder(folder: Folder): Promise<Opened> {
  const index = await folder.file('chunks.b2frame');
  if (index !== null) return openSparseFrame(folder, index);
  const v2 = await folder.file('.zarray');
  if (v2 !== null) return openZarr(folder, JSON.parse(text.decode(await v2.source.read(0, v2.size))) as Record<string, unknown>, 2);
  const v3 = await folder.file('zarr.json');
  if (v3 !== null) return openZarr(folder, JSON.parse(text.decode(await v3.source.read(0, v3.size))) as Record<string, unknown>, 3);
  return bad(`${folder.name}: no chunks.b2frame (sparse frame), .zarray (zarr v2) or zarr.json (zarr v3) in this folder`);
}

const ZARR3_DTYPES: Record<string, string> = {
  bool: 'b1', int8: 'i1', int16: 'i2', int32: 'i4', int64: 'i8', uint8: 'u1', uint16: 'u2', uint32: 'u4', uint64: 'u8',
  float16: 'f2', float32: 'f4', float64: 'f8', complex64: 'c8', complex128: 'c16',
};

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x) && x >= 0)) bad(`zarr: ${what} is not a list of non-negative integers`);
  return v as number[];
}

function fillNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

/**
 * A zarr array folder with Blosc chunks. v2: `.zarray` with compressor id "blosc", keys
 * `i.j` (or `i/j`); v3: `zarr.json` with codecs [bytes, blosc], keys `c/i/j` (zarr-specs
 * v3 core: chunk_key_encoding "default"). Only the metadata is parsed here; chunks are
 * plain Blosc chunks (numcodecs' Blosc writes Blosc1 chunks).
 */
async function openZarr(folder: Folder, meta: Record<string, unknown>, version: 2 | 3): Promise<Opened> {
  const shape = intList(meta.shape, 'shape');
  let chunks: number[];
  let dtype: string;
  let order: 'C' | 'F' = 'C';
  let key: (idx: number[]) => string;
  const pipeline: Field[] = [];
  if (version === 2) {
    chunks = intList(meta.chunks, 'chunks');
    if (typeof meta.dtype !== 'string') bad('zarr: .zarray has no dtype string (structured dtypes are not shown)');
    dtype = meta.dtype;
    order = meta.order === 'F' ? 'F' : 'C';
    const c = meta.compressor as Record<string, unknown> | null;
    if (c === null || typeof c !== 'object' || c.id !== 'blosc') bad(`zarr: the compressor is ${c === null ? 'none' : JSON.stringify(c?.id)}, not Blosc`);
    const filters = meta.filters as unknown[] | null;
    if (Array.isArray(filters) && filters.length > 0) bad(`zarr: filters ${JSON.stringify(filters)} before Blosc are not supported here`);
    pipeline.push({ name: 'compressor', value: JSON.stringify(c) });
    const sep = meta.dimension_separator === '/' ? '/' : '.';
    key = (idx) => (idx.length === 0 ? '0' : idx.join(sep));
  } else {
    if (meta.node_type !== 'array') bad(`zarr: zarr.json describes a ${String(meta.node_type)}, not an array`);
    const grid = meta.chunk_grid as { name?: string; configuration?: { chunk_shape?: unknown } } | undefined;
    if (grid?.name !== 'regular') bad('zarr: only regular chunk grids are supported');
    chunks = intList(grid.configuration?.chunk_shape, 'chunk_shape');
    const codecs = (meta.codecs ?? []) as { name: string; configuration?: Record<string, unknown> }[];
    const names = codecs.map((c) => c.name);
    if (names.length !== 2 || names[0] !== 'bytes' || names[1] !== 'blosc') bad(`zarr: codecs [${names.join(', ')}]: only [bytes, blosc] is shown here`);
    const endian = codecs[0]!.configuration?.endian === 'big' ? '>' : '<';
    const base = ZARR3_DTYPES[String(meta.data_type)];
    if (base === undefined) bad(`zarr: data_type ${JSON.stringify(meta.data_type)} is not supported here`);
    dtype = base.endsWith('1') ? `|${base}` : `${endian}${base}`;
    pipeline.push({ name: 'codecs', value: JSON.stringify(codecs) });
    const enc = meta.chunk_key_encoding as { name?: string; configuration?: { separator?: string } } | undefined;
    const sep = enc?.configuration?.separator ?? (enc?.name === 'v2' ? '.' : '/');
    key = enc?.name === 'v2' ? (idx) => (idx.length === 0 ? '0' : idx.join(sep)) : (idx) => ['c', ...idx].join(sep);
  }
  if (chunks.length !== shape.length || chunks.some((c) => c === 0)) bad(`zarr: chunks [${chunks.join(', ')}] do not fit shape [${shape.join(', ')}]`);
  const itemsize = Number(/(\d+)$/.exec(dtype)?.[1] ?? NaN);
  if (!Number.isSafeInteger(itemsize) || itemsize < 1) bad(`zarr: cannot tell the item size of dtype ${dtype}`);
  const grid = shape.map((n, a) => Math.ceil(n / chunks[a]!));
  const nchunks = grid.reduce((p, x) => p * x, 1);
  const chunkNbytes = chunks.reduce((p, x) => p * x, itemsize);
  const coords = (i: number): number[] => {
    const idx = new Array<number>(grid.length);
    for (let a = grid.length - 1; a >= 0; a--) {
      idx[a] = i % grid[a]!;
      i = Math.floor(i / grid[a]!);
    }
    return idx;
  };
  const cells: ChunkCell[] = [];
  let total = 0;
  for (let i = 0; i < Math.min(nchunks, 1 << 16); i++) {
    const size = folder.knownSize(key(coords(i)));
    if (size !== undefined) total += size;
    // Local folders list their files: a chunk without a file is the fill value.
    cells.push({ index: i, nbytes: chunkNbytes, cbytes: size ?? NaN, special: size === undefined && folder.listed ? 'missing' : null });
  }
  const unknown = !folder.listed;
  const chunk = async (i: number): Promise<Uint8Array | null> => {
    const f = await folder.file(key(coords(i)));
    return f === null ? null : f.source.read(0, f.size);
  };
  const fill = fillNumber(meta.fill_value);
  const header: Field[] = [
    { name: 'zarr format', value: String(version) },
    { name: 'shape', value: `[${shape.join(', ')}]` },
    { name: 'chunks', value: `[${chunks.join(', ')}]` },
    { name: 'dtype', value: version === 2 ? dtype : `${String(meta.data_type)} (${dtype})` },
    { name: 'order', value: order },
    { name: 'fill value', value: JSON.stringify(meta.fill_value) },
    { name: 'nchunks', value: String(nchunks) },
  ];
  const attrs = version === 3 ? meta.attributes : undefined;
  const metalayers: Field[] = attrs !== undefined ? [{ name: 'attributes', value: JSON.stringify(attrs) }] : [];
  if (version === 2) {
    const za = await folder.file('.zattrs');
    if (za !== null) metalayers.push({ name: '.zattrs', value: text.decode(await za.source.read(0, za.size)) });
  }
  const array: ArrayModel = { layout: 'zarr', shape, chunks, blocks: null, dtype, itemsize, order, fill, chunk };
  return {
    kind: `zarr v${version} array`, name: folder.name, size: unknown ? NaN : total, header, pipeline, metalayers, vlmeta: [],
    cells, chunk, array, problems: [],
  };
}
