/**
 * The LZ match copy shared by the decoders: `len` bytes from `dist` bytes back, with
 * forward-copy semantics (an overlapping source repeats the last `dist` bytes).
 * Short matches are copied byte by byte (a copyWithin call costs more than that); long ones
 * use fill (dist 1), one copyWithin (no overlap), or copyWithin over doubling spans (each
 * span's source lies wholly before its destination, so memmove semantics are harmless).
 */
/** Matches at least this long are copied with copyWithin / fill. */
export const COPY_WITHIN_MIN = 32;

export function copyMatch(dst: Uint8Array, op: number, dist: number, len: number): void {
  let ref = op - dist;
  if (len < COPY_WITHIN_MIN) {
    const end = op + len;
    while (op < end) dst[op++] = dst[ref++];
  } else if (dist >= len) {
    dst.copyWithin(op, ref, ref + len);
  } else if (dist === 1) {
    dst.fill(dst[ref], op, op + len);
  } else {
    const end = op + len;
    let span = dist;
    while (op + span < end) {
      dst.copyWithin(op, ref, ref + span);
      op += span;
      span += span;
    }
    dst.copyWithin(op, ref, ref + (end - op));
  }
}
