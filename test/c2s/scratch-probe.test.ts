import tls from "node:tls";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { auth, header, NS_SASL, RawSocket } from "./raw-socket.js";

let t: TestServer;
beforeAll(async () => { t = await startTestServer(); await t.addUser("alice"); await t.addUser("bob"); });
afterAll(() => t.stop());

test("probe", async () => {
  const a = await RawSocket.connect(t.port);
  a.write(header({ to: "localhost", version: "0.9" }));
  await a.until("</stream:stream>").catch(() => {});
  console.log("version 0.9:", a.received);
  a.destroy();

  const b = await RawSocket.connect(t.port);
  await b.write(header({ to: "localhost" })).until("</stream:features>");
  b.write(auth("PLAIN", Buffer.from("bob@localhost\0alice\0pw-alice").toString("base64")));
  await b.until(/<\/failure>|<success/).catch(() => {});
  console.log("authzid other:", b.received.slice(b.received.indexOf("</stream:features>")));
  b.destroy();

  const c = await RawSocket.connect(t.port);
  await c.write(header({ to: "localhost" })).until("</stream:features>");
  c.write(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>!!notbase64</auth>`);
  await c.until(/<\/failure>|<success|<\/stream:stream>/).catch(() => {});
  console.log("bad base64:", c.received.slice(c.received.indexOf("</stream:features>")));
  c.destroy();

  const s = tls.connect({ port: t.tlsPort, host: "127.0.0.1", rejectUnauthorized: false });
  let out = "";
  s.on("data", (d) => (out += d));
  await new Promise((r) => s.once("secureConnect", r));
  s.write(header({ to: "localhost" }));
  await new Promise((r) => setTimeout(r, 200));
  s.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  await new Promise((r) => setTimeout(r, 300));
  console.log("starttls on direct tls:", out);
  s.destroy();

  const d = await RawSocket.connect(t.port);
  await d.write(header({ to: "localhost" })).until("</stream:features>");
  d.write(auth("PLAIN", Buffer.from("\0alice\0pw-alice").toString("base64")));
  await d.until("<success");
  d.received = "";
  d.write(header({ to: "localhost" }));
  await d.until("</stream:features>");
  d.write("<iq type='get' id='x1'><query xmlns='jabber:iq:roster'/></iq><message to='bob@localhost'><body>x</body></message>");
  await d.until("</stream:stream>").catch(() => {});
  console.log("before bind:", d.received.slice(d.received.indexOf("</stream:features>")));
  d.destroy();
});
