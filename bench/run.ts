/**
 * Runs every micro-benchmark in bench/ (or those named on the command line) one after another,
 * each in its own process so they don't disturb each other. `npm run bench [name…]`.
 * Load benchmarks against live servers (bench/load/) take arguments and are run separately.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n# ${file}`);
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", `${dir}${file}`], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
