import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScramServerMechanism, type ScramMechanismName } from "../../src/sasl/index.js";
import { close, init, jobs } from "../../src/storage/account-jobs.js";
import { ScramClient } from "../sasl/scram-client.js";

// The job functions run here in the main thread, as a worker would run them after init().
let dir: string;
let dbPath: string;
const ITERATIONS = 32; // keeps PBKDF2 fast in tests; the default is 4096

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-accounts-"));
  dbPath = join(dir, "accounts.db");
  await init({ workerData: { dbPath, iterations: ITERATIONS }, workerId: 0 });
});
afterEach(() => {
  close();
  rmSync(dir, { recursive: true, force: true });
});

const credentialRows = (username: string) => {
  const db = new BetterSqlite3(dbPath, { readonly: true });
  try {
    return db.prepare("SELECT mechanism, iterations FROM scram_credentials WHERE username = ? ORDER BY mechanism").all(username);
  } finally {
    db.close();
  }
};

test("jobs before init() fail clearly", () => {
  close();
  expect(() => jobs["accounts.exists"]({ username: "a" })).toThrow(/before init/);
});

test("init() validates workerData", async () => {
  await expect(init({ workerData: {}, workerId: 0 })).rejects.toThrow();
});

test("create, exists, list; creating twice returns false", () => {
  expect(jobs["accounts.create"]({ username: "juliet", password: "r0meo" })).toBe(true);
  expect(jobs["accounts.create"]({ username: "juliet", password: "other" })).toBe(false);
  expect(jobs["accounts.create"]({ username: "benvolio", password: "x" })).toBe(true);
  expect(jobs["accounts.exists"]({ username: "juliet" })).toBe(true);
  expect(jobs["accounts.exists"]({ username: "romeo" })).toBe(false);
  expect(jobs["accounts.list"]()).toEqual(["benvolio", "juliet"]);
  expect(jobs["accounts.list"]({ after: "benvolio" })).toEqual(["juliet"]);
  expect(jobs["accounts.list"]({ limit: 1 })).toEqual(["benvolio"]);
});

test("credentials are stored for all three SCRAM mechanisms, never the password", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  expect(credentialRows("juliet")).toEqual([
    { mechanism: "SCRAM-SHA-1", iterations: ITERATIONS },
    { mechanism: "SCRAM-SHA-256", iterations: ITERATIONS },
    { mechanism: "SCRAM-SHA-512", iterations: ITERATIONS },
  ]);
  const db = new BetterSqlite3(dbPath, { readonly: true });
  const blobs = db.prepare("SELECT salt, stored_key, server_key FROM scram_credentials").raw().all().flat() as Buffer[];
  db.close();
  expect(blobs.some((b) => b.includes("r0meo"))).toBe(false);
});

test("credentials round trip: structured-cloneable, and a SCRAM exchange succeeds with them", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  for (const mechanism of ["SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512"] as ScramMechanismName[]) {
    const fetched = jobs["accounts.credentials"]({ username: "juliet", mechanism });
    expect(fetched).not.toBeNull();
    const cloned = structuredClone(fetched)!; // what crossing the worker boundary does
    expect(cloned.iterations).toBe(ITERATIONS);
    expect(cloned.salt).toBeInstanceOf(Uint8Array);

    const server = new ScramServerMechanism(mechanism);
    const client = new ScramClient(mechanism, "juliet", "r0meo");
    expect(server.start(client.first())).toMatchObject({ kind: "need-credentials", username: "juliet" });
    const challenge = server.provideCredentials(cloned);
    if (challenge.kind !== "challenge") throw new Error("expected a challenge");
    const result = server.respond(client.final(challenge.data));
    expect(result).toMatchObject({ kind: "success", username: "juliet" });
    expect(client.verifyServer(result.kind === "success" ? result.data : undefined)).toBe(true);
  }
  expect(jobs["accounts.credentials"]({ username: "romeo", mechanism: "SCRAM-SHA-256" })).toBeNull();
});

test("each mechanism gets its own random salt", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  jobs["accounts.create"]({ username: "nurse", password: "r0meo" });
  const salt = (username: string, mechanism: ScramMechanismName) =>
    Buffer.from(jobs["accounts.credentials"]({ username, mechanism })!.salt).toString("hex");
  expect(salt("juliet", "SCRAM-SHA-1")).not.toBe(salt("juliet", "SCRAM-SHA-256"));
  expect(salt("juliet", "SCRAM-SHA-256")).not.toBe(salt("nurse", "SCRAM-SHA-256"));
});

test("verifyPlain: right, wrong, unknown user", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "r0meo" })).toBe(true);
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "r0meO" })).toBe(false);
  expect(jobs["accounts.verifyPlain"]({ username: "romeo", password: "r0meo" })).toBe(false);
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "bad\u0007" })).toBe(false);
});

test("verifyPlain SASLprep-s the password like SCRAM does", () => {
  jobs["accounts.create"]({ username: "juliet", password: "\u2168" });
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "IX" })).toBe(true);
});

test("verifyPlain falls back to whichever mechanism is stored", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  const db = new BetterSqlite3(dbPath);
  db.prepare("DELETE FROM scram_credentials WHERE mechanism != 'SCRAM-SHA-1'").run();
  db.close();
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "r0meo" })).toBe(true);
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "x" })).toBe(false);
});

test("setPassword replaces every credential; unknown user → false", () => {
  jobs["accounts.create"]({ username: "juliet", password: "old" });
  const before = jobs["accounts.credentials"]({ username: "juliet", mechanism: "SCRAM-SHA-256" })!;
  expect(jobs["accounts.setPassword"]({ username: "juliet", password: "new", iterations: 64 })).toBe(true);
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "new" })).toBe(true);
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "old" })).toBe(false);
  const after = jobs["accounts.credentials"]({ username: "juliet", mechanism: "SCRAM-SHA-256" })!;
  expect(after.iterations).toBe(64);
  expect(Buffer.from(after.salt).equals(Buffer.from(before.salt))).toBe(false);
  expect(credentialRows("juliet")).toHaveLength(3);
  expect(jobs["accounts.setPassword"]({ username: "romeo", password: "x" })).toBe(false);
  expect(jobs["accounts.exists"]({ username: "romeo" })).toBe(false);
});

test("delete removes the account and its credentials", () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  expect(jobs["accounts.delete"]({ username: "juliet" })).toBe(true);
  expect(jobs["accounts.delete"]({ username: "juliet" })).toBe(false);
  expect(jobs["accounts.exists"]({ username: "juliet" })).toBe(false);
  expect(credentialRows("juliet")).toEqual([]);
  expect(jobs["accounts.credentials"]({ username: "juliet", mechanism: "SCRAM-SHA-1" })).toBeNull();
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "r0meo" })).toBe(false);
});

test("usernames are stored SASLprep-ed, the form SASL looks them up by", () => {
  jobs["accounts.create"]({ username: "\uFB00", password: "pw" });
  expect(jobs["accounts.list"]()).toEqual(["ff"]);
  expect(jobs["accounts.exists"]({ username: "ff" })).toBe(true);
});

test("bad payloads are rejected", () => {
  expect(() => jobs["accounts.create"]({ username: "", password: "x" })).toThrow();
  expect(() => jobs["accounts.create"]({ username: "a", password: "" })).toThrow();
  expect(() => jobs["accounts.create"]({ username: "a\u0007", password: "x" })).toThrow(/SASLprep/);
  expect(() => jobs["accounts.credentials"]({ username: "a", mechanism: "SCRAM-MD5" as ScramMechanismName })).toThrow();
});

test("data survives closing and reopening (another worker's connection)", async () => {
  jobs["accounts.create"]({ username: "juliet", password: "r0meo" });
  close();
  await init({ workerData: { dbPath }, workerId: 1 });
  expect(jobs["accounts.verifyPlain"]({ username: "juliet", password: "r0meo" })).toBe(true);
});
