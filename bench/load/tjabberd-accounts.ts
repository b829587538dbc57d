// Creates N bench accounts in a tjabberd data directory (server stopped or running: WAL).
// Derives the SCRAM credentials once (shared salt, see bench-credentials.ts) and inserts every
// account through the real account store in one transaction: thousands per second instead of
// ~7 ms of PBKDF2 each through `tjabberd adduser`.
//   node --import tsx bench/load/tjabberd-accounts.ts --data-dir DIR --count 5000 [--prefix user --password pw]
import { parseArgs } from "node:util";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { openDatabase } from "../../src/storage/sqlite.js";
import { SqliteAccountStore, type CredentialSet } from "../../src/storage/accounts.js";
import { scramCredentials } from "../../src/sasl/scram-keys.js";
import { SCRAM_MECHANISMS } from "../../src/sasl/types.js";
import { BENCH_ITERATIONS, BENCH_SALT, benchUsernames } from "./bench-credentials.js";

export function createTjabberdAccounts(dataDir: string, prefix: string, password: string, count: number): number {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(resolve(dataDir, "tjabberd.sqlite"));
  try {
    const store = new SqliteAccountStore(db);
    const credentials: CredentialSet = {};
    for (const mechanism of SCRAM_MECHANISMS) credentials[mechanism] = scramCredentials(password, mechanism, BENCH_ITERATIONS, BENCH_SALT);
    let created = 0;
    // One commit (synchronous=FULL syncs each one) instead of one per account.
    db.transaction(() => {
      for (const name of benchUsernames(prefix, count)) if (store.create(name, credentials)) created++;
    })();
    return created;
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string" },
      count: { type: "string", default: "1000" },
      prefix: { type: "string", default: "user" },
      password: { type: "string", default: "pw" },
    },
  });
  if (!values["data-dir"]) throw new Error("--data-dir is required");
  const started = performance.now();
  const created = createTjabberdAccounts(values["data-dir"], values.prefix, values.password, Number(values.count));
  console.log(JSON.stringify({ server: "tjabberd", accounts_created: created, ms: Math.round(performance.now() - started) }));
}
