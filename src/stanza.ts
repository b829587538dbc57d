import { clone, Element } from "ltx";
import { StanzaError } from "./errors.js";

/**
 * `<iq type="result">` for an IQ get/set, addressed back to its sender (RFC 6120 §8.2.3).
 * `from` is the original `to`, or omitted when the request was to the account or server itself.
 */
export function reply(iq: Element, child?: Element): Element {
  const attrs: Record<string, string> = { type: "result", id: iq.attrs.id };
  if (iq.attrs.from) attrs.to = iq.attrs.from;
  if (iq.attrs.to) attrs.from = iq.attrs.to;
  const result = new Element("iq", attrs);
  if (child) result.cnode(child);
  return result;
}

/**
 * An error stanza for `stanza` (RFC 6120 §8.3.1): same name and id, type "error", to/from
 * swapped; for anything but an IQ the original payload is included, as §8.3.1 permits.
 */
export function errorReply(stanza: Element, error: StanzaError, by?: string): Element {
  const attrs: Record<string, string> = { type: "error" };
  if (stanza.attrs.id) attrs.id = stanza.attrs.id;
  if (stanza.attrs.from) attrs.to = stanza.attrs.from;
  if (stanza.attrs.to) attrs.from = stanza.attrs.to;
  const out = new Element(stanza.name, attrs);
  if (stanza.name !== "iq") {
    for (const child of stanza.children) {
      if (typeof child !== "string" && child.name !== "error") out.cnode(clone(child));
    }
  }
  out.cnode(error.toElement(by));
  return out;
}

/** RFC 6120 §8.3.1: never answer an error with an error (no loops). */
export function mayReplyWithError(stanza: Element): boolean {
  return stanza.attrs.type !== "error" && !(stanza.name === "iq" && stanza.attrs.type === "result");
}

export function isIqRequest(stanza: Element): boolean {
  return stanza.name === "iq" && (stanza.attrs.type === "get" || stanza.attrs.type === "set");
}

/** Something thrown by a handler, as the stanza error to send back. */
export function toStanzaError(err: unknown): StanzaError {
  if (err instanceof StanzaError) return err;
  if (err && typeof err === "object" && "toStanzaError" in err && typeof err.toStanzaError === "function") {
    return err.toStanzaError() as StanzaError;
  }
  return new StanzaError("internal-server-error");
}
