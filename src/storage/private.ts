// Private XML storage (XEP-0049): one serialized element per (account, namespace, element name).
import type { Database, Statement } from "better-sqlite3";

type Awaitable<T> = T | Promise<T>;

export interface PrivateItem {
  namespace: string;
  name: string;
  /** The serialized element; on get, null when nothing is stored under that key. */
  xml: string | null;
}

export interface PrivateStore {
  get(username: string, namespace: string, name: string): Awaitable<string | null>;
  /** Stores every item in one transaction (all or nothing). */
  set(username: string, items: readonly { namespace: string; name: string; xml: string }[]): Awaitable<void>;
}

export class SqlitePrivateStore implements PrivateStore {
  private readonly select: Statement<[string, string, string], { xml: string }>;
  private readonly upsert: Statement<[string, string, string, string]>;
  private readonly setAll: (username: string, items: readonly { namespace: string; name: string; xml: string }[]) => void;

  constructor(db: Database) {
    this.select = db.prepare("SELECT xml FROM private_xml WHERE username = ? AND namespace = ? AND name = ?");
    this.upsert = db.prepare(
      "INSERT INTO private_xml (username, namespace, name, xml) VALUES (?, ?, ?, ?) ON CONFLICT (username, namespace, name) DO UPDATE SET xml = excluded.xml",
    );
    this.setAll = db.transaction((username, items) => {
      for (const item of items) this.upsert.run(username, item.namespace, item.name, item.xml);
    });
  }

  get(username: string, namespace: string, name: string): string | null {
    return this.select.get(username, namespace, name)?.xml ?? null;
  }

  set(username: string, items: readonly { namespace: string; name: string; xml: string }[]): void {
    this.setAll(username, items);
  }
}
