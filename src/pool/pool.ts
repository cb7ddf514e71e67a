/**
 * The worker pool: workers start lazily, are reused between calls, keep their scratch space
 * and resolved codecs, and hold the process open only while they have work. Once every
 * worker is busy, each is also handed its next job (see JOBS_PER_WORKER). A worker that
 * throws or dies fails the jobs it held with a BloscError; the pool replaces it on the next
 * job. `shutdownPool` stops them all.
 *
 * The backend is picked by runtime: Web Workers where the global `Worker` exists (browsers,
 * Deno, Bun), `node:worker_threads` otherwise (Node), loaded through a dynamic import so
 * that nothing a browser loads names a Node built-in.
 */
import { BloscError, BloscErrorCode } from '../errors.js';
import { dropStaging } from './memory.js';
import type { Job, JobReply, JobResult, WireError } from './protocol.js';
import type { SpawnWorker, WorkerHandle } from './spawn-types.js';

interface PendingJob {
  readonly id: number;
  /** The worker (by position) that must run it, or -1 for any (see {@link WorkerPool.runOn}). */
  readonly lane: number;
  readonly job: Job;
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (result: JobResult) => void;
  readonly reject: (error: BloscError) => void;
}

interface PooledWorker {
  handle: WorkerHandle | null;
  ready: boolean;
  /** Jobs posted to it and not yet answered, oldest first (a worker answers in order). */
  readonly inFlight: PendingJob[];
}

/**
 * Jobs a worker may hold at once: the one it runs and the next, already in its message
 * queue. A worker that finishes a job starts the next at once instead of waiting for this
 * thread to read its answer and post another, which matters when this thread is busy with
 * the results (a zarr reader copying decoded chunks into its array): with one job per
 * worker, a worker sat idle for as long as this thread was busy, and this thread then
 * waited for the workers. Only a worker's own jobs wait behind each other, so no more than
 * two are held: a worker that frees up early still finds the rest queued here.
 */
const JOBS_PER_WORKER = 2;

/** The worker entry module, next to this one in the build. */
const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Where the Node backend lives; a variable, so bundlers targeting browsers leave it alone. */
const NODE_SPAWN_MODULE = './spawn-node.js';

function hasWebWorkers(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

async function loadSpawn(): Promise<SpawnWorker> {
  if (hasWebWorkers()) return (await import('./spawn-web.js')).spawnWorker;
  const mod = (await import(/* @vite-ignore */ NODE_SPAWN_MODULE)) as { spawnWorker: SpawnWorker };
  return mod.spawnWorker;
}

function rebuildError(wire: WireError): BloscError {
  const known = Object.values(BloscErrorCode) as number[];
  const code = (known.includes(wire.code) ? wire.code : BloscErrorCode.Failure) as BloscErrorCode;
  const err = new BloscError(code, wire.message, { block: wire.block, chunk: wire.chunk, offset: wire.offset });
  if (wire.stack !== undefined) err.stack = `${err.stack ?? ''}\n    --- in worker ---\n${wire.stack}`;
  return err;
}

export class WorkerPool {
  private readonly workers: PooledWorker[] = [];
  private readonly queue: PendingJob[] = [];
  /** Calls waiting for their workers to come up (whenLanesUp). */
  private upWaiters: { lanes: number; resolve: () => void; reject: (e: BloscError) => void }[] = [];
  private nextId = 1;
  private spawn: Promise<SpawnWorker> | null = null;
  private size = 0;

  /** Run `job` on a worker; the pool grows to `wanted` workers if it is smaller. */
  run(job: Job, transfer: readonly ArrayBuffer[], wanted: number): Promise<JobResult> {
    if (wanted > this.size) this.size = wanted;
    return new Promise<JobResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, lane: -1, job, transfer, resolve, reject });
      this.pump();
    });
  }

  /**
   * Run `job` on the worker at position `lane` (0 <= lane < lanes; the pool grows to `lanes`
   * workers), posted at once even when that worker already holds jobs: a caller that posts a
   * sequence of jobs for one worker and then stays busy on this thread (decoding its own
   * share of a chunk) cannot hand them out one by one as the worker answers. Jobs of one
   * lane run in the order posted.
   */
  runOn(lane: number, job: Job, transfer: readonly ArrayBuffer[], lanes: number): Promise<JobResult> {
    if (lanes > this.size) this.size = lanes;
    return new Promise<JobResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, lane, job, transfer, resolve, reject });
      this.pump();
    });
  }

  /**
   * Whether workers 0..lanes-1 are up, each holding at most `maxHeld` jobs (answers this
   * thread has not read yet count); starts the missing ones (the pool grows to `lanes`).
   */
  lanesReady(lanes: number, maxHeld: number): boolean {
    if (lanes > this.size) this.size = lanes;
    while (this.workers.length < lanes) this.start();
    for (let l = 0; l < lanes; l++) {
      const w = this.workers[l]!;
      if (!w.ready || w.handle === null || w.inFlight.length > maxHeld) return false;
    }
    return true;
  }

  /** Whether one of workers 0..lanes-1 is still starting (started, not ready yet). */
  lanesStarting(lanes: number): boolean {
    for (let l = 0; l < lanes && l < this.workers.length; l++) if (!this.workers[l]!.ready) return true;
    return false;
  }

  /**
   * Resolves once workers 0..lanes-1 are up (starting the missing ones); rejects with
   * ThreadCreate when one cannot start. A first call with nthreads > 1 waits for the
   * workers the caller asked for rather than running alone and never starting them.
   */
  whenLanesUp(lanes: number): Promise<void> {
    if (lanes > this.size) this.size = lanes;
    while (this.workers.length < lanes) this.start();
    if (this.lanesUp(lanes)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.upWaiters.push({ lanes, resolve, reject });
    });
  }

  private lanesUp(lanes: number): boolean {
    if (this.workers.length < lanes) return false;
    for (let l = 0; l < lanes; l++) {
      const w = this.workers[l]!;
      if (!w.ready || w.handle === null) return false;
    }
    return true;
  }

  /** Workers currently alive (started or starting). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Jobs each ready worker holds (posted, not yet answered), and the jobs still queued here. */
  get load(): { readonly held: number[]; readonly queued: number } {
    return { held: this.workers.filter((w) => w.ready).map((w) => w.inFlight.length), queued: this.queue.length };
  }

  /** Stop every worker; jobs still queued or running fail with a BloscError. */
  shutdown(): void {
    const error = (): BloscError => new BloscError(BloscErrorCode.Failure, 'the worker pool was shut down');
    for (const w of this.workers.splice(0)) {
      w.handle?.terminate();
      w.handle = null;
      for (const job of w.inFlight.splice(0)) job.reject(error());
    }
    for (const job of this.queue.splice(0)) job.reject(error());
    for (const u of this.upWaiters.splice(0)) u.reject(error());
    this.size = 0;
  }

  /**
   * Kill a worker holding jobs, as a crash would (fault-injection for tests): the jobs it
   * held fail, the pool recovers. Returns false when no worker is busy.
   */
  killBusyWorker(): boolean {
    const w = this.workers.find((x) => x.inFlight.length > 0 && x.handle !== null);
    if (w === undefined) return false;
    const handle = w.handle!;
    handle.terminate();
    this.onFailure(w, new Error('worker killed'));
    return true;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.lane >= 0) {
        const w = this.workers[head.lane];
        if (w !== undefined && w.ready && w.handle !== null) {
          this.dispatch(w, this.queue.shift()!);
          continue;
        }
        if (w === undefined && this.workers.length < this.size) {
          this.start();
          continue;
        }
        // Its worker is starting: the queue waits for it (lane jobs keep their order).
        break;
      }
      const idle = this.leastBusy(1);
      if (idle !== undefined) {
        this.dispatch(idle, this.queue.shift()!);
        continue;
      }
      const starting = this.workers.filter((w) => !w.ready).length;
      if (this.workers.length < this.size && starting < this.queue.length) {
        this.start();
        continue;
      }
      // Every worker that may exist is busy or starting: queue the next job on a busy one.
      const busy = starting === 0 ? this.leastBusy(JOBS_PER_WORKER) : undefined;
      if (busy !== undefined) {
        this.dispatch(busy, this.queue.shift()!);
        continue;
      }
      break;
    }
  }

  /** The ready worker with the fewest jobs, if it holds fewer than `limit`. */
  private leastBusy(limit: number): PooledWorker | undefined {
    let best: PooledWorker | undefined;
    for (const w of this.workers) {
      if (!w.ready || w.handle === null || w.inFlight.length >= limit) continue;
      if (best === undefined || w.inFlight.length < best.inFlight.length) best = w;
    }
    return best;
  }

  private dispatch(w: PooledWorker, job: PendingJob): void {
    w.inFlight.push(job);
    const handle = w.handle!;
    if (w.inFlight.length === 1) handle.ref();
    try {
      handle.post({ id: job.id, job: job.job }, job.transfer);
    } catch (e) {
      w.inFlight.pop();
      if (w.inFlight.length === 0) handle.unref();
      job.reject(new BloscError(BloscErrorCode.Failure, `could not send a job to a worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
    }
  }

  private start(): void {
    const w: PooledWorker = { handle: null, ready: false, inFlight: [] };
    this.workers.push(w);
    this.spawn ??= loadSpawn();
    this.spawn.then((spawn) => {
      if (!this.workers.includes(w)) return; // shut down meanwhile
      w.handle = spawn(WORKER_URL, (data) => this.onMessage(w, data), (error) => this.onFailure(w, error));
    }).catch((e: unknown) => {
      this.onFailure(w, e instanceof Error ? e : new Error(String(e)));
    });
  }

  private onMessage(w: PooledWorker, data: unknown): void {
    if ((data as { ready?: unknown }).ready === true) {
      w.ready = true;
      w.handle?.unref();
      if (this.upWaiters.length > 0) {
        const waiting = this.upWaiters;
        this.upWaiters = [];
        for (const u of waiting) {
          if (this.lanesUp(u.lanes)) u.resolve();
          else this.upWaiters.push(u);
        }
      }
      this.pump();
      return;
    }
    const reply = data as JobReply;
    const at = w.inFlight.findIndex((x) => x.id === reply.id);
    if (at < 0) return;
    const job = w.inFlight.splice(at, 1)[0]!;
    if (w.inFlight.length === 0) w.handle?.unref();
    if (reply.ok) job.resolve(reply.result);
    else job.reject(rebuildError(reply.error));
    this.pump();
  }

  private onFailure(w: PooledWorker, error: Error): void {
    const at = this.workers.indexOf(w);
    if (at < 0) return;
    this.workers.splice(at, 1);
    w.handle = null;
    for (const job of w.inFlight.splice(0)) {
      job.reject(new BloscError(BloscErrorCode.Failure, `a worker failed during the call: ${error.message}`, { cause: error }));
    }
    if (!w.ready) {
      // It never started: the same would happen to its replacements, so fail the queue.
      for (const queued of this.queue.splice(0)) {
        queued.reject(new BloscError(BloscErrorCode.ThreadCreate, `could not start a worker: ${error.message}`, { cause: error }));
      }
      for (const u of this.upWaiters.splice(0)) {
        u.reject(new BloscError(BloscErrorCode.ThreadCreate, `could not start a worker: ${error.message}`, { cause: error }));
      }
      return;
    }
    this.pump();
  }
}

let shared: WorkerPool | null = null;

/** The process-wide pool. */
export function getPool(): WorkerPool {
  shared ??= new WorkerPool();
  return shared;
}

/**
 * Stop all workers of the pool (they restart on the next async call with nthreads > 1).
 * Idle workers never keep Node or Bun from exiting; in Deno and browsers call this when done.
 */
export function shutdownPool(): void {
  shared?.shutdown();
  dropStaging();
}
