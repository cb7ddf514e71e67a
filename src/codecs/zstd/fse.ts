/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * FSE (tANS) tables: reading a table description, building a decoding table, and the
 * predefined distributions of RFC 8878 §3.1.1.3.2.2.
 *
 * Mirrors `FSE_readNCount_body` (lib/common/entropy_common.c) and `ZSTD_buildFSETable`
 * (lib/decompress/zstd_decompress_block.c) of facebook/zstd.
 *
 * A decoding table is stored as two Int32 words per state, so one table serves both the
 * sequence codes and the Huffman weights:
 *   word 0: base value (the literal/match length or offset base of the symbol; for plain
 *           symbol tables, the symbol itself);
 *   word 1: extraBits | nbBits << 8 | nextStateBase << 16, where extraBits is the number of
 *           raw bits that follow the symbol, nbBits the number of bits to read for the
 *           next state, and the next state is nextStateBase + those bits.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { highBit32 } from './bits.js';

export class FseTable {
  /** 2 words per state, see the module comment. */
  readonly cells: Int32Array;
  /** Accuracy log: the table has 1 << log states. */
  log = 0;
  /**
   * -1, or where in the WebAssembly memory the table was built (fse-wasm.ts): its cells
   * are then there, and `cells` is stale until fse-wasm.ts's fseCells copies them back.
   */
  heapAt = -1;

  constructor(maxLog: number) {
    this.cells = new Int32Array(2 << maxLog);
  }
}

/** Largest accuracy logs (RFC 8878 §3.1.1.3.2.1 / §4.2.1.1). */
export const LL_MAX_LOG = 9;
export const ML_MAX_LOG = 9;
export const OF_MAX_LOG = 8;
export const HUF_WEIGHT_MAX_LOG = 6;

/** Largest symbol values: literal length codes 0..35, match length codes 0..52, offset codes 0..31. */
export const LL_MAX_SYMBOL = 35;
export const ML_MAX_SYMBOL = 52;
export const OF_MAX_SYMBOL = 31;

/** Literal length codes: base values and extra bits (RFC 8878 §3.1.1.3.2.1.1). */
export const LL_BASE = Int32Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
  8192, 16384, 32768, 65536,
]);
export const LL_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
  13, 14, 15, 16,
]);

/** Match length codes: base values and extra bits. */
export const ML_BASE = Int32Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
  19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
  4099, 8195, 16387, 32771, 65539,
]);
export const ML_EXTRA = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
  12, 13, 14, 15, 16,
]);

/**
 * Offset codes: code n carries n extra bits and stands for Offset_Value = (1 << n) + bits.
 * Codes 0 and 1 are repeat offsets, so their base is kept as the code; for n >= 2 the base
 * already subtracts 3, giving the real offset directly (zstd's `OF_base`). Code 31's base
 * wraps in 32 bits; such offsets exceed any window this decoder accepts and are rejected.
 */
export const OF_BASE = Int32Array.from({ length: 32 }, (_, n) => (n < 2 ? n : (1 << n) - 3));
export const OF_EXTRA = Uint8Array.from({ length: 32 }, (_, n) => n);

/** Predefined distributions (RFC 8878 §3.1.1.3.2.2). */
export const LL_DEFAULT_NORM = Int16Array.from([
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
  -1, -1, -1, -1,
]);
export const LL_DEFAULT_LOG = 6;
export const ML_DEFAULT_NORM = Int16Array.from([
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
]);
export const ML_DEFAULT_LOG = 6;
export const OF_DEFAULT_NORM = Int16Array.from([
  1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
]);
export const OF_DEFAULT_LOG = 5;

/** Scratch shared by the table builders (decoding is synchronous, so one set suffices). */
const symbolNext = new Uint16Array(256);
const spread = new Uint8Array(512);
/** The symbols in order before they are spread, with 8 bytes of slack for word writes. */
const ordered = new Uint8Array(512 + 8);
const orderedView = new DataView(ordered.buffer);

/** The 4 bytes from p on, little-endian (an int32: read its bits with >>>); bytes at `end` and past it read as 0. */
function word32(src: Uint8Array, p: number, end: number): number {
  if (p + 4 <= end) return src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);
  let w = 0;
  for (let i = 3; i >= 0; i--) w = (w << 8) | (p + i < end ? src[p + i]! : 0);
  return w;
}

/**
 * Read an FSE table description (RFC 8878 §4.1.1) from src[start, end) into `norm`.
 * Returns { log, maxSymbol } packed as `log | maxSymbol << 8` and the bytes used through
 * `bytesOut[0]`. Throws Data when the description is invalid or needs more than `maxLog`,
 * `maxSymbol` or the available bytes.
 */
export function readNormalizedCounts(
  src: Uint8Array,
  start: number,
  end: number,
  norm: Int16Array,
  maxSymbol: number,
  maxLog: number,
  bytesOut: Int32Array,
): number {
  if (end <= start) fail(BloscErrorCode.Data, 'zstd: FSE table description truncated', { offset: start });
  norm.fill(0, 0, maxSymbol + 1);
  // ForwardBits' reads on locals: `pos` bits read; `w` holds the 4 bytes from byte `wb` on
  // (zeros past the end), reloaded only when a read would run past them, where ForwardBits
  // assembled 4 bytes for every read (FSE_readNCount keeps a 32-bit window the same way).
  let pos = 4;
  let wb = 0;
  let w = word32(src, start, end);
  const log = (w & 15) + 5;
  if (log > maxLog) fail(BloscErrorCode.Data, `zstd: FSE accuracy log ${log} exceeds ${maxLog}`, { offset: start });
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let symbol = 0;
  let previous0 = false;
  for (;;) {
    if (previous0) {
      // Runs of zero-probability symbols: 2-bit repeat counts, 3 meaning "3 more and continue".
      if (pos - (wb << 3) + 2 > 32) {
        wb = pos >>> 3;
        w = word32(src, start + wb, end);
      }
      let rep = (w >>> (pos - (wb << 3))) & 3;
      pos += 2;
      while (rep === 3) {
        symbol += 3;
        if (symbol > maxSymbol) fail(BloscErrorCode.Data, 'zstd: FSE zero run past the last symbol', { offset: start });
        if (pos - (wb << 3) + 2 > 32) {
          wb = pos >>> 3;
          w = word32(src, start + wb, end);
        }
        rep = (w >>> (pos - (wb << 3))) & 3;
        pos += 2;
      }
      symbol += rep;
      if (symbol > maxSymbol) fail(BloscErrorCode.Data, 'zstd: FSE zero run past the last symbol', { offset: start });
    }
    const max = 2 * threshold - 1 - remaining;
    if (pos - (wb << 3) + nbBits > 32) {
      wb = pos >>> 3;
      w = word32(src, start + wb, end);
    }
    const bits = (w >>> (pos - (wb << 3))) & ((1 << nbBits) - 1);
    let count: number;
    if ((bits & (threshold - 1)) < max) {
      count = bits & (threshold - 1);
      pos += nbBits - 1;
    } else {
      count = bits & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      pos += nbBits;
    }
    count--; // -1 means "less than 1": a probability of one low-probability state
    remaining -= count < 0 ? -count : count;
    norm[symbol++] = count;
    previous0 = count === 0;
    if (remaining < threshold) {
      if (remaining <= 1) break;
      nbBits = highBit32(remaining) + 1;
      threshold = 1 << (nbBits - 1);
    }
    if (symbol > maxSymbol) break;
  }
  if (remaining !== 1) fail(BloscErrorCode.Data, 'zstd: FSE probabilities do not add up', { offset: start });
  const used = (pos + 7) >>> 3;
  if (start + used > end) fail(BloscErrorCode.Data, 'zstd: FSE table description truncated', { offset: start });
  bytesOut[0] = used;
  return log | ((symbol - 1) << 8);
}

/**
 * Build a decoding table for the distribution norm[0..maxSymbol] at accuracy `log`.
 * `base`/`extra` map each symbol to its base value and extra-bit count (null: the symbol
 * itself, no extra bits). Throws Data when the distribution does not fill the table.
 */
export function buildFseTable(
  out: FseTable,
  norm: Int16Array,
  maxSymbol: number,
  log: number,
  base: Int32Array | null,
  extra: Uint8Array | null,
): void {
  const size = 1 << log;
  const cells = out.cells;
  if (cells.length < 2 * size) fail(BloscErrorCode.Data, `zstd: FSE accuracy log ${log} too large`);
  let high = size - 1;
  let total = 0;
  for (let s = 0; s <= maxSymbol; s++) {
    const n = norm[s]!;
    if (n === -1) {
      spread[high--] = s;
      symbolNext[s] = 1;
      total++;
    } else {
      symbolNext[s] = n;
      total += n;
    }
  }
  if (total !== size || high < -1) fail(BloscErrorCode.Data, 'zstd: FSE distribution does not match its accuracy log');
  const mask = size - 1;
  const step = (size >>> 1) + (size >>> 3) + 3;
  if (high === size - 1 && size >= 2) {
    // No low-probability symbols (what zstd's encoder aims for on small blocks): lay the
    // symbols down in order, 8 at a time, then scatter them with a loop that has no
    // data-dependent branch (ZSTD_buildFSETable_body's fast spread). Writes past a
    // symbol's count are overwritten by the next symbol; `ordered` has 8 bytes of slack.
    let p = 0;
    for (let s = 0; s <= maxSymbol; s++) {
      const n = norm[s]!;
      const word = Math.imul(s, 0x01010101);
      orderedView.setInt32(p, word, true);
      orderedView.setInt32(p + 4, word, true);
      for (let i = 8; i < n; i += 8) {
        orderedView.setInt32(p + i, word, true);
        orderedView.setInt32(p + i + 4, word, true);
      }
      p += n;
    }
    let pos = 0;
    for (let i = 0; i < size; i += 2) {
      spread[pos] = ordered[i]!;
      spread[(pos + step) & mask] = ordered[i + 1]!;
      pos = (pos + 2 * step) & mask;
    }
  } else {
    let pos = 0;
    for (let s = 0; s <= maxSymbol; s++) {
      const n = norm[s]!;
      for (let i = 0; i < n; i++) {
        spread[pos] = s;
        do pos = (pos + step) & mask;
        while (pos > high);
      }
    }
    if (pos !== 0) fail(BloscErrorCode.Data, 'zstd: FSE distribution does not spread evenly');
  }
  if (base === null) {
    for (let u = 0; u < size; u++) {
      const s = spread[u]!;
      const next = symbolNext[s]++;
      const nbBits = log - (31 - Math.clz32(next));
      cells[2 * u] = s;
      cells[2 * u + 1] = (nbBits << 8) | (((next << nbBits) - size) << 16);
    }
  } else {
    for (let u = 0; u < size; u++) {
      const s = spread[u]!;
      const next = symbolNext[s]++;
      const nbBits = log - (31 - Math.clz32(next));
      cells[2 * u] = base[s]!;
      cells[2 * u + 1] = (extra === null ? 0 : extra[s]!) | (nbBits << 8) | (((next << nbBits) - size) << 16);
    }
  }
  out.log = log;
}

/** Table with one state that always yields `symbol` and reads no state bits (RLE mode). */
export function buildRleTable(out: FseTable, symbol: number, base: Int32Array, extra: Uint8Array): void {
  out.cells[0] = base[symbol]!;
  out.cells[1] = extra[symbol]!;
  out.log = 0;
}

function predefined(norm: Int16Array, log: number, base: Int32Array, extra: Uint8Array): FseTable {
  const t = new FseTable(log);
  buildFseTable(t, norm, norm.length - 1, log, base, extra);
  return t;
}

/** The predefined-mode tables, built once. */
export const LL_PREDEFINED = predefined(LL_DEFAULT_NORM, LL_DEFAULT_LOG, LL_BASE, LL_EXTRA);
export const ML_PREDEFINED = predefined(ML_DEFAULT_NORM, ML_DEFAULT_LOG, ML_BASE, ML_EXTRA);
export const OF_PREDEFINED = predefined(OF_DEFAULT_NORM, OF_DEFAULT_LOG, OF_BASE, OF_EXTRA);
