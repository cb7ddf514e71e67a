/** The bloscpack format layer: headers, offsets, chunking and metadata serialization. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BloscError } from '../../src/errors.js';
import {
  CHECKSUM_NAMES,
  calculateChunks,
  declaredSize,
  metadataSectionLength,
  parseChunkSize,
  readBloscpackHeader,
  readMetadataHeader,
  readOffsets,
  writeBloscpackHeader,
  writeMetadataHeader,
  writeOffsets,
  type BloscpackHeader,
  type MetadataHeader,
} from '../../src/frame/bloscpack.js';
import { decodeMetadata, encodeMetadataSection, pythonJsonDumps, type JsonValue } from '../../src/bloscpack/index.js';
import { pythonReference, runPython } from '../helpers.js';

const headerArb = fc
  .record({
    offsets: fc.boolean(),
    metadata: fc.boolean(),
    checksum: fc.constantFrom(...CHECKSUM_NAMES),
    typesize: fc.integer({ min: 0, max: 255 }),
    chunkSize: fc.integer({ min: 1, max: 2_147_483_631 }),
    nchunks: fc.integer({ min: 1, max: 2 ** 40 }),
    maxAppChunks: fc.integer({ min: 0, max: 2 ** 40 }),
    last: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(
    (r): BloscpackHeader => ({
      formatVersion: 3,
      offsets: r.offsets,
      metadata: r.metadata,
      checksum: r.checksum,
      typesize: r.typesize,
      chunkSize: r.chunkSize,
      lastChunk: Math.max(1, Math.floor(r.last * r.chunkSize)),
      nchunks: r.nchunks,
      maxAppChunks: r.offsets ? r.maxAppChunks : 0,
    }),
  );

describe('bloscpack header', () => {
  it('round-trips every valid header', () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        const b = writeBloscpackHeader(h);
        expect(b.length).toBe(32);
        expect(readBloscpackHeader(b)).toEqual(h);
      }),
    );
  });

  it('has the layout of the spec (little-endian, magic, options bits)', () => {
    const b = writeBloscpackHeader({ formatVersion: 3, offsets: true, metadata: true, checksum: 'sha256', typesize: 8, chunkSize: 1 << 20, lastChunk: 5, nchunks: 3, maxAppChunks: 30 });
    const dv = new DataView(b.buffer);
    expect(new TextDecoder().decode(b.subarray(0, 4))).toBe('blpk');
    expect([b[4], b[5], b[6], b[7]]).toEqual([3, 3, 6, 8]);
    expect(dv.getInt32(8, true)).toBe(1 << 20);
    expect(dv.getInt32(12, true)).toBe(5);
    expect(dv.getBigInt64(16, true)).toBe(3n);
    expect(dv.getBigInt64(24, true)).toBe(30n);
  });

  it('unknown sizes are −1 and stay −1', () => {
    const h: BloscpackHeader = { formatVersion: 3, offsets: false, metadata: false, checksum: 'None', typesize: 0, chunkSize: -1, lastChunk: -1, nchunks: -1, maxAppChunks: 0 };
    const b = writeBloscpackHeader(h);
    expect(Array.from(b.subarray(8, 24))).toEqual(new Array(16).fill(0xff));
    expect(readBloscpackHeader(b)).toEqual(h);
    expect(declaredSize(h)).toBe(-1);
  });

  it('refuses inconsistent headers on write too', () => {
    const ok: BloscpackHeader = { formatVersion: 3, offsets: true, metadata: false, checksum: 'None', typesize: 1, chunkSize: 10, lastChunk: 10, nchunks: 2, maxAppChunks: 0 };
    expect(() => writeBloscpackHeader({ ...ok, lastChunk: 11 })).toThrow(BloscError);
    expect(() => writeBloscpackHeader({ ...ok, nchunks: -1, maxAppChunks: 1 })).toThrow(BloscError);
    expect(() => writeBloscpackHeader({ ...ok, formatVersion: 2 })).toThrow(BloscError);
    expect(() => writeBloscpackHeader({ ...ok, offsets: false, maxAppChunks: 4 })).toThrow(BloscError);
    expect(() => declaredSize({ ...ok, lastChunk: 0 })).toThrow(BloscError);
  });
});

describe('metadata header and offsets', () => {
  it('metadata header round-trips; section length counts room and digest', () => {
    const m: MetadataHeader = { magicFormat: 'JSON', metaChecksum: 'sha1', metaCodec: 'zlib', metaLevel: 6, metaSize: 100, maxMetaSize: 1000, metaCompSize: 60, userCodec: '' };
    const b = writeMetadataHeader(m);
    expect(Array.from(b.subarray(0, 8))).toEqual([0x4a, 0x53, 0x4f, 0x4e, 0, 0, 0, 0]);
    expect(readMetadataHeader(b, 0)).toEqual(m);
    expect(metadataSectionLength(m)).toBe(32 + 1000 + 20);
  });

  it('offsets: −1 padding, and positions checked against the chunk area', () => {
    const b = writeOffsets([100, 200], 4);
    expect(readOffsets(b, 0, 4, 100, 1000)).toEqual([100, 200, -1, -1]);
    expect(() => readOffsets(b, 0, 2, 150, 1000)).toThrow(BloscError);
    expect(() => readOffsets(b, 0, 2, 0, 210)).toThrow(BloscError);
    expect(() => readOffsets(b, 8, 4)).toThrow(BloscError);
  });
});

describe('chunking (args.py calculate_nchunks)', () => {
  it('every chunk but the last is full, the last is never empty', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 31 - 17 }), (size, cs) => {
        const r = calculateChunks(size, cs);
        expect(r.chunkSize).toBe(Math.min(cs, size));
        expect(r.lastChunk).toBeGreaterThan(0);
        expect(r.lastChunk).toBeLessThanOrEqual(r.chunkSize);
        expect((r.nchunks - 1) * r.chunkSize + r.lastChunk).toBe(size);
      }),
    );
    expect(calculateChunks(0, 100)).toEqual({ nchunks: 1, chunkSize: 0, lastChunk: 0 });
  });

  it("parses bloscpack's size notation", () => {
    expect(parseChunkSize('1M')).toBe(1 << 20);
    expect(parseChunkSize('8K')).toBe(8192);
    expect(parseChunkSize('0.5M')).toBe(1 << 19);
    expect(parseChunkSize(1234)).toBe(1234);
    expect(() => parseChunkSize('12Q')).toThrow(BloscError);
  });
});

describe('metadata section', () => {
  it('round-trips JSON, with and without zlib and checksums', () => {
    const value: JsonValue = { a: [1, 2, { b: 'ünïcode ✓ 😀' }], n: null, t: true, long: 'x'.repeat(500) };
    for (const codec of ['zlib', 'None'] as const) {
      for (const checksum of ['None', 'crc32', 'sha384'] as const) {
        const sec = encodeMetadataSection(value, { codec, checksum });
        const m = readMetadataHeader(sec, 0);
        expect(sec.length).toBe(metadataSectionLength(m));
        expect(m.metaCodec).toBe(codec);
        const stored = sec.subarray(32, 32 + m.metaCompSize);
        const digest = sec.subarray(32 + m.maxMetaSize);
        expect(decodeMetadata(m, stored, digest)).toEqual(value);
      }
    }
  });

  it('drops zlib when it does not pay, keeping level 6 (as bloscpack does)', () => {
    const m = readMetadataHeader(encodeMetadataSection({ a: 1 }), 0);
    expect(m).toMatchObject({ metaCodec: 'None', metaLevel: 6, metaSize: 7, metaCompSize: 7, maxMetaSize: 70 });
  });

  it.skipIf(!pythonReference().ok)('serializes as Python json.dumps(separators=(",", ":"))', () => {
    const values: JsonValue[] = [{ dtype: "'<f8'", shape: [3, 4], order: 'C', container: 'numpy' }, { s: 'café ☃ 😀 \u007f "q" \\ \n' }, [true, false, null, -3, 'x']];
    const py = runPython(['-c', 'import json,sys; print(json.dumps([json.dumps(v, separators=(",", ":")) for v in json.loads(sys.argv[1])]))', JSON.stringify(values)]);
    expect(values.map(pythonJsonDumps)).toEqual(JSON.parse(py));
  });
});
