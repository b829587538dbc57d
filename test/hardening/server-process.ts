// The real server as a child process (`tjabberd serve`), for tests and scripts that must be able
// to kill it (kill -9), restart it on the same data directory, or watch its memory from outside.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TJABBERD_BIN = fileURLToPath(new URL("../../bin/tjabberd.js", import.meta.url));

export interface ServerConfigOptions {
  dataDir: string;
  domain?: string;
  workers?: number;
  /** Further YAML lines appended as they are (top-level keys). */
  extra?: string[];
}

/**
 * Writes a configuration for a loopback server in `dir`: c2s on a free port, no direct-TLS
 * listener, plaintext PLAIN allowed on loopback (test clients don't negotiate TLS).
 */
export function writeServerConfig(dir: string, o: ServerConfigOptions): string {
  const path = join(dir, "tjabberd.yaml");
  const lines = [
    `domain: ${o.domain ?? "localhost"}`,
    `data_dir: ${JSON.stringify(o.dataDir)}`,
    "listeners:",
    "  c2s: { host: 127.0.0.1, port: 0 }",
    "  c2s_tls: { enabled: false }",
    "allow_plaintext_loopback: true",
    `workers: { size: ${o.workers ?? 2} }`,
    ...(o.extra ?? []),
    "",
  ];
  writeFileSync(path, lines.join("\n"));
  return path;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tjabberd <args> [--config <config>]` to completion. */
export function runTjabberd(config: string | undefined, args: string[], stdin = ""): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const withConfig = config === undefined ? args : [...args, "--config", config];
    const child = spawn(process.execPath, [TJABBERD_BIN, ...withConfig], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Creates accounts with `tjabberd adduser`; throws with the command's output if one fails. */
export async function addUsers(config: string, users: Record<string, string>): Promise<void> {
  const entries = Object.entries(users);
  if (entries.length === 0) return;
  // The first command creates the database and runs the migrations; the rest may run side by side.
  const [first, ...rest] = entries;
  const run = async ([user, password]: [string, string]) => {
    const r = await runTjabberd(config, ["adduser", user, password]);
    if (r.code !== 0) throw new Error(`adduser ${user} failed (${r.code}): ${r.stdout}${r.stderr}`);
  };
  await run(first);
  await Promise.all(rest.map(run));
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** What the server wrote to stdout and stderr (the last 64–128 KB). */
  log(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (graceful stop); resolves with the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown code runs, as in a crash or `kill -9`. */
  kill9(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const LOG_KEEP = 64 * 1024;
const LISTENING = /listening for client connections \(STARTTLS\) on [^\s:]+:(\d+)/;

/** Starts `tjabberd serve` and resolves once its "listening … on host:port" line names the port. */
export function startServerProcess(config: string, opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), TJABBERD_BIN, "serve", "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${why}; server output:\n${log}`));
    };
    const timer = setTimeout(() => fail("no listening line"), opts.timeoutMs ?? 15000);
    const onData = (d: Buffer) => {
      log += d.toString();
      if (log.length > 2 * LOG_KEEP) log = log.slice(-LOG_KEEP); // long runs: the tail is enough
      const m = LISTENING.exec(log);
      if (!m || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, pid: child.pid!, port: Number(m[1]), log: () => log, exited, stop: () => signal("SIGTERM"), kill9: () => signal("SIGKILL") });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(({ code, signal: s }) => fail(`server exited early (code ${code}, signal ${s})`));
  });
}
