import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/** A client program in its own process that reports one JSON object per stdout line. */
export interface JsonLinesProcess {
  child: ChildProcess;
  /** Every object printed so far. */
  lines: Record<string, unknown>[];
  /** The first object (printed so far or later) that has `key`. */
  next(key: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stderr(): string;
}

export function spawnJsonLines(command: string, args: string[], env: NodeJS.ProcessEnv = {}): JsonLinesProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let err = "";
  let waiters: { key: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout! }).on("line", (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      line = { text };
    }
    lines.push(line);
    waiters = waiters.filter((w) => !(w.key in line && (w.resolve(line), true)));
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("close", (code) => resolve(code));
    child.once("error", (e) => ((err += String(e)), resolve(null))); // e.g. ENOENT: no such program
  });
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    next(key, timeoutMs = 10000) {
      const found = lines.find((l) => key in l);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          reject(new Error(`${why}; output: ${JSON.stringify(lines)}; stderr: ${err}`));
        };
        const timer = setTimeout(() => fail(`no "${key}" within ${timeoutMs} ms`), timeoutMs);
        // Lines still being read when the process ends are delivered first (a turn of the loop).
        void exited.then(() => setImmediate(() => fail(`exited without "${key}"`)));
        waiters.push({ key, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}
