/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4.c; license in THIRD_PARTY_NOTICES.md.
 *
 * LZ4 block encoder: port of lz4 1.10.0 lib/lz4.c `LZ4_compress_generic_validated` for the
 * two entry points Blosc uses, producing the same bytes as C on a 64-bit little-endian build:
 *
 * - `LZ4_compress_fast(src, dst, n, cap, acceleration)` (`lz4CompressFast`): a fresh state,
 *   no dictionary; inputs shorter than `LZ4_64Klimit` (65547) use the 16-bit table (8192
 *   entries, 4-byte multiplicative hash), larger ones the 32-bit table (4096 entries, 5-byte
 *   hash over a 64-bit read) with the 65535 distance limit; "limited output" mode (return 0
 *   when the conservative checks say it may not fit) when cap < LZ4_compressBound(n).
 * - `LZ4_loadDict` + `LZ4_compress_fast_continue` (`lz4CompressFastWithDict`): what c-blosc2
 *   does per block of a dictionary chunk (external dictionary, 32-bit table, always limited).
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkEncodeRanges } from './ranges.js';
import { lz4CompressFastWasm } from './lz4-compress-wasm.js';

const NAME = 'lz4';
const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MIN_LENGTH = MF_LIMIT + 1;
const LIMIT_64K = 65536 + MF_LIMIT - 1;
const SKIP_TRIGGER = 6;
const MAX_DISTANCE = 65535;
const ACCELERATION_MAX = 65537;
const MAX_INPUT_SIZE = 0x7e000000;
const KB64 = 65536;

/** Entries needed in a caller-provided table (the 16-bit table's 2^13). */
export const LZ4_HASH_TABLE_SIZE = 1 << 13;

/** `LZ4_compressBound`: the worst-case compressed size of n bytes (0 when n is too large). */
export function lz4CompressBound(n: number): number {
  return n > MAX_INPUT_SIZE || n < 0 ? 0 : n + Math.floor(n / 255) + 16;
}

/** `LZ4_hash4` for the 16-bit table: (seq * 2654435761) >> (32 - 13). */
function hash4(b: Uint8Array, p: number): number {
  const seq = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  return Math.imul(seq, 0x9e3779b1) >>> 19;
}

/**
 * `LZ4_hash5` for the 32-bit table: ((read64(p) << 24) * 889523592379 mod 2^64) >> 52.
 * Only bytes p..p+4 survive the shift. With X = read64 << 24 = xh·2^32 + xl (xl = b0·2^24)
 * and the prime P = 0xCF·2^32 + 0x1BBCDCBB, the high word of X·P mod 2^64 is
 * hi32(xl·0x1BBCDCBB) + lo32(xh·0x1BBCDCBB) + lo32(xl·0xCF).
 */
function hash5(b: Uint8Array, p: number): number {
  const b0 = b[p];
  const xh = b[p + 1] | (b[p + 2] << 8) | (b[p + 3] << 16) | (b[p + 4] << 24);
  const carry = Math.floor((b0 * 0x1bbcdcbb) / 256); // hi32(b0·2^24 · 0x1BBCDCBB), exact in a double
  const high = (carry + Math.imul(xh, 0x1bbcdcbb) + (Math.imul(b0, 0xcf) << 24)) | 0;
  return high >>> 20;
}

function read32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

let sharedTable: Uint32Array | null = null;
function scratchTable(): Uint32Array {
  if (sharedTable === null) sharedTable = new Uint32Array(LZ4_HASH_TABLE_SIZE);
  return sharedTable;
}

function clampAcceleration(acceleration: number): number {
  if (!(acceleration >= 1)) return 1;
  return acceleration > ACCELERATION_MAX ? ACCELERATION_MAX : Math.floor(acceleration);
}

/**
 * `LZ4_compress_fast`: compress src[sp, sp+sn) into dst[dp, dp+cap). Returns the bytes
 * written, or 0 when C returns 0 (does not fit, or input too large). `table` is optional
 * scratch of at least {@link LZ4_HASH_TABLE_SIZE} entries (a module-level one otherwise).
 */
export function lz4CompressFast(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  acceleration: number,
  table: Uint32Array = scratchTable(),
): number {
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, cap);
  if (table.length < LZ4_HASH_TABLE_SIZE) {
    fail(BloscErrorCode.InvalidParam, `${NAME}: hash table needs ${LZ4_HASH_TABLE_SIZE} entries, got ${table.length}`);
  }
  const limited = cap < lz4CompressBound(sn);
  if (sn > MAX_INPUT_SIZE) return 0;
  if (sn === 0) {
    if (limited && cap <= 0) return 0;
    dst[dp] = 0;
    return 1;
  }
  const wasm = lz4CompressFastWasm(src, sp, sn, dst, dp, cap, clampAcceleration(acceleration), limited);
  if (wasm >= 0) return wasm;
  return lz4CompressFastTs(src, sp, sn, dst, dp, cap, acceleration, table);
}

/**
 * The TypeScript twin of the WebAssembly match finder (lz4-compress-wasm.ts): `LZ4_compress_fast`
 * for 1 <= sn <= LZ4_MAX_INPUT_SIZE on checked ranges. Exported for the tests that compare the two.
 */
export function lz4CompressFastTs(
  src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, acceleration: number,
  table: Uint32Array = scratchTable(),
): number {
  const limited = cap < lz4CompressBound(sn);
  const byU16 = sn < LIMIT_64K;
  table.fill(0, 0, byU16 ? 1 << 13 : 1 << 12);
  return compressGeneric(src, sp, sn, dst, dp, cap, limited, byU16, clampAcceleration(acceleration), EMPTY, 0, false, table);
}

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * `LZ4_loadDict(stream, dict)` then `LZ4_compress_fast_continue(stream, src, dst, sn, cap,
 * acceleration)` on that fresh stream: the block may reference the dictionary, which
 * logically precedes it (decode with `lz4DecompressUsingDict`). Returns bytes written or 0.
 */
export function lz4CompressFastWithDict(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  acceleration: number,
  dict: Uint8Array,
  table: Uint32Array = scratchTable(),
): number {
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, cap);
  if (table.length < LZ4_HASH_TABLE_SIZE) {
    fail(BloscErrorCode.InvalidParam, `${NAME}: hash table needs ${LZ4_HASH_TABLE_SIZE} entries, got ${table.length}`);
  }
  // LZ4_loadDict: keep at most the last 64 KB; index the dictionary every 3 bytes so that
  // its end is at index 64 KB (the stream's currentOffset). Dictionaries under 8 bytes are
  // dropped (and compress_fast_continue then runs in prefix mode with no usable history,
  // which yields the same bytes as an external dictionary of size 0).
  table.fill(0, 0, 1 << 12);
  let dictView: Uint8Array = EMPTY;
  if (dict.length >= 8) {
    dictView = dict.length > KB64 ? dict.subarray(dict.length - KB64) : dict;
    const dictLen = dictView.length;
    let idx = KB64 - dictLen;
    for (let p = 0; p <= dictLen - 8; p += 3, idx += 3) table[hash5(dictView, p)] = idx;
  }
  if (sn > MAX_INPUT_SIZE) return 0;
  if (sn === 0) {
    if (cap <= 0) return 0;
    dst[dp] = 0;
    return 1;
  }
  return compressGeneric(src, sp, sn, dst, dp, cap, true, false, clampAcceleration(acceleration), dictView, KB64, dictView.length < KB64, table);
}

/**
 * The body of `LZ4_compress_generic_validated` for noDict (startIndex 0) and usingExtDict
 * (startIndex 64 KB, dictionary `dict` ending at index startIndex). Indexes are positions
 * relative to `sp - startIndex`; an index below startIndex points into the dictionary.
 */
function compressGeneric(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  limited: boolean,
  byU16: boolean,
  acceleration: number,
  dict: Uint8Array,
  startIndex: number,
  dictSmall: boolean,
  table: Uint32Array,
): number {
  const dictLen = dict.length;
  const prefixIdxLimit = startIndex - dictLen;
  const base = sp - startIndex; // src position of index 0
  const dictBase = dictLen - startIndex; // dict position of index 0
  const iend = sp + sn;
  const mflimitPlusOne = iend - MF_LIMIT + 1;
  const matchlimit = iend - LAST_LITERALS;
  const olimit = dp + cap;
  let ip = sp;
  let anchor = sp;
  let op = dp;

  if (sn >= MIN_LENGTH) {
    // First byte
    table[byU16 ? hash4(src, ip) : hash5(src, ip)] = startIndex;
    ip++;
    let forwardH = byU16 ? hash4(src, ip) : hash5(src, ip);

    outer: for (;;) {
      // Find a match, skipping faster the longer nothing is found.
      let forwardIp = ip;
      let step = 1;
      let searchMatchNb = acceleration << SKIP_TRIGGER;
      let matchIndex: number;
      let current: number;
      for (;;) {
        const h = forwardH;
        current = forwardIp - base;
        matchIndex = table[h];
        ip = forwardIp;
        forwardIp += step;
        step = searchMatchNb++ >> SKIP_TRIGGER;
        if (forwardIp > mflimitPlusOne) break outer;
        forwardH = byU16 ? hash4(src, forwardIp) : hash5(src, forwardIp);
        table[h] = current;
        if (dictSmall && matchIndex < prefixIdxLimit) continue;
        if (!byU16 && matchIndex + MAX_DISTANCE < current) continue;
        const found =
          matchIndex < startIndex ? read32(dict, matchIndex + dictBase) === read32(src, ip) : read32(src, matchIndex + base) === read32(src, ip);
        if (found) break;
      }

      // Catch up: extend the match backwards (not past the anchor, nor the start of the
      // segment the match lies in).
      let matchInDict = matchIndex < startIndex;
      let mp = matchInDict ? matchIndex + dictBase : matchIndex + base; // position in dict or src
      if (matchInDict) {
        while (ip > anchor && mp > 0 && src[ip - 1] === dict[mp - 1]) {
          ip--;
          mp--;
        }
      } else {
        while (ip > anchor && mp > sp && src[ip - 1] === src[mp - 1]) {
          ip--;
          mp--;
        }
      }

      // Encode the literals.
      const litLength = ip - anchor;
      let token = op++;
      if (limited && op + litLength + (2 + 1 + LAST_LITERALS) + Math.floor(litLength / 255) > olimit) return 0;
      let tokenVal: number;
      if (litLength >= 15) {
        tokenVal = 15 << 4;
        let len = litLength - 15;
        for (; len >= 255; len -= 255) dst[op++] = 255;
        dst[op++] = len;
      } else {
        tokenVal = litLength << 4;
      }
      for (let i = 0; i < litLength; i++) dst[op + i] = src[anchor + i];
      op += litLength;

      // _next_match: encode offset and match length, then try the next position directly.
      for (;;) {
        const offset = current - matchIndex;
        dst[op++] = offset & 255;
        dst[op++] = offset >>> 8;

        let matchCode: number;
        if (matchInDict) {
          let limit = ip + (dictLen - mp);
          if (limit > matchlimit) limit = matchlimit;
          matchCode = countCommon(src, ip + MIN_MATCH, dict, mp + MIN_MATCH, limit);
          ip += matchCode + MIN_MATCH;
          if (ip === limit) {
            const more = countCommon(src, limit, src, sp, matchlimit);
            matchCode += more;
            ip += more;
          }
        } else {
          matchCode = countCommon(src, ip + MIN_MATCH, src, mp + MIN_MATCH, matchlimit);
          ip += matchCode + MIN_MATCH;
        }
        if (limited && op + (1 + LAST_LITERALS) + Math.floor((matchCode + 240) / 255) > olimit) return 0;
        if (matchCode >= 15) {
          dst[token] = tokenVal + 15;
          matchCode -= 15;
          for (; matchCode >= 255; matchCode -= 255) dst[op++] = 255;
          dst[op++] = matchCode;
        } else {
          dst[token] = tokenVal + matchCode;
        }

        anchor = ip;
        if (ip >= mflimitPlusOne) break outer;

        // Fill the table with ip - 2.
        const p2 = ip - 2;
        table[byU16 ? hash4(src, p2) : hash5(src, p2)] = p2 - base;

        // Test the next position.
        const h = byU16 ? hash4(src, ip) : hash5(src, ip);
        current = ip - base;
        matchIndex = table[h];
        matchInDict = matchIndex < startIndex;
        mp = matchInDict ? matchIndex + dictBase : matchIndex + base;
        table[h] = current;
        if (
          (!dictSmall || matchIndex >= prefixIdxLimit) &&
          (byU16 || matchIndex + MAX_DISTANCE >= current) &&
          (matchInDict ? read32(dict, mp) : read32(src, mp)) === read32(src, ip)
        ) {
          token = op++;
          tokenVal = 0;
          continue;
        }
        ip++;
        forwardH = byU16 ? hash4(src, ip) : hash5(src, ip);
        continue outer;
      }
    }
  }

  // Last literals.
  const lastRun = iend - anchor;
  if (limited && op + lastRun + 1 + Math.floor((lastRun + 255 - 15) / 255) > olimit) return 0;
  if (lastRun >= 15) {
    dst[op++] = 15 << 4;
    let acc = lastRun - 15;
    for (; acc >= 255; acc -= 255) dst[op++] = 255;
    dst[op++] = acc;
  } else {
    dst[op++] = lastRun << 4;
  }
  for (let i = 0; i < lastRun; i++) dst[op + i] = src[anchor + i];
  op += lastRun;
  return op - dp;
}

/**
 * `LZ4_count`: how many bytes a[ap..] and b[bp..] have in common, stopping at a[limit].
 * Compares four bytes at a time, as C compares machine words; the first differing byte of
 * a word is its lowest set byte of the XOR (little-endian reads).
 */
function countCommon(a: Uint8Array, ap: number, b: Uint8Array, bp: number, limit: number): number {
  const start = ap;
  while (ap + 4 <= limit) {
    const x = read32(a, ap) ^ read32(b, bp);
    if (x !== 0) return ap - start + ((31 - Math.clz32(x & -x)) >>> 3);
    ap += 4;
    bp += 4;
  }
  while (ap < limit && a[ap] === b[bp]) {
    ap++;
    bp++;
  }
  return ap - start;
}

/** Simple reference for {@link hash5}, with BigInt (tests only). */
export function hash5Reference(b: Uint8Array, p: number): number {
  let seq = 0n;
  for (let i = 7; i >= 0; i--) seq = (seq << 8n) | BigInt(b[p + i] ?? 0);
  const mask = (1n << 64n) - 1n;
  return Number(((((seq << 24n) & mask) * 889523592379n) & mask) >> 52n);
}

export { hash5 as lz4Hash5, hash4 as lz4Hash4 };
