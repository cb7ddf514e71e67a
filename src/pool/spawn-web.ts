/** Web Workers (browsers, Deno, Bun): module workers, so the entry can import the library. */
import type { SpawnWorker, WorkerHandle } from './spawn-types.js';

/** Bun's Web Worker has Node-style ref/unref; browsers and Deno have neither. */
interface RefCountedWorker {
  ref?: () => void;
  unref?: () => void;
}

export const spawnWorker: SpawnWorker = (url, onMessage, onFailure): WorkerHandle => {
  const worker = new Worker(url, { type: 'module' });
  const counted = worker as unknown as RefCountedWorker;
  let failed = false;
  const failOnce = (error: Error): void => {
    if (failed) return;
    failed = true;
    onFailure(error);
  };
  worker.onmessage = (event: MessageEvent) => onMessage(event.data);
  worker.onerror = (event: ErrorEvent) => {
    // Handled here: without preventDefault Deno ends the whole process on a worker's error.
    event.preventDefault();
    failOnce(new Error(event.message || 'worker failed'));
  };
  worker.onmessageerror = () => failOnce(new Error('message could not be deserialized'));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as ArrayBuffer[]),
    terminate: () => {
      failed = true;
      worker.terminate();
    },
    ref: () => counted.ref?.call(worker),
    unref: () => counted.unref?.call(worker),
  };
};
