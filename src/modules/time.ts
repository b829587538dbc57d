import { Element } from "ltx";
import { defineModule } from "../module.js";
import { reply } from "../stanza.js";
import { iqAddressee } from "./core.js";

export const NS_TIME = "urn:xmpp:time";

/** XEP-0082 time zone offset "±hh:mm" of the server's local time. */
function tzo(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * XEP-0202 §3: `<time xmlns='urn:xmpp:time'><tzo>±hh:mm</tzo><utc>…Z</utc></time>` — the UTC
 * time (XEP-0082 DateTime) and the offset of the entity's local time zone.
 */
export function entityTime(now = new Date()): Element {
  const time = new Element("time", { xmlns: NS_TIME });
  time.c("tzo").t(tzo(now));
  time.c("utc").t(now.toISOString().replace(/\.\d{3}Z$/, "Z"));
  return time;
}

/** XEP-0202 entity time of the server; requests to other entities are routed. */
export const timeModule = defineModule({
  name: "time",
  spec: "XEP-0202",
  setup(api) {
    api.discoFeature(NS_TIME);
    api.phase({
      name: "time",
      match: `{jabber:client}iq[@type='get']/{${NS_TIME}}time`,
      handlers: [(ctx) => ctx.chainOutput(iqAddressee(api.server, ctx.stanza, "server") === "server" ? reply(ctx.stanza, entityTime()) : ctx.stanza)],
    });
  },
});
