// Shared by the message/offline/disco/services tests: a test server with the default modules,
// and `online()` — a logged-in client that has sent available presence.
import { Element } from "ltx";
import Database from "better-sqlite3";
import type { Module } from "../../src/module.js";
import { defaultModules } from "../../src/modules/index.js";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";

/** A test server with the reference modules, plus `extra` ones, minus `disabled` ones. */
export function startImServer(opts: { extra?: Module[]; disabled?: string[] } = {}): Promise<TestServer> {
  return startTestServer({
    modules: [...defaultModules(), ...(opts.extra ?? [])],
    config: { modules: { disabled: opts.disabled ?? [] } },
  });
}

/** Puts `contact` in `owner`'s roster with `subscription`, straight into the database. */
export function setSubscription(t: TestServer, owner: string, contact: string, subscription: "none" | "to" | "from" | "both"): void {
  const db = new Database(t.server.dbPath);
  db.prepare(
    `INSERT INTO roster_items (owner, contact, name, subscription, ask, approved, groups) VALUES (?, ?, NULL, ?, 0, 0, '[]')
     ON CONFLICT (owner, contact) DO UPDATE SET subscription = excluded.subscription`,
  ).run(owner, contact, subscription);
  db.close();
}

/** Waits until everything the client sent before has been processed (one connection, in order). */
export async function settled(client: TestClient): Promise<void> {
  await client.request(new Element("iq", { type: "get", to: "localhost" }).c("ping", { xmlns: "urn:xmpp:ping" }).root());
}

/** Sends available presence with `priority` and waits until the server processed it. */
export async function available(client: TestClient, priority = 0): Promise<TestClient> {
  client.send(new Element("presence").c("priority").t(String(priority)).root());
  await settled(client);
  return client;
}

export async function online(t: TestServer, username: string, resource: string, priority = 0): Promise<TestClient> {
  return available(await t.login(username, { resource }), priority);
}

export function chat(to: string, body: string, type = "chat"): Element {
  return new Element("message", { to, type }).c("body").t(body).root();
}

export function errorCondition(stanza: Element): string | undefined {
  if (stanza.attrs.type !== "error") return undefined;
  return stanza.getChild("error")?.children.find((c): c is Element => typeof c !== "string" && c.getNS() === "urn:ietf:params:xml:ns:xmpp-stanzas")?.name;
}

/** Offline messages on disk for `username`, read by the test's own connection (not the server's workers). */
export function storedOffline(db: Database.Database, username: string): number {
  return db.prepare("SELECT count(*) FROM offline_messages WHERE username = ?").pluck().get(username) as number;
}
