/** Running a call's jobs on the pool with at most `nthreads` in flight. */
import { BloscError, BloscErrorCode } from '../errors.js';
import { blosclzCodec, lz4Codec, lz4hcCodec, snappyCodec, zlibCodec, zstdCodec } from '../codecs/index.js';
import type { Codec } from '../codecs/types.js';
import { fail } from '../errors.js';
import type { Job, JobResult } from './protocol.js';
import { getPool } from './pool.js';

/** First id of user-registered filters: those exist only on the thread that registered them. */
const USER_FILTER_MIN = 160;
const BUILTIN_CODECS: readonly Codec[] = [blosclzCodec, lz4Codec, lz4hcCodec, snappyCodec, zlibCodec, zstdCodec];

/**
 * Whether a worker resolves the same codec and filters as this thread: built-in ones only.
 * User codecs and filters, and replaced built-ins, are registered on this thread alone.
 */
export function workersCanRun(codec: Codec | null, filters: readonly number[]): boolean {
  if (codec !== null && !BUILTIN_CODECS.includes(codec)) return false;
  for (let i = 0; i < filters.length; i++) if (filters[i]! >= USER_FILTER_MIN) return false;
  return true;
}

export function checkThreads(nthreads: number | undefined): number {
  const n = nthreads ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 256) {
    fail(BloscErrorCode.InvalidParam, `nthreads must be an integer in 1..256, got ${String(n)}`);
  }
  return n;
}

export interface PoolTask {
  readonly job: Job;
  readonly transfer: readonly ArrayBuffer[];
  /** Run just before the job is posted (staging its input), so earlier jobs start sooner. */
  readonly prepare?: () => void;
}

/**
 * Run `tasks` with at most `nthreads` in flight, in order of index. Every task that started
 * is waited for, so no worker still writes into the caller's memory when this returns;
 * after a failure no new task starts and the first error is thrown.
 */
export async function runTasks(
  tasks: readonly PoolTask[], nthreads: number, annotate?: (index: number, error: BloscError) => void,
): Promise<JobResult[]> {
  const pool = getPool();
  const results: JobResult[] = new Array<JobResult>(tasks.length);
  let next = 0;
  let firstError: BloscError | null = null;
  const lane = async (): Promise<void> => {
    while (next < tasks.length && firstError === null) {
      const i = next++;
      const task = tasks[i]!;
      try {
        task.prepare?.();
        results[i] = await pool.run(task.job, task.transfer, nthreads);
      } catch (e) {
        const error = e instanceof BloscError ? e : new BloscError(BloscErrorCode.Failure, String(e), { cause: e });
        annotate?.(i, error);
        firstError ??= error;
      }
    }
  };
  const lanes: Promise<void>[] = [];
  for (let k = 0; k < Math.min(nthreads, tasks.length); k++) lanes.push(lane());
  await Promise.all(lanes);
  if (firstError !== null) throw firstError;
  return results;
}

/** Split [0, n) into at most `parts` contiguous ranges of nearly equal length. */
export function splitRange(n: number, parts: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(n, parts));
  const ranges: Array<[number, number]> = [];
  for (let r = 0; r < k; r++) ranges.push([Math.floor((r * n) / k), Math.floor(((r + 1) * n) / k)]);
  return ranges;
}
