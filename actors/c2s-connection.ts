import { randomBytes } from "node:crypto";
import type net from "node:net";
import tls from "node:tls";
import { Element } from "ltx";
import { NS_BIND, NS_TLS, type ConnectionContext } from "../machines/connection.js";
import { answerRegistration, NS_REGISTER_FEATURE } from "../src/modules/register/index.js";
import { StanzaError, type StreamCondition, StreamError } from "../src/errors.js";
import { Jid, JidError } from "../src/jid.js";
import { StreamParser, serialize, streamHeader, STREAM_CLOSE, type StreamHeader, type StreamParserHandlers, type StreamParserOptions } from "../src/xml/index.js";
import { mechanismsElement, offeredMechanisms } from "../src/sasl/index.js";
import { SaslNegotiation, saslFailureElement, saslOptions } from "./c2s-sasl.js";
import type { Server } from "../src/server.js";
import type { Session } from "../src/session.js";
import { errorReply, mayReplyWithError, toStanzaError } from "../src/stanza.js";
import { runChain, type ChainOutput } from "./chain.js";
import { OrderedQueue } from "./ordered-queue.js";
import { c2sRunner, saslElement } from "./c2s-statechart.js";
import { ByteRate } from "../src/limits/byte-rate.js";
import type { RoutedSession } from "./router.js";

const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";

/** What every connection of one server shares, built once (a copy per connection is memory). */
interface ServerShared {
  parserOptions: StreamParserOptions;
  acceptsElement: (el: Element) => boolean;
}
const shared = new WeakMap<Server, ServerShared>();
function sharedFor(server: Server): ServerShared {
  let entry = shared.get(server);
  if (!entry) {
    const limits = server.config.limits;
    entry = {
      parserOptions: { maxStanzaBytes: limits.max_stanza_bytes, maxDepth: limits.max_xml_depth },
      acceptsElement: (el) => server.registry.match(el) !== undefined,
    };
    shared.set(server, entry);
  }
  return entry;
}

// Socket listeners shared by all connections (`this` is the socket), instead of closures each.
const OWNER = Symbol("c2s connection");
type OwnedSocket = net.Socket & { [OWNER]: C2SConnection };
function own(socket: net.Socket, connection: C2SConnection): void {
  (socket as net.Socket & { [OWNER]?: C2SConnection })[OWNER] = connection;
}
function onSocketData(this: OwnedSocket, chunk: Buffer) {
  this[OWNER].received(chunk);
}
function onSocketError(this: OwnedSocket, err: Error) {
  const c = this[OWNER];
  c.server.log.debug("socket error", { id: c.id, error: err.message });
}
function onSocketClose(this: OwnedSocket) {
  this[OWNER].socketClosed();
}

let connectionCount = 0;

/** One client connection: socket ⇄ parser ⇄ statechart ⇄ chains. */
export class C2SConnection implements Session, RoutedSession, StreamParserHandlers {
  /** Unique in this process; short, for logs and the inspector. */
  readonly id = `c${++connectionCount}`;
  jid!: Jid;
  priority: number | undefined = undefined;
  secure: boolean;
  readonly parser: StreamParser;
  private socket: net.Socket;
  private readonly machine;
  private queue: OrderedQueue<Element> | undefined;
  private headerSent = false;
  private corked: net.Socket | undefined;
  /** The parser gave up on the peer's XML, so its `</stream:stream>` can never be read. */
  private unreadable = false;
  /** Only while authenticating. */
  private sasl: SaslNegotiation | undefined;
  private bindRequest: Element | undefined;
  private closed = false;
  private closedWaiters: (() => void)[] | undefined;
  private readonly trackActivity: boolean;
  private readonly inboundRate: ByteRate | undefined;

  constructor(readonly server: Server, socket: net.Socket, private readonly opts: { secure: boolean; secureContext: tls.SecureContext }) {
    this.socket = socket;
    this.secure = opts.secure;
    const limits = server.config.limits;
    const common = sharedFor(server);
    this.parser = new StreamParser(this, common.parserOptions);
    const loopback = isLoopback(socket.remoteAddress);
    this.trackActivity = limits.idle_timeout_ms > 0;
    this.inboundRate = limits.max_bytes_per_second > 0 ? new ByteRate(limits.max_bytes_per_second) : undefined;
    server.connections.add(this);
    this.attach(socket);
    this.machine = c2sRunner.start(
      this,
      {
        domains: server.domains,
        secure: opts.secure,
        tlsAvailable: !opts.secure,
        requireEncryption: server.config.require_encryption,
        plaintextAllowed: loopback && server.config.allow_plaintext_loopback,
        maxAuthFailures: limits.max_auth_failures,
        streamOpenTimeoutMs: limits.stream_open_timeout_ms,
        authTimeoutMs: limits.auth_timeout_ms,
        idleTimeoutMs: limits.idle_timeout_ms,
        closeTimeoutMs: 2000,
        registrationEnabled: server.config.registration.enabled,
        acceptsElement: common.acceptsElement,
      },
      server.inspector?.connection(this),
    );
  }

  // --- transport ------------------------------------------------------------------------

  /** Bytes from the socket (plain or TLS). */
  received(chunk: Buffer): void {
    this.parser.write(chunk);
    if (this.trackActivity) this.machine.send({ type: "activity" });
    // Over the inbound rate: stop reading for a while rather than buffer (TCP pushes back).
    const pause = this.inboundRate?.take(chunk.length) ?? 0;
    if (pause > 0 && !this.closed) {
      const socket = this.socket;
      socket.pause();
      setTimeout(() => socket.resume(), pause).unref();
    }
  }

  private attach(socket: net.Socket): void {
    own(socket, this);
    socket.on("data", onSocketData);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);
  }

  write(data: string): void {
    if (this.closed || this.socket.destroyed) return;
    // A client that does not read must not grow our memory without bound.
    if (this.socket.writableLength > this.server.config.limits.max_outbound_buffer_bytes) {
      this.server.log.warn("outbound buffer limit reached; disconnecting", { id: this.id, jid: this.jid?.toString() });
      this.destroy();
      return;
    }
    // Everything written in one turn of the event loop leaves in one segment (one syscall).
    if (!this.corked) {
      const socket = (this.corked = this.socket);
      socket.cork();
      process.nextTick(() => {
        this.corked = undefined;
        socket.uncork();
      });
    }
    this.socket.write(data);
  }

  writeEl(el: Element): void {
    this.write(serialize(el, "jabber:client"));
  }

  /** RoutedSession / Session: a stanza for this client. */
  deliver(stanza: Element): void {
    this.writeEl(stanza);
  }

  send(stanza: Element): void {
    this.writeEl(stanza);
  }

  socketClosed(): void {
    this.closed = true;
    this.machine.send({ type: "socket.closed" });
    this.server.connections.delete(this);
    this.machine.stop();
    const waiters = this.closedWaiters ?? [];
    this.closedWaiters = undefined;
    for (const resolve of waiters) resolve();
  }

  /** A bug in one connection's actions ends that connection, never the process. */
  crashed(err: unknown): void {
    this.server.log.error("connection failed", { id: this.id, jid: this.jid?.toString(), error: err instanceof Error ? err.stack ?? err.message : String(err) });
    if (!this.closed) this.write(serialize(new StreamError("internal-server-error").toElement()) + STREAM_CLOSE);
    this.destroy();
  }

  /** Graceful close (server shutdown): `<system-shutdown/>`; resolves once the socket is gone. */
  shutdown(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const gone = new Promise<void>((resolve) => (this.closedWaiters ??= []).push(resolve));
    this.machine.send({ type: "server.shutdown" });
    return gone;
  }

  destroy(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    // Give the queued writes (our </stream:stream>) a moment, then make sure it is gone.
    setTimeout(() => this.socket.destroy(), 500).unref();
  }

  // --- stream (the parser's callbacks) --------------------------------------------------

  onStreamStart({ attrs }: StreamHeader): void {
    // RFC 6120 §4.9.3.10: a c2s stream's content namespace is jabber:client.
    if (attrs.xmlns !== "jabber:client") {
      this.machine.send({ type: "stream.error", condition: "invalid-namespace", text: "expected jabber:client" });
      return;
    }
    this.machine.send({ type: "stream.open", attrs });
  }

  onStanza(stanza: Element): void {
    this.machine.send({ type: "stanza", stanza });
  }

  onStreamEnd(): void {
    this.machine.send({ type: "stream.close" });
  }

  onError(err: StreamError): void {
    this.unreadable = true;
    this.machine.send({ type: "stream.error", condition: err.condition, text: err.text });
  }

  private header(domain: string | undefined): string {
    return streamHeader({ from: domain ?? this.server.domains[0], id: randomBytes(8).toString("hex"), version: "1.0", "xml:lang": "en" });
  }

  sendHeaderAndFeatures(context: ConnectionContext): void {
    this.headerSent = true;
    this.write(this.header(context.domain) + serialize(this.features(context), "jabber:client"));
  }

  /** The features for the current stage (RFC 6120 §4.3.2), strongest mechanisms first. */
  private features(context: ConnectionContext): Element {
    const features = new Element("stream:features");
    if (!context.authenticated) {
      const mustTls = !context.secure && context.tlsAvailable && context.requireEncryption && !context.plaintextAllowed;
      if (!context.secure && context.tlsAvailable) {
        const starttls = features.c("starttls", { xmlns: NS_TLS });
        if (mustTls) starttls.c("required");
      }
      if (context.secure || !context.requireEncryption || context.plaintextAllowed) {
        features.cnode(mechanismsElement(offeredMechanisms(saslOptions(this.server, context))));
        if (context.registrationEnabled) features.c("register", { xmlns: NS_REGISTER_FEATURE });
      }
      return features;
    }
    features.c("bind", { xmlns: NS_BIND });
    // RFC 3921 session establishment, kept for old clients; RFC 6121 says it is optional.
    features.c("session", { xmlns: NS_SESSION }).c("optional");
    for (const feature of this.server.streamFeatures) {
      const el = feature(this);
      if (el) features.cnode(el);
    }
    return features;
  }

  closeStream(error: { condition: StreamCondition; text?: string } | undefined): void {
    // RFC 6120 §4.9.1.2: an error while the stream is being set up still comes after our header.
    let out = this.headerSent ? "" : this.header(undefined);
    this.headerSent = true;
    if (error) out += serialize(new StreamError(error.condition, error.text).toElement());
    this.write(out + STREAM_CLOSE);
    // RFC 6120 §4.4 has us wait for the peer's closing tag — pointless when we cannot parse it.
    if (this.unreadable) this.destroy();
  }

  startTls(): void {
    this.write(`<proceed xmlns='${NS_TLS}'/>`);
    const raw = this.socket;
    raw.removeListener("data", onSocketData);
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.opts.secureContext });
    secure.once("secure", () => {
      this.secure = true;
      this.machine.send({ type: "tls.established" });
    });
    secure.once("error", (err) => this.machine.send({ type: "tls.failed", reason: err.message }));
    own(secure, this);
    secure.on("data", onSocketData);
    this.socket = secure;
  }

  // --- SASL (RFC 6120 §6): actors/c2s-sasl.ts ------------------------------------------

  saslStart(auth: Element): void {
    this.sasl ??= new SaslNegotiation(this.server, this.socket.remoteAddress ?? "?", this.id, (event) => this.machine.send(event));
    this.sasl.start(auth, { ...this.machine.getSnapshot().context, secure: this.secure });
  }

  saslResponse(response: Element): void {
    this.sasl?.respond(response);
  }

  saslSucceeded(data: string | undefined): void {
    this.sasl = undefined; // an authenticated stream keeps nothing of its SASL exchange
    this.writeEl(saslElement("success", data));
  }

  saslFailed(condition: string, text?: string): void {
    this.sasl?.abandon();
    this.writeEl(saslFailureElement(condition, text));
  }

  // --- in-band registration (XEP-0077) ---------------------------------------------------

  handleRegistration(iq: Element): void {
    void answerRegistration(this.server, iq).then((answer) => this.writeEl(answer));
  }

  /** Closes the stream with a stream error, e.g. XEP-0077 §3.2 after the account was removed. */
  streamError(condition: StreamCondition, text?: string): void {
    this.machine.send({ type: "stream.error", condition, text });
  }

  // --- resource binding (RFC 6120 §7) -----------------------------------------------------

  bind(iq: Element): void {
    this.bindRequest = iq;
    const { username, domain } = this.machine.getSnapshot().context;
    const requested = iq.getChild("bind", NS_BIND)?.getChildText("resource")?.trim();
    let jid: Jid;
    try {
      // §7.6: the client's resource, or one we generate.
      jid = new Jid(detached(username!), domain!, requested ? detached(requested) : randomBytes(6).toString("hex"));
    } catch (err) {
      // §7.7.2.1: a resource that cannot be processed → bad-request.
      const text = err instanceof JidError ? err.message : "bad resource";
      return void this.machine.send({ type: "bind.failure", condition: "bad-request", text });
    }
    this.jid = jid;
    if (this.server.router.bind(this, this.server.config.bind.on_conflict) === "conflict") {
      return void this.machine.send({ type: "bind.failure", condition: "conflict" });
    }
    this.machine.send({ type: "bind.success", jid: jid.toString() });
  }

  sendBindResult(): void {
    const result = new Element("iq", { type: "result", id: this.bindRequest!.attrs.id });
    result.c("bind", { xmlns: NS_BIND }).c("jid").t(this.jid.toString());
    this.bindRequest = undefined; // an idle session keeps nothing of its negotiation
    this.writeEl(result);
  }

  sendBindError(condition: string, text?: string): void {
    this.writeEl(errorReply(this.bindRequest!, new StanzaError(condition as never, text)));
  }

  /** RFC 6120 §7.7.2.2 with the "replace" policy: the older session is closed with conflict. */
  replaced(): void {
    this.machine.send({ type: "stream.error", condition: "conflict", text: "replaced by a new session" });
  }

  sessionStarted(): void {
    this.server.log.debug("session started", { id: this.id, jid: this.jid.toString() });
    this.server.emit("session.started", this);
  }

  sessionEnded(): void {
    this.server.router.unbind(this);
    this.queue?.clear();
    this.server.emit("session.ended", this);
  }

  // --- stanzas ----------------------------------------------------------------------------

  enqueue(stanza: Element): void {
    // RFC 6120 §8.1.2.1: the server stamps `from` with the sender's full JID.
    stanza.attrs.from = this.jid.toString();
    (this.queue ??= new OrderedQueue<Element>((item, done) => this.process(item, done))).push(stanza);
  }

  private process(stanza: Element, done: () => void): void {
    const to = stanza.attrs.to;
    if (to !== undefined && Jid.tryParse(to) === null) {
      this.reject(stanza, new StanzaError("jid-malformed", `bad 'to' address`));
      return done();
    }
    const phase = this.server.registry.match(stanza);
    if (!phase) {
      // RFC 6120 §8.4: an IQ get/set nobody handles gets service-unavailable; the rest is routed.
      if (stanza.name === "iq" && (stanza.attrs.type === "get" || stanza.attrs.type === "set") && (!to || to === this.jid.toBareString() || this.server.domains.includes(to))) {
        this.reject(stanza, new StanzaError("service-unavailable"));
      } else if (to && !this.server.domains.includes(to)) this.server.route(stanza);
      return done();
    }
    const inspected = this.server.inspector?.chain(this, stanza, phase.name);
    runChain({
      phase,
      stanza,
      session: this as Session,
      registry: this.server.registry,
      jobs: this.server.pool,
      trace: inspected !== undefined,
      onDone: (output) => {
        inspected?.(output);
        this.chainDone(stanza, output);
        // A client waiting on its own queued stanzas is not idle.
        if (this.trackActivity && !this.closed) this.machine.send({ type: "activity" });
        done();
      },
    });
  }

  private chainDone(stanza: Element, output: ChainOutput): void {
    for (const out of output.outputs) {
      if (out instanceof Element) this.server.route(out);
    }
    if (output.error !== undefined) {
      if (!(output.error instanceof StanzaError) && !(output.error instanceof JidError)) {
        this.server.log.error("handler failed", { jid: this.jid.toString(), stanza: stanza.name, error: String(output.error) });
      }
      this.reject(stanza, toStanzaError(output.error));
    }
  }

  private reject(stanza: Element, error: StanzaError): void {
    if (mayReplyWithError(stanza)) this.writeEl(errorReply(stanza, error));
  }
}

/**
 * A copy of `s` that shares no memory with the input it was sliced from: a bound JID lives as
 * long as the session, and a slice would keep the whole received chunk alive with it.
 */
function detached(s: string): string {
  return Buffer.from(s, "utf8").toString("utf8");
}

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1" || (address?.startsWith("127.") ?? false);
}
