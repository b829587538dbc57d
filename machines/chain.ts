import { setup } from "xstate";

/**
 * The chain actor's lifecycle, as a statechart: a description, not an implementation. The chain
 * itself (actors/chain.ts) is a hand-written ActorLogic, ~20× cheaper per stanza than a machine;
 * this chart draws what it does, and test/dev/chain-chart.test.ts keeps the drawing honest: it
 * drives real chains through every kind of handler and checks that each status change they go
 * through is a transition here — and that every transition here is taken by some chain.
 *
 * - running: handlers are called one after another, synchronously;
 * - a handler that returns a Promise, or `offload(job)`, suspends the chain until the completion
 *   message (`chain.resume` / `chain.fail`) arrives;
 * - a failure with an error handler left to take it goes back to running; otherwise it ends the chain.
 */
export type ChainLifecycleEvent =
  | { type: "handler.promise" }
  | { type: "handler.offload"; job: string }
  | { type: "chain.resume" }
  | { type: "chain.fail"; handled: boolean }
  /** The handlers ran out, one called stopChain(), or an error no error handler took. */
  | { type: "chain.end" };

const completion = {
  "chain.resume": { target: "running" },
  "chain.fail": [{ guard: "errorHandlerLeft", target: "running" }, { target: "done" }],
} as const;

export const chainLifecycleMachine = setup({
  types: { events: {} as ChainLifecycleEvent },
  guards: {
    /** The failed call has a paired error handler, or is one (the next step's error handler runs). */
    errorHandlerLeft: ({ event }) => event.type === "chain.fail" && event.handled,
  },
}).createMachine({
  id: "chain",
  initial: "running",
  states: {
    running: {
      on: {
        "handler.promise": "awaitingPromise",
        "handler.offload": "awaitingJob",
        "chain.end": "done",
      },
    },
    awaitingPromise: { on: completion },
    awaitingJob: { on: completion },
    done: { type: "final" },
  },
});
