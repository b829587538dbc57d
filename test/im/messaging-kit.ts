// Shared by the message/offline/disco/services tests: a test server with the default modules,
// and `online()` — a logged-in client that has sent available presence.
import { Element } from "ltx";
import Database from "better-sqlite3";
import { defineModule, type Module } from "../../src/module.js";
import { defaultModules } from "../../src/modules/index.js";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";

/**
 * Sets `session.priority` from a client's broadcast presence (RFC 6121 §4.7.2.3) when no
 * presence module does: its priority is below every real phase, so a real one wins.
 */
const minimalPresence = defineModule({
  name: "test-presence",
  setup(api) {
    api.phase({
      name: "test.presence",
      match: "{jabber:client}presence",
      priority: -2000,
      handlers: [
        (ctx) => {
          if (ctx.stanza.attrs.to) return;
          if (ctx.stanza.attrs.type === "unavailable") ctx.session.priority = undefined;
          else if (!ctx.stanza.attrs.type) ctx.session.priority = Number(ctx.stanza.getChildText("priority") ?? 0);
        },
      ],
    });
  },
});

/** The roster module's jobs (`roster.load` answers subscription checks) when it is not loaded. */
const rosterJobs = defineModule({
  name: "test-roster-jobs",
  setup: (api) => api.jobs(new URL("../../src/storage/roster-jobs.ts", import.meta.url)),
});

export function startImServer(opts: { extra?: Module[]; disabled?: string[] } = {}): Promise<TestServer> {
  const modules = defaultModules();
  const helpers = modules.some((m) => m.name === "roster") ? [minimalPresence] : [minimalPresence, rosterJobs];
  return startTestServer({
    modules: [...modules, ...helpers, ...(opts.extra ?? [])],
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
