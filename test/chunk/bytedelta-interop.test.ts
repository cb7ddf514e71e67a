/**
 * BYTEDELTA pipelines as python-blosc2 writes them (`create_cparams_from_kwargs` in
 * blosc2_ext.pyx): meta 0 becomes the typesize (C's bytedelta filter needs its channel count
 * outside a super-chunk), and BYTEDELTA is dropped from its slot at typesize 1. Checked live:
 * python-blosc2 decompresses our chunks, and `blosc2.compress2` with the same parameters
 * writes the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compress, decompress, FilterId } from '../../src/index.js';
import { resolveCParams } from '../../src/params.js';
import { firstDifference, pythonReference } from '../helpers.js';

const python = pythonReference();

interface Case {
  typesize: number;
  filters: number[];
  filtersMeta?: number[];
  codec: 'blosclz' | 'lz4' | 'zstd';
}

const S = FilterId.Shuffle;
const BD = FilterId.ByteDelta;
const CASES: Case[] = [
  { typesize: 8, filters: [S, BD], codec: 'zstd' },
  { typesize: 4, filters: [S, BD], filtersMeta: [0, 0], codec: 'lz4' },
  { typesize: 2, filters: [BD], codec: 'blosclz' },
  { typesize: 8, filters: [S, BD], filtersMeta: [0, 3], codec: 'zstd' },
  { typesize: 1, filters: [S, BD], codec: 'zstd' },
  { typesize: 1, filters: [S, BD], filtersMeta: [0, 0], codec: 'lz4' },
  { typesize: 1, filters: [BD], codec: 'blosclz' },
];

function data(n: number): Uint8Array {
  const f = new Float64Array(n / 8);
  for (let i = 0; i < f.length; i++) f[i] = Math.sin(i / 50) * 1000 + i;
  return new Uint8Array(f.buffer);
}

describe('BYTEDELTA parameters', () => {
  it('meta 0 becomes the typesize; an explicit meta stays', () => {
    expect(resolveCParams({ typesize: 8, filters: [S, BD] }).filtersMeta).toEqual([0, 8, 0, 0, 0, 0]);
    expect(resolveCParams({ typesize: 4, filters: [BD, S], filtersMeta: [0, 0] }).filtersMeta).toEqual([4, 0, 0, 0, 0, 0]);
    expect(resolveCParams({ typesize: 8, filters: [S, BD], filtersMeta: [0, 3] }).filtersMeta).toEqual([0, 3, 0, 0, 0, 0]);
  });

  it('at typesize 1 BYTEDELTA leaves its slot empty (SHUFFLE stays)', () => {
    const p = resolveCParams({ typesize: 1, filters: [S, BD] });
    expect(p.filters).toEqual([S, 0, 0, 0, 0, 0]);
    expect(p.filtersMeta).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('chunks round-trip and carry the meta in the header', () => {
    const src = data(40_000);
    const c = compress(src, { typesize: 8, filters: [S, BD], codec: 'zstd' });
    expect(Array.from(c.subarray(16, 22))).toEqual([S, BD, 0, 0, 0, 0]);
    expect(Array.from(c.subarray(24, 30))).toEqual([0, 8, 0, 0, 0, 0]);
    expect(decompress(c)).toEqual(src);
  });
});

describe.skipIf(!python.ok)(`BYTEDELTA chunks against python-blosc2 (${python.reason})`, () => {
  it('python-blosc2 decompresses ours, and compress2 writes the same bytes', () => {
    const src = data(64_000);
    const ours = CASES.map((k) => compress(src, { typesize: k.typesize, filters: k.filters, filtersMeta: k.filtersMeta, codec: k.codec, clevel: 5 }));
    const request = JSON.stringify({
      src: Buffer.from(src).toString('base64'),
      cases: CASES.map((k, i) => ({ ...k, chunk: Buffer.from(ours[i]!).toString('base64') })),
    });
    const script = `
import base64, json, sys
import blosc2
req = json.loads(sys.stdin.read())
src = base64.b64decode(req['src'])
out = []
for k in req['cases']:
    chunk = base64.b64decode(k['chunk'])
    try:
        ok = blosc2.decompress(chunk) == src
    except Exception as e:
        ok = 'error: %s' % e
    kw = dict(typesize=k['typesize'], clevel=5, nthreads=1, codec=getattr(blosc2.Codec, k['codec'].upper()),
              filters=[blosc2.Filter(f) for f in k['filters']])
    if k.get('filtersMeta') is not None:
        kw['filters_meta'] = list(k['filtersMeta'])
    c = blosc2.compress2(src, **kw)
    out.append({'decoded': ok, 'c': base64.b64encode(c).decode()})
print(json.dumps(out))
`;
    const results = JSON.parse(execFileSync(python.python, ['-c', script], { input: request, encoding: 'utf8', maxBuffer: 64 << 20 })) as {
      decoded: boolean | string;
      c: string;
    }[];
    results.forEach((r, i) => {
      expect(r.decoded, `case ${i} ${JSON.stringify(CASES[i])}`).toBe(true);
      const c = new Uint8Array(Buffer.from(r.c, 'base64'));
      expect(firstDifference(ours[i]!, c), `case ${i} ${JSON.stringify(CASES[i])}`).toBe('equal');
    });
  });
});
