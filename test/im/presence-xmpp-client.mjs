// One @xmpp/client session (own process, as in test/interop) acting as "bob" in the roster and
// subscription conversation of presence-xmpp-client.test.ts; prints one JSON object per event.
// usage: node presence-xmpp-client.mjs SERVICE USERNAME PASSWORD CONTACT
import { client, xml } from "@xmpp/client";

const [service, username, password, contact] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const xmpp = client({ service, domain: "localhost", resource: "xmppjs", username, password });
xmpp.on("error", () => {});
xmpp.reconnect.stop();

// RFC 6121 §2.1.6: answer roster pushes (with an empty result), after checking who sent them.
xmpp.iqCallee.set("jabber:iq:roster", "query", (ctx) => {
  if (ctx.stanza.attrs.from && ctx.stanza.attrs.from !== `${username}@localhost`) return false;
  const item = ctx.element.getChild("item");
  emit({ push: { ...item.attrs, ver: ctx.element.attrs.ver } });
  return true;
});

let done;
const finished = new Promise((resolve) => (done = resolve));
xmpp.on("stanza", async (el) => {
  if (!el.is("presence")) return;
  const { type, from } = el.attrs;
  if (type === "subscribe" && from === contact) {
    emit({ request: from });
    // Approve, and ask back.
    await xmpp.send(xml("presence", { type: "subscribed", to: contact }));
    await xmpp.send(xml("presence", { type: "subscribe", to: contact }));
  } else if (type === "subscribed" && from === contact) {
    emit({ subscribed: from });
  } else if (type === undefined && from?.startsWith(`${contact}/`)) {
    emit({ presence: from, status: el.getChildText("status") });
    done();
  }
});

try {
  await xmpp.start();
  const roster = await xmpp.iqCaller.request(xml("iq", { type: "get" }, xml("query", { xmlns: "jabber:iq:roster", ver: "" })));
  emit({ online: true, ver: roster.getChild("query").attrs.ver });
  await xmpp.send(xml("presence", {}, xml("status", {}, "xmpp.js here")));
  await finished;
  await xmpp.stop();
} catch (err) {
  emit({ error: err.condition ?? err.message });
  await xmpp.stop().catch(() => {});
  process.exitCode = 1;
}
