import type { Handler } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import { checkOwnRoster } from "./roster-access.js";
import type { RosterService } from "./roster-service.js";
import { itemElement, NS_ROSTER, queryElement } from "./roster-xml.js";

/**
 * RFC 6121 §2.2 roster get, with §2.6 versioning: when the client's `ver` is the current version
 * the answer is an empty IQ result (no changes since), otherwise the whole roster with its
 * version. The requester becomes an interested resource (§2.1.6) in the same
 * step the answer is written, so every later change reaches it as a push.
 */
export function rosterGet(rosters: RosterService): Handler<Session> {
  return async function rosterGet(ctx) {
    const { stanza, session } = ctx;
    checkOwnRoster(stanza, session);
    const roster = await rosters.cache.get(session.jid.local);
    const requested = stanza.getChild("query", NS_ROSTER)!.attrs.ver;
    if (requested !== undefined && requested === String(roster.version)) session.send(reply(stanza));
    else session.send(reply(stanza, queryElement(roster.version, [...roster.items.values()].map(itemElement))));
    rosters.markInterested(session);
  };
}
