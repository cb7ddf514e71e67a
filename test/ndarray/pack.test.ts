import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BloscError, NDArray, chunkInfo, packArray, parseNpy, unpackArray, writeNpy, typedArrayToBytes } from '../../src/index.js';
import { bytesEqual, pythonReference, runPython } from '../helpers.js';

const SCRIPT = 'test/ndarray/pack_array.py';

function sample(): { name: string; data: Float64Array | Int32Array | Uint16Array | BigInt64Array | Uint8Array; shape?: number[]; dtype?: string }[] {
  const f8 = new Float64Array(60 * 70);
  for (let i = 0; i < f8.length; i++) f8[i] = Math.sin(i / 100) * 1e3;
  const i4 = new Int32Array(10 * 20 * 30);
  for (let i = 0; i < i4.length; i++) i4[i] = (i * 7919) % 41;
  const u2 = new Uint16Array(64 * 64);
  for (let i = 0; i < u2.length; i++) u2[i] = (i * 31) & 4095;
  const i8 = new BigInt64Array(500);
  for (let i = 0; i < i8.length; i++) i8[i] = BigInt(i) * 1000000007n - 5n;
  const b1 = new Uint8Array(1000);
  for (let i = 0; i < b1.length; i++) b1[i] = (i * 13) % 3 === 0 ? 1 : 0;
  return [
    { name: 'f8_2d', data: f8, shape: [60, 70] },
    { name: 'i4_3d', data: i4, shape: [10, 20, 30] },
    { name: 'u2_1d', data: u2 },
    { name: 'i8', data: i8 },
    { name: 'b1', data: b1, dtype: '|b1' },
  ];
}

describe('packArray / unpackArray', () => {
  it('round-trips dtype, shape and values, tuned or not', () => {
    for (const s of sample()) {
      for (const tune of [undefined, 'ratio' as const]) {
        const bytes = packArray(s.data, { shape: s.shape, dtype: s.dtype, tune: tune === undefined ? undefined : { goal: tune, mode: 'deterministic' } });
        const back = unpackArray(bytes);
        expect(back.shape).toEqual(s.shape ?? [s.data.length]);
        expect(back.data.constructor).toBe(s.data.constructor);
        expect(bytesEqual(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength), new Uint8Array(s.data.buffer))).toBe(true);
        expect(back.dtype).toBe(s.dtype ?? NDArray.open(bytes).dtype);
      }
    }
  });

  it('a tuned pack is no larger than the default one on compressible data', () => {
    const s = sample()[1]!;
    const plain = packArray(s.data, { shape: s.shape });
    const tuned = packArray(s.data, { shape: s.shape, tune: { goal: 'ratio', mode: 'deterministic' } });
    expect(tuned.length).toBeLessThanOrEqual(plain.length);
    expect(chunkInfo(NDArray.open(tuned).schunk.getChunk(0)).codec).not.toBe('');
  });

  it('refuses what is not an array, and bytes that are not a b2nd frame', () => {
    expect(() => packArray([1, 2, 3] as unknown as Uint8Array)).toThrow(BloscError);
    expect(() => packArray(new Float64Array(6), { shape: [4, 2] })).toThrow(BloscError);
    expect(() => unpackArray(new Uint8Array(100))).toThrow(BloscError);
  });
});

const py = pythonReference();

describe.skipIf(!py.ok)('packArray / unpackArray live with python-blosc2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('python-blosc2 opens our frames with ndarray_from_cframe (dtype, shape, values)', () => {
    for (const s of sample()) {
      const bytes = packArray(s.data, { shape: s.shape, dtype: s.dtype, tune: 'balanced' });
      const file = join(dir, `${s.name}.b2nd`);
      writeFileSync(file, bytes);
      const shape = s.shape ?? [s.data.length];
      const dtype = NDArray.open(bytes).dtype;
      const npy = join(dir, `${s.name}.npy`);
      writeFileSync(npy, writeNpy({ dtype, shape, data: typedArrayToBytes(s.data, dtype, s.data.BYTES_PER_ELEMENT) }));
      const r = JSON.parse(runPython([SCRIPT, 'read', file, npy])) as { dtype: string; shape: number[]; equal: boolean };
      expect(r).toMatchObject({ dtype, shape, equal: true });
    }
  });

  it("we open python-blosc2's NDArray.to_cframe() output", () => {
    const entries = JSON.parse(runPython([SCRIPT, 'write', dir])) as { name: string; dtype: string; shape: number[] }[];
    expect(entries.length).toBe(5);
    for (const e of entries) {
      const back = unpackArray(new Uint8Array(readFileSync(join(dir, `${e.name}.b2nd`))));
      const want = parseNpy(new Uint8Array(readFileSync(join(dir, `${e.name}.npy`))));
      expect(back.dtype).toBe(e.dtype);
      expect(back.shape).toEqual(e.shape);
      expect(want.dtype).toBe(e.dtype);
      // Values: our typed array holds host-order numbers; the .npy holds the dtype's bytes.
      expect(bytesEqual(typedArrayToBytes(back.data, e.dtype, want.data.length / Math.max(1, back.data.length)), want.data)).toBe(true);
    }
  });
});
