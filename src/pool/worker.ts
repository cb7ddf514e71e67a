/**
 * Entry module of a pool worker (Web Worker or worker_threads). It runs the same synchronous
 * block loops as the calling thread, keeping their scratch space and resolved codecs
 * between jobs, and answers each job with its result or a flattened BloscError.
 */
import { flattenError, runJob } from './jobs.js';
import { isShared } from './memory.js';
import type { BatchOutcome, JobReply, JobRequest, PartialReply } from './protocol.js';

type Post = (message: unknown, transfer: ArrayBuffer[]) => void;

/** The buffers an answered batch chunk moves back: its input, and a decoded buffer of its own. */
function pushOutcomeTransfers(outcome: BatchOutcome, transfer: ArrayBuffer[]): void {
  if (outcome.returned !== null) transfer.push(outcome.returned.buffer as ArrayBuffer);
  if (outcome.ok && !isShared(outcome.decoded)) transfer.push(outcome.decoded.buffer as ArrayBuffer);
}

function handle(request: JobRequest, post: Post): void {
  let reply: JobReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const sendOutcome = (outcome: BatchOutcome): void => {
      const moved: ArrayBuffer[] = [];
      pushOutcomeTransfers(outcome, moved);
      const partial: PartialReply = { id: request.id, partial: true, outcome };
      post(partial, moved);
    };
    const result = runJob(request.job, sendOutcome);
    // Shared memory goes as it is (it cannot be transferred).
    if (result.bytes !== null && !isShared(result.bytes)) transfer.push(result.bytes.buffer as ArrayBuffer);
    if (result.sizes !== null) transfer.push(result.sizes.buffer as ArrayBuffer);
    if (result.returned) transfer.push(result.returned.buffer as ArrayBuffer);
    if (result.batch !== undefined) for (const o of result.batch) pushOutcomeTransfers(o, transfer);
    reply = { id: request.id, ok: true, result };
  } catch (e) {
    reply = { id: request.id, ok: false, error: flattenError(e) };
  }
  post(reply, transfer);
}

interface WebWorkerScope {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

const scope = globalThis as unknown as Partial<WebWorkerScope>;
if (typeof scope.postMessage === 'function') {
  const web = scope as WebWorkerScope;
  const post: Post = (message, transfer) => web.postMessage(message, transfer);
  web.onmessage = (event) => handle(event.data as JobRequest, post);
  post({ ready: true }, []);
} else {
  const { parentPort } = await import('node:worker_threads');
  if (parentPort === null) throw new Error('blosc-ts worker module loaded outside a worker');
  const port = parentPort;
  const post: Post = (message, transfer) => port.postMessage(message, transfer);
  port.on('message', (data: unknown) => handle(data as JobRequest, post));
  post({ ready: true }, []);
}
