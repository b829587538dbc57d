// RFC 6121 §3 subscriptions between two local accounts, end to end over real sockets.
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import {
  befriend, drain, isPresence, isPush, itemOf, nextPushItem, NS_ROSTER, online, presence, rosterGet, rosterSet, startImServer,
} from "./roster-kit.js";

let t: TestServer;
beforeAll(async () => {
  t = await startImServer(["alice", "bob", "carol", "dave", "erin", "gina", "hank", "ivan", "judy", "kate", "leo"]);
});
afterAll(() => t.stop());

test("the handshake alice ↔ bob: ask, approval, pushes on both sides, presence follows", async () => {
  const alice = await online(t, "alice", "home");
  const bob = await online(t, "bob", "work");

  // §3.1.1: alice asks; a full JID in 'to' is taken as the bare JID, 'from' is stamped bare.
  alice.send(presence({ type: "subscribe", to: "bob@localhost/whatever" }));
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "none", ask: "subscribe" });
  const request = await bob.next({ name: "presence", type: "subscribe" });
  expect(request.attrs).toMatchObject({ from: "alice@localhost", to: "bob@localhost" });
  await bob.nothing(isPush); // §3.1.3: "None + Pending In" is not a roster item

  // §3.1.5: bob approves.
  bob.send(presence({ type: "subscribed", to: "alice@localhost" }));
  expect(await nextPushItem(bob)).toEqual({ jid: "alice@localhost", subscription: "from" });
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "to" });
  expect((await alice.next(isPresence("bob@localhost", "subscribed"))).attrs.to).toBe("alice@localhost");
  // …followed by bob's current presence.
  await alice.next(isPresence("bob@localhost/work"));

  // And the other way round: both ends at "both".
  bob.send(presence({ type: "subscribe", to: "alice@localhost" }));
  expect(await nextPushItem(bob)).toEqual({ jid: "alice@localhost", subscription: "from", ask: "subscribe" });
  await alice.next(isPresence("bob@localhost", "subscribe"));
  alice.send(presence({ type: "subscribed", to: "bob@localhost" }));
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "both" });
  expect(await nextPushItem(bob)).toEqual({ jid: "alice@localhost", subscription: "both" });
  await bob.next(isPresence("alice@localhost", "subscribed"));
  await bob.next(isPresence("alice@localhost/home"));
  expect((await rosterGet(alice)).getChild("query", NS_ROSTER)!.getChildren("item").map(itemOf)).toEqual([{ jid: "bob@localhost", subscription: "both" }]);
});

test("§3.3 unsubscribe and §3.2 unsubscribed: states drop, the other side is told, presence goes unavailable", async () => {
  const carol = await online(t, "carol", "c");
  const dave = await online(t, "dave", "d");
  await befriend(carol, dave);

  // carol no longer wants dave's presence: both → from for her, both → to for him.
  carol.send(presence({ type: "unsubscribe", to: "dave@localhost" }));
  expect(await nextPushItem(carol)).toEqual({ jid: "dave@localhost", subscription: "from" });
  expect(await nextPushItem(dave)).toEqual({ jid: "carol@localhost", subscription: "to" });
  await dave.next(isPresence("carol@localhost", "unsubscribe"));
  // §3.3.3: unavailable from each of dave's available resources, to carol.
  await carol.next(isPresence("dave@localhost/d", "unavailable"));

  // dave cancels carol's subscription to him… she had none left; her "from" goes: to → none.
  dave.send(presence({ type: "unsubscribed", to: "carol@localhost" }));
  await dave.nothing(isPush); // "To" + unsubscribed: not routed, no change (§A.2.4)
  // carol cancels dave's subscription to her: from → none; dave gets unavailable from her.
  carol.send(presence({ type: "unsubscribed", to: "dave@localhost" }));
  expect(await nextPushItem(carol)).toEqual({ jid: "dave@localhost", subscription: "none" });
  expect(await nextPushItem(dave)).toEqual({ jid: "carol@localhost", subscription: "none" });
  await dave.next(isPresence("carol@localhost", "unsubscribed"));
  await dave.next(isPresence("carol@localhost/c", "unavailable"));
});

test("§3.1.3: a request to an offline account is kept and redelivered at each login until answered", async () => {
  const erin = await online(t, "erin", "e");
  erin.send(presence({ type: "subscribe", to: "gina@localhost" }, new Element("status").t("it's erin")));
  expect(await nextPushItem(erin)).toEqual({ jid: "gina@localhost", subscription: "none", ask: "subscribe" });

  // gina comes online: the request arrives after her initial presence, with its status.
  const gina = await t.login("gina", { resource: "g1" });
  await rosterGet(gina);
  await gina.nothing({ name: "presence", type: "subscribe" }, 100);
  gina.send(presence());
  const request = await gina.next({ name: "presence", type: "subscribe" });
  expect(request.attrs.from).toBe("erin@localhost");
  expect(request.getChildText("status")).toBe("it's erin");
  await gina.close();

  // Unanswered: again at the next login.
  const again = await online(t, "gina", "g2");
  await again.next(isPresence("erin@localhost", "subscribe"));
  again.send(presence({ type: "subscribed", to: "erin@localhost" }));
  expect(await nextPushItem(again)).toEqual({ jid: "erin@localhost", subscription: "from" });
  await erin.next(isPresence("gina@localhost", "subscribed"));
  await again.close();

  // Answered: not any more.
  const third = await online(t, "gina", "g3");
  await third.nothing(isPresence("erin@localhost", "subscribe"), 300);
});

test("§3.4 pre-approval: hank approves ivan before ivan asks; ivan's request is answered by the server", async () => {
  const hank = await online(t, "hank", "h");
  const ivan = await online(t, "ivan", "i");
  hank.send(presence({ type: "subscribed", to: "ivan@localhost" }));
  expect(await nextPushItem(hank)).toEqual({ jid: "ivan@localhost", subscription: "none", approved: "true" });
  await ivan.nothing(isPresence("hank@localhost", "subscribed"));

  // Both rosters change in one transaction: ivan's item is pushed once, in its final state.
  ivan.send(presence({ type: "subscribe", to: "hank@localhost" }));
  expect(await nextPushItem(ivan)).toEqual({ jid: "hank@localhost", subscription: "to" });
  expect(await nextPushItem(hank)).toEqual({ jid: "ivan@localhost", subscription: "from" });
  await ivan.next(isPresence("hank@localhost", "subscribed"));
  await ivan.next(isPresence("hank@localhost/h"));
  await hank.nothing({ name: "presence", type: "subscribe" });
});

test("a request to an account that does not exist comes back 'unsubscribed' (§3.1.3)", async () => {
  const judy = await online(t, "judy", "j");
  judy.send(presence({ type: "subscribe", to: "nobody@localhost" }));
  // Pending Out, then at once None again: one push, the final state.
  expect(await nextPushItem(judy)).toEqual({ jid: "nobody@localhost", subscription: "none" });
  await judy.next(isPresence("nobody@localhost", "unsubscribed"));
  await judy.nothing(isPush);
});

test("declining a request: 'unsubscribed' to a pending subscriber clears their ask", async () => {
  const kate = await online(t, "kate", "k");
  const leo = await online(t, "leo", "l");
  kate.send(presence({ type: "subscribe", to: "leo@localhost" }));
  await leo.next(isPresence("kate@localhost", "subscribe"));
  await nextPushItem(kate);
  leo.send(presence({ type: "unsubscribed", to: "kate@localhost" }));
  expect(await nextPushItem(kate)).toEqual({ jid: "leo@localhost", subscription: "none" });
  await kate.next(isPresence("leo@localhost", "unsubscribed"));
  await leo.nothing(isPush); // leo never had an item for kate
  await leo.close();
  const again = await online(t, "leo", "l2");
  await again.nothing(isPresence("kate@localhost", "subscribe"), 300);
});

test("§2.5.2: removing a contact with subscriptions both ways unsubscribes and cancels, the contact is told", async () => {
  const alice = await online(t, "alice", "rm");
  const carol = await online(t, "carol", "rm");
  await befriend(alice, carol);
  await drain(alice);
  await rosterSet(alice, { jid: "carol@localhost", subscription: "remove" });
  expect(await nextPushItem(alice)).toEqual({ jid: "carol@localhost", subscription: "remove" });
  await carol.next(isPresence("alice@localhost", "unsubscribe"));
  await carol.next(isPresence("alice@localhost", "unsubscribed"));
  await carol.next(isPresence("alice@localhost/rm", "unavailable"));
  const carolItems = (await drain(carol)).filter(isPush).map((p) => itemOf(p.getChild("query", NS_ROSTER)!.getChild("item")!));
  expect(carolItems.at(-1)).toEqual({ jid: "alice@localhost", subscription: "none" });
});
