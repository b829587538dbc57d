import fc from "fast-check";
import { Element } from "ltx";
import { PhaseRegistry, type Phase } from "../../src/phases/phase-registry.js";

const names = ["message", "presence", "iq"];
const namespaces = ["urn:a", "urn:b", "jabber:iq:roster"];
const types = ["get", "set", "chat", "result"];

const stanza = fc.record({
  name: fc.constantFrom(...names),
  type: fc.option(fc.constantFrom(...types), { nil: undefined }),
  children: fc.array(fc.record({ ns: fc.constantFrom(...namespaces), name: fc.constantFrom("query", "x") }), { maxLength: 3 }),
}).map(({ name, type, children }) => {
  const el = new Element(name, type ? { xmlns: "jabber:client", type } : { xmlns: "jabber:client" });
  for (const c of children) el.c(c.name, { xmlns: c.ns });
  return el;
});

const expression = fc.record({
  root: fc.constantFrom(...names, "*"),
  rootNs: fc.option(fc.constantFrom("jabber:client", "jabber:server"), { nil: undefined }),
  type: fc.option(fc.constantFrom(...types), { nil: undefined }),
  child: fc.option(fc.record({ ns: fc.option(fc.constantFrom(...namespaces), { nil: undefined }), name: fc.constantFrom("query", "x", "*") }), { nil: undefined }),
}).map(({ root, rootNs, type, child }) =>
  `${rootNs ? `{${rootNs}}` : ""}${root}${type ? `[@type='${type}']` : ""}${child ? `/${child.ns ? `{${child.ns}}` : ""}${child.name}` : ""}`,
);

test("indexed matching picks exactly what a linear scan by (priority desc, registration asc) picks", () => {
  fc.assert(
    fc.property(fc.array(fc.record({ expr: expression, priority: fc.integer({ min: -2, max: 2 }) }), { minLength: 1, maxLength: 25 }), fc.array(stanza, { minLength: 1, maxLength: 10 }), (defs, stanzas) => {
      const registry = new PhaseRegistry();
      const phases: Phase[] = defs.map((d, i) => registry.phase({ name: `p${i}`, match: d.expr, priority: d.priority, handlers: [() => undefined] }));
      for (const s of stanzas) {
        const linear = phases
          .filter((p) => p.match!.test(s))
          .sort((a, b) => b.priority - a.priority || a.order - b.order)[0];
        expect(registry.match(s)?.name).toBe(linear?.name);
      }
    }),
    { numRuns: 500 },
  );
});
