// Cost of offloading work to the worker pool: round-trip latency of a trivial job (sequential, one
// at a time) and throughput with 2 workers and 1000 jobs in flight.
// Run: npx tsx bench/offload.bench.ts
import { WorkerPool } from "../actors/worker-pool.js";

const WARMUP = 2_000;
const ITERATIONS = 20_000;
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
function roundTrips(pool: WorkerPool, count: number): Promise<Float64Array> {
  const samples = new Float64Array(count);
  return new Promise((resolve, reject) => {
    let i = 0;
    let start = 0;
    const next = (): void => {
      start = performance.now();
      pool.submit("noop", null, onDone);
    };
    const onDone = (err: Error | null): void => {
      if (err) return reject(err);
      samples[i++] = (performance.now() - start) * 1000;
      if (i < count) next();
      else resolve(samples);
    };
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

const pool = new WorkerPool({ size: 2, jobModules });
await pool.ready();

await roundTrips(pool, WARMUP);
const samples = (await roundTrips(pool, ITERATIONS)).sort();
console.log(`offload round trip, ${ITERATIONS} sequential trivial jobs:`);
report("roundtrip_median_us", percentile(samples, 0.5), "us", `median ${percentile(samples, 0.5).toFixed(1)} µs`);
report("roundtrip_p99_us", percentile(samples, 0.99), "us", `p99    ${percentile(samples, 0.99).toFixed(1)} µs`);

await throughput(pool, THROUGHPUT_JOBS / 10, IN_FLIGHT); // warm-up
const jobsPerSecond = await throughput(pool, THROUGHPUT_JOBS, IN_FLIGHT);
console.log(`offload throughput, 2 workers, ${IN_FLIGHT} in flight, ${THROUGHPUT_JOBS} jobs:`);
report("throughput_jobs_per_s", jobsPerSecond, "jobs/s", `${Math.round(jobsPerSecond).toLocaleString("en")} jobs/s`);

await pool.close();
