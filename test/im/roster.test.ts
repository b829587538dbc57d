// RFC 6121 §2 roster management, as conversations over real sockets.
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import {
  errorCondition, isPush, itemOf, nextPush, nextPushItem, NS_ROSTER, rosterGet, rosterGetVersion, rosterSet, startImServer,
} from "./roster-kit.js";

let t: TestServer;
beforeAll(async () => {
  t = await startImServer(["alice", "bob", "carol", "dave", "erin", "frank"]);
});
afterAll(() => t.stop());

const items = (result: Element) => result.getChild("query", NS_ROSTER)!.getChildren("item").map(itemOf);

test("a new account's roster is empty, at version 0", async () => {
  const alice = await t.login("alice", { resource: "fresh" });
  const result = await rosterGet(alice);
  expect(result.attrs.type).toBe("result");
  expect(result.getChild("query", NS_ROSTER)!.attrs.ver).toBe("0");
  expect(items(result)).toEqual([]);
});

test("stream features after bind list <ver/> (§2.6.1) and <sub/> (§3.4)", async () => {
  const client = t.connect();
  await client.open();
  client.raw(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from("\0carol\0pw-carol").toString("base64")}</auth>`);
  await client.next({ name: "success" });
  const features = await client.restart();
  expect(features.getChild("ver", "urn:xmpp:features:rosterver")).toBeDefined();
  expect(features.getChild("sub", "urn:xmpp:features:pre-approval")).toBeDefined();
});

test("dave adds bob with a name and groups: a push to every interested resource, not to the others", async () => {
  const phone = await t.login("dave", { resource: "phone" });
  const laptop = await t.login("dave", { resource: "laptop" });
  const bot = await t.login("dave", { resource: "bot" }); // never asks for the roster
  await rosterGet(phone);
  await rosterGet(laptop);

  const result = await rosterSet(phone, { jid: "Bob@LocalHost", name: "Bob" }, ["Friends", "Work"]);
  expect(result.attrs.type).toBe("result");
  const expected = { jid: "bob@localhost", name: "Bob", subscription: "none", groups: ["Friends", "Work"] };
  expect(await nextPushItem(phone)).toEqual(expected);
  const push = await nextPush(laptop);
  expect(push.attrs.ver).toBe("1");
  expect(itemOf(push.getChild("item")!)).toEqual(expected);
  await bot.nothing(isPush);

  // §2.4: update (rename, regroup); the server ignores subscription/ask/approved from the client.
  await rosterSet(laptop, { jid: "bob@localhost", name: "Robert", subscription: "both", ask: "subscribe", approved: "true" }, ["Work"]);
  expect(await nextPushItem(phone)).toEqual({ jid: "bob@localhost", name: "Robert", subscription: "none", groups: ["Work"] });
  expect(items(await rosterGet(bot))).toEqual([{ jid: "bob@localhost", name: "Robert", subscription: "none", groups: ["Work"] }]);
});

test("§2.3.3 errors: several items, duplicate or empty or oversized groups, bad JIDs", async () => {
  const erin = await t.login("erin");
  const twoItems = new Element("iq", { type: "set" }).c("query", { xmlns: NS_ROSTER });
  twoItems.c("item", { jid: "a@localhost" }).up().c("item", { jid: "b@localhost" });
  expect(errorCondition(await erin.request(twoItems.root()))).toBe("bad-request");
  expect(errorCondition(await rosterSet(erin, { jid: "a@localhost" }, ["x", "x"]))).toBe("bad-request");
  expect(errorCondition(await rosterSet(erin, { jid: "a@localhost" }, [""]))).toBe("not-acceptable");
  expect(errorCondition(await rosterSet(erin, { jid: "a@localhost" }, ["g".repeat(1024)]))).toBe("not-acceptable");
  expect(errorCondition(await rosterSet(erin, { jid: "a@localhost", name: "n".repeat(1024) }))).toBe("not-acceptable");
  expect(errorCondition(await rosterSet(erin, { jid: "a@localhost/res" }))).toBe("bad-request");
  expect(errorCondition(await rosterSet(erin, { jid: "@localhost" }))).toBe("jid-malformed");
  expect(errorCondition(await rosterSet(erin, { name: "no jid" }))).toBe("bad-request");
  // Nothing of it was stored.
  expect(items(await rosterGet(erin))).toEqual([]);
});

test("§2.5: removing an item pushes subscription='remove'; removing an unknown one is item-not-found", async () => {
  const frank = await t.login("frank");
  await rosterGet(frank);
  await rosterSet(frank, { jid: "carol@localhost" });
  await nextPush(frank);
  expect((await rosterSet(frank, { jid: "carol@localhost", subscription: "remove" })).attrs.type).toBe("result");
  expect(await nextPushItem(frank)).toEqual({ jid: "carol@localhost", subscription: "remove" });
  expect(items(await rosterGet(frank))).toEqual([]);
  expect(errorCondition(await rosterSet(frank, { jid: "carol@localhost", subscription: "remove" }))).toBe("item-not-found");
});

test("a roster is the account's own: a get for another account, or a 'push' sent to another client, is forbidden", async () => {
  const carol = await t.login("carol", { resource: "c1" });
  const bob = await t.login("bob", { resource: "b1" });
  await rosterGet(bob);
  expect(errorCondition(await rosterGet(carol, { to: "bob@localhost" }))).toBe("forbidden");
  expect(errorCondition(await rosterSet(carol, { jid: "mallory@localhost" }, [], { to: "bob@localhost/b1" }))).toBe("forbidden");
  await bob.nothing(isPush);
  // Addressed to one's own bare JID is fine.
  expect((await rosterGet(carol, { to: "carol@localhost" })).attrs.type).toBe("result");
});

test("§2.6 versioning: the current version gets an empty result, an older one the whole roster; pushes carry versions", async () => {
  const carol = await t.login("carol", { resource: "v1" });
  const first = await rosterGet(carol);
  const ver = Number(first.getChild("query", NS_ROSTER)!.attrs.ver);
  await rosterSet(carol, { jid: "erin@localhost", name: "Erin" });
  expect((await nextPush(carol)).attrs.ver).toBe(String(ver + 1));

  const unchanged = await rosterGetVersion(carol, String(ver + 1));
  expect(unchanged.attrs.type).toBe("result");
  expect(unchanged.children).toHaveLength(0);

  const older = await rosterGetVersion(carol, String(ver));
  expect(older.getChild("query", NS_ROSTER)!.attrs.ver).toBe(String(ver + 1));
  expect(items(older)).toEqual(expect.arrayContaining([{ jid: "erin@localhost", name: "Erin", subscription: "none" }]));
  expect(items(await rosterGetVersion(carol, "not-ours"))).toHaveLength(items(older).length);
});

test("the roster is stored: it survives logging out (cache evicted) and in again", async () => {
  const bob = await t.login("bob", { resource: "first" });
  await rosterGet(bob);
  await rosterSet(bob, { jid: "frank@localhost", name: "Frank" }, ["Pals"]);
  await bob.close();
  await new Promise((r) => setTimeout(r, 50));
  const again = await t.login("bob", { resource: "second" });
  expect(items(await rosterGet(again))).toEqual(expect.arrayContaining([{ jid: "frank@localhost", name: "Frank", subscription: "none", groups: ["Pals"] }]));
});

describe("roster size limit", () => {
  test("a roster set that would pass limits.max_roster_items → not-allowed; updates still work", async () => {
    const { startTestServer } = await import("../../src/testing/index.js");
    const small = await startTestServer({ config: { limits: { max_roster_items: 2 } } });
    try {
      await small.addUser("zed");
      const zed = await small.login("zed");
      const set = (jid: string, name = "n") =>
        zed.request(new Element("iq", { type: "set" }).c("query", { xmlns: "jabber:iq:roster" }).c("item", { jid, name }).root());
      expect((await set("a@localhost")).attrs.type).toBe("result");
      expect((await set("b@localhost")).attrs.type).toBe("result");
      const third = await set("c@localhost");
      expect(third.attrs.type).toBe("error");
      expect(third.getChild("error")?.getChild("not-allowed")).toBeDefined();
      expect((await set("a@localhost", "renamed")).attrs.type).toBe("result");
    } finally {
      await small.stop();
    }
  });
});
