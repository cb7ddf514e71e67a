/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Zstandard dictionaries (RFC 8878 §5): raw content, or the formatted kind that ZDICT
 * trains (magic 0xEC30A437, dictionary id, entropy tables, 3 repeat offsets, content).
 *
 * Mirrors `ZSTD_loadDEntropy` and `ZSTD_decompressBegin_usingDict`
 * (lib/decompress/zstd_decompress.c).
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { le32 } from './bits.js';
import { DICT_MAGIC } from './frame.js';
import {
  FseTable,
  LL_BASE,
  LL_EXTRA,
  LL_MAX_LOG,
  LL_MAX_SYMBOL,
  ML_BASE,
  ML_EXTRA,
  ML_MAX_LOG,
  ML_MAX_SYMBOL,
  OF_BASE,
  OF_EXTRA,
  OF_MAX_LOG,
  OF_MAX_SYMBOL,
  buildFseTable,
  readNormalizedCounts,
} from './fse.js';
import { HuffmanTable, readHuffmanTable } from './huffman.js';

/** Entropy tables a formatted dictionary preloads for the first block of each frame. */
export interface ZstdDictionaryTables {
  readonly huffman: HuffmanTable;
  readonly literalLengths: FseTable;
  readonly matchLengths: FseTable;
  readonly offsets: FseTable;
}

/** A parsed dictionary, ready to decode frames with. Parse once, reuse for many frames. */
export class ZstdDictionary {
  constructor(
    /** Dictionary id (0 for raw-content dictionaries). A frame naming another id is refused. */
    readonly id: number,
    /** The content frames may copy matches from, as if it preceded each frame's output. */
    readonly content: Uint8Array,
    /** The repeat offsets each frame starts with. */
    readonly repeatOffsets: readonly [number, number, number],
    /** Entropy tables of a formatted dictionary, null for raw content. */
    readonly tables: ZstdDictionaryTables | null,
  ) {}
}

/**
 * Parse a dictionary. Bytes that start with the dictionary magic are read as a formatted
 * dictionary (and must be valid: Data otherwise); anything else is raw content.
 */
export function parseZstdDictionary(bytes: Uint8Array): ZstdDictionary {
  if (bytes.length < 8 || le32(bytes, 0) >>> 0 !== DICT_MAGIC) {
    return new ZstdDictionary(0, bytes.slice(), [1, 4, 8], null);
  }
  const id = le32(bytes, 4) >>> 0;
  const end = bytes.length;
  let p = 8;
  const huffman = new HuffmanTable();
  p += readHuffmanTable(bytes, p, end, huffman);
  const norm = new Int16Array(64);
  const used = new Int32Array(1);
  const offsets = readTable(bytes, p, end, norm, used, OF_MAX_SYMBOL, OF_MAX_LOG, OF_BASE, OF_EXTRA);
  p += used[0]!;
  const matchLengths = readTable(bytes, p, end, norm, used, ML_MAX_SYMBOL, ML_MAX_LOG, ML_BASE, ML_EXTRA);
  p += used[0]!;
  const literalLengths = readTable(bytes, p, end, norm, used, LL_MAX_SYMBOL, LL_MAX_LOG, LL_BASE, LL_EXTRA);
  p += used[0]!;
  if (p + 12 > end) fail(BloscErrorCode.Data, 'zstd: dictionary truncated before its repeat offsets', { offset: p });
  const content = bytes.slice(p + 12);
  const reps: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const rep = le32(bytes, p + 4 * i) >>> 0;
    if (rep === 0 || rep > content.length) {
      fail(BloscErrorCode.Data, `zstd: dictionary repeat offset ${rep} is outside its content`, { offset: p + 4 * i });
    }
    reps[i] = rep;
  }
  return new ZstdDictionary(id, content, reps, { huffman, literalLengths, matchLengths, offsets });
}

function readTable(
  bytes: Uint8Array,
  p: number,
  end: number,
  norm: Int16Array,
  used: Int32Array,
  maxSymbol: number,
  maxLog: number,
  base: Int32Array,
  extra: Uint8Array,
): FseTable {
  const packed = readNormalizedCounts(bytes, p, end, norm, maxSymbol, maxLog, used);
  const table = new FseTable(maxLog);
  buildFseTable(table, norm, packed >>> 8, packed & 0xff, base, extra);
  return table;
}
