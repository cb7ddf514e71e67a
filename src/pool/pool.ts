/**
 * The worker pool: workers start lazily, are reused between calls, keep their scratch space
 * and resolved codecs, and hold the process open only while they have work. A worker that
 * throws or dies fails the job it was running with a BloscError; the pool replaces it on
 * the next job. `shutdownPool` stops them all.
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
  readonly job: Job;
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (result: JobResult) => void;
  readonly reject: (error: BloscError) => void;
}

interface PooledWorker {
  handle: WorkerHandle | null;
  ready: boolean;
  current: PendingJob | null;
}

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
  private nextId = 1;
  private spawn: Promise<SpawnWorker> | null = null;
  private size = 0;

  /** Run `job` on a worker; the pool grows to `wanted` workers if it is smaller. */
  run(job: Job, transfer: readonly ArrayBuffer[], wanted: number): Promise<JobResult> {
    if (wanted > this.size) this.size = wanted;
    return new Promise<JobResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, transfer, resolve, reject });
      this.pump();
    });
  }

  /** Workers currently alive (started or starting). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** Stop every worker; jobs still queued or running fail with a BloscError. */
  shutdown(): void {
    const error = (): BloscError => new BloscError(BloscErrorCode.Failure, 'the worker pool was shut down');
    for (const w of this.workers.splice(0)) {
      w.handle?.terminate();
      w.handle = null;
      if (w.current !== null) w.current.reject(error());
    }
    for (const job of this.queue.splice(0)) job.reject(error());
    this.size = 0;
  }

  /**
   * Kill the worker running a job, as a crash would (fault-injection for tests): its job
   * fails, the pool recovers. Returns false when no worker is busy.
   */
  killBusyWorker(): boolean {
    const w = this.workers.find((x) => x.current !== null && x.handle !== null);
    if (w === undefined) return false;
    const handle = w.handle!;
    handle.terminate();
    this.onFailure(w, new Error('worker killed'));
    return true;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((w) => w.ready && w.current === null && w.handle !== null);
      if (idle !== undefined) {
        this.dispatch(idle, this.queue.shift()!);
        continue;
      }
      const starting = this.workers.filter((w) => !w.ready).length;
      if (this.workers.length < this.size && starting < this.queue.length) {
        this.start();
        continue;
      }
      break;
    }
  }

  private dispatch(w: PooledWorker, job: PendingJob): void {
    w.current = job;
    const handle = w.handle!;
    handle.ref();
    try {
      handle.post({ id: job.id, job: job.job }, job.transfer);
    } catch (e) {
      w.current = null;
      handle.unref();
      job.reject(new BloscError(BloscErrorCode.Failure, `could not send a job to a worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
    }
  }

  private start(): void {
    const w: PooledWorker = { handle: null, ready: false, current: null };
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
      this.pump();
      return;
    }
    const reply = data as JobReply;
    const job = w.current;
    if (job === null || reply.id !== job.id) return;
    w.current = null;
    w.handle?.unref();
    if (reply.ok) job.resolve(reply.result);
    else job.reject(rebuildError(reply.error));
    this.pump();
  }

  private onFailure(w: PooledWorker, error: Error): void {
    const at = this.workers.indexOf(w);
    if (at < 0) return;
    this.workers.splice(at, 1);
    w.handle = null;
    const job = w.current;
    w.current = null;
    if (job !== null) {
      job.reject(new BloscError(BloscErrorCode.Failure, `a worker failed during the call: ${error.message}`, { cause: error }));
    }
    if (!w.ready) {
      // It never started: the same would happen to its replacements, so fail the queue.
      for (const queued of this.queue.splice(0)) {
        queued.reject(new BloscError(BloscErrorCode.ThreadCreate, `could not start a worker: ${error.message}`, { cause: error }));
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
