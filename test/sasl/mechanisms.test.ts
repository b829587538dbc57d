import { Element, parse } from "ltx";
import {
  createServerMechanism,
  decodeBase64,
  decodeSaslPayload,
  isSaslFailure,
  mechanismsElement,
  NS_SASL,
  offeredMechanisms,
  parseSaslElement,
  SASL_FAILURE_CONDITIONS,
  saslprep,
  saslStepElement,
} from "../../src/sasl/index.js";

describe("offered mechanisms and the factory", () => {
  test("PLAIN only on TLS-protected streams unless allowed", () => {
    expect(offeredMechanisms({ secure: true })).toEqual(["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]);
    expect(offeredMechanisms({ secure: false })).toEqual(["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1"]);
    expect(offeredMechanisms({ secure: false, allowPlainWithoutTls: true })).toContain("PLAIN");
    expect(offeredMechanisms({ secure: true, enabled: ["PLAIN", "SCRAM-SHA-1"] })).toEqual(["SCRAM-SHA-1", "PLAIN"]);
  });

  test("invalid-mechanism for unknown or disabled names", () => {
    expect(createServerMechanism("DIGEST-MD5", { secure: true })).toEqual({ kind: "failure", condition: "invalid-mechanism" });
    expect(createServerMechanism("SCRAM-SHA-256-PLUS", { secure: true })).toMatchObject({ condition: "invalid-mechanism" });
    expect(createServerMechanism("SCRAM-SHA-1", { secure: true, enabled: ["SCRAM-SHA-256"] })).toMatchObject({
      condition: "invalid-mechanism",
    });
  });

  test("encryption-required for PLAIN without TLS", () => {
    expect(createServerMechanism("PLAIN", { secure: false })).toEqual({ kind: "failure", condition: "encryption-required" });
    const plain = createServerMechanism("PLAIN", { secure: false, allowPlainWithoutTls: true });
    expect(isSaslFailure(plain)).toBe(false);
  });

  test("a fresh mechanism per name, with the options passed on", () => {
    const mech = createServerMechanism("SCRAM-SHA-512", { secure: true, nonce: () => "N" });
    if (isSaslFailure(mech)) throw new Error("expected a mechanism");
    expect(mech.name).toBe("SCRAM-SHA-512");
    mech.start(Buffer.from("n,,n=u,r=c").toString("base64"));
    const challenge = mech.provideCredentials(null);
    expect(challenge.kind === "challenge" && challenge.data.toString()).toMatch(/^r=cN,/);
  });
});

describe("elements (RFC 6120 §6.4)", () => {
  const el = (xml: string) => parse(xml) as Element;

  test("parses auth / response / abort", () => {
    expect(parseSaslElement(el(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>AGEAYg==</auth>`))).toEqual({
      kind: "auth",
      mechanism: "PLAIN",
      initialResponse: "AGEAYg==",
    });
    expect(parseSaslElement(el(`<auth xmlns='${NS_SASL}' mechanism='SCRAM-SHA-1'/>`))).toEqual({
      kind: "auth",
      mechanism: "SCRAM-SHA-1",
    });
    expect(parseSaslElement(el(`<auth xmlns='${NS_SASL}' mechanism='X'>=</auth>`))).toMatchObject({ initialResponse: "=" });
    expect(parseSaslElement(el(`<response xmlns='${NS_SASL}'>abcd</response>`))).toEqual({ kind: "response", data: "abcd" });
    expect(parseSaslElement(el(`<abort xmlns='${NS_SASL}'/>`))).toEqual({ kind: "abort" });
    expect(parseSaslElement(el(`<auth xmlns='jabber:client'/>`))).toBeNull();
    expect(parseSaslElement(el(`<success xmlns='${NS_SASL}'/>`))).toBeNull();
  });

  test("writes mechanisms, challenge, success", () => {
    expect(mechanismsElement(["SCRAM-SHA-1", "PLAIN"]).toString()).toBe(
      `<mechanisms xmlns="${NS_SASL}"><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>`,
    );
    expect(saslStepElement({ kind: "challenge", data: Buffer.from("r=abc") }).toString()).toBe(
      `<challenge xmlns="${NS_SASL}">cj1hYmM=</challenge>`,
    );
    expect(saslStepElement({ kind: "challenge", data: Buffer.alloc(0) }).toString()).toBe(`<challenge xmlns="${NS_SASL}"/>`);
    expect(saslStepElement({ kind: "success", username: "u" }).toString()).toBe(`<success xmlns="${NS_SASL}"/>`);
  });

  test.each(SASL_FAILURE_CONDITIONS)("failure <%s/>", (condition) => {
    const failure = saslStepElement({ kind: "failure", condition, text: "why" });
    expect(failure.is("failure", NS_SASL)).toBe(true);
    expect(failure.children.map((c) => (c as Element).name)).toEqual([condition, "text"]);
    expect(failure.getChildText("text")).toBe("why");
  });
});

describe("strict base64", () => {
  test.each([
    ["", Buffer.alloc(0)],
    ["YQ==", Buffer.from("a")],
    ["YWI=", Buffer.from("ab")],
    ["YWJj", Buffer.from("abc")],
  ])("%p decodes", (text, bytes) => {
    expect(decodeBase64(text)).toEqual(bytes);
  });

  test.each(["YQ", "YQ=", "Y===", "YR==", "YW\nJj", "YW-j", "=YWJ"])("%p is refused", (text) => {
    expect(decodeBase64(text)).toBeNull();
  });

  test("'=' is an empty payload (RFC 6120 §6.4.2)", () => {
    expect(decodeSaslPayload("=")).toEqual(Buffer.alloc(0));
  });
});

describe("saslprep (approximation of RFC 4013)", () => {
  test.each([
    ["I\u00ADX", "IX"], // RFC 4013 §3 example 1: soft hyphen mapped to nothing
    ["user", "user"], // example 2
    ["USER", "USER"], // example 3: case preserved
    ["\u00AA", "a"], // example 4: NFKC
    ["\u2168", "IX"], // example 5
    ["a\u00A0b", "a b"], // non-ASCII space to SPACE
  ])("%p → %p", (input, output) => {
    expect(saslprep(input)).toBe(output);
  });

  test.each(["\u0007", "a\u0000b", "\uE000", "\u200E", "\uFFFE"])("%p is prohibited", (input) => {
    expect(saslprep(input)).toBeNull();
  });
});
