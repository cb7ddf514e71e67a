import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { zstdDecompressInto } from '../../../src/codecs/zstd/index.js';
import {
  SEQUENCE_BATCH,
  sequencesModuleBytes,
  sequencesWasmCounts,
  setZstdWasmEnabled,
  wasmSequencesReady,
} from '../../../src/codecs/zstd/sequences-wasm.js';
import { FrameHeader, readFrameHeader } from '../../../src/codecs/zstd/frame.js';
import { LiteralsHeader, readLiteralsHeader } from '../../../src/codecs/zstd/literals.js';
import { SequenceState, readSequencesHeader } from '../../../src/codecs/zstd/sequences.js';
import { zstdCompress, zstdCompressBound } from '../../../src/codecs/zstd-encoder/index.js';
import { simdScratch } from '../../../src/shuffle/simd.js';
import { huffmanWasmCounts } from '../../../src/codecs/zstd/huffman-wasm.js';
import { mulberry32Uint32 } from '../../helpers.js';
import { decodeOutcome } from './outcome.js';

afterEach(() => setZstdWasmEnabled(true));

/**
 * Both sequence loops execute common shapes with fixed-size copies that may write past a
 * sequence's end, long overlapping matches from a multiple of their period, and sequences
 * near the frame's end exactly. These inputs are made of pieces that produce every shape:
 * literal runs, short-period runs (periods 1 to 17, up to 6000 bytes), and copies of earlier
 * bytes at near and far distances, short and long.
 */
type Piece =
  | { kind: 'literals'; bytes: Uint8Array }
  | { kind: 'period'; pattern: Uint8Array; length: number }
  | { kind: 'copy'; distance: number; length: number };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((bytes): Piece => ({ kind: 'literals', bytes })),
  fc
    .record({
      pattern: fc.uint8Array({ minLength: 1, maxLength: 17 }),
      length: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 200, max: 6000 })),
    })
    .map((r): Piece => ({ kind: 'period', ...r })),
  fc
    .record({
      distance: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 20000 })),
      length: fc.oneof(fc.integer({ min: 3, max: 300 }), fc.integer({ min: 300, max: 3000 })),
    })
    .map((r): Piece => ({ kind: 'copy', ...r })),
);

function build(pieces: readonly Piece[]): Uint8Array {
  const out: number[] = [];
  for (const p of pieces) {
    if (p.kind === 'literals') {
      for (const b of p.bytes) out.push(b);
    } else if (p.kind === 'period') {
      for (let i = 0; i < p.length; i++) out.push(p.pattern[i % p.pattern.length]!);
    } else if (out.length > 0) {
      const from = out.length - Math.min(p.distance, out.length);
      for (let i = 0; i < p.length; i++) out.push(out[from + i]!);
    }
  }
  return Uint8Array.from(out);
}

function compress(src: Uint8Array, level: number): Uint8Array {
  const dst = new Uint8Array(zstdCompressBound(src.length) + 64);
  const n = zstdCompress(src, 0, src.length, dst, 0, dst.length, level);
  return dst.subarray(0, n);
}

const GUARD = 64;
const SENTINEL = 0xa5;

describe('zstd sequence execution', () => {
  it('the WebAssembly sequence loop is a module this platform validates and uses', () => {
    expect(WebAssembly.validate(sequencesModuleBytes())).toBe(true);
    // Node 20+ has WebAssembly SIMD: the fast path must really be taken here.
    expect(wasmSequencesReady()).toBe(true);
  });

  it('decodes every literal/match shape exactly, and writes nothing outside the output window (both sequence loops)', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 120 }), fc.constantFrom(1, 3, 9, 19), fc.boolean(), (pieces, level, wasm) => {
        setZstdWasmEnabled(wasm);
        const src = build(pieces);
        const frame = compress(src, level);
        // The output window sits between two guard zones in a larger buffer.
        const buf = new Uint8Array(GUARD + src.length + GUARD).fill(SENTINEL);
        const n = zstdDecompressInto(frame, 0, frame.length, buf, GUARD, src.length, null);
        expect(n).toBe(src.length);
        expect(Buffer.from(buf.subarray(GUARD, GUARD + n)).equals(Buffer.from(src))).toBe(true);
        for (let i = 0; i < GUARD; i++) {
          expect(buf[i]).toBe(SENTINEL);
          expect(buf[GUARD + src.length + i]).toBe(SENTINEL);
        }
      }),
      { numRuns: 120 },
    );
  });

  it("decodes in place in the shared WebAssembly memory (a Blosc block's planes) as it does elsewhere", () => {
    const before = { ...sequencesWasmCounts };
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 120 }), fc.constantFrom(1, 3, 19), fc.nat(40), (pieces, level, at) => {
        const src = build(pieces);
        const frame = compress(src, level);
        const scratch = simdScratch(GUARD + at + src.length + GUARD)!;
        expect(scratch).not.toBeNull();
        scratch.fill(SENTINEL);
        const n = zstdDecompressInto(frame, 0, frame.length, scratch, GUARD + at, src.length, null);
        expect(n).toBe(src.length);
        expect(Buffer.from(scratch.subarray(GUARD + at, GUARD + at + n)).equals(Buffer.from(src))).toBe(true);
        for (let i = 0; i < GUARD + at; i++) expect(scratch[i]).toBe(SENTINEL);
        for (let i = 0; i < GUARD; i++) expect(scratch[GUARD + at + src.length + i]).toBe(SENTINEL);
      }),
      { numRuns: 100 },
    );
    expect(sequencesWasmCounts.executed).toBeGreaterThan(before.executed + 50);
    expect(sequencesWasmCounts.rejected).toBe(before.rejected);
  });

  it('decodes the same frame identically into an exact output and into the middle of a larger one', () => {
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 100 }), (pieces, at) => {
        const src = build(pieces);
        const frame = compress(src, 9);
        const exact = new Uint8Array(src.length);
        zstdDecompressInto(frame, 0, frame.length, exact, 0, src.length, null);
        const big = new Uint8Array(at + src.length + 1000);
        zstdDecompressInto(frame, 0, frame.length, big, at, src.length, null);
        expect(Buffer.from(exact).equals(Buffer.from(src))).toBe(true);
        expect(Buffer.from(big.subarray(at, at + src.length)).equals(Buffer.from(src))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('zstd frames one after another', () => {
  it('decodes frames in any order, in and out of the shared memory, each equal to its input', () => {
    // Small frames (predefined tables), multi-block frames (repeated tables), and frames
    // whose Huffman literals go through WebAssembly (which borrows the executor's table
    // area): what one frame leaves in the shared memory must not reach the next.
    const next = mulberry32Uint32(12345);
    const rand = (m: number): number => (next() >>> 8) % m;
    const skewed = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (rand(4) === 0 ? rand(256) : 97 + rand(6)));
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      inputs.push(build([{ kind: 'literals', bytes: skewed(30 + rand(60)) }, { kind: 'copy', distance: 1 + rand(20), length: 3 + rand(40) }]));
      inputs.push(build([{ kind: 'literals', bytes: skewed(2000 + rand(3000)) }, { kind: 'copy', distance: 1 + rand(500), length: 100 + rand(900) }, { kind: 'literals', bytes: skewed(1000) }]));
      const pieces: Piece[] = [];
      for (let j = 0; j < 80; j++) {
        pieces.push({ kind: 'literals', bytes: skewed(rand(300)) });
        pieces.push({ kind: 'period', pattern: skewed(1 + rand(16)), length: 1 + rand(6000) });
        pieces.push({ kind: 'copy', distance: 1 + rand(20000), length: 3 + rand(3000) });
      }
      inputs.push(build(pieces));
    }
    const frames = inputs.map((src, i) => compress(src, [1, 3, 9, 19][i % 4]!));
    const before = { ...sequencesWasmCounts };
    const huffBefore = huffmanWasmCounts.decoded;
    fc.assert(
      fc.property(fc.array(fc.nat(frames.length - 1), { minLength: 2, maxLength: 12 }), fc.boolean(), (order, inMemory) => {
        for (const i of order) {
          const src = inputs[i]!;
          const frame = frames[i]!;
          const out = inMemory ? simdScratch(src.length)! : new Uint8Array(src.length);
          const n = zstdDecompressInto(frame, 0, frame.length, out, 0, src.length, null);
          expect(n).toBe(src.length);
          expect(Buffer.from(out.subarray(0, n)).equals(Buffer.from(src))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
    expect(sequencesWasmCounts.executed).toBeGreaterThan(before.executed + 100);
    expect(sequencesWasmCounts.rejected).toBe(before.rejected);
    expect(huffmanWasmCounts.decoded).toBeGreaterThan(huffBefore);
  });
});

/** The sequence counts of a single frame's compressed blocks, read from their headers. */
/**
 * Decode each frame into a buffer in the shared memory and into one outside it, with
 * sentinel guards either side: the input comes back and nothing outside it is written.
 */
function expectDecodedInAndOutOfMemory(inputs: readonly Uint8Array[], frames: readonly Uint8Array[]): void {
  for (let i = 0; i < inputs.length; i++) {
    const src = inputs[i]!;
    for (const inMemory of [false, true]) {
      const size = GUARD + src.length + GUARD;
      const buf = inMemory ? simdScratch(size)! : new Uint8Array(size);
      buf.fill(SENTINEL);
      const n = zstdDecompressInto(frames[i]!, 0, frames[i]!.length, buf, GUARD, src.length, null);
      expect(n).toBe(src.length);
      expect(Buffer.from(buf.subarray(GUARD, GUARD + n)).equals(Buffer.from(src))).toBe(true);
      for (let j = 0; j < GUARD; j++) {
        expect(buf[j]).toBe(SENTINEL);
        expect(buf[GUARD + src.length + j]).toBe(SENTINEL);
      }
    }
  }
}

/** Flip bits past the frame header (where literals and sequences lie): both sequence loops give the same outcome. */
function expectLoopsAgreeWhenDamaged(frame: Uint8Array, size: number, flips: readonly (readonly [number, number])[]): void {
  const bad = frame.slice();
  for (const [pos, bit] of flips) bad[12 + Math.floor(pos * (bad.length - 12))]! ^= 1 << bit;
  setZstdWasmEnabled(true);
  const wasm = decodeOutcome(bad, size, null);
  setZstdWasmEnabled(false);
  const js = decodeOutcome(bad, size, null);
  expect(wasm).toBe(js);
}

function sequenceCounts(frame: Uint8Array): number[] {
  const h = new FrameHeader();
  readFrameHeader(frame, 0, frame.length, h);
  const lh = new LiteralsHeader();
  const st = new SequenceState();
  const counts: number[] = [];
  let ip = h.headerSize;
  for (;;) {
    const bh = frame[ip]! | (frame[ip + 1]! << 8) | (frame[ip + 2]! << 16);
    const type = (bh >>> 1) & 3;
    const size = bh >>> 3;
    ip += 3;
    if (type === 2) {
      readLiteralsHeader(frame, ip, ip + size, lh);
      readSequencesHeader(frame, lh.end, ip + size, st);
      counts.push(st.nbSeq);
    }
    ip += type === 1 ? 1 : size;
    if ((bh & 1) !== 0) return counts;
  }
}

describe('zstd blocks of more sequences than the WebAssembly loop decodes at a time', () => {
  // Bytes from a small alphabet: short matches and few literals each, thousands of
  // sequences per block (as in a Blosc plane of small integers), so the executor runs them
  // in several batches of SEQUENCE_BATCH, the last one partial or full.
  let seed = 777;
  const rand = (m: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % m;
  };
  const sizes = [SEQUENCE_BATCH * 3, SEQUENCE_BATCH * 5 + 7, 20000, 65536, 200000];
  const inputs = sizes.map((n) => Uint8Array.from({ length: n }, () => rand(4) + (rand(8) === 0 ? rand(250) : 0)));
  const frames = inputs.map((src, i) => compress(src, [3, 1, 5, 9, 3][i]!));

  it('the frames hold blocks of one batch and less, and of several batches', () => {
    const counts = frames.flatMap(sequenceCounts);
    expect(Math.max(...counts)).toBeGreaterThan(4 * SEQUENCE_BATCH);
    expect(counts.some((c) => c > SEQUENCE_BATCH && c % SEQUENCE_BATCH !== 0)).toBe(true);
  });

  it('decodes them in WebAssembly, in and out of the shared memory, equal to the input and nothing outside it', () => {
    const before = { ...sequencesWasmCounts };
    expectDecodedInAndOutOfMemory(inputs, frames);
    expect(sequencesWasmCounts.executed).toBeGreaterThan(before.executed + 2 * inputs.length);
    expect(sequencesWasmCounts.rejected).toBe(before.rejected);
  });

  it('both sequence loops give the same bytes or the same error when such frames are damaged', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: frames.length - 2 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 3 }),
        (which, flips) => expectLoopsAgreeWhenDamaged(frames[which]!, inputs[which]!.length, flips),
      ),
      { numRuns: 150 },
    );
  });
});

describe('zstd blocks whose match lengths fall on both sides of 16 bytes', () => {
  // Matches of 4 to 40 bytes from 1 to 40 bytes back and from far back, a few literals
  // between them: the match-length table then codes lengths over 16 bytes for between an
  // eighth and seven eighths of its states, and the WebAssembly loop writes the first 32
  // bytes of every match before it tests the length (the short-period matches through
  // its spread patterns, offsets of 16 to 31 reading bytes just written by the first move).
  const inputs = [3, 4, 5].map((s) => {
    const rand = mulberry32Uint32(s);
    const out: number[] = [];
    while (out.length < 60000) {
      const literals = rand() % 4;
      for (let i = 0; i < literals; i++) out.push(rand() & 255);
      const pick = rand() % 4;
      const distance = pick === 0 ? 1 + (rand() % 15) : pick === 1 ? 16 + (rand() % 25) : 41 + (rand() % 4000);
      const length = 4 + (rand() % 37);
      if (out.length < distance) continue;
      const from = out.length - distance;
      for (let i = 0; i < length; i++) out.push(out[from + i]!);
    }
    return Uint8Array.from(out);
  });
  const frames = inputs.map((src, i) => compress(src, [1, 3, 9][i]!));

  it('decodes them with wide copies, in and out of the shared memory, equal to the input and nothing outside it', () => {
    const before = { ...sequencesWasmCounts };
    expectDecodedInAndOutOfMemory(inputs, frames);
    expect(sequencesWasmCounts.rejected).toBe(before.rejected);
    expect(sequencesWasmCounts.wide - before.wide).toBeGreaterThanOrEqual(2 * inputs.length);
  });

  it('both sequence loops give the same bytes or the same error when such frames are damaged', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 3 }),
        (which, flips) => expectLoopsAgreeWhenDamaged(frames[which]!, inputs[which]!.length, flips),
      ),
      { numRuns: 150 },
    );
  });
});
