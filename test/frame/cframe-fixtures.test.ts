import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { FileSource } from '../../src/io/file-source.js';
import { readChunkHeader } from '../../src/frame/chunk-header.js';
import { msgpackDecode } from '../../src/frame/msgpack.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BloscError } from '../../src/errors.js';
import { bytesEqual, firstDifference, sha256 } from '../helpers.js';
import { fixturePath, frameFixtures, hex, jsonForm, readFrameFixture } from './frame-fixtures.js';

const fixtures = frameFixtures().filter((f) => f.kind !== 'sframe');

describe('contiguous frames written by python-blosc2', () => {
  it('has fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });

  for (const f of fixtures) {
    describe(f.path, () => {
      const bytes = readFrameFixture(f);

      it('is the file the manifest describes', () => {
        expect(sha256(bytes)).toBe(f.frameSha256);
      });

      it('reads the header, metalayers and vlmetalayers python-blosc2 reads', () => {
        const s = SChunk.open(bytes);
        expect(s.nchunks).toBe(f.nchunks);
        expect(s.typesize).toBe(f.typesize);
        expect(s.nbytes).toBe(f.nbytes);
        if (f.nchunks > 0) expect(s.chunksize).toBe(f.chunksize);
        const frame = CFrame.open(bytes);
        expect(frame.header.codec).toBe(f.codec);
        expect(frame.header.clevel).toBe(f.clevel);
        expect(frame.header.filters).toEqual(f.filters);
        expect(frame.header.cbytes).toBe(f.cbytes);
        expect(Object.fromEntries(s.meta.names().map((n) => [n, hex(s.meta.get(n)!)]))).toEqual(f.metalayers);
        expect(Object.fromEntries(s.vlmeta.names().map((n) => [n, jsonForm(s.vlmeta.get(n)!)]))).toEqual(f.vlmeta);
        for (const n of s.meta.names()) {
          // python-blosc2 metalayer values are msgpack; they must decode.
          expect(() => msgpackDecode(s.meta.get(n)!)).not.toThrow();
        }
        if (f.kind === 'b2nd') expect(s.meta.has('b2nd')).toBe(true);
      });

      it('returns the chunks python-blosc2 returns, specials included', () => {
        if (f.chunks === null) return;
        const s = SChunk.open(bytes);
        for (let i = 0; i < f.nchunks; i++) {
          const c = s.getChunk(i);
          expect(readChunkHeader(c).special, `chunk ${i}`).toBe(f.chunks[i]!.special);
          expect(sha256(c), `chunk ${i}`).toBe(f.chunks[i]!.sha256);
        }
      });

      it('decodes schunk[:] to the bytes python-blosc2 gives', () => {
        const s = SChunk.open(bytes);
        const all = s.getSlice();
        expect(all.length).toBe(f.decoded.length);
        if (f.uninit === true) expect(all.every((v) => v === 0)).toBe(true); // undefined contents read as zeros
        else expect(sha256(all)).toBe(f.decoded.sha256);
      });

      it('reads the same from a file, on demand', () => {
        const src = new FileSource(fixturePath(f));
        try {
          const s = SChunk.open(src);
          expect(sha256(s.getSlice())).toBe(sha256(SChunk.open(bytes).getSlice()));
        } finally {
          src.close();
        }
      });

      it('slices agree with the whole', () => {
        const s = SChunk.open(bytes);
        const all = s.getSlice();
        const n = Math.floor(all.length / s.typesize);
        const cuts = [0, 1, Math.floor(n / 3), Math.floor(n / 2) + 7, n - 1, n];
        for (const a of cuts) {
          for (const b of cuts) {
            const part = s.getSlice(a, b);
            const lo = Math.max(0, Math.min(a, n)) * s.typesize;
            const hi = Math.max(lo, Math.min(b, n) * s.typesize);
            expect(hex(part)).toBe(hex(all.subarray(lo, hi)));
          }
        }
      });

      it('is rewritten byte for byte by toFrame (compacted when python left holes)', () => {
        const ours = SChunk.open(bytes).toFrame();
        if (f.path.includes('edited')) {
          // Deleted and rewritten chunks leave dead bytes in python's data area; ours is compact.
          expect(ours.length).toBeLessThan(bytes.length);
        } else {
          expect(bytesEqual(ours, bytes), firstDifference(ours, bytes)).toBe(true);
        }
      });

      it('reads the frame embedded at an offset in a bigger file', () => {
        const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-embed-'));
        const path = join(dir, 'embedded.bin');
        const padded = new Uint8Array(bytes.length + 1000);
        padded.fill(0xee);
        padded.set(bytes, 777);
        writeFileSync(path, padded);
        const src = new FileSource(path, 777);
        try {
          expect(() => SChunk.open(src)).toThrow(BloscError); // trailing bytes: frame_len ≠ source size
          const s = SChunk.open(src, { exact: false });
          expect(s.nchunks).toBe(f.nchunks);
          expect(sha256(s.getSlice())).toBe(sha256(SChunk.open(bytes).getSlice()));
        } finally {
          src.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });

      it('survives toFrame → open with the same content', () => {
        const s = SChunk.open(bytes);
        const again = SChunk.open(s.toFrame());
        expect(again.nchunks).toBe(f.nchunks);
        expect(sha256(again.getSlice())).toBe(sha256(s.getSlice()));
        expect(Object.fromEntries(again.meta.names().map((n) => [n, hex(again.meta.get(n)!)]))).toEqual(f.metalayers);
        expect(Object.fromEntries(again.vlmeta.names().map((n) => [n, jsonForm(again.vlmeta.get(n)!)]))).toEqual(f.vlmeta);
      });
    });
  }
});
