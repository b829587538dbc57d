// The notes module's job module: it runs inside the worker threads, never on the main thread.
// Each worker shares one SQLite connection to the server database (workerDatabase). It imports
// only what jobs need: a worker thread should not load the whole server.
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { workerDatabase, type Database } from "../../src/storage/sqlite.js";

let db: Database | undefined;

/** Once per worker, before any job. Core modules add a migration instead (src/storage/migrations.ts). */
export function init(ctx: JobContext): void {
  db = workerDatabase(ctx);
  db.exec(`CREATE TABLE IF NOT EXISTS example_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    text TEXT NOT NULL
  )`);
}

export const jobs = defineJobs({
  /** Returns the new note's id once the insert is committed. */
  "notes.add": ({ username, text }: { username: string; text: string }): number =>
    Number(db!.prepare("INSERT INTO example_notes (username, text) VALUES (?, ?)").run(username, text).lastInsertRowid),
  "notes.list": ({ username }: { username: string }): { id: number; text: string }[] =>
    db!.prepare("SELECT id, text FROM example_notes WHERE username = ? ORDER BY id").all(username) as { id: number; text: string }[],
});
