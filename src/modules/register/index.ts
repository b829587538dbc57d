// XEP-0077: In-Band Registration. New accounts before authentication (pre-auth.ts, wired into
// the connection statechart, only with `registration.enabled`); for a signed-in user, password
// change and cancellation (this module, always on).
import { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import { Jid } from "../../jid.js";
import { defineModule } from "../../module.js";
import type { HandlerContext } from "../../phases/handler.js";
import type { Session } from "../../session.js";
import { reply } from "../../stanza.js";
import { knownAccounts } from "../message/known-accounts.js";
import { credentials, jobFailure, NS_REGISTER } from "./registration.js";

export { answerRegistration } from "./pre-auth.js";
export { NS_REGISTER, NS_REGISTER_FEATURE } from "./registration.js";

type Ctx = HandlerContext<Session>;

/** For the user's server: no `to`, the server's domain, or the user's own bare JID. */
function forServer(ctx: Ctx): boolean {
  const to = ctx.stanza.attrs.to;
  if (to === undefined) return true;
  const jid = Jid.parse(to);
  if (jid.equals(ctx.session.jid.bare()) || (jid.local === "" && jid.resource === "" && ctx.session.server.domains.includes(jid.domain))) return true;
  ctx.chainOutput(ctx.stanza); // a service elsewhere: routing delivers or bounces it
  ctx.stopChain();
  return false;
}

/** XEP-0077 §3.1: a registered entity gets <registered/> with its current registration data. */
function registrationInfo(ctx: Ctx): void {
  if (!forServer(ctx)) return;
  const query = new Element("query", { xmlns: NS_REGISTER });
  query.c("registered");
  query.c("username").t(ctx.session.jid.local);
  ctx.chainOutput(reply(ctx.stanza, query));
}

async function changeRegistration(ctx: Ctx): Promise<void> {
  if (!forServer(ctx)) return;
  const query = ctx.stanza.getChild("query", NS_REGISTER)!;
  const server = ctx.session.server;
  const username = ctx.session.jid.local;
  if (query.getChild("remove")) {
    // XEP-0077 §3.2: the account is removed; "the server SHOULD then return a <not-authorized/>
    // stream error and terminate all active sessions for the entity". The result is written
    // first, straight to this session, since its stream closes right after.
    await server.pool.run("accounts.delete", { username }).catch((err: unknown) => {
      throw jobFailure(err);
    });
    knownAccounts(server).forget(username);
    ctx.session.send(reply(ctx.stanza));
    for (const connection of server.connections) {
      if (connection.jid?.local === username) connection.streamError("not-authorized", "the account was removed");
    }
    return;
  }
  // XEP-0077 §3.3: a password change names the user's own username and the new password.
  const change = credentials(query, server);
  if (change.username !== username) throw new StanzaError("bad-request", "the username is not yours");
  const changed = await server.pool.run<boolean>("accounts.setPassword", change).catch((err: unknown) => {
    throw jobFailure(err);
  });
  if (!changed) throw new StanzaError("internal-server-error", "the account no longer exists");
  ctx.chainOutput(reply(ctx.stanza));
}

export const registerModule = defineModule({
  name: "register",
  spec: "XEP-0077",
  setup(api) {
    api.phase({ name: "register.get", match: `{jabber:client}iq[@type='get']/{${NS_REGISTER}}query`, handlers: [registrationInfo] });
    api.phase({ name: "register.set", match: `{jabber:client}iq[@type='set']/{${NS_REGISTER}}query`, handlers: [changeRegistration] });
    api.discoFeature(NS_REGISTER);
  },
});
