import { writeFileSync } from "node:fs";
import { chartModel } from "./src/dev/chart-model.js";
import { renderSvg } from "./src/dev/chart-svg.js";
import { layoutChart } from "./src/dev/chart-layout.js";
import { connectionMachine } from "./machines/connection.js";
const m = chartModel("connection", connectionMachine);
const l = layoutChart(m);
const boxes = new Map<string, any>([...l.clusters.map(c => [c.state.path, c] as const), ...l.states.map(s => [s.state.path, s] as const)]);
let bad = 0;
for (const [p, b] of boxes) {
  if (!p.includes(".") ) continue;
  const parent = boxes.get(p.slice(0, p.lastIndexOf(".")));
  if (!(b.x >= parent.x && b.y >= parent.y && b.x + b.width <= parent.x + parent.width && b.y + b.height <= parent.y + parent.height)) { bad++; console.log("outside", p); }
}
for (const c of l.clusters) { const h = c.header; if (!(h.x >= c.x && h.x + h.width <= c.x + c.width)) { bad++; console.log("header outside", c.state.path); } }
writeFileSync("/tmp/charts/v.svg", renderSvg(m, l));
console.log("bad", bad, Math.round(l.width), Math.round(l.height));
