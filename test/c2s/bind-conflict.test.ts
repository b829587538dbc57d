// RFC 6120 §7.7.2.2: binding a resource that is already in use — the server either refuses the
// new request with <conflict/> or terminates the old session with a `conflict` stream error.
import { Element } from "ltx";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { NS_BIND, NS_STREAMS, rawLogin, streamErrorStart } from "./raw-socket.js";

const NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
const bindIq = (id: string, resource: string) => `<iq type='set' id='${id}'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`;

describe("bind.on_conflict: refuse", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { bind: { on_conflict: "refuse" } } });
    await t.addUser("alice");
    await t.addUser("bob");
  });
  afterAll(() => t.stop());

  test("the second bind gets <conflict/>; the first session keeps its resource and its messages", async () => {
    const first = await t.login("alice", { resource: "desk" });
    const second = await rawLogin(t.port, "alice", null);
    const mark = second.received.length;
    second.write(bindIq("b2", "desk"));
    await second.until("</iq>");
    expect(second.received.slice(mark)).toBe(
      `<iq type='error' id='b2'><error type='cancel'><conflict xmlns='${NS_STANZAS}'/></error></iq>`,
    );
    // The refused stream may still bind another resource.
    second.write(bindIq("b3", "laptop"));
    await second.until("id='b3'");
    await second.until("</iq>");
    expect(second.after("id='b3'")).toBe(`><bind xmlns='${NS_BIND}'><jid>alice@localhost/laptop</jid></bind></iq>`);

    const bob = await t.login("bob");
    bob.send(new Element("message", { to: "alice@localhost/desk", type: "chat" }).c("body").t("still yours").root());
    const msg = await first.next({ name: "message" });
    expect(msg.getChildText("body")).toBe("still yours");
    expect(second.received).not.toContain("still yours");
    second.destroy();
  });
});

describe("bind.on_conflict: replace (the default)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.addUser("alice");
    await t.addUser("bob");
  });
  afterAll(() => t.stop());

  test("the old session gets a `conflict` stream error and is closed; the new one takes over", async () => {
    const old = await rawLogin(t.port, "alice", "desk");
    const mark = old.received.length;
    const replacement = await t.login("alice", { resource: "desk" });
    expect(replacement.jid.toString()).toBe("alice@localhost/desk");

    await old.until("</stream:stream>");
    expect(old.received.slice(mark)).toBe(
      `${streamErrorStart("conflict")}<text xmlns='${NS_STREAMS}'>replaced by a new session</text></stream:error></stream:stream>`,
    );
    old.write("</stream:stream>");
    await old.closedWithin(1000);

    const bob = await t.login("bob");
    bob.send(new Element("message", { to: "alice@localhost/desk", type: "chat" }).c("body").t("to the new one").root());
    const msg = await replacement.next({ name: "message" });
    expect(msg.getChildText("body")).toBe("to the new one");
  });
});
