// RFC 6120 §4.9.3.17 system-shutdown: "the server is being shut down and all active streams are
// being closed" — a graceful `server.stop()` says so to every connected client.
import net from "node:net";
import { startTestServer } from "../../src/testing/index.js";
import { header, RawSocket, rawLogin, streamErrorStart } from "./raw-socket.js";

const SHUTDOWN = `${streamErrorStart("system-shutdown")}</stream:error></stream:stream>`;

test("server.stop() sends <system-shutdown/> to bound and unauthenticated streams, then stops listening", async () => {
  const t = await startTestServer();
  try {
    await t.addUser("alice");
    const bound = await rawLogin(t.port, "alice");
    const fresh = await RawSocket.connect(t.port);
    await fresh.write(header({ to: "localhost" })).until("</stream:features>");
    const marks = [bound.received.length, fresh.received.length];
    // Both clients answer the close the way RFC 6120 §4.4 asks, so stop() need not wait out its timeout.
    for (const raw of [bound, fresh]) void raw.until("</stream:stream>").then(() => raw.write("</stream:stream>"), () => {});

    const started = Date.now();
    await t.server.stop();
    expect(Date.now() - started).toBeLessThan(1500);

    expect(bound.received.slice(marks[0])).toBe(SHUTDOWN);
    expect(fresh.received.slice(marks[1])).toBe(SHUTDOWN);
    await Promise.all([bound.closedWithin(1000), fresh.closedWithin(1000)]);

    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(t.port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(false))).once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  } finally {
    await t.stop();
  }
});
