// What one fuzzing connection does: garbage at a chosen point of the stream's life (before the
// stream header, before authentication, in the middle of SASL, after binding), then a judgement
// of how the connection ended. Every input and step draws from the connection's own seeded
// generator, so `--one <seed>` replays it.
import {
  badHeader, badUtf8, deepNesting, hugeAttribute, hugeText, int, manyAttributes, manyChildren,
  mutatedStanza, pick, randomBytes, RESTRICTED, templateStanza, xmlish, type Random,
} from "./generators.js";
import { FuzzConnection, type Outcome } from "./fuzz-connection.js";

export interface ScenarioContext {
  random: Random;
  connect(): Promise<FuzzConnection>;
  username: string;
  password: string;
  peer: string;
  domain: string;
  limits: { maxStanzaBytes: number; maxDepth: number };
  /** Longest the server may leave a stalled stream open (its auth/idle timeouts) plus margin. */
  stallMs: number;
  /** Called with each input written, for reports and `--one`. */
  trace(what: string, data: string | Buffer): void;
}

/** An input and what it must lead to: a stream error, a still-working stream, or either. */
interface Input {
  name: string;
  data: string | Buffer;
  expect: "error" | "working" | "any";
  split?: boolean;
}

const SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

function garbage(ctx: ScenarioContext): Input {
  const r = ctx.random;
  const { maxStanzaBytes, maxDepth } = ctx.limits;
  switch (int(r, 0, 14)) {
    case 0: return { name: "random-bytes", data: randomBytes(r, int(r, 1, 4096)), expect: "any" };
    case 1: return { name: "xmlish", data: xmlish(r, int(r, 1, 200)), expect: "any" };
    case 2: case 3: case 4: {
      const n = int(r, 1, 5);
      return { name: "mutated-stanzas", data: Array.from({ length: n }, () => mutatedStanza(r, ctx.peer, ctx.domain)).join(""), expect: "any" };
    }
    case 5: return { name: "deep-nesting", data: deepNesting(int(r, maxDepth + 1, 20_000)), expect: "error" };
    case 6: return { name: "huge-attribute", data: hugeAttribute(int(r, maxStanzaBytes + 1, 4 * maxStanzaBytes)), expect: "error" };
    case 7: return { name: "huge-text", data: hugeText(int(r, maxStanzaBytes + 1, 4 * maxStanzaBytes)), expect: "error" };
    case 8: return { name: "big-attribute-under-limit", data: hugeAttribute(int(r, 1000, maxStanzaBytes / 2)), expect: "working" };
    case 9: return { name: "many-attributes", data: manyAttributes(int(r, 100, 20_000)), expect: "any" };
    case 10: return { name: "many-children", data: manyChildren(int(r, 100, 20_000)), expect: "any" };
    case 11: return { name: "restricted-xml", data: pick(r, RESTRICTED), expect: "any" };
    case 12: return { name: "bad-utf8", data: badUtf8(r), expect: "error" };
    case 13: {
      const n = int(r, 10, 200);
      const flood = Array.from({ length: n }, (_, i) => `<message to='${ctx.peer}' type='chat' id='f${i}'><body>${i}</body></message>`).join("");
      return { name: "valid-flood", data: flood, expect: "working" };
    }
    default: return { name: "valid-split", data: templateStanza(r, ctx.peer, ctx.domain).repeat(int(r, 1, 3)), expect: "working", split: true };
  }
}

/** An input that closes our stream itself (`</stream:stream>`): a close without error is fine then. */
const closesStream = (input: Input) => typeof input.data === "string" && input.data.includes("</stream:stream>");

async function write(c: FuzzConnection, ctx: ScenarioContext, input: Input): Promise<void> {
  ctx.trace(input.name, input.data);
  if (input.split && typeof input.data === "string") await c.writeSplit(input.data, ctx.random);
  else c.write(input.data);
}

/** Ends a connection whose stream may be stuck mid-element: close our side and judge. */
async function finish(c: FuzzConnection, ctx: ScenarioContext): Promise<Outcome> {
  if (!c.closed && !c.streamError) c.write("</stream:stream>");
  return c.outcome(ctx.stallMs, true);
}

/** Checks an input's expectation against what happened. */
function judged(outcome: Outcome, input: Input): Outcome {
  if (!outcome.ok) return outcome;
  if (input.expect === "error" && outcome.kind !== "stream-error") return { ok: false, kind: "unexpected", detail: `${input.name}: ${outcome.kind}, expected a stream error` };
  if (input.expect === "working" && outcome.kind !== "working") {
    const what = outcome.kind === "stream-error" ? `stream error ${outcome.condition}` : outcome.kind;
    return { ok: false, kind: "unexpected", detail: `${input.name}: ${what}, expected a working stream` };
  }
  return outcome;
}

/** Bytes before (or instead of) a proper stream header. */
export async function preStream(ctx: ScenarioContext): Promise<Outcome> {
  const c = await ctx.connect();
  const r = ctx.random;
  const data = pick(r, [() => randomBytes(r, int(r, 1, 4096)), () => xmlish(r, int(r, 1, 300)), () => badHeader(r, ctx.domain), () => badHeader(r, ctx.domain) + xmlish(r, 20)])();
  ctx.trace("pre-stream", data);
  c.write(data);
  return c.outcome(ctx.stallMs, false);
}

/** A good stream header, then garbage before authenticating; then a login attempt. */
export async function preAuth(ctx: ScenarioContext): Promise<Outcome> {
  const c = await ctx.connect();
  if (!(await c.openStream())) return c.outcome(ctx.stallMs, false);
  const input = garbage(ctx);
  await write(c, ctx, input);
  if (await c.authenticateAndBind(ctx.username, ctx.password, 1500)) {
    if (await c.probe(2000)) return closeWorking(c, ctx);
  }
  return finish(c, ctx);
}

/** SASL started (SCRAM client-first), then garbage where the next step should be. */
export async function midSasl(ctx: ScenarioContext): Promise<Outcome> {
  const r = ctx.random;
  const c = await ctx.connect();
  if (!(await c.openStream())) return c.outcome(ctx.stallMs, false);
  const clientFirst = Buffer.from(`n,,n=${ctx.username},r=${randomBytes(r, 12).toString("hex")}`).toString("base64");
  c.write(`<auth xmlns='${SASL}' mechanism='SCRAM-SHA-1'>${clientFirst}</auth>`);
  await c.next((el) => el.name === "challenge" || el.name === "failure", 2000);
  const data = pick(r, [
    () => `<response xmlns='${SASL}'>${randomBytes(r, int(r, 1, 200)).toString("base64")}</response>`,
    () => `<response xmlns='${SASL}'>not base64 ${xmlish(r, 5).replace(/[<&]/g, "")}</response>`,
    () => `<response xmlns='${SASL}'>${Buffer.from(`c=biws,r=wrong,p=${randomBytes(r, 20).toString("base64")}`).toString("base64")}</response>`,
    () => `<response xmlns='${SASL}'>${"QUFB".repeat(int(r, 1000, 100_000))}</response>`,
    () => `<abort xmlns='${SASL}'/>`,
    () => `<auth xmlns='${SASL}' mechanism='PLAIN'>${randomBytes(r, int(r, 0, 64)).toString("base64")}</auth>`,
    () => `<auth xmlns='${SASL}' mechanism='${pick(r, ["NOPE", "", "DIGEST-MD5", "EXTERNAL"])}'/>`,
    () => `<success xmlns='${SASL}'/>`,
    () => `<message to='${ctx.peer}'><body>too early</body></message>`,
    () => randomBytes(r, int(r, 1, 512)),
    () => xmlish(r, int(r, 1, 100)),
  ])();
  ctx.trace("mid-sasl", data);
  c.write(data);
  await c.next((el) => el.name === "failure" || el.name === "success", 500);
  // RFC 6120 §6.4.5: after a failure the client may try again — a fresh PLAIN must still work.
  if (!c.closed && !c.streamError && (await c.authenticateAndBind(ctx.username, ctx.password, 1500)) && (await c.probe(2000))) {
    return closeWorking(c, ctx);
  }
  return finish(c, ctx);
}

/** A bound session that gets up to 8 inputs in a row, each followed by a liveness probe. */
export async function postAuth(ctx: ScenarioContext): Promise<Outcome> {
  const c = await ctx.connect();
  if (!(await c.login(ctx.username, ctx.password))) return { ok: false, kind: "unexpected", detail: `login failed: ${c.streamError?.toString() ?? "no answer"}` };
  for (let n = int(ctx.random, 1, 8); n > 0; n--) {
    const input = garbage(ctx);
    await write(c, ctx, input);
    // A stanza flood to an offline peer is up to 200 committed inserts queued before the probe.
    if (await c.probe(input.expect === "working" ? 15_000 : 2000)) {
      if (input.expect === "error") return judged({ ok: true, kind: "working" }, input);
      continue;
    }
    return judged(c.closed || c.streamError ? await c.outcome(2000, closesStream(input)) : await finish(c, ctx), input);
  }
  return closeWorking(c, ctx);
}

/** The client vanishes mid-stanza (no close, no error): the server must clean up quietly. */
export async function clientAbort(ctx: ScenarioContext): Promise<Outcome> {
  const c = await ctx.connect();
  if (ctx.random() < 0.5) await c.login(ctx.username, ctx.password);
  else await c.openStream();
  c.write(mutatedStanza(ctx.random, ctx.peer, ctx.domain).slice(0, -3));
  c.destroy();
  return { ok: true, kind: "client-abort" };
}

/** RFC 6120 §4.4: we close the stream, the server answers with its closing tag and closes. */
async function closeWorking(c: FuzzConnection, ctx: ScenarioContext): Promise<Outcome> {
  c.write("</stream:stream>");
  const end = await c.outcome(ctx.stallMs, true);
  if (!end.ok || end.kind !== "closed-cleanly") return end.ok ? { ok: false, kind: "unexpected", detail: `close after working: ${end.kind}` } : end;
  return { ok: true, kind: "working" };
}

export const SCENARIOS = { "pre-stream": preStream, "pre-auth": preAuth, "mid-sasl": midSasl, "post-auth": postAuth, "client-abort": clientAbort } as const;
export type ScenarioName = keyof typeof SCENARIOS;
/** Relative frequencies: most connections get past authentication, where most code is. */
export const WEIGHTS: [ScenarioName, number][] = [["pre-stream", 2], ["pre-auth", 2], ["mid-sasl", 2], ["post-auth", 5], ["client-abort", 1]];

export function pickScenario(r: Random): ScenarioName {
  const total = WEIGHTS.reduce((n, [, w]) => n + w, 0);
  let x = r() * total;
  for (const [name, w] of WEIGHTS) if ((x -= w) < 0) return name;
  return "post-auth";
}
