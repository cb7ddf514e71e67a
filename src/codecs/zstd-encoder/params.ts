/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Compression parameters per level: the libzstd level table (lib/compress/clevels.h,
 * `ZSTD_defaultCParameters`) and its adjustment to a known source size
 * (`ZSTD_getCParams_internal` and `ZSTD_adjustCParams_internal` in zstd_compress.c).
 *
 * Matching libzstd here matters for two reasons: the window size decides the frame
 * header (single-segment or not), and the table sizes, minimum match and strategy decide
 * the ratio we land at next to native Blosc.
 */

/** Match-finding strategies, numbered as libzstd's `ZSTD_strategy`. */
export const Strategy = {
  Fast: 1,
  DoubleFast: 2,
  Greedy: 3,
  Lazy: 4,
  Lazy2: 5,
  BtLazy2: 6,
  BtOpt: 7,
  BtUltra: 8,
  BtUltra2: 9,
} as const;
export type Strategy = (typeof Strategy)[keyof typeof Strategy];

export const ZSTD_MAX_CLEVEL = 22;
export const ZSTD_CLEVEL_DEFAULT = 3;
export const WINDOWLOG_ABSOLUTEMIN = 10;
const HASHLOG_MIN = 6;
/** ZSTD_BLOCKSIZE_MAX: a block never holds more than 128 KiB of content. */
export const BLOCKSIZE_MAX = 128 * 1024;
/** The largest negative level libzstd accepts (`ZSTD_minCLevel`, -ZSTD_TARGETLENGTH_MAX). */
const MIN_CLEVEL = -(1 << 17);

/** One set of compression parameters (libzstd's `ZSTD_compressionParameters`). */
export interface CompressionParams {
  windowLog: number;
  chainLog: number;
  hashLog: number;
  searchLog: number;
  minMatch: number;
  targetLength: number;
  strategy: Strategy;
}

// Rows: level 0 (base for negative levels) .. 22. Columns: W, C, H, S, L, TL, strategy.
// Four tables, chosen by source size: > 256 KiB, <= 256 KiB, <= 128 KiB, <= 16 KiB.
const F = Strategy.Fast;
const DF = Strategy.DoubleFast;
const G = Strategy.Greedy;
const LZ = Strategy.Lazy;
const L2 = Strategy.Lazy2;
const BL = Strategy.BtLazy2;
const BO = Strategy.BtOpt;
const BU = Strategy.BtUltra;
const B2 = Strategy.BtUltra2;

const LEVEL_TABLES: readonly (readonly (readonly number[])[])[] = [
  [
    [19, 12, 13, 1, 6, 1, F],
    [19, 13, 14, 1, 7, 0, F],
    [20, 15, 16, 1, 6, 0, F],
    [21, 16, 17, 1, 5, 0, DF],
    [21, 18, 18, 1, 5, 0, DF],
    [21, 18, 19, 3, 5, 2, G],
    [21, 18, 19, 3, 5, 4, LZ],
    [21, 19, 20, 4, 5, 8, LZ],
    [21, 19, 20, 4, 5, 16, L2],
    [22, 20, 21, 4, 5, 16, L2],
    [22, 21, 22, 5, 5, 16, L2],
    [22, 21, 22, 6, 5, 16, L2],
    [22, 22, 23, 6, 5, 32, L2],
    [22, 22, 22, 4, 5, 32, BL],
    [22, 22, 23, 5, 5, 32, BL],
    [22, 23, 23, 6, 5, 32, BL],
    [22, 22, 22, 5, 5, 48, BO],
    [23, 23, 22, 5, 4, 64, BO],
    [23, 23, 22, 6, 3, 64, BU],
    [23, 24, 22, 7, 3, 256, B2],
    [25, 25, 23, 7, 3, 256, B2],
    [26, 26, 24, 7, 3, 512, B2],
    [27, 27, 25, 9, 3, 999, B2],
  ],
  [
    [18, 12, 13, 1, 5, 1, F],
    [18, 13, 14, 1, 6, 0, F],
    [18, 14, 14, 1, 5, 0, DF],
    [18, 16, 16, 1, 4, 0, DF],
    [18, 16, 17, 3, 5, 2, G],
    [18, 17, 18, 5, 5, 2, G],
    [18, 18, 19, 3, 5, 4, LZ],
    [18, 18, 19, 4, 4, 4, LZ],
    [18, 18, 19, 4, 4, 8, L2],
    [18, 18, 19, 5, 4, 8, L2],
    [18, 18, 19, 6, 4, 8, L2],
    [18, 18, 19, 5, 4, 12, BL],
    [18, 19, 19, 7, 4, 12, BL],
    [18, 18, 19, 4, 4, 16, BO],
    [18, 18, 19, 4, 3, 32, BO],
    [18, 18, 19, 6, 3, 128, BO],
    [18, 19, 19, 6, 3, 128, BU],
    [18, 19, 19, 8, 3, 256, BU],
    [18, 19, 19, 6, 3, 128, B2],
    [18, 19, 19, 8, 3, 256, B2],
    [18, 19, 19, 10, 3, 512, B2],
    [18, 19, 19, 12, 3, 512, B2],
    [18, 19, 19, 13, 3, 999, B2],
  ],
  [
    [17, 12, 12, 1, 5, 1, F],
    [17, 12, 13, 1, 6, 0, F],
    [17, 13, 15, 1, 5, 0, F],
    [17, 15, 16, 2, 5, 0, DF],
    [17, 17, 17, 2, 4, 0, DF],
    [17, 16, 17, 3, 4, 2, G],
    [17, 16, 17, 3, 4, 4, LZ],
    [17, 16, 17, 3, 4, 8, L2],
    [17, 16, 17, 4, 4, 8, L2],
    [17, 16, 17, 5, 4, 8, L2],
    [17, 16, 17, 6, 4, 8, L2],
    [17, 17, 17, 5, 4, 8, BL],
    [17, 18, 17, 7, 4, 12, BL],
    [17, 18, 17, 3, 4, 12, BO],
    [17, 18, 17, 4, 3, 32, BO],
    [17, 18, 17, 6, 3, 256, BO],
    [17, 18, 17, 6, 3, 128, BU],
    [17, 18, 17, 8, 3, 256, BU],
    [17, 18, 17, 10, 3, 512, BU],
    [17, 18, 17, 5, 3, 256, B2],
    [17, 18, 17, 7, 3, 512, B2],
    [17, 18, 17, 9, 3, 512, B2],
    [17, 18, 17, 11, 3, 999, B2],
  ],
  [
    [14, 12, 13, 1, 5, 1, F],
    [14, 14, 15, 1, 5, 0, F],
    [14, 14, 15, 1, 4, 0, F],
    [14, 14, 15, 2, 4, 0, DF],
    [14, 14, 14, 4, 4, 2, G],
    [14, 14, 14, 3, 4, 4, LZ],
    [14, 14, 14, 4, 4, 8, L2],
    [14, 14, 14, 6, 4, 8, L2],
    [14, 14, 14, 8, 4, 8, L2],
    [14, 15, 14, 5, 4, 8, BL],
    [14, 15, 14, 9, 4, 8, BL],
    [14, 15, 14, 3, 4, 12, BO],
    [14, 15, 14, 4, 3, 24, BO],
    [14, 15, 14, 5, 3, 32, BU],
    [14, 15, 15, 6, 3, 64, BU],
    [14, 15, 15, 7, 3, 256, BU],
    [14, 15, 15, 5, 3, 48, B2],
    [14, 15, 15, 6, 3, 128, B2],
    [14, 15, 15, 7, 3, 256, B2],
    [14, 15, 15, 8, 3, 256, B2],
    [14, 15, 15, 8, 3, 512, B2],
    [14, 15, 15, 9, 3, 512, B2],
    [14, 15, 15, 10, 3, 999, B2],
  ],
];

/** Index of the highest set bit (v > 0). */
export function highBit(v: number): number {
  return 31 - Math.clz32(v);
}

/**
 * The zstd level Blosc uses for a Blosc clevel: 2·clevel − 1 for clevel 1..8, and
 * ZSTD_maxCLevel (22) for clevel 9 (`zstd_wrap_compress` in c-blosc and c-blosc2). The
 * wrapper's `if (clevel == 8)` branch can never fire (2c − 1 is odd) and is not mirrored.
 * clevel 0 means no compression in Blosc; it maps to 0 (libzstd's default level).
 */
export function zstdLevelForClevel(clevel: number): number {
  if (!Number.isInteger(clevel) || clevel <= 0) return 0;
  return clevel < 9 ? 2 * clevel - 1 : ZSTD_MAX_CLEVEL;
}

/**
 * Parameters libzstd uses for `ZSTD_compress(level)` on a source of `srcSize` bytes: the
 * table row for the level and size class, then shrunk to the source (window no larger
 * than needed, hash and chain tables no larger than the window).
 */
export function getCompressionParams(level: number, srcSize: number): CompressionParams {
  const p = getLevelRow(level, srcSize);

  // ZSTD_adjustCParams_internal with a known size and no dictionary.
  const srcLog = srcSize < 1 << HASHLOG_MIN ? HASHLOG_MIN : highBit(srcSize - 1) + 1;
  if (p.windowLog > srcLog) p.windowLog = srcLog;
  const cycleLog = p.chainLog - (p.strategy >= Strategy.BtLazy2 ? 1 : 0);
  if (p.hashLog > p.windowLog + 1) p.hashLog = p.windowLog + 1;
  if (cycleLog > p.windowLog) p.chainLog -= cycleLog - p.windowLog;
  if (p.windowLog < WINDOWLOG_ABSOLUTEMIN) p.windowLog = WINDOWLOG_ABSOLUTEMIN;
  return p;
}

/**
 * The level table's row for `level` in the size class of `rowSize` bytes (Infinity when
 * unknown), before any adjustment to the source (`ZSTD_getCParams_internal`).
 */
export function getLevelRow(level: number, rowSize: number): CompressionParams {
  const tableId = (rowSize <= 256 * 1024 ? 1 : 0) + (rowSize <= 128 * 1024 ? 1 : 0) + (rowSize <= 16 * 1024 ? 1 : 0);
  let row: number;
  if (level === 0) row = ZSTD_CLEVEL_DEFAULT;
  else if (level < 0) row = 0;
  else if (level > ZSTD_MAX_CLEVEL) row = ZSTD_MAX_CLEVEL;
  else row = level;
  const r = LEVEL_TABLES[tableId]![row]!;
  const p: CompressionParams = {
    windowLog: r[0]!,
    chainLog: r[1]!,
    hashLog: r[2]!,
    searchLog: r[3]!,
    minMatch: r[4]!,
    targetLength: r[5]!,
    strategy: r[6]! as Strategy,
  };
  // Negative levels: an acceleration factor in targetLength (`ZSTD_getCParams_internal`).
  if (level < 0) p.targetLength = -Math.max(MIN_CLEVEL, level);
  return p;
}
