// Account storage: usernames and their SCRAM credentials. Passwords are never stored; deriving
// credentials (PBKDF2) is the caller's job (see account-jobs.ts), so a store only moves bytes.
import type { Database, Statement } from "better-sqlite3";
import type { ScramCredentials, ScramMechanismName } from "../sasl/types.js";
import { perConnection } from "./sqlite.js";

type Awaitable<T> = T | Promise<T>;

/** Credentials for some of the SCRAM mechanisms, as written by create()/setPassword(). */
export type CredentialSet = Partial<Record<ScramMechanismName, ScramCredentials>>;

export interface ListOptions {
  /** Usernames sorting after this one (keyset pagination). */
  after?: string;
  limit?: number;
}

/** One storage concern; SQLite implements it synchronously, other backends may return promises. */
export interface AccountStore {
  /** False when the account already exists. */
  create(username: string, credentials: CredentialSet): Awaitable<boolean>;
  /** Replaces all credentials; false when there is no such account. */
  setPassword(username: string, credentials: CredentialSet): Awaitable<boolean>;
  /** Removes the account and its credentials; false when there was none. */
  delete(username: string): Awaitable<boolean>;
  exists(username: string): Awaitable<boolean>;
  /** Usernames in ascending order. */
  list(options?: ListOptions): Awaitable<string[]>;
  getCredentials(username: string, mechanism: ScramMechanismName): Awaitable<ScramCredentials | null>;
}

interface CredentialRow {
  salt: Buffer;
  iterations: number;
  stored_key: Buffer;
  server_key: Buffer;
}

function prepareStatements(db: Database) {
  return {
    insertAccount: db.prepare<[string, number]>(
      "INSERT INTO accounts (username, created_at) VALUES (?, ?) ON CONFLICT (username) DO NOTHING",
    ),
    deleteAccount: db.prepare<[string]>("DELETE FROM accounts WHERE username = ?"),
    accountExists: db.prepare<[string], number>("SELECT 1 FROM accounts WHERE username = ?").pluck(),
    listAccounts: db
      .prepare<[string, number], string>("SELECT username FROM accounts WHERE username > ? ORDER BY username LIMIT ?")
      .pluck(),
    insertCredentials: db.prepare<[string, string, Uint8Array, number, Uint8Array, Uint8Array]>(
      `INSERT INTO scram_credentials (username, mechanism, salt, iterations, stored_key, server_key)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deleteCredentials: db.prepare<[string]>("DELETE FROM scram_credentials WHERE username = ?"),
    getCredentials: db.prepare<[string, string], CredentialRow>(
      `SELECT salt, iterations, stored_key, server_key FROM scram_credentials
       WHERE username = ? AND mechanism = ?`,
    ),
  } satisfies Record<string, Statement<any, any>>;
}
type Statements = ReturnType<typeof prepareStatements>;

const statementsFor = perConnection(prepareStatements);

export class SqliteAccountStore implements AccountStore {
  readonly #db: Database;
  readonly #sql: Statements;
  readonly #create: (username: string, credentials: CredentialSet, now: number) => boolean;
  readonly #setPassword: (username: string, credentials: CredentialSet) => boolean;

  constructor(db: Database) {
    this.#db = db;
    this.#sql = statementsFor(db);
    this.#create = db.transaction((username: string, credentials: CredentialSet, now: number) => {
      if (this.#sql.insertAccount.run(username, now).changes === 0) return false;
      this.insertCredentials(username, credentials);
      return true;
    });
    this.#setPassword = db.transaction((username: string, credentials: CredentialSet) => {
      if (!this.#sql.accountExists.get(username)) return false;
      this.#sql.deleteCredentials.run(username);
      this.insertCredentials(username, credentials);
      return true;
    });
  }

  get database(): Database {
    return this.#db;
  }

  create(username: string, credentials: CredentialSet): boolean {
    return this.#create(username, credentials, Date.now());
  }

  setPassword(username: string, credentials: CredentialSet): boolean {
    return this.#setPassword(username, credentials);
  }

  /** The credentials go with the account (ON DELETE CASCADE). */
  delete(username: string): boolean {
    return this.#sql.deleteAccount.run(username).changes > 0;
  }

  exists(username: string): boolean {
    return this.#sql.accountExists.get(username) !== undefined;
  }

  list({ after = "", limit = -1 }: ListOptions = {}): string[] {
    return this.#sql.listAccounts.all(after, limit);
  }

  getCredentials(username: string, mechanism: ScramMechanismName): ScramCredentials | null {
    const row = this.#sql.getCredentials.get(username, mechanism);
    if (!row) return null;
    // Plain Uint8Arrays: structured clone turns Buffers into them anyway, so callers see one type.
    return {
      salt: new Uint8Array(row.salt),
      iterations: row.iterations,
      storedKey: new Uint8Array(row.stored_key),
      serverKey: new Uint8Array(row.server_key),
    };
  }

  private insertCredentials(username: string, credentials: CredentialSet): void {
    for (const [mechanism, c] of Object.entries(credentials)) {
      if (!c) continue;
      this.#sql.insertCredentials.run(username, mechanism, c.salt, c.iterations, c.storedKey, c.serverKey);
    }
  }
}
