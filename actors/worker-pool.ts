// The worker-thread actor: a fixed pool of worker_threads running named jobs (storage, password
// hashing, anything blocking). One job in flight per worker, a FIFO queue in the main thread: a free
// worker takes the oldest job, so a slow job never holds up jobs that another worker could run, and
// a job's timeout counts from the moment it really starts (bench/offload.bench.ts measures this).
// A job that throws, times out or kills its worker fails only its own caller; nothing hangs and the
// worker is replaced.
import { pathToFileURL } from "node:url";
import type { ResourceLimits, Worker } from "node:worker_threads";
import { spawnWorker, workerBoot } from "./worker-bootstrap.js";
import { JobError } from "./worker-job-error.js";
import {
  REPLY_OK, REPLY_THREW, REPLY_UNKNOWN,
  type JobReply, type JobRequest, type RemoteError, type StartupMessage,
} from "./worker-protocol.js";

export { JobError, type JobErrorCode } from "./worker-job-error.js";
export {
  defineJobs, siblingModule,
  type JobContext, type JobFn, type JobModule, type JobPayload, type JobResult,
} from "./worker-jobs.js";

export interface WorkerPoolOptions {
  /** Number of worker threads. */
  size: number;
  /** Job modules (file URLs, or absolute paths) every worker imports at start-up, in order. */
  jobModules: (string | URL)[];
  /** Default per-job timeout, counted from when a worker takes the job (default 10000). */
  timeoutMs?: number;
  /** Given to each module's init() and to every job as `ctx.workerData` (e.g. the database path). */
  workerData?: unknown;
  /** Heap limits per worker; a worker that exceeds them dies and is replaced (WORKER_DIED). */
  resourceLimits?: ResourceLimits;
}

export type JobCallback = (err: JobError | null, result?: unknown) => void;

export interface WorkerPoolStats {
  size: number;
  busy: number;
  queued: number;
  completed: number;
  failed: number;
  restarts: number;
}

interface PendingJob {
  readonly id: number;
  readonly name: string;
  readonly payload: unknown;
  readonly done: JobCallback;
  readonly timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  slot: Slot | undefined;
}

/** One place in the pool; its worker is swapped for a fresh one when it dies. */
interface Slot {
  readonly id: number;
  worker: Worker;
  ready: boolean;
  job: PendingJob | undefined;
  /** The uncaught error the worker reported before exiting, if any. */
  crash: Error | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1; // setTimeout's limit

export class WorkerPool {
  private readonly size: number;
  private readonly modules: string[];
  private readonly timeoutMs: number;
  private readonly workerData: unknown;
  private readonly resourceLimits: ResourceLimits | undefined;

  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly queue = new Fifo<PendingJob>();
  /** Job names the workers reported at start-up; undefined until the first worker is ready. */
  private jobNames: Set<string> | undefined;
  private nextJobId = 1;
  private readyCount = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Set when a worker fails to start: its modules or init() are broken, so restarting won't help. */
  private broken: Error | undefined;

  private completed = 0;
  private failed = 0;
  private restarts = 0;

  private readonly readyPromise: Promise<void>;
  private settleReady!: (err?: Error) => void;

  constructor(opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError("size must be an integer ≥ 1");
    if (opts.jobModules.length === 0) throw new RangeError("jobModules must not be empty");
    this.size = opts.size;
    this.modules = opts.jobModules.map(toModuleUrl);
    this.timeoutMs = checkTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.workerData = opts.workerData;
    this.resourceLimits = opts.resourceLimits;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.readyPromise.catch(() => {}); // a caller that never awaits ready() must not see an unhandled rejection
    for (let id = 0; id < this.size; id++) {
      const slot: Slot = { id, worker: undefined as unknown as Worker, ready: false, job: undefined, crash: undefined };
      this.slots.push(slot);
      this.startWorker(slot);
    }
  }

  /** Resolves once every worker has imported its modules and run their init(). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Runs `job` on a free worker; `done` is always called exactly once, never synchronously. */
  submit(job: string, payload: unknown, done: JobCallback, timeoutMs: number = this.timeoutMs): void {
    if (this.closed) return this.failSoon(done, new JobError(job, "POOL_CLOSED", "worker pool is closed"));
    if (this.broken) return this.failSoon(done, this.brokenError(job));
    if (this.jobNames && !this.jobNames.has(job)) return this.failSoon(done, unknownJob(job));
    const pending: PendingJob = {
      id: this.nextJobId++, name: job, payload, done, timeoutMs: checkTimeout(timeoutMs),
      timer: undefined, slot: undefined,
    };
    const slot = this.idle.pop();
    if (slot) this.dispatch(slot, pending);
    else this.queue.push(pending);
  }

  run<T = unknown>(job: string, payload: unknown, timeoutMs?: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.submit(job, payload, (err, result) => (err ? reject(err) : resolve(result as T)), timeoutMs);
    });
  }

  stats(): WorkerPoolStats {
    let busy = 0;
    for (const slot of this.slots) if (slot.job) busy++;
    return {
      size: this.size, busy, queued: this.queue.length,
      completed: this.completed, failed: this.failed, restarts: this.restarts,
    };
  }

  /** Fails queued and running jobs with POOL_CLOSED and terminates every worker. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.settleReady(new Error("worker pool closed before it was ready"));
    this.failAll((job) => new JobError(job.name, "POOL_CLOSED", "worker pool is closed"));
    this.closing = Promise.all(this.slots.map((slot) => slot.worker.terminate())).then(() => {});
    return this.closing;
  }

  // ── workers ────────────────────────────────────────────────────────────────────────────

  private startWorker(slot: Slot): void {
    const worker = spawnWorker(workerBoot(this.modules, this.workerData, slot.id), this.resourceLimits);
    slot.worker = worker;
    slot.ready = false;
    slot.crash = undefined;
    // Stale events (from a worker already replaced or terminated) are ignored by the identity check.
    worker.on("message", (msg: JobReply | StartupMessage) => {
      if (slot.worker !== worker) return;
      if (slot.ready) this.onReply(slot, msg as JobReply);
      else this.onStartup(slot, msg as StartupMessage);
    });
    worker.on("error", (err) => {
      if (slot.worker === worker) slot.crash = err;
    });
    worker.on("exit", (code) => {
      if (slot.worker === worker && !this.closed && !this.broken) this.onExit(slot, code);
    });
  }

  private onStartup(slot: Slot, msg: StartupMessage): void {
    if (msg.kind === "init-failed") return this.breakPool(fromRemote(msg.error, "worker failed to start"));
    slot.ready = true;
    // Idle workers must not keep the process alive; a running job's timer does that instead.
    slot.worker.unref();
    if (!this.jobNames) {
      this.jobNames = new Set(msg.jobs);
      this.failUnknownQueued();
    }
    if (++this.readyCount === this.size) this.settleReady();
    this.release(slot);
  }

  private onExit(slot: Slot, code: number): void {
    const cause = slot.crash ? `${slot.crash.name}: ${slot.crash.message}` : `exit code ${code}`;
    if (!slot.ready) return this.breakPool(new Error(`worker failed to start (${cause})`));
    this.replaceWorker(slot, `worker died (${cause})`);
  }

  /** Starts a fresh worker in the slot; the job that was on the old one fails with WORKER_DIED. */
  private replaceWorker(slot: Slot, reason: string): void {
    const job = slot.job;
    slot.job = undefined;
    const idleAt = this.idle.indexOf(slot); // an idle worker can die too (a stray async throw)
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    this.readyCount--;
    this.restarts++;
    this.startWorker(slot);
    if (job) this.settle(job, new JobError(job.name, "WORKER_DIED", reason));
  }

  /** A worker could not load its modules: every job fails, now and later, and ready() rejects. */
  private breakPool(err: Error): void {
    if (this.broken) return;
    this.broken = err;
    this.settleReady(err);
    this.failAll((job) => this.brokenError(job.name));
    for (const slot of this.slots) slot.worker.terminate().catch(() => {});
  }

  private brokenError(job: string): JobError {
    return new JobError(job, "WORKER_DIED", `worker pool is broken: ${this.broken?.message}`);
  }

  // ── jobs ───────────────────────────────────────────────────────────────────────────────

  private dispatch(slot: Slot, job: PendingJob): void {
    const request: JobRequest = [job.id, job.name, job.payload];
    try {
      slot.worker.postMessage(request);
    } catch (err) {
      // The payload can't be cloned; the worker never saw it and stays free.
      this.idle.push(slot);
      const e = err as Error;
      return this.settle(job, new JobError(job.name, "JOB_THREW", e.message, e.name, e.stack));
    }
    slot.job = job;
    job.slot = slot;
    job.timer = setTimeout(this.onTimeout, job.timeoutMs, job);
  }

  private onReply(slot: Slot, [id, status, value]: JobReply): void {
    const job = slot.job;
    if (!job || job.id !== id) return; // the job already timed out
    slot.job = undefined;
    this.release(slot);
    if (status === REPLY_OK) return this.settle(job, null, value);
    if (status === REPLY_UNKNOWN) return this.settle(job, unknownJob(job.name));
    const e = value as RemoteError;
    this.settle(job, new JobError(job.name, "JOB_THREW", e.message, e.name, e.stack));
  }

  // A sync job can't be interrupted: the only way to stop it is to terminate its worker.
  private readonly onTimeout = (job: PendingJob): void => {
    const slot = job.slot;
    if (!slot || slot.job !== job) return;
    job.timer = undefined;
    slot.worker.terminate().catch(() => {});
    slot.job = undefined;
    this.replaceWorker(slot, "worker terminated");
    this.settle(job, new JobError(job.name, "JOB_TIMEOUT", `job '${job.name}' timed out after ${job.timeoutMs} ms`));
  };

  /** A worker became free: give it the oldest queued job, or park it. */
  private release(slot: Slot): void {
    const next = this.queue.shift();
    if (next) this.dispatch(slot, next);
    else this.idle.push(slot);
  }

  private settle(job: PendingJob, err: JobError | null, result?: unknown): void {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
    job.slot = undefined;
    if (err) {
      this.failed++;
      job.done(err);
    } else {
      this.completed++;
      job.done(null, result);
    }
  }

  private failSoon(done: JobCallback, err: JobError): void {
    this.failed++;
    process.nextTick(done, err);
  }

  /** Jobs submitted before any worker reported its job names. */
  private failUnknownQueued(): void {
    const known = this.jobNames!;
    const unknown = this.queue.removeWhere((job) => !known.has(job.name));
    for (const job of unknown) this.settle(job, unknownJob(job.name));
  }

  private failAll(errorFor: (job: PendingJob) => JobError): void {
    const jobs = this.queue.removeWhere(() => true);
    for (const slot of this.slots) {
      if (slot.job) jobs.push(slot.job);
      slot.job = undefined;
    }
    this.idle.length = 0;
    // State is consistent before any callback runs, so a throwing callback can't corrupt the pool.
    for (const job of jobs) this.settle(job, errorFor(job));
  }
}

function unknownJob(job: string): JobError {
  return new JobError(job, "UNKNOWN_JOB", `no job named '${job}' is registered`);
}

function fromRemote(e: RemoteError, context: string): Error {
  const err = new Error(`${context}: ${e.name}: ${e.message}`);
  if (e.stack) err.stack = `${err.message}\n--- in worker ---\n${e.stack}`;
  return err;
}

function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return module.startsWith("file:") ? module : pathToFileURL(module).href;
}

function checkTimeout(ms: number): number {
  if (!(ms > 0 && ms <= MAX_TIMEOUT_MS)) throw new RangeError(`timeoutMs must be in (0, ${MAX_TIMEOUT_MS}]`);
  return ms;
}

/** Array-backed FIFO with O(1) amortised shift. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns (in order) the items matching `pred`. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const removed: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      (pred(item) ? removed : kept).push(item);
    }
    this.items = kept;
    this.head = 0;
    return removed;
  }
}
