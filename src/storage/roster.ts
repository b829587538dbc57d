// Roster storage (RFC 6121 §2): items per account with their subscription state, the stored
// inbound subscription requests ("Pending In", §3.1.3) and one version counter per roster (§2.6).
import type { Database, Statement } from "better-sqlite3";
import type { Subscription } from "../modules/presence/subscription-state.js";
import { perConnection } from "./sqlite.js";

export type { Subscription };

/** A roster item as RFC 6121 §2.1.2 describes it; `ask` is "Pending Out", `approved` §3.4. */
export interface RosterItem {
  /** The contact's bare JID. */
  jid: string;
  name?: string;
  subscription: Subscription;
  ask: boolean;
  approved: boolean;
  groups: string[];
}

export interface Roster {
  version: number;
  items: RosterItem[];
}

/**
 * One storage concern. Owners are account usernames; contacts are bare JIDs. Synchronous, like
 * SQLite: the subscription logic runs the reads and writes of both rosters in one `transaction`.
 */
export interface RosterStore {
  transaction<T>(fn: () => T): T;
  roster(owner: string): Roster;
  item(owner: string, contact: string): RosterItem | undefined;
  put(owner: string, item: RosterItem): void;
  remove(owner: string, contact: string): boolean;
  /** The stored inbound subscribe stanza from `contact`, if a request is pending. */
  pendingIn(owner: string, contact: string): string | undefined;
  /** Every pending inbound request, oldest first. */
  allPendingIn(owner: string): string[];
  setPendingIn(owner: string, contact: string, stanza: string): void;
  clearPendingIn(owner: string, contact: string): void;
  /** Increments the roster version and returns the new one. */
  bumpVersion(owner: string): number;
}

interface ItemRow {
  contact: string;
  name: string | null;
  subscription: Subscription;
  ask: number;
  approved: number;
  groups: string;
}

function prepareStatements(db: Database) {
  return {
    items: db.prepare<[string], ItemRow>("SELECT contact, name, subscription, ask, approved, groups FROM roster_items WHERE owner = ? ORDER BY contact"),
    item: db.prepare<[string, string], ItemRow>("SELECT contact, name, subscription, ask, approved, groups FROM roster_items WHERE owner = ? AND contact = ?"),
    put: db.prepare<[string, string, string | null, string, number, number, string]>(
      `INSERT INTO roster_items (owner, contact, name, subscription, ask, approved, groups) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner, contact) DO UPDATE SET name = excluded.name, subscription = excluded.subscription,
         ask = excluded.ask, approved = excluded.approved, groups = excluded.groups`,
    ),
    remove: db.prepare<[string, string]>("DELETE FROM roster_items WHERE owner = ? AND contact = ?"),
    pendingIn: db.prepare<[string, string], string>("SELECT stanza FROM roster_pending_in WHERE owner = ? AND contact = ?").pluck(),
    allPendingIn: db.prepare<[string], string>("SELECT stanza FROM roster_pending_in WHERE owner = ? ORDER BY created_at, contact").pluck(),
    setPendingIn: db.prepare<[string, string, string, number]>(
      `INSERT INTO roster_pending_in (owner, contact, stanza, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (owner, contact) DO UPDATE SET stanza = excluded.stanza`,
    ),
    clearPendingIn: db.prepare<[string, string]>("DELETE FROM roster_pending_in WHERE owner = ? AND contact = ?"),
    version: db.prepare<[string], number>("SELECT version FROM roster_versions WHERE owner = ?").pluck(),
    bumpVersion: db.prepare<[string], number>(
      `INSERT INTO roster_versions (owner, version) VALUES (?, 1)
       ON CONFLICT (owner) DO UPDATE SET version = version + 1 RETURNING version`,
    ).pluck(),
  } satisfies Record<string, Statement<any, any>>;
}
type Statements = ReturnType<typeof prepareStatements>;

const statementsFor = perConnection(prepareStatements);

function toItem(row: ItemRow): RosterItem {
  const item: RosterItem = {
    jid: row.contact,
    subscription: row.subscription,
    ask: row.ask === 1,
    approved: row.approved === 1,
    groups: JSON.parse(row.groups) as string[],
  };
  if (row.name !== null) item.name = row.name;
  return item;
}

export class SqliteRosterStore implements RosterStore {
  readonly #db: Database;
  readonly #sql: Statements;

  constructor(db: Database) {
    this.#db = db;
    this.#sql = statementsFor(db);
  }

  /** IMMEDIATE: take the write lock before reading, so two workers can't interleave read-modify-writes. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  roster(owner: string): Roster {
    return { version: this.#sql.version.get(owner) ?? 0, items: this.#sql.items.all(owner).map(toItem) };
  }

  item(owner: string, contact: string): RosterItem | undefined {
    const row = this.#sql.item.get(owner, contact);
    return row && toItem(row);
  }

  put(owner: string, item: RosterItem): void {
    this.#sql.put.run(owner, item.jid, item.name ?? null, item.subscription, item.ask ? 1 : 0, item.approved ? 1 : 0, JSON.stringify(item.groups));
  }

  remove(owner: string, contact: string): boolean {
    return this.#sql.remove.run(owner, contact).changes > 0;
  }

  pendingIn(owner: string, contact: string): string | undefined {
    return this.#sql.pendingIn.get(owner, contact);
  }

  allPendingIn(owner: string): string[] {
    return this.#sql.allPendingIn.all(owner);
  }

  setPendingIn(owner: string, contact: string, stanza: string): void {
    this.#sql.setPendingIn.run(owner, contact, stanza, Date.now());
  }

  clearPendingIn(owner: string, contact: string): void {
    this.#sql.clearPendingIn.run(owner, contact);
  }

  bumpVersion(owner: string): number {
    return this.#sql.bumpVersion.get(owner)!;
  }
}
