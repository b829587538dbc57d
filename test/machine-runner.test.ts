import fc from "fast-check";
import { Element, parse } from "ltx";
import { createActor, setup } from "xstate";
import { MachineRunner } from "../actors/machine-runner.js";
import { connectionMachine, type ConnectionEvent, type ConnectionInput } from "../machines/connection.js";

const el = (s: string) => parse(s) as Element;
const input: ConnectionInput = {
  domains: ["localhost"], secure: false, tlsAvailable: true, requireEncryption: true, plaintextAllowed: false,
  maxAuthFailures: 2, streamOpenTimeoutMs: 60_000, authTimeoutMs: 60_000, idleTimeoutMs: 60_000, closeTimeoutMs: 60_000,
  acceptsElement: (e) => e.name === "r",
};
const header = { version: "1.0", to: "localhost", xmlns: "jabber:client" };
const ACTIONS = ["sendHeaderAndFeatures", "restartStream", "startTls", "sendTlsFailure", "saslStart", "saslResponse", "saslSendChallenge", "saslSendSuccess", "saslSendFailure", "bind", "sendBindResult", "sendBindError", "handleRegistration", "refuseIq", "processStanza", "sessionStarted", "sessionEnded", "sendKeepalive", "closeStream", "closeSocket"];

/** Every event the connection machine knows, in the shapes the server sends. */
const events: ConnectionEvent[] = [
  { type: "stream.open", attrs: header },
  { type: "stream.open", attrs: { ...header, version: "0.9" } },
  { type: "stream.open", attrs: { ...header, to: "elsewhere" } },
  { type: "stream.close" },
  { type: "stanza", stanza: el(`<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>`) },
  { type: "stanza", stanza: el(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN"/>`) },
  { type: "stanza", stanza: el(`<response xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>`) },
  { type: "stanza", stanza: el(`<abort xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>`) },
  { type: "stanza", stanza: el(`<iq type="set" id="b"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></iq>`) },
  { type: "stanza", stanza: el(`<iq type="get" id="q"><query xmlns="jabber:iq:version"/></iq>`) },
  { type: "stanza", stanza: el(`<message xmlns="jabber:client" to="b@localhost"/>`) },
  { type: "stanza", stanza: el(`<r xmlns="urn:xmpp:sm:3"/>`) },
  { type: "stanza", stanza: el(`<weird xmlns="x"/>`) },
  { type: "stream.error", condition: "not-well-formed" },
  { type: "tls.established" },
  { type: "tls.failed", reason: "handshake" },
  { type: "sasl.challenge", data: "abc" },
  { type: "sasl.success", username: "a" },
  { type: "sasl.failure", condition: "not-authorized" },
  { type: "bind.success", jid: "a@localhost/r" },
  { type: "bind.failure", condition: "conflict" },
  { type: "activity" },
  { type: "server.shutdown" },
  { type: "socket.closed" },
];

/** The same machine under xstate's Actor, recording each named action. */
function viaActor() {
  const calls: string[] = [];
  const actions = Object.fromEntries(ACTIONS.map((n) => [n, (_: unknown, params: unknown) => calls.push(n + JSON.stringify(params ?? null))]));
  const actor = createActor(connectionMachine.provide({ actions: actions as never }), { input }).start();
  return { calls, send: (e: ConnectionEvent) => actor.send(e), snapshot: () => actor.getSnapshot(), stop: () => actor.stop() };
}

/** …and under the runner. */
function viaRunner() {
  const calls: string[] = [];
  const errors: unknown[] = [];
  const runner = new MachineRunner<typeof connectionMachine, string[]>(connectionMachine, {
    onError: (_, err) => errors.push(err),
    actions: Object.fromEntries(ACTIONS.map((n) => [n, (owner: string[], _: unknown, params: unknown) => void owner.push(n + JSON.stringify(params ?? null))])),
  });
  const instance = runner.start(calls, input);
  return { calls, errors, send: (e: ConnectionEvent) => instance.send(e), snapshot: () => instance.getSnapshot(), stop: () => instance.stop() };
}

describe("MachineRunner", () => {
  test("property: any event sequence gives the same states, context and actions as an xstate Actor", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 40 }), (picks) => {
        const a = viaActor();
        const b = viaRunner();
        try {
          for (const i of picks) {
            a.send(events[i]);
            b.send(events[i]);
            expect(b.snapshot().value).toEqual(a.snapshot().value);
            expect(b.snapshot().status).toBe(a.snapshot().status);
          }
          expect(b.snapshot().context).toEqual(a.snapshot().context);
          expect(b.calls).toEqual(a.calls);
          expect(b.errors).toEqual([]);
        } finally {
          a.stop();
          b.stop();
        }
      }),
      { numRuns: 300 },
    );
  });

  test("delayed transitions fire, and leaving the state cancels them", async () => {
    const machine = setup({
      actions: { fired: () => {} },
      delays: { short: 20 },
    }).createMachine({
      initial: "a",
      states: {
        a: { after: { short: { target: "b", actions: "fired" } }, on: { leave: "c" } },
        b: {},
        c: { on: { back: "a" } },
      },
    });
    const runner = new MachineRunner<typeof machine, string[]>(machine, { onError: () => {}, actions: { fired: (log) => void log.push("fired") } });
    const log: string[] = [];
    const first = runner.start(log, undefined);
    const second = runner.start([], undefined);
    expect(second.pendingDelays).toBe(1);
    second.send({ type: "leave" }); // cancels its timer
    expect(second.pendingDelays).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(first.getSnapshot().value).toBe("b");
    expect(first.pendingDelays).toBe(0); // fired: nothing left behind
    expect(log).toEqual(["fired"]);
    expect(second.getSnapshot().value).toBe("c");
  });

  test("events sent by an action are processed after the current step, in order", () => {
    const machine = setup({
      types: { events: {} as { type: "go" } | { type: "next" } | { type: "last" } },
      actions: { chain: () => {}, seen: () => {} },
    }).createMachine({
      initial: "a",
      states: {
        a: { on: { go: { target: "b", actions: "chain" } } },
        b: { entry: "seen", on: { next: "c" } },
        c: { entry: "seen", on: { last: "d" } },
        d: { entry: "seen" },
      },
    });
    const seen: string[] = [];
    const runner = new MachineRunner<typeof machine, { seen: string[]; send?: (e: { type: "next" } | { type: "last" }) => void }>(machine, {
      onError: () => {},
      actions: {
        chain: (o) => {
          o.send!({ type: "next" });
          o.send!({ type: "last" });
        },
        seen: (o, { event }) => void o.seen.push(event.type),
      },
    });
    const owner: { seen: string[]; send?: (e: { type: "next" } | { type: "last" }) => void } = { seen };
    const instance = runner.start(owner, undefined);
    owner.send = (e) => instance.send(e);
    instance.send({ type: "go" });
    expect(instance.getSnapshot().value).toBe("d");
    expect(seen).toEqual(["go", "next", "last"]);
  });

  test("an action that throws stops that instance only and reports the error", () => {
    const machine = setup({ actions: { boom: () => {} } }).createMachine({
      initial: "a",
      states: { a: { on: { go: { target: "b", actions: "boom" } } }, b: { on: { again: "a" } } },
    });
    const errors: string[] = [];
    const runner = new MachineRunner<typeof machine, string>(machine, {
      onError: (owner, err) => void errors.push(`${owner}: ${(err as Error).message}`),
      actions: { boom: (owner) => { if (owner === "bad") throw new Error("handler bug"); } },
    });
    const bad = runner.start("bad", undefined);
    const good = runner.start("good", undefined);
    bad.send({ type: "go" });
    good.send({ type: "go" });
    bad.send({ type: "again" }); // ignored: stopped
    good.send({ type: "again" });
    expect(errors).toEqual(["bad: handler bug"]);
    expect(good.getSnapshot().value).toBe("a");
  });

  test("the observer sees every snapshot with its event, and one that throws breaks nothing", () => {
    const machine = setup({}).createMachine({ initial: "a", states: { a: { on: { go: "b" } }, b: { on: { back: "a" } } } });
    const runner = new MachineRunner<typeof machine, null>(machine, { onError: () => { throw new Error("must not be called"); }, actions: {} });
    const seen: string[] = [];
    const instance = runner.start(null, undefined, (snapshot, event) => {
      seen.push(`${event.type}→${String(snapshot.value)}`);
      throw new Error("observer bug");
    });
    instance.send({ type: "go" });
    instance.send({ type: "back" });
    expect(seen).toEqual(["xstate.init→a", "go→b", "back→a"]);
    expect(instance.getSnapshot().status).toBe("active");
  });

  test("a machine action without a handler is refused when the runner is built", () => {
    const machine = setup({ actions: { missing: () => {} } }).createMachine({ initial: "a", states: { a: { entry: "missing" } } });
    expect(() => new MachineRunner<typeof machine, null>(machine, { onError: () => {}, actions: {} })).toThrow(/no handler for action "missing"/);
  });
});
