import { Element } from "ltx";
import { defineModule } from "../module.js";
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
 * Plain routing of stanzas addressed to other entities (RFC 6120 §10): the lowest-priority
 * phases, so any module claiming a stanza first wins. The IM module (RFC 6121) refines this.
 */
export const routingModule = defineModule({
  name: "routing",
  spec: "RFC 6120 §10",
  setup(api) {
    const forward = (ctx: { stanza: Element; chainOutput(x: unknown): void }) => {
      if (ctx.stanza.attrs.to) ctx.chainOutput(ctx.stanza);
    };
    api.phase({ name: "route.message", match: "{jabber:client}message[@to]", priority: -1000, handlers: [forward] });
    api.phase({ name: "route.presence", match: "{jabber:client}presence[@to]", priority: -1000, handlers: [forward] });
  },
});
