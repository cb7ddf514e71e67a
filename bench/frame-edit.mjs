/**
 * Updating one chunk of a 1 GiB frame on disk (`node bench/frame-edit.mjs`, run alone; needs
 * `npx tsc -p tsconfig.build.json` first). A contiguous frame of 128 chunks of 8 MiB (noise,
 * so the file holds the whole GiB) is written by appending precompressed chunks to a file
 * opened with `openFrameFile(path, { mode: 'r+' })`; then one chunk is replaced, alternately
 * by two chunks of the same size (so each lands where the old one was), and the bytes the
 * file target wrote are counted. The anchor, timed in the same run, is what an edit costs
 * without update mode at the least: copying the file once (`fs.copyFileSync`). Writes go to
 * the page cache (no fsync) in both. Prints, and writes its section into bench/RESULTS.md
 * (`--no-write` to skip).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { isMainScript, runSectionAlone } from './lib/section.mjs';
import { fmtRatio } from './lib/table.mjs';

const CHUNK = 8 << 20;
const NCHUNKS = 128;
const REPS = 7;

function noise(seed, n) {
  const out = new Uint8Array(n);
  let a = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i += 4) {
    // xorshift32: no pattern LZ4 finds, so the chunk is stored at about its full size.
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    a >>>= 0;
    out[i] = a;
    out[i + 1] = a >>> 8;
    out[i + 2] = a >>> 16;
    out[i + 3] = a >>> 24;
  }
  return out;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

async function runFrameEditSection({ libPath, log }) {
  const core = await import(pathToFileURL(libPath).href);
  const node = await import(pathToFileURL(join(dirname(libPath), 'node.js')).href);
  const dir = mkdtempSync(join(os.tmpdir(), 'blosc-ts-frame-edit-'));
  try {
    const path = join(dir, 'big.b2frame');
    const empty = new core.SChunk({ chunksize: CHUNK, typesize: 8, cparams: { codec: 'lz4', clevel: 1, shuffle: 'noshuffle' } });
    writeFileSync(path, empty.toFrame());
    const chunks = [1, 2, 3, 4].map((k) => core.compress(noise(k, CHUNK), { codec: 'lz4', clevel: 1, typesize: 8, shuffle: 'noshuffle' }));
    log('writing the 1 GiB frame…');
    // openFrameFile(path, { mode: 'r+' }) with the FileTarget at hand, for its byte count.
    const fileTarget = new node.FileTarget(path);
    const s = core.SChunk.openForUpdate(fileTarget);
    const t0 = performance.now();
    for (let i = 0; i < NCHUNKS; i++) s.appendChunk(chunks[i % 2]);
    const buildMs = performance.now() - t0;
    const buildBytes = fileTarget.bytesWritten;
    const fileLen = statSync(path).size;
    const counter = () => fileTarget.bytesWritten;

    log('updating one chunk…');
    const times = [];
    const written = [];
    for (let r = 0; r < REPS; r++) {
      const before = counter();
      const a = performance.now();
      s.updateChunk(NCHUNKS >> 1, chunks[2 + (r % 2)]);
      times.push(performance.now() - a);
      written.push(counter() - before);
    }
    const withCompress = [];
    const data = noise(9, CHUNK);
    for (let r = 0; r < 3; r++) {
      const a = performance.now();
      s.update(NCHUNKS >> 2, data);
      withCompress.push(performance.now() - a);
    }
    s.close();
    const back = node.openFrameFile(path);
    const ok = back.nchunks === NCHUNKS && back.decompressChunk(NCHUNKS >> 2).every((v, i) => v === data[i]);
    back.close();
    if (!ok) throw new Error('the edited frame does not read back');

    log('copying the file (anchor)…');
    const copies = [];
    for (let r = 0; r < 3; r++) {
      const a = performance.now();
      copyFileSync(path, join(dir, 'copy.b2frame'));
      copies.push(performance.now() - a);
      rmSync(join(dir, 'copy.b2frame'));
    }
    const source = new node.FileSource(path);
    const f = core.CFrame.open(source);
    const parts = { headerLen: f.header.headerLen, tail: f.header.frameLen - f.header.headerLen - f.header.cbytes };
    source.close();
    const bound = chunks[2].length + parts.tail + parts.headerLen;
    const upd = median(times);
    const copy = median(copies);
    const bytes = Math.max(...written);
    return {
      title: 'Frames on disk: updating one chunk of a 1 GiB frame',
      description:
        `A contiguous frame of ${NCHUNKS} chunks of 8 MiB (noise, LZ4 clevel 1 without shuffle: ${(fileLen / 2 ** 30).toFixed(3)} GiB on disk) opened with ` +
        "`openFrameFile(path, { mode: 'r+' })`; chunk 64 replaced by a precompressed chunk of the same size (`updateChunk`, median of " +
        `${REPS}), and chunk 32 by 8 MiB of new data (\`update\`, compression included, median of 3). Bytes written are counted by the ` +
        'file target. The anchor is copying the file once (`fs.copyFileSync`, median of 3), a floor under any edit that rewrites the ' +
        'file. Writes go to the page cache (no fsync).',
      tables: [
        {
          columns: [{ title: 'edit', align: 'left' }, { title: 'bytes written' }, { title: 'ms' }, { title: 'copy ÷ edit' }],
          rows: [
            ['updateChunk(64, chunk) (chunk, offsets index, trailer, header)', String(bytes), upd.toFixed(1), fmtRatio(copy / upd)],
            ['update(32, 8 MiB) (compression included)', '–', median(withCompress).toFixed(1), fmtRatio(copy / median(withCompress))],
            ['anchor: copy of the whole file', String(fileLen), copy.toFixed(1), '1.00×'],
            [`building it: ${NCHUNKS} appendChunk calls`, String(buildBytes), buildMs.toFixed(1), '–'],
          ],
        },
      ],
      targets: [
        {
          name: 'frames on disk: updating one chunk of a 1 GiB frame writes O(chunk) bytes (chunk + offsets index + trailer + header)',
          value: `${bytes} B vs ${bound} B (file ${fileLen} B)`,
          pass: bytes <= bound,
        },
      ],
      notes: [
        `Frames on disk: of the ${bytes} bytes, ${chunks[2].length} are the chunk, ${parts.tail} the offsets index and trailer, ${parts.headerLen} the header.`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMainScript(import.meta.url)) {
  await runSectionAlone({
    script: 'frame-edit.mjs',
    exposeGc: false,
    run: (opts, _timing, log) => runFrameEditSection({ libPath: resolve(opts.lib), log }),
    describeRun: (_timing, loadStart, loadEnd, machine) =>
      `1-minute load average ${loadStart.toFixed(2)} at the start, ${loadEnd.toFixed(2)} at the end, ` +
      `on ${machine.nproc} cores: this run accounts for about 1; more means other processes competed for the cores.`,
  });
}
