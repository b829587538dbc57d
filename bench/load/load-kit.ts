// Shared pieces of the load modes: options, bounded concurrency, percentiles, RSS, result lines.
import { readFileSync } from "node:fs";
import { login, type Mechanism, type XmppConnection } from "./xmpp-conn.js";

export interface LoadOptions {
  host: string;
  port: number;
  domain: string;
  prefix: string;
  password: string;
  /** Logins (login), sessions (idle), pairs (messages) or users (presence). */
  count: number;
  /** Existing accounts prefix1 … prefixN that logins cycle through. */
  users: number;
  concurrency: number;
  mechanism: Mechanism;
  tls: boolean;
  /** Server process to read VmRSS of (idle mode). */
  pid?: number;
  durationS: number;
  /** Logins before the measured ones (login mode). */
  warmup: number;
  window: number;
  contacts: number;
  updates: number;
  rounds: number;
  presence: boolean;
  holdS: number;
  /** Free-form label copied into every result line (e.g. the server's name). */
  label: string;
}

export function jidOf(opts: LoadOptions, n: number): string {
  return `${opts.prefix}${n}@${opts.domain}`;
}

export function loginUser(opts: LoadOptions, n: number, resource?: string): Promise<XmppConnection> {
  return login({
    host: opts.host,
    port: opts.port,
    domain: opts.domain,
    username: `${opts.prefix}${n}`,
    password: opts.password,
    mechanism: opts.mechanism,
    tls: opts.tls,
    resource,
  });
}

/** Runs task(0 … n-1) with at most `concurrency` in flight; failures are counted, not thrown. */
export async function runBounded<T>(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<{ results: (T | undefined)[]; errors: string[] }> {
  const results: (T | undefined)[] = new Array(n);
  const errors: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      try {
        results[i] = await task(i);
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  return { results, errors };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Resident set size of a process in KiB (Linux /proc/PID/status VmRSS). */
export function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One JSON line per result, so runs can be collected with `grep '^{'`. */
export function emit(opts: LoadOptions, mode: string, result: Record<string, unknown>): void {
  // The 1-minute load average at the end: on a shared machine, a high one marks a noisy run.
  const loadavg = Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  console.log(JSON.stringify({ mode, label: opts.label, tls: opts.tls, ...result, loadavg }));
}

/** Distinct first error messages, for diagnosing failed runs without flooding the output. */
export function errorSummary(errors: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of errors) counts[e.slice(0, 120)] = (counts[e.slice(0, 120)] ?? 0) + 1;
  return counts;
}

export async function closeAll(conns: (XmppConnection | undefined)[], concurrency = 200): Promise<void> {
  const list = conns.filter((c): c is XmppConnection => !!c);
  await runBounded(list.length, concurrency, (i) => list[i].close(1_000));
}

/** XML-escapes attribute/text values the modes put on the wire. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&apos;").replace(/"/g, "&quot;");
}
