import fc from "fast-check";
import { Jid, JidError, jid } from "../src/jid.js";
import { StanzaError } from "../src/errors.js";

function parts(j: Jid): [string, string, string] {
  return [j.local, j.domain, j.resource];
}

function parseError(s: string): JidError {
  try {
    Jid.parse(s);
  } catch (e) {
    expect(e).toBeInstanceOf(JidError);
    return e as JidError;
  }
  throw new Error(`expected ${JSON.stringify(s)} to be rejected`);
}

describe("RFC 7622 §3.5 examples of valid JIDs", () => {
  const cases: [string, [string, string, string]][] = [
    ["juliet@example.com", ["juliet", "example.com", ""]],
    ["juliet@example.com/foo", ["juliet", "example.com", "foo"]],
    ["juliet@example.com/foo bar", ["juliet", "example.com", "foo bar"]],
    ["juliet@example.com/foo@bar", ["juliet", "example.com", "foo@bar"]],
    ["foo\\20bar@example.com", ["foo\\20bar", "example.com", ""]],
    ["fussball@example.com", ["fussball", "example.com", ""]],
    ["fußball@example.com", ["fußball", "example.com", ""]],
    ["π@example.com", ["π", "example.com", ""]],
    ["Σ@example.com/foo", ["σ", "example.com", "foo"]],
    ["σ@example.com/foo", ["σ", "example.com", "foo"]],
    ["ς@example.com/foo", ["ς", "example.com", "foo"]],
    ["king@example.com/♚", ["king", "example.com", "♚"]],
    ["example.com", ["", "example.com", ""]],
    ["example.com/foobar", ["", "example.com", "foobar"]],
    ["a.example.com/b@example.net", ["", "a.example.com", "b@example.net"]],
  ];
  test.each(cases)("%s", (input, expected) => {
    expect(parts(Jid.parse(input))).toEqual(expected);
  });

  test("Σ and σ are the same localpart, ς is a different one", () => {
    expect(jid("Σ@example.com/foo").equals(jid("σ@example.com/foo"))).toBe(true);
    expect(jid("ς@example.com/foo").equals(jid("σ@example.com/foo"))).toBe(false);
    expect(jid("fußball@example.com").equals(jid("fussball@example.com"))).toBe(false);
  });
});

describe("RFC 7622 §3.6 examples of invalid JIDs", () => {
  const cases: [string, string][] = [
    ['"juliet"@example.com', "localpart contains forbidden character"],
    ["foo bar@example.com", "localpart contains forbidden character U+0020"],
    ["juliet@example.com/", "resourcepart is empty"],
    ["@example.com/", "localpart is empty"],
    ["henry\u2163@example.com", "localpart contains disallowed character"],
    ["♚@example.com", "localpart contains disallowed character"],
    ["juliet@", "domainpart is empty"],
    ["/foobar", "domainpart is empty"],
  ];
  test.each(cases)("%s", (input, message) => {
    const e = parseError(input);
    expect(e.message).toContain(message);
    expect(e.message).toContain(JSON.stringify(input));
    expect(e.condition).toBe("jid-malformed");
    expect(Jid.tryParse(input)).toBeNull();
  });
});

describe("splitting (RFC 7622 §3.1)", () => {
  test("the first '/' starts the resource, which may hold more slashes and '@'", () => {
    expect(parts(jid("user@domain/resource/with/slashes"))).toEqual(["user", "domain", "resource/with/slashes"]);
    expect(parts(jid("domain/a@b/c"))).toEqual(["", "domain", "a@b/c"]);
  });

  test("an '@' inside the domain is an error", () => {
    expect(parseError("user@@host").part).toBe("domainpart");
    expect(parseError("a@b@c/r").message).toContain('forbidden character "@"');
  });

  test("empty parts", () => {
    expect(parseError("@d").message).toContain("localpart is empty");
    expect(parseError("d/").message).toContain("resourcepart is empty");
    expect(parseError("").message).toContain("domainpart is empty");
    expect(parseError("u@/r").message).toContain("domainpart is empty");
  });
});

describe("localpart", () => {
  test("case-folded, including non-ASCII", () => {
    expect(jid("JuLiEt@example.com").local).toBe("juliet");
    expect(jid("ÄNGSTRÖM@example.com").local).toBe("ängström");
  });

  // '/' is covered by the splitting rules: "a/b@example.com" is domain "a", resource "b@example.com".
  test.each([..."\"&':<>"])("forbids %s", (ch) => {
    expect(parseError(`a${ch}b@example.com/r`).part).toBe("localpart");
    expect(() => new Jid(`a${ch}b`, "example.com")).toThrow(JidError);
  });

  test("forbids '/' and '@' when built from parts", () => {
    expect(() => new Jid("a/b", "example.com")).toThrow('forbidden character "/"');
    expect(() => new Jid("a@b", "example.com")).toThrow('forbidden character "@"');
  });

  test("forbids controls and DEL, allows other printable ASCII", () => {
    expect(() => jid("a\tb@example.com")).toThrow("U+0009");
    expect(() => jid("a\x7fb@example.com")).toThrow("U+007F");
    expect(jid("!#$%*+-.=?^_`{|}~\\@example.com").local).toBe("!#$%*+-.=?^_`{|}~\\");
  });

  test("width mapping turns fullwidth letters into ASCII", () => {
    expect(jid("\uff2a\uff55\uff4c\uff49\uff45\uff54@example.com").local).toBe("juliet");
  });

  test("non-ASCII spaces and zero-width characters are rejected", () => {
    expect(() => jid("a\u00a0b@example.com")).toThrow(JidError);
    expect(() => jid("a\u200bb@example.com")).toThrow(JidError);
  });
});

describe("resourcepart", () => {
  test("keeps case and spaces (OpaqueString)", () => {
    expect(jid("u@example.com/Foo Bar ").resource).toBe("Foo Bar ");
  });

  test("maps non-ASCII spaces to U+0020", () => {
    expect(jid("u@example.com/a\u3000b\u00a0c").resource).toBe("a b c");
  });

  test("rejects controls, including non-ASCII ones", () => {
    expect(() => jid("u@example.com/a\nb")).toThrow("U+000A");
    expect(() => jid("u@example.com/a\u0085b")).toThrow("U+0085");
    expect(() => jid("u@example.com/a\u2028b")).toThrow(JidError);
  });
});

describe("domainpart", () => {
  test("lower-cased, trailing dot stripped (RFC 7622 §3.2)", () => {
    expect(jid("u@EXAMPLE.Com.").domain).toBe("example.com");
    expect(jid("Example.COM./r").toString()).toBe("example.com/r");
    expect(jid("u@example.com.").equals(jid("u@example.com"))).toBe(true);
  });

  test("empty labels and bad hyphens are rejected", () => {
    expect(() => jid("u@example..com")).toThrow("empty label");
    expect(() => jid("u@.example.com")).toThrow("empty label");
    expect(() => jid("u@example.com..")).toThrow("empty label");
    expect(() => jid(".")).toThrow("domainpart is empty");
    expect(() => jid("u@-example.com")).toThrow("hyphen");
    expect(() => jid("u@example-.com")).toThrow("hyphen");
  });

  test("forbidden ASCII", () => {
    for (const d of ["exa mple.com", "exa_mple.com", "a:b", "a<b", "a\u0000b", "a,b"]) {
      expect(() => jid(`u@${d}`)).toThrow(JidError);
    }
  });

  test("labels of 63 characters are allowed, 64 are not", () => {
    const l63 = "a".repeat(63);
    expect(jid(`${l63}.com`).domain).toBe(`${l63}.com`);
    expect(() => jid(`a${l63}.com`)).toThrow("longer than 63");
  });

  test("IPv4 literals", () => {
    expect(jid("u@192.168.0.1/r").domain).toBe("192.168.0.1");
    for (const bad of ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "example.123"]) {
      expect(() => jid(`u@${bad}`)).toThrow("IPv4");
    }
    expect(jid("123.example").domain).toBe("123.example");
  });

  test("IPv6 literals, canonicalised", () => {
    expect(jid("u@[::1]/r").domain).toBe("[::1]");
    expect(jid("u@[0:0:0:0:0:0:0:1]").equals(jid("u@[::1]"))).toBe(true);
    expect(jid("[2001:DB8::A]").domain).toBe("[2001:db8::a]");
    for (const bad of ["[::1", "[zz::1]", "[1.2.3.4]", "[fe80::1%eth0]", "[]"]) {
      expect(() => jid(`u@${bad}`)).toThrow("IPv6");
    }
  });

  test("internationalised names keep their Unicode form, lower-cased", () => {
    expect(jid("u@MÜNCHEN.de").domain).toBe("münchen.de");
    expect(jid("例え.テスト").domain).toBe("例え.テスト");
    expect(jid("u@xn--mnchen-3ya.de").equals(jid("u@münchen.de"))).toBe(true);
    expect(jid("u@münchen.de。").domain).toBe("münchen.de");
    expect(jid("u@xn--mnchen-3ya.ÄÖ").domain).toBe("münchen.äö");
    // A last label that reads as a hex number must not turn the name into an IPv4 address.
    expect(jid("u@XN--MNCHEN-3YA.0xd").domain).toBe("münchen.0xd");
    expect(jid("u@münchen.0xd").domain).toBe("münchen.0xd");
  });

  test("names that are not valid U-labels are rejected", () => {
    expect(() => jid("u@ℌello.com")).toThrow("not allowed in U-labels");
    expect(() => jid("u@münchen..de")).toThrow(JidError);
    expect(() => jid("u@xn--zz.com")).toThrow("A-label");
    expect(() => jid("u@a\u00a0b.com")).toThrow(JidError);
  });
});

describe("lengths (RFC 7622 §3.2–3.4: 1..1023 octets after preparation)", () => {
  const euro = "€"; // 3 octets in UTF-8 (a symbol: fine in a resource, not in a localpart)
  const han = "漢"; // 3 octets in UTF-8, a letter
  test("localpart", () => {
    expect(jid(`${"a".repeat(1023)}@d`).local).toHaveLength(1023);
    expect(() => jid(`${"a".repeat(1024)}@d`)).toThrow("1024 octets");
    expect(jid(`${han.repeat(341)}@d`).local).toHaveLength(341); // 1023 octets
    expect(() => jid(`a${han.repeat(341)}@d`)).toThrow("1024 octets");
  });

  test("resourcepart", () => {
    expect(jid(`d/${euro.repeat(341)}`).resource).toHaveLength(341);
    expect(() => jid(`d/${euro.repeat(342)}`)).toThrow("1026 octets");
    expect(() => jid(`d/${"r".repeat(1024)}`)).toThrow("resourcepart is 1024 octets");
  });

  test("domainpart", () => {
    const d1023 = Array.from({ length: 16 }, () => "a".repeat(63)).join("."); // 16*63 + 15
    expect(d1023).toHaveLength(1023);
    expect(jid(d1023).domain).toBe(d1023);
    expect(() => jid(`a${d1023}`)).toThrow(JidError);
    expect(() => jid(`b.${d1023}`)).toThrow("1025 octets");
  });

  test("the limit applies after NFC, which can shorten a string", () => {
    const decomposed = "e\u0301".repeat(341); // 1023 units, 1023 octets once composed to é (2 octets each)
    expect(Buffer.byteLength(decomposed)).toBe(1023);
    expect(jid(`d/${decomposed}`).resource).toBe("é".repeat(341));
  });

  test("absurdly long input is rejected before any work", () => {
    expect(() => jid("a".repeat(20000))).toThrow("longer than");
  });
});

describe("normalisation and equality", () => {
  test("NFC: precomposed and decomposed forms are the same JID", () => {
    const a = jid("caf\u00e9@example.com/r\u00e9s");
    const b = jid("cafe\u0301@example.com/re\u0301s");
    expect(a.equals(b)).toBe(true);
    expect(a.toString()).toBe(b.toString());
  });

  test("resources are compared case-sensitively, localparts are not", () => {
    expect(jid("A@d/R").equals(jid("a@d/R"))).toBe(true);
    expect(jid("a@d/R").equals(jid("a@d/r"))).toBe(false);
    expect(jid("a@d/R").bareEquals(jid("A@D/x"))).toBe(true);
    expect(jid("a@d").bareEquals(jid("b@d"))).toBe(false);
  });

  test("bare, isBare, withResource, toBareString", () => {
    const full = jid("Juliet@Example.com/Balcony");
    expect(full.isBare()).toBe(false);
    expect(full.bare().toString()).toBe("juliet@example.com");
    expect(full.bare().isBare()).toBe(true);
    const bare = full.bare();
    expect(bare.bare()).toBe(bare);
    expect(full.toBareString()).toBe("juliet@example.com");
    expect(full.withResource("Orchard").toString()).toBe("juliet@example.com/Orchard");
    expect(full.withResource("").equals(full.bare())).toBe(true);
    expect(() => full.withResource("a\u0000")).toThrow(JidError);
    expect(full.toString()).toBe("juliet@example.com/Balcony");
    expect(JSON.stringify({ to: full })).toBe('{"to":"juliet@example.com/Balcony"}');
  });

  test("constructor validates and normalises each part", () => {
    const j = new Jid("Romeo", "Example.NET.", "Home");
    expect(parts(j)).toEqual(["romeo", "example.net", "Home"]);
    expect(new Jid("", "example.net").toString()).toBe("example.net");
    expect(() => new Jid("a b", "example.net")).toThrow(JidError);
    expect(() => new Jid("a", "")).toThrow("domainpart is empty");
  });
});

describe("JidError", () => {
  test("becomes a jid-malformed stanza error with the reason as text", () => {
    const e = parseError("foo bar@example.com");
    const se = e.toStanzaError();
    expect(se).toBeInstanceOf(StanzaError);
    expect(se.condition).toBe("jid-malformed");
    expect(se.type).toBe("modify");
    expect(se.text).toBe(e.message);
    expect(se.toElement().toString()).toContain("<jid-malformed");
  });
});

describe("properties", () => {
  const localChars = [..."abcxyzABCXYZ0129.-_+!#$%*=?^`{|}~\\", "é", "ß", "π", "Σ", "ж", "漢", "e\u0301"];
  const resourceChars = [...localChars, " ", "@", "/", "&", "'", '"', "<", ">", "♚", "\u00a0", "Ⅳ", "Ａ"];
  const label = fc.oneof(
    fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/).filter((l) => !/^\d+$/.test(l)),
    fc.constantFrom("münchen", "例え", "XN--MNCHEN-3YA", "ÄÖ"),
  );
  const localpart = fc.option(fc.string({ unit: fc.constantFrom(...localChars), minLength: 1, maxLength: 12 }), { nil: "" });
  const domainpart = fc.oneof(
    { weight: 4, arbitrary: fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join(".")) },
    fc.ipV4(),
    fc.ipV6().map((a) => `[${a}]`),
  );
  const resourcepart = fc.option(fc.string({ unit: fc.constantFrom(...resourceChars), minLength: 1, maxLength: 16 }), { nil: "" });
  const validJid = fc.tuple(localpart, domainpart, resourcepart).map(([l, d, r]) => new Jid(l, d, r));

  test("Jid.parse(j.toString()).equals(j)", () => {
    fc.assert(fc.property(validJid, (j) => {
      const again = Jid.parse(j.toString());
      expect(again.equals(j)).toBe(true);
      expect(again.toString()).toBe(j.toString());
    }), { numRuns: 500 });
  });

  test("preparation is idempotent", () => {
    fc.assert(fc.property(validJid, (j) => new Jid(j.local, j.domain, j.resource).equals(j)), { numRuns: 300 });
  });

  test("tryParse never throws on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
      const j = Jid.tryParse(s);
      if (j) expect(Jid.parse(j.toString()).equals(j)).toBe(true);
    }), { numRuns: 1000 });
  });
});
