import { parse } from "ltx";
import { Jid } from "../../jid.js";
import type { Handler } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { checkPresence } from "./presence-syntax.js";
import type { PresenceService } from "./presence-service.js";

/**
 * RFC 6121 §4 presence that is not about subscriptions: without 'to' it is broadcast (§4.2
 * initial, §4.4 update, §4.5 unavailable); with 'to' it is directed (§4.6), a probe (§4.3) or
 * an error, routed as is. After initial presence, §3.1.3: pending subscription requests are
 * delivered again ("until the contact approves or denies the request").
 */
export function presenceHandlers(presence: PresenceService): Handler<Session>[] {
  return [
    function presenceChecked(ctx) {
      return checkPresence(ctx.stanza);
    },
    function presenceRouted(ctx) {
      const { stanza, session } = ctx;
      const type = stanza.attrs.type;
      if (stanza.attrs.to) {
        if (type === undefined || type === "unavailable") return presence.directed(session, stanza);
        if (type === "probe") return presence.answerProbe(session, Jid.parse(stanza.attrs.to).bare());
        return ctx.chainOutput(stanza);
      }
      if (type === undefined) {
        const priority = ctx.lastRetVal as number;
        return presence.available(session, stanza, priority).then((initial) => (initial ? "initial" : undefined));
      }
      if (type === "unavailable") return presence.unavailable(session, stanza);
      // A probe or error addressed to nobody: nothing to do.
    },
    function pendingRequests(ctx) {
      if (ctx.lastRetVal !== "initial") return ctx.stopChain();
      return ctx.offload("roster.pendingIn", { owner: ctx.session.jid.local });
    },
    function pendingRedelivered(ctx) {
      for (const xml of ctx.lastRetVal as string[]) ctx.session.send(parse(xml));
    },
  ];
}
