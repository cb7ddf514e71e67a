/**
 * Inspector section: what the inspector page (src/inspector/) costs on a large remote array.
 *
 * 1. Opening. A 1 GiB `.b2nd` (float64, shape 8 × 4096 × 4096, python-blosc2's default
 *    chunks, blocks and CParams, written once by blosc-ts into bench/.data) is served by
 *    `blosc-ts inspect`'s own server (startInspectServer, node:http, range requests) on
 *    127.0.0.1 and opened with the page's own code (`openUrl` of src/inspector/model.ts:
 *    HttpRangeSource.open, the first 32 bytes to recognise the format, AsyncCFrame.open,
 *    then the chunk map's cells). Every request the page makes is logged; the bytes served
 *    are counted by the server. Target: no more than the frame's header + trailer + offsets
 *    index (the 32-byte sniff falls inside the header).
 * 2. A plane. The 4096 × 4096 float64 plane [3, :, :] drawn as the page draws it: readRegion
 *    (src/inspector/region.ts, the page's NTHREADS workers), valueRange and colourPlane
 *    (src/inspector/colour.ts) into a fresh RGBA buffer as createImageData gives, without a
 *    canvas; against decoding only the blocks that plane touches on this thread
 *    (`decompress` of a chunk whose blocks are all touched, `getItems` per block otherwise),
 *    the compressed chunks in memory for both, timed in alternation. Target: the plane
 *    within 2× of its blocks' decode. Rows for the colour mapping alone and for the plane
 *    read over HTTP (chunks fetched from the local server) are given for context.
 *
 * The page's modules are bundled by esbuild from src/inspector/ with `../index.js` pointing
 * at the build being measured (dist/index.js).
 *
 * Part of `npm run bench` (`--only inspector`), or alone: `node bench/inspector.mjs
 * [--target-ms N] [--no-write]`, which replaces (or appends) this section in
 * bench/RESULTS.md with the machine line and the load average of the run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

import { timeInterleaved, DEFAULT_TIMING } from './lib/timing.mjs';
import { isMainScript, runSectionAlone } from './lib/section.mjs';
import { fmtRatio } from './lib/table.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');

const SHAPE = [8, 4096, 4096];
const PLANE = 3;
const FILE_NAME = 'inspector-8x4096x4096-f8.b2nd';
const PLANE_TARGET = 2;
/** The page's worker count (src/inspector/app.ts NTHREADS), from this machine's cores. */
const NTHREADS = Math.max(2, Math.min(4, (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length) || 2));
/** Bytes of one frame trailer's fixed tail, and of a frame's fixed header (src/frame/cframe.ts). */
const FRAME_TRAILER_MINLEN = 25;

/**
 * Plane k of the array: a smooth field plus noise, rounded to 1/64 (as a sensor's
 * calibrated readings are), so the chunks are ordinary compressed chunks.
 */
function fillPlane(k, out, offset) {
  const [, rows, cols] = SHAPE;
  const colT = new Float64Array(cols);
  for (let c = 0; c < cols; c++) colT[c] = Math.cos(c / 611 + k * 0.3);
  const diagT = new Float64Array(rows + cols);
  for (let i = 0; i < rows + cols; i++) diagT[i] = 40 * Math.sin(i / 53);
  let s = (0x9e3779b9 ^ (k * 0x85ebca6b)) >>> 0;
  for (let r = 0; r < rows; r++) {
    const rowV = 1000 * Math.sin(r / 397 + k);
    const base = offset + r * cols;
    for (let c = 0; c < cols; c++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const noise = (s / 4294967296 - 0.5) * 4;
      out[base + c] = Math.round((rowV * colT[c] + diagT[r + c] + noise) * 64) / 64;
    }
  }
}

/** Write the array once (bench/.data), with NDArray.fromTypedArray's python-blosc2 defaults. */
function ensureFile(core, dataDir, log) {
  const path = join(dataDir, FILE_NAME);
  if (existsSync(path)) return path;
  mkdirSync(dataDir, { recursive: true });
  log(`  inspector: writing ${path} (1 GiB of float64, once)`);
  const planeLen = SHAPE[1] * SHAPE[2];
  const values = new Float64Array(SHAPE[0] * planeLen);
  for (let k = 0; k < SHAPE[0]; k++) fillPlane(k, values, k * planeLen);
  const t0 = performance.now();
  const frame = core.NDArray.fromTypedArray(values, { shape: SHAPE }).toFrame();
  log(`  inspector: compressed in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${(frame.length / 2 ** 20).toFixed(1)} MiB`);
  writeFileSync(`${path}.tmp`, frame);
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The page's modules (model, region, colour), bundled against the build under test. */
async function loadPage(libPath, dataDir) {
  const esbuild = await import('esbuild');
  const lib = pathToFileURL(libPath).href;
  const result = await esbuild.build({
    stdin: {
      contents: [
        "export { openUrl, openSource } from './src/inspector/model.ts';",
        "export { readRegion } from './src/inspector/region.ts';",
        "export { colourPlane, valueRange } from './src/inspector/colour.ts';",
      ].join('\n'),
      resolveDir: rootDir, sourcefile: 'inspector-page.ts', loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
    plugins: [{
      name: 'library-under-test',
      setup(build) {
        build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: lib, external: true }));
      },
    }],
  });
  const out = join(dataDir, 'inspector-page.mjs');
  writeFileSync(out, result.outputFiles[0].contents);
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}

/** Header, trailer and offsets index lengths of a contiguous frame, from its bytes. */
function frameParts(core, bytes) {
  const frame = core.CFrame.open(bytes);
  const { headerLen, frameLen, cbytes } = frame.header;
  const tail = bytes.subarray(frameLen - FRAME_TRAILER_MINLEN, frameLen);
  const trailerLen = new DataView(tail.buffer, tail.byteOffset, tail.length).getUint32(3);
  const indexLen = frameLen - trailerLen - (headerLen + cbytes);
  return { headerLen, trailerLen, indexLen, nchunks: frame.nchunks, frameLen };
}

/**
 * @param {{ libPath?: string | null, dataDir?: string, timing: typeof DEFAULT_TIMING, log: (line: string) => void }} options
 */
export async function runInspectorSection({ libPath = join(rootDir, 'dist', 'index.js'), dataDir = join(benchDir, '.data'), timing, log }) {
  const section = {
    title: 'Inspector: a 1 GiB remote .b2nd',
    description:
      `The inspector page's own code (src/inspector/model.ts, region.ts, colour.ts, bundled by esbuild against dist/index.js) on a ` +
      `${SHAPE.join(' × ')} float64 \`.b2nd\` (1 GiB of values; python-blosc2's default chunks, blocks and CParams as NDArray.fromTypedArray ` +
      'writes them; a smooth field plus noise, rounded to 1/64). **Opening:** served by `blosc-ts inspect`\'s server ' +
      '(startInspectServer, range requests) on 127.0.0.1 and opened as the page opens a URL (`openUrl`: HttpRangeSource.open, the ' +
      'first 32 bytes to recognise the format, AsyncCFrame.open, the chunk map\'s cells); the bytes are the bodies the server sent ' +
      `until the header fields and chunk map were known. **Plane:** the ${SHAPE[1]} × ${SHAPE[2]} plane [${PLANE}, :, :] as the page ` +
      `draws it (readRegion with the page's ${NTHREADS} workers, valueRange, colourPlane into a fresh RGBA buffer, no canvas), against ` +
      'decoding on this thread only the blocks the plane touches (`decompress` of a chunk whose blocks are all touched, `getItems` ' +
      'per block otherwise); compressed chunks in memory for both, timed in alternation (median). The colour mapping alone, the ' +
      'plane read over HTTP from the local server and the touched chunks decoded on the workers are context rows.',
    tables: [],
    targets: [],
    notes: [],
  };
  if (libPath === null) {
    section.notes.push('Inspector section skipped: no blosc-ts build.');
    return section;
  }
  const core = await import(pathToFileURL(libPath).href);
  const { startInspectServer } = await import(pathToFileURL(join(dirname(libPath), 'cli', 'inspect.js')).href);
  const path = ensureFile(core, dataDir, log);
  const page = await loadPage(libPath, dataDir);
  const fileBytes = readFileSync(path);
  const parts = frameParts(core, fileBytes);
  const bound = parts.headerLen + parts.trailerLen + parts.indexLen;
  section.description += ` The file stores the 1 GiB in ${(parts.frameLen / 2 ** 20).toFixed(1)} MiB (${parts.nchunks} chunks).`;

  // --- 1. opening over HTTP -------------------------------------------------------------
  const server = await startInspectServer(path, { distDir: dirname(libPath) });
  const fileUrl = `${new URL(server.url).origin}/file/${encodeURIComponent(FILE_NAME)}`;
  const requests = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const res = await realFetch(input, init);
    requests.push(`${init?.method ?? 'GET'} ${headers.get('range') ?? '(whole)'} → ${res.status}`);
    return res;
  };
  let remote;
  const before = server.served.bytes;
  const t0 = performance.now();
  try {
    remote = await page.openUrl(fileUrl, server.url);
  } finally {
    globalThis.fetch = realFetch;
  }
  const openMs = performance.now() - t0;
  const fetched = server.served.bytes - before;
  if (remote.array === null || remote.cells.length !== parts.nchunks) throw new Error(`the page saw ${remote.cells.length} chunks and array ${remote.array}, not ${parts.nchunks} chunks of a b2nd array`);
  const nbytesField = remote.header.find((f) => f.name === 'nchunks')?.value;
  if (nbytesField !== String(parts.nchunks)) throw new Error(`the page's nchunks field says ${nbytesField}`);
  log(`  inspector: opened in ${openMs.toFixed(1)} ms, ${fetched} bytes in ${requests.length} requests (${requests.join('; ')})`);

  section.tables.push({
    columns: [{ title: 'opening', align: 'left' }, { title: 'bytes' }],
    rows: [
      ['file (frame length)', String(parts.frameLen)],
      [`chunks in the map (${remote.array.chunks.join('×')} each, blocks ${remote.array.blocks.join('×')})`, String(parts.nchunks)],
      ['frame header', String(parts.headerLen)],
      ['frame trailer', String(parts.trailerLen)],
      ['offsets index (a compressed chunk)', String(parts.indexLen)],
      ['header + trailer + offsets index', String(bound)],
      [`fetched by the page until header and chunk map were known (${requests.length} requests, ${openMs.toFixed(0)} ms)`, String(fetched)],
    ],
  });
  section.notes.push(`Inspector: the page's requests when opening: ${requests.join('; ')}.`);
  section.targets.push({
    name: 'inspector: opening a 1 GiB .b2nd fetches ≤ header + trailer + offsets index',
    value: `${fetched} B vs ${bound} B`,
    pass: fetched <= bound,
  });

  // --- 2. a plane ---------------------------------------------------------------------------
  const local = await page.openSource(new core.MemorySource(new Uint8Array(fileBytes.buffer, fileBytes.byteOffset, fileBytes.length)), FILE_NAME);
  const arr = local.array;
  const lo = [PLANE, 0, 0];
  const hi = [PLANE + 1, SHAPE[1], SHAPE[2]];
  const planeLen = SHAPE[1] * SHAPE[2];
  const expected = new Float64Array(planeLen);
  fillPlane(PLANE, expected, 0);

  // The blocks the plane touches, per chunk (the same geometry readRegion works out).
  const { chunks, blocks } = arr;
  const grid = SHAPE.map((n, a) => Math.ceil(n / chunks[a]));
  const blockGrid = chunks.map((c, a) => Math.ceil(c / blocks[a]));
  const blocksPerChunk = blockGrid.reduce((p, x) => p * x, 1);
  const blockNbytes = blocks.reduce((p, x) => p * x, 1) * arr.itemsize;
  const work = [];
  let touchedBlocks = 0;
  for (let c0 = Math.floor(lo[0] / chunks[0]); c0 < Math.ceil(hi[0] / chunks[0]); c0++) {
    for (let c1 = 0; c1 < grid[1]; c1++) {
      for (let c2 = 0; c2 < grid[2]; c2++) {
        const ci = (c0 * grid[1] + c1) * grid[2] + c2;
        const chunk = (await arr.chunk(ci)).slice();
        // Along axis 0 only the plane's own block row is touched; axes 1 and 2 are whole.
        const k0 = Math.floor((PLANE - c0 * chunks[0]) / blocks[0]);
        const list = [];
        for (let k1 = 0; k1 < blockGrid[1]; k1++) for (let k2 = 0; k2 < blockGrid[2]; k2++) list.push((k0 * blockGrid[1] + k1) * blockGrid[2] + k2);
        touchedBlocks += list.length;
        work.push({ chunk, blocks: list.length === blocksPerChunk ? null : list });
      }
    }
  }
  const typesize = core.chunkInfo(work[0].chunk).typesize;
  let decodedBytes = 0;
  const decodeBlocks = () => {
    let n = 0;
    for (const w of work) {
      if (w.blocks === null) n += core.decompress(w.chunk).length;
      else for (const b of w.blocks) n += core.getItems(w.chunk, (b * blockNbytes) / typesize, blockNbytes / typesize).length;
    }
    decodedBytes = n;
    return n;
  };
  const renderPlane = async (model) => {
    const stats = { chunks: 0, wholeChunks: 0, blocks: 0, blocksInChunks: 0 };
    const values = await page.readRegion(model, lo, hi, NTHREADS, stats);
    const [min, max] = page.valueRange(values);
    const rgba = new Uint8ClampedArray(values.length * 4);
    page.colourPlane(values, min, max, 'viridis', rgba);
    return { values, rgba, stats };
  };
  // Check first: the plane's values are the array's, the block decode covers the plane.
  const first = await renderPlane(arr);
  for (let i = 0; i < planeLen; i++) if (first.values[i] !== expected[i]) throw new Error(`plane value ${i} is ${first.values[i]}, not ${expected[i]}`);
  const viaHttp = await renderPlane(remote.array);
  for (let i = 0; i < planeLen; i++) if (viaHttp.values[i] !== expected[i]) throw new Error(`plane value ${i} over HTTP is ${viaHttp.values[i]}, not ${expected[i]}`);
  decodeBlocks();
  if (decodedBytes !== touchedBlocks * blockNbytes || decodedBytes < planeLen * 8) throw new Error(`decoded ${decodedBytes} bytes for ${touchedBlocks} blocks`);
  const [vmin, vmax] = page.valueRange(first.values);
  const rgba = new Uint8ClampedArray(planeLen * 4);
  log(`  inspector: plane from ${first.stats.chunks} chunks (${first.stats.wholeChunks} whole, ${first.stats.blocks} blocks one by one); timing`);

  const results = await timeInterleaved([
    { fn: () => renderPlane(arr), isAsync: true },
    { fn: decodeBlocks, isAsync: false },
    { fn: () => page.colourPlane(first.values, vmin, vmax, 'viridis', rgba), isAsync: false },
    { fn: () => renderPlane(remote.array), isAsync: true },
    { fn: () => Promise.all(work.map((w) => core.decompressAsync(w.chunk, undefined, { nthreads: NTHREADS }))), isAsync: true },
  ], { ...timing, warmupMs: 1000 });
  core.shutdownPool();
  await server.close();
  const [planeMs, blocksMs, colourMs, httpMs, workersMs] = results.map((r) => r.medianMs);
  const ratio = planeMs / blocksMs;
  log(`  inspector: plane ${planeMs.toFixed(1)} ms, its blocks ${blocksMs.toFixed(1)} ms (${ratio.toFixed(2)}×), colour ${colourMs.toFixed(1)} ms, over HTTP ${httpMs.toFixed(1)} ms, chunks on workers ${workersMs.toFixed(1)} ms`);
  const ms = (x) => x.toFixed(1);
  section.tables.push({
    columns: [{ title: `plane [${PLANE}, :, :], ${SHAPE[1]} × ${SHAPE[2]} float64 (${(planeLen * 8) / 2 ** 20} MiB)`, align: 'left' }, { title: 'ms' }, { title: '÷ its blocks\' decode' }],
    rows: [
      [`decode of the ${touchedBlocks} blocks it touches (${work.length} chunks; this thread)`, ms(blocksMs), '1.00×'],
      [`page render: readRegion (${first.stats.wholeChunks} chunks whole on ${NTHREADS} workers, ${first.stats.blocks} blocks one by one) + valueRange + colourPlane`, ms(planeMs), fmtRatio(ratio)],
      ['of which the colour mapping alone (colourPlane, viridis)', ms(colourMs), fmtRatio(colourMs / blocksMs)],
      ['page render, chunks fetched over HTTP from the local server', ms(httpMs), fmtRatio(httpMs / blocksMs)],
      [`the same ${work.length} chunks decoded whole on ${NTHREADS} workers (decompressAsync, all in flight)`, ms(workersMs), fmtRatio(workersMs / blocksMs)],
    ],
  });
  section.notes.push(
    `Inspector: of the plane's ${ms(planeMs)} ms, the chunks' decode on the workers takes about ${ms(workersMs)} and the colour mapping ${ms(colourMs)}; ` +
    `the other ${ms(Math.max(0, planeMs - workersMs - colourMs))} ms are valueRange, the fresh ${(planeLen * 8) / 2 ** 20} MiB Float64Array and ` +
    `${(planeLen * 4) / 2 ** 20} MiB RGBA buffers and the rows copied out. On this machine the workers decode no faster than one thread ` +
    'when other processes hold the cores; the ratio then moves with the load (runs of one evening ranged from 1.9× to 2.7×: the target is met only in the quieter runs).',
  );
  section.targets.push({ name: `inspector: a ${SHAPE[1]} × ${SHAPE[2]} float64 plane renders ≤ ${PLANE_TARGET}× its blocks' decode`, value: fmtRatio(ratio), pass: ratio <= PLANE_TARGET });
  return section;
}


if (isMainScript(import.meta.url)) {
  await runSectionAlone({
    script: 'inspector.mjs',
    options: { data: { type: 'string', default: join(benchDir, '.data') } },
    run: (opts, timing, log) => runInspectorSection({ libPath: resolve(opts.lib), dataDir: resolve(opts.data), timing, log }),
    describeRun: (timing, loadStart, loadEnd, machine) =>
      `${timing.targetMs} ms per timed row. 1-minute load average ${loadStart.toFixed(2)} at the start, ` +
      `${loadEnd.toFixed(2)} at the end, on ${machine.nproc} cores: this run accounts for about 1 (${NTHREADS + 1} while the workers run); ` +
      'more means other processes competed for the cores.',
  });
}
