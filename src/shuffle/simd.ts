/**
 * Drivers for the WebAssembly SIMD kernels of simd-module.ts: they copy a tile of the
 * caller's planes into the module's memory, run the kernel there and copy the result
 * out. Tiles are small (TILE bytes), so both copies hit cache and cost a fraction of the
 * kernel; the caller's buffers are never handed to WebAssembly.
 *
 * Each function handles the largest prefix of the work its kernel can take (elements in
 * multiples of 16 for byte shuffles, of 128 for bit shuffles) and returns how many
 * elements it did; the JavaScript kernels do the rest and everything when SIMD is
 * unavailable (no WebAssembly, no SIMD support, or disabled with `setSimdEnabled(false)`).
 * Results are identical either way: the tests run both paths against the reference kernels.
 */
import {
  AddressPhases, PHASE_SPAN, SCRATCH_AT, SCRATCH_MAX, SHUFFLE_END, heapBytes, inHeap, learntPhaseOf, HeapModuleLoader, reserveHeap,
} from '../wasm/heap.js';
import { SIMD_EXPORTS, SIMD_TYPESIZES, simdModuleBytes } from './simd-module.js';
import { copyMemory } from '../copy.js';

type Kernel = (src: number, dst: number, count: number, stride: number) => void;

/** Bytes per tile; three tiles (input, output, bit rows) live in the shared memory. */
const TILE = 32 * 1024;
/**
 * The output tile sits 2112 bytes past a 4 KiB boundary. Callers' buffers are mostly
 * page-aligned with offsets that are multiples of the block size; copying out of a tile
 * whose address agrees with the destination's in the low 12 bits runs into the 4K
 * aliasing stall of x86 store forwarding (measured: 1.5 GB/s instead of 25 GB/s for a
 * 32 KiB `set` on Node 20).
 */
const IN = 0;
/** The output tile's base (a multiple of 64); it is written at OUT + a phase below 32 (see tileOut). */
const OUT = TILE + 2112;
const ROWS = 2 * TILE + 4224;
if (OUT + PHASE_SPAN + TILE > ROWS || ROWS + TILE > SHUFFLE_END) throw new Error('shuffle tiles overrun their area of the heap');

/**
 * The output tile is placed at the phase of the destination's address modulo 32 (see
 * AddressPhases in src/wasm/heap.ts: `TypedArray.set` of a 32 KiB tile is 15-40 % slower
 * when the two addresses differ by 16 modulo 32), learnt per destination buffer.
 */
const outputPhases = new AddressPhases(TILE / 2);

/** The learnt phase of `buffer` (0 or 16), or -1 while unknown (tests, benches). */
export function copyPhaseOf(buffer: ArrayBufferLike): number {
  return learntPhaseOf(buffer);
}

/** Forget every learnt phase (tests). */
export function resetCopyPhases(): void {
  outputPhases.reset();
}

/** Where the output tile goes for a copy to `destOffset` of a buffer of phase `phase` (-1: learning). */
function tileOut(phase: number, destOffset: number): number {
  return OUT + outputPhases.offsetFor(phase, destOffset);
}

/** The last view of the output tile handed to `set`: kept while the place, size and memory stay (one per tile otherwise). */
let tileView: Uint8Array = new Uint8Array(0);

/** Copy the `n` bytes of the output tile at `at` to dst[dp..]. */
function copyTileOut(mem: Uint8Array, at: number, n: number, dst: Uint8Array, dp: number, phase: number): void {
  let view = tileView;
  if (view.byteOffset !== at || view.length !== n || view.buffer !== mem.buffer) {
    view = mem.subarray(at, at + n);
    tileView = view;
  }
  outputPhases.copy(view, dst, dp, phase);
}

/** Below this many elements the copies and the call cost more than the kernel saves. */
const MIN_ELEMENTS = 256;

/**
 * Room for a whole block of planes (byte or bit) in the shared memory (SCRATCH_AT): the
 * planes are copied in (or out) with one `set` and the kernels walk them with their
 * stride, instead of typesize (8×typesize for bit-planes) small copies per tile. Larger
 * blocks take the per-tile copies.
 */
const WHOLE = SCRATCH_AT;
const MAX_WHOLE_BYTES = SCRATCH_MAX;

let enabled = true;
let kernels: Map<string, Kernel> | null = null;
/** 'pending' while an asynchronous compile runs; 'failed' once the platform said no. */

function instantiate(exportsObject: WebAssembly.Exports): void {
  const map = new Map<string, Kernel>();
  for (const name of SIMD_EXPORTS) map.set(name, exportsObject[name] as Kernel);
  kernels = map;
}

const loader = new HeapModuleLoader(simdModuleBytes, instantiate);

/** The module, compiled on first use (asynchronously where synchronous compiles are refused). */
function ready(): boolean {
  return enabled && loader.loaded();
}

/**
 * Turn the WebAssembly SIMD kernels on or off (on by default where the platform has them).
 * Results do not change; only speed does.
 */
export function setSimdEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the SIMD kernels are in use (compiling them on first ask). */
export function simdActive(): boolean {
  return ready();
}

function kernel(name: string): Kernel {
  return kernels!.get(name)!;
}

/**
 * Byte unshuffle of the first elements of `count` (a multiple of 16 of them); returns how
 * many were done (0 when SIMD does not apply). Planes are `count` bytes apart at `sp`.
 */
export function simdUnshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number): number {
  if (count < MIN_ELEMENTS || SIMD_TYPESIZES.indexOf(typesize) < 0 || !ready()) return 0;
  const fn = kernel(`unshuffle${typesize}`);
  const done = count & ~15;
  const tileElems = TILE / typesize;
  // Planes already in the module's memory (decoded into simdScratch) are read in place.
  // Others are copied in whole to WHOLE with one `set` when the block fits and `dst` is
  // no view of the memory (growing it would detach that view): one long sequential copy
  // streams from memory far better than `typesize` short copies per tile from planes
  // `count` bytes apart (kernels bench, 256 KiB blocks from a cold 16 MiB source:
  // 43% -> 56% of `set` at typesize 4 and 8).
  let inPlace = inHeap(src);
  let at = src.byteOffset + sp;
  const n = count * typesize;
  if (!inPlace && !inHeap(dst) && n <= MAX_WHOLE_BYTES && reserveHeap(WHOLE + n)) {
    copyMemory(src, sp, heapBytes(), WHOLE, n);
    inPlace = true;
    at = WHOLE;
  }
  const mem = heapBytes();
  const base = dst.byteOffset + dp;
  let phase = outputPhases.phaseOf(dst.buffer);
  for (let e0 = 0; e0 < done; e0 += tileElems) {
    const te = Math.min(tileElems, done - e0);
    const out = tileOut(phase, base + e0 * typesize);
    if (inPlace) {
      fn(at + e0, out, te, count);
    } else {
      for (let j = 0, p = sp + e0; j < typesize; j++, p += count) copyMemory(src, p, mem, IN + j * te, te);
      fn(IN, out, te, te);
    }
    copyTileOut(mem, out, te * typesize, dst, dp + e0 * typesize, phase);
    if (phase < 0) phase = outputPhases.phaseOf(dst.buffer);
  }
  return done;
}

/** Byte shuffle counterpart of {@link simdUnshuffle}; plane j is written at dst[dp + j*stride]. */
export function simdShuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, count: number, stride = count): number {
  if (count < MIN_ELEMENTS || SIMD_TYPESIZES.indexOf(typesize) < 0 || !ready()) return 0;
  const fn = kernel(`shuffle${typesize}`);
  const mem = heapBytes();
  const done = count & ~15;
  const tileElems = TILE / typesize;
  // Planes wanted in the module's memory (the encoder's block for a WebAssembly codec) are
  // written in place, `count` bytes apart, instead of through the output tile.
  const inPlace = inHeap(dst) && !overlapsTiles(dst);
  const at = dst.byteOffset + dp;
  for (let e0 = 0; e0 < done; e0 += tileElems) {
    const te = Math.min(tileElems, done - e0);
    copyMemory(src, sp + e0 * typesize, mem, IN, te * typesize);
    if (inPlace) {
      fn(IN, at + e0, te, stride);
    } else {
      fn(IN, OUT, te, te);
      for (let j = 0, p = dp + e0; j < typesize; j++, p += stride) dst.set(mem.subarray(OUT + j * te, OUT + (j + 1) * te), p);
    }
  }
  return done;
}

/** Whether `view` (in the shared memory) reaches into the tiles. */
function overlapsTiles(view: Uint8Array): boolean {
  return view.byteOffset < SHUFFLE_END;
}

/**
 * A view of `size` bytes of the shared memory for a caller to decode a block's planes
 * into: simdUnshuffle and simdBitunshuffle then read them where they are instead of
 * copying them in. Null where SIMD is off or the memory cannot grow. The view stays valid
 * until the next call of this function (growing the memory detaches earlier views), and
 * the kernels never move it: a caller takes a fresh one at the start of each call.
 */
export function simdScratch(size: number): Uint8Array | null {
  if (size > MAX_WHOLE_BYTES || !ready() || !reserveHeap(WHOLE + size)) return null;
  return heapBytes().subarray(WHOLE, WHOLE + size);
}

type RowKernel = (src: number, dst: number, len: number, stride: number) => void;

function rowKernel(name: string): RowKernel {
  return kernels!.get(name) as unknown as RowKernel;
}

/**
 * Bit unshuffle of the first elements of `nelems` (a multiple of 128 of them): the
 * `8*typesize` bit-planes are `nelems/8` bytes apart at `sp`. Returns how many were done.
 */
export function simdBitunshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): number {
  if (nelems < MIN_ELEMENTS || (typesize !== 1 && SIMD_TYPESIZES.indexOf(typesize) < 0) || !ready()) return 0;
  const rowFn = rowKernel('bitUntransposeRow');
  const unshuffleFn = typesize === 1 ? null : kernel(`unshuffle${typesize}`);
  const done = nelems & ~127;
  const planeStride = nelems >>> 3;
  const n = nelems * typesize;
  // Planes decoded into simdScratch already sit where the whole-block copy would put them.
  // Otherwise the copy may grow the memory, which would detach a `src` or `dst` that is a
  // view of it: such views take the per-tile path, which never grows it.
  const inPlace = inHeap(src) && src.byteOffset + sp === WHOLE;
  const whole = inPlace || (n <= MAX_WHOLE_BYTES && !inHeap(src) && !inHeap(dst) && reserveHeap(WHOLE + n));
  const mem = heapBytes();
  if (whole && !inPlace) copyMemory(src, sp, mem, WHOLE, n);
  const tileElems = TILE / typesize;
  const base = dst.byteOffset + dp;
  let phase = outputPhases.phaseOf(dst.buffer);
  for (let e0 = 0; e0 < done; e0 += tileElems) {
    const te = Math.min(tileElems, done - e0);
    const pb = te >>> 3;
    const out = tileOut(phase, base + e0 * typesize);
    // Row j's 8 planes: in the whole-block copy, or gathered per tile at IN + j*te.
    let planes = IN;
    let stride = pb;
    if (whole) {
      planes = WHOLE + (e0 >>> 3);
      stride = planeStride;
    } else {
      for (let k = 0, p = sp + (e0 >>> 3), o = IN; k < 8 * typesize; k++, p += planeStride, o += pb) {
        copyMemory(src, p, mem, o, pb);
      }
    }
    if (unshuffleFn === null) {
      rowFn(planes, out, te, stride);
    } else {
      for (let j = 0; j < typesize; j++) rowFn(planes + 8 * j * stride, ROWS + j * te, te, stride);
      unshuffleFn(ROWS, out, te, te);
    }
    copyTileOut(mem, out, te * typesize, dst, dp + e0 * typesize, phase);
    if (phase < 0) phase = outputPhases.phaseOf(dst.buffer);
  }
  return done;
}

/** Bit shuffle counterpart of {@link simdBitunshuffle}. */
export function simdBitshuffle(typesize: number, src: Uint8Array, sp: number, dst: Uint8Array, dp: number, nelems: number): number {
  if (nelems < MIN_ELEMENTS || (typesize !== 1 && SIMD_TYPESIZES.indexOf(typesize) < 0) || !ready()) return 0;
  const rowFn = rowKernel('bitTransposeRow');
  const shuffleFn = typesize === 1 ? null : kernel(`shuffle${typesize}`);
  const done = nelems & ~127;
  const planeStride = nelems >>> 3;
  const n = nelems * typesize;
  const whole = n <= MAX_WHOLE_BYTES && reserveHeap(WHOLE + n);
  const mem = heapBytes();
  const tileElems = TILE / typesize;
  for (let e0 = 0; e0 < done; e0 += tileElems) {
    const te = Math.min(tileElems, done - e0);
    const pb = te >>> 3;
    const planes = whole ? WHOLE + (e0 >>> 3) : OUT;
    const stride = whole ? planeStride : pb;
    copyMemory(src, sp + e0 * typesize, mem, IN, te * typesize);
    if (shuffleFn === null) {
      rowFn(IN, planes, te, stride);
    } else {
      shuffleFn(IN, ROWS, te, te);
      for (let j = 0; j < typesize; j++) rowFn(ROWS + j * te, planes + 8 * j * stride, te, stride);
    }
    if (!whole) {
      for (let k = 0, p = dp + (e0 >>> 3), o = OUT; k < 8 * typesize; k++, p += planeStride, o += pb) {
        dst.set(mem.subarray(o, o + pb), p);
      }
    }
  }
  // Only the planes' first done/8 bytes were written; the caller fills the rest of each.
  if (whole && done === nelems) {
    dst.set(mem.subarray(WHOLE, WHOLE + n), dp);
  } else if (whole) {
    for (let k = 0, p = dp, o = WHOLE; k < 8 * typesize; k++, p += planeStride, o += planeStride) {
      dst.set(mem.subarray(o, o + (done >>> 3)), p);
    }
  }
  return done;
}
