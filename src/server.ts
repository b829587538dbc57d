import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Server as NetServer } from "node:net";
import type { Element } from "ltx";
import type { Config } from "./config/schema.js";
import { PhaseRegistry } from "./phases/phase-registry.js";
import type { Handler } from "./phases/handler.js";
import { Router } from "../actors/router.js";
import { WorkerPool, siblingModule } from "../actors/worker-pool.js";
import { createLogger, type Logger } from "./log.js";
import { HOOKS, type HookName, type Module, type ModuleApi } from "./module.js";
import type { Session } from "./session.js";
import { loadOrCreateCertificate } from "./tls/certificate.js";
import { Routing } from "./routing.js";
import { AuthThrottle } from "./limits/auth-throttle.js";
import { loadOrCreateFakeSaltSecret } from "./sasl/fake-salt-secret.js";
import { listenC2S, type C2SListener } from "../actors/c2s-listener.js";
import type { C2SConnection } from "../actors/c2s-connection.js";
import type { InspectionHooks } from "./dev/inspection-hooks.js";

export interface ServerOptions {
  config: Config;
  modules?: Module[];
  logger?: Logger;
}

/**
 * The assembled server: config, phases, router, worker pool, listeners and modules.
 * The reference server is this plus the bundled modules; a user can build their own the same way.
 */
export class Server {
  readonly config: Config;
  readonly log: Logger;
  readonly registry = new PhaseRegistry<Session>();
  readonly router = new Router();
  readonly domains: string[];
  readonly dbPath: string;
  pool!: WorkerPool;
  /** Unknown SASL users' fake salts derive from it; stable across restarts. */
  fakeSaltSecret: Uint8Array | undefined;
  readonly connections = new Set<C2SConnection>();
  readonly streamFeatures: ((session: Session) => Element | undefined)[] = [];
  readonly discoFeatures = new Set<string>();
  readonly routing: Routing;
  readonly authThrottle: AuthThrottle;
  /** Live inspection (`startInspector()` in src/dev/inspector-server.ts); off (undefined) by default. */
  inspector: InspectionHooks | undefined = undefined;
  private readonly jobModules: (URL | string)[] = [siblingModule(import.meta.url, "storage/account-jobs")];
  private readonly hooks = new Map<HookName, ((session?: Session) => void | Promise<void>)[]>();
  private listeners: C2SListener[] = [];
  private stopping: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    this.config = options.config;
    this.log = options.logger ?? createLogger(this.config.log);
    this.domains = [this.config.domain, ...this.config.domains];
    this.routing = new Routing(this.router, this.domains);
    const limits = this.config.limits;
    this.authThrottle = new AuthThrottle(limits.auth_failures_per_ip, limits.auth_failures_per_account, limits.auth_failure_window_s);
    this.dbPath = this.config.data_dir === ":memory:" ? ":memory:" : join(resolve(this.config.data_dir), "tjabberd.sqlite");
    for (const module of options.modules ?? []) this.use(module);
  }

  use(module: Module): this {
    if (this.config.modules.disabled.includes(module.name)) return this;
    module.setup(this.moduleApi());
    this.log.debug("module loaded", { module: module.name, spec: module.spec });
    return this;
  }

  /** Opens the database (via the workers), loads the certificate, starts listening. */
  async start(): Promise<{ c2s?: number; c2s_tls?: number }> {
    if (this.dbPath !== ":memory:") {
      mkdirSync(resolve(this.config.data_dir), { recursive: true });
      this.fakeSaltSecret = loadOrCreateFakeSaltSecret(resolve(this.config.data_dir));
    }
    this.pool = new WorkerPool({
      size: this.config.workers.size,
      jobModules: this.jobModules,
      timeoutMs: this.config.workers.job_timeout_ms,
      workerData: { dbPath: this.dbPath, iterations: this.config.sasl.scram_iterations },
    });
    await this.pool.ready();
    const tls = await loadOrCreateCertificate({ ...this.config.tls, dataDir: resolve(this.config.data_dir), domains: this.domains });
    const ports: { c2s?: number; c2s_tls?: number } = {};
    for (const kind of ["c2s", "c2s_tls"] as const) {
      const listener = this.config.listeners[kind];
      if (!listener.enabled) continue;
      const l = await listenC2S(this, { host: listener.host, port: listener.port, directTls: kind === "c2s_tls", tls });
      this.listeners.push(l);
      ports[kind] = l.port;
      this.log.info(`listening for ${kind === "c2s" ? "client connections (STARTTLS)" : "client connections (direct TLS, XEP-0368)"} on ${listener.host}:${l.port}`, { domain: this.config.domain });
    }
    this.emit("server.started");
    return ports;
  }

  /**
   * Graceful stop: no new connections, `<system-shutdown/>` to every stream, wait (bounded) for
   * queued writes and closes, then the worker pool (which closes the database).
   */
  stop(timeoutMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      this.emit("server.stopping");
      await Promise.all(this.listeners.map((l) => l.close()));
      const closed = [...this.connections].map((c) => c.shutdown());
      await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      for (const c of this.connections) c.destroy();
      await Promise.all((this.hooks.get("server.drained") ?? []).map((fn) => Promise.resolve().then(() => fn()).catch((err) => this.log.error("hook failed", { hook: "server.drained", error: String(err) }))));
      await this.pool?.close();
      this.authThrottle.close();
    })();
    return this.stopping;
  }

  /** Delivers a stanza a chain produced; errors bounce back to the sender. */
  route(stanza: Element): void {
    this.routing.route(stanza);
  }

  emit(hook: HookName, session?: Session): void {
    for (const fn of this.hooks.get(hook) ?? []) {
      try {
        fn(session);
      } catch (err) {
        this.log.error("hook failed", { hook, error: String(err) });
      }
    }
  }

  private moduleApi(): ModuleApi {
    return {
      config: this.config,
      router: this.router,
      routing: this.routing,
      registry: this.registry,
      server: this,
      log: this.log,
      phase: (def) => void this.registry.phase(def),
      handler: (name: string, fn: Handler<Session>) => void this.registry.handler(name, fn),
      extendPhase: (phase, spec, where) => void this.registry.extend(phase, spec, where),
      phasePrelude: (spec) => this.registry.prelude(spec),
      streamFeature: (feature) => void this.streamFeatures.push(feature),
      discoFeature: (ns) => void this.discoFeatures.add(ns),
      jobs: (url) => {
        if (this.pool) throw new Error("job modules must be registered before start()");
        this.jobModules.push(url);
      },
      on: (hook, fn) => {
        if (!HOOKS.includes(hook)) throw new Error(`unknown hook "${hook}" (known: ${HOOKS.join(", ")})`);
        this.hooks.set(hook, [...(this.hooks.get(hook) ?? []), fn]);
      },
    };
  }
}

export type { NetServer };
