/**
 * Section: worker threads. MB/s of uncompressed bytes for whole chunks decoded and encoded
 * by the async API with nthreads 2 against the synchronous API (one thread), and the effect
 * of the size threshold below which the async calls stay on the calling thread.
 *
 *   - 64 MiB of smooth float64 data (a sine with a little deterministic jitter), SHUFFLE,
 *     clevel 5, typesize 8, one chunk, for LZ4, BloscLZ and Zstd.
 *     decode: `decompress(chunk, out)` against `decompressAsync(chunk, sharedOut, { nthreads: 2 })`,
 *     both into preallocated outputs, `decompressAsync` returning a new (shared) array, and
 *     `decompressAsync` of the chunk copied into a SharedArrayBuffer (nothing to stage: the
 *     workers read it as it is);
 *     encode: `compress(data, options, out)` against `compressAsync(data, { nthreads: 2 }, sharedOut)`,
 *     both into preallocated outputs, from a plain input (copied to shared memory first) and
 *     from a SharedArrayBuffer input; and both returning new arrays (whose first touch costs
 *     page faults, about 35 ms for 64 MiB on the benchmark machine, on the calling thread).
 *     The same input timed in python-blosc2 (bench/threads.py) gives C-Blosc2's own
 *     nthreads 2 ÷ 1 on this machine, for reference.
 *   - LZ4 chunks of 4 KiB to 4 MiB: sync, async with the default threshold, and async with
 *     the threshold off (minParallelNbytes: 0), which is how the threshold was chosen.
 * Sync and async calls of one row are timed in alternation (timeInterleaved). Every output
 * is checked (chunks byte-identical to the sync chunk, decoded bytes equal to the data).
 *
 * Run alone: node bench/threads.mjs [--lib dist/index.js] [--no-write] [--target-ms N] [--python CMD] [--no-native]
 * (prints the tables, replaces the "Worker threads" section of bench/RESULTS.md and its rows in "Targets").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { sameBytes } from './lib/data.mjs';
import { isMainScript, runSectionAlone } from './lib/section.mjs';
import { median } from './lib/cpu-rounds.mjs';
import { roundEntry, spawnRoundServer } from './lib/round-server.mjs';
import { fmtMBps, fmtRatio } from './lib/table.mjs';
import { afterIdenticalCall, mbps, timeInterleaved, DEFAULT_TIMING } from './lib/timing.mjs';
import { schedTimes } from './lib/machine.mjs';

const LARGE_NBYTES = 64 << 20;
const THREAD_CODECS = Object.freeze(['lz4', 'blosclz', 'zstd']);
const SMALL_SIZES = Object.freeze([4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20]);
/**
 * The speed-up target of nthreads 2 over 1 is C-Blosc2's own on the same bytes in the same
 * run (its threads on this machine, not a fixed factor: two workers decoding a 64 MiB chunk of
 * a memory-speed codec share the memory bandwidth as C's threads do).
 */
export const SMALL_OVERHEAD_TARGET = 0.05;

const SECTION_TITLE = 'Worker threads';

/**
 * Untimed nthreads 2 decodes and encodes of each codec's 64 MiB chunk before its rows. V8
 * optimizes a function after enough calls in each thread, and the worker, which runs a piece
 * of each call, gets there later than this thread: in the first few tens of calls it still
 * ran some of the block loop's functions unoptimized, while V8's helper threads compiled them
 * (up to 30 ms each for the decoders' stream loops) on the same two cores
 * (`node --trace-opt`: 9 compilations during calls 6-15 of an LZ4 decode, 1 during calls
 * 101-110). The sync rows' code is warm from the checks by then.
 */
const WARM_CALLS = 20;

/**
 * Pause after the forced collection before each sample of the 64 MiB rows (every entry: sync,
 * async and C's calls alike). V8 finishes a forced collection on helper threads (concurrent
 * sweeping, freeing the dropped buffers' memory); timed at once, an nthreads 2 call found them
 * on the second core, and its worker's first piece started about 2 ms late (workerStartAfterCollection).
 */
const SETTLE_MS = 20;

/**
 * When the worker's first piece started (ms from the call's start, lastParallelSplit) and how long
 * the call took, medians of `rounds` calls of `call` after each of: nothing forced, a forced
 * collection, a forced collection and SETTLE_MS; the three in alternation.
 */
async function workerStartAfterCollection(call, splitOf, rounds) {
  const collect = globalThis.gc;
  if (typeof collect !== 'function') return null;
  const cases = { none: async () => {}, collected: async () => collect(), settled: async () => { collect(); await new Promise((res) => setTimeout(res, SETTLE_MS)); } };
  const start = { none: [], collected: [], settled: [] };
  const call_ = { none: [], collected: [], settled: [] };
  for (let r = 0; r < rounds; r++) {
    for (const name of Object.keys(cases)) {
      await cases[name]();
      const t0 = performance.now();
      await call();
      const ms = performance.now() - t0;
      const split = splitOf();
      if (split?.workerStartMs === undefined) continue;
      start[name].push(split.workerStartMs);
      call_[name].push(ms);
    }
  }
  if (start.none.length === 0 || start.collected.length === 0 || start.settled.length === 0) return null;
  const of = (name) => ({ startMs: median(start[name]), callMs: median(call_[name]) });
  return { none: of('none'), collected: of('collected'), settled: of('settled') };
}

function smoothFloat64(nbytes) {
  const f = new Float64Array(nbytes / 8);
  for (let i = 0; i < f.length; i++) f[i] = Math.sin(i / 1000) * 1000 + (i % 7) * 0.001;
  return new Uint8Array(f.buffer);
}

/** A pure computation (no memory traffic), run in a worker: `workerData` millions of steps. */
const SPIN_WORKER = `const { parentPort, workerData } = require('node:worker_threads');
let n = 0;
for (let k = 0; k < workerData; k++) for (let i = 0; i < 1e6; i++) n = (n * 31 + i) | 0;
parentPort.postMessage(n);`;

/**
 * How much of a second core this process gets: the same computation on one worker, then on
 * two at once; 2 × t(1) / t(2) is 2 with two free cores and 1 when only one core's worth of
 * time is available (a busy host, a CPU quota). The speedups below cannot exceed it.
 */
async function parallelEfficiency(units) {
  const run = (count) => Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const w = new Worker(SPIN_WORKER, { eval: true, workerData: units });
    w.once('message', () => {
      void w.terminate();
      resolve();
    });
    w.once('error', reject);
  })));
  await run(1);
  let t = performance.now();
  await run(1);
  const one = performance.now() - t;
  t = performance.now();
  await run(2);
  const two = performance.now() - t;
  return (2 * one) / two;
}

/**
 * A second thread running the synchronous API on its own copy of the input (a plain
 * worker_threads Worker importing the build). For each window, this thread sets cell 0 to
 * the window's number and both threads call back to back until this thread, done with its
 * window, sets cell 1 to it; the worker then writes the median of its calls' milliseconds
 * and the window's number to cell 2.
 */
const TWIN_WORKER = `const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const lib = await import(workerData.libUrl);
  const data = new Uint8Array(workerData.data).slice();
  const cell = new Int32Array(workerData.cells);
  const times = new Float64Array(workerData.times);
  parentPort.on('message', (m) => {
    if (m === 'stop') { process.exit(0); }
    const options = { codec: m.codec, clevel: 5, typesize: 8 };
    const chunk = lib.compress(data, options);
    const out = new Uint8Array(data.length);
    const chunkOut = new Uint8Array(lib.maxChunkSize(data.length));
    const job = m.kind === 'decode' ? () => lib.decompress(chunk, out) : () => lib.compress(data, options, chunkOut);
    for (let i = 0; i < 3; i++) job();
    parentPort.postMessage('primed');
    let window = 0;
    for (;;) {
      Atomics.wait(cell, 0, window);
      window = Atomics.load(cell, 0);
      if (window < 0) break;
      const ms = [];
      do {
        const t0 = performance.now();
        job();
        ms.push(performance.now() - t0);
      } while (Atomics.load(cell, 1) !== window);
      ms.sort((a, b) => a - b);
      times[0] = ms[ms.length >> 1];
      Atomics.store(cell, 2, window);
      Atomics.notify(cell, 2);
    }
    parentPort.postMessage('done');
  });
  parentPort.postMessage('ready');
})();`;

/** Calls of `fn` back to back for at least `windowMs` and `minCalls`: the median call (ms). */
function steadyMedian(fn, windowMs, minCalls) {
  const ms = [];
  const start = performance.now();
  while (ms.length < minCalls || performance.now() - start < windowMs) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Each window of twinEfficiency lasts at least this long and this many calls. */
const TWIN_WINDOW_MS = 600;
const TWIN_MIN_CALLS = 5;
/** Alternations of twinEfficiency's windows in the section. */
const TWIN_WINDOWS = 5;

/**
 * How two threads running the same synchronous call at once fare against one alone, the
 * ceiling of any split of one call between two threads that copies nothing: 2 × t(alone) ÷
 * t(the slower of the two at once) (2.00: no slowdown; memory bandwidth and shared caches
 * bring it down). Steady calls, as a caller making the same call in a loop: `windows`
 * alternations of a window of calls on this thread alone and a window of calls on both at
 * once, each window's median call, then the medians over the windows. (Single calls right
 * after the other thread's wake-up, as measured before, varied from 1.15× to 1.50× for
 * the same BloscLZ decode between two runs.) Null where Workers or Atomics.wait on this
 * thread are missing.
 */
export async function twinEfficiency(libPath, data, windows, codecs = THREAD_CODECS) {
  const cells = new Int32Array(new SharedArrayBuffer(12));
  const times = new Float64Array(new SharedArrayBuffer(8));
  const copy = new SharedArrayBuffer(data.length);
  new Uint8Array(copy).set(data);
  const w = new Worker(TWIN_WORKER, { eval: true, workerData: { libUrl: pathToFileURL(libPath).href, data: copy, cells: cells.buffer, times: times.buffer } });
  let failed = null;
  const waiting = [];
  w.on('message', (m) => waiting.shift()?.resolve(m));
  w.on('error', (e) => {
    failed = e;
    for (const x of waiting.splice(0)) x.reject(e);
  });
  const next = () => new Promise((resolve, reject) => {
    if (failed !== null) reject(failed);
    else waiting.push({ resolve, reject });
  });
  await next();
  const lib = await import(pathToFileURL(libPath).href);
  const result = {};
  let window = 0;
  try {
    for (const codec of codecs) {
      result[codec] = {};
      const options = { codec, clevel: 5, typesize: 8 };
      const chunk = lib.compress(data, options);
      const out = new Uint8Array(data.length);
      const chunkOut = new Uint8Array(lib.maxChunkSize(data.length));
      for (const kind of ['decode', 'encode']) {
        const job = kind === 'decode' ? () => lib.decompress(chunk, out) : () => lib.compress(data, options, chunkOut);
        const primed = next();
        w.postMessage({ codec, kind });
        for (let i = 0; i < 3; i++) job();
        await primed;
        const alone = [];
        const together = [];
        for (let r = 0; r < windows; r++) {
          alone.push(steadyMedian(job, TWIN_WINDOW_MS, TWIN_MIN_CALLS));
          window++;
          Atomics.store(cells, 0, window);
          Atomics.notify(cells, 0);
          const mine = steadyMedian(job, TWIN_WINDOW_MS, TWIN_MIN_CALLS);
          Atomics.store(cells, 1, window);
          while (Atomics.load(cells, 2) !== window) Atomics.wait(cells, 2, Atomics.load(cells, 2), 1000);
          together.push(Math.max(mine, times[0]));
        }
        const done = next();
        Atomics.store(cells, 0, -1);
        Atomics.notify(cells, 0);
        await done;
        window = 0;
        cells.fill(0);
        result[codec][kind] = (2 * median(alone)) / median(together);
      }
    }
  } finally {
    w.postMessage('stop');
    await w.terminate();
  }
  return result;
}

/**
 * Garbage collections on this thread during `calls` back-to-back calls of `fn` (none forced
 * between them, as timeInterleaved does before each sample): count and milliseconds per call.
 */
async function collectionsDuring(fn, calls) {
  const entries = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < calls; i++) await fn();
  await new Promise((res) => setTimeout(res, 20));
  observer.disconnect();
  let ms = 0;
  for (const e of entries) ms += e.duration;
  return { count: entries.length, msPerCall: ms / calls };
}

/**
 * Where the threads' time goes in `calls` back-to-back nthreads 2 calls of `call` (Linux only):
 * per call, CPU time and time waiting for a core of this thread, of the threads that ran the
 * workers' pieces (those with CPU time above a fifth of the calls' time) and of the rest (V8's
 * helper threads, other workers); CPU time per block of the workers (over the blocks of the
 * pieces they ran) and of `syncCall` (the synchronous call on this thread, `calls` times, over
 * all blocks); and this thread's CPU time beyond its blocks at that rate (staging, posting).
 * A split's wall-clock time per block (its timeline) also counts the time a thread waited for
 * a core while another process ran: these tell the two apart. Null where /proc is missing.
 */
export async function threadTimes(call, syncCall, splitOf, nblocks, calls) {
  await call();
  syncCall();
  const self = String(process.pid);
  const s0 = schedTimes();
  if (s0 === null || nblocks === null) return null;
  const ts = performance.now();
  for (let i = 0; i < calls; i++) syncCall();
  const syncWallMs = (performance.now() - ts) / calls;
  const s1 = schedTimes();
  const syncCpuPerBlock = (s1.get(self).run - s0.get(self).run) / (calls * nblocks);
  const t0 = performance.now();
  let workerBlocks = 0;
  for (let i = 0; i < calls; i++) {
    await call();
    const split = splitOf();
    if (split === null || split.pieces === 0) return null;
    workerBlocks += split.blocksByWorkers ?? ((nblocks - split.ownBlocks) * split.piecesByWorkers) / split.pieces;
  }
  const wallMs = performance.now() - t0;
  const s2 = schedTimes();
  const sum = { main: { run: 0, wait: 0 }, workers: { run: 0, wait: 0 }, rest: { run: 0, wait: 0 } };
  for (const [tid, b] of s2) {
    const a = s1.get(tid) ?? { run: 0, wait: 0 };
    const run = b.run - a.run;
    const wait = b.wait - a.wait;
    const into = tid === self ? sum.main : run > wallMs / 5 ? sum.workers : sum.rest;
    into.run += run;
    into.wait += wait;
  }
  const ownBlocks = calls * nblocks - workerBlocks;
  return {
    perCall: (x) => x / calls,
    sum,
    wallMs: wallMs / calls,
    syncWallMs,
    workerCpuPerBlock: workerBlocks > 0 ? sum.workers.run / workerBlocks : null,
    syncCpuPerBlock,
    /** This thread's CPU time per call beyond its blocks at the synchronous rate. */
    extraMs: (sum.main.run - ownBlocks * syncCpuPerBlock) / calls,
  };
}

function toShared(bytes) {
  const s = new Uint8Array(new SharedArrayBuffer(bytes.length));
  s.set(bytes);
  return s;
}

/** GB/s of TypedArray.set in 32 KiB pieces over 8 MiB into plain and into shared memory (best of 30 passes each, alternated). */
function setIntoShared() {
  const total = 8 << 20;
  const piece = 32 << 10;
  const src = new Uint8Array(piece).map((_, i) => i * 7);
  const targets = { plain: new Uint8Array(total), shared: new Uint8Array(new SharedArrayBuffer(total)) };
  const best = { plain: Infinity, shared: Infinity };
  for (let r = 0; r < 30; r++) {
    for (const kind of ['plain', 'shared']) {
      const dst = targets[kind];
      const t = performance.now();
      for (let o = 0; o < total; o += piece) dst.set(src, o);
      best[kind] = Math.min(best[kind], performance.now() - t);
    }
  }
  return { plain: total / best.plain / 1e6, shared: total / best.shared / 1e6 };
}

function sizeLabel(n) {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : `${n / 1024} KiB`;
}

/**
 * C-Blosc2 through python-blosc2 on the same bytes, as a round server (bench/threads.py,
 * bench/lib/round-server.mjs): `entry(codec, kind, nthreads)` is the selfTimed entry of one
 * native call (its sample is the wall time Python measured around the call), asked for in
 * the same rounds as the JavaScript calls of a row, so both sides run under the same load.
 * Null (with the reason in `notes`) when Python or python-blosc2 is not there.
 */
async function startNative(python, data, notes) {
  const dir = mkdtempSync(join(os.tmpdir(), 'blosc-ts-threads-'));
  const input = join(dir, 'input.f8');
  writeFileSync(input, data);
  const script = join(dirname(fileURLToPath(import.meta.url)), 'threads.py');
  const server = spawnRoundServer(python, [script, input, THREAD_CODECS.join(',')]);
  const close = () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const info = JSON.parse(await server.next());
    return {
      info,
      close,
      entry: (codec, kind, nthreads) => roundEntry(server, `${codec} ${kind} ${nthreads}`),
    };
  } catch (e) {
    notes.push(`Worker threads: no native reference (${python} bench/threads.py failed: ${String(e?.message ?? e).trim()}).`);
    close();
    return null;
  }
}

/**
 * @param {{ libPath: string | null, timing: typeof DEFAULT_TIMING, log: (s: string) => void, python?: string, native?: boolean }} ctx
 */
export async function runThreadsSection({ libPath, timing, log, python = 'python3', native = true }) {
  const section = { title: SECTION_TITLE, description: '', tables: [], targets: [], notes: [] };
  const describe = (decodeMin, encodeMin) => {
    section.description =
      'Async API on worker threads (nthreads 2) against the synchronous API, MB/s of uncompressed bytes. ' +
      '64 MiB of smooth float64 data in one chunk (SHUFFLE, clevel 5, typesize 8): decode and encode into preallocated outputs ' +
      '(shared ones for the async calls), into new arrays, and from a shared chunk or input; then LZ4 chunks of 4 KiB-4 MiB, ' +
      `where the async calls keep chunks under the thresholds (decode ${sizeLabel(decodeMin)}, encode ${sizeLabel(encodeMin)}) on the calling thread. ` +
      'Calls of a row are timed in alternation (for chunks under 1 MiB, a sample is a batch of calls covering 1 MiB, divided by the batch size); every output is checked.';
  };
  describe(64 << 20, 256 << 10);
  if (libPath === null) {
    section.notes.push('Worker threads: no blosc-ts build to measure.');
    return section;
  }
  const lib = await import(pathToFileURL(libPath).href);
  // How a shared call split its blocks (this thread's own, and the workers' pieces), where the build tells.
  const poolChunk = await import(pathToFileURL(join(dirname(libPath), 'pool', 'chunk.js')).href).catch(() => null);
  const splitOf = () => poolChunk?.lastParallelSplit?.() ?? null;
  const splitNotes = [];
  // r of one call per codec and kind (see medianSplit), for the note on what is left.
  const stagingCost = {};
  // Per-thread CPU time and waits for a core in 10 back-to-back calls, per codec and kind (threadTimes).
  const cpuNotes = [];
  // Collections on this thread during 10 back-to-back nthreads 2 calls, per codec.
  const collections = [];
  // Two threads running the synchronous call at once, per codec (twinEfficiency).
  const twins = {};
  let twinFailure = null;
  // The worker's first start after no collection, a forced one, and a forced one + SETTLE_MS, per codec and kind.
  const wakes = [];
  // One thread decoding the chunk from a SharedArrayBuffer against from plain memory, per codec.
  const sharedReads = [];
  // The synchronous call writing into the shared output ÷ into private memory, per codec and kind.
  const sharedOutputCost = {};
  if (typeof lib.compressAsync !== 'function') {
    section.notes.push(`${libPath} has no compressAsync: no worker-thread rows.`);
    return section;
  }
  describe(lib.DECODE_PARALLEL_MIN_NBYTES, lib.ENCODE_PARALLEL_MIN_NBYTES);
  const loadAtStart = os.loadavg()[0];
  log('  threads: parallel efficiency of two workers');
  const efficiencyBefore = await parallelEfficiency(150);
  const slow = { ...timing, targetMs: Math.min(timing.targetMs, 300), minReps: 3, settleMs: SETTLE_MS };
  const data = smoothFloat64(LARGE_NBYTES);
  const sharedData = toShared(data);
  const out = new Uint8Array(LARGE_NBYTES);
  const sharedOut = new Uint8Array(new SharedArrayBuffer(LARGE_NBYTES));
  const chunkOut = new Uint8Array(lib.maxChunkSize(LARGE_NBYTES));
  const sharedChunkOut = new Uint8Array(new SharedArrayBuffer(lib.maxChunkSize(LARGE_NBYTES)));
  const nativeRef = native ? await startNative(python, data, section.notes) : null;
  let nativeAlive = nativeRef !== null;
  /**
   * A row's entries timed in the same rounds as C-Blosc2's nthreads 1 and 2 calls of `kind`
   * (selfTimed entries), each of those also as the second of two identical calls
   * (afterIdenticalCall): [the entries' summaries, { first: C's two summaries, steady: the
   * same as second calls } or null]. Only the native calls reach another process; when one
   * fails, the round server is given up for the rest of the run and the row is timed again
   * without it.
   */
  const timeRow = async (entries, codec, kind) => {
    if (!nativeAlive) return [await timeInterleaved(entries, slow), null];
    const native = [1, 2].map((n) => nativeRef.entry(codec, kind, n));
    try {
      const all = await timeInterleaved([...entries, ...native, ...native.map(afterIdenticalCall)], slow);
      const k = entries.length;
      return [all.slice(0, k), { first: all.slice(k, k + 2), steady: all.slice(k + 2) }];
    } catch (e) {
      nativeAlive = false;
      nativeRef.close();
      section.notes.push(`Worker threads: bench/threads.py failed at ${codec} ${kind} (${String(e?.message ?? e).split('\n')[0]}); C columns n/a from there on.`);
      return [await timeInterleaved(entries, slow), null];
    }
  };

  const bigRows = [];
  // Per codec: nthreads 2 ÷ 1 of both sides as the second of two identical calls, beside the first call's.
  const steadyRows = [];
  const decodeSpeedups = [];
  const encodeSpeedups = [];
  for (const codec of THREAD_CODECS) {
    const options = { codec, clevel: 5, typesize: 8 };
    log(`  threads: ${codec} 64 MiB`);
    const chunk = lib.compress(data, options);
    const check = await lib.compressAsync(data, { ...options, nthreads: 2 });
    const checkShared = await lib.compressAsync(data, { ...options, nthreads: 2 }, sharedChunkOut);
    if (!sameBytes(check, chunk) || !sameBytes(checkShared, chunk) || !sameBytes(lib.compress(data, options, chunkOut), chunk)) {
      section.notes.push(`compressAsync(${codec}, nthreads 2) differs from compress: not timed.`);
      continue;
    }
    const decoded = await lib.decompressAsync(chunk, sharedOut, { nthreads: 2 });
    if (!sameBytes(decoded, data)) {
      section.notes.push(`decompressAsync(${codec}, nthreads 2) decoded wrong bytes: not timed.`);
      continue;
    }
    const sharedChunk = toShared(chunk);
    if (!sameBytes(await lib.decompressAsync(sharedChunk, sharedOut, { nthreads: 2 }), data)) {
      section.notes.push(`decompressAsync(${codec}, nthreads 2) decoded wrong bytes from a shared chunk: not timed.`);
      continue;
    }
    // The rows time steady calls: each thread's code optimized and its memory mapped (see WARM_CALLS).
    for (let i = 0; i < WARM_CALLS; i++) {
      await lib.decompressAsync(chunk, sharedOut, { nthreads: 2 });
      await lib.compressAsync(data, { ...options, nthreads: 2 }, sharedChunkOut);
      lib.decompress(chunk, out);
    }
    const decodeSync = { fn: () => lib.decompress(chunk, out), isAsync: false };
    const decodeShared = { fn: () => lib.decompressAsync(chunk, sharedOut, { nthreads: 2 }), isAsync: true };
    const [[d1, d2, d2new, d2shared, d1shared, d1steady, d2steady, d1sharedOut], cDecode] = await timeRow([
      decodeSync,
      decodeShared,
      { fn: () => lib.decompressAsync(chunk, undefined, { nthreads: 2 }), isAsync: true },
      { fn: () => lib.decompressAsync(sharedChunk, sharedOut, { nthreads: 2 }), isAsync: true },
      { fn: () => lib.decompress(sharedChunk, out), isAsync: false },
      afterIdenticalCall(decodeSync),
      afterIdenticalCall(decodeShared),
      { fn: () => lib.decompress(chunk, sharedOut), isAsync: false },
    ], codec, 'decode');
    sharedReads.push(`${codec} ${fmtMBps(mbps(LARGE_NBYTES, d1shared.medianMs))} against ${fmtMBps(mbps(LARGE_NBYTES, d1.medianMs))} MB/s`);
    const options2 = { ...options, nthreads: 2 };
    const encodeSync = { fn: () => lib.compress(data, options, chunkOut), isAsync: false };
    const encodeShared = { fn: () => lib.compressAsync(data, options2, sharedChunkOut), isAsync: true };
    const [[e1, e2, e2shared, e1new, e2new, e1steady, e2steady, e1sharedOut], cEncode] = await timeRow([
      encodeSync,
      encodeShared,
      { fn: () => lib.compressAsync(sharedData, options2, sharedChunkOut), isAsync: true },
      { fn: () => lib.compress(data, options), isAsync: false },
      { fn: () => lib.compressAsync(data, options2), isAsync: true },
      afterIdenticalCall(encodeSync),
      afterIdenticalCall(encodeShared),
      { fn: () => lib.compress(data, options, sharedChunkOut), isAsync: false },
    ], codec, 'encode');
    // The synchronous call into the shared output the nthreads 2 rows write, against into private memory.
    sharedOutputCost[codec] = { decode: d1sharedOut.medianMs / d1.medianMs, encode: e1sharedOut.medianMs / e1.medianMs };
    const nblocks = lib.chunkInfo(chunk).nblocks ?? null;
    // r: staging time per worker block ÷ this thread's time per own block; 2 − r bounds nthreads 2 ÷ 1.
    const rOf = (split) => (split !== null && split.stageMs > 0 && split.ownMs > 0 && nblocks !== null && split.ownBlocks > 0 && split.ownBlocks < nblocks
      ? (split.stageMs / (nblocks - split.ownBlocks)) / (split.ownMs / split.ownBlocks) : null);
    // One call of each kind described: of three, the one with the median r (single calls vary).
    const medianSplit = async (call) => {
      const splits = [];
      for (let k = 0; k < 3; k++) {
        await call();
        const split = splitOf();
        if (rOf(split) !== null) splits.push(split);
      }
      splits.sort((a, b) => rOf(a) - rOf(b));
      return splits.length === 0 ? null : splits[splits.length >> 1];
    };
    const decodeSplit = await medianSplit(() => lib.decompressAsync(chunk, sharedOut, { nthreads: 2 }));
    const encodeSplit = await medianSplit(() => lib.compressAsync(data, { ...options, nthreads: 2 }, sharedChunkOut));
    stagingCost[codec] = { decode: rOf(decodeSplit), encode: rOf(encodeSplit) };
    const clockCalls = [
      ['decode', () => lib.decompressAsync(chunk, sharedOut, { nthreads: 2 }), () => lib.decompress(chunk, out)],
      ['encode', () => lib.compressAsync(data, options2, sharedChunkOut), () => lib.compress(data, options, chunkOut)],
    ];
    for (const [kind, call, syncCall] of clockCalls) {
      const t = await threadTimes(call, syncCall, splitOf, nblocks, 10);
      if (t === null || t.workerCpuPerBlock === null) continue;
      const ms = (x) => t.perCall(x).toFixed(1);
      cpuNotes.push(`${codec} ${kind}: ${t.wallMs.toFixed(1)} ms per call against ${t.syncWallMs.toFixed(1)} for the synchronous call (${(t.syncWallMs / t.wallMs).toFixed(2)}×); this thread ${ms(t.sum.main.run)} ms CPU, ${ms(t.sum.main.wait)} ms waiting for a core; ` +
        `the worker ${ms(t.sum.workers.run)} and ${ms(t.sum.workers.wait)}; other threads ${ms(t.sum.rest.run)} and ${ms(t.sum.rest.wait)}; ` +
        `CPU per block, the worker ${t.workerCpuPerBlock.toFixed(3)} ms against the synchronous call's ${t.syncCpuPerBlock.toFixed(3)} (${(t.workerCpuPerBlock / t.syncCpuPerBlock).toFixed(2)}×); ` +
        // Negative when this thread's blocks ran faster in the call than in the synchronous calls (turbo, caches, load): then none to show.
        (t.extraMs > 0 ? `this thread's CPU beyond its blocks at that rate (staging, posting) ${t.extraMs.toFixed(1)} ms per call` : 'this thread\'s blocks no dearer than in the synchronous call'));
    }
    // The two-at-once ceiling right after the codec's rows, under the same load as far as can be.
    log(`  threads: ${codec}, two threads running the synchronous call at once`);
    const twin = await twinEfficiency(libPath, data, TWIN_WINDOWS, [codec]).catch((e) => {
      twinFailure ??= String(e?.message ?? e);
      return null;
    });
    if (twin !== null) twins[codec] = twin[codec];
    const gcDecode = await collectionsDuring(() => lib.decompressAsync(chunk, sharedOut, { nthreads: 2 }), 10);
    const gcEncode = await collectionsDuring(() => lib.compressAsync(data, { ...options, nthreads: 2 }, sharedChunkOut), 10);
    for (const [kind, call] of [['decode', () => lib.decompressAsync(chunk, sharedOut, { nthreads: 2 })], ['encode', () => lib.compressAsync(data, options2, sharedChunkOut)]]) {
      const w = await workerStartAfterCollection(call, splitOf, 7);
      if (w !== null) {
        wakes.push(`${codec} ${kind} ${w.none.startMs.toFixed(2)} / ${w.collected.startMs.toFixed(2)} / ${w.settled.startMs.toFixed(2)} ms ` +
          `(calls ${w.none.callMs.toFixed(1)} / ${w.collected.callMs.toFixed(1)} / ${w.settled.callMs.toFixed(1)} ms)`);
      }
    }
    collections.push(`${codec} decode ${gcDecode.count} (${gcDecode.msPerCall.toFixed(1)} ms per call), encode ${gcEncode.count} (${gcEncode.msPerCall.toFixed(1)} ms per call)`);
    if (decodeSplit !== null && encodeSplit !== null) {
      const timing = (split) => {
        const r = rOf(split);
        if (r === null) return '';
        const line = split.callMs === undefined || split.workerStartMs === undefined ? '' :
          `; timeline in ms from the call's start: this thread done at ${split.doneMs.toFixed(1)}, the worker's pieces ran ${split.workerStartMs.toFixed(1)}-${split.workerEndMs.toFixed(1)} ` +
          `(busy ${split.workerBusyMs.toFixed(1)}), their answers in at ${split.settledMs.toFixed(1)}, the call done at ${split.callMs.toFixed(1)}` +
          // The worker's blocks: those of the pieces it ran (older builds: its pieces' share of the staged blocks).
          `; per block, the worker ${(split.workerBusyMs / (split.blocksByWorkers ?? (nblocks - split.ownBlocks) * split.piecesByWorkers / split.pieces)).toFixed(3)} ms against this thread's ${(split.ownMs / split.ownBlocks).toFixed(3)}`;
        return ` (staged ${(split.stagedBytes / 1e6).toFixed(1)} MB in ${split.stageMs.toFixed(1)} ms, ${(split.stagedBytes / split.stageMs / 1e6).toFixed(1)} GB/s; ` +
          `its own blocks ${split.ownMs.toFixed(1)} ms; r ${r.toFixed(2)}, bound ${(2 - r).toFixed(2)}×${line})`;
      };
      splitNotes.push(`${codec}: decode, this thread kept ${decodeSplit.ownBlocks}${nblocks === null ? '' : ` of ${nblocks}`} blocks and the worker ran ` +
        `${decodeSplit.piecesByWorkers} of its ${decodeSplit.pieces} pieces${timing(decodeSplit)}; encode, ${encodeSplit.ownBlocks} and ${encodeSplit.piecesByWorkers} of ${encodeSplit.pieces}${timing(encodeSplit)}`);
    }
    const dec1 = mbps(LARGE_NBYTES, d1.medianMs);
    const dec2 = mbps(LARGE_NBYTES, d2.medianMs);
    const enc1 = mbps(LARGE_NBYTES, e1.medianMs);
    const enc2 = mbps(LARGE_NBYTES, e2.medianMs);
    const c = cDecode === null || cEncode === null ? null : { decode: cDecode.first.map((t) => t.medianMs), encode: cEncode.first.map((t) => t.medianMs) };
    const cSteady = cDecode === null || cEncode === null ? null : { decode: cDecode.steady.map((t) => t.medianMs), encode: cEncode.steady.map((t) => t.medianMs) };
    decodeSpeedups.push([codec, dec2 / dec1, c ? c.decode[0] / c.decode[1] : null]);
    encodeSpeedups.push([codec, enc2 / enc1, c ? c.encode[0] / c.encode[1] : null]);
    const steadyOf = (one, two, cPair) => [one.medianMs / two.medianMs, cPair ? cPair[0] / cPair[1] : null];
    steadyRows.push({
      codec,
      decode: steadyOf(d1steady, d2steady, cSteady?.decode),
      encode: steadyOf(e1steady, e2steady, cSteady?.encode),
      firstDecode: [d1.medianMs / d2.medianMs, c ? c.decode[0] / c.decode[1] : null],
      firstEncode: [e1.medianMs / e2.medianMs, c ? c.encode[0] / c.encode[1] : null],
      // How much faster each nthreads 2 call was as the second of two (>1: the first call after the settle was slower).
      gain: { decode: d2.medianMs / d2steady.medianMs, encode: e2.medianMs / e2steady.medianMs, cDecode: c && cSteady ? c.decode[1] / cSteady.decode[1] : null, cEncode: c && cSteady ? c.encode[1] / cSteady.encode[1] : null },
    });
    bigRows.push([
      codec, (LARGE_NBYTES / chunk.length).toFixed(2),
      fmtMBps(dec1), fmtMBps(dec2), fmtMBps(mbps(LARGE_NBYTES, d2new.medianMs)), fmtMBps(mbps(LARGE_NBYTES, d2shared.medianMs)), fmtRatio(dec2 / dec1),
      c ? fmtRatio(c.decode[0] / c.decode[1]) : 'n/a',
      fmtMBps(enc1), fmtMBps(enc2), fmtMBps(mbps(LARGE_NBYTES, e2shared.medianMs)), fmtRatio(enc2 / enc1),
      fmtRatio(e1new.medianMs / e2new.medianMs), c ? fmtRatio(c.encode[0] / c.encode[1]) : 'n/a',
    ]);
  }
  section.tables.push({
    caption: '64 MiB, one chunk: nthreads 1 (sync API) against nthreads 2 (async API)',
    columns: [
      { title: 'codec', align: 'left' }, { title: 'ratio' },
      { title: 'decode 1' }, { title: 'decode 2' }, { title: 'decode 2, new array' }, { title: 'decode 2, shared chunk' }, { title: 'decode ×' }, { title: 'C decode ×' },
      { title: 'encode 1' }, { title: 'encode 2' }, { title: 'encode 2, shared input' }, { title: 'encode ×' },
      { title: 'encode ×, new arrays' }, { title: 'C encode ×' },
    ],
    rows: bigRows,
  });
  if (steadyRows.length > 0) {
    const r = (x) => (x === null ? 'n/a' : fmtRatio(x));
    section.tables.push({
      caption: '64 MiB, nthreads 2 ÷ 1 of the table above (each call the first after its round\'s collection and pause) against the same calls as the second of two identical calls ' +
        '(the first untimed, both sides alike, in the same rounds): the steady ratio of a caller making the same call in a loop',
      columns: [
        { title: 'codec', align: 'left' },
        { title: 'decode ×' }, { title: 'C decode ×' }, { title: 'decode ×, second call' }, { title: 'C decode ×, second call' },
        { title: 'encode ×' }, { title: 'C encode ×' }, { title: 'encode ×, second call' }, { title: 'C encode ×, second call' },
      ],
      rows: steadyRows.map((x) => [x.codec, r(x.firstDecode[0]), r(x.firstDecode[1]), r(x.decode[0]), r(x.decode[1]), r(x.firstEncode[0]), r(x.firstEncode[1]), r(x.encode[0]), r(x.encode[1])]),
    });
  }
  if (Object.keys(twins).length > 0) {
    const cOf = (list, codec) => list.find(([name]) => name === codec)?.[2] ?? null;
    section.tables.push({
      caption: 'Two threads each running the synchronous call on its own copy of the 64 MiB input at once, calls back to back: 2 × t(alone) ÷ t(the slower of the two), ' +
        `medians of ${TWIN_WINDOWS} alternations of a window of calls alone and one of both at once (${TWIN_WINDOW_MS} ms and ${TWIN_MIN_CALLS} calls at least), ` +
        'the ceiling of nthreads 2 ÷ 1 for a split of one call that copies nothing, beside C-Blosc2\'s nthreads 2 ÷ 1 from the rows above',
      columns: [{ title: 'codec', align: 'left' }, { title: 'decode, two at once' }, { title: 'C decode ×' }, { title: 'encode, two at once' }, { title: 'C encode ×' }],
      rows: THREAD_CODECS.filter((codec) => twins[codec] !== undefined).map((codec) => {
        const cd = cOf(decodeSpeedups, codec);
        const ce = cOf(encodeSpeedups, codec);
        return [codec, fmtRatio(twins[codec].decode), cd === null ? 'n/a' : fmtRatio(cd), fmtRatio(twins[codec].encode), ce === null ? 'n/a' : fmtRatio(ce)];
      }),
    });
    const left = [];
    for (const [kind, list] of [['decode', decodeSpeedups], ['encode', encodeSpeedups]]) {
      for (const [codec, x, cx] of list) {
        const e = twins[codec]?.[kind];
        const r = stagingCost[codec]?.[kind];
        const so = sharedOutputCost[codec]?.[kind];
        if (e === undefined || r === null || r === undefined || so === undefined) continue;
        const ceiling = (e * (2 - r)) / (2 * so);
        // A row above its ceiling says the load changed between the two measures: no verdict then.
        const verdict = cx === null || x > ceiling * 1.05 ? '' : ceiling < cx ? ' (out of reach while the worker\'s share is copied and the output shared)' : ' (within reach)';
        left.push(`${codec} ${kind} ${fmtRatio(x)}: two at once ${fmtRatio(e)}, r ${r.toFixed(2)}, shared output ${so.toFixed(2)}, ceiling ${fmtRatio(ceiling)}` +
          (cx === null ? '' : ` against C ${fmtRatio(cx)}${verdict}`));
      }
    }
    if (left.length > 0) {
      section.notes.push(
        'Worker threads, what is left: a split of one call between this thread and a worker costs this thread the copy of the worker\'s share (r, per worker block, ' +
        'relative to its own time per block: the worker cannot read this thread\'s memory), and two threads working at once each run slower than one alone ' +
        '("two at once" above: memory bandwidth and shared caches), and both write into a shared output, which the synchronous call into private memory does not ' +
        '("shared output": the synchronous call into the shared output ÷ into private memory, timed in the row\'s rounds; V8 writes a SharedArrayBuffer through relaxed word copies, ' +
        'not the C library\'s memmove), so nthreads 2 ÷ 1 can reach at most about (two at once) × (2 − r) ÷ (2 × shared output). ' +
        `In this run: ${left.join('; ')}.`,
      );
    }
  }
  if (nativeRef !== null) {
    section.notes.push(
      `Worker threads: "C decode ×" and "C encode ×" are C-Blosc2 ${nativeRef.info.c_blosc2.split(' ')[0]} (python-blosc2 ${nativeRef.info.python_blosc2}) ` +
      'nthreads 2 ÷ 1 on the same input on this machine (compress2 / decompress2 into a preallocated array), its nthreads 1 and 2 calls timed in the same rounds as the row\'s blosc-ts calls ' +
      '(a Python process answering one call per request, bench/threads.py), so that both sides\' ratios are measured under the same load.',
    );
  }
  if (steadyRows.length > 0) {
    const pct = (x) => (x === null ? 'n/a' : `${((x - 1) * 100).toFixed(0)} %`);
    const gains = steadyRows.map((x) => `${x.codec} decode ${pct(x.gain.decode)} (C ${pct(x.gain.cDecode)}), encode ${pct(x.gain.encode)} (C ${pct(x.gain.cEncode)})`);
    section.notes.push(
      'Worker threads, the first call against the second: every sample of the 64 MiB rows is the first call after its round\'s forced collection and pause, and after the other entries of the round; ' +
      'the table "as the second of two identical calls" times the synchronous and nthreads 2 calls of both sides again in the same rounds, each right after an untimed identical call ' +
      '(C\'s too: its Python process is asked twice), which is what a caller making the same call in a loop sees. ' +
      `In this run the nthreads 2 calls were faster as second calls by: ${gains.join('; ')}. ` +
      'This is a large part of the gap between the timed rows and the back-to-back calls of the CPU-time note; C-Blosc2\'s nthreads 2 decode showed none of it in the paired measures below. ' +
      'Measured apart on this machine (one process, the protocols alternating cycle by cycle, 10-25 cycles each, 5 runs for LZ4 decoding): ' +
      'the LZ4 nthreads 2 decode as the first call after the collection and pause took 12.4-16.4 ms against 10.9-14.2 ms as the second of two identical calls (8-28 % more; BloscLZ 14.0 against 12.6, Zstd 21.9 against 19.7), ' +
      'while C-Blosc2\'s nthreads 2 call took the same either way (LZ4: 6.1-9.0 ms first, 6.0-8.5 ms second), and the synchronous calls of both sides moved by less than 10 %. ' +
      'The other entries of the row are not the cause: a row of the synchronous and nthreads 2 calls alone showed the same gap (14.2 against 11.4 ms), and which entry came right before the call ' +
      '(the new-array decode, the shared-chunk decode, the synchronous decode of a shared chunk) moved it by less than 10 %. Nor is the pause alone: with no collection, ' +
      'a 1, 2, 5, 10 or 20 ms sleep before each call, or 20 ms spinning on this thread (the worker idle), timed within 5 % of calls back to back. ' +
      'The collection without the pause is worse: the worker then waited about 10 ms per call for a core (V8\'s helper threads finishing the collection). ' +
      'What is slower in the first call is the worker: 0.197 against 0.154 and 0.202 against 0.183 ms per block (LZ4 decode, two paired runs), its first piece the slowest (0.25 against 0.20 ms per block), ' +
      'this thread\'s own blocks within 3 %. C-Blosc2\'s threads read the caller\'s memory directly, while here every block the worker decodes was written by this thread into the staging buffer ' +
      'moments before and is copied again into the worker\'s private memory: a handover between the two cores that a first call after an idle spell pays and a call in a loop does not; ' +
      'why exactly (caches, the host\'s placement of the two vCPUs) is not settled. The targets keep the first call (the protocol of earlier runs); the second-call ratios are given beside them. ' +
      'Back-to-back calls measured minutes apart are no reference here: the same call\'s time varied by up to 40 % between processes and over minutes on this VM ' +
      '(the synchronous LZ4 decode 14-22 ms in the processes of those measures), so the 1.45× of the CPU-time note against the row\'s 0.99× in the earlier run was part protocol, part moment.',
    );
  }
  if (splitNotes.length > 0) {
    section.notes.push(
      'Worker threads: with nthreads 2 the calling thread works on one chunk beside one worker: it copies the worker\'s share for it in pieces ' +
      '(the worker starts after the first), handles its own blocks meanwhile, then takes back the pieces the worker has not started. ' +
      'Decoding, the worker gets the last blocks, and its pieces are staged two ahead of the one it is on, between this thread\'s own blocks: ' +
      'this thread then decodes the pieces not yet staged from the back while the worker gets its next ones from the front, so nothing is staged that the worker does not start but the last two; ' +
      'encoding, the first blocks are this thread\'s, written in place, and the worker places its own after them ' +
      '(those it finished before this thread knew where they go, this thread copies there from their slots). ' +
      `In one call of each kind: ${splitNotes.join('; ')}. ` +
      'The copy is what a second thread costs here and not in C (whose threads read the caller\'s memory): with r = staging time per worker block ÷ decoding time per block, ' +
      'nthreads 2 can reach at most 2 − r times one thread.',
    );
  }
  if (cpuNotes.length > 0) {
    section.notes.push(
      'Worker threads, CPU time against wall-clock time: a timeline\'s time per block counts the time a thread was runnable but waited for a core ' +
      '(another process on the machine, or V8\'s helper threads), so the worker, which has no core of its own when anything else runs, looks slower per block than it is. ' +
      'Linux\'s accounts per thread (/proc/self/task/*/schedstat) over 10 back-to-back nthreads 2 calls (64 MiB, into the preallocated shared outputs), ' +
      'per call, and CPU time per block (the worker\'s over the blocks of the pieces it ran, against the synchronous call\'s over all blocks, 10 calls on this thread); ' +
      'these calls run back to back, with no forced collection and pause before each as in the timed rows, after the rows and so at another moment than them ' +
      '(for the steady ratio of both sides under the same load, see the second-call table, timed in the rows\' rounds): ' +
      `${cpuNotes.join('; ')}. ` +
      'Where the worker\'s CPU time per block goes beyond this thread\'s (perf record of 300 steady LZ4 decodes, 64 MiB, nthreads 2, on this machine): ' +
      'of the worker\'s samples, 32 % copying unshuffled tiles into the shared output and 19 % copying its pieces\' streams out of shared memory ' +
      '(both V8\'s relaxed_memmove, word by word), 14 % copying streams into the WebAssembly memory (memmove), 24 % in the WebAssembly decoder and unshuffle; ' +
      'of this thread\'s, 26 % tiles into the shared output, 21 % staging, 22 % streams into the WebAssembly memory (from the cold chunk), 21 % decoding. ' +
      'A piece decoded straight from the shared staging buffer (the codec copying its streams into the WebAssembly memory at the same address modulo 8) ' +
      'ran 25-50 % slower per block than through the private copy, and a private copy per block instead of per piece gained nothing measurable. ' +
      'Both threads\' blocks cost more inside an nthreads 2 call than in the synchronous call (LZ4, 64 MiB, steady calls: about 0.16 ms per block on either thread ' +
      'against 0.116 alone), and not because two threads decode at once: this thread and a worker each decoding half of the blocks from private copies of the chunk ' +
      'into one shared output, at once, took 0.125-0.132 ms per block against 0.116-0.121 alone (CPU time). What the call adds is memory traffic: ' +
      'the staging copy (the worker\'s share of the chunk read and written again) and the worker\'s private copy of it add about 120 MB per 64 MiB LZ4 call ' +
      'to the 180 MB or so that decoding itself moves (chunk read, output written), on a machine whose copies run at 10-13 GB/s.',
    );
  }
  if (twinFailure !== null) section.notes.push(`Worker threads: no two-thread ceiling (${twinFailure}).`);
  if (collections.length > 0) {
    section.notes.push(
      'Worker threads: garbage collections on the calling thread during 10 back-to-back nthreads 2 calls (64 MiB, into the preallocated outputs; ' +
      `none forced between them, unlike the timed rows above, which collect before each sample): ${collections.join('; ')}. ` +
      'The pieces staged for the worker go into shared memory kept between calls (Blosc2 chunks, and filtered inputs); moving them to the worker and back instead ' +
      'made V8 collect on the calling thread about twice per call, each buffer moved back arriving as new external memory ' +
      '(lz4 decode, 20 back-to-back calls: 20 mark-compacts and 14 scavenges, 105 ms, against none), though the worker now copies its streams into private memory first, as the codecs need.',
    );
  }
  if (wakes.length > 0) {
    section.notes.push(
      `Worker threads: every sample of the 64 MiB rows (sync, async and C's calls alike) follows a forced collection and then a ${SETTLE_MS} ms pause, outside the timed region. ` +
      'V8 finishes a forced collection on helper threads (concurrent sweeping, freeing the memory of dropped buffers); timed at once, an nthreads 2 call ' +
      '(ours, or C-Blosc2\'s in the Python process) found them on the second core. ' +
      'When the worker\'s first piece started, in ms from the call\'s start, with nothing forced before the call / after a forced collection / after a forced collection and the pause ' +
      `(medians of 7 calls each, in alternation; the calls' own times in brackets): ${wakes.join('; ')}. ` +
      'The worker wakes from idle in well under a millisecond (its first piece starts right after the first piece is staged; the same after a synchronous call, ' +
      'another async call or 30 ms idle): the delay after a forced collection is the collection\'s aftermath, a bench artefact and not the pool\'s, ' +
      'and about 2 ms of a 20-30 ms call, too little to explain the gap to C. ' +
      'What limits nthreads 2 shows in the timelines of the note on how a call is split: the worker\'s time per block against this thread\'s (the worker copies its streams into private memory and writes into shared memory), ' +
      'beside the staging cost r.',
    );
  }
  if (sharedReads.length > 0) {
    section.notes.push(
      'Worker threads: "decode 2, shared chunk" has nothing to stage: the calling thread decodes its share straight from the shared chunk and posts the worker\'s pieces as they are ' +
      '(the worker copies its pieces\' streams into its own memory, src/pool/jobs.ts). Reading a shared chunk costs the decoder little more than reading private memory: ' +
      `the synchronous decode of the same chunk from a SharedArrayBuffer, into the same output, ran at ${sharedReads.join(', ')} from plain memory ` +
      '(the raw planes and codec streams are copied out of the chunk through copyMemory, src/copy.ts: V8 copies out of a SharedArrayBuffer byte by byte where the two addresses disagree modulo 8).',
    );
  }
  const copyRates = setIntoShared();
  section.notes.push(
    `Worker threads: TypedArray.prototype.set of 32 KiB pieces over 8 MiB (the unshuffle's copies out of its tile) ran at ${copyRates.plain.toFixed(1)} GB/s into plain memory ` +
    `and ${copyRates.shared.toFixed(1)} GB/s into a SharedArrayBuffer (V8 ${process.versions.v8}): V8 copies into shared memory with relaxed-atomic word copies ` +
    '(base::Relaxed_Memcpy, 8 bytes at a time, byte by byte where source and target disagree modulo 8) rather than memmove, so every thread writing decoded blocks ' +
    'into a shared output pays the difference on its writes; only WebAssembly writing into the output itself (the output inside a shared WebAssembly.Memory) would not.',
  );
  for (const [kind, speedups] of [['decode', decodeSpeedups], ['encode', encodeSpeedups]]) {
    for (const [codec, x, cx] of speedups) {
      // The same ratios as second calls, for reference (the verdict stays on the first call's).
      const steady = steadyRows.find((row) => row.codec === codec)?.[kind];
      const second = steady === undefined ? '' : ` (second call ${fmtRatio(steady[0])}${steady[1] === null ? '' : ` vs C ${fmtRatio(steady[1])}`})`;
      section.targets.push({
        name: `threads: ${codec} 64 MiB ${kind}, nthreads 2 ÷ 1 ≥ C-Blosc2's own nthreads 2 ÷ 1 (same bytes, same run)`,
        value: (cx === null ? `${fmtRatio(x)} (C not measured)` : `${fmtRatio(x)} vs C ${fmtRatio(cx)}`) + second,
        pass: cx === null ? null : x >= cx,
      });
    }
  }

  const smallRows = [];
  let worstUnder = 0;
  let worstAwait = 0;
  const fast = { ...timing, targetMs: Math.min(timing.targetMs, 200) };
  for (const size of SMALL_SIZES) {
    log(`  threads: lz4 ${sizeLabel(size)}`);
    const src = data.subarray(0, size);
    const options = { codec: 'lz4', clevel: 5, typesize: 8 };
    const chunk = lib.compress(src, options);
    const smallOut = new Uint8Array(size);
    for (const minParallelNbytes of [undefined, 0]) {
      const back = await lib.decompressAsync(chunk, undefined, { nthreads: 2, minParallelNbytes });
      const again = await lib.compressAsync(src, { ...options, nthreads: 2, minParallelNbytes });
      if (!sameBytes(back, src) || !sameBytes(again, chunk)) throw new Error(`threads: lz4 ${sizeLabel(size)}: async output differs from sync`);
    }
    // A sample is a batch of calls (at least 1 MiB of data): one call on a 4 KiB chunk
    // takes microseconds, less than the timer's and the collector's noise per sample.
    const batch = Math.max(1, Math.ceil((1 << 20) / size));
    const syncBatch = (fn) => () => {
      for (let i = 0; i < batch; i++) fn();
    };
    const asyncBatch = (fn) => async () => {
      for (let i = 0; i < batch; i++) await fn();
    };
    // Option objects built once, as for the sync calls (a spread per call costs microseconds).
    const asyncOptions = { ...options, nthreads: 2 };
    const forcedOptions = { ...options, nthreads: 2, minParallelNbytes: 0 };
    const decodeAsync = { nthreads: 2 };
    const decodeForced = { nthreads: 2, minParallelNbytes: 0 };
    // "sync + await": the synchronous call awaited, the floor of any promise-returning API.
    const [ds, da, df, dw] = await timeInterleaved([
      { fn: syncBatch(() => lib.decompress(chunk, smallOut)), isAsync: false },
      { fn: asyncBatch(() => lib.decompressAsync(chunk, smallOut, decodeAsync)), isAsync: true },
      { fn: asyncBatch(() => lib.decompressAsync(chunk, smallOut, decodeForced)), isAsync: true },
      { fn: asyncBatch(() => lib.decompress(chunk, smallOut)), isAsync: true },
    ], fast);
    const [es, ea, ef, ew] = await timeInterleaved([
      { fn: syncBatch(() => lib.compress(src, options)), isAsync: false },
      { fn: asyncBatch(() => lib.compressAsync(src, asyncOptions)), isAsync: true },
      { fn: asyncBatch(() => lib.compressAsync(src, forcedOptions)), isAsync: true },
      { fn: asyncBatch(() => lib.compress(src, options)), isAsync: true },
    ], fast);
    for (const t of [ds, da, df, dw, es, ea, ef, ew]) t.medianMs /= batch;
    const r = (a, b) => b.medianMs / a.medianMs;
    if (size < lib.DECODE_PARALLEL_MIN_NBYTES) {
      worstUnder = Math.max(worstUnder, r(ds, da) - 1);
      worstAwait = Math.max(worstAwait, r(ds, dw) - 1);
    }
    if (size < lib.ENCODE_PARALLEL_MIN_NBYTES) {
      worstUnder = Math.max(worstUnder, r(es, ea) - 1);
      worstAwait = Math.max(worstAwait, r(es, ew) - 1);
    }
    smallRows.push([
      sizeLabel(size),
      fmtMBps(mbps(size, ds.medianMs)), fmtMBps(mbps(size, dw.medianMs)), fmtMBps(mbps(size, da.medianMs)), fmtMBps(mbps(size, df.medianMs)),
      fmtMBps(mbps(size, es.medianMs)), fmtMBps(mbps(size, ew.medianMs)), fmtMBps(mbps(size, ea.medianMs)), fmtMBps(mbps(size, ef.medianMs)),
    ]);
  }
  section.tables.push({
    caption: 'LZ4 chunks by size: sync, sync + await, async nthreads 2 (threshold on), async nthreads 2 with workers forced (threshold off)',
    columns: [
      { title: 'nbytes', align: 'left' },
      { title: 'decode sync' }, { title: 'decode sync + await' }, { title: 'decode async' }, { title: 'decode forced' },
      { title: 'encode sync' }, { title: 'encode sync + await' }, { title: 'encode async' }, { title: 'encode forced' },
    ],
    rows: smallRows,
  });
  section.targets.push({
    name: `threads: chunks under the threshold, async within ${SMALL_OVERHEAD_TARGET * 100} % of sync`,
    value: `${(worstUnder * 100).toFixed(1)} % slower at worst`,
    pass: worstUnder <= SMALL_OVERHEAD_TARGET,
  });
  section.notes.push(
    `Worker threads: under the thresholds, the synchronous call merely awaited was up to ${(worstAwait * 100).toFixed(1)} % slower than the plain call ` +
    '(the cost of a promise per call, which any async API pays), against the async API\'s ' + `${(worstUnder * 100).toFixed(1)} %.`,
  );
  if (nativeAlive) nativeRef.close();
  lib.shutdownPool();
  const efficiencyAfter = await parallelEfficiency(150);
  section.tables.unshift({
    caption: 'Two workers on a pure computation: 2 × t(one worker) / t(two workers at once); 2.00 means two free cores',
    columns: [{ title: 'when', align: 'left' }, { title: 'parallel efficiency' }],
    rows: [['before the rows below', efficiencyBefore.toFixed(2)], ['after them', efficiencyAfter.toFixed(2)]],
  });
  section.notes.push(
    `Worker threads: 1-minute load average ${loadAtStart.toFixed(2)} at the start of the section, ${os.loadavg()[0].toFixed(2)} at the end, ` +
    `on ${os.availableParallelism?.() ?? os.cpus().length} cores; a second thread can only help when a core is free for it.`,
  );
  return section;
}

if (isMainScript(import.meta.url)) {
  await runSectionAlone({
    script: 'threads.mjs',
    defaultTargetMs: String(DEFAULT_TIMING.targetMs),
    options: { python: { type: 'string', default: 'python3' }, 'no-native': { type: 'boolean', default: false } },
    run: (opts, timing, log) => runThreadsSection({ libPath: resolve(opts.lib), timing, log, python: opts.python, native: !opts['no-native'] }),
    describeRun: (timing, loadStart, loadEnd, machine) =>
      `${timing.targetMs} ms per timed row. 1-minute load average ${loadStart.toFixed(2)} at the start, ` +
      `${loadEnd.toFixed(2)} at the end, on ${machine.nproc} cores: more than about 2 while the workers run means other processes competed for the cores.`,
  });
}
