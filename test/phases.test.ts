import { Element, parse } from "ltx";
import { PhaseRegistry } from "../src/phases/phase-registry.js";
import { parseMatchExpression } from "../src/phases/match-expression.js";
import { PhaseError } from "../src/phases/phase-error.js";

const xml = (s: string): Element => parse(s) as Element;
const noop = () => undefined;

describe("match expressions", () => {
  const rosterGet = xml(`<iq xmlns="jabber:client" type="get" id="1"><query xmlns="jabber:iq:roster"/></iq>`);

  test.each([
    ["iq", true],
    ["{jabber:client}iq", true],
    ["{jabber:server}iq", false],
    ["iq[@type='get']", true],
    ['iq[@type="get"]', true],
    ["iq[@type='set']", false],
    ["iq[@id]", true],
    ["iq[@to]", false],
    ["iq[@type='get'][@id='1']", true],
    ["iq[@type='get'][@id='2']", false],
    ["{jabber:client}iq[@type='get']/{jabber:iq:roster}query", true],
    ["iq/{jabber:iq:private}query", false],
    ["iq/query", true],
    ["*/{jabber:iq:roster}query", true],
    ["message", false],
    ["iq/query/item", false],
  ])("%s → %s", (expr, expected) => {
    expect(parseMatchExpression(expr).test(rosterGet)).toBe(expected);
  });

  test("child steps look at every child, at any depth of the path", () => {
    const msg = xml(`<message xmlns="jabber:client"><body>x</body><x xmlns="urn:a"><item jid="a@b"/></x></message>`);
    expect(parseMatchExpression("message/{urn:a}x/item[@jid='a@b']").test(msg)).toBe(true);
    expect(parseMatchExpression("message/{urn:a}x/item[@jid='c@d']").test(msg)).toBe(false);
  });

  test("namespace URIs with slashes are kept whole", () => {
    const iq = xml(`<iq type="get"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    expect(parseMatchExpression("iq/{http://jabber.org/protocol/disco#info}query").test(iq)).toBe(true);
  });

  test.each(["", "iq[", "iq[@type='x'", "iq]", "iq/", "{ns}", "iq[type='get']", "iq[@a='b' or @c]", "i*q", "iq//query", "{a}{b}iq"])(
    "bad expression %p is refused with BAD_EXPRESSION",
    (expr) => {
      expect(() => parseMatchExpression(expr)).toThrow(PhaseError);
      try {
        parseMatchExpression(expr);
      } catch (err) {
        expect((err as PhaseError).code).toBe("BAD_EXPRESSION");
      }
    },
  );
});

describe("phase registry", () => {
  test("higher priority wins; equal priorities keep registration order", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "low", match: "iq", priority: 1, handlers: [noop] });
    r.phase({ name: "first-equal", match: "iq[@type='get']", priority: 5, handlers: [noop] });
    r.phase({ name: "second-equal", match: "iq", priority: 5, handlers: [noop] });
    r.phase({ name: "high-but-no-match", match: "iq[@type='set']", priority: 9, handlers: [noop] });
    expect(r.match(xml(`<iq type="get"/>`))?.name).toBe("first-equal");
    expect(r.match(xml(`<iq type="result"/>`))?.name).toBe("second-equal");
    expect(r.match(xml(`<iq type="set"/>`))?.name).toBe("high-but-no-match");
    expect(r.list().map((p) => p.name)).toEqual(["high-but-no-match", "first-equal", "second-equal", "low"]);
  });

  test("deterministic across many equal-priority phases", () => {
    for (let round = 0; round < 5; round++) {
      const r = new PhaseRegistry();
      for (let i = 0; i < 50; i++) r.phase({ name: `p${i}`, match: "message", handlers: [noop] });
      expect(r.match(xml(`<message/>`))?.name).toBe("p0");
    }
  });

  test("child-namespace index picks the right phase among many", () => {
    const r = new PhaseRegistry();
    for (let i = 0; i < 200; i++) r.phase({ name: `ns${i}`, match: `iq[@type='get']/{urn:x:${i}}query`, handlers: [noop] });
    r.phase({ name: "iq-fallback", match: "iq", priority: -1, handlers: [noop] });
    expect(r.match(xml(`<iq type="get"><query xmlns="urn:x:137"/></iq>`))?.name).toBe("ns137");
    expect(r.match(xml(`<iq type="get"><query xmlns="urn:x:none"/></iq>`))?.name).toBe("iq-fallback");
    expect(r.match(xml(`<presence/>`))).toBeUndefined();
  });

  test("wildcard stanza name phases compete by priority with named ones", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "named", match: "message", priority: 0, handlers: [noop] });
    r.phase({ name: "any", match: "*[@to='x@y']", priority: 10, handlers: [noop] });
    expect(r.match(xml(`<message to="x@y"/>`))?.name).toBe("any");
    expect(r.match(xml(`<message to="z@y"/>`))?.name).toBe("named");
  });

  test("handlers by name, with paired error handlers", () => {
    const r = new PhaseRegistry();
    const h = () => 1;
    const e = () => 2;
    r.handler("h", h).handler("e", e);
    const phase = r.phase({ name: "p", match: "iq", handlers: ["h", { handler: "h", onError: "e" }, noop] });
    expect(phase.steps.map((s) => [s.name, s.handler, s.onError])).toEqual([
      ["h", h, undefined],
      ["h", h, e],
      ["noop", noop, undefined],
    ]);
  });

  test.each([
    [() => new PhaseRegistry().phase({ name: "p", match: "iq", handlers: ["missing"] }), "UNKNOWN_HANDLER", /phase "p": no handler named "missing"/],
    [() => new PhaseRegistry().phase({ name: "p", match: "iq", handlers: [{ handler: noop, onError: "gone" }] }), "UNKNOWN_HANDLER", /gone/],
    [() => new PhaseRegistry().handler("a", noop).handler("a", noop), "DUPLICATE_HANDLER", /"a"/],
    [() => { const r = new PhaseRegistry(); r.phase({ name: "p", handlers: [noop] }); r.phase({ name: "p", handlers: [noop] }); }, "DUPLICATE_PHASE", /"p"/],
    [() => new PhaseRegistry().phase({ name: "p", handlers: [] }), "BAD_PHASE", /no handlers/],
    [() => new PhaseRegistry().phase({ name: "p", match: "iq[", handlers: [noop] }), "BAD_EXPRESSION", /iq\[/],
    [() => new PhaseRegistry().get("nope"), "UNKNOWN_PHASE", /nope/],
  ])("registration error %#", (fn, code, message) => {
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(PhaseError);
      expect((err as PhaseError).code).toBe(code);
    }
  });

  test("a phase without match is only reachable by name", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "internal", handlers: [noop] });
    expect(r.match(xml(`<iq/>`))).toBeUndefined();
    expect(r.get("internal").name).toBe("internal");
  });
});

describe("extending a phase from another module", () => {
  const named = (n: string) => Object.defineProperty(() => n, "name", { value: n });
  test("before, after, first and appended, in registration order", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "msg", match: "message", handlers: [named("a"), named("b")] });
    r.extend("msg", named("end"));
    r.extend("msg", named("start"), { first: true });
    r.extend("msg", named("beforeB"), { before: "b" });
    r.extend("msg", named("afterA"), { after: "a" });
    expect(r.get("msg").steps.map((s) => s.name)).toEqual(["start", "a", "afterA", "beforeB", "b", "end"]);
  });
  test("a prelude opens every phase, registered before it or after, ahead of extend({ first })", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "early", handlers: [named("a")] });
    r.extend("early", named("start"), { first: true });
    r.prelude(named("gate1"));
    r.prelude(named("gate2"));
    r.phase({ name: "late", handlers: [named("b")] });
    expect(r.get("early").steps.map((s) => s.name)).toEqual(["gate1", "gate2", "start", "a"]);
    expect(r.get("late").steps.map((s) => s.name)).toEqual(["gate1", "gate2", "b"]);
  });
  test("unknown anchors and phases are registration errors", () => {
    const r = new PhaseRegistry();
    r.phase({ name: "msg", handlers: [named("a")] });
    expect(() => r.extend("msg", named("x"), { before: "nope" })).toThrow(/no step named "nope"/);
    expect(() => r.extend("other", named("x"))).toThrow(PhaseError);
  });
});
