import { readFileSync } from "node:fs";
import { Element } from "ltx";
import { defineModule } from "../module.js";
import { reply } from "../stanza.js";
import { iqAddressee } from "./core.js";

export const NS_VERSION = "jabber:iq:version";

/** The version in tjabberd's package.json (two levels up from src/modules or dist/src/modules). */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tjabberd" && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return "unknown";
}

/**
 * XEP-0092 §2: `<query xmlns='jabber:iq:version'><name/><version/></query>`. The optional `<os/>`
 * is left out (§5: revealing the OS "may open the user or system to attacks"). Requests to
 * other entities are routed.
 */
export const versionModule = defineModule({
  name: "version",
  spec: "XEP-0092",
  setup(api) {
    api.discoFeature(NS_VERSION);
    const version = packageVersion();
    const query = () => new Element("query", { xmlns: NS_VERSION }).c("name").t("tjabberd").up().c("version").t(version).root();
    api.phase({
      name: "version",
      match: `{jabber:client}iq[@type='get']/{${NS_VERSION}}query`,
      handlers: [(ctx) => ctx.chainOutput(iqAddressee(api.server, ctx.stanza, "server") === "server" ? reply(ctx.stanza, query()) : ctx.stanza)],
    });
  },
});
