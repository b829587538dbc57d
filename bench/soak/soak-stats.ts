// Bookkeeping for a soak run: every message sent is pending until it arrives; one still pending
// after the grace period counts as lost — until it turns up, when it counts as late instead.
import { readFileSync } from "node:fs";

export class MessageLedger {
  sent = 0;
  received = 0;
  lost = 0;
  late = 0;
  /** Arrived but never sent by this run (or twice). */
  unexpected = 0;
  bounced = 0;
  private readonly pending = new Map<string, number>();
  private readonly lostIds = new Set<string>();
  private latencies: number[] = [];

  sentNow(id: string): void {
    this.sent++;
    this.pending.set(id, performance.now());
  }

  receivedNow(id: string): void {
    const at = this.pending.get(id);
    if (at !== undefined) {
      this.pending.delete(id);
      this.received++;
      this.latencies.push(performance.now() - at);
    } else if (this.lostIds.delete(id)) {
      this.lost--; // it did arrive, only too late
      this.late++;
    }
    else this.unexpected++;
  }

  /** The server bounced the message (an error reply): an error, not a loss. */
  bouncedNow(id: string): void {
    if (this.pending.delete(id)) this.bounced++;
  }

  /** Counts as lost what has been pending longer than `graceMs` (all of it with 0). */
  sweep(graceMs: number): void {
    const limit = performance.now() - graceMs;
    for (const [id, at] of this.pending) {
      if (at > limit) break; // insertion order = send order
      this.pending.delete(id);
      this.lost++;
      if (this.lostIds.size < 100_000) this.lostIds.add(id);
    }
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Latency percentiles (ms) of the messages received since the last call. */
  takeLatencies(): { p50?: number; p99?: number; max?: number } {
    const xs = this.latencies.sort((a, b) => a - b);
    this.latencies = [];
    if (xs.length === 0) return {};
    const at = (p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    return { p50: at(0.5), p99: at(0.99), max: xs[xs.length - 1] };
  }
}

/** Counts of named errors ("socket: ECONNRESET", "stream error: policy-violation", …). */
export class ErrorCounts {
  private readonly counts = new Map<string, number>();

  add(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  toString(): string {
    return [...this.counts].map(([k, n]) => `${k}×${n}`).join(", ");
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** Resident set size of a process in MB (Linux /proc), or undefined if it can't be read. */
export function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process still exists (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
