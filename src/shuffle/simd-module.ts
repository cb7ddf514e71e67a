/**
 * Ported from C-Blosc (Blosc/c-blosc, BSD-3-Clause) blosc/shuffle-sse2.c, blosc/bitshuffle-
 * sse2.c (bitshuffle by Kiyoshi Masui, MIT); license in THIRD_PARTY_NOTICES.md.
 *
 * A small WebAssembly module with 128-bit SIMD shuffle kernels, assembled here from the
 * instruction sequences below (no binary is shipped: this file is its source).
 *
 * Why WebAssembly: a byte unshuffle or a bit transpose in JavaScript is limited by the
 * per-access cost of typed arrays (bounds check, index overflow check, base reload), which
 * keeps the word-at-a-time kernels of shuffle.ts / bitshuffle.ts near 1.5 GB/s and
 * 0.5 GB/s. One `i8x16.shuffle` moves 16 bytes where the word kernels need a load, masks
 * and a store per 4 bytes, the way c-blosc's SSE2 kernels (blosc/shuffle-sse2.c,
 * blosc/bitshuffle-sse2.c) use `_mm_unpacklo_epi8` and friends.
 *
 * Kernels (all parameters are byte offsets into the module's memory, counts in elements):
 * - `unshuffle{2,4,8,16}(src, dst, count, stride)`: `typesize` planes of `count` bytes at
 *   `src` (plane j at src + j*stride) → `count` interleaved elements at `dst`. count % 16 == 0.
 * - `shuffle{2,4,8,16}(src, dst, count, stride)`: the inverse.
 * - `bitUntransposeRow(src, dst, len, stride)`: 8 bit-planes of len/8 bytes, `stride` bytes
 *   apart from `src` → `len` bytes whose byte e holds bit k of plane k at element e (the row
 *   step of `bshuf_untrans_bit_elem`); `bitTransposeRow(src, dst, len, stride)` the
 *   inverse. len % 128 == 0.
 *
 * The interleave network for typesize T = 2^k: k rounds over T vectors, each round
 * pairing vector j with vector j + T/2 and writing zip-low / zip-high of their bytes to
 * slots 2j / 2j+1. After k rounds slot m holds elements 16m/T .. 16(m+1)/T - 1 in order.
 * The inverse runs the rounds with even/odd byte unzips.
 */

import { type Code, type FunctionBody, I32, V128, moduleBytes, op as base } from '../wasm/assembler.js';

/** The assembler's instructions, with the SIMD bitwise ones under their short names here. */
const op = { ...base, and: base.v128And, xor: base.v128Xor };

function lanes(f: (i: number) => number): Code {
  return Array.from({ length: 16 }, (_, i) => f(i));
}

/** Bytes of a and b interleaved: a0 b0 a1 b1 … (low halves) or a8 b8 … (high halves). */
const ZIP_LO = lanes((i) => (i >> 1) + ((i & 1) << 4));
const ZIP_HI = lanes((i) => 8 + (i >> 1) + ((i & 1) << 4));
/** Even and odd bytes of the 32-byte concatenation a|b. */
const UNZIP_EVEN = lanes((i) => 2 * i);
const UNZIP_ODD = lanes((i) => 2 * i + 1);

/** A 64-bit lane mask repeated twice, as v128.const bytes (little-endian). */
function mask64(lo: number, hi: number): Code {
  const b: Code = [];
  for (let lane = 0; lane < 2; lane++) {
    for (let i = 0; i < 4; i++) b.push((lo >>> (8 * i)) & 0xff);
    for (let i = 0; i < 4; i++) b.push((hi >>> (8 * i)) & 0xff);
  }
  return b;
}

/** The masks of the three rounds of {@link bitTranspose8x8}, as v128.const bytes. */
const BIT_ROUNDS: ReadonlyArray<readonly [number, number[]]> = [
  [7, mask64(0x00aa00aa, 0x00aa00aa)],
  [14, mask64(0x0000cccc, 0x0000cccc)],
  [28, mask64(0xf0f0f0f0, 0x00000000)],
];

/**
 * The three rounds of the 8×8 bit-matrix transpose on each 64-bit lane (byte r = row r,
 * bit c = column c), as TRANS_BIT_8X8 in blosc/bitshuffle-generic.h: swap across the
 * diagonal of 2×2, then 4×4, then 8×8 blocks. `x` and `t` are v128 locals; the masks sit
 * in the three v128 locals from `masks` (set once per call, which keeps the module small).
 */
function bitTranspose8x8(x: number, t: number, masks: number): Code {
  const code: Code = [];
  BIT_ROUNDS.forEach(([shift], r) => {
    // t = (x ^ (x >> shift)) & mask;  x = x ^ t ^ (t << shift)
    code.push(...op.get(x), ...op.get(x), ...op.i32(shift), ...op.i64x2ShrU(), ...op.xor(), ...op.get(masks + r), ...op.and(), ...op.set(t));
    code.push(...op.get(x), ...op.get(t), ...op.xor(), ...op.get(t), ...op.i32(shift), ...op.i64x2Shl(), ...op.xor(), ...op.set(x));
  });
  return code;
}

/**
 * The masks of the three rounds of {@link bitTransposeAcross}, as v128.const bytes: the
 * columns c of each byte with (c & d) == 0 for d = 1, 2, 4.
 */
const ACROSS_ROUNDS: ReadonlyArray<readonly [number, number[]]> = [
  [1, mask64(0x55555555, 0x55555555)],
  [2, mask64(0x33333333, 0x33333333)],
  [4, mask64(0x0f0f0f0f, 0x0f0f0f0f)],
];

/**
 * The same 8×8 bit-matrix transposes as {@link bitTranspose8x8}, but with row r of every
 * matrix in vector r (locals `rows`..`rows+7`, byte q of each vector one matrix) instead of
 * all 8 rows in one 64-bit lane: round d swaps, between rows a and a+d (a & d == 0), the
 * bits of columns c+d of row a with those of columns c of row a+d, as the row-pair rounds
 * of TRANS_BIT_8X8 (blosc/bitshuffle-generic.h) do inside a word. Each delta swap then
 * serves two vectors: 6 operations per pair and round where the in-lane form needs 6 per
 * vector. The 64-bit shifts pull bits across byte boundaries only into columns the mask
 * clears (bits 8-d..7 for the right shift; the left shift moves mask columns c < 8-d).
 */
function bitTransposeAcross(rows: number, t: number, masks: number): Code {
  const code: Code = [];
  ACROSS_ROUNDS.forEach(([d], r) => {
    for (let a = 0; a < 8; a++) {
      if ((a & d) !== 0) continue;
      const ra = rows + a;
      const rb = rows + a + d;
      // t = ((ra >> d) ^ rb) & mask;  rb ^= t;  ra ^= t << d
      code.push(...op.get(ra), ...op.i32(d), ...op.i64x2ShrU(), ...op.get(rb), ...op.xor(), ...op.get(masks + r), ...op.and(), ...op.set(t));
      code.push(...op.get(rb), ...op.get(t), ...op.xor(), ...op.set(rb));
      code.push(...op.get(ra), ...op.get(t), ...op.i32(d), ...op.i64x2Shl(), ...op.xor(), ...op.set(ra));
    }
  });
  return code;
}

/** One interleave round over `n` vectors from locals `from` into locals `to`. */
function zipRound(n: number, from: number, to: number): Code {
  const code: Code = [];
  const half = n >> 1;
  for (let j = 0; j < half; j++) {
    code.push(...op.get(from + j), ...op.get(from + j + half), ...op.shuffle(ZIP_LO), ...op.set(to + 2 * j));
    code.push(...op.get(from + j), ...op.get(from + j + half), ...op.shuffle(ZIP_HI), ...op.set(to + 2 * j + 1));
  }
  return code;
}

/** The inverse of {@link zipRound}. */
function unzipRound(n: number, from: number, to: number): Code {
  const code: Code = [];
  const half = n >> 1;
  for (let j = 0; j < half; j++) {
    code.push(...op.get(from + 2 * j), ...op.get(from + 2 * j + 1), ...op.shuffle(UNZIP_EVEN), ...op.set(to + j));
    code.push(...op.get(from + 2 * j), ...op.get(from + 2 * j + 1), ...op.shuffle(UNZIP_ODD), ...op.set(to + j + half));
  }
  return code;
}

/**
 * `rounds` rounds of the (un)zip network over `n` vectors (log2 n unless given), ping-ponging
 * between two banks; returns the bank holding the result.
 */
function network(n: number, bankA: number, bankB: number, inverse: boolean, code: Code, rounds = Math.log2(n)): number {
  let from = bankA;
  let to = bankB;
  for (let r = 0; r < rounds; r++) {
    code.push(...(inverse ? unzipRound(n, from, to) : zipRound(n, from, to)));
    const t = from;
    from = to;
    to = t;
  }
  return from;
}


/**
 * `for (i = 0; i < limit; i += step) body` with `i` in local `i`; `limit` is a local.
 * The loop exits at the top, so limit 0 runs nothing.
 */
function countedLoop(i: number, limit: number, step: number, body: Code): Code {
  return [
    ...op.i32(0), ...op.set(i),
    ...op.block(), ...op.loop(),
    ...op.get(i), ...op.get(limit), ...op.geU(), ...op.brIf(1),
    ...body,
    ...op.get(i), ...op.i32(step), ...op.add(), ...op.set(i),
    ...op.br(0),
    ...op.end(), ...op.end(),
  ];
}

/**
 * Locals after the 4 i32 parameters (src 0, dst 1, count 2, stride 3): i = 4, plane bases
 * 5.., vectors after. Plane j starts `stride` bytes after plane j-1, so a kernel can work on
 * a slice of planes laid out whole (stride = the planes' length) or on a tile (stride = count).
 */
function planeKernel(typesize: number, inverse: boolean): FunctionBody {
  const SRC = 0, DST = 1, COUNT = 2, STRIDE = 3, I = 4, BASE = 5;
  const bankA = BASE + typesize;
  const bankB = bankA + typesize;
  const log2 = Math.log2(typesize);
  const code: Code = [];
  // Plane j lives at (planes) + j*stride: src for unshuffle, dst for shuffle.
  const planes = inverse ? DST : SRC;
  for (let j = 0; j < typesize; j++) {
    code.push(...op.get(planes), ...op.get(STRIDE), ...op.i32(j), ...op.mul(), ...op.add(), ...op.set(BASE + j));
  }
  const body: Code = [];
  if (!inverse) {
    for (let j = 0; j < typesize; j++) body.push(...op.get(BASE + j), ...op.get(I), ...op.add(), ...op.load(0), ...op.set(bankA + j));
    const out = network(typesize, bankA, bankB, false, body);
    // Elements i.. of the output start at dst + i*typesize; vector m at +16m.
    for (let m = 0; m < typesize; m++) {
      body.push(...op.get(DST), ...op.get(I), ...op.i32(log2), ...op.shl(), ...op.add(), ...op.get(out + m), ...op.store(16 * m));
    }
  } else {
    for (let m = 0; m < typesize; m++) {
      body.push(...op.get(SRC), ...op.get(I), ...op.i32(log2), ...op.shl(), ...op.add(), ...op.load(16 * m), ...op.set(bankA + m));
    }
    // A zip round moves byte (vector v, lane b) by rotating the bits of v·16 + b left by
    // one, over log2(typesize) + 4 bits: log2(typesize) rounds undo the shuffle, so the
    // 4 more that complete the cycle do the shuffle. That is how c-blosc's shuffle*_sse2
    // (blosc/shuffle-sse2.c) do it, with unpack instructions only, where the unzips of
    // `unzipRound` cost V8 three to five instructions each: fewer for typesizes >= 4.
    const planesOut = typesize >= 4
      ? network(typesize, bankA, bankB, false, body, 4)
      : network(typesize, bankA, bankB, true, body);
    for (let j = 0; j < typesize; j++) body.push(...op.get(BASE + j), ...op.get(I), ...op.add(), ...op.get(planesOut + j), ...op.store(0));
  }
  code.push(...countedLoop(I, COUNT, 16, body));
  return { params: [I32, I32, I32, I32], result: null, locals: [[1 + typesize, I32], [2 * typesize, V128]], code };
}

/**
 * One bit row: 8 planes of len/8 bytes (plane k at src + k*stride) ↔ len bytes. Per step, 16
 * bytes of each plane (128 elements): the 8-way byte interleave gathers, for each of 16
 * positions q, the 8 plane bytes into one 64-bit lane; the bit transpose of that lane gives
 * the row bytes of elements 8q..8q+7.
 */
function bitRowKernel(inverse: boolean): FunctionBody {
  const SRC = 0, DST = 1, LEN = 2, STRIDE = 3, I = 4, PB = 5, BASE = 6, PLANES = 8;
  const bankA = BASE + PLANES;
  const bankB = bankA + PLANES;
  const T = bankB + PLANES;
  const MASKS = T + 1;
  const code: Code = [];
  (inverse ? BIT_ROUNDS : ACROSS_ROUNDS).forEach(([, mask], r) => code.push(...op.v128(mask), ...op.set(MASKS + r)));
  code.push(...op.get(LEN), ...op.i32(3), ...op.shrU(), ...op.set(PB));
  const planes = inverse ? DST : SRC;
  for (let k = 0; k < PLANES; k++) {
    code.push(...op.get(planes), ...op.get(STRIDE), ...op.i32(k), ...op.mul(), ...op.add(), ...op.set(BASE + k));
  }
  const body: Code = [];
  // I runs over plane bytes (0, 16, ...); the row offset is 8*I.
  if (!inverse) {
    // Transpose first, across the plane vectors (plane k = row k of each byte position's
    // matrix), then interleave: vector m then holds bit m of every plane, and the 8-way
    // byte interleave puts elements 8q..8q+7 in order.
    for (let k = 0; k < PLANES; k++) body.push(...op.get(BASE + k), ...op.get(I), ...op.add(), ...op.load(0), ...op.set(bankA + k));
    body.push(...bitTransposeAcross(bankA, T, MASKS));
    const out = network(PLANES, bankA, bankB, false, body);
    for (let m = 0; m < PLANES; m++) {
      body.push(...op.get(DST), ...op.get(I), ...op.i32(3), ...op.shl(), ...op.add(), ...op.get(out + m), ...op.store(16 * m));
    }
  } else {
    for (let m = 0; m < PLANES; m++) {
      body.push(...op.get(SRC), ...op.get(I), ...op.i32(3), ...op.shl(), ...op.add(), ...op.load(16 * m), ...op.set(bankA + m));
      body.push(...bitTranspose8x8(bankA + m, T, MASKS));
    }
    const planesOut = network(PLANES, bankA, bankB, true, body);
    for (let k = 0; k < PLANES; k++) body.push(...op.get(BASE + k), ...op.get(I), ...op.add(), ...op.get(planesOut + k), ...op.store(0));
  }
  code.push(...countedLoop(I, PB, 16, body));
  return { params: [I32, I32, I32, I32], result: null, locals: [[2 + PLANES, I32], [2 * PLANES + 1 + BIT_ROUNDS.length, V128]], code };
}

/** Typesizes with a byte (un)shuffle kernel. */
export const SIMD_TYPESIZES: readonly number[] = [2, 4, 8, 16];

/** Export names, in function-index order. */
export const SIMD_EXPORTS: readonly string[] = [
  ...SIMD_TYPESIZES.map((t) => `unshuffle${t}`),
  ...SIMD_TYPESIZES.map((t) => `shuffle${t}`),
  'bitUntransposeRow',
  'bitTransposeRow',
];

/** The module's bytes: the kernels above, on the shared memory (src/wasm/heap.ts). */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const bodies: FunctionBody[] = [
    ...SIMD_TYPESIZES.map((t) => planeKernel(t, false)),
    ...SIMD_TYPESIZES.map((t) => planeKernel(t, true)),
    bitRowKernel(false),
    bitRowKernel(true),
  ];
  return moduleBytes(bodies, SIMD_EXPORTS, 1);
}
