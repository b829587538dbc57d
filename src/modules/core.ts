import { Element } from "ltx";
import { Jid } from "../jid.js";
import { defineModule } from "../module.js";
import type { Server } from "../server.js";
import { reply } from "../stanza.js";

const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";

/**
 * RFC 3921 §3 session establishment, kept as a no-op: RFC 6121 dropped it, but older clients
 * still send it when the feature is listed (we list it as `<optional/>`).
 */
export const sessionModule = defineModule({
  name: "session",
  spec: "RFC 3921 §3 (legacy session, no-op)",
  setup(api) {
    api.phase({
      name: "session.establish",
      match: `iq[@type='set']/{${NS_SESSION}}session`,
      handlers: [(ctx) => ctx.chainOutput(reply(ctx.stanza))],
    });
  },
});

/**
 * Plain routing of presence addressed to other entities (RFC 6120 §10): the lowest-priority
 * phase, so any module claiming a stanza first wins. Messages have their own module
 * (src/modules/message, RFC 6121 §8.5).
 */
export const routingModule = defineModule({
  name: "routing",
  spec: "RFC 6120 §10",
  setup(api) {
    const forward = (ctx: { stanza: Element; chainOutput(x: unknown): void }) => {
      if (ctx.stanza.attrs.to) ctx.chainOutput(ctx.stanza);
    };
    api.phase({ name: "route.presence", match: "{jabber:client}presence[@to]", priority: -1000, handlers: [forward] });
  },
});

/**
 * Who an IQ request is for, as the server sees it:
 * - "server": to one of our domains (RFC 6120 §10.5.1), or no `to` when `noTo` says so;
 * - a bare Jid: a local account the server answers for (RFC 6121 §8.5.2.1.3); RFC 6120 §10.3.3:
 *   no `to` means "on behalf of the account that sent it";
 * - "forward": anything else (a full JID, another domain), for routing to deliver or bounce.
 */
export function iqAddressee(server: Server, iq: Element, noTo: "server" | "account" = "account"): "server" | "forward" | Jid {
  const to = iq.attrs.to;
  if (to === undefined) return noTo === "server" ? "server" : Jid.parse(iq.attrs.from).bare();
  const jid = Jid.parse(to);
  if (!server.domains.includes(jid.domain) || jid.resource) return "forward";
  return jid.local ? jid : "server";
}
