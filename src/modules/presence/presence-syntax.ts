import type { Element } from "ltx";
import { StanzaError } from "../../errors.js";

/** RFC 6121 §4.7.1: the presence types; no 'type' means available. */
const TYPES = new Set(["error", "probe", "subscribe", "subscribed", "unavailable", "unsubscribe", "unsubscribed"]);
/** §4.7.2.1: the values <show/> may have. */
const SHOWS = new Set(["away", "chat", "dnd", "xa"]);
const INTEGER = /^[+-]?\d+$/;

/**
 * Checks a presence stanza from a client (§4.7) and returns its priority (§4.7.2.3: an integer
 * from -128 to +127; absent = 0). Anything else is a bad-request (RFC 6120 §8.3.3.1).
 */
export function checkPresence(presence: Element): number {
  const type = presence.attrs.type;
  if (type !== undefined && !TYPES.has(type)) throw new StanzaError("bad-request", `unknown presence type "${type}"`);
  const shows = presence.getChildren("show");
  // §4.7.2.1 / §4.7.2.3: at most one <show/> and one <priority/>.
  if (shows.length > 1) throw new StanzaError("bad-request", "more than one <show/>");
  if (shows.length === 1 && !SHOWS.has(shows[0].getText())) throw new StanzaError("bad-request", "<show/> must be away, chat, dnd or xa");
  const priorities = presence.getChildren("priority");
  if (priorities.length > 1) throw new StanzaError("bad-request", "more than one <priority/>");
  if (priorities.length === 0) return 0;
  const text = priorities[0].getText().trim();
  const priority = INTEGER.test(text) ? Number(text) : NaN;
  if (!(priority >= -128 && priority <= 127)) throw new StanzaError("bad-request", "<priority/> must be an integer from -128 to 127");
  return priority;
}
