/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/b2nd.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * b2nd geometry: where each element of an n-dimensional array lives among the chunks of a
 * super-chunk and the blocks of a chunk (container spec §4.3; c-blosc2 blosc/b2nd.c
 * `update_shape_struct`, `validate_shape_chunkshape_blockshape`).
 *
 * Per dimension: extchunkshape = chunkshape rounded up to a multiple of blockshape; the
 * chunk grid is ceil(shape / chunkshape). Every chunk holds Π extchunkshape items, in
 * blocks of Π blockshape items stored in row-major block order, each block row-major.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { B2ND_MAX_DIM } from '../frame/b2nd-meta.js';
import { MAX_NCHUNKS } from '../frame/cframe.js';

/** `BLOSC2_MAX_BUFFERSIZE`: the largest chunk. */
export const MAX_CHUNK_NBYTES = 0x7fffffff - 32;

export class B2ndGeometry {
  readonly ndim: number;
  readonly shape: readonly number[];
  readonly chunkshape: readonly number[];
  readonly blockshape: readonly number[];
  readonly itemsize: number;
  readonly extchunkshape: readonly number[];
  /** Chunks along each dimension. */
  readonly chunkGrid: readonly number[];
  /** Blocks along each dimension of a chunk. */
  readonly blockGrid: readonly number[];
  readonly nitems: number;
  readonly nchunks: number;
  readonly blocknitems: number;
  readonly chunknitems: number;
  readonly extchunknitems: number;
  readonly blocksPerChunk: number;
  /** Bytes of every chunk (edge chunks are padded). */
  readonly chunkNbytes: number;
  /** Bytes of one block: the Blosc blocksize of every chunk. */
  readonly blockNbytes: number;

  /**
   * Check and derive the geometry. Raises `code` (InvalidHeader when the numbers come
   * from a file, InvalidParam when from a caller) on anything C would refuse or overflow.
   */
  constructor(shape: readonly number[], chunkshape: readonly number[], blockshape: readonly number[], itemsize: number, code: BloscErrorCode = BloscErrorCode.InvalidParam) {
    const ndim = shape.length;
    const bad = (message: string): never => fail(code, `b2nd: ${message}`);
    if (ndim > B2ND_MAX_DIM) bad(`ndim ${ndim} exceeds ${B2ND_MAX_DIM}`);
    if (chunkshape.length !== ndim || blockshape.length !== ndim) bad(`shape, chunks and blocks must all have ${ndim} entries`);
    if (!Number.isSafeInteger(itemsize) || itemsize <= 0 || itemsize > 0x7fffffff) bad(`itemsize must be a positive int32, got ${itemsize}`);
    const extchunkshape: number[] = [];
    const chunkGrid: number[] = [];
    const blockGrid: number[] = [];
    let nitems = 1;
    let nchunks = 1;
    let blocknitems = 1;
    let chunknitems = 1;
    let extchunknitems = 1;
    for (let i = 0; i < ndim; i++) {
      const s = shape[i]!;
      const c = chunkshape[i]!;
      const b = blockshape[i]!;
      if (!Number.isSafeInteger(s) || s < 0) bad(`shape[${i}] must be a non-negative integer, got ${s}`);
      if (!Number.isInteger(c) || c < 0 || c > 0x7fffffff) bad(`chunks[${i}] must be an int32 >= 0, got ${c}`);
      if (!Number.isInteger(b) || b < 0 || b > 0x7fffffff) bad(`blocks[${i}] must be an int32 >= 0, got ${b}`);
      if (s > 0 && c === 0) bad(`chunks[${i}] is 0 but shape[${i}] is ${s}`);
      if (c > 0 && b === 0) bad(`blocks[${i}] is 0 but chunks[${i}] is ${c}`);
      const ext = c === 0 ? 0 : Math.ceil(c / b) * b;
      extchunkshape.push(ext);
      chunkGrid.push(c === 0 ? 0 : Math.ceil(s / c));
      blockGrid.push(b === 0 ? 0 : ext / b);
      nitems *= s;
      nchunks *= chunkGrid[i]!;
      blocknitems *= b;
      chunknitems *= c;
      extchunknitems *= ext;
      if (!Number.isSafeInteger(nitems) || !Number.isSafeInteger(extchunknitems) || extchunknitems * itemsize > MAX_CHUNK_NBYTES) {
        bad(`a chunk of extended shape [${extchunkshape.join(', ')}…] × ${itemsize} bytes exceeds ${MAX_CHUNK_NBYTES} bytes, or the array is too large`);
      }
    }
    if (nitems === 0) nchunks = 0;
    if (nchunks > MAX_NCHUNKS) bad(`${nchunks} chunks exceed the frame limit ${MAX_NCHUNKS}`);
    this.ndim = ndim;
    this.shape = [...shape];
    this.chunkshape = [...chunkshape];
    this.blockshape = [...blockshape];
    this.itemsize = itemsize;
    this.extchunkshape = extchunkshape;
    this.chunkGrid = chunkGrid;
    this.blockGrid = blockGrid;
    this.nitems = nitems;
    this.nchunks = nchunks;
    this.blocknitems = blocknitems;
    this.chunknitems = chunknitems;
    this.extchunknitems = extchunknitems;
    this.blocksPerChunk = blocknitems === 0 ? 0 : extchunknitems / blocknitems;
    this.chunkNbytes = extchunknitems * itemsize;
    this.blockNbytes = blocknitems * itemsize;
  }

  /** Byte offset of element `index` (global coordinates) within its decompressed chunk, and the chunk number. */
  locate(index: readonly number[]): { chunk: number; offset: number } {
    let chunk = 0;
    let block = 0;
    let inBlock = 0;
    for (let i = 0; i < this.ndim; i++) {
      const g = index[i]!;
      const c = this.chunkshape[i]!;
      const b = this.blockshape[i]!;
      const l = g % c;
      chunk = chunk * this.chunkGrid[i]! + Math.floor(g / c);
      block = block * this.blockGrid[i]! + Math.floor(l / b);
      inBlock = inBlock * b + (l % b);
    }
    return { chunk, offset: (block * this.blocknitems + inBlock) * this.itemsize };
  }
}
