import net from "node:net";
import { Element } from "ltx";
import { StreamParser, serialize } from "../xml/index.js";
import { Jid } from "../jid.js";

export type StanzaMatcher = ((el: Element) => boolean) | { name?: string; type?: string; id?: string; from?: string; childNs?: string };

/**
 * A raw XMPP client for tests: plain TCP, PLAIN auth on loopback (the test server allows it),
 * bind, then `send` and `next` for scansion-style conversations ("alice sends … / bob receives …").
 * Stanzas are buffered so nothing that arrives between two `next` calls is lost.
 */
export class TestClient {
  jid!: Jid;
  private socket!: net.Socket;
  private readonly inbox: Element[] = [];
  private waiters: { match: (el: Element) => boolean; resolve: (el: Element) => void }[] = [];
  private streamError: Element | undefined;
  private closed = false;
  private closedWaiters: (() => void)[] = [];
  private parser = new StreamParser({
    onStreamStart: () => {},
    onStanza: (el) => this.receive(el),
    onStreamEnd: () => this.socket.end(),
    onError: (err) => this.receive(err.toElement()),
  });
  private id = 0;

  constructor(readonly opts: { host: string; port: number; domain: string }) {}

  /** Connects, opens the stream and waits for the first features. */
  async open(): Promise<Element> {
    this.socket = net.connect(this.opts.port, this.opts.host);
    this.socket.setNoDelay(true);
    this.socket.on("data", (d) => this.parser.write(d));
    this.socket.on("close", () => {
      this.closed = true;
      for (const w of this.closedWaiters.splice(0)) w();
    });
    this.socket.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    return this.restart();
  }

  /** Sends a stream header and returns the features that follow. */
  async restart(): Promise<Element> {
    this.parser.reset();
    this.raw(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${this.opts.domain}' version='1.0'>`);
    return this.next((el) => el.name === "stream:features");
  }

  /** PLAIN auth + bind. */
  async login(username: string, password: string, resource?: string): Promise<this> {
    await this.open();
    this.raw(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${username}\0${password}`).toString("base64")}</auth>`);
    const result = await this.next((el) => el.name === "success" || el.name === "failure");
    if (result.name !== "success") throw new Error(`login failed: ${result.toString()}`);
    await this.restart();
    const bind = new Element("iq", { type: "set", id: "bind" }).c("bind", { xmlns: "urn:ietf:params:xml:ns:xmpp-bind" });
    if (resource) bind.c("resource").t(resource);
    const bound = await this.request(bind.root());
    this.jid = Jid.parse(bound.getChild("bind")!.getChildText("jid")!);
    return this;
  }

  raw(data: string): void {
    this.socket.write(data);
  }

  send(stanza: Element | string): void {
    this.raw(typeof stanza === "string" ? stanza : serialize(stanza, "jabber:client"));
  }

  /** Sends an IQ (an id is added if missing) and resolves with the response. */
  async request(iq: Element, timeoutMs?: number): Promise<Element> {
    iq.attrs.id ??= `t${++this.id}`;
    const id = iq.attrs.id;
    this.send(iq);
    return this.next((el) => el.name === "iq" && el.attrs.id === id && (el.attrs.type === "result" || el.attrs.type === "error"), timeoutMs);
  }

  /** The next stanza that matches (earlier non-matching ones stay buffered). */
  next(matcher: StanzaMatcher = () => true, timeoutMs = 3000): Promise<Element> {
    const match = toPredicate(matcher);
    const index = this.inbox.findIndex(match);
    if (index !== -1) return Promise.resolve(this.inbox.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (el: Element) => { clearTimeout(timer); resolve(el); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching stanza within ${timeoutMs} ms (${describe(matcher)}); received meanwhile:\n${this.inbox.map((e) => "  " + e.toString()).join("\n") || "  nothing"}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Asserts nothing matching arrives within `ms`. */
  async nothing(matcher: StanzaMatcher = () => true, ms = 200): Promise<void> {
    const el = await this.next(matcher, ms).catch(() => undefined);
    if (el) throw new Error(`expected nothing, received ${el.toString()}`);
  }

  /** Resolves when the server closes the connection. */
  closedByServer(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connection still open")), timeoutMs);
      this.closedWaiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.raw("</stream:stream>");
    await this.closedByServer().catch(() => this.socket.destroy());
  }

  private receive(el: Element): void {
    if (el.name === "stream:error") this.streamError = el;
    const i = this.waiters.findIndex((w) => w.match(el));
    if (i === -1) this.inbox.push(el);
    else this.waiters.splice(i, 1)[0].resolve(el);
  }

  get lastStreamError(): Element | undefined {
    return this.streamError;
  }
}

function toPredicate(m: StanzaMatcher): (el: Element) => boolean {
  if (typeof m === "function") return m;
  return (el) =>
    (m.name === undefined || el.name === m.name) &&
    (m.type === undefined || el.attrs.type === m.type) &&
    (m.id === undefined || el.attrs.id === m.id) &&
    (m.from === undefined || el.attrs.from === m.from) &&
    (m.childNs === undefined || el.children.some((c) => typeof c !== "string" && c.getNS() === m.childNs));
}

function describe(m: StanzaMatcher): string {
  return typeof m === "function" ? m.toString().slice(0, 120) : JSON.stringify(m);
}

