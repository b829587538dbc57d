import { Element } from "ltx";
import { defineModule } from "../../module.js";
import { presenceHandlers } from "./presence-handlers.js";
import { presenceService } from "./presence-service.js";
import { subscriptionHandlers } from "./subscription.js";
import { SUBSCRIPTION_TYPES } from "./subscription-state.js";

export { presenceService, PresenceService } from "./presence-service.js";

/** RFC 6121 §3 (subscriptions, with §3.4 pre-approval) and §4 (presence) between local accounts. */
export const presenceModule = defineModule({
  name: "presence",
  spec: "RFC 6121 §3, §4",
  setup(api) {
    const presence = presenceService(api);
    // §3.4: a server that supports subscription pre-approvals advertises this stream feature.
    api.streamFeature(() => new Element("sub", { xmlns: "urn:xmpp:features:pre-approval" }));
    for (const type of SUBSCRIPTION_TYPES) {
      api.phase({ name: `presence.${type}`, match: `{jabber:client}presence[@type='${type}']`, priority: 10, handlers: subscriptionHandlers(presence) });
    }
    api.phase({ name: "presence", match: "{jabber:client}presence", handlers: presenceHandlers(presence) });
  },
});
