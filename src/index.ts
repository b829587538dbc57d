// tjabberd's public API: what `import { ... } from "tjabberd"` gives. The reference server is
// built from exactly these pieces.

// Server assembly and modules
export { Server, type ServerOptions } from "./server.js";
export { defineModule, HOOKS, type Module, type ModuleApi, type HookName } from "./module.js";
export type { Session } from "./session.js";
export { defaultModules } from "./modules/index.js";

// Phases and chained handlers
export { PhaseRegistry, type Phase, type PhaseDefinition, type HandlerSpec } from "./phases/phase-registry.js";
export { PhaseError, type PhaseErrorCode } from "./phases/phase-error.js";
export { parseMatchExpression, type MatchExpression } from "./phases/match-expression.js";
export { Offload, type Handler, type HandlerContext, type HandlerRef } from "./phases/handler.js";

// Actors
export { chainLogic, runChain, ChainRun, type ChainInput, type ChainOutput, type ChainEvent, type JobRunner } from "../actors/chain.js";
export { WorkerPool, JobError, defineJobs, siblingModule, type WorkerPoolOptions } from "../actors/worker-pool.js";
export type { JobContext, JobModule } from "../actors/worker-jobs.js";
export { OrderedQueue } from "../actors/ordered-queue.js";
export { workerDatabase, openDatabase } from "./storage/sqlite.js";
export { Router, type RoutedSession, type BindPolicy } from "../actors/router.js";

// Machines
export { connectionMachine, type ConnectionContext, type ConnectionEvent, type ConnectionInput } from "../machines/connection.js";

// XMPP building blocks
export { Jid, JidError, jid } from "./jid.js";
export { StanzaError, StreamError, type StanzaCondition, type StreamCondition } from "./errors.js";
export { reply, errorReply } from "./stanza.js";
export { Routing, type RouteFilter, type RoutePreparer, type DeliveredHook, type UndeliverableHook, type Delivery } from "./routing.js";
export { StreamParser, serialize, streamHeader, STREAM_CLOSE, type StreamHeader, type StreamParserOptions } from "./xml/index.js";

// Configuration and logging
export { configSchema, parseConfig, loadConfig, defaultConfig, ConfigError, type Config, type ConfigInput } from "./config/index.js";
export { createLogger, type Logger } from "./log.js";
