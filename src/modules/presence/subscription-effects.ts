import { Element } from "ltx";
import type { Jid } from "../../jid.js";
import type { SubscriptionEffect } from "../../storage/roster-subscription.js";
import type { PresenceService } from "./presence-service.js";

/**
 * Carries out what a committed subscription change calls for (see `subscriptionStep`):
 * `stanza` is the user's subscription stanza, stamped with the bare JIDs of `user` and `contact`.
 */
export function runSubscriptionEffects(presence: PresenceService, stanza: Element, user: Jid, contact: Jid, effects: readonly SubscriptionEffect[]): void {
  const contactOwner = presence.localOwner(contact);
  for (const effect of effects) {
    switch (effect.kind) {
      case "forward":
        // §3.1.3: delivered to the contact's available resources; a pending request is stored and
        // redelivered at login. Not ours: routing answers (no s2s: remote-server-not-found).
        if (!contactOwner) presence.routing.route(stanza);
        else if (effect.deliver) presence.toAccount(stanza, contact);
        break;
      case "reply":
        if (effect.deliver) presence.toAccount(new Element("presence", { type: effect.type, from: contact.toString(), to: user.toString() }), user);
        break;
      case "presence":
        if (effect.from === "user") presence.presenceOf(user.local, contact, effect.available);
        else if (contactOwner) presence.presenceOf(contactOwner, user, effect.available);
        break;
    }
  }
}
