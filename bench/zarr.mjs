/**
 * Zarr section: zarrita `get()` of a whole 128 MiB float64 array (64 chunks of 2 MiB) with
 * Blosc chunks, read with numcodecs.js's Blosc (WASM c-blosc 1.18.1), blosc-ts's
 * synchronous codec and blosc-ts on 2 workers (whole chunks per worker), in alternation in
 * one process; plus the gzip size of a minified browser bundle (esbuild) of each codec, and
 * (on Linux) where one get() spends its time per thread: this thread on a core, waiting for
 * a core, idle; the workers; V8's own threads.
 *
 * Rows: Zarr v2 lz4, Zarr v2 zstd, Zarr v3 zstd, Zarr v3 sharded lz4 bitshuffle (8 chunks
 * per shard). The stores are in memory and were written by blosc-ts through zarrita, on the
 * workers (the bytes numcodecs writes for lz4; see test/zarr/live.test.ts).
 *
 * Timing: rounds of one call per reader in a fresh seeded order, ratios taken within each
 * round and their median reported (see `timeRounds`), so that a load spike on the shared
 * machine moves a round, not a row's ratio.
 *
 * Part of `npm run bench` (`--only zarr`), or alone: `node bench/zarr.mjs [--rounds N]
 * [--no-write] [--row TEXT]` (--row: only the rows whose name holds TEXT, with --no-write), which replaces (or appends) this section in bench/RESULTS.md with the
 * machine line and the load average of the run.
 */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

import { gcExposed, mbps, DEFAULT_TIMING } from './lib/timing.mjs';
import { uniform } from './lib/data.mjs';
import { isMainScript, packageVersion, runSectionAlone } from './lib/section.mjs';
import { fmtMBps, fmtRatio } from './lib/table.mjs';
import { schedTimes } from './lib/machine.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');

const SHAPE = [8192, 2048];
const CHUNKS = [128, 2048];
const NBYTES = SHAPE[0] * SHAPE[1] * 8;
const SYNC_TARGET = 1.5;
const WORKERS_TARGET = 1.4;
const WORKERS = 2;
/** Timed rounds per row (each reader once per round); `--rounds N` changes it. */
const DEFAULT_ROUNDS = 15;
/** Warm-up per reader and row, in alternation, before the timed rounds. */
const WARMUP_MS = 1500;

/** Detector readings stored as float64: integer ADC counts of slow waves plus noise. */
function makeValues() {
  const n = SHAPE[0] * SHAPE[1];
  const v = new Float64Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const noise = (s / 4294967296 - 0.5) * 8;
    v[i] = Math.round(Math.sin(i / 5000) * 2000 + Math.cos(i / 123) * 30 + noise);
  }
  return v;
}

/** zarrita store over a Map; reads hand out the stored bytes (as a fetch or file read would, fresh each time for the worker codec to copy). */
class MemoryStore {
  constructor() {
    this.map = new Map();
  }
  async get(key) {
    return this.map.get(key);
  }
  async getRange(key, range) {
    const whole = this.map.get(key);
    if (whole === undefined) return undefined;
    if ('suffixLength' in range) return whole.subarray(whole.length - range.suffixLength);
    return whole.subarray(range.offset, range.offset + range.length);
  }
  async set(key, value) {
    this.map.set(key, value.slice());
  }
}

const ROWS = [
  { name: 'Zarr v2, lz4, shuffle', format: 2, compressor: { id: 'blosc', cname: 'lz4', clevel: 5, shuffle: 1, blocksize: 0 } },
  { name: 'Zarr v2, zstd, shuffle', format: 2, compressor: { id: 'blosc', cname: 'zstd', clevel: 5, shuffle: 1, blocksize: 0 } },
  { name: 'Zarr v3, zstd, shuffle', format: 3, blosc: { cname: 'zstd', clevel: 5, shuffle: 'shuffle', typesize: 8, blocksize: 0 } },
  { name: 'Zarr v3 sharded (8 chunks/shard), lz4, bitshuffle', format: 3, shards: [1024, 2048], blosc: { cname: 'lz4', clevel: 5, shuffle: 'bitshuffle', typesize: 8, blocksize: 0 } },
];

async function writeStore(zarr, row, values) {
  const store = new MemoryStore();
  if (row.format === 2) {
    const zarray = { zarr_format: 2, shape: SHAPE, chunks: CHUNKS, dtype: '<f8', fill_value: 0, order: 'C', filters: null, compressor: row.compressor };
    await store.set('/.zarray', new TextEncoder().encode(JSON.stringify(zarray)));
    await zarr.set(await zarr.open.v2(store, { kind: 'array' }), null, { data: values, shape: SHAPE, stride: [SHAPE[1], 1] });
    return store;
  }
  const inner = [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'blosc', configuration: row.blosc }];
  if (row.shards === undefined) {
    const arr = await zarr.create(store, { shape: SHAPE, chunkShape: CHUNKS, dtype: 'float64', fillValue: 0, codecs: inner });
    await zarr.set(arr, null, { data: values, shape: SHAPE, stride: [SHAPE[1], 1] });
    return store;
  }
  // zarrita writes no shards: write the inner chunks as an unsharded array, then pack them
  // into shards (index of [offset, nbytes] uint64 pairs + crc32c, at the end; zarr v3 spec).
  const flat = new MemoryStore();
  await zarr.set(await zarr.create(flat, { shape: SHAPE, chunkShape: CHUNKS, dtype: 'float64', fillValue: 0, codecs: inner }), null, { data: values, shape: SHAPE, stride: [SHAPE[1], 1] });
  const perShard = row.shards[0] / CHUNKS[0];
  for (let s = 0; s < SHAPE[0] / row.shards[0]; s++) {
    const parts = [];
    for (let c = 0; c < perShard; c++) parts.push(flat.map.get(`/c/${s * perShard + c}/0`));
    const dataLen = parts.reduce((a, p) => a + p.length, 0);
    const shard = new Uint8Array(dataLen + 16 * perShard + 4);
    const view = new DataView(shard.buffer);
    let at = 0;
    for (let c = 0; c < perShard; c++) {
      shard.set(parts[c], at);
      view.setBigUint64(dataLen + 16 * c, BigInt(at), true);
      view.setBigUint64(dataLen + 16 * c + 8, BigInt(parts[c].length), true);
      at += parts[c].length;
    }
    view.setUint32(dataLen + 16 * perShard, crc32c(shard.subarray(dataLen, dataLen + 16 * perShard)), true);
    store.map.set(`/c/${s}/0`, shard);
  }
  const meta = {
    zarr_format: 3, node_type: 'array', shape: SHAPE, data_type: 'float64',
    chunk_grid: { name: 'regular', configuration: { chunk_shape: row.shards } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    codecs: [{ name: 'sharding_indexed', configuration: { chunk_shape: CHUNKS, codecs: inner, index_codecs: [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }], index_location: 'end' } }],
    fill_value: 0, attributes: {},
  };
  store.map.set('/zarr.json', new TextEncoder().encode(JSON.stringify(meta)));
  return store;
}

let crcTable = null;
function crc32c(bytes) {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function compressedBytes(store) {
  let n = 0;
  for (const [key, value] of store.map) if (!key.endsWith('.zarray') && !key.endsWith('zarr.json')) n += value.length;
  return n;
}

/** gzip size of a minified browser bundle of `source` (an ES module's text, or a file: URL of an entry), in bytes. */
async function bundleSize(esbuild, source, name) {
  const input = source.startsWith('file:') ? { entryPoints: [fileURLToPath(source)] } : { stdin: { contents: source, resolveDir: rootDir, sourcefile: `${name}.mjs`, loader: 'js' } };
  const result = await esbuild.build({
    ...input,
    bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', external: ['node:*'],
  });
  const bytes = result.outputFiles[0].contents;
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/**
 * A reader whose codec does no work: each chunk is decoded once, on its first read, and that
 * decoded chunk is handed back on every later read of the same stored bytes. What remains is
 * zarrita's own work on this thread (one output array allocated per get(), each decoded chunk
 * copied into it, its promises and indexing): the floor under any decoder, workers included.
 * With `shared`, the decoded chunks are held in SharedArrayBuffers, as the codec's lent
 * outputs are: zarrita then copies each out of shared memory (V8 copies from a
 * SharedArrayBuffer with relaxed-atomic word copies, not memmove), and the difference between
 * the two is what that copy costs zarrita on this thread.
 */
function registerPredecoded(registry, decompress, shared = false) {
  const cache = new WeakMap();
  const inMemory = (bytes) => {
    if (!shared) return bytes;
    const copy = new Uint8Array(new SharedArrayBuffer(bytes.length));
    copy.set(bytes);
    return copy;
  };
  const decode = (bytes) => {
    let byOffset = cache.get(bytes.buffer);
    if (byOffset === undefined) cache.set(bytes.buffer, (byOffset = new Map()));
    let decoded = byOffset.get(bytes.byteOffset);
    if (decoded === undefined) byOffset.set(bytes.byteOffset, (decoded = inMemory(decompress(bytes))));
    return decoded;
  };
  const entry = { kind: 'bytes_to_bytes', fromConfig: () => ({ kind: 'bytes_to_bytes', decode, encode: () => { throw new Error('read only'); } }) };
  for (const name of ['blosc', 'numcodecs.blosc']) registry.set(name, () => Promise.resolve(entry));
}

/**
 * Minor page faults of this thread so far (Linux, /proc/self/task/<pid>/stat field 10), or
 * null: each fresh 4 KiB page this thread writes first costs one, and zarrita's 128 MiB
 * output is 32,768 of them unless the allocator hands it memory freed earlier.
 */
function mainThreadFaults() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  } catch {
    return null;
  }
}

/** One turn of the event loop: what a page does between two reads (timers, messages, finalizers). */
const turn = () => new Promise((resolve) => setImmediate(resolve));

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  return n % 2 === 1 ? v[n >> 1] : (v[(n >> 1) - 1] + v[n >> 1]) / 2;
}

/** The q-quantile (0..1) of `values`, linear between the two nearest ranks. */
function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  const at = q * (v.length - 1);
  const lo = Math.floor(at);
  return lo + 1 < v.length ? v[lo] + (v[lo + 1] - v[lo]) * (at - lo) : v[lo];
}

/**
 * Time the readers in rounds: after `warmupMs` of warm-up each (in alternation), `rounds`
 * rounds each calling every reader once, in a fresh seeded order per round (no reader
 * always runs right after the same one, whose garbage it would pay for). Before each call,
 * outside the timed region: a full collection (with --expose-gc) and one turn of the event
 * loop, as a page has between two reads (finalizers run there: the lent outputs of the
 * previous call come back). Returns `times[reader][round]` in ms, so that ratios can be
 * taken within a round, where the readers ran a second apart under the same load.
 */
async function timeRounds(fns, { rounds, warmupMs }) {
  const warmed = fns.map(() => 0);
  while (warmed.some((ms) => ms < warmupMs)) {
    for (let k = 0; k < fns.length; k++) {
      await turn();
      const t0 = performance.now();
      await fns[k]();
      warmed[k] += performance.now() - t0;
    }
  }
  const times = fns.map(() => []);
  const order = fns.map((_, k) => k);
  const random = uniform(0x5eed);
  for (let r = 0; r < rounds; r++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) {
      if (gcExposed()) globalThis.gc();
      await turn();
      const t0 = performance.now();
      await fns[k]();
      times[k].push(performance.now() - t0);
    }
  }
  return times;
}

/** Per-round ratios a[r] / b[r]: their median, and the quartiles that show how far load moved them. */
function roundRatios(a, b) {
  const ratios = a.map((t, r) => t / b[r]);
  return { median: median(ratios), q1: quantile(ratios, 0.25), q3: quantile(ratios, 0.75) };
}

const BREAKDOWN_CALLS = 12;

/**
 * Where one get() spends its time, median of BREAKDOWN_CALLS calls (each after a collection):
 * wall time; this thread on a core, waiting for a core (preempted: by the workers, the
 * collector's threads or other processes) and idle; the pool's
 * workers on a core; the process's other threads (V8's collector and compiler) on a core.
 * "Idle" is what is left of the wall time: waiting for the workers, or blocked in the kernel
 * or in a collection pause.
 * `helperTids` are the threads that existed before the pool started.
 */
async function breakdown(fn, helperTids) {
  const main = String(process.pid);
  const samples = [];
  for (let i = 0; i < BREAKDOWN_CALLS; i++) {
    if (gcExposed()) globalThis.gc();
    await turn();
    const before = schedTimes();
    const faultsBefore = mainThreadFaults();
    const t0 = performance.now();
    await fn();
    const wall = performance.now() - t0;
    const after = schedTimes();
    const s = { wall, mainRun: 0, mainWait: 0, workers: 0, others: 0, faults: (mainThreadFaults() ?? 0) - (faultsBefore ?? 0) };
    for (const [tid, t] of after) {
      const run = t.run - (before.get(tid)?.run ?? 0);
      if (tid === main) {
        s.mainRun = run;
        s.mainWait = t.wait - (before.get(tid)?.wait ?? 0);
      } else if (helperTids.has(tid)) s.others += run;
      else s.workers += run;
    }
    s.mainIdle = Math.max(0, wall - s.mainRun - s.mainWait);
    samples.push(s);
  }
  return Object.fromEntries(['wall', 'mainRun', 'mainWait', 'mainIdle', 'workers', 'others', 'faults'].map((k) => [k, median(samples.map((x) => x[k]))]));
}

/**
 * @param {{ libPath?: string | null, timing: typeof DEFAULT_TIMING, log: (line: string) => void, rowFilter?: string | null, rounds?: number }} options (`timing` is not used: see timeRounds)
 */
export async function runZarrSection({ libPath = join(rootDir, 'dist', 'index.js'), timing, log, rowFilter = null, rounds = DEFAULT_ROUNDS }) {
  const section = {
    title: 'Zarr: zarrita get() of a 128 MiB float64 array',
    description:
      `zarrita 0.7.5 \`get()\` of a whole ${SHAPE.join('×')} float64 array (128 MiB) in 64 chunks of ${CHUNKS.join('×')} (2 MiB), ` +
      'from an in-memory store, decoded by numcodecs.js\'s Blosc (WASM c-blosc 1.18.1, the default of zarrita), blosc-ts/zarr\'s ' +
      'BloscCodec (synchronous; by default each chunk decoded into shared memory taken back once zarrita has copied and ' +
      'dropped it) and the same with `reuseOutputs: false` (a fresh plain buffer per decoded chunk), ' +
      `BloscWorkerCodec on ${WORKERS} workers (each chunk decoded whole on a worker, zarrita's ` +
      'requests in flight at once, each worker holding the chunk it decodes and the next; by default into reused shared ' +
      'memory as above) and the same with `reuseOutputs: false` (a fresh plain buffer per decoded chunk, moved here from its worker). ' +
      `Timing: after ${WARMUP_MS / 1000} s of warm-up per reader (in alternation), ${rounds} rounds, each calling every reader once in a ` +
      'fresh seeded order (so no reader always runs right after the same one, whose garbage it would pay for); before each ' +
      'call, untimed, a full collection and one turn of the event loop (as a page has between two reads; finalizers run there). ' +
      'MB/s: decoded array bytes over the median time of a reader. Ratios ("÷" columns and targets): the median over the ' +
      'rounds of the ratio of the two readers\' times in the same round, where they ran a second apart under the same load, ' +
      'with the quartiles of those per-round ratios in brackets: a load spike moves one round, not the median. Every reader\'s ' +
      'result is compared with the array first. The stores were written by blosc-ts on ' +
      'the workers, so this thread only decodes, as a reading page does. Data: integer detector counts stored as float64. ' +
      'The "no decoding" reader hands zarrita each chunk already decoded (decoded once, on its first read): what is left is ' +
      'zarrita\'s own work on this thread (a fresh 128 MiB output per get(), each 2 MiB chunk copied into it, promises and ' +
      'indexing), a floor no decoder can go under, so "no decoding ÷ sync" bounds "workers ÷ sync" from above. ' +
      '"No decoding, shared" is the same with each decoded chunk held in a SharedArrayBuffer, as the codec\'s reused outputs are: ' +
      'zarrita then copies out of shared memory (V8: relaxed-atomic word copies instead of memmove), and its time over ' +
      '"no decoding" is what that copy costs zarrita on this thread; it bounds the workers with reused shared outputs. ' +
      'Bundles: esbuild 0.28, minified, ' +
      'platform browser, gzip -9.',
    tables: [],
    targets: [],
    notes: [],
  };
  if (libPath === null) {
    section.notes.push('Zarr section skipped: no blosc-ts build.');
    return section;
  }
  const zarrEntry = join(dirname(libPath), 'zarr.js');
  const core = await import(pathToFileURL(libPath).href);
  const zarrApi = await import(pathToFileURL(zarrEntry).href);
  const zarr = await import('zarrita');
  const numcodecsLoader = zarr.registry.get('blosc');
  const values = makeValues();
  const expected = new Uint8Array(values.buffer);
  // The threads there are before the pool starts (V8's); any later one is a pool worker.
  core.shutdownPool();
  await new Promise((r) => setTimeout(r, 300));
  const helperTids = new Set(schedTimes()?.keys() ?? []);

  const NUMCODECS = 0, SYNC = 1, SYNC_FRESH = 2, POOL = 3, POOL_FRESH = 4, NONE = 5, NONE_SHARED = 6;
  const readers = [
    { name: 'numcodecs.js', register: () => { zarr.registry.set('blosc', numcodecsLoader); zarr.registry.set('numcodecs.blosc', numcodecsLoader); } },
    { name: 'blosc-ts sync', register: () => zarrApi.registerBlosc(zarr.registry) },
    { name: 'blosc-ts sync, fresh outputs', register: () => zarrApi.registerBlosc(zarr.registry, { reuseOutputs: false }) },
    { name: `blosc-ts ${WORKERS} workers`, register: () => zarrApi.registerBlosc(zarr.registry, { workers: WORKERS }) },
    { name: `blosc-ts ${WORKERS} workers, fresh outputs`, register: () => zarrApi.registerBlosc(zarr.registry, { workers: WORKERS, reuseOutputs: false }) },
    { name: 'no decoding', register: () => registerPredecoded(zarr.registry, core.decompress) },
    { name: 'no decoding, shared', register: () => registerPredecoded(zarr.registry, core.decompress, true) },
  ];
  const rows = [];
  for (const row of ROWS.filter((r) => rowFilter === null || r.name.includes(rowFilter))) {
    log(`  zarr: ${row.name}`);
    // The stores are written on the workers (the same bytes as the synchronous codec): a
    // reading page does not compress, and compressing on this thread first measurably slows
    // the decoders timed after it here (V8 call sites shared with the encoders go polymorphic).
    zarrApi.registerBlosc(zarr.registry, { workers: WORKERS });
    const store = await writeStore(zarr, row, values);
    const arrays = [];
    for (const reader of readers) {
      // zarrita loads an array's codecs on its first read: register, open, read once.
      reader.register();
      const arr = await zarr.open(store, { kind: 'array' });
      const got = await zarr.get(arr);
      const bytes = new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength);
      if (bytes.length !== expected.length || Buffer.compare(bytes, expected) !== 0) throw new Error(`${reader.name} read ${row.name} wrongly`);
      arrays.push(arr);
    }
    const t = await timeRounds(arrays.map((arr) => () => zarr.get(arr)), { rounds, warmupMs: WARMUP_MS });
    const ms = t.map(median);
    const speeds = ms.map((m) => mbps(NBYTES, m));
    const ratios = {
      sync: roundRatios(t[NUMCODECS], t[SYNC]),
      syncFresh: roundRatios(t[SYNC_FRESH], t[SYNC]),
      pool: roundRatios(t[SYNC], t[POOL]),
      poolFresh: roundRatios(t[SYNC], t[POOL_FRESH]),
      none: roundRatios(t[SYNC], t[NONE]),
      noneShared: roundRatios(t[SYNC], t[NONE_SHARED]),
      sharedCopy: roundRatios(t[NONE_SHARED], t[NONE]),
    };
    const times = schedTimes() === null ? null : [];
    if (times !== null) for (const arr of arrays) times.push(await breakdown(() => zarr.get(arr), helperTids));
    rows.push({ row, speeds, ms, ratios, ratio: NBYTES / compressedBytes(store), times });
    log(`    ${readers.map((r, k) => `${r.name} ${fmtMBps(speeds[k])}`).join(', ')} MB/s; sync ÷ numcodecs.js ${fmtRatio(ratios.sync.median)} [${fmtRatio(ratios.sync.q1)}-${fmtRatio(ratios.sync.q3)}]`);
  }
  zarrApi.registerBlosc(zarr.registry);
  core.shutdownPool();
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const withQuartiles = (r) => `${fmtRatio(r.median)} [${fmtRatio(r.q1)}-${fmtRatio(r.q3)}]`;
  const f0 = (v) => v.toFixed(0);
  section.notes.push(
    'Where the time goes, synchronous (median ms per get(); "zarrita" is the "no decoding" reader, the rest is the ' +
    'codec\'s decoding on this thread): ' +
    rows.map(({ row, ms }) => `${row.name}: numcodecs.js ${f0(ms[NUMCODECS])} = zarrita ${f0(ms[NONE])} + ${f0(ms[NUMCODECS] - ms[NONE])}; ` +
      `blosc-ts ${f0(ms[SYNC])} = ${f0(ms[NONE])} + ${f0(ms[SYNC] - ms[NONE])}, with fresh outputs ${f0(ms[SYNC_FRESH])} ` +
      `(${ms[SYNC_FRESH] >= ms[SYNC] ? '+' : ''}${f0(ms[SYNC_FRESH] - ms[SYNC])})`).join('; ') + '. ' +
    'Fresh outputs cost each 2 MiB output faulting its 512 pages in on first write, and its collection. ' +
    'numcodecs.js decodes into its WebAssembly memory and copies each chunk out into a fresh buffer: the same page faults ' +
    'and collections, and one more copy. zarrita\'s part ("no decoding") is mostly its fresh 128 MiB output, whose pages ' +
    'fault in as the chunks are copied into it, and the copies themselves.',
  );
  section.notes.push(
    'Where the time goes with workers: this thread keeps zarrita\'s own work (the "no decoding" reader), copies each ' +
    'compressed chunk for its worker (zarrita\'s chunks stay the store\'s, so they are not transferred) and receives each ' +
    'decoded chunk. By default the workers decode into shared memory lent again once zarrita has dropped the chunk; with ' +
    'fresh outputs each chunk is a fresh 2 MiB buffer (each page faults in on first write) that V8\'s threads collect and ' +
    `free: more work for the cores. On ${cores} cores this thread, ${WORKERS} workers and the collector share the cores: ` +
    '"workers ÷ sync" nears "no decoding ÷ sync" only as far as the workers\' and collector\'s time fits beside this thread\'s.',
  );
  if (rows.every((r) => r.times !== null)) {
    const spread = (k) => {
      const w = rows.map((r) => r.times[k]);
      const range = (f) => `${Math.min(...w.map(f)).toFixed(0)}-${Math.max(...w.map(f)).toFixed(0)} ms`;
      return `this thread on a core ${range((t) => t.mainRun)}, waiting ${range((t) => t.mainWait)}, ` +
        `idle ${range((t) => t.mainIdle)}; the workers on a core ${range((t) => t.workers)}; V8's threads ${range((t) => t.others)}`;
    };
    section.notes.push(
      `The breakdown table (Linux, /proc/self/task/*/schedstat; ${BREAKDOWN_CALLS} more calls per reader after the timing, ` +
      'median of each column): "waiting for a core" is time this thread was ready but not running (preempted by the workers, ' +
      'the collector or other processes), "idle" is time it was neither (waiting for decoded chunks, or blocked: in a page fault, ' +
      'or in a collection pause until V8\'s threads finish; the "no decoding" reader has some too). "Page faults" are this ' +
      'thread\'s minor faults (/proc/self/task/<pid>/stat): 32,768 is zarrita\'s fresh 128 MiB output faulting in page by ' +
      'page as the chunks are copied into it (kernel time on this thread, counted as on a core: most of zarrita\'s own work); ' +
      'near 0 when the C allocator hands that output memory freed earlier, which depends on the heap\'s state, not on the ' +
      'reader: such a get() costs this thread tens of ms less. In this run, per ' +
      `get(), with ${WORKERS} workers: ${spread(POOL)}; with fresh outputs: ${spread(POOL_FRESH)}. ` +
      'This thread\'s time on a core, which other processes\' load barely moves, numcodecs.js ÷ blosc-ts sync: ' +
      rows.map(({ row, times }) => `${row.name} ${fmtRatio(times[NUMCODECS].mainRun / times[SYNC].mainRun)}`).join(', ') +
      '; "workers ÷ sync" can reach at most sync ÷ "no decoding" in it (zarrita\'s own work stays on this thread): ' +
      rows.map(({ row, times }) => `${row.name} ${fmtRatio(times[SYNC].mainRun / times[NONE].mainRun)}`).join(', ') + '.',
    );
    const f1 = (v) => v.toFixed(1);
    section.notes.push(
      `What stands between the ${WORKERS} workers and the floor, per row (breakdown medians, ms per get()): this thread on a ` +
      'core beyond the "no decoding" reader (copying each compressed chunk for its worker, posting and receiving one message ' +
      'per chunk, the decoded chunks\' bookkeeping), then this thread waiting for a core and idle; the copy out of shared ' +
      'memory (per-round time of "no decoding, shared" ÷ "no decoding"): ' +
      rows.map(({ row, times, ratios }) => `${row.name}: +${f1(times[POOL].mainRun - times[NONE].mainRun)} on a core, ` +
        `${f1(times[POOL].mainWait)} waiting, ${f1(times[POOL].mainIdle)} idle, shared copy ${withQuartiles(ratios.sharedCopy)}`).join('; ') + '.',
    );
  }

  section.tables.push({
    columns: [
      { title: 'array', align: 'left' }, { title: 'ratio' }, { title: 'numcodecs.js MB/s' }, { title: 'blosc-ts sync MB/s' },
      { title: 'sync, fresh outputs MB/s' }, { title: `blosc-ts ${WORKERS} workers MB/s` }, { title: 'workers, fresh outputs MB/s' },
      { title: 'no decoding MB/s' }, { title: 'no decoding, shared MB/s' }, { title: 'sync ÷ numcodecs.js' }, { title: 'sync ÷ sync, fresh outputs' },
      { title: 'workers ÷ sync' }, { title: 'workers, fresh outputs ÷ sync' }, { title: 'no decoding ÷ sync' },
      { title: 'no decoding, shared ÷ sync' }, { title: 'no decoding, shared ÷ no decoding (time)' },
    ],
    rows: rows.map(({ row, speeds, ratios, ratio }) => [
      row.name, ratio.toFixed(1), ...speeds.map(fmtMBps),
      withQuartiles(ratios.sync), withQuartiles(ratios.syncFresh), withQuartiles(ratios.pool), withQuartiles(ratios.poolFresh), withQuartiles(ratios.none),
      withQuartiles(ratios.noneShared), withQuartiles(ratios.sharedCopy),
    ]),
  });
  if (rows.every((r) => r.times !== null)) {
    const ms = (v) => v.toFixed(1);
    section.tables.push({
      columns: [
        { title: 'array', align: 'left' }, { title: 'reader', align: 'left' }, { title: 'wall ms' }, { title: 'this thread on a core ms' },
        { title: 'this thread waiting for a core ms' }, { title: 'this thread idle ms' }, { title: 'workers on a core ms' }, { title: 'V8 helper threads on a core ms' },
        { title: 'this thread page faults' },
      ],
      rows: rows.flatMap(({ row, times }) => times.map((t, k) => [
        k === 0 ? row.name : '', readers[k].name, ms(t.wall), ms(t.mainRun), ms(t.mainWait), ms(t.mainIdle), ms(t.workers), ms(t.others), t.faults.toFixed(0),
      ])),
    });
  }
  for (const { row, ratios } of rows) {
    const sync = ratios.sync.median;
    const workers = ratios.pool.median;
    section.targets.push({ name: `zarr: ${row.name}, sync ≥ ${SYNC_TARGET}× numcodecs.js`, value: withQuartiles(ratios.sync), pass: sync >= SYNC_TARGET });
    section.targets.push({ name: `zarr: ${row.name}, ${WORKERS} workers ≥ ${WORKERS_TARGET}× sync`, value: withQuartiles(ratios.pool), pass: workers >= WORKERS_TARGET });
  }

  // Bundles.
  let esbuild = null;
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    section.notes.push(`Bundle sizes skipped: esbuild not available (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (esbuild !== null) {
    const entry = JSON.stringify(zarrEntry);
    const bundles = [
      ['numcodecs.js Blosc (`numcodecs/blosc`)', `export { default } from 'numcodecs/blosc';`],
      ['blosc-ts/zarr BloscCodec + registerBlosc', `export { BloscCodec, registerBlosc } from ${entry};`],
      ['blosc-ts/zarr, whole entry (with BloscWorkerCodec; the worker script is separate)', `export * from ${entry};`],
      ['blosc-ts worker script (dist/pool/worker.js)', pathToFileURL(join(dirname(libPath), 'pool', 'worker.js')).href],
    ];
    const sizes = [];
    for (const [name, source] of bundles) sizes.push([name, await bundleSize(esbuild, source, name.replace(/\W+/g, '_'))]);
    section.tables.push({
      columns: [{ title: 'bundle', align: 'left' }, { title: 'minified KB' }, { title: 'gzip KB' }],
      rows: sizes.map(([name, s]) => [name, (s.minified / 1000).toFixed(1), (s.gzip / 1000).toFixed(1)]),
    });
    const ours = sizes[1][1].gzip;
    const theirs = sizes[0][1].gzip;
    section.targets.push({ name: 'zarr: blosc-ts/zarr bundle (gzip) < numcodecs.js Blosc bundle', value: `${(ours / 1000).toFixed(1)} KB vs ${(theirs / 1000).toFixed(1)} KB`, pass: ours < theirs });
  }
  return section;
}


if (isMainScript(import.meta.url)) {
  await runSectionAlone({
    script: 'zarr.mjs',
    options: { row: { type: 'string' }, rounds: { type: 'string', default: String(DEFAULT_ROUNDS) } },
    run: (opts, timing, log) => {
      // A partial section would replace the whole one in RESULTS.md.
      if (opts.row !== undefined && !opts['no-write']) throw new Error('--row measures some rows only: add --no-write');
      return runZarrSection({ libPath: resolve(opts.lib), timing, log, rowFilter: opts.row ?? null, rounds: Number(opts.rounds) });
    },
    versions: (root) => ({
      zarrita: packageVersion(join(root, 'node_modules', 'zarrita')),
      'numcodecs.js': `${packageVersion(join(root, 'node_modules', 'numcodecs'))} (WASM c-blosc 1.18.1)`,
    }),
    describeRun: (timing, loadStart, loadEnd, machine) =>
      `(Rounds and warm-up as described below; --target-ms is not used by this section.) 1-minute load average ${loadStart.toFixed(2)} at the start, ` +
      `${loadEnd.toFixed(2)} at the end, on ${machine.nproc} cores: this run accounts for about 1 (2 while the workers run); more means ` +
      'other processes competed for the cores, which weighs most on the 2-worker column.',
  });
}
