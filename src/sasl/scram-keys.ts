// SCRAM key derivation (RFC 5802 §3), shared by the SASL mechanism and the account storage job:
// one implementation of Hi(), StoredKey and ServerKey.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { saslprep } from "./saslprep.js";
import type { ScramCredentials, ScramMechanismName } from "./types.js";

const DIGESTS: Record<ScramMechanismName, { digest: string; length: number }> = {
  "SCRAM-SHA-1": { digest: "sha1", length: 20 },
  "SCRAM-SHA-256": { digest: "sha256", length: 32 },
  "SCRAM-SHA-512": { digest: "sha512", length: 64 },
};

/** RFC 7677 §4: "the iteration count … SHOULD be at least 4096". */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;

export function hashLength(mechanism: ScramMechanismName): number {
  return DIGESTS[mechanism].length;
}

export function hmac(mechanism: ScramMechanismName, key: Uint8Array, data: string | Uint8Array): Buffer {
  return createHmac(DIGESTS[mechanism].digest, key).update(data).digest();
}

export function hash(mechanism: ScramMechanismName, data: Uint8Array): Buffer {
  return createHash(DIGESTS[mechanism].digest).update(data).digest();
}

export class SaslprepError extends Error {
  constructor() {
    super("password contains characters SASLprep prohibits");
    this.name = "SaslprepError";
  }
}

// RFC 5802 §3: SaltedPassword := Hi(Normalize(password), salt, i); Hi is PBKDF2 with HMAC as PRF.
function saltedPassword(password: string, mechanism: ScramMechanismName, salt: Uint8Array, iterations: number): Buffer {
  const normalized = saslprep(password);
  if (normalized === null) throw new SaslprepError();
  const { digest, length } = DIGESTS[mechanism];
  return pbkdf2Sync(normalized, salt, iterations, length, digest);
}

/**
 * The stored form of `password` for `mechanism` (RFC 5802 §3):
 * ClientKey := HMAC(SaltedPassword, "Client Key"), StoredKey := H(ClientKey),
 * ServerKey := HMAC(SaltedPassword, "Server Key"). A fresh random salt unless one is given.
 * Blocking (PBKDF2): call it from a worker thread.
 */
export function scramCredentials(
  password: string,
  mechanism: ScramMechanismName,
  iterations: number = DEFAULT_SCRAM_ITERATIONS,
  salt: Uint8Array = randomBytes(SCRAM_SALT_BYTES),
): ScramCredentials {
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`bad iteration count ${iterations}`);
  const salted = saltedPassword(password, mechanism, salt, iterations);
  const clientKey = hmac(mechanism, salted, "Client Key");
  return {
    salt: new Uint8Array(salt),
    iterations,
    storedKey: new Uint8Array(hash(mechanism, clientKey)),
    serverKey: new Uint8Array(hmac(mechanism, salted, "Server Key")),
  };
}

/** Whether `password` derives to the StoredKey in `credentials` (compared in constant time). */
export function passwordMatches(password: string, mechanism: ScramMechanismName, credentials: ScramCredentials): boolean {
  const derived = scramCredentials(password, mechanism, credentials.iterations, credentials.salt);
  return constantTimeEqual(derived.storedKey, credentials.storedKey);
}

/** Constant-time comparison; a length difference (public anyway) returns false at once. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
