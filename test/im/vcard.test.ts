// XEP-0054 vcard-temp, as conversations over real sockets.
import { Element, parse } from "ltx";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { MAX_VCARD_BYTES } from "../../src/modules/vcard/index.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await Promise.all(["alice", "bob", "carol"].map((u) => t.addUser(u)));
});
afterAll(() => t.stop());

const vcardIq = (type: "get" | "set", attrs: Record<string, string> = {}, content = "") =>
  parse(`<iq type='${type}'${Object.entries(attrs).map(([k, v]) => ` ${k}='${v}'`).join("")}><vCard xmlns='vcard-temp'>${content}</vCard></iq>`) as Element;
const condition = (iq: Element) => iq.getChild("error")?.children.find((c) => typeof c !== "string" && c.name !== "text") as Element | undefined;

test("alice has no vCard yet: an empty <vCard/> result (XEP-0054 §3.1)", async () => {
  const alice = await t.login("alice");
  const res = await alice.request(vcardIq("get"));
  expect(res.attrs.type).toBe("result");
  const vcard = res.getChild("vCard", "vcard-temp")!;
  expect(vcard.getChildElements()).toHaveLength(0);
});

test("alice sets her vCard, then bob gets it through her bare JID, answered by the server", async () => {
  const alice = await t.login("alice");
  const set = await alice.request(vcardIq("set", {}, "<FN>Alice A.</FN><NICKNAME>ally</NICKNAME><PHOTO><TYPE>image/png</TYPE><BINVAL>iVBO</BINVAL></PHOTO>"));
  expect(set.attrs.type).toBe("result");
  const own = await alice.request(vcardIq("get"));
  expect(own.getChild("vCard")!.getChildText("FN")).toBe("Alice A.");

  const bob = await t.login("bob");
  const res = await bob.request(vcardIq("get", { to: "alice@localhost" }));
  expect(res.attrs.type).toBe("result");
  expect(res.attrs.from).toBe("alice@localhost");
  expect(res.getChild("vCard", "vcard-temp")!.getChild("PHOTO")!.getChildText("BINVAL")).toBe("iVBO");
  await alice.nothing({ name: "iq" }); // the server answered; alice was not asked
});

test("a set replaces the whole vCard; setting an empty one removes it for others", async () => {
  const carol = await t.login("carol");
  await carol.request(vcardIq("set", {}, "<FN>Carol</FN><EMAIL><USERID>c@example.com</USERID></EMAIL>"));
  await carol.request(vcardIq("set", {}, "<NICKNAME>cc</NICKNAME>"));
  const vcard = (await carol.request(vcardIq("get"))).getChild("vCard")!;
  expect(vcard.getChildText("FN")).toBeNull();
  expect(vcard.getChildText("NICKNAME")).toBe("cc");

  await carol.request(vcardIq("set"));
  const bob = await t.login("bob");
  const other = await bob.request(vcardIq("get", { to: "carol@localhost" }));
  expect(condition(other)?.name).toBe("service-unavailable");
});

test("another user without a vCard and a user who does not exist get the same error (§3.2)", async () => {
  const bob = await t.login("bob");
  await bob.request(vcardIq("set")); // bob has none
  const alice = await t.login("alice");
  const none = await alice.request(vcardIq("get", { to: "bob@localhost" }));
  const nobody = await alice.request(vcardIq("get", { to: "nobody@localhost" }));
  expect(condition(none)?.name).toBe("service-unavailable");
  expect(condition(nobody)?.name).toBe(condition(none)!.name);
});

test("setting someone else's vCard is forbidden", async () => {
  const bob = await t.login("bob");
  const res = await bob.request(vcardIq("set", { to: "alice@localhost" }, "<FN>Mallory</FN>"));
  expect(condition(res)?.name).toBe("forbidden");
  const alice = await t.login("alice");
  expect((await alice.request(vcardIq("get"))).getChild("vCard")!.getChildText("FN")).toBe("Alice A.");
});

test(`a vCard over ${MAX_VCARD_BYTES} bytes is refused with not-acceptable and not stored`, async () => {
  const alice = await t.login("alice");
  const big = "A".repeat(MAX_VCARD_BYTES);
  const res = await alice.request(vcardIq("set", {}, `<PHOTO><BINVAL>${big}</BINVAL></PHOTO>`));
  expect(res.attrs.type).toBe("error");
  expect(condition(res)?.name).toBe("not-acceptable");
  expect((await alice.request(vcardIq("get"))).getChild("vCard")!.getChildText("FN")).toBe("Alice A.");
});

test("a vCard request to a full JID goes to that client, which answers itself", async () => {
  const alice = await t.login("alice", { resource: "desk" });
  const bob = await t.login("bob");
  bob.send(vcardIq("get", { to: "alice@localhost/desk", id: "v1" }));
  const asked = await alice.next({ name: "iq", id: "v1" });
  expect(asked.attrs.from).toBe(bob.jid.toString());
  alice.send(new Element("iq", { type: "result", id: "v1", to: bob.jid.toString() }).c("vCard", { xmlns: "vcard-temp" }).c("FN").t("from the client").root());
  const res = await bob.next({ name: "iq", id: "v1" });
  expect(res.getChild("vCard")!.getChildText("FN")).toBe("from the client");
});

test("the server advertises vcard-temp in disco#info", async () => {
  const alice = await t.login("alice");
  const res = await alice.request(new Element("iq", { type: "get", to: "localhost" }).c("query", { xmlns: "http://jabber.org/protocol/disco#info" }).root());
  const features = res.getChild("query")!.getChildren("feature").map((f) => f.attrs.var);
  expect(features).toEqual(expect.arrayContaining(["vcard-temp"]));
});
