// Provisioning many accounts for load and soak runs: `<prefix>1` … `<prefix>N`, all with one
// password, written straight into a server's database with the server's own account jobs (one
// `tjabberd adduser` process per account would take a second each).
//   npx tsx bench/soak/accounts.ts --data-dir ./data --prefix soak --count 5000 --password soak-pw
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { WorkerPool, siblingModule } from "../../actors/worker-pool.js";

export interface AccountBatch {
  prefix: string;
  count: number;
  password: string;
  /** PBKDF2 iterations of the stored SCRAM credentials (default: the server's 4096). */
  iterations?: number;
  /** Worker threads hashing in parallel (default 2). */
  workers?: number;
}

export const accountName = (prefix: string, i: number) => `${prefix}${i}`;

/** Creates the accounts that don't exist yet in `<dataDir>/tjabberd.sqlite`; safe while the server runs (WAL). */
export async function createAccounts(dataDir: string, batch: AccountBatch): Promise<{ created: number; existed: number }> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const pool = new WorkerPool({
    size: batch.workers ?? 2,
    jobModules: [siblingModule(import.meta.url, "../../src/storage/account-jobs")],
    workerData: { dbPath: join(dir, "tjabberd.sqlite"), iterations: batch.iterations },
    timeoutMs: 60_000,
  });
  try {
    await pool.ready();
    let created = 0;
    const jobs: Promise<void>[] = [];
    for (let i = 1; i <= batch.count; i++) {
      const payload = { username: accountName(batch.prefix, i), password: batch.password };
      jobs.push(pool.run<boolean>("accounts.create", payload).then((ok) => void (ok && created++)));
    }
    await Promise.all(jobs);
    return { created, existed: batch.count - created };
  } finally {
    await pool.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string", default: "./data" },
      prefix: { type: "string", default: "soak" },
      count: { type: "string", default: "5000" },
      password: { type: "string", default: "soak-pw" },
      iterations: { type: "string" },
    },
  });
  const started = Date.now();
  const result = await createAccounts(values["data-dir"], {
    prefix: values.prefix,
    count: Number(values.count),
    password: values.password,
    iterations: values.iterations ? Number(values.iterations) : undefined,
  });
  console.log(`${result.created} created, ${result.existed} existed, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
