// XEP-0280 message carbons between two resources (and a third without carbons).
import { Element, parse } from "ltx";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await Promise.all(["alice", "bob"].map((u) => t.addUser(u)));
});
afterAll(() => t.stop());

const NS = "urn:xmpp:carbons:2";
const enable = (c: TestClient, on = true) => c.request(new Element("iq", { type: "set" }).c(on ? "enable" : "disable", { xmlns: NS }).root());
const chat = (to: string, body: string, extra = "") => parse(`<message type='chat' to='${to}'><body>${body}</body>${extra}</message>`) as Element;
const isCarbon = (kind: "sent" | "received") => (el: Element) => el.name === "message" && el.getChild(kind, NS) !== undefined;
const forwarded = (carbon: Element, kind: "sent" | "received") => carbon.getChild(kind, NS)!.getChild("forwarded", "urn:xmpp:forward:0")!.getChild("message")!;

async function bobAndTwoAlices() {
  const phone = await t.login("alice", { resource: "phone" });
  const laptop = await t.login("alice", { resource: "laptop" });
  const bob = await t.login("bob", { resource: "desk" });
  return { phone, laptop, bob };
}

test("enable is answered with a result; the feature is in disco#info", async () => {
  const alice = await t.login("alice");
  expect((await enable(alice)).attrs.type).toBe("result");
  const info = await alice.request(new Element("iq", { type: "get", to: "localhost" }).c("query", { xmlns: "http://jabber.org/protocol/disco#info" }).root());
  expect(info.getChild("query")!.getChildren("feature").map((f) => f.attrs.var)).toContain(NS);
});

test("bob writes to alice/phone: alice/laptop (carbons on) gets a <received/> copy", async () => {
  const { phone, laptop, bob } = await bobAndTwoAlices();
  await enable(laptop);
  bob.send(chat("alice@localhost/phone", "hello phone"));
  const original = await phone.next({ name: "message" });
  expect(original.getChildText("body")).toBe("hello phone");

  const carbon = await laptop.next(isCarbon("received"));
  expect(carbon.attrs.from).toBe("alice@localhost");
  expect(carbon.attrs.to).toBe("alice@localhost/laptop");
  const inner = forwarded(carbon, "received");
  expect(inner.attrs.from).toBe("bob@localhost/desk");
  expect(inner.attrs.to).toBe("alice@localhost/phone");
  expect(inner.getNS()).toBe("jabber:client");
  expect(inner.getChildText("body")).toBe("hello phone");
  await phone.nothing(isCarbon("received")); // the recipient gets no copy of its own message
});

test("alice/phone writes to bob: alice/laptop gets a <sent/> copy, phone none", async () => {
  const { phone, laptop, bob } = await bobAndTwoAlices();
  await Promise.all([enable(phone), enable(laptop)]);
  phone.send(chat("bob@localhost/desk", "hi bob"));
  expect((await bob.next({ name: "message" })).getChildText("body")).toBe("hi bob");
  const carbon = await laptop.next(isCarbon("sent"));
  const inner = forwarded(carbon, "sent");
  expect(inner.attrs.from).toBe("alice@localhost/phone");
  expect(inner.attrs.to).toBe("bob@localhost/desk");
  await phone.nothing(isCarbon("sent"));
});

test("a resource without carbons (or after <disable/>) gets no copies", async () => {
  const { phone, laptop, bob } = await bobAndTwoAlices();
  await enable(laptop);
  await enable(laptop, false);
  bob.send(chat("alice@localhost/phone", "private-ish"));
  await phone.next({ name: "message" });
  phone.send(chat("bob@localhost/desk", "reply"));
  await bob.next({ name: "message" });
  await laptop.nothing({ name: "message" });
});

test("<private/> and <no-copy/> messages are not copied; normal without body and groupchat neither", async () => {
  const { phone, laptop, bob } = await bobAndTwoAlices();
  await enable(laptop);
  bob.send(chat("alice@localhost/phone", "secret", `<private xmlns='${NS}'/>`));
  bob.send(chat("alice@localhost/phone", "hinted", "<no-copy xmlns='urn:xmpp:hints'/>"));
  bob.send(parse("<message to='alice@localhost/phone'><subject>no body</subject></message>") as Element);
  bob.send(parse("<message type='groupchat' to='alice@localhost/phone'><body>room talk</body></message>") as Element);
  phone.send(chat("bob@localhost/desk", "mine", `<private xmlns='${NS}'/>`));
  for (let i = 0; i < 4; i++) await phone.next({ name: "message" });
  await bob.next({ name: "message" });
  await laptop.nothing({ name: "message" });
});

test("chat states (no body) are eligible; messages between alice's own resources are not copied", async () => {
  const { phone, laptop, bob } = await bobAndTwoAlices();
  const third = await t.login("alice", { resource: "tablet" });
  await Promise.all([enable(laptop), enable(third)]);
  bob.send(parse("<message type='chat' to='alice@localhost/phone'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>") as Element);
  await phone.next({ name: "message" });
  const carbon = await laptop.next(isCarbon("received"));
  expect(forwarded(carbon, "received").getChild("composing")).toBeDefined();
  await third.next(isCarbon("received"));

  phone.send(chat("alice@localhost/laptop", "note to self"));
  expect((await laptop.next({ name: "message" })).getChildText("body")).toBe("note to self");
  await third.nothing({ name: "message" });
});
