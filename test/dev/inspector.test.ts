// The live inspector's data, over its real HTTP endpoints (the page itself: inspector-browser.test.ts).
import http from "node:http";
import { parse, type Element } from "ltx";
import { startInspector, type InspectorHandle } from "../../src/dev/inspector-server.js";
import type { StanzaRecord, ConnectionView } from "../../src/dev/inspector.js";
import { defaultModules } from "../../src/modules/index.js";
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { notesModule, NS_NOTES } from "../../examples/notes/notes.js";

let t: TestServer;
let inspection: InspectorHandle;
beforeAll(async () => {
  t = await startTestServer({ modules: [...defaultModules(), notesModule] });
  await t.addUser("alice");
});
afterAll(() => t.stop());

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http.get(new URL(path, inspection.url), { headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body, type: String(res.headers["content-type"]) }));
    }).on("error", reject);
  });
}

/** Reads the page's event stream (the `hello` snapshot, then live events) until `want` returns a value. */
function awaitEvent<T>(want: (event: string, data: any) => T | undefined, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.get(new URL("/events", inspection.url), (res) => {
      let buffer = "";
      res.on("data", (d: Buffer) => {
        buffer += d.toString();
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || !data) continue;
          const parsed = JSON.parse(data);
          const events: [string, unknown][] =
            event === "hello" ? [...parsed.connections.map((c: unknown) => ["connection", c]), ...parsed.stanzas.map((r: unknown) => ["stanza", r])] : [[event, parsed]];
          const found = events.map(([e, d]) => want(e, d)).find((f) => f !== undefined);
          if (found !== undefined) {
            clearTimeout(timer);
            req.destroy();
            return resolve(found);
          }
        }
      });
    });
    req.on("error", () => {});
    const timer = setTimeout(() => (req.destroy(), reject(new Error("event not seen"))), timeoutMs);
  });
}

test("off by default: no inspector, so connections and chains are not observed", () => {
  expect(t.server.inspector).toBeUndefined();
});

describe("with the inspector on", () => {
  beforeAll(async () => {
    inspection = await startInspector(t.server, { port: 0, poolIntervalMs: 50 });
  });

  test("a logged-in connection shows with its JID and established state", async () => {
    const alice = await t.login("alice", { resource: "desk" });
    const { status, body } = await get("/state");
    expect(status).toBe(200);
    const mine = (JSON.parse(body).connections as ConnectionView[]).find((c) => c.jid === "alice@localhost/desk");
    expect(mine).toMatchObject({ status: "active", paths: ["authenticated", "authenticated.established", "authenticated.established.active"] });
    // Its end is seen too: the machine reaches its final state.
    const closed = awaitEvent((e, c: ConnectionView) => (e === "connection" && c.id === mine!.id && c.status === "done" ? c : undefined));
    await alice.close();
    expect((await closed).state).toBe("closed");
  });

  test("each stanza's chain is streamed with its handlers, offloaded job and timings", async () => {
    const alice = await t.login("alice", { resource: "laptop" });
    const seen = awaitEvent((e, rec: StanzaRecord) => (e === "stanza" && rec.phase === "notes.add" ? rec : undefined));
    await alice.request(parse(`<iq type='set' id='n1'><note xmlns='${NS_NOTES}'>hello</note></iq>`) as Element);
    const rec = await seen;
    expect(rec.jid).toBe("alice@localhost/laptop");
    expect(rec.xml).toContain("hello");
    expect(rec.trace.map((s) => [s.handler, s.kind, s.job])).toEqual([
      ["blockedContactGate", "handler", undefined], // the blocking module's prelude opens every phase
      ["checkNote", "handler", undefined],
      ["storeNote", "handler", "notes.add"],
      ["confirmNote", "handler", undefined],
    ]);
    expect(rec.trace.every((s) => s.ms >= 0)).toBe(true);
    expect(rec.ms).toBeGreaterThanOrEqual(rec.trace[2].ms); // storeNote's, the offloaded step
    // A failing chain shows its error.
    const failed = awaitEvent((e, r: StanzaRecord) => (e === "stanza" && r.phase === "notes.add" && r.error ? r : undefined));
    await alice.request(parse(`<iq type='set' id='n2'><note xmlns='${NS_NOTES}'/></iq>`) as Element);
    expect((await failed).error).toMatch(/bad-request/);
  });

  test("the worker pool's stats are pushed while a page listens", async () => {
    const stats = await awaitEvent((e, s) => (e === "pool" ? s : undefined));
    expect(stats).toMatchObject({ size: 1, failed: 0 });
    expect(stats.completed).toBeGreaterThan(0);
  });

  test("the page, its script and the chart are served; other Host names are refused", async () => {
    expect(await get("/")).toMatchObject({ status: 200, type: "text/html; charset=utf-8" });
    expect((await get("/app.js")).body).toContain("EventSource");
    const chart = await get("/charts/connection.svg");
    expect(chart.body).toContain('data-state="authenticated.established.active"');
    expect((await get("/", { host: "evil.example:80" })).status).toBe(403);
    expect((await get("/nothing")).status).toBe(404);
  });

  test("listens on 127.0.0.1 only, and stops with the server", async () => {
    const other = await startTestServer();
    const handle = await startInspector(other.server, { port: 0 });
    expect(handle.url).toBe(`http://127.0.0.1:${handle.port}/`);
    expect(other.server.inspector).toBe(handle.inspector);
    await other.stop();
    expect(other.server.inspector).toBeUndefined();
    await expect(new Promise((resolve, reject) => http.get(handle.url, resolve).on("error", reject))).rejects.toThrow(/ECONNREFUSED/);
  });
});
