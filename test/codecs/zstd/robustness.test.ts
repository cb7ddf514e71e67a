import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../../src/errors.js';
import { parseZstdDictionary, zstdDecompress, zstdDecompressInto, zstdFrameContentSize } from '../../../src/codecs/zstd/index.js';
import type { ZstdDictionary } from '../../../src/codecs/zstd/index.js';
import { setZstdWasmEnabled } from '../../../src/codecs/zstd/sequences-wasm.js';
import { simdScratch } from '../../../src/shuffle/simd.js';
import { decodeOutcome } from './outcome.js';

afterEach(() => setZstdWasmEnabled(true));

const dir = fileURLToPath(new URL('./vectors/', import.meta.url));
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(dir + f));

interface Vector {
  file: string;
  size: number;
  dict?: string;
}
const vectors: Vector[] = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
// Small and varied: every mode appears in at least one of these.
const picked = [
  'small.zst', 'text-check.zst', 'text-wlog10.zst', 'alphabet8.zst', 'literals-only.zst', 'alternating-offsets.zst',
  'rle-literals-l3.zst', 'dict-l3.zst', 'dict-l19.zst', 'rawdict-l3.zst', 'zeros-rle.zst', 'arange-i8-l9.zst',
  'linspace-f8-l19.zst', 'mixed-l19.zst', 'skippable.zst',
].map((f) => vectors.find((v) => v.file === f)!);
const dicts = new Map<string, ZstdDictionary>();
const dictOf = (v: Vector): ZstdDictionary | null =>
  v.dict === undefined ? null : (dicts.get(v.dict) ?? dicts.set(v.dict, parseZstdDictionary(read(v.dict))).get(v.dict)!);

/** Run fn; it may return, but any exception must be a BloscError. Returns the error, if any. */
function onlyBloscErrors(fn: () => unknown): unknown {
  try {
    fn();
    return null;
  } catch (e) {
    if (!isBloscError(e)) throw new Error(`non-BloscError thrown: ${String(e)}`, { cause: e });
    return e;
  }
}

/** Decode into a window of `size` bytes inside a guarded buffer; check nothing outside changed. */
function guardedDecode(src: Uint8Array, size: number, dict: ZstdDictionary | null): unknown {
  const buf = new Uint8Array(size + 64).fill(0xcc);
  const err = onlyBloscErrors(() => zstdDecompressInto(src, 0, src.length, buf, 32, size, dict));
  for (let i = 0; i < 32; i++) {
    if (buf[i] !== 0xcc || buf[size + 32 + i] !== 0xcc) throw new Error('wrote outside the output window');
  }
  return err;
}

describe('zstd decoder on damaged input', () => {
  it('every truncation of a frame throws a BloscError', () => {
    for (const v of picked) {
      const frame = read(v.file);
      const dict = dictOf(v);
      const step = Math.max(1, Math.floor(frame.length / 300));
      for (let n = 0; n < frame.length; n += step) {
        const cut = frame.subarray(0, n);
        const err = onlyBloscErrors(() => zstdDecompress(cut, undefined, dict));
        // A cut at a frame boundary of a multi-frame input is valid; anything else must fail.
        if (v.file !== 'skippable.zst' && n > 0) expect(err, `${v.file} cut at ${n}`).not.toBeNull();
        guardedDecode(cut, v.size, dict);
      }
    }
  });

  it('truncation errors are ReadBuffer when a header or block is cut', () => {
    const frame = read('text-check.zst');
    for (const n of [3, 5, frame.length - 2, frame.length - 5]) {
      const err = onlyBloscErrors(() => zstdDecompress(frame.subarray(0, n)));
      expect((err as { code: number }).code).toBe(BloscErrorCode.ReadBuffer);
    }
  });

  it('bit flips only ever throw BloscError and never write outside the output', () => {
    const frames = picked.map((v) => ({ v, frame: read(v.file), dict: dictOf(v) }));
    fc.assert(
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }),
        (which, flips) => {
          const { v, frame, dict } = frames[which]!;
          const bad = frame.slice();
          for (const [pos, bit] of flips) bad[Math.floor(pos * bad.length)]! ^= 1 << bit;
          onlyBloscErrors(() => zstdDecompress(bad, undefined, dict));
          guardedDecode(bad, v.size, dict);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('damaged frames decoded in place in the shared WebAssembly memory write nothing outside their window', () => {
    const frames = picked.map((v) => ({ v, frame: read(v.file), dict: dictOf(v) }));
    fc.assert(
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 4 }),
        (which, flips) => {
          const { v, frame, dict } = frames[which]!;
          const bad = frame.slice();
          for (const [pos, bit] of flips) bad[Math.floor(pos * bad.length)]! ^= 1 << bit;
          const scratch = simdScratch(v.size + 64)!;
          scratch.fill(0xcc);
          onlyBloscErrors(() => zstdDecompressInto(bad, 0, bad.length, scratch, 32, v.size, dict));
          for (let i = 0; i < 32; i++) {
            if (scratch[i] !== 0xcc || scratch[v.size + 32 + i] !== 0xcc) throw new Error('wrote outside the output window');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('both sequence loops give the same bytes or the same error on damaged frames', () => {
    const frames = picked.map((v) => ({ v, frame: read(v.file), dict: dictOf(v) }));
    fc.assert(
      fc.property(
        fc.nat({ max: frames.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, maxExcluded: true }), fc.nat({ max: 7 })), { minLength: 1, maxLength: 3 }),
        (which, flips) => {
          const { v, frame, dict } = frames[which]!;
          const bad = frame.slice();
          for (const [pos, bit] of flips) bad[Math.floor(pos * bad.length)]! ^= 1 << bit;
          setZstdWasmEnabled(true);
          const wasm = decodeOutcome(bad, v.size, dict);
          setZstdWasmEnabled(false);
          const js = decodeOutcome(bad, v.size, dict);
          expect(wasm).toBe(js);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('a flipped checksum is caught', () => {
    const frame = read('text-check.zst').slice();
    frame[frame.length - 1]! ^= 0x10;
    const err = onlyBloscErrors(() => zstdDecompress(frame));
    expect((err as { code: number }).code).toBe(BloscErrorCode.Data);
  });

  it('garbage after a valid frame header only ever throws BloscError', () => {
    const header = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.nat({ max: 5000 }), (body, size) => {
        const src = new Uint8Array(4 + body.length);
        src.set(header);
        src.set(body, 4);
        onlyBloscErrors(() => zstdDecompress(src));
        onlyBloscErrors(() => zstdFrameContentSize(src, 0, src.length));
        guardedDecode(src, size, null);
      }),
      { numRuns: 3000 },
    );
  });

  it('garbage blocks behind a well-formed frame header only ever throw BloscError', () => {
    // Single-segment frame of 1000 bytes, then a compressed block of random content.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), (body, last) => {
        const bh = (body.length << 3) | (2 << 1) | (last ? 1 : 0);
        // 0x60: single segment, 2-byte content size (1000 - 256 = 744 = 0x02e8).
        const src = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x60, 0xe8, 0x02, bh & 0xff, (bh >> 8) & 0xff, bh >> 16, ...body);
        onlyBloscErrors(() => zstdDecompress(src));
        guardedDecode(src, 1000, null);
      }),
      { numRuns: 3000 },
    );
  });

  it('garbage dictionaries only ever throw BloscError', () => {
    const real = read('json.dict');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.nat({ max: 600 }), (body, cut) => {
        const bytes = new Uint8Array(8 + body.length);
        bytes.set(real.subarray(0, 8));
        bytes.set(body, 8);
        onlyBloscErrors(() => parseZstdDictionary(bytes));
        onlyBloscErrors(() => parseZstdDictionary(real.subarray(0, Math.min(cut, real.length))));
      }),
      { numRuns: 2000 },
    );
  });

  it('a lying content size does not drive the allocation', () => {
    // Frame header declaring 2^31 - 1 bytes, then one empty last raw block.
    const src = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00);
    expect(zstdFrameContentSize(src, 0, src.length)).toBe(0x7fffffff);
    const err = onlyBloscErrors(() => zstdDecompress(src));
    expect((err as { code: number }).code).toBe(BloscErrorCode.Data);
    // Over 2^31: refused as soon as the header is read.
    const huge = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00);
    expect((onlyBloscErrors(() => zstdFrameContentSize(huge, 0, huge.length)) as { code: number }).code).toBe(BloscErrorCode.Data);
  });

  it('rejects reserved bits, reserved block types and oversized blocks', () => {
    const base = [0x28, 0xb5, 0x2f, 0xfd];
    // Reserved frame-header bit 3.
    expect((onlyBloscErrors(() => zstdDecompress(Uint8Array.of(...base, 0x28, 5, 1, 0, 0))) as { code: number }).code).toBe(BloscErrorCode.Data);
    // Reserved block type 3.
    expect((onlyBloscErrors(() => zstdDecompress(Uint8Array.of(...base, 0x20, 5, 0x07, 0, 0))) as { code: number }).code).toBe(BloscErrorCode.Data);
    // A raw block larger than the 5-byte window of a single-segment frame.
    const bh = (6 << 3) | 1;
    expect((onlyBloscErrors(() => zstdDecompress(Uint8Array.of(...base, 0x20, 5, bh, 0, 0, 1, 2, 3, 4, 5, 6))) as { code: number }).code).toBe(
      BloscErrorCode.Data,
    );
    // The same frame with a correct 5-byte raw block decodes.
    const ok = zstdDecompress(Uint8Array.of(...base, 0x20, 5, (5 << 3) | 1, 0, 0, 1, 2, 3, 4, 5));
    expect([...ok]).toEqual([1, 2, 3, 4, 5]);
  });

  it('checks argument ranges', () => {
    const frame = read('small.zst');
    const err = onlyBloscErrors(() => zstdDecompressInto(frame, 0, frame.length + 1, new Uint8Array(100), 0, 100, null));
    expect((err as { code: number }).code).toBe(BloscErrorCode.InvalidParam);
    const err2 = onlyBloscErrors(() => zstdDecompressInto(frame, 0, frame.length, new Uint8Array(100), 90, 20, null));
    expect((err2 as { code: number }).code).toBe(BloscErrorCode.InvalidParam);
  });
});
