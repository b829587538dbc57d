// Opening the embedded SQLite database: one connection per worker thread.
import DatabaseConstructor, { type Database } from "better-sqlite3";
import { migrate, MIGRATIONS, type Migration } from "./migrations.js";

export type { Database };

/**
 * Opens (creating if needed) the database at `path`, configures it and applies pending migrations.
 * - WAL: readers in other workers don't block the writer.
 * - synchronous=FULL: in WAL mode NORMAL may lose the last commits on power loss; we acknowledge
 *   writes to clients (an account created, an offline message stored), so each commit is synced.
 * - busy_timeout 5000 ms: wait for another worker's write lock instead of failing at once.
 * - foreign_keys: SQLite leaves them off per connection unless asked.
 */
export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Database {
  const db = new DatabaseConstructor(path);
  try {
    db.pragma("busy_timeout = 5000"); // first: switching to WAL may itself wait for a lock
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

let workerDb: { path: string; db: Database } | undefined;

/**
 * This worker thread's one connection to the server database, shared by every job module the
 * worker loaded (module state is per thread). Job modules call it from `init` or lazily:
 * `const db = workerDatabase(ctx)`; `ctx.workerData.dbPath` names the file.
 */
export function workerDatabase(ctx: { workerData: unknown }): Database {
  const path = (ctx.workerData as { dbPath?: unknown } | undefined)?.dbPath;
  if (typeof path !== "string" || !path) throw new Error("workerData.dbPath is not set");
  if (workerDb?.path !== path || !workerDb.db.open) workerDb = { path, db: openDatabase(path) };
  return workerDb.db;
}

/**
 * Memoises `prepare(db)` per connection: preparing is the expensive part of a query, and every
 * store object on one connection can share the statements.
 */
export function perConnection<S>(prepare: (db: Database) => S): (db: Database) => S {
  const cache = new WeakMap<Database, S>();
  return (db) => {
    let statements = cache.get(db);
    if (statements === undefined) cache.set(db, (statements = prepare(db)));
    return statements;
  };
}
