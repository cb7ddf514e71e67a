/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/frame.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * A contiguous frame written chunk by chunk to a positional target (a file), as c-blosc2
 * writes a frame on disk while chunks are appended (`frame_append_chunk`): the header's
 * room is kept at the start, each chunk is written at the end of the data area as it comes,
 * and `finish` writes the offsets index chunk and the trailer after the data, then the
 * header with its final sizes (`frame_update_header`). Memory is the offsets (8 bytes a
 * chunk) and nothing of the data. The bytes are those `SChunk.toFrame()` writes for the
 * same chunks: header and trailer come from the layout of an empty super-chunk with the
 * same options and layers, the index from the same encoder.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { readChunkHeader, SpecialKind } from '../frame/chunk-header.js';
import { bytesView, MAX_NCHUNKS, parseFrameHeader, setFrameSizes, setOffsetEntry } from '../frame/cframe.js';
import type { FrameTarget } from '../io/target.js';
import { offsetsIndexChunk } from './contiguous.js';
import { SChunk, type Metalayers, type SChunkOptions, type VLMetalayers } from './schunk.js';

/** What a {@link FrameWriter} needs of its target: positional writes (a {@link FrameTarget} has them). */
export type FrameWriteTarget = Pick<FrameTarget, 'write'>;

/**
 * Writes a contiguous frame (`.b2frame`, `.b2nd`) to a {@link FrameTarget} one chunk at a
 * time. Chunks are compressed with the options given (`append`) or come compressed
 * (`appendChunk`); metalayers are added before the first chunk, vlmetalayers any time
 * before `finish`. Nothing is a valid frame until `finish` returns.
 */
export class FrameWriter {
  /** Compresses chunks and holds the layers; never holds a chunk itself. */
  private readonly model: SChunk;
  private readonly chunksizeValue: number;
  /** Length of the header, fixed when the first chunk is written. */
  private headerLen = -1;
  /** LE int64 offsets, as the index stores them (grown by doubling). */
  private offsets = new Uint8Array(64);
  private count = 0;
  private nbytesValue = 0;
  private cbytesValue = 0;
  /** Nbytes of the last chunk (the only one that may be short). */
  private lastNbytes = -1;
  /** The special kind every chunk so far has (a repeated-value index when it stays so), or 0. */
  private uniformSpecial = -1;
  private finished = false;

  constructor(
    private readonly target: FrameWriteTarget,
    options: SChunkOptions & { chunksize: number },
  ) {
    if (!Number.isInteger(options.chunksize) || options.chunksize < 0) {
      fail(BloscErrorCode.InvalidParam, `a frame writer needs a chunksize of 0 (variable) or more, got ${options.chunksize}`);
    }
    this.model = new SChunk(options);
    this.chunksizeValue = options.chunksize;
  }

  /** Fixed metalayers (frame header): add them before the first chunk. */
  get meta(): Metalayers {
    return this.model.meta;
  }

  /** Variable-length metalayers (frame trailer), written by `finish`. */
  get vlmeta(): VLMetalayers {
    return this.model.vlmeta;
  }

  get typesize(): number {
    return this.model.typesize;
  }

  get chunksize(): number {
    return this.chunksizeValue;
  }

  get nchunks(): number {
    return this.count;
  }

  /** Uncompressed bytes appended so far. */
  get nbytes(): number {
    return this.nbytesValue;
  }

  /** Bytes of the data area so far (special chunks take none). */
  get cbytes(): number {
    return this.cbytesValue;
  }

  /** Compress `data` as an SChunk with these options would (tuning and block size included) and append it. */
  append(data: Uint8Array): number {
    this.checkOpen();
    // Checked before compressing: a refused chunk must not have tuned the ones to come.
    this.checkSize(data.length);
    return this.appendChunk(this.model.compressLike(data));
  }

  /**
   * Append a compressed Blosc2 chunk. With a fixed chunksize every chunk but the last holds
   * exactly it; zero, NaN and uninit chunks then take no room (a negative offset, as
   * c-blosc2 stores them).
   */
  appendChunk(chunk: Uint8Array): number {
    this.checkOpen();
    const h = readChunkHeader(chunk);
    if (!h.extended || chunk.length !== h.cbytes) fail(BloscErrorCode.InvalidParam, 'a frame holds Blosc2 chunks (32-byte header) of exactly their cbytes');
    if (h.vlBlocks) fail(BloscErrorCode.InvalidParam, 'VL-block chunks are not supported in a super-chunk yet');
    const i = this.count;
    this.checkSize(h.nbytes);
    const cs = this.chunksizeValue;
    if (i + 1 > MAX_NCHUNKS) fail(BloscErrorCode.InvalidParam, `${i + 1} chunks exceed the format limit`);
    if (this.headerLen < 0) this.writeHeader();
    this.reserve(i + 1);
    const d = bytesView(this.offsets);
    const special = h.special;
    if (cs > 0 && (special === SpecialKind.Zero || special === SpecialKind.NaN || special === SpecialKind.Uninit)) {
      setOffsetEntry(d, i, -special);
      this.uniformSpecial = this.uniformSpecial === -1 || this.uniformSpecial === special ? special : 0;
    } else {
      const at = this.cbytesValue;
      this.target.write(this.headerLen + at, chunk);
      setOffsetEntry(d, i, at);
      this.cbytesValue += h.cbytes;
      this.uniformSpecial = 0;
    }
    this.nbytesValue += h.nbytes;
    this.lastNbytes = h.nbytes;
    this.count = i + 1;
    return this.count;
  }

  /**
   * Write the offsets index, the trailer and the header: the frame is complete. Returns its
   * length in bytes. Nothing can be appended afterwards.
   */
  finish(): number {
    this.checkOpen();
    if (this.headerLen < 0) this.writeHeader();
    this.finished = true;
    const { headerLen, frame } = this.layout();
    if (headerLen !== this.headerLen) fail(BloscErrorCode.InvalidParam, 'metalayers cannot be added after data has been appended');
    let pos = headerLen + this.cbytesValue;
    if (this.count > 0 && this.nbytesValue > 0) {
      const index = offsetsIndexChunk(this.offsets.subarray(0, 8 * this.count), this.count, this.uniformSpecial > 0);
      this.target.write(pos, index);
      pos += index.length;
    }
    const trailer = frame.subarray(headerLen);
    this.target.write(pos, trailer);
    pos += trailer.length;
    const header = frame.slice(0, headerLen);
    setFrameSizes(header, { nbytes: this.nbytesValue, cbytes: this.cbytesValue, frameLen: pos, hasVlmetalayers: this.model.vlmeta.names().length > 0 });
    this.target.write(0, header);
    return pos;
  }

  /** The header as it stands (sizes still zero), first in the target: its room is kept for the final one. */
  private writeHeader(): void {
    const { headerLen, frame } = this.layout();
    this.target.write(0, frame.subarray(0, headerLen));
    this.headerLen = headerLen;
  }

  /**
   * The frame of an empty super-chunk with these options and layers: its header is this
   * frame's but for the sizes, and its trailer is this frame's trailer.
   */
  private layout(): { headerLen: number; frame: Uint8Array } {
    const frame = this.model.toFrame();
    // An empty frame holds no data and no index: header, then trailer.
    return { headerLen: parseFrameHeader(frame).headerLen, frame };
  }

  private reserve(n: number): void {
    if (8 * n <= this.offsets.length) return;
    let size = this.offsets.length * 2;
    while (size < 8 * n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.offsets);
    this.offsets = next;
  }

  /** With a fixed chunksize, every chunk but the last holds exactly it (c-blosc2 `frame_append_chunk`). */
  private checkSize(nbytes: number): void {
    const cs = this.chunksizeValue;
    if (nbytes === 0) fail(BloscErrorCode.ChunkAppend, 'a chunk must hold data');
    if (cs <= 0) return;
    const i = this.count;
    if (nbytes > cs) fail(BloscErrorCode.ChunkAppend, `chunk ${i} would hold ${nbytes} bytes: every chunk but the last must hold chunksize ${cs}, the last at most that`);
    if (i > 0 && this.lastNbytes !== cs) fail(BloscErrorCode.ChunkAppend, `the current last chunk holds ${this.lastNbytes} bytes and cannot move away from the end`);
  }

  private checkOpen(): void {
    if (this.finished) fail(BloscErrorCode.InvalidParam, 'the frame is finished');
  }
}
