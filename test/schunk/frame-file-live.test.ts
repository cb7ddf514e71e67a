/**
 * Live check of frames edited in place against python-blosc2 (test/schunk/frame_edit_reference.py):
 * blosc-ts edits frames python-blosc2 wrote (contiguous, sparse, a b2nd array) and
 * python-blosc2 reads the result; python-blosc2 edits frames in place (`mode='a'`) and
 * blosc-ts reads them, each compared with an in-memory super-chunk making the same edits.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressZeros } from '../../src/index.js';
import { NDArray } from '../../src/ndarray/ndarray.js';
import { openFrameFile } from '../../src/schunk/frame-file-node.js';
import { openSparseFrame } from '../../src/schunk/sframe.js';
import { SChunk } from '../../src/schunk/schunk.js';
import { jsonForm } from '../frame/frame-fixtures.js';
import { pythonReference, runPython, sha256 } from '../helpers.js';

const SCRIPT = 'test/schunk/frame_edit_reference.py';
const ITEMS = 1000;
const py = pythonReference();

interface PyDescription {
  nchunks?: number;
  nbytes?: number;
  shape?: number[];
  sha256: string;
  vlmeta: Record<string, unknown>;
  error?: string;
}

const int32s = (f: (k: number) => number): Uint8Array => new Uint8Array(Int32Array.from({ length: ITEMS }, (_, k) => f(k)).buffer);

function describeOurs(s: SChunk): PyDescription {
  return {
    nchunks: s.nchunks,
    nbytes: s.nbytes,
    sha256: sha256(s.getSlice()),
    vlmeta: Object.fromEntries(s.vlmeta.names().map((n) => [n, jsonForm(s.vlmeta.get(n)!)])),
  };
}

/** The edits frame_edit_reference.py `edit` makes. */
function pythonEdits(s: SChunk): void {
  s.update(1, int32s(() => 7));
  s.insert(0, int32s(() => 9));
  s.delete(2);
  s.append(int32s((k) => k * 3));
  s.update(3, int32s(() => 0));
  s.update(0, int32s((k) => Number((BigInt(k) * 2654435761n) % 2n ** 31n)));
  s.vlmeta.delete('x');
  s.vlmeta.set('y', 'z');
}

/** Our edits of python's frames: every kind, special chunks, vlmeta set and delete. */
function ourEdits(s: SChunk): void {
  s.update(2, int32s((k) => k ^ 0x55));
  s.insert(1, int32s((k) => -k));
  s.delete(0);
  s.append(int32s((k) => k * 7));
  s.updateChunk(4, compressZeros(4 * ITEMS, { typesize: 4 }));
  s.update(3, int32s((k) => Number((BigInt(k) * 40503n) % 2n ** 31n)));
  s.vlmeta.set('edited', { by: 'blosc-ts', n: 6 });
  s.vlmeta.delete('x');
  s.vlmeta.set('more', [1.5, 'two']);
}

describe.skipIf(!py.ok)('frames edited in place, live against python-blosc2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blosc-ts-frame-edit-'));
  const contiguous = join(dir, 'py.b2frame');
  const sparse = join(dir, 'py_sparse.b2frame');
  let original = new Uint8Array(0);
  beforeAll(() => {
    runPython([SCRIPT, 'make', dir]);
    original = new Uint8Array(readFileSync(contiguous));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('python-blosc2 reads frames blosc-ts edited in place (contiguous and sparse)', () => {
    const ours = join(dir, 'ours.b2frame');
    const oursSparse = join(dir, 'ours_sparse.b2frame');
    cpSync(contiguous, ours);
    cpSync(sparse, oursSparse, { recursive: true });
    const twin = SChunk.open(original);
    ourEdits(twin);
    const want = describeOurs(twin);
    for (const s of [openFrameFile(ours, { mode: 'r+' }), openSparseFrame(oursSparse, { mode: 'r+' })]) {
      ourEdits(s);
      expect(describeOurs(s)).toEqual(want);
      s.close();
    }
    const got = JSON.parse(runPython([SCRIPT, 'read', ours, oursSparse])) as Record<string, PyDescription>;
    expect(got[ours]).toEqual(want);
    expect(got[oursSparse]).toEqual(want);
    // python-blosc2 goes on editing what we left (a data area with replaced chunks' old bytes in it).
    const edited = JSON.parse(runPython([SCRIPT, 'edit', ours, oursSparse])) as Record<string, PyDescription>;
    pythonEdits(twin);
    const after = describeOurs(twin);
    expect(edited[ours]).toEqual(after);
    expect(edited[oursSparse]).toEqual(after);
    expect(describeOurs(openFrameFile(ours))).toEqual(after);
    expect(describeOurs(openSparseFrame(oursSparse))).toEqual(after);
  });

  it('blosc-ts reads frames python-blosc2 edited in place (contiguous and sparse)', () => {
    const theirs = join(dir, 'theirs.b2frame');
    const theirsSparse = join(dir, 'theirs_sparse.b2frame');
    cpSync(contiguous, theirs);
    cpSync(sparse, theirsSparse, { recursive: true });
    const got = JSON.parse(runPython([SCRIPT, 'edit', theirs, theirsSparse])) as Record<string, PyDescription>;
    const twin = SChunk.open(original);
    pythonEdits(twin);
    const want = describeOurs(twin);
    expect(got[theirs]).toEqual(want);
    expect(describeOurs(openFrameFile(theirs))).toEqual(want);
    expect(describeOurs(openSparseFrame(theirsSparse))).toEqual(want);
    // And we go on editing what python-blosc2 left.
    const s = openFrameFile(theirs, { mode: 'r+' });
    ourEdits(s);
    ourEdits(twin);
    s.close();
    const again = JSON.parse(runPython([SCRIPT, 'read', theirs])) as Record<string, PyDescription>;
    expect(again[theirs]).toEqual(describeOurs(twin));
  });

  it('python-blosc2 reads a b2nd array blosc-ts assigned to in place', () => {
    const path = join(dir, 'ours.b2nd');
    cpSync(join(dir, 'py.b2nd'), path);
    const twin = NDArray.open(new Uint8Array(readFileSync(path)));
    const s = openFrameFile(path, { mode: 'r+' });
    const arr = NDArray.open(s);
    for (const a of [arr, twin]) {
      a.set([[3, 17], [8, 9]], -2.5);
      a.set([[35, 40]], 1e9);
      a.vlmeta.set('note', 'assigned');
    }
    s.close();
    const got = JSON.parse(runPython([SCRIPT, 'read', path])) as Record<string, PyDescription>;
    expect(got[path]).toEqual({ shape: [40, 30], sha256: sha256(twin.slice().data), vlmeta: { note: 'assigned' } });
  });

  it('python-blosc2 reads a b2nd array blosc-ts resized in place, the same as one it resized itself', () => {
    // Growing and cutting (chunks dropped, chunks cut inside, new zero chunks), each step
    // from python's own array; never growing back over what a cut dropped (c-blosc2 keeps
    // those values in the padding and shows them again, blosc-ts zeroes them, as numpy).
    for (const shapes of [[[47, 30]], [[40, 23]], [[25, 41], [12, 30]], [[55, 8]]]) {
      const ours = join(dir, 'resized-ours.b2nd');
      const theirs = join(dir, 'resized-theirs.b2nd');
      cpSync(join(dir, 'py.b2nd'), ours);
      cpSync(join(dir, 'py.b2nd'), theirs);
      const s = openFrameFile(ours, { mode: 'r+' });
      const arr = NDArray.open(s);
      for (const shape of shapes) arr.resize(shape);
      const mine = sha256(arr.slice().data);
      s.close();
      const what = shapes.map((x) => x.join('x')).join(' then ');
      const byPython = JSON.parse(runPython([SCRIPT, 'resize', theirs, ...shapes.map((x) => x.join(','))])) as Record<string, PyDescription>;
      const read = JSON.parse(runPython([SCRIPT, 'read', ours])) as Record<string, PyDescription>;
      expect(read[ours], what).toEqual(byPython[theirs]);
      expect(read[ours]!.shape, what).toEqual(shapes[shapes.length - 1]);
      expect(read[ours]!.sha256, what).toBe(mine);
    }
  });
});
