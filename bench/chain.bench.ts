/**
 * Framework overhead per stanza: a 3-handler synchronous chain, from chain actor creation to
 * its output (target ≤ 5 µs median), and heap left after 1,000,000 chains (target ≤ 5 MB).
 * Run: npx tsx bench/chain.bench.ts
 */
import { Element } from "ltx";
import { runChain } from "../actors/chain.js";
import { PhaseRegistry } from "../src/phases/phase-registry.js";
import { report, median, percentile, heapUsedAfterGc } from "./stats.js";

const registry = new PhaseRegistry();
const phase = registry.phase({
  name: "bench",
  match: "message",
  handlers: [() => 1, (c) => (c.lastRetVal as number) + 1, (c) => c.chainOutput(c.lastRetVal)],
});
const stanza = new Element("message", { xmlns: "jabber:client", to: "b@localhost" }).c("body").t("hi").root();
const session = {};
let outputs = 0;
const onDone = () => void outputs++;

function batch(n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) runChain({ phase: registry.match(stanza)!, stanza, session, onDone });
  return Number(process.hrtime.bigint() - start) / 1000 / n; // µs per chain
}

for (let i = 0; i < 20; i++) batch(5000); // warm-up
const samples: number[] = [];
for (let i = 0; i < 200; i++) samples.push(batch(1000));
report("chain.sync3.median_us", median(samples), "µs per 3-handler sync chain (match + actor + run), median of 200 batches of 1000");
report("chain.sync3.p99_us", percentile(samples, 99), "µs, p99 of batch means");

const before = heapUsedAfterGc();
for (let i = 0; i < 1_000_000; i++) runChain({ phase, stanza, session, onDone });
const after = heapUsedAfterGc();
report("chain.sync.heap_growth_mb_1M", (after - before) / 1e6, "MB heap growth after 1,000,000 sync chains");
if (outputs === 0 || phase.steps.length !== 3) throw new Error("bench did not run");
