/** Types for snappyjs 0.7.0 (the package ships none). Raw Snappy, no framing. */
declare module 'snappyjs' {
  /** Compress `input`; returns a new buffer of the same kind (ArrayBuffer, Uint8Array or Buffer). */
  export function compress<T extends ArrayBuffer | Uint8Array>(input: T): T;
  /**
   * Uncompress a raw Snappy stream into a new buffer. Throws an Error when the stream is
   * invalid, or when its declared length is larger than `maxLength`.
   */
  export function uncompress<T extends ArrayBuffer | Uint8Array>(compressed: T, maxLength?: number): T;
}
