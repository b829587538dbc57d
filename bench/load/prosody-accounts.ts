// Writes N bench accounts straight into a Prosody data directory in mod_auth_internal_hashed's
// format (util.datamanager: DATA/<host>/accounts/<user>.dat, a Lua table), which is what
// `prosodyctl register` writes, minus ~10 ms of PBKDF2 and a Lua start-up per account.
// Prosody keeps one hash per host (`password_hash`, SHA-1 by default), so --hash picks it.
//   node --import tsx bench/load/prosody-accounts.ts --data-dir DIR --domain localhost --count 5000 --hash SHA-1
import { parseArgs } from "node:util";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_ITERATIONS, BENCH_SALT, benchUsernames } from "./bench-credentials.js";

// util.datamanager encodes every non-alphanumeric byte of host and user names as %xx.
const encode = (s: string) => s.replace(/[^A-Za-z0-9]/g, (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"));

export function prosodyAccountFile(password: string, hash: "SHA-1" | "SHA-256"): string {
  const digest = hash === "SHA-1" ? "sha1" : "sha256";
  const salted = pbkdf2Sync(password, BENCH_SALT, BENCH_ITERATIONS, digest === "sha1" ? 20 : 32, digest);
  const storedKey = createHash(digest).update(createHmac(digest, salted).update("Client Key").digest()).digest("hex");
  const serverKey = createHmac(digest, salted).update("Server Key").digest("hex");
  // The salt is plain ASCII, so it needs no Lua escaping.
  return `return {\n\t["iteration_count"] = ${BENCH_ITERATIONS};\n\t["salt"] = "${BENCH_SALT.toString()}";\n\t["server_key"] = "${serverKey}";\n\t["stored_key"] = "${storedKey}";\n};\n`;
}

export function createProsodyAccounts(dataDir: string, domain: string, prefix: string, password: string, count: number, hash: "SHA-1" | "SHA-256"): number {
  const dir = join(dataDir, encode(domain), "accounts");
  mkdirSync(dir, { recursive: true });
  const content = prosodyAccountFile(password, hash);
  for (const name of benchUsernames(prefix, count)) writeFileSync(join(dir, `${encode(name)}.dat`), content);
  return count;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      "data-dir": { type: "string" },
      domain: { type: "string", default: "localhost" },
      count: { type: "string", default: "1000" },
      prefix: { type: "string", default: "user" },
      password: { type: "string", default: "pw" },
      hash: { type: "string", default: "SHA-1" },
    },
  });
  if (!values["data-dir"]) throw new Error("--data-dir is required");
  if (values.hash !== "SHA-1" && values.hash !== "SHA-256") throw new Error("--hash is SHA-1 or SHA-256");
  const created = createProsodyAccounts(values["data-dir"], values.domain, values.prefix, values.password, Number(values.count), values.hash);
  console.log(JSON.stringify({ server: "prosody", accounts_created: created, hash: values.hash }));
}
