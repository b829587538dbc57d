import { defineModule } from "../module.js";
import { reply } from "../stanza.js";
import { iqAddressee } from "./core.js";

export const NS_PING = "urn:xmpp:ping";

/**
 * XEP-0199 §4.2 client-to-server ping: "If the server supports the protocol, it MUST return an
 * IQ-result" (empty). No `to` counts as the server. Pings to other entities are routed (§4.1).
 */
export const pingModule = defineModule({
  name: "ping",
  spec: "XEP-0199",
  setup(api) {
    api.discoFeature(NS_PING);
    api.phase({
      name: "ping",
      match: `{jabber:client}iq[@type='get']/{${NS_PING}}ping`,
      handlers: [(ctx) => ctx.chainOutput(iqAddressee(api.server, ctx.stanza, "server") === "server" ? reply(ctx.stanza) : ctx.stanza)],
    });
  },
});
