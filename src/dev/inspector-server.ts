import http from "node:http";
import type { AddressInfo } from "node:net";
import { machines } from "../../machines/index.js";
import { defineModule } from "../module.js";
import type { Server } from "../server.js";
import { chartModel } from "./chart-model.js";
import { toSvg } from "./chart-svg.js";
import { Inspector, type InspectorEvent } from "./inspector.js";
import { INSPECTOR_HTML, INSPECTOR_JS } from "./inspector-page.js";

/** The port `tjabberd serve --inspect` uses when none is given. */
export const DEFAULT_INSPECT_PORT = 8199;
const HOST = "127.0.0.1";

export interface InspectorHandle {
  inspector: Inspector;
  port: number;
  /** The page's address, e.g. http://127.0.0.1:8199/ */
  url: string;
  close(): Promise<void>;
}

export interface StartInspectorOptions {
  /** 0 picks a free port. Default DEFAULT_INSPECT_PORT. */
  port?: number;
  /** How often the page gets the worker pool's stats. */
  poolIntervalMs?: number;
}

/**
 * Turns live inspection on for a server and serves the inspector page on 127.0.0.1 (never on
 * another interface: it shows stanzas). Connections opened from now on are inspected; the page
 * follows them over Server-Sent Events. Closes itself when the server stops.
 */
export async function startInspector(server: Server, opts: StartInspectorOptions = {}): Promise<InspectorHandle> {
  const inspector = new Inspector({ poolStats: () => server.pool?.stats() });
  const streams = new Set<http.ServerResponse>();
  const charts = new Map<string, string>();
  const httpServer = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port ?? DEFAULT_INSPECT_PORT, HOST, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const allowedHosts = new Set([`${HOST}:${port}`, `localhost:${port}`]);
  const poolTimer = setInterval(() => inspector.listenerCount > 0 && inspector.publishPool(), opts.poolIntervalMs ?? 1000);
  poolTimer.unref();

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Only pages loaded from this address: a foreign site resolving its name to 127.0.0.1
    // (DNS rebinding) must not read the stanzas.
    if (!allowedHosts.has(req.headers.host ?? "")) return send(res, 403, "text/plain", "forbidden host\n");
    const url = new URL(req.url ?? "/", `http://${HOST}`);
    if (req.method !== "GET") return send(res, 405, "text/plain", "GET only\n");
    if (url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", INSPECTOR_HTML);
    if (url.pathname === "/app.js") return send(res, 200, "text/javascript; charset=utf-8", INSPECTOR_JS);
    if (url.pathname === "/state") return send(res, 200, "application/json", JSON.stringify(inspector.snapshot()));
    if (url.pathname === "/events") return openStream(res);
    const chart = /^\/charts\/([A-Za-z0-9_-]+)\.svg$/.exec(url.pathname);
    if (chart && machines[chart[1]]) return send(res, 200, "image/svg+xml", chartSvg(chart[1]));
    send(res, 404, "text/plain", "not found\n");
  }

  function chartSvg(name: string): string {
    let svg = charts.get(name);
    if (svg === undefined) {
      svg = toSvg(chartModel(name, machines[name].machine));
      charts.set(name, svg);
    }
    return svg;
  }

  function openStream(res: http.ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    const write = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    write("hello", inspector.snapshot());
    const unsubscribe = inspector.subscribe((e: InspectorEvent) => write(e.type, e.data));
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), 15000);
    keepalive.unref();
    streams.add(res);
    res.on("close", () => {
      unsubscribe();
      clearInterval(keepalive);
      streams.delete(res);
    });
  }

  let closing: Promise<void> | undefined;
  const inspection: InspectorHandle = {
    inspector,
    port,
    url: `http://${HOST}:${port}/`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(poolTimer);
        if (server.inspector === inspector) server.inspector = undefined;
        for (const res of streams) res.end();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      return closing;
    },
  };
  server.inspector = inspector;
  server.use(defineModule({ name: "inspector", setup: (api) => api.on("server.stopping", () => void inspection.close()) }));
  return inspection;
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
