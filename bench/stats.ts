/** Shared helpers for bench scripts: each metric prints one JSON line and one human line. */
export function median(xs: number[]): number {
  return percentile(xs, 50);
}

export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function report(name: string, value: number, what: string): void {
  const rounded = Math.round(value * 1000) / 1000;
  console.log(JSON.stringify({ name, value: rounded }));
  console.log(`  ${name}: ${rounded} ${what}`);
}

/** Heap in use after full collections (needs --expose-gc; bench/run passes it). */
export function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc (npm run bench does)");
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
