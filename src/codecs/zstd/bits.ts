/**
 * Ported from Zstandard (facebook/zstd, BSD-3-Clause) lib/; license in THIRD_PARTY_NOTICES.md.
 *
 * Bit-level helpers shared by the zstd stages.
 *
 * Zstandard has two kinds of bitstreams (RFC 8878 §4.1):
 * - forward, little-endian streams (FSE table descriptions), read by fse.ts's readNormalizedCounts;
 * - backward streams (Huffman literals, FSE-coded weights, sequences), written forward by
 *   the encoder and read from the last byte towards the first. The last byte holds an end
 *   marker: its highest set bit, and everything above it, is padding.
 *
 * Hot loops (Huffman, sequences) keep a backward reader in local variables: a 32-bit
 * container `c` loaded little-endian from byte `ptr`, and `bc`, the number of bits already
 * consumed from the container's top. Reading `n` bits is `((c << bc) >>> 1) >>> (31 - n)`
 * (valid for n = 0..31 with bc + n <= 32). A reload moves `ptr` back by `bc >>> 3` bytes,
 * never below the stream start, which leaves at least 25 fresh bits except near the start.
 * This mirrors `BIT_DStream_t` in zstd's lib/common/bitstream.h with a 32-bit container.
 * {@link BackwardBits} is the same reader as an object, for cold paths.
 */
import { BloscErrorCode, fail } from '../../errors.js';

/** Index of the highest set bit of a non-zero 32-bit value (0..31). */
export function highBit32(v: number): number {
  return 31 - Math.clz32(v);
}

/** Little-endian 32-bit load. The caller guarantees p + 4 <= a.length. */
export function le32(a: Uint8Array, p: number): number {
  return a[p]! | (a[p + 1]! << 8) | (a[p + 2]! << 16) | (a[p + 3]! << 24);
}

/** Little-endian 16-bit load. The caller guarantees p + 2 <= a.length. */
export function le16(a: Uint8Array, p: number): number {
  return a[p]! | (a[p + 1]! << 8);
}

/** Little-endian 24-bit load. The caller guarantees p + 3 <= a.length. */
export function le24(a: Uint8Array, p: number): number {
  return a[p]! | (a[p + 1]! << 8) | (a[p + 2]! << 16);
}

/**
 * DataViews over byte arrays, remembering the last array asked for: a Blosc chunk's blocks
 * are decoded one after another from one input into one output, so each role (input,
 * output) keeps its own cache. Hot loops move 32-bit words through these views: one load
 * or store instead of four byte accesses. (The cache holds on to the last array.)
 */
export class ViewCache {
  private bytes: Uint8Array | null = null;
  private view: DataView | null = null;

  /** A DataView over the same bytes as `a` (index i of the view is a[i]). */
  of(a: Uint8Array): DataView {
    if (a !== this.bytes || this.view === null) {
      this.view = new DataView(a.buffer, a.byteOffset, a.byteLength);
      this.bytes = a;
    }
    return this.view;
  }
}

const inputViews = new ViewCache();

/** DataView over an input array (cached, see {@link ViewCache}). */
export function viewOf(a: Uint8Array): DataView {
  return inputViews.of(a);
}

/**
 * Where a backward bitstream's bytes live once it is ready to read. Streams shorter than
 * four bytes are copied, right-aligned, into a zero-filled 4-byte pad so that the 32-bit
 * container never reads outside the input; the zero bytes in front count as `padBits`
 * extra bits that a well-formed stream leaves unread.
 */
export class BackwardStream {
  /** Array to read from: the input itself, or the pad. */
  arr: Uint8Array = new Uint8Array(0);
  /** The same bytes as `arr`, for 32-bit loads (`getInt32(p, true)` equals `le32(arr, p)`). */
  view: DataView = new DataView(new ArrayBuffer(0));
  /** First byte of the stream in `arr`. */
  start = 0;
  /** Byte from which the first container is loaded (arr end - 4). */
  ptr = 0;
  /** Bits of the first container already used by the end marker and padding. */
  consumed = 0;
  /** Bits in front of the real stream (pad zeros) that must remain unread at the end. */
  padBits = 0;
  private readonly pad: Uint8Array = new Uint8Array(4);
  private readonly padView: DataView = new DataView(this.pad.buffer);

  /** Prepare src[start, end) for backward reading. Throws Data on an empty stream or a missing end marker. */
  init(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) fail(BloscErrorCode.Data, 'zstd: empty bitstream');
    const last = src[end - 1]!;
    if (last === 0) fail(BloscErrorCode.Data, 'zstd: bitstream end marker missing', { offset: end - 1 });
    const marker = Math.clz32(last) - 23; // marker bit plus the zero bits above it
    if (n >= 4) {
      this.arr = src;
      this.view = viewOf(src);
      this.start = start;
      this.ptr = end - 4;
      this.consumed = marker;
      this.padBits = 0;
    } else {
      const pad = this.pad;
      pad[0] = 0;
      pad[1] = 0;
      pad[2] = 0;
      pad[3] = 0;
      for (let i = 0; i < n; i++) pad[4 - n + i] = src[start + i]!;
      this.arr = pad;
      this.view = this.padView;
      this.start = 0;
      this.ptr = 0;
      this.consumed = marker;
      this.padBits = (4 - n) * 8;
    }
  }
}

/**
 * Backward bit reader as an object, for cold paths (FSE-coded Huffman weights, initial
 * states). Reading past the stream start yields zero bits, as in zstd; `overflowed()`
 * tells when more bits were read than the stream holds.
 */
export class BackwardBits {
  private arr: Uint8Array = new Uint8Array(0);
  private start = 0;
  private ptr = 0;
  private c = 0;
  private bc = 0;
  private padBits = 0;

  init(s: BackwardStream): void {
    this.arr = s.arr;
    this.start = s.start;
    this.ptr = s.ptr;
    this.bc = s.consumed;
    this.padBits = s.padBits;
    this.c = le32(s.arr, s.ptr);
  }

  /** Read n (0..24) bits. */
  read(n: number): number {
    this.reload();
    const bc = this.bc;
    // Past the start the container is exhausted: the bits read are zeros.
    const v = bc >= 32 ? 0 : ((this.c << bc) >>> 1) >>> (31 - n);
    this.bc = bc + n;
    return v;
  }

  private reload(): void {
    const bc = this.bc;
    if (bc < 8) return;
    let np = this.ptr - (bc >>> 3);
    if (np < this.start) np = this.start;
    this.bc = bc - ((this.ptr - np) << 3);
    this.ptr = np;
    this.c = le32(this.arr, np);
  }

  /** Bits not read yet (negative once reads went past the start). */
  remaining(): number {
    return (this.ptr - this.start) * 8 + 32 - this.bc - this.padBits;
  }

  overflowed(): boolean {
    return this.remaining() < 0;
  }

  /** True when every bit of the stream has been read, no more and no less. */
  finished(): boolean {
    return this.remaining() === 0;
  }
}
