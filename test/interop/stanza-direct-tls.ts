// StanzaJS ships only the WebSocket (RFC 7395) and BOSH transports. This is the smallest transport
// that lets it speak RFC 6120 TCP framing instead — `<stream:stream>` around the stanzas — over
// Direct TLS (XEP-0368). It only moves bytes: stream features, SASL, bind and stanzas are all
// StanzaJS's own code. Modelled on stanza/transports/websocket.js.
import tls from "node:tls";
import { Duplex } from "node:stream";
import { JXT, type Agent, type Transport, type TransportConfig } from "stanza";
import type { Stream } from "stanza/protocol/index.js";

const NS_STREAM = "http://etherx.jabber.org/streams";

interface ParsedEvent {
  event?: "stream-start" | "stream-end";
  kind: string;
  stanza: unknown;
}

export class DirectTlsTransport extends Duplex implements Transport {
  hasStream = false;
  stream?: Stream;
  authenticated?: boolean;
  private socket: tls.TLSSocket | undefined;
  private parser: JXT.StreamParser | undefined;
  private config!: TransportConfig;
  private closing = false;

  constructor(private readonly client: Agent, _sm: unknown, private readonly stanzas: JXT.Registry) {
    super({ objectMode: true });
    this.on("data", (e: ParsedEvent) => this.client.emit("stream:data", e.stanza, e.kind));
    this.on("error", () => this.end());
  }

  override _read(): void {}

  override _write(chunk: string, _encoding: string, done: (err?: Error) => void): void {
    if (!this.socket || this.socket.destroyed) return done(new Error("socket closed"));
    this.client.emit("raw", "outgoing", chunk.toString());
    this.socket.write(chunk, () => done());
  }

  /** `opts.url` is `xmpps://host:port`; the certificate is not verified (test servers are self-signed). */
  connect(opts: TransportConfig): void {
    this.config = opts;
    const url = new URL(opts.url!);
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      servername: opts.server,
      rejectUnauthorized: false,
      ALPNProtocols: ["xmpp-client"], // XEP-0368 §3
    });
    this.socket = socket;
    socket.once("secureConnect", () => {
      this.client.emit("connected");
      this.restart();
    });
    socket.on("data", (data: Buffer) => {
      const text = data.toString("utf8");
      this.client.emit("raw", "incoming", text);
      this.parser?.write(text);
    });
    socket.on("error", () => {});
    socket.once("close", () => {
      this.socket = undefined;
      this.push(null);
      if (this.client.transport === this) this.client.emit("--transport-disconnected");
    });
  }

  /** A new stream on the same connection (after SASL): a fresh parser and a new header (RFC 6120 §4.3.3). */
  restart(): void {
    this.hasStream = false;
    this.parser = new JXT.StreamParser({
      acceptLanguages: this.config.acceptLanguages,
      allowComments: false,
      lang: this.config.lang,
      registry: this.stanzas,
      wrappedStream: true,
      rootKey: "stream",
    });
    this.parser.on("data", (e: ParsedEvent) => {
      if (e.event === "stream-start") {
        this.hasStream = true;
        this.stream = e.stanza as Stream;
        this.client.emit("stream:start", this.stream);
      } else if (e.event === "stream-end") {
        this.client.emit("stream:end");
        this.disconnect();
      } else {
        this.push(e);
      }
    });
    this.parser.on("error", (err: Error) => {
      this.client.emit("stream:error", { condition: "invalid-xml" }, err);
      this.disconnect(false);
    });
    this.write(
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' to='${this.config.server}' version='1.0' xml:lang='${this.config.lang ?? "en"}'>`,
    );
  }

  /** RFC 6120 §4.4: our closing tag, then (after the peer's, or a second) the connection. */
  disconnect(clean = true): void {
    if (clean && this.socket && !this.closing && this.hasStream) {
      this.closing = true;
      this.write("</stream:stream>");
      setTimeout(() => this.socket?.destroy(), 1000).unref();
      return;
    }
    this.hasStream = false;
    this.socket?.end();
  }

  async send(name: string, data?: JXT.JSONData): Promise<void> {
    const output = data ? this.stanzas.export(name, data)?.toString() : undefined;
    if (!output) return;
    await new Promise<void>((resolve, reject) => this.write(output, "utf8", (err) => (err ? reject(err) : resolve())));
  }
}
