import { NS_STREAM, StreamError } from "../errors.js";

/** The opening `<stream:stream>` tag as received: raw attributes, namespace declarations included. */
export interface StreamHeader {
  name: string;
  attrs: Record<string, string>;
}

/** What the rest of the stream needs from a validated header. */
export interface StreamScope {
  /** Content namespace (the header's default `xmlns`), e.g. jabber:client. */
  defaultNs: string;
  /**
   * Prefixes declared on the header besides `stream` (e.g. db for dialback), prefix → namespace;
   * undefined when there are none, as on nearly every c2s stream.
   */
  prefixes: Map<string, string> | undefined;
}

/**
 * Checks the stream element's name and namespaces.
 * RFC 6120 §4.9.3.10 invalid-namespace: "the stream namespace name is something other than
 * http://etherx.jabber.org/streams ... or the content namespace declared as the default namespace
 * is not supported". §4.9.3.2 bad-namespace-prefix: "a namespace prefix that is unsupported".
 * §4.8.5: "an implementation MAY accept only the prefix 'stream' for the stream namespace".
 */
export function checkStreamHeader(
  name: string,
  attrs: Record<string, string>,
  contentNamespaces: readonly string[],
): StreamScope {
  const colon = name.indexOf(":");
  const prefix = colon === -1 ? "" : name.slice(0, colon);
  const localName = name.slice(colon + 1);
  const ns = attrs[colon === -1 ? "xmlns" : `xmlns:${prefix}`];
  if (ns === undefined) throw new StreamError("bad-namespace-prefix", `undeclared prefix on <${name}>`);
  if (localName !== "stream" || ns !== NS_STREAM) {
    throw new StreamError("invalid-namespace", `<${name}> in ${ns} is not the stream element`);
  }
  if (prefix !== "stream") throw new StreamError("bad-namespace-prefix", `stream prefix must be 'stream'`);
  // The list's own string, not the attribute: that one is a slice of the whole input chunk,
  // which a long-lived stream would otherwise keep alive.
  const defaultNs = contentNamespaces.find((ns) => ns === attrs.xmlns);
  if (defaultNs === undefined) {
    throw new StreamError("invalid-namespace", `unsupported content namespace ${attrs.xmlns ?? "(none)"}`);
  }
  let prefixes: Map<string, string> | undefined;
  for (const key of Object.keys(attrs)) {
    if (key.startsWith("xmlns:") && key !== "xmlns:stream") (prefixes ??= new Map()).set(key.slice(6), attrs[key]!);
  }
  return { defaultNs, prefixes };
}
