// Interop: xmpp.js (@xmpp/client) against the real server, over STARTTLS (RFC 6120 §5) and Direct
// TLS (XEP-0368), with SCRAM-SHA-1 (RFC 5802) and PLAIN (RFC 4616). Each client runs in its own
// process (see xmpp-client-session.mjs for why).
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { spawnJsonLines } from "./child-process.js";
import { captureLog } from "./log-capture.js";

const SCRIPT = fileURLToPath(new URL("./xmpp-client-session.mjs", import.meta.url));

const log = captureLog();
let t: TestServer;
beforeAll(async () => {
  // No plaintext on loopback: the STARTTLS cases cannot authenticate without really doing TLS.
  t = await startTestServer({ config: { allow_plaintext_loopback: false }, logger: log });
  await t.addUser("alice");
  await t.addUser("bob");
});
afterAll(() => t.stop());

const services = {
  STARTTLS: () => `xmpp://127.0.0.1:${t.port}`,
  "Direct TLS": () => `xmpps://127.0.0.1:${t.tlsPort}`,
};

/** An @xmpp/client session; the self-signed test certificate is accepted through the environment. */
function session(service: string, username: string, mechanism: string, resource: string, mode: string, ...rest: string[]) {
  return spawnJsonLines(process.execPath, [SCRIPT, service, username, `pw-${username}`, mechanism, resource, mode, ...rest], {
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
    NODE_NO_WARNINGS: "1",
  });
}

describe.each(Object.entries(services))("over %s", (transport, service) => {
  test.each(["SCRAM-SHA-1", "PLAIN"])("logs in with %s and the server reports the bound JID", async (mechanism) => {
    const resource = `${mechanism}-${transport.replace(" ", "")}`;
    const before = log.lines.length;
    const alice = session(service(), "alice", mechanism, resource, "login");
    expect((await alice.next("offered")).offered).toContain(mechanism);
    expect(await alice.next("online")).toEqual({ online: `alice@localhost/${resource}` });
    expect(await alice.exited).toBe(0);
    // The server's side: exactly one authentication, with this mechanism, over TLS, and that session.
    const lines = log.lines.slice(before);
    expect(lines.filter((l) => l.msg === "authenticated").map((l) => l.fields)).toEqual([
      expect.objectContaining({ username: "alice", mechanism, secure: true }),
    ]);
    expect(lines.filter((l) => l.msg === "session started").map((l) => l.fields.jid)).toEqual([`alice@localhost/${resource}`]);
  });
});

test("a message from one @xmpp/client reaches another, stamped with the sender's full JID", async () => {
  const bob = session(services.STARTTLS(), "bob", "PLAIN", "receiver", "receive");
  await bob.next("online");
  const alice = session(services["Direct TLS"](), "alice", "PLAIN", "sender", "send", "bob@localhost/receiver", "hello from xmpp.js");
  expect(await bob.next("message")).toEqual({ message: { from: "alice@localhost/sender", id: "m1", body: "hello from xmpp.js" } });
  expect(await alice.exited).toBe(0);
  expect(await bob.exited).toBe(0);
});

test("a wrong password: @xmpp/client reports not-authorized", async () => {
  const mallory = spawnJsonLines(process.execPath, [SCRIPT, services["Direct TLS"](), "alice", "wrong", "PLAIN", "x", "login"], {
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
    NODE_NO_WARNINGS: "1",
  });
  expect(await mallory.next("error")).toEqual({ error: "not-authorized" });
  expect(await mallory.exited).toBe(1);
});
