import { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import type { Jid } from "../../jid.js";
import type { Handler } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import type { RemoveOutcome, RosterChange } from "../../storage/roster-subscription.js";
import type { PresenceService } from "../presence/presence-service.js";
import { runSubscriptionEffects } from "../presence/subscription-effects.js";
import { checkOwnRoster } from "./roster-access.js";
import { NS_ROSTER, parseRosterSet } from "./roster-xml.js";

/**
 * RFC 6121 §2.3 (add), §2.4 (update), §2.5 (delete). §2.3.2: the server pushes the item to all
 * of the user's interested resources, the one that sent the roster set included, and answers it
 * with an IQ result — here, once the change is committed.
 */
export function rosterSet(presence: PresenceService, maxItems: number): Handler<Session> {
  return function rosterSet(ctx) {
    const { stanza, session } = ctx;
    checkOwnRoster(stanza, session);
    const request = parseRosterSet(stanza.getChild("query", NS_ROSTER)!);
    const user = session.jid.bare();
    if (request.kind === "remove") {
      ctx.setNextHandler(function rosterRemoved(next) {
        const outcome = next.lastRetVal as RemoveOutcome | null;
        // §2.5.3: removing an item that is not in the roster is an <item-not-found/> error.
        if (!outcome) throw new StanzaError("item-not-found");
        presence.rosters.changed(outcome.changes);
        for (const step of outcome.steps) {
          runSubscriptionEffects(presence, subscriptionStanza(step.type, user, request.jid), user, request.jid, step.effects);
        }
        next.chainOutput(reply(stanza));
      });
      return ctx.offload("roster.remove", { user: user.toString(), contact: request.jid.toString(), contactLocal: presence.isLocal(request.jid) });
    }
    ctx.setNextHandler(function rosterStored(next) {
      // RFC 6121 §2.3.3: a roster at its size limit → <not-allowed/>.
      if (next.lastRetVal === "full") throw new StanzaError("not-allowed", `a roster holds at most ${maxItems} items`);
      presence.rosters.changed(next.lastRetVal as RosterChange[]);
      next.chainOutput(reply(stanza));
    });
    const { jid, name, groups } = request;
    return ctx.offload("roster.set", { owner: session.jid.local, item: { jid: jid.toString(), name, groups }, maxItems });
  };
}

/** §2.5.2: the unsubscribe / unsubscribed the removal sends on the user's behalf. */
function subscriptionStanza(type: string, user: Jid, contact: Jid): Element {
  return new Element("presence", { type, from: user.toString(), to: contact.toString() });
}
