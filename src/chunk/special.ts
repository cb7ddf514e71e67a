/**
 * Ported from C-Blosc2 (Blosc/c-blosc2, BSD-3-Clause) blosc/blosc2.c; license in
 * THIRD_PARTY_NOTICES.md.
 *
 * Writers of Blosc2 special-value chunks: a 32-byte header (plus the value, for repeated
 * values) that stands for nbytes of zeros, NaNs, uninitialised memory or one repeated
 * element. Port of c-blosc2 `blosc2_chunk_zeros`, `blosc2_chunk_nans`,
 * `blosc2_chunk_uninit` and `blosc2_chunk_repeatval` (blosc/blosc2.c): version 5, flags
 * 0x05, the blocksize C would compute for the same parameters, every other field 0.
 */
import { BloscErrorCode, fail } from '../errors.js';
import { EXTENDED_HEADER_LENGTH, MAX_BUFFERSIZE, SpecialKind, writeChunkHeader } from '../frame/chunk-header.js';
import { computeBlocksizeBlosc2 } from '../blocking/index.js';
import type { ResolvedCParams } from '../params.js';

function specialChunk(kind: SpecialKind, nbytes: number, p: ResolvedCParams, value: Uint8Array | null): Uint8Array {
  if (!Number.isInteger(nbytes) || nbytes < 0 || nbytes > MAX_BUFFERSIZE) {
    fail(BloscErrorCode.InvalidParam, `nbytes must be an integer in 0..${MAX_BUFFERSIZE}, got ${nbytes}`);
  }
  const typesize = p.typesize;
  if (nbytes % typesize !== 0 && !(kind === SpecialKind.Zero && nbytes === 0)) {
    fail(BloscErrorCode.InvalidParam, `nbytes ${nbytes} must be a multiple of typesize ${typesize}`);
  }
  const blocksize = computeBlocksizeBlosc2({
    clevel: p.clevel, typesize, nbytes, userBlocksize: p.blocksize, codec: p.codec.id, filters: p.filters, splitmode: p.splitmode,
  });
  const out = new Uint8Array(EXTENDED_HEADER_LENGTH + (value === null ? 0 : value.length));
  writeChunkHeader(out, 0, {
    version: 5,
    versionlz: 1,
    flags: 0x05,
    typesize,
    nbytes,
    blocksize,
    cbytes: out.length,
    extended: { filters: [0, 0, 0, 0, 0, 0], filtersMeta: [0, 0, 0, 0, 0, 0], udcompcode: 0, compcodeMeta: 0, blosc2Flags2: 0, blosc2Flags: kind << 4 },
  });
  if (value !== null) out.set(value, EXTENDED_HEADER_LENGTH);
  return out;
}

export function zerosChunk(nbytes: number, p: ResolvedCParams): Uint8Array {
  return specialChunk(SpecialKind.Zero, nbytes, p, null);
}

export function nansChunk(nbytes: number, p: ResolvedCParams): Uint8Array {
  if (p.typesize !== 4 && p.typesize !== 8) fail(BloscErrorCode.InvalidParam, `typesize must be 4 or 8 for a NaN chunk, got ${p.typesize}`);
  return specialChunk(SpecialKind.NaN, nbytes, p, null);
}

export function uninitChunk(nbytes: number, p: ResolvedCParams): Uint8Array {
  return specialChunk(SpecialKind.Uninit, nbytes, p, null);
}

export function repeatValueChunk(nbytes: number, value: Uint8Array, p: ResolvedCParams): Uint8Array {
  if (value.length !== p.typesize) fail(BloscErrorCode.InvalidParam, `value has ${value.length} bytes, typesize is ${p.typesize}`);
  return specialChunk(SpecialKind.Value, nbytes, p, value);
}
