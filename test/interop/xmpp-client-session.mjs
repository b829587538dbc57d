// One @xmpp/client session in its own process, the way a real client runs; the jest test
// (xmpp-client.test.ts) starts it and reads one JSON object per stdout line.
// Its own process because the test server's certificate is self-signed: NODE_TLS_REJECT_UNAUTHORIZED=0
// must reach the real process.env (jest gives each test file a copy), and @xmpp/client's STARTTLS
// upgrade takes no TLS options.
//
// usage: node xmpp-client-session.mjs SERVICE USERNAME PASSWORD MECHANISM RESOURCE MODE [TO BODY]
//   MODE login:   log in, print the bound JID, log out
//   MODE receive: log in, print the bound JID, wait for one <message/>, print it, log out
//   MODE send:    log in, print the bound JID, send TO a chat message with BODY, log out
//   MODE hold:    log in, print the bound JID, stay until the server ends the stream; print its
//                 stream error condition, if any
import { client, xml } from "@xmpp/client";

const [service, username, password, mechanism, resource, mode, to, body] = process.argv.slice(2);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");

const xmpp = client({
  service,
  domain: "localhost",
  resource,
  // As a function, credentials choose the mechanism: exactly the one the test asked for.
  credentials: async (authenticate, offered) => {
    emit({ offered });
    await authenticate({ username, password }, mechanism);
  },
});
let streamError;
xmpp.on("error", (err) => (streamError ??= err.condition));
xmpp.reconnect.stop();

try {
  const jid = await xmpp.start();
  emit({ online: jid.toString() });
  if (mode === "receive") {
    const message = await new Promise((resolve) => xmpp.on("stanza", (el) => el.is("message") && resolve(el)));
    emit({ message: { from: message.attrs.from, id: message.attrs.id, body: message.getChildText("body") } });
  } else if (mode === "send") {
    await xmpp.send(xml("message", { to, type: "chat", id: "m1" }, xml("body", {}, body)));
  } else if (mode === "hold") {
    await new Promise((resolve) => xmpp.once("disconnect", resolve));
    emit({ streamError: streamError ?? null });
  }
  if (mode !== "hold") await xmpp.stop();
} catch (err) {
  emit({ error: err.condition ?? err.message });
  await xmpp.stop().catch(() => {});
  process.exitCode = 1;
}
