// messages mode: `count` pairs of online users; each pair keeps `window` chat messages in flight
// (a message received is answered by a new one to the partner), for `durationS` after a warm-up.
// Delivered messages per second and one-way latency (the send time travels in the body).
import type { Element } from "ltx";
import type { XmppConnection } from "./xmpp-conn.js";
import { closeAll, emit, errorSummary, jidOf, loginUser, percentile, round, runBounded, sleep, type LoadOptions } from "./load-kit.js";

const WARMUP_MS = 2_000;
const DRAIN_MS = 5_000;

export async function messagesMode(opts: LoadOptions): Promise<void> {
  const users = opts.count * 2;
  if (users > opts.users) throw new Error(`messages mode needs ${users} accounts (--users)`);
  const { results: conns, errors } = await runBounded(users, opts.concurrency, (i) => loginUser(opts, i + 1, "msg"));
  if (errors.length) {
    await closeAll(conns);
    throw new Error(`logins failed: ${JSON.stringify(errorSummary(errors))}`);
  }
  const sessions = conns as XmppConnection[];
  // RFC 6121 §8.5.2.1.1: a message to a bare JID goes to available resources, so be available.
  for (const conn of sessions) conn.send("<presence/>");
  await sleep(500);

  let phase: "warmup" | "measure" | "drain" = "warmup";
  let delivered = 0;
  let errorReplies = 0;
  let inFlight = 0;
  const latencies: number[] = [];
  const sendTo = (conn: XmppConnection, partner: string) => {
    inFlight++;
    conn.send(`<message to='${partner}' type='chat'><body>${performance.now()}</body></message>`);
  };
  sessions.forEach((conn, i) => {
    const partner = jidOf(opts, i % 2 === 0 ? i + 2 : i); // users 2k-1 and 2k are partners
    conn.inbox.length = 0;
    conn.onStanza = (el: Element) => {
      if (el.name !== "message") return;
      inFlight--;
      if (el.attrs.type === "error") return void errorReplies++;
      const body = el.getChildText("body");
      if (body === null) return;
      if (phase === "measure") {
        delivered++;
        latencies.push(performance.now() - Number(body));
      }
      if (phase !== "drain") sendTo(conn, partner);
    };
  });
  // Each side starts half of the pair's window.
  sessions.forEach((conn, i) => {
    const partner = jidOf(opts, i % 2 === 0 ? i + 2 : i);
    for (let k = 0; k < opts.window / 2; k++) sendTo(conn, partner);
  });

  await sleep(WARMUP_MS);
  phase = "measure";
  const started = performance.now();
  await sleep(opts.durationS * 1000);
  phase = "drain";
  const seconds = (performance.now() - started) / 1000;
  const drainUntil = Date.now() + DRAIN_MS;
  while (inFlight > 0 && Date.now() < drainUntil) await sleep(50);
  const lost = inFlight;
  await closeAll(sessions);

  latencies.sort((a, b) => a - b);
  emit(opts, "messages", {
    pairs: opts.count,
    window: opts.window,
    duration_s: round(seconds, 1),
    delivered,
    messages_per_s: round(delivered / seconds, 0),
    p50_ms: round(percentile(latencies, 50)),
    p99_ms: round(percentile(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? NaN),
    error_replies: errorReplies,
    not_delivered_after_drain: lost,
  });
}
