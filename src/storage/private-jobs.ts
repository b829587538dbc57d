// Worker-pool jobs for private XML storage (XEP-0049); see account-jobs.ts for the pattern.
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { SqlitePrivateStore, type PrivateItem } from "./private.js";
import { workerDatabase, type Database } from "./sqlite.js";

const Username = z.string().min(1).max(1023);
const Key = z.object({ namespace: z.string().min(1), name: z.string().min(1) });
const payloads = {
  get: z.object({ username: Username, keys: z.array(Key).min(1) }),
  set: z.object({ username: Username, items: z.array(Key.extend({ xml: z.string().min(1) })).min(1) }),
};

const stores = new WeakMap<Database, SqlitePrivateStore>();
function privateXml(ctx: JobContext): SqlitePrivateStore {
  const db = workerDatabase(ctx);
  let store = stores.get(db);
  if (!store) stores.set(db, (store = new SqlitePrivateStore(db)));
  return store;
}

export const jobs = defineJobs({
  /** Each requested key with its stored XML (null: nothing stored). */
  "private.get": (payload: z.input<typeof payloads.get>, ctx: JobContext): PrivateItem[] => {
    const { username, keys } = payloads.get.parse(payload);
    return keys.map((k) => ({ ...k, xml: privateXml(ctx).get(username, k.namespace, k.name) }));
  },

  "private.set": (payload: z.input<typeof payloads.set>, ctx: JobContext): true => {
    const { username, items } = payloads.set.parse(payload);
    privateXml(ctx).set(username, items);
    return true;
  },
});
