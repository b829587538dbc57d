// Worker-pool jobs for block lists (XEP-0191); each returns the list as committed, for the
// main thread's cache.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { SqliteBlocklistStore } from "./blocklist.js";
import { workerDatabase, type Database } from "./sqlite.js";

const Username = z.string().min(1).max(1023);
const payloads = {
  list: z.object({ username: Username }),
  change: z.object({ username: Username, jids: z.array(z.string().min(1).max(3071)) }),
};

const stores = new WeakMap<Database, SqliteBlocklistStore>();
function blocklists(ctx: JobContext): SqliteBlocklistStore {
  const db = workerDatabase(ctx);
  let store = stores.get(db);
  if (!store) stores.set(db, (store = new SqliteBlocklistStore(db)));
  return store;
}

export const jobs = defineJobs({
  "blocklist.list": (payload: z.input<typeof payloads.list>, ctx: JobContext): string[] =>
    blocklists(ctx).list(payloads.list.parse(payload).username),

  "blocklist.block": (payload: z.input<typeof payloads.change>, ctx: JobContext): string[] => {
    const { username, jids } = payloads.change.parse(payload);
    return blocklists(ctx).block(username, jids);
  },

  /** An empty `jids` unblocks everyone (XEP-0191 §3.5). */
  "blocklist.unblock": (payload: z.input<typeof payloads.change>, ctx: JobContext): string[] => {
    const { username, jids } = payloads.change.parse(payload);
    return blocklists(ctx).unblock(username, jids);
  },
});
