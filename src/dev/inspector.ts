import type { Element } from "ltx";
import type { ChainOutput, ChainTraceEntry } from "../../actors/chain.js";
import type { WorkerPoolStats } from "../../actors/worker-pool.js";
import type { Jid } from "../jid.js";
import { activePaths } from "./chart-model.js";
import type { ConnectionSnapshot, InspectionHooks } from "./inspection-hooks.js";
import type { SnapshotObserver } from "../../actors/machine-runner.js";

/** One connection actor as the inspector shows it. */
export interface ConnectionView {
  id: string;
  jid: string | undefined;
  /** The machine's state value, e.g. `{ authenticated: { established: "active" } }`. */
  state: unknown;
  /** Its active state paths (`authenticated`, `authenticated.established`, …), as in the chart's `data-state`. */
  paths: string[];
  /** xstate's actor status: "active", then "done" (closed) or "stopped". */
  status: string;
  /** The event that led to this state. */
  event: string;
  /** When the state was entered (ms since the epoch). */
  since: number;
}

/** One stanza's chain, with the handlers it went through. */
export interface StanzaRecord {
  seq: number;
  at: number;
  connection: string;
  jid: string;
  phase: string;
  /** The stanza as received (`from` stamped), cut at MAX_STANZA_CHARS. */
  xml: string;
  /** Wall time from the chain's start to its end, offloaded jobs included. */
  ms: number;
  trace: ChainTraceEntry[];
  outputs: number;
  error: string | undefined;
}

export type InspectorEvent =
  | { type: "connection"; data: ConnectionView }
  | { type: "stanza"; data: StanzaRecord }
  | { type: "pool"; data: WorkerPoolStats };

export interface InspectorOptions {
  /** Stanzas kept (a ring buffer). */
  stanzaLimit?: number;
  /** Closed connections kept on show. */
  closedLimit?: number;
  /** Where pool stats come from (`server.pool.stats()`). */
  poolStats?: () => WorkerPoolStats | undefined;
}

const MAX_STANZA_CHARS = 4000;

/**
 * Collects what the live inspector page shows: each connection's state (from xstate's
 * inspection API: `@xstate.snapshot` events), the last stanzas with their chain traces, and the
 * worker pool's stats. Listeners (the page's event stream) get every change.
 */
export class Inspector implements InspectionHooks {
  private readonly connections = new Map<string, ConnectionView>();
  private readonly stanzas: StanzaRecord[] = [];
  private seq = 0;
  private readonly listeners = new Set<(event: InspectorEvent) => void>();
  private readonly stanzaLimit: number;
  private readonly closedLimit: number;
  readonly poolStats: () => WorkerPoolStats | undefined;

  constructor(opts: InspectorOptions = {}) {
    this.stanzaLimit = opts.stanzaLimit ?? 200;
    this.closedLimit = opts.closedLimit ?? 20;
    this.poolStats = opts.poolStats ?? (() => undefined);
  }

  // --- InspectionHooks ------------------------------------------------------------------

  connection(connection: { readonly id: string }): SnapshotObserver<ConnectionSnapshot> {
    let last = "";
    return (snapshot, event) => {
      const key = JSON.stringify([snapshot.value, snapshot.status, snapshot.context?.jid]);
      if (key === last) return; // `activity` events and the like: nothing visible changed
      last = key;
      const view: ConnectionView = {
        id: connection.id,
        jid: snapshot.context?.jid,
        state: snapshot.value,
        paths: activePaths(snapshot.value),
        status: snapshot.status,
        event: event.type,
        since: Date.now(),
      };
      this.connections.set(connection.id, view);
      if (view.status !== "active") this.pruneClosed();
      this.emit({ type: "connection", data: view });
    };
  }

  chain(connection: { readonly id: string; readonly jid: Jid }, stanza: Element, phase: string): (output: ChainOutput) => void {
    const started = performance.now();
    const at = Date.now();
    const xml = stanza.toString();
    const jid = connection.jid.toString();
    return (output) => {
      try {
        this.record({
          seq: ++this.seq,
          at,
          connection: connection.id,
          jid,
          phase,
          xml: xml.length > MAX_STANZA_CHARS ? xml.slice(0, MAX_STANZA_CHARS) + "…" : xml,
          ms: performance.now() - started,
          trace: output.trace ?? [],
          outputs: output.outputs.length,
          error: output.error === undefined ? undefined : describe(output.error),
        });
      } catch {
        // Inspection must never break the stanza's own processing.
      }
    };
  }

  // --- reading ----------------------------------------------------------------------------

  /** Everything at once, for a page that just connected. */
  snapshot(): { connections: ConnectionView[]; stanzas: StanzaRecord[]; pool: WorkerPoolStats | undefined } {
    return { connections: [...this.connections.values()], stanzas: [...this.stanzas], pool: this.poolStats() };
  }

  subscribe(listener: (event: InspectorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Sends the pool's stats to the listeners (the server calls it on a timer while a page is open). */
  publishPool(): void {
    const stats = this.poolStats();
    if (stats) this.emit({ type: "pool", data: stats });
  }

  private record(rec: StanzaRecord): void {
    this.stanzas.push(rec);
    if (this.stanzas.length > this.stanzaLimit) this.stanzas.shift();
    this.emit({ type: "stanza", data: rec });
  }

  private pruneClosed(): void {
    const closed = [...this.connections.values()].filter((c) => c.status !== "active");
    for (const c of closed.slice(0, Math.max(0, closed.length - this.closedLimit))) this.connections.delete(c.id);
  }

  private emit(event: InspectorEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener); // a broken page stream; the others go on
      }
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const condition = (err as { condition?: unknown }).condition;
    return typeof condition === "string" ? `${err.name} (${condition}): ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
