// XEP-0077 in-band registration: what is shared by the pre-authentication path (new accounts)
// and the session path (password change, cancellation).
import { Element } from "ltx";
import { JobError } from "../../../actors/worker-job-error.js";
import { StanzaError } from "../../errors.js";
import { Jid, JidError } from "../../jid.js";
import type { Server } from "../../server.js";
import { knownAccounts } from "../message/known-accounts.js";

export const NS_REGISTER = "jabber:iq:register";
/** XEP-0077 §8: the stream feature announcing registration before authentication. */
export const NS_REGISTER_FEATURE = "http://jabber.org/features/iq-register";

/** XEP-0077 §3.1: the fields a new account needs. */
export function registrationForm(): Element {
  const query = new Element("query", { xmlns: NS_REGISTER });
  query.c("instructions").t("Choose a username and password for use with this service.");
  query.c("username");
  query.c("password");
  return query;
}

/** The non-empty <username/> and <password/> of a query; XEP-0077 §3.1 "not-acceptable" otherwise. */
export function credentials(query: Element, server: Server): { username: string; password: string } {
  const username = query.getChildText("username")?.trim();
  const password = query.getChildText("password");
  if (!username || !password) throw new StanzaError("not-acceptable", "username and password are required");
  try {
    // Accounts are stored under the JID-prepared local part, as SASL looks them up.
    return { username: new Jid(username, server.domains[0]).local, password };
  } catch (err) {
    if (err instanceof JidError) throw new StanzaError("not-acceptable", "the username cannot be a JID local part");
    throw err;
  }
}

/**
 * A storage job's failure as the stanza error to answer with: input the job refused (a password
 * SASLprep prohibits, a field too long) is the client's; anything else is ours.
 */
export function jobFailure(err: unknown): StanzaError {
  if (err instanceof StanzaError) return err;
  if (err instanceof JobError && (err.originalName === "SaslprepError" || err.originalName === "ZodError")) {
    return new StanzaError("not-acceptable", err.originalName === "SaslprepError" ? err.message : "a field is too long");
  }
  return new StanzaError("internal-server-error");
}

/** XEP-0077 §3.1: "If the desired username is already taken, the host MUST return <conflict/>." */
export async function createAccount(server: Server, query: Element): Promise<void> {
  const { username, password } = credentials(query, server);
  const created = await server.pool.run<boolean>("accounts.create", { username, password }).catch((err: unknown) => {
    throw jobFailure(err);
  });
  knownAccounts(server).forget(username);
  if (!created) throw new StanzaError("conflict", "that username is taken");
}
