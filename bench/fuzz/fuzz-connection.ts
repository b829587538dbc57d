// One fuzzing connection: writes whatever it is given, parses what the server sends back, and
// judges how the connection ended. The server's own output must always be well-formed XML.
import net from "node:net";
import type { Element } from "ltx";
import { NS_STREAM_ERRORS, STREAM_CONDITIONS } from "../../src/errors.js";
import { StreamParser, streamHeader } from "../../src/xml/index.js";

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const BIND = "urn:ietf:params:xml:ns:xmpp-bind";
const DEFINED = new Set<string>(STREAM_CONDITIONS);

/** How a connection ended (or that it still works). */
export type Outcome =
  | { ok: true; kind: "working" | "closed-cleanly" | "client-abort" }
  | { ok: true; kind: "stream-error"; condition: string }
  | { ok: false; kind: "bad-stream-error" | "abrupt-close" | "no-close-after-error" | "hung" | "bad-server-xml" | "unexpected"; detail: string };

export class FuzzConnection {
  readonly received: Element[] = [];
  streamError: Element | undefined;
  serverXmlError: string | undefined;
  serverClosedStream = false;
  /** The <text/> of the stream error, if any (for reports). */
  errorText: string | undefined;
  closed = false;
  private socket!: net.Socket;
  private waiters: { match: (el: Element) => boolean; resolve: (el: Element | undefined) => void }[] = [];
  private closeWaiters: (() => void)[] = [];
  private probeId = 0;
  private readonly parser = new StreamParser(
    {
      onStreamStart: () => {},
      onStanza: (el) => this.receive(el),
      onStreamEnd: () => (this.serverClosedStream = true),
      onError: (err) => (this.serverXmlError = `${err.condition}: ${err.message}`),
    },
    { maxStanzaBytes: 1 << 24, maxDepth: 1 << 10 },
  );

  constructor(readonly opts: { host: string; port: number; domain: string }) {}

  async connect(): Promise<void> {
    this.socket = net.connect(this.opts.port, this.opts.host);
    this.socket.setNoDelay(true);
    this.socket.on("data", (d) => this.parser.write(d));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.resolve(undefined);
      for (const w of this.closeWaiters.splice(0)) w();
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
  }

  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** Writes in random small pieces (the parser must not care where a chunk ends). */
  async writeSplit(data: string, random: () => number): Promise<void> {
    const bytes = Buffer.from(data);
    for (let at = 0; at < bytes.length && !this.closed; ) {
      const n = 1 + Math.floor(random() * 64);
      this.write(bytes.subarray(at, at + n));
      at += n;
      if (random() < 0.2) await new Promise((r) => setImmediate(r));
    }
  }

  /** The first stanza (buffered or future) that matches; undefined on close or timeout. */
  next(match: (el: Element) => boolean, timeoutMs: number): Promise<Element | undefined> {
    const i = this.received.findIndex(match);
    if (i >= 0) return Promise.resolve(this.received.splice(i, 1)[0]);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (el: Element | undefined) => {
          clearTimeout(timer);
          resolve(el);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  openStream(): Promise<Element | undefined> {
    this.parser.reset();
    this.write(streamHeader({ to: this.opts.domain, version: "1.0" }));
    return this.next((el) => el.name === "stream:features", 5000);
  }

  /** PLAIN + bind (+ no presence: the fuzz sessions stay unavailable). True when bound. */
  async login(username: string, password: string, timeoutMs = 5000): Promise<boolean> {
    if (!(await this.openStream())) return false;
    return this.authenticateAndBind(username, password, timeoutMs);
  }

  async authenticateAndBind(username: string, password: string, timeoutMs = 5000): Promise<boolean> {
    this.write(`<auth xmlns='${SASL}' mechanism='PLAIN'>${Buffer.from(`\0${username}\0${password}`).toString("base64")}</auth>`);
    const result = await this.next((el) => el.getNS() === SASL && (el.name === "success" || el.name === "failure"), timeoutMs);
    if (result?.name !== "success") return false;
    if (!(await this.openStream())) return false;
    this.write(`<iq type='set' id='bind'><bind xmlns='${BIND}'/></iq>`);
    const bound = await this.next((el) => el.name === "iq" && el.attrs.id === "bind", timeoutMs);
    return bound?.attrs.type === "result";
  }

  /**
   * Alive: an IQ get to an unknown namespace gets its one (error) response (RFC 6120 §8.2.3).
   * While waiting, a space a second (RFC 6120 §4.6.1 whitespace keepalive) so that a long wait
   * behind our own queued stanzas doesn't count as idleness.
   */
  async probe(timeoutMs: number): Promise<boolean> {
    const id = `probe-${++this.probeId}`;
    this.write(`<iq type='get' id='${id}' to='${this.opts.domain}'><query xmlns='urn:fuzz:probe'/></iq>`);
    const keepalive = setInterval(() => this.write(" "), 1000);
    try {
      const res = await this.next((el) => el.name === "iq" && el.attrs.id === id, timeoutMs);
      return res?.attrs.type === "error";
    } finally {
      clearInterval(keepalive);
    }
  }

  waitClosed(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.closeWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  destroy(): void {
    this.socket?.destroy();
  }

  /**
   * Waits (up to `timeoutMs`) for the connection to end and judges it. RFC 6120 §4.9.1.1: a
   * stream error is followed by the closing stream tag and the end of the TCP connection;
   * §4.9.3: its condition is one defined child in the streams namespace (plus optional <text/>).
   * With `weClosed` (we sent </stream:stream>), a close without error is fine (§4.4).
   */
  async outcome(timeoutMs: number, weClosed: boolean): Promise<Outcome> {
    const closedInTime = await this.waitClosed(timeoutMs);
    if (this.serverXmlError) return { ok: false, kind: "bad-server-xml", detail: this.serverXmlError };
    if (this.streamError) {
      const conditions = this.streamError.children.filter((c): c is Element => typeof c !== "string" && c.name !== "text");
      const [c] = conditions;
      if (conditions.length !== 1 || c.getNS() !== NS_STREAM_ERRORS || !DEFINED.has(c.name)) {
        return { ok: false, kind: "bad-stream-error", detail: this.streamError.toString() };
      }
      if (!closedInTime) return { ok: false, kind: "no-close-after-error", detail: c.name };
      this.errorText = this.streamError.getChildText("text", NS_STREAM_ERRORS) ?? undefined;
      return { ok: true, kind: "stream-error", condition: c.name };
    }
    if (!closedInTime) return { ok: false, kind: "hung", detail: `open after ${timeoutMs} ms` };
    if (weClosed) return { ok: true, kind: "closed-cleanly" };
    return { ok: false, kind: "abrupt-close", detail: this.serverClosedStream ? "</stream:stream> without error" : "TCP closed without stream error" };
  }

  private receive(el: Element): void {
    if (el.name === "stream:error") this.streamError = el;
    const i = this.waiters.findIndex((w) => w.match(el));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(el);
    else if (this.received.length < 1000) this.received.push(el);
  }
}
