import { Element, parse } from "ltx";
import { createActor } from "xstate";
import { connectionMachine, type ConnectionInput } from "../machines/connection.js";

const el = (s: string) => parse(s) as Element;
const base: ConnectionInput = {
  domains: ["localhost"], secure: false, tlsAvailable: true, requireEncryption: true, plaintextAllowed: false,
  maxAuthFailures: 3, streamOpenTimeoutMs: 1000, authTimeoutMs: 5000, idleTimeoutMs: 0, closeTimeoutMs: 100,
};
const header = { version: "1.0", to: "localhost", xmlns: "jabber:client" };

/** Actors still running after a test: stopped, so their delayed events leave no timers behind. */
const running: { stop(): void }[] = [];
afterEach(() => running.splice(0).forEach((actor) => actor.stop()));

/** The machine with every named action recorded (it has no I/O of its own to fake). */
function start(input: Partial<ConnectionInput> = {}) {
  const calls: string[] = [];
  const names = ["sendHeaderAndFeatures", "restartStream", "startTls", "sendTlsFailure", "saslStart", "saslResponse", "saslSendChallenge", "saslSendSuccess", "saslSendFailure", "bind", "sendBindResult", "sendBindError", "refuseIq", "processStanza", "sessionStarted", "sessionEnded", "sendKeepalive", "closeStream", "closeSocket"] as const;
  const actions = Object.fromEntries(names.map((n) => [n, (_: unknown, params: unknown) => calls.push(params && typeof params === "object" && "condition" in params ? `${n}:${(params as { condition: string }).condition}` : n)]));
  const actor = createActor(connectionMachine.provide({ actions: actions as never }), { input: { ...base, ...input } }).start();
  running.push(actor);
  const state = () => JSON.stringify(actor.getSnapshot().value);
  return { actor, calls, state };
}

describe("connection statechart", () => {
  test("full negotiation: STARTTLS → SASL → bind → established → close", () => {
    const { actor, calls, state } = start();
    actor.send({ type: "stream.open", attrs: header });
    expect(state()).toBe(`{"unauthenticated":"negotiating"}`);
    actor.send({ type: "stanza", stanza: el(`<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>`) });
    actor.send({ type: "tls.established" });
    expect(actor.getSnapshot().context.secure).toBe(true);
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">AGEAYg==</auth>`) });
    expect(state()).toBe(`{"unauthenticated":"saslExchange"}`);
    actor.send({ type: "sasl.success", username: "a" });
    expect(state()).toBe(`{"authenticated":"awaitingStream"}`);
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<iq type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`) });
    actor.send({ type: "bind.success", jid: "a@localhost/r" });
    expect(state()).toBe(`{"authenticated":{"established":"active"}}`);
    actor.send({ type: "stanza", stanza: el(`<message xmlns="jabber:client" to="b@localhost"/>`) });
    actor.send({ type: "stream.close" });
    expect(state()).toBe(`"closing"`);
    actor.send({ type: "stream.close" });
    expect(actor.getSnapshot().status).toBe("done");
    expect(calls).toEqual([
      "sendHeaderAndFeatures", "startTls", "restartStream", "sendHeaderAndFeatures", "saslStart", "saslSendSuccess",
      "restartStream", "sendHeaderAndFeatures", "bind", "sendBindResult", "sessionStarted", "processStanza",
      "sessionEnded", "closeStream", "closeSocket",
    ]);
    expect(actor.getSnapshot().context).toMatchObject({ username: "a", jid: "a@localhost/r", closeError: undefined });
  });

  test("SASL before STARTTLS when encryption is required → <encryption-required/>", () => {
    const { actor, calls, state } = start();
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`) });
    expect(calls).toContain("saslSendFailure:encryption-required");
    expect(state()).toBe(`{"unauthenticated":"negotiating"}`);
  });

  test("plaintext allowed on loopback: SASL without TLS", () => {
    const { actor, state } = start({ plaintextAllowed: true });
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`) });
    expect(state()).toBe(`{"unauthenticated":"saslExchange"}`);
  });

  test.each([
    [{ ...header, to: "elsewhere" }, "host-unknown"],
    [{ ...header, version: "0.9" }, "unsupported-version"],
    [{ to: "localhost" }, "unsupported-version"],
  ])("stream header %o → %s", (attrs, condition) => {
    const { actor, state } = start();
    actor.send({ type: "stream.open", attrs });
    expect(state()).toBe(`"closing"`);
    expect(actor.getSnapshot().context.closeError?.condition).toBe(condition);
  });

  test("a stanza before authentication → not-authorized stream error", () => {
    const { actor } = start();
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<message to="x@localhost"/>`) });
    expect(actor.getSnapshot().context.closeError?.condition).toBe("not-authorized");
  });

  test("failed attempts are limited; the last one closes the stream", () => {
    const { actor, calls } = start({ plaintextAllowed: true, maxAuthFailures: 2 });
    actor.send({ type: "stream.open", attrs: header });
    for (let i = 0; i < 2; i++) {
      actor.send({ type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`) });
      actor.send({ type: "sasl.failure", condition: "not-authorized" });
    }
    expect(calls.filter((c) => c === "saslSendFailure:not-authorized")).toHaveLength(2);
    expect(actor.getSnapshot().context.closeError?.condition).toBe("policy-violation");
  });

  test("stream-open deadline → connection-timeout", async () => {
    const { actor } = start({ streamOpenTimeoutMs: 20 });
    await new Promise((r) => setTimeout(r, 40));
    expect(actor.getSnapshot().context.closeError?.condition).toBe("connection-timeout");
  });

  test("authentication deadline covers the whole negotiation", async () => {
    const { actor } = start({ authTimeoutMs: 30 });
    actor.send({ type: "stream.open", attrs: header });
    await new Promise((r) => setTimeout(r, 50));
    expect(actor.getSnapshot().context.closeError).toEqual({ condition: "connection-timeout", text: "authentication took too long" });
  });

  test("idle: keepalive after one period, connection-timeout after two silent ones", async () => {
    const { actor, calls } = start({ plaintextAllowed: true, idleTimeoutMs: 25 });
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`) });
    actor.send({ type: "sasl.success", username: "a" });
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "stanza", stanza: el(`<iq type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`) });
    actor.send({ type: "bind.success", jid: "a@localhost/r" });
    await new Promise((r) => setTimeout(r, 35));
    expect(calls).toContain("sendKeepalive");
    actor.send({ type: "activity" });
    expect(JSON.stringify(actor.getSnapshot().value)).toBe(`{"authenticated":{"established":"active"}}`);
    await new Promise((r) => setTimeout(r, 70));
    expect(actor.getSnapshot().context.closeError?.condition).toBe("connection-timeout");
  });

  test("server shutdown from any state → system-shutdown", () => {
    const { actor } = start();
    actor.send({ type: "stream.open", attrs: header });
    actor.send({ type: "server.shutdown" });
    expect(actor.getSnapshot().context.closeError?.condition).toBe("system-shutdown");
  });
});
