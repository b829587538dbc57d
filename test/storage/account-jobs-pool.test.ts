// The account job module in real worker threads: two workers opening (and migrating) one file at
// once, and results crossing the thread boundary by structured clone.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../actors/worker-pool.js";

let dir: string;
let pool: WorkerPool;
const run = <T>(job: string, payload: unknown) =>
  new Promise<T>((resolve, reject) => pool.submit(job, payload, (err, result) => (err ? reject(err) : resolve(result as T))));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-account-pool-"));
  pool = new WorkerPool({
    size: 2,
    jobModules: [new URL("../../src/storage/account-jobs.ts", import.meta.url)],
    workerData: { dbPath: join(dir, "accounts.db"), iterations: 64 },
  });
  await pool.ready();
});
afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("accounts created by both workers are visible to both; credentials arrive as Uint8Arrays", async () => {
  const names = Array.from({ length: 8 }, (_, i) => `user${i}`);
  expect(await Promise.all(names.map((username) => run("accounts.create", { username, password: "pw" })))).toEqual(
    names.map(() => true),
  );
  expect(await run("accounts.list", undefined)).toEqual(names);
  const verdicts = await Promise.all(
    names.flatMap((username) => [
      run("accounts.verifyPlain", { username, password: "pw" }),
      run("accounts.verifyPlain", { username, password: "wrong" }),
    ]),
  );
  expect(verdicts).toEqual(names.flatMap(() => [true, false]));
  const credentials = await run<{ salt: unknown; storedKey: unknown; iterations: number }>("accounts.credentials", {
    username: "user3",
    mechanism: "SCRAM-SHA-512",
  });
  expect(credentials.salt).toBeInstanceOf(Uint8Array);
  expect((credentials.storedKey as Uint8Array).length).toBe(64);
  expect(credentials.iterations).toBe(64);
});

test("a bad payload becomes a job error, not a dead worker", async () => {
  await expect(run("accounts.create", { username: "" })).rejects.toThrow();
  expect(await run("accounts.exists", { username: "user0" })).toBe(true);
});
