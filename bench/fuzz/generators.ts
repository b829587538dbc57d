// Inputs for the live fuzzer: random bytes, XML-ish noise, mutated real stanzas and the classic
// parser attacks (deep nesting, huge attributes and text, restricted XML, bad UTF-8). All driven
// by a seeded generator so that a failing input can be produced again (`--seed`).

export type Random = () => number;

/** mulberry32: small, fast, good enough for fuzzing; the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Random, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
export const pick = <T>(r: Random, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export function randomBytes(r: Random, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

const XMLISH = ["<", ">", "/", "=", "'", '"', "&", ";", "!", "?", "[", "]", "-", ":", " ", "\n", "a", "b", "x", "xmlns", "stream", "iq", "message", "&amp;", "&#0;", "&#x1F600;", "]]>", "<!--", "-->", "<![CDATA[", "é", "\u0000", "\uFFFE", "\uD800", "💥"];

/** Characters and fragments XML parsers have opinions about. */
export function xmlish(r: Random, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += pick(r, XMLISH);
  return s;
}

const TEMPLATES = [
  (to: string) => `<message to='${to}' type='chat' id='m1'><body>hello &amp; bye</body></message>`,
  () => `<presence><show>away</show><status>x</status><priority>5</priority></presence>`,
  (_: string, d: string) => `<iq type='get' id='q1' to='${d}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
  (to: string) => `<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='${to}' name='B'><group>G</group></item></query></iq>`,
  (to: string) => `<iq type='get' id='v1' to='${to}'><vCard xmlns='vcard-temp'/></iq>`,
  (_: string, d: string) => `<iq type='get' id='p1' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`,
  (to: string) => `<presence to='${to}' type='subscribe'/>`,
  () => `<iq type='set' id='b1'><block xmlns='urn:xmpp:blocking'><item jid='x@y'/></block></iq>`,
  () => `<iq type='set' id='pv'><query xmlns='jabber:iq:private'><x xmlns='urn:fuzz'>1</x></query></iq>`,
  (_: string, d: string) => `<iq type='get' id='t1' to='${d}'><time xmlns='urn:xmpp:time'/></iq>`,
];

/** One of the real stanzas, unchanged. */
export const templateStanza = (r: Random, peer: string, domain: string) => pick(r, TEMPLATES)(peer, domain);

/** A real stanza with 0–4 random edits (insert, delete, truncate, duplicate, attribute noise). */
export function mutatedStanza(r: Random, peer: string, domain: string): string {
  let xml = pick(r, TEMPLATES)(peer, domain);
  for (let n = int(r, 0, 4); n > 0; n--) {
    const at = int(r, 0, xml.length);
    switch (int(r, 0, 5)) {
      case 0: xml = xml.slice(0, at) + xmlish(r, int(r, 1, 3)) + xml.slice(at); break;
      case 1: xml = xml.slice(0, at) + xml.slice(at + int(r, 1, 8)); break;
      case 2: xml = xml.slice(0, at); break;
      case 3: xml = xml.slice(0, at) + xml.slice(at, at + int(r, 1, 20)) + xml.slice(at); break;
      case 4: xml = xml.replace(/(to|from|type|id)='[^']*'/, (_, a: string) => `${a}='${xmlish(r, int(r, 0, 6)).replace(/'/g, "")}'`); break;
      case 5: xml = xml.replace(/xmlns='[^']*'/, `xmlns='${pick(r, ["", "jabber:server", "urn:x", "http://etherx.jabber.org/streams", "jabber:client"])}'`); break;
    }
  }
  return xml;
}

export const deepNesting = (depth: number) => `<message to='x@y'>${"<a>".repeat(depth)}`;
export const hugeAttribute = (bytes: number) => `<message to='x@y' id='${"A".repeat(bytes)}'><body>b</body></message>`;
export const hugeText = (bytes: number) => `<message to='x@y'><body>${"t".repeat(bytes)}</body></message>`;
export const manyAttributes = (n: number) => `<message to='x@y' ${Array.from({ length: n }, (_, i) => `a${i}='${i}'`).join(" ")}/>`;
export const manyChildren = (n: number) => `<message to='x@y'>${"<b/>".repeat(n)}</message>`;

/** RFC 6120 §11.1 restricted XML: comments, processing instructions, DTDs, entities. */
export const RESTRICTED = [
  "<!-- comment -->",
  "<?php echo 1; ?>",
  "<!DOCTYPE foo [<!ENTITY x 'y'>]>",
  "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]><message>&lol2;</message>",
  "<message><body>&unknown;</body></message>",
  "<message><![CDATA[ cdata ]]></message>",
  "<message><body>&#0;</body></message>",
  "<message xmlns:a='urn:a' xmlns:a='urn:b'/>",
  "<message a='1' a='2'/>",
  "<undeclared:prefix/>",
  "<message></presence>",
  "</stream:stream><stream:stream>",
  "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
  "<stream:features/>",
];

/** Invalid UTF-8 inside otherwise fine XML (lone continuation byte, overlong, surrogate, 0xFF). */
export function badUtf8(r: Random): Buffer {
  const bad = pick(r, [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
  return Buffer.concat([Buffer.from("<message to='x@y'><body>"), Buffer.from(bad), Buffer.from("</body></message>")]);
}

/** A stream header gone wrong (RFC 6120 §4.9.3: bad-namespace-prefix, invalid-namespace, host-unknown, …). */
export function badHeader(r: Random, domain: string): string {
  return pick(r, [
    `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong' to='${domain}' version='1.0'>`,
    `<stream:stream xmlns='urn:wrong' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`,
    `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='unknown.example' version='1.0'>`,
    `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='2.0'>`,
    `<stream xmlns='jabber:client' to='${domain}'>`,
    `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${"d".repeat(5000)}' version='1.0'>`,
    `<?xml version='1.0' encoding='UTF-16'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`,
    `GET / HTTP/1.1\r\nHost: ${domain}\r\n\r\n`,
    `\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003`, // a TLS ClientHello start
  ]);
}
