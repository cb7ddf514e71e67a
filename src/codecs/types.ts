/**
 * The codec plug-in interface. A codec turns one stream (a block, or one byte-plane of a
 * split block) into codec bytes and back. Offsets are passed instead of subarrays so the
 * block loop allocates nothing per call.
 */

/** Codec ids as written in the Blosc2 header byte 22 (include/blosc2.h, `BLOSC_*` compcodes). */
export const CodecId = {
  BloscLZ: 0,
  LZ4: 1,
  LZ4HC: 2,
  /** Blosc1 only: Snappy chunks carry format code 2 in the flags byte; Blosc2 has no Snappy. */
  Snappy: 3,
  Zlib: 4,
  Zstd: 5,
} as const;

/** Codec format codes in flags bits 5..7 (`compcode_to_compformat` in blosc2.c). */
export const CodecFormat = {
  BloscLZ: 0,
  LZ4: 1,
  Snappy: 2,
  Zlib: 3,
  Zstd: 4,
  /** Any codec outside the built-ins: the real id is in header byte 22. */
  UserDefined: 6,
} as const;

/** What the encoder tells a codec about the chunk it is writing. */
export interface EncodeContext {
  /** Which library's rules to follow. BloscLZ tuning differs between them. */
  readonly format: 'blosc1' | 'blosc2';
  /** The chunk-level split decision (c-blosc1 passes it to BloscLZ even for the leftover block). */
  readonly splitBlock: boolean;
  /** Dictionary for dictionary chunks, or null. */
  readonly dict: Uint8Array | null;
  /** The codec meta byte (header byte 23). */
  readonly meta: number;
}

/** What the decoder tells a codec about the stream it is reading. */
export interface DecodeContext {
  /** Dictionary of a dictionary chunk, or null. */
  readonly dict: Uint8Array | null;
  /** The codec meta byte (header byte 23), 0 for Blosc1. */
  readonly meta: number;
}

export interface Codec {
  /** Header compcode: blosclz 0, lz4 1, lz4hc 2, snappy 3 (Blosc1), zlib 4, zstd 5; 32..159 registered; 160..255 user. */
  readonly id: number;
  /** Flags bits 5..7 (lz4hc writes 1, user codecs 6). */
  readonly format: number;
  /** Same spelling as the C compname: 'blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd'. */
  readonly name: string;
  /**
   * Decode src[sp, sp+sn) into exactly dst[dp, dp+dn). Throws BloscError (Data or
   * ReadBuffer) when the stream is corrupt, too short, or decodes to a different size.
   * Never reads or writes outside the given ranges.
   */
  decode(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number, ctx: DecodeContext): void;
  /**
   * Encode src[sp, sp+sn) into dst[dp, dp+cap). Returns the number of bytes written, or 0
   * when the output would not fit in `cap` (the caller then stores the stream raw).
   * Absent on decode-only codecs.
   */
  encode?(src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, cap: number, clevel: number, ctx: EncodeContext): number;
}
