import { Element } from "ltx";
import { defineModule } from "../../module.js";
import { presenceService } from "../presence/presence-service.js";
import { rosterGet } from "./roster-get.js";
import { rosterService } from "./roster-service.js";
import { rosterSet } from "./roster-set.js";
import { NS_ROSTER } from "./roster-xml.js";

export { rosterService, RosterService } from "./roster-service.js";

/** RFC 6121 §2: roster get/set/remove, pushes to interested resources, §2.6 versioning. */
export const rosterModule = defineModule({
  name: "roster",
  spec: "RFC 6121 §2",
  setup(api) {
    const rosters = rosterService(api);
    // §2.6.1: a server that supports roster versioning advertises it as a stream feature.
    api.streamFeature(() => new Element("ver", { xmlns: "urn:xmpp:features:rosterver" }));
    api.phase({ name: "roster.get", match: `{jabber:client}iq[@type='get']/{${NS_ROSTER}}query`, handlers: [rosterGet(rosters)] });
    api.phase({ name: "roster.set", match: `{jabber:client}iq[@type='set']/{${NS_ROSTER}}query`, handlers: [rosterSet(presenceService(api), api.config.limits.max_roster_items)] });
  },
});
