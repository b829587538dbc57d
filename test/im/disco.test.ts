// XEP-0030 service discovery and XEP-0115 server capabilities, over real sockets.
import { Element } from "ltx";
import { defineModule } from "../../src/module.js";
import { capsVer, CAPS_NODE, discoItems } from "../../src/modules/disco/index.js";
import type { TestServer } from "../../src/testing/index.js";
import { errorCondition, online, setSubscription, startImServer } from "./messaging-kit.js";

const INFO = "http://jabber.org/protocol/disco#info";
const ITEMS = "http://jabber.org/protocol/disco#items";

const extraFeature = defineModule({ name: "test-feature", setup: (api) => api.discoFeature("urn:example:extra") });

let t: TestServer;
beforeAll(async () => {
  t = await startImServer({ extra: [extraFeature] });
  for (const name of ["alice", "bob", "carol"]) await t.addUser(name);
});
afterAll(() => t.stop());

const query = (ns: string, to: string | undefined, node?: string) =>
  new Element("iq", { type: "get", to }).c("query", { xmlns: ns, node }).root();

const features = (result: Element) => result.getChild("query")!.getChildren("feature").map((f) => f.attrs.var as string);
const identities = (result: Element) =>
  result.getChild("query")!.getChildren("identity").map((i) => ({ category: i.attrs.category, type: i.attrs.type, name: i.attrs.name }));

test("XEP-0115 §5.2: the verification string of the specification's example", () => {
  const ver = capsVer([{ category: "client", type: "pc", name: "Exodus 0.9.1" }], [
    "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items", "http://jabber.org/protocol/muc",
  ]);
  expect(ver).toBe("QgayPKawpkPSDYmwT/WM94uAlu0=");
});

test("alice asks the server for disco#info: server/im identity and every module's feature", async () => {
  const alice = await t.login("alice");
  const result = await alice.request(query(INFO, "localhost"));
  expect(result.attrs.type).toBe("result");
  expect(result.attrs.from).toBe("localhost");
  expect(identities(result)).toEqual([{ category: "server", type: "im", name: "tjabberd" }]);
  expect(features(result)).toEqual(expect.arrayContaining([
    INFO, ITEMS, "urn:xmpp:ping", "jabber:iq:version", "urn:xmpp:time", "jabber:iq:last", "msgoffline", "urn:example:extra",
  ]));
  expect(features(result).sort()).toEqual([...t.server.discoFeatures].sort());
  await alice.close();
});

test("the <c/> stream feature carries the ver of that disco#info; node#ver answers the same", async () => {
  const alice = await t.login("alice");
  const info = await alice.request(query(INFO, "localhost"));
  const expected = capsVer(identities(info), features(info));
  const caps = await capsFeature();
  expect(caps.attrs).toMatchObject({ xmlns: "http://jabber.org/protocol/caps", hash: "sha-1", node: CAPS_NODE, ver: expected });

  const byNode = await alice.request(query(INFO, "localhost", `${CAPS_NODE}#${expected}`));
  expect(byNode.getChild("query")!.attrs.node).toBe(`${CAPS_NODE}#${expected}`);
  expect(features(byNode)).toEqual(features(info));
  const unknown = await alice.request(query(INFO, "localhost", "urn:example:nothing-here"));
  expect(errorCondition(unknown)).toBe("item-not-found");
  await alice.close();
});

/** The stream features after authentication (RFC 6120 §4.3.2), where the server puts its caps. */
async function capsFeature(): Promise<Element> {
  const c = t.connect();
  await c.open();
  c.raw(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from("\0alice\0pw-alice").toString("base64")}</auth>`);
  await c.next({ name: "success" });
  const features = await c.restart();
  await c.close();
  return features.getChild("c", "http://jabber.org/protocol/caps")!;
}

test("disco#info to a bare account JID: the account itself yes, others service-unavailable (XEP-0030 §8)", async () => {
  const alice = await t.login("alice");
  const own = await alice.request(query(INFO, "alice@localhost"));
  expect(identities(own)).toEqual([{ category: "account", type: "registered", name: undefined }]);
  expect(features(own)).toContain(INFO);
  const noTo = await alice.request(query(INFO, undefined)); // RFC 6120 §10.3.3: on the account's behalf
  expect(identities(noTo)[0].category).toBe("account");
  expect(errorCondition(await alice.request(query(INFO, "bob@localhost")))).toBe("service-unavailable");
  expect(errorCondition(await alice.request(query(INFO, "nobody@localhost")))).toBe("service-unavailable");
  await alice.close();
});

test("disco#info to a bare account JID: a 'from'/'both' subscriber may ask, a 'to'/'none' contact may not", async () => {
  setSubscription(t, "carol", "alice@localhost", "from");
  setSubscription(t, "carol", "bob@localhost", "to");
  const alice = await t.login("alice");
  const bob = await t.login("bob");
  expect(identities(await alice.request(query(INFO, "carol@localhost")))).toEqual([{ category: "account", type: "registered", name: undefined }]);
  expect(errorCondition(await bob.request(query(INFO, "carol@localhost")))).toBe("service-unavailable");
  setSubscription(t, "carol", "bob@localhost", "both");
  expect((await bob.request(query(INFO, "carol@localhost"))).attrs.type).toBe("result");
  await Promise.all([alice.close(), bob.close()]);
});

test("disco#items: empty for the server and accounts, lists what modules add", async () => {
  const alice = await t.login("alice");
  expect((await alice.request(query(ITEMS, "localhost"))).getChild("query")!.children).toEqual([]);
  expect((await alice.request(query(ITEMS, "bob@localhost"))).getChild("query")!.children).toEqual([]);
  discoItems(t.server).push({ jid: "rooms.localhost", name: "Chatrooms" });
  const items = (await alice.request(query(ITEMS, "localhost"))).getChild("query")!.getChildren("item");
  expect(items.map((i) => i.attrs)).toEqual([{ jid: "rooms.localhost", name: "Chatrooms" }]);
  discoItems(t.server).length = 0;
  await alice.close();
});

test("disco#info to a full JID is the client's to answer: routed to bob, his answer back to alice", async () => {
  const alice = await t.login("alice", { resource: "a" });
  const bob = await online(t, "bob", "desk");
  const pending = alice.request(query(INFO, "bob@localhost/desk"));
  const request = await bob.next({ name: "iq" });
  expect(request.attrs.from).toBe("alice@localhost/a");
  bob.send(new Element("iq", { type: "result", id: request.attrs.id, to: request.attrs.from })
    .c("query", { xmlns: INFO }).c("identity", { category: "client", type: "pc" }).root());
  expect(identities(await pending)).toEqual([{ category: "client", type: "pc", name: undefined }]);
  expect(errorCondition(await alice.request(query(INFO, "bob@localhost/gone")))).toBe("service-unavailable");
  await Promise.all([alice.close(), bob.close()]);
});
