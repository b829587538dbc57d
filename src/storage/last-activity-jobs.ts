// Worker-pool jobs for last activity (XEP-0012), on the worker's shared connection.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { SqliteLastActivityStore, type LastActivity } from "./last-activity.js";
import { workerDatabase, type Database } from "./sqlite.js";

const Username = z.string().min(1).max(1023);
const payloads = {
  set: z.object({ username: Username, loggedOutAt: z.int(), status: z.string().max(65536) }),
  get: z.object({ username: Username }),
};
const batch = z.array(payloads.set);

let opened: { db: Database; store: SqliteLastActivityStore } | undefined;

function lastActivity(ctx: JobContext): SqliteLastActivityStore {
  const db = workerDatabase(ctx);
  if (opened?.db !== db) opened = { db, store: new SqliteLastActivityStore(db) };
  return opened.store;
}

export const jobs = defineJobs({
  "last.set": (payload: z.input<typeof payloads.set>, ctx): void => {
    const { username, ...activity } = payloads.set.parse(payload);
    lastActivity(ctx).set(username, activity);
  },
  /** Many logouts in one transaction (one fsync): the module batches them. */
  "last.setMany": (payload: z.input<typeof batch>, ctx): void => {
    const store = lastActivity(ctx);
    workerDatabase(ctx).transaction((items: z.infer<typeof batch>) => {
      for (const { username, ...activity } of items) store.set(username, activity);
    })(batch.parse(payload));
  },
  "last.get": (payload: z.input<typeof payloads.get>, ctx): LastActivity | null =>
    lastActivity(ctx).get(payloads.get.parse(payload).username),
});
