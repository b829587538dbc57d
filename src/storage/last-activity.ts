// Last activity (XEP-0012): when each account's last session ended, and its status then.
import type { Database } from "better-sqlite3";

type Awaitable<T> = T | Promise<T>;

export interface LastActivity {
  /** When the last session ended, ms since the epoch. */
  loggedOutAt: number;
  /** The status text of the last unavailable presence ("" when none). */
  status: string;
}

export interface LastActivityStore {
  set(username: string, activity: LastActivity): Awaitable<void>;
  get(username: string): Awaitable<LastActivity | null>;
}

export class SqliteLastActivityStore implements LastActivityStore {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      // An account deleted meanwhile has nothing to record (and the foreign key would fail).
      upsert: db.prepare<[{ username: string; at: number; status: string }]>(
        `INSERT INTO last_activity (username, logged_out_at, status)
         SELECT @username, @at, @status WHERE EXISTS (SELECT 1 FROM accounts WHERE username = @username)
         ON CONFLICT (username) DO UPDATE SET logged_out_at = excluded.logged_out_at, status = excluded.status`,
      ),
      get: db.prepare<[string], LastActivity>(
        "SELECT logged_out_at AS loggedOutAt, status FROM last_activity WHERE username = ?",
      ),
    };
  }

  set(username: string, activity: LastActivity): void {
    this.statements.upsert.run({ username, at: activity.loggedOutAt, status: activity.status });
  }

  get(username: string): LastActivity | null {
    return this.statements.get.get(username) ?? null;
  }
}
