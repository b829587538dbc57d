import type { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import type { Session } from "../../session.js";

/**
 * RFC 6121 §2.1.5 / §2.3.3: a roster belongs to its account; a roster get or set addressed to
 * anyone else (another account, a resource — which is how a "roster push" from a client would
 * look) is refused with forbidden.
 */
export function checkOwnRoster(iq: Element, session: Session): void {
  const to = iq.attrs.to;
  if (to === undefined) return;
  const jid = Jid.parse(to);
  if (!jid.isBare() || !jid.bareEquals(session.jid)) throw new StanzaError("forbidden", "only the account's own roster");
}
