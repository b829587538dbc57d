import { readFileSync } from "node:fs";
import { defaultModules } from "../src/modules/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

test("the README's feature table lists exactly the modules the reference server loads", () => {
  const rows = [...readme.matchAll(/^\| `([\w-]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]);
  expect(rows.map(([name]) => name).sort()).toEqual(defaultModules().map((m) => m.name).sort());
  // Each row names the module's own spec (its first RFC/XEP).
  for (const module of defaultModules()) {
    const spec = rows.find(([name]) => name === module.name)![1];
    expect(module.spec).toContain(spec.split(/[,]/)[0].trim().replace(/ §.*/, ""));
  }
});

test("the README keeps its two one-line set-up commands", () => {
  expect(readme).toContain("npm ci && npx tjabberd serve");
  expect(readme).toContain("npm ci && npm test");
});
