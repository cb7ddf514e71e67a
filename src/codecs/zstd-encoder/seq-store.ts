/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The sequences found in one block, before entropy coding (libzstd `seqStore_t`): for each
 * sequence its literal length, its offset code ("offBase": 1..3 name a repeat offset under
 * the RFC 8878 §3.1.2.5 rules, larger values are offset + 3) and its match length, plus
 * the block's literal bytes in order.
 */
import { BLOCKSIZE_MAX } from './params.js';

/** Offset code for a new offset (`OFFSET_TO_OFFBASE`). */
export const REP_NUM = 3;
/** Offset code naming repeat offset 1 (`REPCODE1_TO_OFFBASE`). */
export const REPCODE1 = 1;
export const MINMATCH = 3;

export class SeqStore {
  /** Literal bytes of the block, in order. */
  readonly lit = new Uint8Array(BLOCKSIZE_MAX);
  litLength = 0;
  readonly litLengths = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly offBases = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  /** Match length − MINMATCH. */
  readonly mlBases = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  nbSeq = 0;
  readonly llCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly ofCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly mlCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);

  reset(): void {
    this.litLength = 0;
    this.nbSeq = 0;
  }

  /**
   * Append a sequence: the literals src[anchor, anchor+litLength), then a match
   * (`ZSTD_storeSeq`). matchLength >= MINMATCH.
   */
  store(src: Uint8Array, anchor: number, litLength: number, offBase: number, matchLength: number): void {
    const lit = this.lit;
    let p = this.litLength;
    if (litLength > 16) {
      lit.set(src.subarray(anchor, anchor + litLength), p);
      p += litLength;
    } else {
      for (let i = 0; i < litLength; i++) lit[p++] = src[anchor + i]!;
    }
    this.litLength = p;
    const n = this.nbSeq;
    this.litLengths[n] = litLength;
    this.offBases[n] = offBase;
    this.mlBases[n] = matchLength - MINMATCH;
    this.nbSeq = n + 1;
  }

  /**
   * Append `n` sequences given as arrays of literal lengths, offset codes and match lengths
   * − MINMATCH, with their `litN` literals in order (the WebAssembly lazy parser's output).
   */
  append(litLengths: Uint32Array, offBases: Uint32Array, mlBases: Uint32Array, n: number, lit: Uint8Array, litN: number): void {
    const at = this.nbSeq;
    this.litLengths.set(litLengths.subarray(0, n), at);
    this.offBases.set(offBases.subarray(0, n), at);
    this.mlBases.set(mlBases.subarray(0, n), at);
    this.nbSeq = at + n;
    this.lit.set(lit.subarray(0, litN), this.litLength);
    this.litLength += litN;
  }

  /** Append the literals after the last match (`ZSTD_storeLastLiterals`). */
  storeLastLiterals(src: Uint8Array, anchor: number, n: number): void {
    this.lit.set(src.subarray(anchor, anchor + n), this.litLength);
    this.litLength += n;
  }
}
