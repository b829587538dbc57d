// Worker-pool jobs for vCards (XEP-0054); see account-jobs.ts for the pattern.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { workerDatabase, type Database } from "./sqlite.js";
import { SqliteVcardStore } from "./vcard.js";

const Username = z.string().min(1).max(1023);
const payloads = {
  get: z.object({ username: Username }),
  set: z.object({ username: Username, xml: z.string().nullable() }),
};

// Keyed by connection: workerDatabase() reopens after a close, and the statements follow.
const stores = new WeakMap<Database, SqliteVcardStore>();
function vcards(ctx: JobContext): SqliteVcardStore {
  const db = workerDatabase(ctx);
  let store = stores.get(db);
  if (!store) stores.set(db, (store = new SqliteVcardStore(db)));
  return store;
}

export const jobs = defineJobs({
  "vcard.get": (payload: z.input<typeof payloads.get>, ctx: JobContext): string | null =>
    vcards(ctx).get(payloads.get.parse(payload).username),

  "vcard.set": (payload: z.input<typeof payloads.set>, ctx: JobContext): true => {
    const { username, xml } = payloads.set.parse(payload);
    vcards(ctx).set(username, xml);
    return true;
  },
});
