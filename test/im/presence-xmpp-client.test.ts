// The subscription handshake and presence exchange with a real third-party client: @xmpp/client
// (as "bob", in its own process; see presence-xmpp-client.mjs) and a raw test client ("alice").
import { fileURLToPath } from "node:url";
import { Element } from "ltx";
import type { TestServer } from "../../src/testing/index.js";
import { spawnJsonLines } from "../interop/child-process.js";
import { isPresence, nextPushItem, online, presence, startImServer } from "./roster-kit.js";

const SCRIPT = fileURLToPath(new URL("./presence-xmpp-client.mjs", import.meta.url));

let t: TestServer;
beforeAll(async () => {
  t = await startImServer(["alice", "bob"]);
});
afterAll(() => t.stop());

test("alice and an @xmpp/client bob subscribe to each other and exchange presence", async () => {
  const alice = await online(t, "alice", "raw");
  alice.send(presence({}, new Element("status").t("raw alice")));
  const bob = spawnJsonLines(process.execPath, [SCRIPT, `xmpp://127.0.0.1:${t.port}`, "bob", "pw-bob", "alice@localhost"], {
    NODE_TLS_REJECT_UNAUTHORIZED: "0",
    NODE_NO_WARNINGS: "1",
  });
  expect(await bob.next("online")).toEqual({ online: true, ver: "0" });
  await alice.next(isPresence("alice@localhost/raw")); // the echo of her status update

  alice.send(presence({ type: "subscribe", to: "bob@localhost" }));
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "none", ask: "subscribe" });
  expect(await bob.next("request")).toEqual({ request: "alice@localhost" });
  // bob approved and asked back: alice is subscribed to bob and sees his presence.
  await alice.next(isPresence("bob@localhost", "subscribed"));
  expect((await alice.next(isPresence("bob@localhost/xmppjs"))).getChildText("status")).toBe("xmpp.js here");
  await alice.next(isPresence("bob@localhost", "subscribe"));
  alice.send(presence({ type: "subscribed", to: "bob@localhost" }));
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "to" });
  expect(await nextPushItem(alice)).toEqual({ jid: "bob@localhost", subscription: "both" });

  expect(await bob.next("subscribed")).toEqual({ subscribed: "alice@localhost" });
  expect(await bob.next("presence")).toEqual({ presence: "alice@localhost/raw", status: "raw alice" });
  expect(await bob.exited).toBe(0);
  // bob's pushes, answered by xmpp.js: from, then from + ask, then both.
  expect(bob.lines.filter((l) => "push" in l).map((l) => l.push)).toEqual([
    { jid: "alice@localhost", subscription: "from", ver: "1" },
    { jid: "alice@localhost", subscription: "from", ask: "subscribe", ver: "2" },
    { jid: "alice@localhost", subscription: "both", ver: "3" },
  ]);
  await alice.next(isPresence("bob@localhost/xmppjs", "unavailable"));
});
