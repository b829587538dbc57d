// Interop: StanzaJS (npm `stanza`) against the real server, authenticating with SCRAM-SHA-256
// (RFC 7677) over Direct TLS (XEP-0368), through the small TCP transport in stanza-direct-tls.ts.
import { Element } from "ltx";
import { createClient, type Agent } from "stanza";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { captureLog } from "./log-capture.js";
import { DirectTlsTransport } from "./stanza-direct-tls.js";

const MECHANISM = "SCRAM-SHA-256";

/** The mechanisms a client's SASL factory will choose from (a private field in StanzaJS's types). */
const registered = (client: Agent): string[] =>
  (client.sasl as unknown as { mechanisms: { name: string }[] }).mechanisms.map((m) => m.name);

/** A StanzaJS client that knows no SASL mechanism but SCRAM-SHA-256. */
function stanzaClient(server: TestServer, username: string, password = `pw-${username}`): Agent {
  const client = createClient({
    jid: `${username}@localhost`,
    password,
    resource: "stanza",
    transports: { "direct-tls": `xmpps://127.0.0.1:${server.tlsPort}` },
    transportPreferenceOrder: ["direct-tls"],
    autoReconnect: false,
    useStreamManagement: false,
  });
  (client.transports as Record<string, unknown>)["direct-tls"] = DirectTlsTransport;
  for (const name of registered(client)) if (name !== MECHANISM) client.sasl.disable(name);
  return client;
}

/** Resolves with the bound JID, rejects when authentication fails. */
function sessionStarted(client: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    client.once("session:started", () => resolve(client.jid));
    client.once("auth:failed", () => reject(new Error("auth:failed")));
    client.connect();
  });
}

async function disconnect(client: Agent): Promise<void> {
  const gone = new Promise((resolve) => client.once("disconnected", resolve));
  await client.disconnect();
  await gone;
}

const log = captureLog();
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ logger: log });
  await t.addUser("alice");
  await t.addUser("bob");
});
afterAll(() => t.stop());

test("StanzaJS logs in with SCRAM-SHA-256 (the server says so too) and exchanges messages", async () => {
  const client = stanzaClient(t, "alice");
  expect(registered(client)).toEqual([MECHANISM]);
  const offered = new Promise<string[]>((resolve) => client.once("features", (f) => resolve(f.sasl?.mechanisms ?? [])));
  const before = log.lines.length;

  expect(await sessionStarted(client)).toBe("alice@localhost/stanza");
  // The server offered more than SCRAM-SHA-256, so only the client's restriction made this choice…
  expect(await offered).toEqual(expect.arrayContaining([MECHANISM, "SCRAM-SHA-1", "SCRAM-SHA-512"]));
  // …and the server's own record of the exchange says which mechanism ran.
  expect(log.lines.slice(before).filter((l) => l.msg === "authenticated").map((l) => l.fields)).toEqual([
    expect.objectContaining({ username: "alice", mechanism: MECHANISM, secure: true }),
  ]);

  // alice (StanzaJS) → bob (test client), and back.
  const bob = await t.login("bob", { resource: "desk" });
  client.sendMessage({ to: "bob@localhost/desk", type: "chat", body: "hello from StanzaJS" });
  const msg = await bob.next({ name: "message" });
  expect(msg.attrs.from).toBe("alice@localhost/stanza");
  expect(msg.getChildText("body")).toBe("hello from StanzaJS");

  const reply = new Promise<{ from: string; body?: string }>((resolve) => client.once("chat", resolve));
  bob.send(new Element("message", { to: "alice@localhost/stanza", type: "chat" }).c("body").t("hi StanzaJS").root());
  expect(await reply).toMatchObject({ from: "bob@localhost/desk", body: "hi StanzaJS" });

  await disconnect(client);
});

test("a wrong password with SCRAM-SHA-256 fails authentication", async () => {
  const client = stanzaClient(t, "alice", "wrong");
  await expect(sessionStarted(client)).rejects.toThrow("auth:failed");
  await client.disconnect();
});

describe("against a server that does not offer SCRAM-SHA-256", () => {
  let sha1Only: TestServer;
  beforeAll(async () => {
    sha1Only = await startTestServer({ config: { sasl: { mechanisms: ["SCRAM-SHA-1"] } } });
    await sha1Only.addUser("alice");
  });
  afterAll(() => sha1Only.stop());

  test("the restricted client cannot log in at all (so the restriction is real)", async () => {
    const client = stanzaClient(sha1Only, "alice");
    await expect(sessionStarted(client)).rejects.toThrow("auth:failed");
    await client.disconnect();
  });
});
