/** `chunkInfo`: what a chunk's header says, in words (python-blosc2 `get_cbuffer_sizes` and more). */
import { getCodec } from '../codecs/registry.js';
import { CodecFormat, CodecId } from '../codecs/types.js';
import { getFilter } from '../shuffle/filters.js';
import { FilterId } from '../shuffle/types.js';
import { readChunkHeader, SPECIAL_NAMES, type SpecialName } from '../frame/chunk-header.js';

export interface ChunkFilterInfo {
  /** Pipeline slot, 0..5 (applied in this order when compressing). */
  readonly slot: number;
  readonly id: number;
  readonly name: string;
  readonly meta: number;
}

export interface ChunkInfo {
  /** Format version: 2 = Blosc1, 3..5 = Blosc2, 6 = Blosc2 VL-blocks. */
  readonly version: number;
  readonly versionlz: number;
  readonly flags: number;
  readonly typesize: number;
  readonly nbytes: number;
  readonly cbytes: number;
  /** Blocksize used for the layout (for VL-block chunks: the largest block is not known here, so the header field). */
  readonly blocksize: number;
  readonly nblocks: number;
  readonly headerLength: number;
  /** Codec id (byte 22 for Blosc2 headers; derived from the format code otherwise). */
  readonly codecId: number;
  readonly codec: string;
  readonly codecFormat: number;
  readonly compcodeMeta: number;
  /** Active filters (slots that are not NOFILTER). */
  readonly filters: readonly ChunkFilterInfo[];
  readonly filtersMeta: readonly number[];
  readonly shuffle: 'noshuffle' | 'shuffle' | 'bitshuffle';
  readonly memcpyed: boolean;
  readonly split: boolean;
  readonly special: Exclude<SpecialName, 'none'> | null;
  readonly useDict: boolean;
  readonly vlBlocks: boolean;
  readonly lazy: boolean;
  readonly bigEndian: boolean;
}

const FORMAT_TO_ID: Record<number, number> = {
  [CodecFormat.BloscLZ]: CodecId.BloscLZ,
  [CodecFormat.LZ4]: CodecId.LZ4,
  [CodecFormat.Snappy]: CodecId.Snappy,
  [CodecFormat.Zlib]: CodecId.Zlib,
  [CodecFormat.Zstd]: CodecId.Zstd,
};

const BUILTIN_CODEC_NAMES = ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'];
const BUILTIN_FILTER_NAMES: Record<number, string> = {
  1: 'shuffle', 2: 'bitshuffle', 3: 'delta', 4: 'trunc_prec', 32: 'ndcell', 33: 'ndmean',
  34: 'bytedelta_buggy', 35: 'bytedelta', 36: 'int_trunc',
};

/** Describe a chunk from its header alone (no codec runs). */
export function chunkInfo(chunk: Uint8Array): ChunkInfo {
  const h = readChunkHeader(chunk);
  // c-blosc2 always writes the codec id in byte 22 of a 32-byte header; 16-byte headers
  // only have the format code (which cannot tell lz4 from lz4hc).
  const codecId = h.extended ? h.udcompcode : FORMAT_TO_ID[h.codecFormat] ?? -1;
  const codec = getCodec(codecId)?.name ?? BUILTIN_CODEC_NAMES[codecId] ?? `codec-${codecId}`;
  const filters: ChunkFilterInfo[] = [];
  for (let slot = 0; slot < 6; slot++) {
    const id = h.filters[slot]!;
    if (id === FilterId.NoFilter) continue;
    const name = getFilter(id)?.name ?? BUILTIN_FILTER_NAMES[id] ?? `filter-${id}`;
    filters.push({ slot, id, name, meta: h.filtersMeta[slot]! });
  }
  const ids = h.filters;
  const shuffle = ids.includes(FilterId.BitShuffle) ? 'bitshuffle' : ids.includes(FilterId.Shuffle) ? 'shuffle' : 'noshuffle';
  const blocksize = h.vlBlocks ? h.blocksizeField : Math.max(1, Math.min(h.blocksizeField, h.nbytes));
  const nblocks = h.vlBlocks
    ? h.blocksizeField
    : h.special !== 0 || h.nbytes === 0 ? 0 : Math.ceil(h.nbytes / blocksize);
  return {
    version: h.version,
    versionlz: h.versionlz,
    flags: h.flags,
    typesize: h.typesize,
    nbytes: h.nbytes,
    cbytes: h.cbytes,
    blocksize,
    nblocks,
    headerLength: h.headerLength,
    codecId,
    codec,
    codecFormat: h.codecFormat,
    compcodeMeta: h.compcodeMeta,
    filters,
    filtersMeta: h.filtersMeta,
    shuffle,
    memcpyed: h.memcpyed,
    split: !h.dontSplit,
    special: h.special === 0 ? null : (SPECIAL_NAMES[h.special] as Exclude<SpecialName, 'none'>),
    useDict: h.useDict,
    vlBlocks: h.vlBlocks,
    lazy: h.lazy,
    bigEndian: h.extended && (h.blosc2Flags & 0x02) !== 0,
  };
}
