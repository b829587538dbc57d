import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, MIGRATIONS, schemaVersion, type Migration } from "../../src/storage/migrations.js";
import { openDatabase, type Database } from "../../src/storage/sqlite.js";

let dir: string;
const open: Database[] = [];
const openDb = (file = "test.db", migrations?: readonly Migration[]) => {
  const db = openDatabase(join(dir, file), migrations);
  open.push(db);
  return db;
};
const tables = (db: Database) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tjabberd-migrations-"));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

test("openDatabase configures WAL, FULL sync, busy timeout and foreign keys", () => {
  const db = openDb();
  expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
  expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
  expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
});

test("a new file is migrated to the latest version", () => {
  const db = openDb();
  expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)!.version);
  expect(tables(db)).toEqual(expect.arrayContaining(["accounts", "scram_credentials"]));
});

test("migrating again (same connection or reopened file) changes nothing", () => {
  const db = openDb();
  const latest = MIGRATIONS.at(-1)!.version;
  expect(migrate(db)).toEqual({ from: latest, to: latest });
  db.close();
  const again = openDb();
  expect(schemaVersion(again)).toBe(latest);
  expect(migrate(again)).toEqual({ from: latest, to: latest });
});

test("a later migration is applied on its own, after the earlier ones", () => {
  openDb().close();
  const extra: Migration = { version: MIGRATIONS.at(-1)!.version + 1, up: "CREATE TABLE roster_test (x INTEGER)" };
  const db = openDb("test.db", [...MIGRATIONS, extra]);
  expect(schemaVersion(db)).toBe(extra.version);
  expect(tables(db)).toContain("roster_test");
});

test("a failing migration leaves neither its changes nor a new version", () => {
  const broken: Migration[] = [
    { version: 1, up: "CREATE TABLE a (x INTEGER)" },
    { version: 2, up: "CREATE TABLE b (x INTEGER); THIS IS NOT SQL" },
  ];
  const db = new BetterSqlite3(join(dir, "broken.db"));
  open.push(db);
  expect(() => migrate(db, broken)).toThrow();
  expect(schemaVersion(db)).toBe(0);
  expect(tables(db)).toEqual([]);
});

test("a database newer than the code is refused", () => {
  const db = openDb();
  db.pragma(`user_version = ${MIGRATIONS.at(-1)!.version + 5}`);
  expect(() => migrate(db)).toThrow(/newer/);
});

test("migrations must have increasing versions", () => {
  const db = openDb();
  expect(() => migrate(db, [{ version: 2, up: "" }, { version: 2, up: "" }])).toThrow(/increasing/);
});

test("the schema enforces the mechanism list and the account reference", () => {
  const db = openDb();
  const insert = db.prepare(
    "INSERT INTO scram_credentials (username, mechanism, salt, iterations, stored_key, server_key) VALUES (?, ?, x'00', 1, x'00', x'00')",
  );
  expect(() => insert.run("nobody", "SCRAM-SHA-1")).toThrow(/FOREIGN KEY/);
  db.prepare("INSERT INTO accounts VALUES ('alice', 0)").run();
  expect(() => insert.run("alice", "SCRAM-MD5")).toThrow(/CHECK/);
  insert.run("alice", "SCRAM-SHA-1");
});
