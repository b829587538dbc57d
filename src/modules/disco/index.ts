import { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Server } from "../../server.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import { iqAddressee } from "../core.js";
import { CAPS_NODE, capsElement, capsVer, type Identity } from "./caps.js";
import { presenceAuthorized } from "./presence-authorized.js";

export { CAPS_NODE, NS_CAPS, capsVer, type Identity } from "./caps.js";
export { presenceAuthorized } from "./presence-authorized.js";

export const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
export const NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
export const SERVER_IDENTITY: Identity = { category: "server", type: "im", name: "tjabberd" };
/** The identity the server gives a registered account it answers for (XEP-0030 §8). */
export const ACCOUNT_IDENTITY: Identity = { category: "account", type: "registered" };

export interface DiscoItem {
  jid: string;
  name?: string;
  node?: string;
}

const serverItems = new WeakMap<Server, DiscoItem[]>();

/** The server's disco#items (e.g. a MUC service a module runs); modules push to it. */
export function discoItems(server: Server): DiscoItem[] {
  let items = serverItems.get(server);
  if (!items) serverItems.set(server, (items = []));
  return items;
}

function infoQuery(node: string | undefined, identity: Identity, features: Iterable<string>): Element {
  const query = new Element("query", { xmlns: NS_DISCO_INFO, node });
  query.c("identity", { category: identity.category, type: identity.type, name: identity.name });
  for (const feature of [...features].sort()) query.c("feature", { var: feature });
  return query;
}

/**
 * XEP-0030 service discovery for the server and, on their behalf, its accounts; XEP-0115
 * entity capabilities of the server as a stream feature. Features are what every module added
 * with `api.discoFeature` (`server.discoFeatures`).
 */
export const discoModule = defineModule({
  name: "disco",
  spec: "XEP-0030, XEP-0115",
  setup(api) {
    api.discoFeature(NS_DISCO_INFO);
    api.discoFeature(NS_DISCO_ITEMS);
    const features = api.server.discoFeatures;

    // The ver string is cached; modules only ever add features (a Set), so its size tells.
    let caps = { size: -1, ver: "" };
    const ver = () => {
      if (caps.size !== features.size) caps = { size: features.size, ver: capsVer([SERVER_IDENTITY], features) };
      return caps.ver;
    };
    // XEP-0115 §6.3: a server MAY include its entity capabilities as a stream feature.
    api.streamFeature(() => capsElement(ver()));

    function discoInfo(ctx: HandlerContext<Session>): Promise<void> | void {
      const { stanza } = ctx;
      const node = stanza.getChild("query", NS_DISCO_INFO)!.attrs.node as string | undefined;
      const target = iqAddressee(api.server, stanza);
      if (target === "forward") return ctx.chainOutput(stanza);
      if (target !== "server") return accountInfo(ctx, target, node);
      // XEP-0115 §6.2: a query for node#ver gets the same info, with the node echoed.
      if (node !== undefined && node !== `${CAPS_NODE}#${ver()}`) throw new StanzaError("item-not-found");
      ctx.chainOutput(reply(stanza, infoQuery(node, SERVER_IDENTITY, features)));
    }

    // XEP-0030 §8: to a bare JID, <service-unavailable/> if the account does not exist or the
    // requester may not receive its presence (so nothing about the account leaks).
    async function accountInfo(ctx: HandlerContext<Session>, account: Jid, node: string | undefined): Promise<void> {
      if (!(await presenceAuthorized(api.server, account, Jid.parse(ctx.stanza.attrs.from)))) throw new StanzaError("service-unavailable");
      if (node !== undefined) throw new StanzaError("item-not-found");
      ctx.chainOutput(reply(ctx.stanza, infoQuery(undefined, ACCOUNT_IDENTITY, [NS_DISCO_INFO, NS_DISCO_ITEMS])));
    }

    function discoItemsHandler(ctx: HandlerContext<Session>): void {
      const { stanza } = ctx;
      const node = stanza.getChild("query", NS_DISCO_ITEMS)!.attrs.node as string | undefined;
      const target = iqAddressee(api.server, stanza);
      if (target === "forward") return ctx.chainOutput(stanza);
      const query = new Element("query", { xmlns: NS_DISCO_ITEMS, node });
      // XEP-0030 §8: for an account, an empty result set (its available resources are not
      // listed); for the server, the items modules registered (none for a node we don't know).
      if (target === "server") {
        if (node !== undefined) throw new StanzaError("item-not-found");
        for (const item of discoItems(api.server)) query.c("item", { ...item });
      }
      ctx.chainOutput(reply(stanza, query));
    }

    api.phase({ name: "disco.info", match: `{jabber:client}iq[@type='get']/{${NS_DISCO_INFO}}query`, handlers: [discoInfo] });
    api.phase({ name: "disco.items", match: `{jabber:client}iq[@type='get']/{${NS_DISCO_ITEMS}}query`, handlers: [discoItemsHandler] });
  },
});
