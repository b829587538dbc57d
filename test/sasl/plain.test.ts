import { PlainServerMechanism, parsePlainMessage } from "../../src/sasl/index.js";

const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");

describe("parsePlainMessage (RFC 4616 §2)", () => {
  test.each([
    ["\0tim\0tanstaaftanstaaf", { authcid: "tim", password: "tanstaaftanstaaf" }],
    ["Ursel\0Kurt\0xipj3plmq", { authzid: "Ursel", authcid: "Kurt", password: "xipj3plmq" }],
    ["\0tim\0pass word with spaces", { authcid: "tim", password: "pass word with spaces" }],
    ["\0j\u00fcrgen\0p\u00e4ss", { authcid: "j\u00fcrgen", password: "p\u00e4ss" }],
  ])("%j parses", (message, expected) => {
    expect(parsePlainMessage(message)).toEqual(expected);
  });

  test.each([
    ["one NUL", "tim\0pencil"],
    ["no NUL", "timpencil"],
    ["three NULs", "a\0tim\0pen\0cil"],
    ["empty authcid", "a\0\0pencil"],
    ["empty password", "\0tim\0"],
    ["empty message", ""],
  ])("%s: rejected", (_name, message) => {
    expect(parsePlainMessage(message)).toBeNull();
  });
});

describe("PLAIN server mechanism", () => {
  test("initial response → verify-plain → verified(true) → success", () => {
    const plain = new PlainServerMechanism();
    expect(plain.start(b64("\0juliet\0r0meo"))).toEqual({ kind: "verify-plain", username: "juliet", password: "r0meo" });
    expect(plain.verified(true)).toEqual({ kind: "success", username: "juliet" });
    expect(plain.finished).toBe(true);
  });

  test("verified(false) → not-authorized", () => {
    const plain = new PlainServerMechanism();
    plain.start(b64("\0juliet\0wrong"));
    expect(plain.verified(false)).toEqual({ kind: "failure", condition: "not-authorized" });
  });

  test("no initial response: empty challenge, then the response", () => {
    const plain = new PlainServerMechanism();
    expect(plain.start(undefined)).toEqual({ kind: "challenge", data: Buffer.alloc(0) });
    expect(plain.respond(b64("\0juliet\0r0meo"))).toMatchObject({ kind: "verify-plain", username: "juliet" });
  });

  test("username and password are SASLprep-ed (NFKC, soft hyphen removed)", () => {
    const plain = new PlainServerMechanism();
    expect(plain.start(b64("\0\uFB00\0I\u00ADX"))).toEqual({ kind: "verify-plain", username: "ff", password: "IX" });
  });

  test.each([
    ["empty initial response '='", "="],
    ["one NUL", b64("juliet\0r0meo")],
    ["empty password", b64("\0juliet\0")],
    ["not UTF-8", b64(Buffer.from([0, 0x6a, 0, 0xc3]))],
    ["username SASLprep forbids", b64("\0jul\u0007iet\0pw")],
  ])("%s: malformed-request", (_name, payload) => {
    expect(new PlainServerMechanism().start(payload)).toMatchObject({ kind: "failure", condition: "malformed-request" });
  });

  test("bad base64: incorrect-encoding", () => {
    expect(new PlainServerMechanism().start("AGp1bGlldABy==")).toEqual({ kind: "failure", condition: "incorrect-encoding" });
  });

  test("authzid: own bare JID passes through, another one is invalid-authzid", () => {
    const own = new PlainServerMechanism({ domain: "capulet.lit" });
    own.start(b64("juliet@Capulet.lit\0juliet\0r0meo"));
    expect(own.verified(true)).toEqual({ kind: "success", username: "juliet", authzid: "juliet@Capulet.lit" });

    const other = new PlainServerMechanism({ domain: "capulet.lit" });
    expect(other.start(b64("romeo@capulet.lit\0juliet\0r0meo"))).toMatchObject({ authzid: "romeo@capulet.lit" });
    expect(other.verified(true)).toEqual({ kind: "failure", condition: "invalid-authzid" });
  });

  test("a wrong password fails as not-authorized even with a foreign authzid (no authz oracle)", () => {
    const plain = new PlainServerMechanism({ domain: "capulet.lit" });
    plain.start(b64("romeo@capulet.lit\0juliet\0nope"));
    expect(plain.verified(false)).toEqual({ kind: "failure", condition: "not-authorized" });
  });

  test("order: respond() while verifying or after the end is malformed-request; verified() unasked throws", () => {
    const plain = new PlainServerMechanism();
    expect(() => plain.verified(true)).toThrow(/not asked/);
    plain.start(b64("\0juliet\0r0meo"));
    expect(plain.respond(b64("\0juliet\0r0meo"))).toMatchObject({ condition: "malformed-request" });
    expect(plain.finished).toBe(true);
    expect(() => plain.verified(true)).toThrow();
  });

  test("fail('aborted') ends it", () => {
    const plain = new PlainServerMechanism();
    plain.start(undefined);
    expect(plain.fail("aborted")).toEqual({ kind: "failure", condition: "aborted" });
    expect(plain.respond(b64("\0juliet\0r0meo"))).toMatchObject({ condition: "malformed-request" });
  });
});
