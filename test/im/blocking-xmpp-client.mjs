// One @xmpp/client session in its own process (see test/interop/xmpp-client-session.mjs for why):
// it blocks a JID with XEP-0191, reads the block list, then writes to the blocked JID.
// Prints one JSON object per line for blocking.test.ts.
//
// usage: node blocking-xmpp-client.mjs SERVICE USERNAME PASSWORD BLOCKED_JID
import { client, xml } from "@xmpp/client";

const [service, username, password, blocked] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const NS = "urn:xmpp:blocking";

const xmpp = client({ service, domain: "localhost", resource: "xmppjs", username, password });
xmpp.on("error", () => {});
xmpp.reconnect.stop();
const pushes = [];
xmpp.iqCallee.set(NS, "block", (ctx) => {
  pushes.push(ctx.element.getChildren("item").map((i) => i.attrs.jid));
  return true;
});

try {
  await xmpp.start();
  const list = await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("blocklist", { xmlns: NS })));
  emit({ before: list.getChild("blocklist").getChildren("item").map((i) => i.attrs.jid) });
  await xmpp.iqCaller.request(xml("iq", { type: "set" }, xml("block", { xmlns: NS }, xml("item", { jid: blocked }))));
  const after = await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("blocklist", { xmlns: NS })));
  emit({ after: after.getChild("blocklist").getChildren("item").map((i) => i.attrs.jid), pushes });
  const bounced = new Promise((resolve) => xmpp.on("stanza", (el) => el.is("message") && el.attrs.type === "error" && resolve(el)));
  await xmpp.send(xml("message", { to: blocked, type: "chat", id: "m1" }, xml("body", {}, "are you there?")));
  const error = (await bounced).getChild("error");
  emit({ error: { type: error.attrs.type, conditions: error.children.map((c) => `${c.name} ${c.attrs.xmlns}`) } });
  await xmpp.stop();
} catch (err) {
  emit({ failed: err.condition ?? err.message });
  await xmpp.stop().catch(() => {});
  process.exitCode = 1;
}
