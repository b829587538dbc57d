import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

/**
 * Writes the chart files into `dir`, and refreshes the Mermaid blocks embedded in the Markdown
 * files beside it (see `embedCharts`); returns the paths written.
 */
export function writeCharts(dir = DEFAULT_CHARTS_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const files = chartFiles();
  const written: string[] = [];
  for (const [file, content] of files) {
    const path = join(dir, file);
    writeFileSync(path, content);
    written.push(path);
  }
  const docs = dirname(resolve(dir));
  for (const md of readdirSync(docs).filter((f) => f.endsWith(".md"))) {
    const path = join(docs, md);
    const before = readFileSync(path, "utf8");
    const after = embedCharts(before, files);
    if (after !== before) {
      writeFileSync(path, after);
      written.push(path);
    }
  }
  return written;
}

const EMBEDDED = /(<!-- chart:([\w.-]+\.mmd) -->\n```mermaid\n)[\s\S]*?(```\n<!-- \/chart -->)/g;

/**
 * Replaces each block `<!-- chart:NAME.mmd -->` + a mermaid code block + `<!-- /chart -->` in
 * a Markdown text with the current chart, so docs that show a chart inline stay generated too.
 */
export function embedCharts(markdown: string, files = chartFiles()): string {
  return markdown.replace(EMBEDDED, (block, open: string, file: string, close: string) => {
    const chart = files.get(file);
    return chart === undefined ? block : open + chart + close;
  });
}
