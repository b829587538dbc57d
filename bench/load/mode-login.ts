// login mode: full logins per second (connect, stream, [STARTTLS], SASL, restart, bind, close),
// `concurrency` at a time, cycling through the accounts.
import { emit, errorSummary, loginUser, percentile, round, runBounded, type LoadOptions } from "./load-kit.js";

export async function loginMode(opts: LoadOptions): Promise<void> {
  // Warm-up: JIT on both sides (tjabberd's login rate keeps rising over its first ~2000 logins),
  // first SQLite pages, the client's Hi() cache.
  await runBounded(opts.warmup, opts.concurrency, async (i) => (await loginUser(opts, (i % opts.users) + 1)).close());

  const latencies: number[] = [];
  const started = performance.now();
  const { errors } = await runBounded(opts.count, opts.concurrency, async (i) => {
    const t0 = performance.now();
    const conn = await loginUser(opts, (i % opts.users) + 1);
    latencies.push(performance.now() - t0);
    await conn.close();
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  emit(opts, "login", {
    mechanism: opts.mechanism,
    concurrency: opts.concurrency,
    warmup: opts.warmup,
    logins: latencies.length,
    errors: errors.length,
    logins_per_s: round(latencies.length / seconds, 1),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    ...(errors.length ? { error_kinds: errorSummary(errors) } : {}),
  });
}
