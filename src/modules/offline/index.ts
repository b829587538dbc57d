import { Element } from "ltx";
import { siblingModule } from "../../../actors/worker-jobs.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { errorReply, mayReplyWithError } from "../../stanza.js";
import type { StoreResult } from "../../storage/offline.js";
import { MESSAGE_PHASE, undeliveredMessage } from "../message/index.js";
import { deliverOffline } from "./delivery.js";
import { knownAccounts } from "../message/known-accounts.js";
import { shouldStoreOffline } from "./offline-policy.js";

export { deliverOffline, withDelay } from "./delivery.js";
export { shouldStoreOffline } from "./offline-policy.js";


/**
 * XEP-0160 offline messages, with XEP-0203 delay stamps on delivery. Needs the message module
 * (its phase gets two handlers before `message.undeliverable`; load this module after it).
 *
 * Storing: inside the message's chain — the chain waits for the committed insert, so a message is
 * on disk before the sender's next stanza is processed. Messages routed from elsewhere (not a
 * client's chain) take `routing.undeliverable` and are stored asynchronously.
 *
 * Delivering: at `server.started` the module extends whichever phase handles a client's broadcast
 * available presence (`<presence/>` with no to/type, RFC 6121 §4.2) — whatever the presence module
 * calls it — so that its chain ends with `offline.deliver`: `deliverOffline(session)` the first
 * time the session's priority is non-negative (again after it went negative). Without a presence
 * phase, call `deliverOffline(session)` yourself.
 */
export const offlineModule = defineModule({
  name: "offline",
  spec: "XEP-0160, XEP-0203",
  setup(api) {
    api.jobs(siblingModule(import.meta.url, "../../storage/offline-jobs"));
    api.discoFeature("msgoffline");
    const accounts = knownAccounts(api.server);
    const payload = (stanza: Element, username: string) => ({
      username,
      stanza: stanza.toString(),
      storedAt: Date.now(),
      // XEP-0160 §4: a full offline queue → <service-unavailable/>. Per account.
      limit: api.config.limits.max_offline_messages,
    });

    /** Stores a message routing found no session for (RFC 6121 §8.5.2.2.1 option (a)). */
    function offlineStore(ctx: HandlerContext<Session>) {
      const delivery = undeliveredMessage(ctx.lastRetVal);
      if (!delivery) return undefined;
      if (!shouldStoreOffline(ctx.stanza)) {
        ctx.stopChain(); // not stored, and not bounced either
        return undefined;
      }
      // RFC 6121 §8.5.1: no such account → <service-unavailable/> (known from an earlier store).
      if (accounts.exists(delivery.to.local) === false) throw new StanzaError("service-unavailable");
      return ctx.offload("offline.store", payload(ctx.stanza, delivery.to.local));
    }

    /** The store's answer: stored → done; unknown account or full queue → <service-unavailable/>. */
    function offlineStored(ctx: HandlerContext<Session>): void {
      const result = ctx.lastRetVal as StoreResult | undefined;
      if (result !== "stored" && result !== "no-account" && result !== "full") return;
      accounts.remember(Jid.parse(ctx.stanza.attrs.to).local, result !== "no-account");
      if (result === "stored") return ctx.stopChain();
      throw new StanzaError("service-unavailable", result === "full" ? "offline message queue is full" : undefined);
    }

    api.handler("offline.store", offlineStore);
    api.handler("offline.stored", offlineStored);
    api.extendPhase(MESSAGE_PHASE, "offline.store", { before: "message.undeliverable" });
    api.extendPhase(MESSAGE_PHASE, "offline.stored", { before: "message.undeliverable" });

    // Messages routed outside a client's chain (module output): stored without a chain to wait.
    api.routing.undeliverable.push((stanza, to) => {
      if (!shouldStoreOffline(stanza)) return true;
      if (accounts.exists(to.local) === false) return false;
      api.server.pool.submit("offline.store", payload(stanza, to.local), (err, result) => {
        if (!err) accounts.remember(to.local, result !== "no-account");
        if (result === "stored" || !mayReplyWithError(stanza) || !stanza.attrs.from) return;
        api.server.route(errorReply(stanza, new StanzaError("service-unavailable")));
      });
      return true;
    });

    // XEP-0160 §2: deliver when the account sends available presence with priority ≥ 0 — after
    // the presence phase set `session.priority` (so messages arriving meanwhile go straight to
    // the session), hence as the chain's last handler, which runs even if the phase stops early.
    const served = new WeakSet<Session>();
    api.handler("offline.deliver", (ctx: HandlerContext<Session>) => {
      const { session } = ctx;
      if (session.priority === undefined || session.priority < 0) return void served.delete(session);
      if (served.has(session)) return undefined;
      served.add(session);
      return deliverOffline(session);
    });
    api.handler("offline.afterPresence", (ctx: HandlerContext<Session>) => {
      if (!ctx.stanza.attrs.to && !ctx.stanza.attrs.type) ctx.setLastHandler("offline.deliver");
    });
    api.on("server.started", () => {
      const presencePhase = api.registry.match(new Element("presence", { xmlns: "jabber:client" }));
      if (presencePhase) api.extendPhase(presencePhase.name, "offline.afterPresence", { first: true });
      else api.log.warn("no phase handles available presence; offline messages wait for deliverOffline(session)");
    });
  },
});
