// XEP-0160 offline messages with XEP-0203 delay stamps, as conversations over real sockets.
import Database from "better-sqlite3";
import { Element } from "ltx";
import { defaultConfig } from "../../src/config/index.js";
import type { TestServer } from "../../src/testing/index.js";
import { available, chat, errorCondition, online, settled, startImServer, storedOffline } from "./messaging-kit.js";

/** The server runs with the default limit. */
const OFFLINE_QUEUE_LIMIT = defaultConfig().limits.max_offline_messages;

let t: TestServer;
let db: Database.Database;
beforeAll(async () => {
  t = await startImServer();
  for (const name of ["alice", "bob", "carol", "erin", "frank", "gina"]) await t.addUser(name);
  db = new Database(t.server.dbPath);
});
afterAll(async () => {
  db.close();
  await t.stop();
});

const stored = (username: string) => storedOffline(db, username);

async function eventually(condition: () => boolean, ms = 2000): Promise<void> {
  for (const end = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${condition.toString()}`);
  }
}

const bodies = (messages: Element[]) => messages.map((m) => m.getChildText("body"));

test("messages to an offline user are delivered at available presence, in order, with delay stamps", async () => {
  const alice = await online(t, "alice", "a1");
  const before = Date.now();
  for (const body of ["one", "two", "three"]) alice.send(chat("bob@localhost", body));
  alice.send(chat("bob@localhost", "four", "normal"));
  await eventually(() => stored("bob") === 4); // (see offline-durability.test.ts for "at once")
  const after = Date.now();
  await alice.nothing({ name: "message" }, 50); // stored, not bounced

  const bob = await t.login("bob", { resource: "phone" });
  await bob.nothing({ name: "message" }, 100); // not before presence
  bob.send(new Element("presence"));
  const messages = [await bob.next({ name: "message" }), await bob.next({ name: "message" }), await bob.next({ name: "message" }), await bob.next({ name: "message" })];
  expect(bodies(messages)).toEqual(["one", "two", "three", "four"]);
  for (const m of messages) {
    expect(m.attrs.from).toBe("alice@localhost/a1");
    const delay = m.getChild("delay", "urn:xmpp:delay")!;
    expect(delay.attrs.from).toBe("localhost");
    expect(delay.attrs.stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const at = Date.parse(delay.attrs.stamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
  }
  expect(stored("bob")).toBe(0);
  // A later presence update does not deliver anything again.
  await available(bob, 1);
  await bob.nothing({ name: "message" }, 100);
  await Promise.all([alice.close(), bob.close()]);
});

test(`a full queue (${OFFLINE_QUEUE_LIMIT}) → service-unavailable (XEP-0160 §4)`, async () => {
  const insert = db.prepare("INSERT INTO offline_messages (username, stored_at, stanza) VALUES ('erin', ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < OFFLINE_QUEUE_LIMIT - 1; i++) insert.run(Date.now(), `<message xmlns='jabber:client' to='erin@localhost'><body>${i}</body></message>`);
  })();
  const alice = await online(t, "alice", "a3");
  alice.send(chat("erin@localhost", "the last one that fits"));
  alice.send(chat("erin@localhost", "one too many"));
  const error = await alice.next({ name: "message", type: "error" });
  expect(errorCondition(error)).toBe("service-unavailable");
  expect(error.getChildText("body")).toBe("one too many");
  expect(stored("erin")).toBe(OFFLINE_QUEUE_LIMIT);
  db.prepare("DELETE FROM offline_messages WHERE username = 'erin'").run();
  await alice.close();
});

test("a negative priority is not available: messages are stored until a non-negative presence", async () => {
  const alice = await online(t, "alice", "a4");
  const frank = await online(t, "frank", "f", -1);
  alice.send(chat("frank@localhost", "while negative"));
  await eventually(() => stored("frank") === 1);
  await frank.nothing({ name: "message" }, 100);
  await available(frank, 0);
  expect((await frank.next({ name: "message" })).getChildText("body")).toBe("while negative");
  await Promise.all([alice.close(), frank.close()]);
});

test("chat-state-only messages are not stored and not bounced (XEP-0160 §3)", async () => {
  const alice = await online(t, "alice", "a5");
  alice.send(new Element("message", { to: "gina@localhost", type: "chat" }).c("composing", { xmlns: "http://jabber.org/protocol/chatstates" }).root());
  await settled(alice);
  expect(stored("gina")).toBe(0);
  await alice.nothing({ name: "message" }, 100);
  await alice.close();
});

test("a message routed outside a client's chain (module output) is stored too", async () => {
  t.server.route(new Element("message", { from: "localhost", to: "gina@localhost" }).c("body").t("from a module").root());
  await eventually(() => stored("gina") === 1); // no chain waits for this one
  const gina = await online(t, "gina", "g");
  const msg = await gina.next({ name: "message" });
  expect(msg.getChildText("body")).toBe("from a module");
  expect(msg.getChild("delay", "urn:xmpp:delay")).toBeDefined();
  await gina.close();
});

test("an unknown account: nothing stored, service-unavailable", async () => {
  const alice = await online(t, "alice", "a6");
  alice.send(chat("ghost@localhost", "boo"));
  expect(errorCondition(await alice.next({ name: "message", type: "error" }))).toBe("service-unavailable");
  expect(stored("ghost")).toBe(0);
  await alice.close();
});
