import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Delivery } from "../../routing.js";
import type { Session } from "../../session.js";

export { knownAccounts, KnownAccounts } from "./known-accounts.js";

/** The message phase; the offline module (XEP-0160) adds its handlers before `message.undeliverable`. */
export const MESSAGE_PHASE = "route.message";

/** The `lastRetVal` for a message no session can take, left for later handlers (offline storage). */
export function undeliveredMessage(lastRetVal: unknown): Extract<Delivery, { kind: "offline" }> | undefined {
  const d = lastRetVal as Delivery | undefined;
  return d?.kind === "offline" ? d : undefined;
}

/**
 * Messages from a client (RFC 6121 §5, server rules RFC 6121 §8.5), delivered through the shared
 * routing code (src/routing.ts) so `routing.filters` and `routing.delivered` apply to every path.
 * A message no session can take stays the chain's `lastRetVal` for the handlers an offline
 * module inserts; whatever is left at the end goes to `routing.undeliverable` (or bounces).
 */
export const messageModule = defineModule({
  name: "message",
  spec: "RFC 6121 §5, §8.5",
  setup(api) {
    /** RFC 6120 §10.3.1: a message with no 'to' is treated as if to the sender's bare JID. */
    function messageAddress(ctx: HandlerContext<Session>): void {
      ctx.stanza.attrs.to ??= Jid.parse(ctx.stanza.attrs.from).toBareString();
    }

    /** Lets the filters load what they need (routing.preparers), so `resolve` decides now. */
    function messagePrepare(ctx: HandlerContext<Session>): Promise<void> | undefined {
      return api.routing.prepare(ctx.stanza);
    }

    /** RFC 6121 §8.5: deliver to the matching session(s), bounce, or drop; "offline" goes on. */
    function messageRoute(ctx: HandlerContext<Session>): Delivery | undefined {
      const delivery = api.routing.resolve(ctx.stanza);
      if (delivery.kind === "offline") return delivery;
      api.routing.dispatch(ctx.stanza, delivery);
      ctx.stopChain();
      return undefined;
    }

    /** Nothing took the message: the `routing.undeliverable` hooks, else service-unavailable. */
    function messageUndeliverable(ctx: HandlerContext<Session>): void {
      const delivery = undeliveredMessage(ctx.lastRetVal);
      if (delivery) api.routing.dispatch(ctx.stanza, delivery);
    }

    api.handler("message.address", messageAddress);
    api.handler("message.prepare", messagePrepare);
    api.handler("message.route", messageRoute);
    api.handler("message.undeliverable", messageUndeliverable);
    api.phase({
      name: MESSAGE_PHASE,
      match: "{jabber:client}message",
      priority: -1000,
      handlers: ["message.address", "message.prepare", "message.route", "message.undeliverable"],
    });
  },
});
