/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) and C-Blosc2 (Blosc/c-blosc2,
 * BSD-3-Clause) blosc/blosclz.c, based on FastLZ (Ariya Hidayat, MIT); license in
 * THIRD_PARTY_NOTICES.md.
 *
 * BloscLZ encoder: port of `blosclz_compress` (and its helpers `get_cratio`, `get_match*`,
 * `get_run*` and the LITERAL / MATCH_* macros) from both libraries' blosc/blosclz.c:
 * - 'blosc1': c-blosc 1.21.x, "BloscLZ 2.5.1" (python-blosc 1.11.x);
 * - 'blosc2': c-blosc2 >= 2.16, "BloscLZ 2.5.3" (python-blosc2 3.x/4.x).
 * They differ only in the entropy probe and the ipshift/minlen choice (spec
 * chunk-format.md §6.2.3); the output bytes are meant to equal C's byte for byte,
 * including when C gives up (returns 0) because of its conservative output-limit checks.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { checkEncodeRanges } from './ranges.js';
import { blosclzCompressWasm, blosclzProbeWasm, blosclzWasmInput } from './blosclz-compress-wasm.js';

const NAME = 'blosclz';
const MAX_COPY = 32;
const MAX_DISTANCE = 8191;
const MAX_FARDISTANCE = 65535 + MAX_DISTANCE - 1;
/** Size of the hash table the caller provides (entries): 2^HASH_LOG. */
export const BLOSCLZ_HASH_SIZE = 1 << 14;
/** Hash table bits by clevel (`hashlog_` in C). */
const HASHLOG_BY_CLEVEL = [0, 12, 13, 14, 14, 14, 14, 14, 14, 14];
/** c-blosc 1.x probes with a fixed 12-bit table (`HASH_LOG2`). */
const BLOSC1_PROBE_HASHLOG = 12;
/** Probe compression ratios below which the stream is left uncompressed (`cratio_`). */
const MIN_CRATIO_BY_CLEVEL = [0, 2, 1.5, 1.2, 1.2, 1.2, 1.2, 1.15, 1.1, 1.0];

/** Little-endian 32-bit read (as int32: equality and Math.imul do not care about the sign). */
function readU32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

/** `HASH_FUNCTION`: (seq * 2654435761) mod 2^32 >> (32 - hashlog). */
function hashOf(seq: number, hashlog: number): number {
  return Math.imul(seq, 0x9e3779b1) >>> (32 - hashlog);
}

/**
 * What `get_run_or_match` returns for a candidate at distance `dist` whose first 4 bytes
 * matched at `anchor`: one past the first q in [anchor+4, bound) with src[q] != src[q-dist],
 * or `bound` if there is none. (Every C variant — get_match, get_match_16/32, get_run —
 * comes down to this.)
 */
function matchEnd(src: Uint8Array, anchor: number, dist: number, bound: number): number {
  let q = anchor + 4;
  let r = q - dist;
  // Four bytes at a time first (the input is never written, so overlapping reads are fine);
  // the first differing byte is the lowest set byte of the XOR of two little-endian words.
  while (q + 4 <= bound) {
    const x = readU32(src, q) ^ readU32(src, r);
    if (x !== 0) return q + ((31 - Math.clz32(x & -x)) >>> 3) + 1;
    q += 4;
    r += 4;
  }
  while (q < bound) {
    if (src[q] !== src[r]) return q + 1;
    q++;
    r++;
  }
  return bound;
}

/**
 * `get_cratio`: estimate the compression ratio of src[base, base+maxlen) (at most
 * 2^hashlog bytes of it) by running the match finder and counting output bytes. (Exported
 * as the twin the WebAssembly probe is tested against.)
 */
export function blosclzProbeCratio(
  src: Uint8Array,
  base: number,
  maxlen: number,
  minlen: number,
  ipshift: number,
  htab: Uint32Array,
  hashlog: number,
): number {
  const hashlen = 1 << hashlog;
  const limit = maxlen > hashlen ? hashlen : maxlen;
  const bound = base + limit - 1;
  const ilimit = base + limit - 12;
  htab.fill(0, 0, hashlen);
  let oc = 5;
  let copy = 4;
  let ip = base;
  while (ip < ilimit) {
    const anchor = ip;
    const seq = readU32(src, ip);
    const h = hashOf(seq, hashlog);
    const ref = base + htab[h];
    const distance = anchor - ref;
    htab[h] = anchor - base;
    let literal = distance === 0 || distance >= MAX_FARDISTANCE || readU32(src, ref) !== seq;
    if (!literal) {
      ip = matchEnd(src, anchor, distance, bound) - ipshift;
      const len = ip - anchor;
      if (len < minlen) {
        literal = true;
      } else {
        if (copy === 0) oc--;
        copy = 0;
        if (len >= 7) oc += Math.floor((len - 7) / 255) + 1;
        oc += distance - 1 < MAX_DISTANCE ? 2 : 4;
        htab[hashOf(readU32(src, ip), hashlog)] = ip - base;
        ip += 2;
        oc++;
      }
    }
    if (literal) {
      oc++;
      ip = anchor + 1;
      copy++;
      if (copy === MAX_COPY) {
        copy = 0;
        oc++;
      }
    }
  }
  return (ip - base) / oc;
}

/**
 * Compress src[sp, sp+sn) into dst[dp, dp+maxout) exactly as the C `blosclz_compress` of
 * the chosen library does. Returns the number of bytes written, or 0 when C returns 0 (the
 * probe says the data is not worth it, the input/output is too small, or the output would
 * not fit by C's conservative checks). `splitBlock` is c-blosc 1.x's chunk-level split flag
 * (ignored for 'blosc2'). `htab` is scratch: a Uint32Array of at least 2^14 entries.
 */
export function blosclzCompress(
  clevel: number,
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  maxout: number,
  format: 'blosc1' | 'blosc2',
  splitBlock: boolean,
  htab: Uint32Array,
): number {
  if (!Number.isInteger(clevel) || clevel < 1 || clevel > 9) {
    fail(BloscErrorCode.InvalidParam, `${NAME}: clevel must be 1..9, got ${clevel}`);
  }
  if (htab.length < BLOSCLZ_HASH_SIZE) {
    fail(BloscErrorCode.InvalidParam, `${NAME}: hash table needs ${BLOSCLZ_HASH_SIZE} entries, got ${htab.length}`);
  }
  checkEncodeRanges(NAME, src, sp, sn, dst, dp, maxout);

  // The WebAssembly twin of both loops reads the input at `at` in the shared memory (-1: not in use).
  const at = blosclzWasmInput(src, sp, sn, maxout);
  let ipshift: number;
  let minlen: number;
  let cratio: number;
  if (format === 'blosc1') {
    // c-blosc 1.21: probe the last quarter with ipshift = minlen = 3 and a 12-bit table.
    const maxlen = Math.floor(sn / 4);
    cratio = at >= 0
      ? blosclzProbeWasm(at + sn - maxlen, maxlen, 3, 3, BLOSC1_PROBE_HASHLOG)
      : blosclzProbeCratio(src, sp + sn - maxlen, maxlen, 3, 3, htab, BLOSC1_PROBE_HASHLOG);
    if (cratio < MIN_CRATIO_BY_CLEVEL[clevel]) return 0;
    if (!splitBlock || cratio < 4) {
      ipshift = 3;
      minlen = 3;
    } else {
      ipshift = 4;
      minlen = 4;
    }
  } else {
    // c-blosc2 >= 2.16: ipshift = minlen = 4; the probed share of the input grows with clevel.
    ipshift = 4;
    minlen = 4;
    let maxlen = sn;
    if (clevel < 2) maxlen = Math.floor(maxlen / 8);
    else if (clevel < 4) maxlen = Math.floor(maxlen / 4);
    else if (clevel < 7) maxlen = Math.floor(maxlen / 2);
    cratio = at >= 0
      ? blosclzProbeWasm(at + sn - maxlen, maxlen, minlen, ipshift, HASHLOG_BY_CLEVEL[clevel]!)
      : blosclzProbeCratio(src, sp + sn - maxlen, maxlen, minlen, ipshift, htab, HASHLOG_BY_CLEVEL[clevel]);
    if (cratio < MIN_CRATIO_BY_CLEVEL[clevel]) return 0;
  }

  if (sn < 16 || maxout < 66) return 0;

  const hashlog = HASHLOG_BY_CLEVEL[clevel];
  if (at >= 0) return blosclzCompressWasm(at, sn, dst, dp, maxout, hashlog, ipshift, minlen, clevel);
  htab.fill(0, 0, 1 << hashlog);
  const ipBound = sp + sn - 1;
  const ipLimit = sp + sn - 12;
  const opLimit = dp + maxout;
  let ip = sp;
  let op = dp;

  // Start with a literal run: pending header (patched later) and the first 4 bytes.
  let copy = 4;
  dst[op++] = MAX_COPY - 1;
  dst[op++] = src[ip++];
  dst[op++] = src[ip++];
  dst[op++] = src[ip++];
  dst[op++] = src[ip++];

  while (ip < ipLimit) {
    const anchor = ip;
    const seq = readU32(src, ip);
    let h = hashOf(seq, hashlog);
    const ref = sp + htab[h];
    let distance = anchor - ref;
    htab[h] = anchor - sp;

    let len = 0;
    let literal = distance === 0 || distance >= MAX_FARDISTANCE || readU32(src, ref) !== seq;
    if (!literal) {
      ip = matchEnd(src, anchor, distance, ipBound) - ipshift;
      distance--; // biased: 0 means a run
      len = ip - anchor;
      // Encoding short lengths is expensive during decompression (C's comment).
      literal = len < minlen || (len <= 5 && distance >= MAX_DISTANCE);
    }
    if (literal) {
      if (op + 2 > opLimit) return 0;
      dst[op++] = src[anchor];
      ip = anchor + 1;
      copy++;
      if (copy === MAX_COPY) {
        copy = 0;
        dst[op++] = MAX_COPY - 1;
      }
      continue;
    }

    // Close the pending literal run, or drop its unused header.
    if (copy !== 0) dst[op - copy - 1] = copy - 1;
    else op--;
    copy = 0;

    if (distance < MAX_DISTANCE) {
      if (len < 7) {
        if (op + 2 > opLimit) return 0;
        dst[op++] = (len << 5) + (distance >>> 8);
        dst[op++] = distance & 255;
      } else {
        if (op + 1 > opLimit) return 0;
        dst[op++] = (7 << 5) + (distance >>> 8);
        for (len -= 7; len >= 255; len -= 255) {
          if (op + 1 > opLimit) return 0;
          dst[op++] = 255;
        }
        if (op + 2 > opLimit) return 0;
        dst[op++] = len;
        dst[op++] = distance & 255;
      }
    } else {
      distance -= MAX_DISTANCE;
      if (len < 7) {
        if (op + 4 > opLimit) return 0;
        dst[op++] = (len << 5) + 31;
        dst[op++] = 255;
        dst[op++] = distance >>> 8;
        dst[op++] = distance & 255;
      } else {
        if (op + 1 > opLimit) return 0;
        dst[op++] = (7 << 5) + 31;
        for (len -= 7; len >= 255; len -= 255) {
          if (op + 1 > opLimit) return 0;
          dst[op++] = 255;
        }
        if (op + 4 > opLimit) return 0;
        dst[op++] = len;
        dst[op++] = 255;
        dst[op++] = distance >>> 8;
        dst[op++] = distance & 255;
      }
    }

    // Update the hash at the match boundary.
    const seq2 = readU32(src, ip);
    htab[hashOf(seq2, hashlog)] = ip - sp;
    ip++;
    if (clevel === 9) {
      // A second entry at clevel 9, keyed by the previous word shifted right by 8
      // (a 24-bit value), exactly as C does.
      h = hashOf(seq2 >>> 8, hashlog);
      htab[h] = ip - sp;
    }
    ip++;

    if (op + 1 > opLimit) return 0;
    dst[op++] = MAX_COPY - 1; // header of the next literal run
  }

  // Left-over bytes as literals.
  while (ip <= ipBound) {
    if (op + 2 > opLimit) return 0;
    dst[op++] = src[ip++];
    copy++;
    if (copy === MAX_COPY) {
      copy = 0;
      dst[op++] = MAX_COPY - 1;
    }
  }
  if (copy !== 0) dst[op - copy - 1] = copy - 1;
  else op--;

  dst[dp] |= 1 << 5; // BloscLZ marker
  return op - dp;
}
