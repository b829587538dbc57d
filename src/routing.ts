import type { Element } from "ltx";
import { StanzaError } from "./errors.js";
import { Jid } from "./jid.js";
import type { Router, RoutedSession } from "../actors/router.js";
import { errorReply, mayReplyWithError } from "./stanza.js";

/** Decides on a stanza before delivery: drop it silently, bounce it with an error, or let it go. */
export type RouteFilter = (stanza: Element, to: Jid) => "drop" | StanzaError | undefined;
/** After local delivery (e.g. XEP-0280 carbons copies to the other resources). */
export type DeliveredHook = (stanza: Element, to: Jid, recipients: readonly RoutedSession[]) => void;
/** A message no session could take; return true when handled (e.g. stored offline, XEP-0160). */
export type UndeliverableHook = (stanza: Element, to: Jid) => boolean;

export type RouteResult = "delivered" | "undeliverable" | "bounced" | "dropped";

/**
 * Delivery between local sessions, RFC 6121 §8.5 (local domain) and §8.4 (other domains: no
 * s2s yet), with the extension points modules use (filters, delivered, undeliverable).
 */
export class Routing {
  readonly filters: RouteFilter[] = [];
  readonly delivered: DeliveredHook[] = [];
  readonly undeliverable: UndeliverableHook[] = [];

  constructor(
    private readonly router: Router,
    private readonly domains: readonly string[],
  ) {}

  /** Routes `stanza` by its `to`; error replies go back through `route` too. */
  route(stanza: Element): RouteResult {
    const to = Jid.tryParse(stanza.attrs.to ?? "");
    if (!to) return this.bounce(stanza, new StanzaError("jid-malformed"));
    // RFC 6120 §10.4.3: no server-to-server connections here → remote-server-not-found.
    if (!this.domains.includes(to.domain)) return this.bounce(stanza, new StanzaError("remote-server-not-found"));
    const verdict = this.check(stanza, to);
    if (verdict === "drop") return "dropped";
    if (verdict) return this.bounce(stanza, verdict);
    const recipients = this.recipients(stanza, to);
    if (recipients === "bounce") return this.bounce(stanza, new StanzaError("service-unavailable"));
    if (recipients.length === 0) {
      if (stanza.name !== "message" || stanza.attrs.type === "error") return "dropped";
      for (const hook of this.undeliverable) if (hook(stanza, to)) return "undeliverable";
      // RFC 6121 §8.5.2.2.1 / §8.5.3.2.1: nobody to take it and no offline storage.
      return this.bounce(stanza, new StanzaError("service-unavailable"));
    }
    for (const session of recipients) session.deliver(stanza);
    for (const hook of this.delivered) hook(stanza, to, recipients);
    return "delivered";
  }

  /** The filters' verdict on delivering `stanza` to `to` (also for paths that skip `route`). */
  check(stanza: Element, to: Jid): "drop" | StanzaError | undefined {
    for (const filter of this.filters) {
      const verdict = filter(stanza, to);
      if (verdict) return verdict;
    }
    return undefined;
  }

  /** RFC 6121 §8.5.2 (bare JID) and §8.5.3 (full JID) delivery targets. */
  private recipients(stanza: Element, to: Jid): readonly RoutedSession[] | "bounce" {
    if (to.resource) {
      const session = this.router.session(to);
      if (session) return [session];
      // §8.5.3.2: no such resource — IQ → service-unavailable, presence → dropped,
      // message → as if to the bare JID.
      if (stanza.name === "iq") return "bounce";
      if (stanza.name === "presence") return [];
    }
    if (to.local === "") return stanza.name === "iq" ? "bounce" : [];
    if (stanza.name === "message") {
      const type = stanza.attrs.type ?? "normal";
      // §8.5.2.1.1: groupchat to a bare JID → service-unavailable; headline → all available
      // resources; chat/normal → those with the highest non-negative priority.
      if (type === "groupchat") return "bounce";
      return type === "headline" ? this.router.availableResources(to) : this.router.highestPriority(to);
    }
    if (stanza.name === "presence") return this.router.availableResources(to);
    // §8.5.2.1.3: an IQ to a bare JID is the server's to answer on the account's behalf.
    return "bounce";
  }

  private bounce(stanza: Element, error: StanzaError): RouteResult {
    if (!mayReplyWithError(stanza) || !stanza.attrs.from) return "dropped";
    this.route(errorReply(stanza, error));
    return "bounced";
  }
}
