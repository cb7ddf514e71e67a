/**
 * Ported from LZ4 (lz4/lz4 lib/, BSD-2-Clause) lz4hc.c; license in THIRD_PARTY_NOTICES.md.
 *
 * LZ4HC block encoder: port of lz4 1.10.0 lib/lz4hc.c as reached through
 * `LZ4_compress_HC(src, dst, srcSize, dstCapacity, level)`, which is what c-blosc 1.21.7.dev
 * and c-blosc2 3.3.x call for the 'lz4hc' codec with HC level = Blosc clevel.
 *
 * `LZ4_compress_HC` builds a fresh state for every call (`LZ4_compress_HC_extStateHC` →
 * `LZ4_initStreamHC` zeroes the tables → `LZ4HC_init_internal`). c-blosc2's dictionary
 * chunks instead run `LZ4_resetStreamHC_fast` + `LZ4_loadDictHC(dict)` +
 * `LZ4_compress_HC_continue` per block, which is the same parser with the dictionary as an
 * external segment before the input ({@link lz4hcCompressWithDict}). Ported:
 * - levels 1–2: the "lz4mid" strategy (`LZ4MID_compress`, `LZ4MID_fillHTable`);
 * - levels 3–9: hash chains (`LZ4HC_compress_hashChain`) with `1 << (level - 1)` attempts per
 *   search, and from level 9 on the repeated-byte shortcut (`patternAnalysis`);
 * - levels 10–12 (optimal parsing) are not ported: Blosc never asks for them; nor are the
 *   attached-dictionary (`dictCtx`), favorDecSpeed and fillOutput modes, which Blosc never uses.
 *
 * Positions are kept as C's indices: a fresh context starts its prefix at index 65536
 * (`dictLimit = lowLimit = 64 KB`), so the index of src[p] is `p - sp + 65536`. With that
 * base, the zeroed hash table means "no candidate", because every distance to index 0 is
 * larger than LZ4_DISTANCE_MAX. A reused {@link Lz4hcState} starts each call at a higher
 * index instead of clearing its tables, with the same effect (see `startCall`). With a
 * dictionary, the dictionary and the input are copied into one scratch buffer, dictionary
 * first; C's two segments keep their own index ranges and bounds (`lowLimit` up to
 * `dictLimit` for the dictionary, `dictLimit` on for the input), as here.
 *
 * The output limit checks are C's: when `cap < LZ4_compressBound(sn)` the encoder runs in
 * `limitedOutput` mode, whose checks are conservative (a sequence needs room for its
 * literals, offset, token and 5 more bytes), and returns 0 on the first failed check; with a
 * larger `cap` no check is made, as the output cannot exceed the bound.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { allocBytes } from '../limits.js';
import { lz4CompressBound } from './lz4-compress.js';
import { lz4hcCompressWasm, lz4hcCompressWithDictWasm } from './lz4hc-compress-wasm.js';
import { checkEncodeRanges } from './ranges.js';

const NAME = 'lz4hc';

const MIN_MATCH = 4;
const MF_LIMIT = 12;
const LAST_LITERALS = 5;
/** LZ4_minLength: shorter inputs are written as one literal run. */
const MIN_LENGTH = MF_LIMIT + 1;
const RUN_MASK = 15;
const ML_MASK = 15;
const DISTANCE_MAX = 65535;
/** OPTIMAL_ML in lz4hc.c: the longest match length that still fits in the token. */
const OPTIMAL_ML = ML_MASK - 1 + MIN_MATCH;
/** LZ4_MAX_INPUT_SIZE in lz4.h. */
const MAX_INPUT_SIZE = 0x7e000000;

/** LZ4HC_HASH_LOG: 2^15 hash heads. */
const HASH_LOG = 15;
const HASH_TABLE_SIZE = 1 << HASH_LOG;
/** LZ4HC_MAXD: the chain table is indexed by the low 16 bits of an index. */
const CHAIN_TABLE_SIZE = 1 << 16;
const CHAIN_MASK = CHAIN_TABLE_SIZE - 1;
/** LZ4MID_HASHLOG: lz4mid splits the hash table into a 4-byte and an 8-byte half. */
const MID_HASH_LOG = HASH_LOG - 1;
const MID_HASH_TABLE_SIZE = 1 << MID_HASH_LOG;
/** Index of the first input byte in a fresh context (`LZ4HC_init_internal`). */
const PREFIX_INDEX = 65536;
/**
 * A state's indices stay below this (int32 tables). A call whose indices would pass it
 * starts over at PREFIX_INDEX with cleared tables.
 */
const INDEX_LIMIT = 0x7fff0000;

/** Knuth's multiplier 2654435761 (`LZ4HC_hashPtr`, `LZ4MID_hash4`). */
const PRIME32 = 0x9e3779b1;
/** 58295818150454627 (`LZ4MID_hash7`) split into 32-bit halves. */
const PRIME64_HI = 0x00cf1bbc;
const PRIME64_LO = 0xdcbfa563;

/** The highest level this encoder implements (10–12 are lz4's optimal parser). */
export const LZ4HC_MAX_LEVEL = 9;

/**
 * Working memory for {@link lz4hcCompress} and {@link lz4hcCompressWithDict}: the tables and
 * indices of C's `LZ4HC_CCtx_internal`. Reusing one state avoids allocating 384 KiB per
 * call. What one call leaves in the tables never changes the output of the next (see
 * `startCall`). A state must not be used by two calls at once (it is not reentrant).
 */
export class Lz4hcState {
  /** `hashTable`: newest index per hash (lz4mid: 4-byte hashes, then 8-byte hashes). */
  readonly hashTable = new Int32Array(HASH_TABLE_SIZE);
  /** `chainTable`: distance from an index to the previous index with the same hash. */
  readonly chainTable = new Uint16Array(CHAIN_TABLE_SIZE);
  /** `nextToUpdate`: first index not yet inserted into the chains. */
  nextToUpdate = PREFIX_INDEX;
  /** Index of the first input byte in the current call (C's `dictLimit`). */
  prefixIndex = PREFIX_INDEX;
  /** Index of the first dictionary byte (C's `lowLimit`); equals prefixIndex without one. */
  lowLimit = PREFIX_INDEX;
  /** Where the next call's indices start; see {@link startCall}. */
  nextPrefixIndex = PREFIX_INDEX;
  /** Dictionary followed by the input, for {@link lz4hcCompressWithDict}; grown on demand. */
  scratch: Uint8Array = new Uint8Array(0);
}

/**
 * Set up `st` for a call on `sn` bytes so that it behaves exactly like C's freshly zeroed
 * context. C starts every call at index 65536 with all-zero tables, where 0 means "no
 * candidate" only because it lies more than LZ4_DISTANCE_MAX before every index. Instead of
 * clearing 128 KiB for each call, each call here starts 65536 + 16 indices past everything
 * the previous call stored, so every old entry is just as far out of reach as a 0: every
 * lookup compares distances against 65535 or against the call's first index, and the chain
 * table is only read at indices written in the same call. Tables are cleared only when the
 * indices would leave the int32 range.
 */
function startCall(st: Lz4hcState, dictLength: number, sn: number): void {
  const span = dictLength + sn;
  let start = st.nextPrefixIndex;
  if (start + span + DISTANCE_MAX + 17 > INDEX_LIMIT) {
    st.hashTable.fill(0);
    start = PREFIX_INDEX;
  }
  st.lowLimit = start;
  st.prefixIndex = start + dictLength;
  st.nextToUpdate = start;
  st.nextPrefixIndex = start + span + DISTANCE_MAX + 17;
}

let sharedState: Lz4hcState | null = null;

/**
 * Compress src[sp, sp+sn) into an LZ4 raw block at dst[dp, dp+cap) the way lz4 1.10.0's
 * `LZ4_compress_HC(src, dst, sn, cap, level)` does, byte for byte. Returns the number of
 * bytes written, or 0 when the block does not fit in `cap` (nothing past dst[dp+cap) is
 * ever written, though bytes inside the window may have been).
 *
 * `level` follows C: below 1 means 9 (LZ4HC_CLEVEL_DEFAULT); 1–2 use lz4mid, 3–9 hash
 * chains. Levels above 9 raise BloscError CodecParam. `state` is optional working memory;
 * without it a module-wide state is reused.
 */
export function lz4hcCompress(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  level: number,
  state?: Lz4hcState,
): number {
  const lvl = checkArguments(src, sp, sn, dst, dp, cap, level);
  if (sn > MAX_INPUT_SIZE) return 0;
  const limited = cap < lz4CompressBound(sn);
  // The parsers in WebAssembly when available (same bytes); -1 when it cannot take the call.
  const written = lz4hcCompressWasm(src, sp, sn, dst, dp, cap, lvl, limited);
  if (written >= 0) return written;
  const st = state ?? (sharedState ??= new Lz4hcState());
  // Shorter inputs never touch the tables.
  if (sn >= MIN_LENGTH) startCall(st, 0, sn);
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (lvl <= 2) return compressMid(st, src, view, sp, sn, dst, dp, cap, limited);
  return compressHashChain(st, src, view, sp, sn, dst, dp, cap, limited, 1 << (lvl - 1));
}

/**
 * Compress src[sp, sp+sn) against a dictionary, byte for byte as lz4 1.10.0 does with
 * `LZ4_resetStreamHC_fast(stream, level)`, `LZ4_loadDictHC(stream, dict, dict.length)` and
 * `LZ4_compress_HC_continue(stream, src, dst, sn, cap)` (c-blosc2's `lz4hc_wrap_compress` for
 * dictionary chunks), the input not following the dictionary in memory. Matches may reach
 * into the last 64 KiB of `dict`; decode with `LZ4_decompress_safe_usingDict`. Same return
 * value, levels and errors as {@link lz4hcCompress}.
 */
export function lz4hcCompressWithDict(
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  level: number,
  dict: Uint8Array,
  state?: Lz4hcState,
): number {
  const lvl = checkArguments(src, sp, sn, dst, dp, cap, level);
  if (sn > MAX_INPUT_SIZE) return 0;
  const st = state ?? (sharedState ??= new Lz4hcState());
  const limited = cap < lz4CompressBound(sn);
  if (sn < MIN_LENGTH) {
    // All literals, whatever the dictionary holds.
    return writeLastLiterals(src, sp, sp + sn, dst, dp, dp, dp + cap, limited);
  }
  // The hash chains in WebAssembly when available (same bytes); -1 when it cannot take the call.
  const written = lz4hcCompressWithDictWasm(src, sp, sn, dst, dp, cap, lvl, limited, dict);
  if (written >= 0) return written;
  // LZ4_loadDictHC keeps only the last 64 KiB.
  const dictLength = dict.length > 65536 ? 65536 : dict.length;
  const need = dictLength + sn;
  if (st.scratch.length < need) st.scratch = allocBytes(Math.max(need, Math.floor(st.scratch.length * 1.5)), 'lz4hc window');
  const buf = st.scratch;
  buf.set(dict.subarray(dict.length - dictLength), 0);
  buf.set(src.subarray(sp, sp + sn), dictLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

  startCall(st, dictLength, sn);
  const base = dictLength - st.prefixIndex;
  if (lvl <= 2) {
    fillMidTables(st, view, base, dictLength);
  } else if (dictLength >= 4) {
    // LZ4_loadDictHC inserts every dictionary position but the last three.
    insertUpTo(st, buf, base, st.prefixIndex - 3);
  }
  // LZ4HC_setExternalDict: the input's own positions are inserted from its start on.
  st.nextToUpdate = st.prefixIndex;
  if (lvl <= 2) return compressMid(st, buf, view, dictLength, sn, dst, dp, cap, limited);
  return compressHashChain(st, buf, view, dictLength, sn, dst, dp, cap, limited, 1 << (lvl - 1));
}

/** Window and level checks shared by the entry points; returns the effective level. */
function checkArguments(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, level: number): number {
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, cap);
  if (!Number.isInteger(level) || level > LZ4HC_MAX_LEVEL) {
    fail(BloscErrorCode.CodecParam, `${NAME}: level ${level} is not supported (1..${LZ4HC_MAX_LEVEL})`);
  }
  return level < 1 ? 9 : level;
}

// ---------------------------------------------------------------------------------------
// Shared helpers

/**
 * Little-endian 32-bit read (`LZ4_read32` on a little-endian host), as a signed int32.
 * Every `view` here spans the whole array being compressed, so its offsets are the array's.
 */
function read32(view: DataView, p: number): number {
  return view.getInt32(p, true);
}

/** `LZ4MID_hash4Ptr`: 14-bit hash of the 4 bytes at p. */
function hashMid4(view: DataView, p: number): number {
  return Math.imul(view.getInt32(p, true), PRIME32) >>> (32 - MID_HASH_LOG);
}

/**
 * `LZ4MID_hash8Ptr`: the top 14 bits of `(LE64(p) << 8) * 58295818150454627 mod 2^64`, i.e. a
 * hash of the 7 bytes p[0..6]. Only the high 32 bits of the 64-bit product are needed:
 * hi(x·k) = mulhi(xlo, klo) + xhi·klo + xlo·khi (mod 2^32).
 * {@link lz4midHash8Reference} is the plain BigInt statement of the same function.
 */
function hashMid8(view: DataView, p: number): number {
  // x = LE64 << 8: the low word holds p[0..2] in bits 8..31, the high word p[3..6].
  const lo = view.getInt32(p, true);
  const xLo = lo << 8;
  const xHi = (lo >>> 24) | (view.getInt32(p + 4, true) << 8);
  // mulhi(xLo, PRIME64_LO) with 16-bit limbs; every partial product is below 2^32.
  const a0 = xLo & 0xffff;
  const a1 = xLo >>> 16;
  const p00 = a0 * (PRIME64_LO & 0xffff);
  const p01 = a0 * (PRIME64_LO >>> 16);
  const p10 = a1 * (PRIME64_LO & 0xffff);
  const p11 = a1 * (PRIME64_LO >>> 16);
  const carry = ((p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)) >>> 16;
  const mulHi = p11 + (p01 >>> 16) + (p10 >>> 16) + carry;
  return (mulHi + Math.imul(xHi, PRIME64_LO) + Math.imul(xLo, PRIME64_HI)) >>> (32 - MID_HASH_LOG);
}

/** Reference for {@link hashMid8}: `LZ4MID_hash7(LZ4_readLE64(p))` in BigInt arithmetic. */
export function lz4midHash8Reference(src: Uint8Array, p: number): number {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(src[p + i]);
  const mask64 = (1n << 64n) - 1n;
  const product = (((v << 8n) & mask64) * 58295818150454627n) & mask64;
  return Number(product >> BigInt(64 - MID_HASH_LOG));
}

/** Exposed for tests: the fast 8-byte lz4mid hash of bytes[p, p+8). */
export function lz4midHash8(bytes: Uint8Array, p: number): number {
  return hashMid8(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), p);
}

/**
 * `LZ4_count`: how many bytes from `ip` equal those from `match`, stopping at `limit`
 * (match < ip). Compares eight, then four bytes per step, then finishes byte by byte; see
 * {@link lz4hcCountMatchReference}.
 */
function countMatch(src: Uint8Array, view: DataView, ip: number, match: number, limit: number): number {
  const start = ip;
  const limit8 = limit - 7;
  while (
    ip < limit8 &&
    view.getInt32(ip, true) === view.getInt32(match, true) &&
    view.getInt32(ip + 4, true) === view.getInt32(match + 4, true)
  ) {
    ip += 8;
    match += 8;
  }
  const limit4 = limit - 3;
  while (ip < limit4 && view.getInt32(ip, true) === view.getInt32(match, true)) {
    ip += 4;
    match += 4;
  }
  while (ip < limit && src[ip] === src[match]) {
    ip++;
    match++;
  }
  return ip - start;
}

/** The byte-by-byte statement of {@link countMatch}, kept for tests. */
export function lz4hcCountMatchReference(src: Uint8Array, ip: number, match: number, limit: number): number {
  const start = ip;
  while (ip < limit && src[ip] === src[match]) {
    ip++;
    match++;
  }
  return ip - start;
}

/** Exposed for tests: {@link countMatch} on a whole array. */
export function lz4hcCountMatch(src: Uint8Array, ip: number, match: number, limit: number): number {
  return countMatch(src, new DataView(src.buffer, src.byteOffset, src.byteLength), ip, match, limit);
}

/**
 * `LZ4HC_encodeSequence`: write literals src[anchor, ip) and a match (offset, length).
 * Returns the new output position, or -1 when a limited-output check fails (C returns 1).
 * The first check guarantees that the literals and offset fit, so a failure never leaves a
 * write past `oend`.
 */
function encodeSequence(
  src: Uint8Array,
  anchor: number,
  ip: number,
  dst: Uint8Array,
  op: number,
  matchLength: number,
  offset: number,
  limited: boolean,
  oend: number,
): number {
  const token = op++;
  let length = ip - anchor;
  if (limited && op + ((length / 255) | 0) + length + (2 + 1 + LAST_LITERALS) > oend) return -1;
  if (length >= RUN_MASK) {
    let rest = length - RUN_MASK;
    dst[token] = RUN_MASK << 4;
    for (; rest >= 255; rest -= 255) dst[op++] = 255;
    dst[op++] = rest;
  } else {
    dst[token] = length << 4;
  }
  op = copyBytes(src, anchor, dst, op, length);
  dst[op++] = offset & 0xff;
  dst[op++] = offset >>> 8;

  length = matchLength - MIN_MATCH;
  if (limited && op + ((length / 255) | 0) + (1 + LAST_LITERALS) > oend) return -1;
  if (length >= ML_MASK) {
    dst[token] += ML_MASK;
    length -= ML_MASK;
    for (; length >= 510; length -= 510) {
      dst[op++] = 255;
      dst[op++] = 255;
    }
    if (length >= 255) {
      length -= 255;
      dst[op++] = 255;
    }
    dst[op++] = length;
  } else {
    dst[token] += length;
  }
  return op;
}

/** Runs at least this long are copied with `set`; shorter ones byte by byte. */
const SET_MIN = 64;

function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, op: number, length: number): number {
  if (length < SET_MIN) {
    const end = from + length;
    while (from < end) dst[op++] = src[from++];
    return op;
  }
  dst.set(src.subarray(from, from + length), op);
  return op + length;
}

/**
 * The `_last_literals` block shared by both strategies: one token and the remaining input
 * as literals. Returns the total output size, or 0 when a limited output has no room.
 */
function writeLastLiterals(
  src: Uint8Array,
  anchor: number,
  iend: number,
  dst: Uint8Array,
  dp: number,
  op: number,
  oend: number,
  limited: boolean,
): number {
  const lastRunSize = iend - anchor;
  const llAdd = ((lastRunSize + 255 - RUN_MASK) / 255) | 0;
  if (limited && op + 1 + llAdd + lastRunSize > oend) return 0;
  if (lastRunSize >= RUN_MASK) {
    let rest = lastRunSize - RUN_MASK;
    dst[op++] = RUN_MASK << 4;
    for (; rest >= 255; rest -= 255) dst[op++] = 255;
    dst[op++] = rest;
  } else {
    dst[op++] = lastRunSize << 4;
  }
  op = copyBytes(src, anchor, dst, op, lastRunSize);
  return op - dp;
}

// ---------------------------------------------------------------------------------------
// Levels 1–2: LZ4MID_compress

/**
 * Port of `LZ4MID_compress` (lz4hc.c) without an attached dictionary context (an external
 * dictionary, if any, is the segment before `sp`). One 4-byte and one 8-byte hash table, a
 * single candidate per table, a one-step lookahead from a short match to a longer one, and
 * a skip that speeds up over incompressible stretches.
 */
function compressMid(
  st: Lz4hcState,
  src: Uint8Array,
  view: DataView,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  limited: boolean,
): number {
  const table = st.hashTable;
  const iend = sp + sn;
  const oend = dp + cap;
  let anchor = sp;
  let op = dp;
  if (sn < MIN_LENGTH) return writeLastLiterals(src, anchor, iend, dst, dp, op, oend, limited);

  // index(p) = p - base; hash4 heads live in table[0, 2^14), hash8 heads in table[2^14, 2^15).
  // Indices in [dictIdx, prefixIdx) belong to the dictionary, which ends where the input starts.
  const prefixIdx = st.prefixIndex;
  const dictIdx = st.lowLimit;
  const base = sp - prefixIdx;
  const mflimit = iend - MF_LIMIT;
  const matchlimit = iend - LAST_LITERALS;
  const ilimitIdx = iend - 8 - base; // LZ4MID_HASHSIZE = 8
  const h8Off = MID_HASH_TABLE_SIZE;
  let ip = sp;

  while (ip <= mflimit) {
    const ipIndex = ip - base;
    let matchLength = 0;
    let matchDistance = 0;
    let found = false;

    // Long match first: the newest position with the same 7-byte hash.
    const h8 = h8Off + hashMid8(view, ip);
    const pos8 = table[h8];
    table[h8] = ipIndex;
    let dist = ipIndex - pos8;
    if (dist >= 0 && dist <= DISTANCE_MAX) {
      if (pos8 >= prefixIdx) {
        matchLength = countMatch(src, view, ip, pos8 + base, matchlimit);
      } else if (pos8 >= dictIdx) {
        // A dictionary match stops at the dictionary's end.
        const safeLen = prefixIdx - pos8 < matchlimit - ip ? prefixIdx - pos8 : matchlimit - ip;
        matchLength = countMatch(src, view, ip, pos8 + base, ip + safeLen);
      } else {
        matchLength = 0;
      }
      if (matchLength >= MIN_MATCH) {
        matchDistance = dist;
        found = true;
      }
    }

    if (!found) {
      // Short match second, then check whether ip+1 starts a longer one.
      const h4 = hashMid4(view, ip);
      const pos4 = table[h4];
      table[h4] = ipIndex;
      dist = ipIndex - pos4;
      if (dist >= 0 && dist <= DISTANCE_MAX && pos4 < prefixIdx && pos4 >= dictIdx) {
        const safeLen = prefixIdx - pos4 < matchlimit - ip ? prefixIdx - pos4 : matchlimit - ip;
        matchLength = countMatch(src, view, ip, pos4 + base, ip + safeLen);
        if (matchLength >= MIN_MATCH) {
          matchDistance = dist;
          found = true;
        }
      } else if (dist >= 0 && dist <= DISTANCE_MAX && pos4 >= prefixIdx) {
        matchLength = countMatch(src, view, ip, pos4 + base, matchlimit);
        if (matchLength >= MIN_MATCH) {
          const h8next = h8Off + hashMid8(view, ip + 1);
          const pos8next = table[h8next];
          const dist2 = ipIndex + 1 - pos8next;
          matchDistance = dist;
          if (dist2 >= 0 && dist2 <= DISTANCE_MAX && pos8next >= prefixIdx && ip < mflimit) {
            const ml2 = countMatch(src, view, ip + 1, pos8next + base, matchlimit);
            if (ml2 > matchLength) {
              table[h8next] = ipIndex + 1;
              ip++;
              matchLength = ml2;
              matchDistance = dist2;
            }
          }
          found = true;
        }
      }
    }

    if (!found) {
      ip += 1 + ((ip - anchor) >> 9);
      continue;
    }

    // Catch back: extend the match backwards over equal bytes.
    while (ip > anchor && ip - sp > matchDistance && src[ip - 1] === src[ip - matchDistance - 1]) {
      ip--;
      matchLength++;
    }

    // Fill the tables with the start of the match. C pairs the positions after catch-back
    // with indices from before it; that mismatch is reproduced on purpose.
    table[h8Off + hashMid8(view, ip + 1)] = ipIndex + 1;
    table[h8Off + hashMid8(view, ip + 2)] = ipIndex + 2;
    table[hashMid4(view, ip + 1)] = ipIndex + 1;

    op = encodeSequence(src, anchor, ip, dst, op, matchLength, matchDistance, limited, oend);
    if (op < 0) return 0;
    ip += matchLength;
    anchor = ip;

    // Fill the tables with the end of the match.
    const endMatchIdx = ip - base;
    if (endMatchIdx - 2 < ilimitIdx) {
      if (ip - sp > 5) table[h8Off + hashMid8(view, ip - 5)] = endMatchIdx - 5;
      table[h8Off + hashMid8(view, ip - 3)] = endMatchIdx - 3;
      table[h8Off + hashMid8(view, ip - 2)] = endMatchIdx - 2;
      table[hashMid4(view, ip - 2)] = endMatchIdx - 2;
      table[hashMid4(view, ip - 1)] = endMatchIdx - 1;
    }
  }
  return writeLastLiterals(src, anchor, iend, dst, dp, op, oend, limited);
}

/**
 * `LZ4MID_fillHTable` as run by `LZ4_loadDictHC` for levels 1–2: index the dictionary
 * buf[dictPos, dictPos + dictLength) (dictPos = st.lowLimit + base) into both tables, every
 * third position in the 4-byte table and the next one in the 8-byte table, then every
 * position of the last 32 KiB in the 8-byte table.
 */
function fillMidTables(st: Lz4hcState, view: DataView, base: number, dictLength: number): void {
  if (dictLength <= 8) return; // LZ4MID_HASHSIZE
  const table = st.hashTable;
  const h8Off = MID_HASH_TABLE_SIZE;
  const start = st.lowLimit;
  const target = start + dictLength - 8;
  let idx = start;
  for (; idx < target; idx += 3) {
    table[hashMid4(view, idx + base)] = idx;
    table[h8Off + hashMid8(view, idx + 1 + base)] = idx + 1;
  }
  idx = dictLength > 32768 + 8 ? target - 32768 : start;
  for (; idx < target; idx++) table[h8Off + hashMid8(view, idx + base)] = idx;
}

// ---------------------------------------------------------------------------------------
// Levels 3–9: LZ4HC_compress_hashChain

/** `LZ4HC_Insert`: add every index from nextToUpdate up to (excluding) `target` to the chains. */
function insertUpTo(st: Lz4hcState, src: Uint8Array, base: number, target: number): void {
  const hashTable = st.hashTable;
  const chainTable = st.chainTable;
  let idx = st.nextToUpdate;
  if (idx >= target) return;
  // The 4 bytes at p, kept rolling: one load per position instead of four.
  let p = idx + base;
  let word = (src[p] << 8) | (src[p + 1] << 16) | (src[p + 2] << 24);
  p += 3;
  // Inside a run of one byte the word repeats, so its hash and the distance (1) to the
  // previous position with that hash are known without the table lookup.
  let prevWord = ~((word >>> 8) | (src[p] << 24));
  let h = 0;
  while (idx < target) {
    word = (word >>> 8) | (src[p++] << 24);
    if (word === prevWord) {
      chainTable[idx & CHAIN_MASK] = 1;
    } else {
      prevWord = word;
      h = Math.imul(word, PRIME32) >>> (32 - HASH_LOG);
      let delta = idx - hashTable[h];
      if (delta > DISTANCE_MAX) delta = DISTANCE_MAX;
      chainTable[idx & CHAIN_MASK] = delta;
    }
    hashTable[h] = idx;
    idx++;
  }
  st.nextToUpdate = target;
}

/**
 * `LZ4HC_countPattern` for a pattern read at a position: how many bytes from `p` (up to
 * `end`) continue the 4-byte periodic pattern, starting at its byte 0.
 */
function countPattern(src: Uint8Array, p: number, end: number, pattern: number): number {
  const start = p;
  while (p < end && src[p] === ((pattern >>> (((p - start) & 3) << 3)) & 0xff)) p++;
  return p - start;
}

/**
 * `LZ4HC_reverseCountPattern`: how many bytes before `p` (down to `low`) continue the
 * pattern backwards, the byte just before `p` being compared with the pattern's byte 3.
 */
function reverseCountPattern(src: Uint8Array, p: number, low: number, pattern: number): number {
  const start = p;
  while (p > low && src[p - 1] === ((pattern >>> ((3 - ((start - p) & 3)) << 3)) & 0xff)) p--;
  return start - p;
}

/** Results of {@link findWiderMatch} besides the length (C's `LZ4HC_match_t.off`, `.back`). */
let foundOffset = 0;
let foundBack = 0;

/**
 * `LZ4HC_InsertAndGetWiderMatch` without an attached dictionary context, with
 * chainSwap = 0 and favorDecSpeed off (what the hash-chain parser uses). Finds the longest
 * match for `ip` that may extend back to `iLowLimit` and forward to `iHighLimit`, and is
 * longer than `longest`. Returns its length (or `longest` if none is longer) and sets
 * {@link foundOffset} and {@link foundBack} (≤ 0), left at 0 when nothing better was found.
 */
function findWiderMatch(
  st: Lz4hcState,
  src: Uint8Array,
  view: DataView,
  sp: number,
  base: number,
  ip: number,
  iLowLimit: number,
  iHighLimit: number,
  longest: number,
  maxNbAttempts: number,
  patternAnalysis: boolean,
): number {
  const chainTable = st.chainTable;
  const ipIndex = ip - base;
  // The dictionary (if any) holds indices [lowLimit, prefixIdx) at [dictStart, sp).
  const prefixIdx = st.prefixIndex;
  const lowLimit = st.lowLimit;
  const dictStart = lowLimit + base;
  const lowestMatchIndex = lowLimit + (DISTANCE_MAX + 1) > ipIndex ? lowLimit : ipIndex - DISTANCE_MAX;
  const lookBackLength = ip - iLowLimit;
  let nbAttempts = maxNbAttempts;
  const pattern = read32(view, ip);
  let repeat = REPEAT_UNTESTED;
  let srcPatternLength = 0;
  let offset = 0;
  let sBack = 0;

  insertUpTo(st, src, base, ipIndex);
  let matchIndex = st.hashTable[Math.imul(pattern, PRIME32) >>> (32 - HASH_LOG)];

  while (matchIndex >= lowestMatchIndex && nbAttempts > 0) {
    nbAttempts--;
    const matchPtr = matchIndex + base;
    if (matchIndex >= prefixIdx) {
      // Within the input. Quick reject: the two bytes that would end a longer match must agree.
      const a = iLowLimit + longest - 1;
      const b = matchPtr - lookBackLength + longest - 1;
      if (src[a] === src[b] && src[a + 1] === src[b + 1] && read32(view, matchPtr) === pattern) {
        const back = lookBackLength !== 0 ? countBack(src, ip, matchPtr, iLowLimit, sp) : 0;
        const matchLength = MIN_MATCH + countMatch(src, view, ip + MIN_MATCH, matchPtr + MIN_MATCH, iHighLimit) - back;
        if (matchLength > longest) {
          longest = matchLength;
          offset = ipIndex - matchIndex;
          sBack = back;
        }
      }
    } else if (matchIndex <= prefixIdx - 4 && read32(view, matchPtr) === pattern) {
      // Within the dictionary: count up to its end, then on from the input's start.
      let vLimit = ip + (prefixIdx - matchIndex);
      if (vLimit > iHighLimit) vLimit = iHighLimit;
      let matchLength = countMatch(src, view, ip + MIN_MATCH, matchPtr + MIN_MATCH, vLimit) + MIN_MATCH;
      if (ip + matchLength === vLimit && vLimit < iHighLimit) {
        matchLength += countMatch(src, view, ip + matchLength, sp, iHighLimit);
      }
      const back = lookBackLength !== 0 ? countBack(src, ip, matchPtr, iLowLimit, dictStart) : 0;
      matchLength -= back;
      if (matchLength > longest) {
        longest = matchLength;
        offset = ipIndex - matchIndex;
        sBack = back;
      }
    }

    const distNextMatch = chainTable[matchIndex & CHAIN_MASK];
    if (patternAnalysis && distNextMatch === 1) {
      // The chain steps one byte at a time: maybe a run of one repeated byte.
      const matchCandidateIdx = matchIndex - 1;
      if (repeat === REPEAT_UNTESTED) {
        if ((pattern & 0xffff) === pattern >>> 16 && (pattern & 0xff) === pattern >>> 24) {
          repeat = REPEAT_CONFIRMED;
          srcPatternLength = countPattern(src, ip + 4, iHighLimit, pattern) + 4;
        } else {
          repeat = REPEAT_NOT;
        }
      }
      if (
        repeat === REPEAT_CONFIRMED &&
        matchCandidateIdx >= lowestMatchIndex &&
        protectDictEnd(prefixIdx, matchCandidateIdx)
      ) {
        const extDict = matchCandidateIdx < prefixIdx;
        const candPtr = matchCandidateIdx + base;
        if (read32(view, candPtr) === pattern) {
          // A run in the dictionary may go on at the start of the input.
          const iLimit = extDict ? sp : iHighLimit;
          let forwardPatternLength = countPattern(src, candPtr + 4, iLimit, pattern) + 4;
          if (extDict && candPtr + forwardPatternLength === iLimit) {
            forwardPatternLength += countPattern(src, sp, iHighLimit, rotatePattern(forwardPatternLength, pattern));
          }
          // And a run at the start of the input may go on back into the dictionary.
          let backLength = reverseCountPattern(src, candPtr, extDict ? dictStart : sp, pattern);
          if (!extDict && candPtr - backLength === sp && lowLimit < prefixIdx) {
            backLength += reverseCountPattern(src, sp, dictStart, rotatePattern(-backLength, pattern));
          }
          // Do not reach below lowestMatchIndex.
          const lowest = matchCandidateIdx - backLength;
          backLength = matchCandidateIdx - (lowest > lowestMatchIndex ? lowest : lowestMatchIndex);
          const currentSegmentLength = backLength + forwardPatternLength;
          if (currentSegmentLength >= srcPatternLength && forwardPatternLength <= srcPatternLength) {
            // Jump to where the whole source run fits, possibly followed by more match.
            const newMatchIndex = matchCandidateIdx + forwardPatternLength - srcPatternLength;
            matchIndex = protectDictEnd(prefixIdx, newMatchIndex) ? newMatchIndex : prefixIdx;
          } else if (!protectDictEnd(prefixIdx, matchCandidateIdx - backLength)) {
            matchIndex = prefixIdx;
          } else {
            // Jump to the farthest position of this run segment.
            matchIndex = matchCandidateIdx - backLength;
            if (lookBackLength === 0) {
              const maxML = currentSegmentLength < srcPatternLength ? currentSegmentLength : srcPatternLength;
              if (longest < maxML) {
                if (ipIndex - matchIndex > DISTANCE_MAX) break;
                longest = maxML;
                offset = ipIndex - matchIndex;
              }
              const distToNextPattern = chainTable[matchIndex & CHAIN_MASK];
              if (distToNextPattern > matchIndex) break;
              matchIndex -= distToNextPattern;
            }
          }
          continue;
        }
      }
    }
    matchIndex -= distNextMatch;
  }

  foundOffset = offset;
  foundBack = sBack;
  return longest;
}

/**
 * `LZ4HC_countBack`: how far (as a count ≤ 0) the bytes before `ip` and before `match`
 * agree, going no lower than `iMin` and `mMin`.
 */
function countBack(src: Uint8Array, ip: number, match: number, iMin: number, mMin: number): number {
  const lim1 = iMin - ip;
  const lim2 = mMin - match;
  const min = lim1 > lim2 ? lim1 : lim2;
  let back = 0;
  while (back > min && src[ip + back - 1] === src[match + back - 1]) back--;
  return back;
}

/**
 * `LZ4HC_protectDictEnd`: false for the last three dictionary indices, whose 4-byte reads
 * would run past the dictionary's end.
 */
function protectDictEnd(prefixIdx: number, matchIndex: number): boolean {
  return (prefixIdx - 1 - matchIndex) >>> 0 >= 3;
}

/** `LZ4HC_rotatePattern`: rotate a 4-byte pattern left by (rotate mod 4) bytes. */
function rotatePattern(rotate: number, pattern: number): number {
  const bits = (rotate & 3) << 3;
  return bits === 0 ? pattern : (pattern << bits) | (pattern >>> (32 - bits));
}

const REPEAT_UNTESTED = 0;
const REPEAT_NOT = 1;
const REPEAT_CONFIRMED = 2;

/**
 * Port of `LZ4HC_compress_hashChain` (lz4hc.c) in limitedOutput / notLimited mode. The
 * parser keeps up to three overlapping candidate matches (m1 at ip, m2 at start2, m3 at
 * start3), searching for a wider match near the end of the current one before committing,
 * and trims overlaps before encoding. C's gotos `_Search2` / `_Search3` become the inner
 * loop's `search2` flag.
 */
function compressHashChain(
  st: Lz4hcState,
  src: Uint8Array,
  view: DataView,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
  limited: boolean,
  maxNbAttempts: number,
): number {
  const iend = sp + sn;
  const oend = dp + cap;
  let anchor = sp;
  let op = dp;
  if (sn < MIN_LENGTH) return writeLastLiterals(src, anchor, iend, dst, dp, op, oend, limited);

  const patternAnalysis = maxNbAttempts > 128;
  const base = sp - st.prefixIndex;
  const mflimit = iend - MF_LIMIT;
  const matchlimit = iend - LAST_LITERALS;
  let ip = sp;

  let start0 = 0;
  let start2 = 0;
  let start3 = 0;
  let m0len = 0;
  let m0off = 0;
  let m1len = 0;
  let m1off = 0;
  let m2len = 0;
  let m2off = 0;
  let m3len = 0;
  let m3off = 0;

  while (ip <= mflimit) {
    m1len = findWiderMatch(st, src, view, sp, base, ip, ip, matchlimit, MIN_MATCH - 1, maxNbAttempts, patternAnalysis);
    if (m1len < MIN_MATCH) {
      ip++;
      continue;
    }
    m1off = foundOffset;
    // Saved, in case we would skip too much.
    start0 = ip;
    m0len = m1len;
    m0off = m1off;

    let search2 = true;
    for (;;) {
      if (search2) {
        if (ip + m1len <= mflimit) {
          start2 = ip + m1len - 2;
          m2len = findWiderMatch(st, src, view, sp, base, start2, ip, matchlimit, m1len, maxNbAttempts, patternAnalysis);
          m2off = foundOffset;
          start2 += foundBack;
        } else {
          m2len = 0;
          m2off = 0;
        }

        if (m2len <= m1len) {
          // No better match: encode m1 immediately.
          op = encodeSequence(src, anchor, ip, dst, op, m1len, m1off, limited, oend);
          if (op < 0) return 0;
          ip += m1len;
          anchor = ip;
          break;
        }

        if (start0 < ip && start2 < ip + m0len) {
          // The first match was skipped at least once: squeeze m1 between m0 and m2.
          ip = start0;
          m1len = m0len;
          m1off = m0off;
        }

        if (start2 - ip < 3) {
          // First match too small: drop it.
          ip = start2;
          m1len = m2len;
          m1off = m2off;
          continue;
        }
      }

      // _Search3
      if (start2 - ip < OPTIMAL_ML) {
        let newMl = m1len;
        if (newMl > OPTIMAL_ML) newMl = OPTIMAL_ML;
        if (ip + newMl > start2 + m2len - MIN_MATCH) newMl = start2 - ip + m2len - MIN_MATCH;
        const correction = newMl - (start2 - ip);
        if (correction > 0) {
          start2 += correction;
          m2len -= correction;
        }
      }

      if (start2 + m2len <= mflimit) {
        start3 = start2 + m2len - 3;
        m3len = findWiderMatch(st, src, view, sp, base, start3, start2, matchlimit, m2len, maxNbAttempts, patternAnalysis);
        m3off = foundOffset;
        start3 += foundBack;
      } else {
        m3len = 0;
        m3off = 0;
      }

      if (m3len <= m2len) {
        // No better match: encode m1 and m2.
        if (start2 < ip + m1len) m1len = start2 - ip;
        op = encodeSequence(src, anchor, ip, dst, op, m1len, m1off, limited, oend);
        if (op < 0) return 0;
        anchor = ip + m1len;
        ip = start2;
        op = encodeSequence(src, anchor, ip, dst, op, m2len, m2off, limited, oend);
        if (op < 0) return 0;
        ip += m2len;
        anchor = ip;
        break;
      }

      if (start3 < ip + m1len + 3) {
        // Not enough room for m2: remove it.
        if (start3 >= ip + m1len) {
          // m1 can be written now; m3 becomes the new m1.
          if (start2 < ip + m1len) {
            const correction = ip + m1len - start2;
            start2 += correction;
            m2len -= correction;
            if (m2len < MIN_MATCH) {
              start2 = start3;
              m2len = m3len;
              m2off = m3off;
            }
          }
          op = encodeSequence(src, anchor, ip, dst, op, m1len, m1off, limited, oend);
          if (op < 0) return 0;
          anchor = ip + m1len;
          ip = start3;
          m1len = m3len;
          m1off = m3off;
          start0 = start2;
          m0len = m2len;
          m0off = m2off;
          search2 = true;
          continue;
        }
        start2 = start3;
        m2len = m3len;
        m2off = m3off;
        search2 = false;
        continue;
      }

      // Three ascending matches: write m1, trimmed so that m2 keeps its start.
      if (start2 < ip + m1len) {
        if (start2 - ip < OPTIMAL_ML) {
          if (m1len > OPTIMAL_ML) m1len = OPTIMAL_ML;
          if (ip + m1len > start2 + m2len - MIN_MATCH) m1len = start2 - ip + m2len - MIN_MATCH;
          const correction = m1len - (start2 - ip);
          if (correction > 0) {
            start2 += correction;
            m2len -= correction;
          }
        } else {
          m1len = start2 - ip;
        }
      }
      op = encodeSequence(src, anchor, ip, dst, op, m1len, m1off, limited, oend);
      if (op < 0) return 0;
      anchor = ip + m1len;
      // m2 becomes m1, m3 becomes m2; then look for a new m3.
      ip = start2;
      m1len = m2len;
      m1off = m2off;
      start2 = start3;
      m2len = m3len;
      m2off = m3off;
      search2 = false;
    }
  }
  return writeLastLiterals(src, anchor, iend, dst, dp, op, oend, limited);
}
