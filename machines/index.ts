import type { AnyStateMachine } from "xstate";
import { chainLifecycleMachine } from "./chain.js";
import { connectionMachine } from "./connection.js";

/**
 * Every statechart in machines/, by chart name: `tjabberd charts` draws each one, and
 * test/dev/charts.test.ts fails if a machine exported from machines/ is missing here.
 */
export const machines: Record<string, { machine: AnyStateMachine; source: string }> = {
  connection: { machine: connectionMachine, source: "machines/connection.ts" },
  chain: { machine: chainLifecycleMachine, source: "machines/chain.ts" },
};

export { chainLifecycleMachine, connectionMachine };
