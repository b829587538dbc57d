import type { Element } from "ltx";
import type { ChainOutput } from "../../actors/chain.js";
import type { SnapshotObserver } from "../../actors/machine-runner.js";
import type { Jid } from "../jid.js";

/** What inspection reads from a connection snapshot. */
export interface ConnectionSnapshot {
  value: unknown;
  status: string;
  context?: { jid?: string };
}

/**
 * What the server calls when live inspection is on (`server.inspector`, set by
 * `startInspector()`; undefined otherwise, so a server without it pays one property read per
 * connection and per stanza). src/dev/inspector.ts implements it.
 */
export interface InspectionHooks {
  /** Sees every snapshot of one connection's statechart, with the event that led to it. */
  connection(connection: { readonly id: string }): SnapshotObserver<ConnectionSnapshot>;
  /** A chain starts for a stanza (run it with `trace: true`); the returned function takes its output. */
  chain(connection: { readonly id: string; readonly jid: Jid }, stanza: Element, phase: string): (output: ChainOutput) => void;
}
