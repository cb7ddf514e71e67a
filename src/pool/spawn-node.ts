/**
 * Workers from `node:worker_threads` (Node). Loaded only through a dynamic import when the
 * runtime has no Web Worker, so browser builds never see a Node built-in.
 */
import process from 'node:process';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { SpawnWorker, WorkerHandle } from './spawn-types.js';

export const spawnWorker: SpawnWorker = (url, onMessage, onFailure): WorkerHandle => {
  // Workers inherit the parent's Node options, but some only make sense for the main
  // script: `--input-type` (from `node --input-type=module -e ...`) stops a worker loading.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  let worker: Worker;
  try {
    worker = new Worker(url, { execArgv });
  } catch (e) {
    // Process-wide V8 flags (`--expose-gc`, `--max-old-space-size`, ...) are refused per
    // worker; they already apply to the whole process, so start the worker without any.
    if ((e as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    worker = new Worker(url, { execArgv: [] });
  }
  let failed = false;
  const failOnce = (error: Error): void => {
    if (failed) return;
    failed = true;
    onFailure(error);
  };
  worker.on('message', onMessage);
  worker.on('error', (e: unknown) => failOnce(e instanceof Error ? e : new Error(String(e))));
  worker.on('messageerror', (e: unknown) => failOnce(e instanceof Error ? e : new Error('message could not be deserialized')));
  worker.on('exit', (code: number) => failOnce(new Error(`worker exited with code ${code}`)));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as readonly TransferListItem[]),
    terminate: () => {
      failed = true;
      void worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
};
