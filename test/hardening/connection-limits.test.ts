import net from "node:net";
import { Element } from "ltx";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { rawLogin } from "../c2s/raw-socket.js";

/** Resolves with the first bytes the server sends, or "" when it closes without a word. */
function firstBytesOrClose(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>"));
    socket.once("data", (d) => { resolve(d.toString()); socket.destroy(); });
    socket.once("close", () => resolve(""));
    socket.on("error", () => {});
  });
}

describe("connection limits", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { max_connections_per_ip: 2 } } });
  });
  afterAll(() => t.stop());

  test("past max_connections_per_ip a new connection is closed before any XML is read", async () => {
    const first = t.connect();
    const second = t.connect();
    await first.open();
    await second.open();
    expect(await firstBytesOrClose(t.port)).toBe("");
    await first.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await firstBytesOrClose(t.port)).toContain("<stream:stream");
  });
});

describe("outbound buffer cap", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { max_outbound_buffer_bytes: 64 * 1024 } } });
    await t.addUser("alice");
    await t.addUser("bob");
  });
  afterAll(() => t.stop());

  test("a client that does not read is disconnected; its sender and the server carry on", async () => {
    const bob = await rawLogin(t.port, "bob", "slow");
    bob.pauseReading();
    const alice = await t.login("alice");
    const body = "x".repeat(16 * 1024);
    // Enough to fill the kernel's socket buffers on both sides, then our cap.
    const bobOnline = () => t.server.router.sessionsOf("bob@localhost").length > 0;
    for (let i = 0; i < 1000 && bobOnline(); i++) {
      alice.send(new Element("message", { to: "bob@localhost/slow", type: "chat" }).c("body").t(body).root());
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 10));
    }
    // The server's side is what counts: bob's paused socket can't even see the close yet.
    for (const end = Date.now() + 10_000; bobOnline(); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > end) throw new Error("bob was never disconnected");
    }
    expect([...t.server.connections].some((c) => c.jid?.toString() === "bob@localhost/slow")).toBe(false);
    const res = await alice.request(new Element("iq", { type: "get", to: "localhost" }).c("ping", { xmlns: "urn:xmpp:ping" }).root());
    expect(res.attrs.type).toBe("result");
  }, 20_000);
});
