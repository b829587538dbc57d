import type { Element } from "ltx";
import { NS_STREAM } from "../errors.js";

export const STREAM_CLOSE = "</stream:stream>";

/** The two content namespaces a stanza moves between (RFC 6120 §4.8.3). */
const STANZA_NAMESPACES = new Set(["jabber:client", "jabber:server"]);

export interface StreamHeaderAttrs {
  /** Content namespace; default jabber:client. */
  xmlns?: string;
  to?: string;
  from?: string;
  id?: string;
  version?: string;
  "xml:lang"?: string;
  /** Further attributes or namespace declarations, e.g. `xmlns:db`. */
  [name: string]: string | undefined;
}

/** `<?xml version='1.0'?><stream:stream ...>` — the opening tag only (RFC 6120 §4.7, §11.5). */
export function streamHeader(attrs: StreamHeaderAttrs = {}): string {
  let out = `<?xml version='1.0'?><stream:stream xmlns='${escapeAttr(attrs.xmlns ?? "jabber:client")}' xmlns:stream='${NS_STREAM}'`;
  for (const key of Object.keys(attrs)) {
    const value = attrs[key];
    if (value === undefined || key === "xmlns" || key === "xmlns:stream") continue;
    out += ` ${key}='${escapeAttr(value)}'`;
  }
  return out + ">";
}

/**
 * Serializes a stanza for a stream whose default namespace is `streamNs`.
 * RFC 6120 §4.8.3: a stanza in the stream's content namespace needs no xmlns of its own, and one
 * routed between jabber:client and jabber:server takes the namespace of the stream it is written
 * to ("the server ... MUST ... re-namespace"); its children keep theirs. `el` is not modified.
 */
export function serialize(el: Element, streamNs?: string): string {
  if (streamNs === undefined) return writeElement(el);
  let out = "<" + el.name;
  const attrs = el.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (value == null) continue;
    if (key === "xmlns" && (value === streamNs || (STANZA_NAMESPACES.has(value as string) && STANZA_NAMESPACES.has(streamNs)))) continue;
    // The stream header declares the stream prefix already.
    if (key === "xmlns:stream" && value === NS_STREAM) continue;
    out += " " + key + "='" + escapeAttr(String(value)) + "'";
  }
  return writeChildren(el, out);
}

function writeElement(el: Element): string {
  let out = "<" + el.name;
  const attrs = el.attrs as Record<string, unknown>;
  for (const key in attrs) {
    const value = attrs[key];
    if (value != null) out += " " + key + "='" + escapeAttr(String(value)) + "'";
  }
  return writeChildren(el, out);
}

function writeChildren(el: Element, open: string): string {
  const children = el.children;
  if (children.length === 0) return open + "/>";
  let out = open + ">";
  for (const child of children as unknown[]) {
    if (child == null) continue;
    if (typeof child === "string") out += escapeText(child);
    else if (typeof child === "object") out += writeElement(child as Element);
    else out += escapeText(String(child));
  }
  return out + "</" + el.name + ">";
}

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_SPECIAL_ALL = /[&<>\r]/g;
// Attribute values also escape TAB/LF/CR: literal ones would be normalized to spaces (XML 1.0 §3.3.3).
const ATTR_SPECIAL = /[&<>"'\t\n\r]/;
const ATTR_SPECIAL_ALL = /[&<>"'\t\n\r]/g;
const REPLACEMENTS: Record<string, string> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
  "\t": "&#9;", "\n": "&#10;", "\r": "&#13;",
};
const replace = (c: string): string => REPLACEMENTS[c]!;

/** Escapes character data; CR becomes `&#13;` so line-end normalization keeps it. */
export function escapeText(s: string): string {
  return TEXT_SPECIAL.test(s) ? s.replace(TEXT_SPECIAL_ALL, replace) : s;
}

export function escapeAttr(s: string): string {
  return ATTR_SPECIAL.test(s) ? s.replace(ATTR_SPECIAL_ALL, replace) : s;
}
