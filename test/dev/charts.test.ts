// The statecharts in docs/charts/ are generated from the machines (`tjabberd charts`): this test
// fails when a machine changed and the committed charts were not regenerated, and checks that
// what is drawn is what the machine definition says.
import { readdirSync, readFileSync } from "node:fs";
import { and, assign, not, setup, type AnyStateMachine } from "xstate";
import { machines } from "../../machines/index.js";
import { allStates, chartModel } from "../../src/dev/chart-model.js";
import { layoutChart, type Box } from "../../src/dev/chart-layout.js";
import { chartFiles, embedCharts } from "../../src/dev/charts.js";
import { toMermaid } from "../../src/dev/mermaid.js";

const CHARTS_DIR = new URL("../../docs/charts/", import.meta.url);
const MACHINES_DIR = new URL("../../machines/", import.meta.url);

test("docs/charts/ holds exactly what `tjabberd charts` generates (run it after changing a machine)", () => {
  const generated = chartFiles();
  const committed = readdirSync(CHARTS_DIR).filter((f) => f.endsWith(".mmd") || f.endsWith(".svg"));
  expect(committed.sort()).toEqual([...generated.keys()].sort());
  for (const [file, content] of generated) {
    const onDisk = readFileSync(new URL(file, CHARTS_DIR), "utf8");
    if (onDisk !== content) throw new Error(`docs/charts/${file} is stale: run \`npx tjabberd charts\``);
  }
});

test("charts embedded in docs/*.md are the generated ones", () => {
  const docs = new URL("../../docs/", import.meta.url);
  const embedding = readdirSync(docs).filter((f) => f.endsWith(".md") && readFileSync(new URL(f, docs), "utf8").includes("<!-- chart:"));
  expect(embedding).toContain("architecture.md");
  for (const md of embedding) {
    const text = readFileSync(new URL(md, docs), "utf8");
    if (embedCharts(text) !== text) throw new Error(`docs/${md} embeds a stale chart: run \`npx tjabberd charts\``);
  }
});

test("machines/index.ts lists every machine exported from machines/", async () => {
  const registered = new Set(Object.values(machines).map((m) => m.machine));
  const files = readdirSync(MACHINES_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");
  for (const file of files) {
    const exports = (await import(new URL(file, MACHINES_DIR).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const isMachine = typeof value === "object" && value !== null && (value as { root?: unknown }).root !== undefined && "transition" in value;
      if (isMachine && !registered.has(value as AnyStateMachine)) throw new Error(`machines/${file} exports ${name}, missing from machines/index.ts`);
    }
  }
  expect(registered.size).toBe(Object.keys(machines).length);
});

// A small machine with every construct the charts draw.
const door = setup({
  types: { events: {} as { type: "open" } | { type: "close" } | { type: "lock"; code: string } | { type: "kick" } },
  actions: { beep: () => {}, log: (_, _p: { level: string }) => {}, count: assign({}) },
  guards: { hasKey: () => true, jammed: () => false },
  delays: { autoClose: 1000 },
}).createMachine({
  id: "door",
  initial: "closed",
  on: { kick: { target: ".broken", actions: { type: "log", params: { level: "warn" } } } },
  states: {
    closed: {
      initial: "unlocked",
      states: {
        unlocked: { on: { lock: { guard: and(["hasKey", not("jammed")]), target: "locked" } } },
        locked: { entry: "beep", on: { open: { actions: "beep" } } },
      },
      on: { open: { guard: not("jammed"), target: "opened" } },
    },
    opened: {
      after: { autoClose: { target: "closed", actions: "count" } },
      on: { close: { target: "opened", reenter: true } },
      always: { guard: "jammed", target: "broken" },
    },
    broken: { type: "final" },
  },
});

test("the chart model reads states, guards, actions, after, always and targetless transitions", () => {
  const model = chartModel("door", door);
  expect(allStates(model.root).map((s) => s.path)).toEqual(["", "closed", "closed.unlocked", "closed.locked", "opened", "broken"]);
  expect(model.transitions.map((t) => [t.source, t.trigger, t.guard, t.target, t.actions])).toEqual([
    ["", "kick", undefined, "broken", ["log(warn)"]],
    ["closed", "open", "!jammed", "opened", []],
    ["closed.unlocked", "lock", "hasKey && !jammed", "closed.locked", []],
    ["opened", "close", undefined, "opened", []],
    ["opened", "after(autoClose)", undefined, "closed", ["count"]],
    ["opened", "always", "jammed", "broken", []],
  ]);
  const locked = allStates(model.root).find((s) => s.path === "closed.locked")!;
  expect(locked.entry).toEqual(["beep"]);
  expect(locked.internal.map((t) => t.trigger)).toEqual(["open"]);
  // The timer's raise/cancel actions are drawn as after(…), not as entry/exit actions.
  expect(allStates(model.root).find((s) => s.path === "opened")!.entry).toEqual([]);
});

test("mermaid output: path ids, composite states, [*] for initial and final states", () => {
  expect(toMermaid(chartModel("door", door), "test")).toBe(
    [
      "stateDiagram-v2",
      "  %% door: generated by `tjabberd charts` from test; do not edit",
      '  state "any state" as any_state_',
      "  [*] --> closed",
      '  state "closed" as closed {',
      "    [*] --> closed_unlocked",
      '    state "unlocked" as closed_unlocked',
      '    state "locked" as closed_locked',
      "    closed_locked : entry / beep",
      "    closed_locked --> closed_locked : open / beep",
      "  }",
      '  state "opened" as opened',
      '  state "broken" as broken',
      "  broken --> [*]",
      "  any_state_ --> broken : kick / log(warn)",
      "  closed --> opened : open [!jammed]",
      "  closed_unlocked --> closed_locked : lock [hasKey && !jammed]",
      "  opened --> opened : close",
      "  opened --> closed : after(autoClose) / count",
      "  opened --> broken : always [jammed]",
      "",
    ].join("\n"),
  );
});

const inside = (a: Box, b: Box) => a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test.each(Object.keys(machines))("%s chart layout: states inside their parents, no overlaps, every transition drawn", (name) => {
  const model = chartModel(name, machines[name].machine);
  const layout = layoutChart(model);
  const boxes = new Map<string, Box>([...layout.clusters, ...layout.states].map((b) => [b.state.path, b]));
  for (const s of allStates(model.root).filter((s) => s.path !== "")) {
    expect(boxes.has(s.path)).toBe(true);
    const parent = s.path.includes(".") ? boxes.get(s.path.slice(0, s.path.lastIndexOf(".")))! : undefined;
    if (parent && !inside(boxes.get(s.path)!, parent)) throw new Error(`${s.path} is drawn outside its parent`);
  }
  for (const a of layout.states) for (const b of layout.states) {
    if (a !== b && overlap(a, b)) throw new Error(`${a.state.path} overlaps ${b.state.path}`);
  }
  // Every transition between two different states is on exactly one edge; self-transitions are in the box.
  const drawn = layout.edges.flatMap((e) => e.transitions);
  expect(drawn.length + model.transitions.filter((t) => t.source === t.target).length).toBe(model.transitions.length);
  expect(new Set(drawn).size).toBe(drawn.length);
  // Edges into a nested state end on its border, not inside it.
  for (const e of layout.edges) {
    const cluster = layout.clusters.find((c) => c.state.path === e.target);
    const end = e.points[e.points.length - 1];
    if (cluster && !e.source.startsWith(cluster.state.path) && !e.source.startsWith("initial:" + cluster.state.path)) {
      const onBorder = Math.min(Math.abs(end.x - cluster.x), Math.abs(end.x - cluster.x - cluster.width), Math.abs(end.y - cluster.y), Math.abs(end.y - cluster.y - cluster.height));
      expect(onBorder).toBeLessThan(1);
    }
  }
});

test("the SVG marks every state with its path (what the inspector highlights) and is self-contained", () => {
  const svg = chartFiles().get("connection.svg")!;
  for (const s of allStates(chartModel("connection", machines.connection.machine).root).filter((s) => s.path !== "")) {
    expect(svg).toContain(`data-state="${s.path}"`);
  }
  expect(svg).not.toMatch(/<script|href="http|url\(http/);
  expect(chartFiles().get("connection.svg")).toBe(svg); // deterministic
});
