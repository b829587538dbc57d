import type { Element } from "ltx";
import { StanzaError } from "./errors.js";
import { Jid } from "./jid.js";
import type { Router, RoutedSession } from "../actors/router.js";
import { errorReply, mayReplyWithError } from "./stanza.js";

/** Decides on a stanza before delivery: drop it silently, bounce it with an error, or let it go. */
export type RouteFilter = (stanza: Element, to: Jid) => "drop" | StanzaError | undefined;
/** After local delivery (e.g. XEP-0280 carbons copies to the other resources). */
export type DeliveredHook = (stanza: Element, to: Jid, recipients: readonly RoutedSession[]) => void;
/**
 * Loads what a filter needs to decide synchronously (e.g. block lists not cached yet); returns
 * undefined when all is at hand. Chains await it before `resolve`, so their verdict is final.
 */
export type RoutePreparer = (stanza: Element, to: Jid) => Promise<unknown> | undefined;
/** A message no session could take; return true when handled (e.g. stored offline, XEP-0160). */
export type UndeliverableHook = (stanza: Element, to: Jid) => boolean;

export type RouteResult = "delivered" | "undeliverable" | "bounced" | "dropped";

/**
 * Where a stanza goes, decided (filters included) before anything is sent, so a chain can act on
 * the decision itself, e.g. store an "offline" message with the chain waiting for the commit.
 */
export type Delivery =
  | { kind: "deliver"; to: Jid; recipients: readonly RoutedSession[] }
  /** A chat/normal message for a local account with no available resource (RFC 6121 §8.5.2.2.1). */
  | { kind: "offline"; to: Jid }
  | { kind: "bounce"; error: StanzaError }
  | { kind: "drop" };

const DROP: Delivery = { kind: "drop" };
const bounce = (condition: "service-unavailable" | "jid-malformed" | "remote-server-not-found"): Delivery => ({
  kind: "bounce",
  error: new StanzaError(condition),
});

/**
 * Delivery between local sessions, RFC 6121 §8.5 (local domain) and §8.4 (other domains: no
 * s2s yet), with the extension points modules use (filters, delivered, undeliverable).
 */
export class Routing {
  readonly filters: RouteFilter[] = [];
  readonly preparers: RoutePreparer[] = [];
  readonly delivered: DeliveredHook[] = [];
  readonly undeliverable: UndeliverableHook[] = [];

  constructor(
    private readonly router: Router,
    private readonly domains: readonly string[],
  ) {}

  /** Routes `stanza` by its `to`; error replies go back through `route` too. */
  route(stanza: Element): RouteResult {
    return this.dispatch(stanza, this.resolve(stanza));
  }

  /** Settles once every preparer has what the filters need for `stanza`; undefined if nothing to wait for. */
  prepare(stanza: Element): Promise<void> | undefined {
    const to = Jid.tryParse(stanza.attrs.to ?? "");
    if (!to) return undefined;
    const pending = this.preparers.map((p) => p(stanza, to)).filter((p) => p !== undefined);
    return pending.length ? Promise.all(pending).then(() => undefined) : undefined;
  }

  /** Where `stanza` goes: RFC 6121 §8.5 rules after the filters' verdict. */
  resolve(stanza: Element): Delivery {
    const to = Jid.tryParse(stanza.attrs.to ?? "");
    if (!to) return bounce("jid-malformed");
    // RFC 6120 §10.4.3: no server-to-server connections here → remote-server-not-found.
    if (!this.domains.includes(to.domain)) return bounce("remote-server-not-found");
    const verdict = this.check(stanza, to);
    if (verdict === "drop") return DROP;
    if (verdict) return { kind: "bounce", error: verdict };
    return stanza.name === "message" ? this.messageDelivery(stanza, to) : this.otherDelivery(stanza, to);
  }

  /** Carries out a decision of `resolve`. */
  dispatch(stanza: Element, delivery: Delivery): RouteResult {
    switch (delivery.kind) {
      case "deliver":
        this.deliver(stanza, delivery.to, delivery.recipients);
        return "delivered";
      case "offline":
        for (const hook of this.undeliverable) if (hook(stanza, delivery.to)) return "undeliverable";
        // RFC 6121 §8.5.2.2.1: no offline storage → service-unavailable.
        return this.bounce(stanza, new StanzaError("service-unavailable"));
      case "bounce":
        return this.bounce(stanza, delivery.error);
      case "drop":
        return "dropped";
    }
  }

  /** The filters' verdict on delivering `stanza` to `to` (also for paths that skip `route`). */
  check(stanza: Element, to: Jid): "drop" | StanzaError | undefined {
    for (const filter of this.filters) {
      const verdict = filter(stanza, to);
      if (verdict) return verdict;
    }
    return undefined;
  }

  private deliver(stanza: Element, to: Jid, recipients: readonly RoutedSession[]): void {
    for (const session of recipients) session.deliver(stanza);
    for (const hook of this.delivered) hook(stanza, to, recipients);
  }

  /** RFC 6121 §8.5 for messages to the local domain. */
  private messageDelivery(stanza: Element, to: Jid): Delivery {
    const type = stanza.attrs.type ?? "normal";
    // RFC 6120 §10.5.1/§10.5.2: to the server itself — a module would have claimed it; nobody
    // did, so "return an error stanza to the sender" (never for an error, RFC 6120 §8.3.1).
    if (to.local === "") return type === "error" ? DROP : bounce("service-unavailable");
    if (to.resource) {
      // §8.5.3.1: a connected resource that exactly matches the full JID gets it.
      const session = this.router.session(to);
      if (session) return { kind: "deliver", to, recipients: [session] };
      // §8.5.3.2.1: no such resource — "normal", "groupchat", "headline": ignore or
      // <service-unavailable/>; "error": silently ignore; "chat": handled as for the bare JID.
      if (type === "error") return DROP;
      if (type !== "chat") return bounce("service-unavailable");
    }
    switch (type) {
      // §8.5.2.1.1 / §8.5.2.2.1: "error" → silently ignore.
      case "error":
        return DROP;
      // §8.5.2.1.1: "groupchat" to a bare JID → MUST NOT deliver, <service-unavailable/>.
      case "groupchat":
        return bounce("service-unavailable");
      // §8.5.2.1.1: "headline" → every non-negative resource; §8.5.2.2.1: none → ignore.
      case "headline": {
        const recipients = this.router.availableResources(to);
        return recipients.length ? { kind: "deliver", to, recipients } : DROP;
      }
      // §8.5.2.1.1: "normal"/"chat" → the highest non-negative priority resource(s); a
      // negative priority counts as no available resource: §8.5.2.2.1 offline storage.
      default: {
        const recipients = this.router.highestPriority(to);
        return recipients.length ? { kind: "deliver", to, recipients } : { kind: "offline", to: to.bare() };
      }
    }
  }

  /** RFC 6121 §8.5.2 (bare JID) and §8.5.3 (full JID) for presence and IQ. */
  private otherDelivery(stanza: Element, to: Jid): Delivery {
    if (to.resource) {
      const session = this.router.session(to);
      if (session) return { kind: "deliver", to, recipients: [session] };
      // §8.5.3.2: no such resource — IQ → service-unavailable, presence → dropped.
      if (stanza.name === "iq") return bounce("service-unavailable");
      if (stanza.name === "presence") return DROP;
    }
    if (to.local === "") return stanza.name === "iq" ? bounce("service-unavailable") : DROP;
    // §8.5.2.1.2: presence to a bare JID goes to every available resource — negative
    // priorities only keep a resource out of message delivery (§8.5.2.1.1).
    if (stanza.name === "presence") {
      const recipients = this.router.presentResources(to);
      return recipients.length ? { kind: "deliver", to, recipients } : DROP;
    }
    // §8.5.2.1.3: an IQ to a bare JID is the server's to answer on the account's behalf.
    return bounce("service-unavailable");
  }

  private bounce(stanza: Element, error: StanzaError): RouteResult {
    if (!mayReplyWithError(stanza) || !stanza.attrs.from) return "dropped";
    this.route(errorReply(stanza, error));
    return "bounced";
  }
}
