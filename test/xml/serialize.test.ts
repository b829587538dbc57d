// serialize() / streamHeader(): escaping, stream-namespace rules, and parse(serialize(x)) = x.
import fc from "fast-check";
import { Element, equal } from "ltx";
import { StreamError } from "../../src/errors.js";
import { serialize, streamHeader, STREAM_CLOSE } from "../../src/xml/index.js";
import { NS_STREAM, parse } from "./collect.js";

/** Parses one element written to a jabber:client stream. */
function reparse(el: Element, streamNs = "jabber:client"): Element {
  const c = parse(streamHeader({ xmlns: streamNs }) + serialize(el, streamNs) + STREAM_CLOSE);
  if (c.errors.length > 0) throw c.errors[0];
  expect(c.stanzas).toHaveLength(1);
  return c.stanzas[0]!;
}

describe("serialize", () => {
  test("escapes text and attribute values", () => {
    const el = new Element("message", { to: `a&b<c>"d'e`, id: "t\tn\nr\r" }).c("body").t("x<y & z > ]]> \r\n").up();
    expect(serialize(el)).toBe(
      "<message to='a&amp;b&lt;c&gt;&quot;d&apos;e' id='t&#9;n&#10;r&#13;'>" +
      "<body>x&lt;y &amp; z &gt; ]]&gt; &#13;\n</body></message>",
    );
    const back = reparse(el);
    expect(back.attrs).toEqual({ to: `a&b<c>"d'e`, id: "t\tn\nr\r", xmlns: "jabber:client" });
    expect(back.getChildText("body")).toBe("x<y & z > ]]> \r\n");
  });

  test("self-closes empty elements, writes number children, skips null attributes", () => {
    const el = new Element("a", { b: undefined, c: "1" });
    el.c("n").t(42 as unknown as string);
    el.c("e");
    expect(serialize(el)).toBe("<a c='1'><n>42</n><e/></a>");
  });

  test("omits a top-level xmlns equal to the stream's namespace", () => {
    const el = new Element("message", { xmlns: "jabber:client", to: "a@b" }).c("body").t("hi").up();
    expect(serialize(el, "jabber:client")).toBe("<message to='a@b'><body>hi</body></message>");
    expect(serialize(el)).toBe("<message xmlns='jabber:client' to='a@b'><body>hi</body></message>");
  });

  test("re-namespaces jabber:client ⇄ jabber:server on the stanza only; children keep theirs", () => {
    const el = new Element("message", { xmlns: "jabber:client" });
    el.c("x", { xmlns: "jabber:client" });
    el.c("y", { xmlns: "urn:y" });
    expect(serialize(el, "jabber:server")).toBe("<message><x xmlns='jabber:client'/><y xmlns='urn:y'/></message>");
    const back = reparse(el, "jabber:server");
    expect(back.getNS()).toBe("jabber:server");
    expect(back.getChild("x")!.getNS()).toBe("jabber:client");
    const iq = new Element("iq", { xmlns: "jabber:server" });
    expect(serialize(iq, "jabber:client")).toBe("<iq/>");
  });

  test("keeps a foreign top-level namespace", () => {
    expect(serialize(new Element("open", { xmlns: "urn:ietf:params:xml:ns:xmpp-framing" }), "jabber:client"))
      .toBe("<open xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>");
  });

  test("stream: elements rely on the header's declaration", () => {
    const features = new Element("stream:features", { xmlns: "jabber:client", "xmlns:stream": NS_STREAM });
    features.c("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" });
    expect(serialize(features, "jabber:client")).toBe("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>");
    const error = new StreamError("policy-violation", "too big").toElement();
    const back = reparse(error);
    expect(back.getNS()).toBe(NS_STREAM);
    expect(back.getChildText("text", "urn:ietf:params:xml:ns:xmpp-streams")).toBe("too big");
  });

  test("does not modify the element", () => {
    const el = new Element("message", { xmlns: "jabber:server", "xmlns:stream": NS_STREAM }).c("body").t("a").up();
    const before = el.toString();
    serialize(el, "jabber:client");
    expect(el.toString()).toBe(before);
  });
});

describe("streamHeader", () => {
  test("writes the declaration and an open stream tag that the parser accepts", () => {
    const header = streamHeader({ xmlns: "jabber:server", from: "a.example", to: "b'.example", version: "1.0", id: "x", "xml:lang": "en", "xmlns:db": "jabber:server:dialback" });
    expect(header).toBe(
      `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='${NS_STREAM}' from='a.example' ` +
      "to='b&apos;.example' version='1.0' id='x' xml:lang='en' xmlns:db='jabber:server:dialback'>",
    );
    const c = parse(header + STREAM_CLOSE);
    expect(c.errors).toEqual([]);
    expect(c.headers[0]!.attrs).toMatchObject({ to: "b'.example", "xmlns:db": "jabber:server:dialback" });
    expect(c.ends).toBe(1);
  });

  test("defaults to jabber:client", () => {
    expect(streamHeader()).toBe(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}'>`);
  });
});

describe("round trip (property)", () => {
  const ILLEGAL = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
  const legalChar = fc.string({ unit: "binary", minLength: 1, maxLength: 1 }).filter((s) => !ILLEGAL.test(s));
  const unit = fc.oneof(
    fc.constantFrom("&", "<", ">", '"', "'", "\r", "\n", "\r\n", "\t", "]", "]]>", " ", "é", "𝄞", "&amp;", "<!--", "<?"),
    legalChar,
    fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
  );
  const text = fc.string({ unit, minLength: 1, maxLength: 12 });
  const attrs = fc.dictionary(
    fc.constantFrom("id", "to", "type", "a-b", "c.d", "xml:lang", "é", "_x"),
    fc.string({ unit, maxLength: 10 }),
    { maxKeys: 4 },
  );
  const name = fc.constantFrom("a", "body", "x-y", "q.1", "_z", "né");
  interface Tree { name: string; attrs: Record<string, string>; ns?: string; children: Array<string | Tree> }
  const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.record({
      name,
      attrs,
      ns: fc.option(fc.constantFrom("urn:a", "jabber:client", ""), { nil: undefined }),
      children: fc.array(fc.oneof({ depthSize: "small" }, text, tie("tree")), { maxLength: 4 }),
    }),
  }));

  function toElement(t: Tree): Element {
    const el = new Element(t.name, t.ns === undefined ? t.attrs : { ...t.attrs, xmlns: t.ns });
    for (const child of t.children) {
      if (typeof child !== "string") el.cnode(toElement(child));
      else if (typeof el.children.at(-1) === "string") el.children[el.children.length - 1] += child; // parsers merge text
      else el.t(child);
    }
    return el;
  }

  test("parse(serialize(x)) equals x for random trees", () => {
    fc.assert(
      fc.property(tree, (t) => {
        const el = toElement(t);
        if (el.attrs.xmlns === "") delete el.attrs.xmlns; // xmlns='' on a stanza would leave the stream namespace
        const before = el.toString();
        const back = reparse(el);
        const expected = toElement(t);
        if (expected.attrs.xmlns === "" || expected.attrs.xmlns === undefined) expected.attrs.xmlns = "jabber:client";
        if (!equal(back, expected)) throw new Error(`${back.toString()} != ${expected.toString()}`);
        expect(el.toString()).toBe(before);
      }),
      { numRuns: 500 },
    );
  });
});
