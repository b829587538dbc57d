import type { Jid } from "../../jid.js";
import type { Server } from "../../server.js";
import type { Roster } from "../../storage/roster.js";

/**
 * Whether `requester` may learn about `owner`'s account from the server (XEP-0030 §8, XEP-0012
 * §4): the account itself, or an entity "authorized to receive presence from the target entity
 * (i.e., via a presence subscription of type 'both' or 'from')". The owner's roster is read with
 * the roster module's `roster.load` job; without it (or on any failure) the answer is no.
 */
export async function presenceAuthorized(server: Server, owner: Jid, requester: Jid): Promise<boolean> {
  if (owner.bareEquals(requester)) return true;
  const roster = await server.pool.run<Roster>("roster.load", { owner: owner.local }).catch(() => undefined);
  const item = roster?.items.find((i) => i.jid === requester.toBareString());
  return item?.subscription === "from" || item?.subscription === "both";
}
