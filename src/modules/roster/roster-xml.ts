import { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import type { RosterItem } from "../../storage/roster.js";

export const NS_ROSTER = "jabber:iq:roster";
/** Longest item name and group name we store (RFC 6121 §2.3.3 leaves the limit to the server). */
export const MAX_NAME_LENGTH = 1023;
export const MAX_GROUPS = 100;

/** RFC 6121 §2.1.2: `<item/>` with jid, name, subscription, ask and approved, and its groups. */
export function itemElement(item: RosterItem): Element {
  const attrs: Record<string, string> = { jid: item.jid, subscription: item.subscription };
  if (item.name !== undefined) attrs.name = item.name;
  if (item.ask) attrs.ask = "subscribe";
  if (item.approved) attrs.approved = "true";
  const el = new Element("item", attrs);
  for (const group of item.groups) el.c("group").t(group);
  return el;
}

/** §2.1.6: the `<item subscription='remove'/>` of a push for a removed contact. */
export function removedItemElement(jid: string): Element {
  return new Element("item", { jid, subscription: "remove" });
}

export function queryElement(version: number | undefined, items: Element[] = []): Element {
  const query = new Element("query", version === undefined ? { xmlns: NS_ROSTER } : { xmlns: NS_ROSTER, ver: String(version) });
  for (const item of items) query.cnode(item);
  return query;
}

export type RosterSetRequest =
  | { kind: "remove"; jid: Jid }
  | { kind: "update"; jid: Jid; name?: string; groups: string[] };

/**
 * The one item of a roster set, checked as RFC 6121 §2.3.3 says:
 * - bad-request: not exactly one `<item/>`, or a group repeated;
 * - not-acceptable: a name or group over the limit, or an empty group.
 * `ask`, `approved` and any `subscription` but "remove" are the server's to set: ignored
 * (§2.1.2.1, §2.1.2.2, §2.1.2.5).
 */
export function parseRosterSet(query: Element): RosterSetRequest {
  const items = query.getChildren("item");
  if (items.length !== 1) throw new StanzaError("bad-request", "a roster set carries exactly one item");
  const [item] = items;
  const jidText = item.attrs.jid;
  if (!jidText) throw new StanzaError("bad-request", "the item has no jid");
  const jid = Jid.parse(jidText);
  if (!jid.isBare()) throw new StanzaError("bad-request", "roster items are bare JIDs");
  if (item.attrs.subscription === "remove") return { kind: "remove", jid };
  const name: string | undefined = item.attrs.name;
  if (name !== undefined && name.length > MAX_NAME_LENGTH) throw new StanzaError("not-acceptable", "name too long");
  const groups = item.getChildren("group").map((g) => g.getText());
  if (groups.length > MAX_GROUPS) throw new StanzaError("not-acceptable", "too many groups");
  if (groups.some((g) => g === "")) throw new StanzaError("not-acceptable", "empty group name");
  if (groups.some((g) => g.length > MAX_NAME_LENGTH)) throw new StanzaError("not-acceptable", "group name too long");
  if (new Set(groups).size !== groups.length) throw new StanzaError("bad-request", "duplicate group");
  return name === undefined || name === "" ? { kind: "update", jid, groups } : { kind: "update", jid, name, groups };
}
