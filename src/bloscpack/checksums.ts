/**
 * The digests bloscpack stores after each chunk and after the metadata
 * (bloscpack/checksums.py): adler32 and crc32 as little-endian uint32 (zlib's values),
 * md5, sha1, sha224, sha256, sha384, sha512 as their raw digests. Pure TypeScript and
 * synchronous, so the same code runs in browsers (WebCrypto's digest is async and has no md5).
 */
import { adler32 as adler32Range } from '../codecs/deflate/deflate.js';
import { BloscErrorCode, fail } from '../errors.js';
import { CHECKSUM_NAMES, CHECKSUM_SIZES, checksumId, type ChecksumName } from '../frame/bloscpack.js';

export { CHECKSUM_NAMES, type ChecksumName };

/** zlib `adler32(1, data)` (the deflate encoder's, src/codecs/deflate/deflate.ts). */
export function adler32(data: Uint8Array): number {
  return adler32Range(data, 0, data.length);
}

let crcTable: Int32Array | null = null;

function getCrcTable(): Int32Array {
  if (crcTable !== null) return crcTable;
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  crcTable = t;
  return t;
}

/** zlib `crc32(0, data)` (reflected polynomial 0xEDB88320). */
export function crc32(data: Uint8Array): number {
  const t = getCrcTable();
  let c = -1;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * The last block(s) of a message for MD5 and the SHA family: the bytes after the last full
 * block, 0x80, zeros and the bit length (64 or 128 bits). Full blocks are hashed in place.
 */
function paddedTail(data: Uint8Array, blockBytes: number, bigEndianLength: boolean): Uint8Array {
  const lenBytes = blockBytes === 128 ? 16 : 8;
  const rem = data.length % blockBytes;
  const total = Math.ceil((rem + 1 + lenBytes) / blockBytes) * blockBytes;
  const m = new Uint8Array(total);
  m.set(data.subarray(data.length - rem));
  m[rem] = 0x80;
  const bitsLo = (data.length * 8) >>> 0;
  const bitsHi = Math.floor(data.length / 0x2000_0000);
  const dv = new DataView(m.buffer);
  if (bigEndianLength) {
    dv.setUint32(total - 4, bitsLo);
    dv.setUint32(total - 8, bitsHi);
  } else {
    dv.setUint32(total - lenBytes, bitsLo, true);
    dv.setUint32(total - lenBytes + 4, bitsHi, true);
  }
  return m;
}

function fullBlocks(data: Uint8Array, blockBytes: number): DataView {
  return new DataView(data.buffer, data.byteOffset, data.length - (data.length % blockBytes));
}

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
let md5K: Int32Array | null = null;

function md5Blocks(h: Int32Array, w: Int32Array, K: Int32Array, dv: DataView): void {
  for (let off = 0; off < dv.byteLength; off += 64) {
    for (let j = 0; j < 16; j++) w[j] = dv.getInt32(off + 4 * j, true);
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = MD5_S[((i >> 4) << 2) | (i & 3)]!;
      const x = (a + f + K[i]! + w[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
  }
}

/** RFC 1321. */
export function md5(data: Uint8Array): Uint8Array {
  if (md5K === null) {
    md5K = new Int32Array(64);
    for (let i = 0; i < 64; i++) md5K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 0x1_0000_0000) | 0;
  }
  const h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
  const w = new Int32Array(16);
  md5Blocks(h, w, md5K, fullBlocks(data, 64));
  md5Blocks(h, w, md5K, new DataView(paddedTail(data, 64, false).buffer));
  const out = new Uint8Array(16);
  const odv = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) odv.setInt32(4 * i, h[i]!, true);
  return out;
}

function sha1Blocks(h: Int32Array, w: Int32Array, dv: DataView): void {
  for (let off = 0; off < dv.byteLength; off += 64) {
    for (let j = 0; j < 16; j++) w[j] = dv.getInt32(off + 4 * j);
    for (let j = 16; j < 80; j++) {
      const x = w[j - 3]! ^ w[j - 8]! ^ w[j - 14]! ^ w[j - 16]!;
      w[j] = (x << 1) | (x >>> 31);
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    for (let j = 0; j < 80; j++) {
      let f: number;
      let k: number;
      if (j < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (j < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (j < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[j]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = t;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
}

/** FIPS 180-4 SHA-1. */
export function sha1(data: Uint8Array): Uint8Array {
  const h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0]);
  const w = new Int32Array(80);
  sha1Blocks(h, w, fullBlocks(data, 64));
  sha1Blocks(h, w, new DataView(paddedTail(data, 64, true).buffer));
  return wordsBE(h, 5);
}

function wordsBE(h: Int32Array, n: number): Uint8Array {
  const out = new Uint8Array(4 * n);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) dv.setInt32(4 * i, h[i]!);
  return out;
}

const SHA256_K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256Blocks(h: Int32Array, w: Int32Array, dv: DataView): void {
  for (let off = 0; off < dv.byteLength; off += 64) {
    for (let j = 0; j < 16; j++) w[j] = dv.getInt32(off + 4 * j);
    for (let j = 16; j < 64; j++) {
      const x = w[j - 15]!;
      const y = w[j - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[j] = (w[j - 16]! + s0 + w[j - 7]! + s1) | 0;
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let hh = h[7]!;
    for (let j = 0; j < 64; j++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + SHA256_K[j]! + w[j]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + hh) | 0;
  }
}

function sha256Family(data: Uint8Array, init: readonly number[], outWords: number): Uint8Array {
  const h = Int32Array.from(init, (x) => x | 0);
  const w = new Int32Array(64);
  sha256Blocks(h, w, fullBlocks(data, 64));
  sha256Blocks(h, w, new DataView(paddedTail(data, 64, true).buffer));
  return wordsBE(h, outWords);
}

export function sha256(data: Uint8Array): Uint8Array {
  return sha256Family(data, [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19], 8);
}

export function sha224(data: Uint8Array): Uint8Array {
  return sha256Family(data, [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4], 7);
}

// SHA-512 constants as (high, low) 32-bit pairs.
const SHA512_K = new Int32Array(
  [
    '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b',
    'ab1c5ed5da6d8118', 'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1',
    '9bdc06a725c71235', 'c19bf174cf692694', 'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275',
    '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5', '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4',
    'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70', '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed',
    '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b', 'a2bfe8a14cf10364', 'a81a664bbc423001',
    'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8', '19a4c116b8d2d0c8',
    '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
    '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915',
    'c67178f2e372532b', 'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6',
    '113f9804bef90dae', '1b710b35131c471b', '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6',
    '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
  ].flatMap((s) => [parseInt(s.slice(0, 8), 16) | 0, parseInt(s.slice(8), 16) | 0]),
);

/**
 * SHA-512 and SHA-384 with 64-bit words held as (hi, lo) int32 pairs in Int32Arrays.
 * Additions carry through `>>> 0` sums of the low halves.
 */
function sha512Blocks(H: Int32Array, W: Int32Array, V: Int32Array, dv: DataView): void {
  for (let off = 0; off < dv.byteLength; off += 128) {
    for (let j = 0; j < 32; j++) W[j] = dv.getInt32(off + 4 * j);
    for (let j = 16; j < 80; j++) {
      // sigma0(W[j-15]) = rotr1 ^ rotr8 ^ shr7
      const xh = W[2 * (j - 15)]!;
      const xl = W[2 * (j - 15) + 1]!;
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      // sigma1(W[j-2]) = rotr19 ^ rotr61 ^ shr6
      const yh = W[2 * (j - 2)]!;
      const yl = W[2 * (j - 2) + 1]!;
      const s1h = ((yh >>> 19) | (yl << 13)) ^ ((yl >>> 29) | (yh << 3)) ^ (yh >>> 6);
      const s1l = ((yl >>> 19) | (yh << 13)) ^ ((yh >>> 29) | (yl << 3)) ^ ((yl >>> 6) | (yh << 26));
      const l = (W[2 * (j - 16) + 1]! >>> 0) + (s0l >>> 0) + (W[2 * (j - 7) + 1]! >>> 0) + (s1l >>> 0);
      const hsum = W[2 * (j - 16)]! + s0h + W[2 * (j - 7)]! + s1h + Math.floor(l / 0x1_0000_0000);
      W[2 * j] = hsum | 0;
      W[2 * j + 1] = l | 0;
    }
    V.set(H);
    for (let j = 0; j < 80; j++) {
      const ah = V[0]!, al = V[1]!, bh = V[2]!, bl = V[3]!, ch = V[4]!, cl = V[5]!, dh = V[6]!, dl = V[7]!;
      const eh = V[8]!, el = V[9]!, fh = V[10]!, fl = V[11]!, gh = V[12]!, gl = V[13]!, hh = V[14]!, hl = V[15]!;
      // Sigma1(e) = rotr14 ^ rotr18 ^ rotr41
      const S1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const S1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chh = (eh & fh) ^ (~eh & gh);
      const chl = (el & fl) ^ (~el & gl);
      const t1l = (hl >>> 0) + (S1l >>> 0) + (chl >>> 0) + (SHA512_K[2 * j + 1]! >>> 0) + (W[2 * j + 1]! >>> 0);
      const t1h = hh + S1h + chh + SHA512_K[2 * j]! + W[2 * j]! + Math.floor(t1l / 0x1_0000_0000);
      // Sigma0(a) = rotr28 ^ rotr34 ^ rotr39
      const S0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const S0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const majl = (al & bl) ^ (al & cl) ^ (bl & cl);
      const t2l = (S0l >>> 0) + (majl >>> 0);
      const t2h = S0h + majh + Math.floor(t2l / 0x1_0000_0000);
      V[14] = gh;
      V[15] = gl;
      V[12] = fh;
      V[13] = fl;
      V[10] = eh;
      V[11] = el;
      const el2 = (dl >>> 0) + (t1l >>> 0);
      V[8] = (dh + t1h + Math.floor(el2 / 0x1_0000_0000)) | 0;
      V[9] = el2 | 0;
      V[6] = ch;
      V[7] = cl;
      V[4] = bh;
      V[5] = bl;
      V[2] = ah;
      V[3] = al;
      const al2 = (t1l >>> 0) + (t2l >>> 0);
      V[0] = (t1h + t2h + Math.floor(al2 / 0x1_0000_0000)) | 0;
      V[1] = al2 | 0;
    }
    for (let i = 0; i < 16; i += 2) {
      const l = (H[i + 1]! >>> 0) + (V[i + 1]! >>> 0);
      H[i] = (H[i]! + V[i]! + Math.floor(l / 0x1_0000_0000)) | 0;
      H[i + 1] = l | 0;
    }
  }
}

function sha512Family(data: Uint8Array, init: readonly string[], outBytes: number): Uint8Array {
  const H = new Int32Array(init.flatMap((s) => [parseInt(s.slice(0, 8), 16) | 0, parseInt(s.slice(8), 16) | 0]));
  const W = new Int32Array(160);
  const V = new Int32Array(16);
  sha512Blocks(H, W, V, fullBlocks(data, 128));
  sha512Blocks(H, W, V, new DataView(paddedTail(data, 128, true).buffer));
  return wordsBE(H, 16).subarray(0, outBytes);
}

export function sha512(data: Uint8Array): Uint8Array {
  return sha512Family(
    data,
    ['6a09e667f3bcc908', 'bb67ae8584caa73b', '3c6ef372fe94f82b', 'a54ff53a5f1d36f1', '510e527fade682d1', '9b05688c2b3e6c1f', '1f83d9abfb41bd6b', '5be0cd19137e2179'],
    64,
  );
}

export function sha384(data: Uint8Array): Uint8Array {
  return sha512Family(
    data,
    ['cbbb9d5dc1059ed8', '629a292a367cd507', '9159015a3070dd17', '152fecd8f70e5939', '67332667ffc00b31', '8eb44a8768581511', 'db0c2e0d64f98fa7', '47b5481dbefa4fa4'],
    48,
  );
}

function u32le(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
}

const EMPTY = new Uint8Array(0);

/** The digest bloscpack stores for `data` under checksum `name` (empty for 'None'). */
export function bloscpackDigest(name: ChecksumName, data: Uint8Array): Uint8Array {
  switch (name) {
    case 'None':
      return EMPTY;
    case 'adler32':
      return u32le(adler32(data));
    case 'crc32':
      return u32le(crc32(data));
    case 'md5':
      return md5(data);
    case 'sha1':
      return sha1(data);
    case 'sha224':
      return sha224(data);
    case 'sha256':
      return sha256(data);
    case 'sha384':
      return sha384(data);
    case 'sha512':
      return sha512(data);
    default:
      return fail(BloscErrorCode.InvalidParam, `unknown checksum '${String(name)}'`);
  }
}

/** Digest length for a checksum name. */
export function digestSize(name: ChecksumName): number {
  return CHECKSUM_SIZES[checksumId(name)]!;
}

/** True when `stored` equals the digest of `data`. */
export function digestMatches(name: ChecksumName, data: Uint8Array, stored: Uint8Array): boolean {
  const d = bloscpackDigest(name, data);
  if (d.length !== stored.length) return false;
  for (let i = 0; i < d.length; i++) if (d[i] !== stored[i]) return false;
  return true;
}
