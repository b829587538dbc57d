import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { mkdirSync } from "node:fs";
import { ConfigError, loadConfig, type Config } from "./config/index.js";
import { Jid, JidError } from "./jid.js";
import { WorkerPool, siblingModule } from "../actors/worker-pool.js";

const USAGE = `usage: tjabberd <command> [--config FILE]

commands:
  serve [--inspect [PORT]]  run the server (defaults: domain localhost, data in ./data, ports 5222/5223);
                            --inspect serves the live inspector on 127.0.0.1:PORT (default 8199)
  charts [--out DIR]        write the statecharts of machines/ as Mermaid and SVG (default docs/charts),
                            and refresh the charts embedded in DIR/../*.md
  adduser JID [PASSWORD]    create an account (password read from stdin when omitted)
  passwd JID [PASSWORD]     change an account's password
  deluser JID               delete an account
  users                     list accounts
  help                      this text`;

async function main(argv: string[]): Promise<number> {
  const { inspect, rest } = takeInspect(argv);
  const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: "string", short: "c" }, out: { type: "string" }, help: { type: "boolean", short: "h" } } });
  const [command = "help", ...args] = positionals;
  if (values.help || command === "help") return console.log(USAGE), 0;
  if (command === "charts") return charts(values.out);
  const config = loadConfig(values.config);
  switch (command) {
    case "serve":
      return serve(config, inspect);
    case "adduser":
    case "passwd":
    case "deluser":
    case "users":
      return accounts(config, command, args);
    default:
      console.error(`tjabberd: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

async function serve(config: Config, inspect: { port?: number } | undefined): Promise<number> {
  // Loaded here, not at the top: account commands don't need the whole server.
  const [{ Server }, { defaultModules }] = await Promise.all([import("./server.js"), import("./modules/index.js")]);
  const server = new Server({ config, modules: defaultModules() });
  await server.start();
  if (inspect) {
    // Loaded only when asked for: without --inspect the inspector costs nothing.
    const { startInspector } = await import("./dev/inspector-server.js");
    const { url } = await startInspector(server, inspect);
    server.log.info(`inspector on ${url}`);
  }
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      server.log.info(`${signal}: shutting down`);
      server.stop().then(done, done);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  server.log.info("stopped");
  return 0;
}

/** `--inspect`, `--inspect PORT` or `--inspect=PORT` (parseArgs has no optional option values). */
function takeInspect(argv: string[]): { inspect: { port?: number } | undefined; rest: string[] } {
  const rest = [...argv];
  const i = rest.findIndex((a) => a === "--inspect" || a.startsWith("--inspect="));
  if (i < 0) return { inspect: undefined, rest };
  const [flag] = rest.splice(i, 1);
  let value = flag.includes("=") ? flag.slice(flag.indexOf("=") + 1) : undefined;
  if (value === undefined && /^\d+$/.test(rest[i] ?? "")) value = rest.splice(i, 1)[0];
  if (value === undefined) return { inspect: {}, rest };
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`--inspect: not a port: ${value}`);
  return { inspect: { port }, rest };
}

async function charts(out: string | undefined): Promise<number> {
  const { writeCharts, DEFAULT_CHARTS_DIR } = await import("./dev/charts.js");
  for (const path of writeCharts(out ?? DEFAULT_CHARTS_DIR)) console.log(`wrote ${path}`);
  return 0;
}

/** Account commands run the same storage jobs the server uses, in a one-thread pool. */
async function accounts(config: Config, command: string, args: string[]): Promise<number> {
  const dataDir = resolve(config.data_dir);
  mkdirSync(dataDir, { recursive: true });
  const pool = new WorkerPool({
    size: 1,
    jobModules: [siblingModule(import.meta.url, "storage/account-jobs")],
    workerData: { dbPath: `${dataDir}/tjabberd.sqlite`, iterations: config.sasl.scram_iterations },
  });
  try {
    await pool.ready();
    if (command === "users") {
      for (const name of await pool.run<string[]>("accounts.list", {})) console.log(`${name}@${config.domain}`);
      return 0;
    }
    const account = accountJid(args[0], config);
    const username = account.local;
    const jid = account.toString();
    if (command === "deluser") return report(await pool.run<boolean>("accounts.delete", { username }), `deleted ${jid}`, `no such account: ${jid}`);
    const password = args[1] ?? (await readPassword());
    if (!password) throw new Error("empty password");
    if (command === "adduser") return report(await pool.run<boolean>("accounts.create", { username, password }), `created ${jid}`, `account exists: ${jid}`);
    return report(await pool.run<boolean>("accounts.setPassword", { username, password }), `password changed for ${jid}`, `no such account: ${jid}`);
  } finally {
    await pool.close();
  }
}

function accountJid(arg: string | undefined, config: Config): Jid {
  if (!arg) throw new Error("a JID is required, e.g. alice@" + config.domain);
  const jid = arg.includes("@") ? Jid.parse(arg) : new Jid(arg, config.domain);
  const domains = [config.domain, ...config.domains];
  if (!domains.includes(jid.domain)) throw new Error(`${jid.domain} is not served here (domains: ${domains.join(", ")})`);
  return jid.bare();
}

function report(ok: boolean, success: string, failure: string): number {
  if (ok) console.log(success);
  else console.error(failure);
  return ok ? 0 : 1;
}

async function readPassword(): Promise<string> {
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data.replace(/\r?\n$/, "");
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError || err instanceof JidError || err instanceof Error) console.error(`tjabberd: ${err.message}`);
  else console.error(err);
  process.exitCode = 1;
}
