// The worker-thread actor: a fixed pool of worker_threads running named jobs (storage, password
// hashing, anything blocking). A job that throws, times out or kills its worker fails only its own
// caller; nothing hangs and the worker is replaced.
//
// Dispatch: a job goes to an idle worker if there is one; when all are busy, to the least loaded
// worker with fewer than `pipeline` jobs, else into a FIFO queue. The small per-worker pipeline
// keeps workers from going idle while the main thread answers (measured with 2 workers and 1000
// jobs in flight: 4 jobs per worker gives ~4× the throughput of 1 for trivial jobs, ~1.4× for 50 µs
// jobs, nothing more for 500 µs jobs; deeper pipelines add little). A StartTable shared with
// each worker keeps the one-job-per-worker semantics despite that: a timeout counts from when the
// job really started, and when a worker dies, jobs it had not started are taken back and run
// elsewhere instead of failing.
import { pathToFileURL } from "node:url";
import type { ResourceLimits, Worker } from "node:worker_threads";
import { spawnWorker, workerBoot } from "./worker-bootstrap.js";
import { JobError } from "./worker-job-error.js";
import {
  REPLY_OK, REPLY_UNKNOWN,
  type JobReply, type JobRequest, type RemoteError, type StartupMessage,
} from "./worker-protocol.js";
import { Fifo } from "./worker-queue.js";
import { StartTable } from "./worker-start-table.js";

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
  /** Default per-job timeout, counted from when a worker starts the job (default 10000). */
  timeoutMs?: number;
  /** Given to each module's init() and to every job as `ctx.workerData` (e.g. the database path). */
  workerData?: unknown;
  /**
   * Jobs handed to one worker at a time when all are busy (default 4). 1 = strictly one job per
   * worker, so a job never waits behind a slow one while another worker is free.
   */
  pipeline?: number;
  /** Heap limits per worker; a worker that exceeds them dies and is replaced (WORKER_DIED). */
  resourceLimits?: ResourceLimits;
}

export type JobCallback = (err: JobError | null, result?: unknown) => void;

export interface WorkerPoolStats {
  size: number;
  /** Workers with at least one job. */
  busy: number;
  /** Jobs waiting for a worker. */
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
  /** Where the job is while a worker has it. */
  slot: Slot | undefined;
  lane: number;
}

/** One place in the pool; its worker is swapped for a fresh one when it dies. */
interface Slot {
  readonly id: number;
  worker: Worker;
  starts: StartTable;
  ready: boolean;
  /** Jobs sent to the worker and not answered yet, oldest first. */
  jobs: PendingJob[];
  freeLanes: number[];
  /** The uncaught error the worker reported before exiting, if any. */
  crash: Error | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_PIPELINE = 4;
const MAX_TIMEOUT_MS = 2 ** 31 - 1; // setTimeout's limit
const MAX_JOB_ID = 2 ** 31 - 1; // ids live in an Int32Array; they only need to be unique per worker

export class WorkerPool {
  private readonly size: number;
  private readonly modules: string[];
  private readonly timeoutMs: number;
  private readonly pipeline: number;
  private readonly workerData: unknown;
  private readonly resourceLimits: ResourceLimits | undefined;

  private readonly slots: Slot[] = [];
  private readonly queue = new Fifo<PendingJob>();
  /** Job names the workers reported at start-up; undefined until the first worker is ready. */
  private jobNames: Set<string> | undefined;
  private lastJobId = 0;
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
    const pipeline = opts.pipeline ?? DEFAULT_PIPELINE;
    if (!Number.isInteger(pipeline) || pipeline < 1) throw new RangeError("pipeline must be an integer ≥ 1");
    this.size = opts.size;
    this.modules = opts.jobModules.map(toModuleUrl);
    this.timeoutMs = checkTimeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.pipeline = pipeline;
    this.workerData = opts.workerData;
    this.resourceLimits = opts.resourceLimits;
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = (err) => (err ? reject(err) : resolve());
    });
    this.readyPromise.catch(() => {}); // a caller that never awaits ready() must not see an unhandled rejection
    for (let id = 0; id < this.size; id++) {
      const slot = { id } as Slot; // startWorker fills in the rest
      this.slots.push(slot);
      this.startWorker(slot);
    }
  }

  /** Resolves once every worker has imported its modules and run their init(). */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Runs `job` on a worker; `done` is always called exactly once, never synchronously. */
  submit(job: string, payload: unknown, done: JobCallback, timeoutMs: number = this.timeoutMs): void {
    if (this.closed) return this.failSoon(done, new JobError(job, "POOL_CLOSED", "worker pool is closed"));
    if (this.broken) return this.failSoon(done, this.brokenError(job));
    if (this.jobNames && !this.jobNames.has(job)) return this.failSoon(done, unknownJob(job));
    this.lastJobId = this.lastJobId === MAX_JOB_ID ? 1 : this.lastJobId + 1;
    const pending: PendingJob = {
      id: this.lastJobId, name: job, payload, done, timeoutMs: checkTimeout(timeoutMs),
      timer: undefined, slot: undefined, lane: -1,
    };
    const slot = this.queue.length === 0 ? this.pickSlot() : undefined;
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
    for (const slot of this.slots) if (slot.jobs.length > 0) busy++;
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
    const starts = StartTable.create(this.pipeline);
    const boot = workerBoot(this.modules, this.workerData, slot.id, starts.buffer);
    const worker = spawnWorker(boot, this.resourceLimits);
    const freeLanes = Array.from({ length: this.pipeline }, (_, lane) => lane);
    Object.assign(slot, { worker, starts, ready: false, jobs: [], freeLanes, crash: undefined });
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
    this.fill(slot);
  }

  private onExit(slot: Slot, code: number): void {
    const cause = slot.crash ? `${slot.crash.name}: ${slot.crash.message}` : `exit code ${code}`;
    if (!slot.ready) return this.breakPool(new Error(`worker failed to start (${cause})`));
    this.replaceWorker(slot, `worker died (${cause})`);
  }

  /**
   * Starts a fresh worker in the slot. Of the old worker's jobs, those it had started fail with
   * WORKER_DIED (or JOB_TIMEOUT for `timedOut`); the others go back to the front of the queue.
   */
  private replaceWorker(slot: Slot, reason: string, timedOut?: PendingJob): void {
    const { jobs, starts } = slot;
    this.readyCount--;
    this.restarts++;
    this.startWorker(slot);
    const lost: PendingJob[] = [];
    const retry: PendingJob[] = [];
    for (const job of jobs) {
      clearTimeout(job.timer);
      (job !== timedOut && starts.revoke(job.lane, job.id) ? retry : lost).push(job);
      job.slot = undefined;
    }
    this.queue.unshiftAll(retry);
    for (const other of this.slots) if (other.ready) this.fill(other);
    for (const job of lost) {
      const err = job === timedOut
        ? new JobError(job.name, "JOB_TIMEOUT", `job '${job.name}' timed out after ${job.timeoutMs} ms`)
        : new JobError(job.name, "WORKER_DIED", reason);
      this.settle(job, err);
    }
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

  /** An idle worker if any, else the least loaded one with room in its pipeline. */
  private pickSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready) continue;
      const load = slot.jobs.length;
      if (load === 0) return slot;
      if (load < this.pipeline && (!best || load < best.jobs.length)) best = slot;
    }
    return best;
  }

  /** Tops up a worker's pipeline from the queue. */
  private fill(slot: Slot): void {
    while (slot.jobs.length < this.pipeline) {
      const next = this.queue.shift();
      if (!next) return;
      this.dispatch(slot, next);
    }
  }

  private dispatch(slot: Slot, job: PendingJob): void {
    const lane = slot.freeLanes.pop()!;
    slot.starts.assign(lane, job.id);
    const request: JobRequest = [job.id, job.name, job.payload, lane];
    try {
      slot.worker.postMessage(request);
    } catch (err) {
      // The payload can't be cloned; the worker never saw it.
      slot.starts.revoke(lane, job.id);
      slot.freeLanes.push(lane);
      const e = err as Error;
      return this.settle(job, new JobError(job.name, "JOB_THREW", e.message, e.name, e.stack));
    }
    job.slot = slot;
    job.lane = lane;
    slot.jobs.push(job);
    job.timer = setTimeout(this.onTimer, job.timeoutMs, job);
  }

  private onReply(slot: Slot, [id, status, value]: JobReply): void {
    const at = slot.jobs.findIndex((job) => job.id === id);
    if (at < 0) return;
    const [job] = slot.jobs.splice(at, 1) as [PendingJob];
    slot.freeLanes.push(job.lane);
    this.fill(slot);
    if (status === REPLY_OK) return this.settle(job, null, value);
    if (status === REPLY_UNKNOWN) return this.settle(job, unknownJob(job.name));
    const e = value as RemoteError;
    this.settle(job, new JobError(job.name, "JOB_THREW", e.message, e.name, e.stack));
  }

  // The timer is armed when the job is sent; a job still waiting in its worker's pipeline, or
  // started later than that, gets its full time from when it started.
  private readonly onTimer = (job: PendingJob): void => {
    const slot = job.slot;
    if (!slot) return;
    const startedAt = slot.starts.startedAt(job.lane, job.id);
    const remaining = startedAt === undefined ? job.timeoutMs : startedAt + job.timeoutMs - Date.now();
    if (remaining >= 1) {
      job.timer = setTimeout(this.onTimer, remaining, job);
      return;
    }
    // A sync job can't be interrupted: the only way to stop it is to terminate its worker.
    slot.worker.terminate().catch(() => {});
    this.replaceWorker(slot, `worker terminated: job '${job.name}' timed out`, job);
  };

  private settle(job: PendingJob, err: JobError | null, result?: unknown): void {
    clearTimeout(job.timer);
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
      jobs.push(...slot.jobs);
      slot.jobs = [];
    }
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
