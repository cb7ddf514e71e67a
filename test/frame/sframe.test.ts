import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { BloscError, BloscErrorCode, fail } from '../../src/errors.js';
import { CFrame } from '../../src/schunk/contiguous.js';
import { readChunkHeader } from '../../src/frame/chunk-header.js';
import { chunkFileName, openSparseFrame, writeSparseFrame } from '../../src/schunk/sframe.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { bytesEqual, pythonReference, runPython, sha256 } from '../helpers.js';
import { fixturePath, frameFixtures, hex, jsonForm } from './frame-fixtures.js';
import { randomSChunk } from '../schunk/random-schunk.js';

const sparse = frameFixtures().filter((f) => f.kind === 'sframe');
const tmp = mkdtempSync(join(tmpdir(), 'blosc-ts-sframe-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('sparse frames', () => {
  it('names chunk files %08X.chunk', () => {
    expect(chunkFileName(10)).toBe('0000000A.chunk');
    expect(chunkFileName(0xabcdef12)).toBe('ABCDEF12.chunk');
    expect(() => chunkFileName(-1)).toThrow(BloscError);
  });

  it('has a python-blosc2 sparse fixture', () => {
    expect(sparse.length).toBeGreaterThan(0);
  });

  for (const f of sparse) {
    it(`reads ${f.path} as python-blosc2 does`, () => {
      const s = openSparseFrame(fixturePath(f));
      expect(s.nchunks).toBe(f.nchunks);
      expect(s.nbytes).toBe(f.nbytes);
      expect(sha256(s.getSlice())).toBe(f.decoded.sha256);
      for (let i = 0; i < f.nchunks; i++) {
        expect(readChunkHeader(s.getChunk(i)).special).toBe(f.chunks![i]!.special);
        expect(sha256(s.getChunk(i))).toBe(f.chunks![i]!.sha256);
      }
      expect(Object.fromEntries(s.meta.names().map((n) => [n, hex(s.meta.get(n)!)]))).toEqual(f.metalayers);
      expect(Object.fromEntries(s.vlmeta.names().map((n) => [n, jsonForm(s.vlmeta.get(n)!)]))).toEqual(f.vlmeta);
      // The index frame alone is refused as a contiguous frame.
      expect(() => SChunk.open(s.toSparseFrame().index)).toThrow(BloscError);
    });
  }

  it('writes sparse frames that read back, removing stale chunk files', () => {
    for (let seed = 300; seed < 310; seed++) {
      const { schunk, data } = randomSChunk(seed);
      const dir = join(tmp, `ours${seed}.b2frame`);
      writeSparseFrame(schunk, dir);
      const back = openSparseFrame(dir);
      expect(bytesEqual(back.getSlice(), data), `seed ${seed}`).toBe(true);
      const files = readdirSync(dir).filter((n) => n.endsWith('.chunk'));
      const f = CFrame.open(schunk.toSparseFrame().index, { chunkFile: () => new Uint8Array(0) });
      expect(f.header.frameType).toBe(1);
      let stored = 0;
      for (let i = 0; i < f.nchunks; i++) if (f.specialKind(i) === 0) stored++;
      expect(files.length).toBe(stored);
    }
    const small = new SChunk({ chunksize: 8, typesize: 1 });
    small.append(new Uint8Array(8).fill(1));
    writeSparseFrame(small, join(tmp, 'ours300.b2frame'));
    expect(readdirSync(join(tmp, 'ours300.b2frame')).sort()).toEqual(['00000000.chunk', 'chunks.b2frame']);
  });

  it('corrupt index frames and chunk files raise only BloscError', () => {
    const f = sparse[0]!;
    const dir = fixturePath(f);
    const index = new Uint8Array(readFileSync(join(dir, 'chunks.b2frame')));
    const files = new Map<number, Uint8Array>();
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.chunk')) files.set(parseInt(name.slice(0, 8), 16), new Uint8Array(readFileSync(join(dir, name))));
    }
    const load = (id: number): Uint8Array => files.get(id) ?? fail(BloscErrorCode.FileRead, `no chunk file ${id}`);
    const readAll = (idx: Uint8Array, loader: (id: number) => Uint8Array): void => {
      try {
        const s = SChunk.open(idx, { chunkFile: loader });
        s.getSlice();
        for (const n of s.vlmeta.names()) s.vlmeta.get(n);
      } catch (e) {
        if (!(e instanceof BloscError)) throw e;
      }
    };
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), fc.nat(), (pos, bit, inChunk, which) => {
        if (!inChunk) {
          const b = index.slice();
          b[pos % b.length]! ^= 1 << bit;
          readAll(b, load);
        } else {
          const id = which % files.size;
          const c = files.get(id)!.slice();
          c[pos % c.length]! ^= 1 << bit;
          readAll(index, (k) => (k === id ? c : load(k)));
        }
      }),
      { numRuns: 500 },
    );
  });

  it.skipIf(!pythonReference().ok)('python-blosc2 opens sparse frames written by blosc-ts', () => {
    const expected: Record<string, string> = {};
    for (let seed = 400; seed < 410; seed++) {
      const { schunk, data } = randomSChunk(seed);
      const name = `py${seed}.b2frame`;
      writeSparseFrame(schunk, join(tmp, name));
      expected[name] = sha256(data);
    }
    const out = runPython([
      '-c',
      [
        'import sys, json, hashlib, blosc2',
        'd = sys.argv[1]; names = json.loads(sys.argv[2])',
        'res = {}',
        'for n in names:',
        '    s = blosc2.open(d + "/" + n)',
        '    res[n] = hashlib.sha256(s[:] if s.nbytes else b"").hexdigest()',
        'print(json.dumps(res))',
      ].join('\n'),
      tmp,
      JSON.stringify(Object.keys(expected)),
    ]);
    expect(JSON.parse(out)).toEqual(expected);
  });
});
