import { BloscErrorCode, fail } from '../errors.js';

/**
 * Entry checks shared by the codecs: the (offset, length) windows a caller hands to a
 * codec must lie inside the arrays, so that every later bounds check can be done against
 * the window ends alone.
 */
export function checkDecodeRanges(
  codec: string,
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  dn: number,
): void {
  if (!(sp >= 0 && sn >= 0 && sp + sn <= src.length && Number.isInteger(sp) && Number.isInteger(sn))) {
    fail(BloscErrorCode.ReadBuffer, `${codec}: source window [${sp}, ${sp + sn}) is outside the ${src.length}-byte input`);
  }
  if (!(dp >= 0 && dn >= 0 && dp + dn <= dst.length && Number.isInteger(dp) && Number.isInteger(dn))) {
    fail(BloscErrorCode.WriteBuffer, `${codec}: destination window [${dp}, ${dp + dn}) is outside the ${dst.length}-byte output`);
  }
}

export function checkEncodeRanges(
  codec: string,
  src: Uint8Array,
  sp: number,
  sn: number,
  dst: Uint8Array,
  dp: number,
  cap: number,
): void {
  if (!(sp >= 0 && sn >= 0 && sp + sn <= src.length && Number.isInteger(sp) && Number.isInteger(sn))) {
    fail(BloscErrorCode.ReadBuffer, `${codec}: source window [${sp}, ${sp + sn}) is outside the ${src.length}-byte input`);
  }
  if (!(dp >= 0 && cap >= 0 && dp + cap <= dst.length && Number.isInteger(dp) && Number.isInteger(cap))) {
    fail(BloscErrorCode.WriteBuffer, `${codec}: destination window [${dp}, ${dp + cap}) is outside the ${dst.length}-byte output`);
  }
}

/** Raise the error every codec uses when a stream decodes to a different size than expected. */
export function failDecodedSize(codec: string, got: number, expected: number): never {
  fail(BloscErrorCode.WriteBuffer, `${codec}: stream decodes to ${got} bytes, expected ${expected}`);
}
