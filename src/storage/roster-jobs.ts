// Worker-pool job module for rosters (RFC 6121): every read-modify-write of a roster runs here, in
// one IMMEDIATE transaction, and is committed before the job returns (and the client hears back).
import { z } from "zod";
import { defineJobs, type JobContext } from "../../actors/worker-jobs.js";
import { SUBSCRIPTION_TYPES } from "../modules/presence/subscription-state.js";
import { SqliteAccountStore } from "./accounts.js";
import { SqliteRosterStore, type Roster, type RosterItem } from "./roster.js";
import { removeItem, RosterEdit, subscriptionStep, type RemoveOutcome, type RosterChange, type SubscriptionOutcome } from "./roster-subscription.js";
import { workerDatabase } from "./sqlite.js";

const Owner = z.string().min(1).max(1023);
const BareJid = z.string().min(1).max(3071).regex(/^[^@/]+@[^@/]+$|^[^@/]+$/);

const payloads = {
  owner: z.object({ owner: Owner }),
  set: z.object({
    owner: Owner,
    item: z.object({ jid: BareJid, name: z.string().optional(), groups: z.array(z.string()) }),
    maxItems: z.int().min(1).optional(),
  }),
  remove: z.object({ user: BareJid, contact: BareJid, contactLocal: z.boolean() }),
  subscription: z.object({
    user: BareJid,
    contact: BareJid,
    type: z.enum(SUBSCRIPTION_TYPES),
    contactLocal: z.boolean(),
    stanza: z.string().optional(),
  }),
};

let rosters: SqliteRosterStore | undefined;
let accounts: SqliteAccountStore | undefined;

export function init(ctx: JobContext): void {
  const db = workerDatabase(ctx);
  rosters = new SqliteRosterStore(db);
  accounts = new SqliteAccountStore(db);
}

function edit(): RosterEdit {
  if (!rosters || !accounts) throw new Error("roster jobs used before init()");
  const known = accounts;
  return new RosterEdit(rosters, (username) => known.exists(username));
}

export const jobs = defineJobs({
  /** RFC 6121 §2.2: the whole roster with its version. */
  "roster.load": (payload: z.input<typeof payloads.owner>): Roster => edit().store.roster(payloads.owner.parse(payload).owner),

  /** §3.1.3: the stored inbound subscription requests, redelivered when the account comes online. */
  "roster.pendingIn": (payload: z.input<typeof payloads.owner>): string[] =>
    edit().store.allPendingIn(payloads.owner.parse(payload).owner),

  /** §2.3/§2.4: add or update an item's name and groups; its subscription state is kept. */
  /** §2.3/§2.4: add or update an item; "full" when adding would pass `maxItems`. */
  "roster.set": (payload: z.input<typeof payloads.set>): RosterChange[] | "full" => {
    const { owner, item, maxItems } = payloads.set.parse(payload);
    const e = edit();
    return e.store.transaction(() => {
      const old = e.store.item(owner, item.jid);
      if (!old && maxItems !== undefined && e.store.roster(owner).items.length >= maxItems) return "full";
      const next: RosterItem = { subscription: "none", ask: false, approved: false, ...old, jid: item.jid, groups: item.groups };
      if (item.name === undefined) delete next.name;
      else next.name = item.name;
      e.store.put(owner, next);
      e.record(owner, item.jid, next);
      return e.finish();
    });
  },

  /** §2.5: remove an item, cancelling subscriptions both ways; null when there is none. */
  "roster.remove": (payload: z.input<typeof payloads.remove>): RemoveOutcome | null => {
    const { user, contact, contactLocal } = payloads.remove.parse(payload);
    const e = edit();
    return e.store.transaction(() => removeItem(e, user, contact, contactLocal) ?? null);
  },

  /** §3 / Appendix A: a subscription stanza the user sent, both rosters in one transaction. */
  "roster.subscription": (payload: z.input<typeof payloads.subscription>): SubscriptionOutcome => {
    const req = payloads.subscription.parse(payload);
    const e = edit();
    return e.store.transaction(() => {
      const effects = subscriptionStep(e, req);
      return { changes: e.finish(), effects };
    });
  },
});
