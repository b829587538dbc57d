// A minimal XMPP client connection over raw sockets for load generation: stream negotiation
// (RFC 6120 §4), optional STARTTLS (§5), SASL PLAIN or SCRAM (§6), resource binding (§7).
// Deliberately thin: no reconnects, no stream management, no JID validation.
import net from "node:net";
import tls from "node:tls";
import { StringDecoder } from "node:string_decoder";
import type { Element } from "ltx";
import { createStreamReader } from "./xml-stream.js";
import { SCRAM_HASHES, ScramClient } from "./scram-client.js";

export type Mechanism = "PLAIN" | "SCRAM-SHA-1" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

export interface LoginOptions {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  mechanism: Mechanism;
  /** Negotiate STARTTLS before authenticating (certificate not verified: loopback benches only). */
  tls?: boolean;
  resource?: string;
  /** Each negotiation step must finish within this (default 20 s). */
  stepTimeoutMs?: number;
}

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";
const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const NS_SESSION = "urn:ietf:params:xml:ns:xmpp-session";

type Match = (el: Element) => boolean;
interface Waiter {
  match: Match;
  resolve: (el: Element) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class XmppConnection {
  socket: net.Socket;
  jid = "";
  /** After login, stanzas no waiter claims go here (or queue up in `inbox` when unset). */
  onStanza: ((el: Element) => void) | undefined;
  readonly inbox: Element[] = [];
  #waiters: Waiter[] = [];
  #decoder = new StringDecoder("utf8");
  #reader = this.#newReader();
  #closed = false;
  #closedPromise: Promise<void>;
  #streamClosed = false;

  private constructor(socket: net.Socket, private readonly domain: string) {
    this.socket = socket;
    this.#closedPromise = new Promise((resolve) => socket.once("close", () => resolve()));
    this.#attach(socket);
  }

  static connect(host: string, port: number, domain: string, timeoutMs = 20_000): Promise<XmppConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      const timer = setTimeout(() => (socket.destroy(), reject(new Error("connect timeout"))), timeoutMs);
      socket.once("error", (err) => (clearTimeout(timer), reject(err)));
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new XmppConnection(socket, domain));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(xml: string): void {
    if (!this.#closed) this.socket.write(xml);
  }

  /** The next element matching `match` (from the inbox first), or an error after `timeoutMs`. */
  next(match: Match = () => true, timeoutMs = 20_000): Promise<Element> {
    const index = this.inbox.findIndex(match);
    if (index >= 0) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    if (this.#closed) return Promise.reject(new Error("connection closed"));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
          reject(new Error(`timeout after ${timeoutMs} ms waiting for an element`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Sends an IQ and waits for its result (an error response rejects). */
  async iq(xml: string, id: string, timeoutMs = 20_000): Promise<Element> {
    const response = this.next((el) => el.name === "iq" && el.attrs.id === id, timeoutMs);
    this.send(xml);
    const el = await response;
    if (el.attrs.type !== "result") throw new Error(`iq ${id} failed: ${el.toString()}`);
    return el;
  }

  openStream(): void {
    this.#reader = this.#newReader();
    this.send(
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${this.domain}' version='1.0'>`,
    );
  }

  /** RFC 6120 §5.4.3.3: after <proceed/>, TLS on the same socket, then a fresh stream. */
  async startTls(timeoutMs: number): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners("data");
    raw.removeAllListeners("close");
    const secure = tls.connect({ socket: raw, servername: this.domain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("TLS handshake timeout")), timeoutMs);
      secure.once("secureConnect", () => (clearTimeout(timer), resolve()));
      secure.once("error", (err) => (clearTimeout(timer), reject(err)));
    });
    secure.removeAllListeners("error");
    this.socket = secure;
    this.#decoder = new StringDecoder("utf8");
    this.#closedPromise = new Promise((resolve) => secure.once("close", () => resolve()));
    this.#attach(secure);
  }

  /** RFC 6120 §4.4: close our stream, wait (briefly) for the peer's, then drop the socket. */
  async close(waitMs = 2_000): Promise<void> {
    if (this.#closed) return;
    if (!this.#streamClosed) this.socket.write("</stream:stream>");
    const timer = setTimeout(() => this.socket.destroy(), waitMs);
    await this.#closedPromise;
    clearTimeout(timer);
  }

  destroy(): void {
    this.socket.destroy();
  }

  #newReader() {
    return createStreamReader({
      onStreamOpen: () => {},
      onElement: (el) => this.#dispatch(el),
      onStreamClose: () => {
        this.#streamClosed = true;
        this.socket.end();
      },
    });
  }

  #attach(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => this.#reader.write(this.#decoder.write(chunk)));
    socket.on("error", () => {});
    socket.once("close", () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error("connection closed"));
      }
    });
  }

  #dispatch(el: Element): void {
    for (let i = 0; i < this.#waiters.length; i++) {
      const w = this.#waiters[i];
      if (w.match(el)) {
        this.#waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(el);
        return;
      }
    }
    if (this.onStanza) this.onStanza(el);
    else this.inbox.push(el);
  }
}

const isFeatures: Match = (el) => el.name === "stream:features" || el.name === "features";

/** Connect, (STARTTLS), authenticate, restart, bind: a session ready for stanzas. */
export async function login(opts: LoginOptions): Promise<XmppConnection> {
  const step = opts.stepTimeoutMs ?? 20_000;
  const conn = await XmppConnection.connect(opts.host, opts.port, opts.domain, step);
  try {
    conn.openStream();
    let features = await conn.next(isFeatures, step);
    if (opts.tls) {
      if (!features.getChild("starttls", NS_TLS)) throw new Error("server does not offer STARTTLS");
      const proceed = conn.next((el) => el.attrs.xmlns === NS_TLS, step);
      conn.send(`<starttls xmlns='${NS_TLS}'/>`);
      if ((await proceed).name !== "proceed") throw new Error("STARTTLS refused");
      await conn.startTls(step);
      conn.openStream();
      features = await conn.next(isFeatures, step);
    }
    await authenticate(conn, features, opts, step);
    conn.openStream();
    features = await conn.next(isFeatures, step);
    const resource = opts.resource ?? `load-${Math.random().toString(36).slice(2, 10)}`;
    const bound = await conn.iq(
      `<iq type='set' id='bind'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`,
      "bind",
      step,
    );
    conn.jid = bound.getChild("bind", NS_BIND)?.getChildText("jid") ?? "";
    // RFC 3921 §3 session establishment: only servers that still require it (no <optional/>).
    const session = features.getChild("session", NS_SESSION);
    if (session && !session.getChild("optional")) {
      await conn.iq(`<iq type='set' id='sess'><session xmlns='${NS_SESSION}'/></iq>`, "sess", step);
    }
    return conn;
  } catch (err) {
    conn.destroy();
    throw err;
  }
}

async function authenticate(conn: XmppConnection, features: Element, opts: LoginOptions, step: number): Promise<void> {
  const offered = (features.getChild("mechanisms", NS_SASL)?.getChildren("mechanism") ?? []).map((m) => m.getText());
  if (!offered.includes(opts.mechanism)) throw new Error(`${opts.mechanism} not offered (offered: ${offered.join(" ")})`);
  const saslReply = () => conn.next((el) => el.attrs.xmlns === NS_SASL, step);
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const fail = (el: Element) => new Error(`SASL ${opts.mechanism} failed: ${el.toString()}`);

  if (opts.mechanism === "PLAIN") {
    // RFC 4616 §2: message = [authzid] NUL authcid NUL passwd
    const reply = saslReply();
    conn.send(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${b64(`\0${opts.username}\0${opts.password}`)}</auth>`);
    const el = await reply;
    if (el.name !== "success") throw fail(el);
    return;
  }
  const scram = new ScramClient(SCRAM_HASHES[opts.mechanism], opts.username, opts.password);
  let reply = saslReply();
  conn.send(`<auth xmlns='${NS_SASL}' mechanism='${opts.mechanism}'>${b64(scram.first())}</auth>`);
  const challenge = await reply;
  if (challenge.name !== "challenge") throw fail(challenge);
  reply = saslReply();
  conn.send(`<response xmlns='${NS_SASL}'>${b64(scram.final(Buffer.from(challenge.getText(), "base64").toString()))}</response>`);
  const success = await reply;
  if (success.name !== "success") throw fail(success);
  if (!scram.verify(Buffer.from(success.getText(), "base64").toString())) throw new Error("server signature mismatch");
}
