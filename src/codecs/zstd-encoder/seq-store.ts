/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * The sequences found in one block, before entropy coding (libzstd `seqStore_t`): for each
 * sequence its literal length, its offset code ("offBase": 1..3 name a repeat offset under
 * the RFC 8878 §3.1.2.5 rules, larger values are offset + 3) and its match length, plus
 * the block's literal bytes in order.
 */
import { LL_EXTRA, LL_MAX_SYMBOL, ML_EXTRA, ML_MAX_SYMBOL, OF_MAX_SYMBOL } from '../zstd/fse.js';
import { BLOCKSIZE_MAX, highBit } from './params.js';

/** Offset code for a new offset (`OFFSET_TO_OFFBASE`). */
export const REP_NUM = 3;
/** Offset code naming repeat offset 1 (`REPCODE1_TO_OFFBASE`). */
export const REPCODE1 = 1;
export const MINMATCH = 3;

/**
 * Extra bits of each literal-length code and match-length code (RFC 8878 §3.1.1.3.2.1.1;
 * libzstd's `LL_bits`, `ML_bits`): the decoder's tables, under the encoder's names.
 */
export const LL_BITS = LL_EXTRA;
export const ML_BITS = ML_EXTRA;
/** Largest literal-length, match-length and offset codes (libzstd's `MaxLL`, `MaxML`, `MaxOff`): the decoder's. */
export const MAX_LL = LL_MAX_SYMBOL;
export const MAX_ML = ML_MAX_SYMBOL;
export const MAX_OFF = OF_MAX_SYMBOL;
/** Literal-length code of literal lengths 0..63 (`ZSTD_LLcode`'s table). */
export const LL_CODE_SMALL = new Uint8Array(64);
/** Match-length code of matchLength − 3 for 0..127 (`ZSTD_MLcode`'s table). */
export const ML_CODE_SMALL = new Uint8Array(128);
{
  const llBase = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64];
  for (let v = 0; v < 64; v++) {
    let c = 0;
    while (c + 1 < llBase.length && llBase[c + 1]! <= v) c++;
    LL_CODE_SMALL[v] = c;
  }
  for (let v = 0; v < 128; v++) {
    let c = v < 32 ? v : 0;
    if (v >= 32) {
      // codes 32.. cover mlBase ranges of 2^ML_BITS[code] starting at 32
      let base = 32;
      c = 32;
      while (base + (1 << ML_BITS[c]!) <= v) {
        base += 1 << ML_BITS[c]!;
        c++;
      }
    }
    ML_CODE_SMALL[v] = c;
  }
}

/** Literal-length code (`ZSTD_LLcode`). */
export function llCode(litLength: number): number {
  return litLength > 63 ? highBit(litLength) + 19 : LL_CODE_SMALL[litLength]!;
}

/** Match-length code of matchLength − 3 (`ZSTD_MLcode`). */
export function mlCode(mlBase: number): number {
  return mlBase > 127 ? highBit(mlBase) + 36 : ML_CODE_SMALL[mlBase]!;
}

export class SeqStore {
  /** Literal bytes of the block, in order. */
  readonly lit = new Uint8Array(BLOCKSIZE_MAX);
  litLength = 0;
  readonly litLengths = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly offBases = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  /** Match length − MINMATCH. */
  readonly mlBases = new Uint32Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  nbSeq = 0;
  /**
   * Sequences [0, codedSeqs) have their codes below already (the WebAssembly lazy parser
   * writes them with the sequences), so that `seqToCodes` can skip them.
   */
  codedSeqs = 0;
  /**
   * The three codes' histograms of sequences [0, countedSeqs) (the WebAssembly lazy parser
   * counts them as it writes them), so that their statistics need not count them again.
   */
  countedSeqs = 0;
  readonly llCount = new Uint32Array(MAX_LL + 1);
  readonly ofCount = new Uint32Array(MAX_OFF + 1);
  readonly mlCount = new Uint32Array(MAX_ML + 1);
  readonly llCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly ofCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);
  readonly mlCode = new Uint8Array((BLOCKSIZE_MAX / MINMATCH + 1) | 0);

  reset(): void {
    this.litLength = 0;
    this.nbSeq = 0;
    this.codedSeqs = 0;
    this.countedSeqs = 0;
    this.llCount.fill(0);
    this.ofCount.fill(0);
    this.mlCount.fill(0);
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
   * − MINMATCH, of their three codes and those codes' histograms, with their `litN` literals
   * in order (the WebAssembly lazy parser's output).
   */
  append(
    litLengths: Uint32Array, offBases: Uint32Array, mlBases: Uint32Array, n: number, lit: Uint8Array, litN: number,
    llCodes: Uint8Array, ofCodes: Uint8Array, mlCodes: Uint8Array,
    llCounts: Uint32Array, ofCounts: Uint32Array, mlCounts: Uint32Array,
  ): void {
    const at = this.nbSeq;
    this.litLengths.set(litLengths.subarray(0, n), at);
    this.offBases.set(offBases.subarray(0, n), at);
    this.mlBases.set(mlBases.subarray(0, n), at);
    this.llCode.set(llCodes.subarray(0, n), at);
    this.ofCode.set(ofCodes.subarray(0, n), at);
    this.mlCode.set(mlCodes.subarray(0, n), at);
    if (this.codedSeqs === at) this.codedSeqs = at + n;
    if (this.countedSeqs === at) {
      addCounts(this.llCount, llCounts);
      addCounts(this.ofCount, ofCounts);
      addCounts(this.mlCount, mlCounts);
      this.countedSeqs = at + n;
    }
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

function addCounts(to: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < to.length; i++) to[i] = to[i]! + from[i]!;
}
