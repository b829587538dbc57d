// One lean client session for load and soak runs: plain TCP, PLAIN auth (the server must allow it
// on the address, e.g. `allow_plaintext_loopback`), bind, initial presence, then callbacks.
// Unlike src/testing's TestClient it keeps no inbox: thousands of these run in one process for
// hours, so every stanza goes to `onStanza` and is dropped.
import net from "node:net";
import type { Element } from "ltx";
import { StreamParser, escapeText, streamHeader } from "../../src/xml/index.js";

export interface SoakSessionOptions {
  host: string;
  port: number;
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** Negotiation (connect → bound) must finish within this; default 30 s. */
  timeoutMs?: number;
}

export interface SoakSessionEvents {
  onStanza(el: Element): void;
  /** The stream or socket ended; `error` names why (a stream error condition, or a socket error). */
  onClose(error: string | undefined): void;
}

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
const BIND = "urn:ietf:params:xml:ns:xmpp-bind";

export class SoakSession {
  jid = "";
  private socket!: net.Socket;
  /** During negotiation: the stanza awaited, and how to fail when the connection closes first. */
  private waiter: ((el: Element) => void) | undefined;
  private pendingReject: ((err: Error) => void) | undefined;
  private closeReason: string | undefined;
  private closed = false;
  private established = false;
  private readonly parser = new StreamParser({
    onStreamStart: () => {},
    onStanza: (el) => this.receive(el),
    onStreamEnd: () => this.socket.end(),
    onError: (err) => this.fail(`parse: ${err.condition}`),
  });

  constructor(private readonly opts: SoakSessionOptions, private readonly events: SoakSessionEvents) {}

  /** Connects, authenticates, binds and sends initial presence (RFC 6121 §4.2). */
  async start(): Promise<void> {
    const { host, port, username, password } = this.opts;
    const timer = setTimeout(() => this.fail("negotiation timeout"), this.opts.timeoutMs ?? 30_000);
    try {
      this.socket = net.connect(port, host);
      this.socket.setNoDelay(true);
      this.socket.on("data", (d) => this.parser.write(d));
      this.socket.on("error", (err) => (this.closeReason ??= `socket: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
      this.socket.on("close", () => this.closedNow());
      await this.expect((el) => el.name === "stream:features", () => this.header());
      const auth = Buffer.from(`\0${username}\0${password}`).toString("base64");
      const result = await this.expect((el) => el.getNS() === SASL && (el.name === "success" || el.name === "failure"), () =>
        this.raw(`<auth xmlns='${SASL}' mechanism='PLAIN'>${auth}</auth>`),
      );
      if (result.name !== "success") throw new Error(`auth failed for ${username}: ${result.toString()}`);
      this.parser.reset();
      await this.expect((el) => el.name === "stream:features", () => this.header());
      const resource = this.opts.resource ? `<resource>${escapeText(this.opts.resource)}</resource>` : "";
      const bound = await this.expect((el) => el.name === "iq" && el.attrs.id === "bind", () =>
        this.raw(`<iq type='set' id='bind'><bind xmlns='${BIND}'>${resource}</bind></iq>`),
      );
      const jid = bound.getChild("bind", BIND)?.getChildText("jid");
      if (bound.attrs.type !== "result" || !jid) throw new Error(`bind failed: ${bound.toString()}`);
      this.jid = jid;
      this.established = true;
      this.raw("<presence/>");
    } catch (err) {
      this.socket?.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes raw XML; false once the connection is gone. */
  raw(xml: string): boolean {
    if (this.closed) return false;
    this.socket.write(xml);
    return true;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends the closing tag and waits (bounded) for the server to close. */
  close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.socket.destroy(), resolve()), timeoutMs);
      this.socket.once("close", () => (clearTimeout(timer), resolve()));
      this.closeReason = undefined;
      this.raw("</stream:stream>");
    });
  }

  private header(): void {
    this.raw(streamHeader({ to: this.opts.domain, version: "1.0" }));
  }

  /** Runs `action` and resolves with the first stanza matching `match` (negotiation only). */
  private expect(match: (el: Element) => boolean, action: () => void): Promise<Element> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error(this.closeReason ?? "closed"));
      this.waiter = (el) => {
        if (el.name === "stream:error") return reject(new Error(`stream error: ${el.children.map((c) => (typeof c === "string" ? c : c.name)).join(",")}`));
        if (!match(el)) return;
        this.waiter = undefined;
        resolve(el);
      };
      this.pendingReject = reject;
      action();
    });
  }

  private receive(el: Element): void {
    if (el.name === "stream:error") {
      const condition = el.children.find((c) => typeof c !== "string" && c.name !== "text");
      this.closeReason = `stream error: ${typeof condition === "string" || !condition ? "?" : condition.name}`;
    }
    if (this.waiter) return this.waiter(el);
    if (this.established) this.events.onStanza(el);
  }

  private fail(reason: string): void {
    this.closeReason ??= reason;
    this.socket?.destroy();
  }

  private closedNow(): void {
    if (this.closed) return;
    this.closed = true;
    this.pendingReject?.(new Error(this.closeReason ?? "connection closed"));
    if (this.established) this.events.onClose(this.closeReason);
  }
}
