// Worker-pool job module for accounts: each worker opens its own connection in init(); the jobs
// do the blocking work (SQLite, PBKDF2) off the main thread. Results are structured-cloneable.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { DEFAULT_SCRAM_ITERATIONS, passwordMatches, SaslprepError, scramCredentials } from "../sasl/scram-keys.js";
import { saslprep } from "../sasl/saslprep.js";
import { SCRAM_MECHANISMS, type ScramCredentials, type ScramMechanismName } from "../sasl/types.js";
import { SqliteAccountStore, type CredentialSet } from "./accounts.js";
import { workerDatabase, type Database } from "./sqlite.js";

const WorkerData = z.object({
  dbPath: z.string().min(1),
  /** PBKDF2 iterations for new credentials; keep the SCRAM mechanism's fakeIterations equal. */
  iterations: z.int().min(1).optional(),
});

const Username = z.string().min(1).max(1023);
const Password = z.string().min(1).max(1023);
const Mechanism = z.enum(SCRAM_MECHANISMS);
const Iterations = z.int().min(1).max(10_000_000).optional();

const payloads = {
  create: z.object({ username: Username, password: Password, iterations: Iterations }),
  setPassword: z.object({ username: Username, password: Password, iterations: Iterations }),
  username: z.object({ username: Username }),
  list: z.object({ after: z.string().optional(), limit: z.int().min(1).optional() }).optional(),
  credentials: z.object({ username: Username, mechanism: Mechanism }),
  verifyPlain: z.object({ username: Username, password: z.string() }),
};

let db: Database | undefined;
let store: SqliteAccountStore | undefined;
let defaultIterations = DEFAULT_SCRAM_ITERATIONS;

/** Opens this worker's connection (and migrates the schema, once, whichever worker comes first). */
export async function init(ctx: JobContext): Promise<void> {
  const data = WorkerData.parse(ctx.workerData);
  close();
  db = workerDatabase(ctx);
  store = new SqliteAccountStore(db);
  defaultIterations = data.iterations ?? DEFAULT_SCRAM_ITERATIONS;
}

/** Closes the connection (for tests and orderly shutdown). */
export function close(): void {
  db?.close();
  db = store = undefined;
}

function accounts(): SqliteAccountStore {
  if (!store) throw new Error("account jobs used before init()");
  return store;
}

// Usernames are stored SASLprep-ed, the form the SASL mechanisms look them up by.
function normalizeUsername(username: string): string {
  const prepared = saslprep(username);
  if (!prepared) throw new SaslprepError();
  return prepared;
}

// One credential record per SCRAM mechanism, each with its own salt, so a client may use any.
function credentialSet(password: string, iterations = defaultIterations): CredentialSet {
  const set: CredentialSet = {};
  for (const mechanism of SCRAM_MECHANISMS) set[mechanism] = scramCredentials(password, mechanism, iterations);
  return set;
}

// verifyPlain uses whichever record exists, preferring the strongest common one.
const PLAIN_VERIFY_ORDER: readonly ScramMechanismName[] = ["SCRAM-SHA-256", "SCRAM-SHA-512", "SCRAM-SHA-1"];
const DUMMY_SALT = new Uint8Array(16);

export const jobs = defineJobs({
  "accounts.create": (payload: z.input<typeof payloads.create>): boolean => {
    const { username, password, iterations } = payloads.create.parse(payload);
    const name = normalizeUsername(username);
    if (accounts().exists(name)) return false; // spare the PBKDF2; create() re-checks atomically
    // Derive before the transaction: PBKDF2 must not hold the database's write lock.
    return accounts().create(name, credentialSet(password, iterations));
  },

  "accounts.setPassword": (payload: z.input<typeof payloads.setPassword>): boolean => {
    const { username, password, iterations } = payloads.setPassword.parse(payload);
    const name = normalizeUsername(username);
    if (!accounts().exists(name)) return false;
    return accounts().setPassword(name, credentialSet(password, iterations));
  },

  "accounts.delete": (payload: z.input<typeof payloads.username>): boolean =>
    accounts().delete(normalizeUsername(payloads.username.parse(payload).username)),

  "accounts.exists": (payload: z.input<typeof payloads.username>): boolean =>
    accounts().exists(normalizeUsername(payloads.username.parse(payload).username)),

  "accounts.list": (payload?: z.input<typeof payloads.list>): string[] => accounts().list(payloads.list.parse(payload)),

  /** The record a SCRAM mechanism's provideCredentials() takes, or null (unknown user or mechanism). */
  "accounts.credentials": (payload: z.input<typeof payloads.credentials>): ScramCredentials | null => {
    const { username, mechanism } = payloads.credentials.parse(payload);
    const name = saslprep(username);
    return name ? accounts().getCredentials(name, mechanism) : null;
  },

  /**
   * PLAIN (RFC 4616) checked against the SCRAM credentials: derive with the stored salt and
   * iterations, compare StoredKey in constant time. An unknown user costs the same derivation,
   * so response time doesn't reveal which accounts exist.
   */
  "accounts.verifyPlain": (payload: z.input<typeof payloads.verifyPlain>): boolean => {
    const { username, password } = payloads.verifyPlain.parse(payload);
    const name = saslprep(username);
    const found = name ? findCredentials(name) : null;
    try {
      if (!found) {
        scramCredentials(password, "SCRAM-SHA-256", defaultIterations, DUMMY_SALT);
        return false;
      }
      return passwordMatches(password, found.mechanism, found.credentials);
    } catch (err) {
      if (err instanceof SaslprepError) return false;
      throw err;
    }
  },
});

function findCredentials(username: string): { mechanism: ScramMechanismName; credentials: ScramCredentials } | null {
  for (const mechanism of PLAIN_VERIFY_ORDER) {
    const credentials = accounts().getCredentials(username, mechanism);
    if (credentials) return { mechanism, credentials };
  }
  return null;
}
