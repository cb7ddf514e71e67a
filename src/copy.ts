/**
 * Copies between private memory and SharedArrayBuffers at memory speed, for every floor:
 * the chunk decoder reading a shared chunk's streams, the codecs copying a stream into the
 * WebAssembly memory, the pool staging inputs and placing outputs.
 */

/** Whether `view` lies in a SharedArrayBuffer. */
export function isShared(view: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && view.buffer instanceof SharedArrayBuffer;
}

/** Copies up to this many bytes are left to `set` whatever the alignment. */
const SHORT_COPY = 256;
/** Private bounce buffers for {@link copyMemory}, one allocation kept between calls. */
const BOUNCE_PIECE = 256 << 10;
const BOUNCE_SLACK = 4096 + 8;
const BOUNCE_B_AT = BOUNCE_PIECE + BOUNCE_SLACK;
let bounce = new Uint8Array(0);

/** How far apart two addresses are modulo 4 KiB (0 = the same low 12 bits). */
function aliasDistance(d: number): number {
  const m = d & 4095;
  return m < 2048 ? m : 4096 - m;
}

/**
 * dst[dp, dp+n) = src[sp, sp+n) at memory speed whatever the alignment. V8 copies between
 * typed arrays through a relaxed-atomic memcpy when either side is a SharedArrayBuffer, and
 * that copy goes byte by byte unless source and destination addresses agree modulo 8
 * (measured on Node 20: 1.6 GB/s against 9-12 GB/s). Such copies go through private
 * buffers placed so that every hop touching shared memory is aligned.
 * The places are also chosen so that no hop copies between addresses with nearly the same
 * low 12 bits, which x86 cores handle several times slower (4K aliasing: a misaligned 256
 * KiB copy measured 2.8 against 35 GB/s). Addresses are known only relative to their
 * buffers, whose large allocations start at one page offset; that is the assumption here.
 */
export function copyMemory(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number): void {
  // The bounds TypedArray.set enforces on the direct path, for the bounced one too (callers
  // check their ranges first: this is never a message a user should see).
  if (!(sp >= 0 && dp >= 0 && n >= 0 && sp + n <= src.length && dp + n <= dst.length)) {
    throw new RangeError(`copy of ${n} bytes from ${sp} of ${src.length} to ${dp} of ${dst.length} is out of bounds`);
  }
  const srcShared = isShared(src);
  const dstShared = isShared(dst);
  const srcAt = src.byteOffset + sp;
  const dstAt = dst.byteOffset + dp;
  // Short copies go byte by byte faster than through the bounce buffers.
  if ((!srcShared && !dstShared) || ((srcAt - dstAt) & 7) === 0 || n <= SHORT_COPY) {
    dst.set(src.subarray(sp, sp + n), dp);
    return;
  }
  if (bounce.length === 0) bounce = new Uint8Array(2 * BOUNCE_B_AT);
  // Bounce positions: qa (for a shared source, aligned with it) and qb (for a shared
  // destination, aligned with it), picked among a few candidates for the largest smallest
  // 4K distance over the hops.
  let qa = -1;
  let qb = -1;
  let best = -1;
  for (let i = 0; i < 16; i++) {
    const a = srcShared ? 256 * i + (srcAt & 7) : -1;
    for (let k = 0; k < (dstShared ? 16 : 1); k++) {
      const b = dstShared ? BOUNCE_B_AT + 256 * k + (dstAt & 7) : -1;
      let worst: number;
      if (a >= 0 && b >= 0) worst = Math.min(aliasDistance(a - srcAt), aliasDistance(b - a), aliasDistance(dstAt - b));
      else if (a >= 0) worst = Math.min(aliasDistance(a - srcAt), aliasDistance(dstAt - a));
      else worst = Math.min(aliasDistance(b - srcAt), aliasDistance(dstAt - b));
      if (worst > best) {
        best = worst;
        qa = a;
        qb = b;
      }
    }
    if (!srcShared) break;
  }
  for (let done = 0; done < n; done += BOUNCE_PIECE) {
    const len = Math.min(BOUNCE_PIECE, n - done);
    let from: Uint8Array = src;
    let at = sp + done;
    if (qa >= 0) {
      bounce.set(src.subarray(at, at + len), qa);
      from = bounce;
      at = qa;
    }
    if (qb >= 0) {
      bounce.set(from.subarray(at, at + len), qb);
      from = bounce;
      at = qb;
    }
    dst.set(from.subarray(at, at + len), dp + done);
  }
}
