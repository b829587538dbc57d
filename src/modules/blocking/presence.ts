import { Element } from "ltx";
import type { Router } from "../../../actors/router.js";
import { Jid } from "../../jid.js";

/**
 * XEP-0191 §3.3: "When the user blocks communications with the contact, the user's server MUST
 * send unavailable presence information to the contact"; §3.4: on unblock, "the user's server
 * MUST send the user's current presence to the contact". Sent from each resource that is
 * available (has sent presence), to each local account among `contacts`; the stanzas are marked
 * `exempt` so the block filter lets them pass, and the caller routes them.
 * "Current presence" is the resource's priority only: the session keeps no other presence state.
 * The XEP limits this to contacts "allowed to receive presence notifications" (subscribed);
 * that check needs the roster and is not made here.
 */
export function presenceToContacts(
  deps: { router: Router; domains: readonly string[]; exempt: WeakSet<Element> },
  user: Jid,
  contacts: readonly string[],
  available: boolean,
): Element[] {
  const out: Element[] = [];
  const resources = deps.router.sessionsOf(user.bare()).filter((s) => s.priority !== undefined);
  for (const contact of contacts) {
    const to = Jid.tryParse(contact);
    if (!to || to.local === "" || !deps.domains.includes(to.domain)) continue;
    for (const resource of resources) {
      const presence = new Element("presence", { from: resource.jid.toString(), to: to.toString() });
      if (available) presence.c("priority").t(String(resource.priority));
      else presence.attrs.type = "unavailable";
      deps.exempt.add(presence);
      out.push(presence);
    }
  }
  return out;
}
