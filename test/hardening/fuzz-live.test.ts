import fc from "fast-check";
import { Element } from "ltx";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";

/**
 * Random and mutated stanzas over real connections: the server must never crash, and every
 * connection must end with a stream error or keep answering (RFC 6120 §4.9: bad XML is a stream
 * error; §8.3: a bad stanza is a stanza error). A longer run: `npx tsx bench/fuzz/fuzz-live.ts --minutes 3`.
 */
const templates = [
  `<message to='bob@localhost' type='chat' id='m1'><body>hello &amp; bye</body></message>`,
  `<presence><show>away</show><status>x</status><priority>5</priority></presence>`,
  `<iq type='get' id='q1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`,
  `<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='bob@localhost' name='B'><group>G</group></item></query></iq>`,
  `<iq type='get' id='v1' to='bob@localhost'><vCard xmlns='vcard-temp'/></iq>`,
  `<iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>`,
];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom("<", ">", "&", "'", "\"", "/", "<!--", "<?x?>", "&foo;", "]]>", "\u0000", "é", "<a>", "</b>", "=") }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("attr" as const), name: fc.constantFrom("to", "from", "type", "id", "xml:lang"), value: fc.string({ maxLength: 12 }) }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(xml: string, m: Mutation): string {
  switch (m.kind) {
    case "insert": return xml.slice(0, m.at % xml.length) + m.text + xml.slice(m.at % xml.length);
    case "delete": return xml.slice(0, m.at % xml.length) + xml.slice((m.at % xml.length) + m.length);
    case "truncate": return xml.slice(0, m.at % xml.length);
    case "attr": {
      const el = new Element("message", { [m.name]: m.value, to: "bob@localhost" }).c("body").t("x").root();
      return el.toString();
    }
  }
  return xml;
}

const input = fc.record({ template: fc.constantFrom(...templates), mutations: fc.array(mutation, { maxLength: 3 }) })
  .map(({ template, mutations }) => mutations.reduce(mutate, template));

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser("fuzz");
  await t.addUser("bob");
});
afterAll(() => t.stop());

/** Alive: an IQ to an unknown namespace still gets its one response. */
async function stillAnswers(c: TestClient, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await c.request(new Element("iq", { type: "get", to: "localhost" }).c("query", { xmlns: "urn:fuzz:probe" }).root(), timeoutMs);
    return res.attrs.type === "error";
  } catch {
    return false;
  }
}

test("mutated stanzas: the server survives and every connection ends properly or keeps working", async () => {
  const bob = await t.login("bob");
  const runs = 25;
  await fc.assert(
    fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 4 }), async (batch) => {
      const c = await t.login("fuzz");
      for (const xml of batch) c.raw(xml);
      await stillAnswers(c, 300); // working connections answer; broken ones are checked below
      // Whatever state the input left (even an element still open), closing our stream must end
      // the connection: cleanly, or with a stream error (a mismatched end tag is not-well-formed).
      c.raw("</stream:stream>");
      await c.closedByServer(3000);
      if (c.lastStreamError) {
        expect(c.lastStreamError.children.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: runs, seed: 20261125 },
  );
  // The two outcomes both happen (checked on fixed controls, so load on the machine can't flake
  // the count): intact stanzas keep the connection working, broken XML ends it with an error.
  const intact = await t.login("fuzz");
  intact.raw(templates[0]);
  expect(await stillAnswers(intact)).toBe(true);
  await intact.close();
  const broken = await t.login("fuzz");
  broken.raw(templates[0].replace("hello", "<!-- a comment -->hello"));
  await broken.closedByServer(3000);
  expect(broken.lastStreamError?.getChild("restricted-xml")).toBeDefined();
  // The other connection was never disturbed.
  expect(await stillAnswers(bob)).toBe(true);
}, 60_000);
