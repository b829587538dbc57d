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
  {
    version: 2,
    // RFC 6121 rosters: one row per contact (bare JID) with the subscription state of Appendix A
    // (subscription + ask = "Pending Out" + approved = §3.4 pre-approval); "Pending In" is the
    // stored inbound subscribe stanza, redelivered at login (§3.1.3); one version per roster (§2.6).
    // groups: a JSON array of group names.
    up: `
      CREATE TABLE roster_items (
        owner        TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        contact      TEXT NOT NULL,
        name         TEXT,
        subscription TEXT NOT NULL CHECK (subscription IN ('none', 'to', 'from', 'both')),
        ask          INTEGER NOT NULL CHECK (ask IN (0, 1)),
        approved     INTEGER NOT NULL CHECK (approved IN (0, 1)),
        groups       TEXT NOT NULL,
        PRIMARY KEY (owner, contact)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE roster_pending_in (
        owner      TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        contact    TEXT NOT NULL,
        stanza     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (owner, contact)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE roster_versions (
        owner   TEXT PRIMARY KEY NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        version INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    // XEP-0160 offline messages (id = arrival order; stored_at: ms, for the XEP-0203 stamp) and
    // XEP-0012 last activity (when the last session ended, with its unavailable status).
    up: `
      CREATE TABLE offline_messages (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        username  TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        stored_at INTEGER NOT NULL,
        stanza    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX offline_messages_by_user ON offline_messages (username, id);

      CREATE TABLE last_activity (
        username      TEXT PRIMARY KEY NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        logged_out_at INTEGER NOT NULL,
        status        TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    // Per-account data of XEP-0054 (vcard-temp), XEP-0049 (private XML) and XEP-0191 (block
    // list); removed with the account (XEP-0077 cancellation). XML is stored serialized.
    up: `
      CREATE TABLE vcards (
        username   TEXT PRIMARY KEY NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        xml        TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE private_xml (
        username  TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        namespace TEXT NOT NULL,
        name      TEXT NOT NULL,
        xml       TEXT NOT NULL,
        PRIMARY KEY (username, namespace, name)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE blocklist (
        username TEXT NOT NULL REFERENCES accounts(username) ON DELETE CASCADE,
        jid      TEXT NOT NULL,
        PRIMARY KEY (username, jid)
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
