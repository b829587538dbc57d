import { Element, parse } from "ltx";
import { toPromise } from "xstate";
import { runChain, type ChainOutput, type JobRunner } from "../actors/chain.js";
import { PhaseRegistry, type PhaseDefinition } from "../src/phases/phase-registry.js";
import type { Handler } from "../src/phases/handler.js";

const stanza = parse(`<message xmlns="jabber:client" to="a@b"><body>hi</body></message>`) as Element;

/** Runs a phase built from `handlers` and resolves with the chain output. */
function run(handlers: PhaseDefinition["handlers"], opts: { jobs?: JobRunner; registry?: PhaseRegistry; trace?: boolean } = {}): Promise<ChainOutput> {
  const registry = opts.registry ?? new PhaseRegistry();
  const phase = registry.phase({ name: `p${Math.random()}`, handlers });
  return new Promise((resolve) => runChain({ phase, stanza, session: { user: "alice" }, registry, jobs: opts.jobs, trace: opts.trace, onDone: resolve }));
}

/** Records which handlers ran, in order. */
function recorder() {
  const ran: string[] = [];
  const h = (name: string, body: Handler = () => name): Handler => {
    const fn: Handler = (ctx) => {
      ran.push(name);
      return body(ctx);
    };
    Object.defineProperty(fn, "name", { value: name });
    return fn;
  };
  return { ran, h };
}

class Boom extends Error {}

describe("chain semantics (pjabberd)", () => {
  test("lastRetVal flows; returning undefined keeps the previous value", async () => {
    const seen: unknown[] = [];
    const out = await run([
      () => 1,
      (c) => void seen.push(c.lastRetVal),
      (c) => { seen.push(c.lastRetVal); return "three"; },
    ]);
    expect(seen).toEqual([1, 1]);
    expect(out.lastRetVal).toBe("three");
    expect(out.error).toBeUndefined();
  });

  test("handlers see the stanza, the session and the phase name", async () => {
    const out = await run([(c) => [c.stanza.getChildText("body"), (c.session as { user: string }).user, c.phase.startsWith("p")]]);
    expect(out.lastRetVal).toEqual(["hi", "alice", true]);
  });

  test("chainOutput collects outputs in order", async () => {
    const out = await run([(c) => c.chainOutput("a"), (c) => { c.chainOutput("b"); c.chainOutput("c"); }]);
    expect(out.outputs).toEqual(["a", "b", "c"]);
  });

  test("stopChain ends the regular handlers; a last handler still runs", async () => {
    const { ran, h } = recorder();
    await run([h("one", (c) => c.setLastHandler(h("last"))), h("two", (c) => c.stopChain()), h("three")]);
    expect(ran).toEqual(["one", "two", "last"]);
  });

  test("setNextHandler runs right after the current handler, by value or by registered name", async () => {
    const { ran, h } = recorder();
    const registry = new PhaseRegistry();
    registry.handler("named", h("named"));
    await run([h("one", (c) => { c.setNextHandler(h("inserted")); }), h("two", (c) => c.setNextHandler("named")), h("three")], { registry });
    expect(ran).toEqual(["one", "inserted", "two", "named", "three"]);
  });

  test("setLastHandler runs after all remaining handlers; setting it again replaces it", async () => {
    const { ran, h } = recorder();
    await run([h("one", (c) => c.setLastHandler(h("lastA"))), h("two", (c) => c.setLastHandler(h("lastB"))), h("three")]);
    expect(ran).toEqual(["one", "two", "three", "lastB"]);
  });

  test("a throw appends the error to lastRetVal and runs the paired error handler (A); then the next handler", async () => {
    const { ran, h } = recorder();
    const err = new Boom("x");
    let seenByA: unknown;
    const out = await run([
      h("one", () => 1),
      { handler: h("two", () => { throw err; }), onError: h("A", (c) => { seenByA = c.lastRetVal; }) },
      { handler: h("three", () => undefined), onError: h("B") },
    ]);
    expect(ran).toEqual(["one", "two", "A", "three"]);
    expect(seenByA).toEqual([1, err]);
    expect(out.lastRetVal).toEqual([1, err]);
    expect(out.error).toBeUndefined();
  });

  test("if A throws too, the next regular handler is skipped and its error handler (B) runs", async () => {
    const { ran, h } = recorder();
    const e1 = new Boom("first");
    const e2 = new Boom("second");
    let seenByB: unknown;
    const out = await run([
      { handler: h("one", () => { throw e1; }), onError: h("A", () => { throw e2; }) },
      { handler: h("two"), onError: h("B", (c) => { seenByB = c.lastRetVal; return "recovered"; }) },
      h("three"),
    ]);
    expect(ran).toEqual(["one", "A", "B", "three"]);
    expect(seenByB).toEqual([e1, e2]);
    expect(out.lastRetVal).toBe("three");
    expect(out.error).toBeUndefined();
  });

  test("errors already in an array lastRetVal are appended to a copy", async () => {
    const e = new Boom();
    const initial = ["x"];
    const out = await run([() => initial, { handler: () => { throw e; }, onError: () => undefined }]);
    expect(out.lastRetVal).toEqual(["x", e]);
    expect(initial).toEqual(["x"]);
  });

  test("a throw with no error handler ends the chain with that error", async () => {
    const { ran, h } = recorder();
    const e = new Boom("unhandled");
    const out = await run([h("one", (c) => c.chainOutput("kept")), h("two", () => { throw e; }), h("three")]);
    expect(ran).toEqual(["one", "two"]);
    expect(out.error).toBe(e);
    expect(out.outputs).toEqual(["kept"]);
  });

  test("A throws and the next step has no error handler: the chain ends with A's error", async () => {
    const { ran, h } = recorder();
    const e2 = new Boom("A failed");
    const out = await run([{ handler: h("one", () => { throw new Boom(); }), onError: h("A", () => { throw e2; }) }, h("two"), h("three")]);
    expect(ran).toEqual(["one", "A"]);
    expect(out.error).toBe(e2);
  });

  test("B throwing skips on to the following error handler (the rule repeats)", async () => {
    const { ran, h } = recorder();
    await run([
      { handler: h("one", () => { throw new Boom(); }), onError: h("A", () => { throw new Boom(); }) },
      { handler: h("two"), onError: h("B", () => { throw new Boom(); }) },
      { handler: h("three"), onError: h("C") },
      h("four"),
    ]);
    expect(ran).toEqual(["one", "A", "B", "C", "four"]);
  });
});

describe("asynchronous handlers", () => {
  test("a Promise suspends the chain; its value becomes lastRetVal", async () => {
    const { ran, h } = recorder();
    const out = await run([h("one", () => new Promise((r) => setTimeout(() => r(42), 5))), h("two", (c) => (c.lastRetVal as number) + 1)]);
    expect(ran).toEqual(["one", "two"]);
    expect(out.lastRetVal).toBe(43);
  });

  test("a rejected Promise is handled like a throw", async () => {
    const { ran, h } = recorder();
    const e = new Boom("async");
    const out = await run([
      { handler: h("one", () => Promise.reject(e)), onError: h("A", (c) => Promise.resolve(`handled ${(c.lastRetVal as Error[])[0].message}`)) },
      h("two"),
    ]);
    expect(ran).toEqual(["one", "A", "two"]);
    expect(out.lastRetVal).toBe("two");
  });

  test("async A rejecting skips to B", async () => {
    const { ran, h } = recorder();
    await run([
      { handler: h("one", () => Promise.reject(new Boom())), onError: h("A", () => Promise.reject(new Boom())) },
      { handler: h("two"), onError: h("B") },
    ]);
    expect(ran).toEqual(["one", "A", "B"]);
  });

  test("offload sends the job to the runner and resumes with its result", async () => {
    const submitted: [string, unknown][] = [];
    const jobs: JobRunner = {
      submit(job, payload, done) {
        submitted.push([job, payload]);
        setImmediate(() => (job === "double" ? done(null, (payload as number) * 2) : done(new Error(`no job ${job}`))));
      },
    };
    const out = await run([() => 21, (c) => c.offload("double", c.lastRetVal), (c) => `got ${c.lastRetVal}`], { jobs });
    expect(submitted).toEqual([["double", 21]]);
    expect(out.lastRetVal).toBe("got 42");

    const failed = await run([{ handler: (c) => { c.offload("missing"); }, onError: (c) => (c.lastRetVal as Error[])[0].message }], { jobs });
    expect(failed.lastRetVal).toBe("no job missing");
  });

  test("offload without a job runner is an error in the chain", async () => {
    const out = await run([(c) => c.offload("x")]);
    expect(String(out.error)).toMatch(/no worker pool/);
  });
});

describe("the chain actor", () => {
  test("is an xstate actor: toPromise resolves with the output", async () => {
    const registry = new PhaseRegistry();
    const phase = registry.phase({ name: "p", handlers: [() => "v"] });
    const actor = runChain({ phase, stanza, session: null });
    expect(actor.getSnapshot().status).toBe("done");
    await expect(toPromise(actor)).resolves.toMatchObject({ lastRetVal: "v" });
  });

  test("trace records each handler, error handlers, skips and offloaded jobs", async () => {
    const jobs: JobRunner = { submit: (_j, p, done) => setImmediate(() => done(null, p)) };
    const out = await run(
      [
        { handler: function thrower() { throw new Boom("t"); }, onError: function errA() { throw new Boom("a"); } },
        { handler: function skipped() {}, onError: function errB() {} },
        function offloader(c) { return c.offload("echo", 1); },
      ],
      { jobs, trace: true },
    );
    expect(out.trace!.map((t) => [t.handler, t.kind, t.job, t.error])).toEqual([
      ["thrower", "handler", undefined, "Error: t"],
      ["thrower", "error-handler", undefined, "Error: a"],
      ["skipped", "skipped", undefined, undefined],
      ["skipped", "error-handler", undefined, undefined],
      ["offloader", "handler", "echo", undefined],
    ]);
  });
});
