// machines/chain.ts describes the chain actor's lifecycle; the chain itself is hand-written
// ActorLogic (actors/chain.ts). This test makes the description authoritative: random programs of
// handlers (sync, throwing, promises, offloaded jobs on a real worker pool, stopChain, error
// handlers) run through real chains, every status change each chain goes through — observed with
// xstate's inspection API — must be a run of the chart, and every transition of the chart must
// be taken by some chain.
import fc from "fast-check";
import { parse, type Element } from "ltx";
import { createActor, type InspectionEvent } from "xstate";
import { chainLogic, type JobRunner } from "../../actors/chain.js";
import { WorkerPool } from "../../actors/worker-pool.js";
import { chainLifecycleMachine, type ChainLifecycleEvent } from "../../machines/chain.js";
import { PhaseRegistry, type HandlerSpec } from "../../src/phases/phase-registry.js";
import type { Handler } from "../../src/phases/handler.js";
import { chartModel } from "../../src/dev/chart-model.js";

const stanza = parse(`<message xmlns="jabber:client" to="a@b"><body>hi</body></message>`) as Element;

type Kind = "return" | "throw" | "resolve" | "reject" | "job" | "jobFails" | "stop";
const KINDS: Kind[] = ["return", "throw", "resolve", "reject", "job", "jobFails", "stop"];
interface Step {
  kind: Kind;
  onError?: Kind;
}

let pool: WorkerPool;
beforeAll(async () => {
  pool = new WorkerPool({ size: 1, jobModules: [new URL("../fixtures/jobs-basic.ts", import.meta.url)] });
  await pool.ready();
});
afterAll(() => pool.close());

/** What the observer sees of one chain, turned into chart events as it happens. */
class Observer {
  calls = 0;
  submitted = false;
  readonly steps: { from: string; event: ChainLifecycleEvent; to: string }[] = [];
  private state = "running";
  private pending: { type: "chain.resume" | "chain.fail"; callsBefore: number } | undefined;

  inspect = (ev: InspectionEvent) => {
    if (ev.actorRef.sessionId !== ev.rootId) return;
    if (ev.type === "@xstate.event" && (ev.event.type === "chain.resume" || ev.event.type === "chain.fail")) {
      this.pending = { type: ev.event.type, callsBefore: this.calls };
    }
    if (ev.type !== "@xstate.snapshot") return;
    const status = (ev.snapshot as { status: string }).status;
    if (this.pending) {
      const { type, callsBefore } = this.pending;
      this.pending = undefined;
      // A failure that no handler runs after, and that ends the chain, ended it directly.
      if (type === "chain.fail" && status === "done" && this.calls === callsBefore) return this.step({ type, handled: false }, "done");
      this.step(type === "chain.fail" ? { type, handled: true } : { type }, "running");
    }
    if (this.state !== "running") return;
    if (status === "done") this.step({ type: "chain.end" }, "done");
    else if (this.submitted) this.step({ type: "handler.offload", job: "?" }, "awaitingJob");
    else this.step({ type: "handler.promise" }, "awaitingPromise");
    this.submitted = false;
  };

  private step(event: ChainLifecycleEvent, to: string): void {
    this.steps.push({ from: this.state, event, to });
    this.state = to;
  }
}

function handlerFor(kind: Kind, observer: Observer): Handler {
  return (ctx) => {
    observer.calls++;
    switch (kind) {
      case "return":
        return 1;
      case "throw":
        throw new Error("handler threw");
      case "resolve":
        return new Promise((resolve) => setImmediate(() => resolve(2)));
      case "reject":
        return new Promise((_, reject) => setImmediate(() => reject(new Error("promise rejected"))));
      case "job":
        return ctx.offload("echo", 3);
      case "jobFails":
        return ctx.offload("throwQuota", 1);
      case "stop":
        return ctx.stopChain();
    }
  };
}

/** Runs one program through a real chain; resolves with the observed status changes. */
function runProgram(program: Step[]): Promise<Observer> {
  const observer = new Observer();
  const jobs: JobRunner = {
    submit(job, payload, done) {
      observer.submitted = true;
      pool.submit(job, payload, done);
    },
  };
  const registry = new PhaseRegistry();
  const handlers: HandlerSpec[] = program.map((s) => ({
    handler: handlerFor(s.kind, observer),
    onError: s.onError === undefined ? undefined : handlerFor(s.onError, observer),
  }));
  const phase = registry.phase({ name: `p${Math.random()}`, handlers });
  return new Promise((resolve) => {
    createActor(chainLogic, {
      input: { phase, stanza, session: {}, registry, jobs, onDone: () => setImmediate(() => resolve(observer)) },
      inspect: observer.inspect,
    }).start();
  });
}

/** Replays observed status changes on the chart itself: each must lead where the chain went. */
function replayOnChart(steps: Observer["steps"]): void {
  const chart = createActor(chainLifecycleMachine).start();
  for (const { from, event, to } of steps) {
    expect(chart.getSnapshot().value).toBe(from);
    chart.send(event);
    if (chart.getSnapshot().value !== to) {
      throw new Error(`the chart has no ${from} --${event.type}--> ${to} (went to ${String(chart.getSnapshot().value)})`);
    }
  }
  expect(chart.getSnapshot().status).toBe("done");
}

const edgeKey = (from: string, trigger: string, guarded: boolean, to: string) => `${from} --${trigger}${guarded ? " [guarded]" : ""}--> ${to}`;

test("every status change of real chains is a transition of machines/chain.ts, and every transition is taken", async () => {
  const taken = new Set<string>();
  const kind = fc.constantFrom(...KINDS);
  const step = fc.record({ kind, onError: fc.option(kind, { nil: undefined }) }, { requiredKeys: ["kind"] });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (program) => {
      const observer = await runProgram(program);
      replayOnChart(observer.steps);
      for (const { from, event, to } of observer.steps) {
        taken.add(edgeKey(from, event.type, event.type === "chain.fail" && event.handled, to));
      }
    }),
    { numRuns: 150, seed: 4242 },
  );
  const chartEdges = chartModel("chain", chainLifecycleMachine).transitions.map((t) => edgeKey(t.source, t.trigger, t.guard !== undefined, t.target!));
  expect([...taken].sort()).toEqual([...new Set(chartEdges)].sort());
});

test("a chain that offloads twice: running → awaitingJob → running → awaitingJob → running → done", async () => {
  const observer = await runProgram([{ kind: "job" }, { kind: "jobFails", onError: "return" }, { kind: "return" }]);
  expect(observer.steps.map((s) => s.to)).toEqual(["awaitingJob", "running", "awaitingJob", "running", "done"]);
  expect(observer.calls).toBe(4);
});
