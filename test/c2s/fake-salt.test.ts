import { rmSync } from "node:fs";
import { join } from "node:path";
import { startTestServer } from "../../src/testing/index.js";
import { auth, header, NS_SASL, RawSocket } from "./raw-socket.js";

/** The server-first message SCRAM-SHA-256 answers an unknown user with. */
async function saltFor(port: number, user: string): Promise<string> {
  const raw = await RawSocket.connect(port);
  await raw.write(header({ to: "localhost" })).until("</stream:features>");
  raw.write(auth("SCRAM-SHA-256", Buffer.from(`n,,n=${user},r=abcdefgh`).toString("base64")));
  await raw.until(/<challenge xmlns='[^']+'>[^<]+<\/challenge>/);
  const b64 = /<challenge xmlns='[^']+'>([^<]+)<\/challenge>/.exec(raw.received)![1];
  raw.write(`<abort xmlns='${NS_SASL}'/>`);
  return /s=([^,]+)/.exec(Buffer.from(b64, "base64").toString())![1];
}

test("an unknown user's fake salt is the same after a restart on the same data directory", async () => {
  const first = await startTestServer();
  const dataDir = first.config.data_dir;
  const before = await saltFor(first.port, "nobody");
  expect(await saltFor(first.port, "nobody")).toBe(before);
  await first.server.stop();
  const second = await startTestServer({ config: { data_dir: dataDir } });
  expect(await saltFor(second.port, "nobody")).toBe(before);
  expect(await saltFor(second.port, "someone-else")).not.toBe(before);
  await second.server.stop();
  // The salt really comes from the secret in the data directory (this process has one too).
  rmSync(join(dataDir, "scram-fake-salt.key"));
  const third = await startTestServer({ config: { data_dir: dataDir } });
  try {
    expect(await saltFor(third.port, "nobody")).not.toBe(before);
  } finally {
    await third.stop();
  }
});
