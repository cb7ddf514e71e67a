/**
 * Hostile NDArray input: b2nd metalayers that lie about the geometry, frames whose sizes
 * disagree with it, and random mutations of the python-blosc2 fixtures. Every failure must
 * be a BloscError with a code; nothing may allocate what a lying field asks for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { writeB2ndMeta, type B2ndMeta } from '../../src/frame/b2nd-meta.js';
import { parseNpy } from '../../src/frame/npy.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { FIXTURES } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ndFile, ndManifest } from './fixture-files.js';

function code(fn: () => unknown): number | string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return isBloscError(e) ? e.code : `foreign ${String(e)}`;
  }
}

/** The chunks of `src` under a different "b2nd" metalayer. */
function withMeta(src: NDArray, meta: Uint8Array): Uint8Array {
  const s = new SChunk({ chunksize: src.schunk.chunksize, typesize: src.schunk.typesize, cparams: src.schunk.compressOptions });
  s.meta.add('b2nd', meta);
  for (let i = 0; i < src.schunk.nchunks; i++) s.appendChunk(src.schunk.getChunk(i));
  return s.toFrame();
}

const base = NDArray.open(ndFile('f8.2d.edges.zstd.b2nd')); // shape (37, 23), chunks (10, 8), blocks (4, 3), <f8
const meta = (m: Partial<B2ndMeta>): Uint8Array =>
  writeB2ndMeta({ ndim: 2, shape: [37, 23], chunkshape: [10, 8], blockshape: [4, 3], dtype: '<f8', dtypeFormat: 0, ...m });

describe('lying b2nd metalayers', () => {
  it('the unchanged metalayer opens (the harness itself is sound)', () => {
    const arr = NDArray.open(withMeta(base, meta({})));
    expect(arr.toArray().data).toEqual(base.toArray().data);
  });

  const cases: [string, () => Uint8Array, number][] = [
    ['ndim 17', () => Uint8Array.from([0x97, 0, 17, 0x90 | 17]), BloscErrorCode.InvalidHeader],
    ['chunk 0 with shape > 0', () => meta({ chunkshape: [0, 8], blockshape: [0, 3] }), BloscErrorCode.InvalidHeader],
    ['block 0 with chunk > 0', () => meta({ blockshape: [4, 0] }), BloscErrorCode.InvalidHeader],
    ['more chunks than the frame holds', () => meta({ shape: [370, 23] }), BloscErrorCode.InvalidHeader],
    ['fewer chunks than the frame holds', () => meta({ shape: [10, 23] }), BloscErrorCode.InvalidHeader],
    ['chunk bytes ≠ frame chunksize', () => meta({ blockshape: [5, 4] }), BloscErrorCode.InvalidHeader],
    ['zero-length dimension with chunks present', () => meta({ shape: [0, 23] }), BloscErrorCode.InvalidHeader],
    ['ndim 1 over 2-d chunks', () => writeB2ndMeta({ ndim: 1, shape: [851], chunkshape: [80], blockshape: [12], dtype: '<f8', dtypeFormat: 0 }), BloscErrorCode.InvalidHeader],
    ['shape product beyond 2^53', () => meta({ shape: [2 ** 52, 2 ** 40] }), BloscErrorCode.InvalidHeader],
    ['chunk beyond 2^31 bytes', () => meta({ chunkshape: [65536, 65536], blockshape: [65536, 65536] }), BloscErrorCode.InvalidHeader],
    ['negative shape', () => { const m = meta({}); m[5] = 0xff; return m; }, BloscErrorCode.InvalidHeader],
    ['negative chunkshape', () => { const m = meta({}); m[24] = 0x80; return m; }, BloscErrorCode.InvalidHeader],
    ['bad dtype marker', () => { const m = meta({}); m[m.length - 8] = 0xa3; return m; }, BloscErrorCode.InvalidHeader],
    ['truncated', () => meta({}).subarray(0, 20), BloscErrorCode.InvalidHeader],
  ];
  it.each(cases)('%s', (_what, make, expected) => {
    expect(code(() => NDArray.open(withMeta(base, make())).toArray())).toBe(expected);
  });

  it('a dtype whose size disagrees with the typesize is refused at open (python-blosc2 refuses it too)', () => {
    expect(code(() => NDArray.open(withMeta(base, meta({ dtype: '<f4' }))))).toBe(BloscErrorCode.InvalidHeader);
    expect(code(() => NDArray.open(withMeta(base, meta({ dtype: '<U3' }))))).toBe(BloscErrorCode.InvalidHeader);
    // Dtypes of the typesize, or whose size the string does not tell, still open.
    expect(NDArray.open(withMeta(base, meta({ dtype: '>i8' }))).itemsize).toBe(8);
    expect(NDArray.open(withMeta(base, meta({ dtype: '|V' }))).itemsize).toBe(8);
  });

  it('a legacy "caterva" metalayer without a dtype opens, with the dtype |S<typesize>', () => {
    const s = new SChunk({ chunksize: base.schunk.chunksize, typesize: 8, cparams: base.schunk.compressOptions });
    s.meta.add('caterva', meta({}).subarray(0, 3 + 3 + 2 * 19));
    for (let i = 0; i < base.schunk.nchunks; i++) s.appendChunk(base.schunk.getChunk(i));
    const arr = NDArray.open(s.toFrame());
    expect([arr.shape, arr.dtype]).toEqual([[37, 23], '|S8']);
    expect(arr.toArray().data).toEqual(base.toArray().data);
  });

  it('a frame without the metalayer is not an NDArray', () => {
    const plain = new Uint8Array(readFileSync(join(FIXTURES, 'frames', 'fill.zeros.b2frame')));
    expect(code(() => NDArray.open(plain))).toBe(BloscErrorCode.MetalayerNotFound);
  });

  it('a huge array of special chunks reads in slices, and refuses a whole read it cannot hold', () => {
    // 8 chunks of 2^27 float64 zeros: 8 GiB claimed by 8 negative offsets.
    const s = new SChunk({ chunksize: 2 ** 30, typesize: 8 });
    s.meta.add('b2nd', writeB2ndMeta({ ndim: 1, shape: [2 ** 30], chunkshape: [2 ** 27], blockshape: [2 ** 12], dtype: '<f8', dtypeFormat: 0 }));
    s.fillSpecial(2 ** 30, 'zeros');
    const frame = s.toFrame();
    expect(frame.length).toBeLessThan(2000);
    const arr = NDArray.open(frame);
    expect(arr.slice([[2 ** 29, 2 ** 29 + 4]]).data).toEqual(new Uint8Array(32));
    // One chunk visited, no block decoded: a special chunk is filled, never built or decoded.
    expect(arr.stats.chunks).toBe(1);
    expect(arr.stats.blocks).toBe(0);
    expect(code(() => arr.toArray())).toBe(BloscErrorCode.MaxBufsizeExceeded);
    // Past the ceiling on request, the runtime's own refusal is a MemoryAlloc.
    expect(code(() => arr.toArray({ maxNbytes: 2 ** 34 }))).toBe(BloscErrorCode.MemoryAlloc);
  });
});

describe('mutated fixtures', () => {
  const files = ndManifest.files.filter((f) => !f.shape.includes(0)).map((f) => ndFile(f.b2nd));
  it('random byte edits and truncations give data or a BloscError, never a foreign error', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        (which, edits, cut) => {
          const bytes = files[which]!.slice();
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          try {
            const arr = NDArray.open(input);
            arr.toArray();
            arr.slice(arr.shape.map((n) => [Math.floor(n / 3), n]));
          } catch (e) {
            if (!isBloscError(e)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('mutations of the metalayer bytes themselves give data or a BloscError', () => {
    const src = NDArray.open(ndFile('u2.4d.b2nd'));
    const m = src.schunk.meta.get('b2nd')!;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const b = m.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        try {
          NDArray.open(withMeta(src, b)).toArray();
        } catch (e) {
          if (!isBloscError(e)) throw e;
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('random mutations of .npy headers give an array or a BloscError', () => {
    const npys = ndManifest.files.map((f) => ndFile(f.npy));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: npys.length - 1 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 127 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, edits) => {
        const b = npys[which]!.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        try {
          NDArray.fromNpy(b, { itemsize: parseNpyItemsize(b) });
        } catch (e) {
          if (!isBloscError(e)) throw e;
        }
      }),
      { numRuns: 1500 },
    );
  });
});

/** The structured fixture needs its itemsize; the others carry it in the dtype. */
function parseNpyItemsize(b: Uint8Array): number | undefined {
  try {
    return parseNpy(b).dtype.startsWith('[') ? 12 : undefined;
  } catch {
    return undefined;
  }
}
