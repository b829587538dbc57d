#!/usr/bin/env node
// Runs the built CLI (dist/, made by `npm run build`, which `npm ci` runs via `prepare`);
// from a source checkout without dist/, runs the TypeScript sources through tsx.
import { existsSync } from "node:fs";

const built = new URL("../dist/src/cli.js", import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("../src/cli.ts", import.meta.url).href);
}
