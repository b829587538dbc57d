import { Element } from "ltx";

export const NS_STREAM = "http://etherx.jabber.org/streams";
export const NS_STREAM_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_STANZA_ERRORS = "urn:ietf:params:xml:ns:xmpp-stanzas";

// RFC 6120 §4.9.3: defined stream error conditions.
export const STREAM_CONDITIONS = [
  "bad-format", "bad-namespace-prefix", "conflict", "connection-timeout", "host-gone",
  "host-unknown", "improper-addressing", "internal-server-error", "invalid-from",
  "invalid-namespace", "invalid-xml", "not-authorized", "not-well-formed", "policy-violation",
  "remote-connection-failed", "reset", "resource-constraint", "restricted-xml", "see-other-host",
  "system-shutdown", "undefined-condition", "unsupported-encoding", "unsupported-feature",
  "unsupported-stanza-type", "unsupported-version",
] as const;
export type StreamCondition = (typeof STREAM_CONDITIONS)[number];

// RFC 6120 §8.3.3: defined stanza error conditions, with the error type §8.3.3 suggests.
export const STANZA_CONDITIONS = {
  "bad-request": "modify", "conflict": "cancel", "feature-not-implemented": "cancel",
  "forbidden": "auth", "gone": "cancel", "internal-server-error": "cancel",
  "item-not-found": "cancel", "jid-malformed": "modify", "not-acceptable": "modify",
  "not-allowed": "cancel", "not-authorized": "auth", "policy-violation": "modify",
  "recipient-unavailable": "wait", "redirect": "modify", "registration-required": "auth",
  "remote-server-not-found": "cancel", "remote-server-timeout": "wait",
  "resource-constraint": "wait", "service-unavailable": "cancel", "subscription-required": "auth",
  "undefined-condition": "cancel", "unexpected-request": "wait",
} as const;
export type StanzaCondition = keyof typeof STANZA_CONDITIONS;
export type StanzaErrorType = "auth" | "cancel" | "continue" | "modify" | "wait";

/** A stream-level error: the stream is closed after it is sent (RFC 6120 §4.9.1.1). */
export class StreamError extends Error {
  constructor(readonly condition: StreamCondition, readonly text?: string) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "StreamError";
  }

  /** `<stream:error>` with the condition and optional text. */
  toElement(): Element {
    const el = new Element("stream:error");
    el.c(this.condition, { xmlns: NS_STREAM_ERRORS });
    if (this.text) el.c("text", { xmlns: NS_STREAM_ERRORS }).t(this.text);
    return el;
  }
}

/** A stanza-level error; thrown from a handler it becomes the error reply (RFC 6120 §8.3). */
export class StanzaError extends Error {
  readonly type: StanzaErrorType;
  constructor(
    readonly condition: StanzaCondition,
    readonly text?: string,
    type?: StanzaErrorType,
    /** An application-specific condition element, added after the defined one (§8.3.2). */
    readonly appCondition?: Element,
  ) {
    super(text ? `${condition}: ${text}` : condition);
    this.name = "StanzaError";
    this.type = type ?? STANZA_CONDITIONS[condition];
  }

  /** The `<error/>` child of an error stanza. */
  toElement(by?: string): Element {
    const el = new Element("error", by ? { type: this.type, by } : { type: this.type });
    el.c(this.condition, { xmlns: NS_STANZA_ERRORS });
    if (this.text) el.c("text", { xmlns: NS_STANZA_ERRORS }).t(this.text);
    if (this.appCondition) el.cnode(this.appCondition);
    return el;
  }
}
