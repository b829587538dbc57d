import { Element } from "ltx";
import { siblingModule } from "../../../actors/worker-jobs.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import type { LastActivity } from "../../storage/last-activity.js";
import { iqAddressee } from "../core.js";
import { presenceAuthorized } from "../disco/presence-authorized.js";

export const NS_LAST = "jabber:iq:last";

function lastQuery(seconds: number, status = ""): Element {
  const query = new Element("query", { xmlns: NS_LAST, seconds: String(Math.max(0, Math.floor(seconds))) });
  if (status) query.t(status);
  return query;
}

/**
 * XEP-0012 last activity: the server's uptime (§5), and for an account the time since its last
 * session ended with the status of its last unavailable presence (§4), recorded at
 * `session.ended`. Queries to full JIDs go to the client (§3).
 */
export const lastModule = defineModule({
  name: "last",
  spec: "XEP-0012",
  setup(api) {
    api.jobs(siblingModule(import.meta.url, "../../storage/last-activity-jobs"));
    api.discoFeature(NS_LAST);
    let startedAt = Date.now();
    const statuses = new WeakMap<Session, string>();

    api.on("server.started", () => {
      startedAt = Date.now();
      // The status of the unavailable presence, from whichever phase handles it (the presence module's).
      const phase = api.registry.match(new Element("presence", { xmlns: "jabber:client", type: "unavailable" }));
      if (phase) api.extendPhase(phase.name, "last.status", { first: true });
    });
    api.handler("last.status", (ctx: HandlerContext<Session>) => {
      if (ctx.stanza.attrs.type === "unavailable" && !ctx.stanza.attrs.to) statuses.set(ctx.session, ctx.stanza.getChildText("status") ?? "");
    });
    // Logouts are written in batches (one transaction, one fsync, per second at most): nobody
    // waits on this write, and one commit per logout was a fifth of the workers' time under load.
    const pending = new Map<string, LastActivity>();
    let timer: NodeJS.Timeout | undefined;
    const flush = (): Promise<void> => {
      clearTimeout(timer);
      timer = undefined;
      if (pending.size === 0) return Promise.resolve();
      const items = [...pending].map(([username, activity]) => ({ username, ...activity }));
      pending.clear();
      return api.server.pool.run("last.setMany", items).then(
        () => undefined,
        (err: Error) => api.log.warn("last activity not recorded", { error: err.message, count: items.length }),
      );
    };
    api.on("session.ended", (session) => {
      if (!session?.jid) return;
      pending.set(session.jid.local, { loggedOutAt: Date.now(), status: statuses.get(session) ?? "" });
      timer ??= setTimeout(flush, 1000).unref();
    });
    api.on("server.drained", flush);

    function lastGet(ctx: HandlerContext<Session>): Promise<void> | void {
      const target = iqAddressee(api.server, ctx.stanza);
      if (target === "forward") return ctx.chainOutput(ctx.stanza);
      if (target !== "server") return accountLast(ctx, target);
      // §5: to a server, "how long the host has been up".
      ctx.chainOutput(reply(ctx.stanza, lastQuery((Date.now() - startedAt) / 1000)));
    }

    async function accountLast(ctx: HandlerContext<Session>, account: Jid): Promise<void> {
      // §4: "MUST NOT return last activity information to an entity that is not authorized to
      // view the user's presence information ... MUST return a Forbidden error".
      if (!(await presenceAuthorized(api.server, account, Jid.parse(ctx.stanza.attrs.from)))) throw new StanzaError("forbidden");
      // §4: "If the user has at least one available resource ... 'seconds' ... '0'".
      if (api.router.availableResources(account).length) return ctx.chainOutput(reply(ctx.stanza, lastQuery(0)));
      const last = pending.get(account.local) ?? (await api.server.pool.run<LastActivity | null>("last.get", { username: account.local }));
      if (!last) throw new StanzaError("item-not-found", "no recorded activity");
      ctx.chainOutput(reply(ctx.stanza, lastQuery((Date.now() - last.loggedOutAt) / 1000, last.status)));
    }

    api.phase({ name: "last", match: `{jabber:client}iq[@type='get']/{${NS_LAST}}query`, handlers: [lastGet] });
  },
});
