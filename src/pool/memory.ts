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

export function isShared(view: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && view.buffer instanceof SharedArrayBuffer;
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
  let best = -1;
  for (let i = 0; i < idleStaging.length; i++) {
    const size = idleStaging[i]!.byteLength;
    if (size >= length && (best < 0 || size < idleStaging[best]!.byteLength)) best = i;
  }
  const buffer = best >= 0 ? idleStaging.splice(best, 1)[0]! : new SharedArrayBuffer(Math.max(length, 1));
  return new Uint8Array(buffer, 0, length);
}

export function releaseStaging(view: Uint8Array): void {
  const buffer = view.buffer;
  if (!(buffer instanceof SharedArrayBuffer) || idleStaging.includes(buffer)) return;
  idleStaging.push(buffer);
  // Keep the largest few.
  idleStaging.sort((a, b) => b.byteLength - a.byteLength);
  idleStaging.length = Math.min(idleStaging.length, MAX_IDLE_STAGING);
}

/** Let the staging buffers go (with the pool's shutdown). */
export function dropStaging(): void {
  idleStaging.length = 0;
}

/** `bytes` itself when it already lives in shared memory, else a copy in a staging buffer. */
export function stageShared(bytes: Uint8Array): { view: Uint8Array; staged: boolean } {
  if (isShared(bytes)) return { view: bytes, staged: false };
  const view = acquireStaging(bytes.length);
  view.set(bytes);
  return { view, staged: true };
}

/** Bytes of any typed array or buffer view, without copying, as a plain Uint8Array. */
export function bytesOf(src: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
}

/** The element size of a typed array (the default typesize), undefined for bytes and DataViews. */
export function elementSize(src: ArrayBufferView | ArrayBuffer): number | undefined {
  if (src instanceof Uint8Array || src instanceof ArrayBuffer || src instanceof DataView) return undefined;
  const bpe = (src as { BYTES_PER_ELEMENT?: unknown }).BYTES_PER_ELEMENT;
  return typeof bpe === 'number' ? bpe : undefined;
}
