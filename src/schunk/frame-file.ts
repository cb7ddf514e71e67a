/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/frame.c and blosc/sframe.c;
 * license in THIRD_PARTY_NOTICES.md.
 *
 * A frame edited where it is stored: each chunk added, replaced or removed, and each change
 * of the (vl)metalayers, is written to the target at once, the way c-blosc2 edits a frame
 * on disk (`frame_append_chunk`, `frame_insert_chunk`, `frame_update_chunk`,
 * `frame_delete_chunk`, `frame_update_header`, `frame_update_trailer`):
 * - contiguous frame: a new chunk goes at the end of the data area, over the old offsets
 *   index and trailer; a replacement is written over the old chunk when it fits the room
 *   up to the next chunk (or when the old chunk ends the data area), else at the end of
 *   the area. Then the offsets
 *   index and the trailer follow the data area, and the header's sizes are updated. Chunks
 *   not edited are neither read nor moved: an edit writes O(chunk + offsets index + trailer)
 *   bytes. (c-blosc2 since 2.22 instead slides the rest of the data area to close the gap a
 *   replaced chunk leaves, which rewrites up to the whole file; a removed chunk's bytes stay
 *   in the area in both.) The data area is thus not always compact: the frame's cbytes is
 *   the area's length, as C keeps it, and readers find chunks through the offsets.
 * - sparse frame (a directory): a chunk is its own file, the index frame is rewritten
 *   whole. A new or replaced data chunk gets a new file (the next id after the largest, as
 *   `frame_append_chunk` picks it); the file of a replaced or removed chunk is removed once
 *   the index no longer names it.
 *
 * A failed edit (a write error, a check failing) leaves the target byte for byte as it
 * was: the bytes an edit overwrites or cuts are read first and written back. After every
 * edit the frame is opened again from the target, which also checks it. One writer at a
 * time: an edit of a frame another writer changed since is refused before anything is written.
 */
import { BloscError, BloscErrorCode, fail, toBloscError } from '../errors.js';
import { readChunkHeader, SpecialKind } from '../frame/chunk-header.js';
import {
  frameTrailerBytes, offsetEntriesBytes, setFrameSizes, withMetalayers, MAX_NCHUNKS, type FrameLayer,
} from '../frame/cframe.js';
import type { ChunkFileStore, FrameTarget } from '../io/target.js';
import { CFrame, offsetsIndexChunk } from './contiguous.js';

/** Bytes to write at a position of the target. */
interface Run {
  readonly at: number;
  readonly bytes: Uint8Array;
}

/** What an edit changes, all computed before anything is written. */
interface Edit {
  entries: Float64Array;
  /** Contiguous: the data area's length; sparse: the chunk files' bytes (the header's cbytes). */
  dataLen: number;
  nbytes: number;
  chunksize: number;
  header: Uint8Array;
  vlmetalayers: readonly FrameLayer[];
  /** Chunk bytes written into the data area first. */
  chunkRuns: Run[];
  /** A sparse frame's new chunk files, removed again when the edit fails. */
  createdFiles: number[];
  /** Chunk files no longer named once the edit is done. */
  staleFiles: number[];
}

function isSpecial(kind: number): boolean {
  return kind === SpecialKind.Zero || kind === SpecialKind.NaN || kind === SpecialKind.Uninit;
}

export class FrameFile {
  private constructor(
    private readonly target: FrameTarget,
    private readonly chunkFiles: ChunkFileStore | null,
    private current: CFrame,
    private header: Uint8Array,
    /** The offsets index and trailer as last read or written: what another writer would change. */
    private tail: Uint8Array,
    private entries: Float64Array,
    private vlmetalayers: readonly FrameLayer[],
  ) {}

  /**
   * Open the frame in `target` for editing (a sparse frame's index frame with its
   * `chunkFiles`). It must span the whole target.
   */
  static open(target: FrameTarget, chunkFiles?: ChunkFileStore): FrameFile {
    const frame = CFrame.open(target, chunkFiles === undefined ? {} : { chunkFile: (id) => chunkFiles.read(id) });
    if (chunkFiles !== undefined && frame.header.frameType !== 1) fail(BloscErrorCode.FrameType, 'frame: a sparse frame needs a sparse index frame (frame type 1)');
    const h = frame.header;
    const header = target.read(0, h.headerLen);
    const indexAt = h.headerLen + (chunkFiles === undefined ? h.cbytes : 0);
    const tail = target.read(indexAt, h.frameLen - indexAt);
    return new FrameFile(target, chunkFiles ?? null, frame, header, tail, frame.offsetEntries(), frame.vlmetalayers);
  }

  /** The frame as it stands after the last edit. */
  get frame(): CFrame {
    return this.current;
  }

  private get sparse(): boolean {
    return this.chunkFiles !== null;
  }

  private get headerLen(): number {
    return this.header.length;
  }

  private base(): Edit {
    const h = this.current.header;
    return {
      entries: this.entries,
      dataLen: h.cbytes,
      nbytes: h.nbytes,
      chunksize: h.chunksize,
      header: this.header,
      vlmetalayers: this.vlmetalayers,
      chunkRuns: [],
      createdFiles: [],
      staleFiles: [],
    };
  }

  /** The next chunk-file id of a sparse frame: one more than the largest in use (c-blosc2 `frame_append_chunk`). */
  private nextFileId(edit: Edit): number {
    let max = -1;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i]! > max) max = this.entries[i]!;
    for (const id of edit.createdFiles) if (id > max) max = id;
    return max + 1;
  }

  /**
   * Place `chunk` (a checked Blosc2 chunk) for entry `i` of `edit`: a special value in the
   * offset, a new chunk file, or bytes at `at` in the data area.
   */
  private place(edit: Edit, i: number, chunk: Uint8Array, at: number): void {
    const h = readChunkHeader(chunk);
    // Special offsets need a fixed chunksize (validate_offsets_chunk); else the chunk is stored.
    if (edit.chunksize > 0 && isSpecial(h.special)) {
      edit.entries[i] = -h.special;
      return;
    }
    if (this.chunkFiles !== null) {
      const id = this.nextFileId(edit);
      edit.createdFiles.push(id);
      this.chunkFiles.write(id, chunk);
      edit.entries[i] = id;
      edit.dataLen += h.cbytes;
      return;
    }
    edit.entries[i] = at;
    edit.chunkRuns.push({ at: this.headerLen + at, bytes: chunk });
    edit.dataLen = Math.max(edit.dataLen, at + h.cbytes);
  }

  /** cbytes of chunk file `id` of a sparse frame (the index frame's cbytes counts them, as c-blosc2's). */
  private storedCbytes(id: number): number {
    return id < 0 || this.chunkFiles === null ? 0 : readChunkHeader(this.chunkFiles.read(id)).cbytes;
  }

  /** Insert `chunk` before chunk `i` (`i` = nchunks appends); `chunksize` is the frame's after the edit. */
  insertChunk(i: number, chunk: Uint8Array, chunksize: number): void {
    const n = this.entries.length;
    if (n + 1 > MAX_NCHUNKS) fail(BloscErrorCode.ChunkInsert, `${n + 1} chunks exceed the format limit`);
    const edit = this.base();
    edit.chunksize = chunksize;
    edit.entries = new Float64Array(n + 1);
    edit.entries.set(this.entries.subarray(0, i), 0);
    edit.entries.set(this.entries.subarray(i), i + 1);
    edit.nbytes += readChunkHeader(chunk).nbytes;
    this.run(edit, () => this.place(edit, i, chunk, edit.dataLen));
  }

  /** Replace chunk `i` with `chunk`. */
  updateChunk(i: number, chunk: Uint8Array): void {
    this.updateChunks([i], [chunk]);
  }

  /** Replace chunk `indices[k]` with `chunks[k]` for every k (distinct indices) in one edit: all are written, or none. */
  updateChunks(indices: readonly number[], chunks: readonly Uint8Array[]): void {
    const edit = this.base();
    edit.entries = this.entries.slice();
    for (let k = 0; k < indices.length; k++) edit.nbytes += readChunkHeader(chunks[k]!).nbytes - this.current.declaredNbytes(indices[k]!);
    this.run(edit, () => {
      for (let k = 0; k < indices.length; k++) this.replace(edit, indices[k]!, chunks[k]!);
    });
  }

  /** Place `chunk` for chunk `i` in `edit`, where the old one was when it can (see the file's comment). */
  private replace(edit: Edit, i: number, chunk: Uint8Array): void {
    const old = this.entries[i]!;
    let at = edit.dataLen;
    if (old >= 0 && !this.sparse) {
      // The room the old chunk has: up to the next chunk's start (of the frame as this edit
      // leaves it so far), else to the end of the data area. Found from the offsets alone,
      // so a chunk's own (possibly damaged) header never lets a write spill over another.
      const entries = edit.entries;
      let next = edit.dataLen;
      let shared = false;
      for (let k = 0; k < entries.length; k++) {
        const e = entries[k]!;
        if (k === i || e < 0) continue;
        if (e === old) shared = true;
        else if (e > old && e < next) next = e;
      }
      const newCbytes = readChunkHeader(chunk).cbytes;
      // Over the old chunk when the new one fits its room, or when it ends the data area
      // (the area then ends with the new chunk): frame_update_chunk of c-blosc2 2.x.
      if (!shared && (old + newCbytes <= next || next === edit.dataLen)) at = old;
      if (!shared && next === edit.dataLen) edit.dataLen = old;
    }
    this.place(edit, i, chunk, at);
    if (this.sparse && old >= 0) {
      edit.dataLen -= this.storedCbytes(old);
      edit.staleFiles.push(old);
    }
  }

  /**
   * Set the whole chunk list in one edit: chunk k becomes the frame's chunk `plan[k]` when a
   * number (its offset reused: neither read nor moved), else the compressed chunk `plan[k]`
   * (appended to the data area, or a chunk file of its own). With `metalayers`, the header's
   * metalayers are replaced in the same edit (same length once the frame holds data). What
   * c-blosc2 `b2nd_resize` does as one insert or delete per chunk, each rewriting the offsets
   * index, is one write of the index here; a contiguous frame keeps the bytes of chunks no
   * longer listed in its data area (as a delete does), a sparse one removes their files.
   */
  rearrange(plan: readonly (number | Uint8Array)[], metalayers: readonly FrameLayer[] | null): void {
    const n = plan.length;
    if (n > MAX_NCHUNKS) fail(BloscErrorCode.ChunkInsert, `${n} chunks exceed the format limit`);
    const edit = this.base();
    edit.entries = new Float64Array(n);
    if (metalayers !== null) {
      edit.header = withMetalayers(this.header, metalayers);
      if (edit.header.length !== this.headerLen && !this.sparse && edit.dataLen > 0) {
        fail(BloscErrorCode.InvalidParam, 'metalayers cannot change size once the frame holds data');
      }
    }
    this.run(edit, () => {
      let nbytes = 0;
      for (let k = 0; k < n; k++) {
        const p = plan[k]!;
        if (typeof p === 'number') {
          if (!Number.isInteger(p) || p < 0 || p >= this.entries.length) fail(BloscErrorCode.InvalidIndex, `chunk ${p} is not in the frame`);
          edit.entries[k] = this.entries[p]!;
          nbytes += this.current.declaredNbytes(p);
        } else {
          this.place(edit, k, p, edit.dataLen);
          nbytes += readChunkHeader(p).nbytes;
        }
      }
      edit.nbytes = nbytes;
      if (this.sparse) {
        const inUse = new Set<number>();
        for (let k = 0; k < n; k++) if (typeof plan[k] === 'number') inUse.add(edit.entries[k]!);
        for (let i = 0; i < this.entries.length; i++) {
          const old = this.entries[i]!;
          if (old >= 0 && !inUse.has(old)) {
            inUse.add(old);
            edit.dataLen -= this.storedCbytes(old);
            edit.staleFiles.push(old);
          }
        }
      } else if (n === 0) {
        // No chunks: no data area (see deleteChunk).
        edit.dataLen = 0;
      }
    });
  }

  /** Remove chunk `i`. Its bytes stay in the data area of a contiguous frame (as c-blosc2 leaves them). */
  deleteChunk(i: number): void {
    const edit = this.base();
    const n = this.entries.length;
    const old = this.entries[i]!;
    edit.entries = new Float64Array(n - 1);
    edit.entries.set(this.entries.subarray(0, i), 0);
    edit.entries.set(this.entries.subarray(i + 1), i);
    edit.nbytes -= this.current.declaredNbytes(i);
    this.run(edit, () => {
      if (this.sparse && old >= 0) {
        edit.dataLen -= this.storedCbytes(old);
        edit.staleFiles.push(old);
      }
      // A frame without chunks has no offsets index, and its trailer follows the header
      // (get_trailer_offset): the data area goes with its last chunk.
      if (!this.sparse && n === 1) edit.dataLen = 0;
    });
  }

  /** Write `layers` as the vlmetalayers (the trailer). */
  setVlmetalayers(layers: readonly FrameLayer[]): void {
    const edit = this.base();
    edit.vlmetalayers = layers;
    this.run(edit, () => undefined);
  }

  /**
   * Write `layers` as the metalayers (the header). The header may change length only while
   * a contiguous frame has no data area (c-blosc2 adds metalayers before any data).
   */
  setMetalayers(layers: readonly FrameLayer[]): void {
    const edit = this.base();
    edit.header = withMetalayers(this.header, layers);
    if (edit.header.length !== this.headerLen && !this.sparse && edit.dataLen > 0) {
      fail(BloscErrorCode.InvalidParam, 'metalayers cannot change size once the frame holds data');
    }
    this.run(edit, () => undefined);
  }

  /**
   * Carry out an edit: `prepare` places the chunk (a sparse frame's chunk file is written
   * there), then the data area's runs, the offsets index with the trailer, and the header
   * are written, and the target cut to the frame's new length. On any failure the target's
   * overwritten and cut bytes are written back (and a new chunk file removed), so it is as
   * it was, and the error is raised as a BloscError.
   */
  private run(edit: Edit, prepare: () => void): void {
    this.checkUnchanged();
    try {
      prepare();
    } catch (e) {
      this.removeFiles(edit.createdFiles);
      throw e;
    }
    const n = edit.entries.length;
    let index: Uint8Array = new Uint8Array(0);
    if (n > 0) {
      const first = edit.entries[0]!;
      let uniform = first < 0;
      for (let k = 1; uniform && k < n; k++) uniform = edit.entries[k] === first;
      index = offsetsIndexChunk(offsetEntriesBytes(uniform ? edit.entries.subarray(0, 1) : edit.entries), n, uniform);
    }
    const trailer = frameTrailerBytes(edit.vlmetalayers);
    const header = edit.header.slice();
    const headerLen = header.length;
    const indexAt = headerLen + (this.sparse ? 0 : edit.dataLen);
    const frameLen = indexAt + index.length + trailer.length;
    setFrameSizes(header, { frameLen, nbytes: edit.nbytes, cbytes: edit.dataLen, hasVlmetalayers: edit.vlmetalayers.length > 0 }, edit.chunksize);
    const tail = new Uint8Array(index.length + trailer.length);
    tail.set(index, 0);
    tail.set(trailer, index.length);
    // The order of c-blosc2: the chunk, the offsets index, the header, the trailer.
    const runs: Run[] = [...edit.chunkRuns, { at: indexAt, bytes: tail }, { at: 0, bytes: header }];

    const t = this.target;
    const oldSize = t.size;
    const saved: Run[] = [];
    let cut: Uint8Array | null = null;
    let frame: CFrame;
    try {
      for (const r of runs) {
        const end = Math.min(r.at + r.bytes.length, oldSize);
        if (end > r.at) saved.push({ at: r.at, bytes: t.read(r.at, end - r.at) });
      }
      if (frameLen < oldSize) cut = t.read(frameLen, oldSize - frameLen);
    } catch (e) {
      this.removeFiles(edit.createdFiles);
      throw toBloscError(e, BloscErrorCode.FileRead, 'cannot read the frame before an edit');
    }
    try {
      for (const r of runs) t.write(r.at, r.bytes);
      if (t.size > frameLen) t.truncate(frameLen);
      const chunkFiles = this.chunkFiles;
      frame = CFrame.open(t, chunkFiles === null ? {} : { chunkFile: (id) => chunkFiles.read(id) });
    } catch (e) {
      const cause = toBloscError(e, BloscErrorCode.FileWrite, 'cannot write the frame');
      try {
        this.restore(oldSize, saved, cut, frameLen, cause);
      } finally {
        this.removeFiles(edit.createdFiles);
      }
      throw cause;
    }
    this.current = frame;
    this.header = header;
    this.tail = tail;
    this.entries = edit.entries;
    this.vlmetalayers = edit.vlmetalayers;
    // The index no longer names them: a file that cannot be removed is only unused.
    this.removeFiles(edit.staleFiles);
  }

  /**
   * Refuse to edit a frame another writer (another handle, another process) changed since
   * it was read: editing it from what this one knows would damage it. c-blosc2
   * `frame_refresh_if_stale` compares frame_len; the header, the offsets index and the
   * trailer are compared here (they are read back, as small as what an edit writes).
   */
  private checkUnchanged(): void {
    const t = this.target;
    const h = this.current.header;
    const indexAt = this.headerLen + (this.sparse ? 0 : h.cbytes);
    const same = (at: number, want: Uint8Array): boolean => {
      const got = t.read(at, want.length);
      for (let k = 0; k < want.length; k++) if (got[k] !== want[k]) return false;
      return true;
    };
    let unchanged: boolean;
    try {
      unchanged = t.size === h.frameLen && same(0, this.header) && same(indexAt, this.tail);
    } catch (e) {
      throw toBloscError(e, BloscErrorCode.FileRead, 'cannot read the frame before an edit');
    }
    if (!unchanged) fail(BloscErrorCode.FileWrite, 'the frame changed since it was opened (another writer?): open it again to edit it');
  }

  /** Put back what a failed edit overwrote or cut. */
  private restore(oldSize: number, saved: readonly Run[], cut: Uint8Array | null, cutAt: number, cause: BloscError): void {
    const t = this.target;
    try {
      if (cut !== null) t.write(cutAt, cut);
      for (let k = saved.length - 1; k >= 0; k--) t.write(saved[k]!.at, saved[k]!.bytes);
      if (t.size > oldSize) t.truncate(oldSize);
    } catch (e) {
      throw new BloscError(cause.code, `${cause.message}; putting the frame back failed too (${e instanceof Error ? e.message : String(e)}), it may be damaged`, { cause });
    }
  }

  private removeFiles(ids: readonly number[]): void {
    for (const id of ids) {
      try {
        this.chunkFiles?.remove(id);
      } catch {
        // An unused chunk file: readers never look at it.
      }
    }
  }
}

