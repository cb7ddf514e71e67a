/**
 * The one WebAssembly memory that every module assembled here imports, and its map.
 *
 * Sharing it is what lets a zstd stream be decoded into the very bytes the unshuffle
 * kernel then reads: the chunk decoder asks for a scratch view (SCRATCH_AT), the codec
 * writes the block's planes there, the shuffle kernels read them in place.
 *
 * Map (byte offsets):
 * - [0, SHUFFLE_END): the shuffle kernels' tiles (see src/shuffle/simd.ts);
 * - [ZSTD_AT, ZSTD_END): the zstd sequence executor's tables, bitstream and literals, and
 *   at its end the FSE tables it reads (built there by src/codecs/zstd/fse-wasm.ts);
 * - [ENCODE_AT, ENCODE_END): the LZ4 / BloscLZ match finders' hash table, or LZ4HC's hash
 *   and chain tables (the whole area; src/codecs/lz4hc-compress-wasm.ts), or zlib deflate's
 *   hash heads, chain links and trees (src/codecs/deflate/deflate-wasm.ts), one encoder at a
 *   time, each setting up its tables per call; or an LZ4 or BloscLZ stream being decoded by
 *   src/codecs/lz4-decompress-wasm.ts or blosclz-decompress-wasm.ts (never both at once);
 * - [SCRATCH_AT, SCRATCH_AT + SCRATCH_MAX): a block's planes (simdScratch);
 *   while encoding, the LZ4 / BloscLZ / LZ4HC output (src/codecs/lz4-compress-wasm.ts), or the
 *   zstd encoder's row search state and tables, lazy parser sequences, Huffman and sequence
 *   bitstream buffers and pre-split counters (src/codecs/zstd-encoder/*-wasm.ts, within SCRATCH_MAX);
 *   or zlib deflate's window, pending output and symbols (deflate-wasm.ts, 256 KiB);
 * - from WINDOW_AT: a zstd frame's output when the caller's buffer lies elsewhere; while
 *   encoding, a block's filtered planes for the LZ4 / BloscLZ / LZ4HC match finders, or a zstd
 *   stream's input for its row search (at most
 *   SCRATCH_MAX bytes, so encoding grows the memory to WINDOW_AT + 8 MiB + 64 at most);
 * - from a page past that (inside the zstd decoder's output window, which is only in use
 *   during a decoding call, never while a frame is encoded): the zstd optimal parser's tree
 *   search (levels 16-22, Blosc clevel 9; src/codecs/zstd-encoder/bt-search-wasm.ts): its
 *   state, match lists, price table, 3-byte hash table, hash table and tree, at most 16.6 MiB,
 *   so that the memory reaches 33.3 MiB at most while it runs.
 * The memory grows on demand (growing detaches every view: callers take views anew after
 * anything that may grow it, and never keep one across calls).
 */

export const PAGE = 65536;

/** End of the shuffle tiles (three 32 KiB tiles plus the gaps that keep them off 4K aliasing). */
export const SHUFFLE_END = 3 * 32 * 1024 + 4224;
/** The zstd executor's area (its layout is in src/codecs/zstd/sequences-wasm.ts). */
export const ZSTD_AT = 0x1a000;
export const ZSTD_SIZE = 0x48000;
export const ZSTD_END = ZSTD_AT + ZSTD_SIZE;
/**
 * The match finders' hash table (src/codecs/lz4-compress-wasm.ts): 2^14 32-bit entries; or,
 * while decoding, an LZ4 or BloscLZ stream of up to 256 KiB (src/codecs/lz4-decompress-wasm.ts).
 */
export const ENCODE_AT = ZSTD_END;
export const ENCODE_SIZE = 0x40000;
export const ENCODE_END = ENCODE_AT + ENCODE_SIZE;
/** A block's planes; 128 bytes past a 4 KiB boundary, as the tiles are placed (simd.ts). */
export const SCRATCH_AT = ENCODE_END + 128;
export const SCRATCH_MAX = 8 << 20;
/** A zstd frame's output, when it cannot be decoded where the caller wants it. */
export const WINDOW_AT = SCRATCH_AT + SCRATCH_MAX + 4096;

let memory: WebAssembly.Memory | null = null;
let bytes: Uint8Array<ArrayBuffer> = new Uint8Array(0);
let failed = false;

/** The shared memory, created on first use; null where there is no WebAssembly. */
export function heapMemory(): WebAssembly.Memory | null {
  if (memory !== null || failed) return memory;
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (wasm === undefined) {
    failed = true;
    return null;
  }
  try {
    memory = new wasm.Memory({ initial: Math.ceil(SCRATCH_AT / PAGE) });
  } catch {
    failed = true;
    return null;
  }
  bytes = new Uint8Array(memory.buffer);
  return memory;
}

/** A view of the whole memory as it is now (empty before heapMemory succeeded). */
export function heapBytes(): Uint8Array<ArrayBuffer> {
  if (memory !== null && bytes.buffer !== memory.buffer) bytes = new Uint8Array(memory.buffer);
  return bytes;
}

/** Make the memory hold at least `size` bytes; false when it cannot grow (or does not exist). */
export function reserveHeap(size: number): boolean {
  const mem = heapMemory();
  if (mem === null) return false;
  const have = mem.buffer.byteLength;
  if (size <= have) return true;
  try {
    mem.grow(Math.ceil((size - have) / PAGE));
  } catch {
    return false;
  }
  bytes = new Uint8Array(mem.buffer);
  return true;
}

/** Whether `view` lies in the shared memory. */
export function inHeap(view: Uint8Array): boolean {
  return memory !== null && view.buffer === memory.buffer;
}

/**
 * Compile and instantiate a module assembled for this memory. Synchronous compilation is
 * refused for modules over 4 KiB on a browser's main thread; there `onReady` is called
 * once the asynchronous compile ends, and the caller serves with JavaScript meanwhile.
 * Returns the exports, or null (not yet, or never: `onFail` tells which).
 */
export function instantiateHeapModule(
  moduleBytes: Uint8Array<ArrayBuffer>,
  onReady: (exports: WebAssembly.Exports) => void,
  onFail: () => void,
): WebAssembly.Exports | null {
  const mem = heapMemory();
  const wasm = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (mem === null || wasm === undefined || !wasm.validate(moduleBytes)) {
    onFail();
    return null;
  }
  const imports = { env: { memory: mem } };
  try {
    return new wasm.Instance(new wasm.Module(moduleBytes), imports).exports;
  } catch {
    wasm.compile(moduleBytes).then(
      (module) => wasm.instantiate(module, imports).then((inst) => onReady(inst.exports), onFail),
      onFail,
    );
    return null;
  }
}

/**
 * A module on the shared memory, instantiated on first use: `loaded()` compiles it the first
 * time it is asked (synchronously where the platform allows, else in the background, when it
 * answers false until the module is ready) and tells whether it is ready; `onReady` takes the
 * module's exports. Each WebAssembly kernel and codec loop keeps one.
 */
export class HeapModuleLoader {
  private state: 'idle' | 'pending' | 'ready' | 'failed' = 'idle';

  constructor(
    private readonly moduleBytes: () => Uint8Array<ArrayBuffer>,
    private readonly onReady: (exports: WebAssembly.Exports) => void,
  ) {}

  loaded(): boolean {
    if (this.state === 'ready') return true;
    if (this.state !== 'idle') return false;
    this.state = 'pending';
    const exportsObject = instantiateHeapModule(this.moduleBytes(), (e) => this.take(e), () => {
      this.state = 'failed';
    });
    if (exportsObject === null) return false;
    this.take(exportsObject);
    return true;
  }

  private take(exportsObject: WebAssembly.Exports): void {
    this.onReady(exportsObject);
    this.state = 'ready';
  }
}

/** Placements of a copy's heap side modulo this many bytes (see AddressPhases). */
export const PHASE_SPAN = 32;
/** Copies timed per candidate phase before a buffer's phase is decided. */
const PHASE_SAMPLES = 24;
let learntPhases = new WeakMap<ArrayBufferLike, number>();
/** Whether `performance.now()` resolves a copy of a few µs: null until checked. */
let fineClock: boolean | null = null;

function clockIsFine(): boolean {
  if (fineClock === null) {
    const perf = (globalThis as { performance?: { now(): number } }).performance;
    fineClock = false;
    if (perf !== undefined) {
      // The smallest step the clock shows over a few steps (ms).
      let step = Infinity;
      for (let i = 0; i < 4; i++) {
        const t0 = perf.now();
        let t1 = perf.now();
        for (let spins = 0; t1 === t0 && spins < 100_000; spins++) t1 = perf.now();
        if (t1 > t0) step = Math.min(step, t1 - t0);
      }
      fineClock = step <= 0.001;
    }
  }
  return fineClock;
}

/** The learnt phase of `buffer` (0 or 16), or -1 while unknown. */
export function learntPhaseOf(buffer: ArrayBufferLike): number {
  return learntPhases.get(buffer) ?? -1;
}

/**
 * Copies between this memory and callers' buffers (`TypedArray.prototype.set`, which V8
 * hands to the C library's memmove: on glibc x86-64 `rep movsb` for 2 KiB to 1 MiB) run
 * 15-40 % slower when the two addresses differ by 16 modulo 32 than when they agree
 * (32 KiB tiles into 16 MiB, Node 20 on AMD Zen 4: 10.5 GB/s against 14.5 GB/s; glibc
 * aligns the destination and the microcode then reads the source off its 32-byte lanes).
 * The heap side of a copy can sit anywhere in a little slack, but JavaScript cannot see a
 * caller's address, and allocators differ (glibc serves large buffers at 16 past a page,
 * others at a page; backing stores are 16-aligned), so each caller buffer's address
 * modulo 32 (its phase, 0 or 16) is learnt: the first copies of at least `minBytes` with a
 * buffer alternate between the two heap placements, each timed, and the lower median time
 * per byte decides. Each instance learns one buffer at a time; what they learn is shared. Only speed depends on this;
 * where the clock is coarse (browsers round `performance.now()` to 5-100 µs) nothing is
 * timed and every buffer keeps phase 0. (The codecs' copies of a chunk's streams into the
 * heap gain nothing from it: that source is read once, from memory, whatever its phase;
 * measured on LZ4 and BloscLZ sensor_f4 and poisson_i4, 0.94-1.00x.)
 */
export class AddressPhases {
  /**
   * The buffer being learnt is the one marked with the current generation in `marks`; the
   * time per byte of its copies per candidate, and how many. No reference to a caller's
   * buffer is held (a decoded array of any size must not be kept alive by this, nor by a
   * WeakRef, which keeps its target until the current job ends: a loop decoding chunk
   * after chunk would keep them all).
   */
  private readonly marks = new WeakMap<ArrayBufferLike, number>();
  private generation = 0;
  private readonly times = new Float64Array(2 * PHASE_SAMPLES);
  private taken = 0;

  constructor(private readonly minBytes: number) {}

  /** The phase (0 or 16) of `buffer`'s address modulo 32, or -1 while it is being learnt. */
  phaseOf(buffer: ArrayBufferLike): number {
    const phase = learntPhases.get(buffer);
    if (phase !== undefined) return phase;
    if (this.marks.get(buffer) === this.generation) return -1;
    // A new buffer restarts the learning: one never used again must not hold it.
    if (!clockIsFine()) return 0;
    this.generation++;
    this.marks.set(buffer, this.generation);
    this.taken = 0;
    return -1;
  }

  /** Offset (below PHASE_SPAN) of the heap side of a copy with byte `offset` of a buffer of `phase` (-1: learning). */
  offsetFor(phase: number, offset: number): number {
    const p = phase >= 0 ? phase : (this.taken & 1) << 4;
    return (p + offset) & (PHASE_SPAN - 1);
  }

  /**
   * `dst.set(src, dp)`, timed while the caller buffer's phase (`phase` -1) is learnt; the
   * heap side must have been placed by offsetFor.
   */
  copy(src: Uint8Array, dst: Uint8Array, dp: number, phase: number): void {
    const n = src.length;
    if (phase >= 0 || n < this.minBytes) {
      dst.set(src, dp);
      return;
    }
    const t0 = performance.now();
    dst.set(src, dp);
    this.record(dst.buffer, (performance.now() - t0) / n);
  }

  /** One timed copy into `buffer`, the one being learnt; decide its phase once both candidates have their samples. */
  private record(buffer: ArrayBufferLike, perByte: number): void {
    const candidate = this.taken & 1;
    this.times[candidate * PHASE_SAMPLES + (this.taken >>> 1)] = perByte;
    this.taken++;
    if (this.taken < 2 * PHASE_SAMPLES) return;
    const half = PHASE_SAMPLES >>> 1;
    const zero = this.times.subarray(0, PHASE_SAMPLES).sort()[half]!;
    const sixteen = this.times.subarray(PHASE_SAMPLES).sort()[half]!;
    learntPhases.set(buffer, sixteen < zero ? 16 : 0);
    // No buffer is being learnt now.
    this.generation++;
  }

  /** Forget what this instance is learning and every learnt phase (tests). */
  reset(): void {
    learntPhases = new WeakMap<ArrayBufferLike, number>();
    this.generation++;
    this.taken = 0;
  }
}
