// RFC 6120 §6.4.5 / §6.5: SASL failures as a raw client sees them on the wire.
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { ScramClient } from "../sasl/scram-client.js";
import { auth, header, NS_SASL, plain, RawSocket, streamErrorStart } from "./raw-socket.js";

const FEATURES_END = "</stream:features>";
const failure = (condition: string) => `<failure xmlns='${NS_SASL}'><${condition}/></failure>`;

let t: TestServer;
beforeAll(async () => {
  // Per-stream retries are what this file tests; the per-IP/per-account throttles stay out of the way.
  t = await startTestServer({ config: { limits: { max_auth_failures: 2, auth_failures_per_ip: 1000, auth_failures_per_account: 1000 } } });
  await t.addUser("alice");
});
afterAll(() => t.stop());

/** A raw connection with its stream opened and the first features read. */
async function opened(): Promise<RawSocket> {
  const raw = await RawSocket.connect(t.port);
  await raw.write(header({ to: "localhost" })).until(FEATURES_END);
  return raw;
}

test("PLAIN with the wrong password: <not-authorized/>, and the stream stays open for a retry", async () => {
  const raw = await opened();
  raw.write(auth("PLAIN", plain("alice", "wrong")));
  await raw.until("</failure>");
  expect(raw.after(FEATURES_END)).toBe(failure("not-authorized"));
  // Control: the right password on the same stream works.
  raw.write(auth("PLAIN", plain("alice", "pw-alice")));
  await raw.until("<success");
  expect(raw.after("</failure>")).toBe(`<success xmlns='${NS_SASL}'/>`);
  raw.destroy();
});

test("an unknown user gets the same <not-authorized/> as a wrong password", async () => {
  const raw = await opened();
  raw.write(auth("PLAIN", plain("nobody", "pw-nobody")));
  await raw.until("</failure>");
  expect(raw.after(FEATURES_END)).toBe(failure("not-authorized"));
  raw.destroy();
});

test("a mechanism the server does not offer: <invalid-mechanism/>", async () => {
  const raw = await opened();
  expect(raw.received).not.toContain("<mechanism>DIGEST-MD5</mechanism>");
  raw.write(auth("DIGEST-MD5"));
  await raw.until("</failure>");
  expect(raw.after(FEATURES_END)).toBe(failure("invalid-mechanism"));
  raw.destroy();
});

test("PLAIN asking to act as another user: <invalid-authzid/>", async () => {
  const raw = await opened();
  raw.write(auth("PLAIN", Buffer.from("bob@localhost\0alice\0pw-alice").toString("base64")));
  await raw.until("</failure>");
  expect(raw.after(FEATURES_END)).toBe(failure("invalid-authzid"));
  raw.destroy();
});

test("an initial response that is not base64: <incorrect-encoding/>", async () => {
  const raw = await opened();
  raw.write(auth("PLAIN", "!!not-base64"));
  await raw.until("</failure>");
  expect(raw.after(FEATURES_END)).toBe(failure("incorrect-encoding"));
  raw.destroy();
});

test("<abort/> during a SCRAM exchange: <aborted/>", async () => {
  const raw = await opened();
  const scram = new ScramClient("SCRAM-SHA-256", "alice", "pw-alice");
  raw.write(auth("SCRAM-SHA-256", scram.first()));
  await raw.until("</challenge>");
  raw.write(`<abort xmlns='${NS_SASL}'/>`);
  await raw.until("</failure>");
  expect(raw.after("</challenge>")).toBe(failure("aborted"));
  raw.destroy();
});

/** Runs SCRAM-SHA-256 up to the client-final-message, optionally flipping one bit of the proof. */
async function scramFinal(raw: RawSocket, tamper: boolean): Promise<void> {
  const scram = new ScramClient("SCRAM-SHA-256", "alice", "pw-alice");
  raw.write(auth("SCRAM-SHA-256", scram.first()));
  await raw.until("</challenge>");
  const serverFirst = Buffer.from(/<challenge [^>]*>([^<]*)<\/challenge>/.exec(raw.received)![1]!, "base64");
  let final = Buffer.from(scram.final(serverFirst), "base64").toString();
  if (tamper) {
    const [, proof] = /,p=(.*)$/.exec(final)!;
    const bytes = Buffer.from(proof!, "base64");
    bytes[0]! ^= 1;
    final = final.replace(/,p=.*$/, `,p=${bytes.toString("base64")}`);
  }
  raw.write(`<response xmlns='${NS_SASL}'>${Buffer.from(final).toString("base64")}</response>`);
}

test("SCRAM-SHA-256 with the correct proof succeeds (control for the tampered case)", async () => {
  const raw = await opened();
  await scramFinal(raw, false);
  await raw.until("</success>");
  expect(raw.after("</challenge>")).toMatch(new RegExp(`^<success xmlns='${NS_SASL}'>[A-Za-z0-9+/=]+</success>$`));
  raw.destroy();
});

test("SCRAM-SHA-256 with a tampered ClientProof: <not-authorized/>, no server signature", async () => {
  const raw = await opened();
  await scramFinal(raw, true);
  await raw.until("</failure>");
  expect(raw.after("</challenge>")).toBe(failure("not-authorized"));
  raw.destroy();
});

test("too many failed attempts: the last failure, then a stream error and the socket closes", async () => {
  const raw = await opened();
  raw.write(auth("PLAIN", plain("alice", "wrong-1")));
  await raw.until("</failure>");
  raw.write(auth("PLAIN", plain("alice", "wrong-2")));
  await raw.until("</stream:stream>");
  raw.write("</stream:stream>");
  await raw.closedWithin(1000);
  expect(raw.after(FEATURES_END)).toBe(
    failure("not-authorized") + failure("not-authorized") +
      `${streamErrorStart("policy-violation")}<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>too many failed authentication attempts</text></stream:error></stream:stream>`,
  );
});

describe("with encryption required (no plaintext on loopback)", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ config: { allow_plaintext_loopback: false } });
    await strict.addUser("alice");
  });
  afterAll(() => strict.stop());

  test("SASL before STARTTLS: <encryption-required/>; after STARTTLS the same auth succeeds", async () => {
    const raw = await RawSocket.connect(strict.port);
    await raw.write(header({ to: "localhost" })).until(FEATURES_END);
    // RFC 6120 §5.3.1: TLS is mandatory here, so it is announced as required and no mechanism is offered.
    expect(raw.received).toContain("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>");
    expect(raw.received).not.toContain("<mechanisms");
    raw.write(auth("PLAIN", plain("alice", "pw-alice")));
    await raw.until("</failure>");
    expect(raw.after(FEATURES_END)).toBe(failure("encryption-required"));

    raw.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await raw.until("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await raw.startTls();
    raw.received = "";
    await raw.write(header({ to: "localhost" })).until(FEATURES_END);
    expect(raw.received).toContain("<mechanism>PLAIN</mechanism>");
    raw.write(auth("PLAIN", plain("alice", "pw-alice")));
    await raw.until("<success");
    expect(raw.after(FEATURES_END)).toBe(`<success xmlns='${NS_SASL}'/>`);
    raw.destroy();
  });
});
