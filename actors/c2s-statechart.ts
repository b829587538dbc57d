import { Element } from "ltx";
import { connectionMachine, NS_SASL, NS_TLS } from "../machines/connection.js";
import { StanzaError } from "../src/errors.js";
import { errorReply } from "../src/stanza.js";
import type { C2SConnection } from "./c2s-connection.js";
import { MachineRunner } from "./machine-runner.js";

/**
 * The connection statechart's side effects, one set for all connections (actors/machine-runner.ts
 * explains why connections share a runner instead of each owning an xstate Actor).
 */
export const c2sRunner = new MachineRunner<typeof connectionMachine, C2SConnection>(connectionMachine, {
  onError: (c, err) => c.crashed(err),
  actions: {
    sendHeaderAndFeatures: (c, { context }) => c.sendHeaderAndFeatures(context),
    restartStream: (c) => c.parser.reset(),
    startTls: (c) => c.startTls(),
    sendTlsFailure: (c) => c.write(`<failure xmlns='${NS_TLS}'/>`),
    saslStart: (c, { event }) => event.type === "stanza" && c.saslStart(event.stanza),
    saslResponse: (c, { event }) => event.type === "stanza" && c.saslResponse(event.stanza),
    saslSendChallenge: (c, { event }) => event.type === "sasl.challenge" && c.writeEl(saslElement("challenge", event.data)),
    saslSendSuccess: (c, { event }) => event.type === "sasl.success" && c.saslSucceeded(event.data),
    saslSendFailure: (c, _, params: { condition: string; text?: string }) => c.saslFailed(params.condition, params.text),
    bind: (c, { event }) => event.type === "stanza" && c.bind(event.stanza),
    sendBindResult: (c) => c.sendBindResult(),
    sendBindError: (c, { event }) => event.type === "bind.failure" && c.sendBindError(event.condition, event.text),
    handleRegistration: (c, { event }) => event.type === "stanza" && c.handleRegistration(event.stanza),
    refuseIq: (c, { event }) => event.type === "stanza" && c.writeEl(errorReply(event.stanza, new StanzaError("not-authorized", "bind a resource first"))),
    processStanza: (c, { event }) => event.type === "stanza" && c.enqueue(event.stanza),
    sessionStarted: (c) => c.sessionStarted(),
    sessionEnded: (c) => c.sessionEnded(),
    sendKeepalive: (c) => c.write(" "),
    closeStream: (c, { context }) => c.closeStream(context.closeError),
    closeSocket: (c) => c.destroy(),
  },
});

export function saslElement(name: string, data: string | undefined): Element {
  const el = new Element(name, { xmlns: NS_SASL });
  if (data !== undefined) el.t(data === "" ? "=" : data);
  return el;
}
