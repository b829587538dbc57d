// XEP-0160 storage inside the sender's chain: a message is committed to disk before the next
// stanza of that connection is processed — given route filters that decide at once, or that
// load what they need through `routing.preparers` (which the message phase awaits).
import Database from "better-sqlite3";
import type { Element } from "ltx";
import { defineModule } from "../../src/module.js";
import type { Jid } from "../../src/jid.js";
import type { TestServer } from "../../src/testing/index.js";
import { chat, online, settled, startImServer, storedOffline } from "./messaging-kit.js";

/** A message filter that, like a block list, only decides once it has loaded something per recipient. */
const loaded = new Set<string>();
const slowFilter = defineModule({
  name: "test-slow-filter",
  setup(api) {
    api.routing.filters.push((stanza: Element, to: Jid) => {
      if (stanza.name !== "message") return undefined;
      if (!loaded.has(to.local)) throw new Error(`filter asked before ${to.local} was loaded`);
      return stanza.getChildText("body") === "refused" ? "drop" : undefined;
    });
    api.routing.preparers.push((_stanza, to) =>
      loaded.has(to.local) ? undefined : new Promise<void>((resolve) => setTimeout(() => (loaded.add(to.local), resolve()), 30)),
    );
  },
});

let t: TestServer;
let db: Database.Database;
beforeAll(async () => {
  // With the blocking module loaded: its routing preparer loads uncached block lists inside the
  // chain, so the store still happens before the next stanza.
  t = await startImServer({ extra: [slowFilter] });
  for (const name of ["alice", "carol"]) await t.addUser(name);
  db = new Database(t.server.dbPath);
});
afterAll(async () => {
  db.close();
  await t.stop();
});

const stored = (username: string) => storedOffline(db, username);

test("each message is on disk before the sender's next stanza is processed", async () => {
  const alice = await online(t, "alice", "a");
  for (let i = 1; i <= 5; i++) {
    alice.send(chat("carol@localhost", `m${i}`));
    await settled(alice); // the ping after it is answered only once the chain stored it
    expect(stored("carol")).toBe(i);
  }
  alice.send(chat("carol@localhost", "refused"));
  await settled(alice);
  expect(stored("carol")).toBe(5);
  const carol = await online(t, "carol", "c");
  const bodies = await Promise.all([1, 2, 3, 4, 5].map(() => carol.next({ name: "message" })));
  expect(bodies.map((m) => m.getChildText("body"))).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  await carol.nothing({ name: "message" }, 100);
  await Promise.all([alice.close(), carol.close()]);
});
