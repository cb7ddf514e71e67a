/** Shared memory where the runtime has it (cross-origin-isolated pages, Node, Deno, Bun). */

let sharedMemoryEnabled = true;

/** Turn the use of shared memory off (and on again), as in a page that is not cross-origin isolated. */
export function setSharedMemoryEnabled(enabled: boolean): void {
  sharedMemoryEnabled = enabled;
}

export function sharedMemoryAvailable(): boolean {
  if (!sharedMemoryEnabled) return false;
  if (typeof SharedArrayBuffer !== 'function') return false;
  // A page that is not cross-origin isolated may still see the constructor but cannot post one.
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
}

export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

/**
 * Staging buffers: shared memory the pool copies inputs into, kept for the next call.
 * A fresh SharedArrayBuffer costs a page fault per 4 KiB on first touch, which for tens of
 * MiB is as slow as decoding them, so a call borrows one and gives it back.
 */
const idleStaging: SharedArrayBuffer[] = [];
const MAX_IDLE_STAGING = 4;

/** A shared view of `length` bytes from the staging buffers (contents undefined); give it back with `releaseStaging`. */
export function acquireStaging(length: number): Uint8Array {
  scheduleIdleDrop();
  let best = -1;
  for (let i = 0; i < idleStaging.length; i++) {
    const size = idleStaging[i]!.byteLength;
    if (size >= length && (best < 0 || size < idleStaging[best]!.byteLength)) best = i;
  }
  // A new buffer gets room to grow, as transferable ones do (transferableSize): the shares
  // staged change size from call to call as the split moves, and an encode one block larger
  // than the last got two new 36 MB buffers (64 MiB LZ4), faulted in page by page.
  const buffer = best >= 0 ? idleStaging.splice(best, 1)[0]! : new SharedArrayBuffer(transferableSize(length));
  return new Uint8Array(buffer, 0, length);
}

export function releaseStaging(view: Uint8Array): void {
  const buffer = view.buffer;
  if (!(buffer instanceof SharedArrayBuffer) || idleStaging.includes(buffer)) return;
  idleStaging.push(buffer);
  // Keep the largest few.
  idleStaging.sort((a, b) => b.byteLength - a.byteLength);
  idleStaging.length = Math.min(idleStaging.length, MAX_IDLE_STAGING);
  scheduleIdleDrop();
}

/**
 * Private buffers that travel to a worker by transfer and come back with its answer: the
 * input of a job copied here is read by the worker as ordinary memory (V8 reads some shared
 * memory paths, such as misaligned copies out of it, several times slower), and the pages
 * stay mapped from one call to the next.
 */
const idleTransfer: ArrayBuffer[] = [];
/**
 * A parallel call stages each worker's share in several pieces (and an encode keeps the
 * calling thread's blocks in one more buffer): enough are kept for a few such calls, so that
 * no call faults fresh pages in on the calling thread. Let go after IDLE_OUTPUT_MS idle.
 */
const MAX_IDLE_TRANSFER = 32;
const MAX_IDLE_TRANSFER_BYTES = 256 << 20;
let idleTransferBytes = 0;

/**
 * Room a new transferable buffer gets beyond the `length` asked for: a quarter more (from
 * 64 KiB up, in whole 64 KiB). The pieces a parallel call stages change size from call to
 * call as the split between the threads moves (it is learnt per call, and on a busy machine
 * it moves a lot), and a piece a little larger than the idle buffers got a new one, whose
 * pages fault in on the calling thread as it copies: about one 6-7 MB buffer per LZ4 decode
 * of 64 MiB, measured on a busy machine. Pages never written cost nothing.
 */
function transferableSize(length: number): number {
  if (length < 1 << 16) return Math.max(length, 1);
  return Math.ceil((length * 1.25) / (1 << 16)) * (1 << 16);
}

/** A private buffer of at least `length` bytes (not much more: a small job does not take a large one). */
export function acquireTransferable(length: number): ArrayBuffer {
  scheduleIdleDrop();
  let best = -1;
  for (let i = 0; i < idleTransfer.length; i++) {
    const size = idleTransfer[i]!.byteLength;
    if (size >= length && size <= 2 * length + (1 << 20) && (best < 0 || size < idleTransfer[best]!.byteLength)) best = i;
  }
  if (best < 0) return new ArrayBuffer(transferableSize(length));
  const buffer = idleTransfer.splice(best, 1)[0]!;
  idleTransferBytes -= buffer.byteLength;
  return buffer;
}

export function releaseTransferable(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0 || idleTransfer.includes(buffer)) return;
  if (idleTransfer.length >= MAX_IDLE_TRANSFER || idleTransferBytes + buffer.byteLength > MAX_IDLE_TRANSFER_BYTES) return;
  idleTransfer.push(buffer);
  idleTransferBytes += buffer.byteLength;
  scheduleIdleDrop();
}

/**
 * Shared outputs lent to decoded chunks (whole-chunk decodes with `reuseOutputs`). A fresh
 * buffer per decoded chunk costs a page fault per 4 KiB on first write and a collection to
 * free it, which for a zarr reader's 2 MiB chunks is most of a fast codec's decoding time
 * (measured: lz4 chunks decoded 3× faster into a reused buffer than into fresh ones). So a
 * chunk is decoded into one of these, and this thread receives it through the worker's
 * answer, as a SharedArrayBuffer object of its own over the same memory: once that object
 * is collected, nothing on this thread can reach the memory any more (a FinalizationRegistry
 * tells), and it is lent again. Only what another thread was sent escapes this: a decoded
 * chunk posted to another thread must be copied first.
 */
const idleOutputs: SharedArrayBuffer[] = [];
let idleOutputBytes = 0;
/** Idle outputs kept: a zarr read of 64 chunks of 2 MiB lends about that many between collections. */
const MAX_IDLE_OUTPUT_BYTES = 256 << 20;
/**
 * Private buffers the compressed chunks of whole-chunk decodes are copied into, moved to the
 * worker and moved back with its answer: a reader's chunks stay its store's (they cannot be
 * moved), and a fresh copy each faults its pages in on this thread, the busiest one.
 */
const idleInputs: ArrayBuffer[] = [];
let idleInputBytes = 0;
const MAX_IDLE_INPUT_BYTES = 64 << 20;

/** A private buffer of at least `length` bytes (at most twice that) for a chunk's copy. */
export function acquireInput(length: number): ArrayBuffer {
  scheduleIdleDrop();
  let best = -1;
  for (let i = 0; i < idleInputs.length; i++) {
    const size = idleInputs[i]!.byteLength;
    if (size >= length && size <= 2 * length && (best < 0 || size < idleInputs[best]!.byteLength)) best = i;
  }
  if (best < 0) return new ArrayBuffer(Math.max(length, 1));
  const buffer = idleInputs.splice(best, 1)[0]!;
  idleInputBytes -= buffer.byteLength;
  return buffer;
}

/** Idle inputs waiting for a chunk's copy (for tests). */
export function idleInputCount(): number {
  return idleInputs.length;
}

/** Take back a chunk's copy the worker moved back. */
export function releaseInput(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0 || idleInputBytes + buffer.byteLength > MAX_IDLE_INPUT_BYTES || idleInputs.includes(buffer)) return;
  idleInputs.push(buffer);
  idleInputBytes += buffer.byteLength;
  scheduleIdleDrop();
}

/** Idle staging buffers, inputs and outputs are let go when none was used for this long. */
const IDLE_OUTPUT_MS = 2000;
let idleOutputTimer: ReturnType<typeof setTimeout> | null = null;
/** When idle memory was last lent or taken back; the timer checks it when it fires. */
let lastIdleUse = 0;

const lentOutputs = new FinalizationRegistry<SharedArrayBuffer>((buffer) => releaseOutput(buffer));

/**
 * Let idle inputs and outputs go IDLE_OUTPUT_MS after their last use. One timer, armed
 * once and re-armed for the rest of the time when it fires early: a zarr read lends and
 * takes back memory four times per chunk, and a timer cleared and set each time was a
 * measurable part of this thread's work per chunk (Node allocates and links a timer each).
 */
function scheduleIdleDrop(): void {
  lastIdleUse = Date.now();
  if (idleOutputTimer === null) armIdleDrop(IDLE_OUTPUT_MS);
}

function armIdleDrop(ms: number): void {
  idleOutputTimer = setTimeout(() => {
    idleOutputTimer = null;
    const rest = lastIdleUse + IDLE_OUTPUT_MS - Date.now();
    if (rest > 0) {
      armIdleDrop(rest);
      return;
    }
    idleOutputs.length = 0;
    idleOutputBytes = 0;
    idleInputs.length = 0;
    idleInputBytes = 0;
    idleTransfer.length = 0;
    idleTransferBytes = 0;
    // The staging buffers too: a parallel call on a 64 MiB chunk stages tens of MB there.
    idleStaging.length = 0;
  }, ms);
  // Never keep Node, Bun or Deno running for this.
  if (typeof idleOutputTimer === 'number') (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(idleOutputTimer);
  else (idleOutputTimer as { unref?: () => void }).unref?.();
}

/** A shared buffer of exactly `length` bytes to decode a chunk into: an idle one, else a new one. */
export function acquireOutput(length: number): SharedArrayBuffer {
  scheduleIdleDrop();
  for (let i = idleOutputs.length - 1; i >= 0; i--) {
    const buffer = idleOutputs[i]!;
    if (buffer.byteLength !== length) continue;
    idleOutputs.splice(i, 1);
    idleOutputBytes -= length;
    return buffer;
  }
  return new SharedArrayBuffer(length);
}

/** Idle outputs waiting to be lent (for tests). */
export function idleOutputCount(): number {
  return idleOutputs.length;
}

/** Take back an output nothing on this thread references (or one whose decode failed). */
export function releaseOutput(buffer: SharedArrayBuffer): void {
  if (idleOutputBytes + buffer.byteLength > MAX_IDLE_OUTPUT_BYTES || idleOutputs.includes(buffer)) return;
  idleOutputs.push(buffer);
  idleOutputBytes += buffer.byteLength;
  // Also after the last decode (a late collection): idle memory is never kept for good.
  scheduleIdleDrop();
}

/**
 * Hand `decoded` (the worker's view of `buffer`, received by this thread as a SharedArrayBuffer
 * object of its own) to the caller; `buffer` is lent again once that object is collected.
 */
export function lendOutput(decoded: Uint8Array, buffer: SharedArrayBuffer): Uint8Array {
  // The same object would mean the caller holds ours: then the memory is simply theirs.
  if (decoded.buffer !== buffer) lentOutputs.register(decoded.buffer, buffer);
  return decoded;
}

/** Let the staging buffers and idle outputs go (with the pool's shutdown). */
export function dropStaging(): void {
  idleStaging.length = 0;
  idleTransfer.length = 0;
  idleTransferBytes = 0;
  idleOutputs.length = 0;
  idleOutputBytes = 0;
  idleInputs.length = 0;
  idleInputBytes = 0;
  if (idleOutputTimer !== null) clearTimeout(idleOutputTimer);
  idleOutputTimer = null;
}
