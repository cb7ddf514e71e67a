/** The b2nd metalayer and .npy codecs on their own: exact bytes, round trips, and refusals. */
import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { BloscErrorCode, isBloscError } from '../../src/errors.js';
import { parseB2ndMeta, writeB2ndMeta } from '../../src/frame/b2nd-meta.js';
import { parseNpy, writeNpy } from '../../src/frame/npy.js';
import { parseDType, bytesToTypedArray, typedArrayToBytes } from '../../src/ndarray/dtype.js';
import { computeChunksBlocks, computePartition, nearestDivisor } from '../../src/ndarray/defaults.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { ndFile } from './fixture-files.js';

function code(fn: () => unknown): number | string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return isBloscError(e) ? e.code : `foreign ${String(e)}`;
  }
}

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((h) => parseInt(h, 16)));

describe('b2nd metalayer', () => {
  it('writes the bytes c-blosc2 writes (python-blosc2 fixture) and reads them back', () => {
    const arr = NDArray.open(ndFile('f8.2d.edges.zstd.b2nd'));
    const stored = arr.schunk.meta.get('b2nd')!;
    const meta = parseB2ndMeta(stored);
    expect(meta).toEqual({ ndim: 2, shape: [37, 23], chunkshape: [10, 8], blockshape: [4, 3], dtype: '<f8', dtypeFormat: 0 });
    expect(writeB2ndMeta(meta)).toEqual(stored);
    // The spec's worked example: 1-D <i8 of 5 elements, 34 bytes.
    const one = writeB2ndMeta({ ndim: 1, shape: [5], chunkshape: [5], blockshape: [5], dtype: '<i8', dtypeFormat: 0 });
    expect(one).toEqual(hex('970001' + '91d30000000000000005' + '91d200000005' + '91d200000005' + '00db000000033c6938'));
    expect(one.length).toBe(34);
    // 0-d: three empty arrays.
    expect(writeB2ndMeta({ ndim: 0, shape: [], chunkshape: [], blockshape: [], dtype: '<f8', dtypeFormat: 0 })).toEqual(hex('970000909090' + '00db000000033c6638'));
  });

  it('reads a legacy metalayer without a dtype, and large shapes up to 2^53', () => {
    const legacy = hex('970001' + '91d30000000000000005' + '91d200000005' + '91d200000005');
    expect(parseB2ndMeta(legacy).dtype).toBeNull();
    const big = writeB2ndMeta({ ndim: 1, shape: [2 ** 40 + 3], chunkshape: [5], blockshape: [5], dtype: '|u1', dtypeFormat: 0 });
    expect(parseB2ndMeta(big).shape).toEqual([2 ** 40 + 3]);
  });

  it('refuses truncated, mis-marked, oversized and negative content with InvalidHeader', () => {
    const good = writeB2ndMeta({ ndim: 2, shape: [3, 4], chunkshape: [2, 2], blockshape: [1, 2], dtype: '<u2', dtypeFormat: 0 });
    for (let n = 0; n < good.length; n++) {
      const cut = good.subarray(0, n);
      // Cutting exactly before the dtype leaves a valid legacy metalayer.
      if (n === good.length - 9) continue;
      expect(code(() => parseB2ndMeta(cut)), `cut at ${n}`).toBe(BloscErrorCode.InvalidHeader);
    }
    const mutate = (at: number, v: number): Uint8Array => {
      const b = good.slice();
      b[at] = v;
      return b;
    };
    expect(code(() => parseB2ndMeta(mutate(2, 17)))).toBe(BloscErrorCode.InvalidHeader); // ndim > 16
    expect(code(() => parseB2ndMeta(mutate(3, 0x93)))).toBe(BloscErrorCode.InvalidHeader); // array length ≠ ndim
    expect(code(() => parseB2ndMeta(mutate(4, 0xd2)))).toBe(BloscErrorCode.InvalidHeader); // int64 marker
    expect(code(() => parseB2ndMeta(mutate(5, 0x80)))).toBe(BloscErrorCode.InvalidHeader); // negative shape
    expect(code(() => parseB2ndMeta(mutate(5, 0x01)))).toBe(BloscErrorCode.InvalidHeader); // shape ≥ 2^53
    expect(code(() => parseB2ndMeta(mutate(24, 0xff)))).toBe(BloscErrorCode.InvalidHeader); // negative chunkshape
    expect(code(() => parseB2ndMeta(mutate(good.length - 8, 0xd9)))).toBe(BloscErrorCode.InvalidHeader); // dtype marker
    expect(code(() => parseB2ndMeta(mutate(good.length - 4, 0x09)))).toBe(BloscErrorCode.InvalidHeader); // dtype length overruns
    expect(code(() => writeB2ndMeta({ ndim: 17, shape: [], chunkshape: [], blockshape: [], dtype: 'x', dtypeFormat: 0 }))).toBe(BloscErrorCode.InvalidParam);
  });
});

describe('.npy', () => {
  it('writes numpy 1.0 headers padded to 64 bytes; reads 2.0 and 3.0 too', () => {
    const data = new Uint8Array([1, 0, 2, 0, 3, 0]);
    const npy = writeNpy({ dtype: '<i2', shape: [3], data });
    const header = "{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }";
    expect(new TextDecoder().decode(npy.subarray(10, 10 + header.length))).toBe(header);
    expect((10 + npy[8]! + (npy[9]! << 8)) % 64).toBe(0);
    expect(npy[6]).toBe(1);
    const v2 = new Uint8Array(npy.length + 2);
    v2.set(npy.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, npy[8]! + (npy[9]! << 8), true);
    v2.set(npy.subarray(10), 12);
    for (const major of [2, 3]) {
      v2[6] = major;
      const p = parseNpy(v2);
      expect([p.dtype, p.shape, p.fortranOrder, [...p.data]]).toEqual(['<i2', [3], false, [...data]]);
    }
    expect(parseNpy(writeNpy({ dtype: '<f8', shape: [], data: new Uint8Array(8) })).shape).toEqual([]);
    expect(parseNpy(writeNpy({ dtype: '|u1', shape: [2, 0, 3], data: new Uint8Array(0) })).shape).toEqual([2, 0, 3]);
  });

  it('switches to format 2.0 when the header outgrows 64 KiB, and numpy-style escapes survive', () => {
    const fields = Array.from({ length: 5000 }, (_, i) => `('f${i}', '|u1')`).join(', ');
    const dtype = `[${fields}]`;
    const npy = writeNpy({ dtype, shape: [2], data: new Uint8Array(10000).fill(7) });
    expect(npy[6]).toBe(2);
    const back = parseNpy(npy);
    expect([back.dtype, back.shape, back.data.length]).toEqual([dtype, [2], 10000]);
    const quoted = parseNpy(writeNpy({ dtype: "[('it\\'s', '<i2')]", shape: [1], data: new Uint8Array(2) }));
    expect(quoted.data.length).toBe(2);
  });

  it('refuses bad magic, versions, lengths, keys, shapes and short data with InvalidHeader', () => {
    const good = writeNpy({ dtype: '<i4', shape: [2, 2], data: new Uint8Array(16) });
    const text = (s: string): Uint8Array => {
      const body = new TextEncoder().encode(s);
      const out = new Uint8Array(10 + body.length + 16);
      out.set(good.subarray(0, 8));
      new DataView(out.buffer).setUint16(8, body.length, true);
      out.set(body, 10);
      return out;
    };
    const cases: [string, Uint8Array][] = [
      ['magic', Uint8Array.from([0, ...good.subarray(1)])],
      ['version 4', Uint8Array.from([...good.subarray(0, 6), 4, ...good.subarray(7)])],
      ['short', good.subarray(0, 9)],
      ['header overrun', Uint8Array.from([...good.subarray(0, 8), 0xff, 0xff, ...good.subarray(10, 40)])],
      ['data short', good.subarray(0, good.length - 1)],
      ['missing shape', text("{'descr': '<i4', 'fortran_order': False}")],
      ['extra key', text("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), 'x': 1}")],
      ['negative dim', text("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}")],
      ['shape not tuple', text("{'descr': '<i4', 'fortran_order': False, 'shape': 4}")],
      ['fortran not bool', text("{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}")],
      ['unterminated', text("{'descr': '<i4', 'fortran_order': False, 'shape': (1,")],
      ['huge shape', text("{'descr': '<i4', 'fortran_order': False, 'shape': (99999999999999999999,)}")],
      ['garbage', text('{descr}')],
    ];
    for (const [what, bytes] of cases) expect(code(() => parseNpy(bytes)), what).toBe(BloscErrorCode.InvalidHeader);
  });
});

describe('dtype strings', () => {
  it('parses numpy dtype strings', () => {
    expect(parseDType('<f8')).toEqual({ str: '<f8', kind: 'float', itemsize: 8, byteorder: 'little' });
    expect(parseDType('>c16')).toEqual({ str: '>c16', kind: 'complex', itemsize: 16, byteorder: 'big' });
    expect(parseDType('|b1')).toEqual({ str: '|b1', kind: 'bool', itemsize: 1, byteorder: 'none' });
    expect(parseDType('|S10')).toEqual({ str: '|S10', kind: 'bytes', itemsize: 10, byteorder: 'none' });
    expect(parseDType('<U3')).toEqual({ str: '<U3', kind: 'unicode', itemsize: 12, byteorder: 'little' });
    expect(parseDType('<M8[ns]')).toEqual({ str: '<M8[ns]', kind: 'datetime', itemsize: 8, byteorder: 'little' });
    expect(parseDType("[('a', '<i4')]")).toEqual({ str: "[('a', '<i4')]", kind: 'void', itemsize: 4, byteorder: 'none' });
    expect(parseDType("[('a', '<i4'), ('b', '<f8', (2, 3))]").itemsize).toBe(52);
    expect(parseDType("[('x', [('a', '|u1'), ('b', '<i2')]), ('c', '|S3')]").itemsize).toBe(6);
    expect(parseDType("{'names': ['a'], 'formats': ['<i4'], 'offsets': [0], 'itemsize': 8}").itemsize).toBe(8);
    expect(parseDType("[('a', 'what')]").itemsize).toBeNull();
    expect(parseDType('|O').itemsize).toBeNull();
    expect(parseDType('nonsense!').kind).toBe('unknown');
  });

  it('typed-array conversion round-trips and swaps big-endian words', () => {
    const v = new Float64Array([1.25, -3e300]);
    const be = typedArrayToBytes(v, '>f8', 8);
    expect(be[0]).toBe(0x3f);
    expect(bytesToTypedArray(be, '>f8', 8)).toEqual(v);
    expect(bytesToTypedArray(be, '|S8', 8)).toEqual(be);
    // A dtype whose size disagrees with the typesize is read as raw bytes.
    expect(bytesToTypedArray(new Uint8Array(8), '<f8', 4)).toBeInstanceOf(Uint8Array);
  });
});

describe('default chunks and blocks (python-blosc2 compute_chunks_blocks)', () => {
  it('matches values python-blosc2 4.14.1 computed on an x86-64 with 32 KiB L1d, 512 KiB L2, 32 MiB L3', () => {
    // Taken from python: blosc2.compute_chunks_blocks(shape, dtype=...) with blosc2.cpu_info of that machine.
    const caches = { l1DataCacheSize: 32768, l2CacheSize: 524288, l3CacheSize: 33554432, machine: 'x86_64', system: 'Linux' };
    expect(computeChunksBlocks([37, 23], 8, undefined, undefined, caches)).toEqual({ chunks: [37, 23], blocks: [37, 23] });
    expect(computeChunksBlocks([5000], 4, undefined, undefined, caches)).toEqual({ chunks: [5000], blocks: [5000] });
    expect(computeChunksBlocks([0, 3], 8, undefined, undefined, caches)).toEqual({ chunks: [0, 3], blocks: [0, 3] });
  });

  it('keeps its invariants: blocks divide into chunks within the shape', () => {
    for (const shape of [[1000, 1000], [7, 100003], [3, 5, 7, 11], [1 << 20]]) {
      for (const itemsize of [1, 4, 8, 16]) {
        const { chunks, blocks } = computeChunksBlocks(shape, itemsize);
        chunks.forEach((c, i) => {
          expect(c).toBeLessThanOrEqual(shape[i]!);
          expect(blocks[i]!).toBeLessThanOrEqual(c);
          expect(c % blocks[i]! === 0 || c === shape[i]).toBe(true);
        });
      }
    }
    expect(nearestDivisor(100, 30)).toBe(25);
    expect(nearestDivisor(200003, 1000)).toBe(1);
    expect(computePartition(12, [5, 6])).toEqual([2, 6]);
  });
});
