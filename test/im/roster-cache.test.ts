// The main-thread roster cache kept exact by roster versions; and, under real concurrency (two
// workers, two clients), the cached roster a roster get serves equals the stored one.
import { Element } from "ltx";
import { RosterCache } from "../../src/modules/roster/roster-cache.js";
import { routingModule, sessionModule } from "../../src/modules/core.js";
import { presenceModule } from "../../src/modules/presence/index.js";
import { rosterModule } from "../../src/modules/roster/index.js";
import type { Roster, RosterItem } from "../../src/storage/roster.js";
import { startTestServer } from "../../src/testing/index.js";
import { itemOf, NS_ROSTER, rosterGet } from "./roster-kit.js";

const item = (jid: string, name?: string): RosterItem => ({ jid, subscription: "none", ask: false, approved: false, groups: [], ...(name ? { name } : {}) });

/** A store stand-in: the roster "in the database", and how often it was read. */
function database(initial: Roster) {
  const db = { roster: initial, loads: 0 };
  const cache = new RosterCache(async (owner) => {
    expect(owner).toBe("alice");
    db.loads++;
    return structuredClone(db.roster);
  });
  return { db, cache };
}

test("the next version is applied in place; older ones are ignored; a gap drops the entry and it is reloaded", async () => {
  const { db, cache } = database({ version: 1, items: [item("a@x")] });
  expect([...(await cache.get("alice")).items.keys()]).toEqual(["a@x"]);
  cache.apply([{ owner: "alice", version: 2, jid: "b@x", item: item("b@x") }]);
  cache.apply([{ owner: "alice", version: 1, jid: "a@x" }]); // stale removal: ignored
  const now = await cache.get("alice");
  expect(now.version).toBe(2);
  expect([...now.items.keys()].sort()).toEqual(["a@x", "b@x"]);
  expect(db.loads).toBe(1);

  db.roster = { version: 4, items: [item("a@x"), item("b@x"), item("c@x")] };
  cache.apply([{ owner: "alice", version: 4, jid: "c@x", item: item("c@x") }]); // 3 not seen yet
  const reloaded = await cache.get("alice");
  expect(db.loads).toBe(2);
  expect(reloaded.version).toBe(4);
  expect(reloaded.items.size).toBe(3);
});

test("a change committed while a load runs makes the load run again", async () => {
  const { db, cache } = database({ version: 1, items: [] });
  const pending = cache.get("alice");
  db.roster = { version: 2, items: [item("new@x")] };
  cache.apply([{ owner: "alice", version: 2, jid: "new@x", item: item("new@x") }]);
  const roster = await pending;
  expect(db.loads).toBe(2);
  expect(roster.version).toBe(2);
  expect([...roster.items.keys()]).toEqual(["new@x"]);
});

test("concurrent updates through two workers: the served roster equals the stored one", async () => {
  const t = await startTestServer({ modules: [sessionModule, routingModule, rosterModule, presenceModule], config: { workers: { size: 2 } } });
  try {
    await t.addUser("alice");
    const [one, two] = await Promise.all([t.login("alice", { resource: "one" }), t.login("alice", { resource: "two" })]);
    await Promise.all([rosterGet(one), rosterGet(two)]);
    const set = (client: typeof one, i: number) =>
      client.request(new Element("iq", { type: "set" }).c("query", { xmlns: NS_ROSTER }).c("item", { jid: `c${i % 7}@localhost`, name: `n${i}` }).root());
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => set(i % 2 ? one : two, i)));
    expect(results.every((r) => r.attrs.type === "result")).toBe(true);
    const served = await rosterGet(one);
    const stored = (await t.server.pool.run("roster.load", { owner: "alice" })) as Roster;
    expect(served.getChild("query", NS_ROSTER)!.attrs.ver).toBe(String(stored.version));
    const byJid = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.jid).localeCompare(String(b.jid));
    expect(served.getChild("query", NS_ROSTER)!.getChildren("item").map(itemOf).sort(byJid)).toEqual(
      stored.items.map((i) => ({ jid: i.jid, name: i.name, subscription: i.subscription })).sort(byJid),
    );
    expect(stored.version).toBe(40);
  } finally {
    await t.stop();
  }
});
