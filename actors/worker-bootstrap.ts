// Starts a worker thread that can load TypeScript job modules when running from source.
// Node 20 can't import .ts in a worker, and `execArgv: ["--import", "tsx"]` isn't honoured there;
// registering tsx's ESM hooks from inside the worker before the first import() is what works.
// A tiny `eval` bootstrap does that, then imports the real entry (worker-entry.ts or .js).
// It uses tsx's ESM API: the CommonJS build of `tsx/esm/api` (4.23) resolves its loader against
// its own directory (dist/esm/api/esm/index.mjs), which doesn't exist.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { siblingModule } from "./worker-jobs.js";
import type { WorkerBoot } from "./worker-protocol.js";

// Only dynamic import(): the eval code is CommonJS, or ESM when the process runs with --input-type=module.
const BOOTSTRAP = `
import("node:worker_threads").then(async ({ workerData }) => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  await (await import(workerData.entry)).startWorker();
});
`;

const ENTRY_URL = siblingModule(import.meta.url, "worker-entry").href;
const isTypeScript = (url: string): boolean => /\.[cm]?ts$/.test(new URL(url).pathname);

let tsxApiUrl: string | undefined;
/** File URL of tsx's `tsx/esm/api` ESM build, found through tsx's own exports map. */
function resolveTsxApi(): string {
  try {
    if (!tsxApiUrl) {
      const manifest = createRequire(import.meta.url).resolve("tsx/package.json");
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as {
        exports: { "./esm/api": { import: { default: string } } };
      };
      tsxApiUrl = pathToFileURL(join(dirname(manifest), pkg.exports["./esm/api"].import.default)).href;
    }
  } catch (err) {
    throw new Error("loading TypeScript job modules in workers needs the 'tsx' package", { cause: err });
  }
  return tsxApiUrl;
}

/** Boot data for one worker; resolves tsx only when something to load is TypeScript. */
export function workerBoot(
  modules: string[], data: unknown, workerId: number, startTable: SharedArrayBuffer,
): WorkerBoot {
  const needsTsx = isTypeScript(ENTRY_URL) || modules.some(isTypeScript);
  return { entry: ENTRY_URL, tsxApi: needsTsx ? resolveTsxApi() : null, modules, data, workerId, startTable };
}

export function spawnWorker(boot: WorkerBoot, resourceLimits?: ResourceLimits): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: boot, resourceLimits });
}
