import { Element } from "ltx";
import { startTestServer, type TestServer } from "../../src/testing/index.js";

const plain = (user: string, pw: string) =>
  `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0${pw}`).toString("base64")}</auth>`;

describe("failed authentication is throttled per account", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { auth_failures_per_account: 2, max_auth_failures: 10 } } });
    await t.addUser("alice");
  });
  afterAll(() => t.stop());

  test("after two wrong passwords even the right one is refused with temporary-auth-failure", async () => {
    const c = t.connect();
    await c.open();
    for (let i = 0; i < 2; i++) {
      c.raw(plain("alice", "wrong"));
      expect((await c.next({ name: "failure" })).getChild("not-authorized")).toBeDefined();
    }
    c.raw(plain("alice", "pw-alice"));
    const failure = await c.next({ name: "failure" });
    expect(failure.getChild("temporary-auth-failure")).toBeDefined();
    // Another account from the same address is not affected (the per-IP limit is higher).
    await t.addUser("bob");
    const bob = await t.login("bob");
    expect(bob.jid.toString()).toMatch(/^bob@localhost\//);
  });
});

describe("inbound byte rate", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { limits: { max_bytes_per_second: 20_000 } } });
    await t.addUser("alice");
  });
  afterAll(() => t.stop());

  test("a client over its rate is slowed down (reading pauses), not disconnected", async () => {
    const alice = await t.login("alice");
    const padding = " ".repeat(60_000); // whitespace between stanzas is legal
    const started = Date.now();
    alice.raw(padding);
    await new Promise((r) => setTimeout(r, 100)); // the padding is read (and overdraws the budget) first
    const res = await alice.request(new Element("iq", { type: "get", to: "localhost" }).c("query", { xmlns: "urn:example:x" }).root(), 10_000);
    const elapsed = Date.now() - started;
    expect(res.attrs.type).toBe("error");
    expect(elapsed).toBeGreaterThan(1500); // 60 KB at 20 KB/s with 20 KB of burst ≈ 2 s
  });
});
