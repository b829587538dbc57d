// Every stream error condition the parser reports (RFC 6120 §4.9.3, §11), whole and split at
// every byte offset: the condition must not depend on how the bytes arrive.
import { StreamParser } from "../../src/xml/index.js";
import { conditionOf, collector, HEADER, NS_STREAM, splitAt } from "./collect.js";

const OPEN = (attrs: string) => `<?xml version='1.0'?><stream:stream ${attrs}>`;
const CLIENT = `xmlns='jabber:client' xmlns:stream='${NS_STREAM}'`;

type Case = [description: string, input: string | Buffer, condition: string];

const cases: Case[] = [
  // restricted-xml (RFC 6120 §11.1)
  ["comment between stanzas", HEADER + "<!-- hi -->", "restricted-xml"],
  ["comment inside a stanza", HEADER + "<message><!-- hi --></message>", "restricted-xml"],
  ["DOCTYPE before the header", "<?xml version='1.0'?><!DOCTYPE stream>" + HEADER.slice(21), "restricted-xml"],
  ["entity declaration", HEADER + "<!ENTITY x 'y'>", "restricted-xml"],
  ["processing instruction", HEADER + "<message><?php echo 1 ?></message>", "restricted-xml"],
  ["XML declaration after the header", HEADER + "<?xml version='1.0'?>", "restricted-xml"],
  ["second XML declaration", "<?xml version='1.0'?>" + HEADER, "restricted-xml"],
  ["undeclared entity in text", HEADER + "<message><body>&nbsp;</body></message>", "restricted-xml"],
  ["undeclared entity in an attribute", HEADER + "<message to='&foo;'/>", "restricted-xml"],
  // not-well-formed
  ["mismatched end tag", HEADER + "<message><body></message></body>", "not-well-formed"],
  ["end tag at the top level", HEADER + "</message>", "not-well-formed"],
  ["wrong stream close", HEADER + "</stream:foo>", "not-well-formed"],
  ["unquoted attribute", HEADER + "<message to=a/>", "not-well-formed"],
  ["attribute without value", HEADER + "<message to/>", "not-well-formed"],
  ["attributes not separated", HEADER + "<message to='a'id='b'/>", "not-well-formed"],
  ["attribute without name", HEADER + "<message ='a'/>", "not-well-formed"],
  ["duplicate attribute", HEADER + "<message id='a' id='b'/>", "not-well-formed"],
  ["duplicate attribute named like an Object method", HEADER + "<message toString='a' toString='b'/>", "not-well-formed"],
  ["'<' in attribute value", HEADER + "<message to='a<b'/>", "not-well-formed"],
  ["control character in text", HEADER + "<message><body>a\u0001b</body></message>", "not-well-formed"],
  ["control character in attribute", HEADER + "<message id='a\u000Bb'/>", "not-well-formed"],
  ["U+FFFE", HEADER + "<message><body>\uFFFE</body></message>", "not-well-formed"],
  ["reference to an illegal character", HEADER + "<message><body>&#1;</body></message>", "not-well-formed"],
  ["reference to a surrogate", HEADER + "<message><body>&#xD800;</body></message>", "not-well-formed"],
  ["malformed character reference", HEADER + "<message><body>&#x;</body></message>", "not-well-formed"],
  ["bare ampersand", HEADER + "<message><body>a & b</body></message>", "not-well-formed"],
  ["invalid UTF-8", Buffer.concat([Buffer.from(HEADER + "<message><body>"), Buffer.from([0xc3, 0x28]), Buffer.from("</body></message>")]), "not-well-formed"],
  ["overlong UTF-8", Buffer.concat([Buffer.from(HEADER + "<a>"), Buffer.from([0xc0, 0xbc]), Buffer.from("</a>")]), "not-well-formed"],
  ["text at the top level", HEADER + "hello", "not-well-formed"],
  ["text before the header", "hello" + HEADER, "not-well-formed"],
  ["']]>' in text", HEADER + "<message><body>a]]>b</body></message>", "not-well-formed"],
  ["element name starting with a digit", HEADER + "<1message/>", "not-well-formed"],
  ["'<!' that is no CDATA", HEADER + "<message><!x></message>", "not-well-formed"],
  ["undeclared prefix in a stanza", HEADER + "<message><foo:bar/></message>", "not-well-formed"],
  ["undeclared attribute prefix", HEADER + "<message foo:bar='1'/>", "not-well-formed"],
  ["two colons in a name", HEADER + "<message xmlns:a='urn:a'><a:b:c/></message>", "not-well-formed"],
  ["empty prefix declaration", HEADER + "<message xmlns:a=''/>", "not-well-formed"],
  ["'/' not closing the tag", HEADER + "<message / >", "not-well-formed"],
  // unsupported-encoding (RFC 6120 §11.6)
  ["non-UTF-8 declared encoding", "<?xml version='1.0' encoding='ISO-8859-1'?>" + HEADER.slice(21), "unsupported-encoding"],
  // invalid-namespace (§4.9.3.10)
  ["wrong stream namespace", OPEN("xmlns='jabber:client' xmlns:stream='http://example.com/streams'"), "invalid-namespace"],
  ["wrong stream element", OPEN(CLIENT).replace("<stream:stream", "<stream:flow"), "invalid-namespace"],
  ["unsupported content namespace", OPEN(`xmlns='jabber:foo' xmlns:stream='${NS_STREAM}'`), "invalid-namespace"],
  ["missing content namespace", OPEN(`xmlns:stream='${NS_STREAM}'`), "invalid-namespace"],
  ["a stanza instead of a header", "<message xmlns='jabber:client'/>", "invalid-namespace"],
  // bad-namespace-prefix (§4.9.3.2, §4.8.5)
  ["stream prefix other than 'stream'", `<foobar:stream xmlns='jabber:client' xmlns:foobar='${NS_STREAM}'>`, "bad-namespace-prefix"],
  ["undeclared stream prefix", "<stream:stream xmlns='jabber:client'>", "bad-namespace-prefix"],
  ["unprefixed stream element", `<stream xmlns='${NS_STREAM}'>`, "bad-namespace-prefix"],
];

describe("stream errors", () => {
  test.each(cases)("%s → %s", (_description, input, condition) => {
    expect(conditionOf(input)).toBe(condition);
  });

  test.each(cases)("%s: same condition at every split offset", (_description, input, condition) => {
    const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
    for (let at = 1; at < buf.length; at++) {
      const got = conditionOf(splitAt(buf, at));
      if (got !== condition) throw new Error(`split at ${at}: ${got}, expected ${condition}`);
    }
  });

  test("well-formed controls: the same constructs done right are accepted", () => {
    expect(conditionOf(HEADER + "<message><body>&amp;&lt;&gt;&quot;&apos;&#233;&#x1D11E;</body></message>")).toBe("none");
    expect(conditionOf(HEADER + "<message to='a&amp;b' id=\"x'y\"/>")).toBe("none");
    expect(conditionOf("<?xml version='1.0' encoding='UTF-8'?>" + HEADER.slice(21))).toBe("none");
    expect(conditionOf("<?xml version=\"1.0\" encoding=\"utf-8\" ?>" + HEADER.slice(21))).toBe("none");
    expect(conditionOf(HEADER + "<message><body><![CDATA[<not> &markup;]]></body></message>")).toBe("none");
    expect(conditionOf(HEADER + "<message xmlns:a='urn:a'><a:b a:c='1' xml:lang='en'/></message>")).toBe("none");
    expect(conditionOf(HEADER + " \n\t \r\n <message/>  ")).toBe("none");
  });

  test("errors go to onError once, never thrown, and later input is ignored", () => {
    const c = collector();
    expect(() => {
      c.parser.write(HEADER + "<message/><!-- x --><message/>");
      c.parser.write("<message/><!-- again -->");
    }).not.toThrow();
    expect(c.errors.map((e) => e.condition)).toEqual(["restricted-xml"]);
    expect(c.stanzas).toHaveLength(1);
  });

  test("an exception from a handler becomes internal-server-error", () => {
    const errors: string[] = [];
    const parser = new StreamParser({
      onStreamStart() {},
      onStanza() { throw new Error("handler bug"); },
      onStreamEnd() {},
      onError: (e) => errors.push(`${e.condition}: ${e.text}`),
    });
    parser.write(HEADER + "<message/>");
    expect(errors).toEqual(["internal-server-error: handler bug"]);
  });
});

describe("limits (RFC 6120 §4.9.3.14 policy-violation)", () => {
  const stanza = (bodyLength: number, char = "a") => `<message><body>${char.repeat(bodyLength)}</body></message>`;
  const overhead = stanza(0).length;

  test("a stanza of exactly maxStanzaBytes passes; one byte more is policy-violation", () => {
    const max = 200;
    expect(conditionOf(HEADER + stanza(max - overhead), { maxStanzaBytes: max })).toBe("none");
    expect(conditionOf(HEADER + stanza(max - overhead + 1), { maxStanzaBytes: max })).toBe("policy-violation");
  });

  test("bytes are counted, not characters", () => {
    const max = 200;
    const fits = (max - overhead) / 2; // 'é' is two bytes in UTF-8
    expect(conditionOf(HEADER + stanza(fits, "é"), { maxStanzaBytes: max })).toBe("none");
    expect(conditionOf(HEADER + stanza(fits + 1, "é"), { maxStanzaBytes: max })).toBe("policy-violation");
    expect(conditionOf(Buffer.from(HEADER + stanza(fits + 1, "é")), { maxStanzaBytes: max })).toBe("policy-violation");
  });

  test("whitespace between stanzas is not counted", () => {
    const max = 200; // the header (~150 bytes) is held to the same limit
    const input = HEADER + (stanza(max - overhead) + " ".repeat(500)).repeat(3);
    expect(conditionOf(input, { maxStanzaBytes: max })).toBe("none");
  });

  test("an endless stanza is stopped as its bytes arrive", () => {
    const c = collector({ maxStanzaBytes: 10_000 });
    c.parser.write(HEADER + "<message><body>");
    let written = 0;
    while (c.errors.length === 0 && written < 100_000) {
      c.parser.write("a".repeat(1000));
      written += 1000;
    }
    expect(c.errors.map((e) => e.condition)).toEqual(["policy-violation"]);
    expect(written).toBeLessThanOrEqual(11_000);
  });

  test("an endless start tag is stopped as its bytes arrive", () => {
    const c = collector({ maxStanzaBytes: 10_000 });
    c.parser.write(HEADER + "<message to='");
    for (let i = 0; i < 20 && c.errors.length === 0; i++) c.parser.write("b".repeat(1000));
    expect(c.errors.map((e) => e.condition)).toEqual(["policy-violation"]);
  });

  test("an endless stream header is stopped too", () => {
    const c = collector({ maxStanzaBytes: 1000 });
    c.parser.write("<stream:stream xmlns='jabber:client' a='");
    for (let i = 0; i < 20 && c.errors.length === 0; i++) c.parser.write("c".repeat(100));
    expect(c.errors.map((e) => e.condition)).toEqual(["policy-violation"]);
  });

  test("nesting up to maxDepth passes; one level deeper is policy-violation", () => {
    const nest = (depth: number) => "<a>".repeat(depth) + "</a>".repeat(depth);
    expect(conditionOf(HEADER + nest(3), { maxDepth: 3 })).toBe("none");
    expect(conditionOf(HEADER + nest(4), { maxDepth: 3 })).toBe("policy-violation");
    expect(conditionOf(HEADER + "<a>".repeat(64) + "<b/>" + "</a>".repeat(64))).toBe("policy-violation");
  });

  test("an empty self-closed element counts as a level", () => {
    expect(conditionOf(HEADER + "<a><b/></a>", { maxDepth: 1 })).toBe("policy-violation");
  });
});
