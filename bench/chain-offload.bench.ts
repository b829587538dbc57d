/**
 * A chain with one offloaded job on a real 2-worker pool: round trip (target ≤ 50 µs median),
 * throughput, and the heap after 1,000,000 such chains (target: within 5 MB of the start).
 * Run: npm run bench chain-offload
 */
import { Element } from "ltx";
import { runChain, type ChainOutput } from "../actors/chain.js";
import { WorkerPool } from "../actors/worker-pool.js";
import { PhaseRegistry } from "../src/phases/phase-registry.js";
import { heapUsedAfterGc, median, percentile, report } from "./stats.js";

const pool = new WorkerPool({ size: 2, jobModules: [new URL("../test/fixtures/jobs-basic.ts", import.meta.url)] });
await pool.ready();
const registry = new PhaseRegistry();
const phase = registry.phase({
  name: "offload",
  handlers: [() => 1, (c) => c.offload("add", { a: c.lastRetVal as number, b: 1 }), (c) => c.chainOutput(c.lastRetVal)],
});
const stanza = new Element("iq", { type: "get", id: "1" });

const chain = () => new Promise<ChainOutput>((resolve) => runChain({ phase, stanza, session: null, jobs: pool, onDone: resolve }));

for (let i = 0; i < 5000; i++) await chain(); // warm-up
const rtt: number[] = [];
for (let i = 0; i < 20000; i++) {
  const t0 = performance.now();
  const out = await chain();
  rtt.push((performance.now() - t0) * 1000);
  if (out.outputs[0] !== 2) throw new Error("wrong result");
}
report("chain.offload.rtt_median_us", median(rtt), "µs median, chain with one offloaded job, sequential");
report("chain.offload.rtt_p99_us", percentile(rtt, 99), "µs p99");

/** `total` chains with `inFlight` at a time; resolves with chains/s. */
async function throughput(total: number, inFlight: number): Promise<number> {
  let started = 0;
  let finished = 0;
  const t0 = performance.now();
  await new Promise<void>((done) => {
    const next = () => {
      if (started >= total) return;
      started++;
      runChain({ phase, stanza, session: null, jobs: pool, onDone: () => (++finished === total ? done() : next()) });
    };
    for (let i = 0; i < inFlight; i++) next();
  });
  return total / ((performance.now() - t0) / 1000);
}
report("chain.offload.throughput_per_s", await throughput(200_000, 1000), "offloaded chains/s, 2 workers, 1000 in flight");

const before = heapUsedAfterGc();
await throughput(1_000_000, 1000);
const after = heapUsedAfterGc();
report("chain.offload.heap_growth_mb_1M", (after - before) / 1e6, "MB heap growth after 1,000,000 offloaded chains");
await pool.close();
