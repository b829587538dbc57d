// XEP-0191 blocking command, as conversations over real sockets: the commands, the pushes, and
// what a block does to messages, IQs and presence in both directions.
import { fileURLToPath } from "node:url";
import { Element, parse } from "ltx";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";
import { spawnJsonLines } from "../interop/child-process.js";
import { befriend, drain, errorCondition, isPresence, online, presence } from "./roster-kit.js";

const NS = "urn:xmpp:blocking";
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  for (const u of ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan", "judy"]) await t.addUser(u);
});
afterAll(() => t.stop());

const command = (name: "block" | "unblock", ...jids: string[]) =>
  parse(`<iq type='set'><${name} xmlns='${NS}'>${jids.map((j) => `<item jid='${j}'/>`).join("")}</${name}></iq>`) as Element;
const blocklist = async (c: TestClient) =>
  (await c.request(parse(`<iq type='get'><blocklist xmlns='${NS}'/></iq>`) as Element)).getChild("blocklist", NS)!.getChildren("item").map((i) => i.attrs.jid);
const isPush = (name: string) => (el: Element) => el.name === "iq" && el.attrs.type === "set" && el.getChild(name, NS) !== undefined;
const chat = (to: string, body: string) => new Element("message", { to, type: "chat" }).c("body").t(body).root();
const blockedCondition = (el: Element) => el.getChild("error")?.getChild("blocked", "urn:xmpp:blocking:errors");

test("alice blocks bob: result, a push to the resource that asked for the list only, the list has bob", async () => {
  const r1 = await t.login("alice", { resource: "r1" });
  const r2 = await t.login("alice", { resource: "r2" });
  expect(await blocklist(r1)).toEqual([]);
  expect((await r1.request(command("block", "Bob@LocalHost"))).attrs.type).toBe("result");
  const push = await r1.next(isPush("block"));
  expect(push.getChild("block")!.getChildren("item").map((i) => i.attrs.jid)).toEqual(["bob@localhost"]);
  await r2.nothing(isPush("block"));
  expect(await blocklist(r2)).toEqual(["bob@localhost"]);
});

test("bob, blocked, writes to alice: message and IQ get service-unavailable, presence vanishes, alice sees nothing", async () => {
  const alice = await t.login("alice", { resource: "desk" });
  const bob = await t.login("bob", { resource: "b" });
  bob.send(new Element("message", { to: "alice@localhost/desk", type: "chat", id: "m1" }).c("body").t("hi?").root());
  const bounced = await bob.next({ name: "message", id: "m1" });
  expect(bounced.attrs.type).toBe("error");
  expect(errorCondition(bounced)).toBe("service-unavailable");
  expect(bounced.attrs.from).toBe("alice@localhost/desk");

  const iq = await bob.request(new Element("iq", { type: "get", to: "alice@localhost/desk" }).c("query", { xmlns: "jabber:iq:version" }).root());
  expect(errorCondition(iq)).toBe("service-unavailable");

  bob.send(presence({ to: "alice@localhost/desk" }));
  await bob.nothing({ name: "presence" });
  await alice.nothing();
});

test("alice writes to bob, whom she blocked: not-acceptable with <blocked/>, bob sees nothing", async () => {
  const alice = await t.login("alice", { resource: "desk" });
  const bob = await t.login("bob", { resource: "b" });
  alice.send(new Element("message", { to: "bob@localhost/b", type: "chat", id: "m2" }).c("body").t("hey").root());
  const bounced = await alice.next({ name: "message", id: "m2" });
  expect(errorCondition(bounced)).toBe("not-acceptable");
  expect(blockedCondition(bounced)).toBeDefined();
  const iq = await alice.request(new Element("iq", { type: "get", to: "bob@localhost/b" }).c("ping", { xmlns: "urn:xmpp:ping" }).root());
  expect(errorCondition(iq)).toBe("not-acceptable");
  expect(blockedCondition(iq)).toBeDefined();
  alice.send(presence({ to: "bob@localhost/b" }));
  await alice.nothing({ name: "presence" });
  await bob.nothing();
});

test("bad commands: <block/> without items is bad-request, an invalid JID is jid-malformed", async () => {
  const alice = await t.login("alice");
  expect(errorCondition(await alice.request(command("block")))).toBe("bad-request");
  expect(errorCondition(await alice.request(command("block", "@nope")))).toBe("jid-malformed");
});

test("unblocking bob (one item, then all): pushes, and bob's messages reach alice again", async () => {
  const alice = await t.login("alice", { resource: "desk" });
  await blocklist(alice);
  await alice.request(command("block", "dave@localhost"));
  await alice.next(isPush("block"));
  await alice.request(command("unblock", "bob@localhost"));
  expect((await alice.next(isPush("unblock"))).getChild("unblock")!.getChildren("item").map((i) => i.attrs.jid)).toEqual(["bob@localhost"]);
  expect(await blocklist(alice)).toEqual(["dave@localhost"]);

  const bob = await t.login("bob", { resource: "b" });
  bob.send(chat("alice@localhost/desk", "back again"));
  expect((await alice.next({ name: "message" })).getChildText("body")).toBe("back again");

  // §3.5: <unblock/> without items empties the list.
  await alice.request(command("unblock"));
  expect((await alice.next(isPush("unblock"))).getChild("unblock")!.getChildren("item")).toHaveLength(0);
  expect(await blocklist(alice)).toEqual([]);
});

test("JID matching: a domain item blocks every account there; a full JID only that resource", async () => {
  const carol = await t.login("carol", { resource: "c" });
  const phone = await t.login("dave", { resource: "phone" });
  const laptop = await t.login("dave", { resource: "laptop" });
  await carol.request(command("block", "dave@localhost/phone"));
  phone.send(chat("carol@localhost/c", "from phone"));
  laptop.send(chat("carol@localhost/c", "from laptop"));
  expect(errorCondition(await phone.next({ name: "message" }))).toBe("service-unavailable");
  expect((await carol.next({ name: "message" })).getChildText("body")).toBe("from laptop");

  await carol.request(command("block", "localhost"));
  laptop.send(chat("carol@localhost/c", "again"));
  expect(errorCondition(await laptop.next({ name: "message" }))).toBe("service-unavailable");
  await carol.request(command("unblock"));
});

test("presence: blocking a subscribed contact sends them unavailable; unblocking, the current presence", async () => {
  const erin = await online(t, "erin", "e");
  const frank = await online(t, "frank", "f");
  await befriend(erin, frank);
  erin.send(presence({}, new Element("status").t("at work")));
  expect((await frank.next(isPresence("erin@localhost/e"))).getChildText("status")).toBe("at work");
  await drain(erin);

  await erin.request(command("block", "frank@localhost"));
  await frank.next(isPresence("erin@localhost/e", "unavailable"));
  // While blocked, erin's updates and frank's presence don't cross.
  erin.send(presence({}, new Element("status").t("busy")));
  frank.send(presence({}, new Element("status").t("here")));
  await frank.nothing((el) => el.name === "presence" && el.attrs.from === "erin@localhost/e");
  await erin.nothing(isPresence("frank@localhost/f"));

  await erin.request(command("unblock", "frank@localhost"));
  const current = await frank.next(isPresence("erin@localhost/e"));
  expect(current.getChildText("status")).toBe("busy");
});

test("a list not in memory is loaded on demand: gina, offline, still refuses bob; held messages keep their order", async () => {
  const gina = await t.login("gina");
  await gina.request(command("block", "bob@localhost"));
  await gina.close(); // her last session: her list leaves the cache
  const bob = await t.login("bob", { resource: "b" });
  bob.send(chat("gina@localhost", "anyone?"));
  expect(errorCondition(await bob.next({ name: "message" }))).toBe("service-unavailable");

  // hank never logged in, no list cached: carol's messages wait for it, then go to offline storage in order.
  const carol = await t.login("carol", { resource: "c" });
  for (let i = 0; i < 10; i++) carol.send(chat("hank@localhost", `m${i}`));
  await carol.nothing({ name: "message" });
  const hank = await online(t, "hank", "h");
  const bodies: string[] = [];
  while (bodies.length < 10) {
    const m = await hank.next((el) => el.name === "message" && el.getChildText("body")?.startsWith("m") === true);
    bodies.push(m.getChildText("body")!);
  }
  expect(bodies).toEqual([...Array(10).keys()].map((i) => `m${i}`));
});

test("what the server answers for an account (vCard, last activity, disco of the bare JID) is refused to a contact it blocked", async () => {
  const vcardOf = (to: string) => new Element("iq", { type: "get", to }).c("vCard", { xmlns: "vcard-temp" }).root();
  const lastOf = (to: string) => new Element("iq", { type: "get", to }).c("query", { xmlns: "jabber:iq:last" }).root();
  const discoOf = (to: string) => new Element("iq", { type: "get", to }).c("query", { xmlns: "http://jabber.org/protocol/disco#info" }).root();
  const ivan = await t.login("ivan", { resource: "i" });
  await ivan.request(parse(`<iq type='set'><vCard xmlns='vcard-temp'><FN>Ivan</FN></vCard></iq>`) as Element);
  expect((await ivan.request(command("block", "judy@localhost"))).attrs.type).toBe("result");
  const judy = await t.login("judy", { resource: "j" });
  const hank = await t.login("hank", { resource: "h" });
  for (const request of [vcardOf, lastOf, discoOf]) {
    const refused = await judy.request(request("ivan@localhost"));
    expect(refused.attrs.type).toBe("error");
    expect(errorCondition(refused)).toBe("service-unavailable");
  }
  // Others still read it, and so does ivan.
  expect((await hank.request(vcardOf("ivan@localhost"))).getChild("vCard")?.getChildText("FN")).toBe("Ivan");
  expect((await ivan.request(vcardOf("ivan@localhost"))).getChild("vCard")?.getChildText("FN")).toBe("Ivan");

  // With ivan offline his list is no longer in memory: loaded on demand, still enforced.
  await ivan.close();
  expect(errorCondition(await judy.request(vcardOf("ivan@localhost")))).toBe("service-unavailable");

  const again = await t.login("ivan", { resource: "i2" });
  await again.request(command("unblock", "judy@localhost"));
  expect((await judy.request(vcardOf("ivan@localhost"))).getChild("vCard")?.getChildText("FN")).toBe("Ivan");
});

test("@xmpp/client: a real client blocks, reads its list, and is told its message to the blocked JID was refused", async () => {
  const script = fileURLToPath(new URL("./blocking-xmpp-client.mjs", import.meta.url));
  const xmppjs = spawnJsonLines(process.execPath, [script, `xmpp://127.0.0.1:${t.port}`, "dave", "pw-dave", "erin@localhost"], {
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
    NODE_NO_WARNINGS: "1",
  });
  expect(await xmppjs.next("before")).toEqual({ before: [] });
  expect(await xmppjs.next("after")).toEqual({ after: ["erin@localhost"], pushes: [["erin@localhost"]] });
  expect(await xmppjs.next("error")).toEqual({
    error: { type: "modify", conditions: ["not-acceptable urn:ietf:params:xml:ns:xmpp-stanzas", "blocked urn:xmpp:blocking:errors"] },
  });
  expect(await xmppjs.exited).toBe(0);
});
