// XEP-0077 in-band registration, off (the default) and on, over real sockets.
import { Element, parse } from "ltx";
import { createActor } from "xstate";
import { connectionMachine, type ConnectionInput } from "../../machines/connection.js";
import { startTestServer, type TestClient, type TestServer } from "../../src/testing/index.js";
import { errorCondition } from "./roster-kit.js";

const NS = "jabber:iq:register";
const registerIq = (type: "get" | "set", content = "") => parse(`<iq type='${type}'><query xmlns='${NS}'>${content}</query></iq>`) as Element;
const account = (username: string, password: string) => registerIq("set", `<username>${username}</username><password>${password}</password>`);
const vcardSet = (fn: string) => parse(`<iq type='set'><vCard xmlns='vcard-temp'><FN>${fn}</FN></vCard></iq>`) as Element;
const vcardGet = () => parse("<iq type='get'><vCard xmlns='vcard-temp'/></iq>") as Element;

async function loginFails(t: TestServer, username: string, password: string): Promise<void> {
  await expect(t.connect().login(username, password)).rejects.toThrow(/login failed/);
}

describe("registration off (default)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.stop());

  test("no <register/> stream feature; a registration IQ before auth closes the stream with not-authorized", async () => {
    const c = t.connect();
    const features = await c.open();
    expect(features.getChild("register", "http://jabber.org/features/iq-register")).toBeUndefined();
    c.send(account("newbie", "secret"));
    await c.closedByServer();
    expect(c.lastStreamError?.getChild("not-authorized")).toBeDefined();
    await loginFails(t, "newbie", "secret");
  });
});

describe("registration on", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { registration: { enabled: true } } });
    await t.addUser("taken");
  });
  afterAll(() => t.stop());

  async function preAuth(): Promise<TestClient> {
    const c = t.connect();
    const features = await c.open();
    expect(features.getChild("register", "http://jabber.org/features/iq-register")).toBeDefined();
    return c;
  }

  test("the form, then a new account, then SASL with it on the same stream", async () => {
    const c = await preAuth();
    const form = await c.request(registerIq("get"));
    expect(form.attrs.type).toBe("result");
    const query = form.getChild("query", NS)!;
    expect(query.getChild("username")).toBeDefined();
    expect(query.getChild("password")).toBeDefined();
    expect(query.getChildText("instructions")).toBeTruthy();

    expect((await c.request(account("Romeo", "r0me0!"))).attrs.type).toBe("result");
    c.raw(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from("\0romeo\0r0me0!").toString("base64")}</auth>`);
    expect((await c.next((el) => el.name === "success" || el.name === "failure")).name).toBe("success");
    const romeo = await t.login("romeo", { password: "r0me0!" });
    expect(romeo.jid.toString()).toMatch(/^romeo@localhost\//);
  });

  test("a taken username is a conflict; a missing password is not-acceptable; both leave the stream open", async () => {
    const c = await preAuth();
    expect(errorCondition(await c.request(account("taken", "x")))).toBe("conflict");
    expect(errorCondition(await c.request(registerIq("set", "<username>juliet</username>")))).toBe("not-acceptable");
    expect(errorCondition(await c.request(account("a@b", "pw")))).toBe("not-acceptable");
    expect((await c.request(account("juliet", "pw"))).attrs.type).toBe("result");
  });

  test("signed in: <registered/>, then a password change (the old one stops working)", async () => {
    await (await preAuth()).request(account("mercutio", "old-pw"));
    const m = await t.login("mercutio", { password: "old-pw" });
    const info = await m.request(registerIq("get"));
    expect(info.getChild("query")!.getChild("registered")).toBeDefined();
    expect(info.getChild("query")!.getChildText("username")).toBe("mercutio");

    expect(errorCondition(await m.request(account("taken", "hijack")))).toBe("bad-request");
    expect((await m.request(account("mercutio", "new-pw"))).attrs.type).toBe("result");
    await loginFails(t, "mercutio", "old-pw");
    await t.login("mercutio", { password: "new-pw" });
  });

  test("cancellation: result, every session closed with not-authorized, the account and its data gone", async () => {
    await (await preAuth()).request(account("tybalt", "pw"));
    const one = await t.login("tybalt", { password: "pw", resource: "one" });
    const two = await t.login("tybalt", { password: "pw", resource: "two" });
    await one.request(vcardSet("Prince of Cats"));

    const res = await one.request(registerIq("set", "<remove/>"));
    expect(res.attrs.type).toBe("result");
    await Promise.all([one.closedByServer(), two.closedByServer()]);
    expect(one.lastStreamError?.getChild("not-authorized")).toBeDefined();
    expect(two.lastStreamError?.getChild("not-authorized")).toBeDefined();
    await loginFails(t, "tybalt", "pw");

    // The same name registered again starts empty (the vCard went with the account).
    await (await preAuth()).request(account("tybalt", "pw2"));
    const again = await t.login("tybalt", { password: "pw2" });
    expect((await again.request(vcardGet())).getChild("vCard")!.getChildElements()).toHaveLength(0);
  });

  test("<remove/> before authentication is refused", async () => {
    const c = await preAuth();
    expect(errorCondition(await c.request(registerIq("set", "<remove/>")))).toBe("not-authorized");
  });
});

describe("the statechart's registration transition", () => {
  const input: ConnectionInput = {
    domains: ["localhost"], secure: false, tlsAvailable: true, requireEncryption: true, plaintextAllowed: false,
    maxAuthFailures: 3, streamOpenTimeoutMs: 1000, authTimeoutMs: 5000, idleTimeoutMs: 0, closeTimeoutMs: 100,
    registrationEnabled: true,
  };
  function negotiate(overrides: Partial<ConnectionInput>) {
    const calls: string[] = [];
    const record = (name: string) => () => void calls.push(name);
    const machine = connectionMachine.provide({
      actions: { handleRegistration: record("handleRegistration"), closeStream: record("closeStream"), sendHeaderAndFeatures: () => {}, closeSocket: () => {} },
    });
    const actor = createActor(machine, { input: { ...input, ...overrides } }).start();
    actor.send({ type: "stream.open", attrs: { version: "1.0", to: "localhost", xmlns: "jabber:client" } });
    actor.send({ type: "stanza", stanza: registerIq("get") });
    const { value, context } = actor.getSnapshot();
    actor.stop(); // its timers too
    return { calls, state: JSON.stringify(value), closeError: context.closeError };
  }

  test("over TLS the IQ goes to handleRegistration and negotiation goes on", () => {
    expect(negotiate({ secure: true })).toMatchObject({ calls: ["handleRegistration"], state: `{"unauthenticated":"negotiating"}` });
  });

  test("without TLS where SASL would need it, or when disabled: not-authorized, as for any early stanza", () => {
    for (const overrides of [{}, { secure: true, registrationEnabled: false }]) {
      const { calls, closeError } = negotiate(overrides);
      expect(calls).toEqual(["closeStream"]);
      expect(closeError?.condition).toBe("not-authorized");
    }
  });
});
