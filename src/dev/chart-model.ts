import type { AnyStateMachine } from "xstate";

/**
 * A statechart reduced to what a diagram needs, read from the machine definition itself
 * (`machine.root`, each state node's `transitions`, `always`, `after`) — never written by hand,
 * so a chart cannot drift from the machine it draws.
 */

export type ChartStateType = "atomic" | "compound" | "parallel" | "final" | "history";

export interface ChartState {
  /** Dotted path from the root, as in a flattened state value ("authenticated.established"); "" is the root. */
  path: string;
  key: string;
  type: ChartStateType;
  children: ChartState[];
  /** Path of the initial child (compound states). */
  initial: string | undefined;
  entry: string[];
  exit: string[];
  /** Transitions without a target: they run actions (or swallow the event) without leaving the state. */
  internal: ChartTransition[];
}

export interface ChartTransition {
  /** Path of the state that declares the transition ("" for the root: taken in any state). */
  source: string;
  /** Path of the target; undefined for a targetless (internal) transition. */
  target: string | undefined;
  kind: "event" | "after" | "always";
  /** The event type, `after(delay)` or `always`. */
  trigger: string;
  guard: string | undefined;
  actions: string[];
  /** Re-enters the target even when it is the source (xstate `reenter: true`). */
  reenter: boolean;
}

export interface ChartModel {
  name: string;
  /** The machine's id (xstate `#id` references start with it). */
  id: string;
  root: ChartState;
  /** Every transition with a target, in definition order. */
  transitions: ChartTransition[];
}

// A minimal view of xstate's StateNode: only what is read here.
interface NodeView {
  key: string;
  path: string[];
  type: ChartStateType;
  states: Record<string, NodeView>;
  initial?: { target: readonly NodeView[] };
  entry: readonly unknown[];
  exit: readonly unknown[];
  transitions: Map<string, readonly TransitionView[]>;
  always?: readonly TransitionView[];
  after: readonly (TransitionView & { delay: string | number })[];
  history?: "shallow" | "deep" | false;
}

interface TransitionView {
  target?: readonly NodeView[];
  guard?: unknown;
  actions: readonly unknown[];
  reenter: boolean;
}

const pathOf = (node: NodeView) => node.path.join(".");

export function chartModel(name: string, machine: AnyStateMachine): ChartModel {
  const transitions: ChartTransition[] = [];
  const root = readState(machine.root as unknown as NodeView, transitions);
  return { name, id: machine.id, root, transitions };
}

function readState(node: NodeView, transitions: ChartTransition[]): ChartState {
  const path = pathOf(node);
  const internal: ChartTransition[] = [];
  const add = (t: TransitionView, kind: ChartTransition["kind"], trigger: string) => {
    const targets = t.target ?? [];
    const base = { source: path, kind, trigger, guard: formatGuard(t.guard), actions: t.actions.map(formatAction), reenter: t.reenter };
    if (targets.length === 0) internal.push({ ...base, target: undefined });
    for (const target of targets) transitions.push({ ...base, target: pathOf(target) });
  };
  for (const [eventType, list] of node.transitions) {
    if (eventType.startsWith("xstate.after.")) continue; // drawn from `after`, with the delay's name
    for (const t of list) add(t, "event", eventLabel(eventType));
  }
  for (const t of node.after) add(t, "after", `after(${typeof t.delay === "number" ? `${t.delay}ms` : t.delay})`);
  for (const t of node.always ?? []) add(t, "always", "always");
  const children = Object.values(node.states).map((child) => readState(child, transitions));
  const initialTarget = node.initial?.target[0];
  return {
    path,
    key: node.key,
    type: node.type === "history" ? "history" : node.type,
    children,
    initial: initialTarget ? pathOf(initialTarget) : undefined,
    entry: node.entry.filter(notTimer).map(formatAction),
    exit: node.exit.filter(notTimer).map(formatAction),
    internal,
  };
}

/** The raise/cancel pair xstate adds to a state's entry/exit for its `after` timers (drawn as `after(…)`). */
function notTimer(action: unknown): boolean {
  if (typeof action !== "function") return true;
  const a = action as { type?: string; id?: unknown; sendId?: unknown };
  const id = a.type === "xstate.raise" ? a.id : a.type === "xstate.cancel" ? a.sendId : undefined;
  return !(typeof id === "string" && id.startsWith("xstate.after."));
}

/** xstate's internal event names, in the words of its config (`onDone`, invoke `onDone`/`onError`). */
function eventLabel(eventType: string): string {
  if (eventType.startsWith("xstate.done.state.")) return "onDone";
  const invoke = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  if (invoke) return `${invoke[1]}(${invoke[2]})`;
  return eventType;
}

/** `isStartTls && canStartTls`, `isRegistration && !encryptionMissing`, `lastAuthAttempt`… */
export function formatGuard(guard: unknown, nested = false): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") {
    const combined = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(combined)) {
      const parts = combined.map((g) => formatGuard(g, true) ?? "?");
      if (guard.name === "not") return `!${parts[0]}`;
      const joined = parts.join(guard.name === "or" ? " || " : " && ");
      return nested ? `(${joined})` : joined;
    }
    return guard.name || "guard";
  }
  if (typeof guard === "object" && "type" in guard) return String((guard as { type: unknown }).type);
  return "guard";
}

/** A named action, with its first parameter when static: `setCloseError(host-unknown)`. */
export function formatAction(action: unknown): string {
  if (typeof action === "string") return action;
  if (typeof action === "function") {
    const type = (action as { type?: unknown }).type;
    return typeof type === "string" ? type.replace(/^xstate\./, "") : action.name || "action";
  }
  if (action && typeof action === "object" && "type" in action) {
    const { type, params } = action as { type: unknown; params?: unknown };
    const name = typeof type === "string" ? type : formatAction(type);
    if (typeof params === "function") return `${name}(…)`;
    if (params && typeof params === "object") {
      const first = Object.values(params).find((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean");
      return first === undefined ? name : `${name}(${String(first)})`;
    }
    return name;
  }
  return "action";
}

/** `event [guard] / a, b` — the UML transition label. */
export function transitionLabel(t: ChartTransition): string {
  let label = t.trigger;
  if (t.guard) label += ` [${t.guard}]`;
  if (t.actions.length > 0) label += ` / ${t.actions.join(", ")}`;
  else if (t.target === undefined) label += " (ignored)";
  return label;
}

/** Every state in the model, depth first, the root first. */
export function allStates(root: ChartState): ChartState[] {
  const out: ChartState[] = [];
  const walk = (s: ChartState) => {
    out.push(s);
    s.children.forEach(walk);
  };
  walk(root);
  return out;
}

/** The active state paths of a state value: `{ a: { b: "c" } }` → ["a", "a.b", "a.b.c"]. */
export function activePaths(value: unknown, prefix = ""): string[] {
  if (typeof value === "string") return [prefix ? `${prefix}.${value}` : value];
  if (!value || typeof value !== "object") return [];
  const out: string[] = [];
  for (const [key, sub] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...activePaths(sub, path));
  }
  return out;
}
