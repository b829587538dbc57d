// XEP-0054: vcard-temp. The server stores each account's vCard and answers for it.
import { Element, parse } from "ltx";
import { siblingModule } from "../../../actors/worker-jobs.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import { serialize } from "../../xml/index.js";

export const NS_VCARD = "vcard-temp";
/**
 * Largest vCard stored, serialized. Over it: `not-acceptable` (RFC 6120 §8.3.3.9: the request
 * "does not meet criteria defined by the recipient or server"), as XEP-0060 §7.1.3.4 does for
 * an item that is too big; `policy-violation` is for what a message says, not its size.
 */
export const MAX_VCARD_BYTES = 64 * 1024;

type Ctx = HandlerContext<Session>;

/**
 * Whose vCard the IQ is about: the sender's own (no `to`, or their bare JID), another local
 * account, the server (a domain JID), or "route" (a full JID or a remote domain: not ours
 * to answer, RFC 6121 §8.5.3 / §8.4).
 */
function subject(ctx: Ctx): Jid | "route" {
  const to = ctx.stanza.attrs.to;
  if (!to) return ctx.session.jid.bare();
  const jid = Jid.parse(to);
  if (jid.resource || !ctx.session.server.domains.includes(jid.domain)) return "route";
  return jid;
}

function emptyVcard(): Element {
  return new Element("vCard", { xmlns: NS_VCARD });
}

function routeInstead(ctx: Ctx): void {
  ctx.chainOutput(ctx.stanza);
  ctx.stopChain();
}

// RFC 6121 §8.5.2.1.3: an IQ to an account's bare JID is answered by the server on its behalf.
function requestVcard(ctx: Ctx) {
  const who = subject(ctx);
  if (who === "route") return routeInstead(ctx);
  // XEP-0054 documents user vCards only; the server itself has none.
  if (who.local === "") throw new StanzaError("service-unavailable");
  return ctx.offload("vcard.get", { username: who.local });
}

/**
 * XEP-0054 §3.1: no vCard of one's own → "an IQ-result containing an empty <vCard/>".
 * §3.2: another user without a vCard, or no such user → one error for both ("the same error
 * condition in both cases in order to help prevent directory harvesting attacks").
 */
function answerVcard(ctx: Ctx) {
  const xml = ctx.lastRetVal as string | null;
  const own = (subject(ctx) as Jid).bareEquals(ctx.session.jid);
  if (xml === null && !own) throw new StanzaError("service-unavailable");
  ctx.chainOutput(reply(ctx.stanza, xml === null ? emptyVcard() : parse(xml)));
}

/** XEP-0054 §3.3: a user updates their own vCard; the whole vCard is replaced. */
function storeVcard(ctx: Ctx) {
  const who = subject(ctx);
  if (who === "route") return routeInstead(ctx);
  if (!who.bareEquals(ctx.session.jid)) throw new StanzaError("forbidden", "only your own vCard can be set");
  const vcard = emptyVcard();
  for (const child of ctx.stanza.getChild("vCard", NS_VCARD)!.children) vcard.children.push(child);
  const xml = serialize(vcard);
  if (Buffer.byteLength(xml) > MAX_VCARD_BYTES) {
    throw new StanzaError("not-acceptable", `vCard larger than ${MAX_VCARD_BYTES} bytes`);
  }
  // An empty vCard is stored as none, so others then get the "no vCard" answer.
  const empty = !vcard.children.some((c) => typeof c !== "string");
  return ctx.offload("vcard.set", { username: who.local, xml: empty ? null : xml });
}

export const vcardModule = defineModule({
  name: "vcard",
  spec: "XEP-0054",
  setup(api) {
    api.jobs(siblingModule(import.meta.url, "../../storage/vcard-jobs"));
    api.discoFeature(NS_VCARD);
    api.phase({ name: "vcard.get", match: `{jabber:client}iq[@type='get']/{${NS_VCARD}}vCard`, handlers: [requestVcard, answerVcard] });
    api.phase({
      name: "vcard.set",
      match: `{jabber:client}iq[@type='set']/{${NS_VCARD}}vCard`,
      handlers: [storeVcard, (ctx) => ctx.chainOutput(reply(ctx.stanza))],
    });
  },
});
