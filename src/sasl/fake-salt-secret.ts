import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The secret SCRAM derives unknown users' fake salts from, kept in the data directory: with a
 * per-process secret a restart would change those salts and tell a prober the account is fake.
 */
export function loadOrCreateFakeSaltSecret(dataDir: string): Uint8Array {
  const path = join(dataDir, "scram-fake-salt.key");
  try {
    const secret = readFileSync(path);
    if (secret.length === 32) return secret;
  } catch {
    // first start: create it below
  }
  const secret = randomBytes(32);
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}
