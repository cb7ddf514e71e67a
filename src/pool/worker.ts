/**
 * Entry module of a pool worker (Web Worker or worker_threads). It runs the same synchronous
 * block loops as the calling thread, keeping their scratch space and resolved codecs
 * between jobs, and answers each job with its result or a flattened BloscError.
 */
import { BloscError } from '../errors.js';
import { runJob } from './jobs.js';
import { isShared } from '../copy.js';
import type { JobReply, JobRequest, WireError } from './protocol.js';

type Post = (message: unknown, transfer: ArrayBuffer[]) => void;

function flatten(e: unknown): WireError {
  if (e instanceof BloscError) {
    return { code: e.code, message: e.message, stack: e.stack, block: e.block, chunk: e.chunk, offset: e.offset };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { code: -1, message: `worker: ${message}`, stack: e instanceof Error ? e.stack : undefined, block: undefined, chunk: undefined, offset: undefined };
}

function handle(request: JobRequest, post: Post): void {
  let reply: JobReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const t0 = performance.now();
    const result = runJob(request.job);
    const t1 = performance.now();
    // Shared memory goes as it is (it cannot be transferred).
    if (result.bytes !== null && !isShared(result.bytes)) transfer.push(result.bytes.buffer as ArrayBuffer);
    if (result.sizes !== null) transfer.push(result.sizes.buffer as ArrayBuffer);
    if (result.returned) transfer.push(result.returned.buffer as ArrayBuffer);
    const origin = performance.timeOrigin;
    reply = { id: request.id, ok: true, result: { ...result, ms: t1 - t0, startedAt: origin + t0, endedAt: origin + t1 } };
  } catch (e) {
    reply = { id: request.id, ok: false, error: flatten(e) };
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
