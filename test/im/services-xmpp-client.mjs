// An @xmpp/client session for services.test.ts, in its own process (as in test/interop: the
// self-signed certificate is accepted through the real process.env). It logs in, then asks the
// server through xmpp.js's iqCaller: ping, disco#info, version, time, last; one JSON line each.
// usage: node services-xmpp-client.mjs SERVICE USERNAME PASSWORD
import { client, xml } from "@xmpp/client";

const [service, username, password] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const xmpp = client({ service, domain: "localhost", username, password, resource: "xmppjs" });
xmpp.on("error", () => {});
xmpp.reconnect.stop();

const get = (child) => xmpp.iqCaller.request(xml("iq", { type: "get", to: "localhost" }, child));
try {
  await xmpp.start();
  const pong = await get(xml("ping", { xmlns: "urn:xmpp:ping" }));
  emit({ ping: pong.attrs.type });
  const info = await xmpp.iqCaller.get(xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }), "localhost");
  emit({ features: info.getChildren("feature").map((f) => f.attrs.var), identity: info.getChild("identity").attrs });
  const version = await xmpp.iqCaller.get(xml("query", { xmlns: "jabber:iq:version" }), "localhost");
  emit({ version: { name: version.getChildText("name"), version: version.getChildText("version") } });
  const time = await xmpp.iqCaller.get(xml("time", { xmlns: "urn:xmpp:time" }), "localhost");
  emit({ time: { utc: time.getChildText("utc"), tzo: time.getChildText("tzo") } });
  const unknown = await get(xml("query", { xmlns: "urn:example:unknown" })).catch((err) => err.condition);
  emit({ unknown });
  await xmpp.stop();
} catch (err) {
  emit({ error: err.condition ?? err.message });
  await xmpp.stop().catch(() => {});
  process.exitCode = 1;
}
