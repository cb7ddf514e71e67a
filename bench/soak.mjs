#!/usr/bin/env node
/**
 * Soak: mutate every fixture kind (chunks, frames, sparse frames, b2nd arrays, .npy files,
 * bloscpack files, msgpack blobs) and decode each mutant in worker processes, with the rule
 * "a result or a BloscError, nothing else". Runs against dist/ (`npm run build` first).
 *
 *   node bench/soak.mjs [--cases N] [--seed S] [--workers W] [--batch B] [--ceiling BYTES]
 *                       [--hang-ms MS] [--max-seconds T] [--json] [--self-test]
 *   node bench/soak.mjs --seed S --case I     # one case, in this process, with its RSS growth
 *
 * Workers are child processes that decode batches of cases; a worker that dies or stops
 * answering (the hang timer) is replaced, and its batch is replayed one case per message to
 * name the culprit (a crash or hang of that case). Each case's resident-memory growth is
 * watched: a new peak RSS must stay within 64 × the input's size plus the call's ceiling above
 * the RSS the case started from; a flagged case is rerun alone in a fresh process and counts
 * only if it grows as much there. Cases are reproducible: case i of seed S is the same mutant anywhere.
 * Prints counts by outcome and every case that broke the rule. With `--max-seconds` no new
 * batch starts after that time and the summary says how many cases ran. `--self-test` makes cases
 * 3, 5, 8 and 13 misbehave on purpose (a TypeError, an exit, a hang, a 1 GiB allocation) to
 * show that each is caught and named.
 */
import { execFileSync, fork } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uniform } from './lib/data.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'fixtures');

function parseArgs(argv) {
  const o = { cases: 100_000, seed: 1, workers: 2, batch: 500, ceiling: 64 << 20, hangMs: 20_000, json: false, worker: false, selfTest: false, maxSeconds: Infinity, only: -1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--cases') o.cases = next();
    else if (a === '--seed') o.seed = next();
    else if (a === '--workers') o.workers = next();
    else if (a === '--batch') o.batch = next();
    else if (a === '--ceiling') o.ceiling = next();
    else if (a === '--hang-ms') o.hangMs = next();
    else if (a === '--json') o.json = true;
    else if (a === '--max-seconds') o.maxSeconds = next();
    else if (a === '--case') o.only = next();
    else if (a === '--worker') o.worker = true;
    else if (a === '--self-test') o.selfTest = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// The corpus: every fixture kind, read once by each process.

function filesUnder(dir, pred) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p, pred));
    else if (pred(name)) out.push(p);
  }
  return out;
}

async function loadCorpus(b) {
  const items = [];
  const add = (kind, name, bytes) => items.push({ kind, name, bytes: new Uint8Array(bytes) });
  // Chunks: the small ones (mutating a 4 MiB chunk costs time without finding more).
  for (const p of filesUnder(join(FIXTURES, 'chunks'), (n) => n.endsWith('.bin'))) {
    if (statSync(p).size <= 200_000) add('chunk', p, readFileSync(p));
  }
  for (const p of filesUnder(join(FIXTURES, 'frames'), (n) => n.endsWith('.b2frame') || n.endsWith('.b2nd'))) {
    if (p.includes('sparse.b2frame')) continue;
    add(p.endsWith('.b2nd') ? 'b2nd' : 'frame', p, readFileSync(p));
  }
  // The sparse frame: its index, with the chunk files it names.
  const sparseDir = join(FIXTURES, 'frames', 'sparse.b2frame');
  const chunkFiles = readdirSync(sparseDir).filter((n) => n.endsWith('.chunk')).sort().map((n) => new Uint8Array(readFileSync(join(sparseDir, n))));
  items.push({ kind: 'sparse', name: sparseDir, bytes: new Uint8Array(readFileSync(join(sparseDir, 'chunks.b2frame'))), chunkFiles });
  for (const p of filesUnder(join(FIXTURES, 'ndarray'), (n) => n.endsWith('.b2nd'))) add('b2nd', p, readFileSync(p));
  for (const p of filesUnder(join(FIXTURES, 'ndarray'), (n) => n.endsWith('.npy'))) add('npy', p, readFileSync(p));
  for (const p of filesUnder(join(FIXTURES, 'bloscpack', 'files'), (n) => n.endsWith('.blp'))) add('bloscpack', p, readFileSync(p));
  // msgpack blobs: what vlmetalayers and b2nd metalayers hold.
  const blobs = [
    { a: 1, b: [1, 2, 3], c: 'text', d: null, e: true, f: 1.5, g: new Uint8Array([1, 2, 3]) },
    [0, [10, 20], [5, 5], [2, 2], 0],
    Array.from({ length: 40 }, (_, i) => ({ k: i, v: [i, i * 2, 'x'.repeat(i)] })),
    { nested: { deeper: { deepest: [[[[1]]]] } }, big: 2 ** 40, neg: -123456789, str: 'é'.repeat(50) },
    'a string of some length to be mutated'.repeat(4),
  ];
  blobs.forEach((v, i) => add('msgpack', `msgpack#${i}`, b.msgpackEncode(v)));
  return items;
}

// ---------------------------------------------------------------------------------------
// Deterministic mutations.

const INTERESTING32 = [0, 1, -1, 2, 4, 7, 8, 16, 32, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000, 0x40000000, 0x3fffffff, 2 ** 31 - 33, 1 << 20, 1 << 24];
const INTERESTING8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0xc0, 0xdd, 0xde, 0xdf, 0x90, 0x91];

function mutate(src, rnd, corpus) {
  let a = src.slice();
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const len = a.length;
    const pos = len === 0 ? 0 : Math.floor(rnd() * len);
    const op = Math.floor(rnd() * 10);
    if (len === 0 && op < 6) continue;
    switch (op) {
      case 0: // bit flip
        a[pos] ^= 1 << Math.floor(rnd() * 8);
        break;
      case 1: // random byte
        a[pos] = Math.floor(rnd() * 256);
        break;
      case 2: // interesting byte
        a[pos] = INTERESTING8[Math.floor(rnd() * INTERESTING8.length)];
        break;
      case 3:
      case 4: { // interesting int32 (little-endian, sometimes big-endian), mostly in the first 64 bytes
        const at = rnd() < 0.6 ? Math.floor(rnd() * Math.min(64, len)) : pos;
        const v = INTERESTING32[Math.floor(rnd() * INTERESTING32.length)] >>> 0;
        const be = rnd() < 0.2;
        for (let i = 0; i < 4 && at + i < len; i++) a[at + i] = (v >>> (8 * (be ? 3 - i : i))) & 0xff;
        break;
      }
      case 5: { // add or subtract a small delta to an int32
        if (pos + 4 > len) break;
        const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
        dv.setInt32(pos, dv.getInt32(pos, true) + Math.floor(rnd() * 33) - 16, true);
        break;
      }
      case 6: // truncate
        a = a.slice(0, Math.floor(rnd() * len));
        break;
      case 7: { // insert random bytes
        const ins = new Uint8Array(1 + Math.floor(rnd() * 16)).map(() => Math.floor(rnd() * 256));
        const out = new Uint8Array(len + ins.length);
        out.set(a.subarray(0, pos));
        out.set(ins, pos);
        out.set(a.subarray(pos), pos + ins.length);
        a = out;
        break;
      }
      case 8: { // delete a range
        const cut = Math.min(len - pos, 1 + Math.floor(rnd() * 32));
        const out = new Uint8Array(len - cut);
        out.set(a.subarray(0, pos));
        out.set(a.subarray(pos + cut), pos);
        a = out;
        break;
      }
      default: { // overwrite with bytes from another corpus item
        const other = corpus[Math.floor(rnd() * corpus.length)].bytes;
        if (other.length === 0) break;
        const from = Math.floor(rnd() * other.length);
        const m = Math.min(other.length - from, len - pos, 1 + Math.floor(rnd() * 64));
        a.set(other.subarray(from, from + m), pos);
      }
    }
  }
  return a;
}

const kindCache = new WeakMap();
function corpusKinds(corpus) {
  let k = kindCache.get(corpus);
  if (k === undefined) {
    const m = new Map();
    for (const it of corpus) {
      if (!m.has(it.kind)) m.set(it.kind, []);
      m.get(it.kind).push(it);
    }
    k = [...m.values()];
    kindCache.set(corpus, k);
  }
  return k;
}

/** The mutant of case i: which corpus item, the bytes, and (sparse) which chunk files. */
function caseInput(seed, i, corpus) {
  const rnd = uniform(Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b));
  // Every kind equally often, whatever its number of fixtures.
  const kinds = corpusKinds(corpus);
  const ofKind = kinds[Math.floor(rnd() * kinds.length)];
  const item = ofKind[Math.floor(rnd() * ofKind.length)];
  if (item.kind === 'sparse') {
    const files = item.chunkFiles.slice();
    let index = item.bytes;
    if (rnd() < 0.5) index = mutate(index, rnd, corpus);
    else {
      const j = Math.floor(rnd() * files.length);
      files[j] = mutate(files[j], rnd, corpus);
    }
    return { item, bytes: index, chunkFiles: files, size: index.length + files.reduce((s, f) => s + f.length, 0) };
  }
  const bytes = mutate(item.bytes, rnd, corpus);
  return { item, bytes, chunkFiles: null, size: bytes.length };
}

// ---------------------------------------------------------------------------------------
// Decoding one case: every read path of its kind, within the ceiling.

function decodeCase(b, input, ceiling, limitsApi) {
  const { item, bytes } = input;
  // Where the library has no global ceiling (setLimits), sizes are checked here first.
  const within = (n) => limitsApi || n <= ceiling;
  const readSChunk = (s) => {
    const n = Math.min(s.nchunks, 6);
    for (let i = 0; i < n; i++) {
      if (within(s.chunkNbytes(i))) s.decompressChunk(i);
    }
    if (within(Math.min(s.nbytes, 4096))) s.getSlice(0, Math.min(s.nbytes, 4096));
    for (const name of s.vlmeta.names()) s.vlmeta.get(name);
    for (const name of s.meta.names()) s.meta.get(name);
  };
  switch (item.kind) {
    case 'chunk': {
      b.chunkInfo(bytes);
      b.decompress(bytes, undefined, { maxNbytes: ceiling });
      b.getItems(bytes, 0, 1, { maxNbytes: ceiling });
      return;
    }
    case 'frame':
      readSChunk(b.SChunk.open(bytes));
      return;
    case 'sparse': {
      const files = input.chunkFiles;
      readSChunk(b.SChunk.open(bytes, { chunkFile: (id) => {
        const f = files[id];
        if (f === undefined) throw new b.BloscError(b.BloscErrorCode.FileOpen, `no chunk file ${id}`);
        return f;
      } }));
      return;
    }
    case 'b2nd': {
      const a = b.NDArray.open(bytes);
      if (within(a.size * a.itemsize)) a.toArray();
      for (const name of a.vlmeta.names()) a.vlmeta.get(name);
      return;
    }
    case 'npy': {
      const a = b.NDArray.fromNpy(bytes);
      if (within(a.size * a.itemsize)) a.toNpy();
      return;
    }
    case 'bloscpack': {
      const info = b.bloscpack.readBloscpackInfo(bytes);
      const h = info.header;
      const declared = h.nchunks < 0 || h.chunkSize < 0 ? Infinity : h.nchunks * h.chunkSize;
      if (within(declared)) b.bloscpack.unpackBytes(bytes);
      return;
    }
    case 'msgpack':
      b.msgpackDecode(bytes);
      return;
    default:
      throw new Error(`unknown kind ${item.kind}`);
  }
}

let pinned = null;
function misbehave(i) {
  if (i === 3) throw new TypeError('self-test: a foreign exception');
  if (i === 5) process.exit(7);
  if (i === 8) for (;;);
  if (i === 13) pinned = new Uint8Array(1 << 30).fill(1);
}

// ---------------------------------------------------------------------------------------
// Worker: decode batches, report counts and anything that broke the rule.

async function runWorker(o) {
  const b = await import(join(ROOT, 'dist', 'index.js'));
  const corpus = await loadCorpus(b);
  const limitsApi = typeof b.setLimits === 'function';
  if (limitsApi) b.setLimits({ maxOutputBytes: o.ceiling });
  const rssNow = () => process.memoryUsage().rss;
  // RSS right after the last collection: the trigger for the next one (at 32 MiB above it).
  let afterGc = rssNow();
  let done = 0;
  process.on('message', (msg) => {
    if (msg.type !== 'batch') return;
    const counts = { ok: 0, BloscError: 0, foreign: 0, rss: 0 };
    const byKind = {};
    const findings = [];
    const slowest = [];
    let gcMs = 0;
    for (let i = msg.start; i < msg.start + msg.count; i++) {
      const input = caseInput(o.seed, i, corpus);
      const before = process.resourceUsage().maxRSS * 1024;
      // RSS now, garbage of earlier cases included: what this case's growth is measured from.
      const rssBefore = process.memoryUsage().rss;
      const kc = (byKind[input.item.kind] ??= { ok: 0, BloscError: 0, foreign: 0, ms: 0 });
      const t0 = performance.now();
      try {
        if (o.selfTest) misbehave(i);
        decodeCase(b, input, o.ceiling, limitsApi);
        counts.ok++;
        kc.ok++;
      } catch (e) {
        if (e instanceof b.BloscError) {
          counts.BloscError++;
          kc.BloscError++;
        } else {
          kc.foreign++;
          counts.foreign++;
          findings.push({ case: i, outcome: 'foreign', kind: input.item.kind, fixture: input.item.name, error: `${e?.constructor?.name}: ${String(e?.message ?? e).slice(0, 200)}` });
        }
      }
      const ms = performance.now() - t0;
      kc.ms += ms;
      if (slowest.length < 5 || ms > slowest[slowest.length - 1].ms) {
        slowest.push({ case: i, kind: input.item.kind, fixture: input.item.name, ms: Math.round(ms) });
        slowest.sort((x, y) => y.ms - x.ms);
        if (slowest.length > 5) slowest.pop();
      }
      const peak = process.resourceUsage().maxRSS * 1024;
      const allowed = 64 * input.size + o.ceiling;
      if (peak > before && peak - rssBefore > allowed) {
        counts.rss++;
        findings.push({ case: i, outcome: 'rss', kind: input.item.kind, fixture: input.item.name, grew: peak - rssBefore, allowed });
      }
      // Collect garbage before it adds up to a false alarm on a later case.
      if (global.gc && (++done % 256 === 0 || process.memoryUsage().rss - afterGc > 32 << 20)) {
        const g0 = performance.now();
        global.gc();
        gcMs += performance.now() - g0;
        afterGc = rssNow();
      }
    }
    process.send({ type: 'done', counts, byKind, findings, slowest, gcMs });
  });
  // A worker whose parent is gone has nothing left to do.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', limitsApi, corpus: corpus.length, kinds: [...new Set(corpus.map((c) => c.kind))] });
}

// ---------------------------------------------------------------------------------------
// Parent: hand out batches, restart dead or hung workers, replay their batches case by case.

async function runParent(o) {
  const started = Date.now();
  const totals = { ok: 0, BloscError: 0, foreign: 0, rss: 0, crash: 0, hang: 0 };
  const findings = [];
  const byKind = {};
  const queue = [];
  for (let s = 0; s < o.cases; s += o.batch) queue.push({ start: s, count: Math.min(o.batch, o.cases - s), single: false });
  let info = null;
  let completed = 0;
  let lastReport = Date.now();
  const slowest = [];
  let gcMs = 0;

  function spawnWorker() {
    const args = ['--worker', '--seed', String(o.seed), '--ceiling', String(o.ceiling)];
    if (o.selfTest) args.push('--self-test');
    const child = fork(fileURLToPath(import.meta.url), args, {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    child.stderr.on('data', () => {});
    return child;
  }

  async function workerLoop() {
    let child = null;
    let ready = null;
    const start = () => {
      child = spawnWorker();
      ready = new Promise((resolve, reject) => {
        child.once('message', (m) => (m.type === 'ready' ? resolve(m) : reject(new Error('bad hello'))));
        child.once('exit', () => reject(new Error('worker died while starting')));
      });
    };
    start();
    info = await ready;
    while (queue.length > 0) {
      // Past the time budget, finish replays of failed batches but start no new batch.
      if ((Date.now() - started) / 1000 > o.maxSeconds && !queue[0].single) break;
      const job = queue.shift();
      const result = await new Promise((resolve) => {
        const timeoutMs = job.single ? o.hangMs : o.hangMs + job.count * 50;
        const timer = setTimeout(() => {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          resolve({ type: 'hang' });
        }, timeoutMs);
        child.once('message', (m) => {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve(m);
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ type: 'crash', code, signal });
        });
        child.send({ type: 'batch', start: job.start, count: job.count });
      });
      if (result.type === 'done') {
        for (const k of Object.keys(result.counts)) totals[k] += result.counts[k];
        for (const [kind, c] of Object.entries(result.byKind)) {
          const t = (byKind[kind] ??= { ok: 0, BloscError: 0, foreign: 0, ms: 0 });
          for (const k of Object.keys(c)) t[k] += c[k];
        }
        gcMs += result.gcMs;
        slowest.push(...result.slowest);
        slowest.sort((x, y) => y.ms - x.ms);
        slowest.length = Math.min(slowest.length, 10);
        findings.push(...result.findings);
        completed += job.count;
      } else {
        child.removeAllListeners();
        child.kill('SIGKILL');
        if (!o.json) process.stderr.write(`  worker ${result.type === 'hang' ? 'hung' : 'died'} on ${job.single ? 'case' : 'batch from case'} ${job.start}${job.single ? '' : ': replaying it case by case'}\n`);
        if (job.single) {
          totals[result.type]++;
          completed++;
          findings.push({ case: job.start, outcome: result.type, detail: result.type === 'crash' ? `exit ${result.code} ${result.signal}` : `${o.hangMs} ms` });
        } else {
          // Replay the batch one case per message to name the culprit(s).
          for (let i = job.count - 1; i >= 0; i--) queue.unshift({ start: job.start + i, count: 1, single: true });
        }
        start();
        await ready;
      }
      if (!o.json && Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        const rate = completed / ((Date.now() - started) / 1000);
        process.stderr.write(`  ${completed}/${o.cases} cases, ${rate.toFixed(0)}/s\n`);
      }
    }
    child.removeAllListeners();
    child.kill();
  }

  await Promise.all(Array.from({ length: o.workers }, () => workerLoop()));
  // An RSS flag in a long-lived worker can be garbage of earlier cases (collected only every
  // 256 cases or 32 MiB) plus a legitimate decode; each flagged case is rerun alone in a fresh
  // process, and only a growth that repeats there counts.
  const unconfirmed = [];
  for (const f of findings) {
    if (f.outcome !== 'rss') continue;
    const line = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--seed', String(o.seed), '--ceiling', String(o.ceiling), '--case', String(f.case), ...(o.selfTest ? ['--self-test'] : [])], { encoding: 'utf8' });
    const alone = JSON.parse(line.trim().split('\n').pop());
    f.grewAlone = alone.grew;
    if (alone.grew <= alone.allowed) {
      totals.rss--;
      unconfirmed.push(f);
    }
  }
  if (unconfirmed.length > 0) {
    totals.rssNotRepeated = unconfirmed.length;
    for (const f of unconfirmed) findings.splice(findings.indexOf(f), 1);
  }
  const seconds = (Date.now() - started) / 1000;
  const summary = {
    cases: completed,
    requested: o.cases,
    seed: o.seed,
    workers: o.workers,
    ceiling: o.ceiling,
    ceilingVia: info?.limitsApi ? 'setLimits' : 'maxNbytes per call and size checks in the soak',
    kinds: info?.kinds,
    corpusItems: info?.corpus,
    seconds: Math.round(seconds),
    outcomes: totals,
    byKind,
    gcSeconds: Math.round(gcMs / 1000),
    slowest,
    findings: findings.slice(0, 50),
    findingsTotal: findings.length,
  };
  if (o.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(`soak: ${completed} cases${completed < o.cases ? ` (of ${o.cases} requested; time budget ${o.maxSeconds} s)` : ''}, seed ${o.seed}, ${o.workers} workers, ceiling ${o.ceiling} bytes (${summary.ceilingVia}), ${summary.seconds} s`);
    console.log(`corpus: ${summary.corpusItems} items of kinds ${summary.kinds?.join(', ')}`);
    for (const [k, v] of Object.entries(totals)) if (k !== 'rssNotRepeated') console.log(`  ${k.padEnd(10)} ${v}`);
    if (totals.rssNotRepeated) console.log(`  (${totals.rssNotRepeated} RSS flags did not repeat when their case was rerun alone in a fresh process)`);
    console.log('  by kind (ok / BloscError / other exception, decode seconds summed over workers):');
    for (const [k, c] of Object.entries(byKind)) console.log(`    ${k.padEnd(10)} ${c.ok} / ${c.BloscError} / ${c.foreign}, ${(c.ms / 1000).toFixed(0)} s`);
    console.log(`  garbage collections between cases: ${summary.gcSeconds} s summed over workers`);
    console.log(`  slowest cases: ${slowest.map((x) => `${x.case} (${x.kind}, ${x.ms} ms)`).join(', ')}`);
    for (const f of summary.findings) console.log(`  ! ${JSON.stringify(f)}`);
  }
  const broken = totals.foreign + totals.crash + totals.hang + totals.rss;
  process.exitCode = broken === 0 ? 0 : 1;
}

async function runOne(o) {
  const b = await import(join(ROOT, 'dist', 'index.js'));
  const corpus = await loadCorpus(b);
  const limitsApi = typeof b.setLimits === 'function';
  if (limitsApi) b.setLimits({ maxOutputBytes: o.ceiling });
  const input = caseInput(o.seed, o.only, corpus);
  const before = process.memoryUsage().rss;
  let outcome = 'ok';
  try {
    // The self-test's allocating case (13) misbehaves alone too; the others would end the run.
    if (o.selfTest && o.only === 13) misbehave(13);
    decodeCase(b, input, o.ceiling, limitsApi);
  } catch (e) {
    outcome = e instanceof b.BloscError ? `BloscError ${e.code}: ${e.message}` : `${e?.constructor?.name}: ${e?.message}`;
  }
  const grew = process.resourceUsage().maxRSS * 1024 - before;
  console.log(JSON.stringify({ case: o.only, kind: input.item.kind, fixture: input.item.name, size: input.size, outcome, grew, allowed: 64 * input.size + o.ceiling }));
}

const opts = parseArgs(process.argv.slice(2));
if (opts.worker) await runWorker(opts);
else if (opts.only >= 0) await runOne(opts);
else await runParent(opts);
