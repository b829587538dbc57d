// RFC 6120 §6.3.8: "the authorization identity … is an XMPP address … <localpart@domainpart>";
// the server must check that the authenticated user may act as it. We support no proxy
// authorization: an authzid is accepted only when it names the user's own bare JID.
import { saslFailure, type SaslFailureStep, type SaslSuccessStep } from "./types.js";

/**
 * `success` for `username`, or `invalid-authzid` (RFC 6120 §6.5.6) when `authzid` names someone
 * else. `domain` undefined: any non-empty authzid is refused. RFC 6120 §6.3.8: an empty string is
 * "equivalent to an absent authorization identity".
 */
export function authorize(
  username: string,
  authzid: string | undefined,
  domain: string | undefined,
  data?: Buffer,
): SaslSuccessStep | SaslFailureStep {
  const success: SaslSuccessStep = { kind: "success", username, ...(data ? { data } : {}) };
  if (!authzid) return success;
  const at = authzid.lastIndexOf("@");
  const ownBareJid =
    domain !== undefined &&
    at > 0 &&
    authzid.slice(0, at) === username &&
    authzid.slice(at + 1).toLowerCase() === domain.toLowerCase();
  return ownBareJid ? { ...success, authzid } : saslFailure("invalid-authzid");
}
