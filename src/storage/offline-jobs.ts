// Worker-pool jobs for offline messages (XEP-0160), on the worker's shared connection.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { SqliteOfflineStore, type OfflineMessage, type StoreResult } from "./offline.js";
import { workerDatabase, type Database } from "./sqlite.js";

const Username = z.string().min(1).max(1023);
const payloads = {
  store: z.object({ username: Username, stanza: z.string().min(1), storedAt: z.int(), limit: z.int().min(0) }),
  username: z.object({ username: Username }),
};

let opened: { db: Database; store: SqliteOfflineStore } | undefined;

function offline(ctx: JobContext): SqliteOfflineStore {
  const db = workerDatabase(ctx);
  if (opened?.db !== db) opened = { db, store: new SqliteOfflineStore(db) };
  return opened.store;
}

export const jobs = defineJobs({
  "offline.store": (payload: z.input<typeof payloads.store>, ctx): StoreResult => {
    const { username, stanza, storedAt, limit } = payloads.store.parse(payload);
    return offline(ctx).store(username, { stanza, storedAt }, limit);
  },
  "offline.take": (payload: z.input<typeof payloads.username>, ctx): OfflineMessage[] =>
    offline(ctx).take(payloads.username.parse(payload).username),
  "offline.count": (payload: z.input<typeof payloads.username>, ctx): number =>
    offline(ctx).count(payloads.username.parse(payload).username),
});
