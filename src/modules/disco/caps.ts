import { createHash } from "node:crypto";
import { Element } from "ltx";

export const NS_CAPS = "http://jabber.org/protocol/caps";
/** XEP-0115 §4: the node "SHOULD be a URI that identifies the software". */
export const CAPS_NODE = "urn:tjabberd";

export interface Identity {
  category: string;
  type: string;
  name?: string;
  lang?: string;
}

/**
 * XEP-0115 §5.1 verification string: S = each identity as "category/type/lang/name<" (sorted
 * by category, type, lang), then each feature + "<" (sorted, i;octet), SHA-1 of UTF-8 S, base64.
 * (No data forms: §5.1 step 6 does not apply to the server's info.)
 */
export function capsVer(identities: readonly Identity[], features: Iterable<string>): string {
  const octets = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const ids = identities
    .map((i) => ({ key: [i.category, i.type, i.lang ?? ""], text: `${i.category}/${i.type}/${i.lang ?? ""}/${i.name ?? ""}` }))
    .sort((a, b) => octets(a.key[0], b.key[0]) || octets(a.key[1], b.key[1]) || octets(a.key[2], b.key[2]));
  let s = "";
  for (const id of ids) s += id.text + "<";
  for (const feature of [...new Set(features)].sort(octets)) s += feature + "<";
  return createHash("sha1").update(s, "utf8").digest("base64");
}

/** XEP-0115 §6.3: the server's capabilities as a stream feature. */
export function capsElement(ver: string): Element {
  return new Element("c", { xmlns: NS_CAPS, hash: "sha-1", node: CAPS_NODE, ver });
}
