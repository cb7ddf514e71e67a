/**
 * Metadata bombs (issue case 2): msgpack values that are small on disk but would take
 * gigabytes of objects fail fast with a BloscError, under limits settable globally.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BloscErrorCode, compress, getLimits, msgpackDecode, msgpackEncode, setLimits, SChunk, DEFAULT_LIMITS } from '../../src/index.js';
import { codeOf, cost, MiB } from './helpers.js';

const saved = getLimits();
afterEach(() => {
  setLimits(saved);
});

/** msgpack `array32` of `n` empty maps (fixmap 0x80): n + 5 bytes. */
function emptyMaps(n: number): Uint8Array {
  const b = new Uint8Array(5 + n).fill(0x80);
  b[0] = 0xdd;
  new DataView(b.buffer).setUint32(1, n);
  return b;
}

describe('a vlmetalayer holding an array of 67 million empty maps', () => {
  const N = 67_000_000; // 67 MB of msgpack: within the 64 MiB cap on a value's bytes
  const value = emptyMaps(N);
  const chunk = compress(value, { codec: 'lz4', clevel: 1, typesize: 1, shuffle: 'noshuffle' });
  const s = new SChunk({ chunksize: 8, typesize: 1 });
  s.append(new Uint8Array(8));
  s.vlmeta.setChunk('bomb', chunk);
  const frame = s.toFrame();

  it('is a small frame that opens', () => {
    expect(value.length).toBeLessThan(DEFAULT_LIMITS.maxMsgpackBytes);
    expect(frame.length).toBeLessThan(400_000);
    expect(SChunk.open(frame).vlmeta.names()).toEqual(['bomb']);
  });

  it('vlmeta.get fails fast with MaxBufsizeExceeded instead of exhausting the heap', () => {
    const opened = SChunk.open(frame);
    const c = cost(() => codeOf(() => opened.vlmeta.get('bomb')));
    expect(c.value).toBe(BloscErrorCode.MaxBufsizeExceeded);
    // Before: 44 s and a heap abort. The decoded 64 MiB value is all that is allocated.
    expect(c.ms).toBeLessThan(3000);
    expect(c.rss).toBeLessThan(512 * MiB);
    // The raw bytes stay readable.
    expect(opened.vlmeta.getBytes('bomb')!.length).toBe(value.length);
  });

  it('decodes under a raised element limit (what the limit is for is the caller to choose)', () => {
    setLimits({ maxMsgpackElements: 200 });
    expect(codeOf(() => msgpackDecode(emptyMaps(300)))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    setLimits({ maxMsgpackElements: 301 });
    expect((msgpackDecode(emptyMaps(300)) as unknown[]).length).toBe(300);
  });
});

describe('msgpack limits', () => {
  it('nesting deeper than maxMsgpackDepth is a Data error; the per-call option overrides', () => {
    const deep = new Uint8Array(200).fill(0x91); // [[[[...]]]]
    deep[199] = 0xc0;
    expect(codeOf(() => msgpackDecode(deep))).toBe(BloscErrorCode.Data);
    expect(codeOf(() => msgpackDecode(deep, { maxDepth: 500 }))).toBe('no error');
    setLimits({ maxMsgpackDepth: 300 });
    expect(codeOf(() => msgpackDecode(deep))).toBe('no error');
  });

  it('a value larger than maxMsgpackBytes is refused before it is read', () => {
    const big = msgpackEncode(new Uint8Array(4096));
    expect(codeOf(() => msgpackDecode(big, { maxBytes: 1000 }))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    setLimits({ maxMsgpackBytes: 1000 });
    expect(codeOf(() => msgpackDecode(big))).toBe(BloscErrorCode.MaxBufsizeExceeded);
  });

  it('a container counts its slots before they are allocated (maps count keys and values)', () => {
    const map16 = new Uint8Array([0xde, 0x00, 0x10, ...new Array<number>(32).fill(0xc0)]);
    expect(codeOf(() => msgpackDecode(map16, { maxElements: 32 }))).toBe(BloscErrorCode.MaxBufsizeExceeded);
    expect(codeOf(() => msgpackDecode(map16, { maxElements: 33 }))).toBe('no error');
  });

  it('metalayer values obey the same limits', () => {
    const s = new SChunk({ chunksize: 8, typesize: 1 });
    s.meta.add('many', emptyMaps(2_000_000));
    s.append(new Uint8Array(8));
    const opened = SChunk.open(s.toFrame());
    expect(codeOf(() => opened.meta.getValue('many'))).toBe(BloscErrorCode.MaxBufsizeExceeded);
  });

  it('setLimits checks its values and returns the previous limits', () => {
    expect(codeOf(() => setLimits({ maxMsgpackDepth: -1 }))).toBe(BloscErrorCode.InvalidParam);
    expect(codeOf(() => setLimits({ maxOutputBytes: 1.5 }))).toBe(BloscErrorCode.InvalidParam);
    const before = setLimits({ maxMsgpackElements: 10 });
    expect(before).toEqual(saved);
    expect(getLimits()).toEqual({ ...saved, maxMsgpackElements: 10 });
    setLimits(before);
    expect(getLimits()).toEqual(DEFAULT_LIMITS);
  });
});
