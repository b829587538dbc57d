// XEP-0049 private XML storage, as conversations over real sockets.
import { Element, parse } from "ltx";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { MAX_PRIVATE_BYTES } from "../../src/modules/private/index.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await Promise.all(["alice", "bob"].map((u) => t.addUser(u)));
});
afterAll(() => t.stop());

const privateIq = (type: "get" | "set", content: string, to?: string) =>
  parse(`<iq type='${type}'${to ? ` to='${to}'` : ""}><query xmlns='jabber:iq:private'>${content}</query></iq>`) as Element;
const condition = (iq: Element) => iq.getChild("error")?.children.find((c) => typeof c !== "string" && c.name !== "text") as Element | undefined;

test("nothing stored: the requested element comes back empty", async () => {
  const alice = await t.login("alice");
  const res = await alice.request(privateIq("get", "<exodus xmlns='exodus:prefs'/>"));
  expect(res.attrs.type).toBe("result");
  const el = res.getChild("query")!.getChild("exodus", "exodus:prefs")!;
  expect(el.getChildElements()).toHaveLength(0);
});

test("alice stores bookmarks and preferences, and gets each back by name and namespace", async () => {
  const alice = await t.login("alice");
  const set = await alice.request(privateIq("set",
    "<storage xmlns='storage:bookmarks'><conference jid='room@muc.localhost' autojoin='true'><nick>al</nick></conference></storage>" +
    "<exodus xmlns='exodus:prefs'><defaultnick>Hamlet</defaultnick></exodus>"));
  expect(set.attrs.type).toBe("result");

  const again = await t.login("alice", { resource: "other" });
  const bookmarks = await again.request(privateIq("get", "<storage xmlns='storage:bookmarks'/>"));
  const storage = bookmarks.getChild("query")!.getChild("storage", "storage:bookmarks")!;
  expect(storage.getChild("conference")!.attrs.jid).toBe("room@muc.localhost");
  expect(storage.getChild("conference")!.getChildText("nick")).toBe("al");
  const prefs = await again.request(privateIq("get", "<exodus xmlns='exodus:prefs'/>"));
  expect(prefs.getChild("query")!.getChild("exodus")!.getChildText("defaultnick")).toBe("Hamlet");
  // Same namespace, another element name: a separate key.
  const other = await again.request(privateIq("get", "<other xmlns='exodus:prefs'/>"));
  expect(other.getChild("query")!.getChild("other")!.getChildElements()).toHaveLength(0);
});

test("each account has its own storage; another user's is forbidden", async () => {
  const bob = await t.login("bob");
  const own = await bob.request(privateIq("get", "<storage xmlns='storage:bookmarks'/>"));
  expect(own.getChild("query")!.getChild("storage")!.getChildElements()).toHaveLength(0);
  const theirs = await bob.request(privateIq("get", "<storage xmlns='storage:bookmarks'/>", "alice@localhost"));
  expect(condition(theirs)?.name).toBe("forbidden");
  const write = await bob.request(privateIq("set", "<storage xmlns='storage:bookmarks'/>", "alice@localhost"));
  expect(condition(write)?.name).toBe("forbidden");
});

test("jabber:* namespaces and an empty query are not-acceptable", async () => {
  const alice = await t.login("alice");
  expect(condition(await alice.request(privateIq("set", "<query xmlns='jabber:iq:roster'/>")))?.name).toBe("not-acceptable");
  expect(condition(await alice.request(privateIq("get", "<query xmlns='jabber:iq:roster'/>")))?.name).toBe("not-acceptable");
  expect(condition(await alice.request(privateIq("get", "")))?.name).toBe("not-acceptable");
});

test(`more than ${MAX_PRIVATE_BYTES} bytes in one set is refused, nothing stored`, async () => {
  const alice = await t.login("alice");
  const res = await alice.request(privateIq("set", `<big xmlns='urn:example:big'>${"x".repeat(MAX_PRIVATE_BYTES)}</big>`));
  expect(condition(res)?.name).toBe("not-acceptable");
  const get = await alice.request(privateIq("get", "<big xmlns='urn:example:big'/>"));
  expect(get.getChild("query")!.getChild("big")!.children).toHaveLength(0);
});
