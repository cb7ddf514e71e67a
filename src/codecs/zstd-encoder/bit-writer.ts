/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Forward bit writer for zstd's backward-read bitstreams (RFC 8878 §4.1, libzstd
 * `BIT_CStream_t` in lib/common/bitstream.h): bits are appended least-significant first,
 * and closing adds a single 1 bit so the reader can find where the stream starts. The
 * decoder reads the stream from its last byte backwards, so whatever is written last is
 * read first.
 *
 * The container holds fewer than 8 pending bits between calls, so one call can add up to
 * 24 bits. Longer fields are split by the caller. Writes never go past `end`: once the
 * output is full, `overflow` is set and further bytes are dropped.
 *
 * libzstd's writer flushes 8 bytes at a time and so needs 8 bytes of slack: a stream fits
 * a buffer of `cap` bytes only when cap > 8 and its whole bytes number less than cap − 8
 * (`BIT_initCStream`, `BIT_closeCStream`). `close` applies that rule, so a stream is
 * accepted or refused exactly where libzstd accepts or refuses it.
 */
export class BitWriter {
  buf: Uint8Array = new Uint8Array(0);
  start = 0;
  pos = 0;
  end = 0;
  container = 0;
  nbBits = 0;
  overflow = false;

  /** Start a stream in buf[start, end). */
  init(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.start = start;
    this.pos = start;
    this.end = end;
    this.container = 0;
    this.nbBits = 0;
    this.overflow = false;
  }

  /** Append the low `n` bits of `value` (n <= 24, value < 2^n). */
  addBits(value: number, n: number): void {
    let c = this.container | (value << this.nbBits);
    let nb = this.nbBits + n;
    if (nb >= 8) {
      let p = this.pos;
      const buf = this.buf;
      const end = this.end;
      do {
        if (p < end) buf[p] = c;
        else this.overflow = true;
        p++;
        c >>>= 8;
        nb -= 8;
      } while (nb >= 8);
      this.pos = p;
    }
    this.container = c;
    this.nbBits = nb;
  }

  /** Append the low `n` bits of `value` for n up to 31 (value < 2^n). */
  addBitsLong(value: number, n: number): void {
    if (n > 24) {
      this.addBits(value & 0xffff, 16);
      this.addBits(value >>> 16, n - 16);
    } else {
      this.addBits(value, n);
    }
  }

  /**
   * Add the end mark and flush (`BIT_closeCStream`). Returns the stream size in bytes, or
   * 0 when it does not fit under libzstd's 8-byte slack rule.
   */
  close(): number {
    this.addBits(1, 1);
    const whole = this.pos - this.start;
    if (this.nbBits > 0) {
      if (this.pos < this.end) this.buf[this.pos] = this.container;
      else this.overflow = true;
      this.pos++;
    }
    if (!fitsWithSlack(whole, this.end - this.start)) return 0;
    return this.overflow ? 0 : this.pos - this.start;
  }
}

/**
 * libzstd's bit writers accept a stream of `wholeBytes` complete bytes in a buffer of `cap`
 * bytes only when cap > 8 and wholeBytes < cap − 8 (they keep room for an 8-byte flush).
 */
export function fitsWithSlack(wholeBytes: number, cap: number): boolean {
  return cap > 8 && wholeBytes < cap - 8;
}
