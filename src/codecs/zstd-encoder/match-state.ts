/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * State shared by the match finders: hash and chain tables, parameters, and the small
 * helpers every finder uses (hashing 4..8 bytes, counting a match forward).
 *
 * Positions: libzstd numbers the first byte of a frame 2 and keeps 0 for "empty". The hash
 * and row finders here store absolute positions in the source array, so "empty" is the
 * position two before the frame start: it fails every validity test exactly where libzstd's
 * 0 does, and never offers a candidate libzstd would not.
 */
import type { CompressionParams } from './params.js';
import type { SeqStore } from './seq-store.js';

/**
 * The row-based search as WebAssembly on the shared memory (row-search-wasm.ts), for one
 * frame: its tables, hash cache and next position to insert live there.
 */
export interface RowSearchWasm {
  /** `ZSTD_RowFindBestMatch` at ip (inserting up to ip first unless `skipping`); the length found, < 4 for none. */
  find(ip: number, iLimit: number, skipping: number): number;
  /** `ZSTD_row_fillHashCache` from idx, not past iLimit. */
  fill(idx: number, iLimit: number): void;
  /** The offset code of the last match `find` returned. */
  offBase(): number;
  /** The next position to insert (libzstd `nextToUpdate`), read and set. */
  next(): number;
  setNext(position: number): void;
  /**
   * The whole block loop of `compressBlockLazy` (match-lazy.ts) over src[istart, iend) with
   * `depth` 0..2, from the repeat offsets given (0 for one out of the window): appends its
   * sequences and their literals to `ss` and returns the trailing literal count.
   */
  parse(istart: number, iend: number, depth: number, offset1: number, offset2: number, ss: SeqStore): number;
  /** The repeat offsets after `parse`. */
  rep1(): number;
  rep2(): number;
}

/** The fast strategy's block loop as WebAssembly (row-search-wasm.ts), for one frame. */
export interface FastLoopWasm {
  /**
   * `ZSTD_compressBlock_fast_noDict_generic` from ip0 over src[istart, iend); returns the
   * number of sequences, left in `seqs` as (literal length, offset code, match length).
   */
  run(ip0: number, istart: number, iend: number, prefixStart: number, rep1: number, rep2: number, hashLog: number, stepSize: number): number;
  readonly seqs: Int32Array;
  /** The repeat offsets after `run`. */
  rep1(): number;
  rep2(): number;
}

const PRIME_A = 0x9e3779b1 | 0;

export class MatchState {
  hashTable = new Int32Array(0);
  chainTable = new Int32Array(0);
  hashLog = 0;
  chainLog = 0;
  searchLog = 0;
  minMatch = 0;
  targetLength = 0;
  windowLog = 0;
  /** 2^windowLog, kept beside it: `2 ** n` in a per-position helper compiles to a pow call. */
  maxDistance = 1;
  strategy = 0;
  /** First byte of the frame's content in the source array. */
  frameStart = 0;
  /** Next position to insert into the hash chains (lazy finders). */
  nextToUpdate = 0;
  /**
   * Binary-tree finders keep libzstd's numbering in their tables: index = position − base,
   * the frame's first byte being index 2 (base = frameStart − 2), 0 meaning empty. The
   * two-pass btultra2 moves base back by the first block's size to forget its first pass.
   */
  base = 0;
  /** Lowest valid index of the binary-tree finders (libzstd `window.lowLimit`). */
  lowLimitIdx = 2;
  /** Lazy finders: skipping over incompressible data, insert only searched positions. */
  lazySkipping = false;
  /** Row-based finder: tags (low hash bits) beside the position table, rows of 2^rowLog. */
  tagTable = new Uint8Array(0);
  /** The tag table read four tags at a time. */
  tagView = new DataView(new ArrayBuffer(0));
  useRow = false;
  /** Binary-tree search (btlazy2 and the optimal parsers). */
  useTree = false;
  rowLog = 4;
  rowHashLog = 0;
  /** Row-based finder: hashes of the next 8 positions (`ZSTD_ROW_HASH_CACHE_SIZE`). */
  readonly hashCache = new Int32Array(8);
  /** The WebAssembly row search of this frame (row-search-wasm.ts), or null for the TypeScript one. */
  rowWasm: RowSearchWasm | null = null;
  /** Whether the block loop runs in `rowWasm.parse` too (else the TypeScript loop calls `rowWasm.find`). */
  lazyWasm = false;
  /** The WebAssembly fast loop of this frame (row-search-wasm.ts), or null for the TypeScript one. */
  fastWasm: FastLoopWasm | null = null;

  /**
   * Size the tables for `p` and clear them for a new frame starting at `frameStart`, with
   * `empty` as the empty-entry value.
   */
  reset(p: CompressionParams, frameStart: number, useHashTable: boolean, chainEntries: number, useRow: boolean, empty: number): void {
    this.hashLog = p.hashLog;
    this.chainLog = p.chainLog;
    this.searchLog = p.searchLog;
    this.minMatch = p.minMatch;
    this.targetLength = p.targetLength;
    this.windowLog = p.windowLog;
    this.maxDistance = 2 ** p.windowLog;
    this.strategy = p.strategy;
    this.frameStart = frameStart;
    this.nextToUpdate = frameStart;
    this.base = frameStart - 2;
    this.lowLimitIdx = 2;
    this.lazySkipping = false;
    const hashSize = useHashTable ? 1 << p.hashLog : 0;
    if (this.hashTable.length < hashSize) this.hashTable = new Int32Array(hashSize);
    this.hashTable.fill(empty, 0, hashSize);
    if (this.chainTable.length < chainEntries) this.chainTable = new Int32Array(chainEntries);
    this.chainTable.fill(empty, 0, chainEntries);
    this.useRow = useRow;
    this.useTree = p.strategy >= 6;
    if (useRow) {
      this.rowLog = p.searchLog < 4 ? 4 : p.searchLog > 6 ? 6 : p.searchLog;
      this.rowHashLog = p.hashLog - this.rowLog;
      if (this.tagTable.length < hashSize) {
        this.tagTable = new Uint8Array(hashSize);
        this.tagView = new DataView(this.tagTable.buffer);
      } else {
        this.tagTable.fill(0, 0, hashSize);
      }
    }
  }
}

/**
 * The finders read the source through a DataView: V8 compiles `getInt32(p, true)` to one
 * unaligned load, where combining four byte loads costs four.
 */
export function sourceView(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

/** True when the 4 bytes at a and b are equal. */
export function equal4(v: DataView, a: number, b: number): boolean {
  return v.getInt32(a, true) === v.getInt32(b, true);
}

/** Reference for `equal4`, byte by byte. */
export function equal4Simple(src: Uint8Array, a: number, b: number): boolean {
  return src[a] === src[b] && src[a + 1] === src[b + 1] && src[a + 2] === src[b + 2] && src[a + 3] === src[b + 3];
}

// Low and high 32-bit halves of libzstd's 64-bit hash primes (`prime5bytes`..`prime8bytes`).
const P5_LO = 0x1bbcdcbb;
const P5_HI = 0xcf;
const P6_LO = 0xbcdcbf9b;
const P6_HI = 0xcf1b;
const P7_LO = 0xdcbfa563;
const P7_HI = 0xcf1bbc;
const P8_LO = 0xb7a56463;
const P8_HI = 0xcf1bbcdc | 0;
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/**
 * High 32 bits of the 64-bit product of two unsigned 32-bit values. The double product is
 * within 2^11 of the exact one and the low 32 bits are known exactly (Math.imul), so
 * (product − low) / 2^32 lies within 2^-21 of the exact high word, which rounding recovers.
 */
export function mulHigh32(a: number, b: number): number {
  return ((a * b - (Math.imul(a, b) >>> 0)) * TWO_POW_MINUS_32 + 0.5) >>> 0;
}

/** Reference for `mulHigh32` on 16-bit limbs. */
export function mulHigh32Simple(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const m1 = a1 * b0;
  const m2 = a0 * b1;
  const mid = ((a0 * b0) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * The bits libzstd's `ZSTD_hashPtr` takes its hash from: for 4 bytes the 32-bit product,
 * for 5..8 bytes the high half of the 64-bit product (the bytes shifted to the top of a
 * 64-bit word times a prime; lo:hi are that word's halves). A hash of h bits is the top h
 * bits of this value.
 */
export function hashWord(v: DataView, p: number, mls: number): number {
  let lo: number;
  let hi: number;
  let pLo: number;
  let pHi: number;
  switch (mls) {
    case 5:
      lo = v.getUint8(p) * 16777216;
      hi = v.getInt32(p + 1, true);
      pLo = P5_LO;
      pHi = P5_HI;
      break;
    case 6:
      lo = v.getUint16(p, true) * 65536;
      hi = v.getInt32(p + 2, true);
      pLo = P6_LO;
      pHi = P6_HI;
      break;
    case 7:
      lo = (v.getUint16(p, true) + v.getUint8(p + 2) * 65536) * 256;
      hi = v.getInt32(p + 3, true);
      pLo = P7_LO;
      pHi = P7_HI;
      break;
    case 8:
      lo = v.getUint32(p, true);
      hi = v.getInt32(p + 4, true);
      pLo = P8_LO;
      pHi = P8_HI;
      break;
    default:
      // 4, and 3 as well: libzstd's switch sends every other length to the 4-byte hash.
      return Math.imul(v.getInt32(p, true), PRIME_A) >>> 0;
  }
  return (mulHigh32(lo, pLo) + Math.imul(lo, pHi) + Math.imul(hi, pLo)) >>> 0;
}

/** libzstd's `ZSTD_hash8Ptr` (8 bytes), the long hash of the double-fast finder. */
export function hash8(v: DataView, p: number, hBits: number): number {
  const lo = v.getUint32(p, true);
  return ((mulHigh32(lo, P8_LO) + Math.imul(lo, P8_HI) + Math.imul(v.getInt32(p + 4, true), P8_LO)) >>> 0) >>> (32 - hBits);
}

/**
 * Hash of the `mls` bytes at p (3 <= mls <= 8; 3 hashes 4 bytes) into `hBits` (<= 32) bits: exactly
 * libzstd's `ZSTD_hashPtr` without salt. Using the same hash keeps the same collisions,
 * hence the same matches, as the C library.
 */
export function hashPtr(v: DataView, p: number, hBits: number, mls: number): number {
  return hashWord(v, p, mls) >>> (32 - hBits);
}

/**
 * Length of the common run of src[ip..] and src[match..], stopping at iend (`ZSTD_count`):
 * four bytes at a time, the first differing byte found from the XOR's trailing zeros.
 */
export function countMatch(v: DataView, ip: number, match: number, iend: number): number {
  const start = ip;
  while (ip + 4 <= iend) {
    const d = v.getInt32(ip, true) ^ v.getInt32(match, true);
    if (d !== 0) return ip - start + ((31 - Math.clz32(d & -d)) >> 3);
    ip += 4;
    match += 4;
  }
  while (ip < iend && v.getUint8(ip) === v.getUint8(match)) {
    ip++;
    match++;
  }
  return ip - start;
}

/** Reference for `countMatch`, byte by byte. */
export function countMatchSimple(src: Uint8Array, ip: number, match: number, iend: number): number {
  const start = ip;
  while (ip < iend && src[ip] === src[match]) {
    ip++;
    match++;
  }
  return ip - start;
}

/**
 * Lowest position a match may start at for a block ending at `end`: the frame start, or
 * one window back from the block end (`ZSTD_getLowestPrefixIndex` without dictionary).
 */
export function lowestPrefixIndex(ms: MatchState, end: number): number {
  const maxDistance = ms.maxDistance;
  return end - ms.frameStart > maxDistance ? end - maxDistance : ms.frameStart;
}

/**
 * Salt of the row-based finder's hashes in a fresh libzstd context: `ZSTD_advanceHashSalt`
 * from zero, i.e. bitmix(0, 8) ^ bitmix(0, 4) (XXH3 rrmxmx), as a 64-bit value.
 */
export const ROW_SALT64: bigint = (() => {
  const C = 0x9fb21c651e98df25n;
  const mask = (1n << 64n) - 1n;
  const bitmixOfZero = (len: bigint): bigint => {
    const x = (len * C) & mask;
    return x ^ (x >> 28n);
  };
  return bitmixOfZero(8n) ^ bitmixOfZero(4n);
})();
/** The salt's 32-bit halves. */
const ROW_SALT: readonly [number, number] = [Number(ROW_SALT64 & 0xffffffffn) | 0, Number(ROW_SALT64 >> 32n) | 0];
const ROW_SALT_LO = ROW_SALT[0];
const ROW_SALT_HI = ROW_SALT[1];

/**
 * Salted hash of the row-based finder (`ZSTD_hashPtrSalted`): the salt is XORed into the
 * product before its top bits are taken (its low half for 4-byte hashes).
 */
export function hashPtrSalted(v: DataView, p: number, hBits: number, mls: number): number {
  return (hashWord(v, p, mls) ^ (mls <= 4 ? ROW_SALT_LO : ROW_SALT_HI)) >>> (32 - hBits);
}

/** Reference for `hashPtr` with BigInt arithmetic, for tests. */
export function hashPtrReference(src: Uint8Array, p: number, hBits: number, mls: number): number {
  if (mls <= 4) {
    const u = BigInt(src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24)) & 0xffffffffn;
    return Number(((u * 2654435761n) & 0xffffffffn) >> BigInt(32 - hBits));
  }
  const primes = [0n, 0n, 0n, 0n, 0n, 889523592379n, 227718039650203n, 58295818150454627n, 0xcf1bbcdcb7a56463n];
  let u = 0n;
  for (let i = 7; i >= 0; i--) u = (u << 8n) | BigInt(src[p + i] ?? 0);
  const mask64 = (1n << 64n) - 1n;
  const shifted = (u << BigInt(64 - 8 * mls)) & mask64;
  return Number(((shifted * primes[mls]!) & mask64) >> BigInt(64 - hBits));
}
