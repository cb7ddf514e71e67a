/**
 * Median-of-repeats timers shared by every bench section.
 *
 * Method (the same as bench/datasets.py and the measured anchors): one warm-up call, then
 * timed calls until `targetMs` has passed and at least `minReps` were made (at most
 * `maxReps`; only 3 when the warm-up alone exceeded `targetMs`); the result is the median. When Node runs with --expose-gc, a full collection
 * runs before every timed call, outside the timed region, so one call's garbage is not
 * charged to the next.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { uniform } from './data.mjs';

export const DEFAULT_TIMING = Object.freeze({ targetMs: 500, minReps: 5, maxReps: 100, warmups: 1 });

/** Fewest repeats when one warm-up call alone takes longer than the target (a slow path). */
const SLOW_MIN_REPS = 3;

const collect = typeof globalThis.gc === 'function' ? globalThis.gc : null;

/** True when `global.gc` is available (Node started with --expose-gc). */
export function gcExposed() {
  return collect !== null;
}

/**
 * Re-run the current script under --expose-gc when gc is not exposed, and exit with the
 * child's status. Returns only when gc is already exposed (or re-running is disabled).
 */
export function ensureExposedGc() {
  if (collect !== null || process.env.BLOSC_BENCH_NO_REEXEC === '1') return;
  const args = ['--expose-gc', ...process.execArgv, process.argv[1], ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, BLOSC_BENCH_NO_REEXEC: '1' },
  });
  if (child.error) throw child.error;
  process.exit(child.status ?? 1);
}

function median(sorted) {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarise(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: median(sorted), minMs: sorted[0], maxMs: sorted[sorted.length - 1], reps: sorted.length };
}

/**
 * Time a synchronous function. Returns { medianMs, minMs, maxMs, reps }.
 * @param {() => unknown} fn
 * @param {Partial<typeof DEFAULT_TIMING>} [options]
 */
export function timeSync(fn, options = {}) {
  const { targetMs, minReps, maxReps, warmups } = { ...DEFAULT_TIMING, ...options };
  const w0 = performance.now();
  for (let i = 0; i < warmups; i++) fn();
  const floor = performance.now() - w0 > targetMs * warmups ? Math.min(minReps, SLOW_MIN_REPS) : minReps;
  const samples = [];
  let spent = 0;
  while (samples.length < maxReps && (samples.length < floor || spent < targetMs)) {
    if (collect !== null) collect();
    const t0 = performance.now();
    fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    spent += dt;
  }
  return summarise(samples);
}

/**
 * Time an async function (awaited inside the timed region). Returns { medianMs, minMs, maxMs, reps }.
 * @param {() => Promise<unknown>} fn
 * @param {Partial<typeof DEFAULT_TIMING>} [options]
 */
export async function timeAsync(fn, options = {}) {
  const { targetMs, minReps, maxReps, warmups } = { ...DEFAULT_TIMING, ...options };
  const w0 = performance.now();
  for (let i = 0; i < warmups; i++) await fn();
  const floor = performance.now() - w0 > targetMs * warmups ? Math.min(minReps, SLOW_MIN_REPS) : minReps;
  const samples = [];
  let spent = 0;
  while (samples.length < maxReps && (samples.length < floor || spent < targetMs)) {
    if (collect !== null) collect();
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    samples.push(dt);
    spent += dt;
  }
  return summarise(samples);
}

/** Resolve after `ms` milliseconds (a timer: this thread sleeps meanwhile). */
function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A selfTimed entry's answer, checked: milliseconds, finite and not negative. */
function reportedMs(value) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`timeInterleaved: a selfTimed entry reported ${String(value)}, not a time in milliseconds`);
  }
  return value;
}

/** One call of a synchronous entry: milliseconds (its own report when selfTimed). */
function sampleSync({ fn, selfTimed = false }) {
  if (selfTimed) return reportedMs(fn());
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** One call of an async entry, awaited: milliseconds (its own report when selfTimed). */
async function sampleAsync({ fn, selfTimed = false }) {
  if (selfTimed) return reportedMs(await fn());
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Time several functions in alternation (one call of each per round, each preceded by a
 * collection when gc is exposed) until every one has had its time and repeats, so that
 * load from other processes on a shared machine falls on all of them alike and their
 * ratios stay fair. Each entry is { fn, isAsync, selfTimed? }; async functions are awaited
 * inside their timed region. A `selfTimed` entry's fn returns (or, with isAsync, resolves to)
 * the milliseconds of its call as measured elsewhere (another process timing its own call,
 * e.g. a native decoder asked through a round server): that number is its sample, in place of
 * this thread's clock around fn, which would add the request's round trip. It is treated like
 * every other entry otherwise: its turn in every round after the same collection (and
 * `settleMs`), the same warm-up, repeat rule and median. With `settleMs`, every sample waits that long after its collection
 * (outside the timed region): V8 finishes a forced collection on helper threads (concurrent
 * sweeping, freeing the dropped ArrayBuffers' memory), which otherwise run on the other core
 * while the sample starts, and delay or slow a worker the sample wakes there. Returns one { medianMs, minMs, maxMs, reps } per entry.
 * @param {{ fn: () => unknown, isAsync: boolean, selfTimed?: boolean }[]} entries
 * @param {Partial<typeof DEFAULT_TIMING>} [options]
 */
export async function timeInterleaved(entries, options = {}) {
  const { targetMs, minReps, maxReps, warmups, warmupMs = 0, shuffle = false, settleMs = 0 } = { ...DEFAULT_TIMING, ...options };
  const floors = [];
  for (const entry of entries) {
    let warm = 0;
    for (let i = 0; i < warmups; i++) warm += entry.isAsync ? await sampleAsync(entry) : sampleSync(entry);
    floors.push(warm > targetMs * warmups ? Math.min(minReps, SLOW_MIN_REPS) : minReps);
  }
  // Then, with `warmupMs`, more warm-up rounds in alternation until each entry has had
  // that long: JIT tiers settle (optimized code, deoptimizations of paths first taken late,
  // call sites shared by the entries turning polymorphic) before anything is timed.
  const warmed = entries.map(() => 0);
  while (warmed.some((ms) => ms < warmupMs)) {
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k];
      warmed[k] += entry.isAsync ? await sampleAsync(entry) : sampleSync(entry);
    }
  }
  const samples = entries.map(() => []);
  const spent = entries.map(() => 0);
  const wants = (k) => samples[k].length < maxReps && (samples[k].length < floors[k] || spent[k] < targetMs);
  // With `shuffle`, each round runs the entries in a fresh (seeded) order, so no entry always
  // runs right after the same one: where an entry leaves the heap and the allocator in a
  // state the next one pays for (a 128 MiB output to free, chunks to collect), that cost is
  // spread over all of them instead of always falling on the same one.
  const order = entries.map((_, k) => k);
  const random = uniform(0x5eed);
  for (;;) {
    let ran = false;
    if (shuffle) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    for (let i = 0; i < entries.length; i++) {
      const k = order[i];
      if (!wants(k)) continue;
      ran = true;
      const entry = entries[k];
      if (collect !== null) collect();
      if (settleMs > 0) await pause(settleMs);
      const dt = entry.isAsync ? await sampleAsync(entry) : sampleSync(entry);
      samples[k].push(dt);
      spent[k] += dt;
    }
    if (!ran) break;
  }
  return samples.map(summarise);
}

/**
 * A timeInterleaved entry whose sample is the second of two identical calls made one right
 * after the other (the first untimed): the steady call of a caller making the same call in
 * a loop, where the entry itself is the first call after the round's collection and pause
 * (and after the other entries of the round). A selfTimed entry (another process's call)
 * is asked twice and its second report is the sample. The result is a selfTimed entry.
 * @param {{ fn: () => unknown, isAsync: boolean, selfTimed?: boolean }} entry
 */
export function afterIdenticalCall(entry) {
  if (entry.isAsync) {
    return {
      fn: async () => {
        await entry.fn();
        return sampleAsync(entry);
      },
      isAsync: true,
      selfTimed: true,
    };
  }
  return {
    fn: () => {
      entry.fn();
      return sampleSync(entry);
    },
    isAsync: false,
    selfTimed: true,
  };
}

/** MB/s (10^6 bytes per second) of `nbytes` processed in `ms` milliseconds. */
export function mbps(nbytes, ms) {
  return nbytes / (ms * 1e3);
}
