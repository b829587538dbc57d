import { Element } from "ltx";
import type { Router } from "../../../actors/router.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import type { Logger } from "../../log.js";
import type { RouteFilter, Routing } from "../../routing.js";
import { errorReply, isIqRequest, mayReplyWithError } from "../../stanza.js";
import type { BlocklistCache } from "./blocklist-cache.js";
import { isBlocked } from "./jid-match.js";

export const NS_BLOCKING_ERRORS = "urn:xmpp:blocking:errors";

export interface BlockingFilterDeps {
  cache: BlocklistCache;
  routing: Routing;
  router: Router;
  domains: readonly string[];
  log: Logger;
}

/**
 * The route filter enforcing block lists between local accounts, both ways. It is synchronous,
 * so a stanza whose lists are not cached yet is held ("drop" for now), the lists are loaded and
 * the stanza is routed again. Stanzas between the same two accounts stay in order: while one is
 * held, the next ones queue behind it. Error replies it makes go straight to the sender's
 * session: routed, they would meet this filter again and be dropped as blocked traffic.
 */
export function blockingFilter(deps: BlockingFilterDeps): RouteFilter {
  const { cache, routing, router, domains, log } = deps;
  const held = new Map<string, Promise<void>>();
  const released = new WeakSet<Element>();

  const localUser = (jid: Jid | null): string | undefined =>
    jid && jid.local !== "" && domains.includes(jid.domain) ? jid.local : undefined;

  function refuse(stanza: Element, error: StanzaError): "drop" {
    const from = Jid.tryParse(stanza.attrs.from ?? "");
    const session = from && router.session(from);
    if (session && mayReplyWithError(stanza)) session.deliver(errorReply(stanza, error));
    return "drop";
  }

  function hold(key: string, stanza: Element, usernames: string[]): "drop" {
    const previous = held.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => Promise.all(usernames.map((u) => cache.load(u))))
      .then(
        () => {
          released.add(stanza);
          routing.route(stanza);
        },
        (err: unknown) => {
          log.error("block list unavailable", { error: String(err) });
          refuse(stanza, new StanzaError("internal-server-error"));
        },
      );
    held.set(key, next);
    void next.finally(() => held.get(key) === next && held.delete(key));
    return "drop";
  }

  return (stanza, to) => {
    const from = Jid.tryParse(stanza.attrs.from ?? "");
    // A user's own resources talk freely; so does this server (one of our domains as `from`).
    if (!from || from.bareEquals(to) || (from.local === "" && domains.includes(from.domain))) return undefined;
    const sender = localUser(from);
    const recipient = localUser(to);
    if (sender === undefined && recipient === undefined) return undefined;
    const key = `${sender ?? ""}\n${recipient ?? ""}`;
    const wasReleased = released.delete(stanza);
    const senderItems = sender === undefined ? undefined : cache.peek(sender);
    const recipientItems = recipient === undefined ? undefined : cache.peek(recipient);
    const missing = [sender !== undefined && !senderItems ? sender : undefined, recipient !== undefined && !recipientItems ? recipient : undefined];
    if (missing.some((u) => u !== undefined) || (!wasReleased && held.has(key))) {
      return hold(key, stanza, missing.filter((u): u is string => u !== undefined));
    }

    // XEP-0191 §3.3: "If the user attempts to send an outbound stanza to a contact and that
    // contact's JID is blocked, the user's server SHOULD NOT route the stanza to the contact but
    // instead SHOULD return a <not-acceptable/> error to the user" with <blocked/>. Presence
    // (and replies) just stop: the contact sees the user as offline.
    if (senderItems && isBlocked(senderItems, to)) {
      if (stanza.name === "presence" || (stanza.name === "iq" && !isIqRequest(stanza))) return "drop";
      return refuse(stanza, new StanzaError("not-acceptable", undefined, undefined, new Element("blocked", { xmlns: NS_BLOCKING_ERRORS })));
    }
    // XEP-0191 §3.3, a blocked contact writing to the user: presence → "MUST NOT respond";
    // message → "SHOULD return an error, which SHOULD be <service-unavailable/>"; IQ get/set →
    // "MUST return an error, which SHOULD be <service-unavailable/>"; other IQs → dropped.
    if (recipientItems && isBlocked(recipientItems, from)) {
      if (stanza.name === "presence" || (stanza.name === "iq" && !isIqRequest(stanza))) return "drop";
      return refuse(stanza, new StanzaError("service-unavailable"));
    }
    return undefined;
  };
}
