import type { Element } from "ltx";
import { StanzaError } from "../../errors.js";
import type { Server } from "../../server.js";
import { errorReply, reply, toStanzaError } from "../../stanza.js";
import { createAccount, NS_REGISTER, registrationForm } from "./registration.js";

/**
 * XEP-0077 §3.1 before authentication (the connection statechart admits these IQs only when
 * `registration.enabled`): a get returns the form, a set creates the account. Resolves with the
 * response to write; never rejects.
 */
export async function answerRegistration(server: Server, iq: Element): Promise<Element> {
  try {
    if (iq.attrs.type === "get") return reply(iq, registrationForm());
    const query = iq.getChild("query", NS_REGISTER)!;
    // Cancelling needs an account to cancel: authenticate first.
    if (query.getChild("remove")) throw new StanzaError("not-authorized", "authenticate to cancel a registration");
    await createAccount(server, query);
    return reply(iq);
  } catch (err) {
    if (!(err instanceof StanzaError)) server.log.error("registration failed", { error: String(err) });
    return errorReply(iq, toStanzaError(err));
  }
}
