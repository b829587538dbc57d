// RFC 6121 §4 presence between local accounts, over real sockets.
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import { befriend, drain, errorCondition, isPresence, online, presence, rosterGet, startImServer } from "./roster-kit.js";

let t: TestServer;
beforeAll(async () => {
  t = await startImServer(["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank"]);
});
afterAll(() => t.stop());

const show = (value: string) => new Element("show").t(value);
const priority = (value: string) => new Element("priority").t(value);

test("initial presence: probes answered with the contacts' presence, broadcast to subscribers and own resources only", async () => {
  const alice = await online(t, "alice", "a1");
  const bob = await online(t, "bob", "b1");
  const carol = await online(t, "carol", "c1"); // no subscription with alice
  await befriend(alice, bob);
  const alice2 = await online(t, "alice", "a2");
  await drain(alice2);
  alice.send(presence({ type: "unavailable" }));
  await drain(bob);
  await drain(alice2);

  // alice (a1) comes back: her own resources and bob see it, carol does not.
  alice.send(presence({}, show("away")));
  const atBob = await bob.next(isPresence("alice@localhost/a1"));
  expect(atBob.getChildText("show")).toBe("away");
  expect(atBob.attrs.to).toBe("bob@localhost");
  await alice2.next(isPresence("alice@localhost/a1"));
  await alice.next(isPresence("alice@localhost/a1"));
  // §4.2.2 probe → §4.3.2: bob's last presence, to alice's new resource.
  expect((await alice.next(isPresence("bob@localhost/b1"))).attrs.to).toBe("alice@localhost/a1");
  await carol.nothing(isPresence("alice@localhost/a1"));

  // §4.4 an update goes the same way, without probes.
  alice.send(presence({}, show("dnd")));
  expect((await bob.next(isPresence("alice@localhost/a1"))).getChildText("show")).toBe("dnd");
  await alice.nothing(isPresence("bob@localhost/b1"));
  await carol.nothing(isPresence("alice@localhost/a1"), 100);
});

test("§4.5 unavailable: explicit (with status) and when the connection drops", async () => {
  const dave = await online(t, "dave", "d1");
  const erin = await online(t, "erin", "e1");
  await befriend(dave, erin);
  dave.send(presence({ type: "unavailable" }, new Element("status").t("gone fishing")));
  const gone = await erin.next(isPresence("dave@localhost/d1", "unavailable"));
  expect(gone.getChildText("status")).toBe("gone fishing");

  dave.send(presence());
  await erin.next(isPresence("dave@localhost/d1"));
  await dave.close();
  await erin.next(isPresence("dave@localhost/d1", "unavailable"));
});

test("§4.6 directed presence reaches a non-subscriber, who gets unavailable when the sender goes offline", async () => {
  const frank = await online(t, "frank", "f1");
  const gina = await online(t, "gina", "g1");
  frank.send(presence({ to: "gina@localhost/g1" }, show("chat")));
  expect((await gina.next(isPresence("frank@localhost/f1"))).getChildText("show")).toBe("chat");
  await frank.close();
  await gina.next(isPresence("frank@localhost/f1", "unavailable"));

  // Directed "unavailable" ends the tracking: nothing more when the sender leaves.
  const again = await online(t, "frank", "f2");
  again.send(presence({ to: "gina@localhost" }));
  await gina.next(isPresence("frank@localhost/f2"));
  again.send(presence({ to: "gina@localhost", type: "unavailable" }));
  await gina.next(isPresence("frank@localhost/f2", "unavailable"));
  await again.close();
  await gina.nothing(isPresence("frank@localhost/f2", "unavailable"));
});

test("a subscriber that also got directed presence hears 'unavailable' once", async () => {
  const hank = await online(t, "hank", "h1");
  const bob = await online(t, "bob", "b2");
  await befriend(hank, bob);
  hank.send(presence({ to: "bob@localhost" }));
  await bob.next(isPresence("hank@localhost/h1"));
  await hank.close();
  await bob.next(isPresence("hank@localhost/h1", "unavailable"));
  await bob.nothing(isPresence("hank@localhost/h1", "unavailable"));
});

test("§4.7.2.3 priority sets the session's priority; out of range or not a number is bad-request", async () => {
  const carol = await t.login("carol", { resource: "prio" });
  await rosterGet(carol);
  const session = () => t.server.router.sessionsOf("carol@localhost").find((s) => s.jid.resource === "prio")!;
  expect(session().priority).toBeUndefined();
  carol.send(presence({}, priority("-5")));
  await carol.next(isPresence("carol@localhost/prio"));
  expect(session().priority).toBe(-5);

  for (const bad of ["128", "-129", "high", "1.5"]) {
    carol.send(presence({ id: `p${bad}` }, priority(bad)));
    const error = await carol.next({ name: "presence", type: "error" });
    expect(errorCondition(error)).toBe("bad-request");
  }
  expect(session().priority).toBe(-5);
  carol.send(presence({ type: "unavailable" }));
  await new Promise((r) => setTimeout(r, 50));
  expect(session().priority).toBeUndefined();
});

test("§4.7 bad <show/> and unknown types are bad-request", async () => {
  const erin = await t.login("erin", { resource: "syntax" });
  erin.send(presence({}, show("sleeping")));
  expect(errorCondition(await erin.next({ name: "presence", type: "error" }))).toBe("bad-request");
  erin.send(presence({ type: "available" }));
  expect(errorCondition(await erin.next({ name: "presence", type: "error" }))).toBe("bad-request");
});
