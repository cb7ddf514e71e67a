/** Files written by bloscpack 0.16.0 (fixtures/bloscpack/generate.py): read exactly, and rewritten byte for byte. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendBytes, packBytes, packNdarray, readBloscpackInfo, unpackBytes, unpackNdarray, verifyBytes, type JsonValue, type PackOptions } from '../../src/bloscpack/index.js';
import type { ChecksumName, MetaCodecName } from '../../src/frame/bloscpack.js';
import { BloscError, BloscErrorCode } from '../../src/errors.js';
import { FIXTURES, bytesEqual, firstDifference, runPython, sha256 } from '../helpers.js';
import { GENERATOR, bloscpackReference } from './python-bloscpack.js';

interface BloscpackFixture {
  name: string;
  kind: 'bytes' | 'ndarray';
  path: string;
  raw: string;
  rawLength: number;
  rawSha256: string;
  fileSha256: string;
  chunk_size: number | string;
  codec: string;
  clevel: number;
  shuffle: boolean;
  typesize?: number;
  checksum: ChecksumName;
  offsets?: boolean;
  max_app_chunks?: number | null;
  metadata?: JsonValue | null;
  meta_codec?: MetaCodecName;
  meta_checksum?: ChecksumName;
  meta_level?: number;
  max_meta_size?: number | null;
  metadataRead?: JsonValue | null;
  append?: [number, number] | null;
  appendedRaw?: string;
  originalSize?: number;
  dtypeStr?: string;
  itemsize?: number;
  shape?: number[];
  order?: 'C' | 'F';
}

const DIR = join(FIXTURES, 'bloscpack');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as { files: BloscpackFixture[] };
const load = (rel: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, rel)));

function packOptionsOf(f: BloscpackFixture): PackOptions {
  const o: PackOptions = { codec: f.codec, clevel: f.clevel, shuffle: f.shuffle, chunkSize: f.chunk_size, checksum: f.checksum };
  if (f.kind === 'bytes') {
    o.typesize = f.typesize!;
    o.offsets = f.offsets!;
    if (f.max_app_chunks != null) o.maxAppChunks = f.max_app_chunks;
    if (f.metadata != null) {
      o.metadata = f.metadata;
      o.metaCodec = f.meta_codec!;
      o.metaChecksum = f.meta_checksum!;
      o.metaLevel = f.meta_level!;
      if (f.max_meta_size != null) o.maxMetaSize = f.max_meta_size;
    }
  }
  return o;
}

describe('bloscpack 0.16.0 fixtures', () => {
  it('cover what the format offers', () => {
    const names = manifest.files.map((f) => f.name);
    expect(names.length).toBeGreaterThanOrEqual(20);
    const checksums = new Set(manifest.files.map((f) => f.checksum));
    for (const c of ['None', 'adler32', 'crc32', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']) expect(checksums).toContain(c);
  });

  for (const f of manifest.files) {
    describe(f.name, () => {
      const file = load(f.path);
      const raw = load(f.raw);

      it('unpacks to what bloscpack unpacks', () => {
        expect(sha256(file)).toBe(f.fileSha256);
        expect(sha256(raw)).toBe(f.rawSha256);
        const u = unpackBytes(file);
        expect(u.data.length).toBe(f.rawLength);
        expect(bytesEqual(u.data, raw), firstDifference(u.data, raw)).toBe(true);
        expect(u.header.checksum).toBe(f.checksum);
        if (f.kind === 'bytes') {
          expect(u.metadata ?? null).toEqual(f.metadataRead ?? null);
          expect(u.header.offsets).toBe(f.offsets);
        }
        // Offsets, when present, point at the chunks the walk found.
        if (u.header.offsets) expect(u.offsets).toEqual(u.chunks.map((c) => c.position));
        expect(verifyBytes(file).chunks.length).toBe(u.header.nchunks);
      });

      if (f.kind === 'ndarray') {
        it('unpacks as the same array', () => {
          const a = unpackNdarray(file);
          expect(a.dtype).toBe(f.dtypeStr);
          expect(a.shape).toEqual(f.shape);
          expect(a.order).toBe(f.order);
          expect(bytesEqual(a.data, raw)).toBe(true);
          expect(readBloscpackInfo(file).header.typesize).toBe(f.itemsize);
        });
      }

      it('is rewritten byte for byte (zstd: same layout and contents)', (ctx) => {
        let ours: Uint8Array;
        try {
          if (f.kind === 'ndarray') {
            ours = packNdarray({ data: raw, dtype: f.dtypeStr!, shape: f.shape!, order: f.order!, itemsize: f.itemsize! }, packOptionsOf(f));
          } else if (f.append != null) {
            const extra = load(f.appendedRaw!);
            const before = packBytes(raw.subarray(0, f.originalSize!), packOptionsOf(f));
            ours = appendBytes(before, extra);
          } else {
            ours = packBytes(raw, packOptionsOf(f));
          }
        } catch (e) {
          // A build without a zstd encoder can read these files but not write them.
          if (f.codec === 'zstd' && e instanceof BloscError && e.code === BloscErrorCode.CodecSupport) return ctx.skip();
          throw e;
        }
        if (f.codec === 'zstd') {
          // Blosc-level zstd output need not match C's byte for byte; everything around the chunks must.
          const theirs = readBloscpackInfo(file);
          const mine = readBloscpackInfo(ours);
          expect(mine.header).toEqual(theirs.header);
          expect(mine.metadata).toEqual(theirs.metadata);
          expect(bytesEqual(unpackBytes(ours).data, raw)).toBe(true);
          return;
        }
        expect(bytesEqual(ours, file), firstDifference(ours, file)).toBe(true);
      });
    });
  }

  it.skipIf(!bloscpackReference().ok)('are what the generator writes today', () => {
    expect(runPython([GENERATOR, '--verify'], 120_000).trim().split('\n').pop()).toBe('ok');
  });
});
