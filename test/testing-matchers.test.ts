import { Element, parse } from "ltx";
import { stanzaMatchers } from "../src/testing/index.js";

expect.extend(stanzaMatchers);
const xml = (s: string) => parse(s) as Element;
const msg = xml(`<message xmlns="jabber:client" type="chat" from="a@localhost/r" to="b@localhost" id="1"><body>hi</body><active xmlns="http://jabber.org/protocol/chatstates"/><x xmlns="urn:x"><item jid="c@d"/></x></message>`);

test("a pattern matches what it lists and ignores the rest", () => {
  expect(msg).toMatchStanza(`<message type="chat"><body>hi</body></message>`);
  expect(msg).toMatchStanza(`<message><x xmlns="urn:x"><item jid="c@d"/></x></message>`);
  expect(msg).toMatchStanza(new Element("message", { xmlns: "jabber:client" }));
});

test.each([
  `<message type="normal"/>`,
  `<message><body>bye</body></message>`,
  `<message><subject/></message>`,
  `<message><x xmlns="urn:y"/></message>`,
  `<message><x xmlns="urn:x"><item jid="other@d"/></x></message>`,
  `<presence/>`,
])("a mismatch fails: %s", (pattern) => {
  expect(msg).not.toMatchStanza(pattern);
});

test("the failure message shows a diff of both", () => {
  const result = stanzaMatchers.toMatchStanza.call(
    { isNot: false, utils: { diff: (a: unknown, b: unknown) => `- ${a}\n+ ${b}`, printReceived: String } },
    msg,
    `<message><body>bye</body></message>`,
  );
  expect(result.pass).toBe(false);
  expect(result.message()).toContain("<body>bye</body>");
  expect(result.message()).toContain("<body>hi</body>");
});

test("not a stanza: a clear message", () => {
  const result = stanzaMatchers.toMatchStanza.call({ isNot: false, utils: { diff: () => null, printReceived: String } }, "text", "<a/>");
  expect(result.pass).toBe(false);
  expect(result.message()).toMatch(/expected a stanza/);
});
