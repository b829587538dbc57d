import { ScramServerMechanism, scramCredentials, type SaslStep, type ScramMechanismName } from "../../src/sasl/index.js";
import { ScramClient } from "./scram-client.js";

const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
const text = (step: SaslStep): string => {
  if (step.kind !== "challenge" && step.kind !== "success") throw new Error(`got ${JSON.stringify(step)}`);
  return step.data?.toString() ?? "";
};
const MECHANISMS: ScramMechanismName[] = ["SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512"];

describe("SCRAM test vectors", () => {
  // RFC 5802 §5: user "user", password "pencil", SCRAM-SHA-1.
  test("RFC 5802 §5 (SCRAM-SHA-1)", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-1", { nonce: () => "3rfcNHYJY1ZVvWVs7j" });
    expect(server.start(b64("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))).toEqual({
      kind: "need-credentials",
      username: "user",
      mechanism: "SCRAM-SHA-1",
    });
    const credentials = scramCredentials("pencil", "SCRAM-SHA-1", 4096, Buffer.from("QSXCR+Q6sek8bf92", "base64"));
    expect(text(server.provideCredentials(credentials))).toBe(
      "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    );
    const final = server.respond(
      b64("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="),
    );
    expect(final).toMatchObject({ kind: "success", username: "user" });
    expect(text(final)).toBe("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
  });

  // RFC 7677 §3: the same user and password, SCRAM-SHA-256.
  test("RFC 7677 §3 (SCRAM-SHA-256)", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-256", { nonce: () => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0" });
    expect(server.start(b64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))).toMatchObject({ kind: "need-credentials" });
    const salt = Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64");
    expect(text(server.provideCredentials(scramCredentials("pencil", "SCRAM-SHA-256", 4096, salt)))).toBe(
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    );
    const final = server.respond(
      b64(
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
          "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      ),
    );
    expect(text(final)).toBe("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  });
});

/** Runs a whole exchange: server and test client, credentials derived from `storedPassword`. */
function exchange(
  mechanism: ScramMechanismName,
  opts: {
    username?: string;
    storedPassword?: string | null;
    clientPassword?: string;
    client?: ConstructorParameters<typeof ScramClient>[3];
    domain?: string;
    initialResponse?: boolean;
    tamper?: Parameters<ScramClient["final"]>[1];
  } = {},
) {
  const username = opts.username ?? "juliet";
  const server = new ScramServerMechanism(mechanism, opts.domain ? { domain: opts.domain } : {});
  const client = new ScramClient(mechanism, username, opts.clientPassword ?? "r0meo!", opts.client);
  let step = opts.initialResponse === false ? server.start(undefined) : server.start(client.first());
  if (opts.initialResponse === false) {
    expect(step).toEqual({ kind: "challenge", data: Buffer.alloc(0) });
    step = server.respond(client.first());
  }
  expect(step).toEqual({ kind: "need-credentials", username: username.normalize("NFKC"), mechanism });
  const stored = opts.storedPassword === null ? null : scramCredentials(opts.storedPassword ?? "r0meo!", mechanism, 64);
  const challenge = server.provideCredentials(stored);
  if (challenge.kind !== "challenge") throw new Error("expected a challenge");
  const result = server.respond(client.final(challenge.data, opts.tamper));
  return { result, client, challenge: challenge.data.toString() };
}

describe.each(MECHANISMS)("%s full exchange", (mechanism) => {
  test("right password: success, and the server proves itself", () => {
    const { result, client } = exchange(mechanism);
    expect(result).toMatchObject({ kind: "success", username: "juliet" });
    expect(client.verifyServer(result.kind === "success" ? result.data : undefined)).toBe(true);
  });

  test("wrong password: not-authorized", () => {
    expect(exchange(mechanism, { clientPassword: "r0meo?" }).result).toEqual({
      kind: "failure",
      condition: "not-authorized",
    });
  });

  test("without an initial response the server sends an empty challenge first", () => {
    expect(exchange(mechanism, { initialResponse: false }).result.kind).toBe("success");
  });

  test("usernames with ',' and '=' travel escaped (=2C, =3D)", () => {
    expect(exchange(mechanism, { username: "a,b=c" }).result).toMatchObject({ kind: "success", username: "a,b=c" });
  });

  test("gs2 flag 'y' is accepted when echoed in c=", () => {
    expect(exchange(mechanism, { client: { cbindFlag: "y" } }).result.kind).toBe("success");
  });
});

describe("SASLprep", () => {
  test("the stored password is NFKC-normalised: U+2168 matches 'IX'", () => {
    expect(exchange("SCRAM-SHA-256", { storedPassword: "\u2168", clientPassword: "IX" }).result.kind).toBe("success");
  });

  test("the username is NFKC-normalised before the lookup", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-1");
    expect(server.start(b64("n,,n=\uFB00,r=abc"))).toMatchObject({ kind: "need-credentials", username: "ff" });
  });
});

describe("authorization identity", () => {
  test("own bare JID accepted", () => {
    const { result } = exchange("SCRAM-SHA-256", { client: { authzid: "juliet@example.com" }, domain: "example.com" });
    expect(result).toMatchObject({ kind: "success", username: "juliet", authzid: "juliet@example.com" });
  });

  test("someone else's JID: invalid-authzid (after a correct proof)", () => {
    const { result } = exchange("SCRAM-SHA-256", { client: { authzid: "romeo@example.com" }, domain: "example.com" });
    expect(result).toEqual({ kind: "failure", condition: "invalid-authzid" });
  });

  test("without a configured domain any authzid is refused", () => {
    const { result } = exchange("SCRAM-SHA-256", { client: { authzid: "juliet@example.com" } });
    expect(result).toEqual({ kind: "failure", condition: "invalid-authzid" });
  });
});

describe("unknown users", () => {
  test("get a challenge, then not-authorized even with any password", () => {
    const { result, challenge } = exchange("SCRAM-SHA-256", { storedPassword: null });
    expect(challenge).toMatch(/^r=.+,s=[A-Za-z0-9+/]{22}==,i=4096$/);
    expect(result).toEqual({ kind: "failure", condition: "not-authorized" });
  });

  test("fake salt is deterministic per user and mechanism, and the iteration count is configurable", () => {
    const secret = Buffer.alloc(32, 7);
    const saltOf = (mechanism: ScramMechanismName, user: string, secretKey = secret) => {
      const server = new ScramServerMechanism(mechanism, { fakeSaltSecret: secretKey, fakeIterations: 10000 });
      server.start(b64(`n,,n=${user},r=xyz`));
      const challenge = text(server.provideCredentials(null));
      expect(challenge).toMatch(/,i=10000$/);
      return /,s=([^,]+),/.exec(challenge)![1];
    };
    expect(saltOf("SCRAM-SHA-256", "ghost")).toBe(saltOf("SCRAM-SHA-256", "ghost"));
    expect(saltOf("SCRAM-SHA-256", "ghost")).not.toBe(saltOf("SCRAM-SHA-256", "spirit"));
    expect(saltOf("SCRAM-SHA-256", "ghost")).not.toBe(saltOf("SCRAM-SHA-1", "ghost"));
    expect(saltOf("SCRAM-SHA-256", "ghost")).not.toBe(saltOf("SCRAM-SHA-256", "ghost", Buffer.alloc(32, 8)));
  });
});

describe("client-first-message failures", () => {
  const start = (message: string | Buffer) => new ScramServerMechanism("SCRAM-SHA-256").start(b64(message));
  test.each([
    ["channel binding requested (p=)", "p=tls-unique,,n=user,r=abc", /channel binding/],
    ["unknown gs2 flag", "x,,n=user,r=abc", /gs2-cbind-flag/],
    ["bad authzid field", "n,z=x,n=user,r=abc", /authzid field/],
    ["empty authzid", "n,a=,n=user,r=abc", /authzid encoding/],
    ["bad escape in authzid", "n,a=x=41,n=user,r=abc", /authzid encoding/],
    ["mandatory extension m=", "n,,m=ext,n=user,r=abc", /mandatory extensions/],
    ["missing username", "n,,r=abc,n=user", /username attribute/],
    ["missing nonce", "n,,n=user,x=abc", /nonce attribute/],
    ["empty username", "n,,n=,r=abc", /username encoding/],
    ["'=' not followed by 2C or 3D", "n,,n=us=41er,r=abc", /username encoding/],
    ["nonce with a non-printable", "n,,n=user,r=ab\u0001c", /bad nonce/],
    ["empty nonce", "n,,n=user,r=", /bad nonce/],
    ["too few fields", "n,,n=user", /too short/],
    ["attribute without '='", "n,,n=user,r=abc,junk", /bad attribute/],
    ["username SASLprep forbids (control character)", "n,,n=us\u0007er,r=abc", /SASLprep/],
    ["not UTF-8", Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0x2c, 0x72, 0x3d, 0x61]), /UTF-8/],
  ])("%s: malformed-request", (_name, message, why) => {
    const step = start(message);
    expect(step).toMatchObject({ kind: "failure", condition: "malformed-request" });
    expect(step.kind === "failure" && step.text).toMatch(why);
  });

  test("extensions after the nonce are ignored", () => {
    expect(start("n,,n=user,r=abc,x=whatever")).toMatchObject({ kind: "need-credentials", username: "user" });
  });

  test.each(["not base64!", "YWJj=", "YWJ", "YW Jj", "YR=="])("bad base64 %p: incorrect-encoding", (payload) => {
    expect(new ScramServerMechanism("SCRAM-SHA-1").start(payload)).toEqual({
      kind: "failure",
      condition: "incorrect-encoding",
    });
  });
});

describe("client-final-message failures", () => {
  function atFinal(mechanism: ScramMechanismName = "SCRAM-SHA-256") {
    const server = new ScramServerMechanism(mechanism, { nonce: () => "SERVER" });
    const client = new ScramClient(mechanism, "juliet", "pw", { nonce: "CLIENT" });
    server.start(client.first());
    const challenge = server.provideCredentials(scramCredentials("pw", mechanism, 16));
    if (challenge.kind !== "challenge") throw new Error("expected a challenge");
    return { server, client, serverFirst: challenge.data };
  }

  test("nonce not the combined one: not-authorized", () => {
    const { server, client, serverFirst } = atFinal();
    expect(server.respond(client.final(serverFirst, { nonce: "CLIENTOTHER" }))).toMatchObject({
      condition: "not-authorized",
    });
  });

  test("channel binding echo differs from the gs2-header: not-authorized", () => {
    const { server, client, serverFirst } = atFinal();
    expect(server.respond(client.final(serverFirst, { channelBinding: b64("y,,") }))).toMatchObject({
      condition: "not-authorized",
    });
  });

  test("proof of the wrong length: not-authorized", () => {
    const { server, client, serverFirst } = atFinal();
    expect(server.respond(client.final(serverFirst, { proof: Buffer.alloc(5) }))).toMatchObject({
      condition: "not-authorized",
    });
  });

  test("proof flipped in one bit: not-authorized", () => {
    const { server, client, serverFirst } = atFinal("SCRAM-SHA-512");
    const good = Buffer.from(client.final(serverFirst), "base64").toString();
    const proof = Buffer.from(/p=(.*)$/.exec(good)![1]!, "base64");
    proof[0]! ^= 1;
    expect(server.respond(client.final(serverFirst, { proof }))).toMatchObject({ condition: "not-authorized" });
  });

  test.each([
    ["missing proof", "c=biws,r=CLIENTSERVER"],
    ["wrong order", "r=CLIENTSERVER,c=biws,p=AAAA"],
    ["not attributes", "hello"],
  ])("%s: malformed-request", (_name, message) => {
    const { server } = atFinal();
    expect(server.respond(b64(message))).toMatchObject({ kind: "failure", condition: "malformed-request" });
  });

  test.each([
    ["bad base64 in c=", "c=b!ws,r=CLIENTSERVER,p=AAAA"],
    ["bad base64 in p=", "c=biws,r=CLIENTSERVER,p=AA*A"],
  ])("%s: incorrect-encoding", (_name, message) => {
    const { server } = atFinal();
    expect(server.respond(b64(message))).toMatchObject({ kind: "failure", condition: "incorrect-encoding" });
  });

  test("bad base64 around the message: incorrect-encoding", () => {
    const { server } = atFinal();
    expect(server.respond("%%%")).toEqual({ kind: "failure", condition: "incorrect-encoding" });
  });
});

describe("exchange order", () => {
  test("respond() before need-credentials is answered, or after the end: malformed-request", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-1");
    server.start(b64("n,,n=user,r=abc"));
    expect(server.respond(b64("c=biws,r=abc,p=AAAA"))).toMatchObject({ condition: "malformed-request" });
    expect(server.respond(b64("anything"))).toMatchObject({ condition: "malformed-request" });
    expect(server.finished).toBe(true);
  });

  test("start() twice: malformed-request", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-1");
    server.start(b64("n,,n=user,r=abc"));
    expect(server.start(b64("n,,n=user,r=abc"))).toMatchObject({ condition: "malformed-request" });
  });

  test("provideCredentials() when not asked is a programming error", () => {
    expect(() => new ScramServerMechanism("SCRAM-SHA-1").provideCredentials(null)).toThrow(/not asked/);
  });

  test("fail(): aborted, temporary-auth-failure end the exchange", () => {
    const server = new ScramServerMechanism("SCRAM-SHA-1");
    server.start(b64("n,,n=user,r=abc"));
    expect(server.fail("temporary-auth-failure")).toEqual({ kind: "failure", condition: "temporary-auth-failure" });
    expect(server.finished).toBe(true);
    expect(() => server.provideCredentials(null)).toThrow();
    const other = new ScramServerMechanism("SCRAM-SHA-1");
    expect(other.fail("aborted")).toEqual({ kind: "failure", condition: "aborted" });
  });
});
