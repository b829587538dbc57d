import type { Element } from "ltx";
import type { Jid } from "./jid.js";
import type { Server } from "./server.js";

/** A bound client session, as handlers see it (`ctx.session`). */
export interface Session {
  readonly id: string;
  /** The bound full JID. */
  readonly jid: Jid;
  readonly secure: boolean;
  /** Presence priority once available presence was sent (RFC 6121 §4.7.2.3). */
  priority: number | undefined;
  /** Writes a stanza to this client. */
  send(stanza: Element): void;
  readonly server: Server;
}
