// Runs inside each worker thread (imported by the bootstrap in worker-bootstrap.ts): loads the job
// modules, runs their init(), reports the job names, then serves JobRequests until terminated.
import { parentPort, workerData } from "node:worker_threads";
import type { JobContext, JobFn, JobModule } from "./worker-jobs.js";
import { StartTable } from "./worker-start-table.js";
import {
  REPLY_OK, REPLY_THREW, REPLY_UNKNOWN, toRemoteError,
  type JobReply, type JobRequest, type StartupMessage, type WorkerBoot,
} from "./worker-protocol.js";

export async function startWorker(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("worker-entry must run in a worker thread");
  const boot = workerData as WorkerBoot;
  const ctx: JobContext = Object.freeze({ workerData: boot.data, workerId: boot.workerId });
  const starts = new StartTable(boot.startTable);

  let jobs: Map<string, JobFn>;
  try {
    jobs = await loadModules(boot.modules, ctx);
  } catch (err) {
    port.postMessage({ kind: "init-failed", error: toRemoteError(err) } satisfies StartupMessage);
    return;
  }

  const reply = (msg: JobReply): void => {
    try {
      port.postMessage(msg);
    } catch (err) {
      // The result could not be cloned (a function, a socket…): that is the job's fault.
      port.postMessage([msg[0], REPLY_THREW, toRemoteError(err)] satisfies JobReply);
    }
  };
  const fail = (id: number, err: unknown): void => reply([id, REPLY_THREW, toRemoteError(err)]);

  port.on("message", ([id, name, payload, lane]: JobRequest) => {
    if (!starts.tryStart(lane, id)) return; // the pool took it back: this worker is being replaced
    const fn = jobs.get(name);
    if (!fn) return reply([id, REPLY_UNKNOWN, null]);
    let result: unknown;
    try {
      result = fn(payload, ctx);
    } catch (err) {
      return fail(id, err);
    }
    if (isThenable(result)) {
      result.then((value) => reply([id, REPLY_OK, value]), (err: unknown) => fail(id, err));
    } else {
      reply([id, REPLY_OK, result]);
    }
  });
  port.postMessage({ kind: "ready", jobs: [...jobs.keys()] } satisfies StartupMessage);
}

/** Imports every module, runs the `init`s in order, and collects the jobs; a name may appear once. */
async function loadModules(urls: string[], ctx: JobContext): Promise<Map<string, JobFn>> {
  const jobs = new Map<string, JobFn>();
  for (const url of urls) {
    const mod = (await import(url)) as Partial<JobModule>;
    if (typeof mod.jobs !== "object" || mod.jobs === null) {
      throw new TypeError(`job module ${url} does not export a 'jobs' record`);
    }
    for (const [name, fn] of Object.entries(mod.jobs)) {
      if (typeof fn !== "function") throw new TypeError(`job '${name}' in ${url} is not a function`);
      if (jobs.has(name)) throw new Error(`job '${name}' is defined twice (again in ${url})`);
      jobs.set(name, fn);
    }
    if (mod.init) await mod.init(ctx);
  }
  return jobs;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return typeof (x as PromiseLike<unknown> | null)?.then === "function";
}
