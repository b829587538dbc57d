// RFC 6121 §8.5 message delivery, as conversations over real sockets.
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import { chat, errorCondition, online, settled, startImServer } from "./messaging-kit.js";

let t: TestServer;
beforeAll(async () => {
  t = await startImServer();
  for (const name of ["alice", "bob", "carol", "dave"]) await t.addUser(name);
});
afterAll(() => t.stop());

test("bare JID: only the highest non-negative priority resource receives a chat (§8.5.2.1.1)", async () => {
  const alice = await online(t, "alice", "a1");
  const high = await online(t, "bob", "high", 5);
  const low = await online(t, "bob", "low", 1);
  alice.send(chat("bob@localhost", "to the top"));
  const msg = await high.next({ name: "message" });
  expect(msg.attrs.from).toBe("alice@localhost/a1");
  expect(msg.getChildText("body")).toBe("to the top");
  await low.nothing({ name: "message" });
  await Promise.all([alice.close(), high.close(), low.close()]);
});

test("bare JID: equal top priorities all receive; a headline goes to every non-negative resource", async () => {
  const alice = await online(t, "alice", "a2");
  const [b1, b2, b3] = [await online(t, "bob", "b1", 3), await online(t, "bob", "b2", 3), await online(t, "bob", "b3", 0)];
  const negative = await online(t, "bob", "neg", -1);
  alice.send(chat("bob@localhost", "both of you"));
  expect((await b1.next({ name: "message" })).getChildText("body")).toBe("both of you");
  expect((await b2.next({ name: "message" })).getChildText("body")).toBe("both of you");
  await b3.nothing({ name: "message" }, 100);
  alice.send(chat("bob@localhost", "news", "headline"));
  for (const b of [b1, b2, b3]) expect((await b.next({ name: "message" })).getChildText("body")).toBe("news");
  await negative.nothing({ name: "message" }, 100);
  await Promise.all([alice, b1, b2, b3, negative].map((c) => c.close()));
});

test("full JID: that resource; a gone resource → chat falls back to the bare JID, normal bounces (§8.5.3)", async () => {
  const alice = await online(t, "alice", "a3");
  const [b1, b2] = [await online(t, "bob", "one", 1), await online(t, "bob", "two", 0)];
  alice.send(chat("bob@localhost/two", "just two"));
  expect((await b2.next({ name: "message" })).getChildText("body")).toBe("just two");
  await b1.nothing({ name: "message" }, 100);

  alice.send(chat("bob@localhost/gone", "fallback"));
  expect((await b1.next({ name: "message" })).getChildText("body")).toBe("fallback");

  alice.send(chat("bob@localhost/gone", "no fallback", "normal"));
  const bounced = await alice.next({ name: "message", type: "error" });
  expect(errorCondition(bounced)).toBe("service-unavailable");
  expect(bounced.attrs.from).toBe("bob@localhost/gone");
  await Promise.all([alice, b1, b2].map((c) => c.close()));
});

test("groupchat to a bare JID → service-unavailable; error messages are never answered", async () => {
  const alice = await online(t, "alice", "a4");
  const bob = await online(t, "bob", "b");
  alice.send(chat("bob@localhost", "room?", "groupchat"));
  expect(errorCondition(await alice.next({ name: "message", type: "error" }))).toBe("service-unavailable");
  await bob.nothing({ name: "message" }, 100);
  alice.send(chat("bob@localhost", "an error", "error"));
  alice.send(chat("nobody@localhost", "an error", "error"));
  await settled(alice);
  await bob.nothing({ name: "message" }, 100);
  await alice.nothing({ name: "message" }, 100);
  await Promise.all([alice.close(), bob.close()]);
});

test("an unknown local user → service-unavailable (§8.5.1), also the second time (cached)", async () => {
  const alice = await online(t, "alice", "a5");
  for (const attempt of [1, 2]) {
    alice.send(chat("nosuchuser@localhost", `hello ${attempt}`));
    const error = await alice.next({ name: "message", type: "error" });
    expect(errorCondition(error)).toBe("service-unavailable");
    expect(error.attrs.from).toBe("nosuchuser@localhost");
    expect(error.getChildText("body")).toBe(`hello ${attempt}`);
  }
  await alice.close();
});

test("to the server's own JID → service-unavailable; to another domain → remote-server-not-found", async () => {
  const alice = await online(t, "alice", "a6");
  alice.send(chat("localhost", "hi server"));
  expect(errorCondition(await alice.next({ name: "message", type: "error" }))).toBe("service-unavailable");
  alice.send(chat("someone@elsewhere.example", "hi"));
  expect(errorCondition(await alice.next({ name: "message", type: "error" }))).toBe("remote-server-not-found");
  await alice.close();
});

test("no 'to': the message is for the sender's own bare JID (RFC 6120 §10.3.1)", async () => {
  const sender = await online(t, "carol", "sender", 0);
  const other = await online(t, "carol", "other", 9);
  sender.send(new Element("message", { type: "chat" }).c("body").t("note to self").root());
  const msg = await other.next({ name: "message" });
  expect(msg.attrs.to).toBe("carol@localhost");
  expect(msg.attrs.from).toBe("carol@localhost/sender");
  await Promise.all([sender.close(), other.close()]);
});

test("routing.filters decide on every path: online delivery and offline storage alike", async () => {
  const filter = (stanza: Element) => (stanza.getChildText("body") === "filtered" ? "drop" : undefined);
  t.server.routing.filters.push(filter);
  try {
    const alice = await online(t, "alice", "a7");
    const dave = await online(t, "dave", "d");
    alice.send(chat("dave@localhost", "filtered"));
    alice.send(chat("dave@localhost", "passes"));
    expect((await dave.next({ name: "message" })).getChildText("body")).toBe("passes");
    await dave.close();
    alice.send(chat("dave@localhost", "filtered"));
    await settled(alice);
    expect(await t.server.pool.run("offline.count", { username: "dave" })).toBe(0);
    await alice.close();
  } finally {
    t.server.routing.filters.splice(t.server.routing.filters.indexOf(filter), 1);
  }
});
