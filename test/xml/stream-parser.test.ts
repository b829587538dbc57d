// What the parser delivers for well-formed streams: header, stanzas (namespaces resolved), close.
import { collector, HEADER, NS_STREAM, parse } from "./collect.js";

describe("StreamParser: stream structure", () => {
  test("reports the raw header attributes, each stanza and the close", () => {
    const c = parse(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='" + NS_STREAM +
      "' to='example.com' from='juliet@example.com' version='1.0' id='s1' xml:lang='en'>" +
      "<message to='romeo@example.net' id='m1' type='chat'><body>Hi</body></message>" +
      "<presence/></stream:stream>",
    );
    expect(c.errors).toEqual([]);
    expect(c.headers).toEqual([{
      name: "stream:stream",
      attrs: {
        xmlns: "jabber:client", "xmlns:stream": NS_STREAM, to: "example.com", from: "juliet@example.com",
        version: "1.0", id: "s1", "xml:lang": "en",
      },
    }]);
    expect(c.stanzas.map((s) => s.toString())).toEqual([
      '<message to="romeo@example.net" id="m1" type="chat" xmlns="jabber:client"><body>Hi</body></message>',
      '<presence xmlns="jabber:client"/>',
    ]);
    expect(c.ends).toBe(1);
  });

  test("the XML declaration is optional", () => {
    const c = parse(HEADER.slice("<?xml version='1.0'?>".length) + "<presence/>");
    expect(c.headers).toHaveLength(1);
    expect(c.stanzas).toHaveLength(1);
  });

  test("a UTF-8 byte order mark before the declaration is skipped", () => {
    const c = parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(HEADER + "<presence/>")]));
    expect(c.errors).toEqual([]);
    expect(c.stanzas).toHaveLength(1);
  });

  test("stanzas are detached: no parent, delivered as soon as they close", () => {
    const c = collector();
    c.parser.write(HEADER + "<message><body>a</body>");
    expect(c.stanzas).toHaveLength(0);
    c.parser.write("</message>");
    expect(c.stanzas).toHaveLength(1);
    expect(c.stanzas[0]!.parent).toBeNull();
  });

  test("whitespace keepalives between stanzas are ignored; whitespace inside is kept", () => {
    const c = parse(HEADER + "\n \n<message> <body> a\n b </body> </message>\t\r\n ");
    expect(c.errors).toEqual([]);
    expect(c.stanzas).toHaveLength(1);
    expect(c.stanzas[0]!.children[0]).toBe(" ");
    expect(c.stanzas[0]!.getChildText("body")).toBe(" a\n b ");
  });

  test("a self-closed stream header opens and closes the stream", () => {
    const c = parse(`<stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}'/>`);
    expect([c.headers.length, c.ends, c.errors.length]).toEqual([1, 1, 0]);
  });

  test("input after </stream:stream> is ignored", () => {
    const c = parse(HEADER + "</stream:stream><message/>garbage<");
    expect([c.ends, c.stanzas.length, c.errors.length]).toEqual([1, 0, 0]);
  });

  test("stream:error and stream:features from the peer are delivered as stanzas", () => {
    const c = parse(HEADER +
      "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>" +
      "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
    expect(c.stanzas.map((s) => s.name)).toEqual(["stream:features", "stream:error"]);
    const [features, error] = c.stanzas;
    expect(features!.is("features", NS_STREAM)).toBe(true);
    expect(features!.getChild("starttls", "urn:ietf:params:xml:ns:xmpp-tls")?.getChild("required")).toBeDefined();
    expect(error!.getNS()).toBe(NS_STREAM);
    expect(error!.getChildElements()[0]!.getNS()).toBe("urn:ietf:params:xml:ns:xmpp-streams");
  });
});

describe("StreamParser: character data", () => {
  const body = (xml: string) => parse(HEADER + `<message>${xml}</message>`).stanzas[0]!;

  test("predefined entities and character references are decoded", () => {
    expect(body("<body>&lt;a&gt; &amp; &quot;&apos; &#233;&#x263A;&#x1D11E;</body>").getChildText("body"))
      .toBe("<a> & \"' é☺𝄞");
  });

  test("CDATA sections are text, without reference decoding", () => {
    expect(body("<body>x<![CDATA[<b>&amp;</b>]]>y</body>").getChildText("body")).toBe("x<b>&amp;</b>y");
  });

  test("line ends are normalized in text (XML 1.0 §2.11) but &#13; is kept", () => {
    expect(body("<body>a\r\nb\rc&#13;d</body>").getChildText("body")).toBe("a\nb\nc\rd");
  });

  test("attribute values are decoded and whitespace-normalized (XML 1.0 §3.3.3)", () => {
    const el = body("<x a='1&amp;2&lt;3' b=\"it's\" c='t\tn\nr\r\nz' d='&#9;&#10;&#13;'/>").getChild("x")!;
    expect(el.attrs).toEqual({ a: "1&2<3", b: "it's", c: "t n r z", d: "\t\n\r" });
  });

  test("'>' is allowed in text and attribute values", () => {
    const el = body("<x a='>'>a > b</x>").getChild("x")!;
    expect([el.attrs.a, el.getText()]).toEqual([">", "a > b"]);
  });

  test("an attribute named __proto__ is kept as data", () => {
    const el = body("<x __proto__='p'/>").getChild("x")!;
    expect(Object.keys(el.attrs)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(el.attrs)).toBe(Object.prototype);
  });
});

describe("StreamParser: namespaces", () => {
  test("a top-level element gets the stream's default namespace explicitly; children inherit it", () => {
    const [msg] = parse(HEADER + "<message><body>x</body></message>").stanzas;
    expect(msg!.attrs.xmlns).toBe("jabber:client");
    expect(msg!.getNS()).toBe("jabber:client");
    expect(msg!.getChild("body")!.getNS()).toBe("jabber:client");
  });

  test("an explicit xmlns is kept, on the stanza and inside it", () => {
    const [iq] = parse(HEADER + "<iq xmlns='jabber:server'><query xmlns='jabber:iq:roster'><item/></query></iq>").stanzas;
    expect(iq!.getNS()).toBe("jabber:server");
    expect(iq!.getChild("query")!.getChild("item")!.getNS()).toBe("jabber:iq:roster");
  });

  test("the server stream's default namespace applies on jabber:server streams", () => {
    const [msg] = parse(`<stream:stream xmlns='jabber:server' xmlns:stream='${NS_STREAM}'><message/>`).stanzas;
    expect(msg!.getNS()).toBe("jabber:server");
  });

  test("prefixes declared inside a stanza resolve on descendants", () => {
    const [iq] = parse(HEADER + "<iq><q xmlns:x='urn:x'><x:item x:flag='1'><x:sub/></x:item></q></iq>").stanzas;
    const item = iq!.getChild("q")!.getChildElements()[0]!;
    expect(item.name).toBe("x:item");
    expect(item.getNS()).toBe("urn:x");
    expect(item.getChildElements()[0]!.getNS()).toBe("urn:x");
    expect(iq!.getChild("q")!.attrs["xmlns:x"]).toBe("urn:x");
  });

  test("prefixes declared on the header are copied onto the stanza that uses them", () => {
    const c = parse(
      `<stream:stream xmlns='jabber:server' xmlns:stream='${NS_STREAM}' xmlns:db='jabber:server:dialback'>` +
      "<db:result from='a.example' to='b.example'>key</db:result><message><db:x/></message><presence/>",
    );
    const [result, message, presence] = c.stanzas;
    expect(result!.getNS()).toBe("jabber:server:dialback");
    expect(result!.attrs["xmlns:db"]).toBe("jabber:server:dialback");
    expect(message!.getChildElements()[0]!.getNS()).toBe("jabber:server:dialback");
    expect(presence!.attrs).toEqual({ xmlns: "jabber:server" }); // only where used
  });

  test("stream: children keep their name and resolve to the streams namespace", () => {
    const [features] = parse(HEADER + "<stream:features/>").stanzas;
    expect(features!.name).toBe("stream:features");
    expect(features!.getNS()).toBe(NS_STREAM);
  });

  test("xml:lang needs no declaration", () => {
    const c = parse(HEADER + "<message xml:lang='fr'><body xml:lang='en'>x</body></message>");
    expect(c.errors).toEqual([]);
    expect(c.stanzas[0]!.attrs).toEqual({ "xml:lang": "fr", xmlns: "jabber:client" });
  });

  test("an inner declaration shadows an outer one", () => {
    const [m] = parse(HEADER + "<m xmlns:p='urn:outer'><p:a><c xmlns:p='urn:inner'><p:b/></c></p:a></m>").stanzas;
    const a = m!.getChildElements()[0]!;
    expect(a.getNS()).toBe("urn:outer");
    expect(a.getChild("c")!.getChildElements()[0]!.getNS()).toBe("urn:inner");
  });
});
