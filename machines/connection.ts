import type { Element } from "ltx";
import { and, assign, not, setup } from "xstate";
import type { StreamCondition } from "../src/errors.js";

/**
 * A client connection, RFC 6120 end to end: stream open → features → STARTTLS → restart →
 * SASL → restart → resource binding → established → closing → closed.
 *
 * Pure: every side effect is a named action, implemented by actors/c2s-connection.ts (run by
 * actors/machine-runner.ts), so tests can drive the machine with events alone and `tjabberd
 * charts` draws it.
 */

export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
export const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
export const NS_REGISTER = "jabber:iq:register";

export interface ConnectionInput {
  /** Domains served here: the stream header's `to` must name one (§4.9.3.6 host-unknown). */
  domains: string[];
  /** TLS is already on (Direct TLS, XEP-0368). */
  secure: boolean;
  /** STARTTLS can be offered (a certificate is loaded). */
  tlsAvailable: boolean;
  /** No SASL before TLS (RFC 6120 §5.3.1 leaves it to local policy). */
  requireEncryption: boolean;
  /** A loopback connection, and the config allows plaintext there. */
  plaintextAllowed: boolean;
  maxAuthFailures: number;
  streamOpenTimeoutMs: number;
  authTimeoutMs: number;
  /** 0 turns the idle timeout off. */
  idleTimeoutMs: number;
  /** How long to wait for the peer's `</stream:stream>` after ours (RFC 6120 §4.4). */
  closeTimeoutMs: number;
  /** XEP-0077 in-band registration before authentication (`registration.enabled`). */
  registrationEnabled?: boolean;
  /** Top-level elements an established stream accepts besides stanzas (what modules handle). */
  acceptsElement?: (el: Element) => boolean;
}

export interface ConnectionContext extends ConnectionInput {
  authenticated: boolean;
  username: string | undefined;
  /** The bound full JID, once resource binding succeeded. */
  jid: string | undefined;
  /** The domain the client asked for in its stream header. */
  domain: string | undefined;
  authFailures: number;
  /** The stream error to send when closing (undefined: a clean close). */
  closeError: { condition: StreamCondition; text?: string } | undefined;
}

export type ConnectionEvent =
  | { type: "stream.open"; attrs: Record<string, string> }
  | { type: "stream.close" }
  | { type: "stanza"; stanza: Element }
  | { type: "stream.error"; condition: StreamCondition; text?: string }
  | { type: "tls.established" }
  | { type: "tls.failed"; reason: string }
  | { type: "sasl.challenge"; data: string }
  | { type: "sasl.success"; username: string; data?: string }
  | { type: "sasl.failure"; condition: string; text?: string }
  | { type: "bind.success"; jid: string }
  | { type: "bind.failure"; condition: string; text?: string }
  | { type: "activity" }
  | { type: "socket.closed" }
  | { type: "server.shutdown" };

const stanzaIs = (event: ConnectionEvent, name: string, ns: string): boolean =>
  event.type === "stanza" && event.stanza.name === name && event.stanza.getNS() === ns;

const closeWith = (condition: StreamCondition, text?: string) => ({
  type: "setCloseError" as const,
  params: text === undefined ? { condition } : { condition, text },
});

/** Stream header checks shared by every (re)start of the stream. */
const openStream = (next: string) => [
  // RFC 6120 §4.7.5: a `version` below 1.0 → unsupported-version (§4.9.3.25).
  { guard: "unsupportedVersion" as const, target: "#connection.closing", actions: closeWith("unsupported-version") },
  // RFC 6120 §4.9.3.6: `to` names no domain served here → host-unknown.
  { guard: "unknownHost" as const, target: "#connection.closing", actions: closeWith("host-unknown") },
  { target: next, actions: ["rememberDomain" as const, "sendHeaderAndFeatures" as const] },
];

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as ConnectionInput,
  },
  actions: {
    /** Our stream header and the features for the current stage, in one write (§4.3.2). */
    sendHeaderAndFeatures: () => {},
    /** A fresh XML parser for the new stream on the same transport (§4.3.3). */
    restartStream: () => {},
    /** `<proceed/>` then the handshake; reports `tls.established` or `tls.failed` (§5.4.2.3). */
    startTls: () => {},
    /** `<failure xmlns=tls/>` then close (§5.4.2.2): STARTTLS when it cannot be offered. */
    sendTlsFailure: () => {},
    /** Starts a SASL exchange from `<auth/>`; reports sasl.challenge/success/failure. */
    saslStart: () => {},
    /** Continues it from `<response/>`. */
    saslResponse: () => {},
    saslSendChallenge: () => {},
    saslSendSuccess: () => {},
    saslSendFailure: (_, _params: { condition: string; text?: string }) => {},
    /** Resource binding (§7); must report bind.success / bind.failure before other input. */
    bind: () => {},
    sendBindResult: () => {},
    sendBindError: () => {},
    /** XEP-0077 §3.1: answers a registration IQ before authentication. */
    handleRegistration: () => {},
    /** Answers an IQ that arrived before binding (§7.1: no stanzas before a resource is bound). */
    refuseIq: () => {},
    /** An established session's stanza: into the ordered queue → chain actor. */
    processStanza: () => {},
    /** The session is bound: the router can deliver to it. */
    sessionStarted: () => {},
    /** The session is over, whatever the reason: unregister, broadcast unavailable… */
    sessionEnded: () => {},
    sendKeepalive: () => {},
    /** The stream error in `closeError` if any (after a header if none was sent), then `</stream:stream>`. */
    closeStream: () => {},
    closeSocket: () => {},
    setCloseError: assign({ closeError: (_, params: { condition: StreamCondition; text?: string }) => params }),
    // The configured string, not the header's (a slice of the input that would stay in memory).
    rememberDomain: assign({
      domain: ({ event, context }) =>
        event.type === "stream.open" ? context.domains.find((d) => d === event.attrs.to?.toLowerCase()) ?? context.domains[0] : context.domain,
    }),
    countAuthFailure: assign({ authFailures: ({ context }) => context.authFailures + 1 }),
    markAuthenticated: assign({
      authenticated: true,
      username: ({ event, context }) => (event.type === "sasl.success" ? event.username : context.username),
    }),
    markSecure: assign({ secure: true }),
    rememberJid: assign({ jid: ({ event, context }) => (event.type === "bind.success" ? event.jid : context.jid) }),
  },
  guards: {
    unsupportedVersion: ({ event }) =>
      event.type === "stream.open" && !(Number((event.attrs.version ?? "0.0").split(".")[0]) >= 1),
    unknownHost: ({ event, context }) =>
      event.type === "stream.open" && event.attrs.to !== undefined && !context.domains.includes(event.attrs.to.toLowerCase()),
    isStartTls: ({ event }) => stanzaIs(event, "starttls", NS_TLS),
    canStartTls: ({ context }) => !context.secure && context.tlsAvailable,
    isAuth: ({ event }) => stanzaIs(event, "auth", NS_SASL),
    encryptionMissing: ({ context }) => !context.secure && context.requireEncryption && !context.plaintextAllowed,
    isResponse: ({ event }) => stanzaIs(event, "response", NS_SASL),
    isAbort: ({ event }) => stanzaIs(event, "abort", NS_SASL),
    isBind: ({ event }) =>
      event.type === "stanza" && event.stanza.name === "iq" && event.stanza.attrs.type === "set" &&
      event.stanza.getChild("bind", NS_BIND) !== undefined,
    isIq: ({ event }) => event.type === "stanza" && event.stanza.name === "iq",
    /** A jabber:iq:register get/set, when registration is enabled. */
    isRegistration: ({ context, event }) =>
      context.registrationEnabled === true && event.type === "stanza" && event.stanza.name === "iq" &&
      (event.stanza.attrs.type === "get" || event.stanza.attrs.type === "set") &&
      event.stanza.getChild("query", NS_REGISTER) !== undefined,
    lastAuthAttempt: ({ context }) => context.authFailures + 1 >= context.maxAuthFailures,
    idleEnabled: ({ context }) => context.idleTimeoutMs > 0,
    /** RFC 6120 §8: message, presence, iq in jabber:client, plus what `acceptsElement` admits. */
    acceptableElement: ({ context, event }) =>
      event.type === "stanza" &&
      (((event.stanza.name === "message" || event.stanza.name === "presence" || event.stanza.name === "iq") &&
        event.stanza.getNS() === "jabber:client") ||
        (context.acceptsElement?.(event.stanza) ?? false)),
  },
  delays: {
    streamOpenTimeout: ({ context }) => context.streamOpenTimeoutMs,
    authTimeout: ({ context }) => context.authTimeoutMs,
    idleTimeout: ({ context }) => context.idleTimeoutMs,
    closeTimeout: ({ context }) => context.closeTimeoutMs,
  },
}).createMachine({
  id: "connection",
  context: ({ input }) => ({
    ...input,
    authenticated: false,
    username: undefined,
    jid: undefined,
    domain: undefined,
    authFailures: 0,
    closeError: undefined,
  }),
  initial: "unauthenticated",
  on: {
    // Broken input (parser limits, bad XML) from any state: send the error, close (§4.9.1.1).
    "stream.error": { target: ".closing", actions: { type: "setCloseError", params: ({ event }) => ({ condition: event.condition, text: event.text }) } },
    "socket.closed": ".closed",
    "server.shutdown": { target: ".closing", actions: closeWith("system-shutdown") },
    // RFC 6120 §4.4: the peer closed its stream; close ours, then the socket.
    "stream.close": ".closing",
  },
  states: {
    unauthenticated: {
      initial: "awaitingStream",
      // One deadline from connect to SASL success, TLS included: slow clients can't hold sockets.
      after: { authTimeout: { target: "closing", actions: closeWith("connection-timeout", "authentication took too long") } },
      states: {
        awaitingStream: {
          after: { streamOpenTimeout: { target: "#connection.closing", actions: closeWith("connection-timeout", "no stream header") } },
          on: { "stream.open": openStream("negotiating") },
        },
        negotiating: {
          on: {
            stanza: [
              { guard: and(["isStartTls", "canStartTls"]), target: "tlsHandshake", actions: "startTls" },
              { guard: "isStartTls", target: "#connection.closing", actions: "sendTlsFailure" },
              // RFC 6120 §6.5.3: <encryption-required/> — SASL refused until TLS is on.
              { guard: and(["isAuth", "encryptionMissing"]), actions: { type: "saslSendFailure", params: { condition: "encryption-required" } } },
              { guard: "isAuth", target: "saslExchange", actions: "saslStart" },
              // RFC 6120 §6.4.4: <abort/> outside an exchange still gets <failure><aborted/>.
              { guard: "isAbort", actions: { type: "saslSendFailure", params: { condition: "aborted" } } },
              // XEP-0077 §8: with the iq-register feature, registration comes before SASL —
              // over TLS where SASL needs it (§10: the password travels in the clear otherwise).
              { guard: and(["isRegistration", not("encryptionMissing")]), actions: "handleRegistration" },
              // RFC 6120 §4.9.3.12: stanzas before authentication → not-authorized.
              { target: "#connection.closing", actions: closeWith("not-authorized", "authenticate first") },
            ],
          },
        },
        tlsHandshake: {
          on: {
            "tls.established": { target: "awaitingStream", actions: ["markSecure", "restartStream"] },
            "tls.failed": "#connection.closed",
            stanza: { target: "#connection.closing", actions: closeWith("not-authorized", "data during the TLS handshake") },
          },
        },
        saslExchange: {
          on: {
            stanza: [
              { guard: "isResponse", actions: "saslResponse" },
              { guard: "isAbort", target: "negotiating", actions: [{ type: "saslSendFailure", params: { condition: "aborted" } }, "countAuthFailure"] },
              { target: "#connection.closing", actions: closeWith("not-authorized", "SASL exchange in progress") },
            ],
            "sasl.challenge": { actions: "saslSendChallenge" },
            // RFC 6120 §6.4.6: <success/>, then a stream restart.
            "sasl.success": { target: "#connection.authenticated", actions: ["markAuthenticated", "saslSendSuccess", "restartStream"] },
            // RFC 6120 §6.4.5: a limited number of retries, then the stream is closed.
            "sasl.failure": [
              {
                guard: "lastAuthAttempt",
                target: "#connection.closing",
                actions: [{ type: "saslSendFailure", params: ({ event }) => ({ condition: event.condition, text: event.text }) }, closeWith("policy-violation", "too many failed authentication attempts")],
              },
              { target: "negotiating", actions: [{ type: "saslSendFailure", params: ({ event }) => ({ condition: event.condition, text: event.text }) }, "countAuthFailure"] },
            ],
          },
        },
      },
    },
    authenticated: {
      initial: "awaitingStream",
      states: {
        awaitingStream: {
          after: { streamOpenTimeout: { target: "#connection.closing", actions: closeWith("connection-timeout", "no stream header") } },
          on: { "stream.open": openStream("binding") },
        },
        binding: {
          on: {
            stanza: [
              { guard: "isBind", target: "bindPending", actions: "bind" },
              { guard: "isIq", actions: "refuseIq" },
              { target: "#connection.closing", actions: closeWith("not-authorized", "bind a resource first") },
            ],
          },
        },
        bindPending: {
          on: {
            "bind.success": { target: "established", actions: ["rememberJid", "sendBindResult"] },
            "bind.failure": { target: "binding", actions: "sendBindError" },
          },
        },
        established: {
          entry: "sessionStarted",
          exit: "sessionEnded",
          initial: "active",
          on: {
            stanza: [
              { guard: "acceptableElement", actions: "processStanza" },
              // RFC 6120 §4.9.3.23: a first-level child we do not understand.
              { target: "#connection.closing", actions: closeWith("unsupported-stanza-type") },
            ],
          },
          states: {
            active: {
              after: { idleTimeout: { guard: "idleEnabled", target: "waitingForPeer", actions: "sendKeepalive" } },
              on: { activity: { target: "active", reenter: true } },
            },
            waitingForPeer: {
              after: { idleTimeout: { target: "#connection.closing", actions: closeWith("connection-timeout", "idle") } },
              on: { activity: "active" },
            },
          },
        },
      },
    },
    closing: {
      entry: "closeStream",
      after: { closeTimeout: "closed" },
      on: {
        "stream.close": "closed",
        "stream.error": {},
        "server.shutdown": {},
        stanza: {},
      },
    },
    closed: { type: "final", entry: "closeSocket" },
  },
});

