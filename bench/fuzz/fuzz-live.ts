// Long live fuzzing: many connections in parallel feed the server random bytes, mutated stanzas,
// deep nesting, huge attributes, garbage before the stream, before auth and in the middle of SASL.
// The server must never crash, its memory must stay bounded, and every connection must end with a
// well-formed stream error (RFC 6120 §4.9) or keep working. test/hardening/fuzz-live.test.ts is
// the short in-process version for CI.
//
//   npx tsx bench/fuzz/fuzz-live.ts --minutes 3                  # spawns its own server
//   npx tsx bench/fuzz/fuzz-live.ts --port 5222 --pid <pid> --user fuzz --password pw   # your server
//   npx tsx bench/fuzz/fuzz-live.ts --one <seed>                 # replay one connection, with its inputs
//
// Against your own server: accounts <user>1…<user>N (N = --connections), plaintext PLAIN from here,
// and high connection / auth-failure limits; `--spawn` (the default without --port) sets all that.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServerProcess, writeServerConfig, type ServerProcess } from "../../test/hardening/server-process.js";
import { createTjabberdAccounts } from "../load/tjabberd-accounts.js";
import { processAlive, rssMb } from "../soak/soak-stats.js";
import { FuzzConnection, type Outcome } from "./fuzz-connection.js";
import { seededRandom } from "./generators.js";
import { pickScenario, SCENARIOS, type ScenarioContext } from "./scenarios.js";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    pid: { type: "string" },
    domain: { type: "string", default: "localhost" },
    user: { type: "string", default: "fuzz" },
    password: { type: "string", default: "fuzz-pw" },
    connections: { type: "string", default: "64" },
    minutes: { type: "string", default: "2" },
    seed: { type: "string" },
    one: { type: "string" },
    "stall-ms": { type: "string" },
  },
});

const CONNECTIONS = Number(args.connections);
const SERVER_TIMEOUT_MS = 4000; // auth / stream-open / idle timeouts of the spawned server
const LIMITS = { maxStanzaBytes: 262144, maxDepth: 64 };

async function spawnServer(): Promise<{ server: ServerProcess; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tjabberd-fuzz-"));
  const dataDir = join(dir, "data");
  const config = writeServerConfig(dir, {
    dataDir,
    domain: args.domain,
    extra: [
      "limits:",
      `  max_stanza_bytes: ${LIMITS.maxStanzaBytes}`,
      `  max_xml_depth: ${LIMITS.maxDepth}`,
      `  stream_open_timeout_ms: ${SERVER_TIMEOUT_MS}`,
      `  auth_timeout_ms: ${SERVER_TIMEOUT_MS}`,
      `  idle_timeout_ms: ${SERVER_TIMEOUT_MS}`,
      "  max_connections: 100000",
      "  max_connections_per_ip: 100000",
      "  auth_failures_per_ip: 100000000",
      "  auth_failures_per_account: 100000000",
      "  max_auth_failures: 3",
    ],
  });
  createTjabberdAccounts(dataDir, args.user, args.password, CONNECTIONS + 1);
  const server = await startServerProcess(config, { timeoutMs: 60_000 });
  return { server, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface Tally {
  connections: number;
  byScenario: Record<string, Record<string, number>>;
  failures: { seed: number; scenario: string; outcome: Outcome; inputs: string[] }[];
  failed: number;
  /** A few seeds per outcome, to replay with --one. */
  examples: Record<string, number[]>;
}

const preview = (data: string | Buffer) => {
  const s = typeof data === "string" ? data : `<${data.length} bytes> ${data.toString("latin1")}`;
  return JSON.stringify(s.length > 160 ? `${s.slice(0, 160)}…(${s.length})` : s);
};

/** One connection's whole life, from its own seed. */
async function runOne(seed: number, index: number, port: number, tally: Tally, verbose: boolean): Promise<void> {
  const random = seededRandom(seed);
  const scenario = pickScenario(random);
  const inputs: string[] = [];
  const open: FuzzConnection[] = [];
  const ctx: ScenarioContext = {
    random,
    connect: async () => {
      const c = new FuzzConnection({ host: args.host, port, domain: args.domain });
      open.push(c);
      await c.connect();
      return c;
    },
    username: `${args.user}${index}`,
    password: args.password,
    peer: `${args.user}${CONNECTIONS + 1}@${args.domain}`,
    domain: args.domain,
    limits: LIMITS,
    // Idle: a keepalive after one timeout, the close after a second one (machines/connection.ts).
    stallMs: Number(args["stall-ms"] ?? 2 * SERVER_TIMEOUT_MS + 4000),
    trace: (what, data) => {
      inputs.push(`${what}: ${preview(data)}`);
      if (verbose) console.log(`  > ${what}: ${preview(data)}`);
    },
  };
  let outcome: Outcome;
  try {
    outcome = await SCENARIOS[scenario](ctx);
  } catch (err) {
    outcome = { ok: false, kind: "unexpected", detail: `client error: ${(err as Error).message}` };
  } finally {
    for (const c of open) c.destroy();
  }
  const key = outcome.ok ? (outcome.kind === "stream-error" ? `stream-error:${outcome.condition}` : outcome.kind) : `FAIL:${outcome.kind}`;
  tally.connections++;
  (tally.byScenario[scenario] ??= {})[key] = (tally.byScenario[scenario][key] ?? 0) + 1;
  const examples = (tally.examples[`${scenario} ${key}`] ??= []);
  if (examples.length < 3) examples.push(seed);
  if (!outcome.ok) {
    tally.failed++;
    if (tally.failures.length < 20) tally.failures.push({ seed, scenario, outcome, inputs });
  }
  if (verbose) console.log(`${scenario} → ${key}${outcome.ok ? "" : ` (${outcome.detail})`}`);
}

let stopping = false;

async function main(): Promise<number> {
  const spawned = args.port ? undefined : await spawnServer();
  const port = spawned?.server.port ?? Number(args.port);
  const pid = spawned?.server.pid ?? (args.pid ? Number(args.pid) : undefined);
  const tally: Tally = { connections: 0, byScenario: {}, failures: [], failed: 0, examples: {} };
  try {
    if (args.one) {
      await runOne(Number(args.one), 1, port, tally, true);
      return tally.failed ? 1 : 0;
    }
    const baseSeed = Number(args.seed ?? Math.floor(Math.random() * 2 ** 31));
    const minutes = Number(args.minutes);
    const rss: number[] = [];
    const sample = () => {
      const mb = pid ? rssMb(pid) : undefined;
      if (mb !== undefined) rss.push(mb);
      return mb;
    };
    console.log(`fuzz: ${CONNECTIONS} connections in parallel for ${minutes} min against port ${port}, seed ${baseSeed}; server RSS at start ${sample()?.toFixed(1) ?? "?"} MB`);
    let crashed = false;
    spawned?.server.exited.then((e) => {
      if (stopping) return;
      crashed = true;
      console.log(`SERVER EXITED: code ${e.code} signal ${e.signal}\n${spawned.server.log().slice(-4000)}`);
    });

    // A canary session that never gets garbage: it must answer throughout.
    const canary = new FuzzConnection({ host: args.host, port, domain: args.domain });
    await canary.connect();
    if (!(await canary.login(`${args.user}${CONNECTIONS + 1}`, args.password))) throw new Error("canary login failed");
    let canaryMisses = 0;
    let canaryMaxMs = 0;
    const canaryTimer = setInterval(async () => {
      const t = performance.now();
      if (!(await canary.probe(2000))) canaryMisses++;
      canaryMaxMs = Math.max(canaryMaxMs, performance.now() - t);
    }, 1000);

    const deadline = performance.now() + minutes * 60_000;
    let seedCounter = 0;
    const t0 = performance.now();
    const reporter = setInterval(() => {
      const mb = sample();
      console.log(`[${Math.round((performance.now() - t0) / 1000)}s] connections ${tally.connections}  failed ${tally.failed}  server RSS ${mb?.toFixed(1) ?? "?"} MB  canary max ${canaryMaxMs.toFixed(0)} ms, misses ${canaryMisses}`);
    }, 15_000);
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, i) => {
        while (performance.now() < deadline && !crashed) await runOne(baseSeed + seedCounter++, i + 1, port, tally, false);
      }),
    );
    clearInterval(reporter);
    clearInterval(canaryTimer);
    const canaryAlive = await canary.probe(2000);
    canary.destroy();
    // Let the server release the connections' memory before the last sample.
    await new Promise((r) => setTimeout(r, 5000));
    const end = sample();
    const alive = pid ? processAlive(pid) : !crashed;

    console.log(`\n${tally.connections} connections, ${tally.failed} failed; server alive: ${alive}; canary: ${canaryAlive ? "answering" : "NOT answering"}, max ${canaryMaxMs.toFixed(0)} ms, ${canaryMisses} misses`);
    console.log(`server RSS: start ${rss[0]?.toFixed(1)} MB, max ${Math.max(...rss).toFixed(1)} MB, end ${end?.toFixed(1)} MB`);
    for (const [scenario, kinds] of Object.entries(tally.byScenario)) {
      const list = Object.entries(kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(", ");
      console.log(`  ${scenario}: ${list}`);
    }
    console.log(`  seeds to replay (--one): ${Object.entries(tally.examples).map(([k, seeds]) => `${k}: ${seeds.join(" ")}`).join("; ")}`);
    for (const f of tally.failures) {
      console.log(`FAIL seed ${f.seed} (${f.scenario}): ${JSON.stringify(f.outcome)}`);
      for (const line of f.inputs) console.log(`    ${line}`);
    }
    const errorLines = spawned ? spawned.server.log().split("\n").filter((l) => / (error|warn) /.test(l)) : [];
    if (errorLines.length) console.log(`server log warnings/errors (last 64 KB):\n${errorLines.slice(-20).join("\n")}`);
    console.log(JSON.stringify({ bench: "fuzz-live", connections: tally.connections, failed: tally.failed, alive, rssStartMb: rss[0], rssMaxMb: Math.max(...rss), rssEndMb: end, canaryMaxMs, canaryMisses, byScenario: tally.byScenario }));
    return tally.failed || !alive || !canaryAlive || canaryMisses ? 1 : 0;
  } finally {
    stopping = true;
    if (spawned) {
      const exit = await spawned.server.stop();
      console.log(`server stopped: code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ""}`);
      spawned.cleanup();
    }
  }
}

process.exitCode = await main();
