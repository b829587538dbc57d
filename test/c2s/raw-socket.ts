import net from "node:net";
import tls from "node:tls";
import { StringDecoder } from "node:string_decoder";

export const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
export const NS_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";
export const NS_TLS = "urn:ietf:params:xml:ns:xmpp-tls";

/** A client stream header, as a raw string (tests break it on purpose). */
export function header(attrs: { to?: string; xmlns?: string; streamNs?: string; version?: string } = {}): string {
  const to = attrs.to === undefined ? "" : ` to='${attrs.to}'`;
  return `<?xml version='1.0'?><stream:stream xmlns='${attrs.xmlns ?? "jabber:client"}' xmlns:stream='${attrs.streamNs ?? "http://etherx.jabber.org/streams"}'${to} version='${attrs.version ?? "1.0"}'>`;
}

export const auth = (mechanism: string, initial?: string) =>
  `<auth xmlns='${NS_SASL}' mechanism='${mechanism}'>${initial ?? ""}</auth>`;

export const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString("base64");

/** `<stream:error><condition/>…</stream:error>` exactly as the server writes it, up to the optional text. */
export const streamErrorStart = (condition: string) => `<stream:error><${condition} xmlns='${NS_STREAMS}'/>`;

/**
 * A byte-level client: writes what the test says and keeps every byte the server sends, so
 * tests assert on the exact output and on when the server closes the socket.
 */
export class RawSocket {
  /** Everything received so far, decoded as UTF-8. */
  received = "";
  readonly closed: Promise<void>;
  private socket: net.Socket;
  private watchers: (() => void)[] = [];
  private isClosed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once("close", () => {
      this.isClosed = true;
      resolve();
      this.notify();
    }));
    socket.on("error", () => {});
    this.listen(socket);
  }

  static async connect(port: number): Promise<RawSocket> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return new RawSocket(socket);
  }

  /** Direct TLS (XEP-0368), the self-signed test certificate accepted. */
  static async connectTls(port: number): Promise<RawSocket> {
    const socket = tls.connect({ port, host: "127.0.0.1", servername: "localhost", rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    return new RawSocket(socket);
  }

  /** Stops reading: the peer's writes pile up (a client that does not read). */
  pauseReading(): void {
    this.socket.pause();
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  write(data: string): this {
    this.socket.write(data);
    return this;
  }

  /** Resolves with all output once it contains `expected` (a string or pattern). */
  until(expected: string | RegExp, timeoutMs = 3000): Promise<string> {
    const matches = () => (typeof expected === "string" ? this.received.includes(expected) : expected.test(this.received));
    return new Promise((resolve, reject) => {
      const check = () => {
        if (matches()) {
          done();
          resolve(this.received);
        } else if (this.isClosed) {
          done();
          reject(new Error(`connection closed without ${String(expected)}; received:\n${this.received}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${String(expected)} within ${timeoutMs} ms; received:\n${this.received}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.watchers = this.watchers.filter((w) => w !== check);
      };
      this.watchers.push(check);
      check();
    });
  }

  /** Output received after `marker` (its last occurrence so far). */
  after(marker: string): string {
    const i = this.received.lastIndexOf(marker);
    if (i === -1) throw new Error(`${marker} not received; received:\n${this.received}`);
    return this.received.slice(i + marker.length);
  }

  /** Resolves once the server has closed the connection, rejects if it is still open after `ms`. */
  closedWithin(ms = 3000): Promise<void> {
    return Promise.race([
      this.closed,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms; received:\n${this.received}`)), ms).unref()),
    ]);
  }

  /** STARTTLS upgrade of this socket (self-signed server certificate accepted). */
  async startTls(): Promise<void> {
    this.socket.removeListener("data", this.onData);
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false, servername: "localhost" });
    await new Promise<void>((resolve, reject) => secure.once("secureConnect", resolve).once("error", reject));
    secure.on("error", () => {});
    this.listen(secure);
    this.socket = secure;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private readonly decoder = new StringDecoder("utf8"); // a character may span two chunks
  private readonly onData = (chunk: Buffer) => {
    this.received += this.decoder.write(chunk);
    this.notify();
  };

  private listen(socket: net.Socket): void {
    socket.on("data", this.onData);
  }

  private notify(): void {
    for (const check of [...this.watchers]) check();
  }
}

export const NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind";

/**
 * PLAIN login on a raw socket (the test server allows it on loopback): stream, auth, restart,
 * and a bind for `resource` unless it is null. Resolves with the socket, output so far kept.
 */
export async function rawLogin(port: number, user: string, resource: string | null = "raw"): Promise<RawSocket> {
  const raw = await RawSocket.connect(port);
  await raw.write(header({ to: "localhost" })).until("</stream:features>");
  raw.write(auth("PLAIN", plain(user, `pw-${user}`)));
  await raw.until(`<success xmlns='${NS_SASL}'/>`);
  raw.received = "";
  await raw.write(header({ to: "localhost" })).until("</stream:features>");
  if (resource !== null) {
    raw.write(`<iq type='set' id='bind-1'><bind xmlns='${NS_BIND}'><resource>${resource}</resource></bind></iq>`);
    await raw.until(/<iq [^>]*id='bind-1'[^>]*>.*?<\/iq>|<iq [^>]*id='bind-1'[^>]*\/>/);
  }
  return raw;
}
