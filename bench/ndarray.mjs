/**
 * Section: reading a 256 MiB `.b2nd` written by python-blosc2 with its defaults (its own
 * chunk and block shapes, Zstd clevel 5, SHUFFLE), whole and as 2-D slices: blosc-ts
 * against python-blosc2 (nthreads 1) in the same run.
 *
 * bench/ndarray.py writes the file (once per python-blosc2 version, under the data
 * directory), times python-blosc2 and reports the sha256 of every selection. Here the
 * file is opened lazily through `FileSource` (blosc-ts/node: header, offsets index and
 * trailer only), each selection is read once and checked against python's sha256, then
 * timed: `NDArray.open(new FileSource(path))` + `slice(...)` (the whole array is
 * `toArray()`), so the open and the file reads are inside the timed region for blosc-ts,
 * as `blosc2.open` + `arr[...]` are not for python (its array stays open: the numbers for
 * python are reads only).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { mbps, timeSync } from './lib/timing.mjs';
import { fmtMBps, fmtRatio } from './lib/table.mjs';

/**
 * Run the section.
 * @param {{ libPath: string | null, dataDir: string, python: string, native: boolean, timing: object, log: (line: string) => void }} ctx
 */
export async function runNdarraySection(ctx) {
  const { libPath, dataDir, python, native, timing, log } = ctx;
  const notes = [];
  const section = {
    title: 'b2nd arrays (256 MiB, python-blosc2 defaults)',
    description: '',
    tables: [],
    targets: [],
    notes,
  };
  if (libPath === null) {
    notes.push('b2nd section skipped: no blosc-ts build.');
    return section;
  }
  if (!native) {
    notes.push('b2nd section skipped: it needs python-blosc2 to write the file (--no-native).');
    return section;
  }
  log('  b2nd: python-blosc2 writes (first run only) and reads the 256 MiB array ...');
  const py = spawnSync(python, [join(dirname(new URL(import.meta.url).pathname), 'ndarray.py'), dataDir, String(timing.targetMs / 1000)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (py.status !== 0) {
    notes.push(`b2nd section skipped: bench/ndarray.py failed (${(py.stderr || '').trim().split('\n').pop()}).`);
    return section;
  }
  const ref = JSON.parse(py.stdout);
  const { NDArray } = await import(pathToFileURL(libPath).href);
  const { FileSource } = await import(pathToFileURL(join(dirname(libPath), 'node.js')).href);

  const read = (spec) => {
    const source = new FileSource(ref.path);
    try {
      const arr = NDArray.open(source);
      return spec === null ? arr.toArray() : arr.slice(spec);
    } finally {
      source.close?.();
    }
  };
  const rows = [];
  for (const r of ref.reads) {
    const got = read(r.slice);
    const digest = createHash('sha256').update(got.data).digest('hex');
    if (got.data.length !== r.nbytes || digest !== r.sha256) {
      throw new Error(`b2nd ${r.name}: blosc-ts read ${got.data.length} bytes with sha256 ${digest}; python-blosc2 read ${r.nbytes} with ${r.sha256}`);
    }
    const t = timeSync(() => read(r.slice), timing);
    const ours = mbps(r.nbytes, t.medianMs);
    const theirs = mbps(r.nbytes, r.seconds * 1000);
    rows.push([r.name, `${(r.nbytes / 1e6).toFixed(r.nbytes < 1e6 ? 3 : 1)}`, fmtMBps(ours), fmtMBps(theirs), fmtRatio(ours / theirs)]);
    log(`  b2nd ${r.name}: blosc-ts ${fmtMBps(ours)} MB/s, python-blosc2 ${fmtMBps(theirs)} MB/s`);
  }
  section.description =
    `MB/s of selected bytes (10^6 B/s), single thread. File: ${ref.shape.join(' × ')} ${ref.dtype}, chunks ${ref.chunks.join(' × ')}, ` +
    `blocks ${ref.blocks.join(' × ')}, ${ref.cparams.codec} clevel ${ref.cparams.clevel} + ${ref.cparams.filters.filter((f) => f !== 'NOFILTER').join('+')}, ` +
    `${(ref.file_bytes / 2 ** 20).toFixed(1)} MiB on disk, written by python-blosc2 ${ref.python_blosc2} \`asarray(..., urlpath=...)\` with its defaults. ` +
    'blosc-ts = `NDArray.open(new FileSource(path))` then `toArray()` / `slice(...)` (open and file reads timed); ' +
    'python-blosc2 = `arr[...]` / `arr[a:b, c:d]` on `blosc2.open(path, dparams=DParams(nthreads=1))` (reads only), timed in Python. ' +
    'Every selection was checked against python\'s sha256 before timing.';
  section.tables.push({
    columns: [
      { title: 'read', align: 'left' },
      { title: 'MB selected' },
      { title: 'blosc-ts' },
      { title: 'python-blosc2' },
      { title: 'ts÷python' },
    ],
    rows,
  });
  return section;
}
