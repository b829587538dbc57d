import { Element, parse } from "ltx";
import type { Session } from "../../session.js";
import type { OfflineMessage } from "../../storage/offline.js";

const NS_DELAY = "urn:xmpp:delay";

/**
 * XEP-0160 §2: when the account next sends available presence with a non-negative priority, its
 * stored messages go to that resource, oldest first (removed from storage as they are taken),
 * each with a XEP-0203 §4 delay: `<delay xmlns='urn:xmpp:delay' from='domain' stamp='…Z'/>`.
 * Resolves with the number of messages delivered.
 */
export async function deliverOffline(session: Session): Promise<number> {
  const messages = await session.server.pool.run<OfflineMessage[]>("offline.take", { username: session.jid.local });
  for (const message of messages) session.send(withDelay(parse(message.stanza), session.jid.domain, message.storedAt));
  return messages.length;
}

/** XEP-0203 §4: the stamp is UTC in XEP-0082 DateTime format; `from` is who delayed it. */
export function withDelay(stanza: Element, from: string, at: number): Element {
  stanza.c("delay", { xmlns: NS_DELAY, from, stamp: new Date(at).toISOString() }).t("Offline Storage");
  return stanza;
}
