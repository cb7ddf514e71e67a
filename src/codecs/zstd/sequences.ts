/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Sequences section (RFC 8878 §3.1.1.3.2): header and table modes, then the decode-and-
 * execute loop that turns (literal length, match length, offset) triples into output.
 *
 * Mirrors `ZSTD_decodeSeqHeaders`, `ZSTD_buildSeqTable`, `ZSTD_decodeSequence` and
 * `ZSTD_execSequence` (lib/decompress/zstd_decompress_block.c), with the output written
 * straight into the caller's buffer: the frame's earlier output is the match history, and
 * a dictionary's content is a virtual prefix before it.
 */
import { BloscErrorCode, fail } from '../../errors.js';
import { BackwardStream, le16 } from './bits.js';
import {
  FseTable,
  LL_BASE,
  LL_EXTRA,
  LL_MAX_LOG,
  LL_MAX_SYMBOL,
  LL_PREDEFINED,
  ML_BASE,
  ML_EXTRA,
  ML_MAX_LOG,
  ML_MAX_SYMBOL,
  ML_PREDEFINED,
  OF_BASE,
  OF_EXTRA,
  OF_MAX_LOG,
  OF_MAX_SYMBOL,
  OF_PREDEFINED,
  buildFseTable,
  buildRleTable,
  readNormalizedCounts,
} from './fse.js';
import { buildFseTableInHeap, fseCells, fseTableRebuilt } from './fse-wasm.js';

const MODE_PREDEFINED = 0;
const MODE_RLE = 1;
const MODE_COMPRESSED = 2;
const MODE_REPEAT = 3;

/**
 * Copies shorter than these move 32-bit words through a DataView: `copyWithin` and
 * `set(subarray(...))` have a fixed call cost (and the latter allocates a view) worth
 * dozens of word moves.
 */
const LONG_MATCH = 128;
const SHORT_LITERALS = 64;

/** Per-frame sequence state: repeat offsets and the tables in force. One instance is reused. */
export class SequenceState {
  rep0 = 1;
  rep1 = 4;
  rep2 = 8;
  ll: FseTable | null = null;
  ml: FseTable | null = null;
  of: FseTable | null = null;
  nbSeq = 0;
  /** Where the literals stood after the sequences of the last block (set by executeSequencesWasm). */
  litAfter = 0;
  readonly llWork = new FseTable(LL_MAX_LOG);
  readonly mlWork = new FseTable(ML_MAX_LOG);
  readonly ofWork = new FseTable(OF_MAX_LOG);
  readonly llRle = new FseTable(0);
  readonly mlRle = new FseTable(0);
  readonly ofRle = new FseTable(0);
  readonly norm = new Int16Array(64);
  readonly used = new Int32Array(1);
  readonly stream = new BackwardStream();
  /**
   * Whether new tables of compressed mode are built in the WebAssembly memory, where the
   * executor of sequences-wasm.ts reads them (set per frame by the decoder).
   */
  heapTables = false;
  /** The tables in force, copied side by side for the sequence loop (see LL_AT, ML_AT, OF_AT). */
  readonly tables = new Int32Array(TABLES_SIZE);
}

/** Where each table starts in SequenceState.tables. */
const LL_AT = 0;
const ML_AT = 2 << LL_MAX_LOG;
const OF_AT = ML_AT + (2 << ML_MAX_LOG);
const TABLES_SIZE = OF_AT + (2 << OF_MAX_LOG);

/** Copy the 2 << log cells of `t` into `to` from `at` (a memcpy; blocks with few sequences notice a loop). */
function copyCells(t: FseTable, to: Int32Array, at: number): void {
  to.set(fseCells(t).subarray(0, 2 << t.log), at);
}

/**
 * Read the sequences section header at src[ip, iend): the sequence count and the three
 * tables. Returns where the sequence bitstream starts.
 */
export function readSequencesHeader(src: Uint8Array, ip: number, iend: number, st: SequenceState): number {
  if (ip >= iend) fail(BloscErrorCode.Data, 'zstd: sequences section missing', { offset: ip });
  let nbSeq = src[ip++]!;
  if (nbSeq >= 128) {
    if (nbSeq === 255) {
      if (ip + 2 > iend) fail(BloscErrorCode.Data, 'zstd: sequences header truncated', { offset: ip });
      nbSeq = le16(src, ip) + 0x7f00;
      ip += 2;
    } else {
      if (ip >= iend) fail(BloscErrorCode.Data, 'zstd: sequences header truncated', { offset: ip });
      nbSeq = ((nbSeq - 128) << 8) + src[ip++]!;
    }
  }
  st.nbSeq = nbSeq;
  if (nbSeq === 0) {
    if (ip !== iend) fail(BloscErrorCode.Data, 'zstd: data after an empty sequences section', { offset: ip });
    return ip;
  }
  if (ip >= iend) fail(BloscErrorCode.Data, 'zstd: sequences header truncated', { offset: ip });
  const modes = src[ip++]!;
  if ((modes & 3) !== 0) fail(BloscErrorCode.Data, 'zstd: reserved bits set in the sequence modes', { offset: ip - 1 });
  ip = pickTable(src, ip, iend, st, 0, modes >>> 6);
  ip = pickTable(src, ip, iend, st, 1, (modes >>> 4) & 3);
  ip = pickTable(src, ip, iend, st, 2, (modes >>> 2) & 3);
  return ip;
}

/** Set the literal-length (kind 0), offset (1) or match-length (2) table for `mode`. */
function pickTable(src: Uint8Array, ip: number, iend: number, st: SequenceState, kind: number, mode: number): number {
  const base = kind === 0 ? LL_BASE : kind === 1 ? OF_BASE : ML_BASE;
  const extra = kind === 0 ? LL_EXTRA : kind === 1 ? OF_EXTRA : ML_EXTRA;
  const maxSymbol = kind === 0 ? LL_MAX_SYMBOL : kind === 1 ? OF_MAX_SYMBOL : ML_MAX_SYMBOL;
  let table: FseTable | null;
  switch (mode) {
    case MODE_PREDEFINED:
      table = kind === 0 ? LL_PREDEFINED : kind === 1 ? OF_PREDEFINED : ML_PREDEFINED;
      break;
    case MODE_RLE: {
      if (ip >= iend) fail(BloscErrorCode.Data, 'zstd: RLE sequence code missing', { offset: ip });
      const symbol = src[ip++]!;
      if (symbol > maxSymbol) fail(BloscErrorCode.Data, 'zstd: RLE sequence code out of range', { offset: ip - 1 });
      table = kind === 0 ? st.llRle : kind === 1 ? st.ofRle : st.mlRle;
      fseTableRebuilt(table);
      buildRleTable(table, symbol, base, extra);
      break;
    }
    case MODE_COMPRESSED: {
      const maxLog = kind === 0 ? LL_MAX_LOG : kind === 1 ? OF_MAX_LOG : ML_MAX_LOG;
      const packed = readNormalizedCounts(src, ip, iend, st.norm, maxSymbol, maxLog, st.used);
      table = kind === 0 ? st.llWork : kind === 1 ? st.ofWork : st.mlWork;
      // Kinds 0, 1, 2 are fse-wasm.ts's FSE_LL, FSE_OF, FSE_ML.
      if (!st.heapTables || !buildFseTableInHeap(table, kind, st.norm, packed >>> 8, packed & 0xff)) {
        fseTableRebuilt(table);
        buildFseTable(table, st.norm, packed >>> 8, packed & 0xff, base, extra);
      }
      ip += st.used[0]!;
      break;
    }
    case MODE_REPEAT:
    default:
      table = kind === 0 ? st.ll : kind === 1 ? st.of : st.ml;
      if (table === null) fail(BloscErrorCode.Data, 'zstd: repeat sequence table without a previous table', { offset: ip });
      break;
  }
  if (kind === 0) st.ll = table;
  else if (kind === 1) st.of = table;
  else st.ml = table;
  return ip;
}

/**
 * Decode st.nbSeq sequences from the bitstream src[start, end) and execute them, then copy
 * the literals left over. Literals come from lit[litPos, litEnd). Output goes to dst from
 * `op` and must stay below `limit`; `dstEnd` tells an output overflow (WriteBuffer) from a
 * block larger than allowed (Data). Matches may reach back to `winStart` (the frame's first
 * output byte) and then into `dict` (a dictionary's content, possibly empty). Short
 * matches may write up to 16 bytes past their end while that stays below `safeEnd` (the
 * frame's declared end, or 0 to forbid it): later sequences and blocks overwrite those
 * bytes, and nothing reads output ahead of the write position. `dv` and `lv` are DataViews
 * over `dst` and `lit`.
 * Returns the output position after the block.
 */
export function executeSequences(
  st: SequenceState,
  src: Uint8Array,
  start: number,
  end: number,
  lit: Uint8Array,
  litPos: number,
  litEnd: number,
  dst: Uint8Array,
  op: number,
  limit: number,
  dstEnd: number,
  winStart: number,
  dict: Uint8Array,
  safeEnd: number,
  dv: DataView,
  lv: DataView,
): number {
  const si = st.stream;
  si.init(src, start, end);
  const view = si.view;
  // Every integer below is kept int32 (`| 0`): V8 then keeps them untagged in registers
  // and drops overflow checks.
  const bs = si.start | 0;
  let ptr = si.ptr | 0;
  let bc = si.consumed | 0;
  let c = view.getInt32(ptr, true);
  const llT = st.ll!;
  const mlT = st.ml!;
  const ofT = st.of!;
  // The three tables side by side in one array (literal lengths, match lengths, offsets):
  // V8 re-checks each typed array it reads in every iteration, so one array is cheaper.
  const T = st.tables;
  copyCells(llT, T, LL_AT);
  copyCells(mlT, T, ML_AT);
  copyCells(ofT, T, OF_AT);
  const dictLen = dict.length;
  const litCap = lit.length;
  let rep0 = st.rep0 | 0;
  let rep1 = st.rep1 | 0;
  let rep2 = st.rep2 | 0;
  op |= 0;
  litPos |= 0;
  const litStop = litEnd | 0;
  const opLimit = limit | 0;
  const opSafe = safeEnd | 0;
  const win = winStart | 0;
  const opSafe96 = (opSafe - 96) | 0;
  const litCap16 = (litCap - 16) | 0;

  // Initial states: literal lengths, then offsets, then match lengths.
  let llS = (((c << bc) >>> 1) >>> (31 - llT.log)) | 0;
  bc += llT.log;
  if (bc > 7) {
    let np = ptr - (bc >>> 3);
    if (np < bs) np = bs;
    bc -= (ptr - np) << 3;
    ptr = np;
    c = view.getInt32(ptr, true);
  }
  let ofS = (((c << bc) >>> 1) >>> (31 - ofT.log)) | 0;
  bc += ofT.log;
  let mlS = (((c << bc) >>> 1) >>> (31 - mlT.log)) | 0;
  bc += mlT.log;

  // The container is refilled before each group of fields without a test: a refill moves
  // `ptr` back by bc >>> 3 bytes, clamped (without a branch) at the stream start, which
  // leaves at least 25 unread bits in `c` except at the very start. The only branches left
  // depend on code lengths, which repeat from one sequence to the next.
  let np = 0;
  let under = 0;
  let n = st.nbSeq | 0;
  // A sequence the inner loop leaves to the general path.
  let pll = 0;
  let pml = 0;
  let poff = 0;
  let pending = false;
  for (;;) {
    // The general path below makes calls, after which V8 knows nothing about the arrays
    // and views; checking them here, once per entry into the inner loop, spares the checks
    // in every iteration.
    if (dv.byteLength !== dst.length || lv.byteLength !== litCap || view.byteLength < 4 || T.length !== TABLES_SIZE) {
      fail(BloscErrorCode.InvalidParam, 'zstd: views do not cover their arrays');
    }
    // Inner loop: decode, then execute the common shapes inline (literals up to 16 bytes,
    // matches up to 64 bytes inside the frame's output with an offset other than 3) with
    // no calls, so that V8 keeps its checks on the tables and views out of the loop.
    while (n > 0) {
      const llI = llS << 1;
      const mlI = (ML_AT + (mlS << 1)) | 0;
      const ofI = (OF_AT + (ofS << 1)) | 0;
      const llInfo = T[llI + 1]!;
      const mlInfo = T[mlI + 1]!;
      const ofInfo = T[ofI + 1]!;
      const llBase = T[llI]!;
      const ofCode = ofInfo & 0xff;
      const mlBits = mlInfo & 0xff;
      const llBits = llInfo & 0xff;

      np = (ptr - (bc >>> 3)) | 0;
      under = (np - bs) | 0;
      np = (np - (under & (under >> 31))) | 0;
      bc = (bc - ((ptr - np) << 3)) | 0;
      ptr = np;
      c = view.getInt32(ptr, true);
      let ofBits: number;
      let ml: number;
      let ll: number;
      if (ofCode + mlBits + llBits <= 25) {
        // Offset, match length and literal length extra bits (in that order) from one refill.
        ofBits = (((c << bc) >>> 1) >>> (31 - ofCode)) | 0;
        bc = (bc + ofCode) | 0;
        ml = (T[mlI]! + (((c << bc) >>> 1) >>> (31 - mlBits))) | 0;
        bc = (bc + mlBits) | 0;
        ll = (llBase + (((c << bc) >>> 1) >>> (31 - llBits))) | 0;
        bc = (bc + llBits) | 0;
      } else {
        if (ofCode <= 25) {
          ofBits = (((c << bc) >>> 1) >>> (31 - ofCode)) | 0;
          bc = (bc + ofCode) | 0;
        } else {
          // Up to 31 extra bits: the high part, a refill, then the low 24 bits.
          const hi = ofCode - 24;
          ofBits = ((c << bc) >>> 1) >>> (31 - hi);
          bc = (bc + hi) | 0;
          np = (ptr - (bc >>> 3)) | 0;
          under = (np - bs) | 0;
          np = (np - (under & (under >> 31))) | 0;
          bc = (bc - ((ptr - np) << 3)) | 0;
          ptr = np;
          c = view.getInt32(ptr, true);
          ofBits = (ofBits * 16777216 + (((c << bc) >>> 1) >>> 7)) | 0;
          bc = (bc + 24) | 0;
        }
        np = (ptr - (bc >>> 3)) | 0;
        under = (np - bs) | 0;
        np = (np - (under & (under >> 31))) | 0;
        bc = (bc - ((ptr - np) << 3)) | 0;
        ptr = np;
        c = view.getInt32(ptr, true);
        ml = (T[mlI]! + (((c << bc) >>> 1) >>> (31 - mlBits))) | 0;
        bc = (bc + mlBits) | 0;
        np = (ptr - (bc >>> 3)) | 0;
        under = (np - bs) | 0;
        np = (np - (under & (under >> 31))) | 0;
        bc = (bc - ((ptr - np) << 3)) | 0;
        ptr = np;
        c = view.getInt32(ptr, true);
        ll = (llBase + (((c << bc) >>> 1) >>> (31 - llBits))) | 0;
        bc = (bc + llBits) | 0;
      }
      let offset: number;
      if (ofCode > 1) {
        offset = (T[ofI]! + ofBits) | 0;
        rep2 = rep1;
        rep1 = rep0;
        rep0 = offset;
      } else if (ofCode === 0) {
        if (llBase !== 0) {
          offset = rep0;
        } else {
          offset = rep1;
          rep1 = rep0;
          rep0 = offset;
        }
      } else {
        const idx = (1 + (llBase === 0 ? 1 : 0) + ofBits) | 0;
        offset = idx === 3 ? (rep0 - 1) | 0 : idx === 1 ? rep1 : rep2;
        if (idx !== 1) rep2 = rep1;
        rep1 = rep0;
        rep0 = offset;
      }

      // State updates (not after the last sequence): literal lengths in the top bits, then
      // match lengths, then offsets.
      if (n > 1) {
        np = (ptr - (bc >>> 3)) | 0;
        under = (np - bs) | 0;
        np = (np - (under & (under >> 31))) | 0;
        bc = (bc - ((ptr - np) << 3)) | 0;
        ptr = np;
        c = view.getInt32(ptr, true);
        const llNb = (llInfo >>> 8) & 0xff;
        const mlNb = (mlInfo >>> 8) & 0xff;
        const ofNb = (ofInfo >>> 8) & 0xff;
        const total = (llNb + mlNb + ofNb) | 0;
        if (total <= 25) {
          const v = (((c << bc) >>> 1) >>> (31 - total)) | 0;
          bc = (bc + total) | 0;
          ofS = ((ofInfo >>> 16) + (v & ((1 << ofNb) - 1))) | 0;
          mlS = ((mlInfo >>> 16) + ((v >>> ofNb) & ((1 << mlNb) - 1))) | 0;
          llS = ((llInfo >>> 16) + (v >>> (ofNb + mlNb))) | 0;
        } else {
          llS = ((llInfo >>> 16) + (((c << bc) >>> 1) >>> (31 - llNb))) | 0;
          bc = (bc + llNb) | 0;
          mlS = ((mlInfo >>> 16) + (((c << bc) >>> 1) >>> (31 - mlNb))) | 0;
          bc = (bc + mlNb) | 0;
          np = (ptr - (bc >>> 3)) | 0;
          under = (np - bs) | 0;
          np = (np - (under & (under >> 31))) | 0;
          bc = (bc - ((ptr - np) << 3)) | 0;
          ptr = np;
          c = view.getInt32(ptr, true);
          ofS = ((ofInfo >>> 16) + (((c << bc) >>> 1) >>> (31 - ofNb))) | 0;
          bc = (bc + ofNb) | 0;
        }
      }

      n = (n - 1) | 0;

      // Execute: literals, then the match.
      const to = (op + ll) | 0;
      // One branch for all the limits: each difference is negative exactly when its limit
      // is exceeded (positions and lengths are far below 2^31, so none overflows).
      if (
        ((16 - ll) |
          (64 - ml) |
          (opSafe96 - op) |
          (opLimit - to - ml) |
          (litCap16 - litPos) |
          (litStop - litPos - ll) |
          (to - win - offset) |
          (offset - 1)) <
          0 ||
        offset === 3
      ) {
        pll = ll;
        pml = ml;
        poff = offset;
        pending = true;
        break;
      }
      // A fixed 8 or 16 bytes of literals as words, even for ll = 0: a branch on a length
      // that is zero about half the time is mispredicted about half the time, which costs
      // more. Bytes past the literals are overwritten by the match that follows.
      dv.setInt32(op, lv.getInt32(litPos, true), true);
      dv.setInt32(op + 4, lv.getInt32(litPos + 4, true), true);
      if (ll > 8) {
        dv.setInt32(op + 8, lv.getInt32(litPos + 8, true), true);
        dv.setInt32(op + 12, lv.getInt32(litPos + 12, true), true);
      }
      litPos = (litPos + ll) | 0;
      if (offset >= 4) {
        // Words in order: with offset >= 4 every word read is already final, so
        // overlapping matches repeat exactly as a byte-by-byte copy would. 8, 32 or 64
        // bytes, so the branches follow the common lengths; overshoot is overwritten later.
        const m = (to - offset) | 0;
        dv.setInt32(to, dv.getInt32(m, true), true);
        dv.setInt32(to + 4, dv.getInt32(m + 4, true), true);
        if (ml > 8) {
          dv.setInt32(to + 8, dv.getInt32(m + 8, true), true);
          dv.setInt32(to + 12, dv.getInt32(m + 12, true), true);
          dv.setInt32(to + 16, dv.getInt32(m + 16, true), true);
          dv.setInt32(to + 20, dv.getInt32(m + 20, true), true);
          dv.setInt32(to + 24, dv.getInt32(m + 24, true), true);
          dv.setInt32(to + 28, dv.getInt32(m + 28, true), true);
          if (ml > 32) {
            dv.setInt32(to + 32, dv.getInt32(m + 32, true), true);
            dv.setInt32(to + 36, dv.getInt32(m + 36, true), true);
            dv.setInt32(to + 40, dv.getInt32(m + 40, true), true);
            dv.setInt32(to + 44, dv.getInt32(m + 44, true), true);
            dv.setInt32(to + 48, dv.getInt32(m + 48, true), true);
            dv.setInt32(to + 52, dv.getInt32(m + 52, true), true);
            dv.setInt32(to + 56, dv.getInt32(m + 56, true), true);
            dv.setInt32(to + 60, dv.getInt32(m + 60, true), true);
          }
        }
      } else {
        // Period 1 or 2: a repeated word, known before any store.
        const w = Math.imul(dst[to - offset]! | (dst[to - 1]! << 8), 0x10001);
        dv.setInt32(to, w, true);
        dv.setInt32(to + 4, w, true);
        if (ml > 8) {
          dv.setInt32(to + 8, w, true);
          dv.setInt32(to + 12, w, true);
          dv.setInt32(to + 16, w, true);
          dv.setInt32(to + 20, w, true);
          dv.setInt32(to + 24, w, true);
          dv.setInt32(to + 28, w, true);
          if (ml > 32) {
            dv.setInt32(to + 32, w, true);
            dv.setInt32(to + 36, w, true);
            dv.setInt32(to + 40, w, true);
            dv.setInt32(to + 44, w, true);
            dv.setInt32(to + 48, w, true);
            dv.setInt32(to + 52, w, true);
            dv.setInt32(to + 56, w, true);
            dv.setInt32(to + 60, w, true);
          }
        }
      }
      op = (to + ml) | 0;
    }
    if (!pending) break;
    pending = false;

    // General path: every shape, with the checks that name what is wrong.
    if (poff === 0) fail(BloscErrorCode.Data, 'zstd: repeat offset of zero');
    if (op + pll + pml > opLimit) {
      fail(op + pll + pml > dstEnd ? BloscErrorCode.WriteBuffer : BloscErrorCode.Data, 'zstd: sequence runs past the block or output end');
    }
    if (litPos + pll > litStop) fail(BloscErrorCode.Data, 'zstd: sequence uses more literals than decoded');
    if (pll < SHORT_LITERALS) {
      let i = 0;
      for (; i + 4 <= pll; i += 4) dv.setInt32(op + i, lv.getInt32(litPos + i, true), true);
      for (; i < pll; i++) dst[op + i] = lit[litPos + i]!;
    } else {
      dst.set(lit.subarray(litPos, litPos + pll), op);
    }
    op = (op + pll) | 0;
    litPos = (litPos + pll) | 0;
    if (poff > op - win) {
      copyDictMatch(dst, op, poff, pml, win, dict, dictLen);
    } else if (pml < LONG_MATCH) {
      copyMatchWords(dst, dv, op, poff, pml, op + pml + 4 <= opSafe);
    } else if (poff >= pml) {
      dst.copyWithin(op, op - poff, op - poff + pml);
    } else if (poff === 1) {
      dst.fill(dst[op - 1]!, op, op + pml);
    } else {
      copyLongMatch(dst, op, poff, pml);
    }
    op = (op + pml) | 0;
  }

  if ((ptr - bs) * 8 + 32 - bc !== si.padBits) {
    fail(BloscErrorCode.Data, 'zstd: sequence bitstream does not end with the last sequence', { offset: start });
  }
  st.rep0 = rep0;
  st.rep1 = rep1;
  st.rep2 = rep2;

  const rest = litEnd - litPos;
  if (op + rest > limit) {
    fail(op + rest > dstEnd ? BloscErrorCode.WriteBuffer : BloscErrorCode.Data, 'zstd: literals run past the block or output end');
  }
  if (rest > 0) dst.set(lit.subarray(litPos, litEnd), op);
  return op + rest;
}

/**
 * Copy a match of `ml` bytes from `offset` back, moving 32-bit words through `dv` (a
 * DataView over `dst`); with `overshoot`, up to 3 bytes past the match may be written too.
 * Periods 1 and 2 are stored as a repeated word; period 3 is first written out byte by
 * byte until it can be read back 4 bytes at a time from 6 bytes behind.
 */
export function copyMatchWords(dst: Uint8Array, dv: DataView, op: number, offset: number, ml: number, overshoot: boolean): void {
  let back = offset;
  let i = 0;
  if (offset <= 2) {
    // Period 1 or 2: the repeated word is known up front, so no store waits for the load
    // of a word just written.
    const w = Math.imul(dst[op - offset]! | (dst[op - 1]! << 8), 0x10001);
    if (overshoot) {
      for (; i < ml; i += 4) dv.setInt32(op + i, w, true);
      return;
    }
    for (; i + 4 <= ml; i += 4) dv.setInt32(op + i, w, true);
    for (; i < ml; i++) dst[op + i] = w >>> ((i & 3) << 3);
    return;
  }
  if (offset < 4) {
    const pre = offset === 2 ? 2 : 3;
    back = offset === 3 ? 6 : 4;
    for (; i < pre && i < ml; i++) dst[op + i] = dst[op + i - offset]!;
  }
  if (overshoot) {
    // The last word may run up to 3 bytes past the match: output that is still to come.
    for (; i < ml; i += 4) dv.setInt32(op + i, dv.getInt32(op + i - back, true), true);
    return;
  }
  for (; i + 4 <= ml; i += 4) dv.setInt32(op + i, dv.getInt32(op + i - back, true), true);
  for (; i < ml; i++) dst[op + i] = dst[op + i - back]!;
}

/**
 * Copy a match of `ml` bytes from `offset` back into dst[op...], in place, where the source
 * is wholly in the output (offset <= op - start). Overlapping matches repeat the last
 * `offset` bytes, so the copy doubles a periodic run with `copyWithin`.
 */
export function copyLongMatch(dst: Uint8Array, op: number, offset: number, ml: number): void {
  const m = op - offset;
  if (offset >= ml) {
    dst.copyWithin(op, m, m + ml);
    return;
  }
  if (offset < 8) {
    // Grow a short period to at least 8 bytes by hand before doubling.
    let i = 0;
    for (; i < ml && i < 16; i++) dst[op + i] = dst[m + i]!;
    if (i === ml) return;
  }
  // [m, op + done) is periodic with period `offset`, and its length is a whole number of
  // periods, so copying from m keeps the period.
  let done = offset < 8 ? 16 - (16 % offset) : offset;
  if (offset >= 8) dst.copyWithin(op, m, op);
  let run = done + offset;
  while (done < ml) {
    const chunk = Math.min(run, ml - done);
    dst.copyWithin(op + done, m, m + chunk);
    done += chunk;
    run += chunk;
  }
}

/** Byte-by-byte match copy: the reference for {@link copyLongMatch}. */
export function copyMatchSimple(dst: Uint8Array, op: number, offset: number, ml: number): void {
  for (let i = 0; i < ml; i++) dst[op + i] = dst[op - offset + i]!;
}

/** A match that starts in the dictionary's content and may continue into the frame's output. */
function copyDictMatch(
  dst: Uint8Array,
  op: number,
  offset: number,
  ml: number,
  winStart: number,
  dict: Uint8Array,
  dictLen: number,
): void {
  const back = offset - (op - winStart);
  if (back > dictLen || offset <= 0) fail(BloscErrorCode.Data, 'zstd: match offset reaches before the window');
  const from = dictLen - back;
  const n1 = Math.min(ml, back);
  for (let i = 0; i < n1; i++) dst[op + i] = dict[from + i]!;
  for (let i = n1; i < ml; i++) dst[op + i] = dst[winStart + i - n1]!;
}
