// XEP-0280: Message Carbons — copies of a user's one-to-one messages for all their resources.
import { clone, Element } from "ltx";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import { MESSAGE_PHASE } from "../message/index.js";

export const NS_CARBONS = "urn:xmpp:carbons:2";
export const NS_FORWARD = "urn:xmpp:forward:0";
export const NS_HINTS = "urn:xmpp:hints";
/** Payloads "typically used in IM" (chat states, receipts, markers) that make a message eligible. */
const IM_PAYLOADS = new Set(["http://jabber.org/protocol/chatstates", "urn:xmpp:receipts", "urn:xmpp:chat-markers:0"]);

type Ctx = HandlerContext<Session>;

/**
 * XEP-0280 §6: a message is eligible unless it has <private xmlns='urn:xmpp:carbons:2'/> (§7) —
 * or a <no-copy/> hint (XEP-0334) — and if it "is of type chat", "is of type normal and contains
 * a <body>", or carries IM payloads. Groupchat and headline are not; nor are errors (the
 * "error in response to an eligible message" case needs tracking kept nowhere here).
 */
export function carbonEligible(message: Element): boolean {
  if (message.getChild("private", NS_CARBONS) || message.getChild("no-copy", NS_HINTS)) return false;
  const type = message.attrs.type ?? "normal";
  if (type === "chat") return true;
  if (type !== "normal") return false;
  return message.getChild("body") !== undefined || message.getChildElements().some((c) => IM_PAYLOADS.has(c.getNS() ?? ""));
}

/**
 * XEP-0280 §6: the copy is wrapped as <sent/> or <received/> around a XEP-0297 <forwarded/>,
 * from the user's bare JID to the resource getting the copy.
 */
export function carbonCopy(kind: "sent" | "received", message: Element, user: Jid, resource: Jid): Element {
  const copy = new Element("message", { from: user.toBareString(), to: resource.toString(), type: message.attrs.type ?? "normal" });
  const inner = clone(message);
  inner.attrs.xmlns = "jabber:client"; // inside <forwarded/> the default namespace must be restated
  copy.c(kind, { xmlns: NS_CARBONS }).c("forwarded", { xmlns: NS_FORWARD }).cnode(inner);
  return copy;
}

export const carbonsModule = defineModule({
  name: "carbons",
  spec: "XEP-0280",
  setup(api) {
    const { router } = api;
    const enabled = new WeakSet<object>();
    api.discoFeature(NS_CARBONS);

    /** Copies for the user's other carbon-enabled resources (not those in `skip`). */
    function copyTo(user: Jid, skip: readonly object[], make: (resource: Jid) => Element): void {
      for (const session of router.sessionsOf(user.bare())) {
        if (enabled.has(session) && !skip.includes(session)) session.deliver(make(session.jid));
      }
    }

    // XEP-0280 §4/§5: <enable/> and <disable/>, per session, "with no 'to'" (the user's server).
    function toggle(on: boolean) {
      return (ctx: Ctx) => {
        const to = ctx.stanza.attrs.to;
        if (to !== undefined && !Jid.parse(to).equals(ctx.session.jid.bare())) return ctx.chainOutput(ctx.stanza);
        if (on) enabled.add(ctx.session);
        else enabled.delete(ctx.session);
        ctx.chainOutput(reply(ctx.stanza));
      };
    }
    api.phase({ name: "carbons.enable", match: `{jabber:client}iq[@type='set']/{${NS_CARBONS}}enable`, handlers: [toggle(true)] });
    api.phase({ name: "carbons.disable", match: `{jabber:client}iq[@type='set']/{${NS_CARBONS}}disable`, handlers: [toggle(false)] });

    // XEP-0280 §6 "Receiving Messages": a message delivered to some of the user's resources is
    // copied to the other carbon-enabled ones. Between a user's own resources: no copies.
    api.routing.delivered.push((stanza, to, recipients) => {
      if (stanza.name !== "message" || !carbonEligible(stanza)) return;
      const from = Jid.tryParse(stanza.attrs.from ?? "");
      if (from?.bareEquals(to)) return;
      copyTo(to, recipients, (resource) => carbonCopy("received", stanza, to, resource));
    });

    // XEP-0280 §6 "Sending Messages": what a resource sends is copied to the user's other
    // carbon-enabled resources. Runs in the message phase once `to` is set (message.address).
    function sentCarbons(ctx: Ctx): void {
      const user = ctx.session.jid;
      if (!carbonEligible(ctx.stanza) || Jid.tryParse(ctx.stanza.attrs.to ?? "")?.bareEquals(user)) return;
      copyTo(user, [ctx.session], (resource) => carbonCopy("sent", ctx.stanza, user, resource));
    }
    if (api.registry.has(MESSAGE_PHASE)) api.extendPhase(MESSAGE_PHASE, sentCarbons, { after: "message.address" });
    else api.log.warn("carbons: no message phase (load the message module first); sent messages are not copied");
  },
});
