import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { blosclzCodec } from '../../src/codecs/blosclz.js';
import { BLOSCLZ_HASH_SIZE, blosclzCompress } from '../../src/codecs/blosclz-compress.js';
import { blosclzDecodeWasmCounts, blosclzDecodeWasmReady, setBlosclzDecodeWasmEnabled } from '../../src/codecs/blosclz-decompress-wasm.js';
import { encodeScratch } from '../../src/codecs/lz4-compress-wasm.js';
import { compress, decompress } from '../../src/index.js';
import { concatBytes } from '../helpers.js';
import { matchPiece } from './match-inputs.js';

afterEach(() => setBlosclzDecodeWasmEnabled(true));

const CTX = { dict: null, meta: 0 };
const GUARD = 37;
const table = new Uint32Array(BLOSCLZ_HASH_SIZE);

/** Noise for literal runs, runs and short-period repeats for matches at distances 1..40 and long ones. */
const piece = matchPiece({ noise: 60, run: 3000, seed: 40, repeat: 3000, counters: true });

type Outcome = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * Decode with the output in the shared memory (where the WebAssembly decoder applies) or
 * in a plain buffer (the TypeScript loop), between guard bytes that must stay as they were.
 */
function decode(stream: Uint8Array, dn: number, inHeapOut: boolean): Outcome & { guarded: boolean } {
  const size = GUARD + dn + GUARD;
  const dst = inHeapOut ? encodeScratch(size)! : new Uint8Array(size);
  dst.fill(0xa5);
  let outcome: Outcome;
  try {
    blosclzCodec.decode(stream, 0, stream.length, dst, GUARD, dn, CTX);
    outcome = { ok: true, bytes: dst.slice(GUARD, GUARD + dn) };
  } catch (e) {
    outcome = { ok: false, error: String(e) };
  }
  let guarded = true;
  for (let i = 0; i < size; i++) if ((i < GUARD || i >= GUARD + dn) && dst[i] !== 0xa5) guarded = false;
  return { ...outcome, guarded };
}

/** The WebAssembly and TypeScript outcomes of one stream, which must agree. */
function bothWays(stream: Uint8Array, dn: number): { wa: Outcome & { guarded: boolean }; ts: Outcome & { guarded: boolean } } {
  const wa = decode(stream, dn, true);
  setBlosclzDecodeWasmEnabled(false);
  const ts = decode(stream, dn, true);
  setBlosclzDecodeWasmEnabled(true);
  return { wa, ts };
}

function encode(src: Uint8Array, clevel: number, format: 'blosc1' | 'blosc2'): Uint8Array {
  const room = src.length + (src.length >> 4) + 64;
  const buf = new Uint8Array(room);
  const n = blosclzCompress(clevel, src, 0, src.length, buf, 0, room, format, false, table);
  return buf.slice(0, n);
}

describe('BloscLZ decoder in WebAssembly', () => {
  it('is available here', () => {
    expect(blosclzDecodeWasmReady()).toBe(true);
  });

  it('decodes what the encoder writes, as the TypeScript loop does, inside its window', () => {
    const before = blosclzDecodeWasmCounts.decoded;
    let streams = 0;
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<'blosc1' | 'blosc2'>('blosc1', 'blosc2'),
        (parts, clevel, format) => {
          const src = concatBytes(parts);
          const stream = encode(src, clevel, format);
          if (stream.length === 0) return; // incompressible: Blosc stores it raw
          streams++;
          const wa = decode(stream, src.length, true);
          expect(wa.guarded).toBe(true);
          expect(wa.ok && wa.bytes).toEqual(src);
        },
      ),
      { numRuns: 300 },
    );
    expect(streams).toBeGreaterThan(100);
    expect(blosclzDecodeWasmCounts.decoded).toBeGreaterThanOrEqual(before + streams);
  });

  it('gives the TypeScript loop\'s outcome on damaged streams: same bytes or same error, never a write outside the window', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 30 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -40, max: 40 }),
        (parts, edits, cut, dnDelta) => {
          const src = concatBytes(parts);
          const full = encode(src, 9, 'blosc2');
          if (full.length === 0) return;
          const stream = full.slice(0, Math.max(1, full.length + Math.min(cut, 0)));
          for (const { at, value } of edits) stream[at % stream.length] = value;
          const dn = Math.max(0, src.length + dnDelta);
          const { wa, ts } = bothWays(stream, dn);
          expect(wa.guarded).toBe(true);
          expect(ts.guarded).toBe(true);
          expect(wa).toEqual(ts);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the TypeScript loop\'s outcome on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.nat(5000), (garbage, dn) => {
        const { wa, ts } = bothWays(garbage, dn);
        expect(wa.guarded).toBe(true);
        expect(wa).toEqual(ts);
      }),
      { numRuns: 500 },
    );
  });

  it('copies every kind of match where it ends: runs, short periods, far distances, at the window\'s end and not', () => {
    // One literal run of `lead` bytes, then a match of `len` at `dist`, then `tail` literals.
    const lits = (bytes: number[]): number[] => [bytes.length - 1, ...bytes];
    const match = (len: number, dist: number): number[] => {
      const out: number[] = [];
      let code = len - 2;
      const far = dist > 8191;
      const d = far ? 8191 : dist - 1;
      if (code >= 7) {
        out.push((7 << 5) | (d >> 8));
        code -= 7;
        while (code >= 255) {
          out.push(255);
          code -= 255;
        }
        out.push(code);
      } else {
        out.push((code << 5) | (d >> 8));
      }
      out.push(d & 255);
      if (far) out.push((dist - 8192) >> 8, (dist - 8192) & 255);
      return out;
    };
    const lead = Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);
    const cases: Array<[number, number, number]> = [];
    for (const dist of [1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32]) {
      for (const len of [3, 7, 8, 9, 31, 32, 33, 255, 256, 257, 1000]) for (const tail of [0, 1, 5, 8, 12]) cases.push([dist, len, tail]);
    }
    let checked = 0;
    for (const [dist, len, tail] of cases) {
      const prefix = dist <= 32 ? lead : [];
      const tailBytes = Array.from({ length: tail }, (_, i) => 200 + i);
      const stream = Uint8Array.from([...lits(prefix), ...match(len, dist), ...(tail > 0 ? lits(tailBytes) : [])]);
      const dn = prefix.length + len + tail;
      const { wa, ts } = bothWays(stream, dn);
      expect(wa.guarded).toBe(true);
      expect(wa).toEqual(ts);
      if (tail > 0) {
        expect(wa.ok).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
    // Far distances (the 16-bit form) reaching back over a long literal history.
    const history = Array.from({ length: 9000 }, (_, i) => (i * 131 + (i >> 8)) & 255);
    const parts: number[] = [];
    for (let i = 0; i < history.length; i += 32) parts.push(...lits(history.slice(i, i + 32)));
    for (const dist of [8192, 8193, 8999, 9000]) {
      const stream = Uint8Array.from([...parts, ...match(300, dist), ...lits([1, 2, 3])]);
      const { wa, ts } = bothWays(stream, history.length + 303);
      expect(wa.ok).toBe(true);
      expect(wa).toEqual(ts);
    }
    const tooFar = Uint8Array.from([...parts, ...match(300, 9001), ...lits([1, 2, 3])]);
    expect(bothWays(tooFar, history.length + 303).wa.ok).toBe(false);
  });

  it('decodes BloscLZ chunks to the same bytes with and without it', () => {
    const n = 1 << 17;
    const data = new Uint8Array(n);
    let x = 7;
    for (let i = 0; i < n; i += 4) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = (x >>> 24) % 5;
      data[i + 1] = i >>> 11;
    }
    for (const format of ['blosc1', 'blosc2'] as const) {
      const chunk = compress(data, { codec: 'blosclz', clevel: 5, typesize: 4, shuffle: 'shuffle', format });
      const before = blosclzDecodeWasmCounts.decoded;
      expect(decompress(chunk)).toEqual(data);
      expect(blosclzDecodeWasmCounts.decoded).toBeGreaterThan(before);
      setBlosclzDecodeWasmEnabled(false);
      expect(decompress(chunk)).toEqual(data);
      setBlosclzDecodeWasmEnabled(true);
    }
  });
});
