// Stream restarts (RFC 6120 §5.4.3.3 after STARTTLS, §6.4.6 after SASL): reset() expects a new header.
import type { Element } from "ltx";
import { StreamParser } from "../../src/xml/index.js";
import { collector, HEADER, NS_STREAM } from "./collect.js";

describe("reset()", () => {
  test("after reset a new header (with its XML declaration) is expected", () => {
    const c = collector();
    c.parser.write(HEADER + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>=</auth>");
    c.parser.reset();
    c.parser.write(HEADER + "<iq type='set' id='b'/>");
    expect(c.errors).toEqual([]);
    expect(c.headers).toHaveLength(2);
    expect(c.stanzas.map((s) => s.name)).toEqual(["auth", "iq"]);
  });

  test("without reset a second header is a nested element, not a restart", () => {
    const c = collector();
    c.parser.write(HEADER + HEADER);
    expect(c.errors.map((e) => e.condition)).toEqual(["restricted-xml"]); // the second <?xml?> is a PI
  });

  test("reset from inside onStanza drops the rest of the chunk (no STARTTLS injection)", () => {
    const names: string[] = [];
    let headers = 0;
    const parser: StreamParser = new StreamParser({
      onStreamStart: () => headers++,
      onStanza: (el: Element) => {
        names.push(el.name);
        if (el.name === "starttls") parser.reset();
      },
      onStreamEnd() {},
      onError: (e) => names.push(`error:${e.condition}`),
    });
    parser.write(HEADER + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><iq type='set' id='injected'/>");
    parser.write(HEADER + "<iq type='get' id='after-tls'/>");
    expect(names).toEqual(["starttls", "iq"]);
    expect(headers).toBe(2);
  });

  test("reset discards a partial stanza and held-back UTF-8 bytes", () => {
    const c = collector();
    const euro = Buffer.from("€");
    c.parser.write(Buffer.concat([Buffer.from(HEADER + "<message><body>"), euro.subarray(0, 2)]));
    c.parser.reset();
    c.parser.write(Buffer.concat([euro.subarray(2), Buffer.from(HEADER)]));
    expect(c.errors.map((e) => e.condition)).toEqual(["not-well-formed"]); // a lone continuation byte
    c.parser.reset();
    c.parser.write(HEADER + "<presence/>");
    expect(c.stanzas.map((s) => s.name)).toEqual(["presence"]);
  });

  test("reset clears an error and a closed stream", () => {
    const c = collector();
    c.parser.write(HEADER + "<!-- x -->");
    c.parser.reset();
    c.parser.write(HEADER + "<presence/></stream:stream>");
    c.parser.reset();
    c.parser.write(`<stream:stream xmlns='jabber:server' xmlns:stream='${NS_STREAM}'><message/>`);
    expect(c.errors.map((e) => e.condition)).toEqual(["restricted-xml"]);
    expect(c.stanzas.map((s) => s.getNS())).toEqual(["jabber:client", "jabber:server"]);
    expect(c.ends).toBe(1);
  });

  test("end() ignores further input without reporting", () => {
    const c = collector();
    c.parser.write(HEADER + "<message>");
    c.parser.end();
    c.parser.write("</message>");
    expect([c.stanzas.length, c.errors.length, c.ends]).toEqual([0, 0, 0]);
  });
});
