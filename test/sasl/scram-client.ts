// A client-side SCRAM (RFC 5802 §3, §7) written for the tests, independent of src/sasl: it uses
// node:crypto directly so a shared bug in the server's key derivation cannot cancel out.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

const DIGEST = { "SCRAM-SHA-1": ["sha1", 20], "SCRAM-SHA-256": ["sha256", 32], "SCRAM-SHA-512": ["sha512", 64] } as const;
export type ClientMechanism = keyof typeof DIGEST;

const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
const escapeName = (s: string): string => s.replace(/=/g, "=3D").replace(/,/g, "=2C");

export class ScramClient {
  readonly clientNonce: string;
  readonly gs2Header: string;
  private clientFirstBare: string;
  private expectedServerSignature?: string;

  constructor(
    private readonly mechanism: ClientMechanism,
    private readonly username: string,
    private readonly password: string,
    options: { nonce?: string; authzid?: string; cbindFlag?: "n" | "y" } = {},
  ) {
    this.clientNonce = options.nonce ?? randomBytes(16).toString("base64");
    const authz = options.authzid === undefined ? "" : `a=${escapeName(options.authzid)}`;
    this.gs2Header = `${options.cbindFlag ?? "n"},${authz},`;
    this.clientFirstBare = `n=${escapeName(username)},r=${this.clientNonce}`;
  }

  /** client-first-message, base64 as it goes into <auth/>. */
  first(): string {
    return b64(this.gs2Header + this.clientFirstBare);
  }

  /** client-final-message (base64) for the server-first-message bytes. */
  final(serverFirst: Buffer, tamper: { nonce?: string; channelBinding?: string; proof?: Buffer } = {}): string {
    const attrs = Object.fromEntries(serverFirst.toString().split(",").map((f) => [f[0], f.slice(2)]));
    const [digest, length] = DIGEST[this.mechanism];
    const salted = pbkdf2Sync(this.password, Buffer.from(attrs.s!, "base64"), Number(attrs.i), length, digest);
    const clientKey = createHmac(digest, salted).update("Client Key").digest();
    const storedKey = createHash(digest).update(clientKey).digest();
    const withoutProof = `c=${tamper.channelBinding ?? b64(this.gs2Header)},r=${tamper.nonce ?? attrs.r}`;
    const authMessage = `${this.clientFirstBare},${serverFirst.toString()},${withoutProof}`;
    const signature = createHmac(digest, storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    const serverKey = createHmac(digest, salted).update("Server Key").digest();
    this.expectedServerSignature = createHmac(digest, serverKey).update(authMessage).digest("base64");
    return b64(`${withoutProof},p=${(tamper.proof ?? proof).toString("base64")}`);
  }

  /** Whether the server-final-message proves the server knew the password too. */
  verifyServer(serverFinal: Buffer | undefined): boolean {
    return serverFinal?.toString() === `v=${this.expectedServerSignature}`;
  }
}
