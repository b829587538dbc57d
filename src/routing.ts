import type { Element } from "ltx";
import { StanzaError } from "./errors.js";
import { Jid } from "./jid.js";
import type { Router } from "../actors/router.js";
import { errorReply, mayReplyWithError } from "./stanza.js";

/**
 * Delivery of a stanza between local sessions, RFC 6121 §8.5 (local domain) and §8.4 (other
 * domains: no s2s yet). Returns false when nobody could take it and no error was sent back, so
 * a module (offline storage) can take over.
 */
export function deliver(router: Router, domains: readonly string[], stanza: Element, bounce: (el: Element) => void): boolean {
  const to = Jid.tryParse(stanza.attrs.to ?? "");
  if (!to) return fail(stanza, new StanzaError("jid-malformed"), bounce);
  if (!domains.includes(to.domain)) {
    // RFC 6120 §10.4.3: no server-to-server connections here → remote-server-not-found.
    return fail(stanza, new StanzaError("remote-server-not-found"), bounce);
  }
  if (to.resource) {
    const session = router.session(to);
    if (session) {
      session.deliver(stanza);
      return true;
    }
    // RFC 6121 §8.5.3.2: full JID without a session — message as if to the bare JID,
    // presence dropped, IQ answered with service-unavailable.
    if (stanza.name === "presence") return true;
    if (stanza.name === "iq") return fail(stanza, new StanzaError("service-unavailable"), bounce);
  }
  const bare = to.toBareString();
  if (stanza.name === "message") {
    const type = stanza.attrs.type ?? "normal";
    if (type === "error") return true;
    // §8.5.2.1.1: to the available resource(s) with the highest non-negative priority
    // (headline: to all of them).
    const targets = type === "headline" ? router.availableResources(bare) : router.highestPriority(bare);
    if (type === "groupchat") return fail(stanza, new StanzaError("service-unavailable"), bounce);
    for (const s of targets) s.deliver(stanza);
    return targets.length > 0;
  }
  if (stanza.name === "presence") {
    for (const s of router.availableResources(bare)) s.deliver(stanza);
    return true;
  }
  return fail(stanza, new StanzaError("service-unavailable"), bounce);
}

function fail(stanza: Element, error: StanzaError, bounce: (el: Element) => void): boolean {
  if (mayReplyWithError(stanza)) bounce(errorReply(stanza, error));
  return true;
}
