// Shared steps for the roster/presence/subscription conversations (scansion style, real sockets).
import { Element } from "ltx";
import { routingModule, sessionModule } from "../../src/modules/core.js";
import { presenceModule } from "../../src/modules/presence/index.js";
import { rosterModule } from "../../src/modules/roster/index.js";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";

export const NS_ROSTER = "jabber:iq:roster";

/** A server with just the modules under test, and these accounts. */
export async function startImServer(users: string[]): Promise<TestServer> {
  const t = await startTestServer({ modules: [sessionModule, routingModule, rosterModule, presenceModule] });
  for (const user of users) await t.addUser(user);
  return t;
}

export function rosterGet(client: TestClient, attrs: Record<string, string> = {}): Promise<Element> {
  return client.request(new Element("iq", { type: "get", ...attrs }).c("query", { xmlns: NS_ROSTER }).root());
}

/** A roster get with `ver` (RFC 6121 §2.6). */
export function rosterGetVersion(client: TestClient, ver: string): Promise<Element> {
  return client.request(new Element("iq", { type: "get" }).c("query", { xmlns: NS_ROSTER, ver }).root());
}

export function rosterSet(client: TestClient, item: Record<string, string>, groups: string[] = [], iqAttrs: Record<string, string> = {}): Promise<Element> {
  const el = new Element("iq", { type: "set", ...iqAttrs }).c("query", { xmlns: NS_ROSTER }).c("item", item);
  for (const g of groups) el.c("group").t(g).up();
  return client.request(el.root());
}

export const isPush = (el: Element) => el.name === "iq" && el.attrs.type === "set" && el.getChild("query", NS_ROSTER) !== undefined;

/** The next roster push's query element (ver + item). */
export async function nextPush(client: TestClient): Promise<Element> {
  return (await client.next(isPush)).getChild("query", NS_ROSTER)!;
}

/** A roster push's single item as a plain object (attributes plus groups). */
export async function nextPushItem(client: TestClient): Promise<Record<string, unknown>> {
  return itemOf((await nextPush(client)).getChild("item")!);
}

export function itemOf(item: Element): Record<string, unknown> {
  const groups = item.getChildren("group").map((g) => g.getText());
  return groups.length ? { ...item.attrs, groups } : { ...item.attrs };
}

export function presence(attrs: Record<string, string> = {}, ...children: Element[]): Element {
  const el = new Element("presence", attrs);
  for (const child of children) el.cnode(child);
  return el;
}

export const isPresence = (from: string, type?: string) => (el: Element) =>
  el.name === "presence" && el.attrs.from === from && el.attrs.type === type;

/** Logs in, asks for the roster (an interested resource) and sends initial presence. */
export async function online(t: TestServer, username: string, resource: string, priority?: number): Promise<TestClient> {
  const client = await t.login(username, { resource });
  await rosterGet(client);
  client.send(priority === undefined ? presence() : presence({}, new Element("priority").t(String(priority))));
  // RFC 6121 §4.2.2: the sending resource gets its own presence back.
  await client.next(isPresence(`${username}@localhost/${resource}`));
  return client;
}

/** Makes `a` and `b` subscribed both ways (via the protocol), and drains what that produced. */
export async function befriend(a: TestClient, b: TestClient): Promise<void> {
  const [aBare, bBare] = [a.jid.toBareString(), b.jid.toBareString()];
  a.send(presence({ type: "subscribe", to: bBare }));
  await b.next(isPresence(aBare, "subscribe"));
  b.send(presence({ type: "subscribed", to: aBare }));
  await a.next(isPresence(bBare, "subscribed"));
  b.send(presence({ type: "subscribe", to: aBare }));
  await a.next(isPresence(bBare, "subscribe"));
  a.send(presence({ type: "subscribed", to: bBare }));
  await b.next(isPresence(aBare, "subscribed"));
  await drain(a);
  await drain(b);
}

/** Reads whatever arrives within `ms` and returns it. */
export async function drain(client: TestClient, ms = 150): Promise<Element[]> {
  const seen: Element[] = [];
  for (;;) {
    const el = await client.next(() => true, ms).catch(() => undefined);
    if (!el) return seen;
    seen.push(el);
  }
}

export const errorCondition = (el: Element) =>
  el.getChild("error")?.children.find((c): c is Element => typeof c !== "string" && c.getNS() === "urn:ietf:params:xml:ns:xmpp-stanzas" && c.name !== "text")?.name;
