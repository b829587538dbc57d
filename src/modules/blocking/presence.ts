import { Jid } from "../../jid.js";
import type { PresenceService } from "../presence/index.js";
import type { BlocklistCache } from "./blocklist-cache.js";

/**
 * XEP-0191 §3.3: "When the user blocks communications with the contact, the user's server MUST
 * send unavailable presence information to the contact (but only if the contact is allowed to
 * receive presence notifications [e.g., if the contact is subscribed to the user's presence])";
 * §3.4: on unblock, "the user's server MUST send the user's current presence to the contact"
 * (same condition). Subscribed means 'from' or 'both' in the user's roster; items that are local
 * accounts' bare JIDs only (a blocked full JID or domain gets no presence).
 *
 * Sent through the presence service, so through the route filter: on block call this before the
 * new list is cached, on unblock after. The contact's list is loaded first so the filter decides
 * now rather than holding the stanza until after the change.
 */
export async function presenceToContacts(
  presence: PresenceService,
  cache: BlocklistCache,
  user: Jid,
  contacts: readonly string[],
  available: boolean,
): Promise<void> {
  const roster = await presence.rosters.cache.get(user.local);
  for (const contact of contacts) {
    const jid = Jid.tryParse(contact);
    if (!jid?.isBare() || presence.localOwner(jid) === undefined) continue;
    const subscription = roster.items.get(jid.toString())?.subscription;
    if (subscription !== "from" && subscription !== "both") continue;
    await cache.load(jid.local);
    presence.presenceOf(user.local, jid, available);
  }
}
