/** The one interface the pool sees of a worker, whatever the runtime's worker API. */
export interface WorkerHandle {
  post(message: unknown, transfer: readonly ArrayBuffer[]): void;
  /** Stop the worker now; no failure callback follows. */
  terminate(): void;
  /** Let the worker keep the process alive (while it has work) or not (while idle). No-op where unsupported. */
  ref(): void;
  unref(): void;
}

/** Start a worker running the module at `url`; `onFailure` is called once if it throws uncaught or exits. */
export type SpawnWorker = (
  url: URL, onMessage: (data: unknown) => void, onFailure: (error: Error) => void,
) => WorkerHandle;
