import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decompress as fzstdDecompress } from 'fzstd';
import { afterEach, describe, expect, it } from 'vitest';
import { BloscErrorCode, isBloscError } from '../../../src/errors.js';
import {
  parseZstdDictionary,
  zstdCodec,
  zstdDecompress,
  zstdDecompressInto,
  zstdFrameContentSize,
} from '../../../src/codecs/zstd/index.js';
import type { ZstdDictionary } from '../../../src/codecs/zstd/index.js';
import { sequencesWasmCounts, setZstdWasmEnabled } from '../../../src/codecs/zstd/sequences-wasm.js';
import { frameFeatures } from './inspect.js';

afterEach(() => setZstdWasmEnabled(true));

const dir = fileURLToPath(new URL('./vectors/', import.meta.url));

interface Vector {
  file: string;
  size: number;
  sha256: string;
  note: string;
  fzstd: boolean;
  dict?: string;
}
const vectors: Vector[] = JSON.parse(readFileSync(dir + 'manifest.json', 'utf8'));
const read = (f: string): Uint8Array => new Uint8Array(readFileSync(dir + f));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

const dicts = new Map<string, ZstdDictionary>();
function dictFor(v: Vector): ZstdDictionary | null {
  if (v.dict === undefined) return null;
  let d = dicts.get(v.dict);
  if (d === undefined) {
    d = parseZstdDictionary(read(v.dict));
    dicts.set(v.dict, d);
  }
  return d;
}

function expectCode(fn: () => unknown, code: number): void {
  try {
    fn();
  } catch (e) {
    expect(isBloscError(e)).toBe(true);
    expect((e as { code: number }).code).toBe(code);
    return;
  }
  throw new Error('expected a BloscError');
}

describe('zstd conformance vectors (made by libzstd)', () => {
  it('has the vectors it should', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(40);
  });

  it('covers every block, literal and sequence mode', () => {
    const seen = new Set<string>();
    for (const v of vectors) for (const f of frameFeatures(read(v.file))) seen.add(f);
    const required = [
      'block:raw', 'block:rle', 'block:compressed',
      'literals:raw', 'literals:rle',
      'literals:compressed-1-stream', 'literals:compressed-4-stream',
      'literals:treeless-1-stream', 'literals:treeless-4-stream',
      'huffman:direct-weights', 'huffman:fse-weights',
      'sequences:none', 'sequences:count-2B', 'sequences:count-3B',
      ...['ll', 'of', 'ml'].flatMap((t) => ['predefined', 'rle', 'compressed', 'repeat'].map((m) => `sequences:${t}-${m}`)),
      'frame:checksum', 'frame:no-checksum', 'frame:single-segment', 'frame:no-content-size',
      'frame:content-size-1B', 'frame:content-size-2B', 'frame:content-size-4B',
      'frame:window-log-10', 'frame:multi-block', 'frame:multiple', 'frame:skippable', 'frame:dict-id',
    ];
    expect(required.filter((f) => !seen.has(f))).toEqual([]);
  });

  // Every vector through both sequence loops: the WebAssembly one (sequences-wasm.ts, used
  // wherever the platform has it) and the JavaScript one (the rest, and its fallback).
  for (const executor of ['WebAssembly', 'JavaScript']) {
    for (const v of vectors) {
      it(`${v.file}: ${v.note} (${executor} sequence loop)`, () => {
        setZstdWasmEnabled(executor === 'WebAssembly');
        const frame = read(v.file);
        const dict = dictFor(v);
        const out = zstdDecompress(frame, undefined, dict);
        expect(out.length).toBe(v.size);
        expect(sha256(out)).toBe(v.sha256);

        // Into a larger buffer at an offset: the bytes around the window stay untouched.
        const big = new Uint8Array(v.size + 19).fill(0xa5);
        const n = zstdDecompressInto(frame, 0, frame.length, big, 7, v.size + 5, dict);
        expect(n).toBe(v.size);
        expect(sha256(big.subarray(7, 7 + n))).toBe(v.sha256);
        expect(big.subarray(0, 7).every((b) => b === 0xa5)).toBe(true);
        expect(big.subarray(7 + n).every((b) => b === 0xa5)).toBe(true);

        // One byte too small: WriteBuffer, and nothing written past the window.
        if (v.size > 0) {
          const small = new Uint8Array(v.size + 8).fill(0x5a);
          expectCode(() => zstdDecompressInto(frame, 0, frame.length, small, 4, v.size - 1, dict), BloscErrorCode.WriteBuffer);
          expect(small.subarray(v.size + 3).every((b) => b === 0x5a)).toBe(true);
        }

        if (v.fzstd) {
          const theirs = fzstdDecompress(frame);
          expect(Buffer.compare(Buffer.from(out), Buffer.from(theirs))).toBe(0);
        }
      });
    }
  }

  it('runs the WebAssembly sequence loop on every compressed block of a frame without a dictionary', () => {
    const before = { ...sequencesWasmCounts };
    // Frames that declare their size and need no dictionary, with at least one block of sequences.
    let frames = 0;
    for (const v of vectors) {
      const features = frameFeatures(read(v.file));
      if (v.dict !== undefined || features.has('frame:no-content-size') || ![...features].some((f) => f.startsWith('sequences:ll-'))) continue;
      expect(sha256(zstdDecompress(read(v.file)))).toBe(v.sha256);
      frames++;
    }
    expect(frames).toBeGreaterThan(20);
    expect(sequencesWasmCounts.rejected).toBe(before.rejected);
    expect(sequencesWasmCounts.executed - before.executed).toBeGreaterThanOrEqual(frames);
  });

  it('accepts Node Buffers and a caller-supplied output array', () => {
    const v = vectors.find((x) => x.file === 'mixed-l3.zst')!;
    const frame = readFileSync(dir + v.file); // a Buffer, not a plain Uint8Array
    expect(sha256(zstdDecompress(frame))).toBe(v.sha256);
    const room = new Uint8Array(v.size + 100);
    const out = zstdDecompress(frame, room);
    expect(out.length).toBe(v.size);
    expect(out.buffer).toBe(room.buffer);
    expect(sha256(out)).toBe(v.sha256);
    const exact = new Uint8Array(v.size);
    expect(zstdDecompress(frame, exact)).toBe(exact);
    expectCode(() => zstdDecompress(frame, new Uint8Array(v.size - 1)), BloscErrorCode.WriteBuffer);
  });

  it('reports declared content sizes', () => {
    for (const v of vectors) {
      const frame = read(v.file);
      const fs = zstdFrameContentSize(frame, 0, frame.length);
      if (v.file.includes('nosize') || v.file.includes('stdin')) expect(fs).toBeNull();
      else if (v.file.startsWith('skippable')) expect(fs).toBe(0);
      else if (!['concat.zst'].includes(v.file)) expect(fs).toBe(v.size);
    }
  });

  it('refuses dictionary frames without the dictionary, or with another one', () => {
    const v = vectors.find((x) => x.file === 'dict-l3.zst')!;
    const frame = read(v.file);
    expectCode(() => zstdDecompress(frame), BloscErrorCode.CodecDict);
    expectCode(() => zstdDecompress(frame, undefined, parseZstdDictionary(read('raw-content.dict'))), BloscErrorCode.CodecDict);
  });

  it('accepts 1-, 2- and 4-byte dictionary ids in the frame header', () => {
    const v = vectors.find((x) => x.file === 'dict-l3.zst')!;
    const frame = read(v.file);
    const fhd = frame[4]!;
    expect(fhd & 3).toBe(3); // the CLI writes 4-byte ids
    const single = (fhd & 0x20) !== 0;
    const idAt = 5 + (single ? 0 : 1);
    const dictBytes = read('json.dict');
    for (const [flag, id] of [[1, 0x42], [2, 0xbeef], [3, 0x12345678]] as const) {
      const idLen = flag === 3 ? 4 : flag;
      const patched = new Uint8Array(frame.length - 4 + idLen);
      patched.set(frame.subarray(0, idAt));
      patched[4] = (fhd & ~3) | flag;
      for (let i = 0; i < idLen; i++) patched[idAt + i] = (id >>> (8 * i)) & 255;
      patched.set(frame.subarray(idAt + 4), idAt + idLen);
      // The same dictionary, renumbered.
      const renumbered = dictBytes.slice();
      new DataView(renumbered.buffer).setUint32(4, id, true);
      const out = zstdDecompress(patched, undefined, parseZstdDictionary(renumbered));
      expect(sha256(out)).toBe(v.sha256);
      expectCode(() => zstdDecompress(patched, undefined, parseZstdDictionary(dictBytes)), BloscErrorCode.CodecDict);
    }
  });

  it('reads the formatted dictionary header', () => {
    const bytes = read('json.dict');
    const d = parseZstdDictionary(bytes);
    expect(d.id).toBe(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true));
    expect(d.id).not.toBe(0);
    expect(d.tables).not.toBeNull();
    expect(d.content.length).toBeGreaterThan(0);
    expect(d.content.length).toBeLessThan(bytes.length);
    // The content is the dictionary's tail.
    expect(Buffer.compare(Buffer.from(d.content), Buffer.from(bytes.subarray(bytes.length - d.content.length)))).toBe(0);
    const raw = parseZstdDictionary(read('raw-content.dict'));
    expect(raw.id).toBe(0);
    expect(raw.tables).toBeNull();
    expect(raw.content.length).toBe(read('raw-content.dict').length);
  });

  it('decodes through the Codec interface with exact sizes only', () => {
    const v = vectors.find((x) => x.file === 'text-l3.zst')!;
    const frame = read(v.file);
    const padded = new Uint8Array(frame.length + 10);
    padded.set(frame, 5);
    const out = new Uint8Array(v.size + 3);
    zstdCodec.decode(padded, 5, frame.length, out, 3, v.size, { dict: null, meta: 0 });
    expect(sha256(out.subarray(3))).toBe(v.sha256);
    expectCode(() => zstdCodec.decode(padded, 5, frame.length, new Uint8Array(v.size + 1), 0, v.size + 1, { dict: null, meta: 0 }), BloscErrorCode.Data);
    expect(zstdCodec.id).toBe(5);
    expect(zstdCodec.format).toBe(4);
    expect(zstdCodec.name).toBe('zstd');
  });

  it('decodes dictionary frames through the Codec interface', () => {
    const v = vectors.find((x) => x.file === 'dict-l19.zst')!;
    const frame = read(v.file);
    const dictBytes = read('json.dict');
    const out = new Uint8Array(v.size);
    for (let i = 0; i < 2; i++) {
      out.fill(0);
      zstdCodec.decode(frame, 0, frame.length, out, 0, v.size, { dict: dictBytes, meta: 0 });
      expect(sha256(out)).toBe(v.sha256);
    }
  });
});

interface ChunkInfo {
  file: string;
  nbytes: number;
  blocks: { size: number; sha256: string }[];
}

describe('Blosc2 zstd dictionary chunks (python-blosc2)', () => {
  const chunks: ChunkInfo[] = JSON.parse(readFileSync(dir + 'blosc2-chunks.json', 'utf8'));
  for (const c of chunks) {
    it(`${c.file}: every block's frame decodes with the chunk's dictionary`, () => {
      const chunk = read(c.file);
      const dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      expect(chunk[31]! & 1).toBe(1); // BLOSC2_USEDICT
      expect(dv.getInt32(4, true)).toBe(c.nbytes);
      const blocksize = dv.getInt32(8, true);
      const nblocks = Math.ceil(c.nbytes / blocksize);
      expect(nblocks).toBe(c.blocks.length);
      const dictStart = 32 + 4 * nblocks;
      const dsize = dv.getInt32(dictStart, true);
      expect(dsize).toBeGreaterThan(0);
      expect(dsize).toBeLessThanOrEqual(32768);
      const dictBytes = chunk.subarray(dictStart + 4, dictStart + 4 + dsize);
      const dict = parseZstdDictionary(dictBytes);
      expect(dict.tables).not.toBeNull();
      let withDictId = 0;
      for (let i = 0; i < nblocks; i++) {
        const bstart = dv.getInt32(32 + 4 * i, true);
        const csize = dv.getInt32(bstart, true);
        const want = c.blocks[i]!;
        expect(csize).toBeGreaterThan(0);
        expect(csize).toBeLessThan(want.size); // a real zstd stream, not a raw copy
        const out = new Uint8Array(want.size);
        zstdCodec.decode(chunk, bstart + 4, csize, out, 0, want.size, { dict: dictBytes, meta: 0 });
        expect(sha256(out)).toBe(want.sha256);
        const fhd = chunk[bstart + 4 + 4]!;
        if ((fhd & 3) !== 0) withDictId++;
        // Without the dictionary it cannot decode.
        expect(() => zstdDecompressInto(chunk, bstart + 4, csize, new Uint8Array(want.size), 0, want.size, null)).toThrow();
      }
      expect(withDictId).toBe(nblocks);
    });
  }
});
