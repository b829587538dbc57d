// Which mechanisms a stream offers, and the mechanism object for an <auth mechanism='…'/>.
import { PlainServerMechanism } from "./plain.js";
import { ScramServerMechanism, type ScramServerOptions } from "./scram.js";
import {
  saslFailure,
  SCRAM_MECHANISMS,
  type SaslFailureStep,
  type SaslMechanismName,
  type SaslServerMechanism,
  type ScramMechanismName,
} from "./types.js";

/** Strongest first: the order the `<mechanisms/>` feature lists them in. */
export const SASL_MECHANISMS: readonly SaslMechanismName[] = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"];

export interface SaslServerOptions extends ScramServerOptions {
  /** Whether the stream is protected by TLS. */
  secure: boolean;
  /** Mechanisms the server enables (default: all of SASL_MECHANISMS). */
  enabled?: readonly SaslMechanismName[];
  /** Offer PLAIN on an unprotected stream too (tests, localhost). Off by default. */
  allowPlainWithoutTls?: boolean;
}

const plainAllowed = (o: SaslServerOptions): boolean => o.secure || o.allowPlainWithoutTls === true;

/** The mechanisms to advertise on this stream (RFC 6120 §6.4.1), strongest first. */
export function offeredMechanisms(options: SaslServerOptions): SaslMechanismName[] {
  const enabled = options.enabled ?? SASL_MECHANISMS;
  return SASL_MECHANISMS.filter((m) => enabled.includes(m) && (m !== "PLAIN" || plainAllowed(options)));
}

/**
 * A fresh server mechanism for the name the client chose, or the failure to send:
 * RFC 6120 §6.5.4 encryption-required for PLAIN without TLS, §6.5.5 invalid-mechanism for a name
 * we don't offer.
 */
export function createServerMechanism(name: string, options: SaslServerOptions): SaslServerMechanism | SaslFailureStep {
  const enabled = options.enabled ?? SASL_MECHANISMS;
  if (!enabled.includes(name as SaslMechanismName)) return saslFailure("invalid-mechanism");
  if (name === "PLAIN") {
    if (!plainAllowed(options)) return saslFailure("encryption-required");
    return new PlainServerMechanism({ ...(options.domain === undefined ? {} : { domain: options.domain }) });
  }
  if ((SCRAM_MECHANISMS as readonly string[]).includes(name)) {
    return new ScramServerMechanism(name as ScramMechanismName, options);
  }
  return saslFailure("invalid-mechanism");
}

export function isSaslFailure(x: SaslServerMechanism | SaslFailureStep): x is SaslFailureStep {
  return "kind" in x && x.kind === "failure";
}
