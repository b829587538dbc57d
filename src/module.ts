import type { Element } from "ltx";
import type { Config } from "./config/schema.js";
import type { Handler } from "./phases/handler.js";
import type { PhaseDefinition, PhaseRegistry } from "./phases/phase-registry.js";
import type { Router } from "../actors/router.js";
import type { Routing } from "./routing.js";
import type { Server } from "./server.js";
import type { HandlerRef } from "./phases/handler.js";
import type { HandlerSpec } from "./phases/phase-registry.js";
import type { Logger } from "./log.js";
import type { Session } from "./session.js";

/** Hooks a module may listen to; a fixed, validated list (an unknown name throws at setup). */
export const HOOKS = ["session.started", "session.ended", "server.started", "server.stopping", "server.drained"] as const;
export type HookName = (typeof HOOKS)[number];

/**
 * What a module sees at setup: everything the reference server itself is built with.
 * A module (one XEP or RFC area, in the spirit of Prosody's mod_*) registers phases, handlers,
 * stream and disco features, job modules for the worker pool, and hooks.
 */
export interface ModuleApi {
  readonly config: Config;
  readonly router: Router;
  /** Delivery extension points: filters (blocking), delivered (carbons), undeliverable (offline). */
  readonly routing: Routing;
  /** The whole server (its worker pool, connections…), for what the narrower API does not cover. */
  readonly server: Server;
  readonly registry: PhaseRegistry<Session>;
  readonly log: Logger;
  phase(def: PhaseDefinition<Session>): void;
  handler(name: string, fn: Handler<Session>): void;
  /** Adds a handler to another module's phase (see PhaseRegistry.extend). */
  extendPhase(phase: string, spec: HandlerRef<Session> | HandlerSpec<Session>, where?: { before?: string; after?: string; first?: boolean }): void;
  /** A handler run first in every phase, present and future (see PhaseRegistry.prelude). */
  phasePrelude(spec: HandlerRef<Session> | HandlerSpec<Session>): void;
  /** A stream feature offered after authentication (RFC 6120 §4.3.2), e.g. XEP-0198's `<sm/>`. */
  streamFeature(feature: (session: Session) => Element | undefined): void;
  /** A feature var for the server's disco#info (XEP-0030). */
  discoFeature(namespace: string): void;
  /** A job module (file URL) every worker thread loads; see `siblingModule()`. */
  jobs(moduleUrl: URL | string): void;
  /**
   * `server.drained` runs after every connection closed and before the worker pool stops;
   * a Promise it returns is awaited (last writes go there).
   */
  on(hook: HookName, fn: (session?: Session) => void | Promise<void>): void;
}

export interface Module {
  /** Unique name, used by `modules.disabled` in the config. */
  name: string;
  /** The RFC/XEP it implements, for docs and the feature table. */
  spec?: string;
  setup(api: ModuleApi): void;
}

export function defineModule(module: Module): Module {
  return module;
}
