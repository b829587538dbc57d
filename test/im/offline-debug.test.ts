import { startImServer, online, chat, settled } from "./messaging-kit.js";
test("debug", async () => {
  const t = await startImServer();
  await t.addUser("alice"); await t.addUser("bob");
  const alice = await online(t, "alice", "a1");
  alice.send(chat("bob@localhost", "one"));
  await settled(alice);
  console.log(await t.server.pool.run("offline.count", { username: "bob" }));
  await alice.nothing(() => true, 300).catch((e) => console.log(String(e)));
  console.log(t.server.registry.list().map((p) => p.name + ":" + p.steps.map((s) => s.name).join(",")).join("\n"));
  await t.stop();
});
