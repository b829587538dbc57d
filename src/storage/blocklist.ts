// Block lists (XEP-0191): the JIDs an account blocks, stored in their prepared string form.
import type { Database, Statement } from "better-sqlite3";

type Awaitable<T> = T | Promise<T>;

export interface BlocklistStore {
  /** The blocked JIDs, sorted. */
  list(username: string): Awaitable<string[]>;
  /** Adds JIDs (already blocked ones are kept); returns the new list. */
  block(username: string, jids: readonly string[]): Awaitable<string[]>;
  /** Removes JIDs, or every JID when `jids` is empty; returns the new list. */
  unblock(username: string, jids: readonly string[]): Awaitable<string[]>;
}

export class SqliteBlocklistStore implements BlocklistStore {
  private readonly select: Statement<[string], { jid: string }>;
  private readonly insert: Statement<[string, string]>;
  private readonly remove: Statement<[string, string]>;
  private readonly removeAll: Statement<[string]>;
  private readonly change: (username: string, jids: readonly string[], add: boolean) => string[];

  constructor(db: Database) {
    this.select = db.prepare("SELECT jid FROM blocklist WHERE username = ? ORDER BY jid");
    this.insert = db.prepare("INSERT OR IGNORE INTO blocklist (username, jid) VALUES (?, ?)");
    this.remove = db.prepare("DELETE FROM blocklist WHERE username = ? AND jid = ?");
    this.removeAll = db.prepare("DELETE FROM blocklist WHERE username = ?");
    // One transaction: the list returned is the one committed, whatever other workers do.
    this.change = db.transaction((username: string, jids: readonly string[], add: boolean) => {
      if (!add && jids.length === 0) this.removeAll.run(username);
      for (const jid of jids) (add ? this.insert : this.remove).run(username, jid);
      return this.list(username);
    });
  }

  list(username: string): string[] {
    return this.select.all(username).map((r) => r.jid);
  }

  block(username: string, jids: readonly string[]): string[] {
    return this.change(username, jids, true);
  }

  unblock(username: string, jids: readonly string[]): string[] {
    return this.change(username, jids, false);
  }
}
