/**
 * Ported from xxHash XXH64 (Yann Collet) as shipped in Zstandard (facebook/zstd, BSD-3-Clause)
 * lib/common/xxhash.h; license in THIRD_PARTY_NOTICES.md.
 *
 * XXH64 (xxhash.com spec, as used by zstd's content checksum), computed on pairs of 32-bit
 * halves so the stripe loop runs on small integers. BigInt appears only in the public
 * result. Mirrors `XXH64` in zstd's lib/common/xxhash.h.
 */

// Primes as [high, low] halves.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

// Result registers of the 64-bit helpers (no allocation per call).
let rh = 0;
let rl = 0;

/** (ah:al) * (bh:bl) mod 2^64 into rh:rl, via 16-bit limbs. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = bl & 0xffff, b1 = bl >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  let c0 = a0 * b0;
  let c1 = (c0 >>> 16) + a1 * b0;
  let c2 = c1 >>> 16;
  c1 = (c1 & 0xffff) + a0 * b1;
  c2 += c1 >>> 16;
  c2 += a2 * b0;
  let c3 = c2 >>> 16;
  c2 = (c2 & 0xffff) + a1 * b1;
  c3 += c2 >>> 16;
  c2 = (c2 & 0xffff) + a0 * b2;
  c3 += c2 >>> 16;
  c3 += a3 * b0 + a2 * b1 + a1 * b2 + a0 * b3;
  c0 &= 0xffff;
  rl = ((c1 & 0xffff) << 16 | c0) >>> 0;
  rh = (((c3 & 0xffff) << 16) | (c2 & 0xffff)) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64 into rh:rl. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = (al >>> 0) + (bl >>> 0);
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate (h:l) left by r (1..63) into rh:rl. */
function rotl(h: number, l: number, r: number): void {
  if (r >= 32) {
    const t = h;
    h = l;
    l = t;
    r -= 32;
  }
  if (r === 0) {
    rh = h >>> 0;
    rl = l >>> 0;
    return;
  }
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

function le32u(a: Uint8Array, p: number): number {
  return (a[p]! | (a[p + 1]! << 8) | (a[p + 2]! << 16) | (a[p + 3]! << 24)) >>> 0;
}

// Accumulator round: acc = rotl(acc + lane * P2, 31) * P1, result in rh:rl.
function round(acch: number, accl: number, lh: number, ll: number): void {
  mul(lh, ll, P2H, P2L);
  add(acch, accl, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

// Merge round: acc = (acc ^ round(0, v)) * P1 + P4, result in rh:rl.
function merge(acch: number, accl: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul((acch ^ rh) >>> 0, (accl ^ rl) >>> 0, P1H, P1L);
  add(rh, rl, P4H, P4L);
}

/**
 * XXH64 of data[start, end) with a 32-bit seed; the result lands in the returned pair's
 * slots `out[0]` (high half) and `out[1]` (low half).
 */
export function xxhash64Into(data: Uint8Array, start: number, end: number, seed: number, out: Uint32Array): void {
  const len = end - start;
  let p = start;
  let hh: number, hl: number;
  if (len >= 32) {
    // v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1
    add(0, seed >>> 0, P1H, P1L);
    add(rh, rl, P2H, P2L);
    let v1h = rh, v1l = rl;
    add(0, seed >>> 0, P2H, P2L);
    let v2h = rh, v2l = rl;
    let v3h = 0, v3l = seed >>> 0;
    add(0, seed >>> 0, ~P1H >>> 0, ~P1L >>> 0); // seed + ~P1 + 1 = seed - P1
    add(rh, rl, 0, 1);
    let v4h = rh, v4l = rl;
    const limit = end - 32;
    while (p <= limit) {
      round(v1h, v1l, le32u(data, p + 4), le32u(data, p));
      v1h = rh; v1l = rl;
      round(v2h, v2l, le32u(data, p + 12), le32u(data, p + 8));
      v2h = rh; v2l = rl;
      round(v3h, v3l, le32u(data, p + 20), le32u(data, p + 16));
      v3h = rh; v3l = rl;
      round(v4h, v4l, le32u(data, p + 28), le32u(data, p + 24));
      v4h = rh; v4l = rl;
      p += 32;
    }
    rotl(v1h, v1l, 1);
    hh = rh; hl = rl;
    rotl(v2h, v2l, 7);
    add(hh, hl, rh, rl);
    hh = rh; hl = rl;
    rotl(v3h, v3l, 12);
    add(hh, hl, rh, rl);
    hh = rh; hl = rl;
    rotl(v4h, v4l, 18);
    add(hh, hl, rh, rl);
    hh = rh; hl = rl;
    merge(hh, hl, v1h, v1l);
    merge(rh, rl, v2h, v2l);
    merge(rh, rl, v3h, v3l);
    merge(rh, rl, v4h, v4l);
    hh = rh;
    hl = rl;
  } else {
    add(0, seed >>> 0, P5H, P5L);
    hh = rh; hl = rl;
  }
  add(hh, hl, 0, len >>> 0);
  hh = rh; hl = rl;
  while (p + 8 <= end) {
    round(0, 0, le32u(data, p + 4), le32u(data, p));
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L);
    hh = rh; hl = rl;
    p += 8;
  }
  if (p + 4 <= end) {
    mul(0, le32u(data, p), P1H, P1L);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L);
    hh = rh; hl = rl;
    p += 4;
  }
  while (p < end) {
    mul(0, data[p]!, P5H, P5L);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl(hh, hl, 11);
    mul(rh, rl, P1H, P1L);
    hh = rh; hl = rl;
    p++;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L);
  hh = rh;
  hl = rl;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0;
  hh = (hh ^ (hh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L);
  hh = rh;
  hl = (rl ^ rh) >>> 0;
  out[0] = hh;
  out[1] = hl;
}

const pair = new Uint32Array(2);

/** XXH64 of data[start, end) with a 32-bit seed, as a BigInt. */
export function xxhash64(data: Uint8Array, start = 0, end = data.length, seed = 0): bigint {
  xxhash64Into(data, start, end, seed, pair);
  return (BigInt(pair[0]!) << 32n) | BigInt(pair[1]!);
}

/** The low 32 bits of XXH64(data[start, end)), seed 0: what a zstd frame's checksum stores. */
export function xxhash64Low32(data: Uint8Array, start: number, end: number): number {
  xxhash64Into(data, start, end, 0, pair);
  return pair[1]!;
}

/** XXH64 straight from the spec with BigInt: the reference tests hold {@link xxhash64Into} to. */
export function xxhash64Simple(data: Uint8Array, seed: bigint): bigint {
  const M = (1n << 64n) - 1n;
  const P1 = 0x9e3779b185ebca87n, P2 = 0xc2b2ae3d27d4eb4fn, P3 = 0x165667b19e3779f9n;
  const P4 = 0x85ebca77c2b2ae63n, P5 = 0x27d4eb2f165667c5n;
  const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M;
  const u64 = (p: number) => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(data[p + i]!);
    return v;
  };
  const u32 = (p: number) => BigInt((data[p]! | (data[p + 1]! << 8) | (data[p + 2]! << 16) | (data[p + 3]! << 24)) >>> 0);
  const round = (acc: bigint, lane: bigint) => (rotl((acc + lane * P2) & M, 31n) * P1) & M;
  const merge = (acc: bigint, v: bigint) => (((acc ^ round(0n, v)) * P1) + P4) & M;
  let p = 0;
  const n = data.length;
  let h: bigint;
  if (n >= 32) {
    let v1 = (seed + P1 + P2) & M, v2 = (seed + P2) & M, v3 = seed, v4 = (seed - P1) & M;
    for (; p + 32 <= n; p += 32) {
      v1 = round(v1, u64(p));
      v2 = round(v2, u64(p + 8));
      v3 = round(v3, u64(p + 16));
      v4 = round(v4, u64(p + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & M;
  }
  h = (h + BigInt(n)) & M;
  for (; p + 8 <= n; p += 8) h = ((rotl(h ^ round(0n, u64(p)), 27n) * P1) + P4) & M;
  if (p + 4 <= n) {
    h = ((rotl(h ^ ((u32(p) * P1) & M), 23n) * P2) + P3) & M;
    p += 4;
  }
  for (; p < n; p++) h = (rotl(h ^ ((BigInt(data[p]!) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return h;
}
