// presence mode: `count` online users with mutual (both) subscriptions to `contacts` neighbours
// each; every user sends `updates` presence changes per round; presences delivered per second.
// Subscriptions are made through the protocol (RFC 6121 §3: subscribe / subscribed), so the
// same setup works on any server, and are reused when a previous run left them in place.
import type { Element } from "ltx";
import type { XmppConnection } from "./xmpp-conn.js";
import { closeAll, emit, errorSummary, jidOf, loginUser, percentile, round, runBounded, sleep, type LoadOptions } from "./load-kit.js";

const NS_ROSTER = "jabber:iq:roster";
const SETUP_TIMEOUT_MS = 120_000;
const ROUND_TIMEOUT_MS = 30_000;

const bare = (jid: string | undefined) => (jid ?? "").split("/")[0];

/** User n's contacts: the `contacts/2` users on each side of it, wrapping around 1 … count. */
export function contactsOf(n: number, count: number, contacts: number): number[] {
  const half = contacts / 2;
  const out: number[] = [];
  for (let d = 1; d <= half; d++) out.push(((n - 1 + d) % count) + 1, ((n - 1 - d + count) % count) + 1);
  return out;
}

export async function presenceMode(opts: LoadOptions): Promise<void> {
  const { count, contacts, updates } = opts;
  if (contacts % 2 !== 0 || contacts >= count) throw new Error("--contacts must be even and below --count");
  if (count > opts.users) throw new Error(`presence mode needs ${count} accounts (--users)`);
  const { results, errors } = await runBounded(count, opts.concurrency, (i) => loginUser(opts, i + 1, "pres"));
  if (errors.length) {
    await closeAll(results);
    throw new Error(`logins failed: ${JSON.stringify(errorSummary(errors))}`);
  }
  const conns = results as XmppConnection[];
  const wanted = conns.map((_, i) => new Set(contactsOf(i + 1, count, contacts).map((m) => jidOf(opts, m))));

  // Per-round counters; the handler also accepts subscription requests and acks roster pushes.
  let round_ = -1;
  let received = 0;
  let lastAt = 0;
  let quietSince = performance.now();
  conns.forEach((conn, i) => {
    const me = jidOf(opts, i + 1);
    conn.onStanza = (el: Element) => {
      quietSince = performance.now();
      if (el.name === "presence") {
        const from = bare(el.attrs.from);
        // RFC 6121 §3.1.4: the contact approves with a presence of type "subscribed".
        if (el.attrs.type === "subscribe") return conn.send(`<presence to='${from}' type='subscribed'/>`);
        if (el.attrs.type === undefined && from !== me && el.getChildText("status")?.startsWith(`r${round_}-`)) {
          received++;
          lastAt = performance.now();
        }
      } else if (el.name === "iq" && el.attrs.type === "set" && el.getChild("query", NS_ROSTER)) {
        // RFC 6121 §2.1.6: a client acknowledges a roster push.
        conn.send(`<iq type='result' id='${el.attrs.id}'/>`);
      }
    };
  });

  // RFC 6121 §2.2 / §4.2: retrieve the roster, then send initial presence (an interested, available resource).
  await fullyMutual(conns, wanted);
  for (const conn of conns) conn.send("<presence/>");
  const setupStarted = performance.now();
  if (!(await fullyMutual(conns, wanted))) {
    // RFC 6121 §3.1.1: both sides ask; each side's handler above approves the other's request.
    conns.forEach((conn, i) => {
      for (const contact of wanted[i]) conn.send(`<presence to='${contact}' type='subscribe'/>`);
    });
    const deadline = Date.now() + SETUP_TIMEOUT_MS;
    while (!(await fullyMutual(conns, wanted))) {
      if (Date.now() > deadline) throw new Error("roster setup did not converge");
      await sleep(1_000);
    }
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  await quiet(() => quietSince, 1_000);

  const expected = count * updates * contacts;
  const perRound: number[] = [];
  let totalReceived = 0;
  let totalSeconds = 0;
  let incomplete = 0;
  for (let r = 0; r < opts.rounds; r++) {
    round_ = r;
    received = 0;
    const started = performance.now();
    for (let k = 0; k < updates; k++) {
      for (const conn of conns) conn.send(`<presence><show>${k % 2 ? "away" : "dnd"}</show><status>r${r}-${k}</status></presence>`);
    }
    if (!(await waitFor(() => received >= expected, ROUND_TIMEOUT_MS))) incomplete++;
    const seconds = (lastAt - started) / 1000;
    perRound.push(received / seconds);
    totalReceived += received;
    totalSeconds += seconds;
    await quiet(() => quietSince, 300);
  }
  await closeAll(conns);

  const sorted = [...perRound].sort((a, b) => a - b);
  emit(opts, "presence", {
    users: count,
    contacts,
    updates,
    rounds: opts.rounds,
    setup_s: round(setupSeconds, 1),
    delivered: totalReceived,
    presences_per_s: round(totalReceived / totalSeconds, 0),
    median_round_per_s: round(percentile(sorted, 50), 0),
    incomplete_rounds: incomplete,
    rounds_per_s: perRound.map((x) => round(x, 0)),
  });
}

/** Whether every user's roster holds every wanted contact with subscription "both". */
async function fullyMutual(conns: XmppConnection[], wanted: Set<string>[]): Promise<boolean> {
  let seq = 0;
  const rosters = await runBounded(conns.length, 50, (i) => {
    const id = `roster-${i}-${seq++}-${Date.now()}`;
    return conns[i].iq(`<iq type='get' id='${id}'><query xmlns='${NS_ROSTER}'/></iq>`, id);
  });
  if (rosters.errors.length) throw new Error(`roster get failed: ${rosters.errors[0]}`);
  return rosters.results.every((iq, i) => {
    const both = new Set(
      (iq?.getChild("query", NS_ROSTER)?.getChildren("item") ?? [])
        .filter((item) => item.attrs.subscription === "both")
        .map((item) => item.attrs.jid as string),
    );
    return [...wanted[i]].every((jid) => both.has(jid));
  });
}

/** False when `done` didn't become true within `timeoutMs`. */
async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

/** Waits until no stanza arrived for `ms` (bounded), so setup traffic doesn't leak into a round. */
async function quiet(lastStanzaAt: () => number, ms: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (performance.now() - lastStanzaAt() < ms && Date.now() < deadline) await sleep(50);
}
