import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { machines } from "../../machines/index.js";
import { chartModel } from "./chart-model.js";
import { toSvg } from "./chart-svg.js";
import { toMermaid } from "./mermaid.js";

/** Where `tjabberd charts` writes by default, relative to the working directory. */
export const DEFAULT_CHARTS_DIR = "docs/charts";

/** Every chart file (`name.mmd`, `name.svg`) for the machines in machines/index.ts, by file name. */
export function chartFiles(registry = machines): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, { machine, source }] of Object.entries(registry)) {
    const model = chartModel(name, machine);
    files.set(`${name}.mmd`, toMermaid(model, source));
    files.set(`${name}.svg`, toSvg(model));
  }
  return files;
}

/** Writes the chart files into `dir`; returns the paths written. */
export function writeCharts(dir = DEFAULT_CHARTS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of chartFiles()) {
    const path = join(dir, file);
    writeFileSync(path, content);
    written.push(path);
  }
  return written;
}
