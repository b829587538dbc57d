import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { JobError, WorkerPool, siblingModule, type WorkerPoolOptions } from "../actors/worker-pool.js";
import { StartTable } from "../actors/worker-start-table.js";

const basicJobs = new URL("./fixtures/jobs-basic.ts", import.meta.url);
const initJobs = new URL("./fixtures/jobs-init.ts", import.meta.url);
const brokenInitJobs = new URL("./fixtures/jobs-broken-init.ts", import.meta.url);

const pools: WorkerPool[] = [];
async function startPool(opts: Partial<WorkerPoolOptions> = {}): Promise<WorkerPool> {
  const pool = new WorkerPool({ size: 2, jobModules: [basicJobs], ...opts });
  pools.push(pool);
  await pool.ready();
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** The JobError a promise rejects with (fails the test if it resolves). */
async function jobError(promise: Promise<unknown>): Promise<JobError> {
  const outcome = await promise.then((value) => ({ value }), (err: unknown) => ({ err }));
  if (!("err" in outcome)) throw new Error(`expected a JobError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.err).toBeInstanceOf(JobError);
  return outcome.err as JobError;
}

describe("WorkerPool", () => {
  test("round-trips payloads and results through a worker", async () => {
    const pool = await startPool();
    expect(await pool.run("add", { a: 2, b: 40 })).toBe(42);
    const payload = { when: new Date(0), tags: new Set(["a"]), nested: { list: [1, "two", null] } };
    expect(await pool.run("echo", payload)).toEqual(payload);
    const viaCallback = await new Promise((resolve, reject) =>
      pool.submit("add", { a: 1, b: 1 }, (err, result) => (err ? reject(err) : resolve(result))));
    expect(viaCallback).toBe(2);
    expect(pool.stats()).toEqual({ size: 2, busy: 0, queued: 0, completed: 3, failed: 0, restarts: 0 });
  });

  test("runs jobs concurrently on two workers", async () => {
    const pool = await startPool();
    const started = Date.now();
    const running = [pool.run<number>("spin", 300), pool.run<number>("spin", 300), pool.run<number>("spin", 300)];
    expect(pool.stats()).toMatchObject({ busy: 2, queued: 0 }); // the third is in a worker's pipeline
    const threads = await Promise.all(running);
    const elapsed = Date.now() - started;
    expect(new Set(threads).size).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(590); // the third waited for its worker
    expect(elapsed).toBeLessThan(880); // the first two overlapped
  });

  test("async jobs share a worker; with pipeline: 1 each worker holds one job and the rest queue", async () => {
    const pipelined = await startPool({ size: 1 });
    let started = Date.now();
    await Promise.all([1, 2, 3].map(() => pipelined.run("sleep", 200)));
    expect(Date.now() - started).toBeLessThan(380);

    const strict = await startPool({ size: 1, pipeline: 1 });
    started = Date.now();
    const running = [1, 2, 3].map(() => strict.run("sleep", 100));
    expect(strict.stats()).toMatchObject({ busy: 1, queued: 2 });
    await Promise.all(running);
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
  });

  test("a throwing job fails only its caller, with its message and error name", async () => {
    const pool = await startPool();
    const bystander = pool.run("sleep", 50);
    const err = await jobError(pool.run("throwQuota", 7));
    expect(err).toMatchObject({ code: "JOB_THREW", job: "throwQuota", message: "quota of 7 exceeded" });
    expect(err.originalName).toBe("QuotaExceeded");
    expect(err.originalStack).toContain("jobs-basic");
    const rejected = await jobError(pool.run("rejectAsync", "out of range"));
    expect(rejected).toMatchObject({ code: "JOB_THREW", message: "out of range", originalName: "RangeError" });
    await expect(bystander).resolves.toEqual(expect.any(Number));
    expect(await pool.run("add", { a: 1, b: 2 })).toBe(3);
    expect(pool.stats()).toMatchObject({ completed: 2, failed: 2, restarts: 0 });
  });

  test("a result that cannot be cloned is the job's error; the worker survives", async () => {
    const pool = await startPool({ size: 1 });
    const err = await jobError(pool.run("uncloneable", null));
    expect(err).toMatchObject({ code: "JOB_THREW", originalName: "DataCloneError" });
    const badPayload = await jobError(pool.run("echo", { fn: () => 1 }));
    expect(badPayload).toMatchObject({ code: "JOB_THREW", originalName: "DataCloneError" });
    expect(await pool.run("add", { a: 1, b: 1 })).toBe(2);
    expect(pool.stats().restarts).toBe(0);
  });

  test("a job past its timeout fails with JOB_TIMEOUT and its worker is replaced", async () => {
    const pool = await startPool();
    const started = Date.now();
    const other = pool.run("sleep", 100);
    const err = await jobError(pool.run("spin", 10_000, 150));
    expect(err).toMatchObject({ code: "JOB_TIMEOUT", job: "spin" });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(other).resolves.toEqual(expect.any(Number)); // the other worker was left alone
    expect(await pool.run("add", { a: 3, b: 4 })).toBe(7);
    expect(pool.stats()).toMatchObject({ restarts: 1, failed: 1, busy: 0 });
    await expect(Promise.all([pool.run("spin", 20), pool.run("spin", 20)])).resolves.toHaveLength(2);
  });

  test("the pool default timeout applies, counted from when the job starts", async () => {
    for (const pipeline of [1, 4]) {
      const pool = await startPool({ size: 1, timeoutMs: 250, pipeline });
      // Behind a 200 ms job (in the queue, or in the worker's pipeline), the second one waits
      // ~200 ms but runs only ~150 ms: no timeout.
      const [first, second] = await Promise.all([pool.run("spin", 200), pool.run("spin", 150)]);
      expect(first).toBe(second);
      expect((await jobError(pool.run("spin", 5_000))).code).toBe("JOB_TIMEOUT");
    }
  });

  test("jobs pipelined behind a job that times out run on the replacement worker", async () => {
    const pool = await startPool({ size: 1 });
    const stuck = jobError(pool.run("spin", 10_000, 150));
    const behind = [pool.run("add", { a: 1, b: 1 }), pool.run("add", { a: 2, b: 2 })];
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 0 });
    expect((await stuck).code).toBe("JOB_TIMEOUT");
    expect(await Promise.all(behind)).toEqual([2, 4]);
    expect(pool.stats()).toMatchObject({ restarts: 1, failed: 1, completed: 2 });
  });

  test("a worker that exits fails its job with WORKER_DIED; queued jobs run on its replacement", async () => {
    const pool = await startPool({ size: 1 });
    const before = await pool.run<{ threadId: number }>("whoami", null);
    const crash = pool.run("exit", 1);
    const queued = [pool.run("add", { a: 1, b: 1 }), pool.run("add", { a: 2, b: 2 }), pool.run("whoami", null)];
    const more = [pool.run("add", { a: 3, b: 3 }), pool.run("add", { a: 4, b: 4 })];
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 2 }); // three sent with the crashing job, two queued
    const err = await jobError(crash);
    expect(err).toMatchObject({ code: "WORKER_DIED", job: "exit" });
    expect(err.message).toContain("exit code 1");
    const [two, four, after] = await Promise.all(queued);
    expect([two, four]).toEqual([2, 4]);
    expect(after).toMatchObject({ workerId: 0 });
    expect((after as { threadId: number }).threadId).not.toBe(before.threadId);
    expect(await Promise.all(more)).toEqual([6, 8]);
    expect(pool.stats()).toMatchObject({ restarts: 1, completed: 6, failed: 1, queued: 0 });
  });

  test("an idle worker killed by a stray async exception is replaced", async () => {
    const pool = await startPool({ size: 1, pipeline: 1 });
    expect(await pool.run("crashLater", null)).toBeNull();
    await waitFor(() => pool.stats().restarts === 1);
    expect(await pool.run("add", { a: 4, b: 4 })).toBe(8); // the replacement is up
    const both = Promise.all([pool.run("add", { a: 5, b: 5 }), pool.run("add", { a: 6, b: 6 })]);
    expect(pool.stats()).toMatchObject({ size: 1, busy: 1, queued: 1 }); // one worker, one job at a time
    expect(await both).toEqual([10, 12]);
  });

  test("a worker that runs out of heap dies and is replaced", async () => {
    const pool = await startPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const err = await jobError(pool.run("exhaustHeap", null));
    expect(err.code).toBe("WORKER_DIED");
    expect(err.message).toMatch(/memory/i);
    expect(await pool.run("add", { a: 1, b: 0 })).toBe(1);
  });

  test("an unknown job fails fast in the main thread, never synchronously", async () => {
    const pool = await startPool();
    let called = false;
    const outcome = new Promise<JobError | null>((resolve) =>
      pool.submit("noSuchJob", null, (err) => {
        called = true;
        resolve(err);
      }));
    expect(called).toBe(false);
    expect(await outcome).toMatchObject({ code: "UNKNOWN_JOB", job: "noSuchJob" });
    expect(pool.stats()).toMatchObject({ busy: 0, failed: 1 });
  });

  test("jobs submitted before the workers are ready wait for them; unknown ones fail", async () => {
    const pool = new WorkerPool({ size: 2, jobModules: [basicJobs] });
    pools.push(pool);
    const known = pool.run("add", { a: 20, b: 22 });
    const unknown = jobError(pool.run("missing", null));
    expect(await known).toBe(42);
    expect((await unknown).code).toBe("UNKNOWN_JOB");
  });

  test("close() fails running and queued jobs with POOL_CLOSED and refuses new ones", async () => {
    const pool = await startPool({ size: 1, pipeline: 1 });
    const running = jobError(pool.run("sleep", 5_000));
    const queued = [1, 2, 3].map((n) => jobError(pool.run("add", { a: n, b: n })));
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 3 });
    await pool.close();
    for (const err of await Promise.all([running, ...queued])) expect(err.code).toBe("POOL_CLOSED");
    expect((await jobError(pool.run("add", { a: 1, b: 1 }))).code).toBe("POOL_CLOSED");
    expect(pool.stats()).toMatchObject({ busy: 0, queued: 0, failed: 5, restarts: 0 });
    await pool.close(); // idempotent
  });

  test("init() and jobs receive workerData and their workerId", async () => {
    const workerData = { databasePath: "/var/lib/tjabberd/db.sqlite" };
    const pool = await startPool({ size: 2, jobModules: [basicJobs, initJobs], workerData });
    const seen = await Promise.all([pool.run("initState", null), pool.run("initState", null)]);
    expect(seen).toEqual(expect.arrayContaining([
      { opened: { workerData, workerId: 0 }, seenByJob: workerData },
      { opened: { workerData, workerId: 1 }, seenByJob: workerData },
    ]));
  });

  test("a module whose init() throws makes ready() reject and jobs fail instead of hanging", async () => {
    const pool = new WorkerPool({ size: 2, jobModules: [brokenInitJobs] });
    pools.push(pool);
    const job = jobError(pool.run("never", null));
    await expect(pool.ready()).rejects.toThrow("cannot open database");
    expect((await job).code).toBe("WORKER_DIED");
    expect((await jobError(pool.run("never", null))).message).toContain("cannot open database");
    expect(pool.stats().restarts).toBe(0);
  });

  test("idle workers don't keep the process alive", () => {
    // A script that uses a pool and never closes it must still exit on its own.
    const script = `
      import { WorkerPool } from ${JSON.stringify(new URL("../actors/worker-pool.ts", import.meta.url).href)};
      const pool = new WorkerPool({ size: 2, jobModules: [${JSON.stringify(basicJobs.href)}] });
      console.log(await pool.run("add", { a: 1, b: 2 }));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      encoding: "utf8",
      timeout: 15_000,
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    expect(child.stderr).toBe("");
    expect(child.stdout.trim()).toBe("3");
    expect(child.status).toBe(0);
  });
});

describe("StartTable", () => {
  test("a job is either started by the worker or revoked by the pool, never both", () => {
    const pool = StartTable.create(2);
    const worker = new StartTable(pool.buffer); // the worker's view of the same memory
    pool.assign(0, 7);
    expect(pool.startedAt(0, 7)).toBeUndefined();
    const before = Date.now();
    expect(worker.tryStart(0, 7)).toBe(true);
    expect(pool.startedAt(0, 7)).toBeGreaterThanOrEqual(before);
    expect(pool.revoke(0, 7)).toBe(false);

    pool.assign(1, 8);
    expect(pool.revoke(1, 8)).toBe(true);
    expect(worker.tryStart(1, 8)).toBe(false);
    expect(pool.startedAt(1, 8)).toBeUndefined();

    pool.assign(0, 9); // lane 0 reused: job 7's start says nothing about job 9
    expect(pool.startedAt(0, 9)).toBeUndefined();
    expect(pool.startedAt(0, 7)).toBeUndefined();
  });
});

describe("siblingModule", () => {
  test("keeps the caller's extension", () => {
    expect(siblingModule("file:///app/dist/src/roster.js", "roster-jobs").href).toBe("file:///app/dist/src/roster-jobs.js");
    expect(siblingModule("file:///app/src/roster.ts", "roster-jobs").href).toBe("file:///app/src/roster-jobs.ts");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
