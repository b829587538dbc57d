import Database from "better-sqlite3";
import { Element } from "ltx";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClient } from "../../src/testing/index.js";
import { addUsers, startServerProcess, writeServerConfig, type ServerProcess } from "./server-process.js";

/**
 * Crash safety: the real server (`tjabberd serve`, a child process) is killed with SIGKILL while
 * clients write to it, then restarted on the same data directory. Whatever it acknowledged must
 * survive — "Writes acknowledged to a client must be committed before the ack":
 * - an offline message is acknowledged once an IQ ping sent after it is answered (RFC 6120
 *   §10.1: a connection's stanzas are processed in order, and the message's chain waits for the
 *   committed insert before the next stanza runs);
 * - a roster set is acknowledged by its IQ result (RFC 6121 §2.3.2).
 * After the restart carol must get every acknowledged message (XEP-0160 §2, in order, with
 * XEP-0203 delay stamps), the writers' rosters every acknowledged item, and SQLite must report
 * the database file intact.
 */
const DOMAIN = "localhost";
const WRITERS = ["alice", "bob"] as const;
const password = (user: string) => `pw-${user}`;

let dir: string;
let config: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-crash-"));
  config = writeServerConfig(dir, { dataDir: join(dir, "data"), workers: 2 });
  await addUsers(config, Object.fromEntries(["alice", "bob", "carol", "dave"].map((u) => [u, password(u)])));
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function login(server: ServerProcess, user: string): Promise<TestClient> {
  return new TestClient({ host: "127.0.0.1", port: server.port, domain: DOMAIN }).login(user, password(user));
}

const ping = () => new Element("iq", { type: "get", to: DOMAIN }).c("ping", { xmlns: "urn:xmpp:ping" }).root();

/** Requests whose answer never came because the server died: their timers run out in the background. */
const abandoned: Promise<unknown>[] = [];

/** An IQ's response, or undefined once the server is gone. */
function requestUnlessClosed(c: TestClient, closed: Promise<void>, iq: Element): Promise<Element | undefined> {
  const response = c.request(iq, 2000);
  abandoned.push(response.catch(() => {}));
  return Promise.race([response, closed.then(() => undefined)]);
}

interface Acknowledged {
  messages: number[];
  rosterItems: string[];
}

/**
 * A writer: batches of 1–5 messages to offline carol, each batch acknowledged by a ping round
 * trip, and every few batches a roster set; runs until the server goes away.
 */
async function writer(c: TestClient, user: string, acked: Acknowledged): Promise<void> {
  const closed = c.closedByServer(120_000).catch(() => {});
  let seq = 0;
  for (let batch = 0; ; batch++) {
    const sent: number[] = [];
    for (let n = 1 + Math.floor(Math.random() * 5); n > 0; n--, seq++) {
      c.send(`<message to='carol@${DOMAIN}' type='chat' id='${user}-${seq}'><body>${user} says ${seq}</body></message>`);
      sent.push(seq);
    }
    if (!(await requestUnlessClosed(c, closed, ping()))) return;
    acked.messages.push(...sent);
    if (batch % 3 !== 0) continue;
    const contact = `${user}-contact-${batch}@example.net`;
    const set = new Element("iq", { type: "set" }).c("query", { xmlns: "jabber:iq:roster" }).c("item", { jid: contact, name: `#${batch}` }).root();
    const result = await requestUnlessClosed(c, closed, set);
    if (!result) return;
    if (result.attrs.type !== "result") throw new Error(`roster set refused: ${result.toString()}`);
    acked.rosterItems.push(contact);
  }
}

/** Background traffic that is not checked: presence updates and live messages to the writers. */
async function chatter(c: TestClient): Promise<void> {
  const closed = c.closedByServer(120_000).catch(() => {});
  for (let i = 0; ; i++) {
    c.send(`<presence><status>busy ${i}</status></presence>`);
    c.send(`<message to='${WRITERS[i % WRITERS.length]}@${DOMAIN}' type='chat'><body>hi ${i}</body></message>`);
    if (!(await requestUnlessClosed(c, closed, ping()))) return;
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every stanza already received, up to the first gap of `quietMs`. */
async function drain(c: TestClient, name: string, quietMs = 100): Promise<Element[]> {
  const all: Element[] = [];
  for (;;) {
    const el = await c.next({ name }, quietMs).catch(() => undefined);
    if (!el) return all;
    all.push(el);
  }
}

test("kill -9 under load: every acknowledged offline message and roster item survives, the database is intact", async () => {
  let server = await startServerProcess(config);
  const acked: Record<string, Acknowledged> = Object.fromEntries(WRITERS.map((w) => [w, { messages: [], rosterItems: [] }]));
  const clients = await Promise.all([...WRITERS, "dave"].map((u) => login(server, u)));
  const loops = [...WRITERS.map((w, i) => writer(clients[i], w, acked[w])), chatter(clients[WRITERS.length])];

  const total = () => WRITERS.reduce((n, w) => n + acked[w].messages.length, 0);
  const rosterTotal = () => WRITERS.reduce((n, w) => n + acked[w].rosterItems.length, 0);
  await until(() => total() >= 150 && rosterTotal() >= 10, 15_000, "acknowledged writes");
  await new Promise((r) => setTimeout(r, Math.random() * 20)); // land the kill anywhere in a batch
  const killed = await server.kill9();
  expect(killed.signal).toBe("SIGKILL");
  await Promise.all(loops); // each loop ends when its connection closes

  server = await startServerProcess(config);
  try {
    // XEP-0160 §2: initial presence with a non-negative priority releases the stored messages,
    // all sent before the answer to a ping that follows the presence (in-order processing).
    const carol = await login(server, "carol");
    carol.send("<presence/>");
    expect((await carol.request(ping())).attrs.type).toBe("result");
    const offline = await drain(carol, "message");

    for (const w of WRITERS) {
      const fromWriter = offline.filter((m) => m.attrs.from?.startsWith(`${w}@${DOMAIN}/`));
      const seqs = fromWriter.map((m) => Number(m.attrs.id.slice(w.length + 1)));
      // Unacknowledged messages (sent after the last answered ping) may or may not have been
      // stored; the acknowledged ones must all be there, once each, in the order sent.
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.slice(0, acked[w].messages.length)).toEqual(acked[w].messages);
      for (const m of fromWriter) {
        expect(m.getChildText("body")).toBe(`${w} says ${m.attrs.id.slice(w.length + 1)}`);
        // XEP-0203 §4: when and by whom it was delayed.
        const delay = m.getChild("delay", "urn:xmpp:delay");
        expect(delay?.attrs.from).toBe(DOMAIN);
        expect(Date.parse(delay?.attrs.stamp ?? "")).toBeGreaterThan(Date.now() - 120_000);
      }
    }

    // RFC 6121 §2.2: the roster get returns every item whose set was answered with a result.
    for (const w of WRITERS) {
      const c = await login(server, w);
      const roster = await c.request(new Element("iq", { type: "get" }).c("query", { xmlns: "jabber:iq:roster" }).root());
      const items = roster.getChild("query", "jabber:iq:roster")!.getChildren("item").map((i) => i.attrs.jid);
      expect(items).toEqual(expect.arrayContaining(acked[w].rosterItems));
      await c.close();
    }
    await carol.close();
  } finally {
    const stopped = await server.stop();
    expect(stopped.code).toBe(0);
    await Promise.all(abandoned); // no timers left behind for jest
  }

  const db = new Database(join(dir, "data", "tjabberd.sqlite"), { fileMustExist: true });
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    // Delivered messages were taken out of storage.
    expect(db.prepare("SELECT count(*) FROM offline_messages WHERE username = 'carol'").pluck().get()).toBe(0);
  } finally {
    db.close();
  }
}, 60_000);
