import fc from "fast-check";
import { Element } from "ltx";
import { runChain, type ChainOutput } from "../../actors/chain.js";
import { appendError, type Handler } from "../../src/phases/handler.js";
import { PhaseRegistry } from "../../src/phases/phase-registry.js";

/** What one handler does: return a value, return undefined, or throw — synchronously or not. */
type Behaviour = { kind: "value"; value: number } | { kind: "keep" } | { kind: "throw" };
interface StepSpec { handler: Behaviour; onError?: Behaviour }

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant("value" as const), value: fc.integer({ min: 0, max: 99 }) }),
  fc.constant({ kind: "keep" as const }),
  fc.constant({ kind: "throw" as const }),
);
const steps = fc.array(fc.record({ handler: behaviour, onError: fc.option(behaviour, { nil: undefined }) }, { requiredKeys: ["handler"] }), { minLength: 1, maxLength: 8 });

/** The pjabberd error rule written out directly, as the reference the chain actor must agree with. */
function model(specs: StepSpec[]): { ran: string[]; lastRetVal: unknown; error?: string } {
  let last: unknown = undefined;
  const ran: string[] = [];
  let skipToErrorHandler = false;
  let lastError = "";
  const apply = (b: Behaviour, name: string): boolean => {
    ran.push(name);
    if (b.kind === "throw") {
      lastError = `${name} failed`;
      last = appendError(last, lastError);
      return false;
    }
    if (b.kind === "value") last = b.value;
    return true;
  };
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if (skipToErrorHandler) {
      skipToErrorHandler = false;
      if (!s.onError) return { ran, lastRetVal: last, error: lastError };
      if (!apply(s.onError, `e${i}`)) skipToErrorHandler = true;
      continue;
    }
    if (apply(s.handler, `h${i}`)) continue;
    if (!s.onError) return { ran, lastRetVal: last, error: lastError };
    if (!apply(s.onError, `e${i}`)) skipToErrorHandler = true;
  }
  if (skipToErrorHandler) return { ran, lastRetVal: last, error: lastError };
  return { ran, lastRetVal: last };
}

function toHandler(b: Behaviour, name: string, ran: string[], async: boolean): Handler {
  return () => {
    ran.push(name);
    const outcome = () => {
      if (b.kind === "throw") throw `${name} failed`;
      return b.kind === "value" ? b.value : undefined;
    };
    return async ? Promise.resolve().then(outcome) : outcome();
  };
}

async function actual(specs: StepSpec[], asyncMask: boolean[]) {
  const ran: string[] = [];
  const registry = new PhaseRegistry();
  const phase = registry.phase({
    name: "p",
    handlers: specs.map((s, i) => ({
      handler: toHandler(s.handler, `h${i}`, ran, asyncMask[i % asyncMask.length]),
      onError: s.onError && toHandler(s.onError, `e${i}`, ran, asyncMask[(i + 1) % asyncMask.length]),
    })),
  });
  const out = await new Promise<ChainOutput>((resolve) => runChain({ phase, stanza: new Element("message"), session: null, onDone: resolve }));
  return { ran, lastRetVal: out.lastRetVal, ...(out.error === undefined ? {} : { error: out.error as string }) };
}

test("the chain actor agrees with the reference model of pjabberd's rules, sync and async alike", async () => {
  await fc.assert(
    fc.asyncProperty(steps, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), async (specs, asyncMask) => {
      expect(await actual(specs, asyncMask)).toEqual(model(specs));
    }),
    { numRuns: 300 },
  );
});
