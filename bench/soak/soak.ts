// Soak test: holds N sessions against a running server for a while, with steady message traffic
// (each session sends a numbered message to a random peer every few seconds) and presence
// updates, and reports every 30 s: server RSS, messages sent/received/lost, errors.
//
//   npx tsx bench/soak/soak.ts --quick --spawn          # 200 sessions, 1 min, own local server
//   npx tsx bench/soak/soak.ts --port 5222 --pid <server pid> --sessions 5000 --minutes 10
//
// Against your own server: accounts <prefix>1…<prefix>N with one password must exist
// (bench/load/tjabberd-accounts.ts creates them), plaintext PLAIN must be allowed from this host
// (`allow_plaintext_loopback: true` on loopback) and `limits.max_connections_per_ip` must be at
// least N. `--spawn` does all of that: temporary data directory, accounts, `tjabberd serve`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Element } from "ltx";
import { startServerProcess, writeServerConfig, type ServerProcess } from "../../test/hardening/server-process.js";
import { closeAll } from "../load/load-kit.js";
import { createTjabberdAccounts } from "../load/tjabberd-accounts.js";
import { login, type Mechanism, type XmppConnection } from "../load/xmpp-conn.js";
import { ErrorCounts, MessageLedger, processAlive, rssMb } from "./soak-stats.js";

const { values: args } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "5222" },
    domain: { type: "string", default: "localhost" },
    prefix: { type: "string", default: "soak" },
    password: { type: "string", default: "soak-pw" },
    mechanism: { type: "string", default: "PLAIN" },
    sessions: { type: "string" },
    minutes: { type: "string" },
    quick: { type: "boolean", default: false },
    pid: { type: "string" },
    spawn: { type: "boolean", default: false },
    "message-every": { type: "string", default: "5" },
    "presence-every": { type: "string", default: "30" },
    "report-every": { type: "string", default: "30" },
    grace: { type: "string", default: "10" },
    "connect-concurrency": { type: "string", default: "50" },
  },
});

const SESSIONS = Number(args.sessions ?? (args.quick ? 200 : 5000));
const MINUTES = Number(args.minutes ?? (args.quick ? 1 : 10));
const MESSAGE_EVERY_MS = Number(args["message-every"]) * 1000;
const PRESENCE_EVERY_MS = Number(args["presence-every"]) * 1000;
const REPORT_EVERY_MS = Number(args["report-every"]) * 1000;
const GRACE_MS = Number(args.grace) * 1000;

const ledger = new MessageLedger();
const errors = new ErrorCounts();
const sessions: (XmppConnection | undefined)[] = new Array(SESSIONS + 1);
const accountName = (i: number) => `${args.prefix}${i}`;
const timers = new Set<NodeJS.Timeout>();
let open = 0;
let presencesSent = 0;
let presencesReceived = 0;
let sending = true;

/** Starts a local server with room for the run (`--spawn`). */
async function spawnServer(): Promise<{ server: ServerProcess; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "tjabberd-soak-"));
  const dataDir = join(dir, "data");
  const limits = `limits: { max_connections: ${SESSIONS + 100}, max_connections_per_ip: ${SESSIONS + 100} }`;
  const config = writeServerConfig(dir, { dataDir, domain: args.domain, extra: [limits] });
  const started = Date.now();
  const created = createTjabberdAccounts(dataDir, args.prefix, args.password, SESSIONS);
  console.log(`accounts: ${created} created in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const server = await startServerProcess(config, { timeoutMs: 60_000 });
  return { server, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function onStanza(index: number, el: Element): void {
  if (el.name === "stream:error") {
    const condition = el.children.find((c) => typeof c !== "string" && c.name !== "text");
    errors.add(`stream error: ${typeof condition === "object" ? condition.name : "?"}`);
  } else if (el.name === "message") {
    const id = el.attrs.id ?? "";
    if (el.attrs.type === "error") {
      const condition = el.getChild("error")?.children.find((c) => typeof c !== "string" && c.name !== "text");
      errors.add(`message error: ${typeof condition === "object" ? condition.name : "?"}`);
      ledger.bouncedNow(id);
    } else ledger.receivedNow(id);
  } else if (el.name === "presence") presencesReceived++;
  else if (el.name === "iq" && el.attrs.type === "get") {
    // RFC 6120 §8.2.3: an IQ get needs an answer; a soak client supports nothing.
    sessions[index]?.send(`<iq type='error' id='${el.attrs.id ?? ""}' to='${el.attrs.from ?? ""}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
  }
}

/** Each session's traffic: a message to a random peer every MESSAGE_EVERY_MS (jittered ±50%). */
function scheduleTraffic(index: number): void {
  let seq = 0;
  let presenceAt = performance.now() + Math.random() * PRESENCE_EVERY_MS;
  const tick = () => {
    timers.delete(timer);
    const s = sessions[index];
    if (!sending || !s || s.closed) return;
    let peer = 1 + Math.floor(Math.random() * (SESSIONS - 1));
    if (peer >= index) peer++;
    const id = `${index}.${++seq}`;
    s.send(`<message to='${accountName(peer)}@${args.domain}' type='chat' id='${id}'><body>soak ${id}</body></message>`);
    ledger.sentNow(id);
    if (performance.now() >= presenceAt) {
      presenceAt += PRESENCE_EVERY_MS;
      s.send(presencesSent++ % 2 ? "<presence/>" : `<presence><show>away</show><status>soak ${seq}</status></presence>`);
    }
    timer = setTimeout(tick, MESSAGE_EVERY_MS * (0.5 + Math.random()));
    timers.add(timer);
  };
  let timer = setTimeout(tick, Math.random() * MESSAGE_EVERY_MS);
  timers.add(timer);
}

async function connectAll(): Promise<void> {
  let next = 1;
  const lane = async () => {
    while (next <= SESSIONS) {
      const index = next++;
      try {
        const conn = await login({
          host: args.host, port: Number(args.port), domain: args.domain, username: accountName(index), password: args.password,
          mechanism: args.mechanism as Mechanism, resource: "soak", stepTimeoutMs: 30_000,
        });
        conn.onStanza = (el) => onStanza(index, el);
        conn.socket.once("close", () => {
          open--;
          if (sending) errors.add("connection closed");
        });
        conn.send("<presence/>"); // RFC 6121 §4.2: available, so messages to the bare JID come here
        sessions[index] = conn;
        open++;
      } catch (err) {
        errors.add(`login: ${(err as Error).message.slice(0, 80)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Number(args["connect-concurrency"]) }, lane));
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? "-" : n.toFixed(digits));
const round1 = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);

function reportLine(label: string, serverPid: number | undefined, history: object[]): void {
  const lat = ledger.takeLatencies();
  const server = serverPid ? rssMb(serverPid) : undefined;
  const client = process.memoryUsage().rss / 2 ** 20;
  const row = {
    t: label, sessions: open, sent: ledger.sent, received: ledger.received, inFlight: ledger.inFlight, lost: ledger.lost, late: ledger.late,
    bounced: ledger.bounced, unexpected: ledger.unexpected, errors: errors.total, presencesSent, presencesReceived,
    p50ms: round1(lat.p50), p99ms: round1(lat.p99), maxMs: round1(lat.max), serverRssMb: round1(server), clientRssMb: round1(client),
  };
  history.push(row);
  console.log(
    `[${label.padStart(6)}] sessions ${open}/${SESSIONS}  sent ${ledger.sent}  received ${ledger.received}  in flight ${ledger.inFlight}  lost ${ledger.lost}` +
      `  late ${ledger.late}  errors ${errors.total}  latency p50 ${fmt(lat.p50, 1)} p99 ${fmt(lat.p99, 1)} max ${fmt(lat.max, 1)} ms` +
      `  server RSS ${fmt(server, 1)} MB  client RSS ${fmt(client, 1)} MB`,
  );
  if (errors.total) console.log(`         errors: ${errors}`);
}

async function main(): Promise<number> {
  let spawned: Awaited<ReturnType<typeof spawnServer>> | undefined;
  if (args.spawn) {
    spawned = await spawnServer();
    args.port = String(spawned.server.port);
    args.host = "127.0.0.1";
  }
  const pid = spawned?.server.pid ?? (args.pid ? Number(args.pid) : undefined);
  const history: object[] = [];
  const t0 = performance.now();
  const elapsed = () => `${Math.round((performance.now() - t0) / 1000)}s`;
  console.log(`soak: ${SESSIONS} sessions for ${MINUTES} min against ${args.host}:${args.port}, a message every ~${MESSAGE_EVERY_MS / 1000} s per session${pid ? `, server pid ${pid}` : ""}`);
  if (pid) console.log(`server RSS before: ${fmt(rssMb(pid), 1)} MB`);
  try {
    const ramp = setInterval(() => console.log(`  connecting: ${open}/${SESSIONS} (${elapsed()})`), 5000);
    await connectAll().finally(() => clearInterval(ramp));
    console.log(`connected ${open}/${SESSIONS} in ${elapsed()}; server RSS ${fmt(pid && rssMb(pid), 1)} MB`);

    // Traffic starts once everyone is online: a message to a peer still connecting would wait in
    // offline storage and count as seconds of latency.
    for (let i = 1; i <= SESSIONS; i++) if (sessions[i]) scheduleTraffic(i);
    const tSteady = performance.now();
    const sweeper = setInterval(() => ledger.sweep(GRACE_MS), 1000);
    const reporter = setInterval(() => {
      reportLine(elapsed(), pid, history);
      if (pid && !processAlive(pid)) errors.add("server process gone");
    }, REPORT_EVERY_MS);
    await new Promise((r) => setTimeout(r, Math.max(0, MINUTES * 60_000 - (performance.now() - tSteady))));
    sending = false;
    for (const t of timers) clearTimeout(t);
    // The last messages get the grace period, then whatever is still pending is lost.
    await new Promise((r) => setTimeout(r, GRACE_MS));
    clearInterval(sweeper);
    clearInterval(reporter);
    ledger.sweep(0);
    reportLine(`end`, pid, history);
    await closeAll(sessions);
    console.log(JSON.stringify({ bench: "soak", sessions: SESSIONS, minutes: MINUTES, history, errors: errors.toJSON() }));
    return ledger.lost || errors.total || ledger.unexpected ? 1 : 0;
  } finally {
    if (spawned) {
      const exit = await spawned.server.stop();
      console.log(`server stopped: code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ""}`);
      spawned.cleanup();
    }
  }
}

process.exitCode = await main();
