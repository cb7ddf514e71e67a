/**
 * Ported from bloscpack 0.16.0 (Blosc/bloscpack, BSD-3-Clause) file_io.py, metacodecs.py;
 * license in THIRD_PARTY_NOTICES.md.
 *
 * The metadata section: header, stored (zlib or plain) JSON, preallocated room and digest
 * (file_io.py `_write_metadata`/`_read_metadata`).
 */
import { zlibCompress, zlibDecompress } from '../codecs/zlib.js';
import { BloscErrorCode, fail } from '../errors.js';
import { METADATA_HEADER_LENGTH, checksumId, writeMetadataHeader, type ChecksumName, type MetaCodecName, type MetadataHeader } from '../frame/bloscpack.js';
import { allocBytes, checkOutput, outputCeiling } from '../limits.js';
import { bloscpackDigest, digestMatches } from './checksums.js';
import { pythonJsonDumps, type JsonValue } from './json.js';

/** deflate's largest expansion (RFC 1951: a 258-byte match costs at least 2 bits): 1032 to 1. */
const ZLIB_MAX_RATIO = 1032;

interface MetaSettings {
  readonly checksum: ChecksumName;
  readonly codec: MetaCodecName;
  readonly level: number;
  readonly maxMetaSize: number | ((metaSize: number) => number);
}

/** The whole metadata section: header, stored bytes, preallocated zeros, digest (`_write_metadata`). */
export function encodeMetadataSection(metadata: JsonValue, settings: Partial<MetaSettings> = {}): Uint8Array {
  const checksum = settings.checksum ?? 'adler32';
  checksumId(checksum);
  let codec: MetaCodecName = settings.codec ?? 'zlib';
  const level = settings.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) fail(BloscErrorCode.InvalidParam, `metaLevel must be 0..9, got ${level}`);
  const serialized = new TextEncoder().encode(pythonJsonDumps(metadata));
  const metaSize = serialized.length;
  let stored = serialized;
  if (codec === 'zlib') {
    // zlib's compressBound for this size, so a stream that grows still fits.
    const cap = metaSize + (metaSize >>> 12) + (metaSize >>> 14) + (metaSize >>> 25) + 13 + 6;
    const out = new Uint8Array(cap);
    const n = zlibCompress(serialized, 0, metaSize, out, 0, cap, level);
    // bloscpack keeps the compressed form unless it is strictly larger.
    if (n === 0 || n > metaSize) codec = 'None';
    else stored = out.subarray(0, n);
  } else if (codec !== 'None') {
    fail(BloscErrorCode.InvalidParam, `metaCodec must be 'zlib' or 'None', got ${String(codec)}`);
  }
  const maxOpt = settings.maxMetaSize ?? ((n: number) => 10 * n);
  const maxMetaSize = typeof maxOpt === 'function' ? maxOpt(metaSize) : maxOpt;
  if (!Number.isInteger(maxMetaSize) || maxMetaSize < stored.length) {
    fail(BloscErrorCode.InvalidParam, `metadata section too small: ${stored.length} bytes needed, ${maxMetaSize} reserved`);
  }
  const mh: MetadataHeader = {
    magicFormat: 'JSON',
    metaChecksum: checksum,
    metaCodec: codec,
    metaLevel: level,
    metaSize,
    maxMetaSize,
    metaCompSize: stored.length,
    userCodec: '',
  };
  const digest = bloscpackDigest(checksum, stored);
  const out = new Uint8Array(METADATA_HEADER_LENGTH + maxMetaSize + digest.length);
  out.set(writeMetadataHeader(mh), 0);
  out.set(stored, METADATA_HEADER_LENGTH);
  out.set(digest, METADATA_HEADER_LENGTH + maxMetaSize);
  return out;
}

/** Check the digest, decompress and parse stored metadata (`_read_metadata`). */
export function decodeMetadata(mh: MetadataHeader, stored: Uint8Array, digest: Uint8Array): JsonValue {
  if (mh.magicFormat !== 'JSON') fail(BloscErrorCode.InvalidHeader, `unknown metadata serializer '${mh.magicFormat}'`);
  if (!digestMatches(mh.metaChecksum, stored, digest)) {
    fail(BloscErrorCode.Data, `metadata checksum mismatch (${mh.metaChecksum})`);
  }
  let raw = stored;
  if (mh.metaCodec === 'zlib') {
    // meta_size is a claim: zlib cannot expand the stored bytes past 1032×, nor may it
    // exceed the output ceiling. Checked before the buffer is allocated.
    if (mh.metaSize > stored.length * ZLIB_MAX_RATIO) {
      fail(BloscErrorCode.InvalidHeader, `meta_size ${mh.metaSize} cannot come from ${stored.length} bytes of zlib data`);
    }
    checkOutput(mh.metaSize, outputCeiling(undefined), 'bloscpack metadata');
    raw = allocBytes(mh.metaSize, 'bloscpack metadata');
    zlibDecompress(stored, 0, stored.length, raw, 0, mh.metaSize);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (e) {
    return fail(BloscErrorCode.Data, 'metadata is not valid UTF-8', { cause: e });
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (e) {
    return fail(BloscErrorCode.Data, `metadata is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}
