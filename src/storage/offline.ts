// Offline message storage (XEP-0160): messages for an account with no available resource, kept
// in arrival order until the account next becomes available.
import type { Database } from "better-sqlite3";

type Awaitable<T> = T | Promise<T>;

export interface OfflineMessage {
  /** The message as received (serialized XML). */
  stanza: string;
  /** When it was stored, ms since the epoch (for the XEP-0203 delay stamp). */
  storedAt: number;
}

/** "stored", or why not: no such account (RFC 6121 §8.5.1) or a full queue (XEP-0160 §4). */
export type StoreResult = "stored" | "no-account" | "full";

export interface OfflineStore {
  /** Checks the account and the queue limit and stores, atomically. */
  store(username: string, message: OfflineMessage, limit: number): Awaitable<StoreResult>;
  /** Removes and returns the account's messages, oldest first. */
  take(username: string): Awaitable<OfflineMessage[]>;
  count(username: string): Awaitable<number>;
}

export class SqliteOfflineStore implements OfflineStore {
  private readonly statements;

  constructor(private readonly db: Database) {
    this.statements = {
      accountExists: db.prepare<[string], number>("SELECT 1 FROM accounts WHERE username = ?").pluck(),
      count: db.prepare<[string], number>("SELECT count(*) FROM offline_messages WHERE username = ?").pluck(),
      insert: db.prepare<[string, number, string]>("INSERT INTO offline_messages (username, stored_at, stanza) VALUES (?, ?, ?)"),
      select: db.prepare<[string], { stanza: string; storedAt: number }>(
        "SELECT stanza, stored_at AS storedAt FROM offline_messages WHERE username = ? ORDER BY id",
      ),
      delete: db.prepare<[string]>("DELETE FROM offline_messages WHERE username = ?"),
    };
  }

  store(username: string, message: OfflineMessage, limit: number): StoreResult {
    const s = this.statements;
    // IMMEDIATE: the count and the insert see the same queue even with several workers.
    return this.db.transaction((): StoreResult => {
      if (!s.accountExists.get(username)) return "no-account";
      if ((s.count.get(username) ?? 0) >= limit) return "full";
      s.insert.run(username, message.storedAt, message.stanza);
      return "stored";
    }).immediate();
  }

  take(username: string): OfflineMessage[] {
    const s = this.statements;
    return this.db.transaction(() => {
      const messages = s.select.all(username);
      if (messages.length) s.delete.run(username);
      return messages;
    }).immediate();
  }

  count(username: string): number {
    return this.statements.count.get(username) ?? 0;
  }
}
