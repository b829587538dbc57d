// Turns the JSON result lines of compare.sh (label = "tjabberd" | "prosody") into a Markdown
// table: the median of the repeats with their range, the ratio, and the target it is held to.
//   node --import tsx bench/load/summarize.ts results.jsonl
import { readFileSync } from "node:fs";

type Result = Record<string, unknown> & { mode: string; label: string; tls: boolean };

interface Row {
  name: string;
  select: (r: Result) => boolean;
  metric: string;
  /** Target as tjabberd / prosody ratio: ≥ for "higher", ≤ for "lower". */
  target?: { ratio: number; better: "higher" | "lower" };
}

const login = (mechanism: string, tls = false) => (r: Result) => r.mode === "login" && r.mechanism === mechanism && r.tls === tls;
const idle = (tls: boolean) => (r: Result) => r.mode === "idle" && r.tls === tls;

export const ROWS: Row[] = [
  { name: "Logins/s, PLAIN", select: login("PLAIN"), metric: "logins_per_s" },
  { name: "Logins/s, SCRAM-SHA-1", select: login("SCRAM-SHA-1"), metric: "logins_per_s", target: { ratio: 2, better: "higher" } },
  { name: "Logins/s, SCRAM-SHA-256", select: login("SCRAM-SHA-256"), metric: "logins_per_s" },
  { name: "Logins/s, SCRAM-SHA-1 + STARTTLS", select: login("SCRAM-SHA-1", true), metric: "logins_per_s" },
  { name: "KiB per idle session (plain TCP, 15 s settled)", select: idle(false), metric: "kib_per_session", target: { ratio: 0.5, better: "lower" } },
  { name: "KiB per idle session (plain TCP, at 3 s)", select: idle(false), metric: "kib_per_session_3s", target: { ratio: 0.5, better: "lower" } },
  { name: "KiB per idle session (STARTTLS, 15 s settled)", select: idle(true), metric: "kib_per_session" },
  { name: "KiB per idle session (STARTTLS, at 3 s)", select: idle(true), metric: "kib_per_session_3s" },
  { name: "Messages/s (50 pairs × 20 in flight)", select: (r) => r.mode === "messages", metric: "messages_per_s", target: { ratio: 2, better: "higher" } },
  { name: "Message latency p50 (ms)", select: (r) => r.mode === "messages", metric: "p50_ms" },
  { name: "Message latency p99 (ms)", select: (r) => r.mode === "messages", metric: "p99_ms", target: { ratio: 1, better: "lower" } },
  { name: "Presences delivered/s (100 users × 20 contacts)", select: (r) => r.mode === "presence", metric: "presences_per_s", target: { ratio: 2, better: "higher" } },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : String(Math.round(x * 10) / 10));

function cell(values: number[]): string {
  if (values.length === 0) return "—";
  if (values.length === 1) return fmt(values[0]);
  return `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))}, n=${values.length})`;
}

export function summarize(results: Result[]): string {
  const lines = [
    "| Measure | tjabberd | Prosody | tjabberd / Prosody | Target | Met |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of ROWS) {
    const values = (label: string) =>
      results.filter((r) => r.label === label && row.select(r) && typeof r[row.metric] === "number").map((r) => r[row.metric] as number);
    const t = values("tjabberd"), p = values("prosody");
    if (t.length === 0 && p.length === 0) continue; // mode not run
    const ratio = t.length && p.length ? median(t) / median(p) : NaN;
    const target = row.target ? `${row.target.better === "higher" ? "≥" : "≤"} ${row.target.ratio}×` : "";
    const met = !row.target || Number.isNaN(ratio) ? "" : (row.target.better === "higher" ? ratio >= row.target.ratio : ratio <= row.target.ratio) ? "yes" : "**no**";
    lines.push(`| ${row.name} | ${cell(t)} | ${cell(p)} | ${Number.isNaN(ratio) ? "—" : ratio.toFixed(2) + "×"} | ${target} | ${met} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: summarize.ts RESULTS.jsonl");
  const results = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Result)
    .filter((r) => typeof r.mode === "string");
  console.log(summarize(results));
}
