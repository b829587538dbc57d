// XEP-0191: Blocking Command — a block list per account, enforced by a route filter.
import { clone, Element } from "ltx";
import { randomBytes } from "node:crypto";
import { siblingModule } from "../../../actors/worker-jobs.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule, type ModuleApi } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { isIqRequest, reply } from "../../stanza.js";
import { BlocklistCache } from "./blocklist-cache.js";
import { presenceService } from "../presence/index.js";
import { presenceToContacts } from "./presence.js";
import { blockingFilter } from "./route-filter.js";
import { isBlocked } from "./jid-match.js";

export { isBlocked } from "./jid-match.js";
export { NS_BLOCKING_ERRORS } from "./route-filter.js";
export const NS_BLOCKING = "urn:xmpp:blocking";

type Ctx = HandlerContext<Session>;

/** XEP-0191 §3.2–3.5: the commands are sent "with no 'to' address (thus handled by the user's server)". */
function forAccount(ctx: Ctx): boolean {
  const to = ctx.stanza.attrs.to;
  if (to === undefined || Jid.parse(to).equals(ctx.session.jid.bare())) return true;
  ctx.chainOutput(ctx.stanza); // someone else's: routing delivers or bounces it
  ctx.stopChain();
  return false;
}

/** The <item jid=''/> children, prepared (an unparsable JID throws jid-malformed). */
function items(command: Element): string[] {
  return [...new Set(command.getChildren("item").map((item) => Jid.parse(item.attrs.jid ?? "").toString()))];
}

function itemList(name: string, jids: readonly string[]): Element {
  const el = new Element(name, { xmlns: NS_BLOCKING });
  for (const jid of jids) el.c("item", { jid });
  return el;
}

function setup(api: ModuleApi): void {
  const { router, routing, server } = api;
  const cache = new BlocklistCache((username) => server.pool.run<string[]>("blocklist.list", { username }));
  const filter = blockingFilter({ cache, routing, router, domains: server.domains, log: api.log });
  const presence = presenceService(api); // the presence module's (load this module after it)
  /** Sessions that retrieved the block list: XEP-0191 §3.3 pushes go to them. */
  const interested = new WeakSet<object>();

  api.jobs(siblingModule(import.meta.url, "../../storage/blocklist-jobs"));
  api.discoFeature(NS_BLOCKING);
  routing.filters.push(filter);
  // Chains that must decide before their next stanza (offline storage) wait for the lists the
  // filter needs, instead of the filter holding the stanza outside the chain.
  routing.preparers.push((stanza, to) => {
    const from = Jid.tryParse(stanza.attrs.from ?? "");
    const local = [from, to].filter((j): j is Jid => j !== null && j.local !== "" && server.domains.includes(j.domain));
    const missing = local.map((j) => j.local).filter((u) => cache.peek(u) === undefined);
    return missing.length ? Promise.all(missing.map((u) => cache.load(u))) : undefined;
  });
  // Lists load on first use (the routing preparer, the filter); dropped when the last session
  // goes (an account removed meanwhile must not leave its list behind).
  api.on("session.ended", (session) => {
    if (router.sessionsOf(session!.jid.bare()).length === 0) cache.forget(session!.jid.local);
  });
  api.on("server.stopping", () => cache.close());

  /**
   * XEP-0191 §3.3/§3.4: after a change "the user's server MUST send an IQ-set to all of the
   * user's resources that have requested the blocklist", carrying the change.
   */
  function pushes(user: Jid, command: Element): Element[] {
    return router
      .sessionsOf(user.bare())
      .filter((session) => interested.has(session))
      .map((session) => {
        const iq = new Element("iq", { type: "set", to: session.jid.toString(), id: `push-${randomBytes(6).toString("hex")}` });
        return iq.cnode(clone(command)).root();
      });
  }

  /** The result first, then the pushes (chain output is routed in order). */
  function answer(ctx: Ctx, user: Jid, command: Element): void {
    ctx.chainOutput(reply(ctx.stanza));
    for (const iq of pushes(user, command)) ctx.chainOutput(iq);
  }

  // XEP-0191 §3.2: the block list, an empty <blocklist/> when there is none.
  async function getBlocklist(ctx: Ctx) {
    if (!forAccount(ctx)) return;
    const list = await cache.load(ctx.session.jid.local);
    interested.add(ctx.session);
    ctx.chainOutput(reply(ctx.stanza, itemList("blocklist", [...list].sort())));
  }

  // XEP-0191 §3.3: "If the <block/> element does not contain at least one <item/> child
  // element, the server MUST return a <bad-request/> error."
  async function block(ctx: Ctx) {
    if (!forAccount(ctx)) return;
    const jids = items(ctx.stanza.getChild("block", NS_BLOCKING)!);
    if (jids.length === 0) throw new StanzaError("bad-request", "block at least one JID");
    const user = ctx.session.jid;
    const before = await cache.load(user.local);
    const after = await server.pool.run<string[]>("blocklist.block", { username: user.local, jids });
    await presenceToContacts(presence, cache, user, jids.filter((j) => !before.has(j)), false);
    cache.replace(user.local, after);
    answer(ctx, user, itemList("block", jids));
  }

  // XEP-0191 §3.4 (items) and §3.5 (no items: "unblock all").
  async function unblock(ctx: Ctx) {
    if (!forAccount(ctx)) return;
    const jids = items(ctx.stanza.getChild("unblock", NS_BLOCKING)!);
    const user = ctx.session.jid;
    const before = await cache.load(user.local);
    const after = await server.pool.run<string[]>("blocklist.unblock", { username: user.local, jids });
    cache.replace(user.local, after);
    await presenceToContacts(presence, cache, user, [...before].filter((j) => !after.includes(j)), true);
    answer(ctx, user, itemList("unblock", jids));
  }

  /**
   * XEP-0191 §3.3: an IQ get/set from a blocked contact "MUST return an error, which SHOULD be
   * <service-unavailable/>". Routed IQs meet the route filter; this gate covers those the server
   * answers itself on the account's behalf (RFC 6121 §8.5.2.1.3: an IQ to a bare JID — vCard,
   * last activity, disco), as a prelude: the first handler of every phase, whichever module
   * registers it and when.
   */
  function blockedContactGate(ctx: Ctx) {
    const { stanza, session } = ctx;
    if (stanza.name !== "iq" || !isIqRequest(stanza) || stanza.attrs.to === undefined) return;
    const to = Jid.tryParse(stanza.attrs.to);
    if (!to || to.resource !== "" || to.local === "" || !server.domains.includes(to.domain) || to.bareEquals(session.jid)) return;
    const refuse = (list: ReadonlySet<string>) => {
      if (isBlocked(list, session.jid)) throw new StanzaError("service-unavailable");
    };
    const list = cache.peek(to.local);
    return list ? refuse(list) : cache.load(to.local).then(refuse);
  }
  api.phasePrelude(blockedContactGate);

  api.phase({ name: "blocking.list", match: `{jabber:client}iq[@type='get']/{${NS_BLOCKING}}blocklist`, handlers: [getBlocklist] });
  api.phase({ name: "blocking.block", match: `{jabber:client}iq[@type='set']/{${NS_BLOCKING}}block`, handlers: [block] });
  api.phase({ name: "blocking.unblock", match: `{jabber:client}iq[@type='set']/{${NS_BLOCKING}}unblock`, handlers: [unblock] });
}

export const blockingModule = defineModule({ name: "blocking", spec: "XEP-0191", setup });
