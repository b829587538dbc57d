// Cost of offloading work to the worker pool: round-trip latency of a trivial job (sequential, one
// at a time) and throughput with 2 workers and 1000 jobs in flight.
// The round trip is dominated by waking the other thread. Where an idle vCPU halts (a VM), waking a
// thread on another CPU costs tens of µs, so the result depends on where the scheduler put the
// worker. The bench therefore also times a bare MessagePort echo worker (interleaved in chunks, so
// both see the same conditions) and repeats the latency run pinned to one CPU (taskset), where the
// pool's own cost shows as the difference to the bare port.
// Run: npx tsx bench/offload.bench.ts
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { WorkerPool } from "../actors/worker-pool.js";

const WARMUP = 2_000;
const ITERATIONS = 20_000;
const CHUNK = 1_000;
const THROUGHPUT_JOBS = 200_000;
const IN_FLIGHT = 1_000;

const jobModules = [new URL("../test/fixtures/jobs-basic.ts", import.meta.url)];

function report(metric: string, value: number, unit: string, human: string): void {
  console.log(JSON.stringify({ bench: "offload", metric, value: Math.round(value * 100) / 100, unit }));
  console.log(`  ${human}`);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Sequential round trips: each job is submitted when the previous one's callback ran. */
function roundTrips(pool: WorkerPool, samples: Float64Array, from = 0, count = samples.length): Promise<void> {
  return new Promise((resolve, reject) => {
    let i = from;
    const end = from + count;
    let start = 0;
    const next = (): void => {
      start = performance.now();
      pool.submit("noop", null, onDone);
    };
    const onDone = (err: Error | null): void => {
      if (err) return reject(err);
      samples[i++] = (performance.now() - start) * 1000;
      if (i < end) next();
      else resolve();
    };
    next();
  });
}

/** The same round trips to a worker that only echoes, as the pool's wire format does. */
function bareRoundTrips(worker: Worker, samples: Float64Array, from = 0, count = samples.length): Promise<void> {
  return new Promise((resolve) => {
    let i = from;
    const end = from + count;
    let start = 0;
    const next = (): void => {
      start = performance.now();
      worker.postMessage([i, "noop", null]);
    };
    const onReply = (): void => {
      samples[i++] = (performance.now() - start) * 1000;
      if (i < end) return next();
      worker.off("message", onReply);
      resolve();
    };
    worker.on("message", onReply);
    next();
  });
}

/** Keeps `inFlight` jobs submitted until `total` completed; returns jobs per second. */
function throughput(pool: WorkerPool, total: number, inFlight: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let submitted = 0;
    let completed = 0;
    const start = performance.now();
    const onDone = (err: Error | null): void => {
      if (err) return reject(err);
      completed++;
      if (submitted < total) {
        submitted++;
        pool.submit("add", { a: completed, b: 1 }, onDone);
      } else if (completed === total) {
        resolve(total / ((performance.now() - start) / 1000));
      }
    };
    for (; submitted < Math.min(inFlight, total); submitted++) pool.submit("add", { a: submitted, b: 1 }, onDone);
  });
}

/** Pool and bare-port round trips, interleaved in chunks; `prefix` names the metrics. */
async function latency(pool: WorkerPool, prefix: string, title: string): Promise<void> {
  const bare = new Worker(
    `require("node:worker_threads").parentPort.on("message", function ([id]) { this.postMessage([id, 0, null]); });`,
    { eval: true },
  );
  await roundTrips(pool, new Float64Array(WARMUP));
  await bareRoundTrips(bare, new Float64Array(WARMUP));
  const poolSamples = new Float64Array(ITERATIONS);
  const bareSamples = new Float64Array(ITERATIONS);
  for (let from = 0; from < ITERATIONS; from += CHUNK) {
    await roundTrips(pool, poolSamples, from, CHUNK);
    await bareRoundTrips(bare, bareSamples, from, CHUNK);
  }
  await bare.terminate();
  poolSamples.sort();
  bareSamples.sort();
  const [median, p99] = [percentile(poolSamples, 0.5), percentile(poolSamples, 0.99)];
  const [bareMedian, bareP99] = [percentile(bareSamples, 0.5), percentile(bareSamples, 0.99)];
  console.log(`${title}, ${ITERATIONS} sequential trivial jobs:`);
  report(`${prefix}roundtrip_median_us`, median, "us", `pool median ${median.toFixed(1)} µs (target ≤ 50)`);
  report(`${prefix}roundtrip_p99_us`, p99, "us", `pool p99    ${p99.toFixed(1)} µs`);
  report(`${prefix}bare_port_roundtrip_median_us`, bareMedian, "us",
    `bare MessagePort echo worker: median ${bareMedian.toFixed(1)} µs, p99 ${bareP99.toFixed(1)} µs`);
}

async function reportThroughput(pool: WorkerPool, metric: string, label: string): Promise<void> {
  await throughput(pool, THROUGHPUT_JOBS / 10, IN_FLIGHT); // warm-up
  const jobsPerSecond = await throughput(pool, THROUGHPUT_JOBS, IN_FLIGHT);
  report(metric, jobsPerSecond, "jobs/s", `${label}: ${Math.round(jobsPerSecond).toLocaleString("en")} jobs/s`);
}

/**
 * The same latency run with every thread on one CPU, in a child process: no cross-CPU wake-ups,
 * so pool and bare port are comparable and their difference is the pool's own cost.
 */
function pinnedLatency(): void {
  const child = spawnSync("taskset", ["-c", "0", process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), "--pinned"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (child.error) return console.log(`  (pinned run skipped: ${child.error.message})`);
  process.stdout.write(child.stdout);
}

const pool = new WorkerPool({ size: 2, jobModules });
await pool.ready();
if (process.argv.includes("--pinned")) {
  await latency(pool, "pinned_", "offload round trip, all threads pinned to CPU 0");
} else {
  await latency(pool, "", "offload round trip");
  console.log(`offload throughput, 2 workers, ${IN_FLIGHT} in flight, ${THROUGHPUT_JOBS} jobs:`);
  await reportThroughput(pool, "throughput_jobs_per_s", "default pipeline (4 per worker)");
  const strict = new WorkerPool({ size: 2, jobModules, pipeline: 1 });
  await strict.ready();
  await reportThroughput(strict, "throughput_pipeline1_jobs_per_s", "pipeline: 1 (one job per worker)");
  await strict.close();
  pinnedLatency();
}
await pool.close();
