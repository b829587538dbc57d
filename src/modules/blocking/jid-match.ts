import type { Jid } from "../../jid.js";

/**
 * XEP-0191 §6 (JID matching, as XEP-0016 §2.1): an item blocks `jid` when it is, in order,
 * <user@domain/resource> (only that resource), <user@domain> (any resource),
 * <domain/resource> (only that resource) or <domain> ("the domain itself matches, as does any
 * user@domain or domain/resource"). Items are stored prepared, so string equality is JID equality.
 */
export function isBlocked(items: ReadonlySet<string>, jid: Jid): boolean {
  if (items.size === 0) return false;
  return (
    items.has(jid.toString()) ||
    items.has(jid.toBareString()) ||
    (jid.resource !== "" && items.has(`${jid.domain}/${jid.resource}`)) ||
    items.has(jid.domain)
  );
}
