// The contract between job modules and the worker pool. Job modules import only this file, so a
// worker thread never loads the pool itself.

/** What every job (and a module's `init`) receives inside its worker thread. */
export interface JobContext {
  /** `WorkerPoolOptions.workerData`, structured-cloned into each worker (e.g. a database path). */
  readonly workerData: unknown;
  /** The worker's slot in the pool, 0 … size-1; a replacement worker keeps its slot's id. */
  readonly workerId: number;
}

/** A named job: runs in a worker thread; its result must be structured-cloneable. */
export type JobFn<P = any, R = unknown> = (payload: P, ctx: JobContext) => R | Promise<R>;

/** The shape a job module exports. */
export interface JobModule {
  jobs: Record<string, JobFn>;
  /** Run once per worker before any job, e.g. to open a SQLite connection. */
  init?: (ctx: JobContext) => void | Promise<void>;
}

/** Identity helper that keeps each job's payload and result types: `export const jobs = defineJobs({...})`. */
export function defineJobs<J extends Record<string, JobFn>>(jobs: J): J {
  return jobs;
}

/** Payload type of job `K` in a `defineJobs` record. */
export type JobPayload<J extends Record<string, JobFn>, K extends keyof J> = Parameters<J[K]>[0];
/** Resolved result type of job `K` in a `defineJobs` record. */
export type JobResult<J extends Record<string, JobFn>, K extends keyof J> = Awaited<ReturnType<J[K]>>;

/**
 * URL of module `name` next to the calling file, with the caller's extension: `.ts` when running from
 * source (tsx, jest), `.js` from `dist/`. Lets a module register its job file portably:
 * `siblingModule(import.meta.url, "roster-jobs")`.
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  const path = new URL(importMetaUrl).pathname;
  const ext = /\.[cm]?[jt]s$/.exec(path)?.[0] ?? ".js";
  return new URL(`./${name}${ext}`, importMetaUrl);
}
