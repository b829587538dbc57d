// The credentials every bench account gets: one password, one salt, one iteration count on both
// servers, so SCRAM logins cost the servers the same and the load generator can cache Hi().
// Fine for a benchmark on loopback; never do this for real accounts.
export const BENCH_SALT = Buffer.from("tjabberd-bench-salt-2024");
export const BENCH_ITERATIONS = 4096;

export function benchUsernames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}
