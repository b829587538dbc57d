// The load generator's client side (SCRAM, negotiation, stanzas) against the real server, the
// bench account helpers, and the comparison table.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { scramCredentials } from "../../src/sasl/scram-keys.js";
import { ScramClient } from "../../bench/load/scram-client.js";
import { login, type Mechanism } from "../../bench/load/xmpp-conn.js";
import { createTjabberdAccounts } from "../../bench/load/tjabberd-accounts.js";
import { createProsodyAccounts } from "../../bench/load/prosody-accounts.js";
import { BENCH_ITERATIONS, BENCH_SALT } from "../../bench/load/bench-credentials.js";
import { contactsOf } from "../../bench/load/mode-presence.js";
import { summarize } from "../../bench/load/summarize.js";

describe("ScramClient", () => {
  test("RFC 5802 §5 SCRAM-SHA-1 example", () => {
    const c = new ScramClient("sha1", "user", "pencil", "fyko+d2lbbFgONRv9qkxdawL");
    expect(c.first()).toBe("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    expect(c.final("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")).toBe(
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    );
    expect(c.verify("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")).toBe(true);
    expect(c.verify("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")).toBe(false);
  });

  test("RFC 7677 §3 SCRAM-SHA-256 example", () => {
    const c = new ScramClient("sha256", "user", "pencil", "rOprNGfwEbeRWgbNEkqO");
    const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    expect(c.final(serverFirst)).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    );
    expect(c.verify("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")).toBe(true);
  });

  test("a server nonce that doesn't extend the client's is refused", () => {
    const c = new ScramClient("sha1", "user", "pencil", "abc");
    expect(() => c.final("r=xyz123,s=QSXCR+Q6sek8bf92,i=4096")).toThrow(/server-first/);
  });
});

describe("against tjabberd", () => {
  let t: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "load-gen-"));
    t = await startTestServer({ config: { data_dir: dataDir } });
    // The bench helper writes into the running server's database (WAL), as compare.sh does before start.
    expect(createTjabberdAccounts(dataDir, "lg", "secret", 3)).toBe(3);
  });
  afterAll(async () => {
    await t.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const opts = (username: string, mechanism: Mechanism, password = "secret") => ({
    host: "127.0.0.1", port: t.port, domain: "localhost", username, password, mechanism,
  });

  test.each(["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const)("%s login binds a full JID", async (mechanism) => {
    const conn = await login({ ...opts("lg1", mechanism), resource: "r1" });
    expect(conn.jid).toBe("lg1@localhost/r1");
    await conn.close();
    expect(conn.closed).toBe(true);
  });

  test("login over STARTTLS", async () => {
    const conn = await login({ ...opts("lg2", "SCRAM-SHA-1"), tls: true });
    expect(conn.jid).toMatch(/^lg2@localhost\//);
    await conn.close();
  });

  test("a wrong password is a SASL failure", async () => {
    await expect(login(opts("lg3", "SCRAM-SHA-256", "wrong"))).rejects.toThrow(/SASL SCRAM-SHA-256 failed/);
  });

  test("a chat message to a bare JID arrives with its body", async () => {
    const a = await login(opts("lg1", "SCRAM-SHA-1"));
    const b = await login(opts("lg2", "SCRAM-SHA-1"));
    b.send("<presence/>");
    await new Promise((r) => setTimeout(r, 100));
    const got = b.next((el) => el.name === "message");
    a.send("<message to='lg2@localhost' type='chat'><body>123.5 &amp; more</body></message>");
    const msg = await got;
    expect(msg.attrs.from).toBe(a.jid);
    expect(msg.getChildText("body")).toBe("123.5 & more");
    await Promise.all([a.close(), b.close()]);
  });
});

describe("bench helpers", () => {
  test("Prosody account files carry the same SCRAM keys the server derives", () => {
    const dir = mkdtempSync(join(tmpdir(), "prosody-acc-"));
    try {
      createProsodyAccounts(dir, "local.host", "u", "pencil", 2, "SHA-256");
      // util.datamanager encodes '.' in the host name.
      const file = readFileSync(join(dir, "local%2ehost", "accounts", "u2.dat"), "utf8");
      const expected = scramCredentials("pencil", "SCRAM-SHA-256", BENCH_ITERATIONS, BENCH_SALT);
      expect(file).toContain(`["stored_key"] = "${Buffer.from(expected.storedKey).toString("hex")}"`);
      expect(file).toContain(`["server_key"] = "${Buffer.from(expected.serverKey).toString("hex")}"`);
      expect(file).toContain(`["iteration_count"] = ${BENCH_ITERATIONS}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("presence contacts are mutual and distinct", () => {
    for (let n = 1; n <= 30; n++) {
      const contacts = contactsOf(n, 30, 6);
      expect(new Set(contacts).size).toBe(6);
      expect(contacts).not.toContain(n);
      for (const m of contacts) expect(contactsOf(m, 30, 6)).toContain(n);
    }
  });

  test("the table takes medians and checks targets", () => {
    const r = (label: string, v: number) => ({ mode: "messages", label, tls: false, messages_per_s: v, p50_ms: 1, p99_ms: 10 });
    const table = summarize([r("tjabberd", 30_000), r("tjabberd", 10_000), r("tjabberd", 20_000), r("prosody", 11_000)]);
    const row = table.split("\n").find((l) => l.startsWith("| Messages/s"))!;
    expect(row).toContain("20,000 (10,000–30,000, n=3)");
    expect(row).toContain("1.82×");
    expect(row).toContain("**no**");
  });
});
