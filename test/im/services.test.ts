// XEP-0199 ping, XEP-0092 version, XEP-0202 time and XEP-0012 last activity, over real sockets;
// and one conversation with a real third-party client (@xmpp/client).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import { spawnJsonLines } from "../interop/child-process.js";
import { errorCondition, online, setSubscription, settled, startImServer } from "./messaging-kit.js";

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

let t: TestServer;
beforeAll(async () => {
  t = await startImServer();
  for (const name of ["alice", "bob", "carol"]) await t.addUser(name);
});
afterAll(() => t.stop());

const iq = (to: string | undefined, name: string, xmlns: string) => new Element("iq", { type: "get", to }).c(name, { xmlns }).root();

test("ping: the server answers (to its domain or no 'to'); a ping to bob's resource is bob's to answer", async () => {
  const alice = await t.login("alice", { resource: "a" });
  const pong = await alice.request(iq("localhost", "ping", "urn:xmpp:ping"));
  expect(pong.attrs).toMatchObject({ type: "result", from: "localhost" });
  expect(pong.children).toEqual([]);
  expect((await alice.request(iq(undefined, "ping", "urn:xmpp:ping"))).attrs.type).toBe("result");

  const bob = await t.login("bob", { resource: "b" });
  const pending = alice.request(iq("bob@localhost/b", "ping", "urn:xmpp:ping"));
  const ping = await bob.next({ name: "iq" });
  expect(ping.attrs.from).toBe("alice@localhost/a");
  bob.send(new Element("iq", { type: "result", id: ping.attrs.id, to: ping.attrs.from }));
  expect((await pending).attrs).toMatchObject({ type: "result", from: "bob@localhost/b" });
  expect(errorCondition(await alice.request(iq("bob@localhost/nope", "ping", "urn:xmpp:ping")))).toBe("service-unavailable");
  await Promise.all([alice.close(), bob.close()]);
});

test("version: tjabberd and package.json's version, no <os/>", async () => {
  const alice = await t.login("alice");
  const query = (await alice.request(iq("localhost", "query", "jabber:iq:version"))).getChild("query", "jabber:iq:version")!;
  expect(query.getChildText("name")).toBe("tjabberd");
  expect(query.getChildText("version")).toBe(PACKAGE_VERSION);
  expect(query.getChild("os")).toBeUndefined();
  await alice.close();
});

test("time: UTC now and a ±hh:mm offset", async () => {
  const alice = await t.login("alice");
  const time = (await alice.request(iq("localhost", "time", "urn:xmpp:time"))).getChild("time", "urn:xmpp:time")!;
  expect(time.getChildText("tzo")).toMatch(/^[+-]\d\d:\d\d$/);
  const utc = time.getChildText("utc")!;
  expect(utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(Math.abs(Date.parse(utc) - Date.now())).toBeLessThan(5000);
  await alice.close();
});

describe("last activity", () => {
  const seconds = (result: Element) => Number(result.getChild("query", "jabber:iq:last")!.attrs.seconds);

  test("to the server: its uptime", async () => {
    const alice = await t.login("alice");
    const result = await alice.request(iq("localhost", "query", "jabber:iq:last"));
    expect(seconds(result)).toBeGreaterThanOrEqual(0);
    expect(seconds(result)).toBeLessThan(process.uptime() + 1);
    expect(result.getChildText("query")).toBe("");
    await alice.close();
  });

  test("to an account: 0 while available, else time since logout with the unavailable status", async () => {
    const phone = await online(t, "alice", "phone");
    const laptop = await t.login("alice", { resource: "laptop" }); // connected, never available
    expect(seconds(await laptop.request(iq("alice@localhost", "query", "jabber:iq:last")))).toBe(0);

    phone.send(new Element("presence", { type: "unavailable" }).c("status").t("Heading Home").root());
    await settled(phone);
    await phone.close();
    await new Promise((r) => setTimeout(r, 1100));
    const result = await laptop.request(iq("alice@localhost", "query", "jabber:iq:last"));
    expect(seconds(result)).toBeGreaterThanOrEqual(1);
    expect(seconds(result)).toBeLessThan(5);
    expect(result.getChildText("query")).toBe("Heading Home");
    await laptop.close();
  });

  test("to someone else's account: forbidden without a 'from'/'both' subscription (§4)", async () => {
    const bob = await t.login("bob");
    expect(errorCondition(await bob.request(iq("alice@localhost", "query", "jabber:iq:last")))).toBe("forbidden");
    setSubscription(t, "alice", "bob@localhost", "from");
    const alice = await online(t, "alice", "once");
    alice.send(new Element("presence", { type: "unavailable" }).c("status").t("Gone").root());
    await settled(alice);
    await alice.close();
    const result = await bob.request(iq("alice@localhost", "query", "jabber:iq:last"));
    expect(result.getChildText("query")).toBe("Gone");
    // Never logged out: nothing to tell.
    setSubscription(t, "carol", "bob@localhost", "both");
    expect(errorCondition(await bob.request(iq("carol@localhost", "query", "jabber:iq:last")))).toBe("item-not-found");
    await bob.close();
  });
});

test("@xmpp/client: ping, disco, version and time through its iqCaller", async () => {
  const script = fileURLToPath(new URL("./services-xmpp-client.mjs", import.meta.url));
  const xmppjs = spawnJsonLines(process.execPath, [script, `xmpp://127.0.0.1:${t.port}`, "bob", "pw-bob"], {
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
    NODE_NO_WARNINGS: "1",
  });
  expect(await xmppjs.next("ping")).toEqual({ ping: "result" });
  const disco = await xmppjs.next("features");
  expect(disco.identity).toEqual({ category: "server", type: "im", name: "tjabberd" });
  expect(disco.features).toEqual(expect.arrayContaining(["urn:xmpp:ping", "http://jabber.org/protocol/disco#info", "jabber:iq:version", "urn:xmpp:time"]));
  expect(await xmppjs.next("version")).toEqual({ version: { name: "tjabberd", version: PACKAGE_VERSION } });
  expect((await xmppjs.next("time")).time).toEqual({ utc: expect.stringMatching(/Z$/), tzo: expect.stringMatching(/^[+-]\d\d:\d\d$/) });
  expect(await xmppjs.next("unknown")).toEqual({ unknown: "service-unavailable" });
  expect(await xmppjs.exited).toBe(0);
}, 20000);
