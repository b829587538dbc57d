// idle mode: open N bound sessions (initial presence optional), hold them, and report the server
// process's resident memory growth per session (VmRSS of --pid before and after).
import type { XmppConnection } from "./xmpp-conn.js";
import { closeAll, emit, errorSummary, loginUser, round, rssKiB, runBounded, sleep, type LoadOptions } from "./load-kit.js";

// RSS is read 3 s after the sessions are open (as before) and again at 15 s: a garbage-collected
// runtime keeps the garbage of the login burst for a while (V8 shrinks its heap ~8 s after the
// last full collection), so the later figure is the memory an idle session really costs.
const SETTLE_MS = 3_000;
const SETTLED_MS = 15_000;

export async function idleMode(opts: LoadOptions): Promise<void> {
  if (!opts.pid) throw new Error("idle mode needs --pid (the server's process id)");
  const pid = opts.pid;
  // Warm-up: one-off allocations (code, TLS contexts, caches, pools) are not per-session costs.
  const warm = await runBounded(Math.min(50, opts.count), opts.concurrency, (i) => loginUser(opts, (i % opts.users) + 1, "idle-warm"));
  await closeAll(warm.results);
  await sleep(SETTLED_MS);
  const before = rssKiB(pid);

  const started = performance.now();
  const { results: conns, errors } = await runBounded(opts.count, opts.concurrency, async (i) => {
    const conn = await loginUser(opts, (i % opts.users) + 1, `idle-${i}`);
    // Keep the few stanzas a server may push (roster pushes, presence) from piling up client-side.
    conn.onStanza = () => {};
    if (opts.presence) conn.send("<presence/>");
    return conn;
  });
  const openSeconds = (performance.now() - started) / 1000;
  await sleep(SETTLE_MS);
  const early = rssKiB(pid);
  await sleep(SETTLED_MS - SETTLE_MS);
  const after = rssKiB(pid);
  const open = conns.filter((c): c is XmppConnection => !!c && !c.closed).length;
  if (opts.holdS > 0) await sleep(opts.holdS * 1000);
  const stillOpen = conns.filter((c) => c && !c.closed).length;
  await closeAll(conns);

  emit(opts, "idle", {
    sessions: open,
    still_open_after_hold: stillOpen,
    errors: errors.length,
    presence: opts.presence,
    open_s: round(openSeconds, 1),
    rss_before_kib: before,
    rss_after_3s_kib: early,
    rss_after_kib: after,
    kib_per_session_3s: open ? round((early - before) / open, 1) : null,
    kib_per_session: open ? round((after - before) / open, 1) : null,
    ...(errors.length ? { error_kinds: errorSummary(errors) } : {}),
  });
}
