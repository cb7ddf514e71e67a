import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BloscError, BloscErrorCode, isBloscError } from '../../src/errors.js';
import { blosclzDecompress, blosclzDecompressReference } from '../../src/codecs/blosclz.js';
import { lz4Decompress, lz4DecompressReference, lz4DecompressUsingDict } from '../../src/codecs/lz4.js';
import { snappyDecompress } from '../../src/codecs/snappy.js';
import { zlibDecompress } from '../../src/codecs/zlib.js';
import { zstdDecompressFzstd, zstdFzstdCodec } from '../../src/codecs/zstd-fzstd.js';
import { load, vectors } from './vectors.js';

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function errorCode(fn: () => void): number | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!isBloscError(e)) throw e;
    return e.code;
  }
}

describe('BloscLZ stream format (spec §6.2.2)', () => {
  it('decodes a literal run, a near match and a trailing literal', () => {
    // literal 'a'; match code 1 (3 bytes) at distance 1; literal 'b'
    const s = bytes(0x00, ...ascii('a'), 0x20, 0x00, 0x00, ...ascii('b'));
    const out = new Uint8Array(5);
    blosclzDecompress(s, 0, s.length, out, 0, 5);
    expect(String.fromCharCode(...out)).toBe('aaaab');
  });

  it('ignores marker bits 5..7 of the first byte', () => {
    const s = bytes(0x21, ...ascii('xy'));
    const out = new Uint8Array(2);
    blosclzDecompress(s, 0, s.length, out, 0, 2);
    expect(String.fromCharCode(...out)).toBe('xy');
  });

  it('decodes a long match (length code 7 plus extension bytes) with an overlap', () => {
    // 'ab' then a match of 7 - 1 + 255 + 10 + 3 = 274 bytes at distance 2, then 'c'
    const s = bytes(0x01, ...ascii('ab'), 0xe0, 255, 10, 0x01, 0x00, ...ascii('c'));
    const out = new Uint8Array(2 + 274 + 1);
    blosclzDecompress(s, 0, s.length, out, 0, out.length);
    const expected = 'ab'.repeat(138) + 'c';
    expect(String.fromCharCode(...out)).toBe(expected);
  });

  it('decodes a far match (distance >= 8192) and rejects one reaching before the output', () => {
    // 8256 literal bytes in 258 runs of 32, then a far match of 4 bytes (length code 2) at
    // distance 8192 + d16 with d16 = 5, then the literal 'z'
    const lit: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < 258; r++) {
      lit.push(31);
      for (let i = 0; i < 32; i++) {
        const b = (r * 7 + i * 13) & 255;
        lit.push(b);
        plain.push(b);
      }
    }
    const stream = (d16: number): Uint8Array => Uint8Array.from([...lit, (2 << 5) | 31, 255, d16 >> 8, d16 & 255, 0x00, 0x7a]);
    const n = plain.length + 4 + 1;
    const expected = [...plain];
    for (let i = 0; i < 4; i++) expected.push(expected[expected.length - 8197]);
    expected.push(0x7a);
    const s = stream(5);
    for (const decode of [blosclzDecompress, blosclzDecompressReference]) {
      const out = new Uint8Array(n);
      decode(s, 0, s.length, out, 0, n);
      expect([...out]).toEqual(expected);
    }
    // d16 = 64 + 1 puts the source one byte before the output start
    const back = stream(65);
    expect(errorCode(() => blosclzDecompress(back, 0, back.length, new Uint8Array(n), 0, n))).toBe(BloscErrorCode.Data);
  });

  it('rejects a near match as the last token, as C does (it needs one more byte)', () => {
    const s = bytes(0x00, ...ascii('a'), 0x20, 0x00);
    expect(errorCode(() => blosclzDecompress(s, 0, s.length, new Uint8Array(4), 0, 4))).toBe(BloscErrorCode.ReadBuffer);
    expect(errorCode(() => blosclzDecompressReference(s, 0, s.length, new Uint8Array(4), 0, 4))).toBe(BloscErrorCode.ReadBuffer);
  });

  it('rejects a match reaching before the output, and output overruns', () => {
    const back = bytes(0x00, ...ascii('a'), 0x20, 0x01, 0x00, ...ascii('b'));
    expect(errorCode(() => blosclzDecompress(back, 0, back.length, new Uint8Array(5), 0, 5))).toBe(BloscErrorCode.Data);
    const lit = bytes(0x03, ...ascii('abcd'));
    expect(errorCode(() => blosclzDecompress(lit, 0, lit.length, new Uint8Array(3), 0, 3))).toBe(BloscErrorCode.WriteBuffer);
    expect(errorCode(() => blosclzDecompress(lit, 0, lit.length, new Uint8Array(5), 0, 5))).toBe(BloscErrorCode.WriteBuffer);
  });

  it('handles an empty stream', () => {
    expect(errorCode(() => blosclzDecompress(new Uint8Array(0), 0, 0, new Uint8Array(0), 0, 0))).toBeNull();
    expect(errorCode(() => blosclzDecompress(new Uint8Array(0), 0, 0, new Uint8Array(1), 0, 1))).toBe(BloscErrorCode.WriteBuffer);
  });
});

describe('LZ4 block format and LZ4_decompress_safe acceptance', () => {
  it('accepts the one-byte empty block only for an empty output', () => {
    expect(errorCode(() => lz4Decompress(bytes(0), 0, 1, new Uint8Array(0), 0, 0))).toBeNull();
    expect(errorCode(() => lz4Decompress(bytes(), 0, 0, new Uint8Array(0), 0, 0))).not.toBeNull();
    expect(errorCode(() => lz4Decompress(bytes(0x10, 0x41), 0, 2, new Uint8Array(0), 0, 0))).not.toBeNull();
    expect(errorCode(() => lz4Decompress(bytes(), 0, 0, new Uint8Array(4), 0, 4))).toBe(BloscErrorCode.ReadBuffer);
  });

  it('decodes literals, an overlapping match and the last literals', () => {
    // 'ab', match of 4 + 6 = 10 bytes at offset 2, then 5 literals 'cdefg'
    const s = bytes(0x26, ...ascii('ab'), 2, 0, 0x50, ...ascii('cdefg'));
    const out = new Uint8Array(17);
    lz4Decompress(s, 0, s.length, out, 0, 17);
    expect(String.fromCharCode(...out)).toBe('ab'.repeat(6) + 'cdefg');
  });

  it('rejects offset 0 (which C turns into unspecified bytes)', () => {
    const s = bytes(0x26, ...ascii('ab'), 0, 0, 0x50, ...ascii('cdefg'));
    expect(errorCode(() => lz4Decompress(s, 0, s.length, new Uint8Array(17), 0, 17))).toBe(BloscErrorCode.Data);
  });

  it('rejects a match ending inside the last 5 bytes outside the C shortcut', () => {
    // 'ab', match of 12 at offset 2, then 3 literals: the match ends 3 bytes before the end
    const s = bytes(0x28, ...ascii('ab'), 2, 0, 0x30, ...ascii('xyz'));
    expect(errorCode(() => lz4Decompress(s, 0, s.length, new Uint8Array(17), 0, 17))).toBe(BloscErrorCode.Data);
    expect(errorCode(() => lz4DecompressReference(s, 0, s.length, new Uint8Array(17), 0, 17))).toBe(BloscErrorCode.Data);
  });

  it('accepts what C accepts through its two-stage shortcut: a last match ending at the output end', () => {
    // 14 literals, then a match of 4 + 14 = 18 bytes at offset 8 that ends exactly at the
    // output end (32 bytes), then an empty last-literals token. C takes its shortcut here
    // (the literals start at input position 1 < 18 - 16, the output position 0 <= 32 - 32)
    // and so never checks the last-5-bytes rule for this match.
    const lits = ascii('ABCDEFGHIJKLMN');
    const s = bytes(0xee, ...lits, 8, 0, 0x00);
    const expected = [...lits];
    for (let i = 0; i < 18; i++) expected.push(expected[expected.length - 8]);
    for (const decode of [lz4Decompress, lz4DecompressReference]) {
      const out = new Uint8Array(32);
      decode(s, 0, s.length, out, 0, 32);
      expect([...out]).toEqual(expected);
    }
    // With offset 7 the shortcut is not taken, and C rejects the same layout.
    const s7 = bytes(0xee, ...lits, 7, 0, 0x00);
    expect(errorCode(() => lz4Decompress(s7, 0, s7.length, new Uint8Array(32), 0, 32))).toBe(BloscErrorCode.Data);
  });

  it('decodes matches that start in an external dictionary and run on into the output', () => {
    const dict = Uint8Array.from(ascii('0123456789'));
    // match of 4 + 8 = 12 bytes at offset 4 (4 bytes into the dict, then 8 from the output),
    // then 5 last literals
    const s = bytes(0x08, 4, 0, 0x50, ...ascii('vwxyz'));
    const out = new Uint8Array(17);
    lz4DecompressUsingDict(s, 0, s.length, out, 0, 17, dict);
    expect(String.fromCharCode(...out)).toBe('678967896789vwxyz');
    expect(errorCode(() => lz4Decompress(s, 0, s.length, new Uint8Array(17), 0, 17))).toBe(BloscErrorCode.Data);
    const tooFar = bytes(0x08, 11, 0, 0x50, ...ascii('vwxyz'));
    expect(errorCode(() => lz4DecompressUsingDict(tooFar, 0, tooFar.length, new Uint8Array(17), 0, 17, dict))).toBe(BloscErrorCode.Data);
  });

  it('decodes C dictionary streams only with their dictionary', () => {
    const v = vectors.find((x) => x.dict !== undefined && x.stream !== undefined && x.name.endsWith('.b1'))!;
    const stream = load(v.stream!);
    const code = errorCode(() => lz4Decompress(stream, 0, stream.length, new Uint8Array(v.neblock), 0, v.neblock));
    expect(code).toBe(BloscErrorCode.Data);
  });
});

describe('zlib via pako', () => {
  const plain = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 13);
  const z = new Uint8Array(deflateSync(plain));

  it('ignores bytes after the end of the zlib stream, like uncompress()', () => {
    const padded = Uint8Array.from([...z, 1, 2, 3]);
    const out = new Uint8Array(plain.length);
    zlibDecompress(padded, 0, padded.length, out, 0, plain.length);
    expect(Buffer.from(out).equals(Buffer.from(plain))).toBe(true);
  });

  it('never expands past the output window (a stream that decodes to much more)', () => {
    const bomb = new Uint8Array(deflateSync(new Uint8Array(50_000_000)));
    expect(bomb.length).toBeLessThan(100_000);
    expect(errorCode(() => zlibDecompress(bomb, 0, bomb.length, new Uint8Array(1000), 0, 1000))).toBe(BloscErrorCode.WriteBuffer);
  });

  it('reports a bad checksum and a short stream', () => {
    const bad = z.slice();
    bad[bad.length - 1] ^= 1;
    expect(errorCode(() => zlibDecompress(bad, 0, bad.length, new Uint8Array(plain.length), 0, plain.length))).toBe(BloscErrorCode.Data);
    expect(errorCode(() => zlibDecompress(z, 0, z.length - 6, new Uint8Array(plain.length), 0, plain.length))).toBe(BloscErrorCode.ReadBuffer);
  });
});

describe('zstd via fzstd', () => {
  const v = vectors.find((x) => x.codec === 'zstd' && x.stream !== undefined && x.neblock === 4096)!;
  const stream = load(v.stream!);

  it('refuses dictionary chunks with CodecSupport', () => {
    const err = (() => {
      try {
        zstdFzstdCodec.decode(stream, 0, stream.length, new Uint8Array(v.neblock), 0, v.neblock, { dict: new Uint8Array(10), meta: 0 });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(BloscError);
    expect((err as BloscError).code).toBe(BloscErrorCode.CodecSupport);
    expect((err as BloscError).message).toBe('unsupported: zstd dictionary');
  });

  it('rejects a frame whose declared content size disagrees with the output, before decoding', () => {
    // A frame header claiming 2^40 bytes: no allocation of that size may happen.
    const lying = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x01, 0, 0]);
    expect(errorCode(() => zstdDecompressFzstd(lying, 0, lying.length, new Uint8Array(100), 0, 100))).toBe(BloscErrorCode.WriteBuffer);
  });

  it('decodes a stream preceded by a skippable frame, and rejects trailing bytes', () => {
    const skip = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9, ...stream]);
    const out = new Uint8Array(v.neblock);
    zstdDecompressFzstd(skip, 0, skip.length, out, 0, v.neblock);
    expect(Buffer.from(out).equals(Buffer.from(load(v.input!)))).toBe(true);
    const trailing = Uint8Array.from([...stream, 0, 0, 0]);
    expect(errorCode(() => zstdDecompressFzstd(trailing, 0, trailing.length, new Uint8Array(v.neblock), 0, v.neblock))).toBe(BloscErrorCode.ReadBuffer);
  });
});

describe('snappy via snappyjs', () => {
  it('rejects a declared length other than the output size, and a short element list', () => {
    // length 5, literal 'abc' only (3 bytes): snappyjs alone would return zero-padded output
    const s = bytes(5, 2 << 2, ...ascii('abc'));
    expect(errorCode(() => snappyDecompress(s, 0, s.length, new Uint8Array(5), 0, 5))).toBe(BloscErrorCode.WriteBuffer);
    expect(errorCode(() => snappyDecompress(s, 0, s.length, new Uint8Array(3), 0, 3))).toBe(BloscErrorCode.WriteBuffer);
  });

  it('rejects a 1-byte-offset copy cut off at the end of the stream', () => {
    const s = bytes(7, 2 << 2, ...ascii('abc'), 0x01);
    expect(errorCode(() => snappyDecompress(s, 0, s.length, new Uint8Array(7), 0, 7))).toBe(BloscErrorCode.ReadBuffer);
    const ok = bytes(7, 2 << 2, ...ascii('abc'), 0x01, 3);
    const out = new Uint8Array(7);
    snappyDecompress(ok, 0, ok.length, out, 0, 7);
    expect(String.fromCharCode(...out)).toBe('abcabca');
  });
});
