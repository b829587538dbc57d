import dagre from "@dagrejs/dagre";
import { allStates, transitionLabel, type ChartModel, type ChartState, type ChartTransition } from "./chart-model.js";

/**
 * Lays a chart model out with dagre (a compound graph: nested states are clusters).
 *
 * dagre cannot route edges to a cluster, so a compound state gets two invisible anchors inside
 * it — a header (its title, at the top) for transitions that enter it and a footer (at the
 * bottom) for those that leave it — and those edges are cut where they cross the cluster's border.
 * Text is measured as monospace, which the SVG uses, so no browser is needed to measure it.
 */

export const FONT_SIZE = 12;
export const CHAR_WIDTH = FONT_SIZE * 0.6;
export const LINE_HEIGHT = 15;
const PAD_X = 10;
const PAD_Y = 6;
const INITIAL_SIZE = 12;
/** Actions on an edge label wrap after this many characters. */
const LABEL_WRAP = 30;

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StateBox extends Box {
  state: ChartState;
  /** Lines under the name: entry/exit actions and internal transitions. */
  details: string[];
}

export interface ClusterBox extends Box {
  state: ChartState;
  /** Where the title block (name + details) is centred. */
  header: Box;
  details: string[];
}

export interface EdgeLayout {
  /** The transitions drawn by this edge (all with the same source and target); none for an initial-state arrow. */
  transitions: ChartTransition[];
  source: string;
  target: string;
  points: Point[];
  label: { x: number; y: number; lines: string[] } | undefined;
}

export interface ChartLayout {
  width: number;
  height: number;
  states: StateBox[];
  clusters: ClusterBox[];
  /** Initial pseudo-states (filled dots), by the path of the compound state they start. */
  initials: (Point & { path: string })[];
  /** "any state": the source of the root's own transitions, if it has any. */
  any: Box | undefined;
  edges: EdgeLayout[];
}

const isCompound = (s: ChartState) => s.children.length > 0;

/**
 * Lines describing what a state does besides leaving: entry/exit actions, internal transitions,
 * and self-transitions (`↻`, they exit and re-enter it) — drawn inside the box, as dagre's
 * self-loops come out misplaced.
 */
export function stateDetails(s: ChartState, selfTransitions: ChartTransition[] = []): string[] {
  return [
    ...s.entry.map((a) => `entry / ${a}`),
    ...s.exit.map((a) => `exit / ${a}`),
    ...s.internal.map(transitionLabel),
    ...selfTransitions.map((t) => `↻ ${transitionLabel(t)}`),
  ];
}

/** `trigger [guard]` on the first line, then `/ actions` wrapped. */
export function labelLines(t: ChartTransition): string[] {
  const lines = [t.trigger];
  if (t.guard) {
    if (t.trigger.length + t.guard.length + 3 > LABEL_WRAP) lines.push(`  [${t.guard}]`);
    else lines[0] += ` [${t.guard}]`;
  }
  let line = "";
  t.actions.forEach((action, i) => {
    const piece = (i === 0 ? "/ " : "") + action + (i < t.actions.length - 1 ? "," : "");
    if (line && line.length + 1 + piece.length > LABEL_WRAP) {
      lines.push(line);
      line = "  " + piece;
    } else line = line ? `${line} ${piece}` : piece;
  });
  if (line) lines.push(line);
  return lines;
}

export function textWidth(lines: string[]): number {
  return Math.max(0, ...lines.map((l) => l.length)) * CHAR_WIDTH;
}

export function layoutChart(model: ChartModel): ChartLayout {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 36, edgesep: 14, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));

  const states = allStates(model.root).filter((s) => s.path !== "");
  const selfLoops = model.transitions.filter((t) => t.source === t.target);
  const details = (s: ChartState) => stateDetails(s, selfLoops.filter((t) => t.source === s.path));
  // A compound state's footer exists only when transitions leave from the state itself.
  const leaves = new Set(model.transitions.filter((t) => t.source !== t.target).map((t) => t.source));
  const byPath = new Map(allStates(model.root).map((s) => [s.path, s]));
  const cluster = (path: string) => `c:${path}`;
  const anchorIn = (path: string) => (isCompound(byPath.get(path)!) ? `h:${path}` : `s:${path}`);
  const anchorOut = (path: string) => (isCompound(byPath.get(path)!) ? `f:${path}` : `s:${path}`);
  const parentCluster = (s: ChartState) => {
    const parent = s.path.includes(".") ? s.path.slice(0, s.path.lastIndexOf(".")) : "";
    return parent === "" ? undefined : cluster(parent);
  };
  const place = (id: string, label: object, parent: string | undefined) => {
    g.setNode(id, label);
    if (parent) g.setParent(id, parent);
  };

  let edgeCount = 0;
  // Weight 1, not 0: with weightless edges dagre can place a cluster's border away from its content.
  const invisible = (v: string, w: string) => g.setEdge(v, w, { minlen: 1, weight: 1 }, `x${edgeCount++}`);

  for (const s of states) {
    const lines = [s.key, ...details(s)];
    if (!isCompound(s)) {
      const height = LINE_HEIGHT * lines.length + 2 * PAD_Y + (lines.length > 1 ? 4 : 0);
      place(`s:${s.path}`, { width: textWidth(lines) + 2 * PAD_X, height }, parentCluster(s));
      continue;
    }
    place(cluster(s.path), {}, parentCluster(s));
    place(`h:${s.path}`, { width: textWidth(lines) + 2 * PAD_X, height: LINE_HEIGHT * lines.length + PAD_Y }, cluster(s.path));
    if (leaves.has(s.path)) place(`f:${s.path}`, { width: 1, height: 1 }, cluster(s.path));
  }
  for (const s of allStates(model.root)) {
    if (!s.initial) continue;
    place(`i:${s.path}`, { width: INITIAL_SIZE, height: INITIAL_SIZE }, s.path === "" ? undefined : cluster(s.path));
  }
  // Keep each cluster's title above its content and its footer below it.
  for (const s of states.filter(isCompound)) {
    const tops = s.children.map((c) => anchorIn(c.path));
    const bottoms = s.children.map((c) => (isCompound(c) && !leaves.has(c.path) ? `h:${c.path}` : anchorOut(c.path)));
    if (s.initial) tops.push(`i:${s.path}`);
    for (const top of tops) invisible(`h:${s.path}`, top);
    if (leaves.has(s.path)) for (const bottom of bottoms) invisible(bottom, `f:${s.path}`);
  }

  const anyTransitions = model.transitions.filter((t) => t.source === "");
  const anyDetails = model.root.internal.map(transitionLabel);
  if (anyTransitions.length > 0 || anyDetails.length > 0) {
    const lines = ["any state", ...anyDetails];
    g.setNode("any", { width: textWidth(lines) + 2 * PAD_X, height: LINE_HEIGHT * lines.length + 2 * PAD_Y });
  }

  const edges: { name: string; transitions: ChartTransition[]; source: string; target: string; v: string; w: string }[] = [];
  for (const s of allStates(model.root)) {
    if (!s.initial) continue;
    const name = `e${edgeCount++}`;
    edges.push({ name, transitions: [], source: `initial:${s.path}`, target: s.initial, v: `i:${s.path}`, w: anchorIn(s.initial) });
    g.setEdge(`i:${s.path}`, anchorIn(s.initial), { minlen: 1, weight: 2 }, name);
  }
  // One edge per (source, target) pair, its label listing every transition it stands for.
  const pairs = new Map<string, ChartTransition[]>();
  for (const t of model.transitions) {
    if (t.source === t.target) continue;
    const key = `${t.source}\u0000${t.target}`;
    pairs.set(key, [...(pairs.get(key) ?? []), t]);
  }
  for (const ts of pairs.values()) {
    const { source, target } = ts[0];
    const v = source === "" ? "any" : anchorOut(source);
    const w = anchorIn(target!);
    const lines = ts.flatMap(labelLines);
    const name = `e${edgeCount++}`;
    edges.push({ name, transitions: ts, source, target: target!, v, w });
    g.setEdge(v, w, { width: textWidth(lines) + 8, height: LINE_HEIGHT * lines.length + 4, labelpos: "c", minlen: 1, weight: ts.length, lines }, name);
  }

  dagre.layout(g);

  const box = (id: string): Box => {
    const n = g.node(id) as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const clusterBoxes = new Map<string, Box>();
  const result: ChartLayout = {
    width: (g.graph().width ?? 0),
    height: (g.graph().height ?? 0),
    states: [],
    clusters: [],
    initials: [],
    any: g.hasNode("any") ? box("any") : undefined,
    edges: [],
  };
  for (const s of states) {
    if (isCompound(s)) {
      const b = box(cluster(s.path));
      clusterBoxes.set(s.path, b);
      result.clusters.push({ ...b, state: s, header: box(`h:${s.path}`), details: details(s) });
    } else result.states.push({ ...box(`s:${s.path}`), state: s, details: details(s) });
  }
  for (const s of allStates(model.root)) {
    if (!s.initial) continue;
    const n = g.node(`i:${s.path}`) as Point;
    result.initials.push({ x: n.x, y: n.y, path: s.path });
  }
  for (const e of edges) {
    const label = g.edge(e.v, e.w, e.name) as { points: Point[]; x?: number; y?: number; lines?: string[] };
    let points = label.points;
    if (isCompound(byPath.get(e.target)!)) points = clipEntering(points, clusterBoxes.get(e.target)!);
    const from = e.transitions.length > 0 ? byPath.get(e.source) : undefined;
    if (from && from.path !== "" && isCompound(from)) points = clipLeaving(points, clusterBoxes.get(from.path)!);
    result.edges.push({
      transitions: e.transitions,
      source: e.source,
      target: e.target,
      points,
      label: label.lines && label.x !== undefined && label.y !== undefined ? { x: label.x, y: label.y, lines: label.lines } : undefined,
    });
  }
  return result;
}

const inside = (p: Point, b: Box) => p.x > b.x && p.x < b.x + b.width && p.y > b.y && p.y < b.y + b.height;

/** Ends the polyline where it first enters the box (unless it starts inside it). */
function clipEntering(points: Point[], b: Box): Point[] {
  if (inside(points[0], b)) return points;
  for (let i = 0; i + 1 < points.length; i++) {
    if (!inside(points[i], b) && inside(points[i + 1], b)) return [...points.slice(0, i + 1), crossing(points[i], points[i + 1], b)];
  }
  return points;
}

/** Starts the polyline where it last leaves the box (unless it ends inside it). */
function clipLeaving(points: Point[], b: Box): Point[] {
  if (inside(points[points.length - 1], b)) return points;
  for (let i = points.length - 2; i >= 0; i--) {
    if (inside(points[i], b) && !inside(points[i + 1], b)) return [crossing(points[i + 1], points[i], b), ...points.slice(i + 1)];
  }
  return points;
}

/** Where the segment from `outside` to `inner` crosses the box's border. */
function crossing(outside: Point, inner: Point, b: Box): Point {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    const p = { x: outside.x + (inner.x - outside.x) * mid, y: outside.y + (inner.y - outside.y) * mid };
    if (inside(p, b)) hi = mid;
    else lo = mid;
  }
  return { x: outside.x + (inner.x - outside.x) * hi, y: outside.y + (inner.y - outside.y) * hi };
}
