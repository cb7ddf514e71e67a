/**
 * Ported from zlib 1.2.x deflate.c (Jean-loup Gailly and Mark Adler, zlib license) as pako
 * 3.0.3 has it (src/zlib/deflate.mjs and lib/deflate.mjs, MIT + zlib); licenses in
 * THIRD_PARTY_NOTICES.md.
 *
 * Level 0: `deflate_stored` with the `deflate()` steps around it (the header, pending
 * output, the trailer) and pako's one-shot `deflate(src, { level: 0 })` driving them: one
 * `deflate(strm, Z_FINISH)` call per 16 KiB output chunk, a fresh chunk after every call
 * (Deflate.push). The stored blocks' sizes follow from those output chunks, the 64 KiB
 * pending buffer (lit_bufsize 16 KiB × 4) and the 64 KiB window, so all of them are
 * emulated here; the bytes are pako's. The output is written straight into dst (zlib
 * copies into next_out; here the chunks are consecutive), never past dp + cap.
 */
import { adler32 } from './deflate.js';
import { copyMemory } from '../../copy.js';

const W_SIZE = 1 << 15;
const WINDOW_SIZE = 2 * W_SIZE;
const PENDING_BUF_SIZE = 4 << 14;
/** pako's Deflate chunkSize. */
const CHUNK = 16384;
const BS_NEED_MORE = 1;
const BS_FINISH_STARTED = 3;
const BS_FINISH_DONE = 4;

/** zlib's stream and deflate state, as far as level 0 uses them. */
class StoredStream {
  readonly window = new Uint8Array(WINDOW_SIZE);
  readonly pendingBuf = new Uint8Array(PENDING_BUF_SIZE);
  pending = 0;
  pendingOut = 0;
  strstart = 0;
  blockStart = 0;
  nextIn: number;
  availIn: number;
  adler = 1;
  /** Output written so far (dst[dp + outPos]), room left in the current output chunk. */
  outPos = 0;
  availOut = 0;
  overflow = false;

  constructor(
    readonly src: Uint8Array, sp: number, sn: number,
    readonly dst: Uint8Array, readonly dp: number, readonly cap: number,
  ) {
    this.nextIn = sp;
    this.availIn = sn;
  }

  /** Bytes to the output (the caller's buffer, within cap). */
  private put(from: Uint8Array, start: number, n: number): void {
    if (this.outPos + n > this.cap) {
      this.overflow = true;
    } else if (!this.overflow) {
      copyMemory(from, start, this.dst, this.dp + this.outPos, n);
    }
    this.outPos += n;
    this.availOut -= n;
  }

  /** `flush_pending`. */
  flushPending(): void {
    let len = this.pending;
    if (len > this.availOut) len = this.availOut;
    if (len === 0) return;
    this.put(this.pendingBuf, this.pendingOut, len);
    this.pendingOut += len;
    this.pending -= len;
    if (this.pending === 0) this.pendingOut = 0;
  }

  /** `read_buf` into `into` at `at` (the window, or straight to the output). */
  readBuf(into: Uint8Array | null, at: number, size: number): number {
    let len = this.availIn;
    if (len > size) len = size;
    if (len === 0) return 0;
    this.availIn -= len;
    this.adler = adler32(this.src, this.nextIn, len, this.adler);
    if (into !== null) into.set(this.src.subarray(this.nextIn, this.nextIn + len), at);
    else this.put(this.src, this.nextIn, len);
    this.nextIn += len;
    return len;
  }

  /** `_tr_stored_block` (the bit buffer is always empty here: every block ends byte-aligned). */
  storedBlock(buf: number, storedLen: number, last: number): void {
    const p = this.pendingBuf;
    let q = this.pending;
    p[q++] = last;
    p[q++] = storedLen;
    p[q++] = storedLen >>> 8;
    p[q++] = ~storedLen;
    p[q++] = ~storedLen >>> 8;
    if (storedLen > 0) p.set(this.window.subarray(buf, buf + storedLen), q);
    this.pending = q + storedLen;
  }

  /** `deflate_stored(s, Z_FINISH)`. */
  deflateStored(): number {
    const w = this.window;
    let minBlock = PENDING_BUF_SIZE - 5 > W_SIZE ? W_SIZE : PENDING_BUF_SIZE - 5;
    let len: number;
    let left: number;
    let have: number;
    let last = 0;
    let used = this.availIn;
    do {
      len = 65535;
      have = 42 >> 3;
      if (this.availOut < have) break;
      have = this.availOut - have;
      left = this.strstart - this.blockStart;
      if (len > left + this.availIn) len = left + this.availIn;
      if (len > have) len = have;
      if (len < minBlock && len !== left + this.availIn) break;
      last = len === left + this.availIn ? 1 : 0;
      this.storedBlock(0, 0, last);
      this.pendingBuf[this.pending - 4] = len;
      this.pendingBuf[this.pending - 3] = len >> 8;
      this.pendingBuf[this.pending - 2] = ~len;
      this.pendingBuf[this.pending - 1] = ~len >> 8;
      this.flushPending();
      if (left) {
        if (left > len) left = len;
        this.put(w, this.blockStart, left);
        this.blockStart += left;
        len -= left;
      }
      if (len) this.readBuf(null, 0, len);
    } while (last === 0);
    used -= this.availIn;
    if (used) {
      if (used >= W_SIZE) {
        w.set(this.src.subarray(this.nextIn - W_SIZE, this.nextIn), 0);
        this.strstart = W_SIZE;
      } else {
        if (WINDOW_SIZE - this.strstart <= used) {
          this.strstart -= W_SIZE;
          w.copyWithin(0, W_SIZE, W_SIZE + this.strstart);
        }
        w.set(this.src.subarray(this.nextIn - used, this.nextIn), this.strstart);
        this.strstart += used;
      }
      this.blockStart = this.strstart;
    }
    if (last) return BS_FINISH_DONE;
    have = WINDOW_SIZE - this.strstart;
    if (this.availIn > have && this.blockStart >= W_SIZE) {
      this.blockStart -= W_SIZE;
      this.strstart -= W_SIZE;
      w.copyWithin(0, W_SIZE, W_SIZE + this.strstart);
      have += W_SIZE;
    }
    if (have > this.availIn) have = this.availIn;
    if (have) {
      this.readBuf(w, this.strstart, have);
      this.strstart += have;
    }
    have = 42 >> 3;
    have = PENDING_BUF_SIZE - have > 65535 ? 65535 : PENDING_BUF_SIZE - have;
    minBlock = have > W_SIZE ? W_SIZE : have;
    left = this.strstart - this.blockStart;
    if (left >= minBlock || (this.availIn === 0 && left <= have)) {
      len = left > have ? have : left;
      last = this.availIn === 0 && len === left ? 1 : 0;
      this.storedBlock(this.blockStart, len, last);
      this.blockStart += len;
      this.flushPending();
    }
    return last ? BS_FINISH_STARTED : BS_NEED_MORE;
  }
}

/**
 * pako's `deflate(src[sp, sp+sn), { level: 0 })` (any hash: level 0 does not hash) into
 * dst[dp, dp+cap). Returns the bytes written, or 0 when the stream does not fit in cap.
 */
export function deflateStoredZlib(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number): number {
  const s = new StoredStream(src, sp, sn, dst, dp, cap);
  const header = 0x7801;
  let status: 'init' | 'busy' | 'finish' = 'init';
  let wrapDone = false;
  // Deflate.push(src, true): a fresh output chunk whenever the last is full or a call returned.
  for (;;) {
    s.availOut = CHUNK;
    // deflate(strm, Z_FINISH):
    let ended = false;
    step: {
      if (s.pending !== 0) {
        s.flushPending();
        if (s.availOut === 0) break step;
      }
      if (status === 'init') {
        s.pendingBuf[s.pending++] = header >>> 8;
        s.pendingBuf[s.pending++] = header & 255;
        s.adler = 1;
        status = 'busy';
        s.flushPending();
        if (s.pending !== 0) break step;
      }
      if (s.availIn !== 0 || status !== 'finish') {
        const bstate = s.deflateStored();
        if (bstate === BS_FINISH_STARTED || bstate === BS_FINISH_DONE) status = 'finish';
        if (bstate === BS_NEED_MORE || bstate === BS_FINISH_STARTED) break step;
      }
      if (wrapDone) {
        ended = true;
        break step;
      }
      const adler = s.adler >>> 0;
      const p = s.pendingBuf;
      p[s.pending++] = adler >>> 24;
      p[s.pending++] = (adler >>> 16) & 255;
      p[s.pending++] = (adler >>> 8) & 255;
      p[s.pending++] = adler & 255;
      s.flushPending();
      wrapDone = true;
      ended = s.pending === 0;
    }
    if (ended) break;
  }
  return s.overflow ? 0 : s.outPos;
}
