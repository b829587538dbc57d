// The example module of docs/writing-a-module.md, tested the way the guide says to.
import { parse, type Element } from "ltx";
import { defaultModules } from "../../src/modules/index.js";
import { startTestServer } from "../../src/testing/index.js";
import { notesModule, NS_NOTES } from "../../examples/notes/notes.js";

const iq = (xml: string) => parse(xml) as Element;

test("alice stores two notes and lists them; an empty note is a bad-request", async () => {
  const t = await startTestServer({ modules: [...defaultModules(), notesModule] });
  try {
    await t.addUser("alice");
    const alice = await t.login("alice");
    const added = await alice.request(iq(`<iq type='set'><note xmlns='${NS_NOTES}'>buy milk</note></iq>`));
    expect(added.attrs.type).toBe("result");
    await alice.request(iq(`<iq type='set'><note xmlns='${NS_NOTES}'>call bob</note></iq>`));
    const list = await alice.request(iq(`<iq type='get'><notes xmlns='${NS_NOTES}'/></iq>`));
    expect(list.getChild("notes", NS_NOTES)!.getChildren("note").map((n) => n.getText())).toEqual(["buy milk", "call bob"]);
    const empty = await alice.request(iq(`<iq type='set'><note xmlns='${NS_NOTES}'> </note></iq>`));
    expect(empty.getChild("error")!.getChild("bad-request")).toBeDefined();
    const disco = await alice.request(iq(`<iq type='get' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`));
    expect(disco.getChild("query")!.getChildren("feature").map((f) => f.attrs.var)).toContain(NS_NOTES);
  } finally {
    await t.stop();
  }
});
