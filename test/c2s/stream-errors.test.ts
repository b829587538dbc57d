// RFC 6120 §4.9: stream errors as a raw client sees them — the error, `</stream:stream>`, then
// the server closes the TCP connection.
import { startTestServer, type TestServer } from "../../src/testing/index.js";
import { header, NS_STREAMS, NS_TLS, RawSocket, rawLogin, streamErrorStart } from "./raw-socket.js";

const FEATURES_END = "</stream:features>";
const CLOSE = "</stream:stream>";
const text = (t: string) => `<text xmlns='${NS_STREAMS}'>${t}</text>`;
/** The opening tag the server must send before an error in the very first header (§4.9.1.2). */
const SERVER_HEADER = /^<\?xml version='1\.0'\?><stream:stream xmlns='jabber:client' xmlns:stream='http:\/\/etherx\.jabber\.org\/streams' from='localhost' id='[0-9a-f]+' version='1\.0' xml:lang='en'>/;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ config: { limits: { max_stanza_bytes: 1024 } } });
  await t.addUser("alice");
});
afterAll(() => t.stop());

/**
 * Waits for the stream to end and checks it ends with exactly `tail` (error + close tag).
 * After an error in the XML itself the server cannot read our closing tag any more, and drops
 * the connection only after its close timeout (RFC 6120 §4.4 step 3): those tests stop there.
 * Otherwise we answer with our own close tag (§4.4) and expect the server to drop the connection.
 */
async function expectStreamEnd(raw: RawSocket, since: string, tail: string | RegExp, opts: { parserBroken?: boolean } = {}): Promise<void> {
  await raw.until(CLOSE);
  const out = since === "" ? raw.received : raw.after(since);
  if (typeof tail === "string") expect(out).toBe(tail);
  else expect(out).toMatch(tail);
  if (opts.parserBroken) return raw.destroy();
  raw.write(CLOSE);
  await raw.closedWithin(1000);
}

test("a stanza before authentication: not-authorized, </stream:stream>, then the socket closes", async () => {
  const raw = await RawSocket.connect(t.port);
  await raw.write(header({ to: "localhost" })).until(FEATURES_END);
  raw.write("<message to='alice@localhost'><body>hi</body></message>");
  await raw.until(CLOSE);
  expect(raw.after(FEATURES_END)).toBe(`${streamErrorStart("not-authorized")}${text("authenticate first")}</stream:error>${CLOSE}`);
  // We don't answer with our close tag: the server still drops the connection (its close timeout).
  await raw.closedWithin(4000);
  expect(raw.received.endsWith(CLOSE)).toBe(true);
});

test("malformed XML: not-well-formed", async () => {
  const raw = await RawSocket.connect(t.port);
  await raw.write(header({ to: "localhost" })).until(FEATURES_END);
  raw.write("<message><body>hi</message>");
  await expectStreamEnd(raw, FEATURES_END, `${streamErrorStart("not-well-formed")}${text("&lt;/message&gt; closes &lt;body&gt;")}</stream:error>${CLOSE}`, { parserBroken: true });
});

test("a stanza over limits.max_stanza_bytes: policy-violation (a smaller one passes)", async () => {
  const raw = await rawLogin(t.port, "alice");
  const small = "x".repeat(500);
  raw.write(`<iq type='get' id='small'><query xmlns='urn:example:nothing'>${small}</query></iq>`);
  await raw.until("id='small'"); // answered (service-unavailable): the stream is still up
  const mark = raw.received;
  raw.write(`<message to='alice@localhost'><body>${"x".repeat(2000)}</body></message>`);
  await raw.until(CLOSE);
  expect(raw.received.slice(mark.length)).toBe(`${streamErrorStart("policy-violation")}${text("stanza larger than 1024 bytes")}</stream:error>${CLOSE}`);
  raw.destroy();
});

test("the wrong stream namespace: our header, then invalid-namespace", async () => {
  const raw = await RawSocket.connect(t.port);
  raw.write(header({ to: "localhost", streamNs: "urn:example:not-streams" }));
  const tail = `${streamErrorStart("invalid-namespace")}${text("&lt;stream:stream&gt; in urn:example:not-streams is not the stream element")}</stream:error>${CLOSE}`;
  await expectStreamEnd(raw, "", new RegExp(`${SERVER_HEADER.source}${escape(tail)}$`), { parserBroken: true });
});

test("a content namespace other than jabber:client on c2s: invalid-namespace", async () => {
  const raw = await RawSocket.connect(t.port);
  raw.write(header({ to: "localhost", xmlns: "jabber:server" }));
  const tail = `${streamErrorStart("invalid-namespace")}${text("expected jabber:client")}</stream:error>${CLOSE}`;
  await expectStreamEnd(raw, "", new RegExp(`${SERVER_HEADER.source}${escape(tail)}$`));
});

test("a domain this server does not serve: host-unknown", async () => {
  const raw = await RawSocket.connect(t.port);
  raw.write(header({ to: "example.org" }));
  await expectStreamEnd(raw, "", new RegExp(`${SERVER_HEADER.source}${escape(`${streamErrorStart("host-unknown")}</stream:error>${CLOSE}`)}$`));
});

test("a stream version below 1.0: unsupported-version", async () => {
  const raw = await RawSocket.connect(t.port);
  raw.write(header({ to: "localhost", version: "0.9" }));
  await expectStreamEnd(raw, "", new RegExp(`${SERVER_HEADER.source}${escape(`${streamErrorStart("unsupported-version")}</stream:error>${CLOSE}`)}$`));
});

test("<starttls/> on a Direct TLS stream: the TLS <failure/>, then the stream is closed (RFC 6120 §5.4.2.2)", async () => {
  const raw = await RawSocket.connectTls(t.tlsPort);
  await raw.write(header({ to: "localhost" })).until(FEATURES_END);
  expect(raw.received).not.toContain("<starttls");
  raw.write(`<starttls xmlns='${NS_TLS}'/>`);
  await expectStreamEnd(raw, FEATURES_END, `<failure xmlns='${NS_TLS}'/>${CLOSE}`);
});

describe("with a short stream-open timeout", () => {
  let slow: TestServer;
  beforeAll(async () => {
    slow = await startTestServer({ config: { limits: { stream_open_timeout_ms: 300 } } });
  });
  afterAll(() => slow.stop());

  test("no stream header in time: our header, then connection-timeout", async () => {
    const raw = await RawSocket.connect(slow.port);
    const started = Date.now();
    await raw.until(CLOSE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(raw.received).toMatch(new RegExp(`${SERVER_HEADER.source}${escape(`${streamErrorStart("connection-timeout")}${text("no stream header")}</stream:error>${CLOSE}`)}$`));
    raw.destroy();
  });

  test("a header in time keeps the stream open past the deadline", async () => {
    const raw = await RawSocket.connect(slow.port);
    await raw.write(header({ to: "localhost" })).until(FEATURES_END);
    await new Promise((r) => setTimeout(r, 450));
    expect(raw.isOpen).toBe(true);
    expect(raw.received).not.toContain("stream:error");
    raw.destroy();
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
