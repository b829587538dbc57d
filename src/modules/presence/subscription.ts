import { clone } from "ltx";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import type { Handler } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import type { SubscriptionOutcome } from "../../storage/roster-subscription.js";
import { serialize } from "../../xml/index.js";
import type { PresenceService } from "./presence-service.js";
import type { SubscriptionType } from "./subscription-state.js";
import { runSubscriptionEffects } from "./subscription-effects.js";

/**
 * RFC 6121 §3: subscribe, subscribed, unsubscribe, unsubscribed from the user. §3.1.2: the
 * user's server stamps the stanza with the user's bare JID, and it goes to the contact's bare JID
 * (§3.1.1). The state change of both rosters is one job; pushes and deliveries follow its commit.
 */
export function subscriptionHandlers(presence: PresenceService): Handler<Session>[] {
  return [
    function subscriptionRequest(ctx) {
      const { stanza, session } = ctx;
      if (!stanza.attrs.to) throw new StanzaError("bad-request", "a subscription stanza needs a 'to'");
      const contact = Jid.parse(stanza.attrs.to).bare();
      const user = session.jid.bare();
      // One's own presence needs no subscription (a self-item would be its own contact).
      if (contact.equals(user)) return ctx.stopChain();
      const stamped = clone(stanza);
      stamped.attrs.from = user.toString();
      stamped.attrs.to = contact.toString();
      const type = stanza.attrs.type as SubscriptionType;
      ctx.setNextHandler(function subscriptionCommitted(next) {
        const outcome = next.lastRetVal as SubscriptionOutcome;
        presence.rosters.changed(outcome.changes);
        runSubscriptionEffects(presence, stamped, user, contact, outcome.effects);
      });
      return ctx.offload("roster.subscription", {
        user: user.toString(),
        contact: contact.toString(),
        type,
        contactLocal: presence.isLocal(contact),
        stanza: type === "subscribe" ? serialize(stamped, "jabber:client") : undefined,
      });
    },
  ];
}
