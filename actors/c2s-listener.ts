import net from "node:net";
import tls from "node:tls";
import type { Server } from "../src/server.js";
import type { TlsFiles } from "../src/tls/certificate.js";
import { C2SConnection } from "./c2s-connection.js";

export interface C2SListener {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A client listener: plain TCP with STARTTLS (RFC 6120 §5), or Direct TLS (XEP-0368).
 * Enforces the total and per-IP connection limits before any XML is read.
 */
export async function listenC2S(
  server: Server,
  opts: { host: string; port: number; directTls: boolean; tls: TlsFiles },
): Promise<C2SListener> {
  const secureContext = tls.createSecureContext({ cert: opts.tls.cert, key: opts.tls.key });
  const perIp = new Map<string, number>();
  const limits = server.config.limits;

  const accept = (socket: net.Socket, secure: boolean) => {
    const ip = socket.remoteAddress ?? "?";
    const fromIp = perIp.get(ip) ?? 0;
    if (server.connections.size >= limits.max_connections || fromIp >= limits.max_connections_per_ip) {
      server.log.warn("connection refused: limit reached", { ip, total: server.connections.size, fromIp });
      socket.destroy();
      return;
    }
    perIp.set(ip, fromIp + 1);
    socket.once("close", () => {
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n === 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
    socket.setNoDelay(true);
    new C2SConnection(server, socket, { secure, secureContext });
  };

  const listener = opts.directTls
    ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, ALPNProtocols: ["xmpp-client"] }, (s) => accept(s, true))
    : net.createServer((s) => accept(s, false));
  listener.on("tlsClientError", (err: Error) => server.log.debug("TLS handshake failed", { error: err.message }));
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(opts.port, opts.host, () => resolve());
  });
  const address = listener.address() as net.AddressInfo;
  return {
    port: address.port,
    // Stops accepting at once. Not `close(callback)`: that waits for every open connection to
    // end, and closing those (with <system-shutdown/>) is what the caller does next.
    close: async () => void listener.close(),
  };
}
