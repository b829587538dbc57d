import type { Element } from "ltx";
import type { InspectionEvent } from "xstate";
import type { ChainOutput } from "../../actors/chain.js";
import type { Jid } from "../jid.js";

/**
 * What the server calls when live inspection is on (`server.inspector`, set by
 * `startInspector()`; undefined otherwise, so a server without it pays one property read per
 * connection and per stanza). src/dev/inspector.ts implements it.
 */
export interface InspectionHooks {
  /** An xstate `inspect` observer for one connection's actor (passed to `createActor`). */
  connection(connection: { readonly id: string }): (event: InspectionEvent) => void;
  /** A chain starts for a stanza (run it with `trace: true`); the returned function takes its output. */
  chain(connection: { readonly id: string; readonly jid: Jid }, stanza: Element, phase: string): (output: ChainOutput) => void;
}
