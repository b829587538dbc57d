import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type Config, type ConfigInput } from "../config/index.js";
import { Jid } from "../jid.js";
import type { Module } from "../module.js";
import { defaultModules } from "../modules/index.js";
import { Server } from "../server.js";
import { silentLogger, type Logger } from "../log.js";
import { TestClient } from "./test-client.js";

export { TestClient, type StanzaMatcher } from "./test-client.js";
export { stanzaMatchers, stanzaMatches } from "./matchers.js";

export interface TestServerOptions {
  /** Config overrides (merged over the test defaults below). */
  config?: ConfigInput;
  /** Modules to load; default: the reference server's. */
  modules?: Module[];
  logger?: Logger;
}

export interface TestServer {
  server: Server;
  config: Config;
  domain: string;
  /** c2s (STARTTLS) port, on 127.0.0.1. */
  port: number;
  /** Direct TLS port. */
  tlsPort: number;
  addUser(username: string, password?: string): Promise<Jid>;
  /** A connected, authenticated, bound client (password defaults to "pw-" + username). */
  login(username: string, opts?: { password?: string; resource?: string }): Promise<TestClient>;
  /** A connected client before any negotiation (for negative tests). */
  connect(): TestClient;
  stop(): Promise<void>;
}

/**
 * Starts a real server in-process on free loopback ports with a temporary database, for jest:
 * `const t = await startTestServer(); const alice = await t.login("alice"); …; await t.stop();`
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "tjabberd-test-"));
  const config = parseConfig(deepMerge({
    domain: "localhost",
    data_dir: dataDir,
    listeners: { c2s: { host: "127.0.0.1", port: 0 }, c2s_tls: { host: "127.0.0.1", port: 0 } },
    allow_plaintext_loopback: true,
    workers: { size: 1 },
    sasl: { scram_iterations: 4096 },
  }, opts.config ?? {}));
  const server = new Server({ config, modules: opts.modules ?? defaultModules(), logger: opts.logger ?? silentLogger });
  const ports = await server.start();
  const clients: TestClient[] = [];
  const connect = () => {
    const c = new TestClient({ host: "127.0.0.1", port: ports.c2s!, domain: config.domain });
    clients.push(c);
    return c;
  };
  return {
    server,
    config,
    domain: config.domain,
    port: ports.c2s ?? 0,
    tlsPort: ports.c2s_tls ?? 0,
    async addUser(username, password = `pw-${username}`) {
      const jid = new Jid(username, config.domain);
      await server.pool.run("accounts.create", { username: jid.local, password });
      return jid;
    },
    async login(username, o = {}) {
      return connect().login(username, o.password ?? `pw-${username}`, o.resource);
    },
    connect,
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await server.stop(2000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === "object" && !Array.isArray(v) && a[k] && typeof a[k] === "object" ? deepMerge(a[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}
