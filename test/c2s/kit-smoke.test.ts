import { Element } from "ltx";
import { stanzaMatchers, startTestServer, type TestServer } from "../../src/testing/index.js";

expect.extend(stanzaMatchers);

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.addUser("alice");
  await t.addUser("bob");
});
afterAll(() => t.stop());

test("alice sends bob's resource a message; bob receives it with alice's full JID stamped", async () => {
  const alice = await t.login("alice", { resource: "phone" });
  const bob = await t.login("bob");
  alice.send(new Element("message", { to: bob.jid.toString(), type: "chat", from: "mallory@evil" }).c("body").t("hi").root());
  const msg = await bob.next({ name: "message" });
  expect(msg).toMatchStanza(`<message from="alice@localhost/phone" type="chat"><body>hi</body></message>`);
});

test("an unhandled IQ gets service-unavailable", async () => {
  const alice = await t.login("alice");
  const res = await alice.request(new Element("iq", { type: "get", to: "localhost" }).c("query", { xmlns: "urn:example:nothing" }).root());
  expect(res).toMatchStanza(`<iq type="error"><error type="cancel"><service-unavailable xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`);
});
