import { describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import {
  CodecFormat,
  CodecId,
  blosclzCodec,
  codecForFormat,
  getCodec,
  getCodecByName,
  listCodecs,
  lz4Codec,
  lz4hcCodec,
  replaceBuiltinCodec,
  snappyCodec,
  zlibCodec,
  zstdCodec,
  zstdFzstdCodec,
} from '../../src/codecs/index.js';
import type { Codec } from '../../src/codecs/index.js';

describe('built-in codec registration', () => {
  it('registers the six built-ins under their C ids, format codes and names', () => {
    const table: [Codec, number, number, string][] = [
      [blosclzCodec, 0, 0, 'blosclz'],
      [lz4Codec, 1, 1, 'lz4'],
      [lz4hcCodec, 2, 1, 'lz4hc'],
      [snappyCodec, 3, 2, 'snappy'],
      [zlibCodec, 4, 3, 'zlib'],
      [zstdCodec, 5, 4, 'zstd'],
    ];
    for (const [codec, id, format, name] of table) {
      expect(codec.id).toBe(id);
      expect(codec.format).toBe(format);
      expect(codec.name).toBe(name);
      expect(getCodec(id)).toBe(codec);
      expect(getCodecByName(name)).toBe(codec);
    }
    expect(listCodecs().map((c) => c.id)).toEqual(expect.arrayContaining([0, 1, 2, 3, 4, 5]));
  });

  it('maps flags-byte format codes to their decoders', () => {
    expect(codecForFormat(CodecFormat.BloscLZ)).toBe(blosclzCodec);
    expect(codecForFormat(CodecFormat.LZ4)).toBe(lz4Codec);
    expect(codecForFormat(CodecFormat.Snappy)).toBe(snappyCodec);
    expect(codecForFormat(CodecFormat.Zlib)).toBe(zlibCodec);
    expect(codecForFormat(CodecFormat.Zstd)).toBe(zstdCodec);
  });

  it('raises CodecSupport naming the format code for anything else', () => {
    for (const code of [5, 6, 7, -1, 1.5]) {
      let err: unknown = null;
      try {
        codecForFormat(code);
      } catch (e) {
        err = e;
      }
      expect(isBloscError(err, BloscErrorCode.CodecSupport)).toBe(true);
      expect((err as Error).message).toContain(String(code));
    }
  });

  it('follows a replaced built-in', () => {
    replaceBuiltinCodec(zstdFzstdCodec);
    try {
      expect(codecForFormat(CodecFormat.Zstd)).toBe(zstdFzstdCodec);
    } finally {
      replaceBuiltinCodec(zstdCodec);
    }
    expect(codecForFormat(CodecFormat.Zstd)).toBe(zstdCodec);
    expect(CodecId.Zstd).toBe(5);
  });
});
