// Messages between the pool (main thread) and its worker threads. Job traffic, the hot path, uses
// flat tuples: the least there is to clone.

/** What the bootstrap and the entry read from `workerData`. */
export interface WorkerBoot {
  /** URL of worker-entry (.ts or .js, whichever the pool was loaded as). */
  entry: string;
  /** File URL of tsx's `tsx/esm/api` (ESM build), set when a module to load is TypeScript. */
  tsxApi: string | null;
  /** Job module URLs, imported in order. */
  modules: string[];
  /** `WorkerPoolOptions.workerData`. */
  data: unknown;
  workerId: number;
  /** Backs this worker's StartTable (see worker-start-table.ts). */
  startTable: SharedArrayBuffer;
}

/** An error as it crosses the thread boundary (custom Error classes don't survive structured clone). */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
}

/** Worker → main, once, after every module was imported and every `init` ran. */
export type StartupMessage =
  | { kind: "ready"; jobs: string[] }
  | { kind: "init-failed"; error: RemoteError };

/** Main → worker: run a job, recording its start in StartTable lane `lane`. */
export type JobRequest = [id: number, job: string, payload: unknown, lane: number];

export const REPLY_OK = 0;
export const REPLY_THREW = 1;
export const REPLY_UNKNOWN = 2;

/** Worker → main: a job's outcome. */
export type JobReply =
  | [id: number, status: typeof REPLY_OK, result: unknown]
  | [id: number, status: typeof REPLY_THREW, error: RemoteError]
  | [id: number, status: typeof REPLY_UNKNOWN, unused: null];

export function toRemoteError(err: unknown): RemoteError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: String(err) };
}
