import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { lz4Codec } from '../../src/codecs/lz4.js';
import { lz4CompressFast } from '../../src/codecs/lz4-compress.js';
import { lz4DecodeWasmCounts, lz4DecodeWasmReady, setLz4DecodeWasmEnabled } from '../../src/codecs/lz4-decompress-wasm.js';
import { encodeScratch } from '../../src/codecs/lz4-compress-wasm.js';
import { compress, decompress } from '../../src/index.js';
import { concatBytes, mulberry32Uint32 } from '../helpers.js';
import { matchPiece } from './match-inputs.js';

afterEach(() => setLz4DecodeWasmEnabled(true));

const CTX = { dict: null, meta: 0 };
const GUARD = 29;

/** Short pieces make many short sequences (the case this decoder is for), runs make long overlapping matches. */
const piece = matchPiece({ noise: 40, run: 2000, seed: 12, repeat: 3000, counters: false });

type Outcome = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

/**
 * Decode with the output in the shared memory (where the WebAssembly decoder applies),
 * between guard bytes that must stay as they were, or in a plain buffer.
 */
function decode(stream: Uint8Array, dn: number, inHeapOut: boolean): Outcome & { guarded: boolean } {
  const size = GUARD + dn + GUARD;
  const dst = inHeapOut ? encodeScratch(size)! : new Uint8Array(size);
  dst.fill(0xa5);
  let outcome: Outcome;
  try {
    lz4Codec.decode(stream, 0, stream.length, dst, GUARD, dn, CTX);
    outcome = { ok: true, bytes: dst.slice(GUARD, GUARD + dn) };
  } catch (e) {
    outcome = { ok: false, error: String(e) };
  }
  let guarded = true;
  for (let i = 0; i < size; i++) if ((i < GUARD || i >= GUARD + dn) && dst[i] !== 0xa5) guarded = false;
  return { ...outcome, guarded };
}

describe('LZ4 decoder in WebAssembly', () => {
  it('is available here', () => {
    expect(lz4DecodeWasmReady()).toBe(true);
  });

  it('decodes what the encoder writes, as the JavaScript loop does, inside its window', () => {
    const before = lz4DecodeWasmCounts.decoded;
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 9 }), (parts, accel) => {
        const src = concatBytes(parts);
        const room = src.length + (src.length >> 7) + 32;
        const buf = new Uint8Array(room);
        const n = lz4CompressFast(src, 0, src.length, buf, 0, room, accel);
        const stream = buf.slice(0, n);
        const wa = decode(stream, src.length, true);
        expect(wa.guarded).toBe(true);
        expect(wa.ok && wa.bytes).toEqual(src);
      }),
      { numRuns: 300 },
    );
    expect(lz4DecodeWasmCounts.decoded).toBeGreaterThan(before + 250);
  });

  it('gives the JavaScript loop\'s outcome on damaged streams: same bytes or same error, never a write outside the window', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { minLength: 1, maxLength: 30 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -3, max: 3 }),
        (parts, edits, cut, dnDelta) => {
          const src = concatBytes(parts);
          const room = src.length + (src.length >> 7) + 32;
          const buf = new Uint8Array(room);
          const n = lz4CompressFast(src, 0, src.length, buf, 0, room, 1);
          const stream = buf.slice(0, Math.max(1, n + Math.min(cut, 0)));
          for (const { at, value } of edits) stream[at % stream.length] = value;
          const dn = Math.max(0, src.length + dnDelta);
          const wa = decode(stream, dn, true);
          setLz4DecodeWasmEnabled(false);
          const js = decode(stream, dn, false);
          setLz4DecodeWasmEnabled(true);
          expect(wa.guarded).toBe(true);
          expect(wa.ok).toBe(js.ok);
          if (wa.ok && js.ok) expect(wa.bytes).toEqual(js.bytes);
          if (!wa.ok && !js.ok) expect(wa.error).toBe(js.error);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('takes a match back to the first output byte and refuses one a byte further', () => {
    for (const offset of [8, 9, 0]) {
      // 8 literals, a 4-byte match at `offset`, then 14 literals: 26 bytes out.
      const stream = Uint8Array.from([0x80, 65, 66, 67, 68, 69, 70, 71, 72, offset, 0, 0xe0, ...Array.from({ length: 14 }, (_, i) => 97 + i)]);
      const wa = decode(stream, 26, true);
      setLz4DecodeWasmEnabled(false);
      const js = decode(stream, 26, false);
      setLz4DecodeWasmEnabled(true);
      expect(wa.ok).toBe(offset === 8);
      expect(wa).toEqual(js);
    }
  });

  it('copies every kind of match where it ends: offsets 1..20, short and long, near the window\'s end and not', () => {
    // Three sequences: 20 literals and a 4-byte match, then 5 literals and the match under
    // test (`mlen` at `offset`), then `tail` literals: LZ4 keeps at least 5 for the end, fewer
    // make C refuse the stream, which both decoders must do alike. Tails of 64 or more leave
    // the match under test to the fast loop when it is short.
    type Sequence = { lits: number[]; mlen: number; offset: number };
    const varlen = (n: number): number[] => {
      const out: number[] = [];
      while (n >= 255) {
        out.push(255);
        n -= 255;
      }
      out.push(n);
      return out;
    };
    const encodeSeq = ({ lits, mlen, offset }: Sequence): number[] => {
      const lcode = Math.min(lits.length, 15);
      const mcode = mlen === 0 ? 0 : Math.min(mlen - 4, 15);
      const out = [(lcode << 4) | mcode, ...(lcode === 15 ? varlen(lits.length - 15) : []), ...lits];
      if (mlen > 0) out.push(offset & 255, offset >> 8, ...(mcode === 15 ? varlen(mlen - 19) : []));
      return out;
    };
    const expected = (seqs: Sequence[]): Uint8Array => {
      const out: number[] = [];
      for (const { lits, mlen, offset } of seqs) {
        out.push(...lits);
        for (let i = 0; i < mlen; i++) out.push(out[out.length - offset]!);
      }
      return Uint8Array.from(out);
    };
    const lead = Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 255);
    let accepted = 0;
    for (const offset of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16, 17, 20]) {
      for (const mlen of [4, 5, 7, 8, 9, 12, 15, 16, 17, 18, 19, 31, 32, 33, 63, 64, 65, 66, 100, 300, 1000]) {
        for (const tail of [3, 5, 6, 8, 12, 13, 20, 64, 80]) {
          const seqs: Sequence[] = [
            { lits: lead, mlen: 4, offset: 7 },
            { lits: [1, 2, 3, 4, 5], mlen, offset },
            { lits: Array.from({ length: tail }, (_, i) => 200 + i), mlen: 0, offset: 0 },
          ];
          const stream = Uint8Array.from(seqs.flatMap(encodeSeq));
          const want = expected(seqs);
          const wa = decode(stream, want.length, true);
          setLz4DecodeWasmEnabled(false);
          const js = decode(stream, want.length, true);
          setLz4DecodeWasmEnabled(true);
          expect(wa.guarded).toBe(true);
          expect(wa).toEqual(js);
          if (wa.ok) {
            accepted++;
            expect(wa.bytes).toEqual(want);
          }
        }
      }
    }
    expect(accepted).toBeGreaterThan(1500);
  });

  it('decodes Blosc2 chunks of many short sequences to the same bytes with and without it', () => {
    const n = 1 << 18;
    const data = new Uint8Array(n);
    const next = mulberry32Uint32(7);
    for (let i = 0; i < n; i += 4) {
      data[i] = (next() >>> 24) % 5; // small counts: short literals, short matches
    }
    const chunk = compress(data, { codec: 'lz4', clevel: 5, typesize: 4, shuffle: 'shuffle', format: 'blosc2' });
    const before = lz4DecodeWasmCounts.decoded;
    expect(decompress(chunk)).toEqual(data);
    expect(lz4DecodeWasmCounts.decoded).toBeGreaterThan(before);
    setLz4DecodeWasmEnabled(false);
    expect(decompress(chunk)).toEqual(data);
  });
});
