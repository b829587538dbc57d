// Types shared by the server-side SASL mechanisms (RFC 4422, RFC 6120 §6).

// RFC 6120 §6.5: defined SASL failure conditions.
export const SASL_FAILURE_CONDITIONS = [
  "aborted", "account-disabled", "credentials-expired", "encryption-required",
  "incorrect-encoding", "invalid-authzid", "invalid-mechanism", "malformed-request",
  "mechanism-too-weak", "not-authorized", "temporary-auth-failure",
] as const;
export type SaslFailureCondition = (typeof SASL_FAILURE_CONDITIONS)[number];

export const SCRAM_MECHANISMS = ["SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type ScramMechanismName = (typeof SCRAM_MECHANISMS)[number];
export type SaslMechanismName = ScramMechanismName | "PLAIN";

/**
 * What a server keeps for one SCRAM mechanism (RFC 5802 §3). Plain Uint8Arrays so the record
 * survives structured cloning between the worker pool and the connection.
 */
export interface ScramCredentials {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

export type SaslFailureStep = { kind: "failure"; condition: SaslFailureCondition; text?: string };
export type SaslSuccessStep = { kind: "success"; data?: Buffer; username: string; authzid?: string };

/**
 * The outcome of feeding a mechanism one input. `challenge`, `success` and `failure` go on the
 * wire; `need-credentials` and `verify-plain` ask the caller for a storage lookup (done in the
 * worker pool), answered with `provideCredentials()` / `verified()`.
 */
export type SaslStep =
  | { kind: "challenge"; data: Buffer }
  | SaslSuccessStep
  | SaslFailureStep
  | { kind: "need-credentials"; username: string; mechanism: ScramMechanismName }
  | { kind: "verify-plain"; username: string; password: string; authzid?: string };

/**
 * One server-side authentication exchange. Inputs are the base64 character data of `<auth/>` /
 * `<response/>` exactly as received (RFC 6120 §6.4.2): `undefined` for "no initial response",
 * `"="` for an empty one. Pure and synchronous; a finished exchange rejects further input.
 */
export interface SaslServerMechanism {
  readonly name: SaslMechanismName;
  start(initialResponse: string | undefined): SaslStep;
  respond(response: string): SaslStep;
  /** Answer to `need-credentials`: the stored record, or null when there is none. */
  provideCredentials(credentials: ScramCredentials | null): SaslStep;
  /** Answer to `verify-plain`: whether the password matched. */
  verified(ok: boolean): SaslStep;
  /** Ends the exchange with `condition`: `aborted` on `<abort/>`, `temporary-auth-failure` when the lookup failed… */
  fail(condition: SaslFailureCondition, text?: string): SaslFailureStep;
}

export function saslFailure(condition: SaslFailureCondition, text?: string): SaslFailureStep {
  return text === undefined ? { kind: "failure", condition } : { kind: "failure", condition, text };
}
