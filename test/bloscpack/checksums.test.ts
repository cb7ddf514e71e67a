import { createHash } from 'node:crypto';
import { deflateSync, crc32 as nodeCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adler32, bloscpackDigest, crc32, digestMatches, digestSize, md5, sha1, sha224, sha256, sha384, sha512, CHECKSUM_NAMES } from '../../src/bloscpack/checksums.js';
import { seededBytes } from '../helpers.js';

/** Plain definition of Adler-32 (no deferred modulo), as a reference for the batched loop. */
function adler32Reference(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

const hashes = { md5, sha1, sha224, sha256, sha384, sha512 } as const;
// Lengths around every padding boundary of 64- and 128-byte blocks.
const lengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 127, 128, 129, 239, 240, 1000, 70_000];

const bytes = seededBytes;

describe('bloscpack checksums', () => {
  for (const [name, fn] of Object.entries(hashes)) {
    it(`${name} matches node:crypto at padding boundaries`, () => {
      for (const n of lengths) {
        const d = bytes(n, n + 1);
        expect(hex(fn(d)), `${name} length ${n}`).toBe(createHash(name).update(d).digest('hex'));
      }
    });
  }

  it('hash views into a larger buffer (odd offsets) by their own bytes only', () => {
    const big = bytes(5000, 42);
    for (const [name, fn] of Object.entries(hashes)) {
      for (const [start, n] of [[3, 200], [1, 4096], [7, 0], [129, 4000]] as const) {
        const view = big.subarray(start, start + n);
        expect(hex(fn(view)), `${name} ${start}+${n}`).toBe(createHash(name).update(view).digest('hex'));
      }
    }
  });

  it('md5/sha1/sha256/sha512 match node:crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (d) => {
        for (const [name, fn] of Object.entries(hashes)) expect(hex(fn(d))).toBe(createHash(name).update(d).digest('hex'));
      }),
      { numRuns: 60 },
    );
  });

  it('adler32 equals the plain definition and the trailer of a zlib stream', () => {
    for (const n of [0, 1, 5551, 5552, 5553, 100_000]) {
      const d = n === 100_000 ? new Uint8Array(n).fill(255) : bytes(n, 7);
      expect(adler32(d)).toBe(adler32Reference(d));
      const z = deflateSync(d);
      expect(adler32(d)).toBe(z.readUInt32BE(z.length - 4));
    }
  });

  it('crc32 equals node zlib', () => {
    for (const n of lengths) {
      const d = bytes(n, 3);
      expect(crc32(d)).toBe(nodeCrc32(d));
    }
  });

  it('digests have the sizes bloscpack stores, adler32/crc32 little-endian', () => {
    const d = bytes(300, 9);
    for (const name of CHECKSUM_NAMES) expect(bloscpackDigest(name, d).length).toBe(digestSize(name));
    expect(Buffer.from(bloscpackDigest('adler32', d)).readUInt32LE(0)).toBe(adler32Reference(d));
    expect(Buffer.from(bloscpackDigest('crc32', d)).readUInt32LE(0)).toBe(nodeCrc32(d));
    const bad = bloscpackDigest('sha256', d);
    bad[5]! ^= 1;
    expect(digestMatches('sha256', d, bad)).toBe(false);
    expect(digestMatches('sha256', d, bloscpackDigest('sha256', d))).toBe(true);
  });
});
