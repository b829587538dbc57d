// vCard storage (XEP-0054): one serialized <vCard xmlns='vcard-temp'/> per account.
import type { Database, Statement } from "better-sqlite3";

type Awaitable<T> = T | Promise<T>;

export interface VcardStore {
  /** The stored vCard XML, or null when the account has none. */
  get(username: string): Awaitable<string | null>;
  /** Stores the vCard; null removes it (an empty vCard is the same as none). */
  set(username: string, xml: string | null): Awaitable<void>;
}

export class SqliteVcardStore implements VcardStore {
  private readonly select: Statement<[string], { xml: string }>;
  private readonly upsert: Statement<[string, string, number]>;
  private readonly remove: Statement<[string]>;

  constructor(db: Database) {
    this.select = db.prepare("SELECT xml FROM vcards WHERE username = ?");
    this.upsert = db.prepare(
      "INSERT INTO vcards (username, xml, updated_at) VALUES (?, ?, ?) ON CONFLICT (username) DO UPDATE SET xml = excluded.xml, updated_at = excluded.updated_at",
    );
    this.remove = db.prepare("DELETE FROM vcards WHERE username = ?");
  }

  get(username: string): string | null {
    return this.select.get(username)?.xml ?? null;
  }

  set(username: string, xml: string | null): void {
    if (xml === null) this.remove.run(username);
    else this.upsert.run(username, xml, Date.now());
  }
}
