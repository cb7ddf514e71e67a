import { describe, expect, it } from 'vitest';
import { blosclzDecompress, blosclzDecompressReference } from '../../src/codecs/blosclz.js';
import { lz4Decompress, lz4DecompressReference, lz4DecompressUsingDict } from '../../src/codecs/lz4.js';
import { snappyDecompress } from '../../src/codecs/snappy.js';
import { zlibDecompress } from '../../src/codecs/zlib.js';
import { zstdDecompressFzstd } from '../../src/codecs/zstd-fzstd.js';
import { load, matchesInput, vectors, type Vector } from './vectors.js';

type Decoder = (src: Uint8Array, sp: number, sn: number, dst: Uint8Array, dp: number, dn: number) => void;

function decoderFor(v: Vector): Decoder {
  switch (v.codec) {
    case 'blosclz':
      return blosclzDecompress;
    case 'lz4':
    case 'lz4hc': {
      if (v.dict === undefined) return lz4Decompress;
      const dict = load(v.dict);
      return (s, sp, sn, d, dp, dn) => lz4DecompressUsingDict(s, sp, sn, d, dp, dn, dict);
    }
    case 'zlib':
      return zlibDecompress;
    case 'zstd':
      return zstdDecompressFzstd;
    case 'snappy':
      return snappyDecompress;
  }
}

const streams = vectors.filter((v) => v.stream !== undefined);

describe('decoding streams made by the C libraries', () => {
  it('has vectors for every codec and library', () => {
    const kinds = new Set(streams.map((v) => `${v.lib}/${v.codec}`));
    for (const k of ['blosc1/blosclz', 'blosc2/blosclz', 'blosc1/lz4', 'blosc2/lz4', 'blosc2/lz4hc', 'blosc1/zlib', 'blosc2/zlib', 'blosc1/zstd', 'blosc2/zstd', 'libsnappy/snappy']) {
      expect(kinds.has(k), k).toBe(true);
    }
    expect(streams.some((v) => v.dict !== undefined)).toBe(true);
  });

  it.each(streams.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const stream = load(v.stream!);
    const decode = decoderFor(v);
    // Decode at an offset inside larger buffers, with guard bytes around the output window.
    const src = new Uint8Array(stream.length + 7);
    src.set(stream, 3);
    const dst = new Uint8Array(v.neblock + 10).fill(0xa5);
    decode(src, 3, stream.length, dst, 5, v.neblock);
    expect(matchesInput(v, dst.subarray(5, 5 + v.neblock))).toBe(true);
    expect([...dst.subarray(0, 5), ...dst.subarray(5 + v.neblock)].every((b) => b === 0xa5)).toBe(true);
  });
});

describe('reference decoders agree with the fast ones on C streams', () => {
  it.each(streams.filter((v) => v.codec === 'blosclz').map((v) => [v.name, v] as const))('blosclz %s', (_n, v) => {
    const stream = load(v.stream!);
    const out = new Uint8Array(v.neblock);
    blosclzDecompressReference(stream, 0, stream.length, out, 0, v.neblock);
    expect(matchesInput(v, out)).toBe(true);
  });
  it.each(streams.filter((v) => v.codec.startsWith('lz4')).map((v) => [v.name, v] as const))('lz4 %s', (_n, v) => {
    const stream = load(v.stream!);
    const out = new Uint8Array(v.neblock);
    lz4DecompressReference(stream, 0, stream.length, out, 0, v.neblock, v.dict === undefined ? undefined : load(v.dict));
    expect(matchesInput(v, out)).toBe(true);
  });
});
