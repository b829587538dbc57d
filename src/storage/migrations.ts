// Versioned schema migrations, kept in code. The database's version is `PRAGMA user_version`;
// each issue that needs new tables appends a migration — never edit an applied one.
import type { Database } from "better-sqlite3";

export interface Migration {
  /** 1, 2, 3…: strictly increasing; the database ends at the last one's version. */
  version: number;
  /** SQL run once, in the same transaction that records the version. */
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    // Passwords are stored only as SCRAM credentials (RFC 5802 §3): salt, iterations, StoredKey,
    // ServerKey per mechanism. created_at: milliseconds since the epoch.
    up: `
      CREATE TABLE accounts (
        username   TEXT PRIMARY KEY NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE scram_credentials (
        username   TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        mechanism  TEXT NOT NULL CHECK (mechanism IN ('SCRAM-SHA-1', 'SCRAM-SHA-256', 'SCRAM-SHA-512')),
        salt       BLOB NOT NULL,
        iterations INTEGER NOT NULL CHECK (iterations > 0),
        stored_key BLOB NOT NULL,
        server_key BLOB NOT NULL,
        PRIMARY KEY (username, mechanism)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export interface MigrationResult {
  from: number;
  to: number;
}

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/**
 * Brings the database up to the last migration. All pending ones run in one IMMEDIATE
 * transaction: several workers opening the same file at once serialise on the write lock, and
 * the one that comes second finds nothing left to do. A failing migration leaves nothing behind.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkOrder(migrations);
  const latest = migrations.at(-1)?.version ?? 0;
  const run = db.transaction((): MigrationResult => {
    const from = schemaVersion(db);
    if (from > latest) {
      throw new Error(`database schema version ${from} is newer than this server's (${latest})`);
    }
    for (const m of migrations) {
      if (m.version <= from) continue;
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
    return { from, to: latest };
  });
  return run.immediate();
}

function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const { version } of migrations) {
    if (!Number.isInteger(version) || version <= previous) {
      throw new Error(`migration versions must be increasing integers from 1 (got ${version} after ${previous})`);
    }
    previous = version;
  }
}
