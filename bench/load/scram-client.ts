// Client side of SASL SCRAM (RFC 5802) without channel binding, for the load generator.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

export type ScramHash = "sha1" | "sha256" | "sha512";
export const SCRAM_HASHES: Record<string, ScramHash> = { "SCRAM-SHA-1": "sha1", "SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512" };
const LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32, sha512: 64 };

// Hi() dominates a client's cost; the bench accounts share a salt, so deriving once per
// (hash, salt, iterations, password) keeps the load generator from measuring itself.
const saltedCache = new Map<string, Buffer>();
function saltedPassword(hash: ScramHash, password: string, salt: Buffer, iterations: number): Buffer {
  const key = `${hash}\0${salt.toString("base64")}\0${iterations}\0${password}`;
  let salted = saltedCache.get(key);
  if (!salted) saltedCache.set(key, (salted = pbkdf2Sync(password, salt, iterations, LENGTH[hash], hash)));
  return salted;
}

const hmac = (hash: ScramHash, key: Buffer, data: string) => createHmac(hash, key).update(data).digest();

// RFC 5802 §5.1: "n=" and "r=" values; ',' and '=' in a username are escaped as =2C and =3D.
const saslName = (name: string) => name.replace(/=/g, "=3D").replace(/,/g, "=2C");

/** One SCRAM exchange: `first()`, then `final(serverFirst)`, then `verify(serverFinal)`. */
export class ScramClient {
  // RFC 5802 §7: gs2-header "n,," — the client does not support channel binding.
  static readonly GS2 = "n,,";
  readonly #hash: ScramHash;
  readonly #password: string;
  readonly #clientFirstBare: string;
  readonly #nonce: string;
  #serverSignature: Buffer | undefined;

  /** `nonce` is for test vectors; by default a fresh random one. */
  constructor(hash: ScramHash, username: string, password: string, nonce = randomBytes(18).toString("base64")) {
    this.#hash = hash;
    this.#password = password;
    this.#nonce = nonce;
    this.#clientFirstBare = `n=${saslName(username)},r=${this.#nonce}`;
  }

  first(): string {
    return ScramClient.GS2 + this.#clientFirstBare;
  }

  /** RFC 5802 §3: ClientProof := ClientKey XOR HMAC(H(ClientKey), AuthMessage). */
  final(serverFirst: string): string {
    const attrs = parseAttributes(serverFirst);
    const nonce = attrs.get("r"), salt = attrs.get("s"), iterations = Number(attrs.get("i"));
    if (!nonce?.startsWith(this.#nonce) || !salt || !(iterations > 0)) throw new Error(`bad server-first-message: ${serverFirst}`);
    const withoutProof = `c=${Buffer.from(ScramClient.GS2).toString("base64")},r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const salted = saltedPassword(this.#hash, this.#password, Buffer.from(salt, "base64"), iterations);
    const clientKey = hmac(this.#hash, salted, "Client Key");
    const storedKey = createHash(this.#hash).update(clientKey).digest();
    const signature = hmac(this.#hash, storedKey, authMessage);
    for (let i = 0; i < clientKey.length; i++) clientKey[i] ^= signature[i];
    this.#serverSignature = hmac(this.#hash, hmac(this.#hash, salted, "Server Key"), authMessage);
    return `${withoutProof},p=${clientKey.toString("base64")}`;
  }

  /** RFC 5802 §3: the client checks ServerSignature (the server proves it knew the password too). */
  verify(serverFinal: string): boolean {
    const v = parseAttributes(serverFinal).get("v");
    if (!v || !this.#serverSignature) return false;
    const got = Buffer.from(v, "base64");
    return got.length === this.#serverSignature.length && timingSafeEqual(got, this.#serverSignature);
  }
}

function parseAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) attrs.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return attrs;
}
