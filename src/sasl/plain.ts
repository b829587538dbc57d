// PLAIN (RFC 4616), server side. The password is checked by the caller against the stored SCRAM
// credentials (a worker job): the mechanism returns `verify-plain` and then takes `verified(ok)`.
// Offer it only on TLS-protected streams (see createServerMechanism).
import { authorize } from "./authorization.js";
import { MechanismBase } from "./mechanism-base.js";
import { saslprep } from "./saslprep.js";
import type { SaslFailureCondition, SaslFailureStep, SaslServerMechanism, SaslStep } from "./types.js";

export interface PlainServerOptions {
  /** The server's domain, to accept an authzid that is the user's own bare JID. */
  domain?: string;
}

type State =
  | { at: "start" }
  | { at: "response" }
  | { at: "verification"; username: string; authzid?: string }
  | { at: "done" };

export type PlainMessage = { authzid?: string; authcid: string; password: string };

/**
 * RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd, authcid and passwd non-empty
 * ("1*SAFE"), none containing NUL. Returns null for anything else.
 */
export function parsePlainMessage(text: string): PlainMessage | null {
  const parts = text.split("\0");
  if (parts.length !== 3) return null;
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authcid === "" || password === "") return null;
  return authzid === "" ? { authcid, password } : { authzid, authcid, password };
}

export class PlainServerMechanism extends MechanismBase implements SaslServerMechanism {
  readonly name = "PLAIN" as const;
  #state: State = { at: "start" };

  constructor(private readonly options: PlainServerOptions = {}) {
    super();
  }

  start(initialResponse: string | undefined): SaslStep {
    if (this.#state.at !== "start") return this.unexpected();
    // RFC 4616 §2: with no initial response, the server sends an empty challenge.
    if (initialResponse === undefined) {
      this.#state = { at: "response" };
      return { kind: "challenge", data: Buffer.alloc(0) };
    }
    return this.message(initialResponse);
  }

  respond(response: string): SaslStep {
    return this.#state.at === "response" ? this.message(response) : this.unexpected();
  }

  override verified(ok: boolean): SaslStep {
    const state = this.#state;
    if (state.at !== "verification") return super.verified(ok);
    if (!ok) return this.fail("not-authorized");
    this.#state = { at: "done" };
    // RFC 4616 §2: "the server … verifies that the authenticated identity … is authorized to act
    // as the authorization identity" — after the password check.
    return this.finish(authorize(state.username, state.authzid, this.options.domain));
  }

  override fail(condition: SaslFailureCondition, text?: string): SaslFailureStep {
    this.#state = { at: "done" };
    return super.fail(condition, text);
  }

  private message(payload: string): SaslStep {
    const text = this.decodeText(payload);
    if (typeof text !== "string") return text;
    const message = parsePlainMessage(text);
    if (!message) return this.fail("malformed-request", "expected authzid NUL authcid NUL password");
    // RFC 4616 §2: the server prepares authcid and password with SASLprep; the password is
    // prepared once more where the key is derived, which NFKC leaves unchanged.
    const username = saslprep(message.authcid);
    const password = saslprep(message.password);
    if (!username || !password) return this.fail("malformed-request", "not allowed by SASLprep");
    const authzid = message.authzid;
    this.#state = authzid === undefined ? { at: "verification", username } : { at: "verification", username, authzid };
    return authzid === undefined
      ? { kind: "verify-plain", username, password }
      : { kind: "verify-plain", username, password, authzid };
  }
}
