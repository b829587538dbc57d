// XEP-0049: Private XML Storage — any XML a client wants kept, keyed by element name and namespace.
import { clone, Element, parse } from "ltx";
import { siblingModule } from "../../../actors/worker-jobs.js";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import type { PrivateItem } from "../../storage/private.js";
import { serialize } from "../../xml/index.js";

export const NS_PRIVATE = "jabber:iq:private";
/** Largest set stored at once, serialized; over it: `not-acceptable` (as for vCards, see docs). */
export const MAX_PRIVATE_BYTES = 64 * 1024;

type Ctx = HandlerContext<Session>;

/**
 * XEP-0049 §2.1: "If a user attempts to get or set jabber:iq:private data that belongs to
 * another user, the server MUST return a "Forbidden" or "Service Unavailable" error to the
 * sender (... the former is preferable)."
 */
function checkOwner(ctx: Ctx): void {
  const to = ctx.stanza.attrs.to;
  if (to && !Jid.parse(to).equals(ctx.session.jid.bare())) throw new StanzaError("forbidden");
}

/**
 * XEP-0049 §2.1: "At least one child element with a proper namespace MUST be included;
 * otherwise the server MUST respond with a "Not Acceptable" error"; the jabber:* namespaces
 * are reserved, so they are refused the same way.
 */
function payload(ctx: Ctx): Element[] {
  const children = ctx.stanza.getChild("query", NS_PRIVATE)!.getChildElements();
  if (children.length === 0) throw new StanzaError("not-acceptable", "name the element to get or set");
  for (const child of children) {
    const ns = child.getNS();
    if (!ns || ns.startsWith("jabber:")) throw new StanzaError("not-acceptable", `namespace "${ns ?? ""}" cannot be stored`);
  }
  return children;
}

const key = (el: Element) => ({ namespace: el.getNS()!, name: el.getName() });

function requestItems(ctx: Ctx) {
  checkOwner(ctx);
  return ctx.offload("private.get", { username: ctx.session.jid.local, keys: payload(ctx).map(key) });
}

// XEP-0049 §2.2: nothing stored → the requested element comes back empty.
function answerItems(ctx: Ctx) {
  const query = new Element("query", { xmlns: NS_PRIVATE });
  for (const item of ctx.lastRetVal as PrivateItem[]) {
    query.cnode(item.xml === null ? new Element(item.name, { xmlns: item.namespace }) : parse(item.xml));
  }
  ctx.chainOutput(reply(ctx.stanza, query));
}

function storeItems(ctx: Ctx) {
  checkOwner(ctx);
  const items = payload(ctx).map((el) => {
    // Stored self-contained: the namespace the element has in the stanza, declared on it.
    const own = clone(el);
    own.attrs.xmlns = el.getNS();
    return { ...key(el), xml: serialize(own) };
  });
  if (items.reduce((n, i) => n + Buffer.byteLength(i.xml), 0) > MAX_PRIVATE_BYTES) {
    throw new StanzaError("not-acceptable", `private data larger than ${MAX_PRIVATE_BYTES} bytes`);
  }
  return ctx.offload("private.set", { username: ctx.session.jid.local, items });
}

export const privateModule = defineModule({
  name: "private",
  spec: "XEP-0049",
  setup(api) {
    api.jobs(siblingModule(import.meta.url, "../../storage/private-jobs"));
    api.discoFeature(NS_PRIVATE);
    api.phase({ name: "private.get", match: `{jabber:client}iq[@type='get']/{${NS_PRIVATE}}query`, handlers: [requestItems, answerItems] });
    api.phase({
      name: "private.set",
      match: `{jabber:client}iq[@type='set']/{${NS_PRIVATE}}query`,
      handlers: [storeItems, (ctx) => ctx.chainOutput(reply(ctx.stanza))],
    });
  },
});
